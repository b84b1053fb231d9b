//! The parser: tokens to the [`ast`](super::ast), reporting every syntax
//! error of a file in one run.
//!
//! It is a hand-written recursive-descent parser with precedence climbing
//! for operators; items are here, expressions and brackets in
//! `parser/expr.rs`. Recovery happens at three levels, so one mistake costs
//! one diagnostic and the rest of the file is still checked:
//!
//! * items: an item that went wrong is skipped up to the next item keyword
//!   (every item starts with one, and no keyword can appear inside an
//!   expression, so that point is always safe);
//! * brackets: inside `(…)` and `[…]`, a bad element is skipped up to the next
//!   `,` or the closing bracket, stepping over nested brackets whole
//!   (`nested_delimiters`-style), and an `ExprKind::Error` takes its place;
//! * tokens the lexer already reported ([`Token::Error`]) are consumed quietly.
//!
//! Every loop consumes a token or exits, and nesting is capped at
//! [`MAX_DEPTH`], so no input can loop forever or overflow the stack.
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
//!
//! Where a name is missing, the tree holds an [`Ident`] with an empty name;
//! where an expression is missing, an [`ExprKind::Error`]. A tree built with
//! errors is for tooling (the REPL, an editor), not for running.

mod expr;

use super::ast::*;
use super::lexer::{Keyword, Token};
use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};

/// The deepest nesting of expressions (brackets, operators, unary minus)
/// accepted; far beyond anything written by hand, far below a stack overflow.
pub const MAX_DEPTH: usize = 100;

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
    let mut p = Parser {
        src,
        text,
        tokens,
        pos: 0,
        prev_end: 0,
        eof: Span::new(src, text.len()..text.len()),
        diags: Vec::new(),
        eof_errors: 0,
        open: Vec::new(),
        depth: 0,
        aborted: false,
        last_error_at: None,
    };
    let program = p.program(repl);
    let incomplete = !p.diags.is_empty() && p.eof_errors == p.diags.len();
    ParseResult {
        program: Some(program),
        diagnostics: p.diags,
        incomplete,
    }
}

struct Parser<'t> {
    src: SourceId,
    text: &'t str,
    tokens: &'t [(Token, Span)],
    pos: usize,
    /// End of the last consumed token: where spans of finished nodes end.
    prev_end: usize,
    eof: Span,
    diags: Vec<Diagnostic>,
    /// How many of `diags` are about the input ending too early.
    eof_errors: usize,
    /// Closing tokens of the brackets we are inside, innermost last.
    open: Vec<Token>,
    depth: usize,
    /// Set when nesting got too deep: from then on the input looks empty.
    aborted: bool,
    /// Token index of the last "unexpected" report, so one bad token gets one error.
    last_error_at: Option<usize>,
}

fn can_start_expr(token: &Token) -> bool {
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

fn is_closer(token: &Token) -> bool {
    matches!(token, Token::RParen | Token::RBracket)
}

fn opener_of(closer: &Token) -> &'static str {
    if *closer == Token::RBracket {
        "["
    } else {
        "("
    }
}

const ITEM_KEYWORDS: &str = "`use`, `param`, `let`, `objective`, `dataset`, `model`, `pipeline`, `def`, `report`, `plot` or `save`";

impl<'t> Parser<'t> {
    // ----- looking at tokens -------------------------------------------------

    fn peek(&self) -> Option<&'t Token> {
        if self.aborted {
            return None;
        }
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn nth(&self, ahead: usize) -> Option<&'t Token> {
        if self.aborted {
            return None;
        }
        self.tokens.get(self.pos + ahead).map(|(t, _)| t)
    }

    fn peek_span(&self) -> Span {
        match self.tokens.get(self.pos) {
            Some((_, span)) if !self.aborted => *span,
            _ => self.eof,
        }
    }

    fn at(&self, token: &Token) -> bool {
        self.peek() == Some(token)
    }

    fn at_end(&self) -> bool {
        self.peek().is_none()
    }

    /// Whether the current token begins an item. Inside brackets, an item
    /// keyword followed by `,`, a closer, `=` or `.` is taken for a name
    /// written by mistake (`f(model, data=d)`), not for a new item.
    fn at_item_start(&self) -> bool {
        matches!(self.peek(), Some(Token::Keyword(k)) if k.starts_item())
            && !self.keyword_in_name_position()
    }

    fn keyword_in_name_position(&self) -> bool {
        !self.open.is_empty()
            && matches!(
                self.nth(1),
                Some(Token::Comma | Token::RParen | Token::RBracket | Token::Eq | Token::Dot)
            )
    }

    fn bump(&mut self) -> (Token, Span) {
        match self.tokens.get(self.pos) {
            Some((token, span)) if !self.aborted => {
                self.pos += 1;
                self.prev_end = span.end;
                (token.clone(), *span)
            }
            _ => (Token::Error, self.eof),
        }
    }

    fn eat(&mut self, token: &Token) -> Option<Span> {
        if self.at(token) {
            Some(self.bump().1)
        } else {
            None
        }
    }

    /// The span from `start` to the end of what has been consumed since.
    fn span_from(&self, start: usize) -> Span {
        Span::new(self.src, start..self.prev_end.max(start))
    }

    /// Where a missing expression would have been: just after the last token.
    fn gap(&self) -> Span {
        Span::new(self.src, self.prev_end..self.prev_end)
    }

    fn found(&self) -> String {
        match self.peek() {
            Some(token) => token.describe(),
            None => "end of input".to_string(),
        }
    }

    /// Whether the current token is a closer that belongs to an enclosing
    /// bracket (not the innermost): the innermost one is then unclosed.
    fn at_outer_closer(&self) -> bool {
        match self.peek() {
            Some(t) if is_closer(t) => {
                let outer = &self.open[..self.open.len().saturating_sub(1)];
                outer.contains(t)
            }
            _ => false,
        }
    }

    // ----- reporting ---------------------------------------------------------

    fn emit(&mut self, d: Diagnostic, about_eof: bool) {
        if self.aborted {
            return;
        }
        if about_eof {
            self.eof_errors += 1;
        }
        self.diags.push(d);
    }

    /// Reports "expected …, found …" at the current token, once per token, and
    /// never for a token the lexer already reported.
    fn expected(&mut self, what: &str, hint: Option<String>) {
        if self.last_error_at == Some(self.pos) || matches!(self.peek(), Some(Token::Error)) {
            return;
        }
        self.last_error_at = Some(self.pos);
        let found = self.found();
        let mut d = Diagnostic::error("E0002", format!("expected {what}, found {found}"))
            .with_primary(self.blame_span(), format!("expected {what}"));
        if let Some(h) = hint {
            d = d.with_hint(h);
        } else if self.at_item_start() {
            d = d.with_hint(format!(
                "{found} starts a new item, so the one before it is unfinished"
            ));
        }
        let eof = self.at_end();
        self.emit(d, eof);
    }

    /// Where to point when something is missing: at the offending token, or,
    /// when the input ends or a new item begins (so the current item is
    /// merely unfinished), just after the last token of the current item.
    fn blame_span(&self) -> Span {
        if self.at_end() || self.at_item_start() {
            self.gap()
        } else {
            self.peek_span()
        }
    }

    /// Reports that the innermost bracket, opened at `open`, is not closed
    /// where the input says it must be (end of input, a new item, or an
    /// outer closing bracket).
    fn unclosed(&mut self, open: Span, closer: &Token, what: &str) {
        if self.last_error_at == Some(self.pos) {
            return;
        }
        self.last_error_at = Some(self.pos);
        let opener = opener_of(closer);
        let label = match self.peek() {
            None => format!("expected {what}, found end of input"),
            Some(_) => format!("expected {what} before {}", self.found()),
        };
        let d = Diagnostic::error("E0003", format!("unclosed `{opener}`"))
            .with_primary(self.blame_span(), label)
            .with_secondary(open, format!("this `{opener}` is never closed"));
        let eof = self.at_end();
        self.emit(d, eof);
    }

    fn keyword_as_name(&mut self, k: Keyword, span: Span, role: &str) {
        let word = k.as_str();
        let d = Diagnostic::error(
            "E0007",
            format!("`{word}` is a keyword and cannot be used as {role}"),
        )
        .with_primary(span, "reserved keyword")
        .with_hint(format!(
            "choose another name, such as `{word}_` or `my_{word}`"
        ));
        self.emit(d, false);
    }

    // ----- items -------------------------------------------------------------

    fn program(&mut self, repl: bool) -> Program {
        let mut items = Vec::new();
        let mut first = true;
        while let Some(token) = self.peek() {
            let errors_before = self.diags.len();
            if self.at_item_start() {
                items.push(self.item());
            } else if repl
                && first
                && can_start_expr(token)
                && !(matches!(token, Token::Ident(_)) && self.nth(1) == Some(&Token::Eq))
            {
                let value = self.expr(0, "");
                let span = value.span;
                items.push(Item {
                    kind: ItemKind::Expr(value),
                    span,
                });
            } else {
                self.junk_at_top_level();
            }
            first = false;
            // After a broken item, whatever precedes the next item is debris
            // of the same mistake: skip it without further reports.
            if self.diags.len() > errors_before {
                while !self.at_end() && !self.at_item_start() {
                    self.bump();
                }
            }
        }
        Program { items }
    }

    fn junk_at_top_level(&mut self) {
        let span = self.peek_span();
        let d = match self.peek() {
            Some(Token::Error) => {
                // Already reported by the lexer.
                self.bump();
                return self.skip_to_item();
            }
            Some(t @ (Token::RParen | Token::RBracket)) => {
                let opener = opener_of(t);
                Diagnostic::error("E0011", format!("unmatched `{t}`"))
                    .with_primary(span, format!("no `{opener}` is open here"))
            }
            Some(Token::Ident(name)) if self.nth(1) == Some(&Token::Eq) => {
                Diagnostic::error("E0002", format!("expected an item, found `{name}`"))
                    .with_primary(span, "an item starts with a keyword")
                    .with_hint(format!("to declare `{name}`, write `let {name} = …`"))
            }
            Some(t) if can_start_expr(t) && self.pos > 0 => {
                Diagnostic::error("E0002", format!("expected an item, found {}", self.found()))
                    .with_primary(span, "an item starts with a keyword")
                    .with_hint(
                        "if this continues the value before it, an operator or a `,` is missing",
                    )
                    .with_note(format!("items start with {ITEM_KEYWORDS}"))
            }
            _ => Diagnostic::error("E0002", format!("expected an item, found {}", self.found()))
                .with_primary(span, "an item starts with a keyword")
                .with_note(format!("items start with {ITEM_KEYWORDS}")),
        };
        self.emit(d, false);
        self.skip_to_item();
    }

    fn skip_to_item(&mut self) {
        while !self.at_end() && !self.at_item_start() {
            self.bump();
        }
    }

    fn item(&mut self) -> Item {
        let (token, kw_span) = self.bump();
        let start = kw_span.start;
        let Token::Keyword(kw) = token else {
            return Item {
                kind: ItemKind::Expr(self.error_expr(kw_span)),
                span: kw_span,
            };
        };
        let kind = match kw {
            Keyword::Use => ItemKind::Use(self.use_target()),
            Keyword::Param => {
                let name = self.expect_name("`param`", "a parameter name");
                let value = self.value_after_eq(&format!("param {}", name.name));
                ItemKind::Param { name, value }
            }
            Keyword::Let
            | Keyword::Objective
            | Keyword::Dataset
            | Keyword::Model
            | Keyword::Pipeline => {
                let keyword = match kw {
                    Keyword::Objective => DeclKeyword::Objective,
                    Keyword::Dataset => DeclKeyword::Dataset,
                    Keyword::Model => DeclKeyword::Model,
                    Keyword::Pipeline => DeclKeyword::Pipeline,
                    _ => DeclKeyword::Let,
                };
                let name = self.expect_name(&format!("`{}`", kw.as_str()), "a name");
                let value = self.value_after_eq(&format!("{} {}", kw.as_str(), name.name));
                ItemKind::Decl {
                    keyword,
                    keyword_span: kw_span,
                    name,
                    value,
                }
            }
            Keyword::Def => self.def(),
            Keyword::Report => ItemKind::Report {
                value: self.expr(0, " after `report`"),
            },
            Keyword::Plot | Keyword::Save => {
                let word = kw.as_str();
                let value = self.expr(0, &format!(" after `{word}`"));
                let to = if self.eat(&Token::Keyword(Keyword::To)).is_some() {
                    self.expr(0, " after `to`")
                } else {
                    let example = if kw == Keyword::Plot {
                        "f.svg"
                    } else {
                        "model.safetensors"
                    };
                    self.expected(
                        "`to` and a file name",
                        Some(format!("write `{word} … to \"{example}\"`")),
                    );
                    self.error_expr(self.gap())
                };
                if kw == Keyword::Plot {
                    ItemKind::Plot { value, to }
                } else {
                    ItemKind::Save { value, to }
                }
            }
            Keyword::To | Keyword::True | Keyword::False => {
                ItemKind::Expr(self.error_expr(kw_span))
            }
        };
        Item {
            kind,
            span: self.span_from(start),
        }
    }

    fn use_target(&mut self) -> UseTarget {
        let start = self.peek_span().start;
        match self.peek() {
            Some(Token::Str(path)) => {
                let (_, span) = self.bump();
                UseTarget::File {
                    path: path.clone(),
                    span,
                }
            }
            Some(Token::Ident(_)) => {
                let mut path = vec![self.expect_name("`use`", "a module name")];
                while self.eat(&Token::Dot).is_some() {
                    path.push(self.expect_name("`.`", "a module name"));
                }
                if matches!(self.peek(), Some(Token::Slash | Token::Minus)) {
                    self.unquoted_file_path(start);
                }
                UseTarget::Module(path)
            }
            _ => {
                self.expected(
                    "a module path (like `std.games`) or a quoted file path",
                    Some("write `use std.games` or `use \"lib/mine.opt\"`".to_string()),
                );
                UseTarget::Module(Vec::new())
            }
        }
    }

    /// `use lib/mine.opt`: a file path written without quotes.
    fn unquoted_file_path(&mut self, start: usize) {
        let mut end = self.prev_end;
        while !self.at_end() && !self.at_item_start() {
            end = self.bump().1.end;
        }
        let span = Span::new(self.src, start..end);
        let written = self.text.get(start..end).unwrap_or("");
        let hint = if written.chars().any(char::is_whitespace) {
            "a file is named by a string, as in `use \"lib/mine.opt\"`".to_string()
        } else {
            format!("a file is named by a string: `use \"{written}\"`")
        };
        let d = Diagnostic::error("E0002", "expected a module path or a quoted file path")
            .with_primary(span, "a file path must be quoted")
            .with_hint(hint);
        self.emit(d, false);
    }

    fn def(&mut self) -> ItemKind {
        let name = self.expect_name("`def`", "a name");
        let params = if self.at(&Token::LParen) {
            self.list(
                &Token::RParen,
                ("a parameter", "parameters"),
                Parser::def_param,
            )
        } else {
            self.expected(
                &format!("`(` and the parameters of `{}`", name.name),
                Some(format!(
                    "a `def` takes a parameter list, even an empty one: `def {}() = …`",
                    name.name
                )),
            );
            Vec::new()
        };
        let body = self.value_after_eq(&format!("def {}(…)", name.name));
        ItemKind::Def { name, params, body }
    }

    fn def_param(&mut self) -> Option<DefParam> {
        let name = match self.peek() {
            Some(Token::Ident(_)) => self.expect_name("", "a parameter name"),
            Some(Token::Keyword(_)) if !self.at_item_start() => {
                self.expect_name("", "a parameter name")
            }
            _ => {
                self.expected("a parameter name", None);
                return None;
            }
        };
        let default = if self.eat(&Token::Eq).is_some() {
            Some(self.expr(0, &format!(" after `{}=`", name.name)))
        } else {
            None
        };
        Some(DefParam { name, default })
    }

    /// A name where one is required; `after` says what precedes it, for messages.
    fn expect_name(&mut self, after: &str, what: &str) -> Ident {
        match self.peek() {
            Some(Token::Ident(name)) => {
                let (_, span) = self.bump();
                Ident {
                    name: name.clone(),
                    span,
                }
            }
            // A keyword in a name's place is taken as the name (after saying
            // so) when it cannot be the start of the next item.
            Some(Token::Keyword(k))
                if !self.at_item_start()
                    || matches!(self.nth(1), Some(Token::Eq | Token::LParen | Token::Dot)) =>
            {
                let (_, span) = self.bump();
                self.keyword_as_name(*k, span, what);
                Ident {
                    name: k.as_str().to_string(),
                    span,
                }
            }
            _ => {
                let what = if after.is_empty() {
                    what.to_string()
                } else {
                    format!("{what} after {after}")
                };
                self.expected(&what, None);
                Ident {
                    name: String::new(),
                    span: self.gap(),
                }
            }
        }
    }

    /// `= expr` ending an item. A forgotten `=` is reported and the
    /// expression still parsed when one follows.
    fn value_after_eq(&mut self, item: &str) -> Expr {
        if self.eat(&Token::Eq).is_some() {
            return self.expr(0, " after `=`");
        }
        if self.last_error_at != Some(self.pos) && !matches!(self.peek(), Some(Token::Error)) {
            self.last_error_at = Some(self.pos);
            let found = self.found();
            let d = Diagnostic::error(
                "E0006",
                format!("expected `=` after `{item}`, found {found}"),
            )
            .with_primary(self.blame_span(), "expected `=`")
            .with_hint(format!("write `{item} = …`"));
            let eof = self.at_end();
            self.emit(d, eof);
        }
        match self.peek() {
            Some(t) if can_start_expr(t) => self.expr(0, ""),
            _ => self.error_expr(self.gap()),
        }
    }
}
