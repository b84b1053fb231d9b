//! Random search: best of `samples` points drawn uniformly from the box.
//!
//! The baseline every other optimizer must beat at equal evaluations; it is
//! `best_of` with a uniform sampler, and needs a finite box.

use crate::direct::best_of::{best_of, UniformSampler};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::rng::Rng;

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

/// Minimizes `problem` on instance `x` by uniform random search.
pub fn random_search<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    rng: &mut Rng,
    params: &RandomSearchParams,
) -> Result<Solution, String> {
    let mut sampler = UniformSampler::new(problem.bounds())
        .map_err(|e| format!("random_search on {}: {e}", problem.name()))?;
    best_of(problem, x, rng, &mut sampler, params.samples)
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
