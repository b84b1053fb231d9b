//! Agents and the loops that let them play: a game between two agents, an
//! episode of a single agent, and a match of many games alternating sides.
//!
//! This is what an evaluation (`evaluate(solver, on=game, n, against=)`)
//! calls. Agents are used through `dyn Agent` — once per move, outside any
//! hot loop — while each searcher inside stays monomorphized over its game.
//! Searching agents keep their trees or tables across the moves of a game
//! and drop them on [`Agent::reset`], which the match loop calls between games.

use crate::cost::Cost;
use crate::direct::mcts::{Evaluator, Mcts, MctsParams, Rollouts, SearchResult};
use crate::direct::minimax::{Minimax, MinimaxParams};
use crate::direct::value_iteration::{value_iteration, ValueTable};
use crate::domains::game::Game;
use crate::domains::gridworld::{GridState, GridWorld};
use crate::rng::{derive_seed, Rng};

/// Something that picks a move in a state.
pub trait Agent<G: Game> {
    /// A short name for reports.
    fn name(&self) -> String;
    /// The chosen (legal) action and what choosing it cost.
    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<(usize, Cost), String>;
    /// Forgets what was kept from the previous game (trees, caches).
    fn reset(&mut self) {}
}

/// Plays uniformly at random among the legal moves.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomAgent;

impl<G: Game> Agent<G> for RandomAgent {
    fn name(&self) -> String {
        "random".into()
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<(usize, Cost), String> {
        let legal = game.legal(state);
        if legal.is_empty() {
            return Err("random agent: the state is terminal".into());
        }
        Ok((legal.random(rng), Cost::default()))
    }
}

/// MCTS as an agent (UCT by default, PUCT with an evaluator); the tree is
/// reused across the moves of a game when `params.reuse` is on.
pub struct MctsAgent<G: Game, E = Rollouts> {
    searcher: Mcts<G>,
    evaluator: E,
    last: Option<SearchResult>,
}

impl<G: Game> MctsAgent<G, Rollouts> {
    pub fn new(params: MctsParams) -> Result<Self, String> {
        MctsAgent::with_evaluator(params, Rollouts)
    }
}

impl<G: Game, E: Evaluator<G> + Clone + Send> MctsAgent<G, E> {
    pub fn with_evaluator(params: MctsParams, evaluator: E) -> Result<Self, String> {
        Ok(MctsAgent {
            searcher: Mcts::new(params)?,
            evaluator,
            last: None,
        })
    }

    /// The full answer of the last search (visit distribution, values).
    pub fn last_search(&self) -> Option<&SearchResult> {
        self.last.as_ref()
    }
}

impl<G: Game, E: Evaluator<G> + Clone + Send> Agent<G> for MctsAgent<G, E> {
    fn name(&self) -> String {
        let p = self.searcher.params();
        let kind = if E::PRIOR { "puct" } else { "mcts" };
        format!("{kind}(sims={})", p.sims)
    }

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<(usize, Cost), String> {
        let result = self
            .searcher
            .search_with(game, state, &mut self.evaluator)?;
        let answer = (result.action, result.cost);
        self.last = Some(result);
        Ok(answer)
    }

    fn reset(&mut self) {
        self.searcher.reset();
        self.last = None;
    }
}

/// Alpha-beta minimax as an agent. With `randomize`, it picks uniformly
/// among all equally valued best moves (every action is searched with a
/// full window), which makes a perfect player a varied opponent.
pub struct MinimaxAgent<G: Game> {
    searcher: Minimax<G>,
    randomize: bool,
}

impl<G: Game> MinimaxAgent<G> {
    pub fn new(params: MinimaxParams, randomize: bool) -> Result<Self, String> {
        Ok(MinimaxAgent {
            searcher: Minimax::new(params)?,
            randomize,
        })
    }
}

impl<G: Game> Agent<G> for MinimaxAgent<G> {
    fn name(&self) -> String {
        match self.searcher.params().depth {
            Some(d) => format!("minimax(depth={d})"),
            None => "minimax".into(),
        }
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<(usize, Cost), String> {
        if !self.randomize {
            let r = self.searcher.search(game, state)?;
            return Ok((r.action, r.cost));
        }
        let (values, cost) = self.searcher.action_values(game, state)?;
        let best = values
            .iter()
            .flatten()
            .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let ties: Vec<usize> = (0..values.len())
            .filter(|&a| values[a].is_some_and(|v| v >= best - 1e-6))
            .collect();
        match ties.len() {
            0 => Err("minimax agent: no legal move".into()),
            n => Ok((ties[rng.below(n)], cost)),
        }
    }
}

/// Acts optimally on gridworld by value iteration; the table of the current
/// instance is cached until the walls or the goal change.
#[derive(Clone, Debug, Default)]
pub struct ValueIterationAgent {
    cached: Option<(GridState, ValueTable)>,
}

impl Agent<GridWorld> for ValueIterationAgent {
    fn name(&self) -> String {
        "value_iteration".into()
    }

    fn act(
        &mut self,
        game: &GridWorld,
        state: &GridState,
        _rng: &mut Rng,
    ) -> Result<(usize, Cost), String> {
        let same = |s: &GridState| s.walls == state.walls && s.goal == state.goal;
        let mut cost = Cost::default();
        let table = match &self.cached {
            Some((s, table)) if same(s) => table,
            _ => {
                let table = value_iteration(game, state)?;
                cost = table.cost;
                &self.cached.insert((*state, table)).1
            }
        };
        table.action(state).map(|a| (a, cost)).ok_or_else(|| {
            "value_iteration agent: the goal cannot be reached from here".to_string()
        })
    }

    fn reset(&mut self) {
        self.cached = None;
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

fn checked_move<G: Game>(
    game: &G,
    state: &G::State,
    agent: &mut dyn Agent<G>,
    rng: &mut Rng,
) -> Result<(usize, Cost), String> {
    let (action, cost) = agent.act(game, state, rng)?;
    if !game.legal(state).contains(action) {
        return Err(format!(
            "{} chose the illegal action {action} in\n{}",
            agent.name(),
            game.render(state)
        ));
    }
    Ok((action, cost))
}

/// Plays one game from `start`; `agents[p]` moves for player `p`.
pub fn play_game<G: Game>(
    game: &G,
    start: &G::State,
    agents: [&mut dyn Agent<G>; 2],
    rng: &mut Rng,
) -> Result<GameRecord, String> {
    if game.num_players() != 2 {
        return Err(format!(
            "play_game needs a two-player game, {} is not one",
            game.name()
        ));
    }
    let mut state = *start;
    let mut record = GameRecord {
        outcome: 0.0,
        costs: [Cost::default(); 2],
        moves: 0,
    };
    while !game.is_terminal(&state) {
        let player = game.to_move(&state);
        let (action, cost) = checked_move(game, &state, &mut *agents[player], rng)?;
        let (next, reward) = game.apply(&state, action);
        record.outcome += if player == 0 { reward } else { -reward };
        record.costs[player] += cost;
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
) -> Result<Episode, String> {
    if game.num_players() != 1 {
        return Err(format!(
            "run_episode needs a single-agent problem, {} is not one",
            game.name()
        ));
    }
    let mut state = *start;
    let mut episode = Episode {
        ret: 0.0,
        reached_goal: false,
        steps: 0,
        cost: Cost::default(),
    };
    while !game.is_terminal(&state) {
        let (action, cost) = checked_move(game, &state, agent, rng)?;
        let (next, reward) = game.apply(&state, action);
        episode.ret += reward;
        episode.cost += cost;
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
) -> Result<MatchSummary, String> {
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
