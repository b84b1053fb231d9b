//! Random search: best of `samples` points drawn uniformly from the box.
//!
//! The baseline every other optimizer must beat at equal evaluations; it is
//! `best_of` with a uniform sampler, and needs a finite box.

use crate::direct::best_of::{best_of, BestOfError, UniformSampler};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::rng::Rng;
use std::fmt;

/// Parameters of `random_search`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomSearchParams {
    /// Points drawn (and evaluations spent).
    pub samples: usize,
}

impl Default for RandomSearchParams {
    fn default() -> Self {
        RandomSearchParams { samples: 1000 }
    }
}

/// Why random search cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum RandomSearchError {
    /// The problem's box cannot be sampled uniformly.
    Sampler {
        problem: String,
        source: BestOfError,
    },
    /// The search itself refused (the instance, the box, `samples`).
    BestOf(BestOfError),
}

impl fmt::Display for RandomSearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RandomSearchError::Sampler { problem, source } => {
                write!(f, "random_search on {problem}: {source}")
            }
            RandomSearchError::BestOf(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RandomSearchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RandomSearchError::Sampler { source, .. } => Some(source),
            RandomSearchError::BestOf(e) => Some(e),
        }
    }
}

/// Minimizes `problem` on instance `x` by uniform random search.
pub fn random_search<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    rng: &mut Rng,
    params: &RandomSearchParams,
) -> Result<Solution, RandomSearchError> {
    let mut sampler =
        UniformSampler::new(problem.bounds()).map_err(|source| RandomSearchError::Sampler {
            problem: problem.name(),
            source,
        })?;
    best_of(problem, x, rng, &mut sampler, params.samples).map_err(RandomSearchError::BestOf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::functions::sphere;

    #[test]
    fn dynamic_problems_are_accepted() {
        // The interpreter holds problems as trait objects.
        let p: Box<dyn ContinuousProblem> = Box::new(sphere(2).unwrap());
        let params = RandomSearchParams { samples: 10 };
        let s = random_search(p.as_ref(), &[0.0, 0.0], &mut Rng::new(1), &params).unwrap();
        assert_eq!(s.value, p.value(&s.theta, &[0.0, 0.0]));
    }

    #[test]
    fn answer_is_the_best_of_the_uniform_draws() {
        // Replays the same stream: the answer must be the minimum over the draws.
        let p = sphere(2).unwrap();
        let x = [0.5, -0.5];
        let s = random_search(
            &p,
            &x,
            &mut Rng::new(8),
            &RandomSearchParams { samples: 50 },
        )
        .unwrap();
        let mut rng = Rng::new(8);
        let best = (0..50)
            .map(|_| {
                let t = [rng.uniform_in(-5.0, 5.0), rng.uniform_in(-5.0, 5.0)];
                p.value(&t, &x)
            })
            .fold(f64::INFINITY, f64::min);
        assert_eq!(s.value, best);
        assert_eq!(s.cost.evaluations, 50);
        let again = random_search(
            &p,
            &x,
            &mut Rng::new(8),
            &RandomSearchParams { samples: 50 },
        )
        .unwrap();
        assert_eq!(
            again,
            Solution {
                cost: again.cost,
                ..s
            }
        );
    }
}
