//! `plan(adam, …)`: Adam on each instance of a differentiable objective, as a
//! solver. A starting point is where the descent starts.

use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::adam::{adam, AdamParams};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "adam",
        doc: "Adam on one instance, projected into the box (direct variational inference on a posterior objective).",
        params: vec![
            ParamSpec::int("steps", 1000, "gradient steps").range(1.0, 1e9),
            ParamSpec::num("lr", 0.05, "step size").range(1e-12, 1e6),
        ],
        families: Families::CONTINUOUS,
        warm_starts: WarmStarts::START_POINT,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(AdamSolver(AdamParams {
        steps: p.usize("steps"),
        lr: p.num("lr"),
        ..AdamParams::default()
    })))
}

/// The descent with its parameters.
#[derive(Clone, Debug)]
pub struct AdamSolver(AdamParams);

impl Solver for AdamSolver {
    fn algorithm(&self) -> &str {
        "adam"
    }

    fn families(&self) -> Families {
        Families::CONTINUOUS
    }

    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        _rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        adam(problem, x, &self.0).map_err(SolveError::native)
    }

    fn accepts(&self) -> WarmStarts {
        WarmStarts::START_POINT
    }

    /// The descent starts from `start`.
    fn started(&self, start: &[f64], _std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        let mut p = self.0.clone();
        p.start = Some(start.to_vec());
        Ok(Arc::new(AdamSolver(p)))
    }
}
