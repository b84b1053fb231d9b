//! The lexer: source text to tokens with spans.
//!
//! It never stops at a bad character: whatever it cannot make sense of
//! becomes one [`Token::Error`] (already reported), so the parser can keep
//! going and stay quiet about it instead of piling a second error on top.
//!
//! Numbers: digits alone are an [`Token::Int`]; a fraction (`0.5`) or an
//! exponent (`1e-3`, `2E8`) makes a [`Token::Num`]. A fraction needs digits on
//! both sides of the point, so `2.` and `.5` are errors that suggest `2.0`
//! and `0.5` (field access never follows a number, so nothing is lost).
//! Strings are written in double quotes with the escapes `\" \\ \n \t`;
//! they may not span lines, so an unterminated string ends at its line and
//! the rest of the file still parses.

use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};
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
    let mut lexer = Lexer {
        src,
        text,
        pos: 0,
        tokens: Vec::new(),
        diags: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.diags)
}

struct Lexer<'a> {
    src: SourceId,
    text: &'a str,
    pos: usize,
    tokens: Vec<(Token, Span)>,
    diags: Vec<Diagnostic>,
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

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.src, start..end)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.text[self.pos..].chars().nth(ahead)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat_while(&mut self, pred: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&pred) {
            self.bump();
        }
    }

    fn push(&mut self, token: Token, start: usize) {
        let span = self.span(start, self.pos);
        self.tokens.push((token, span));
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                self.eat_while(|c| c != '\n');
            } else if c == '"' {
                self.string();
            } else if c.is_ascii_digit() || (c == '.' && self.dot_starts_number()) {
                self.number();
            } else if is_ident_start(c) {
                self.eat_while(is_ident_char);
                let word = &self.text[start..self.pos];
                let token = match Keyword::from_word(word) {
                    Some(k) => Token::Keyword(k),
                    None => Token::Ident(word.to_string()),
                };
                self.push(token, start);
            } else if c == '|' && self.peek_at(1) == Some('>') {
                self.bump();
                self.bump();
                self.push(Token::Pipe, start);
            } else if let Some(token) = punctuation(c) {
                self.bump();
                self.push(token, start);
            } else {
                self.bad_characters();
            }
        }
    }

    /// `.5` is a malformed number, except right after something a field
    /// could be taken from (`r.0` is a field access with a bad field name).
    fn dot_starts_number(&self) -> bool {
        let after_value = matches!(
            self.tokens.last(),
            Some((Token::Ident(_) | Token::RParen | Token::RBracket, span)) if span.end == self.pos
        );
        !after_value && self.peek_at(1).is_some_and(|d| d.is_ascii_digit())
    }

    fn bad_characters(&mut self) {
        let start = self.pos;
        // The first character is bad by definition; swallow the rest of the run
        // so that `@@@` or `€€` is one error, not three.
        let first = self.bump().unwrap_or('\0');
        self.eat_while(|c| !starts_token(c) || (c == '|' && first == '|'));
        let bad = &self.text[start..self.pos];
        let span = self.span(start, self.pos);
        let what = if bad.chars().count() == 1 {
            format!("unexpected character `{bad}`")
        } else {
            format!("unexpected characters `{bad}`")
        };
        let mut d = Diagnostic::error("E0001", what).with_primary(span, "not part of any token");
        d = match first {
            '|' => d.with_hint("the pipe is written `|>`"),
            '\'' => d.with_hint("strings are written in double quotes: \"like this\""),
            ';' => d.with_hint("items need no separator: start the next one with its keyword"),
            '{' | '}' => d.with_hint("Optimist has no braces; group with `(` and `)`"),
            '<' | '>' | '!' | '&' => d.with_hint("the operators are `+ - * / ^` and the pipe `|>`"),
            _ => d,
        };
        self.diags.push(d);
        self.push(Token::Error, start);
    }

    fn number(&mut self) {
        let start = self.pos;
        self.eat_while(|c| c.is_ascii_digit());
        let mut is_num = false;
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
            is_num = true;
            self.bump();
            self.eat_while(|c| c.is_ascii_digit());
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let digits_at = match self.peek_at(1) {
                Some('+' | '-') => 2,
                _ => 1,
            };
            if self.peek_at(digits_at).is_some_and(|d| d.is_ascii_digit()) {
                is_num = true;
                for _ in 0..digits_at {
                    self.bump();
                }
                self.eat_while(|c| c.is_ascii_digit());
            }
        }
        // Whatever is glued on (`2.`, `3x`, `1e`, `1_000`, `1.2.3`) makes the
        // whole run one malformed number rather than a number plus debris.
        if self.peek().is_some_and(|c| is_ident_char(c) || c == '.') {
            self.eat_while(|c| is_ident_char(c) || c == '.');
            let text = &self.text[start..self.pos];
            let mut d = Diagnostic::error("E0009", format!("malformed number `{text}`"))
                .with_primary(self.span(start, self.pos), "not a valid number");
            d = if text.starts_with('.') {
                d.with_hint(format!("write a digit before the point: `0{text}`"))
            } else if text.ends_with('.') {
                d.with_hint(format!("write a digit after the point: `{text}0`"))
            } else if text.contains('_') && text.chars().all(|c| c.is_ascii_digit() || c == '_') {
                d.with_hint("digit separators are not supported: write the digits together")
            } else if text.ends_with(['e', 'E']) {
                d.with_hint("an exponent needs digits, as in `1e-3`")
            } else {
                d.with_hint("numbers look like `3`, `0.5` or `1e-3`")
            };
            self.diags.push(d);
            self.push(Token::Error, start);
            return;
        }
        let text = &self.text[start..self.pos];
        let span = self.span(start, self.pos);
        if text.starts_with('.') {
            // `.5`: the fraction was read above, only the leading digit is missing.
            self.diags.push(
                Diagnostic::error("E0009", format!("malformed number `{text}`"))
                    .with_primary(span, "a number needs a digit before the point")
                    .with_hint(format!("write `0{text}`")),
            );
            self.push(Token::Error, start);
        } else if is_num {
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => self.push(Token::Num(x), start),
                _ => {
                    self.diags.push(
                        Diagnostic::error("E0009", format!("number `{text}` is out of range"))
                            .with_primary(span, "too large to represent"),
                    );
                    self.push(Token::Error, start);
                }
            }
        } else {
            match text.parse::<i64>() {
                Ok(n) => self.push(Token::Int(n), start),
                Err(_) => {
                    self.diags.push(
                        Diagnostic::error("E0009", format!("integer `{text}` is too large"))
                            .with_primary(span, "does not fit in 64 bits")
                            .with_hint(format!(
                                "integers go up to {}; write `{text}.0` for an approximate number",
                                i64::MAX
                            )),
                    );
                    self.push(Token::Error, start);
                }
            }
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        self.bump();
        let mut value = String::new();
        loop {
            let c = match self.peek() {
                Some('\r') if self.peek_at(1) == Some('\n') => None,
                Some('\n') | None => None,
                Some(c) => Some(c),
            };
            let Some(c) = c else {
                self.diags.push(
                    Diagnostic::error("E0004", "unterminated string")
                        .with_primary(self.span(start, self.pos), "this string is never closed")
                        .with_hint("add a closing `\"`; strings cannot span lines"),
                );
                self.push(Token::Str(value), start);
                return;
            };
            if c == '"' {
                self.bump();
                self.push(Token::Str(value), start);
                return;
            }
            self.bump();
            if c != '\\' {
                value.push(c);
                continue;
            }
            let esc_start = self.pos - 1;
            match self.peek() {
                Some('"') => value.push('"'),
                Some('\\') => value.push('\\'),
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                // Leave the line end for the unterminated-string check.
                None | Some('\n' | '\r') => continue,
                Some(other) => {
                    let end = self.pos + other.len_utf8();
                    self.diags.push(
                        Diagnostic::error(
                            "E0008",
                            format!("unknown escape `\\{other}` in a string"),
                        )
                        .with_primary(self.span(esc_start, end), "not a known escape")
                        .with_hint("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`"),
                    );
                    value.push(other);
                }
            }
            self.bump();
        }
    }
}

fn punctuation(c: char) -> Option<Token> {
    Some(match c {
        '(' => Token::LParen,
        ')' => Token::RParen,
        '[' => Token::LBracket,
        ']' => Token::RBracket,
        ',' => Token::Comma,
        '.' => Token::Dot,
        '=' => Token::Eq,
        '+' => Token::Plus,
        '-' => Token::Minus,
        '*' => Token::Star,
        '/' => Token::Slash,
        '^' => Token::Caret,
        _ => return None,
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
