//! `plan(cem, …)`: the cross-entropy method as a solver — on a continuous
//! objective, CEM on each instance; on a control problem, CEM
//! model-predictive control replanning every step. A starting point is the
//! search's initial mean and spread (see `sampling.rs`).

use std::sync::Arc;

use super::sampling::{Sampling, SamplingSolver};
use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::cem::{cem, CemParams};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "cem",
        doc: "The cross-entropy method; on a control problem, CEM model-predictive control replanning every step. Cost per instance: evals/q counts objective evaluations (`samples` × `iters`). Per control step (MPC): every simulated step, `samples` × `iters` × `horizon` plus the real one. nodes/q is 0.",
        params: vec![
            ParamSpec::int("samples", 64, "candidates per iteration").range(2.0, 1e6),
            ParamSpec::int("elites", 8, "best candidates refitted each iteration").range(1.0, 1e6),
            ParamSpec::int("iters", 100, "iterations (per control step)").range(1.0, 1e6),
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
    let params = CemParams {
        samples: p.usize("samples"),
        elites: p.usize("elites"),
        iters: p.usize("iters"),
        ..CemParams::default()
    };
    if params.elites > params.samples {
        return Err(SolveError::Problem(format!(
            "`elites` ({}) cannot exceed `samples` ({})",
            params.elites, params.samples
        )));
    }
    Ok(Arc::new(SamplingSolver {
        params,
        horizon: p.usize("horizon"),
    }))
}

impl Sampling for CemParams {
    const NAME: &'static str = "cem";

    fn solve(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        cem(problem, x, rng, self).map_err(SolveError::native)
    }

    /// The search's initial mean and std.
    fn starting_at(&self, start: &[f64], std: &[f64]) -> Self {
        CemParams {
            init_mean: Some(start.to_vec()),
            init_std: Some(std.to_vec()),
            ..self.clone()
        }
    }

    /// Each step's search starts with this std around the guide's plan.
    fn guided(&self, plan_std: Vec<f64>) -> Self {
        CemParams {
            init_std: Some(plan_std),
            ..self.clone()
        }
    }
}
