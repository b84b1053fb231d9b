//! Monte Carlo tree search: UCT with random rollouts, or PUCT when an
//! [`Evaluator`] supplies a prior (and optionally a leaf value).
//!
//! Written once for every [`Game`]: two-player games back values up by
//! negamax (a child's statistics are from the point of view of the player
//! who moved into it), single-agent MDPs sum rewards (the mover never
//! changes). Both follow from the reward model of `domains::game`.
//!
//! **Memory.** Nodes live in a flat arena (`Vec<Node>`, children contiguous
//! and addressed by index), reserved before the simulations start, so the
//! hot loop never allocates. A node holds its state, so a simulation never
//! replays moves from the root. Expansion is lazy, as in classic UCT: a leaf
//! is first evaluated by a rollout and only expanded when it is visited
//! again, so the arena grows by about one node per simulation per child
//! actually explored.
//!
//! **Tree reuse.** A searcher keeps its tree between calls. When it is asked
//! about a state that is the root, a child or a grandchild of its current
//! root (our move, then the opponent's), that subtree is copied into a fresh
//! arena and becomes the root, with its statistics; otherwise it starts over.
//!
//! **Threads: root parallelism.** With `threads = N`, N independent trees
//! are searched, each with its own generator `Rng::stream(seed, t)` and its
//! share of the simulations, and their root statistics are summed in thread
//! order. It needs no locks or atomics, scales almost linearly on the small
//! trees these games build, and — unlike tree parallelism with virtual loss,
//! whose result depends on thread timing — gives the same answer for the
//! same seed and thread count. Its cost is that the trees do not share
//! what they learn below the root, which matters little at these sizes.
//! Each tree's header sits on its own cache lines (see [`Tree`]).

use std::thread;
use std::time::Instant;

use crate::cost::Cost;
use crate::domains::game::{Actions, Game, MAX_ACTIONS};
use crate::rng::Rng;

mod batched;
mod params;
mod stepped;

use batched::Batch;
pub use params::{MctsError, MctsParams, MAX_BATCH};
pub use stepped::Stepping;

/// Supplies a prior over actions (and optionally a value) for a leaf; with
/// one, the search uses PUCT. The hybrid pipelines implement it with
/// networks.
pub trait Evaluator<G: Game> {
    /// Whether this evaluator gives priors (PUCT). Only the built-in
    /// [`Rollouts`] sets it to false, which selects plain UCT.
    const PRIOR: bool = true;

    /// Writes a prior over all `game.num_actions()` actions into `priors`
    /// (only legal entries are read; they are renormalized, and a prior that
    /// sums to zero or is not finite becomes uniform). Returns the leaf value
    /// from the point of view of the player to move, or `None` to evaluate
    /// the leaf by random rollouts instead.
    fn evaluate(&mut self, game: &G, state: &G::State, priors: &mut [f32]) -> Option<f32>;

    /// Evaluates several leaves at once (`priors` holds one row of
    /// `num_actions` per state). A network overrides this to run one batched
    /// forward pass; the default loops over [`Evaluator::evaluate`].
    fn evaluate_batch(
        &mut self,
        game: &G,
        states: &[G::State],
        priors: &mut [f32],
        values: &mut [Option<f32>],
    ) {
        let n = game.num_actions();
        for ((s, p), v) in states
            .iter()
            .zip(priors.chunks_mut(n))
            .zip(values.iter_mut())
        {
            *v = self.evaluate(game, s, p);
        }
    }

    /// Floating-point operations of one evaluation, for the cost accounts.
    fn flops_per_eval(&self) -> u64 {
        0
    }
}

/// Plain UCT: no prior, leaves valued by random rollouts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rollouts;

impl<G: Game> Evaluator<G> for Rollouts {
    const PRIOR: bool = false;
    fn evaluate(&mut self, _game: &G, _state: &G::State, _priors: &mut [f32]) -> Option<f32> {
        None
    }
}

/// The answer of one search.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResult {
    /// The most visited root action (ties: higher value, then lower index).
    pub action: usize,
    /// Root visit counts normalized to sum to 1, indexed by action (0 for
    /// illegal actions): the policy target for datasets.
    pub policy: Vec<f32>,
    /// Root visit counts, indexed by action.
    pub visits: Vec<u32>,
    /// Mean value of each root action for the player to move (0 if unvisited).
    pub q: Vec<f32>,
    /// Value of the root for the player to move.
    pub value: f32,
    /// nodes = simulations, evaluations = rollout steps, forward_passes =
    /// evaluator calls.
    pub cost: Cost,
}

const EXPANDED: u8 = 1;
const TERMINAL: u8 = 2;
/// The player to move changes on the edge into this node (negamax sign).
const FLIP: u8 = 4;
/// A leaf waiting in the current batch for its evaluation.
const PENDING: u8 = 8;

#[derive(Clone, Copy, Debug)]
struct Node<S> {
    state: S,
    /// Sum of returns from the point of view of the parent's mover (the
    /// root's own point of view for the root).
    value: f32,
    prior: f32,
    /// Reward earned by the parent's mover on the edge into this node.
    reward: f32,
    visits: u32,
    first_child: u32,
    num_children: u8,
    action: u8,
    flags: u8,
}

impl<S> Node<S> {
    fn new(state: S, action: usize, reward: f32, prior: f32, flags: u8) -> Self {
        Node {
            state,
            value: 0.0,
            prior,
            reward,
            visits: 0,
            first_child: 0,
            num_children: 0,
            action: action as u8,
            flags,
        }
    }

    fn children(&self) -> std::ops::Range<usize> {
        let first = self.first_child as usize;
        first..first + usize::from(self.num_children)
    }
}

#[derive(Default)]
struct Counters {
    sims: u64,
    rollout_steps: u64,
    evals: u64,
}

/// One tree and its generator (one per thread). Aligned to 128 bytes (two
/// cache lines, the unit the adjacent-line prefetcher pulls in) so that the
/// trees' headers — arena lengths and generator state, written on every step
/// — never share a line: false sharing between adjacent trees in `Vec<Tree>`
/// cost a tenth to a third of the two-thread rate on connect four.
#[repr(align(128))]
struct Tree<S> {
    nodes: Vec<Node<S>>,
    spare: Vec<Node<S>>,
    path: Vec<u32>,
    priors: Vec<f32>,
    rng: Rng,
    batch: Batch<S>,
}

impl<S: Copy + Eq> Tree<S> {
    fn new(rng: Rng) -> Self {
        Tree {
            nodes: Vec::new(),
            spare: Vec::new(),
            path: Vec::new(),
            priors: Vec::new(),
            rng,
            batch: Batch::new(),
        }
    }

    /// Makes `state` the root, keeping its subtree when it is at most two
    /// plies below the current root.
    fn set_root<G: Game<State = S>>(&mut self, game: &G, state: &S, reuse: bool) {
        if reuse && !self.nodes.is_empty() {
            if self.nodes[0].state == *state {
                return;
            }
            let mut found = None;
            'search: for c in self.nodes[0].children() {
                if self.nodes[c].state == *state {
                    found = Some(c);
                    break;
                }
                for g in self.nodes[c].children() {
                    if self.nodes[g].state == *state {
                        found = Some(g);
                        break 'search;
                    }
                }
            }
            if let Some(k) = found {
                self.promote(k);
                return;
            }
        }
        self.nodes.clear();
        let flags = if game.is_terminal(state) { TERMINAL } else { 0 };
        self.nodes.push(Node::new(*state, 0, 0.0, 1.0, flags));
    }

    /// Copies the subtree under `k` into the spare arena (breadth first, so
    /// siblings stay contiguous) and swaps the arenas.
    fn promote(&mut self, k: usize) {
        self.spare.clear();
        self.spare.reserve(self.nodes.len());
        let mut root = self.nodes[k];
        // The old statistics are `visits·reward ± Σ v` for the old parent;
        // undo the reward and the sign to get the root's own point of view.
        let own = root.value - root.visits as f32 * root.reward;
        root.value = if root.flags & FLIP != 0 { -own } else { own };
        root.reward = 0.0;
        root.flags &= !FLIP;
        self.spare.push(root);
        let mut i = 0;
        while i < self.spare.len() {
            if self.spare[i].flags & EXPANDED != 0 {
                let old = self.spare[i].children();
                self.spare[i].first_child = self.spare.len() as u32;
                self.spare.extend_from_slice(&self.nodes[old]);
            }
            i += 1;
        }
        std::mem::swap(&mut self.nodes, &mut self.spare);
    }

    /// Runs `sims` simulations from the current root.
    fn run<G, E>(&mut self, game: &G, eval: &mut E, params: &MctsParams, sims: u32) -> Counters
    where
        G: Game<State = S>,
        E: Evaluator<G>,
    {
        let mut counters = Counters::default();
        if !self.prepare(game, sims) {
            return counters;
        }
        if E::PRIOR && params.batch > 1 {
            self.run_batched(game, eval, params, sims, &mut counters);
            return counters;
        }
        for i in 0..sims {
            if i % STOP_POLL == STOP_POLL - 1 && crate::stop::requested() {
                break;
            }
            self.simulate(game, eval, params, &mut counters);
        }
        counters
    }

    /// Readies the tree for `sims` simulations; false when the root is
    /// terminal (there is nothing to simulate).
    fn prepare<G: Game<State = S>>(&mut self, game: &G, sims: u32) -> bool {
        if self.nodes[0].flags & TERMINAL != 0 {
            return false;
        }
        // A simulation expands at most one node, so this bound is never
        // exceeded; it is capped (4M nodes) so that huge budgets do not
        // reserve memory they will not use, at the price of rare doublings.
        let bound = 1 + sims as usize * game.num_actions();
        self.nodes.reserve(bound.min(1 << 22));
        self.path.reserve(64);
        self.priors.resize(game.num_actions(), 0.0);
        true
    }

    fn simulate<G, E>(
        &mut self,
        game: &G,
        eval: &mut E,
        params: &MctsParams,
        counters: &mut Counters,
    ) where
        G: Game<State = S>,
        E: Evaluator<G>,
    {
        counters.sims += 1;
        self.path.clear();
        let mut idx = 0usize;
        self.path.push(0);
        let leaf_value = loop {
            let node = &self.nodes[idx];
            if node.flags & TERMINAL != 0 {
                break 0.0;
            }
            if node.flags & EXPANDED == 0 {
                if E::PRIOR {
                    counters.evals += 1;
                    let value = self.expand(game, idx, Some(&mut *eval));
                    break match value {
                        Some(v) if v.is_finite() => v,
                        _ => self.rollouts(game, idx, params, counters),
                    };
                }
                if node.visits == 0 && idx != 0 {
                    break self.rollouts(game, idx, params, counters);
                }
                self.expand::<G, E>(game, idx, None);
                continue;
            }
            idx = if E::PRIOR {
                self.select_puct(idx, params.c)
            } else {
                self.select_uct(idx, params.c)
            };
            self.path.push(idx as u32);
        };
        self.backup(leaf_value);
    }

    /// Creates the children of `idx` (in random order, so that ties and the
    /// order of first visits are unbiased) and returns the evaluator's value.
    fn expand<G, E>(&mut self, game: &G, idx: usize, eval: Option<&mut E>) -> Option<f32>
    where
        G: Game<State = S>,
        E: Evaluator<G>,
    {
        let state = self.nodes[idx].state;
        let legal = game.legal(&state);
        let value = match eval {
            Some(e) => {
                let v = e.evaluate(game, &state, &mut self.priors);
                normalize_priors(&mut self.priors, legal);
                v
            }
            None => None,
        };
        self.add_children(game, idx, legal, E::PRIOR);
        value
    }

    /// Creates the children of `idx`, with the priors in `self.priors` when
    /// `guided` (uniform ones otherwise), in random order, so that ties and
    /// the order of first visits are unbiased.
    fn add_children<G>(&mut self, game: &G, idx: usize, legal: Actions, guided: bool)
    where
        G: Game<State = S>,
    {
        let state = self.nodes[idx].state;
        let uniform = 1.0 / legal.len().max(1) as f32;
        let mover = game.to_move(&state);
        let first = self.nodes.len();
        for a in legal.iter() {
            let (next, reward) = game.apply(&state, a);
            let mut flags = 0;
            if game.is_terminal(&next) {
                flags |= TERMINAL;
            }
            if game.to_move(&next) != mover {
                flags |= FLIP;
            }
            let prior = if guided { self.priors[a] } else { uniform };
            self.nodes.push(Node::new(next, a, reward, prior, flags));
        }
        self.rng.shuffle(&mut self.nodes[first..]);
        let node = &mut self.nodes[idx];
        node.first_child = first as u32;
        node.num_children = legal.len() as u8;
        node.flags |= EXPANDED;
        if legal.is_empty() {
            node.flags |= TERMINAL;
        }
    }

    #[inline]
    fn select_uct(&self, idx: usize, c: f32) -> usize {
        let parent = &self.nodes[idx];
        let log_n = (parent.visits.max(1) as f32).ln();
        let mut best = parent.first_child as usize;
        let mut best_score = f32::NEG_INFINITY;
        for i in parent.children() {
            let child = &self.nodes[i];
            if child.visits == 0 {
                return i;
            }
            let n = child.visits as f32;
            let score = child.value / n + c * (log_n / n).sqrt();
            if score > best_score {
                best_score = score;
                best = i;
            }
        }
        best
    }

    #[inline]
    fn select_puct(&self, idx: usize, c: f32) -> usize {
        let parent = &self.nodes[idx];
        let sqrt_n = (parent.visits.max(1) as f32).sqrt();
        let mut best = parent.first_child as usize;
        let mut best_score = f32::NEG_INFINITY;
        for i in parent.children() {
            let child = &self.nodes[i];
            let n = child.visits as f32;
            // Unvisited children count as value 0 (first-play urgency 0).
            let q = if child.visits == 0 {
                0.0
            } else {
                child.value / n
            };
            let score = q + c * child.prior * sqrt_n / (1.0 + n);
            if score > best_score {
                best_score = score;
                best = i;
            }
        }
        best
    }

    fn rollouts<G: Game<State = S>>(
        &mut self,
        game: &G,
        idx: usize,
        params: &MctsParams,
        counters: &mut Counters,
    ) -> f32 {
        let state = self.nodes[idx].state;
        let mut total = 0.0;
        for _ in 0..params.rollouts {
            total += rollout(
                game,
                state,
                params.depth,
                &mut self.rng,
                &mut counters.rollout_steps,
            );
        }
        total / params.rollouts as f32
    }

    /// Adds the leaf value (from the leaf mover's point of view) along the path.
    fn backup(&mut self, leaf_value: f32) {
        let mut v = leaf_value;
        for &i in self.path.iter().rev() {
            let node = &mut self.nodes[i as usize];
            node.visits += 1;
            if i != 0 {
                v = node.reward + if node.flags & FLIP != 0 { -v } else { v };
            }
            node.value += v;
        }
    }
}

/// Renormalizes a prior over the legal actions; falls back to uniform.
fn normalize_priors(priors: &mut [f32], legal: Actions) {
    let sum: f32 = legal.iter().map(|a| priors[a].max(0.0)).sum();
    let uniform = 1.0 / legal.len().max(1) as f32;
    for a in legal.iter() {
        priors[a] = if sum > 0.0 && sum.is_finite() {
            priors[a].max(0.0) / sum
        } else {
            uniform
        };
    }
}

/// One uniformly random playout; the return is from the point of view of
/// the player to move in `state`.
#[inline]
fn rollout<G: Game>(
    game: &G,
    mut state: G::State,
    depth: Option<u32>,
    rng: &mut Rng,
    steps: &mut u64,
) -> f32 {
    let limit = depth.unwrap_or(u32::MAX);
    let mut ret = 0.0;
    let mut sign = 1.0;
    let mut played = 0;
    loop {
        let legal = game.legal(&state);
        if legal.is_empty() {
            break;
        }
        if played == limit {
            ret += sign * game.heuristic(&state);
            break;
        }
        let mover = game.to_move(&state);
        let (next, reward) = game.apply(&state, legal.random(rng));
        ret += sign * reward;
        if game.to_move(&next) != mover {
            sign = -sign;
        }
        state = next;
        played += 1;
    }
    *steps += u64::from(played);
    ret
}

/// Simulations between two looks at the stop flag (well under a millisecond).
const STOP_POLL: u32 = 512;

/// A searcher that keeps its trees (one per thread) between calls.
pub struct Mcts<G: Game> {
    params: MctsParams,
    trees: Vec<Tree<G::State>>,
    /// A search its caller drives (see [`Stepping`]).
    step: Stepping,
}

impl<G: Game> Mcts<G> {
    pub fn new(params: MctsParams) -> Result<Self, MctsError> {
        params.validate()?;
        let trees = (0..params.threads)
            .map(|t| Tree::new(Rng::stream(params.seed, t as u64)))
            .collect();
        Ok(Mcts {
            params,
            trees,
            step: Stepping::default(),
        })
    }

    pub fn params(&self) -> &MctsParams {
        &self.params
    }

    /// Size of one tree node in bytes (state included).
    pub fn bytes_per_node() -> usize {
        std::mem::size_of::<Node<G::State>>()
    }

    /// Nodes currently held, over all trees.
    pub fn tree_size(&self) -> usize {
        self.trees.iter().map(|t| t.nodes.len()).sum()
    }

    /// Forgets the trees (the generators continue their streams).
    pub fn reset(&mut self) {
        for t in &mut self.trees {
            t.nodes.clear();
        }
    }

    /// Forgets the trees and starts game `index`'s generators: tree `t`
    /// draws from stream `t` of a seed derived from the searcher's seed and
    /// `index`, so a game's searches depend on the seed and the game alone,
    /// never on the games played before it with this searcher.
    pub fn start_game(&mut self, index: u64) {
        let seed = Rng::stream(self.params.seed, index).next_u64();
        for (t, tree) in self.trees.iter_mut().enumerate() {
            tree.nodes.clear();
            tree.rng = Rng::stream(seed, t as u64);
        }
    }

    /// UCT search with random rollouts.
    pub fn search(&mut self, game: &G, state: &G::State) -> Result<SearchResult, MctsError> {
        self.search_with(game, state, &mut Rollouts)
    }

    /// PUCT search guided by `eval` (each thread but the first works with a
    /// clone of it).
    pub fn search_with<E>(
        &mut self,
        game: &G,
        state: &G::State,
        eval: &mut E,
    ) -> Result<SearchResult, MctsError>
    where
        E: Evaluator<G> + Clone + Send,
    {
        let start = Instant::now();
        self.set_roots(game, state)?;
        let params = self.params;
        let (sims, threads) = (params.sims, self.trees.len() as u32);
        let share = move |t: u32| sims / threads + u32::from(t < sims % threads);
        // Tree 0 runs on the calling thread with the caller's evaluator; the
        // others get a scoped thread and a clone each.
        let (first, others) = self.trees.split_at_mut(1);
        let counters: Vec<Counters> = thread::scope(|scope| {
            let handles: Vec<_> = others
                .iter_mut()
                .enumerate()
                .map(|(i, tree)| {
                    let mut local = eval.clone();
                    let sims = share(i as u32 + 1);
                    scope.spawn(move || tree.run(game, &mut local, &params, sims))
                })
                .collect();
            let mut all = vec![first[0].run(game, &mut *eval, &params, share(0))];
            for h in handles {
                let counters = h.join().map_err(|_| MctsError::ThreadPanicked)?;
                all.push(counters);
            }
            Ok::<_, MctsError>(all)
        })?;
        let mut result = self.merge(game);
        let evals: u64 = counters.iter().map(|c| c.evals).sum();
        result.cost = Cost {
            evaluations: counters.iter().map(|c| c.rollout_steps).sum(),
            nodes: counters.iter().map(|c| c.sims).sum(),
            forward_passes: evals,
            flops: evals * eval.flops_per_eval(),
            wall: start.elapsed(),
        };
        Ok(result)
    }

    /// Checks that a search can start from `state` and makes it every
    /// tree's root.
    fn set_roots(&mut self, game: &G, state: &G::State) -> Result<(), MctsError> {
        if game.num_actions() > MAX_ACTIONS {
            return Err(MctsError::TooManyActions {
                game: game.name(),
                actions: game.num_actions(),
            });
        }
        if game.legal(state).is_empty() {
            return Err(MctsError::Terminal);
        }
        self.check_memory(game)?;
        for tree in &mut self.trees {
            tree.set_root(game, state, self.params.reuse);
        }
        Ok(())
    }

    /// Tree `t`'s share of the simulations (as `search_with` splits them).
    fn share(&self, t: usize) -> u32 {
        let (sims, threads) = (self.params.sims, self.trees.len() as u32);
        sims / threads + u32::from((t as u32) < sims % threads)
    }

    /// The most bytes the trees can hold during one search from scratch
    /// (each simulation expands at most one node; a kept subtree is
    /// copied once): what [`Mcts::check_memory`] checks, for callers that
    /// hold many searchers at once.
    pub fn search_bytes(&self, game: &G) -> u64 {
        let grown = u64::from(self.params.sims).saturating_mul(game.num_actions() as u64);
        grown
            .saturating_mul(3)
            .saturating_add(self.trees.len() as u64)
            .saturating_mul(Self::bytes_per_node() as u64)
    }

    /// Errs when the trees could outgrow the memory budget in this search:
    /// each simulation expands at most one node (adding a child per
    /// action), and a kept subtree is copied once when it becomes the root.
    fn check_memory(&self, game: &G) -> Result<(), MctsError> {
        let kept = self.tree_size() as u64;
        let grown = u64::from(self.params.sims).saturating_mul(game.num_actions() as u64);
        let nodes = kept
            .saturating_mul(2)
            .saturating_add(grown)
            .saturating_add(self.trees.len() as u64);
        crate::memory::check(
            format!(
                "the search trees of {} simulations on {}",
                self.params.sims,
                game.name()
            ),
            "sims",
            crate::memory::times(nodes, Self::bytes_per_node() as u64),
        )
        .map_err(MctsError::Memory)
    }

    /// Sums the root statistics of all trees, in thread order.
    fn merge(&self, game: &G) -> SearchResult {
        let n = game.num_actions();
        let mut visits = vec![0u32; n];
        let mut sums = vec![0.0f32; n];
        let (mut root_value, mut root_visits) = (0.0f32, 0u32);
        for tree in &self.trees {
            let root = &tree.nodes[0];
            root_value += root.value;
            root_visits += root.visits;
            for child in &tree.nodes[root.children()] {
                visits[usize::from(child.action)] += child.visits;
                sums[usize::from(child.action)] += child.value;
            }
        }
        let q: Vec<f32> = (0..n)
            .map(|a| {
                if visits[a] > 0 {
                    sums[a] / visits[a] as f32
                } else {
                    0.0
                }
            })
            .collect();
        let total: u32 = visits.iter().sum();
        let policy = visits
            .iter()
            .map(|&v| v as f32 / total.max(1) as f32)
            .collect();
        let action = (0..n)
            .filter(|&a| visits[a] > 0)
            .max_by(|&a, &b| {
                visits[a]
                    .cmp(&visits[b])
                    .then(q[a].total_cmp(&q[b]))
                    .then(b.cmp(&a))
            })
            .unwrap_or(0);
        SearchResult {
            action,
            policy,
            visits,
            q,
            value: root_value / root_visits.max(1) as f32,
            cost: Cost::default(),
        }
    }
}

/// One search from `state` with a fresh tree.
pub fn mcts<G: Game>(
    game: &G,
    state: &G::State,
    params: &MctsParams,
) -> Result<SearchResult, MctsError> {
    Mcts::new(*params)?.search(game, state)
}
