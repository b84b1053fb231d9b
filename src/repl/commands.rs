//! The REPL's `:` commands, and the help they print.
//!
//! Everything `:help` says about builtins and algorithms comes from the
//! registry, so it grows with the language; the commands and keywords are
//! the two short tables below.

use super::session::{Session, Status};
use super::Io;
use crate::diagnostics::{render, suggest};
use crate::ir::graph::{Ir, NodeId, Op};
use crate::ir::signature::{param_usage, ParamSig, ResultRule, Signature, SignatureLookup};
use crate::ir::Kind;
use crate::syntax::Keyword;
use std::path::Path;

/// Each command: its name, its argument and what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        ":help",
        "[NAME]",
        "the doc of a builtin, algorithm, keyword or command; an overview without NAME",
    ),
    (
        ":type",
        "EXPR",
        "the kind of an expression (nothing is run)",
    ),
    (":ir", "EXPR", "the IR nodes an expression lowers to"),
    (":load", "FILE", "run a script into the session"),
    (
        ":save",
        "FILE",
        "write the session's definitions as a script (`:load` reads it back)",
    ),
    (":reset", "", "forget every definition and value"),
    (
        ":set",
        "seed N | threads N",
        "change the run seed or the worker threads",
    ),
    (":quit", "", "leave the session (also Ctrl-D)"),
];

/// Short forms.
const ALIASES: &[(&str, &str)] = &[
    (":h", ":help"),
    (":?", ":help"),
    (":t", ":type"),
    (":l", ":load"),
    (":q", ":quit"),
    (":exit", ":quit"),
];

/// What each keyword introduces.
pub fn keyword_doc(k: Keyword) -> &'static str {
    match k {
        Keyword::Use => {
            "use std.NAME | use \"file.opt\": bring in a standard module or a script's definitions"
        }
        Keyword::Param => {
            "param NAME = EXPR: a constant the command line can override (--set NAME=VALUE)"
        }
        Keyword::Let => "let NAME = EXPR: a value of any kind",
        Keyword::Objective => "objective NAME = EXPR: a family of problem instances with a score",
        Keyword::Dataset => "dataset NAME = EXPR: training data",
        Keyword::Model => "model NAME = EXPR: an untrained architecture",
        Keyword::Pipeline => "pipeline NAME = EXPR: a solver, direct, amortized or composed",
        Keyword::Def => "def NAME(a, b=1) = EXPR: a combinator, expanded where it is called",
        Keyword::Report => "report EXPR: print a value (a table for reports)",
        Keyword::Plot => "plot EXPR to \"file.svg\": draw a sweep or comparison",
        Keyword::Save => "save EXPR to \"file\": write a value (.json, .yaml, .csv, .txt)",
        Keyword::To => "plot/save EXPR to \"file\": where the output goes",
        Keyword::True | Keyword::False => "true, false: the Bool values",
    }
}

/// The full name of a command typed in any accepted form.
pub fn canonical(word: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| c.0)
        .find(|c| *c == word)
        .or_else(|| ALIASES.iter().find(|a| a.0 == word).map(|a| a.1))
}

/// Runs one `:` command line.
pub fn run(session: &mut Session, line: &str, io: &mut Io) -> Status {
    let line = line.trim();
    let (word, arg) = match line.find(char::is_whitespace) {
        Some(i) => (&line[..i], line[i..].trim()),
        None => (line, ""),
    };
    let Some(cmd) = canonical(word) else {
        let names = COMMANDS.iter().map(|c| c.0);
        let mut msg = format!("error: unknown command `{word}`");
        if let Some(s) = suggest(word, names) {
            msg.push_str(&format!(" (did you mean `{s}`?)"));
        }
        let _ = writeln!(io.err, "{msg}; :help lists the commands");
        return Status::Failed;
    };
    match cmd {
        ":help" => {
            let text = if arg.is_empty() {
                overview(session)
            } else {
                match help(session, arg) {
                    Some(t) => t,
                    None => {
                        let _ = writeln!(io.err, "{}", no_help(session, arg));
                        return Status::Failed;
                    }
                }
            };
            let _ = write!(io.out, "{text}");
            Status::Ok
        }
        ":type" => type_of(session, arg, io),
        ":ir" => ir_of(session, arg, io),
        ":load" => {
            let path = unquote(arg);
            if path.is_empty() {
                return usage(io, ":load FILE");
            }
            match crate::driver::read_text(Path::new(path)) {
                Ok(text) => session.entry(&text, Some(path), io),
                Err(e) => {
                    let _ = writeln!(io.err, "error: {e}");
                    Status::Failed
                }
            }
        }
        ":save" => save(session, unquote(arg), io),
        ":reset" => {
            session.reset();
            let _ = writeln!(io.out, "the session is empty");
            Status::Ok
        }
        ":set" => set(session, arg, io),
        _ => Status::Quit,
    }
}

fn usage(io: &mut Io, form: &str) -> Status {
    let _ = writeln!(io.err, "usage: {form}");
    Status::Failed
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn set(session: &mut Session, arg: &str, io: &mut Io) -> Status {
    let mut words = arg.split_whitespace();
    let (key, value) = (words.next(), words.next());
    let settings = &mut session.interp.settings;
    match (key, value.map(str::parse::<u64>)) {
        (None, _) => {
            let _ = writeln!(
                io.out,
                "seed = {}\nthreads = {}",
                settings.seed, settings.threads
            );
            Status::Ok
        }
        (Some("seed"), Some(Ok(n))) => {
            settings.seed = n;
            let _ = writeln!(io.out, "seed = {n}");
            Status::Ok
        }
        (Some("threads"), Some(Ok(n))) if (1..=256).contains(&n) => {
            settings.threads = n as usize;
            // Thread counts are not part of node hashes, but they change
            // what root-parallel searches answer.
            session.interp.clear();
            let _ = writeln!(io.out, "threads = {n}");
            Status::Ok
        }
        (Some("threads"), Some(Ok(n))) => {
            let _ = writeln!(io.err, "error: threads must be 1 to 256, not {n}");
            Status::Failed
        }
        _ => usage(io, ":set seed N | :set threads N"),
    }
}

fn save(session: &Session, path: &str, io: &mut Io) -> Status {
    if path.is_empty() {
        return usage(io, ":save FILE");
    }
    let text = session.text();
    let formatted = crate::fmt::format_source(crate::span::SourceId(0), &text).unwrap_or(text);
    match crate::files::write_atomic(Path::new(path), formatted.as_bytes()) {
        Ok(()) => {
            let n = session.items.len();
            let _ = writeln!(
                io.out,
                "saved {n} item{} to {path}",
                if n == 1 { "" } else { "s" }
            );
            Status::Ok
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            Status::Failed
        }
    }
}

/// Checks `expr` as a bare expression; prints the diagnostics if it fails.
fn check_expr(session: &Session, expr: &str, io: &mut Io) -> Option<(Ir, NodeId)> {
    let checked = session.check(expr);
    if !checked.ok() {
        let _ = write!(
            io.err,
            "{}",
            render(&checked.diagnostics, &checked.sources, session.color)
        );
        return None;
    }
    let ir = checked.ir?;
    let Some(node) = ir.commands.first().map(|c| c.value) else {
        let _ = writeln!(io.err, "error: expected an expression");
        return None;
    };
    Some((ir, node))
}

fn type_of(session: &Session, expr: &str, io: &mut Io) -> Status {
    if expr.is_empty() {
        return usage(io, ":type EXPR");
    }
    if let Some(line) = named_type(session, expr) {
        let _ = writeln!(io.out, "{line}");
        return Status::Ok;
    }
    let Some((ir, node)) = check_expr(session, expr, io) else {
        return Status::Failed;
    };
    let n = ir.node(node);
    let mut line = format!("{expr} : {}", n.kind);
    if let Some(d) = n.families {
        match n.kind {
            Kind::Objective => line.push_str(&format!(" ({})", d.article())),
            Kind::Solver => line.push_str(&format!(" (for {})", d.describe())),
            _ => {}
        }
    }
    let _ = writeln!(io.out, "{line}");
    Status::Ok
}

/// The type line of a builtin, algorithm or def name, which are not values.
fn named_type(session: &Session, name: &str) -> Option<String> {
    let r = session.registry;
    if let Some(b) = r.get(name) {
        return Some(format!(
            "{name} : builtin {} → {}",
            b.sig.usage(),
            result_kind(&b.sig)
        ));
    }
    if let Some(a) = r.algorithm(name) {
        return Some(format!(
            "{name} : Algorithm, for {} ({})",
            a.families.describe(),
            a.usage()
        ));
    }
    let def = session
        .items
        .iter()
        .find(|k| k.name.as_deref() == Some(name) && k.text.starts_with("def"))?;
    Some(format!("{name} : {}", def.text))
}

fn ir_of(session: &Session, expr: &str, io: &mut Io) -> Status {
    if expr.is_empty() {
        return usage(io, ":ir EXPR");
    }
    let Some((ir, node)) = check_expr(session, expr, io) else {
        return Status::Failed;
    };
    let mut wanted = vec![false; ir.nodes.len()];
    let mut todo = vec![node];
    while let Some(id) = todo.pop() {
        if std::mem::replace(&mut wanted[id], true) {
            continue;
        }
        match &ir.node(id).op {
            Op::List(items) => todo.extend(items),
            Op::Call { args, extra, .. } => {
                todo.extend(args);
                todo.extend(extra.iter().map(|(_, a)| *a));
            }
            Op::Neg(a) => todo.push(*a),
            Op::Binary { lhs, rhs, .. } => todo.extend([*lhs, *rhs]),
            Op::Index { target, index } => todo.extend([*target, *index]),
            Op::Field { target, .. } => todo.push(*target),
            Op::Tape { source, .. } => todo.push(*source),
            Op::Const(_) | Op::Symbol(_) => {}
        }
    }
    let dump = ir.dump();
    let nodes = dump.split_once("--\n").map_or("", |(_, n)| n);
    for line in nodes.lines() {
        let id = line
            .strip_prefix('%')
            .and_then(|l| l.split(':').next())
            .and_then(|n| n.parse::<usize>().ok());
        if id.is_some_and(|i| wanted.get(i) == Some(&true)) {
            let _ = writeln!(io.out, "{line}");
        }
    }
    let _ = writeln!(io.out, "show %{node}");
    Status::Ok
}

/// What a builtin returns, as the reference says it.
pub fn result_kind(s: &Signature) -> String {
    match s.result {
        ResultRule::Fixed(k) => k.kind().to_string(),
        ResultRule::Elementwise(_) => "Num (Vector for a Vector)".to_string(),
        ResultRule::ElementOf(_) => "the element kind".to_string(),
        ResultRule::SameAs(i) => format!("the kind of `{}`", s.params[i].name),
    }
}

/// `:help NAME`: a builtin, algorithm, keyword, command or session name.
pub fn help(session: &Session, name: &str) -> Option<String> {
    let r = session.registry;
    let name = name.trim();
    if let Some(b) = r.get(name) {
        let s = &b.sig;
        let mut out = format!(
            "{} → {}    [{}]\n\n{}\n",
            s.usage(),
            result_kind(s),
            s.group,
            s.doc
        );
        params_table(&mut out, &s.params);
        if let Some(i) = s.algorithm_params {
            out.push_str(&format!(
                "\nThe `{}` argument is one of: {}\n(:help ALGORITHM lists its own parameters)\n",
                s.params[i].name,
                r.algorithm_names().join(", ")
            ));
        }
        if !s.example.is_empty() {
            out.push_str(&format!("\nExample: {}\n", s.example));
        }
        return Some(out);
    }
    if let Some(a) = r.algorithm(name) {
        let mut out = format!(
            "{}    [algorithm, for {}]\n\n{}\n",
            a.usage(),
            a.families.describe(),
            a.doc
        );
        if !a.warm_starts.is_empty() {
            out.push_str(&format!("Takes {}.\n", a.warm_starts.join("; ")));
        }
        params_table(&mut out, &a.params);
        return Some(out);
    }
    if let Some(k) = Keyword::from_word(name) {
        return Some(format!("{}\n", keyword_doc(k)));
    }
    let as_command = if name.starts_with(':') {
        name.to_string()
    } else {
        format!(":{name}")
    };
    if let Some(c) = canonical(&as_command) {
        let (n, arg, doc) = COMMANDS.iter().find(|x| x.0 == c)?;
        return Some(format!("{n} {arg}\n    {doc}\n"));
    }
    if let Some(kept) = session
        .items
        .iter()
        .find(|k| k.name.as_deref() == Some(name))
    {
        return Some(format!("{}\n    (defined in this session)\n", kept.text));
    }
    parameter_help(session.registry, name)
}

/// `:help sims`: the builtins and algorithms with a parameter of that name.
fn parameter_help(r: &crate::interp::Registry, name: &str) -> Option<String> {
    let mut out = String::new();
    for b in r.builtins() {
        if let Some((_, p)) = b.sig.param(name) {
            out.push_str(&format!(
                "  {:<28}{}\n",
                format!("{}(…)", b.sig.name),
                p.doc
            ));
        }
    }
    for a in r.algorithms() {
        if let Some(p) = a.params.iter().find(|p| p.name == name) {
            out.push_str(&format!(
                "  {:<28}{}\n",
                format!("plan({}, …)", a.name),
                p.doc
            ));
        }
    }
    (!out.is_empty()).then(|| format!("`{name}` is a parameter of:\n{out}"))
}

fn no_help(session: &Session, name: &str) -> String {
    let r = session.registry;
    let names = session.names();
    let all = r
        .builtin_names()
        .into_iter()
        .chain(r.algorithm_names())
        .chain(Keyword::ALL.iter().map(|k| k.as_str()))
        .chain(names.iter().map(String::as_str));
    match suggest(name, all) {
        Some(s) => format!("error: no help for `{name}`; did you mean `{s}`?"),
        None => format!("error: no help for `{name}`; :help lists what there is"),
    }
}

fn params_table(out: &mut String, params: &[ParamSig]) {
    if params.is_empty() {
        return;
    }
    let rows: Vec<[String; 5]> = params
        .iter()
        .map(|p| {
            [
                if p.named_only {
                    param_usage(p)
                } else {
                    p.name.to_string()
                },
                p.kind.to_string(),
                p.default
                    .as_ref()
                    .map_or("required".to_string(), |d| d.to_string()),
                p.range.map(|r| r.to_string()).unwrap_or_default(),
                p.doc.to_string(),
            ]
        })
        .collect();
    let header = ["parameter", "kind", "default", "range", "meaning"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.push('\n');
    let line = |cells: [&str; 5]| {
        let mut s = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count() + 1));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(header));
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
}

/// `:help` alone: the commands, then every builtin by group.
pub fn overview(session: &Session) -> String {
    let r = session.registry;
    let mut out = String::from("Commands:\n");
    for (name, arg, doc) in COMMANDS {
        let head = format!("{name} {arg}");
        out.push_str(&format!("  {head:<26}{doc}\n"));
    }
    out.push_str("\nBuiltins (:help NAME for one):\n");
    let mut groups: Vec<&str> = Vec::new();
    for b in r.builtins() {
        if !groups.contains(&b.sig.group) {
            groups.push(b.sig.group);
        }
    }
    for g in groups {
        let names: Vec<&str> = r
            .builtins()
            .filter(|b| b.sig.group == g)
            .map(|b| b.sig.name)
            .collect();
        wrap(&mut out, &format!("  {g:<12}"), &names);
    }
    wrap(&mut out, "  algorithms  ", &r.algorithm_names());
    let keywords: Vec<&str> = Keyword::ALL.iter().map(|k| k.as_str()).collect();
    out.push_str("\nKeywords:\n");
    wrap(&mut out, "  ", &keywords);
    let names = session.names();
    if !names.is_empty() {
        out.push_str("\nThis session defines:\n");
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        wrap(&mut out, "  ", &names);
    }
    out.push_str(
        "\nTab completes names, named arguments and file paths. An unfinished line\n\
         (open bracket, trailing |> or operator) continues on the next one.\n\
         Ctrl-C cancels a running evaluation or clears the line; Ctrl-D leaves.\n",
    );
    out
}

/// Appends `words` after `head`, wrapped at 100 columns under it.
fn wrap(out: &mut String, head: &str, words: &[&str]) {
    let indent = head.chars().count();
    let mut line = head.to_string();
    let mut col = indent;
    let mut first = true;
    for w in words {
        if !first && col + 1 + w.chars().count() > 100 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            col = indent;
            first = true;
        }
        if !first {
            line.push(' ');
            col += 1;
        }
        line.push_str(w);
        col += w.chars().count();
        first = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}
