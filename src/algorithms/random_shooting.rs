//! `plan(random_shooting, …)`: the best of uniformly random candidates as a
//! solver — on a control problem, random-shooting model-predictive
//! control. A starting point becomes one more candidate.

use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::solver::Guide;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::continuous::Solution;
use crate::direct::mpc::{mpc, mpc_guided, MpcParams};
use crate::direct::random_shooting::{random_shooting, RandomShootingParams};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "random_shooting",
        doc: "Best of uniformly random candidates; on a control problem, random-shooting MPC.",
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
    Ok(Arc::new(ShootingSolver {
        params: RandomShootingParams {
            samples: p.usize("samples"),
            ..RandomShootingParams::default()
        },
        horizon: p.usize("horizon"),
    }))
}

/// Random shooting with its parameters and its planning horizon.
#[derive(Clone, Debug)]
pub struct ShootingSolver {
    params: RandomShootingParams,
    horizon: usize,
}

impl ShootingSolver {
    fn mpc(&self) -> MpcParams {
        MpcParams {
            horizon: self.horizon,
            steps: None,
        }
    }
}

impl Solver for ShootingSolver {
    fn algorithm(&self) -> &str {
        "random_shooting"
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
        random_shooting(problem, x, rng, &self.params).map_err(SolveError::native)
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

    /// The starting point is one more candidate.
    fn started(&self, start: &[f64], _std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        Ok(Arc::new(ShootingSolver {
            params: RandomShootingParams {
                init_mean: Some(start.to_vec()),
                ..self.params.clone()
            },
            horizon: self.horizon,
        }))
    }

    /// The guide's plan is each step's warm candidate.
    fn guided_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
        guide: Guide<'_>,
        _spread: f64,
    ) -> Result<Episode, SolveError> {
        mpc_guided(
            problem,
            initial,
            rng,
            &self.params,
            &self.mpc(),
            Some(guide),
        ).map_err(SolveError::native)
    }
}
