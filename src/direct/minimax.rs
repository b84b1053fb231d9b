//! Negamax alpha-beta search with a transposition table and move ordering.
//!
//! Exact when the depth is unlimited (tic-tac-toe, late connect-four
//! positions, small boards); with a depth limit, cut-off positions are
//! scored by the domain's heuristic (open lines for connect four). Values are
//! from the point of view of the player to move and follow the reward model
//! of `domains::game`, so the same code is a branch-and-bound maximizer of
//! returns on a single-agent problem.
//!
//! Moves are tried in the order: the table's best move for the position,
//! then the two killer moves of the ply (moves that caused a cut-off in a
//! sibling), then the domain's static order (`action_priority`: centre
//! first for connect four). The table is a fixed array indexed by a hash of
//! the state that stores the full state for verification and always
//! replaces; it is kept between searches of one `Minimax`, which is sound
//! because an entry records the depth it was searched to. [`Minimax::clear`]
//! forgets it (and the killer moves) in constant time: entries carry the
//! generation they were written in, and clearing starts a new one. Agents
//! clear between games, so that a game's cost never depends on the games
//! played before it.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::Instant;

use crate::cost::Cost;
use crate::domains::game::{Actions, Game, MAX_ACTIONS};

/// Parameters of the search (defaults: unlimited depth, 2^18 table slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinimaxParams {
    /// Plies to search before scoring with the heuristic; `None` searches to
    /// the end (exact, but only feasible on small games or late positions).
    pub depth: Option<u32>,
    /// The transposition table has `2^tt_bits` slots (10 to 26).
    pub tt_bits: u32,
}

impl Default for MinimaxParams {
    fn default() -> Self {
        MinimaxParams {
            depth: None,
            tt_bits: 18,
        }
    }
}

/// Why a search cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum MinimaxError {
    /// `depth` is 0.
    NoDepth,
    /// `tt_bits` is outside 10 to 26.
    TableBits { tt_bits: u32 },
    /// The game has more actions than an action set holds.
    TooManyActions { game: String, actions: usize },
    /// The state to search from is terminal.
    Terminal,
}

impl fmt::Display for MinimaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MinimaxError::NoDepth => write!(f, "minimax: depth must be at least 1"),
            MinimaxError::TableBits { tt_bits } => write!(
                f,
                "minimax: tt_bits must be between 10 and 26, got {tt_bits}"
            ),
            MinimaxError::TooManyActions { game, .. } => {
                write!(f, "minimax: {game} has more than {MAX_ACTIONS} actions")
            }
            MinimaxError::Terminal => write!(
                f,
                "minimax: the state is terminal, there is no move to search"
            ),
        }
    }
}

impl std::error::Error for MinimaxError {}

impl MinimaxParams {
    pub fn validate(&self) -> Result<(), MinimaxError> {
        if self.depth == Some(0) {
            return Err(MinimaxError::NoDepth);
        }
        if !(10..=26).contains(&self.tt_bits) {
            return Err(MinimaxError::TableBits {
                tt_bits: self.tt_bits,
            });
        }
        Ok(())
    }
}

/// The answer of one search.
#[derive(Clone, Debug, PartialEq)]
pub struct MinimaxResult {
    pub action: usize,
    /// Value of the state for the player to move (exact when the depth is
    /// unlimited).
    pub value: f32,
    /// nodes = positions searched, evaluations = heuristic evaluations.
    pub cost: Cost,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Exact,
    Lower,
    Upper,
}

#[derive(Clone, Copy)]
struct Entry<S> {
    /// The table generation the entry was written in; older ones are stale.
    generation: u32,
    state: S,
    value: f32,
    depth: u32,
    best: u8,
    bound: Bound,
}

const UNLIMITED: u32 = u32::MAX;
const NO_MOVE: u8 = u8::MAX;

/// A multiply-rotate hasher (FxHash): states are a few machine words, for
/// which SipHash would dominate the search time.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A searcher that keeps its transposition table between calls.
pub struct Minimax<G: Game> {
    params: MinimaxParams,
    table: Vec<Option<Entry<G::State>>>,
    generation: u32,
    killers: Vec<[u8; 2]>,
    order: Vec<u8>,
    nodes: u64,
    evals: u64,
}

impl<G: Game> Minimax<G> {
    pub fn new(params: MinimaxParams) -> Result<Self, MinimaxError> {
        params.validate()?;
        Ok(Minimax {
            params,
            table: Vec::new(),
            generation: 0,
            killers: Vec::new(),
            order: Vec::new(),
            nodes: 0,
            evals: 0,
        })
    }

    pub fn params(&self) -> &MinimaxParams {
        &self.params
    }

    /// Forgets every table entry and killer move, so that the next search
    /// costs exactly what a fresh searcher's would.
    pub fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 clears a stale entry could look current again.
            self.table.iter_mut().for_each(|e| *e = None);
        }
        self.killers.iter_mut().for_each(|k| *k = [NO_MOVE; 2]);
    }

    /// The live table entry for `state`, if any.
    fn entry(&self, slot: usize, state: &G::State) -> Option<Entry<G::State>> {
        self.table[slot].filter(|e| e.generation == self.generation && e.state == *state)
    }

    fn prepare(&mut self, game: &G, state: &G::State) -> Result<(), MinimaxError> {
        if game.num_actions() > MAX_ACTIONS {
            return Err(MinimaxError::TooManyActions {
                game: game.name(),
                actions: game.num_actions(),
            });
        }
        if game.legal(state).is_empty() {
            return Err(MinimaxError::Terminal);
        }
        if self.table.is_empty() {
            self.table = vec![None; 1 << self.params.tt_bits];
        }
        if self.killers.is_empty() {
            self.killers = vec![[NO_MOVE; 2]; 128];
        }
        let mut order: Vec<u8> = (0..game.num_actions() as u8).collect();
        order.sort_by_key(|&a| -game.action_priority(usize::from(a)));
        self.order = order;
        self.nodes = 0;
        self.evals = 0;
        Ok(())
    }

    fn depth(&self) -> u32 {
        self.params.depth.unwrap_or(UNLIMITED)
    }

    /// The best action and the value of `state` for the player to move.
    pub fn search(&mut self, game: &G, state: &G::State) -> Result<MinimaxResult, MinimaxError> {
        let start = Instant::now();
        self.prepare(game, state)?;
        let depth = self.depth();
        let legal = game.legal(state);
        let (mut alpha, beta) = (f32::NEG_INFINITY, f32::INFINITY);
        let mut best = (usize::MAX, f32::NEG_INFINITY);
        let mut moves = [0u8; MAX_ACTIONS];
        let tt_move = self
            .entry(self.slot(state), state)
            .map_or(NO_MOVE, |e| e.best);
        let n = self.ordered_moves(legal, tt_move, [NO_MOVE; 2], &mut moves);
        let tracker = crate::progress::Tracker::lines(
            crate::progress::ambient(),
            n as u64,
            &format!("minimax on {}", game.name()),
        );
        for &a in &moves[..n] {
            let v = self.child_value(game, state, usize::from(a), depth, alpha, beta, 1);
            if v > best.1 {
                best = (usize::from(a), v);
                alpha = alpha.max(v);
            }
            tracker.step(&format!("move {a} searched"));
        }
        Ok(MinimaxResult {
            action: best.0,
            value: best.1,
            cost: self.cost(start),
        })
    }

    /// The value of every action (`None` where illegal), each searched with a
    /// full window, so that ties between best moves can be seen.
    pub fn action_values(
        &mut self,
        game: &G,
        state: &G::State,
    ) -> Result<(Vec<Option<f32>>, Cost), MinimaxError> {
        let start = Instant::now();
        self.prepare(game, state)?;
        let depth = self.depth();
        let mut values = vec![None; game.num_actions()];
        for a in game.legal(state).iter() {
            let v = self.child_value(game, state, a, depth, f32::NEG_INFINITY, f32::INFINITY, 1);
            values[a] = Some(v);
        }
        Ok((values, self.cost(start)))
    }

    fn cost(&self, start: Instant) -> Cost {
        Cost {
            evaluations: self.evals,
            nodes: self.nodes,
            wall: start.elapsed(),
            ..Cost::default()
        }
    }

    /// Value of playing `a` in `state`, for the player to move in `state`,
    /// searched within the window `(alpha, beta)`.
    #[allow(clippy::too_many_arguments)]
    fn child_value(
        &mut self,
        game: &G,
        state: &G::State,
        a: usize,
        depth: u32,
        alpha: f32,
        beta: f32,
        ply: usize,
    ) -> f32 {
        let (next, r) = game.apply(state, a);
        let child_depth = if depth == UNLIMITED { depth } else { depth - 1 };
        if game.to_move(&next) != game.to_move(state) {
            r - self.negamax(game, &next, child_depth, r - beta, r - alpha, ply)
        } else {
            r + self.negamax(game, &next, child_depth, alpha - r, beta - r, ply)
        }
    }

    /// Fills `out` with the legal moves in search order; returns how many.
    fn ordered_moves(
        &self,
        legal: Actions,
        tt_move: u8,
        killers: [u8; 2],
        out: &mut [u8; MAX_ACTIONS],
    ) -> usize {
        let mut n = 0;
        let mut taken = 0u64;
        for m in [tt_move, killers[0], killers[1]] {
            if m != NO_MOVE && legal.contains(usize::from(m)) && taken >> m & 1 == 0 {
                out[n] = m;
                n += 1;
                taken |= 1 << m;
            }
        }
        for &m in &self.order {
            if legal.contains(usize::from(m)) && taken >> m & 1 == 0 {
                out[n] = m;
                n += 1;
            }
        }
        n
    }

    fn slot(&self, state: &G::State) -> usize {
        let mut h = FxHasher::default();
        state.hash(&mut h);
        // The high bits of a multiplicative hash are the well-mixed ones.
        (h.finish() >> (64 - self.params.tt_bits)) as usize
    }

    fn negamax(
        &mut self,
        game: &G,
        state: &G::State,
        depth: u32,
        mut alpha: f32,
        mut beta: f32,
        ply: usize,
    ) -> f32 {
        self.nodes += 1;
        let legal = game.legal(state);
        if legal.is_empty() {
            return 0.0;
        }
        if depth == 0 {
            self.evals += 1;
            return game.heuristic(state);
        }
        let alpha0 = alpha;
        let slot = self.slot(state);
        let mut tt_move = NO_MOVE;
        if let Some(e) = self.entry(slot, state) {
            tt_move = e.best;
            if e.depth >= depth {
                match e.bound {
                    Bound::Exact => return e.value,
                    Bound::Lower => alpha = alpha.max(e.value),
                    Bound::Upper => beta = beta.min(e.value),
                }
                if alpha >= beta {
                    return e.value;
                }
            }
        }
        if ply >= self.killers.len() {
            self.killers.resize(ply + 1, [NO_MOVE; 2]);
        }
        let mut moves = [0u8; MAX_ACTIONS];
        let n = self.ordered_moves(legal, tt_move, self.killers[ply], &mut moves);
        let mut best = (NO_MOVE, f32::NEG_INFINITY);
        for &a in &moves[..n] {
            let v = self.child_value(game, state, usize::from(a), depth, alpha, beta, ply + 1);
            if v > best.1 {
                best = (a, v);
            }
            alpha = alpha.max(v);
            if alpha >= beta {
                let k = &mut self.killers[ply];
                if k[0] != a {
                    k[1] = k[0];
                    k[0] = a;
                }
                break;
            }
        }
        let bound = if best.1 <= alpha0 {
            Bound::Upper
        } else if best.1 >= beta {
            Bound::Lower
        } else {
            Bound::Exact
        };
        self.table[slot] = Some(Entry {
            generation: self.generation,
            state: *state,
            value: best.1,
            depth,
            best: best.0,
            bound,
        });
        best.1
    }
}

/// One search from `state` with a fresh table.
pub fn minimax<G: Game>(
    game: &G,
    state: &G::State,
    params: &MinimaxParams,
) -> Result<MinimaxResult, MinimaxError> {
    Minimax::new(*params)?.search(game, state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::gridworld::gridworld;
    use crate::domains::tictactoe::tictactoe;

    #[test]
    fn bad_parameters_are_errors() {
        for bad in [
            MinimaxParams {
                depth: Some(0),
                ..MinimaxParams::default()
            },
            MinimaxParams {
                tt_bits: 40,
                ..MinimaxParams::default()
            },
        ] {
            assert!(minimax(&tictactoe(), &tictactoe().root(), &bad).is_err());
        }
        let g = tictactoe();
        let won = g.parse("XXX OO. ...").unwrap();
        assert!(minimax(&g, &won, &MinimaxParams::default()).is_err());
    }

    #[test]
    fn the_table_is_sound_across_searches() {
        let g = tictactoe();
        let mut m = Minimax::new(MinimaxParams::default()).unwrap();
        let root = m.search(&g, &g.root()).unwrap();
        let s = g.parse("X.. .O. ...").unwrap();
        let (values, _) = m.action_values(&g, &s).unwrap();
        assert_eq!(root.value, 0.0);
        // After X corner, O centre: every X move draws.
        assert!(values.iter().flatten().all(|&v| v == 0.0), "{values:?}");
        let again = m.search(&g, &g.root()).unwrap();
        assert_eq!(again.value, 0.0);
        assert!(
            again.cost.nodes <= root.cost.nodes,
            "the kept table only helps"
        );
    }

    #[test]
    fn a_cleared_table_searches_like_a_fresh_one() {
        let g = tictactoe();
        let mut m = Minimax::new(MinimaxParams::default()).unwrap();
        let fresh = m.search(&g, &g.root()).unwrap();
        let s = g.parse("X.. .O. ...").unwrap();
        m.action_values(&g, &s).unwrap();
        let kept = m.search(&g, &g.root()).unwrap();
        assert!(kept.cost.nodes < fresh.cost.nodes, "the kept table helps");
        m.clear();
        let cleared = m.search(&g, &g.root()).unwrap();
        assert_eq!(
            (cleared.action, cleared.value, cleared.cost.counted()),
            (fresh.action, fresh.value, fresh.cost.counted())
        );
    }

    #[test]
    fn single_agent_search_maximizes_the_return() {
        let world = gridworld(4, 0.0).unwrap();
        let s = world.parse("A.#. ..#. ...G ....").unwrap();
        let depth = MinimaxParams {
            depth: Some(6),
            ..MinimaxParams::default()
        };
        let r = minimax(&world, &s, &depth).unwrap();
        assert!((r.value - 0.95).abs() < 1e-6, "{}", r.value);
        assert_eq!(world.shortest_path(&world.apply(&s, r.action).0), Some(4));
    }
}
