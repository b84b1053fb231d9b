//! Trained models as solvers: the architecture a script declares
//! (`mlp(…)`, `ensemble(k, …)`), and a trained network — or ensemble — with
//! its head, the problem it was trained for, and whether it came from the
//! cache.
//!
//! Answering costs one forward pass per member, whatever the problem:
//! games and MDPs play the legal action of highest probability (a value
//! network instead looks one move ahead and plays the best child),
//! continuous objectives get `θ = f(x)` clamped into the box, and control
//! problems act `a = f(features(state))` at every step. Ensemble members
//! are averaged. Widths are checked against the problem before the first
//! forward pass, so a model meeting the wrong problem is a clear error.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::discrete::{Kernels, Plays};
use super::play::{Agent, Decision};
use super::problem::Families;
use super::solver::{SolveError, Solver};
use crate::amortized::infer::{Ensemble, Rounding, Scratch};
use crate::amortized::{checkpoint, Activation, Head, Mlp, TargetKind};
use crate::cost::Cost;
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::domains::game::{mover_changes, Game};
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

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

/// Why a model cannot answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// An ensemble of no networks.
    Empty,
    /// The model answers other families than the problem's.
    Family {
        model: String,
        problem: String,
        family: Families,
        answers: Families,
    },
    /// Its widths are not the problem's.
    Widths {
        model: String,
        inputs: usize,
        outputs: usize,
        problem: String,
        features: usize,
        needed: usize,
        what: &'static str,
    },
    /// Its head gives another kind of answer than asked for.
    Target { model: String, needed: String },
    /// An episode's initial state of the wrong length.
    InitialState {
        problem: String,
        found: usize,
        expected: usize,
    },
    /// An ensemble asked to fit in a checkpoint of one network.
    EnsembleCheckpoint { label: String, members: usize },
    /// A network failed (a shape or a file).
    Network(String),
}

impl ModelError {
    /// A failure reported by a network or a checkpoint file.
    pub fn network(e: impl fmt::Display) -> ModelError {
        ModelError::Network(e.to_string())
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Empty => write!(f, "the model has no network"),
            ModelError::Family {
                model,
                problem,
                family,
                answers,
            } => write!(
                f,
                "{model} cannot answer {} ({problem}): it answers {}",
                family.article(),
                answers.describe()
            ),
            ModelError::Widths {
                model,
                inputs,
                outputs,
                problem,
                features,
                needed,
                what,
            } => write!(
                f,
                "{model} takes {inputs} features and gives {outputs} outputs, but {problem} has {features} features and {needed} {what}"
            ),
            ModelError::Target { model, needed } => write!(f, "{model} {needed}"),
            ModelError::InitialState {
                problem,
                found,
                expected,
            } => write!(
                f,
                "the initial state has {found} entries, {problem} expects {expected}"
            ),
            ModelError::EnsembleCheckpoint { label, members } => write!(
                f,
                "`{label}` is an ensemble of {members} networks, and a checkpoint holds one network"
            ),
            ModelError::Network(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// A trained network (or ensemble) that answers in forward passes.
#[derive(Clone, Debug)]
pub struct Amortized {
    /// At least one; all share one architecture and head.
    pub members: Vec<Mlp>,
    /// The families it can answer.
    pub families: Families,
    /// The name of the problem it was trained for, when known.
    pub trained_for: Option<String>,
    /// Whether its weights were read from the cache rather than trained.
    pub cached: bool,
    /// Up to 256 training inputs, for judging how novel a query is
    /// (`gate(…, when="novelty")`); empty for objective-trained or loaded
    /// models.
    pub reference: Arc<Vec<Vec<f32>>>,
}

/// The families a model can answer, judged from its head alone (for
/// checkpoints, whose problem is known only by name).
pub fn families_of_head(head: &Head) -> Families {
    match head {
        Head::Policy | Head::Value => Families::DISCRETE,
        Head::Solution { .. } => Families::CONTINUOUS.union(Families::CONTROL),
    }
}

impl Amortized {
    pub fn new(members: Vec<Mlp>, families: Families, trained_for: Option<String>) -> Amortized {
        Amortized {
            members,
            families,
            trained_for,
            cached: false,
            reference: Arc::new(Vec::new()),
        }
    }

    fn first(&self) -> Result<&Mlp, ModelError> {
        self.members.first().ok_or(ModelError::Empty)
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

    /// Floating-point operations of one answer (all members).
    pub fn forward_flops(&self) -> u64 {
        self.members.iter().map(|n| n.spec().forward_flops()).sum()
    }

    /// Wall seconds its members took to train (none for loaded models).
    pub fn training_secs(&self) -> f64 {
        self.members
            .iter()
            .filter_map(|n| n.report.as_ref())
            .map(|r| r.wall_secs)
            .sum()
    }

    /// What making the model cost: generating its data once (members
    /// trained on parts of one dataset share it) and training every member.
    pub fn training_cost(&self) -> crate::cost::Cost {
        let reports: Vec<_> = self
            .members
            .iter()
            .filter_map(|n| n.report.as_ref())
            .collect();
        let data =
            reports
                .iter()
                .map(|r| r.data_cost)
                .fold(crate::cost::Cost::default(), |a, c| {
                    if c.work() > a.work() {
                        c
                    } else {
                        a
                    }
                });
        reports.iter().fold(data, |a, r| a + r.cost())
    }

    /// Checks the model's widths against a problem's, naming both.
    pub fn check_widths(
        &self,
        problem: &str,
        family: Families,
        features: usize,
        outputs: usize,
        what: &'static str,
    ) -> Result<(), ModelError> {
        let spec = self.first()?.spec();
        if !self.families.intersects(family) {
            return Err(ModelError::Family {
                model: self.describe(),
                problem: problem.to_string(),
                family,
                answers: self.families,
            });
        }
        if spec.input != features || spec.output != outputs {
            return Err(ModelError::Widths {
                model: self.describe(),
                inputs: spec.input,
                outputs: spec.output,
                problem: problem.to_string(),
                features,
                needed: outputs,
                what,
            });
        }
        Ok(())
    }

    /// Checks the model against a game: widths, and a head that chooses moves.
    pub fn check_game<G: Game>(&self, game: &G) -> Result<(), ModelError> {
        let (outputs, what) = match self.target() {
            TargetKind::Value => (1, "value"),
            _ => (game.num_actions(), "actions"),
        };
        self.check_widths(
            &game.name(),
            game_family(game),
            game.feature_dim(),
            outputs,
            what,
        )
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
    pub fn predict(&self, x: &[f32]) -> Result<(Vec<f32>, Cost), ModelError> {
        let mut sum: Option<Vec<f32>> = None;
        let mut cost = Cost::default();
        for m in &self.members {
            let (y, c) = m.predict(x).map_err(ModelError::network)?;
            cost += c;
            match sum.as_mut() {
                None => sum = Some(y),
                Some(s) => s.iter_mut().zip(&y).for_each(|(a, b)| *a += b),
            }
        }
        let mut y = sum.ok_or(ModelError::Empty)?;
        let k = self.members.len() as f32;
        y.iter_mut().for_each(|v| *v /= k);
        Ok((y, cost))
    }

    /// Each member's own answer for one query (a gate judges their spread).
    pub fn member_answers(
        &self,
        x: &[f32],
        mask: Option<&[bool]>,
    ) -> Result<(Vec<Vec<f32>>, Cost), ModelError> {
        let mut outputs = Vec::with_capacity(self.members.len());
        let mut cost = Cost::default();
        for m in &self.members {
            let (y, c) = match mask {
                Some(mask) => m.policy(x, mask),
                None => m.predict(x),
            }
            .map_err(ModelError::network)?;
            cost += c;
            outputs.push(y);
        }
        Ok((outputs, cost))
    }

    /// The members' action probabilities for one position, averaged.
    pub fn policy(&self, x: &[f32], mask: &[bool]) -> Result<(Vec<f32>, Cost), ModelError> {
        let mut sum = vec![0.0f32; mask.len()];
        let mut cost = Cost::default();
        for m in &self.members {
            let (p, c) = m.policy(x, mask).map_err(ModelError::network)?;
            cost += c;
            sum.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        }
        let k = self.members.len() as f32;
        sum.iter_mut().for_each(|v| *v /= k);
        Ok((sum, cost))
    }

    /// `θ = f(x)` for one continuous instance, clamped into the box.
    pub fn answer(&self, p: &dyn ContinuousProblem, x: &[f64]) -> Result<Solution, ModelError> {
        let start = Instant::now();
        self.check_widths(
            &p.name(),
            Families::CONTINUOUS,
            p.instance_dim(),
            p.theta_dim(),
            "decision variables",
        )?;
        if self.target() != TargetKind::Solution {
            return Err(ModelError::Target {
                model: self.describe(),
                needed: "answers with action probabilities or values, not a decision θ".into(),
            });
        }
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (y, mut cost) = self.predict(&xf)?;
        let mut theta: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        p.bounds().clamp(&mut theta);
        let value = p.value(&theta, x);
        cost.wall = start.elapsed();
        Ok(Solution { theta, value, cost })
    }

    /// Checks the model against a control problem's widths and head.
    pub fn check_control(&self, problem: &dyn ControlProblem) -> Result<(), ModelError> {
        self.check_widths(
            &problem.name(),
            Families::CONTROL,
            problem.feature_dim(),
            problem.action_dim(),
            "action dimensions",
        )?;
        if self.target() != TargetKind::Solution {
            return Err(ModelError::Target {
                model: self.describe(),
                needed: "gives action probabilities or values, not continuous actions".into(),
            });
        }
        Ok(())
    }

    /// The model's action for a control state (features computed here),
    /// clamped into the action box.
    pub fn act(
        &self,
        problem: &dyn ControlProblem,
        state: &[f64],
        features: &mut [f64],
        action: &mut [f64],
    ) -> Result<Cost, ModelError> {
        problem.features(state, features);
        let xf: Vec<f32> = features.iter().map(|&v| v as f32).collect();
        let (y, cost) = self.predict(&xf)?;
        for (a, v) in action.iter_mut().zip(&y) {
            *a = f64::from(*v);
        }
        problem.action_bounds().clamp(action);
        Ok(cost)
    }

    /// One closed-loop episode acting `a = f(features(state))` every step.
    pub fn episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
    ) -> Result<Episode, ModelError> {
        let start = Instant::now();
        let (sd, ad) = (problem.state_dim(), problem.action_dim());
        self.check_control(problem)?;
        if initial.len() != sd {
            return Err(ModelError::InitialState {
                problem: problem.name(),
                found: initial.len(),
                expected: sd,
            });
        }
        let steps = problem.episode_len();
        let mut state = initial.to_vec();
        let mut features = vec![0.0f64; problem.feature_dim()];
        let mut action = vec![0.0f64; ad];
        let mut states = Vec::with_capacity((steps + 1) * sd);
        let mut actions = Vec::with_capacity(steps * ad);
        states.extend_from_slice(&state);
        let (mut total_reward, mut cost) = (0.0, Cost::default());
        for _ in 0..steps {
            cost += self.act(problem, &state, &mut features, &mut action)?;
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

    /// Writes the network to `path` (safetensors) with its YAML sidecar.
    pub fn save(&self, label: &str, path: &Path) -> Result<(), ModelError> {
        match self.members.as_slice() {
            [m] => checkpoint::save(m, path, self.trained_for.as_deref())
                .map(|_| ())
                .map_err(ModelError::network),
            ms => Err(ModelError::EnsembleCheckpoint {
                label: label.to_string(),
                members: ms.len(),
            }),
        }
    }

    /// A checkpoint as a model. What it can answer is judged from its head;
    /// its widths are checked against the problem when it is used.
    pub fn load(path: &Path) -> Result<Amortized, ModelError> {
        let meta = checkpoint::load_meta(path).map_err(ModelError::network)?;
        let model = checkpoint::load(path).map_err(ModelError::network)?;
        Ok(Amortized::new(
            vec![model],
            families_of_head(&meta.head),
            meta.io.domain,
        ))
    }
}

/// The family of a discrete problem: a game for two players, an MDP for one.
pub fn game_family<G: Game>(game: &G) -> Families {
    if game.num_players() == 2 {
        Families::GAME
    } else {
        Families::MDP
    }
}

impl Solver for Amortized {
    fn algorithm(&self) -> &str {
        "amortized"
    }

    fn families(&self) -> Families {
        self.families
    }

    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        _rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        Ok(self.answer(problem, x)?)
    }

    fn control_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        _rng: &mut Rng,
    ) -> Result<Episode, SolveError> {
        Ok(self.episode(problem, initial)?)
    }

    fn model(&self) -> Option<&Amortized> {
        Some(self)
    }
}

impl Plays for Amortized {
    fn agent<G: Game + 'static>(
        &self,
        _game: &Arc<G>,
        _kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        Ok(Box::new(AmortizedAgent::new(Arc::new(self.clone()))))
    }
}

/// An amortized model playing a game or walking an MDP, through the
/// hand-written inference path (`amortized::infer`) with buffers reused
/// from move to move.
pub struct AmortizedAgent {
    model: Arc<Amortized>,
    fast: Option<Ensemble>,
    scratch: Scratch,
    features: Vec<f32>,
    rows: Vec<f32>,
    answers: Vec<f32>,
}

impl AmortizedAgent {
    pub fn new(model: Arc<Amortized>) -> AmortizedAgent {
        AmortizedAgent {
            fast: Ensemble::new(&model.members),
            model,
            scratch: Scratch::default(),
            features: Vec::new(),
            rows: Vec::new(),
            answers: Vec::new(),
        }
    }

    fn encode<G: Game>(&mut self, game: &G, state: &G::State) -> Result<(), SolveError> {
        self.features.resize(game.feature_dim(), 0.0);
        game.encode(state, &mut self.features)
            .map_err(SolveError::native)?;
        Ok(())
    }

    /// The cost of `rows` answers: one forward pass per member and row.
    fn cost(&self, rows: usize) -> Cost {
        Cost {
            forward_passes: (rows * self.model.members.len()) as u64,
            flops: rows as u64 * self.model.forward_flops(),
            ..Cost::default()
        }
    }

    /// The legal action of highest probability (ties: the lowest index).
    fn by_policy<G: Game>(
        &mut self,
        game: &G,
        state: &G::State,
    ) -> Result<(usize, Cost), SolveError> {
        let legal = game.legal(state);
        let mask: Vec<bool> = (0..game.num_actions()).map(|a| legal.contains(a)).collect();
        self.encode(game, state)?;
        let fast = self.fast.as_ref().ok_or(ModelError::Empty)?;
        let mut p = vec![0.0f32; mask.len()];
        fast.answer_into(&self.features, Some(&mask), &mut self.scratch, &mut p);
        let best = legal
            .iter()
            .fold(None::<(usize, f32)>, |best, a| match best {
                Some((_, pb)) if pb >= p[a] => best,
                _ => Some((a, p[a])),
            })
            .map(|(a, _)| a)
            .ok_or_else(|| {
                SolveError::Problem("the state is terminal: there is no move to choose".into())
            })?;
        Ok((best, self.cost(1)))
    }

    /// The action whose successor the value network likes best for the
    /// mover: `reward + value(next)`, the value negated when the move passes
    /// to the opponent (a terminal successor is worth its reward alone).
    fn by_value<G: Game>(
        &mut self,
        game: &G,
        state: &G::State,
    ) -> Result<(usize, Cost), SolveError> {
        let mut children = Vec::new();
        self.rows.clear();
        let mut count = 0;
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
                self.encode(game, &next)?;
                self.rows.extend_from_slice(&self.features);
                count += 1;
                Some((count - 1, sign))
            };
            children.push(Child {
                action,
                reward,
                successor,
            });
        }
        let fast = self.fast.as_ref().ok_or(ModelError::Empty)?;
        self.answers.resize(count, 0.0);
        let width = game.feature_dim();
        // Rounded as one dfdx batch of the successors was.
        let rounding = Rounding::of_batch(count);
        for (x, y) in self.rows.chunks_exact(width).zip(self.answers.iter_mut()) {
            fast.answer_rounded(
                x,
                None,
                &mut self.scratch,
                std::slice::from_mut(y),
                rounding,
            );
        }
        let mut best: Option<(usize, f32)> = None;
        for c in children {
            let later = c
                .successor
                .map_or(0.0, |(row, sign)| sign * self.answers[row]);
            let score = c.reward + later;
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((c.action, score));
            }
        }
        best.map(|(a, _)| (a, self.cost(count))).ok_or_else(|| {
            SolveError::Problem("the state is terminal: there is no move to choose".into())
        })
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

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<Decision, SolveError> {
        let start = Instant::now();
        self.model.check_game(game)?;
        let (action, mut cost) = match self.model.target() {
            TargetKind::Policy => self.by_policy(game, state)?,
            TargetKind::Value => self.by_value(game, state)?,
            TargetKind::Solution => {
                return Err(ModelError::Target {
                    model: self.model.describe(),
                    needed: format!(
                        "gives a continuous decision; it cannot choose a move in {}",
                        game.name()
                    ),
                }
                .into())
            }
        };
        cost.wall = start.elapsed();
        Ok(Decision::new(action, cost))
    }
}
