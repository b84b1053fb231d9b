//! Why an objective written in the language is refused: a call the
//! language does not know, a shape that does not fit, or a decision or
//! instance distribution that is malformed. Shape errors keep the
//! expression at fault, which is also what their message quotes.

use std::fmt;

use super::{Expr, Func};

/// Why an objective cannot be built or compiled.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprError {
    /// A call of a function objectives do not have.
    UnknownFunction { name: String },
    /// A call by name with too few or too many arguments.
    ArgumentCount { func: Func, found: usize },
    /// A call node with too few or too many arguments, found while
    /// compiling `expr`.
    ArgumentCountIn {
        func: Func,
        found: usize,
        expr: Expr,
    },
    /// `x` is used but no instance distribution was given.
    NoInstances,
    /// `[]`.
    EmptyStack,
    /// `[…]` given a vector `item` of length `len` in `expr`.
    StackOfVector { expr: Expr, item: Expr, len: usize },
    /// `v[index]` past the end of a value of length `len`.
    IndexOutOfRange {
        expr: Expr,
        index: usize,
        len: usize,
    },
    /// An elementwise operation (`op`: sum, product, min, dot, …) of
    /// vectors whose lengths neither match nor broadcast.
    ShapeMismatch {
        expr: Expr,
        op: &'static str,
        left: usize,
        right: usize,
    },
    /// The objective is a vector of length `len`, not a scalar.
    NotScalar { expr: Expr, len: usize },
    /// `theta` has no coordinates.
    ThetaDim,
    /// `theta`'s box is empty or NaN.
    ThetaBounds { lo: f64, hi: f64 },
    /// `x` has no coordinates.
    InstanceDim,
    /// `x = normal(mean, std)` with a mean or std that is not finite, or a
    /// negative std.
    Normal { mean: f64, std: f64 },
    /// `x = uniform(lo, hi)` with a bound that is not finite, or `lo > hi`.
    Uniform { lo: f64, hi: f64 },
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExprError::UnknownFunction { name } => {
                let known: Vec<&str> = Func::names().collect();
                write!(
                    f,
                    "unknown function `{name}` in an objective; known: {}",
                    known.join(", ")
                )
            }
            ExprError::ArgumentCount { func, found } => {
                let (lo, hi) = func.arity();
                let want = if lo == hi {
                    format!("{lo}")
                } else {
                    format!("{lo} or {hi}")
                };
                write!(f, "`{}` takes {want} argument(s), got {found}", func.name())
            }
            ExprError::ArgumentCountIn { func, found, expr } => {
                let (lo, hi) = func.arity();
                write!(
                    f,
                    "`{}` takes {lo}..={hi} arguments, got {found} in `{expr}`",
                    func.name()
                )
            }
            ExprError::NoInstances => write!(
                f,
                "the objective uses `x` but no instance distribution was given (x = normal(…) or uniform(…))"
            ),
            ExprError::EmptyStack => write!(f, "shape error: `[]` is an empty vector"),
            ExprError::StackOfVector { expr, item, len } => write!(
                f,
                "shape error in `{expr}`: `{item}` is a vector of length {len}; `[…]` stacks scalars"
            ),
            ExprError::IndexOutOfRange { expr, index, len } => {
                let what = if *len == 1 {
                    "a scalar".to_string()
                } else {
                    format!("a vector of length {len}")
                };
                write!(
                    f,
                    "shape error in `{expr}`: index {index} is out of range for {what}"
                )
            }
            ExprError::ShapeMismatch {
                expr,
                op,
                left,
                right,
            } => write!(
                f,
                "shape error in `{expr}`: {op} of vectors of lengths {left} and {right}"
            ),
            ExprError::NotScalar { expr, len } => write!(
                f,
                "an objective must be a scalar, but `{expr}` is a vector of length {len}; reduce it with sum, mean, norm, …"
            ),
            ExprError::ThetaDim => write!(f, "theta: dim must be ≥ 1"),
            ExprError::ThetaBounds { lo, hi } => {
                write!(f, "theta: need lo < hi, got lo = {lo}, hi = {hi}")
            }
            ExprError::InstanceDim => write!(f, "x: dim must be ≥ 1"),
            ExprError::Normal { mean, std } => write!(
                f,
                "x = normal({mean}, {std}): need a finite mean and a finite std ≥ 0"
            ),
            ExprError::Uniform { lo, hi } => {
                write!(f, "x = uniform({lo}, {hi}): need finite lo ≤ hi")
            }
        }
    }
}

impl std::error::Error for ExprError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::expr::{ExprProblem, ThetaSpec};

    #[test]
    fn errors_keep_the_expression_at_fault_and_their_words() {
        let e = Expr::call("sum", vec![Expr::Theta.index(3)]).unwrap();
        let err = ExprProblem::minimize(e, ThetaSpec::new(3), None).unwrap_err();
        assert_eq!(
            err,
            ExprError::IndexOutOfRange {
                expr: Expr::Theta.index(3),
                index: 3,
                len: 3,
            }
        );
        assert_eq!(
            err.to_string(),
            "shape error in `theta[3]`: index 3 is out of range for a vector of length 3"
        );
        let err = Expr::call("dot", vec![Expr::Theta]).unwrap_err();
        assert_eq!(err.to_string(), "`dot` takes 2 argument(s), got 1");
        let err = Expr::call("min", vec![]).unwrap_err();
        assert_eq!(err.to_string(), "`min` takes 1 or 2 argument(s), got 0");
    }
}
