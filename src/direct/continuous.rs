//! What the continuous direct optimizers share: the answer they return, and
//! the checks and defaults they derive from a problem's box.
//!
//! Every optimizer has two entry points: a generic one over a
//! `ContinuousProblem` and one instance `x` (what the interpreter calls), and
//! a core over a plain objective closure `FnMut(&[f64]) -> f64` and a box,
//! which model-predictive control reuses on action sequences. Both are
//! monomorphized, so passing a closure costs nothing in the hot loop.

use crate::cost::Cost;
use crate::domains::continuous::{Bounds, ContinuousProblem};

/// The best point an optimizer found, its value (the quantity minimized, so
/// a maximization problem's value is its negated score), and what finding it
/// cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub theta: Vec<f64>,
    pub value: f64,
    pub cost: Cost,
}

/// Ranks NaN as the worst value, so that one bad evaluation never wins.
#[inline]
pub fn sanitize(v: f64) -> f64 {
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// Checks that `x` fits the problem and that its box is well formed.
pub fn check_instance<P: ContinuousProblem + ?Sized>(problem: &P, x: &[f64]) -> Result<(), String> {
    if x.len() != problem.instance_dim() {
        return Err(format!(
            "{}: instance has {} entries, expected {}",
            problem.name(),
            x.len(),
            problem.instance_dim()
        ));
    }
    check_bounds(&problem.bounds())
}

/// A box must be non-empty in every coordinate and have no NaN.
pub fn check_bounds(bounds: &Bounds) -> Result<(), String> {
    if bounds.lo.len() != bounds.hi.len() {
        return Err("bounds: lo and hi differ in length".into());
    }
    if bounds.dim() == 0 {
        return Err("bounds: the decision has no coordinates".into());
    }
    for (i, (lo, hi)) in bounds.lo.iter().zip(&bounds.hi).enumerate() {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(format!("bounds: coordinate {i} has lo = {lo} > hi = {hi}"));
        }
    }
    Ok(())
}

/// Checks an optional user-given vector (a start point, a mean, a std).
pub fn check_vector(what: &str, v: &[f64], dim: usize, nonnegative: bool) -> Result<(), String> {
    if v.len() != dim {
        return Err(format!("{what} has {} entries, expected {dim}", v.len()));
    }
    if let Some(bad) = v
        .iter()
        .find(|a| !a.is_finite() || (nonnegative && **a < 0.0))
    {
        let need = if nonnegative {
            "finite and ≥ 0"
        } else {
            "finite"
        };
        return Err(format!("{what} has entry {bad}; entries must be {need}"));
    }
    Ok(())
}

/// The natural starting point: the middle of the box where it is finite,
/// else the nearest point of the box to 0.
pub fn center(bounds: &Bounds) -> Vec<f64> {
    bounds
        .lo
        .iter()
        .zip(&bounds.hi)
        .map(|(&lo, &hi)| {
            if lo.is_finite() && hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                0.0f64.clamp(lo, hi)
            }
        })
        .collect()
}

/// A per-coordinate search scale: `fraction` of the box width where finite,
/// else `unbounded`.
pub fn spread(bounds: &Bounds, fraction: f64, unbounded: f64) -> Vec<f64> {
    bounds
        .lo
        .iter()
        .zip(&bounds.hi)
        .map(|(&lo, &hi)| {
            let w = hi - lo;
            if w.is_finite() {
                fraction * w
            } else {
                unbounded
            }
        })
        .collect()
}

/// Whether every coordinate of the box is finite (uniform sampling needs it).
pub fn is_finite_box(bounds: &Bounds) -> bool {
    bounds.lo.iter().chain(&bounds.hi).all(|v| v.is_finite())
}
