//! Discrete problems — two-player games and MDPs — as the library composes
//! them: the game wrapped with the table of agent kernels that plays it,
//! and the loops that evaluate solvers on it and make datasets from it.
//!
//! A [`Game`] is generic over its state type so that searches run
//! monomorphized. A solver reaches a game through [`Kernels`]: a table,
//! made once per game type, from each solver type the crate knows to the
//! function that builds its agent for that game — so `plan(mcts)` on
//! tic-tac-toe runs `Mcts<TicTacToe>`, with no dynamic dispatch inside the
//! search. A solver registered from outside the crate is not in the table
//! and plays through [`Solver::erased_agent`] on an [`ErasedGame`] instead.

use std::any::{Any, TypeId};
use std::sync::Arc;

use super::erased::Unerased;
use super::play::{run_episode, Agent, Decision};
use super::problem::{Families, Problem, ProblemError};
use super::solver::{poll_stop, SolveError, Solver};
use super::{lockstep, parallel};
use crate::amortized::{Example, TargetKind};
use crate::cost::Cost;
use crate::domains::game::{Actions, Game};
use crate::params::Params;
use crate::report::evaluation::EvalRow;
use crate::rng::{derive_seed, Rng};

/// A solver type that plays discrete problems, written once for every
/// game. Registering it in [`Kernels`] monomorphizes it per game.
pub trait Plays: Solver + Sized {
    /// An agent for `game`; `kernels` gives the agents of solvers inside
    /// this one (a gate's planner).
    fn agent<G: Game + 'static>(
        &self,
        game: &Arc<G>,
        kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError>;
}

type AgentFn<G> = fn(&dyn Solver, &Arc<G>, &Kernels<G>) -> Result<Box<dyn Agent<G>>, SolveError>;

/// The agent kernels of one game type (see the module docs).
pub struct Kernels<G: Game + 'static> {
    table: Vec<(TypeId, AgentFn<G>)>,
}

impl<G: Game + 'static> Clone for Kernels<G> {
    fn clone(&self) -> Self {
        Kernels {
            table: self.table.clone(),
        }
    }
}

impl<G: Game + 'static> Default for Kernels<G> {
    /// The kernels of the compositions this module set provides (trained
    /// models, gates, random play); algorithms add theirs.
    fn default() -> Self {
        let mut k = Kernels { table: Vec::new() };
        k.add::<super::play::RandomPlay>();
        k.add::<super::model::Amortized>();
        k.add::<super::gate::Gate>();
        k
    }
}

impl<G: Game + 'static> Kernels<G> {
    /// Registers the solver type `S`.
    pub fn add<S: Plays>(&mut self) {
        let f: AgentFn<G> = |solver, game, kernels| {
            let any: &dyn Any = solver;
            match any.downcast_ref::<S>() {
                Some(s) => s.agent(game, kernels),
                None => Err(SolveError::Problem(format!(
                    "internal: a kernel met the wrong solver type ({})",
                    solver.algorithm()
                ))),
            }
        };
        self.table.push((TypeId::of::<S>(), f));
    }

    /// The agent of `solver` on `game`: its kernel, the kernel of what it
    /// delegates to, or its erased agent.
    pub fn agent(
        &self,
        solver: &dyn Solver,
        game: &Arc<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        let mut s = solver;
        loop {
            let any: &dyn Any = s;
            let id = any.type_id();
            if let Some((_, f)) = self.table.iter().find(|(t, _)| *t == id) {
                return f(s, game, self);
            }
            match s.delegate() {
                Some(inner) => s = inner,
                None => break,
            }
        }
        let erased = Unerased::new(game.clone());
        match solver.erased_agent(erased.view()) {
            Some(agent) => Ok(Box::new(erased.with(agent?))),
            None => Err(SolveError::Unsupported {
                solver: solver.algorithm().to_string(),
                verb: "play",
                what: "this problem",
            }),
        }
    }
}

/// A game or MDP with the kernels that play it: what the library's
/// evaluation and data generation need of a discrete problem, behind an
/// object-safe trait.
pub trait DiscreteProblem: Send + Sync {
    /// 2 for a game, 1 for an MDP.
    fn num_players(&self) -> usize;
    fn num_actions(&self) -> usize;
    fn feature_dim(&self) -> usize;
    /// Plays `games.n` games against `opponent` (the problem's default
    /// opponent when `None`: random play unless it says otherwise) for two
    /// players, or runs `games.n` episodes for one, and records them in
    /// `row`.
    fn evaluate(
        &self,
        solver: &dyn Solver,
        opponent: Option<&dyn Solver>,
        games: Games,
        row: &mut EvalRow,
    ) -> Result<(), SolveError>;
    /// `games.n` rows for an amortizer made by `solver` (see [`generate`]).
    fn generate(&self, solver: &dyn Solver, games: Games) -> Result<Rows, SolveError>;
}

/// How a run of games is played: `n` of them (or rows, for datasets) under
/// `seed`, on `threads` workers (see `compose::parallel`), each playing
/// `lockstep` games at once (see `compose::lockstep`; 1: one after
/// another). Results depend on `n`, `seed` and `threads` — and with
/// `lockstep` > 1 on `n` and `seed` alone (every game starts its agents on
/// streams of its own, even where nothing is batched and the games are
/// played one at a time; a search given `threads=` still runs that many
/// trees).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Games {
    pub n: usize,
    pub seed: u64,
    pub threads: usize,
    pub lockstep: usize,
}

impl Games {
    /// `n` games under `seed` on `threads` workers, one at a time each.
    pub fn new(n: usize, seed: u64, threads: usize) -> Games {
        Games {
            n,
            seed,
            threads,
            lockstep: 1,
        }
    }

    /// Each worker playing `width` games at once.
    pub fn lockstep(self, width: usize) -> Games {
        Games {
            lockstep: width,
            ..self
        }
    }

    /// Errs on a width outside 1 to [`MAX_WIDTH`](lockstep::MAX_WIDTH).
    pub fn check(&self) -> Result<(), SolveError> {
        if (1..=lockstep::MAX_WIDTH).contains(&self.lockstep) {
            Ok(())
        } else {
            Err(SolveError::native(lockstep::LockstepError::Width {
                width: self.lockstep,
            }))
        }
    }
}

/// Rows, what they teach, and the games or episodes played to make them.
/// Rows made, what they are, the games or episodes played, and what
/// the solver's decisions cost.
pub type Rows = (Vec<Example>, TargetKind, usize, Cost);

/// Changes a game's parameters for `shift`.
pub type ShiftFn<G> = fn(&G, &Params) -> Result<G, ProblemError>;

/// A game type made a [`Problem`]: the game, its kernels, how it shifts,
/// and whom it is played against by default.
pub struct GameProblem<G: Game + 'static> {
    game: Arc<G>,
    kernels: Kernels<G>,
    shift: Option<(&'static [&'static str], ShiftFn<G>)>,
    opponent: Arc<dyn Solver>,
}

impl<G: Game + 'static> GameProblem<G> {
    /// `game` played by the solvers `kernels` knows (and by erased agents).
    pub fn new(game: G, kernels: Kernels<G>) -> Self {
        GameProblem {
            game: Arc::new(game),
            kernels,
            shift: None,
            opponent: Arc::new(super::play::RandomPlay),
        }
    }

    /// Plays evaluations against `opponent` unless they name another.
    pub fn with_opponent(mut self, opponent: Arc<dyn Solver>) -> Self {
        self.opponent = opponent;
        self
    }

    /// Lets `shift` change the parameters `names` by `f`.
    pub fn with_shift(mut self, names: &'static [&'static str], f: ShiftFn<G>) -> Self {
        self.shift = Some((names, f));
        self
    }

    pub fn game(&self) -> &G {
        &self.game
    }
}

impl<G: Game + 'static> std::fmt::Debug for GameProblem<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GameProblem({})", self.game.name())
    }
}

impl<G: Game + 'static> Problem for GameProblem<G> {
    fn name(&self) -> String {
        self.game.name()
    }

    fn families(&self) -> Families {
        if self.game.num_players() == 2 {
            Families::GAME
        } else {
            Families::MDP
        }
    }

    fn discrete(&self) -> Option<&dyn DiscreteProblem> {
        Some(self)
    }

    fn shift_params(&self) -> &[&'static str] {
        self.shift.map_or(&[], |(names, _)| names)
    }

    fn shifted(&self, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
        let Some((names, f)) = self.shift else {
            return Err(ProblemError::NothingToShift {
                problem: self.name(),
                allowed: Vec::new(),
            });
        };
        Ok(Arc::new(GameProblem {
            game: Arc::new(f(&self.game, by)?),
            kernels: self.kernels.clone(),
            shift: Some((names, f)),
            opponent: self.opponent.clone(),
        }))
    }
}

impl<G: Game + 'static> DiscreteProblem for GameProblem<G> {
    fn num_players(&self) -> usize {
        self.game.num_players()
    }

    fn num_actions(&self) -> usize {
        self.game.num_actions()
    }

    fn feature_dim(&self) -> usize {
        self.game.feature_dim()
    }

    fn evaluate(
        &self,
        solver: &dyn Solver,
        opponent: Option<&dyn Solver>,
        games: Games,
        row: &mut EvalRow,
    ) -> Result<(), SolveError> {
        games.check()?;
        let opponent = opponent.unwrap_or(&*self.opponent);
        if self.game.num_players() == 2 {
            let players = Players { solver, opponent };
            play(&self.game, &self.kernels, players, games, row)
        } else {
            episodes(&self.game, &self.kernels, solver, games, row)
        }
    }

    fn generate(&self, solver: &dyn Solver, games: Games) -> Result<Rows, SolveError> {
        games.check()?;
        if self.game.num_players() == 2 {
            self_play(&self.game, &self.kernels, solver, games)
        } else {
            walk(&self.game, &self.kernels, solver, games)
        }
    }
}

/// The solver evaluated and its opponent.
struct Players<'a> {
    solver: &'a dyn Solver,
    opponent: &'a dyn Solver,
}

/// Plays `n` games, the solver taking the first move in even games, on
/// `threads` workers (each with its own agents, `lockstep` games at a time;
/// see `compose::parallel` and `compose::lockstep`). Instance `i` comes from
/// `Rng::stream(seed, i)`, so every solver evaluated with one seed meets the
/// same openings.
fn play<G: Game + 'static>(
    game: &Arc<G>,
    kernels: &Kernels<G>,
    players: Players<'_>,
    games: Games,
    row: &mut EvalRow,
) -> Result<(), SolveError> {
    let Games { n, seed, .. } = games;
    row.score_name = "score".into();
    let move_seed = derive_seed(seed, "moves");
    let make = || {
        Ok(vec![
            kernels.agent(players.solver, game)?,
            kernels.agent(players.opponent, game)?,
        ])
    };
    let width = width(&**game, games, games.n, &make)?;
    let start = |agents: &mut lockstep::Seats<G>, i: usize| {
        poll_stop()?;
        for a in agents.iter_mut() {
            lockstep::start_game(&mut **a, i, games.lockstep);
        }
        Ok(Duel {
            state: game.sample_instance(&mut Rng::stream(seed, i as u64)),
            rng: Rng::stream(move_seed, i as u64),
            first: i % 2 == 0,
            outcome: 0.0,
            cost: Cost::default(),
            moves: 0,
        })
    };
    let worker = lockstep::worker(&**game, width, make, start);
    let played = parallel::games(n, games.threads, worker)?;
    let mut wdl = [0usize; 3];
    let mut cost = Cost::default();
    for (record, mine, moves) in played {
        cost += mine;
        // Win +1, draw 0, loss −1 (`signum` would make a draw ±1).
        let (slot, score) = match f64::from(record) {
            o if o > 0.0 => (0, 1.0),
            o if o < 0.0 => (2, -1.0),
            _ => (1, 0.0),
        };
        wdl[slot] += 1;
        row.scores.push(score);
        row.queries += moves;
    }
    row.wdl = Some(wdl);
    row.cost = cost;
    Ok(())
}

/// How many games each worker plays at once: `games.lockstep`, or one
/// when nothing in a game waits on a network (there is nothing to batch).
/// Checks that the searches of the games in flight (all workers' slots, but
/// never more than `most` games) fit the memory budget, judged from one
/// slot's agents (`make()`).
fn width<G: Game>(
    game: &G,
    games: Games,
    most: usize,
    make: &impl Fn() -> Result<lockstep::Seats<G>, SolveError>,
) -> Result<usize, SolveError> {
    let width = games.lockstep.min(games.n.max(1));
    if width <= 1 {
        return Ok(1);
    }
    let mut probe = make()?;
    if !probe.iter_mut().any(|a| a.stepper().is_some()) {
        return Ok(1);
    }
    let flight = width.saturating_mul(games.threads.max(1)).min(most);
    lockstep::check_memory(game, flight, &mut probe)?;
    Ok(width)
}

/// A game of the evaluated solver (seat 0) against its opponent (seat 1).
struct Duel<S> {
    state: S,
    rng: Rng,
    /// Whether the solver moves first (player 0).
    first: bool,
    /// Player 0's rewards minus player 1's.
    outcome: f32,
    /// What the solver's decisions cost, and how many it made.
    cost: Cost,
    moves: u64,
}

impl<G: Game> lockstep::Turns<G> for Duel<G::State> {
    /// The outcome for the solver, the cost of its decisions, their number.
    type Out = (f32, Cost, u64);

    fn seat(&self, game: &G) -> Option<usize> {
        if game.is_terminal(&self.state) {
            return None;
        }
        let player = game.to_move(&self.state);
        Some(if self.first { player } else { 1 - player })
    }

    fn state(&self) -> &G::State {
        &self.state
    }

    fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    fn play(
        &mut self,
        game: &G,
        seat: usize,
        d: Decision,
        agent: &dyn Agent<G>,
    ) -> Result<(), SolveError> {
        let legal = game.legal(&self.state);
        if !legal.contains(d.action) {
            return Err(SolveError::IllegalMove {
                agent: agent.name(),
                action: d.action,
                position: Some(game.render(&self.state)),
            });
        }
        let player = game.to_move(&self.state);
        let (next, reward) = game.apply(&self.state, d.action);
        self.outcome += if player == 0 { reward } else { -reward };
        if seat == 0 {
            self.cost += d.cost;
            self.moves += 1;
        }
        self.state = next;
        Ok(())
    }

    fn finish(self, _game: &G) -> Result<Self::Out, SolveError> {
        let outcome = if self.first {
            self.outcome
        } else {
            -self.outcome
        };
        Ok((outcome, self.cost, self.moves))
    }
}

/// Runs `n` episodes of a single-agent problem on `games.threads` workers
/// (one at a time each: nothing here waits on a batched call, but with
/// `lockstep` > 1 every episode starts its agent on streams of its own, as
/// games do, so the thread count changes nothing); the gap is measured
/// against the problem's exact optimal value where it knows one
/// (`Game::optimal_value`: a maze's comes from a breadth-first search, never
/// from the solver being measured).
fn episodes<G: Game + 'static>(
    game: &Arc<G>,
    kernels: &Kernels<G>,
    solver: &dyn Solver,
    games: Games,
    row: &mut EvalRow,
) -> Result<(), SolveError> {
    let Games { n, seed, .. } = games;
    row.score_name = "return".into();
    let move_seed = derive_seed(seed, "moves");
    let make = || kernels.agent(solver, game);
    let play = |agent: &mut Box<dyn Agent<G>>, i: usize| {
        poll_stop()?;
        let start = game.sample_instance(&mut Rng::stream(seed, i as u64));
        lockstep::start_game(&mut **agent, i, games.lockstep);
        let ep = run_episode(
            &**game,
            &start,
            &mut **agent,
            &mut Rng::stream(move_seed, i as u64),
        )?;
        Ok((ep, game.optimal_value(&start)))
    };
    let played = parallel::games(n, games.threads, parallel::serial(make, play))?;
    let (mut reached, mut gaps) = (0usize, Some(0.0));
    for (ep, optimal) in played {
        row.scores.push(f64::from(ep.ret));
        reached += usize::from(ep.reached_goal);
        gaps = match (gaps, optimal) {
            (Some(g), Some(optimal)) => Some(g + f64::from(optimal - ep.ret)),
            _ => None,
        };
        row.queries += ep.steps as u64;
        row.cost += ep.cost;
    }
    row.success = Some(reached as f64 / n.max(1) as f64);
    row.gap = gaps.map(|g| g / n.max(1) as f64);
    Ok(())
}

fn features<G: Game>(game: &G, state: &G::State) -> Result<Vec<f32>, SolveError> {
    let mut x = vec![0.0f32; game.feature_dim()];
    game.encode(state, &mut x).map_err(SolveError::native)?;
    Ok(x)
}

fn one_hot(n: usize, a: usize) -> Vec<f32> {
    let mut t = vec![0.0; n];
    if let Some(x) = t.get_mut(a) {
        *x = 1.0;
    }
    t
}

fn mask(legal: Actions, actions: usize) -> Vec<bool> {
    (0..actions).map(|a| legal.contains(a)).collect()
}

/// Self-play games until `n` positions are collected (the last game is
/// played out for its outcome, then cut). Each position gets the mover's
/// features, the legal mask, the policy target, the move played and the
/// final outcome for the mover as its value. An agent that searches gives
/// its visit distribution as the target, and the move played is *sampled*
/// from it so that self-play explores; any other agent's move is the
/// target, one-hot.
fn self_play<G: Game + 'static>(
    game: &Arc<G>,
    kernels: &Kernels<G>,
    solver: &dyn Solver,
    games: Games,
) -> Result<Rows, SolveError> {
    record(game, kernels, solver, games, true, |steps| {
        let outcome0: f32 = steps
            .iter()
            .map(|s| if s.mover == 0 { s.reward } else { -s.reward })
            .sum();
        steps
            .iter()
            .map(|s| if s.mover == 0 { outcome0 } else { -outcome0 })
            .collect()
    })
}

/// Episodes of the solver until `n` states are collected, each with the
/// solver's action (one-hot as the target) and the return still to come
/// as the value.
fn walk<G: Game + 'static>(
    game: &Arc<G>,
    kernels: &Kernels<G>,
    solver: &dyn Solver,
    games: Games,
) -> Result<Rows, SolveError> {
    record(game, kernels, solver, games, false, |steps| {
        let mut to_go = 0.0f32;
        let mut values: Vec<f32> = steps
            .iter()
            .rev()
            .map(|s| {
                to_go += s.reward;
                to_go
            })
            .collect();
        values.reverse();
        values
    })
}

/// One decision of a recorded game or episode.
struct Step {
    features: Vec<f32>,
    target: Vec<f32>,
    mask: Vec<bool>,
    action: usize,
    mover: usize,
    /// What the mover earned by the move.
    reward: f32,
}

/// Plays games or episodes of `solver` from instance after instance until
/// `n` rows are collected (the last one is played out, then cut); `values`
/// gives each step's value from the whole game, clamped to `[-1, 1]`. With
/// `explore`, a searching agent's visit distribution is the target and the
/// move is sampled from it; otherwise the move is the agent's, one-hot.
fn record<G: Game + 'static>(
    game: &Arc<G>,
    kernels: &Kernels<G>,
    solver: &dyn Solver,
    games: Games,
    explore: bool,
    values: impl Fn(&[Step]) -> Vec<f32> + Sync,
) -> Result<Rows, SolveError> {
    let Games { n, seed, .. } = games;
    let move_seed = derive_seed(seed, "moves");
    let make = || Ok(vec![kernels.agent(solver, game)?]);
    // `n` counts rows here, not games: every worker may have its slots full.
    let width = width(&**game, games, usize::MAX, &make)?;
    let start = |agents: &mut lockstep::Seats<G>, i: usize| {
        poll_stop()?;
        lockstep::start_game(&mut *agents[0], i, games.lockstep);
        Ok(Recording {
            state: game.sample_instance(&mut Rng::stream(seed, i as u64)),
            rng: Rng::stream(move_seed, i as u64),
            explore,
            steps: Vec::new(),
            cost: Cost::default(),
        })
    };
    let worker = lockstep::worker(&**game, width, make, start);
    let played = parallel::games_until(n, games.threads, worker, |g| g.0.len())?;
    let runs = played.len();
    // Every game played counts, the last one's cut rows included.
    let cost = played.iter().fold(Cost::default(), |a, g| a + g.1);
    let mut rows: Vec<Example> = Vec::with_capacity(n);
    for (steps, _) in played {
        let values = values(&steps);
        rows.extend(steps.into_iter().zip(values).map(|(s, value)| {
            Example::new(s.features, s.target)
                .with_mask(s.mask)
                .with_value(value.clamp(-1.0, 1.0))
                .with_action(s.action as u32)
        }));
    }
    rows.truncate(n);
    Ok((rows, TargetKind::Policy, runs, cost))
}

/// A game or episode being recorded for a dataset (its one seat plays
/// every move).
struct Recording<S> {
    state: S,
    rng: Rng,
    explore: bool,
    steps: Vec<Step>,
    cost: Cost,
}

impl<G: Game> lockstep::Turns<G> for Recording<G::State> {
    /// The game's steps and what its decisions cost.
    type Out = (Vec<Step>, Cost);

    fn seat(&self, game: &G) -> Option<usize> {
        (!game.is_terminal(&self.state)).then_some(0)
    }

    fn state(&self) -> &G::State {
        &self.state
    }

    fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    fn play(
        &mut self,
        game: &G,
        _seat: usize,
        d: Decision,
        agent: &dyn Agent<G>,
    ) -> Result<(), SolveError> {
        let actions = game.num_actions();
        let legal = game.legal(&self.state);
        let mover = game.to_move(&self.state);
        self.cost += d.cost;
        let (target, action) = match d.policy {
            Some(policy) if self.explore => {
                let action = sample(&policy, legal, &mut self.rng);
                (policy, action)
            }
            _ => (one_hot(actions, d.action), d.action),
        };
        if !legal.contains(action) {
            return Err(SolveError::IllegalMove {
                agent: agent.name(),
                action,
                position: None,
            });
        }
        let (next, reward) = game.apply(&self.state, action);
        self.steps.push(Step {
            features: features(game, &self.state)?,
            target,
            mask: mask(legal, actions),
            action,
            mover,
            reward,
        });
        self.state = next;
        Ok(())
    }

    fn finish(self, _game: &G) -> Result<Self::Out, SolveError> {
        Ok((self.steps, self.cost))
    }
}

/// An action drawn in proportion to `weights` among `legal` (the first
/// legal action if they carry no weight there).
fn sample(weights: &[f32], legal: Actions, rng: &mut Rng) -> usize {
    let weight = |a: usize| weights.get(a).map_or(0.0, |w| w.max(0.0));
    let total: f32 = legal.iter().map(weight).sum();
    if total.is_nan() || total <= 0.0 {
        return legal.iter().next().unwrap_or(0);
    }
    let mut u = rng.uniform() as f32 * total;
    let mut last = 0;
    for a in legal.iter().filter(|&a| weight(a) > 0.0) {
        if u < weight(a) {
            return a;
        }
        u -= weight(a);
        last = a;
    }
    // Rounding can leave `u` just past the last weight.
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_follows_the_weights_and_stays_legal() {
        let mut rng = Rng::new(3);
        let weights = [0.0, 0.75, 0.0, 0.25];
        let legal = Actions(0b1110);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[sample(&weights, legal, &mut rng)] += 1;
        }
        assert_eq!((counts[0], counts[2]), (0, 0));
        assert!((2800..3200).contains(&counts[1]), "{counts:?}");
        assert_eq!(sample(&[0.0; 4], legal, &mut rng), 1);
        assert_eq!(sample(&[1.0, 0.0, 0.0, 0.0], legal, &mut rng), 1);
    }
}
