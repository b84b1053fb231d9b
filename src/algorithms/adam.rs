//! `plan(adam, …)`: Adam on each instance of a differentiable objective,
//! as a solver (the gradient-method solver of `gd.rs`).

use std::sync::Arc;

use super::gd::{params, Descent, DescentSolver};
use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::adam::{adam, AdamParams};
use crate::direct::continuous::Solution;
use crate::direct::gd::GradientError;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::Params;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "adam",
        doc: "Adam on one instance, projected into the box (direct variational inference on a posterior objective). Cost per instance: evals/q counts evaluations of the objective with its gradient (`steps` + 1: the last point is evaluated too). nodes/q is 0.",
        params: params(0.05),
        families: Families::CONTINUOUS,
        warm_starts: WarmStarts::START_POINT,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(DescentSolver(AdamParams {
        steps: p.usize("steps"),
        lr: p.num("lr"),
        ..AdamParams::default()
    })))
}

impl Descent for AdamParams {
    const NAME: &'static str = "adam";

    fn descend(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
    ) -> Result<Solution, GradientError> {
        adam(problem, x, self)
    }

    fn starting_at(&self, start: &[f64]) -> Self {
        AdamParams {
            start: Some(start.to_vec()),
            ..self.clone()
        }
    }
}
