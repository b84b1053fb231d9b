//! Agents and the loops that let them play: a game between two agents, an
//! episode of a single agent, and a match of many games alternating sides.
//!
//! Agents are used through `dyn Agent` — once per move, outside any hot
//! loop — while each searcher inside stays monomorphized over its game.
//! Searching agents keep their trees or tables across the moves of a game
//! and drop them on [`Agent::reset`], which every loop here calls between
//! games (lockstep play calls [`Agent::start_game`] instead).

use std::time::Duration;

use super::problem::Families;
use super::solver::{SolveError, Solver};
use crate::cost::Cost;
use crate::domains::game::Game;
use crate::rng::{derive_seed, Rng};

/// What an agent decided in one state.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The chosen (legal) action.
    pub action: usize,
    /// What deciding cost.
    pub cost: Cost,
    /// The distribution a search arrived at (visit counts over actions,
    /// normalized), for agents that have one: self-play learns from it and
    /// samples the move it plays from it.
    pub policy: Option<Vec<f32>>,
}

impl Decision {
    pub fn new(action: usize, cost: Cost) -> Decision {
        Decision {
            action,
            cost,
            policy: None,
        }
    }
}

/// Something that picks a move in a state.
pub trait Agent<G: Game> {
    /// A short name for reports.
    fn name(&self) -> String;
    /// The chosen action, what choosing it cost, and the search's policy.
    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError>;
    /// Forgets what was kept from the previous game (trees, caches).
    fn reset(&mut self) {}
    /// Readies the agent for game `index` of a run of games: forgets the
    /// previous game and, for an agent with a generator of its own, starts
    /// the stream of that game, so that a game's moves never depend on
    /// which games the agent played before (lockstep play calls it, since
    /// its games are in flight together; one-at-a-time play calls `reset`,
    /// and an agent's generator runs on from game to game).
    fn start_game(&mut self, index: u64) {
        let _ = index;
        self.reset();
    }
    /// The agent as a [`Stepper`], when its decisions wait on network calls
    /// that lockstep play can batch across games; `None` for one that
    /// decides at once.
    fn stepper(&mut self) -> Option<&mut dyn Stepper<G>> {
        None
    }
}

/// A decision made in steps (see `compose::lockstep`): the agent searches
/// until it needs network answers for some states, the caller answers them
/// (with the states of other games' searches in the same call), and so on
/// until the decision is ready. Driven this way, an agent decides exactly
/// as [`Agent::act`] would.
pub trait Stepper<G: Game> {
    /// Starts deciding in `state`.
    fn begin(&mut self, game: &G, state: &G::State) -> Result<(), SolveError>;
    /// The states waiting for network answers; empty when the decision is
    /// ready.
    fn pending(&self) -> &[G::State];
    /// Answers the pending states (`priors`: a row of `num_actions` each)
    /// and goes on; `charged` is this decision's share of the network call.
    fn supply(&mut self, game: &G, priors: &[f32], values: &[Option<f32>], charged: Duration);
    /// The decision, once nothing is pending.
    fn decision(&mut self, game: &G) -> Result<Decision, SolveError>;
    /// Answers `states` with this agent's networks, as it would answer
    /// them itself: the caller asks one agent for the states of all its
    /// games whose agents share the networks.
    fn answer(
        &mut self,
        game: &G,
        states: &[G::State],
        priors: &mut [f32],
        values: &mut [Option<f32>],
    );
    /// The most bytes one decision can hold (its search trees), for the
    /// memory check of many games in flight.
    fn decision_bytes(&self, game: &G) -> u64;
}

/// Plays uniformly at random among the legal moves.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomAgent;

impl<G: Game> Agent<G> for RandomAgent {
    fn name(&self) -> String {
        "random".into()
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError> {
        let legal = game.legal(state);
        if legal.is_empty() {
            return Err(SolveError::Problem(
                "random agent: the state is terminal".into(),
            ));
        }
        Ok(Decision::new(legal.random(rng), Cost::default()))
    }
}

/// Uniformly random legal moves as a solver: the default opponent in games.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomPlay;

impl Solver for RandomPlay {
    fn algorithm(&self) -> &str {
        "random"
    }
    fn families(&self) -> Families {
        Families::DISCRETE
    }
}

impl super::discrete::Plays for RandomPlay {
    fn agent<G: Game + 'static>(
        &self,
        _game: &std::sync::Arc<G>,
        _kernels: &super::discrete::Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        Ok(Box::new(RandomAgent))
    }
}

/// The result of one two-player game.
#[derive(Clone, Debug, PartialEq)]
pub struct GameRecord {
    /// Sum of player 0's rewards minus player 1's: +1 win, 0 draw, −1 loss.
    pub outcome: f32,
    /// What each player's moves cost.
    pub costs: [Cost; 2],
    pub moves: usize,
}

/// Asks `agent` for a move and checks that it is legal.
pub fn checked_move<G: Game>(
    game: &G,
    state: &G::State,
    agent: &mut dyn Agent<G>,
    rng: &mut Rng,
) -> Result<Decision, SolveError> {
    let decision = agent.act(game, state, rng)?;
    if !game.legal(state).contains(decision.action) {
        return Err(SolveError::IllegalMove {
            agent: agent.name(),
            action: decision.action,
            position: Some(game.render(state)),
        });
    }
    Ok(decision)
}

/// Plays one game from `start`; `agents[p]` moves for player `p`.
pub fn play_game<G: Game>(
    game: &G,
    start: &G::State,
    agents: [&mut dyn Agent<G>; 2],
    rng: &mut Rng,
) -> Result<GameRecord, SolveError> {
    if game.num_players() != 2 {
        return Err(SolveError::Problem(format!(
            "play_game needs a two-player game, {} is not one",
            game.name()
        )));
    }
    let mut state = *start;
    let mut record = GameRecord {
        outcome: 0.0,
        costs: [Cost::default(); 2],
        moves: 0,
    };
    while !game.is_terminal(&state) {
        let player = game.to_move(&state);
        let d = checked_move(game, &state, &mut *agents[player], rng)?;
        let (next, reward) = game.apply(&state, d.action);
        record.outcome += if player == 0 { reward } else { -reward };
        record.costs[player] += d.cost;
        record.moves += 1;
        state = next;
    }
    Ok(record)
}

/// The result of one single-agent episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// Sum of rewards.
    pub ret: f32,
    pub reached_goal: bool,
    pub steps: usize,
    pub cost: Cost,
}

/// Runs one episode of a single-agent problem from `start` to its end.
pub fn run_episode<G: Game>(
    game: &G,
    start: &G::State,
    agent: &mut dyn Agent<G>,
    rng: &mut Rng,
) -> Result<Episode, SolveError> {
    if game.num_players() != 1 {
        return Err(SolveError::Problem(format!(
            "run_episode needs a single-agent problem, {} is not one",
            game.name()
        )));
    }
    let mut state = *start;
    let mut episode = Episode {
        ret: 0.0,
        reached_goal: false,
        steps: 0,
        cost: Cost::default(),
    };
    while !game.is_terminal(&state) {
        let d = checked_move(game, &state, agent, rng)?;
        let (next, reward) = game.apply(&state, d.action);
        episode.ret += reward;
        episode.cost += d.cost;
        episode.steps += 1;
        state = next;
    }
    episode.reached_goal = game.reached_goal(&state);
    Ok(episode)
}

/// Totals of a match, from the first agent's point of view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchSummary {
    pub games: usize,
    pub wins: usize,
    pub draws: usize,
    pub losses: usize,
    /// Mean outcome for the first agent (+1 win, 0 draw, −1 loss).
    pub mean_outcome: f64,
    /// Total cost of each agent's moves over all games.
    pub costs: [Cost; 2],
    pub moves: usize,
}

/// Plays `n` games between `a` and `b` on instances drawn from the game's
/// distribution (instance `i` from `Rng::stream(seed, i)`); `a` is player 0
/// in even games and player 1 in odd ones. Both agents are reset before
/// every game.
pub fn play_match<G: Game>(
    game: &G,
    a: &mut dyn Agent<G>,
    b: &mut dyn Agent<G>,
    n: usize,
    seed: u64,
) -> Result<MatchSummary, SolveError> {
    let mut summary = MatchSummary::default();
    let move_seed = derive_seed(seed, "moves");
    for i in 0..n {
        let start = game.sample_instance(&mut Rng::stream(seed, i as u64));
        let mut rng = Rng::stream(move_seed, i as u64);
        a.reset();
        b.reset();
        let a_first = i % 2 == 0;
        let record = if a_first {
            play_game(game, &start, [&mut *a, &mut *b], &mut rng)?
        } else {
            play_game(game, &start, [&mut *b, &mut *a], &mut rng)?
        };
        let (outcome, cost_a, cost_b) = if a_first {
            (record.outcome, record.costs[0], record.costs[1])
        } else {
            (-record.outcome, record.costs[1], record.costs[0])
        };
        summary.games += 1;
        match outcome {
            o if o > 0.0 => summary.wins += 1,
            o if o < 0.0 => summary.losses += 1,
            _ => summary.draws += 1,
        }
        summary.mean_outcome += f64::from(outcome) / n as f64;
        summary.costs[0] += cost_a;
        summary.costs[1] += cost_b;
        summary.moves += record.moves;
    }
    Ok(summary)
}
