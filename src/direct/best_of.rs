//! Best-of-N: draw N candidate solutions from a sampler, score each, keep
//! the best.
//!
//! The sampler is anything that proposes a `θ` for an instance: a uniform
//! draw from the box (that is `random_search`), a closure, or — in the
//! hybrid pipelines — an amortized network, whose proposals cost forward
//! passes. So the sampler reports the cost of each proposal, and the answer's
//! cost is the evaluations plus everything the sampler spent.

use crate::cost::Cost;
use crate::direct::continuous::{
    check_instance, is_finite_box, sanitize, ContinuousError, Solution,
};
use crate::domains::continuous::{Bounds, ContinuousProblem};
use crate::rng::Rng;
use std::fmt;
use std::time::Instant;

/// Why best-of-N (or its uniform sampler) cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum BestOfError {
    /// Uniform sampling was asked of a box with an infinite side.
    InfiniteBox,
    /// The instance or the box does not fit.
    Continuous(ContinuousError),
    /// `n` is 0.
    NoCandidates,
}

impl From<ContinuousError> for BestOfError {
    fn from(e: ContinuousError) -> Self {
        BestOfError::Continuous(e)
    }
}

impl fmt::Display for BestOfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BestOfError::InfiniteBox => {
                write!(f, "uniform sampling needs a finite box (give lo and hi)")
            }
            BestOfError::Continuous(e) => write!(f, "{e}"),
            BestOfError::NoCandidates => write!(f, "best_of: n must be ≥ 1"),
        }
    }
}

impl std::error::Error for BestOfError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BestOfError::Continuous(e) => Some(e),
            _ => None,
        }
    }
}

/// Proposes candidate solutions for an instance.
pub trait Sampler {
    /// Writes one proposal for instance `x` into `theta` (length `theta_dim`)
    /// and returns what producing it cost (e.g. one forward pass).
    fn propose(&mut self, x: &[f64], rng: &mut Rng, theta: &mut [f64]) -> Cost;
}

/// A closure as a sampler whose proposals cost nothing counted.
pub struct FnSampler<F>(pub F);

impl<F: FnMut(&[f64], &mut Rng, &mut [f64])> Sampler for FnSampler<F> {
    fn propose(&mut self, x: &[f64], rng: &mut Rng, theta: &mut [f64]) -> Cost {
        (self.0)(x, rng, theta);
        Cost::default()
    }
}

/// Uniform proposals in a finite box.
pub struct UniformSampler {
    bounds: Bounds,
}

impl UniformSampler {
    pub fn new(bounds: Bounds) -> Result<Self, BestOfError> {
        if !is_finite_box(&bounds) {
            return Err(BestOfError::InfiniteBox);
        }
        Ok(UniformSampler { bounds })
    }
}

impl Sampler for UniformSampler {
    fn propose(&mut self, _x: &[f64], rng: &mut Rng, theta: &mut [f64]) -> Cost {
        for ((t, lo), hi) in theta.iter_mut().zip(&self.bounds.lo).zip(&self.bounds.hi) {
            *t = rng.uniform_in(*lo, *hi);
        }
        Cost::default()
    }
}

/// Scores `n` proposals of `sampler` (clamped into the box) on instance `x`
/// and returns the best.
pub fn best_of<P, S>(
    problem: &P,
    x: &[f64],
    rng: &mut Rng,
    sampler: &mut S,
    n: usize,
) -> Result<Solution, BestOfError>
where
    P: ContinuousProblem + ?Sized,
    S: Sampler + ?Sized,
{
    let start = Instant::now();
    check_instance(problem, x)?;
    if n == 0 {
        return Err(BestOfError::NoCandidates);
    }
    let bounds = problem.bounds();
    let dim = bounds.dim();
    let mut theta = vec![0.0; dim];
    let mut best = vec![0.0; dim];
    let mut best_value = f64::INFINITY;
    let mut cost = Cost::default();
    for _ in 0..n {
        cost += sampler.propose(x, rng, &mut theta);
        bounds.clamp(&mut theta);
        let v = sanitize(problem.value(&theta, x));
        cost.evaluations += 1;
        // The first proposal is kept even at +∞, so the answer is always a proposal.
        if v < best_value || cost.evaluations == 1 {
            best_value = v;
            best.copy_from_slice(&theta);
        }
    }
    cost.wall = start.elapsed();
    Ok(Solution {
        theta: best,
        value: best_value,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::functions::sphere;

    /// A sampler that walks a fixed list and charges one forward pass each.
    struct Listed(Vec<Vec<f64>>, usize);

    impl Sampler for Listed {
        fn propose(&mut self, _x: &[f64], _rng: &mut Rng, theta: &mut [f64]) -> Cost {
            theta.copy_from_slice(&self.0[self.1 % self.0.len()]);
            self.1 += 1;
            Cost {
                forward_passes: 1,
                ..Cost::default()
            }
        }
    }

    #[test]
    fn keeps_the_best_proposal_and_adds_the_sampler_cost() {
        let p = sphere(2).unwrap();
        let x = [1.0, 1.0];
        let mut s = Listed(vec![vec![0.0, 0.0], vec![1.0, 0.5], vec![9.0, 9.0]], 0);
        let sol = best_of(&p, &x, &mut Rng::new(0), &mut s, 3).unwrap();
        // [9, 9] is clamped to [5, 5]; [1, 0.5] is best with value 0.25.
        assert_eq!(sol.theta, vec![1.0, 0.5]);
        assert_eq!(sol.value, 0.25);
        assert_eq!((sol.cost.evaluations, sol.cost.forward_passes), (3, 3));
    }

    #[test]
    fn closures_are_samplers() {
        let p = sphere(1).unwrap();
        let mut s = FnSampler(|x: &[f64], _: &mut Rng, t: &mut [f64]| t[0] = x[0]);
        let sol = best_of(&p, &[0.5], &mut Rng::new(0), &mut s, 2).unwrap();
        assert_eq!(sol.value, 0.0);
        assert!(best_of(&p, &[0.5], &mut Rng::new(0), &mut s, 0).is_err());
    }
}
