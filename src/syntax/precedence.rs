//! How tightly each operator binds: the one table that the parser's
//! `pratt` binding powers and the formatter's parentheses both read, so
//! that what `fmt` prints always parses back to the same tree.

use super::ast::{BinOp, ExprKind};

/// `a |> f(b)`: the loosest.
pub const PIPE: u16 = 1;
/// `+ -`, left-associative.
pub const SUM: u16 = 2;
/// `* /`, left-associative.
pub const PRODUCT: u16 = 3;
/// Unary minus: `-a * b` is `(-a) * b`, `-a ^ 2` is `-(a ^ 2)`.
pub const NEG: u16 = 4;
/// `^`, right-associative.
pub const POWER: u16 = 5;
/// Calls, `v[i]`, `r.field`.
pub const POSTFIX: u16 = 6;
/// Literals, names, lists and groups: never need parentheses.
pub const ATOM: u16 = 7;

impl BinOp {
    pub fn precedence(self) -> u16 {
        match self {
            BinOp::Add | BinOp::Sub => SUM,
            BinOp::Mul | BinOp::Div => PRODUCT,
            BinOp::Pow => POWER,
        }
    }
}

impl ExprKind {
    /// How tightly the expression binds as an operand of another.
    pub fn precedence(&self) -> u16 {
        match self {
            ExprKind::Pipe { .. } => PIPE,
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Unary { .. } => NEG,
            ExprKind::Call { .. } | ExprKind::Index { .. } | ExprKind::Field { .. } => POSTFIX,
            _ => ATOM,
        }
    }
}
