//! Expressions, names and brackets: a chumsky `pratt` parser over atoms,
//! and the bracket-level recovery that lists, groups and indexes share.
//!
//! Every parser here is total once it has started: where something is
//! missing, a `via_parser` recovery inserts a placeholder
//! ([`ExprKind::Error`], an empty name) and chumsky's error is emitted; where
//! something is in the way inside brackets, a recovery skips it, stepping
//! over nested brackets whole (as `nested_delimiters` does), up to the next
//! `,`, the closer, or a point where the bracket is unclosed (the end of the
//! input, a new item, or the closer of an enclosing bracket).

use super::errors::{can_start_expr, Expect, Failure, Kind, ListKind, Role};
use super::scan::{Bracket, Cx, Nest};
use super::{Extra, Tokens};
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::lexer::{Keyword, Token};
use crate::syntax::precedence::{NEG, PIPE, POSTFIX, POWER, PRODUCT, SUM};
use chumsky::input::{InputRef, MapExtra};
use chumsky::pratt::{infix, left, postfix, prefix, right};
use chumsky::prelude::*;

/// The parsers of this module: clonable, living as long as the input.
/// `E` is the error type: the wording one, or the quiet one of the first pass.
pub(super) trait Syn<'a, E: Failure<'a>, O>:
    Parser<'a, Tokens<'a>, O, Extra<E>> + Clone + 'a
{
}
impl<'a, E: Failure<'a>, O, T: Parser<'a, Tokens<'a>, O, Extra<E>> + Clone + 'a> Syn<'a, E, O>
    for T
{
}

pub(super) type Boxed<'a, E, O> = chumsky::Boxed<'a, 'a, Tokens<'a>, O, Extra<E>>;

/// The index of the next token.
fn here<'a, E: Failure<'a>>(inp: &mut InputRef<'a, '_, Tokens<'a>, Extra<E>>) -> usize {
    inp.cursor().inner().0
}

/// Succeeds, consuming nothing, when `test` holds at the next token inside
/// the current brackets; yields where. A failure adds nothing to what is
/// expected there.
pub(super) fn check<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    test: impl Fn(&Cx<'a>, usize, Nest) -> bool + Clone + 'a,
) -> impl Syn<'a, E, (usize, Nest)> {
    custom(move |inp| {
        let (i, nest) = (here(inp), *inp.ctx());
        if test(cx, i, nest) {
            Ok((i, nest))
        } else {
            Err(E::nothing(cx, i))
        }
    })
}

/// [`check`], yielding the index of the next token.
pub(super) fn when<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    test: impl Fn(&Cx<'a>, usize, Nest) -> bool + Clone + 'a,
) -> impl Syn<'a, E, usize> {
    check(cx, test).map(|(i, _)| i)
}

/// The index of the next token, consuming nothing.
pub(super) fn position<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, usize> {
    when(cx, |_, _, _| true)
}

/// Marks the errors of `parser` with the brackets it runs inside, for
/// their wording.
pub(super) fn located<'a, E: Failure<'a>, O>(parser: impl Syn<'a, E, O>) -> impl Syn<'a, E, O> {
    parser.map_err_with(|err: E, e| err.within(*e.ctx()))
}

/// Runs `inner` inside one more bracket holding `kind`, after its opener.
fn bracketed<'a, E: Failure<'a>, O>(
    opener: Token,
    closer: &'static Token,
    kind: Bracket,
    inner: impl Syn<'a, E, O>,
) -> impl Syn<'a, E, O> {
    just(opener)
        .map_with(move |_, e: &mut MapExtra<'a, '_, Tokens<'a>, Extra<E>>| {
            e.ctx().push(closer, kind)
        })
        .ignore_with_ctx(inner)
}

/// An empty expression where one is missing: the recovery of every operand.
pub(super) fn missing_expr<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, Expr> {
    position(cx).map(move |i| Expr {
        kind: ExprKind::Error,
        span: cx.gap_before(i),
    })
}

fn missing_name<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, Ident> {
    position(cx).map(move |i| Ident {
        name: String::new(),
        span: cx.gap_before(i),
    })
}

pub(super) fn ident<'a, E: Failure<'a>>() -> impl Syn<'a, E, Ident> {
    select_ref! { Token::Ident(name) => name.clone() }.map_with(|name, e| Ident {
        name,
        span: e.span(),
    })
}

/// A keyword where a name belongs, when `allowed` says so: taken as the
/// name, after saying that it cannot be one (E0007).
fn keyword_as_name<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    role: Role,
    allowed: impl Fn(&Cx<'a>, usize, Nest) -> bool + Clone + 'a,
) -> impl Syn<'a, E, Ident> {
    when(cx, move |cx, i, nest| {
        matches!(cx.token(i), Some(Token::Keyword(_))) && allowed(cx, i, nest)
    })
    .ignore_then(select_ref! { Token::Keyword(k) => *k })
    .validate(move |k, e, emitter| {
        let span: Span = e.span();
        let word = k.as_str();
        let role = role.describe();
        emitter.emit(E::report(
            Diagnostic::error(
                "E0007",
                format!("`{word}` is a keyword and cannot be used as {role}"),
            )
            .with_primary(span, "reserved keyword")
            .with_hint(format!(
                "choose another name, such as `{word}_` or `my_{word}`"
            )),
            Kind::Plain,
        ));
        Ident {
            name: word.to_string(),
            span,
        }
    })
}

/// A keyword is taken for a misspelt name unless it starts the next item
/// (and even then when a name's `=`, `(` or `.` follows it).
fn keyword_may_be_name(cx: &Cx, i: usize, nest: Nest) -> bool {
    !cx.starts_item(i, nest)
        || matches!(
            cx.token(i + 1),
            Some(Token::Eq | Token::LParen | Token::Dot)
        )
}

/// A name where one is required; when it is missing, an empty one takes
/// its place.
pub(super) fn name<'a, E: Failure<'a>>(cx: &'a Cx<'a>, role: Role) -> impl Syn<'a, E, Ident> {
    located(
        choice((ident(), keyword_as_name(cx, role, keyword_may_be_name)))
            .labelled(Expect::Name(role)),
    )
    .recover_with(via_parser(missing_name(cx)))
}

/// A parameter of a `def`: a keyword may be its name (reported) unless it
/// starts the next item; a missing one leaves no parameter behind.
pub(super) fn def_param<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    expr: impl Syn<'a, E, Expr>,
) -> impl Syn<'a, E, Option<DefParam>> {
    let keyword = keyword_as_name(cx, Role::Param, |cx, i, nest| !cx.starts_item(i, nest));
    located(
        choice((ident(), keyword))
            .then(just(Token::Eq).ignore_then(expr).or_not())
            .map(|(name, default)| Some(DefParam { name, default }))
            .labelled(Expect::Name(Role::Param)),
    )
    .recover_with(via_parser(empty().to(None)))
}

const RPAREN: Token = Token::RParen;
const RBRACKET: Token = Token::RBracket;

/// How a bracket ended.
#[derive(Clone, Copy)]
enum Closing {
    Closed,
    /// Unclosed: token `at` ends the bracket (inside `nest`) without closing it.
    Open(usize, Nest),
    /// Something in the way was skipped (and reported) up to a point where
    /// the bracket ends unclosed; one report is enough.
    AfterJunk,
}

/// How an element of a list ended.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Clean,
    /// Junk after it was skipped up to a `,` or the closer.
    Junk,
    /// Junk after it was skipped up to a point where the list ends unclosed.
    JunkToEnd,
}

fn is_bracket(token: Option<&Token>) -> bool {
    matches!(
        token,
        Some(Token::LParen | Token::LBracket | Token::RParen | Token::RBracket)
    )
}

/// A bracketed group skipped whole, whatever it contains; it stops early,
/// unclosed, at a new item or the end of the input.
fn skip_group<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> impl Syn<'a, E, ()> {
    recursive(move |group| {
        let other = when(cx, |cx, i, nest| {
            !cx.at_end(i) && !cx.starts_item(i, nest) && !is_bracket(cx.token(i))
        })
        .ignore_then(any().ignored());
        one_of([Token::LParen, Token::LBracket])
            .ignore_then(choice((group, other)).repeated())
            .then_ignore(one_of([Token::RParen, Token::RBracket]).or_not())
    })
}

/// Skips what is in the way inside a bracket, nested brackets whole, up to
/// (not including) a token for which `stop` holds.
fn skip_until<'a, E: Failure<'a>>(
    cx: &'a Cx<'a>,
    stop: impl Fn(&Cx<'a>, usize, Nest) -> bool + Clone + 'a,
) -> impl Syn<'a, E, ()> {
    let other = when(cx, move |cx, i, nest| {
        !stop(cx, i, nest) && !matches!(cx.token(i), Some(Token::LParen | Token::LBracket))
    })
    .ignore_then(any().ignored());
    choice((skip_group(cx), other)).repeated().at_least(1)
}

/// The closer of a single-expression bracket (`(e)`, `v[e]`), skipping
/// junk before it.
fn close<'a, E: Failure<'a>>(cx: &'a Cx<'a>, closer: &'static Token) -> impl Syn<'a, E, Closing> {
    let unclosed = check(cx, move |cx, i, nest| cx.stops(i, closer, nest))
        .map(|(i, nest)| Closing::Open(i, nest));
    let skip = skip_until(cx, move |cx, i, nest| {
        cx.token(i) == Some(closer) || cx.stops(i, closer, nest)
    });
    located(choice((just(closer.clone()).to(Closing::Closed), unclosed))).recover_with(via_parser(
        skip.ignore_then(
            just(closer.clone())
                .to(Closing::Closed)
                .or(empty().to(Closing::AfterJunk)),
        ),
    ))
}

/// Reports a bracket opened at `open` and not closed where token `at`
/// (inside `nest`) ends it.
fn unclosed<'a, E: Failure<'a>>(
    cx: &Cx,
    open: Span,
    closer: &Token,
    what: &str,
    at: usize,
    nest: Nest,
) -> E {
    let opener = if *closer == Token::RBracket { "[" } else { "(" };
    let label = if cx.at_end(at) {
        format!("expected {what}, found end of input")
    } else {
        format!("expected {what} before {}", cx.found(at))
    };
    E::report(
        Diagnostic::error("E0003", format!("unclosed `{opener}`"))
            .with_primary(cx.blame(at, nest), label)
            .with_secondary(open, format!("this `{opener}` is never closed")),
        Kind::AtToken(at),
    )
}

/// The span of the one-character bracket a parse started with.
fn opener_span(cx: &Cx, whole: Span) -> Span {
    Span::new(cx.src, whole.start..whole.start + 1)
}

/// A bracketed, comma-separated list (trailing comma allowed). Each element
/// is followed by a `,`, the closer, or the point where the list ends
/// unclosed; anything else is reported and skipped.
pub(super) fn list<'a, E: Failure<'a>, T: 'a>(
    cx: &'a Cx<'a>,
    kind: ListKind,
    element: impl Syn<'a, E, T>,
) -> impl Syn<'a, E, Vec<T>> {
    let closer = kind.closer();
    let slot_opens = when(cx, move |cx, i, nest| {
        cx.token(i) != Some(closer) && !cx.stops(i, closer, nest)
    });
    let ends_slot = move |cx: &Cx<'a>, i: usize, nest: Nest| {
        matches!(cx.token(i), Some(Token::Comma))
            || cx.token(i) == Some(closer)
            || cx.stops(i, closer, nest)
    };
    let junk_skipped =
        skip_until(cx, ends_slot).ignore_then(check(cx, |_, _, _| true).map(move |(i, nest)| {
            if cx.stops(i, closer, nest) {
                Slot::JunkToEnd
            } else {
                Slot::Junk
            }
        }));
    let after_element = located(
        when(cx, ends_slot)
            .to(Slot::Clean)
            .labelled(Expect::SepOr(kind)),
    )
    .recover_with(via_parser(junk_skipped));
    let closing = choice((
        just(closer.clone()).to(Closing::Closed),
        check(cx, move |cx, i, nest| cx.stops(i, closer, nest))
            .map(|(i, nest)| Closing::Open(i, nest)),
    ));
    // Each element, how it ended, and the index of the token after it.
    let inside = slot_opens
        .ignore_then(element)
        .then(after_element)
        .then(position(cx))
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .then(closing);
    bracketed(kind.opener(), closer, Bracket::List, inside).validate(
        move |(slots, closing), e, emitter| {
            let last = slots.last().map(|((_, slot), end)| (*slot, *end));
            if let (Closing::Open(at, nest), false) =
                (closing, last.is_some_and(|(s, _)| s == Slot::JunkToEnd))
            {
                let open = opener_span(cx, e.span());
                // Right after the opener or a `,`, another element could come.
                let after_separator =
                    last.is_none_or(|(_, end)| cx.token(end) == Some(&Token::Comma));
                let what = if after_separator {
                    format!("{} or `{closer}`", kind.what())
                } else {
                    format!("`,` or `{closer}`")
                };
                emitter.emit(unclosed(cx, open, closer, &what, at, nest));
            }
            slots.into_iter().map(|((x, _), _)| x).collect()
        },
    )
}

/// One argument of a call: `name=value` or a value.
fn arg<'a, E: Failure<'a>>(cx: &'a Cx<'a>, expr: impl Syn<'a, E, Expr>) -> impl Syn<'a, E, Arg> {
    let named = when(cx, |cx, i, _| {
        matches!(cx.token(i), Some(Token::Ident(_) | Token::Keyword(_)))
            && cx.token(i + 1) == Some(&Token::Eq)
    })
    .ignore_then(name(cx, Role::Arg))
    .then_ignore(just(Token::Eq))
    .then(expr.clone())
    .map_with(|(name, value), e| Arg {
        name: Some(name),
        value,
        span: e.span(),
    });
    // A missing value is an empty argument where the next token starts.
    let positional = expr.map_with(|value, e| {
        let span: Span = e.span();
        Arg {
            name: None,
            value,
            span: Span::new(span.src, span.start..span.end.max(span.start)),
        }
    });
    named.or(positional)
}

/// Reports positional arguments after the first named one: one diagnostic
/// per call, pointing at the first few of them.
fn check_arg_order(args: &[Arg]) -> Option<Diagnostic> {
    let first_named = args.iter().position(|a| a.name.is_some())?;
    let named = &args[first_named];
    let misplaced: Vec<&Arg> = args[first_named..]
        .iter()
        .filter(|a| a.name.is_none())
        .collect();
    let first = misplaced.first()?;
    let name = named.name.as_ref().map_or("", |n| n.name.as_str());
    let mut d = Diagnostic::error("E0005", "positional argument after a named argument")
        .with_primary(first.span, "positional argument")
        .with_secondary(named.span, format!("named argument `{name}` comes first"));
    // A few labels say it; hundreds would bury it (and cost ariadne the
    // square of their number).
    for arg in misplaced[1..].iter().take(4) {
        d = d.with_secondary(arg.span, "another positional argument");
    }
    if misplaced.len() > 5 {
        d = d.with_note(format!(
            "and {} more positional arguments after these",
            misplaced.len() - 5
        ));
    }
    Some(d.with_hint(format!(
        "put positional arguments before `{name}=…`, or give them their names"
    )))
}

/// Whether `to` followed by this token reads as a name used in an
/// expression (`to + 1`) rather than as the `to` of `plot … to "f"`.
fn ends_a_name(token: &Token) -> bool {
    matches!(
        token,
        Token::Pipe
            | Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Caret
            | Token::Comma
            | Token::RParen
            | Token::RBracket
            | Token::Dot
            | Token::LBracket
    ) || matches!(token, Token::Keyword(k) if k.starts_item())
}

/// The span of an operation: from its first operand (even an empty
/// placeholder, or an expression glued after a bad token) to its end.
fn from(first: &Expr, whole: Span) -> Span {
    Span::new(whole.src, first.span.start..whole.end)
}

/// One of two operators of the same precedence, read in one attempt.
fn operator<'a, E: Failure<'a>>(ops: [(Token, BinOp); 2]) -> impl Syn<'a, E, BinOp> {
    let [(a, op_a), (b, op_b)] = ops;
    one_of([a.clone(), b]).map(move |t| if t == a { op_a } else { op_b })
}

fn binary<'a, E: Failure<'a>>(
    lhs: Expr,
    op: BinOp,
    rhs: Expr,
    e: &mut MapExtra<'a, '_, Tokens<'a>, Extra<E>>,
) -> Expr {
    Expr {
        span: from(&lhs, e.span()),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

/// An expression: operators by precedence over postfix chains over atoms.
pub(super) fn expr<'a, E: Failure<'a>>(cx: &'a Cx<'a>) -> Boxed<'a, E, Expr> {
    recursive(move |expr| {
        let literal = select_ref! {
            Token::Int(n) => ExprKind::Int(*n),
            Token::Num(x) => ExprKind::Num(*x),
            Token::Str(s) => ExprKind::Str(s.clone()),
            Token::Keyword(Keyword::True) => ExprKind::Bool(true),
            Token::Keyword(Keyword::False) => ExprKind::Bool(false),
        }
        .map_with(|kind, e| Expr {
            kind,
            span: e.span(),
        });

        let args = list(cx, ListKind::Args, arg(cx, expr.clone())).boxed();
        let checked_args = args.clone().validate(|args, _, emitter| {
            if let Some(d) = check_arg_order(&args) {
                emitter.emit(E::report(d, Kind::Plain));
            }
            args
        });
        let call_or_name = ident()
            .then(checked_args.or_not())
            .map_with(|(callee, args), e| match args {
                Some(args) => Expr {
                    kind: ExprKind::Call { callee, args },
                    span: e.span(),
                },
                None => Expr {
                    span: callee.span,
                    kind: ExprKind::Name(callee),
                },
            });

        let list_expr = list(cx, ListKind::Elements, expr.clone()).map_with(|items, e| Expr {
            kind: ExprKind::List(items),
            span: e.span(),
        });

        // The parentheses belong to the expression they group.
        let group = bracketed(
            Token::LParen,
            &RPAREN,
            Bracket::Group,
            expr.clone().then(close(cx, &RPAREN)),
        )
        .validate(move |(inner, closing), e, emitter| {
            let span: Span = e.span();
            if let Closing::Open(at, nest) = closing {
                let open = opener_span(cx, span);
                emitter.emit(unclosed(cx, open, &RPAREN, "`)`", at, nest));
            }
            Expr { span, ..inner }
        });

        // An item keyword in a name's position inside brackets, or `to`
        // used as a value (`to + 1`).
        let keyword_name = keyword_as_name(cx, Role::Name, |cx, i, nest| match cx.token(i) {
            Some(Token::Keyword(Keyword::To)) => cx.token(i + 1).is_some_and(ends_a_name),
            Some(Token::Keyword(k)) => k.starts_item() && !cx.starts_item(i, nest),
            _ => false,
        })
        .map(|ident| Expr {
            span: ident.span,
            kind: ExprKind::Name(ident),
        });

        let primary = choice((call_or_name, literal, list_expr, group, keyword_name)).boxed();

        // Tokens the lexer rejected (already reported) are an error in
        // themselves; an expression glued right after them (`$sims`) is
        // taken instead, so that the one bad character costs one report.
        let glued = |cx: &Cx, i: usize| i > 0 && cx.span(i).start == cx.span(i - 1).end;
        let bad_tokens = just(Token::Error)
            .then(
                when(cx, move |cx, i, _| {
                    glued(cx, i) && cx.token(i) == Some(&Token::Error)
                })
                .ignore_then(any())
                .repeated(),
            )
            .map_with(|_, e| Expr {
                kind: ExprKind::Error,
                span: e.span(),
            })
            .then(
                when(cx, move |cx, i, _| {
                    glued(cx, i)
                        && cx
                            .token(i)
                            .is_some_and(|t| can_start_expr(t) && *t != Token::Minus)
                })
                .ignore_then(primary.clone())
                .or_not(),
            )
            .map(|(bad, glued)| glued.unwrap_or(bad));

        let atom = located(choice((primary, bad_tokens)).labelled(Expect::Expr))
            .recover_with(via_parser(missing_expr(cx)));

        let index = bracketed(
            Token::LBracket,
            &RBRACKET,
            Bracket::Index,
            expr.clone().then(close(cx, &RBRACKET)),
        )
        .validate(move |(index, closing), e, emitter| {
            if let Closing::Open(at, nest) = closing {
                let open = opener_span(cx, e.span());
                emitter.emit(unclosed(cx, open, &RBRACKET, "`]`", at, nest));
            }
            index
        });
        let field = just(Token::Dot).ignore_then(name(cx, Role::Field));

        atom.pratt((
            postfix(POSTFIX, index, |target: Expr, index, e| Expr {
                span: from(&target, e.span()),
                kind: ExprKind::Index {
                    target: Box::new(target),
                    index: Box::new(index),
                },
            }),
            postfix(POSTFIX, field, |target: Expr, field, e| Expr {
                span: from(&target, e.span()),
                kind: ExprKind::Field {
                    target: Box::new(target),
                    field,
                },
            }),
            // Only a name can be called: `f(1)(2)` and `r.f(x)` are
            // reported, their arguments still checked.
            postfix(POSTFIX, args, |target: Expr, _, e| {
                e.emit(E::report(
                    Diagnostic::error("E0012", "only a name can be called")
                        .with_primary(target.span, "this is not a name")
                        .with_hint("call a builtin or a `def` by its name, as in `f(x)`"),
                    Kind::Plain,
                ));
                Expr {
                    span: from(&target, e.span()),
                    kind: ExprKind::Error,
                }
            }),
            infix(right(POWER), just(Token::Caret).to(BinOp::Pow), binary),
            prefix(NEG, just(Token::Minus), |_, operand, e| Expr {
                kind: ExprKind::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(operand),
                },
                span: e.span(),
            }),
            infix(
                left(PRODUCT),
                operator([(Token::Star, BinOp::Mul), (Token::Slash, BinOp::Div)]),
                binary,
            ),
            infix(
                left(SUM),
                operator([(Token::Plus, BinOp::Add), (Token::Minus, BinOp::Sub)]),
                binary,
            ),
            infix(left(PIPE), just(Token::Pipe), |lhs: Expr, _, rhs, e| Expr {
                span: from(&lhs, e.span()),
                kind: ExprKind::Pipe {
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            }),
        ))
    })
    .boxed()
}
