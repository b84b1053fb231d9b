//! `plan(random_shooting, …)`: the best of uniformly random candidates as a
//! solver — on a control problem, random-shooting model-predictive
//! control. A starting point becomes one more candidate (see `sampling.rs`).

use std::sync::Arc;

use super::sampling::{Sampling, SamplingSolver};
use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::continuous::Solution;
use crate::direct::random_shooting::{random_shooting, RandomShootingParams};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "random_shooting",
        doc: "Best of uniformly random candidates; on a control problem, random-shooting MPC. Cost per instance: evals/q counts objective evaluations (`samples`). Per control step (MPC): every simulated step, `samples` × `horizon` plus the real one. nodes/q is 0.",
        params: vec![
            ParamSpec::int("samples", 1000, "candidates (per control step)").range(1.0, 1e7),
            ParamSpec::int("horizon", 30, "control problems: steps planned ahead")
                .range(1.0, 10_000.0),
        ],
        families: Families::CONTINUOUS.union(Families::CONTROL),
        warm_starts: WarmStarts::START_POINT,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(SamplingSolver {
        params: RandomShootingParams {
            samples: p.usize("samples"),
            ..RandomShootingParams::default()
        },
        horizon: p.usize("horizon"),
    }))
}

impl Sampling for RandomShootingParams {
    const NAME: &'static str = "random_shooting";

    fn solve(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        random_shooting(problem, x, rng, self).map_err(SolveError::native)
    }

    /// The starting point is one more candidate.
    fn starting_at(&self, start: &[f64], _std: &[f64]) -> Self {
        RandomShootingParams {
            init_mean: Some(start.to_vec()),
            ..self.clone()
        }
    }

    /// The guide's plan is each step's warm candidate; there is no spread.
    fn guided(&self, _plan_std: Vec<f64>) -> Self {
        self.clone()
    }
}
