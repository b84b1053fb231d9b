//! `plan(gd, …)`: gradient descent on each instance of a differentiable
//! objective, as a solver; a starting point is where the descent starts.
//! The solver is written once for every gradient method ([`Descent`]):
//! `adam` is the other.

use std::fmt;
use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::continuous::Solution;
use crate::direct::gd::{gd, GdParams, GradientError};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "gd",
        doc: "Gradient descent on one instance, projected into the box. Cost per instance: evals/q counts evaluations of the objective with its gradient (`steps` + 1: the last point is evaluated too). nodes/q is 0.",
        params: params(0.01),
        families: Families::CONTINUOUS,
        warm_starts: WarmStarts::START_POINT,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

/// A gradient method's parameters: steps and a step size defaulting to `lr`.
pub fn params(lr: f64) -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("steps", 1000, "gradient steps").range(1.0, 1e9),
        ParamSpec::num("lr", lr, "step size").range(1e-12, 1e6),
    ]
}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(DescentSolver(GdParams {
        steps: p.usize("steps"),
        lr: p.num("lr"),
        start: None,
    })))
}

/// A gradient method: how it descends on one instance, and where it starts.
pub trait Descent: Clone + fmt::Debug + Send + Sync + 'static {
    /// The algorithm's name.
    const NAME: &'static str;
    fn descend(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
    ) -> Result<Solution, GradientError>;
    /// The same method starting from `start`.
    fn starting_at(&self, start: &[f64]) -> Self;
}

impl Descent for GdParams {
    const NAME: &'static str = "gd";

    fn descend(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
    ) -> Result<Solution, GradientError> {
        gd(problem, x, self)
    }

    fn starting_at(&self, start: &[f64]) -> Self {
        GdParams {
            start: Some(start.to_vec()),
            ..self.clone()
        }
    }
}

/// A gradient method with its parameters, as a solver.
#[derive(Clone, Debug)]
pub struct DescentSolver<P>(pub P);

impl<P: Descent> Solver for DescentSolver<P> {
    fn algorithm(&self) -> &str {
        P::NAME
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
        self.0.descend(problem, x).map_err(SolveError::native)
    }

    fn accepts(&self) -> WarmStarts {
        WarmStarts::START_POINT
    }

    /// The descent starts from `start`.
    fn started(&self, start: &[f64], _std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        Ok(Arc::new(DescentSolver(self.0.starting_at(start))))
    }
}
