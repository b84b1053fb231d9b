//! Several leaves per network call within one search (`batch` > 1): each
//! descent adds a virtual loss along its path, so that the next one looks
//! elsewhere, and the batch's leaves are evaluated together.

use super::{
    normalize_priors, Counters, Evaluator, MctsParams, Tree, EXPANDED, PENDING, STOP_POLL, TERMINAL,
};
use crate::domains::game::Game;

/// Where a descent under virtual loss ended.
pub(super) enum Descent {
    Terminal,
    Leaf(usize),
    Collision,
}

/// The leaves of one batch, waiting for their evaluation: their paths from
/// the root (`paths[ends[k-1]..ends[k]]`, the leaf last), states, and the
/// virtual losses on the way to them (a pending visit counts as a loss for
/// the mover who chose it, so that the next descent looks elsewhere).
pub(super) struct Batch<S> {
    paths: Vec<u32>,
    ends: Vec<usize>,
    states: Vec<S>,
    priors: Vec<f32>,
    values: Vec<Option<f32>>,
    /// Pending visits per node (indexed like the arena; zero between batches).
    virtual_visits: Vec<u32>,
}

impl<S> Batch<S> {
    pub(super) fn new() -> Self {
        Batch {
            paths: Vec::new(),
            ends: Vec::new(),
            states: Vec::new(),
            priors: Vec::new(),
            values: Vec::new(),
            virtual_visits: Vec::new(),
        }
    }
}

impl<S: Copy + Eq> Tree<S> {
    /// Simulations in batches of up to `params.batch` leaves: each descent
    /// adds a virtual loss along its path, the leaves are evaluated in one
    /// `evaluate_batch` call, then expanded and backed up in the order they
    /// were reached. A descent that ends on a terminal node backs up at
    /// once; one that reaches a leaf already in the batch ends the batch
    /// early (it is not counted, and is tried again in the next batch).
    pub(super) fn run_batched<G, E>(
        &mut self,
        game: &G,
        eval: &mut E,
        params: &MctsParams,
        sims: u32,
        counters: &mut Counters,
    ) where
        G: Game<State = S>,
        E: Evaluator<G>,
    {
        let mut done = 0u32;
        let mut polled = 0u32;
        while done < sims {
            if done / STOP_POLL != polled {
                polled = done / STOP_POLL;
                if crate::stop::requested() {
                    break;
                }
            }
            done += self.gather(params, sims - done, counters);
            let k = self.batch.ends.len();
            if k == 0 {
                continue;
            }
            let n = game.num_actions();
            self.batch.priors.resize(k * n, 0.0);
            self.batch.values.clear();
            self.batch.values.resize(k, None);
            eval.evaluate_batch(
                game,
                &self.batch.states,
                &mut self.batch.priors,
                &mut self.batch.values,
            );
            let (priors, values) = (
                std::mem::take(&mut self.batch.priors),
                std::mem::take(&mut self.batch.values),
            );
            self.absorb(game, params, &priors, &values, counters);
            self.batch.priors = priors;
            self.batch.values = values;
        }
    }

    /// Gathers the next batch: descents under virtual loss until
    /// `params.batch` leaves wait in `self.batch` (their states in
    /// `pending`), `left` simulations are used up, or a descent collides
    /// with a waiting leaf. Descents that end on a terminal node back up at
    /// once. Returns the simulations used (terminal descents and leaves).
    pub(super) fn gather(
        &mut self,
        params: &MctsParams,
        left: u32,
        counters: &mut Counters,
    ) -> u32 {
        let want = params.batch.min(left);
        self.batch.paths.clear();
        self.batch.ends.clear();
        self.batch.states.clear();
        let mut done = 0u32;
        while (self.batch.ends.len() as u32) < want && done < left {
            match self.descend_virtual(params.c) {
                Descent::Terminal => {
                    counters.sims += 1;
                    done += 1;
                    self.backup(0.0);
                }
                Descent::Leaf(idx) => {
                    self.batch.states.push(self.nodes[idx].state);
                    self.batch.ends.push(self.batch.paths.len());
                    done += 1;
                }
                Descent::Collision => break,
            }
        }
        done
    }

    /// The states of the leaves waiting for their evaluation.
    pub(super) fn pending(&self) -> &[S] {
        &self.batch.states
    }

    /// Expands and backs up the waiting leaves with their evaluations
    /// (`priors`: a row of `num_actions` per leaf; a value of `None`, or
    /// one not finite, is replaced by rollouts), in the order they were
    /// reached, after lifting every virtual loss.
    pub(super) fn absorb<G>(
        &mut self,
        game: &G,
        params: &MctsParams,
        priors: &[f32],
        values: &[Option<f32>],
        counters: &mut Counters,
    ) where
        G: Game<State = S>,
    {
        let n = game.num_actions();
        let k = self.batch.ends.len();
        counters.evals += k as u64;
        for &i in &self.batch.paths {
            self.batch.virtual_visits[i as usize] = 0;
        }
        for j in 0..k {
            counters.sims += 1;
            let start = if j == 0 { 0 } else { self.batch.ends[j - 1] };
            let end = self.batch.ends[j];
            let idx = self.batch.paths[end - 1] as usize;
            self.nodes[idx].flags &= !PENDING;
            self.priors.copy_from_slice(&priors[j * n..(j + 1) * n]);
            let legal = game.legal(&self.nodes[idx].state);
            normalize_priors(&mut self.priors, legal);
            self.add_children(game, idx, legal, true);
            let value = match values[j] {
                Some(v) if v.is_finite() => v,
                _ => self.rollouts(game, idx, params, counters),
            };
            self.path.clear();
            self.path.extend_from_slice(&self.batch.paths[start..end]);
            self.backup(value);
        }
        self.batch.paths.clear();
        self.batch.ends.clear();
        self.batch.states.clear();
    }

    /// One descent under virtual loss: to a terminal node (its path left in
    /// `self.path`), or to an unexpanded leaf (its path appended to the
    /// batch, with a virtual visit on every node of it), or onto a leaf
    /// already pending.
    pub(super) fn descend_virtual(&mut self, c: f32) -> Descent {
        self.path.clear();
        self.path.push(0);
        let mut idx = 0usize;
        loop {
            let node = &self.nodes[idx];
            if node.flags & TERMINAL != 0 {
                return Descent::Terminal;
            }
            if node.flags & EXPANDED == 0 {
                if node.flags & PENDING != 0 {
                    return Descent::Collision;
                }
                break;
            }
            idx = self.select_puct_virtual(idx, c);
            self.path.push(idx as u32);
        }
        self.nodes[idx].flags |= PENDING;
        if self.batch.virtual_visits.len() < self.nodes.len() {
            self.batch.virtual_visits.resize(self.nodes.len(), 0);
        }
        for &i in &self.path {
            self.batch.virtual_visits[i as usize] += 1;
        }
        self.batch.paths.extend_from_slice(&self.path);
        Descent::Leaf(idx)
    }

    /// PUCT selection counting each pending visit as a loss.
    pub(super) fn select_puct_virtual(&self, idx: usize, c: f32) -> usize {
        let vv = |i: usize| self.batch.virtual_visits.get(i).copied().unwrap_or(0);
        let parent = &self.nodes[idx];
        let sqrt_n = ((parent.visits + vv(idx)).max(1) as f32).sqrt();
        let mut best = parent.first_child as usize;
        let mut best_score = f32::NEG_INFINITY;
        for i in parent.children() {
            let child = &self.nodes[i];
            let pending = vv(i);
            let visits = child.visits + pending;
            let n = visits as f32;
            let q = if visits == 0 {
                0.0
            } else {
                (child.value - pending as f32) / n
            };
            let score = q + c * child.prior * sqrt_n / (1.0 + n);
            if score > best_score {
                best_score = score;
                best = i;
            }
        }
        best
    }
}
