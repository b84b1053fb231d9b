//! `best_of(n, sampler)`: the best of `n` answers of a randomized solver,
//! or of `n` uniform samples of the box when there is none.

use std::any::Any;
use std::sync::Arc;

use super::model::Amortized;
use super::problem::Families;
use super::solver::{SolveError, Solver};
use crate::cost::Cost;
use crate::direct::best_of::{best_of, Sampler, UniformSampler};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::params::ParamValue;
use crate::rng::Rng;

/// The best of `n` answers (see the module docs).
#[derive(Clone, Debug)]
pub struct BestOf {
    pub n: usize,
    pub sampler: Option<Arc<dyn Solver>>,
}

impl Solver for BestOf {
    fn algorithm(&self) -> &str {
        "best_of"
    }

    fn families(&self) -> Families {
        self.sampler.as_ref().map_or(Families::CONTINUOUS, |s| {
            s.families().intersect(Families::CONTINUOUS)
        })
    }

    fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        match &self.sampler {
            None => {
                let mut s = UniformSampler::new(p.bounds()).map_err(SolveError::native)?;
                best_of(p, x, rng, &mut s, self.n).map_err(SolveError::native)
            }
            Some(inner) => {
                let mut s = SolverSampler {
                    solver: &**inner,
                    problem: p,
                    error: None,
                    proposals: 0,
                };
                let solution = best_of(p, x, rng, &mut s, self.n).map_err(SolveError::native)?;
                match s.error {
                    Some(e) => Err(e),
                    None => Ok(solution),
                }
            }
        }
    }

    fn with_param(&self, name: &str, value: &ParamValue) -> Result<Arc<dyn Solver>, SolveError> {
        match (name, value.as_i64()) {
            ("n", Some(n)) if n >= 1 => Ok(Arc::new(BestOf {
                n: n as usize,
                sampler: self.sampler.clone(),
            })),
            ("n", _) => Err(SolveError::Problem(format!(
                "`n` takes whole numbers ≥ 1, found {value}"
            ))),
            _ => Err(SolveError::NoParam {
                solver: self.algorithm().to_string(),
                name: name.to_string(),
                known: vec!["n"],
            }),
        }
    }

    fn model(&self) -> Option<&Amortized> {
        self.sampler.as_ref().and_then(|s| s.model())
    }
}

/// A randomized solver used as `best_of`'s proposal distribution: each
/// proposal is one run with its own random stream.
struct SolverSampler<'a> {
    solver: &'a dyn Solver,
    problem: &'a dyn ContinuousProblem,
    error: Option<SolveError>,
    proposals: usize,
}

impl Sampler for SolverSampler<'_> {
    fn propose(&mut self, x: &[f64], rng: &mut Rng, theta: &mut [f64]) -> Cost {
        match self.solver.solve_continuous(self.problem, x, rng) {
            Ok(s) => {
                theta.copy_from_slice(&s.theta);
                // A network answers the same every time: sample around its
                // answer (a tenth of the box), keeping the first as it is.
                let network = (self.solver as &dyn Any).is::<Amortized>();
                if network && self.proposals > 0 {
                    let b = self.problem.bounds();
                    for (i, t) in theta.iter_mut().enumerate() {
                        let w = b.hi[i] - b.lo[i];
                        let w = if w.is_finite() { w } else { 2.0 };
                        *t += 0.1 * w * rng.normal();
                    }
                    b.clamp(theta);
                }
                self.proposals += 1;
                s.cost
            }
            Err(e) => {
                self.error.get_or_insert(e);
                Cost::default()
            }
        }
    }
}
