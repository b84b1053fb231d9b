//! Deterministic printers of tokens and syntax trees, for snapshots and
//! `optimist check --dump tokens|ast`. One node per line, children indented
//! by two spaces, every span printed as `start..end` (byte offsets).

use super::ast::*;
use super::lexer::Token;
use crate::span::Span;
use std::fmt::Write;

/// One token per line: its span, then its kind and value.
pub fn dump_tokens(tokens: &[(Token, Span)]) -> String {
    let mut out = String::new();
    for (token, span) in tokens {
        let kind = match token {
            Token::Int(n) => format!("Int {n}"),
            Token::Num(x) => format!("Num {x:?}"),
            Token::Str(s) => format!("Str {s:?}"),
            Token::Ident(name) => format!("Ident {name}"),
            Token::Keyword(k) => format!("Keyword {}", k.as_str()),
            Token::Error => "Error".to_string(),
            other => format!("Symbol {other}"),
        };
        let _ = writeln!(out, "{span} {kind}");
    }
    out
}

/// The tree, one node per line, in source order.
pub fn dump_ast(program: &Program) -> String {
    let mut p = Printer { out: String::new() };
    p.line(0, "Program");
    for item in &program.items {
        p.item(1, item);
    }
    p.out
}

struct Printer {
    out: String,
}

impl Printer {
    fn line(&mut self, depth: usize, text: &str) {
        // Not `{:width$}`: a width is at most `u16::MAX`.
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "{text}");
    }

    fn ident(&mut self, depth: usize, label: &str, ident: &Ident) {
        self.line(depth, &format!("{label} {} {}", ident.name, ident.span));
    }

    fn item(&mut self, d: usize, item: &Item) {
        let span = item.span;
        match &item.kind {
            ItemKind::Use(UseTarget::Module(path)) => {
                self.line(d, &format!("Use module {span}"));
                for segment in path {
                    self.ident(d + 1, "segment", segment);
                }
            }
            ItemKind::Use(UseTarget::File {
                path,
                span: path_span,
            }) => {
                self.line(d, &format!("Use file {span}"));
                self.line(d + 1, &format!("path {path:?} {path_span}"));
            }
            ItemKind::Param { name, value } => {
                self.line(d, &format!("Param {span}"));
                self.ident(d + 1, "name", name);
                self.expr(d + 1, "value: ", value);
            }
            ItemKind::Decl {
                keyword,
                keyword_span,
                name,
                value,
            } => {
                self.line(d, &format!("Decl {} {span}", keyword.as_str()));
                self.line(d + 1, &format!("keyword {keyword_span}"));
                self.ident(d + 1, "name", name);
                self.expr(d + 1, "value: ", value);
            }
            ItemKind::Def { name, params, body } => {
                self.line(d, &format!("Def {span}"));
                self.ident(d + 1, "name", name);
                for param in params {
                    self.ident(d + 1, "param", &param.name);
                    if let Some(default) = &param.default {
                        self.expr(d + 2, "default: ", default);
                    }
                }
                self.expr(d + 1, "body: ", body);
            }
            ItemKind::Report { value } => {
                self.line(d, &format!("Report {span}"));
                self.expr(d + 1, "value: ", value);
            }
            ItemKind::Plot { value, to } | ItemKind::Save { value, to } => {
                let word = if matches!(item.kind, ItemKind::Plot { .. }) {
                    "Plot"
                } else {
                    "Save"
                };
                self.line(d, &format!("{word} {span}"));
                self.expr(d + 1, "value: ", value);
                self.expr(d + 1, "to: ", to);
            }
            ItemKind::Expr(value) => {
                self.line(d, &format!("Expr {span}"));
                self.expr(d + 1, "value: ", value);
            }
        }
    }

    fn expr(&mut self, d: usize, label: &str, expr: &Expr) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Int(n) => self.line(d, &format!("{label}Int {n} {span}")),
            ExprKind::Num(x) => self.line(d, &format!("{label}Num {x:?} {span}")),
            ExprKind::Str(s) => self.line(d, &format!("{label}Str {s:?} {span}")),
            ExprKind::Bool(b) => self.line(d, &format!("{label}Bool {b} {span}")),
            ExprKind::Name(ident) => self.line(d, &format!("{label}Name {} {span}", ident.name)),
            ExprKind::Error => self.line(d, &format!("{label}Error {span}")),
            ExprKind::List(items) => {
                self.line(d, &format!("{label}List {span}"));
                for item in items {
                    self.expr(d + 1, "item: ", item);
                }
            }
            ExprKind::Call { callee, args } => {
                self.line(d, &format!("{label}Call {span}"));
                self.ident(d + 1, "callee", callee);
                for arg in args {
                    match &arg.name {
                        None => self.expr(d + 1, "arg: ", &arg.value),
                        Some(name) => {
                            self.line(d + 1, &format!("named arg {}", arg.span));
                            self.ident(d + 2, "name", name);
                            self.expr(d + 2, "value: ", &arg.value);
                        }
                    }
                }
            }
            ExprKind::Unary { op, expr: operand } => {
                let symbol = match op {
                    UnaryOp::Neg => "-",
                };
                self.line(d, &format!("{label}Unary {symbol} {span}"));
                self.expr(d + 1, "operand: ", operand);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.line(d, &format!("{label}Binary {} {span}", op.symbol()));
                self.expr(d + 1, "lhs: ", lhs);
                self.expr(d + 1, "rhs: ", rhs);
            }
            ExprKind::Index { target, index } => {
                self.line(d, &format!("{label}Index {span}"));
                self.expr(d + 1, "target: ", target);
                self.expr(d + 1, "index: ", index);
            }
            ExprKind::Field { target, field } => {
                self.line(d, &format!("{label}Field {span}"));
                self.expr(d + 1, "target: ", target);
                self.ident(d + 1, "field", field);
            }
            ExprKind::Pipe { lhs, rhs } => {
                self.line(d, &format!("{label}Pipe {span}"));
                self.expr(d + 1, "lhs: ", lhs);
                self.expr(d + 1, "rhs: ", rhs);
            }
        }
    }
}
