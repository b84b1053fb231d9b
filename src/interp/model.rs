//! Amortized solvers as the interpreter holds them: the architecture a
//! script declares (`mlp(…)`, `ensemble(k, …)`), and a trained network — or
//! ensemble — with its head, the objective it was trained for, and whether
//! it came from the cache.
//!
//! Answering costs one forward pass per member, whatever the problem:
//! games and gridworld play the legal action of highest probability (a
//! value network instead looks one move ahead and plays the best child),
//! continuous objectives get `θ = f(x)` clamped into the box, and control
//! problems act `a = f(features(state))` at every step. Ensemble members
//! are averaged. Widths are checked against the objective before the first
//! forward pass, so a model meeting the wrong objective is a clear error.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::solver::{Solver, SolverValue};
use crate::amortized::{checkpoint, Activation, Head, Mlp, TargetKind};
use crate::cost::Cost;
use crate::direct::continuous::Solution;
use crate::direct::play::Agent;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::{mover_changes, Game};
use crate::ir::signature::Domains;
use crate::rng::Rng;

/// An untrained architecture: hidden widths, activation and how many
/// independently seeded copies to train. Input and output widths come from
/// the data or the objective at training time.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSpec {
    pub hidden: Vec<usize>,
    pub act: Activation,
    /// 1 for a plain network; `k` for `ensemble(k, …)`.
    pub members: usize,
}

impl std::fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let widths: Vec<String> = self.hidden.iter().map(usize::to_string).collect();
        let mlp = format!(
            "mlp(hidden=[{}], act={})",
            widths.join(", "),
            self.act.name()
        );
        if self.members == 1 {
            write!(f, "{mlp}")
        } else {
            write!(f, "ensemble({}, {mlp})", self.members)
        }
    }
}

/// A trained network (or ensemble) that answers in forward passes.
#[derive(Clone, Debug)]
pub struct Amortized {
    /// At least one; all share one architecture and head.
    pub members: Vec<Mlp>,
    /// The problem classes it can answer.
    pub domains: Domains,
    /// The name of the objective it was trained for, when known.
    pub trained_for: Option<String>,
    /// Whether its weights were read from the cache rather than trained.
    pub cached: bool,
    /// Up to 256 training inputs, for judging how novel a query is
    /// (`gate(…, when="novelty")`); empty for objective-trained or loaded
    /// models.
    pub reference: Arc<Vec<Vec<f32>>>,
}

/// The classes a model can answer, judged from its head alone (for
/// checkpoints, whose objective is known only by name).
pub fn domains_of_head(head: &Head) -> Domains {
    match head {
        Head::Policy | Head::Value => Domains::DISCRETE,
        Head::Solution { .. } => Domains::CONTINUOUS.union(Domains::CONTROL),
    }
}

impl Amortized {
    pub fn new(members: Vec<Mlp>, domains: Domains, trained_for: Option<String>) -> Amortized {
        Amortized {
            members,
            domains,
            trained_for,
            cached: false,
            reference: Arc::new(Vec::new()),
        }
    }

    fn first(&self) -> Result<&Mlp, String> {
        self.members
            .first()
            .ok_or_else(|| "the model has no network".to_string())
    }

    pub fn target(&self) -> TargetKind {
        self.members
            .first()
            .map_or(TargetKind::Solution, |m| m.head().kind())
    }

    pub fn describe(&self) -> String {
        let what = match self.members.as_slice() {
            [m] => format!("a {} network", m.head().kind().name()),
            ms => format!(
                "an ensemble of {} {} networks",
                ms.len(),
                self.target().name()
            ),
        };
        match &self.trained_for {
            Some(o) => format!("{what} trained for {o}"),
            None => what,
        }
    }

    /// Checks the model's widths against a problem's, naming both.
    pub fn check_widths(
        &self,
        problem: &str,
        class: Domains,
        features: usize,
        outputs: usize,
        output_name: &str,
    ) -> Result<(), String> {
        let spec = self.first()?.spec();
        if !self.domains.intersects(class) {
            return Err(format!(
                "{} cannot answer {} ({problem}): it answers {}",
                self.describe(),
                class.article(),
                self.domains.describe()
            ));
        }
        if spec.input != features || spec.output != outputs {
            return Err(format!(
                "{} takes {} features and gives {} outputs, but {problem} has {features} features and {outputs} {output_name}",
                self.describe(),
                spec.input,
                spec.output
            ));
        }
        Ok(())
    }

    /// How far `x` lies from the training inputs: the root-mean-square
    /// coordinate distance to the nearest reference row (`None` without
    /// reference rows).
    pub fn novelty(&self, x: &[f32]) -> Option<f64> {
        self.reference
            .iter()
            .filter(|r| r.len() == x.len())
            .map(|r| {
                let d2: f32 = r.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum();
                f64::from(d2 / x.len().max(1) as f32).sqrt()
            })
            .min_by(f64::total_cmp)
    }

    /// The members' answers for one query, averaged.
    pub fn predict(&self, x: &[f32]) -> Result<(Vec<f32>, Cost), String> {
        let mut sum: Option<Vec<f32>> = None;
        let mut cost = Cost::default();
        for m in &self.members {
            let (y, c) = m.predict(x).map_err(|e| e.to_string())?;
            cost += c;
            match sum.as_mut() {
                None => sum = Some(y),
                Some(s) => s.iter_mut().zip(&y).for_each(|(a, b)| *a += b),
            }
        }
        let mut y = sum.ok_or_else(|| "the model has no network".to_string())?;
        let k = self.members.len() as f32;
        y.iter_mut().for_each(|v| *v /= k);
        Ok((y, cost))
    }

    /// The members' action probabilities for one position, averaged.
    pub fn policy(&self, x: &[f32], mask: &[bool]) -> Result<(Vec<f32>, Cost), String> {
        let mut sum = vec![0.0f32; mask.len()];
        let mut cost = Cost::default();
        for m in &self.members {
            let (p, c) = m.policy(x, mask).map_err(|e| e.to_string())?;
            cost += c;
            sum.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        }
        let k = self.members.len() as f32;
        sum.iter_mut().for_each(|v| *v /= k);
        Ok((sum, cost))
    }

    /// The members' answers for many queries in one batched pass each, averaged.
    fn predict_batch(&self, xs: &[Vec<f32>]) -> Result<(Vec<Vec<f32>>, Cost), String> {
        let mut sum: Option<Vec<Vec<f32>>> = None;
        let mut cost = Cost::default();
        for m in &self.members {
            let (ys, c) = m.predict_batch(xs).map_err(|e| e.to_string())?;
            cost += c;
            match sum.as_mut() {
                None => sum = Some(ys),
                Some(s) => {
                    for (row, y) in s.iter_mut().zip(&ys) {
                        row.iter_mut().zip(y).for_each(|(a, b)| *a += b);
                    }
                }
            }
        }
        let mut ys = sum.unwrap_or_default();
        let k = self.members.len() as f32;
        ys.iter_mut().flatten().for_each(|v| *v /= k);
        Ok((ys, cost))
    }

    /// `θ = f(x)` for one continuous instance, clamped into the box.
    pub fn solve_continuous(
        &self,
        p: &dyn ContinuousProblem,
        x: &[f64],
    ) -> Result<Solution, String> {
        let start = Instant::now();
        self.check_widths(
            &p.name(),
            Domains::CONTINUOUS,
            p.instance_dim(),
            p.theta_dim(),
            "decision variables",
        )?;
        if self.target() != TargetKind::Solution {
            return Err(format!(
                "{} answers with action probabilities or values, not a decision θ",
                self.describe()
            ));
        }
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (y, mut cost) = self.predict(&xf)?;
        let mut theta: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        p.bounds().clamp(&mut theta);
        let value = p.value(&theta, x);
        cost.wall = start.elapsed();
        Ok(Solution { theta, value, cost })
    }

    /// One closed-loop episode acting `a = f(features(state))` every step.
    pub fn control_episode<C: ControlProblem + ?Sized>(
        &self,
        problem: &C,
        initial: &[f64],
    ) -> Result<Episode, String> {
        let start = Instant::now();
        let (sd, ad) = (problem.state_dim(), problem.action_dim());
        self.check_widths(
            &problem.name(),
            Domains::CONTROL,
            problem.feature_dim(),
            ad,
            "action dimensions",
        )?;
        if self.target() != TargetKind::Solution {
            return Err(format!(
                "{} gives action probabilities or values, not continuous actions",
                self.describe()
            ));
        }
        if initial.len() != sd {
            return Err(format!(
                "the initial state has {} entries, {} expects {sd}",
                initial.len(),
                problem.name()
            ));
        }
        let bounds = problem.action_bounds();
        let steps = problem.episode_len();
        let mut state = initial.to_vec();
        let mut features = vec![0.0f64; problem.feature_dim()];
        let mut states = Vec::with_capacity((steps + 1) * sd);
        let mut actions = Vec::with_capacity(steps * ad);
        states.extend_from_slice(&state);
        let (mut total_reward, mut cost) = (0.0, Cost::default());
        for _ in 0..steps {
            problem.features(&state, &mut features);
            let xf: Vec<f32> = features.iter().map(|&v| v as f32).collect();
            let (y, c) = self.predict(&xf)?;
            cost += c;
            let mut action: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
            bounds.clamp(&mut action);
            total_reward += problem.step(&mut state, &action);
            actions.extend_from_slice(&action);
            states.extend_from_slice(&state);
        }
        cost.evaluations = steps as u64;
        cost.wall = start.elapsed();
        Ok(Episode {
            total_reward,
            states,
            actions,
            cost,
        })
    }
}

/// `save M to "policy.safetensors"`: the weights and their YAML sidecar,
/// both written atomically.
pub fn save(solver: &SolverValue, path: &Path) -> Result<(), String> {
    let Solver::Amortized(a) = &solver.solver else {
        return Err(format!(
            "`{}` is a direct solver ({}): only amortized solvers have weights to save",
            solver.label,
            solver.solver.algorithm()
        ));
    };
    match a.members.as_slice() {
        [m] => checkpoint::save(m, path, a.trained_for.as_deref())
            .map(|_| ())
            .map_err(|e| e.to_string()),
        ms => Err(format!(
            "`{}` is an ensemble of {} networks, and a checkpoint holds one network",
            solver.label,
            ms.len()
        )),
    }
}

/// `load_model("policy.safetensors")`: a checkpoint as a solver. What it
/// can answer is judged from its head; its widths are checked against the
/// objective when it is used.
pub fn load(path: &Path) -> Result<Amortized, String> {
    let meta = checkpoint::load_meta(path).map_err(|e| e.to_string())?;
    let model = checkpoint::load(path).map_err(|e| e.to_string())?;
    Ok(Amortized::new(
        vec![model],
        domains_of_head(&meta.head),
        meta.io.domain,
    ))
}

/// An amortized model playing a game or walking a gridworld.
pub struct AmortizedAgent {
    model: Arc<Amortized>,
    features: Vec<f32>,
}

impl AmortizedAgent {
    pub fn new(model: Arc<Amortized>) -> AmortizedAgent {
        AmortizedAgent {
            model,
            features: Vec::new(),
        }
    }

    fn encode<G: Game>(&mut self, game: &G, state: &G::State) -> Result<Vec<f32>, String> {
        self.features.resize(game.feature_dim(), 0.0);
        game.encode(state, &mut self.features)?;
        Ok(self.features.clone())
    }

    /// The legal action of highest probability (ties: the lowest index).
    fn by_policy<G: Game>(&mut self, game: &G, state: &G::State) -> Result<(usize, Cost), String> {
        let legal = game.legal(state);
        let mask: Vec<bool> = (0..game.num_actions()).map(|a| legal.contains(a)).collect();
        let x = self.encode(game, state)?;
        let (p, cost) = self.model.policy(&x, &mask)?;
        let best = legal
            .iter()
            .fold(None::<(usize, f32)>, |best, a| match best {
                Some((_, pb)) if pb >= p[a] => best,
                _ => Some((a, p[a])),
            })
            .map(|(a, _)| a)
            .ok_or_else(|| "the state is terminal: there is no move to choose".to_string())?;
        Ok((best, cost))
    }

    /// The action whose successor the value network likes best for the
    /// mover: `reward + value(next)`, the value negated when the move passes
    /// to the opponent (a terminal successor is worth its reward alone).
    fn by_value<G: Game>(&mut self, game: &G, state: &G::State) -> Result<(usize, Cost), String> {
        let mut children = Vec::new();
        let mut rows = Vec::new();
        for action in game.legal(state).iter() {
            let (next, reward) = game.apply(state, action);
            let successor = if game.is_terminal(&next) {
                None
            } else {
                let sign = if mover_changes(game, state, &next) {
                    -1.0
                } else {
                    1.0
                };
                rows.push(self.encode(game, &next)?);
                Some((rows.len() - 1, sign))
            };
            children.push(Child {
                action,
                reward,
                successor,
            });
        }
        let (values, cost) = self.model.predict_batch(&rows)?;
        let mut best: Option<(usize, f32)> = None;
        for c in children {
            let later = c.successor.map_or(0.0, |(row, sign)| sign * values[row][0]);
            let score = c.reward + later;
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((c.action, score));
            }
        }
        best.map(|(a, _)| (a, cost))
            .ok_or_else(|| "the state is terminal: there is no move to choose".to_string())
    }
}

/// A legal move as the value network scores it.
struct Child {
    action: usize,
    /// What the mover earns by the move itself.
    reward: f32,
    /// The successor's row in the batch and the sign its value counts
    /// with; `None` when the move ends the game.
    successor: Option<(usize, f32)>,
}

impl<G: Game> Agent<G> for AmortizedAgent {
    fn name(&self) -> String {
        "amortized".into()
    }

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<(usize, Cost), String> {
        let start = Instant::now();
        let class = if game.num_players() == 2 {
            Domains::GAME
        } else {
            Domains::MDP
        };
        let (outputs, output_name) = match self.model.target() {
            TargetKind::Value => (1, "value"),
            _ => (game.num_actions(), "actions"),
        };
        self.model.check_widths(
            &game.name(),
            class,
            game.feature_dim(),
            outputs,
            output_name,
        )?;
        let (action, mut cost) = match self.model.target() {
            TargetKind::Policy => self.by_policy(game, state)?,
            TargetKind::Value => self.by_value(game, state)?,
            TargetKind::Solution => {
                return Err(format!(
                    "{} gives a continuous decision; it cannot choose a move in {}",
                    self.model.describe(),
                    game.name()
                ))
            }
        };
        cost.wall = start.elapsed();
        Ok((action, cost))
    }
}
