//! Solvers as the interpreter holds them: a direct algorithm with its
//! parameters, or an amortized model (and, as later issues add them,
//! composed solvers). Dispatch on the solver happens once per query; the
//! search itself runs monomorphized over the domain.

use super::hybrid::{warm_continuous, warm_control, Gate, GateAgent, NetEvaluator};
use super::model::{Amortized, AmortizedAgent};
use crate::direct::adam::{adam, AdamParams};
use crate::direct::best_of::{best_of, Sampler};
use crate::direct::cem::{cem, CemParams};
use crate::direct::cmaes::{cmaes, CmaesParams};
use crate::direct::continuous::Solution;
use crate::direct::gd::{gd, GdParams};
use crate::direct::mcts::MctsParams;
use crate::direct::minimax::MinimaxParams;
use crate::direct::mpc::{mpc, MpcParams, Planner};
use crate::direct::play::{Agent, MctsAgent, MinimaxAgent, RandomAgent, ValueIterationAgent};
use crate::direct::random_search::{random_search, RandomSearchParams};
use crate::direct::random_shooting::{random_shooting, RandomShootingParams};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::Game;
use crate::domains::gridworld::GridWorld;
use crate::ir::signature::Domains;
use crate::rng::Rng;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum Solver {
    Mcts(MctsParams),
    Minimax(MinimaxParams),
    ValueIteration,
    /// CEM; on a control problem, CEM-MPC with this planning horizon.
    Cem {
        params: CemParams,
        horizon: usize,
    },
    RandomShooting {
        params: RandomShootingParams,
        horizon: usize,
    },
    Cmaes(CmaesParams),
    Gd(GdParams),
    Adam(AdamParams),
    RandomSearch(RandomSearchParams),
    /// The best of `n` answers of a randomized solver, or of `n` uniform
    /// samples when there is none.
    BestOf {
        n: usize,
        sampler: Option<Arc<SolverValue>>,
    },
    /// Uniformly random legal moves (the default opponent in games).
    Random,
    /// A trained network (or ensemble): one forward pass per query.
    Amortized(Arc<Amortized>),
    /// MCTS guided by networks: PUCT priors from a policy network
    /// (`init`), leaf values from a value network (`value`).
    Guided {
        params: MctsParams,
        prior: Option<Arc<Amortized>>,
        value: Option<Arc<Amortized>>,
    },
    /// A continuous or control planner started from a model's answer (`init`).
    Warm {
        prior: Arc<Amortized>,
        planner: Box<Solver>,
        spread: f64,
    },
    /// The model when it can be trusted, the planner otherwise (`gate`).
    Gate(Arc<Gate>),
}

/// A solver with the name reports give it (its declaration's name, or its
/// source text).
#[derive(Clone, Debug)]
pub struct SolverValue {
    pub solver: Solver,
    pub label: String,
}

impl SolverValue {
    /// The name a report row gives it: the label, marked `(cached)` for a
    /// model whose weights came from the cache rather than from training.
    pub fn report_name(&self) -> String {
        match &self.solver {
            Solver::Amortized(a) if a.cached => format!("{} (cached)", self.label),
            _ => self.label.clone(),
        }
    }
}

impl Solver {
    pub fn domains(&self) -> Domains {
        match self {
            Solver::Mcts(_) | Solver::Random => Domains::DISCRETE,
            Solver::Minimax(_) => Domains::GAME.union(Domains::MDP),
            Solver::ValueIteration => Domains::MDP,
            Solver::Cem { .. } | Solver::RandomShooting { .. } => {
                Domains::CONTINUOUS.union(Domains::CONTROL)
            }
            Solver::Cmaes(_) | Solver::Gd(_) | Solver::Adam(_) | Solver::RandomSearch(_) => {
                Domains::CONTINUOUS
            }
            Solver::BestOf { sampler, .. } => sampler.as_ref().map_or(Domains::CONTINUOUS, |s| {
                s.solver.domains().intersect(Domains::CONTINUOUS)
            }),
            Solver::Amortized(a) => a.domains,
            Solver::Guided { .. } => Domains::DISCRETE,
            Solver::Warm { planner, .. } => planner
                .domains()
                .intersect(Domains::CONTINUOUS.union(Domains::CONTROL)),
            Solver::Gate(g) => g.amortized.domains.intersect(g.planner.domains()),
        }
    }

    /// The trained model inside a solver, for training-cost accounting.
    pub fn model(&self) -> Option<&Amortized> {
        match self {
            Solver::Amortized(a) | Solver::Warm { prior: a, .. } => Some(a),
            Solver::Guided { prior, value, .. } => prior.as_deref().or(value.as_deref()),
            Solver::Gate(g) => Some(&g.amortized),
            Solver::BestOf {
                sampler: Some(s), ..
            } => s.solver.model(),
            _ => None,
        }
    }

    /// Answers one continuous instance.
    pub fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, String> {
        match self {
            Solver::Cem { params, .. } => cem(p, x, rng, params),
            Solver::RandomShooting { params, .. } => random_shooting(p, x, rng, params),
            Solver::Cmaes(params) => cmaes(p, x, rng, params),
            Solver::Gd(params) => gd(p, x, params),
            Solver::Adam(params) => adam(p, x, params),
            Solver::RandomSearch(params) => random_search(p, x, rng, params),
            Solver::Amortized(a) => a.solve_continuous(p, x),
            Solver::Warm {
                prior,
                planner,
                spread,
            } => warm_continuous(prior, planner, *spread, p, x, rng),
            Solver::Gate(g) => g.solve_continuous(p, x, rng),
            Solver::BestOf { n, sampler: None } => {
                let mut s = crate::direct::best_of::UniformSampler::new(p.bounds())?;
                best_of(p, x, rng, &mut s, *n)
            }
            Solver::BestOf {
                n,
                sampler: Some(inner),
            } => {
                let mut s = SolverSampler {
                    solver: &inner.solver,
                    problem: p,
                    error: None,
                    proposals: 0,
                };
                let solution = best_of(p, x, rng, &mut s, *n)?;
                match s.error {
                    Some(e) => Err(e),
                    None => Ok(solution),
                }
            }
            other => Err(format!(
                "{} cannot solve a continuous objective",
                other.algorithm()
            )),
        }
    }

    /// Runs one closed-loop episode of a control problem (model-predictive control).
    pub fn control_episode<C: ControlProblem + ?Sized>(
        &self,
        problem: &C,
        initial: &[f64],
        rng: &mut Rng,
    ) -> Result<Episode, String> {
        let (planner, horizon) = match self {
            Solver::Cem { params, horizon } => (Planner::Cem(params.clone()), *horizon),
            Solver::RandomShooting { params, horizon } => {
                (Planner::RandomShooting(params.clone()), *horizon)
            }
            Solver::Amortized(a) => return a.control_episode(problem, initial),
            Solver::Warm {
                prior,
                planner,
                spread,
            } => return warm_control(prior, planner, *spread, problem, initial, rng),
            other => {
                return Err(format!(
                    "{} cannot plan on a control problem",
                    other.algorithm()
                ))
            }
        };
        mpc(
            problem,
            initial,
            rng,
            &planner,
            &MpcParams {
                horizon,
                steps: None,
            },
        )
    }

    /// The solver as an agent playing a discrete problem.
    pub fn agent<G: Game + 'static>(&self) -> Result<Box<dyn Agent<G>>, String> {
        Ok(match self {
            Solver::Mcts(params) => Box::new(MctsAgent::<G>::new(*params)?),
            // Randomized tie-breaking, so that repeated games differ.
            Solver::Minimax(params) => Box::new(MinimaxAgent::<G>::new(*params, true)?),
            Solver::Random => Box::new(RandomAgent),
            Solver::Amortized(a) => Box::new(AmortizedAgent::new(a.clone())),
            Solver::Guided {
                params,
                prior,
                value,
            } => {
                let eval = NetEvaluator::new(prior.clone(), value.clone());
                Box::new(GuidedAgent {
                    inner: MctsAgent::<G, NetEvaluator>::with_evaluator(*params, eval.clone())?,
                    eval,
                })
            }
            Solver::Gate(g) => Box::new(GateAgent::<G>::new(g.clone())?),
            other => return Err(format!("{} cannot play this problem", other.algorithm())),
        })
    }

    /// The solver as an agent on gridworld, where value iteration applies too.
    pub fn grid_agent(&self) -> Result<Box<dyn Agent<GridWorld>>, String> {
        match self {
            Solver::ValueIteration => Ok(Box::new(ValueIterationAgent::default())),
            Solver::Gate(g) => Ok(Box::new(GateAgent::with_planner(
                g.clone(),
                g.planner.grid_agent()?,
            )?)),
            other => other.agent(),
        }
    }

    /// The algorithm's name, for messages.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Solver::Mcts(_) => "mcts",
            Solver::Minimax(_) => "minimax",
            Solver::ValueIteration => "value_iteration",
            Solver::Cem { .. } => "cem",
            Solver::RandomShooting { .. } => "random_shooting",
            Solver::Cmaes(_) => "cmaes",
            Solver::Gd(_) => "gd",
            Solver::Adam(_) => "adam",
            Solver::RandomSearch(_) => "random_search",
            Solver::BestOf { .. } => "best_of",
            Solver::Random => "random",
            Solver::Amortized(_) => "amortized",
            Solver::Guided { .. } => "mcts",
            Solver::Warm { planner, .. } => planner.algorithm(),
            Solver::Gate(_) => "gate",
        }
    }
}

/// Network-guided MCTS as an agent: the networks are checked against the
/// game before the first search.
struct GuidedAgent<G: Game> {
    inner: MctsAgent<G, NetEvaluator>,
    eval: NetEvaluator,
}

impl<G: Game> Agent<G> for GuidedAgent<G> {
    fn name(&self) -> String {
        "mcts (guided)".into()
    }
    fn act(
        &mut self,
        game: &G,
        state: &G::State,
        rng: &mut Rng,
    ) -> Result<(usize, crate::cost::Cost), String> {
        self.eval.check(game)?;
        self.inner.act(game, state, rng)
    }
    fn reset(&mut self) {
        self.inner.reset();
    }
}

/// A randomized solver used as `best_of`'s proposal distribution: each
/// proposal is one run with its own random stream.
struct SolverSampler<'a> {
    solver: &'a Solver,
    problem: &'a dyn ContinuousProblem,
    error: Option<String>,
    proposals: usize,
}

impl Sampler for SolverSampler<'_> {
    fn propose(&mut self, x: &[f64], rng: &mut Rng, theta: &mut [f64]) -> crate::cost::Cost {
        match self.solver.solve_continuous(self.problem, x, rng) {
            Ok(s) => {
                theta.copy_from_slice(&s.theta);
                // A network answers the same every time: sample around its
                // answer (a tenth of the box), keeping the first as it is.
                if matches!(self.solver, Solver::Amortized(_)) && self.proposals > 0 {
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
                crate::cost::Cost::default()
            }
        }
    }
}
