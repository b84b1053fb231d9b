//! The tape stage: an objective written in the language — the first
//! argument of `minimize(expr, theta=…, x=…)` or `maximize(…)` — becomes the
//! native expression tree (`domains::expr::Expr`) while the script is
//! checked, not when it runs.
//!
//! Lowering binds `theta` and `x` as symbols, lowers and kind-checks the
//! expression, then hands its root to [`compile`]. Whatever the native tree
//! cannot hold (an index that is not a constant, a field read, a value that
//! is not a number, a function other than the math ones) is a diagnostic
//! (E0227) at the expression that caused it. The call's argument becomes an
//! `Op::Tape` node holding the tree, which the interpreter hands to the
//! builtin as a value. Shapes (the length of `theta` and `x`) are only known
//! when the arguments are evaluated, so `Program::compile` checks them then.
//!
//! [`dump`] prints every tape of a program (`check --dump tape`).

use super::graph::{Arith, Ir, NodeId, Op};
use super::signature::Const;
use crate::diagnostics::Diagnostic;
use crate::domains::expr::{BinOp, Expr, Func};
use crate::span::Span;
use std::fmt::Write;

/// Translates the objective expression rooted at `root` into the native
/// tree; `Err` holds a diagnostic for each part the tree cannot hold.
pub fn compile(ir: &Ir, root: NodeId) -> Result<Expr, Vec<Diagnostic>> {
    let mut cx = Compiler {
        ir,
        diags: Vec::new(),
    };
    match cx.expr(root) {
        Some(e) if cx.diags.is_empty() => Ok(e),
        _ => Err(cx.diags),
    }
}

struct Compiler<'i> {
    ir: &'i Ir,
    diags: Vec<Diagnostic>,
}

impl Compiler<'_> {
    fn error(&mut self, message: String, span: Span, label: &str) -> Option<Expr> {
        self.diags
            .push(Diagnostic::error("E0227", message).with_primary(span, label));
        None
    }

    /// Like the checker, a failed part yields `None` and the walk goes on,
    /// so every mistake in one objective is reported at once.
    fn expr(&mut self, id: NodeId) -> Option<Expr> {
        let node = self.ir.node(id);
        let span = node.span;
        Some(match &node.op {
            Op::Const(Const::Int(i)) => Expr::Const(*i as f64),
            Op::Const(Const::Num(x)) => Expr::Const(*x),
            Op::Const(other) => {
                return self.error(
                    format!("an objective cannot use the value {other}"),
                    span,
                    "not a number",
                )
            }
            Op::Symbol(s) if s == "theta" => Expr::Theta,
            Op::Symbol(_) => Expr::X,
            Op::List(items) => Expr::Stack(self.all(items)?),
            Op::Neg(a) => -self.expr(*a)?,
            Op::Binary { op, lhs, rhs } => {
                let (a, b) = (self.expr(*lhs), self.expr(*rhs));
                Expr::binary(native(*op), a?, b?)
            }
            Op::Index { target, index } => {
                let target = self.expr(*target);
                let i = match self.ir.const_value(*index) {
                    Some(Const::Int(i)) => i,
                    _ => {
                        return self.error(
                            "an index inside an objective must be a constant whole number"
                                .to_string(),
                            self.ir.node(*index).span,
                            "not a constant",
                        )
                    }
                };
                let Ok(i) = usize::try_from(i) else {
                    return self.error(
                        format!("index {i} is negative"),
                        span,
                        "indices start at 0",
                    );
                };
                target?.index(i)
            }
            Op::Call { builtin, args, .. } => {
                // A function the tree lacks is reported alone: what its
                // arguments hold (`range`'s `none` default, say) is beside
                // the point then.
                if let Err(e) = Func::named(builtin) {
                    return self.error(e.to_string(), span, "not allowed inside an objective");
                }
                let args = self.all(args)?;
                match Expr::call(builtin, args) {
                    Ok(e) => e,
                    Err(message) => {
                        return self.error(
                            message.to_string(),
                            span,
                            "not allowed inside an objective",
                        )
                    }
                }
            }
            Op::Field { .. } => {
                return self.error(
                    "an objective cannot read fields".to_string(),
                    span,
                    "not allowed inside an objective",
                )
            }
            // Not reached (no objective is a number, and calls other than
            // the math functions are not entered), but a tape stands for
            // its expression.
            Op::Tape { tape, .. } => (**tape).clone(),
        })
    }

    /// Every item translated (each one reported), or `None`.
    fn all(&mut self, items: &[NodeId]) -> Option<Vec<Expr>> {
        let out: Vec<Option<Expr>> = items.iter().map(|i| self.expr(*i)).collect();
        out.into_iter().collect()
    }
}

/// The native library's operator for an IR operator.
fn native(op: Arith) -> BinOp {
    match op {
        Arith::Add => BinOp::Add,
        Arith::Sub => BinOp::Sub,
        Arith::Mul => BinOp::Mul,
        Arith::Div => BinOp::Div,
        Arith::Pow => BinOp::Pow,
    }
}

/// Every tape of the program in node order: a heading with the tape's
/// node, the node it was compiled from, the call that uses it and the
/// expression, then its nodes children-first, as the native code
/// evaluates them.
pub fn dump(ir: &Ir) -> String {
    let mut out = String::new();
    for (id, node) in ir.nodes.iter().enumerate() {
        let Op::Tape { tape, source } = &node.op else {
            continue;
        };
        let user = ir.nodes.iter().position(|n| match &n.op {
            Op::Call { args, .. } => args.contains(&id),
            _ => false,
        });
        let used_by = user.map_or_else(String::new, |u| format!(" for {}", ir.label(u)));
        let _ = writeln!(out, "tape %{id} from %{source}{used_by}: {tape}");
        let mut lines = Vec::new();
        listing(tape, &mut lines);
        for (i, line) in lines.iter().enumerate() {
            let _ = writeln!(out, "  t{i} = {line}");
        }
    }
    out
}

/// Appends the nodes of `e` children-first; returns the index of `e`'s own line.
fn listing(e: &Expr, lines: &mut Vec<String>) -> usize {
    let operands = |items: &[Expr], lines: &mut Vec<String>| {
        items
            .iter()
            .map(|a| format!("t{}", listing(a, lines)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let line = match e {
        Expr::Const(v) => format!("{v}"),
        Expr::Theta => "theta".to_string(),
        Expr::X => "x".to_string(),
        Expr::Stack(items) => format!("[{}]", operands(items, lines)),
        Expr::Index(a, i) => format!("t{}[{i}]", listing(a, lines)),
        Expr::Neg(a) => format!("-t{}", listing(a, lines)),
        Expr::Binary(op, a, b) => {
            let (a, b) = (listing(a, lines), listing(b, lines));
            format!("t{a} {} t{b}", op.symbol())
        }
        Expr::Call(f, args) => format!("{}({})", f.name(), operands(args, lines)),
    };
    lines.push(line);
    lines.len() - 1
}
