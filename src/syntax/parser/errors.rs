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
use chumsky::error::{EmptyErr, Error, LabelError};
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;
use std::collections::HashSet;

/// A name's role, as messages call it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Role {
    Name,
    Param,
    Module,
    Field,
    Arg,
}

impl Role {
    pub fn describe(self) -> &'static str {
        match self {
            Role::Name => "a name",
            Role::Param => "a parameter name",
            Role::Module => "a module name",
            Role::Field => "a field name",
            Role::Arg => "an argument name",
        }
    }
}

/// A comma-separated list in brackets, as messages call it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum ListKind {
    Args,
    Params,
    Elements,
}

impl ListKind {
    pub fn opener(self) -> Token {
        match self {
            ListKind::Elements => Token::LBracket,
            _ => Token::LParen,
        }
    }

    pub fn closer(self) -> &'static Token {
        match self {
            ListKind::Elements => &Token::RBracket,
            _ => &Token::RParen,
        }
    }

    /// One element: "an argument".
    pub fn what(self) -> &'static str {
        match self {
            ListKind::Args => "an argument",
            ListKind::Params => "a parameter",
            ListKind::Elements => "a list element",
        }
    }

    /// Several: "arguments".
    pub fn plural(self) -> &'static str {
        match self {
            ListKind::Args => "arguments",
            ListKind::Params => "parameters",
            ListKind::Elements => "elements",
        }
    }
}

/// What the grammar expects at a point: a label it gives chumsky, or a
/// token it looks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Expect {
    Expr,
    Name(Role),
    /// A `,` or the closer of a list.
    SepOr(ListKind),
    /// The parameter list of a `def`.
    DefParams,
    /// The `to` clause of `plot` or `save`.
    To(Keyword),
    UsePath,
    /// One of [`SYMBOLS`].
    Symbol(u8),
}

/// The tokens the grammar looks for one by one.
const SYMBOLS: [Token; 14] = [
    Token::LParen,
    Token::RParen,
    Token::LBracket,
    Token::RBracket,
    Token::Comma,
    Token::Dot,
    Token::Eq,
    Token::Plus,
    Token::Minus,
    Token::Star,
    Token::Slash,
    Token::Caret,
    Token::Pipe,
    Token::Keyword(Keyword::To),
];

/// Bits of an [`Expected`] set at and above this one are symbols.
const FIRST_SYMBOL: u32 = 16;

impl Expect {
    fn bit(self) -> u32 {
        match self {
            Expect::Expr => 0,
            Expect::Name(role) => 1 + role as u32,
            Expect::SepOr(list) => 6 + list as u32,
            Expect::DefParams => 9,
            Expect::To(Keyword::Plot) => 10,
            Expect::To(_) => 11,
            Expect::UsePath => 12,
            Expect::Symbol(i) => FIRST_SYMBOL + u32::from(i),
        }
    }

    fn from_bit(bit: u32) -> Option<Expect> {
        const ROLES: [Role; 5] = [
            Role::Name,
            Role::Param,
            Role::Module,
            Role::Field,
            Role::Arg,
        ];
        const LISTS: [ListKind; 3] = [ListKind::Args, ListKind::Params, ListKind::Elements];
        Some(match bit {
            0 => Expect::Expr,
            1..=5 => Expect::Name(ROLES[bit as usize - 1]),
            6..=8 => Expect::SepOr(LISTS[bit as usize - 6]),
            9 => Expect::DefParams,
            10 => Expect::To(Keyword::Plot),
            11 => Expect::To(Keyword::Save),
            12 => Expect::UsePath,
            _ if bit >= FIRST_SYMBOL && ((bit - FIRST_SYMBOL) as usize) < SYMBOLS.len() => {
                Expect::Symbol((bit - FIRST_SYMBOL) as u8)
            }
            _ => return None,
        })
    }

    /// The [`SYMBOLS`] entry of a token (a match, not a search: this runs
    /// at every failed attempt).
    fn symbol(token: &Token) -> Option<Expect> {
        let i = match token {
            Token::LParen => 0,
            Token::RParen => 1,
            Token::LBracket => 2,
            Token::RBracket => 3,
            Token::Comma => 4,
            Token::Dot => 5,
            Token::Eq => 6,
            Token::Plus => 7,
            Token::Minus => 8,
            Token::Star => 9,
            Token::Slash => 10,
            Token::Caret => 11,
            Token::Pipe => 12,
            Token::Keyword(Keyword::To) => 13,
            _ => return None,
        };
        Some(Expect::Symbol(i))
    }
}

/// A set of [`Expect`]s: chumsky builds and merges one at every failed
/// attempt, so it must cost nothing to make.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Expected(u64);

impl Expected {
    fn of(e: Expect) -> Self {
        Expected(1 << e.bit())
    }

    fn iter(self) -> impl Iterator<Item = Expect> {
        (0..64)
            .filter(move |b| self.0 >> b & 1 == 1)
            .filter_map(Expect::from_bit)
    }
}

/// An error of the grammar: chumsky's, or a report already worded.
#[derive(Clone, Debug)]
pub(super) enum SyntaxError {
    Expected {
        /// Where the token found starts (the end of the input when `at_end`).
        offset: usize,
        at_end: bool,
        expected: Expected,
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
            offset: cx.span(i).start,
            at_end: cx.at_end(i),
            expected: Expected::default(),
            nest: None,
        }
    }

    /// Records the brackets the parser is inside where this error arose.
    pub fn within(self, inside: Nest) -> Self {
        match self {
            SyntaxError::Expected {
                offset,
                at_end,
                expected,
                nest,
            } => SyntaxError::Expected {
                offset,
                at_end,
                expected,
                nest: nest.or(Some(inside)),
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
                    offset,
                    at_end,
                    expected,
                    nest,
                },
                SyntaxError::Expected {
                    expected: more,
                    nest: other_nest,
                    ..
                },
            ) => SyntaxError::Expected {
                offset,
                at_end,
                expected: Expected(expected.0 | more.0),
                nest: nest.or(other_nest),
            },
            (report @ SyntaxError::Report(..), _) | (_, report @ SyntaxError::Report(..)) => report,
        }
    }
}

impl Expected {
    fn of_tokens<'a>(expected: impl IntoIterator<Item = DefaultExpected<'a, Token>>) -> Self {
        expected
            .into_iter()
            .fold(Expected::default(), |set, e| match e {
                DefaultExpected::Token(t) => match Expect::symbol(&t) {
                    Some(symbol) => Expected(set.0 | Expected::of(symbol).0),
                    None => set,
                },
                _ => set,
            })
    }
}

impl<'a> LabelError<'a, Tokens<'a>, DefaultExpected<'a, Token>> for SyntaxError {
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: Span,
    ) -> Self {
        SyntaxError::Expected {
            offset: span.start,
            at_end: found.is_none(),
            expected: Expected::of_tokens(expected),
            nest: None,
        }
    }

    // Called at every failed attempt where one failed before: add in place.
    fn merge_expected_found<E: IntoIterator<Item = DefaultExpected<'a, Token>>>(
        mut self,
        expected: E,
        _found: Option<MaybeRef<'a, Token>>,
        _span: Span,
    ) -> Self {
        if let SyntaxError::Expected { expected: set, .. } = &mut self {
            set.0 |= Expected::of_tokens(expected).0;
        }
        self
    }
}

impl<'a> LabelError<'a, Tokens<'a>, Expect> for SyntaxError {
    fn expected_found<E: IntoIterator<Item = Expect>>(
        expected: E,
        found: Option<MaybeRef<'a, Token>>,
        span: Span,
    ) -> Self {
        SyntaxError::Expected {
            offset: span.start,
            at_end: found.is_none(),
            expected: expected.into_iter().fold(Expected::default(), |set, e| {
                Expected(set.0 | Expected::of(e).0)
            }),
            nest: None,
        }
    }

    fn label_with(&mut self, label: Expect) {
        if let SyntaxError::Expected { expected, .. } = self {
            *expected = Expected::of(label);
        }
    }
}

/// What the grammar asks of its error type. The grammar runs twice at most:
/// first with chumsky's zero-sized [`EmptyErr`], which makes every failed
/// alternative free (a valid file, the usual case, is parsed by that pass
/// alone); only when that pass found an error does the grammar run again
/// with [`SyntaxError`], which remembers what was expected where and words
/// the diagnostics. The error type never steers the grammar, so both passes
/// take the same path and build the same tree.
pub(super) trait Failure<'a>:
    Error<'a, Tokens<'a>>
    + LabelError<'a, Tokens<'a>, DefaultExpected<'a, Token>>
    + LabelError<'a, Tokens<'a>, Expect>
    + 'a
{
    /// A worded report of the grammar's own.
    fn report(diagnostic: Diagnostic, kind: Kind) -> Self;
    /// A failed lookahead at token `i`.
    fn nothing(cx: &Cx, i: usize) -> Self;
    /// Records the brackets the parser is inside where this error arose.
    fn within(self, inside: Nest) -> Self;
}

impl<'a> Failure<'a> for SyntaxError {
    fn report(diagnostic: Diagnostic, kind: Kind) -> Self {
        SyntaxError::report(diagnostic, kind)
    }
    fn nothing(cx: &Cx, i: usize) -> Self {
        SyntaxError::nothing(cx, i)
    }
    fn within(self, inside: Nest) -> Self {
        SyntaxError::within(self, inside)
    }
}

impl<'a> Failure<'a> for EmptyErr {
    fn report(_: Diagnostic, _: Kind) -> Self {
        EmptyErr::default()
    }
    fn nothing(_: &Cx, _: usize) -> Self {
        EmptyErr::default()
    }
    fn within(self, _: Nest) -> Self {
        self
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
                offset,
                at_end,
                expected,
                nest,
            } => {
                let at = if at_end {
                    cx.tokens.len()
                } else {
                    cx.index_at(offset)
                };
                if cx.token(at) == Some(&Token::Error) {
                    continue;
                }
                let nest = nest.unwrap_or_default();
                (expected_found(cx, expected, at, nest), Kind::AtToken(at))
            }
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
fn expected_found(cx: &Cx, expected: Expected, at: usize, nest: Nest) -> Diagnostic {
    // What the grammar labelled says it all; bare tokens only matter where
    // nothing was labelled, and then not the operators that could have
    // continued the expression before (tried, and failed, after every one).
    let is_symbol = |e: &Expect| matches!(e, Expect::Symbol(_));
    let labelled = expected.iter().any(|e| !is_symbol(&e));
    let structural = expected.iter().any(|e| is_symbol(&e) && !continues_expr(e));
    let wanted: Vec<Expect> = expected
        .iter()
        .filter(|e| {
            if labelled {
                !is_symbol(e)
            } else {
                !(structural && continues_expr(*e))
            }
        })
        .collect();
    let phrases: Vec<String> = wanted.iter().map(|e| phrase(cx, *e, at)).collect();
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
    match wanted.iter().find_map(|e| hint(cx, *e, at)) {
        Some(h) => d.with_hint(h),
        None if cx.starts_item(at, nest) => d.with_hint(format!(
            "{found} starts a new item, so the one before it is unfinished"
        )),
        None => d,
    }
}

/// Tokens that could continue the expression before them.
fn continues_expr(e: Expect) -> bool {
    matches!(
        e,
        Expect::Symbol(i) if matches!(
            SYMBOLS[usize::from(i)],
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
    )
}

fn phrase(cx: &Cx, e: Expect, at: usize) -> String {
    match e {
        Expect::Symbol(i) => format!("`{}`", SYMBOLS[usize::from(i)]),
        Expect::Expr => "an expression".to_string(),
        Expect::Name(role) => role.describe().to_string(),
        Expect::SepOr(list) => format!("`,` or `{}`", list.closer()),
        Expect::DefParams => format!("`(` and the parameters of `{}`", name_before(cx, at)),
        Expect::To(_) => "`to` and a file name".to_string(),
        Expect::UsePath => "a module path (like `std.games`) or a quoted file path".to_string(),
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

fn hint(cx: &Cx, e: Expect, at: usize) -> Option<String> {
    Some(match e {
        Expect::SepOr(list) if cx.token(at).is_some_and(can_start_expr) => {
            format!("separate the {} with `,`", list.plural())
        }
        Expect::To(kw) => {
            let example = if kw == Keyword::Plot {
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
        Expect::Name(Role::Field) if matches!(cx.token(at), Some(Token::Int(_))) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_maps_to_its_own_entry() {
        for (i, token) in SYMBOLS.iter().enumerate() {
            let symbol = Expect::symbol(token);
            assert_eq!(symbol, Some(Expect::Symbol(i as u8)), "{token}");
            assert_eq!(Expect::from_bit(Expect::Symbol(i as u8).bit()), symbol);
        }
        assert_eq!(Expect::symbol(&Token::Ident("x".into())), None);
    }

    #[test]
    fn every_label_survives_the_bit_set() {
        let labels = [
            Expect::Expr,
            Expect::Name(Role::Name),
            Expect::Name(Role::Arg),
            Expect::SepOr(ListKind::Args),
            Expect::SepOr(ListKind::Elements),
            Expect::DefParams,
            Expect::To(Keyword::Plot),
            Expect::To(Keyword::Save),
            Expect::UsePath,
        ];
        for label in labels {
            assert_eq!(Expected::of(label).iter().collect::<Vec<_>>(), [label]);
        }
    }
}
