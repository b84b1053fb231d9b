//! An MCTS search's parameters, their ranges, and what is wrong with them.

use std::fmt;

use crate::domains::game::MAX_ACTIONS;

/// Parameters of one search (defaults: 400 simulations, c = √2, unlimited
/// rollout depth, one rollout per leaf, one thread, seed 0, tree reuse on).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MctsParams {
    /// Simulations per search call (over all threads).
    pub sims: u32,
    /// Exploration constant (UCT's `c`, or PUCT's `c_puct` with a prior).
    pub c: f32,
    /// Maximum rollout length; a cut-off rollout scores the domain's
    /// heuristic. `None` plays to the end.
    pub depth: Option<u32>,
    /// Random rollouts averaged per evaluated leaf.
    pub rollouts: u32,
    /// Independent root-parallel trees (see the module docs).
    pub threads: usize,
    pub seed: u64,
    /// Keep the tree between calls when the new state is below the old root.
    pub reuse: bool,
    /// Leaves gathered (with virtual loss) and evaluated together per
    /// evaluator call, in each tree; 1 evaluates each leaf as it is reached.
    /// Only guided searches (an evaluator with a prior) batch.
    pub batch: u32,
}

impl Default for MctsParams {
    fn default() -> Self {
        MctsParams {
            sims: 400,
            c: std::f32::consts::SQRT_2,
            depth: None,
            rollouts: 1,
            threads: 1,
            seed: 0,
            reuse: true,
            batch: 1,
        }
    }
}

/// Why a search cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum MctsError {
    /// `sims` is 0.
    NoSimulations,
    /// The exploration constant is negative or not finite.
    Exploration { c: f32 },
    /// `rollouts` is 0.
    NoRollouts,
    /// `threads` is outside 1 to 256.
    Threads { threads: usize },
    /// The game has more actions than an action set holds.
    TooManyActions { game: String, actions: usize },
    /// The state to search from is terminal.
    Terminal,
    /// A search thread panicked.
    ThreadPanicked,
    /// The trees could grow past the memory budget.
    Memory(crate::memory::MemoryError),
    /// `batch` is outside 1 to 1024.
    Batch { batch: u32 },
}

impl fmt::Display for MctsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MctsError::NoSimulations => write!(f, "mcts: sims must be at least 1"),
            MctsError::Exploration { c } => {
                write!(f, "mcts: c must be a finite number ≥ 0, got {c}")
            }
            MctsError::NoRollouts => write!(f, "mcts: rollouts must be at least 1"),
            MctsError::Threads { threads } => {
                write!(f, "mcts: threads must be between 1 and 256, got {threads}")
            }
            MctsError::TooManyActions { game, .. } => {
                write!(f, "mcts: {game} has more than {MAX_ACTIONS} actions")
            }
            MctsError::Terminal => {
                write!(f, "mcts: the state is terminal, there is no move to search")
            }
            MctsError::ThreadPanicked => write!(f, "mcts: a search thread panicked"),
            MctsError::Memory(e) => write!(f, "mcts: {e}"),
            MctsError::Batch { batch } => {
                write!(f, "mcts: batch must be between 1 and 1024, got {batch}")
            }
        }
    }
}

impl std::error::Error for MctsError {}

impl MctsParams {
    pub fn validate(&self) -> Result<(), MctsError> {
        if self.sims == 0 {
            return Err(MctsError::NoSimulations);
        }
        if !(self.c >= 0.0 && self.c.is_finite()) {
            return Err(MctsError::Exploration { c: self.c });
        }
        if self.rollouts == 0 {
            return Err(MctsError::NoRollouts);
        }
        if !(1..=256).contains(&self.threads) {
            return Err(MctsError::Threads {
                threads: self.threads,
            });
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(MctsError::Batch { batch: self.batch });
        }
        Ok(())
    }
}

/// The most leaves one evaluator call may gather.
pub const MAX_BATCH: u32 = 1024;
