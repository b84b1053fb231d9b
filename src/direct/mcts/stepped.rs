//! A guided search its caller drives: instead of calling an evaluator, the
//! search stops at each batch of leaves (`batch` of them, one by default),
//! hands their states out, and goes on when given their priors and values.
//! A caller playing many games at once (`compose::lockstep`) gathers the
//! waiting leaves of all its searches into one network call.
//!
//! It is the guided search of [`Mcts::search_with`] cut at its evaluator
//! calls: the trees are searched one after another, each with its own
//! generator and share of the simulations, so given the answers an
//! evaluator would have given, the result is the same bit for bit.

use std::time::{Duration, Instant};

use super::{Counters, Mcts, MctsError, SearchResult};
use crate::cost::Cost;
use crate::domains::game::Game;

/// Where a driven search stands (none running until [`Mcts::begin`]).
#[derive(Default)]
pub struct Stepping {
    /// The tree being searched; past the last when the search is over.
    tree: usize,
    /// Simulations the current tree has left.
    left: u32,
    counters: Counters,
    /// Time spent in the search itself, and the shares of the network
    /// calls charged to it.
    wall: Duration,
}

impl<G: Game> Mcts<G> {
    /// Starts a search from `state` that the caller drives: answer the
    /// states [`Mcts::pending`] gives with [`Mcts::resume`] until there are
    /// none, then take the answer with [`Mcts::finish`].
    pub fn begin(&mut self, game: &G, state: &G::State) -> Result<(), MctsError> {
        let start = Instant::now();
        self.set_roots(game, state)?;
        self.step = Stepping {
            tree: 0,
            left: 0,
            counters: Counters::default(),
            wall: Duration::ZERO,
        };
        self.open_tree(game);
        self.advance(game);
        self.step.wall += start.elapsed();
        Ok(())
    }

    /// The leaves waiting for their evaluation; empty once the search is
    /// over.
    pub fn pending(&self) -> &[G::State] {
        match self.trees.get(self.step.tree) {
            Some(t) => t.pending(),
            None => &[],
        }
    }

    /// Gives the waiting leaves their priors (a row of `num_actions` each)
    /// and values (`None`: random rollouts), and searches on to the next
    /// leaves. `charged` is the wall time to count for this step — the
    /// caller's share of the network call and of the resumption, timed by
    /// the caller once for many searches (a clock read per leaf would cost
    /// a tenth of a small network's leaf).
    pub fn resume(&mut self, game: &G, priors: &[f32], values: &[Option<f32>], charged: Duration) {
        let params = self.params;
        if let Some(tree) = self.trees.get_mut(self.step.tree) {
            tree.absorb(game, &params, priors, values, &mut self.step.counters);
        }
        self.advance(game);
        self.step.wall += charged;
    }

    /// The answer of the search once nothing is pending; `flops_per_eval`
    /// prices the evaluations as `search_with` prices them.
    pub fn finish(&mut self, game: &G, flops_per_eval: u64) -> SearchResult {
        let start = Instant::now();
        let mut result = self.merge(game);
        let c = &self.step.counters;
        result.cost = Cost {
            evaluations: c.rollout_steps,
            nodes: c.sims,
            forward_passes: c.evals,
            flops: c.evals * flops_per_eval,
            wall: self.step.wall + start.elapsed(),
        };
        result
    }

    /// Readies the current tree for its share of the simulations (none
    /// when its root is terminal).
    fn open_tree(&mut self, game: &G) {
        let share = self.share(self.step.tree);
        if let Some(tree) = self.trees.get_mut(self.step.tree) {
            self.step.left = if tree.prepare(game, share) { share } else { 0 };
        }
    }

    /// Searches until leaves wait for evaluation or every tree has used
    /// its simulations (a stop request ends each tree's share early, once
    /// it has had one simulation, so that its root has children).
    fn advance(&mut self, game: &G) {
        let params = self.params;
        while self.step.tree < self.trees.len() {
            let t = self.step.tree;
            let stopped = self.step.left < self.share(t) && crate::stop::requested();
            if self.step.left > 0 && !stopped {
                let tree = &mut self.trees[t];
                let used = tree.gather(&params, self.step.left, &mut self.step.counters);
                self.step.left -= used;
                if !tree.pending().is_empty() {
                    return;
                }
                continue;
            }
            self.step.tree += 1;
            self.open_tree(game);
        }
    }
}
