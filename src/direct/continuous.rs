//! What the continuous direct optimizers share: the answer they return, and
//! the checks and defaults they derive from a problem's box.
//!
//! Every optimizer has two entry points: a generic one over a
//! `ContinuousProblem` and one instance `x` (what the interpreter calls), and
//! a core over a plain objective closure `FnMut(&[f64]) -> f64` and a box,
//! which model-predictive control reuses on action sequences. Both are
//! monomorphized, so passing a closure costs nothing in the hot loop.

use std::fmt;

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

/// Why a continuous problem, its box or a user-given vector does not fit.
#[derive(Clone, Debug, PartialEq)]
pub enum ContinuousError {
    /// The instance `x` has the wrong number of entries.
    InstanceLength {
        problem: String,
        found: usize,
        expected: usize,
    },
    /// The box's `lo` and `hi` have different lengths.
    BoundsLengths { lo: usize, hi: usize },
    /// The box has no coordinates.
    NoCoordinates,
    /// A coordinate of the box is empty or NaN.
    EmptyCoordinate { coordinate: usize, lo: f64, hi: f64 },
    /// A vector parameter (`owner`'s `vector`) has the wrong length.
    VectorLength {
        owner: &'static str,
        vector: &'static str,
        found: usize,
        expected: usize,
    },
    /// A vector parameter has an entry that is not finite (or negative,
    /// where entries must be ≥ 0).
    VectorEntry {
        owner: &'static str,
        vector: &'static str,
        value: f64,
        nonnegative: bool,
    },
}

impl fmt::Display for ContinuousError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContinuousError::InstanceLength {
                problem,
                found,
                expected,
            } => write!(
                f,
                "{problem}: instance has {found} entries, expected {expected}"
            ),
            ContinuousError::BoundsLengths { .. } => {
                write!(f, "bounds: lo and hi differ in length")
            }
            ContinuousError::NoCoordinates => write!(f, "bounds: the decision has no coordinates"),
            ContinuousError::EmptyCoordinate { coordinate, lo, hi } => write!(
                f,
                "bounds: coordinate {coordinate} has lo = {lo} > hi = {hi}"
            ),
            ContinuousError::VectorLength {
                owner,
                vector,
                found,
                expected,
            } => write!(
                f,
                "{owner}: {vector} has {found} entries, expected {expected}"
            ),
            ContinuousError::VectorEntry {
                owner,
                vector,
                value,
                nonnegative,
            } => {
                let need = if *nonnegative {
                    "finite and ≥ 0"
                } else {
                    "finite"
                };
                write!(
                    f,
                    "{owner}: {vector} has entry {value}; entries must be {need}"
                )
            }
        }
    }
}

impl std::error::Error for ContinuousError {}

/// Checks that `x` fits the problem and that its box is well formed.
pub fn check_instance<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
) -> Result<(), ContinuousError> {
    if x.len() != problem.instance_dim() {
        return Err(ContinuousError::InstanceLength {
            problem: problem.name(),
            found: x.len(),
            expected: problem.instance_dim(),
        });
    }
    check_bounds(&problem.bounds())
}

/// A box must be non-empty in every coordinate and have no NaN.
pub fn check_bounds(bounds: &Bounds) -> Result<(), ContinuousError> {
    if bounds.lo.len() != bounds.hi.len() {
        return Err(ContinuousError::BoundsLengths {
            lo: bounds.lo.len(),
            hi: bounds.hi.len(),
        });
    }
    if bounds.dim() == 0 {
        return Err(ContinuousError::NoCoordinates);
    }
    for (i, (lo, hi)) in bounds.lo.iter().zip(&bounds.hi).enumerate() {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            return Err(ContinuousError::EmptyCoordinate {
                coordinate: i,
                lo: *lo,
                hi: *hi,
            });
        }
    }
    Ok(())
}

/// Checks an optional user-given vector (a start point, a mean, a std):
/// `owner` is the algorithm, `vector` the parameter.
pub fn check_vector(
    owner: &'static str,
    vector: &'static str,
    v: &[f64],
    dim: usize,
    nonnegative: bool,
) -> Result<(), ContinuousError> {
    if v.len() != dim {
        return Err(ContinuousError::VectorLength {
            owner,
            vector,
            found: v.len(),
            expected: dim,
        });
    }
    if let Some(bad) = v
        .iter()
        .find(|a| !a.is_finite() || (nonnegative && **a < 0.0))
    {
        return Err(ContinuousError::VectorEntry {
            owner,
            vector,
            value: *bad,
            nonnegative,
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn vector_errors_name_owner_vector_and_value() {
        let e = check_vector("cem", "init_std", &[1.0, -2.0], 2, true).unwrap_err();
        assert_eq!(
            e,
            ContinuousError::VectorEntry {
                owner: "cem",
                vector: "init_std",
                value: -2.0,
                nonnegative: true,
            }
        );
        assert_eq!(
            e.to_string(),
            "cem: init_std has entry -2; entries must be finite and ≥ 0"
        );
        let e = check_vector("mpc", "initial state", &[0.0], 2, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mpc: initial state has 1 entries, expected 2"
        );
    }

    #[test]
    fn optimizer_errors_wrap_the_shared_checks() {
        let bad = Bounds {
            lo: vec![1.0],
            hi: vec![0.0],
        };
        let e = crate::direct::cem::cem_minimize(
            |_| 0.0,
            &bad,
            &mut crate::rng::Rng::new(0),
            &crate::direct::cem::CemParams::default(),
            &mut crate::direct::cem::CemWorkspace::new(vec![0.5], vec![1.0]),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "bounds: coordinate 0 has lo = 1 > hi = 0");
        let source = e.source().map(|s| s.to_string());
        assert_eq!(
            source.as_deref(),
            Some("bounds: coordinate 0 has lo = 1 > hi = 0")
        );
    }
}
