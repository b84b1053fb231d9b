//! The lexer: source text to tokens with spans, written with chumsky over
//! the characters of the source.
//!
//! It never stops at a bad character: whatever it cannot make sense of
//! becomes one [`Token::Error`] (already reported), so the parser can keep
//! going and stay quiet about it instead of piling a second error on top.
//! The grammar below is total (its last alternative takes any character),
//! so lexing itself never fails, and it uses chumsky's zero-sized error
//! type (the fast path: a failed alternative costs nothing); the problems
//! it finds are collected, worded, in the parser's state as the tokens are
//! built.
//!
//! Numbers: digits alone are an [`Token::Int`]; a fraction (`0.5`) or an
//! exponent (`1e-3`, `2E8`) makes a [`Token::Num`]. A fraction needs digits on
//! both sides of the point, so `2.` and `.5` are errors that suggest `2.0`
//! and `0.5`. A `.` glued to a name or a closing bracket is field access
//! (`r.0` is then a field access with a bad field name, for the parser to
//! report). Strings are written in double quotes with the escapes
//! `\" \\ \n \t`; they may not span lines, so an unterminated string ends at
//! its line and the rest of the file still parses.

use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};
use chumsky::extra::SimpleState;
use chumsky::input::MapExtra;
use chumsky::prelude::*;
use std::fmt;

/// The reserved words. None of them can be used as a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Use,
    Param,
    Let,
    Objective,
    Dataset,
    Model,
    Pipeline,
    Def,
    Report,
    Plot,
    Save,
    To,
    True,
    False,
}

impl Keyword {
    pub const ALL: [Keyword; 14] = [
        Keyword::Use,
        Keyword::Param,
        Keyword::Let,
        Keyword::Objective,
        Keyword::Dataset,
        Keyword::Model,
        Keyword::Pipeline,
        Keyword::Def,
        Keyword::Report,
        Keyword::Plot,
        Keyword::Save,
        Keyword::To,
        Keyword::True,
        Keyword::False,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Use => "use",
            Keyword::Param => "param",
            Keyword::Let => "let",
            Keyword::Objective => "objective",
            Keyword::Dataset => "dataset",
            Keyword::Model => "model",
            Keyword::Pipeline => "pipeline",
            Keyword::Def => "def",
            Keyword::Report => "report",
            Keyword::Plot => "plot",
            Keyword::Save => "save",
            Keyword::To => "to",
            Keyword::True => "true",
            Keyword::False => "false",
        }
    }

    pub fn from_word(word: &str) -> Option<Keyword> {
        Keyword::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// Whether an item starts with this keyword (the parser resynchronizes
    /// on these after an error).
    pub fn starts_item(self) -> bool {
        !matches!(self, Keyword::To | Keyword::True | Keyword::False)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Int(i64),
    Num(f64),
    /// The string's value, escapes already resolved.
    Str(String),
    Ident(String),
    Keyword(Keyword),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    /// `|>`
    Pipe,
    /// Text the lexer could not read; it has already reported why.
    Error,
}

impl Token {
    /// How a message refers to this token: "`)`", "keyword `let`", "the string \"a\"".
    pub fn describe(&self) -> String {
        match self {
            Token::Int(_) | Token::Num(_) => format!("the number `{self}`"),
            Token::Str(s) => format!("the string {s:?}"),
            Token::Ident(name) => format!("`{name}`"),
            Token::Keyword(k) => format!("keyword `{}`", k.as_str()),
            Token::Error => "an invalid token".to_string(),
            _ => format!("`{self}`"),
        }
    }
}

impl fmt::Display for Token {
    /// The token as it would be written in source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Int(n) => write!(f, "{n}"),
            Token::Num(x) => write!(f, "{x:?}"),
            Token::Str(s) => write!(f, "{s:?}"),
            Token::Ident(name) => write!(f, "{name}"),
            Token::Keyword(k) => write!(f, "{}", k.as_str()),
            Token::LParen => write!(f, "("),
            Token::RParen => write!(f, ")"),
            Token::LBracket => write!(f, "["),
            Token::RBracket => write!(f, "]"),
            Token::Comma => write!(f, ","),
            Token::Dot => write!(f, "."),
            Token::Eq => write!(f, "="),
            Token::Plus => write!(f, "+"),
            Token::Minus => write!(f, "-"),
            Token::Star => write!(f, "*"),
            Token::Slash => write!(f, "/"),
            Token::Caret => write!(f, "^"),
            Token::Pipe => write!(f, "|>"),
            Token::Error => write!(f, "<error>"),
        }
    }
}

/// Splits `text` into tokens. Comments and whitespace are dropped; every
/// problem is reported and lexing carries on after it.
pub fn lex(src: SourceId, text: &str) -> (Vec<(Token, Span)>, Vec<Diagnostic>) {
    let mut problems = SimpleState(Vec::new());
    let tokens = lexer(src, text.len())
        .parse_with_state(text, &mut problems)
        .into_output()
        .unwrap_or_default();
    (tokens, problems.0)
}

/// The problems found so far ride in the parser's state. The lexer never
/// backtracks over a token it has built, so none is reported twice.
type Extra = extra::Full<EmptyErr, SimpleState<Vec<Diagnostic>>, ()>;

/// What one step of the lexer reads: a token, or a token with a glued `.`
/// (a name or closing bracket before a field access). Whitespace and
/// comments are skipped between steps.
#[derive(Clone)]
enum Lexeme {
    One(Token, Span),
    WithDot(Token, Span, Span),
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Characters that may begin a token; a run of anything else is one bad token.
fn starts_token(c: char) -> bool {
    is_ident_char(c) || c.is_whitespace() || "#\"()[],.=+-*/^|".contains(c)
}

fn lexer<'a>(
    src: SourceId,
    text_len: usize,
) -> impl Parser<'a, &'a str, Vec<(Token, Span)>, Extra> {
    let span = move |s: SimpleSpan| Span::new(src, s.start..s.end);

    let trivia = choice((
        any()
            .filter(|c: &char| c.is_whitespace())
            .repeated()
            .at_least(1),
        just('#')
            .then(any().and_is(just('\n').not()).repeated())
            .ignored(),
    ))
    .repeated();

    // A `.` right after a name or a closing bracket is field access, never
    // the start of a number: `r.5` is `r`, `.`, `5` (while `model.5`, after
    // a keyword, is a malformed `.5`). Only a digit after the `.` makes the
    // difference, so the usual case reads the word once.
    let word = any()
        .filter(|c: &char| is_ident_start(*c))
        .then(any().filter(|c: &char| is_ident_char(*c)).repeated())
        .to_slice();
    let dot_digit = just('.').then(any().filter(char::is_ascii_digit)).rewind();
    let plain_word = word
        .then_ignore(dot_digit.not())
        .map_with(move |w: &str, e| {
            let token =
                Keyword::from_word(w).map_or_else(|| Token::Ident(w.to_string()), Token::Keyword);
            Lexeme::One(token, span(e.span()))
        });
    let name_then_dot = word
        .filter(|w: &&str| Keyword::from_word(w).is_none())
        .map_with(move |w: &str, e| (Token::Ident(w.to_string()), span(e.span())))
        .then(just('.').map_with(move |_, e| span(e.span())))
        .map(|((token, at), dot)| Lexeme::WithDot(token, at, dot));
    let keyword = word
        .filter_map(Keyword::from_word)
        .map_with(move |k, e| Lexeme::One(Token::Keyword(k), span(e.span())));

    let closer = choice((just(')').to(Token::RParen), just(']').to(Token::RBracket)))
        .map_with(move |t, e| (t, span(e.span())))
        .then(just('.').map_with(move |_, e| span(e.span())).or_not())
        .map(|((token, at), dot)| match dot {
            Some(dot) => Lexeme::WithDot(token, at, dot),
            None => Lexeme::One(token, at),
        });

    // One character decides the token: a single step, not one attempt each.
    let punctuation = choice((
        just("|>").to(Token::Pipe),
        select! {
            '(' => Token::LParen,
            '[' => Token::LBracket,
            ',' => Token::Comma,
            '=' => Token::Eq,
            '+' => Token::Plus,
            '-' => Token::Minus,
            '*' => Token::Star,
            '/' => Token::Slash,
            '^' => Token::Caret,
        },
    ))
    .map_with(move |t, e| Lexeme::One(t, span(e.span())));
    let dot = just('.').map_with(move |_, e| Lexeme::One(Token::Dot, span(e.span())));

    // Order matters: a number before a lone `.` (`.5` is a malformed
    // number), a plain word before the rarer word forms, and bad characters
    // last, taking whatever nothing else took. The rest start with
    // different characters and come in order of how common they are, since
    // every alternative tried before the right one costs a step.
    let one = |(token, at)| Lexeme::One(token, at);
    // A byte-order mark opens some files saved on Windows: not a token.
    let bom = just('\u{FEFF}').or_not();
    // Room for the tokens of dense code up front (a token every 2 bytes),
    // so the list is not copied as it grows.
    let room = text_len / 2 + 16;
    bom.then(trivia.clone())
        .map(move |_| Vec::with_capacity(room))
        .foldl(
            choice((
                plain_word,
                punctuation,
                number(src).map(one),
                closer,
                name_then_dot,
                keyword,
                dot,
                string(src).map(one),
                bad_characters(src).map(one),
            ))
            .then_ignore(trivia)
            .repeated(),
            |mut tokens, lexeme| {
                match lexeme {
                    Lexeme::One(token, at) => tokens.push((token, at)),
                    Lexeme::WithDot(token, at, dot) => {
                        tokens.push((token, at));
                        tokens.push((Token::Dot, dot));
                    }
                }
                tokens
            },
        )
}

/// A number, with whatever letters, digits or points are glued to it: the
/// whole run is one token, and one error when malformed (`2.`, `3x`, `1e`,
/// `1_000`, `1.2.3`) rather than a number plus debris.
fn number<'a>(src: SourceId) -> impl Parser<'a, &'a str, (Token, Span), Extra> {
    let digits = any().filter(char::is_ascii_digit).repeated().at_least(1);
    let fraction = just('.').then(digits);
    let exponent = one_of("eE").then(one_of("+-").or_not()).then(digits);
    let body = choice((digits.then(fraction.or_not()).ignored(), fraction.ignored()))
        .then(exponent.or_not())
        .to_slice();
    let glued = any()
        .filter(|c: &char| is_ident_char(*c) || *c == '.')
        .repeated()
        .to_slice();
    body.then(glued).map_with(
        move |(body, glued): (&str, &str), e: &mut MapExtra<'a, '_, &'a str, Extra>| {
            let s: SimpleSpan = e.span();
            let span = Span::new(src, s.start..s.end);
            match number_token(body, glued, span) {
                Ok(token) => (token, span),
                Err(d) => {
                    e.state().push(d);
                    (Token::Error, span)
                }
            }
        },
    )
}

/// The token for a number lexed as `body` (digits, fraction, exponent)
/// followed by `glued` characters, or why it is not one.
fn number_token(body: &str, glued: &str, span: Span) -> Result<Token, Diagnostic> {
    if !glued.is_empty() {
        let text = format!("{body}{glued}");
        let d = Diagnostic::error("E0009", format!("malformed number `{text}`"))
            .with_primary(span, "not a valid number");
        return Err(if text.starts_with('.') {
            d.with_hint(format!("write a digit before the point: `0{text}`"))
        } else if text.ends_with('.') {
            d.with_hint(format!("write a digit after the point: `{text}0`"))
        } else if text.contains('_') && text.chars().all(|c| c.is_ascii_digit() || c == '_') {
            d.with_hint("digit separators are not supported: write the digits together")
        } else if text.ends_with(['e', 'E']) {
            d.with_hint("an exponent needs digits, as in `1e-3`")
        } else {
            d.with_hint("numbers look like `3`, `0.5` or `1e-3`")
        });
    }
    let text = body;
    if text.starts_with('.') {
        return Err(
            Diagnostic::error("E0009", format!("malformed number `{text}`"))
                .with_primary(span, "a number needs a digit before the point")
                .with_hint(format!("write `0{text}`")),
        );
    }
    if text.contains(['.', 'e', 'E']) {
        return match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Token::Num(x)),
            _ => Err(
                Diagnostic::error("E0009", format!("number `{text}` is out of range"))
                    .with_primary(span, "too large to represent"),
            ),
        };
    }
    text.parse::<i64>().map(Token::Int).map_err(|_| {
        Diagnostic::error("E0009", format!("integer `{text}` is too large"))
            .with_primary(span, "does not fit in 64 bits")
            .with_hint(format!(
                "integers go up to {}; write `{text}.0` for an approximate number",
                i64::MAX
            ))
    })
}

/// A string on one line. Its token holds the value with escapes resolved;
/// an unknown escape is reported and kept as the escaped character, and a
/// string cut short by the end of its line is reported and kept as lexed.
fn string<'a>(src: SourceId) -> impl Parser<'a, &'a str, (Token, Span), Extra> {
    let plain = any()
        .and_is(one_of("\"\\\n").not())
        .and_is(just("\r\n").not())
        .map(Some);
    let escape = just('\\').ignore_then(choice((
        just('"').to(Some('"')),
        just('\\').to(Some('\\')),
        just('n').to(Some('\n')),
        just('t').to(Some('\t')),
        // A backslash at the end of the line escapes nothing: the line end
        // is left for the unterminated-string report.
        choice((just('\n').ignored(), just('\r').ignored(), end()))
            .rewind()
            .to(None),
        any().map_with(move |c: char, e: &mut MapExtra<'a, '_, &'a str, Extra>| {
            let s: SimpleSpan = e.span();
            // The backslash is the byte before the escaped character.
            let span = Span::new(src, s.start - 1..s.end);
            e.state().push(
                Diagnostic::error("E0008", format!("unknown escape `\\{c}` in a string"))
                    .with_primary(span, "not a known escape")
                    .with_hint("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`"),
            );
            Some(c)
        }),
    )));
    just('"')
        .ignore_then(choice((plain, escape)).repeated().collect::<Vec<_>>())
        .then(just('"').or_not())
        .map_with(
            move |(chars, close): (Vec<Option<char>>, _),
                  e: &mut MapExtra<'a, '_, &'a str, Extra>| {
                let s: SimpleSpan = e.span();
                let span = Span::new(src, s.start..s.end);
                if close.is_none() {
                    e.state().push(
                        Diagnostic::error("E0004", "unterminated string")
                            .with_primary(span, "this string is never closed")
                            .with_hint("add a closing `\"`; strings cannot span lines"),
                    );
                }
                (Token::Str(chars.into_iter().flatten().collect()), span)
            },
        )
}

/// A run of characters no token starts with: one [`Token::Error`] and one
/// report, with a hint for the usual suspects.
fn bad_characters<'a>(src: SourceId) -> impl Parser<'a, &'a str, (Token, Span), Extra> {
    // After a lone `|`, more `|` belong to the same mistake (`||`).
    let pipes = just('|')
        .then(
            any()
                .filter(|c: &char| !starts_token(*c) || *c == '|')
                .repeated(),
        )
        .to_slice();
    let others = any()
        .then(any().filter(|c: &char| !starts_token(*c)).repeated())
        .to_slice();
    choice((pipes, others)).map_with(move |bad: &str, e: &mut MapExtra<'a, '_, &'a str, Extra>| {
        let s: SimpleSpan = e.span();
        let span = Span::new(src, s.start..s.end);
        let what = if bad.chars().count() == 1 {
            format!("unexpected character `{bad}`")
        } else {
            format!("unexpected characters `{bad}`")
        };
        let d = Diagnostic::error("E0001", what).with_primary(span, "not part of any token");
        let d = match bad.chars().next() {
            Some('|') => d.with_hint("the pipe is written `|>`"),
            Some('\'') => d.with_hint("strings are written in double quotes: \"like this\""),
            Some(';') => {
                d.with_hint("items need no separator: start the next one with its keyword")
            }
            Some('{' | '}') => d.with_hint("Optimist has no braces; group with `(` and `)`"),
            Some('<' | '>' | '!' | '&') => {
                d.with_hint("the operators are `+ - * / ^` and the pipe `|>`")
            }
            _ => d,
        };
        e.state().push(d);
        (Token::Error, span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        let (tokens, diags) = lex(SourceId(0), text);
        assert!(diags.is_empty(), "{diags:?}");
        tokens.into_iter().map(|(t, _)| t).collect()
    }

    fn codes(text: &str) -> Vec<&'static str> {
        lex(SourceId(0), text).1.iter().map(|d| d.code).collect()
    }

    #[test]
    fn numbers_with_a_fraction_or_exponent_are_num() {
        assert_eq!(
            tokens("3 0.5 1e-3 2E8 1.5e+2"),
            vec![
                Token::Int(3),
                Token::Num(0.5),
                Token::Num(0.001),
                Token::Num(2e8),
                Token::Num(150.0)
            ]
        );
    }

    #[test]
    fn malformed_numbers_are_one_error_each() {
        assert_eq!(codes("2."), vec!["E0009"]);
        assert_eq!(codes(".5"), vec!["E0009"]);
        assert_eq!(codes("1e"), vec!["E0009"]);
        assert_eq!(codes("3x 1_000"), vec!["E0009", "E0009"]);
        assert_eq!(codes("99999999999999999999"), vec!["E0009"]);
        assert_eq!(codes("1e999"), vec!["E0009"]);
    }

    #[test]
    fn strings_resolve_escapes_and_report_the_unterminated() {
        assert_eq!(
            tokens(r#""a\"b\\c\nd\te""#),
            vec![Token::Str("a\"b\\c\nd\te".into())]
        );
        let (toks, diags) = lex(SourceId(0), "\"abc\nlet");
        assert_eq!(diags[0].code, "E0004");
        assert_eq!(
            toks[0],
            (Token::Str("abc".into()), Span::new(SourceId(0), 0..4))
        );
        assert_eq!(toks[1].0, Token::Keyword(Keyword::Let));
        assert_eq!(codes(r#""\q""#), vec!["E0008"]);
    }

    #[test]
    fn bad_characters_become_one_error_token_per_run() {
        let (toks, diags) = lex(SourceId(0), "a @@ b $");
        assert_eq!(diags.len(), 2);
        assert_eq!(toks.len(), 4);
        assert_eq!(toks[1], (Token::Error, Span::new(SourceId(0), 2..4)));
        assert_eq!(codes("€"), vec!["E0001"]);
    }

    #[test]
    fn a_point_after_a_name_is_field_access() {
        assert_eq!(
            tokens("r.5 f(x).y"),
            vec![
                Token::Ident("r".into()),
                Token::Dot,
                Token::Int(5),
                Token::Ident("f".into()),
                Token::LParen,
                Token::Ident("x".into()),
                Token::RParen,
                Token::Dot,
                Token::Ident("y".into()),
            ]
        );
        // After a keyword or a space, `.5` is a malformed number.
        assert_eq!(codes("model.5"), vec!["E0009"]);
        assert_eq!(codes("r .5"), vec!["E0009"]);
    }

    #[test]
    fn comments_run_to_the_end_of_the_line() {
        assert_eq!(
            tokens("a # b ( \"\n|> c#"),
            vec![
                Token::Ident("a".into()),
                Token::Pipe,
                Token::Ident("c".into())
            ]
        );
    }
}
