//! Expressions and brackets: precedence climbing for the operators,
//! postfix chains, calls, lists, and the bracket-level error recovery they
//! share (skip to the next `,` or the closer, stepping over nested brackets).

use super::{can_start_expr, Parser, MAX_DEPTH};
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::*;
use crate::syntax::lexer::{Keyword, Token};

/// Operators as (left, right) binding powers: higher binds tighter; left <
/// right makes an operator left-associative, left > right right-associative.
fn infix(token: &Token) -> Option<(u8, u8)> {
    Some(match token {
        Token::Pipe => (1, 2),
        Token::Plus | Token::Minus => (3, 4),
        Token::Star | Token::Slash => (5, 6),
        Token::Caret => (9, 8),
        _ => return None,
    })
}

/// Unary minus binds looser than `^` (`-x^2` is `-(x^2)`), tighter than `*`.
const PREFIX_BP: u8 = 7;

fn binop(token: &Token) -> Option<BinOp> {
    Some(match token {
        Token::Plus => BinOp::Add,
        Token::Minus => BinOp::Sub,
        Token::Star => BinOp::Mul,
        Token::Slash => BinOp::Div,
        Token::Caret => BinOp::Pow,
        _ => return None,
    })
}

/// Whether `to` followed by this token reads as a name used in an
/// expression (`to + 1`) rather than as the `to` of `plot … to "f"`.
fn ends_a_name(token: &Token) -> bool {
    infix(token).is_some()
        || matches!(
            token,
            Token::Comma | Token::RParen | Token::RBracket | Token::Dot | Token::LBracket
        )
        || matches!(token, Token::Keyword(k) if k.starts_item())
}

impl<'t> Parser<'t> {
    // ----- expressions -------------------------------------------------------

    pub(super) fn error_expr(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }

    /// An expression whose operators all bind tighter than `min_bp`.
    /// `after` completes "expected an expression…" (" after `+`").
    pub(super) fn expr(&mut self, min_bp: u8, after: &str) -> Expr {
        if self.depth >= MAX_DEPTH {
            let d = Diagnostic::error("E0010", "expression nested too deeply")
                .with_primary(self.peek_span(), "parsing stops here")
                .with_note(format!(
                    "at most {MAX_DEPTH} levels of brackets and operators are allowed"
                ));
            self.emit(d, false);
            self.aborted = true;
            return self.error_expr(self.gap());
        }
        self.depth += 1;
        let start = self.peek_span().start;
        let mut lhs = if self.eat(&Token::Minus).is_some() {
            let operand = self.expr(PREFIX_BP, " after `-`");
            Expr {
                kind: ExprKind::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(operand),
                },
                span: self.span_from(start),
            }
        } else {
            let primary = self.primary(after);
            self.postfix(primary)
        };
        while let Some(token) = self.peek() {
            let Some((left_bp, right_bp)) = infix(token) else {
                break;
            };
            if left_bp < min_bp {
                break;
            }
            let (op_token, _) = self.bump();
            let rhs = self.expr(right_bp, &format!(" after `{op_token}`"));
            let span = lhs.span.to(self.span_from(lhs.span.start));
            let kind = match binop(&op_token) {
                Some(op) => ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                None => ExprKind::Pipe {
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
            };
            lhs = Expr { kind, span };
        }
        self.depth -= 1;
        lhs
    }

    fn primary(&mut self, after: &str) -> Expr {
        let span = self.peek_span();
        let literal = move |kind| Expr { kind, span };
        let Some(token) = self.peek() else {
            self.expected(&format!("an expression{after}"), None);
            return self.error_expr(self.gap());
        };
        match token {
            Token::Int(n) => {
                self.bump();
                literal(ExprKind::Int(*n))
            }
            Token::Num(x) => {
                self.bump();
                literal(ExprKind::Num(*x))
            }
            Token::Str(s) => {
                self.bump();
                literal(ExprKind::Str(s.clone()))
            }
            Token::Keyword(Keyword::True) => {
                self.bump();
                literal(ExprKind::Bool(true))
            }
            Token::Keyword(Keyword::False) => {
                self.bump();
                literal(ExprKind::Bool(false))
            }
            Token::Error => self.after_error_tokens(),
            Token::Ident(name) => {
                self.bump();
                let ident = Ident {
                    name: name.clone(),
                    span,
                };
                if self.at(&Token::LParen) {
                    let args = self.list(&Token::RParen, ("an argument", "arguments"), Parser::arg);
                    self.check_arg_order(&args);
                    Expr {
                        kind: ExprKind::Call {
                            callee: ident,
                            args,
                        },
                        span: self.span_from(span.start),
                    }
                } else {
                    literal(ExprKind::Name(ident))
                }
            }
            Token::LBracket => {
                let items = self.list(&Token::RBracket, ("a list element", "elements"), |p| {
                    Some(p.expr(0, ""))
                });
                Expr {
                    kind: ExprKind::List(items),
                    span: self.span_from(span.start),
                }
            }
            Token::LParen => {
                self.bump();
                self.open.push(Token::RParen);
                let mut inner = self.expr(0, " after `(`");
                self.close(span, &Token::RParen);
                self.open.pop();
                // The parentheses belong to the expression they group.
                inner.span = self.span_from(span.start);
                inner
            }
            Token::Keyword(k)
                if (k.starts_item() && !self.at_item_start())
                    || (*k == Keyword::To && self.nth(1).is_some_and(ends_a_name)) =>
            {
                self.bump();
                self.keyword_as_name(*k, span, "a name");
                literal(ExprKind::Name(Ident {
                    name: k.as_str().to_string(),
                    span,
                }))
            }
            _ => {
                self.expected(&format!("an expression{after}"), None);
                self.error_expr(self.gap())
            }
        }
    }

    /// Skips tokens the lexer rejected (already reported). When an expression
    /// is glued right after them (`$sims`), it is parsed, so that the one
    /// bad character costs one diagnostic.
    fn after_error_tokens(&mut self) -> Expr {
        let start = self.peek_span().start;
        while let Some(Token::Error) = self.peek() {
            let (_, span) = self.bump();
            let next = self.peek_span();
            let glued = next.start == span.end;
            match self.peek() {
                Some(Token::Error) if glued => continue,
                Some(t) if glued && can_start_expr(t) => return self.primary(""),
                _ => break,
            }
        }
        self.error_expr(self.span_from(start))
    }

    /// Indexing `v[i]`, field access `r.f`, and the calls that are not allowed
    /// (`f(1)(2)`), all binding tighter than any operator.
    fn postfix(&mut self, mut target: Expr) -> Expr {
        let start = target.span.start;
        loop {
            match self.peek() {
                Some(Token::LBracket) => {
                    let (_, open) = self.bump();
                    self.open.push(Token::RBracket);
                    let index = self.expr(0, " after `[`");
                    self.close(open, &Token::RBracket);
                    self.open.pop();
                    target = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(target),
                            index: Box::new(index),
                        },
                        span: self.span_from(start),
                    };
                }
                Some(Token::Dot) => {
                    self.bump();
                    let field = if matches!(self.peek(), Some(Token::Ident(_) | Token::Keyword(_)))
                    {
                        self.expect_name("`.`", "a field name")
                    } else {
                        let hint = matches!(self.peek(), Some(Token::Int(_))).then(|| {
                            "fields have names, as in `r.score`; to take an element, write `v[0]`"
                                .to_string()
                        });
                        self.expected("a field name after `.`", hint);
                        Ident {
                            name: String::new(),
                            span: self.gap(),
                        }
                    };
                    target = Expr {
                        kind: ExprKind::Field {
                            target: Box::new(target),
                            field,
                        },
                        span: self.span_from(start),
                    };
                }
                Some(Token::LParen) => {
                    let callee_span = target.span;
                    let d = Diagnostic::error("E0012", "only a name can be called")
                        .with_primary(callee_span, "this is not a name")
                        .with_hint("call a builtin or a `def` by its name, as in `f(x)`");
                    self.emit(d, false);
                    self.list(&Token::RParen, ("an argument", "arguments"), Parser::arg);
                    target = self.error_expr(self.span_from(start));
                }
                _ => return target,
            }
        }
    }

    fn arg(&mut self) -> Option<Arg> {
        let start = self.peek_span().start;
        let named = self.nth(1) == Some(&Token::Eq)
            && matches!(self.peek(), Some(Token::Ident(_) | Token::Keyword(_)));
        let name = if named {
            let name = self.expect_name("", "an argument name");
            self.bump();
            Some(name)
        } else {
            None
        };
        let after = match &name {
            Some(n) => format!(" after `{}=`", n.name),
            None => String::new(),
        };
        let value = self.expr(0, &after);
        Some(Arg {
            name,
            value,
            span: self.span_from(start),
        })
    }

    /// Reports positional arguments after the first named one: one
    /// diagnostic per call, pointing at each of them.
    fn check_arg_order(&mut self, args: &[Arg]) {
        let Some(first_named) = args.iter().position(|a| a.name.is_some()) else {
            return;
        };
        let named = &args[first_named];
        let misplaced: Vec<&Arg> = args[first_named..]
            .iter()
            .filter(|a| a.name.is_none())
            .collect();
        let Some(first) = misplaced.first() else {
            return;
        };
        let name = named.name.as_ref().map_or("", |n| n.name.as_str());
        let mut d = Diagnostic::error("E0005", "positional argument after a named argument")
            .with_primary(first.span, "positional argument")
            .with_secondary(named.span, format!("named argument `{name}` comes first"));
        for arg in &misplaced[1..] {
            d = d.with_secondary(arg.span, "another positional argument");
        }
        d = d.with_hint(format!(
            "put positional arguments before `{name}=…`, or give them their names"
        ));
        self.emit(d, false);
    }

    // ----- brackets ----------------------------------------------------------

    /// A bracketed, comma-separated list (trailing comma allowed), starting at
    /// the opening bracket. `element` parses one element; `None` means it
    /// reported an error without consuming anything.
    pub(super) fn list<T>(
        &mut self,
        closer: &Token,
        (what, plural): (&str, &str),
        mut element: impl FnMut(&mut Self) -> Option<T>,
    ) -> Vec<T> {
        let (_, open) = self.bump();
        self.open.push(closer.clone());
        let mut items = Vec::new();
        loop {
            if self.eat(closer).is_some() {
                break;
            }
            if self.at_end() || self.at_item_start() || self.at_outer_closer() {
                self.unclosed(open, closer, &format!("{what} or `{closer}`"));
                break;
            }
            if let Some(item) = element(self) {
                items.push(item);
            }
            if self.eat(&Token::Comma).is_some() {
                continue;
            }
            if self.eat(closer).is_some() {
                break;
            }
            if self.at_end() || self.at_item_start() || self.at_outer_closer() {
                self.unclosed(open, closer, &format!("`,` or `{closer}`"));
                break;
            }
            let hint = match self.peek() {
                Some(t) if can_start_expr(t) => Some(format!("separate the {plural} with `,`")),
                _ => None,
            };
            self.expected(&format!("`,` or `{closer}`"), hint);
            if !self.skip_in_list(closer) {
                break;
            }
        }
        self.open.pop();
        items
    }

    /// Skips a bad stretch inside a list. Returns true after consuming a `,`
    /// (the list goes on); false once the list is over (its closer consumed)
    /// or cannot go on (end of input, a new item, an outer closer).
    fn skip_in_list(&mut self, closer: &Token) -> bool {
        loop {
            match self.peek() {
                None => return false,
                Some(Token::Comma) => {
                    self.bump();
                    return true;
                }
                Some(t) if t == closer => {
                    self.bump();
                    return false;
                }
                Some(_) if self.at_item_start() || self.at_outer_closer() => return false,
                Some(Token::LParen | Token::LBracket) => self.skip_nested(),
                Some(_) => {
                    self.bump();
                }
            }
        }
    }

    /// Steps over a bracketed group whole, whatever it contains, stopping
    /// early at a new item or the end of input.
    fn skip_nested(&mut self) {
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            if self.at_item_start() {
                return;
            }
            match token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
            if depth == 0 {
                return;
            }
        }
    }

    /// Expects the closer of a single-expression bracket (`(e)`, `v[e]`)
    /// opened at `open`, skipping junk before it.
    fn close(&mut self, open: Span, closer: &Token) {
        if self.eat(closer).is_some() {
            return;
        }
        if self.at_end() || self.at_item_start() || self.at_outer_closer() {
            self.unclosed(open, closer, &format!("`{closer}`"));
            return;
        }
        self.expected(&format!("`{closer}`"), None);
        while self.skip_in_list(closer) {}
    }
}
