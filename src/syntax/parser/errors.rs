//! The parser's error type and its translation into [`Diagnostic`]s.
//!
//! Chumsky builds "expected … found …" errors itself, merging everything
//! that was tried at the furthest position reached; the grammar names what
//! it expects with [`Expect`] labels. A recovery strategy emits that error
//! when it steps in. The grammar also emits fully worded reports of its own
//! (E0003, E0005, E0006, E0007, E0011, E0012, and "expected an item").
//!
//! [`finish`] turns both into diagnostics with the same rules the language
//! has always had: one "expected" report per token, none about a token the
//! lexer already reported, no report about the debris that follows an item
//! that already had one, and the wording "expected X after Y, found Z"
//! with a hint where one helps.

use super::scan::{Bracket, Cx, Nest};
use super::Tokens;
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::Program;
use crate::syntax::lexer::{Keyword, Token};
use chumsky::error::{Error, LabelError};
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;
use std::collections::HashSet;

/// What the grammar expects at a point, as a label for chumsky's errors.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Expect {
    Token(Token),
    Expr,
    /// A name, described by its role: "a name", "a field name", …
    Name(&'static str),
    /// A separator or the end of a bracketed list.
    SepOr {
        closer: Token,
        plural: &'static str,
    },
    /// The parameter list of a `def`.
    DefParams,
    /// The `to` clause of `plot` or `save`.
    To(Keyword),
    UsePath,
    /// Chumsky's "something else", "any" or "end of input": never worded.
    Other,
}

/// An error of the grammar: chumsky's, or a report already worded.
#[derive(Clone, Debug)]
pub(super) enum SyntaxError {
    Expected {
        span: Span,
        expected: Vec<Expect>,
        found: Option<Token>,
        /// The brackets the parser was inside where it gave up (which
        /// decides whether the keyword found starts an item).
        nest: Option<Nest>,
    },
    Report(Box<Diagnostic>, Kind),
}

/// How a worded report takes part in the rules of [`finish`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    /// Something expected was not at token `at`: at most one such report
    /// per token (the first).
    AtToken(usize),
    /// Stands on its own.
    Plain,
    /// Text between items that is not an item: not reported after an item
    /// that already had an error, since it is debris of that mistake.
    Junk,
}

impl SyntaxError {
    pub fn report(diagnostic: Diagnostic, kind: Kind) -> Self {
        SyntaxError::Report(Box::new(diagnostic), kind)
    }

    /// A failed lookahead: it adds nothing to what is expected at token `i`.
    pub fn nothing(cx: &Cx, i: usize) -> Self {
        SyntaxError::Expected {
            span: cx.span(i),
            expected: Vec::new(),
            found: cx.token(i).cloned(),
            nest: None,
        }
    }

    /// Records the brackets the parser is inside where this error arose.
    pub fn within(self, nest: Nest) -> Self {
        match self {
            SyntaxError::Expected {
                span,
                expected,
                found,
                ..
            } => SyntaxError::Expected {
                span,
                expected,
                found,
                nest: Some(nest),
            },
            report => report,
        }
    }
}

impl<'a> Error<'a, Tokens<'a>> for SyntaxError {
    fn merge(self, other: Self) -> Self {
        match (self, other) {
            (
                SyntaxError::Expected {
                    span,
                    mut expected,
                    found,
                    nest,
                },
                SyntaxError::Expected {
                    expected: more,
                    found: other_found,
                    nest: other_nest,
                    ..
                },
            ) => {
                for e in more {
                    if !expected.contains(&e) {
                        expected.push(e);
                    }
                }
                SyntaxError::Expected {
                    span,
                    expected,
                    found: found.or(other_found),
                    nest: nest.or(other_nest),
                }
            }
            (report @ SyntaxError::Report(..), _) | (_, report @ SyntaxError::Report(..)) => report,
        }
    }
}

impl<'a> LabelError<'a, Tokens<'a>, DefaultExpected<'a, Token>> for SyntaxError {
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: Span,
    ) -> Self {
        SyntaxError::Expected {
            span,
            expected: expected
                .into_iter()
                .map(|e| match e {
                    DefaultExpected::Token(t) => Expect::Token(t.into_inner()),
                    _ => Expect::Other,
                })
                .collect(),
            found: found.map(MaybeRef::into_inner),
            nest: None,
        }
    }
}

impl<'a> LabelError<'a, Tokens<'a>, Expect> for SyntaxError {
    fn expected_found<E: IntoIterator<Item = Expect>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: Span,
    ) -> Self {
        SyntaxError::Expected {
            span,
            expected: expected.into_iter().collect(),
            found: found.map(MaybeRef::into_inner),
            nest: None,
        }
    }

    fn label_with(&mut self, label: Expect) {
        if let SyntaxError::Expected { expected, .. } = self {
            *expected = vec![label];
        }
    }
}

/// A diagnostic of the parser, with what the rules of [`finish`] need.
pub(super) struct Reported {
    pub diagnostic: Diagnostic,
    /// About the input ending too early.
    pub about_eof: bool,
}

/// The parser's diagnostics, in the order they were emitted.
pub(super) fn finish(cx: &Cx, errors: Vec<SyntaxError>, program: &Program) -> Vec<Reported> {
    let mut reported_at = HashSet::new();
    let mut kept: Vec<(Diagnostic, Kind, bool)> = Vec::new();
    for error in errors {
        let (diagnostic, kind) = match error {
            SyntaxError::Expected {
                span,
                expected,
                found,
                nest,
            } if found != Some(Token::Error) => {
                let at = match found {
                    None => cx.tokens.len(),
                    Some(_) => cx.index_of(span),
                };
                let nest = nest.unwrap_or_default();
                (expected_found(cx, &expected, at, nest), Kind::AtToken(at))
            }
            SyntaxError::Expected { .. } => continue,
            SyntaxError::Report(diagnostic, kind) => (*diagnostic, kind),
        };
        let about_eof = match kind {
            Kind::AtToken(at) if !reported_at.insert(at) => continue,
            Kind::AtToken(at) => cx.at_end(at),
            Kind::Plain | Kind::Junk => false,
        };
        kept.push((diagnostic, kind, about_eof));
    }
    let positions: Vec<(usize, bool)> = kept
        .iter()
        .map(|(d, kind, _)| (start_of(d), *kind == Kind::Junk))
        .collect();
    kept.into_iter()
        .filter(|(d, kind, _)| *kind != Kind::Junk || !after_broken_item(&positions, d, program))
        .map(|(diagnostic, _, about_eof)| Reported {
            diagnostic,
            about_eof,
        })
        .collect()
}

fn start_of(d: &Diagnostic) -> usize {
    d.primary_span().map_or(0, |s| s.start)
}

/// Whether the junk reported by `d` follows an item that had an error.
fn after_broken_item(positions: &[(usize, bool)], d: &Diagnostic, program: &Program) -> bool {
    let junk = start_of(d);
    let Some(item) = program.items.iter().rev().find(|it| it.span.start < junk) else {
        return false;
    };
    positions
        .iter()
        .any(|&(at, is_junk)| !is_junk && at > item.span.start && at <= junk)
}

/// Chumsky's error at token `at`, worded.
fn expected_found(cx: &Cx, expected: &[Expect], at: usize, nest: Nest) -> Diagnostic {
    // What the grammar labelled says it all; bare tokens only matter where
    // nothing was labelled, and then not the operators that could have
    // continued the expression before (tried, and failed, after every one).
    let labelled = expected
        .iter()
        .any(|e| !matches!(e, Expect::Token(_) | Expect::Other));
    let structural = expected
        .iter()
        .any(|e| matches!(e, Expect::Token(t) if !continues_expr(t)));
    let mut wanted: Vec<&Expect> = Vec::new();
    for e in expected {
        let keep = match e {
            Expect::Other => false,
            Expect::Token(_) if labelled => false,
            Expect::Token(t) => !(structural && continues_expr(t)),
            _ => true,
        };
        if keep && !wanted.contains(&e) {
            wanted.push(e);
        }
    }
    let phrases: Vec<String> = wanted.iter().map(|e| phrase(cx, e, at)).collect();
    let mut what = match phrases.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    if let [Expect::Expr | Expect::Name(_)] = wanted.as_slice() {
        what.push_str(&after(cx, at, nest));
    }
    let found = cx.found(at);
    let d = Diagnostic::error("E0002", format!("expected {what}, found {found}"))
        .with_primary(cx.blame(at, nest), format!("expected {what}"));
    match wanted.iter().find_map(|e| hint(cx, e, at)) {
        Some(h) => d.with_hint(h),
        None if cx.starts_item(at, nest) => d.with_hint(format!(
            "{found} starts a new item, so the one before it is unfinished"
        )),
        None => d,
    }
}

/// Tokens that could continue the expression before them.
fn continues_expr(token: &Token) -> bool {
    matches!(
        token,
        Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Caret
            | Token::Pipe
            | Token::LParen
            | Token::LBracket
            | Token::Dot
    )
}

fn phrase(cx: &Cx, e: &Expect, at: usize) -> String {
    match e {
        Expect::Token(t) => format!("`{t}`"),
        Expect::Expr => "an expression".to_string(),
        Expect::Name(role) => role.to_string(),
        Expect::SepOr { closer, .. } => format!("`,` or `{closer}`"),
        Expect::DefParams => format!("`(` and the parameters of `{}`", name_before(cx, at)),
        Expect::To(_) => "`to` and a file name".to_string(),
        Expect::UsePath => "a module path (like `std.games`) or a quoted file path".to_string(),
        Expect::Other => "something else".to_string(),
    }
}

/// The name just before token `at` (a `def`'s name, before its parameters).
fn name_before(cx: &Cx, at: usize) -> String {
    match at.checked_sub(1).and_then(|i| cx.token(i)) {
        Some(Token::Ident(name)) => name.clone(),
        Some(Token::Keyword(k)) => k.as_str().to_string(),
        _ => "…".to_string(),
    }
}

fn hint(cx: &Cx, e: &Expect, at: usize) -> Option<String> {
    Some(match e {
        Expect::SepOr { plural, .. } if cx.token(at).is_some_and(can_start_expr) => {
            format!("separate the {plural} with `,`")
        }
        Expect::To(kw) => {
            let example = if *kw == Keyword::Plot {
                "f.svg"
            } else {
                "model.safetensors"
            };
            format!("write `{} … to \"{example}\"`", kw.as_str())
        }
        Expect::DefParams => {
            let name = name_before(cx, at);
            format!("a `def` takes a parameter list, even an empty one: `def {name}() = …`")
        }
        Expect::UsePath => "write `use std.games` or `use \"lib/mine.opt\"`".to_string(),
        Expect::Name("a field name") if matches!(cx.token(at), Some(Token::Int(_))) => {
            "fields have names, as in `r.score`; to take an element, write `v[0]`".to_string()
        }
        _ => return None,
    })
}

/// What the missing expression or name would have followed, for messages:
/// " after `+`", " after `k=`"; nothing after the `(` or `,` of a list.
fn after(cx: &Cx, at: usize, nest: Nest) -> String {
    let back = |n: usize| at.checked_sub(n).and_then(|i| cx.token(i));
    match back(1) {
        Some(Token::Eq) => match (back(2), back(3)) {
            (Some(Token::Ident(_) | Token::Keyword(_)), Some(Token::LParen | Token::Comma))
                if nest.innermost == Bracket::List =>
            {
                format!(" after `{}=`", name_before(cx, at - 1))
            }
            _ => " after `=`".to_string(),
        },
        Some(
            t @ (Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Caret
            | Token::Pipe
            | Token::Dot
            | Token::Keyword(_)),
        ) => format!(" after `{t}`"),
        Some(Token::LParen) if nest.innermost == Bracket::Group => " after `(`".to_string(),
        Some(Token::LBracket) if nest.innermost == Bracket::Index => " after `[`".to_string(),
        _ => String::new(),
    }
}

/// Whether an expression can start with this token.
pub(super) fn can_start_expr(token: &Token) -> bool {
    matches!(
        token,
        Token::Int(_)
            | Token::Num(_)
            | Token::Str(_)
            | Token::Ident(_)
            | Token::Keyword(Keyword::True | Keyword::False)
            | Token::LParen
            | Token::LBracket
            | Token::Minus
            | Token::Error
    )
}
