//! The solver shared by sampling planners (CEM, random shooting): on a
//! continuous objective they optimize each instance; on a control problem
//! they replan every step (model-predictive control, `direct::mpc`) over a
//! horizon. Both take a starting point: where the search starts on an
//! instance, and the plan a guide proposes before each control step.

use std::fmt;
use std::sync::Arc;

use crate::compose::solver::Guide;
use crate::compose::warm::widths;
use crate::compose::{Families, SolveError, Solver, WarmStarts};
use crate::direct::continuous::Solution;
use crate::direct::mpc::{mpc, mpc_guided, MpcParams, Replanner};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::rng::Rng;

/// A sampling planner's parameters (see the module docs).
pub trait Sampling:
    Replanner<Error: std::error::Error + Send + Sync + 'static>
    + Clone
    + fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// The algorithm's name.
    const NAME: &'static str;
    /// Optimizes one continuous instance.
    fn solve(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError>;
    /// The same planner started from `start`, with spread `std` per coordinate.
    fn starting_at(&self, start: &[f64], std: &[f64]) -> Self;
    /// The planner a guided episode replans with, given the spread of the
    /// search around each guided plan (per plan coordinate).
    fn guided(&self, plan_std: Vec<f64>) -> Self;
}

/// A sampling planner with its planning horizon for control.
#[derive(Clone, Debug)]
pub struct SamplingSolver<P> {
    pub params: P,
    pub horizon: usize,
}

impl<P> SamplingSolver<P> {
    fn mpc(&self) -> MpcParams {
        MpcParams {
            horizon: self.horizon,
            steps: None,
        }
    }
}

impl<P: Sampling> Solver for SamplingSolver<P> {
    fn algorithm(&self) -> &str {
        P::NAME
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
        self.params.solve(problem, x, rng)
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

    fn started(&self, start: &[f64], std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        Ok(Arc::new(SamplingSolver {
            params: self.params.starting_at(start, std),
            horizon: self.horizon,
        }))
    }

    /// Each step's search starts from the guide's plan, `spread` times the
    /// action box around it.
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
        let params = self.params.guided(std);
        mpc_guided(problem, initial, rng, &params, &self.mpc(), Some(guide))
            .map_err(SolveError::native)
    }
}
