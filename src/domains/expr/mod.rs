//! Objectives written in the language — `minimize(expr, theta=vec(d, lo=,
//! hi=), x=normal(μ, σ, dim=))` — as a native expression tree that is
//! shape-checked once, then evaluated and differentiated without the
//! interpreter.
//!
//! The language's checker builds the user's expression as an `Expr`
//! (constants, `theta`, `x`, stacking `[a, b]`, indexing `v[i]`, `+ − * / ^`
//! with scalar↔vector broadcasting, unary minus, and the functions listed
//! in `Func`). `Program::compile` checks every shape — a mismatch is an `Err`,
//! never a panic later — and flattens the tree into a tape in evaluation
//! order, each node owning a fixed slice of one value buffer. Evaluation
//! walks the tape forward; the gradient with respect to `θ` is reverse-mode
//! automatic differentiation: one backward walk over an adjoint buffer of
//! the same layout, skipping nodes that do not depend on `θ`. Both buffers
//! live in a reusable `Workspace`, so an evaluation allocates nothing.
//!
//! `ExprProblem` wraps a program as a `ContinuousProblem`, with `x` drawn
//! from `normal(μ, σ, dim)` or `uniform(lo, hi, dim)`, or absent (a single
//! problem rather than a family).

use crate::domains::continuous::{Bounds, ContinuousProblem, Sense};
use crate::rng::Rng;
use std::cell::RefCell;
use std::fmt;

mod error;
mod tape;
pub use error::ExprError;
pub use tape::{Program, Workspace};

/// A user objective before checking (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(f64),
    /// The decision, a vector of `theta_dim` entries.
    Theta,
    /// The instance, a vector of `instance_dim` entries.
    X,
    /// `[a, b, …]`: scalars stacked into a vector.
    Stack(Vec<Expr>),
    /// `v[i]`, zero-based.
    Index(Box<Expr>, usize),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }
}

/// The functions an objective may call. `min`/`max` with one argument
/// reduce a vector; with two they compare elementwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Sum,
    Mean,
    Min,
    Max,
    Abs,
    Sqrt,
    Exp,
    Log,
    Sin,
    Cos,
    Tanh,
    Dot,
    Norm,
}

const FUNCS: [Func; 13] = [
    Func::Sum,
    Func::Mean,
    Func::Min,
    Func::Max,
    Func::Abs,
    Func::Sqrt,
    Func::Exp,
    Func::Log,
    Func::Sin,
    Func::Cos,
    Func::Tanh,
    Func::Dot,
    Func::Norm,
];

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Sum => "sum",
            Func::Mean => "mean",
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Sqrt => "sqrt",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tanh => "tanh",
            Func::Dot => "dot",
            Func::Norm => "norm",
        }
    }

    /// The function called `name`, if any.
    pub fn from_name(name: &str) -> Option<Func> {
        FUNCS.into_iter().find(|f| f.name() == name)
    }

    /// The function called `name`, or an error that lists the known ones.
    pub fn named(name: &str) -> Result<Func, ExprError> {
        Func::from_name(name).ok_or_else(|| ExprError::UnknownFunction {
            name: name.to_string(),
        })
    }

    /// Every function name, for "did you mean" messages and completion.
    pub fn names() -> impl Iterator<Item = &'static str> {
        FUNCS.into_iter().map(Func::name)
    }

    /// The allowed argument counts.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::Min | Func::Max => (1, 2),
            Func::Dot => (2, 2),
            _ => (1, 1),
        }
    }
}

impl Expr {
    pub fn constant(v: f64) -> Expr {
        Expr::Const(v)
    }

    pub fn index(self, i: usize) -> Expr {
        Expr::Index(Box::new(self), i)
    }

    pub fn pow(self, e: Expr) -> Expr {
        Expr::Binary(BinOp::Pow, Box::new(self), Box::new(e))
    }

    pub fn binary(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// A call by name, checking the name and the number of arguments.
    pub fn call(name: &str, args: Vec<Expr>) -> Result<Expr, ExprError> {
        let f = Func::named(name)?;
        let (lo, hi) = f.arity();
        if args.len() < lo || args.len() > hi {
            return Err(ExprError::ArgumentCount {
                func: f,
                found: args.len(),
            });
        }
        Ok(Expr::Call(f, args))
    }

    /// Whether the expression mentions `x`.
    pub fn uses_x(&self) -> bool {
        match self {
            Expr::X => true,
            Expr::Const(_) | Expr::Theta => false,
            Expr::Stack(v) | Expr::Call(_, v) => v.iter().any(Expr::uses_x),
            Expr::Index(a, _) | Expr::Neg(a) => a.uses_x(),
            Expr::Binary(_, a, b) => a.uses_x() || b.uses_x(),
        }
    }

    /// The value of an expression free of `theta` and `x`, if it is one
    /// scalar built from constants (used to specialize `^ constant`).
    fn constant_value(&self) -> Option<f64> {
        match self {
            Expr::Const(v) => Some(*v),
            Expr::Neg(a) => a.constant_value().map(|v| -v),
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.constant_value()?, b.constant_value()?);
                Some(match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Pow => a.powf(b),
                })
            }
            _ => None,
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(BinOp::Add | BinOp::Sub, ..) => 1,
            Expr::Binary(BinOp::Mul | BinOp::Div, ..) => 2,
            Expr::Neg(_) => 3,
            Expr::Binary(BinOp::Pow, ..) => 4,
            Expr::Const(v) if *v < 0.0 => 3,
            _ => 5,
        }
    }
}

macro_rules! expr_op {
    ($trait:ident, $method:ident, $op:expr) => {
        impl std::ops::$trait for Expr {
            type Output = Expr;
            fn $method(self, rhs: Expr) -> Expr {
                Expr::binary($op, self, rhs)
            }
        }
    };
}
expr_op!(Add, add, BinOp::Add);
expr_op!(Sub, sub, BinOp::Sub);
expr_op!(Mul, mul, BinOp::Mul);
expr_op!(Div, div, BinOp::Div);

impl std::ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Neg(Box::new(self))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paren = |f: &mut fmt::Formatter<'_>, e: &Expr, min: u8| {
            if e.precedence() < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        };
        let list = |f: &mut fmt::Formatter<'_>, v: &[Expr]| {
            for (i, e) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{e}")?;
            }
            Ok(())
        };
        match self {
            Expr::Const(v) => write!(f, "{v}"),
            Expr::Theta => write!(f, "theta"),
            Expr::X => write!(f, "x"),
            Expr::Stack(v) => {
                write!(f, "[")?;
                list(f, v)?;
                write!(f, "]")
            }
            Expr::Index(a, i) => {
                paren(f, a, 5)?;
                write!(f, "[{i}]")
            }
            Expr::Neg(a) => {
                write!(f, "-")?;
                paren(f, a, 4)
            }
            Expr::Binary(op, a, b) => {
                let p = match op {
                    BinOp::Add | BinOp::Sub => 1,
                    BinOp::Mul | BinOp::Div => 2,
                    BinOp::Pow => 4,
                };
                // `-` and `/` are left-associative, `^` right-associative.
                let (pa, pb) = match op {
                    BinOp::Pow => (p + 1, p),
                    BinOp::Sub | BinOp::Div => (p, p + 1),
                    _ => (p, p),
                };
                paren(f, a, pa)?;
                write!(f, " {} ", op.symbol())?;
                paren(f, b, pb)
            }
            Expr::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                list(f, args)?;
                write!(f, ")")
            }
        }
    }
}

/// The distribution instances `x` are drawn from.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceDist {
    /// `normal(mean, std, dim)`: independent entries.
    Normal { mean: f64, std: f64, dim: usize },
    /// `uniform(lo, hi, dim)`: independent entries.
    Uniform { lo: f64, hi: f64, dim: usize },
}

impl InstanceDist {
    pub fn dim(&self) -> usize {
        match self {
            InstanceDist::Normal { dim, .. } | InstanceDist::Uniform { dim, .. } => *dim,
        }
    }

    fn check(&self) -> Result<(), ExprError> {
        match *self {
            _ if self.dim() == 0 => Err(ExprError::InstanceDim),
            InstanceDist::Normal { mean, std, .. }
                if !(mean.is_finite() && std.is_finite() && std >= 0.0) =>
            {
                Err(ExprError::Normal { mean, std })
            }
            InstanceDist::Uniform { lo, hi, .. }
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) =>
            {
                Err(ExprError::Uniform { lo, hi })
            }
            _ => Ok(()),
        }
    }
}

/// The decision `theta = vec(dim, lo=, hi=)`; unbounded by default.
#[derive(Clone, Debug, PartialEq)]
pub struct ThetaSpec {
    pub dim: usize,
    pub lo: f64,
    pub hi: f64,
}

impl ThetaSpec {
    pub fn new(dim: usize) -> Self {
        ThetaSpec {
            dim,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
        }
    }

    pub fn bounded(dim: usize, lo: f64, hi: f64) -> Self {
        ThetaSpec { dim, lo, hi }
    }
}

/// `minimize(expr, theta=…, x=…)` or `maximize(…)` as a `ContinuousProblem`.
#[derive(Clone, Debug)]
pub struct ExprProblem {
    expr: Expr,
    program: Program,
    theta: ThetaSpec,
    x: Option<InstanceDist>,
    sense: Sense,
}

impl ExprProblem {
    /// Checks and compiles `expr`; every shape or parameter error is an `Err`.
    pub fn new(
        expr: Expr,
        sense: Sense,
        theta: ThetaSpec,
        x: Option<InstanceDist>,
    ) -> Result<Self, ExprError> {
        if theta.dim == 0 {
            return Err(ExprError::ThetaDim);
        }
        if theta.lo.is_nan() || theta.hi.is_nan() || theta.lo >= theta.hi {
            return Err(ExprError::ThetaBounds {
                lo: theta.lo,
                hi: theta.hi,
            });
        }
        if let Some(d) = &x {
            d.check()?;
        }
        let x_dim = x.as_ref().map(InstanceDist::dim);
        let program = Program::compile(&expr, theta.dim, x_dim)?;
        Ok(ExprProblem {
            expr,
            program,
            theta,
            x,
            sense,
        })
    }

    pub fn minimize(
        expr: Expr,
        theta: ThetaSpec,
        x: Option<InstanceDist>,
    ) -> Result<Self, ExprError> {
        ExprProblem::new(expr, Sense::Minimize, theta, x)
    }

    pub fn maximize(
        expr: Expr,
        theta: ThetaSpec,
        x: Option<InstanceDist>,
    ) -> Result<Self, ExprError> {
        ExprProblem::new(expr, Sense::Maximize, theta, x)
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The compiled tape, for callers that keep their own `Workspace`.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The same objective with its instances' spread scaled by `scale`
    /// (a normal's std, a uniform's width about its middle), for
    /// out-of-distribution tests; `None` when it has no instances.
    pub fn with_spread(&self, scale: f64) -> Option<Result<Self, ExprError>> {
        let x = match self.x.as_ref()? {
            InstanceDist::Normal { mean, std, dim } => InstanceDist::Normal {
                mean: *mean,
                std: std * scale,
                dim: *dim,
            },
            InstanceDist::Uniform { lo, hi, dim } => {
                let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0 * scale);
                InstanceDist::Uniform {
                    lo: mid - half,
                    hi: mid + half,
                    dim: *dim,
                }
            }
        };
        Some(ExprProblem::new(
            self.expr.clone(),
            self.sense,
            self.theta.clone(),
            Some(x),
        ))
    }

    fn sign(&self) -> f64 {
        match self.sense {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        }
    }
}

thread_local! {
    /// Scratch for `ContinuousProblem` calls, which take `&self`: one per
    /// thread, grown to the largest program seen, so calls allocate nothing.
    static SCRATCH: RefCell<Workspace> = RefCell::new(Workspace::default());
}

fn with_scratch<R>(program: &Program, f: impl FnOnce(&mut Workspace) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        // Only reachable if an objective were evaluated inside another.
        Err(_) => f(&mut program.workspace()),
    })
}

impl ContinuousProblem for ExprProblem {
    fn name(&self) -> String {
        let verb = match self.sense {
            Sense::Minimize => "minimize",
            Sense::Maximize => "maximize",
        };
        format!("{verb}({})", self.expr)
    }

    fn theta_dim(&self) -> usize {
        self.theta.dim
    }

    fn bounds(&self) -> Bounds {
        Bounds::uniform(self.theta.dim, self.theta.lo, self.theta.hi)
    }

    fn instance_dim(&self) -> usize {
        self.x.as_ref().map_or(0, InstanceDist::dim)
    }

    fn sample_instance(&self, rng: &mut Rng, x: &mut [f64]) {
        match self.x {
            Some(InstanceDist::Normal { mean, std, .. }) => {
                x.iter_mut().for_each(|v| *v = mean + std * rng.normal())
            }
            Some(InstanceDist::Uniform { lo, hi, .. }) => {
                x.iter_mut().for_each(|v| *v = rng.uniform_in(lo, hi))
            }
            None => {}
        }
    }

    fn value(&self, theta: &[f64], x: &[f64]) -> f64 {
        self.sign() * with_scratch(&self.program, |ws| self.program.eval(ws, theta, x))
    }

    fn value_grad(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        let v = with_scratch(&self.program, |ws| {
            self.program.eval_grad(ws, theta, x, grad)
        });
        if self.sense == Sense::Maximize {
            grad.iter_mut().for_each(|g| *g = -*g);
        }
        self.sign() * v
    }

    fn sense(&self) -> Sense {
        self.sense
    }
}
