//! The compiled form of an objective: a shape-checked tape, evaluated
//! forward and differentiated in reverse mode.
//!
//! Nodes are stored children-first, and each owns the slice
//! `off .. off + len` of one value buffer (its adjoint sits at the same place
//! in the adjoint buffer), so a node's inputs always lie before its output:
//! one `split_at_mut` gives both without copying. A vector of length 1 is a
//! scalar; a binary operation between a scalar and a vector broadcasts.

use super::{BinOp, Expr, ExprError, Func};

/// Elementwise functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Unary {
    Neg,
    Abs,
    Sqrt,
    Exp,
    Log,
    Sin,
    Cos,
    Tanh,
    Square,
    Powi(i32),
    Powf(f64),
}

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Const(f64),
    Theta,
    X,
    Stack(Vec<usize>),
    Index(usize, usize),
    Unary(Unary, usize),
    Binary(BinOp, usize, usize),
    /// Elementwise minimum / maximum of two operands.
    Min2(usize, usize),
    Max2(usize, usize),
    Sum(usize),
    Mean(usize),
    MinOf(usize),
    MaxOf(usize),
    Dot(usize, usize),
    Norm(usize),
}

#[derive(Clone, Debug, PartialEq)]
struct Node {
    op: Op,
    off: usize,
    len: usize,
    /// Whether the node depends on θ (only those get adjoints).
    active: bool,
}

/// A checked, flattened objective (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    nodes: Vec<Node>,
    size: usize,
    theta_dim: usize,
    x_dim: usize,
}

/// Value and adjoint buffers for evaluating a `Program`; reuse one across
/// calls (it grows to fit and then allocates nothing).
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    values: Vec<f64>,
    adjoints: Vec<f64>,
}

struct Compiler {
    nodes: Vec<Node>,
    size: usize,
    theta_dim: usize,
    x_dim: Option<usize>,
}

impl Compiler {
    fn push(&mut self, op: Op, len: usize, active: bool) -> usize {
        self.nodes.push(Node {
            op,
            off: self.size,
            len,
            active,
        });
        self.size += len;
        self.nodes.len() - 1
    }

    fn len(&self, i: usize) -> usize {
        self.nodes[i].len
    }

    fn active(&self, i: usize) -> bool {
        self.nodes[i].active
    }

    /// Length of a broadcast result, or an error naming the operation.
    fn broadcast(
        &self,
        op: &'static str,
        a: usize,
        b: usize,
        e: &Expr,
    ) -> Result<usize, ExprError> {
        let (la, lb) = (self.len(a), self.len(b));
        if la == lb || la == 1 || lb == 1 {
            Ok(la.max(lb))
        } else {
            Err(ExprError::ShapeMismatch {
                expr: e.clone(),
                op,
                left: la,
                right: lb,
            })
        }
    }

    fn compile(&mut self, e: &Expr) -> Result<usize, ExprError> {
        Ok(match e {
            Expr::Const(v) => self.push(Op::Const(*v), 1, false),
            Expr::Theta => self.push(Op::Theta, self.theta_dim, true),
            Expr::X => match self.x_dim {
                Some(d) => self.push(Op::X, d, false),
                None => return Err(ExprError::NoInstances),
            },
            Expr::Stack(items) => {
                if items.is_empty() {
                    return Err(ExprError::EmptyStack);
                }
                let mut kids = Vec::with_capacity(items.len());
                for item in items {
                    let k = self.compile(item)?;
                    if self.len(k) != 1 {
                        return Err(ExprError::StackOfVector {
                            expr: e.clone(),
                            item: item.clone(),
                            len: self.len(k),
                        });
                    }
                    kids.push(k);
                }
                let active = kids.iter().any(|&k| self.active(k));
                self.push(Op::Stack(kids), items.len(), active)
            }
            Expr::Index(a, i) => {
                let k = self.compile(a)?;
                let len = self.len(k);
                if *i >= len {
                    return Err(ExprError::IndexOutOfRange {
                        expr: e.clone(),
                        index: *i,
                        len,
                    });
                }
                self.push(Op::Index(k, *i), 1, self.active(k))
            }
            Expr::Neg(a) => {
                let k = self.compile(a)?;
                self.push(Op::Unary(Unary::Neg, k), self.len(k), self.active(k))
            }
            Expr::Binary(BinOp::Pow, a, b) if b.constant_value().is_some() => {
                let p = b.constant_value().unwrap_or(1.0);
                let k = self.compile(a)?;
                let u = if p == 2.0 {
                    Unary::Square
                } else if p == p.trunc() && p.abs() <= 64.0 {
                    Unary::Powi(p as i32)
                } else {
                    Unary::Powf(p)
                };
                self.push(Op::Unary(u, k), self.len(k), self.active(k))
            }
            Expr::Binary(op, a, b) => {
                let (ka, kb) = (self.compile(a)?, self.compile(b)?);
                let what = match op {
                    BinOp::Add => "sum",
                    BinOp::Sub => "difference",
                    BinOp::Mul => "product",
                    BinOp::Div => "quotient",
                    BinOp::Pow => "power",
                };
                let len = self.broadcast(what, ka, kb, e)?;
                self.push(
                    Op::Binary(*op, ka, kb),
                    len,
                    self.active(ka) || self.active(kb),
                )
            }
            Expr::Call(f, args) => self.call(*f, args, e)?,
        })
    }

    fn call(&mut self, f: Func, args: &[Expr], e: &Expr) -> Result<usize, ExprError> {
        let (lo, hi) = f.arity();
        if args.len() < lo || args.len() > hi {
            return Err(ExprError::ArgumentCountIn {
                func: f,
                found: args.len(),
                expr: e.clone(),
            });
        }
        let mut kids = Vec::with_capacity(args.len());
        for a in args {
            kids.push(self.compile(a)?);
        }
        let active = kids.iter().any(|&k| self.active(k));
        let a = kids[0];
        let la = self.len(a);
        let unary = |u| (Op::Unary(u, a), la);
        let (op, len) = match (f, kids.len()) {
            (Func::Sum, _) => (Op::Sum(a), 1),
            (Func::Mean, _) => (Op::Mean(a), 1),
            (Func::Min, 1) => (Op::MinOf(a), 1),
            (Func::Max, 1) => (Op::MaxOf(a), 1),
            (Func::Min, _) => (Op::Min2(a, kids[1]), self.broadcast("min", a, kids[1], e)?),
            (Func::Max, _) => (Op::Max2(a, kids[1]), self.broadcast("max", a, kids[1], e)?),
            (Func::Dot, _) => {
                let b = kids[1];
                if la != self.len(b) {
                    return Err(ExprError::ShapeMismatch {
                        expr: e.clone(),
                        op: "dot",
                        left: la,
                        right: self.len(b),
                    });
                }
                (Op::Dot(a, b), 1)
            }
            (Func::Norm, _) => (Op::Norm(a), 1),
            (Func::Abs, _) => unary(Unary::Abs),
            (Func::Sqrt, _) => unary(Unary::Sqrt),
            (Func::Exp, _) => unary(Unary::Exp),
            (Func::Log, _) => unary(Unary::Log),
            (Func::Sin, _) => unary(Unary::Sin),
            (Func::Cos, _) => unary(Unary::Cos),
            (Func::Tanh, _) => unary(Unary::Tanh),
        };
        Ok(self.push(op, len, active))
    }
}

/// `out[i] = f(a[i or 0], b[i or 0])`, with the three broadcast cases as
/// separate loops so each vectorizes.
#[inline(always)]
fn zip_broadcast(out: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    if a.len() == b.len() {
        out.iter_mut()
            .zip(a.iter().zip(b))
            .for_each(|(o, (a, b))| *o = f(*a, *b));
    } else if a.len() == 1 {
        out.iter_mut().zip(b).for_each(|(o, b)| *o = f(a[0], *b));
    } else {
        out.iter_mut().zip(a).for_each(|(o, a)| *o = f(*a, b[0]));
    }
}

#[inline(always)]
fn map(out: &mut [f64], a: &[f64], f: impl Fn(f64) -> f64) {
    out.iter_mut().zip(a).for_each(|(o, v)| *o = f(*v));
}

/// `da += g · f(a, out)`: the chain rule through an elementwise function.
#[inline(always)]
fn chain(da: &mut [f64], g: &[f64], a: &[f64], out: &[f64], f: impl Fn(f64, f64) -> f64) {
    for i in 0..da.len() {
        da[i] += g[i] * f(a[i], out[i]);
    }
}

/// Adds `d` into the adjoint of operand element `i` (summing when the
/// operand was broadcast).
#[inline(always)]
fn accumulate(adj: &mut [f64], i: usize, d: f64) {
    if adj.len() == 1 {
        adj[0] += d;
    } else {
        adj[i] += d;
    }
}

#[inline(always)]
fn at(v: &[f64], i: usize) -> f64 {
    if v.len() == 1 {
        v[0]
    } else {
        v[i]
    }
}

impl Program {
    /// Checks the shapes of `expr` for a `theta` of `theta_dim` entries and
    /// an `x` of `x_dim` entries (`None`: the objective has no instance),
    /// and compiles it. The result must be a scalar.
    pub fn compile(
        expr: &Expr,
        theta_dim: usize,
        x_dim: Option<usize>,
    ) -> Result<Program, ExprError> {
        let mut c = Compiler {
            nodes: Vec::new(),
            size: 0,
            theta_dim,
            x_dim,
        };
        let root = c.compile(expr)?;
        if c.len(root) != 1 {
            return Err(ExprError::NotScalar {
                expr: expr.clone(),
                len: c.len(root),
            });
        }
        Ok(Program {
            nodes: c.nodes,
            size: c.size,
            theta_dim,
            x_dim: x_dim.unwrap_or(0),
        })
    }

    /// A workspace sized for this program.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            values: vec![0.0; self.size],
            adjoints: vec![0.0; self.size],
        }
    }

    pub fn theta_dim(&self) -> usize {
        self.theta_dim
    }

    pub fn x_dim(&self) -> usize {
        self.x_dim
    }

    /// The objective's value at `theta` for instance `x`.
    pub fn eval(&self, ws: &mut Workspace, theta: &[f64], x: &[f64]) -> f64 {
        if ws.values.len() < self.size {
            ws.values.resize(self.size, 0.0);
        }
        self.forward(&mut ws.values, theta, x)
    }

    /// The value and, in `grad`, its gradient with respect to `theta`.
    pub fn eval_grad(&self, ws: &mut Workspace, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        // Each buffer grows on its own: `eval` may have grown only `values`.
        if ws.values.len() < self.size {
            ws.values.resize(self.size, 0.0);
        }
        if ws.adjoints.len() < self.size {
            ws.adjoints.resize(self.size, 0.0);
        }
        let value = self.forward(&mut ws.values, theta, x);
        self.backward(&ws.values, &mut ws.adjoints, grad);
        value
    }

    fn forward(&self, values: &mut [f64], theta: &[f64], x: &[f64]) -> f64 {
        for n in &self.nodes {
            let (inputs, rest) = values.split_at_mut(n.off);
            let out = &mut rest[..n.len];
            let arg = |k: usize| {
                let m = &self.nodes[k];
                &inputs[m.off..m.off + m.len]
            };
            match &n.op {
                Op::Const(v) => out[0] = *v,
                Op::Theta => out.copy_from_slice(theta),
                Op::X => out.copy_from_slice(x),
                Op::Stack(kids) => {
                    for (o, &k) in out.iter_mut().zip(kids) {
                        *o = arg(k)[0];
                    }
                }
                Op::Index(k, i) => out[0] = arg(*k)[*i],
                Op::Unary(u, k) => {
                    let a = arg(*k);
                    match *u {
                        Unary::Neg => map(out, a, |v| -v),
                        Unary::Abs => map(out, a, f64::abs),
                        Unary::Sqrt => map(out, a, f64::sqrt),
                        Unary::Exp => map(out, a, f64::exp),
                        Unary::Log => map(out, a, f64::ln),
                        Unary::Sin => map(out, a, f64::sin),
                        Unary::Cos => map(out, a, f64::cos),
                        Unary::Tanh => map(out, a, f64::tanh),
                        Unary::Square => map(out, a, |v| v * v),
                        Unary::Powi(p) => map(out, a, |v| v.powi(p)),
                        Unary::Powf(p) => map(out, a, |v| v.powf(p)),
                    }
                }
                Op::Binary(op, ka, kb) => {
                    let (a, b) = (arg(*ka), arg(*kb));
                    match op {
                        BinOp::Add => zip_broadcast(out, a, b, |a, b| a + b),
                        BinOp::Sub => zip_broadcast(out, a, b, |a, b| a - b),
                        BinOp::Mul => zip_broadcast(out, a, b, |a, b| a * b),
                        BinOp::Div => zip_broadcast(out, a, b, |a, b| a / b),
                        BinOp::Pow => zip_broadcast(out, a, b, f64::powf),
                    }
                }
                Op::Min2(ka, kb) => {
                    zip_broadcast(out, arg(*ka), arg(*kb), |a, b| if b < a { b } else { a })
                }
                Op::Max2(ka, kb) => {
                    zip_broadcast(out, arg(*ka), arg(*kb), |a, b| if b > a { b } else { a })
                }
                Op::Sum(k) => out[0] = arg(*k).iter().sum(),
                Op::Mean(k) => out[0] = arg(*k).iter().sum::<f64>() / arg(*k).len() as f64,
                Op::MinOf(k) => out[0] = arg(*k).iter().copied().fold(f64::INFINITY, f64::min),
                Op::MaxOf(k) => out[0] = arg(*k).iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Op::Dot(ka, kb) => out[0] = arg(*ka).iter().zip(arg(*kb)).map(|(a, b)| a * b).sum(),
                Op::Norm(k) => out[0] = arg(*k).iter().map(|a| a * a).sum::<f64>().sqrt(),
            }
        }
        values[self.size - 1]
    }

    fn backward(&self, values: &[f64], adjoints: &mut [f64], grad: &mut [f64]) {
        adjoints[..self.size].iter_mut().for_each(|a| *a = 0.0);
        grad.iter_mut().for_each(|g| *g = 0.0);
        adjoints[self.size - 1] = 1.0;
        for n in self.nodes.iter().rev() {
            if !n.active {
                continue;
            }
            let (below, rest) = adjoints.split_at_mut(n.off);
            let g = &rest[..n.len];
            let out = &values[n.off..n.off + n.len];
            let span = |k: usize| {
                let m = &self.nodes[k];
                (m.off, m.off + m.len, m.active)
            };
            let val = |k: usize| {
                let (s, e, _) = span(k);
                &values[s..e]
            };
            match &n.op {
                Op::Const(_) | Op::X => {}
                Op::Theta => grad.iter_mut().zip(g).for_each(|(d, g)| *d += g),
                Op::Stack(kids) => {
                    for (&k, g) in kids.iter().zip(g) {
                        below[self.nodes[k].off] += g;
                    }
                }
                Op::Index(k, i) => below[self.nodes[*k].off + i] += g[0],
                Op::Unary(u, k) => {
                    let (s, e, _) = span(*k);
                    let (a, da) = (&values[s..e], &mut below[s..e]);
                    // Each derivative is written in terms of the input `v`
                    // and the output `o`, whichever is cheaper.
                    match *u {
                        Unary::Neg => chain(da, g, a, out, |_, _| -1.0),
                        Unary::Abs => chain(
                            da,
                            g,
                            a,
                            out,
                            |v, _| if v == 0.0 { 0.0 } else { v.signum() },
                        ),
                        Unary::Sqrt => chain(da, g, a, out, |_, o| 0.5 / o),
                        Unary::Exp => chain(da, g, a, out, |_, o| o),
                        Unary::Log => chain(da, g, a, out, |v, _| 1.0 / v),
                        Unary::Sin => chain(da, g, a, out, |v, _| v.cos()),
                        Unary::Cos => chain(da, g, a, out, |v, _| -v.sin()),
                        Unary::Tanh => chain(da, g, a, out, |_, o| 1.0 - o * o),
                        Unary::Square => chain(da, g, a, out, |v, _| 2.0 * v),
                        Unary::Powi(p) => chain(da, g, a, out, |v, _| f64::from(p) * v.powi(p - 1)),
                        Unary::Powf(p) => chain(da, g, a, out, |v, _| p * v.powf(p - 1.0)),
                    }
                }
                Op::Binary(op, ka, kb) => {
                    let ((sa, ea, act_a), (sb, eb, act_b)) = (span(*ka), span(*kb));
                    let (a, b) = (&values[sa..ea], &values[sb..eb]);
                    for i in 0..n.len {
                        let (x, y, o, g) = (at(a, i), at(b, i), out[i], g[i]);
                        let (dx, dy) = match op {
                            BinOp::Add => (g, g),
                            BinOp::Sub => (g, -g),
                            BinOp::Mul => (g * y, g * x),
                            BinOp::Div => (g / y, -g * o / y),
                            BinOp::Pow => (
                                g * y * x.powf(y - 1.0),
                                if act_b { g * o * x.ln() } else { 0.0 },
                            ),
                        };
                        if act_a {
                            accumulate(&mut below[sa..ea], i, dx);
                        }
                        if act_b {
                            accumulate(&mut below[sb..eb], i, dy);
                        }
                    }
                }
                Op::Min2(ka, kb) | Op::Max2(ka, kb) => {
                    let is_min = matches!(n.op, Op::Min2(..));
                    let ((sa, ea, act_a), (sb, eb, act_b)) = (span(*ka), span(*kb));
                    let (a, b) = (&values[sa..ea], &values[sb..eb]);
                    for (i, &g) in g.iter().enumerate() {
                        // Ties go to the first operand, as in the forward pass.
                        let picks_b = if is_min {
                            at(b, i) < at(a, i)
                        } else {
                            at(b, i) > at(a, i)
                        };
                        match (picks_b, act_a, act_b) {
                            (false, true, _) => accumulate(&mut below[sa..ea], i, g),
                            (true, _, true) => accumulate(&mut below[sb..eb], i, g),
                            _ => {}
                        }
                    }
                }
                Op::Sum(k) | Op::Mean(k) => {
                    let (s, e, _) = span(*k);
                    let scale = if matches!(n.op, Op::Mean(_)) {
                        g[0] / (e - s) as f64
                    } else {
                        g[0]
                    };
                    below[s..e].iter_mut().for_each(|d| *d += scale);
                }
                Op::MinOf(k) | Op::MaxOf(k) => {
                    let (s, _, _) = span(*k);
                    if let Some(i) = val(*k).iter().position(|v| *v == out[0]) {
                        below[s + i] += g[0];
                    }
                }
                Op::Dot(ka, kb) => {
                    let ((sa, ea, act_a), (sb, eb, act_b)) = (span(*ka), span(*kb));
                    for i in 0..ea - sa {
                        let (x, y) = (values[sa + i], values[sb + i]);
                        if act_a {
                            below[sa + i] += g[0] * y;
                        }
                        if act_b {
                            below[sb + i] += g[0] * x;
                        }
                    }
                    debug_assert_eq!(ea - sa, eb - sb);
                }
                Op::Norm(k) => {
                    let (s, e, _) = span(*k);
                    if out[0] > 0.0 {
                        let scale = g[0] / out[0];
                        for i in s..e {
                            below[i] += scale * values[i];
                        }
                    }
                }
            }
        }
    }
}
