//! The seam shared by discrete problems — two-player zero-sum games and
//! single-agent MDPs — and the searches that solve them.
//!
//! One trait covers both, so that MCTS, minimax and the play loops are
//! written once and monomorphized over the domain. The model is a
//! deterministic transition system with rewards:
//!
//! * `apply(s, a)` returns the next state and the **reward earned by the
//!   player who acted** (a game gives +1 for the winning move and 0
//!   otherwise; a gridworld gives `-step_cost`, plus 1 on reaching the goal);
//! * the value of a state is taken from the perspective of the player to
//!   move in it, so a search backs up `reward + V(next)` when the mover stays
//!   the same (single agent) and `reward − V(next)` when it changes
//!   (negamax). Terminal states are worth 0 beyond the rewards already paid.
//!
//! States are small `Copy` values (bitboards), legal actions a `u64` mask, so
//! no search allocates per step.

use std::fmt::{self, Debug};
use std::hash::Hash;

use crate::rng::Rng;

/// The most actions a discrete problem may have (legal moves are a `u64`).
pub const MAX_ACTIONS: usize = 64;

/// A set of actions as a bit mask: bit `a` set means action `a` is legal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Actions(pub u64);

impl Actions {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn contains(self, action: usize) -> bool {
        action < MAX_ACTIONS && self.0 >> action & 1 == 1
    }

    /// The `n`-th action in increasing order (`n < len()`).
    #[inline]
    pub fn nth(self, n: usize) -> usize {
        let mut bits = self.0;
        for _ in 0..n {
            bits &= bits - 1;
        }
        bits.trailing_zeros() as usize
    }

    /// A uniformly random action (the set must not be empty).
    #[inline]
    pub fn random(self, rng: &mut Rng) -> usize {
        self.nth(rng.below(self.len()))
    }

    pub fn iter(self) -> ActionIter {
        ActionIter(self.0)
    }
}

/// Iterates the actions of an [`Actions`] set in increasing order.
pub struct ActionIter(u64);

impl Iterator for ActionIter {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let a = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(a)
    }
}

/// A discrete, deterministic, fully observed problem: a two-player zero-sum
/// game or a single-agent MDP (see the module docs for the reward model).
pub trait Game: Send + Sync {
    /// A position, including everything that makes it an instance (a
    /// gridworld state carries its walls and goal).
    type State: Copy + Eq + Hash + Debug + Send + Sync;

    /// A short name for reports, e.g. `connect4(6x7)`.
    fn name(&self) -> String;
    /// Number of action indices (`≤ MAX_ACTIONS`); not all are always legal.
    fn num_actions(&self) -> usize;
    /// 1 for an MDP, 2 for a two-player game.
    fn num_players(&self) -> usize;
    /// The player to move in `state` (always 0 for a single agent).
    fn to_move(&self, state: &Self::State) -> usize;
    /// The legal actions; empty exactly when the state is terminal.
    fn legal(&self, state: &Self::State) -> Actions;
    /// The next state and the reward earned by the player who acted.
    /// `action` must be legal.
    fn apply(&self, state: &Self::State, action: usize) -> (Self::State, f32);
    fn is_terminal(&self, state: &Self::State) -> bool;
    /// An estimate of the state's value for the player to move, used where a
    /// search is cut off (depth-limited minimax or rollouts); 0 by default.
    fn heuristic(&self, _state: &Self::State) -> f32 {
        0.0
    }
    /// Static move-ordering hint for alpha-beta: higher is tried first.
    fn action_priority(&self, _action: usize) -> i32 {
        0
    }
    /// Width of the fixed-size feature encoding.
    fn feature_dim(&self) -> usize;
    /// Writes the features of `state` into `out` (length `feature_dim()`),
    /// from the perspective of the player to move.
    fn encode(&self, state: &Self::State, out: &mut [f32]) -> Result<(), EncodeError>;
    /// Draws a non-terminal starting state from the instance distribution.
    fn sample_instance(&self, rng: &mut Rng) -> Self::State;
    /// The exact value for the player to move, where it is cheap to know.
    fn optimal_value(&self, _state: &Self::State) -> Option<f32> {
        None
    }
    /// Whether a single agent reached its goal (always false for games).
    fn reached_goal(&self, _state: &Self::State) -> bool {
        false
    }
    /// A human-readable picture of the state.
    fn render(&self, state: &Self::State) -> String;
    /// The problem's states listed by index, for exact dynamic programming,
    /// when its instances have few enough (see [`FiniteStates`]).
    fn finite_states(&self) -> Option<&dyn FiniteStates<Self::State>> {
        None
    }
}

/// The states of a problem instance, listed densely by index: what exact
/// methods (value iteration) need beyond [`Game`]. An index may be a hole
/// (a wall cell), and listed states are fresh (at step 0 of an episode).
pub trait FiniteStates<S> {
    /// How many state indices the instance of `of` has.
    fn state_count(&self, of: &S) -> usize;
    /// The state with index `i` in the instance of `of`, or `None` for a hole.
    fn state_at(&self, of: &S, i: usize) -> Option<S>;
    /// The index of `state` within its instance.
    fn state_index(&self, state: &S) -> usize;
    /// Whether two states belong to the same instance.
    fn same_instance(&self, a: &S, b: &S) -> bool;
}

/// Whether the player to move changes between `from` and `to`: the value
/// of `to` then counts negatively for the mover at `from` (negamax).
#[inline]
pub fn mover_changes<G: Game>(game: &G, from: &G::State, to: &G::State) -> bool {
    game.to_move(from) != game.to_move(to)
}

/// A feature buffer of the wrong width was handed to [`Game::encode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeError {
    pub expected: usize,
    pub found: usize,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "feature buffer has length {}, expected {}",
            self.found, self.expected
        )
    }
}

impl std::error::Error for EncodeError {}

/// Checks that `out` has the width a game's encoding needs.
pub fn check_feature_len(expected: usize, out: &[f32]) -> Result<(), EncodeError> {
    if out.len() == expected {
        Ok(())
    } else {
        Err(EncodeError {
            expected,
            found: out.len(),
        })
    }
}

/// Plays `moves` uniformly random opening moves from `root`, never entering
/// a terminal state: moves that would end the game are avoided, and a line
/// that runs out of such moves is restarted. Falls back to a shorter opening
/// if no full-length line is found in a bounded number of attempts (only
/// possible when `moves` is close to the length of the game).
pub fn random_opening<G: Game>(game: &G, root: G::State, moves: usize, rng: &mut Rng) -> G::State {
    let mut best = root;
    let mut best_len = 0;
    for _ in 0..1000 {
        let mut s = root;
        let mut played = 0;
        while played < moves {
            let mut options = 0u64;
            for a in game.legal(&s).iter() {
                if !game.is_terminal(&game.apply(&s, a).0) {
                    options |= 1 << a;
                }
            }
            if options == 0 {
                break;
            }
            s = game.apply(&s, Actions(options).random(rng)).0;
            played += 1;
        }
        if played == moves {
            return s;
        }
        if played > best_len {
            best = s;
            best_len = played;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_sets_enumerate_in_order() {
        let a = Actions(0b1011_0010);
        assert_eq!(a.len(), 4);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 4, 5, 7]);
        assert_eq!(
            (0..4).map(|n| a.nth(n)).collect::<Vec<_>>(),
            vec![1, 4, 5, 7]
        );
        assert!(a.contains(5) && !a.contains(6) && !a.contains(200));
        let mut rng = Rng::new(1);
        let mut seen = 0u64;
        for _ in 0..200 {
            seen |= 1 << a.random(&mut rng);
        }
        assert_eq!(seen, a.0);
    }
}
