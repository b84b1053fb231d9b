//! `gate(amortized, planner, when=…)`: answer from the model when a
//! criterion says it can be trusted, plan otherwise, and count which.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::discrete::{Kernels, Plays};
use super::model::{Amortized, AmortizedAgent};
use super::play::{Agent, Decision};
use super::problem::Families;
use super::solver::{SolveError, Solver};
use crate::amortized::TargetKind;
use crate::cost::Cost;
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::ParamValue;
use crate::rng::Rng;

/// When a gate trusts the amortized answer.
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
    /// Every criterion's name, in the order the language lists them.
    pub const NAMES: [&'static str; 5] =
        ["confidence", "entropy", "disagreement", "novelty", "budget"];

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

/// Why a gate cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub enum GateError {
    /// A novelty gate over a model with no training inputs to compare with.
    NoReference,
    /// A disagreement gate over a single network.
    NotAnEnsemble,
}

impl std::fmt::Display for GateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateError::NoReference => {
                write!(f, "a novelty gate needs a model trained on a dataset")
            }
            GateError::NotAnEnsemble => write!(f, "a disagreement gate needs an ensemble"),
        }
    }
}

impl std::error::Error for GateError {}

/// What a gate has counted: answers from each side, and the planner's
/// compute for the budget criterion. Shared by the gate and its agents.
#[derive(Debug, Default)]
struct Tally {
    by_model: AtomicU64,
    by_planner: AtomicU64,
    spent: AtomicU64,
}

/// The part of a gate that decides: the model, the criterion and the tally.
#[derive(Clone, Debug)]
struct Judge {
    amortized: Arc<Amortized>,
    when: Criterion,
    threshold: f64,
    tally: Arc<Tally>,
}

impl Judge {
    fn count(&self, model: bool) {
        let c = if model {
            &self.tally.by_model
        } else {
            &self.tally.by_planner
        };
        c.fetch_add(1, Ordering::Relaxed);
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
            Criterion::Budget => self.tally.spent.load(Ordering::Relaxed) as f64 >= t,
            Criterion::Novelty => self.amortized.novelty(x).is_some_and(|d| d <= t),
        }
    }

    fn spend(&self, c: &Cost) {
        self.tally
            .spent
            .fetch_add(c.nodes + c.evaluations, Ordering::Relaxed);
    }
}

/// A gate and its counts of answers from each side.
#[derive(Debug)]
pub struct Gate {
    judge: Judge,
    pub planner: Arc<dyn Solver>,
}

impl Gate {
    pub fn new(
        amortized: Arc<Amortized>,
        planner: Arc<dyn Solver>,
        when: Criterion,
        threshold: f64,
    ) -> Result<Gate, GateError> {
        if when == Criterion::Novelty && amortized.reference.is_empty() {
            return Err(GateError::NoReference);
        }
        if when == Criterion::Disagreement && amortized.members.len() < 2 {
            return Err(GateError::NotAnEnsemble);
        }
        Ok(Gate {
            judge: Judge {
                amortized,
                when,
                threshold,
                tally: Arc::default(),
            },
            planner,
        })
    }

    pub fn amortized(&self) -> &Arc<Amortized> {
        &self.judge.amortized
    }

    /// Counts of answers so far: (model, planner).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.judge.tally.by_model.load(Ordering::Relaxed),
            self.judge.tally.by_planner.load(Ordering::Relaxed),
        )
    }

    /// Forgets the budget spent: each evaluation starts with a full budget.
    pub fn reset_budget(&self) {
        self.judge.tally.spent.store(0, Ordering::Relaxed);
    }
}

impl Solver for Gate {
    fn algorithm(&self) -> &str {
        "gate"
    }

    fn families(&self) -> Families {
        self.judge
            .amortized
            .families
            .intersect(self.planner.families())
    }

    /// Answers a continuous instance from the model or the planner.
    fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        let judge = &self.judge;
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        if matches!(judge.when, Criterion::Confidence | Criterion::Entropy) {
            return Err(SolveError::Problem(
                "`confidence` and `entropy` gates need a policy; on a continuous objective use \
                 `when=\"disagreement\"` (an ensemble) or `when=\"budget\"`"
                    .to_string(),
            ));
        }
        let (outputs, cost) = judge.amortized.member_answers(&xf, None)?;
        if judge.trust(&xf, &outputs) {
            judge.count(true);
            let mut s = judge.amortized.answer(p, x)?;
            s.cost = cost
                + Cost {
                    wall: s.cost.wall,
                    ..Cost::default()
                };
            return Ok(s);
        }
        judge.count(false);
        let mut s = self.planner.solve_continuous(p, x, rng)?;
        judge.spend(&s.cost);
        s.cost += cost;
        Ok(s)
    }

    /// The same gate over the planner with a changed parameter, with
    /// counts of its own.
    fn with_param(&self, name: &str, value: &ParamValue) -> Result<Arc<dyn Solver>, SolveError> {
        let planner = self.planner.with_param(name, value)?;
        Ok(Arc::new(Gate {
            judge: Judge {
                tally: Arc::default(),
                ..self.judge.clone()
            },
            planner,
        }))
    }

    fn model(&self) -> Option<&Amortized> {
        Some(&self.judge.amortized)
    }
}

impl Plays for Gate {
    fn agent<G: Game + 'static>(
        &self,
        game: &Arc<G>,
        kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        Ok(Box::new(GateAgent {
            judge: self.judge.clone(),
            model: Box::new(AmortizedAgent::new(self.judge.amortized.clone())),
            planner: kernels.agent(&*self.planner, game)?,
        }))
    }
}

/// A gate playing a game or walking an MDP move by move.
struct GateAgent<G: Game> {
    judge: Judge,
    model: Box<dyn Agent<G>>,
    planner: Box<dyn Agent<G>>,
}

impl<G: Game> Agent<G> for GateAgent<G> {
    fn name(&self) -> String {
        "gate".into()
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError> {
        let model = &self.judge.amortized;
        let mut x = vec![0.0f32; game.feature_dim()];
        game.encode(state, &mut x).map_err(SolveError::native)?;
        let legal = game.legal(state);
        let mask: Vec<bool> = (0..game.num_actions()).map(|a| legal.contains(a)).collect();
        let policy = (model.target() == TargetKind::Policy).then_some(mask.as_slice());
        let (outputs, cost) = model.member_answers(&x, policy)?;
        if self.judge.trust(&x, &outputs) {
            self.judge.count(true);
            // The model's move; its forward passes are already counted.
            let d = self.model.act(game, state, rng)?;
            return Ok(Decision::new(d.action, cost));
        }
        self.judge.count(false);
        let d = self.planner.act(game, state, rng)?;
        self.judge.spend(&d.cost);
        Ok(Decision::new(d.action, d.cost + cost))
    }

    fn reset(&mut self) {
        self.model.reset();
        self.planner.reset();
    }

    fn start_game(&mut self, index: u64) {
        self.model.start_game(index);
        self.planner.start_game(index);
    }
}
