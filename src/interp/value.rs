//! Runtime values.
//!
//! Plain data (numbers, strings, lists, records) is held directly; the
//! kinds the native library provides (objectives, solvers, datasets, models,
//! reports) are shared handles, cheap to clone and safe to share between
//! threads.

use super::solver::SolverValue;
use crate::compose::generate::Data;
use crate::compose::{ModelSpec, Problem};
use crate::domains::expr::{Expr, InstanceDist, ThetaSpec};
use crate::ir::Kind;
use crate::report::Table;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum Value {
    Int(i64),
    Num(f64),
    Bool(bool),
    Str(Arc<str>),
    List(Arc<Vec<Value>>),
    Algorithm(Arc<str>),
    /// Named fields, in order.
    Record(Arc<Vec<(String, Value)>>),
    /// A table-shaped result (`evaluate`, `compare`, …).
    Report(Arc<Table>),
    Objective(Arc<dyn Problem>),
    Solver(Arc<SolverValue>),
    /// Rows an amortizer learns from (`solve`, `load`, `split`).
    Dataset(Arc<Data>),
    /// An untrained architecture (`mlp`, `ensemble`).
    Model(Arc<ModelSpec>),
    /// A decision space: `vec(8, lo=-5, hi=5)`.
    Space(Arc<ThetaSpec>),
    /// An instance distribution: `normal(0, 1, dim=8)`.
    Distribution(Arc<InstanceDist>),
    /// An objective expression compiled by the checker (the first argument
    /// of `minimize` and `maximize`): the native tree, ready to shape-check.
    Tape(Arc<Expr>),
    /// An optional argument that was not given.
    None,
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Value::Int(_) => Kind::Int,
            Value::Num(_) => Kind::Num,
            Value::Bool(_) => Kind::Bool,
            Value::Str(_) => Kind::Str,
            Value::List(items) => Kind::list(items.first().map_or(Kind::Any, Value::kind)),
            Value::Algorithm(_) => Kind::Algorithm,
            Value::Record(_) => Kind::Record,
            Value::Report(_) => Kind::Report,
            Value::Objective(_) => Kind::Objective,
            Value::Solver(_) => Kind::Solver,
            Value::Dataset(_) => Kind::Dataset,
            Value::Model(_) => Kind::Model,
            Value::Space(_) => Kind::Space,
            Value::Distribution(_) => Kind::Distribution,
            Value::Tape(_) => Kind::Num,
            Value::None => Kind::Any,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Num(x) => Some(*x),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The value as JSON, for `--format json|yaml` and `save … to "f.json"`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Int(i) => J::from(*i),
            // Whole numbers print as integers: `2`, not `2.0`.
            Value::Num(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => J::from(*x as i64),
            Value::Num(x) => serde_json::Number::from_f64(round_sig(*x)).map_or(J::Null, J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::Str(s) | Value::Algorithm(s) => J::String(s.to_string()),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Record(fields) => J::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Report(t) => t.to_json(),
            Value::Dataset(d) => serde_json::json!({
                "rows": d.data.len(),
                "features": d.data.feature_dim,
                "targets": d.data.target_dim,
                "kind": d.data.kind.name(),
                "source": d.data.source,
            }),
            Value::Model(_)
            | Value::Objective(_)
            | Value::Solver(_)
            | Value::Space(_)
            | Value::Distribution(_)
            | Value::Tape(_) => J::String(self.to_string()),
            Value::None => J::Null,
        }
    }
}

/// Rounds to 10 significant digits: enough for any figure a report states,
/// and stable against the last-bit noise of floating-point summation order.
pub fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 10 - 1 - x.abs().log10().floor() as i32;
    if !(-300..=300).contains(&digits) {
        return x;
    }
    let scale = 10f64.powi(digits);
    let r = (x * scale).round() / scale;
    if r.is_finite() {
        r
    } else {
        x
    }
}

/// A number as reports print it: up to 6 significant digits, no trailing zeros.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if !(1e-4..1e15).contains(&a) {
        return format!("{x:.5e}");
    }
    let decimals = (5 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Num(x) => write!(f, "{}", format_number(*x)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Algorithm(a) => write!(f, "{a}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Record(fields) => {
                write!(f, "{{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
            Value::Report(t) => write!(f, "{}", t.render().trim_end()),
            Value::Objective(o) => write!(f, "{}", o.name()),
            Value::Solver(s) => write!(f, "{}", s.label),
            Value::Dataset(d) => write!(f, "{}", d.describe()),
            Value::Model(m) => write!(f, "{m}"),
            Value::Space(s) => write!(f, "vec({}, lo={}, hi={})", s.dim, s.lo, s.hi),
            Value::Distribution(d) => match d.as_ref() {
                InstanceDist::Normal { mean, std, dim } => {
                    write!(f, "normal({mean}, {std}, dim={dim})")
                }
                InstanceDist::Uniform { lo, hi, dim } => {
                    write!(f, "uniform({lo}, {hi}, dim={dim})")
                }
            },
            Value::Tape(e) => write!(f, "{e}"),
            Value::None => write!(f, "none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_stably() {
        assert_eq!(format_number(6.0), "6");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(123456.789), "123457");
        assert_eq!(format_number(1e-7), "1.00000e-7");
        assert_eq!(round_sig(0.1 + 0.2), 0.3);
    }
}
