//! `init(prior, planner)` for continuous and control planners: the model's
//! answer is where the planner starts — the starting point of gradient
//! descent, the initial mean of CEM or CMA-ES, and, on a control problem,
//! the plan a model-predictive controller starts from at every step.
//!
//! Which planners take a starting point is their descriptor's business
//! (`WarmStarts::START_POINT`); each says what it does with one through
//! `Solver::started` and `Solver::guided_episode`.

use std::sync::Arc;

use super::model::Amortized;
use super::problem::Families;
use super::solver::{SolveError, Solver};
use crate::cost::Cost;
use crate::direct::continuous::Solution;
use crate::domains::continuous::{Bounds, ContinuousProblem};
use crate::domains::control::{ControlProblem, Episode};
use crate::params::ParamValue;
use crate::rng::Rng;

/// A planner started from a model's answer.
#[derive(Debug)]
pub struct WarmStarted {
    pub prior: Arc<Amortized>,
    pub planner: Arc<dyn Solver>,
    /// The initial spread, as a fraction of the box.
    pub spread: f64,
}

/// The width of each coordinate of a box, with a finite stand-in for
/// unbounded coordinates.
pub fn widths(b: &Bounds) -> Vec<f64> {
    b.lo.iter()
        .zip(&b.hi)
        .map(|(lo, hi)| if (hi - lo).is_finite() { hi - lo } else { 2.0 })
        .collect()
}

impl Solver for WarmStarted {
    fn algorithm(&self) -> &str {
        self.planner.algorithm()
    }

    fn families(&self) -> Families {
        self.planner
            .families()
            .intersect(Families::CONTINUOUS.union(Families::CONTROL))
    }

    /// The planner starts from the prior's answer; the better of the two
    /// answers is returned.
    fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        let first = self.prior.answer(p, x)?;
        let std: Vec<f64> = widths(&p.bounds())
            .iter()
            .map(|w| (w * self.spread).max(1e-12))
            .collect();
        let planner = self.planner.started(&first.theta, &std)?;
        let mut s = planner.solve_continuous(p, x, rng)?;
        s.cost += first.cost;
        if first.value < s.value {
            s.theta = first.theta;
            s.value = first.value;
        }
        Ok(s)
    }

    /// At every step the planner starts from the plan the model makes by
    /// acting through the problem's dynamics.
    fn control_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
    ) -> Result<Episode, SolveError> {
        let prior = &self.prior;
        prior.check_widths(
            &problem.name(),
            Families::CONTROL,
            problem.feature_dim(),
            problem.action_dim(),
            "action dimensions",
        )?;
        let ad = problem.action_dim();
        let mut scratch = vec![0.0; problem.state_dim()];
        let mut features = vec![0.0; problem.feature_dim()];
        let mut failure: Option<SolveError> = None;
        let mut guide = |state: &[f64], plan: &mut [f64]| -> Cost {
            let mut cost = Cost::default();
            scratch.copy_from_slice(state);
            for step in plan.chunks_mut(ad) {
                match prior.act(problem, &scratch, &mut features, step) {
                    Ok(c) => cost += c,
                    Err(e) => {
                        failure.get_or_insert(e.into());
                    }
                }
                problem.step(&mut scratch, step);
                cost.evaluations += 1;
            }
            cost
        };
        let episode =
            self.planner
                .guided_episode(problem, initial, rng, &mut guide, self.spread)?;
        match failure {
            Some(e) => Err(e),
            None => Ok(episode),
        }
    }

    fn with_param(&self, name: &str, value: &ParamValue) -> Result<Arc<dyn Solver>, SolveError> {
        Ok(Arc::new(WarmStarted {
            prior: self.prior.clone(),
            planner: self.planner.with_param(name, value)?,
            spread: self.spread,
        }))
    }

    fn model(&self) -> Option<&Amortized> {
        Some(&self.prior)
    }
}
