//! Random shooting: evaluate `samples` uniform candidates in the box and
//! keep the best — the simplest sampling planner.
//!
//! As a model-predictive planner its candidates are action sequences, and
//! the previous step's plan, shifted by one step, is offered as an extra
//! candidate (`warm`), so replanning never forgets a good plan it already
//! had. The core, `shoot`, allocates nothing and is reused by `mpc`.

use crate::cost::Cost;
use crate::direct::continuous::{
    center, check_instance, check_vector, is_finite_box, sanitize, ContinuousError, Solution,
};
use crate::direct::mpc::{shift_plan, Replanner};
use crate::domains::continuous::{Bounds, ContinuousProblem};
use crate::rng::Rng;
use std::fmt;
use std::time::Instant;

/// Parameters of `random_shooting`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomShootingParams {
    /// Uniform candidates drawn (plus one for `init_mean` when given).
    pub samples: usize,
    /// A candidate to include, e.g. a previous plan or a network's guess.
    pub init_mean: Option<Vec<f64>>,
}

impl Default for RandomShootingParams {
    fn default() -> Self {
        RandomShootingParams {
            samples: 1000,
            init_mean: None,
        }
    }
}

/// Scores `warm` (if any) and `samples` uniform candidates from `bounds`
/// (which must be finite); writes the best into `best` and returns its value
/// and the evaluations spent. `candidate` is scratch of length `bounds.dim()`.
pub fn shoot<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    bounds: &Bounds,
    rng: &mut Rng,
    samples: usize,
    warm: Option<&[f64]>,
    best: &mut [f64],
    candidate: &mut [f64],
) -> (f64, u64) {
    let mut best_value = f64::INFINITY;
    let mut evaluations = 0;
    if let Some(w) = warm {
        candidate.copy_from_slice(w);
        bounds.clamp(candidate);
        best_value = sanitize(f(candidate));
        best.copy_from_slice(candidate);
        evaluations += 1;
    }
    for _ in 0..samples {
        for ((c, lo), hi) in candidate.iter_mut().zip(&bounds.lo).zip(&bounds.hi) {
            *c = rng.uniform_in(*lo, *hi);
        }
        let v = sanitize(f(candidate));
        evaluations += 1;
        if v < best_value || evaluations == 1 {
            best_value = v;
            best.copy_from_slice(candidate);
        }
    }
    (best_value, evaluations)
}

/// Why random shooting cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum RandomShootingError {
    /// `samples` is 0.
    NoSamples,
    /// The box has an infinite side, so it cannot be sampled uniformly.
    InfiniteBox,
    /// The instance, the box or `init_mean` does not fit.
    Continuous(ContinuousError),
}

impl From<ContinuousError> for RandomShootingError {
    fn from(e: ContinuousError) -> Self {
        RandomShootingError::Continuous(e)
    }
}

impl fmt::Display for RandomShootingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RandomShootingError::NoSamples => write!(f, "random_shooting: samples must be ≥ 1"),
            RandomShootingError::InfiniteBox => write!(f, "random_shooting: needs a finite box"),
            RandomShootingError::Continuous(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RandomShootingError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RandomShootingError::Continuous(e) => Some(e),
            _ => None,
        }
    }
}

/// Checks the parameters for a box.
pub fn check_params(
    params: &RandomShootingParams,
    bounds: &Bounds,
) -> Result<(), RandomShootingError> {
    if params.samples == 0 {
        return Err(RandomShootingError::NoSamples);
    }
    if !is_finite_box(bounds) {
        return Err(RandomShootingError::InfiniteBox);
    }
    if let Some(m) = &params.init_mean {
        check_vector("random_shooting", "init_mean", m, bounds.dim(), false)?;
    }
    Ok(())
}

/// Minimizes `problem` on instance `x` by random shooting.
pub fn random_shooting<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    rng: &mut Rng,
    params: &RandomShootingParams,
) -> Result<Solution, RandomShootingError> {
    let start = Instant::now();
    check_instance(problem, x)?;
    let bounds = problem.bounds();
    check_params(params, &bounds)?;
    let dim = bounds.dim();
    let (mut best, mut scratch) = (vec![0.0; dim], vec![0.0; dim]);
    let (value, evaluations) = shoot(
        |t| problem.value(t, x),
        &bounds,
        rng,
        params.samples,
        params.init_mean.as_deref(),
        &mut best,
        &mut scratch,
    );
    let cost = Cost {
        evaluations,
        wall: start.elapsed(),
        ..Cost::default()
    };
    Ok(Solution {
        theta: best,
        value,
        cost,
    })
}

/// Random shooting as a model-predictive planner: the previous step's best
/// plan, shifted by one action, is the warm candidate of the next.
pub struct ShootingPlanning {
    warm: Vec<f64>,
    candidate: Vec<f64>,
}

impl Replanner for RandomShootingParams {
    type State = ShootingPlanning;
    type Error = RandomShootingError;

    fn begin(&self, bounds: &Bounds) -> Result<ShootingPlanning, RandomShootingError> {
        check_params(self, bounds)?;
        Ok(ShootingPlanning {
            warm: self.init_mean.clone().unwrap_or_else(|| center(bounds)),
            candidate: vec![0.0; bounds.dim()],
        })
    }

    fn proposal<'s>(&self, state: &'s mut ShootingPlanning) -> &'s mut [f64] {
        &mut state.warm
    }

    fn optimize<F: FnMut(&[f64]) -> f64>(
        &self,
        state: &mut ShootingPlanning,
        objective: F,
        bounds: &Bounds,
        rng: &mut Rng,
        best: &mut [f64],
    ) -> Result<u64, RandomShootingError> {
        let (_, n) = shoot(
            objective,
            bounds,
            rng,
            self.samples,
            Some(&state.warm),
            best,
            &mut state.candidate,
        );
        Ok(n)
    }

    fn advance(&self, state: &mut ShootingPlanning, best: &[f64], action_dim: usize, pad: &[f64]) {
        state.warm.copy_from_slice(best);
        shift_plan(&mut state.warm, action_dim, pad);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::functions::sphere;

    #[test]
    fn a_warm_start_at_the_optimum_is_kept() {
        let p = sphere(4).unwrap();
        let x = [0.3, -0.1, 2.0, 1.0];
        let params = RandomShootingParams {
            samples: 100,
            init_mean: Some(x.to_vec()),
        };
        let s = random_shooting(&p, &x, &mut Rng::new(0), &params).unwrap();
        assert_eq!((s.theta.as_slice(), s.value), (&x[..], 0.0));
        assert_eq!(s.cost.evaluations, 101);
    }

    #[test]
    fn same_seed_same_answer() {
        let p = sphere(3).unwrap();
        let x = [0.0; 3];
        let params = RandomShootingParams {
            samples: 64,
            init_mean: None,
        };
        let a = random_shooting(&p, &x, &mut Rng::new(5), &params).unwrap();
        let b = random_shooting(&p, &x, &mut Rng::new(5), &params).unwrap();
        assert_eq!((a.theta, a.value), (b.theta, b.value));
        assert!(random_shooting(
            &p,
            &x,
            &mut Rng::new(5),
            &RandomShootingParams {
                samples: 0,
                init_mean: None
            }
        )
        .is_err());
    }
}
