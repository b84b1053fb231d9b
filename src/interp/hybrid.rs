//! Hybrids: amortized models composed with direct solvers.
//!
//! * `init(prior, planner)`: the model's answer starts the planner — a policy
//!   prior for PUCT, the starting mean of CEM / CMA-ES, the starting point of
//!   gradient descent, the plan CEM-MPC starts from at every control step.
//! * `value(vnet, planner)`: a value network replaces MCTS rollouts.
//! * `gate(amortized, planner, when=…)`: answer from the model when a
//!   criterion says it can be trusted, plan otherwise, and count which.

use super::model::Amortized;
use super::solver::Solver;
use crate::amortized::heads::TargetKind;
use crate::cost::Cost;
use crate::direct::cem::CemParams;
use crate::direct::continuous::Solution;
use crate::direct::mcts::Evaluator;
use crate::direct::mpc::{mpc_guided, MpcParams, Planner};
use crate::domains::continuous::{Bounds, ContinuousProblem};
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::Game;
use crate::ir::signature::Domains;
use crate::rng::Rng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A network evaluating MCTS leaves: priors from a policy network, values
/// from a value network (rollouts where there is none).
#[derive(Clone)]
pub struct NetEvaluator {
    pub prior: Option<Arc<Amortized>>,
    pub value: Option<Arc<Amortized>>,
    features: Vec<f32>,
    mask: Vec<bool>,
}

impl NetEvaluator {
    pub fn new(prior: Option<Arc<Amortized>>, value: Option<Arc<Amortized>>) -> Self {
        NetEvaluator {
            prior,
            value,
            features: Vec::new(),
            mask: Vec::new(),
        }
    }

    /// Checks the networks against the game before any search runs (a
    /// mismatch inside the search could only be ignored).
    pub fn check<G: Game>(&self, game: &G) -> Result<(), String> {
        let class = if game.num_players() == 2 {
            Domains::GAME
        } else {
            Domains::MDP
        };
        if let Some(p) = &self.prior {
            if p.target() != TargetKind::Policy {
                return Err(format!(
                    "the prior must be a policy network; this is {}",
                    p.describe()
                ));
            }
            p.check_widths(
                &game.name(),
                class,
                game.feature_dim(),
                game.num_actions(),
                "actions",
            )?;
        }
        if let Some(v) = &self.value {
            if v.target() != TargetKind::Value {
                return Err(format!(
                    "`value` needs a value network; this is {}",
                    v.describe()
                ));
            }
            v.check_widths(&game.name(), class, game.feature_dim(), 1, "value")?;
        }
        Ok(())
    }
}

impl<G: Game> Evaluator<G> for NetEvaluator {
    fn evaluate(&mut self, game: &G, state: &G::State, priors: &mut [f32]) -> Option<f32> {
        self.features.resize(game.feature_dim(), 0.0);
        if game.encode(state, &mut self.features).is_err() {
            return None;
        }
        let legal = game.legal(state);
        match &self.prior {
            Some(p) => {
                self.mask.clear();
                self.mask
                    .extend((0..game.num_actions()).map(|a| legal.contains(a)));
                match p.policy(&self.features, &self.mask) {
                    Ok((probs, _)) => priors.copy_from_slice(&probs[..priors.len()]),
                    Err(_) => priors.fill(1.0),
                }
            }
            None => priors.fill(1.0),
        }
        let v = self.value.as_ref()?;
        v.predict(&self.features)
            .ok()
            .map(|(y, _)| y[0].clamp(-1.0, 1.0))
    }

    fn flops_per_eval(&self) -> u64 {
        let flops = |m: &Option<Arc<Amortized>>| {
            m.as_ref().map_or(0, |m| {
                m.members
                    .iter()
                    .map(|n| n.spec().forward_flops())
                    .sum::<u64>()
            })
        };
        flops(&self.prior) + flops(&self.value)
    }
}

/// The width of each coordinate of a box, with a finite stand-in for
/// unbounded coordinates.
fn widths(b: &Bounds) -> Vec<f64> {
    b.lo.iter()
        .zip(&b.hi)
        .map(|(lo, hi)| if (hi - lo).is_finite() { hi - lo } else { 2.0 })
        .collect()
}

/// `planner` started from the prior's answer `start`, its initial spread a
/// fraction `spread` of the box.
fn started(
    planner: &Solver,
    start: &[f64],
    bounds: &Bounds,
    spread: f64,
) -> Result<Solver, String> {
    let std: Vec<f64> = widths(bounds)
        .iter()
        .map(|w| (w * spread).max(1e-12))
        .collect();
    Ok(match planner {
        Solver::Cem { params, horizon } => Solver::Cem {
            params: CemParams {
                init_mean: Some(start.to_vec()),
                init_std: Some(std),
                ..params.clone()
            },
            horizon: *horizon,
        },
        Solver::Cmaes(p) => {
            let mut p = p.clone();
            p.init_mean = Some(start.to_vec());
            p.sigma0 = Some(std.iter().sum::<f64>() / std.len().max(1) as f64);
            Solver::Cmaes(p)
        }
        Solver::Gd(p) => {
            let mut p = p.clone();
            p.start = Some(start.to_vec());
            Solver::Gd(p)
        }
        Solver::Adam(p) => {
            let mut p = p.clone();
            p.start = Some(start.to_vec());
            Solver::Adam(p)
        }
        Solver::RandomShooting { params, horizon } => {
            let mut params = params.clone();
            params.init_mean = Some(start.to_vec());
            Solver::RandomShooting {
                params,
                horizon: *horizon,
            }
        }
        other => {
            return Err(format!(
                "`init` cannot start {}: it takes no starting point",
                other.algorithm()
            ))
        }
    })
}

/// `init(prior, planner)` on a continuous instance: the planner starts from
/// the prior's answer; the better of the two answers is returned.
pub fn warm_continuous(
    prior: &Amortized,
    planner: &Solver,
    spread: f64,
    p: &dyn ContinuousProblem,
    x: &[f64],
    rng: &mut Rng,
) -> Result<Solution, String> {
    let first = prior.solve_continuous(p, x)?;
    let planner = started(planner, &first.theta, &p.bounds(), spread)?;
    let mut s = planner.solve_continuous(p, x, rng)?;
    s.cost += first.cost;
    if first.value < s.value {
        s.theta = first.theta;
        s.value = first.value;
    }
    Ok(s)
}

/// `init(policy, plan(cem, …))` on a control problem: at every step CEM-MPC
/// starts from the plan the policy makes by acting through the model.
pub fn warm_control<C: ControlProblem + ?Sized>(
    prior: &Amortized,
    planner: &Solver,
    spread: f64,
    problem: &C,
    initial: &[f64],
    rng: &mut Rng,
) -> Result<Episode, String> {
    let (sd, ad) = (problem.state_dim(), problem.action_dim());
    prior.check_widths(
        &problem.name(),
        Domains::CONTROL,
        problem.feature_dim(),
        ad,
        "action dimensions",
    )?;
    let bounds = problem.action_bounds();
    let (planner, horizon) = match planner {
        Solver::Cem { params, horizon } => {
            let std: Vec<f64> = widths(&bounds)
                .iter()
                .cycle()
                .take(horizon * ad)
                .map(|w| w * spread)
                .collect();
            (
                Planner::Cem(CemParams {
                    init_std: Some(std),
                    ..params.clone()
                }),
                *horizon,
            )
        }
        Solver::RandomShooting { params, horizon } => {
            (Planner::RandomShooting(params.clone()), *horizon)
        }
        other => {
            return Err(format!(
                "`init` cannot guide {} on a control problem",
                other.algorithm()
            ))
        }
    };
    let mut scratch = vec![0.0; sd];
    let mut features = vec![0.0; problem.feature_dim()];
    let mut failure: Option<String> = None;
    let mut guide = |state: &[f64], plan: &mut [f64]| -> Cost {
        let mut cost = Cost::default();
        scratch.copy_from_slice(state);
        for step in plan.chunks_mut(ad) {
            problem.features(&scratch, &mut features);
            let xf: Vec<f32> = features.iter().map(|&v| v as f32).collect();
            match prior.predict(&xf) {
                Ok((y, c)) => {
                    cost += c;
                    for (a, v) in step.iter_mut().zip(&y) {
                        *a = f64::from(*v);
                    }
                    bounds.clamp(step);
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
            problem.step(&mut scratch, step);
            cost.evaluations += 1;
        }
        cost
    };
    let episode = mpc_guided(
        problem,
        initial,
        rng,
        &planner,
        &MpcParams {
            horizon,
            steps: None,
        },
        Some(&mut guide),
    )?;
    match failure {
        Some(e) => Err(e),
        None => Ok(episode),
    }
}

/// When `gate` trusts the amortized answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Criterion {
    /// The policy's largest probability is at least the threshold.
    Confidence,
    /// The policy's entropy (nats) is at most the threshold.
    Entropy,
    /// The ensemble members disagree by at most the threshold (mean
    /// absolute difference from their average).
    Disagreement,
    /// While the planner has spent less than the threshold (search nodes
    /// plus evaluations) on this evaluation, plan; then answer amortized.
    Budget,
    /// The query's features lie within the threshold (root-mean-square
    /// coordinate distance) of some training input.
    Novelty,
}

impl Criterion {
    pub fn parse(s: &str) -> Option<Criterion> {
        Some(match s {
            "confidence" => Criterion::Confidence,
            "entropy" => Criterion::Entropy,
            "disagreement" => Criterion::Disagreement,
            "budget" => Criterion::Budget,
            "novelty" => Criterion::Novelty,
            _ => return None,
        })
    }
}

/// A gate and its counts of answers from each side.
#[derive(Debug)]
pub struct Gate {
    pub amortized: Arc<Amortized>,
    pub planner: Box<Solver>,
    pub when: Criterion,
    pub threshold: f64,
    /// Answers given by the model and by the planner since creation.
    pub by_model: AtomicU64,
    pub by_planner: AtomicU64,
    /// Planner compute spent, for the budget criterion.
    pub spent: AtomicU64,
}

impl Gate {
    fn count(&self, model: bool) {
        let c = if model {
            &self.by_model
        } else {
            &self.by_planner
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts of answers so far: (model, planner).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.by_model.load(Ordering::Relaxed),
            self.by_planner.load(Ordering::Relaxed),
        )
    }

    /// Forgets the budget spent: each evaluation starts with a full budget.
    pub fn reset_budget(&self) {
        self.spent.store(0, Ordering::Relaxed);
    }

    /// Whether to trust the model, given its members' outputs (action
    /// probabilities for a policy, the answer itself otherwise).
    fn trust(&self, x: &[f32], outputs: &[Vec<f32>]) -> bool {
        let k = outputs.len().max(1) as f32;
        let n = outputs.first().map_or(0, Vec::len);
        let mean: Vec<f32> = (0..n)
            .map(|i| outputs.iter().map(|o| o[i]).sum::<f32>() / k)
            .collect();
        let t = self.threshold;
        match self.when {
            Criterion::Confidence => f64::from(mean.iter().copied().fold(0.0, f32::max)) >= t,
            Criterion::Entropy => {
                let h: f32 = mean.iter().filter(|p| **p > 0.0).map(|p| -p * p.ln()).sum();
                f64::from(h) <= t
            }
            Criterion::Disagreement => {
                let spread: f32 = outputs
                    .iter()
                    .flat_map(|o| o.iter().zip(&mean).map(|(a, m)| (a - m).abs()))
                    .sum::<f32>()
                    / (k * n.max(1) as f32);
                f64::from(spread) <= t
            }
            Criterion::Budget => self.spent.load(Ordering::Relaxed) as f64 >= t,
            Criterion::Novelty => self.amortized.novelty(x).is_some_and(|d| d <= t),
        }
    }

    fn spend(&self, c: &Cost) {
        self.spent
            .fetch_add(c.nodes + c.evaluations, Ordering::Relaxed);
    }

    /// Answers a continuous instance from the model or the planner.
    pub fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, String> {
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        if matches!(self.when, Criterion::Confidence | Criterion::Entropy) {
            return Err(
                "`confidence` and `entropy` gates need a policy; on a continuous objective use \
                        `when=\"disagreement\"` (an ensemble) or `when=\"budget\"`"
                    .to_string(),
            );
        }
        let mut outputs = Vec::with_capacity(self.amortized.members.len());
        let mut cost = Cost::default();
        for m in &self.amortized.members {
            let (y, c) = m.predict(&xf).map_err(|e| e.to_string())?;
            cost += c;
            outputs.push(y);
        }
        if self.trust(&xf, &outputs) {
            self.count(true);
            let mut s = self.amortized.solve_continuous(p, x)?;
            s.cost = cost
                + Cost {
                    wall: s.cost.wall,
                    ..Cost::default()
                };
            return Ok(s);
        }
        self.count(false);
        let mut s = self.planner.solve_continuous(p, x, rng)?;
        self.spend(&s.cost);
        s.cost += cost;
        Ok(s)
    }
}

/// A gate playing a game or walking a gridworld move by move.
pub struct GateAgent<G: Game> {
    gate: Arc<Gate>,
    model: Box<dyn crate::direct::play::Agent<G>>,
    planner: Box<dyn crate::direct::play::Agent<G>>,
}

impl<G: Game + 'static> GateAgent<G> {
    pub fn new(gate: Arc<Gate>) -> Result<Self, String> {
        let planner = gate.planner.agent::<G>()?;
        GateAgent::with_planner(gate, planner)
    }

    /// A gate whose planner is already an agent (value iteration on gridworld).
    pub fn with_planner(
        gate: Arc<Gate>,
        planner: Box<dyn crate::direct::play::Agent<G>>,
    ) -> Result<Self, String> {
        let model = Solver::Amortized(gate.amortized.clone()).agent::<G>()?;
        Ok(GateAgent {
            gate,
            model,
            planner,
        })
    }
}

impl<G: Game + 'static> crate::direct::play::Agent<G> for GateAgent<G> {
    fn name(&self) -> String {
        "gate".into()
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<(usize, Cost), String> {
        let mut x = vec![0.0f32; game.feature_dim()];
        game.encode(state, &mut x)?;
        let legal = game.legal(state);
        let mask: Vec<bool> = (0..game.num_actions()).map(|a| legal.contains(a)).collect();
        let mut outputs = Vec::with_capacity(self.gate.amortized.members.len());
        let mut cost = Cost::default();
        for m in &self.gate.amortized.members {
            let (p, c) = match self.gate.amortized.target() {
                TargetKind::Policy => m.policy(&x, &mask).map_err(|e| e.to_string())?,
                _ => m.predict(&x).map_err(|e| e.to_string())?,
            };
            cost += c;
            outputs.push(p);
        }
        if self.gate.trust(&x, &outputs) {
            self.gate.count(true);
            // The model's move; its forward passes are already counted.
            let (a, _) = self.model.act(game, state, rng)?;
            return Ok((a, cost));
        }
        self.gate.count(false);
        let (a, c) = self.planner.act(game, state, rng)?;
        self.gate.spend(&c);
        Ok((a, c + cost))
    }

    fn reset(&mut self) {
        self.model.reset();
        self.planner.reset();
    }
}
