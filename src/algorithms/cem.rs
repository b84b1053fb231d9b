//! `plan(cem, …)`: the cross-entropy method as a solver — on a continuous
//! objective, CEM on each instance; on a control problem, CEM
//! model-predictive control replanning every step. It takes a starting
//! point: the initial mean (and spread) of the search, and on a control
//! problem the plan each step's search starts from.

use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::solver::Guide;
use crate::compose::warm::widths;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::cem::{cem, CemParams};
use crate::direct::continuous::Solution;
use crate::direct::mpc::{mpc, mpc_guided, MpcParams};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "cem",
        doc: "The cross-entropy method; on a control problem, CEM model-predictive control replanning every step.",
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
    Ok(Arc::new(CemSolver {
        params,
        horizon: p.usize("horizon"),
    }))
}

/// CEM with its parameters and its planning horizon for control.
#[derive(Clone, Debug)]
pub struct CemSolver {
    params: CemParams,
    horizon: usize,
}

impl CemSolver {
    fn mpc(&self) -> MpcParams {
        MpcParams {
            horizon: self.horizon,
            steps: None,
        }
    }
}

impl Solver for CemSolver {
    fn algorithm(&self) -> &str {
        "cem"
    }

    fn families(&self) -> Families {
        Families::CONTINUOUS.union(Families::CONTROL)
    }

    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        cem(problem, x, rng, &self.params).map_err(SolveError::native)
    }

    fn control_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
    ) -> Result<Episode, SolveError> {
        mpc(problem, initial, rng, &self.params, &self.mpc()).map_err(SolveError::native)
    }

    fn accepts(&self) -> WarmStarts {
        WarmStarts::START_POINT
    }

    /// The search's initial mean and std.
    fn started(&self, start: &[f64], std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        Ok(Arc::new(CemSolver {
            params: CemParams {
                init_mean: Some(start.to_vec()),
                init_std: Some(std.to_vec()),
                ..self.params.clone()
            },
            horizon: self.horizon,
        }))
    }

    /// Each step's search starts from the guide's plan, with a std of
    /// `spread` times the action box.
    fn guided_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
        guide: Guide<'_>,
        spread: f64,
    ) -> Result<Episode, SolveError> {
        let std: Vec<f64> = widths(&problem.action_bounds())
            .iter()
            .cycle()
            .take(self.horizon * problem.action_dim())
            .map(|w| w * spread)
            .collect();
        let params = CemParams {
            init_std: Some(std),
            ..self.params.clone()
        };
        mpc_guided(
            problem,
            initial,
            rng,
            &params,
            &self.mpc(),
            Some(guide),
        ).map_err(SolveError::native)
    }
}
