//! The seam shared by continuous problems, their direct optimizers and the
//! amortizers that learn to solve them.
//!
//! A `ContinuousProblem` is a *family* of minimization problems: an instance
//! `x` is drawn from the problem's distribution, and a solution is a point
//! `θ` in a box. Direct optimizers (`cem`, `cmaes`, `gd`, `adam`, …) minimize
//! `value(θ, x)` for one `x`; amortizers learn `x ↦ θ*(x)` across the family,
//! using `value_grad` to differentiate through the objective
//! (objective-based amortization: the network's loss gradient is
//! `∂value/∂θ · ∂θ/∂φ`).
//!
//! Maximization problems are stored negated, so that everything here
//! minimizes; `Sense` says how to present the score to a user.

use crate::rng::Rng;

/// Whether the user asked to minimize or maximize (for reporting only:
/// `value` always returns the quantity to minimize).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    Minimize,
    Maximize,
}

/// An axis-aligned box `lo[i] ≤ θ[i] ≤ hi[i]`; infinite bounds are allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

impl Bounds {
    pub fn uniform(dim: usize, lo: f64, hi: f64) -> Self {
        Bounds {
            lo: vec![lo; dim],
            hi: vec![hi; dim],
        }
    }

    pub fn dim(&self) -> usize {
        self.lo.len()
    }

    /// Clamps `theta` into the box in place.
    pub fn clamp(&self, theta: &mut [f64]) {
        for ((t, lo), hi) in theta.iter_mut().zip(&self.lo).zip(&self.hi) {
            *t = t.clamp(*lo, *hi);
        }
    }
}

/// The known optimum of one instance, for optimality gaps.
#[derive(Clone, Debug, PartialEq)]
pub struct Optimum {
    pub theta: Vec<f64>,
    pub value: f64,
}

/// A family of continuous minimization problems (see the module docs).
pub trait ContinuousProblem: Send + Sync {
    /// A short name for reports, e.g. `sphere(10)`.
    fn name(&self) -> String;
    /// Dimension of the decision `θ`.
    fn theta_dim(&self) -> usize;
    /// The box `θ` lives in.
    fn bounds(&self) -> Bounds;
    /// Dimension of an instance `x` (the network's input width).
    fn instance_dim(&self) -> usize;
    /// Draws one instance into `x` (length `instance_dim()`).
    fn sample_instance(&self, rng: &mut Rng, x: &mut [f64]);
    /// The objective to minimize at `θ` for instance `x`.
    fn value(&self, theta: &[f64], x: &[f64]) -> f64;
    /// The objective and its gradient with respect to `θ` (written into
    /// `grad`, length `theta_dim()`). Only called when `differentiable()`.
    fn value_grad(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64;
    /// Whether `value_grad` is available (gradient methods check this).
    fn differentiable(&self) -> bool {
        true
    }
    /// The exact optimum of instance `x`, where one is known.
    fn optimum(&self, _x: &[f64]) -> Option<Optimum> {
        None
    }
    /// Whether the user wrote this as a maximization.
    fn sense(&self) -> Sense {
        Sense::Minimize
    }
}
