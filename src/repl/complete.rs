//! Tab completion and signature hints, from the registry and the session.
//!
//! Both read the text before the cursor the same way: the lexer's tokens,
//! with a stack of the brackets still open, tell which call (if any) the
//! cursor is an argument of, which positional arguments it has and which
//! named ones. From there:
//!
//! * at the start of an argument: that call's named parameters not given
//!   yet (`plan(mcts, si` → `sims=`), algorithm names for `plan`'s first
//!   argument, and every value name;
//! * elsewhere: builtins, the session's names and, at the start of an item,
//!   the keywords;
//! * after `use`: `std.` modules; inside a string: file paths;
//! * after `:`: commands, and for `:help` every name that has help.
//!
//! Nothing here knows a builtin by name except through the registry.

use super::commands::COMMANDS;
use crate::interp::Registry;
use crate::ir::signature::{ParamSig, SignatureLookup};
use crate::span::SourceId;
use crate::syntax::{lex, Keyword, Token};
use std::path::Path;

/// What the session contributes.
#[derive(Clone, Debug, Default)]
pub struct SessionNames {
    /// Params and declarations.
    pub values: Vec<String>,
    /// Defs with their parameter names.
    pub defs: Vec<(String, Vec<String>)>,
}

/// One proposal: what the list shows and what replaces the word.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub display: String,
    pub replacement: String,
}

impl Candidate {
    fn same(s: impl Into<String>) -> Self {
        let s = s.into();
        Candidate {
            display: s.clone(),
            replacement: s,
        }
    }
}

/// The call the cursor is inside.
#[derive(Clone, Debug, Default)]
struct Frame {
    /// `None` for a list `[…]` or a parenthesized expression.
    callee: Option<String>,
    /// Positional arguments before the cursor, as written (an identifier or "").
    positional: Vec<String>,
    /// Named arguments before the cursor.
    named: Vec<String>,
    /// The argument being written is named (`k=` seen).
    in_named: bool,
}

/// The token context of the cursor.
struct Scan {
    frames: Vec<Frame>,
    /// The token just before the word being completed.
    prev: Option<Token>,
    /// Whether the word begins an item (start of input or after a
    /// complete expression on an earlier line).
    item_start: bool,
}

fn scan(code: &str) -> Scan {
    let (tokens, _) = lex(SourceId(0), code);
    let mut frames: Vec<Frame> = Vec::new();
    let mut arg_tokens: Vec<Vec<Token>> = Vec::new();
    for (i, (t, _)) in tokens.iter().enumerate() {
        match t {
            Token::LParen | Token::LBracket => {
                let callee = match (t, i.checked_sub(1).map(|j| &tokens[j].0)) {
                    (Token::LParen, Some(Token::Ident(name))) => Some(name.clone()),
                    _ => None,
                };
                frames.push(Frame {
                    callee,
                    ..Frame::default()
                });
                arg_tokens.push(Vec::new());
            }
            Token::RParen | Token::RBracket => {
                frames.pop();
                arg_tokens.pop();
            }
            Token::Comma => {
                if let (Some(f), Some(toks)) = (frames.last_mut(), arg_tokens.last_mut()) {
                    finish_arg(f, toks);
                    toks.clear();
                }
            }
            Token::Eq => {
                if let (Some(f), Some(toks)) = (frames.last_mut(), arg_tokens.last_mut()) {
                    if let [Token::Ident(n)] = toks.as_slice() {
                        f.named.push(n.clone());
                        f.in_named = true;
                    }
                    toks.push(t.clone());
                }
            }
            other => {
                if let Some(toks) = arg_tokens.last_mut() {
                    toks.push(other.clone());
                }
            }
        }
    }
    let prev = tokens.last().map(|(t, _)| t.clone());
    // A new item starts at the beginning, or on a new line after a
    // finished expression (an item keyword would end it anyway).
    let ends_expr = matches!(
        prev,
        Some(
            Token::Ident(_)
                | Token::Int(_)
                | Token::Num(_)
                | Token::Str(_)
                | Token::RParen
                | Token::RBracket
                | Token::Keyword(Keyword::True | Keyword::False)
        )
    );
    let after_newline = code[code.trim_end().len()..].contains('\n');
    let item_start = frames.is_empty() && (tokens.is_empty() || (ends_expr && after_newline));
    Scan {
        frames,
        prev,
        item_start,
    }
}

/// Records the argument that a comma just closed.
fn finish_arg(f: &mut Frame, toks: &[Token]) {
    if f.in_named {
        f.in_named = false;
    } else {
        f.positional.push(match toks {
            [Token::Ident(n)] => n.clone(),
            _ => String::new(),
        });
    }
}

/// Where the string the cursor is in starts (after its quote), if it is in one.
fn open_string(code: &str) -> Option<usize> {
    let mut start = None;
    let mut chars = code.char_indices();
    while let Some((i, c)) = chars.next() {
        match (c, start) {
            ('\n', _) => start = None,
            ('\\', Some(_)) => {
                chars.next();
            }
            ('"', Some(_)) => start = None,
            ('"', None) => start = Some(i + 1),
            ('#', None) => {
                // A comment: nothing to complete until its line ends.
                match code[i..].find('\n') {
                    Some(n) => {
                        while chars.as_str().len() > code.len() - (i + n) {
                            chars.next();
                        }
                    }
                    None => return Some(usize::MAX),
                }
            }
            _ => {}
        }
    }
    start
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Completes the word before `pos`: the byte where the replaced text
/// starts, and the candidates.
pub fn complete(
    line: &str,
    pos: usize,
    registry: &Registry,
    session: &SessionNames,
) -> (usize, Vec<Candidate>) {
    let before = &line[..pos];
    if before.trim_start().starts_with(':') {
        return complete_command(before, registry, session);
    }
    complete_code(before, 0, registry, session, Path::new(""))
}

/// Completes the word before byte `pos` of a whole script (no `:`
/// commands), with paths in strings relative to `dir` (the script's
/// folder): what the language server offers.
pub fn complete_script(
    text: &str,
    pos: usize,
    registry: &Registry,
    session: &SessionNames,
    dir: &Path,
) -> (usize, Vec<Candidate>) {
    complete_code(&text[..pos], 0, registry, session, dir)
}

fn complete_command(
    before: &str,
    registry: &Registry,
    session: &SessionNames,
) -> (usize, Vec<Candidate>) {
    let lead = before.len() - before.trim_start().len();
    let text = &before[lead..];
    let Some(space) = text.find(char::is_whitespace) else {
        let cands = COMMANDS
            .iter()
            .filter(|c| c.0.starts_with(text))
            .map(|c| Candidate::same(c.0))
            .collect();
        return (lead, cands);
    };
    let word = &text[..space];
    let arg_at = lead + space + (text[space..].len() - text[space..].trim_start().len());
    match super::commands::canonical(word) {
        Some(":help") => {
            let start = before[arg_at..]
                .rfind(|c: char| !is_word(c) && c != ':')
                .map_or(arg_at, |i| arg_at + i + 1);
            let prefix = &before[start..];
            let mut names: Vec<String> = registry
                .builtin_names()
                .into_iter()
                .chain(registry.algorithm_names())
                .chain(Keyword::ALL.iter().map(|k| k.as_str()))
                .chain(COMMANDS.iter().map(|c| c.0))
                .map(str::to_string)
                .chain(session.values.iter().cloned())
                .chain(session.defs.iter().map(|d| d.0.clone()))
                .collect();
            names.sort();
            names.dedup();
            let cands = names
                .into_iter()
                .filter(|n| n.starts_with(prefix))
                .map(Candidate::same)
                .collect();
            (start, cands)
        }
        Some(":load" | ":save") => {
            let arg = &before[arg_at..];
            let arg_start = arg_at + usize::from(arg.starts_with('"'));
            paths(&before[arg_start..], arg_start, Path::new(""))
        }
        Some(":set") => {
            let arg = &before[arg_at..];
            if arg.contains(char::is_whitespace) {
                return (before.len(), Vec::new());
            }
            let cands = ["seed", "threads"]
                .iter()
                .filter(|k| k.starts_with(arg))
                .map(|k| Candidate::same(*k))
                .collect();
            (arg_at, cands)
        }
        Some(":type" | ":ir") => {
            complete_code(&before[arg_at..], arg_at, registry, session, Path::new(""))
        }
        _ => (before.len(), Vec::new()),
    }
}

/// Completes code; `offset` is where `before` starts in the line, and
/// relative paths in strings start at `dir` (empty: the working directory).
fn complete_code(
    before: &str,
    offset: usize,
    registry: &Registry,
    session: &SessionNames,
    dir: &Path,
) -> (usize, Vec<Candidate>) {
    match open_string(before) {
        Some(usize::MAX) => return (offset + before.len(), Vec::new()),
        Some(s) => return paths(&before[s..], offset + s, dir),
        None => {}
    }
    let word_start = before.rfind(|c: char| !is_word(c)).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &before[word_start..];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return (offset + before.len(), Vec::new());
    }
    // `use std.ga`: the whole dotted path is the word.
    let path_start = before[..word_start]
        .rfind(|c: char| !is_word(c) && c != '.')
        .map_or(0, |i| i + 1);
    let head = before[..path_start].trim_end();
    if head.ends_with("use") && head[..head.len() - 3].ends_with(|c: char| !is_word(c) || c == '\n')
        || head == "use"
    {
        let typed = &before[path_start..];
        let cands = crate::ir::load::STDLIB
            .iter()
            .map(|(m, _)| format!("std.{m}"))
            .filter(|m| m.starts_with(typed))
            .map(Candidate::same)
            .collect();
        return (offset + path_start, cands);
    }
    if before[..word_start].ends_with('.') {
        // A field: their names are only known at run time.
        return (offset + before.len(), Vec::new());
    }
    let s = scan(&before[..word_start]);
    let mut cands: Vec<Candidate> = Vec::new();
    let at_arg_start = matches!(s.prev, Some(Token::LParen | Token::Comma));
    let mut only_named = false;
    if let (Some(frame), true) = (s.frames.last(), at_arg_start) {
        if let Some(callee) = &frame.callee {
            only_named = named_params(frame, callee, registry, session, &mut cands);
        }
    }
    if s.item_start {
        for k in Keyword::ALL.iter().filter(|k| k.starts_item()) {
            cands.push(Candidate::same(format!("{} ", k.as_str())));
        }
    }
    if !only_named && (!s.item_start || !word.is_empty()) {
        values(registry, session, &mut cands);
    }
    let mut seen = std::collections::HashSet::new();
    cands.retain(|c| c.replacement.starts_with(word) && seen.insert(c.replacement.clone()));
    (offset + word_start, cands)
}

/// The named parameters `callee` still accepts, and algorithm names for
/// an algorithm argument. Returns whether only a named argument can come
/// next (every positional parameter is given).
fn named_params(
    frame: &Frame,
    callee: &str,
    registry: &Registry,
    session: &SessionNames,
    out: &mut Vec<Candidate>,
) -> bool {
    let given = |p: &str| frame.named.iter().any(|n| n == p);
    let offer = |ps: &[ParamSig], skip_positional: usize, out: &mut Vec<Candidate>| {
        for (i, p) in ps.iter().enumerate() {
            if !given(p.name) && (p.named_only || i >= skip_positional) {
                out.push(Candidate::same(format!("{}=", p.name)));
            }
        }
    };
    if let Some(sig) = registry.builtin(callee) {
        if let Some(i) = sig.algorithm_params {
            if frame.positional.len() == i {
                for a in registry.algorithm_names() {
                    out.push(Candidate::same(a));
                }
            }
            if let Some(alg) = frame.positional.get(i).and_then(|a| registry.algorithm(a)) {
                offer(&alg.params, 0, out);
            }
        }
        offer(&sig.params, frame.positional.len(), out);
        let positional = sig.params.iter().filter(|p| !p.named_only).count();
        frame.positional.len() >= positional
    } else if let Some((_, params)) = session.defs.iter().find(|d| d.0 == callee) {
        for (i, p) in params.iter().enumerate() {
            if i >= frame.positional.len() && !given(p) {
                out.push(Candidate::same(format!("{p}=")));
            }
        }
        frame.positional.len() >= params.len()
    } else {
        false
    }
}

/// Every name an expression can use.
fn values(registry: &Registry, session: &SessionNames, out: &mut Vec<Candidate>) {
    for n in &session.values {
        out.push(Candidate::same(n.clone()));
    }
    for (d, _) in &session.defs {
        out.push(Candidate {
            display: d.clone(),
            replacement: format!("{d}("),
        });
    }
    let mut builtins = registry.builtin_names();
    builtins.sort_unstable();
    for b in builtins {
        out.push(Candidate {
            display: b.to_string(),
            replacement: format!("{b}("),
        });
    }
    for k in ["true", "false"] {
        out.push(Candidate::same(k));
    }
}

/// File names completing `typed` (a path as typed so far), which starts
/// at byte `start` of the line; a relative path starts at `base`.
fn paths(typed: &str, start: usize, base: &Path) -> (usize, Vec<Candidate>) {
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let expanded = match dir.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().map_or(dir.to_string(), |h| {
            h.join(rest).to_string_lossy().into_owned() + "/"
        }),
        None => dir.to_string(),
    };
    let read = base.join(if expanded.is_empty() { "." } else { &expanded });
    let mut cands = Vec::new();
    if let Ok(entries) = std::fs::read_dir(read) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                continue;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            let shown = if is_dir { format!("{name}/") } else { name };
            cands.push(Candidate {
                replacement: format!("{dir}{shown}"),
                display: shown,
            });
        }
    }
    cands.sort_by(|a, b| a.display.cmp(&b.display));
    (start, cands)
}

/// The signature of the call the cursor is in, for the greyed hint.
pub fn signature_hint(before: &str, registry: &Registry, session: &SessionNames) -> Option<String> {
    if before.trim_start().starts_with(':') || open_string(before).is_some() {
        return None;
    }
    let s = scan(before);
    let frame = s.frames.iter().rev().find(|f| f.callee.is_some())?;
    let callee = frame.callee.as_deref()?;
    if let Some(sig) = registry.builtin(callee) {
        if let Some(alg) = sig
            .algorithm_params
            .and_then(|i| frame.positional.get(i))
            .and_then(|a| registry.algorithm(a))
        {
            return Some(alg.usage());
        }
        return Some(format!(
            "{} → {}",
            sig.usage(),
            super::commands::result_kind(sig)
        ));
    }
    let (name, params) = session.defs.iter().find(|d| d.0 == callee)?;
    Some(format!("{name}({})", params.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> SessionNames {
        SessionNames {
            values: vec!["ttt".into(), "uct".into()],
            defs: vec![("puct".into(), vec!["prior".into(), "sims".into()])],
        }
    }

    fn replacements(line: &str) -> (usize, Vec<String>) {
        let r = Registry::standard();
        let (start, c) = complete(line, line.len(), &r, &names());
        (start, c.into_iter().map(|c| c.replacement).collect())
    }

    #[test]
    fn named_arguments_of_the_algorithm_and_the_call() {
        assert_eq!(
            replacements("plan(mcts, si"),
            (11, vec!["sims=".to_string()])
        );
        let (_, c) = replacements("plan(mcts, sims=4, ");
        assert!(!c.contains(&"sims=".to_string()), "{c:?}");
        assert!(c.contains(&"rollouts=".to_string()), "{c:?}");
        assert_eq!(replacements("evaluate(uct, o").1, ["on="]);
        let (_, c) = replacements("puct(uct, s");
        assert_eq!(c[0], "sims=");
        assert!(c.contains(&"sqrt(".to_string()), "{c:?}");
    }

    #[test]
    fn algorithms_after_plan_and_names_elsewhere() {
        let (start, c) = replacements("plan(m");
        assert_eq!(start, 5);
        assert_eq!(c[..2], ["mcts".to_string(), "minimax".to_string()]);
        assert_eq!(replacements("let a = tictac").1, ["tictactoe("]);
        assert_eq!(replacements("u").1, ["use ", "uct", "uniform("]);
        assert_eq!(
            replacements("report t").1,
            ["ttt", "tanh(", "tictactoe(", "true"]
        );
        assert!(replacements("r.s").1.is_empty());
    }

    #[test]
    fn modules_commands_and_help_names() {
        assert_eq!(replacements("use std.m"), (4, vec!["std.math".to_string()]));
        assert_eq!(replacements(":he"), (0, vec![":help".to_string()]));
        assert_eq!(
            replacements(":help evalu"),
            (6, vec!["evaluate".to_string()])
        );
        assert_eq!(replacements(":set th").1, ["threads"]);
        assert_eq!(replacements(":type plan(mcts, de").1, ["depth="]);
    }

    #[test]
    fn file_paths_inside_strings() {
        let (start, c) = replacements("save uct to \"Cargo.t");
        assert_eq!(start, 13);
        assert_eq!(c, ["Cargo.toml"]);
        let (_, c) = replacements(":load \"exam");
        assert_eq!(c, ["examples/"]);
        assert!(replacements("let a = 1 # pl").1.is_empty());
    }

    #[test]
    fn hints_name_the_call_being_written() {
        let r = Registry::standard();
        let hint = |s: &str| signature_hint(s, &r, &names());
        assert_eq!(
            hint("plan(mcts, sims=10, "),
            r.algorithm("mcts").map(|a| a.usage())
        );
        assert_eq!(
            hint("evaluate(plan(mcts), "),
            Some("evaluate(solver, on=…, n=100, against=none, seeds=none, stat=\"mean\", per_seed=false, lockstep=1) → Report".to_string())
        );
        assert_eq!(hint("puct("), Some("puct(prior, sims)".to_string()));
        assert_eq!(hint("1 + 2"), None);
    }
}
