//! The parser: tokens to the [`ast`](super::ast), reporting every syntax
//! error of a file in one run. It is a chumsky grammar over the token slice
//! (`split_token_span`); items are here, expressions and brackets in
//! `parser/expr.rs`, the error type and its wording in `parser/errors.rs`.
//!
//! Recovery happens at three levels, so one mistake costs one diagnostic
//! and the rest of the file is still checked:
//!
//! * items: every item starts with a keyword, and no keyword can appear
//!   inside an expression except as a misspelt name, so whatever stands
//!   between items is skipped up to the next item keyword (and reported,
//!   unless it is debris of an item that already had an error);
//! * brackets: inside `(…)` and `[…]`, something in the way is skipped up to
//!   the next `,` or the closer, stepping over nested brackets whole (as
//!   `nested_delimiters` does); a bracket that the end of the input, a new
//!   item or an enclosing bracket's closer cuts short is reported unclosed,
//!   with a label on where it opened. The parser's chumsky context is the
//!   stack of brackets it is in (`scan::Nest`, pushed with
//!   `ignore_with_ctx`): it decides whether a keyword starts an item or is a
//!   misspelt name, and whose closer a `)` or `]` is;
//! * missing pieces: where an expression or a name is missing, a
//!   `via_parser` recovery inserts [`ExprKind::Error`] or an empty name and
//!   chumsky's "expected … found …" error, labelled with what the grammar
//!   wanted, is reported.
//!
//! The grammar is generic over its error type and runs in two passes: a
//! quiet one with chumsky's zero-sized `EmptyErr` (a failed alternative
//! costs nothing), whose tree is the answer when it finds no error — the
//! usual case — and, only when it does, a second with [`SyntaxError`], which
//! records what was expected where and words the diagnostics (the
//! `Failure` trait in `parser/errors.rs`; a test holds the passes equal).
//!
//! Tokens the lexer already reported ([`Token::Error`]) are consumed
//! quietly. Chumsky's grammar recurses once per nesting level; a pre-scan
//! (`parser/scan.rs`) cuts the input where nesting passes [`MAX_DEPTH`], so
//! no input can overflow the stack; it also cuts it where the syntax tree
//! would pass [`MAX_CHAIN`] levels (a long chain such as `1 + 1 + …`), so no
//! later stage can either. Every repetition consumes a token
//! per round, so none can loop.
//!
//! Error codes (stable; tests and docs refer to them):
//!
//! | code  | meaning |
//! |-------|---------|
//! | E0001 | unexpected character (lexer) |
//! | E0002 | unexpected token: expected one thing, found another |
//! | E0003 | unclosed `(` or `[` |
//! | E0004 | unterminated string (lexer) |
//! | E0005 | positional argument after a named argument |
//! | E0006 | missing `=` in an item |
//! | E0007 | keyword used as a name |
//! | E0008 | unknown escape in a string (lexer) |
//! | E0009 | malformed number: `2.`, `.5`, `1e`, `3x`, out of range (lexer) |
//! | E0010 | expression nested too deeply (parsing stops there) |
//! | E0011 | unmatched `)` or `]` |
//! | E0012 | call of something that is not a name (`f(1)(2)`, `r.f(x)`) |
//! | E0013 | expression too long: its tree would be deeper than [`MAX_CHAIN`] (parsing stops there) |
//!
//! Where a name is missing, the tree holds an [`Ident`] with an empty name;
//! where an expression is missing, an [`ExprKind::Error`]. A tree built with
//! errors is for tooling (the REPL, an editor), not for running.

mod errors;
mod expr;
mod scan;

use super::ast::*;
use super::lexer::{Keyword, Token};
use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};
use chumsky::error::EmptyErr;
use chumsky::input::{Input, MappedInput};
use chumsky::prelude::*;
use errors::{can_start_expr, Expect, Failure, Kind, ListKind, Role, SyntaxError};
use expr::{def_param, expr, ident, list, located, missing_expr, name, position, when, Syn};
use scan::{Cx, Nest};

/// The deepest nesting of expressions (brackets, operators, unary minus)
/// accepted; far beyond anything written by hand, far below a stack overflow.
pub const MAX_DEPTH: usize = 100;

/// The deepest syntax tree accepted: long chains (`1 + 1 + …`, `x |> f |>
/// …`, `r.a.b…`) make deep trees without nesting, and every stage after the
/// parser (checking, def expansion, evaluation, the formatter, the dumps)
/// walks trees recursively.
pub const MAX_CHAIN: usize = 10_000;

/// The parser's input: the lexer's tokens, each with its span.
type Tokens<'a> = MappedInput<'a, Token, Span, &'a [(Token, Span)]>;

/// The grammar's extras: errors of type `E` ([`SyntaxError`], or the quiet
/// `EmptyErr` of the first pass); the context is the brackets the parser is in.
type Extra<E> = extra::Full<E, (), Nest>;

/// What came out of parsing, with or without errors.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseResult {
    /// Some even with errors when recovery succeeded (it always does today).
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
    /// True when every error is "unexpected end of input": the input is
    /// unfinished (open bracket, trailing `|>` or operator, `=` with nothing
    /// after it), so a REPL should read another line instead of reporting.
    pub incomplete: bool,
}

/// Parses lexed tokens. `text` is the source they came from (for hints that
/// quote it); `repl` lets the first thing be a bare expression.
pub fn parse_tokens(
    src: SourceId,
    text: &str,
    tokens: &[(Token, Span)],
    repl: bool,
) -> ParseResult {
    let cut = scan::too_deep(tokens);
    let cx = Cx {
        src,
        text,
        tokens: &tokens[..cut.map_or(tokens.len(), |(at, _)| at)],
    };
    let eof = Span::new(src, text.len()..text.len());
    // The quiet pass: when it finds nothing wrong, its tree is the answer.
    if cut.is_none() {
        let quiet = program::<EmptyErr>(&cx, repl).parse(cx.tokens.split_token_span(eof));
        if !quiet.has_errors() {
            if let Some(program) = quiet.into_output() {
                return ParseResult {
                    program: Some(program),
                    diagnostics: Vec::new(),
                    incomplete: false,
                };
            }
        }
    }
    let (program, errors) = program::<SyntaxError>(&cx, repl)
        .parse(cx.tokens.split_token_span(eof))
        .into_output_errors();
    let program = program.unwrap_or(Program { items: Vec::new() });
    let mut reported = errors::finish(&cx, errors, &program);
    if let Some((at, why)) = cut {
        // Parsing stopped at the cut: what it says about the end of the
        // input there is not about the real input.
        reported.retain(|r| !r.about_eof);
        let d = match why {
            scan::Cut::Deep => Diagnostic::error("E0010", "expression nested too deeply")
                .with_primary(tokens[at].1, "parsing stops here")
                .with_note(format!(
                    "at most {MAX_DEPTH} levels of brackets and operators are allowed"
                )),
            scan::Cut::Long => Diagnostic::error("E0013", "expression too long")
                .with_primary(tokens[at].1, "parsing stops here")
                .with_note(format!(
                    "an expression may be at most {MAX_CHAIN} operators, calls, indexes and field accesses deep"
                ))
                .with_hint("split it into several `let`s, or add up a list with `sum([…])`"),
        };
        reported.push(errors::Reported {
            diagnostic: d,
            about_eof: false,
        });
    }
    let incomplete = !reported.is_empty() && reported.iter().all(|r| r.about_eof);
    ParseResult {
        program: Some(program),
        diagnostics: reported.into_iter().map(|r| r.diagnostic).collect(),
        incomplete,
    }
}

const ITEM_KEYWORDS: &str = "`use`, `param`, `let`, `objective`, `dataset`, `model`, `pipeline`, `def`, `report`, `plot` or `save`";

/// A script: items, and whatever is not one reported and skipped up to the
/// next. REPL input may start with a bare expression.
fn program<'a, E: Failure<'a>>(cx: &'a Cx<'a>, repl: bool) -> impl Syn<'a, E, Program> {
    let expr = expr(cx);
    let item = choice((
        decl_item(cx, expr.clone()),
        def_item(cx, expr.clone()),
        report_item(cx, expr.clone()),
        param_item(cx, expr.clone()),
        use_item(cx),
        plot_or_save(cx, expr.clone(), Keyword::Plot),
        plot_or_save(cx, expr.clone(), Keyword::Save),
    ))
    .map(Some)
    .boxed();
    let bare = when(cx, move |cx, i, _| {
        repl && cx.token(i).is_some_and(can_start_expr)
            && !(matches!(cx.token(i), Some(Token::Ident(_)))
                && cx.token(i + 1) == Some(&Token::Eq))
    })
    .ignore_then(expr)
    .map(|value| Item {
        span: value.span,
        kind: ItemKind::Expr(value),
    });
    bare.or_not()
        .then(item.or(junk(cx)).repeated().collect::<Vec<_>>())
        .map(|(first, rest)| Program {
            items: first
                .into_iter()
                .chain(rest.into_iter().flatten())
                .collect(),
        })
}

/// Tokens up to the next item, reported by what the first of them suggests.
fn junk<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, Option<Item>> {
    let not_item = when(cx, |cx, i, nest| !cx.at_end(i) && !cx.starts_item(i, nest));
    not_item
        .clone()
        .then_ignore(any())
        .then_ignore(not_item.then(any()).repeated())
        .validate(move |at, _, emitter| {
            if let Some(d) = not_an_item(cx, at) {
                emitter.emit(E::report(d, Kind::Junk));
            }
            None
        })
}

/// Why token `at`, where an item should start, is not one.
fn not_an_item(cx: &Cx, at: usize) -> Option<Diagnostic> {
    let token = cx.token(at)?;
    let span = cx.span(at);
    let found = cx.found(at);
    Some(match token {
        // Already reported by the lexer.
        Token::Error => return None,
        Token::RParen | Token::RBracket => {
            let opener = if *token == Token::RBracket { "[" } else { "(" };
            Diagnostic::error("E0011", format!("unmatched `{token}`"))
                .with_primary(span, format!("no `{opener}` is open here"))
        }
        Token::Ident(name) if cx.token(at + 1) == Some(&Token::Eq) => {
            Diagnostic::error("E0002", format!("expected an item, found `{name}`"))
                .with_primary(span, "an item starts with a keyword")
                .with_hint(format!("to declare `{name}`, write `let {name} = …`"))
        }
        t if can_start_expr(t) && at > 0 => {
            Diagnostic::error("E0002", format!("expected an item, found {found}"))
                .with_primary(span, "an item starts with a keyword")
                .with_hint("if this continues the value before it, an operator or a `,` is missing")
                .with_note(format!("items start with {ITEM_KEYWORDS}"))
        }
        _ => Diagnostic::error("E0002", format!("expected an item, found {found}"))
            .with_primary(span, "an item starts with a keyword")
            .with_note(format!("items start with {ITEM_KEYWORDS}")),
    })
}

/// The keyword starting an item, when it does start one here.
fn item_keyword<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    which: impl Fn(Keyword) -> bool + Clone + 'a,
) -> impl Syn<'a, E, (Keyword, Span)> {
    when(cx, move |cx, i, nest| {
        cx.starts_item(i, nest) && matches!(cx.token(i), Some(Token::Keyword(k)) if which(*k))
    })
    .ignore_then(select_ref! { Token::Keyword(k) => *k })
    .map_with(|k, e| (k, e.span()))
}

/// `= expr` ending an item. A forgotten `=` is remembered (the token found
/// instead), for the item to report, and the value is still read when one
/// follows.
fn value_after_eq<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, (Option<usize>, Expr)> {
    let without_eq = position(cx).then(choice((
        when(cx, |cx, i, _| cx.token(i).is_some_and(can_start_expr)).ignore_then(expr.clone()),
        missing_expr(cx),
    )));
    choice((
        just(Token::Eq).ignore_then(expr).map(|value| (None, value)),
        without_eq.map(|(at, value)| (Some(at), value)),
    ))
}

/// Reports the `=` missing before token `at` in `item` ("param sims").
fn missing_eq<'a, E: Failure<'a>>(
    cx: &Cx,
    at: Option<usize>,
    item: impl FnOnce() -> String,
) -> Option<E> {
    let at = at?;
    let item = item();
    if cx.token(at) == Some(&Token::Error) {
        return None;
    }
    let found = cx.found(at);
    let d = Diagnostic::error(
        "E0006",
        format!("expected `=` after `{item}`, found {found}"),
    )
    .with_primary(cx.blame(at, Nest::default()), "expected `=`")
    .with_hint(format!("write `{item} = …`"));
    Some(E::report(d, Kind::AtToken(at)))
}

fn use_item<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, Item> {
    let file =
        select_ref! { Token::Str(path) => path.clone() }.map_with(|path, e| UseTarget::File {
            path,
            span: e.span(),
        });
    // `use lib/mine.opt`: a file path written without quotes.
    let unquoted_rest = when(cx, |cx, i, _| {
        matches!(cx.token(i), Some(Token::Slash | Token::Minus))
    })
    .then(
        when(cx, |cx, i, nest| !cx.at_end(i) && !cx.starts_item(i, nest))
            .then(any())
            .repeated(),
    );
    let module = ident()
        .then(
            just(Token::Dot)
                .ignore_then(name(cx, Role::Module))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then(unquoted_rest.or_not())
        .validate(move |((first, rest), unquoted), e, emitter| {
            if unquoted.is_some() {
                let span: Span = e.span();
                let written = cx.text.get(span.range()).unwrap_or("");
                let hint = if written.chars().any(char::is_whitespace) {
                    "a file is named by a string, as in `use \"lib/mine.opt\"`".to_string()
                } else {
                    format!("a file is named by a string: `use \"{written}\"`")
                };
                emitter.emit(E::report(
                    Diagnostic::error("E0002", "expected a module path or a quoted file path")
                        .with_primary(span, "a file path must be quoted")
                        .with_hint(hint),
                    Kind::Plain,
                ));
            }
            UseTarget::Module(std::iter::once(first).chain(rest).collect())
        });
    let target = located(choice((file, module)).labelled(Expect::UsePath))
        .recover_with(via_parser(empty().to(UseTarget::Module(Vec::new()))));
    item_keyword(cx, |k| k == Keyword::Use)
        .ignore_then(target)
        .map_with(|target, e| Item {
            kind: ItemKind::Use(target),
            span: e.span(),
        })
}

fn param_item<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, Item> {
    item_keyword(cx, |k| k == Keyword::Param)
        .ignore_then(name(cx, Role::Param))
        .then(value_after_eq(cx, expr))
        .validate(move |(name, (eq_missing, value)), e, emitter| {
            if let Some(err) = missing_eq(cx, eq_missing, || format!("param {}", name.name)) {
                emitter.emit(err);
            }
            Item {
                kind: ItemKind::Param { name, value },
                span: e.span(),
            }
        })
}

fn decl_item<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, Item> {
    let keyword = item_keyword(cx, |k| {
        matches!(
            k,
            Keyword::Let
                | Keyword::Objective
                | Keyword::Dataset
                | Keyword::Model
                | Keyword::Pipeline
        )
    });
    keyword
        .then(name(cx, Role::Name))
        .then(value_after_eq(cx, expr))
        .validate(
            move |(((kw, keyword_span), name), (eq_missing, value)), e, emitter| {
                let item = || format!("{} {}", kw.as_str(), name.name);
                if let Some(err) = missing_eq(cx, eq_missing, item) {
                    emitter.emit(err);
                }
                let keyword = match kw {
                    Keyword::Objective => DeclKeyword::Objective,
                    Keyword::Dataset => DeclKeyword::Dataset,
                    Keyword::Model => DeclKeyword::Model,
                    Keyword::Pipeline => DeclKeyword::Pipeline,
                    _ => DeclKeyword::Let,
                };
                Item {
                    kind: ItemKind::Decl {
                        keyword,
                        keyword_span,
                        name,
                        value,
                    },
                    span: e.span(),
                }
            },
        )
}

fn def_item<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, Item> {
    let params = located(
        list(cx, ListKind::Params, def_param(cx, expr.clone()))
            .map(|params| params.into_iter().flatten().collect::<Vec<_>>())
            .labelled(Expect::DefParams),
    )
    .recover_with(via_parser(empty().to(Vec::new())));
    item_keyword(cx, |k| k == Keyword::Def)
        .ignore_then(name(cx, Role::Name))
        .then(params)
        .then(value_after_eq(cx, expr))
        .validate(move |((name, params), (eq_missing, body)), e, emitter| {
            if let Some(err) = missing_eq(cx, eq_missing, || format!("def {}(…)", name.name)) {
                emitter.emit(err);
            }
            Item {
                kind: ItemKind::Def { name, params, body },
                span: e.span(),
            }
        })
}

fn report_item<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, Item> {
    item_keyword(cx, |k| k == Keyword::Report)
        .ignore_then(expr)
        .map_with(|value, e| Item {
            kind: ItemKind::Report { value },
            span: e.span(),
        })
}

/// `plot expr to expr` or `save expr to expr`.
fn plot_or_save<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
    kw: Keyword,
) -> impl Syn<'a, E, Item> {
    let to = located(
        just(Token::Keyword(Keyword::To))
            .ignore_then(expr.clone())
            .labelled(Expect::To(kw)),
    )
    .recover_with(via_parser(missing_expr(cx)));
    item_keyword(cx, move |k| k == kw)
        .ignore_then(expr)
        .then(to)
        .map_with(move |(value, to), e| Item {
            kind: if kw == Keyword::Plot {
                ItemKind::Plot { value, to }
            } else {
                ItemKind::Save { value, to }
            },
            span: e.span(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lexer::lex;

    /// Every file of the repository's corpora (valid scripts, the error
    /// corpus, the examples, the standard library) and every prefix of a
    /// few of them: the quiet pass finds an error exactly when the wording
    /// pass does, and where it finds none it builds the same tree. (The
    /// error type never steers the grammar; this holds it to that.)
    #[test]
    fn the_quiet_pass_agrees_with_the_wording_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["tests/syntax", "tests/errors", "examples", "stdlib"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "opt"))
                .collect();
            paths.sort();
            texts.extend(paths.iter().map(|p| std::fs::read_to_string(p).unwrap()));
        }
        let prefixes: Vec<String> = texts
            .iter()
            .step_by(7)
            .flat_map(|text| {
                let cuts = text.char_indices().map(|(i, _)| i).step_by(5);
                cuts.map(|i| text[..i].to_string()).collect::<Vec<_>>()
            })
            .collect();
        texts.extend(prefixes);
        let (mut valid, mut invalid) = (0, 0);
        for text in &texts {
            let src = SourceId(0);
            let (tokens, _) = lex(src, text);
            if scan::too_deep(&tokens).is_some() {
                continue;
            }
            let cx = Cx {
                src,
                text,
                tokens: &tokens,
            };
            let eof = Span::new(src, text.len()..text.len());
            for repl in [false, true] {
                let quiet = program::<EmptyErr>(&cx, repl).parse(cx.tokens.split_token_span(eof));
                let full = program::<SyntaxError>(&cx, repl).parse(cx.tokens.split_token_span(eof));
                assert_eq!(quiet.has_errors(), full.has_errors(), "{text}");
                if !full.has_errors() {
                    assert_eq!(quiet.output(), full.output(), "{text}");
                    valid += 1;
                } else {
                    invalid += 1;
                }
            }
        }
        assert!(
            valid > 100 && invalid > 100,
            "{valid} valid, {invalid} invalid"
        );
    }
}
