//! `optimist fmt`: one canonical layout for scripts.
//!
//! The formatter prints the syntax tree again, so the layout of the input
//! does not matter (only its meaning and its comments do): an item per
//! line, single spaces around binary operators and `|>`, `name=value` for
//! named arguments, no alignment. An item wider than [`WIDTH`] breaks its
//! outermost bracket or pipe first, one element per line with a trailing
//! comma. Parentheses are reinserted exactly where precedence needs them,
//! literals are copied from the source (`1e-3` stays `1e-3`), and at most
//! one blank line separates items, where the input had one.
//!
//! The lexer drops comments, so they are found again by scanning the source
//! ([`scan_comments`]) and put back at *slots*: before and after items, and
//! before and after each element of an argument list, a list, a `def`'s
//! parameters and a pipe chain. A comment sits in the first slot at or after
//! its position, so its order among the others never changes; one that was
//! inside an item's head (`param # why` ...) moves above the item, and one
//! inside an expression that has no slot moves to the end of its line.
//! Formatting is idempotent: a formatted file formats to itself.

pub mod doc;

use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};
use crate::syntax::ast::{
    Arg, BinOp, DefParam, Expr, ExprKind, Item, ItemKind, UnaryOp, UseTarget,
};
use crate::syntax::precedence::{NEG, PIPE, POSTFIX, POWER};
use crate::syntax::Token;
use doc::{concat, group, nest, text, Doc};

/// The widest line the formatter aims for.
pub const WIDTH: usize = 100;

/// A `#` comment of the source: its byte range and whether code precedes it
/// on its line.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
    pub own_line: bool,
}

/// Formats a script. `Err` holds the syntax errors when it does not parse:
/// a broken file is never rewritten.
pub fn format_source(src: SourceId, source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::syntax::parse(src, source);
    match parsed.program {
        Some(program) if parsed.diagnostics.is_empty() => {
            Ok(Formatter::new(source).program(&program.items))
        }
        _ => Err(parsed.diagnostics),
    }
}

/// Formats REPL items (no bare expressions expected, but they are printed
/// as they are) that are known to parse: `:save` writes the session with it.
pub fn format_items(source: &str, items: &[Item]) -> String {
    Formatter::new(source).program(items)
}

/// Every `#` comment outside strings, in order. Strings end at their line,
/// as in the lexer, so a stray quote cannot hide the rest of the file.
pub fn scan_comments(source: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut line_has_code = false;
    let mut chars = source.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' => {
                in_string = false;
                line_has_code = false;
            }
            '\\' if in_string => {
                chars.next();
            }
            '"' => {
                in_string = !in_string;
                line_has_code = true;
            }
            '#' if !in_string => {
                let end = source[i..].find('\n').map_or(source.len(), |n| i + n);
                out.push(Comment {
                    start: i,
                    end: i + source[i..end].trim_end().len(),
                    own_line: !line_has_code,
                });
                // The newline itself still resets the line state.
                while chars.as_str().starts_with(|ch| ch != '\n') {
                    chars.next();
                }
            }
            c if !c.is_whitespace() => line_has_code = true,
            _ => {}
        }
    }
    out
}

struct Formatter<'a> {
    source: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet printed.
    next: usize,
}

/// How tightly `e` binds (`syntax::precedence`, shared with the parser).
fn prec(e: &Expr) -> u16 {
    e.kind.precedence()
}

/// One element of a bracketed list, as the formatter needs it.
enum Element<'e> {
    Expr(&'e Expr),
    Arg(&'e Arg),
    Param(&'e DefParam),
}

impl Element<'_> {
    fn span(&self) -> Span {
        match self {
            Element::Expr(e) => e.span,
            Element::Arg(a) => a.span,
            Element::Param(p) => match &p.default {
                Some(d) => p.name.span.to(d.span),
                None => p.name.span,
            },
        }
    }
}

impl<'a> Formatter<'a> {
    fn new(source: &'a str) -> Self {
        Formatter {
            source,
            comments: scan_comments(source),
            next: 0,
        }
    }

    fn comment_text(&self, c: &Comment) -> &'a str {
        &self.source[c.start..c.end]
    }

    /// Takes the comments that start before `pos`.
    fn take_before(&mut self, pos: usize) -> Vec<Comment> {
        let from = self.next;
        while self.next < self.comments.len() && self.comments[self.next].start < pos {
            self.next += 1;
        }
        self.comments[from..self.next].to_vec()
    }

    /// Whether a line break separates `a` from `b`.
    fn same_line(&self, a: usize, b: usize) -> bool {
        !self.source[a.min(b)..a.max(b)].contains('\n')
    }

    /// Whether the source has an empty line between `a` and `b`.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        let gap = &self.source[a.min(b)..b];
        let mut lines = gap.split('\n');
        lines.next();
        let mut inner: Vec<&str> = lines.collect();
        inner.pop();
        inner.iter().any(|l| l.trim().is_empty())
    }

    /// Comments before `pos`, each on its own line, ending with a break.
    fn leading(&mut self, pos: usize) -> Vec<Doc> {
        let mut out = Vec::new();
        for c in self.take_before(pos) {
            out.push(text(self.comment_text(&c)));
            out.push(Doc::HardLine);
        }
        out
    }

    /// The comments that belong after the thing ending at `end`: those left
    /// inside it, and one that follows it on its line (but not past
    /// `limit`). The first goes at the end of the line, the others on lines
    /// of their own; a break must follow.
    fn trailing(&mut self, end: usize, limit: usize) -> Vec<Doc> {
        let mut out = Vec::new();
        while self.next < self.comments.len() {
            let c = self.comments[self.next].clone();
            let inside = c.start < end;
            let on_the_line = c.start < limit && self.same_line(end, c.start);
            if !inside && !on_the_line {
                break;
            }
            self.next += 1;
            if out.is_empty() {
                out.push(text(format!(" {}", self.comment_text(&c))));
            } else {
                out.push(Doc::HardLine);
                out.push(text(self.comment_text(&c)));
            }
            if on_the_line {
                break;
            }
        }
        if !out.is_empty() {
            out.push(Doc::BreakParent);
        }
        out
    }

    fn program(&mut self, items: &[Item]) -> String {
        let mut out = String::new();
        // The end of the last thing printed, in the source.
        let mut prev: Option<usize> = None;
        for item in items {
            for c in self.take_before(item.span.start) {
                if prev.is_some_and(|p| self.blank_between(p, c.start)) {
                    out.push('\n');
                }
                out.push_str(self.comment_text(&c));
                out.push('\n');
                prev = Some(c.end);
            }
            if prev.is_some_and(|p| self.blank_between(p, item.span.start)) {
                out.push('\n');
            }
            let next_start = self.source.len();
            let mut parts = vec![self.item(item)];
            parts.extend(self.trailing(item.span.end, next_start));
            out.push_str(&doc::render(&concat(parts), WIDTH));
            out.push('\n');
            prev = Some(item.span.end.max(self.printed_up_to(item.span.end)));
        }
        for c in self.take_before(usize::MAX) {
            if prev.is_some_and(|p| self.blank_between(p, c.start)) {
                out.push('\n');
            }
            out.push_str(self.comment_text(&c));
            out.push('\n');
            prev = Some(c.end);
        }
        out
    }

    /// The source end of the last comment printed, if it lies past `pos`.
    fn printed_up_to(&self, pos: usize) -> usize {
        match self.next.checked_sub(1).map(|i| &self.comments[i]) {
            Some(c) if c.end > pos => c.end,
            _ => pos,
        }
    }

    fn slice(&self, span: Span) -> &'a str {
        &self.source[span.range()]
    }

    /// A literal as written. Its span may include the parentheses around
    /// it, so the literal is the first token that is not one.
    fn literal(&self, span: Span) -> Option<&'a str> {
        let written = self.slice(span);
        let (tokens, _) = crate::syntax::lex(span.src, written);
        tokens
            .into_iter()
            .find(|(t, _)| *t != Token::LParen)
            .map(|(_, s)| &written[s.range()])
    }

    fn item(&mut self, item: &Item) -> Doc {
        // Comments inside the head of an item have no place there: they go
        // above it.
        let head_end = match &item.kind {
            ItemKind::Param { value, .. } | ItemKind::Decl { value, .. } => value.span.start,
            ItemKind::Report { value } | ItemKind::Plot { value, .. } => value.span.start,
            ItemKind::Save { value, .. } => value.span.start,
            ItemKind::Def { name, .. } => name.span.end,
            ItemKind::Use(_) | ItemKind::Expr(_) => item.span.start,
        };
        let mut parts = self.leading(head_end);
        let body = match &item.kind {
            ItemKind::Use(UseTarget::Module(path)) => {
                let names: Vec<&str> = path.iter().map(|p| p.name.as_str()).collect();
                text(format!("use {}", names.join(".")))
            }
            ItemKind::Use(UseTarget::File { span, .. }) => {
                text(format!("use {}", self.slice(*span)))
            }
            ItemKind::Param { name, value } => {
                let v = self.expr(value);
                concat(vec![text(format!("param {} = ", name.name)), v])
            }
            ItemKind::Decl {
                keyword,
                name,
                value,
                ..
            } => {
                let v = self.expr(value);
                concat(vec![
                    text(format!("{} {} = ", keyword.as_str(), name.name)),
                    v,
                ])
            }
            ItemKind::Def { name, params, body } => {
                let elements: Vec<Element> = params.iter().map(Element::Param).collect();
                let list = self.bracketed(
                    &format!("def {}(", name.name),
                    &elements,
                    ")",
                    body.span.start,
                );
                let b = self.expr(body);
                concat(vec![list, text(" = "), b])
            }
            ItemKind::Report { value } => {
                let v = self.expr(value);
                concat(vec![text("report "), v])
            }
            ItemKind::Plot { value, to } => self.command("plot", value, to),
            ItemKind::Save { value, to } => self.command("save", value, to),
            ItemKind::Expr(e) => self.expr(e),
        };
        parts.push(body);
        concat(parts)
    }

    fn command(&mut self, keyword: &str, value: &Expr, to: &Expr) -> Doc {
        let v = self.expr(value);
        let t = self.expr(to);
        concat(vec![text(format!("{keyword} ")), v, text(" to "), t])
    }

    /// `open` elements `close`, flat or one element per line with a
    /// trailing comma; comments sit before and after elements.
    fn bracketed(
        &mut self,
        open: &str,
        elements: &[Element],
        close: &'static str,
        close_at: usize,
    ) -> Doc {
        if elements.is_empty() {
            return text(format!("{open}{close}"));
        }
        let mut inner = vec![Doc::SoftLine];
        for (i, el) in elements.iter().enumerate() {
            let span = el.span();
            inner.extend(self.leading(span.start));
            inner.push(self.element(el));
            let last = i + 1 == elements.len();
            let limit = if last {
                close_at
            } else {
                elements[i + 1].span().start
            };
            inner.push(if last { Doc::IfBreak(",") } else { text(",") });
            inner.extend(self.trailing(span.end, limit));
            if last {
                for c in self.take_before(close_at) {
                    inner.push(Doc::HardLine);
                    inner.push(text(self.comment_text(&c)));
                }
            } else {
                inner.push(Doc::Line);
            }
        }
        group(concat(vec![
            text(open),
            nest(concat(inner)),
            Doc::SoftLine,
            text(close),
        ]))
    }

    fn element(&mut self, el: &Element) -> Doc {
        match el {
            Element::Expr(e) => self.expr(e),
            Element::Arg(a) => {
                let v = self.expr(&a.value);
                match &a.name {
                    Some(n) => concat(vec![text(format!("{}=", n.name)), v]),
                    None => v,
                }
            }
            Element::Param(p) => match &p.default {
                Some(d) => {
                    let v = self.expr(d);
                    concat(vec![text(format!("{}=", p.name.name)), v])
                }
                None => text(p.name.name.clone()),
            },
        }
    }

    /// `e`, in parentheses when `paren`.
    fn operand(&mut self, e: &Expr, paren: bool) -> Doc {
        let d = self.expr(e);
        if paren {
            concat(vec![text("("), d, text(")")])
        } else {
            d
        }
    }

    fn expr(&mut self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Num(_) | ExprKind::Bool(_) | ExprKind::Error => {
                text(self.literal(e.span).unwrap_or_else(|| self.slice(e.span)))
            }
            ExprKind::Str(s) => match self.literal(e.span) {
                Some(written) if written.starts_with('"') => text(written),
                _ => text(quote(s)),
            },
            ExprKind::Name(i) => text(i.name.clone()),
            ExprKind::List(items) => {
                let elements: Vec<Element> = items.iter().map(Element::Expr).collect();
                self.bracketed("[", &elements, "]", e.span.end.saturating_sub(1))
            }
            ExprKind::Call { callee, args } => {
                let elements: Vec<Element> = args.iter().map(Element::Arg).collect();
                self.bracketed(
                    &format!("{}(", callee.name),
                    &elements,
                    ")",
                    e.span.end.saturating_sub(1),
                )
            }
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } => {
                let inner = self.operand(expr, prec(expr) < NEG);
                // `- -x`, not `--x`.
                let sign = if matches!(expr.kind, ExprKind::Unary { .. }) {
                    "- "
                } else {
                    "-"
                };
                concat(vec![text(sign), inner])
            }
            ExprKind::Binary {
                op: BinOp::Pow,
                lhs,
                rhs,
            } => {
                // Right-associative, and its right operand may start with a
                // minus: `2 ^ -x ^ 2`.
                let l = self.operand(lhs, prec(lhs) <= POWER);
                let r = self.operand(rhs, prec(rhs) < NEG);
                concat(vec![l, text(" ^ "), r])
            }
            ExprKind::Binary { op, .. } => self.chain(e, op.precedence()),
            ExprKind::Index { target, index } => {
                let t = self.postfix_target(target);
                let i = self.expr(index);
                concat(vec![t, text("["), i, text("]")])
            }
            ExprKind::Field { target, field } => {
                let t = self.postfix_target(target);
                concat(vec![t, text(format!(".{}", field.name))])
            }
            ExprKind::Pipe { .. } => self.pipe(e),
        }
    }

    fn postfix_target(&mut self, target: &Expr) -> Doc {
        // `(3).x`: a number glued to `.` would read as a malformed fraction.
        let number = matches!(target.kind, ExprKind::Int(_) | ExprKind::Num(_));
        self.operand(target, prec(target) < POSTFIX || number)
    }

    /// A left-associative chain of operators of one precedence level,
    /// breaking after the operators when it does not fit.
    fn chain(&mut self, e: &Expr, level: u16) -> Doc {
        let mut operands = Vec::new();
        let mut ops = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary { op, lhs, rhs } = &cur.kind {
            if op.precedence() != level || *op == BinOp::Pow {
                break;
            }
            operands.push(rhs.as_ref());
            ops.push(*op);
            cur = lhs;
        }
        operands.push(cur);
        operands.reverse();
        ops.reverse();
        let first = self.operand(operands[0], prec(operands[0]) < level);
        let mut rest = Vec::new();
        for (op, rhs) in ops.iter().zip(&operands[1..]) {
            rest.push(text(format!(" {}", op.symbol())));
            rest.push(Doc::Line);
            rest.push(self.operand(rhs, prec(rhs) <= level));
        }
        group(concat(vec![first, nest(concat(rest))]))
    }

    /// `a |> f |> g`, or one stage per line.
    fn pipe(&mut self, e: &Expr) -> Doc {
        let mut stages = Vec::new();
        let mut cur = e;
        while let ExprKind::Pipe { lhs, rhs } = &cur.kind {
            stages.push(rhs.as_ref());
            cur = lhs;
        }
        stages.push(cur);
        stages.reverse();
        let first = self.expr(stages[0]);
        let mut rest = Vec::new();
        for (i, stage) in stages.iter().enumerate().skip(1) {
            rest.extend(self.trailing(stages[i - 1].span.end, stage.span.start));
            rest.push(Doc::Line);
            rest.extend(self.leading(stage.span.start));
            rest.push(text("|> "));
            rest.push(self.operand(stage, prec(stage) <= PIPE));
        }
        group(concat(vec![first, nest(concat(rest))]))
    }
}

/// A string literal with the language's four escapes.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        match format_source(SourceId(0), s) {
            Ok(out) => out,
            Err(d) => panic!("{s}: {d:?}"),
        }
    }

    #[test]
    fn comments_are_found_outside_strings_only() {
        let src = "let a = \"# no\" # yes\n# own\nlet b = \"\\\"#\" #x";
        let cs = scan_comments(src);
        let texts: Vec<&str> = cs.iter().map(|c| &src[c.start..c.end]).collect();
        assert_eq!(texts, ["# yes", "# own", "#x"]);
        assert_eq!(
            cs.iter().map(|c| c.own_line).collect::<Vec<_>>(),
            [false, true, false]
        );
    }

    #[test]
    fn precedence_decides_the_parentheses() {
        assert_eq!(fmt("let a = (a+b)*c"), "let a = (a + b) * c\n");
        assert_eq!(fmt("let a = a-(b-c)"), "let a = a - (b - c)\n");
        assert_eq!(fmt("let a = (a-b)-c"), "let a = a - b - c\n");
        assert_eq!(fmt("let a = (-x)^2"), "let a = (-x) ^ 2\n");
        assert_eq!(fmt("let a = -x^2"), "let a = -x ^ 2\n");
        assert_eq!(fmt("let a = (2^3)^2"), "let a = (2 ^ 3) ^ 2\n");
        assert_eq!(fmt("let a = 2^3^2"), "let a = 2 ^ 3 ^ 2\n");
        assert_eq!(fmt("let a = 2^-x^2"), "let a = 2 ^ -x ^ 2\n");
        assert_eq!(fmt("let a = - -x"), "let a = - -x\n");
        assert_eq!(fmt("let a = -(a+b)"), "let a = -(a + b)\n");
        assert_eq!(fmt("let a = (a+b).c[0]"), "let a = (a + b).c[0]\n");
        assert_eq!(fmt("let a = a |> (b |> f)"), "let a = a |> (b |> f)\n");
        assert_eq!(fmt("let a = (a |> f) + 1"), "let a = (a |> f) + 1\n");
        assert_eq!(fmt("let a = (3).x"), "let a = (3).x\n");
    }

    #[test]
    fn literals_are_copied_as_written() {
        assert_eq!(
            fmt("let a=[1e-3,2.50,\"a\\tb\",true]"),
            "let a = [1e-3, 2.50, \"a\\tb\", true]\n"
        );
    }

    #[test]
    fn long_items_break_their_outermost_bracket() {
        let src = format!(
            "report compare([{}], on=ttt, n=200)",
            ["uct_with_a_long_name"; 4].join(", ")
        );
        assert_eq!(
            fmt(&src),
            "report compare(\n    [uct_with_a_long_name, uct_with_a_long_name, uct_with_a_long_name, uct_with_a_long_name],\n    on=ttt,\n    n=200,\n)\n"
        );
    }
}
