//! `plan(mcts, …)`: Monte Carlo tree search as a solver — its descriptor,
//! its agent, and network-guided search (PUCT with a policy prior and a
//! value network in place of rollouts), which is MCTS's own warm start.

use std::sync::Arc;
use std::time::Duration;

use crate::compose::discrete::{Kernels, Plays};
use crate::amortized::infer::{Ensemble, Rounding, Scratch};
use crate::compose::model::Amortized;
use crate::compose::play::{Agent, Decision, Stepper};
use crate::compose::{
    AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStart, WarmStarts,
};
use crate::direct::mcts::{Evaluator, Mcts, MctsParams, Rollouts, SearchResult};
use crate::domains::game::Game;
use crate::params::{ParamKind, ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "mcts",
        doc: "Monte Carlo tree search: UCT with random rollouts (PUCT when given a prior), tree reuse between moves, root-parallel threads. Cost per move (per step on an MDP): nodes/q counts simulations (`sims`, summed over threads; visits kept in a reused subtree are not counted again), evals/q the steps played in random rollouts, fwd/q the calls of a prior or value network.",
        params: vec![
            ParamSpec::int("sims", 400, "simulations per move").range(1.0, 1e9),
            ParamSpec::num("c", std::f64::consts::SQRT_2, "exploration constant")
                .range(0.0, 100.0),
            ParamSpec::optional(
                "depth",
                ParamKind::Int,
                "longest rollout (then the heuristic scores it); none: to the end",
            )
            .range(1.0, 10_000.0),
            ParamSpec::int("rollouts", 1, "random rollouts per evaluated leaf").range(1.0, 1000.0),
            ParamSpec::optional(
                "threads",
                ParamKind::Int,
                "root-parallel trees; none: the run's --threads (1 where games are already spread over them)",
            )
            .range(1.0, 256.0),
            ParamSpec::boolean("reuse", true, "keep the subtree of the played move"),
            ParamSpec::int(
                "batch",
                1,
                "leaves per network call in a guided search (virtual loss); 1: each leaf as it is reached",
            )
            .range(1.0, crate::direct::mcts::MAX_BATCH as f64),
        ],
        families: Families::DISCRETE,
        warm_starts: WarmStarts::ACTION_PRIOR.union(WarmStarts::VALUE),
        build,
    }
}

pub fn kernels<G: Game + 'static>(k: &mut Kernels<G>) {
    k.add::<MctsSolver>();
}

fn build(p: &Params, cx: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    let params = MctsParams {
        sims: p.int("sims") as u32,
        c: p.num("c") as f32,
        depth: p.opt_int("depth").map(|d| d as u32),
        rollouts: p.int("rollouts") as u32,
        threads: p.opt_usize("threads").unwrap_or(cx.threads),
        seed: cx.seed,
        reuse: p.bool("reuse"),
        batch: p.int("batch") as u32,
    };
    params.validate().map_err(SolveError::native)?;
    Ok(Arc::new(MctsSolver {
        params,
        run_threads: p.opt_usize("threads").is_none(),
        guide: None,
    }))
}

/// The networks guiding a search: a policy prior (uniform when `None`) and
/// a value network in place of rollouts (rollouts when `None`).
#[derive(Clone, Debug, Default)]
struct Guide {
    prior: Option<Arc<Amortized>>,
    value: Option<Arc<Amortized>>,
}

/// MCTS with its parameters; with a guide, PUCT.
#[derive(Clone, Debug)]
pub struct MctsSolver {
    params: MctsParams,
    /// `threads` was not given: the run's `--threads`, except in one of
    /// several game workers, where a search runs on its worker's thread
    /// alone (`compose::parallel::in_a_game_worker`).
    run_threads: bool,
    guide: Option<Guide>,
}

impl MctsSolver {
    /// The parameters an agent made on this thread searches with.
    fn agent_params(&self) -> MctsParams {
        let mut params = self.params;
        if self.run_threads && crate::compose::parallel::in_a_game_worker() {
            params.threads = 1;
        }
        params
    }
}

impl Solver for MctsSolver {
    fn algorithm(&self) -> &str {
        "mcts"
    }

    fn families(&self) -> Families {
        Families::DISCRETE
    }

    fn accepts(&self) -> WarmStarts {
        WarmStarts::ACTION_PRIOR.union(WarmStarts::VALUE)
    }

    fn warm(&self, with: &WarmStart) -> Result<Arc<dyn Solver>, SolveError> {
        let mut guide = self.guide.clone().unwrap_or_default();
        match with {
            WarmStart::Prior(prior) => guide.prior = prior.clone(),
            WarmStart::Value(value) => guide.value = Some(value.clone()),
        }
        Ok(Arc::new(MctsSolver {
            params: self.params,
            run_threads: self.run_threads,
            guide: Some(guide),
        }))
    }

    fn model(&self) -> Option<&Amortized> {
        let g = self.guide.as_ref()?;
        g.prior.as_deref().or(g.value.as_deref())
    }
}

impl Plays for MctsSolver {
    fn agent<G: Game + 'static>(
        &self,
        _game: &Arc<G>,
        _kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        Ok(match &self.guide {
            None => Box::new(MctsAgent::<G>::new(self.agent_params())?),
            Some(g) => {
                let eval = NetEvaluator::new(g.prior.clone(), g.value.clone());
                Box::new(GuidedAgent {
                    inner: MctsAgent::<G, NetEvaluator>::with_evaluator(
                        self.agent_params(),
                        eval.clone(),
                    )?,
                    eval,
                })
            }
        })
    }
}

/// MCTS as an agent (UCT by default, PUCT with an evaluator); the tree is
/// reused across the moves of a game when `params.reuse` is on. Its
/// decisions carry the root's visit distribution.
pub struct MctsAgent<G: Game, E = Rollouts> {
    searcher: Mcts<G>,
    evaluator: E,
    last: Option<SearchResult>,
}

impl<G: Game> MctsAgent<G, Rollouts> {
    pub fn new(params: MctsParams) -> Result<Self, SolveError> {
        MctsAgent::with_evaluator(params, Rollouts)
    }
}

impl<G: Game, E: Evaluator<G> + Clone + Send> MctsAgent<G, E> {
    pub fn with_evaluator(params: MctsParams, evaluator: E) -> Result<Self, SolveError> {
        Ok(MctsAgent {
            searcher: Mcts::new(params).map_err(SolveError::native)?,
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
        if E::PRIOR && p.batch > 1 {
            format!("{kind}(sims={}, batch={})", p.sims, p.batch)
        } else {
            format!("{kind}(sims={})", p.sims)
        }
    }

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<Decision, SolveError> {
        let result = self
            .searcher
            .search_with(game, state, &mut self.evaluator).map_err(SolveError::native)?;
        let decision = Decision {
            action: result.action,
            cost: result.cost,
            policy: Some(result.policy.clone()),
        };
        self.last = Some(result);
        Ok(decision)
    }

    fn reset(&mut self) {
        self.searcher.reset();
        self.last = None;
    }

    fn start_game(&mut self, index: u64) {
        self.searcher.start_game(index);
        self.last = None;
    }
}

/// Networks evaluating MCTS leaves: priors from a policy network, values
/// from a value network (rollouts where there is none). Both answer through
/// the hand-written inference path (`amortized::infer`) in one call per
/// leaf, with buffers reused from leaf to leaf.
#[derive(Clone)]
pub struct NetEvaluator {
    prior: Option<Arc<Amortized>>,
    value: Option<Arc<Amortized>>,
    fast_prior: Option<Arc<Ensemble>>,
    fast_value: Option<Arc<Ensemble>>,
    scratch: Scratch,
    features: Vec<f32>,
    mask: Vec<bool>,
    batch_features: Vec<f32>,
    batch_values: Vec<f32>,
}

impl NetEvaluator {
    pub fn new(prior: Option<Arc<Amortized>>, value: Option<Arc<Amortized>>) -> Self {
        let fast = |m: &Option<Arc<Amortized>>| {
            m.as_ref()
                .and_then(|m| Ensemble::new(&m.members))
                .map(Arc::new)
        };
        NetEvaluator {
            fast_prior: fast(&prior),
            fast_value: fast(&value),
            prior,
            value,
            scratch: Scratch::default(),
            features: Vec::new(),
            mask: Vec::new(),
            batch_features: Vec::new(),
            batch_values: Vec::new(),
        }
    }

    /// Checks the networks against the game before any search runs (a
    /// mismatch inside the search could only be ignored).
    pub fn check<G: Game>(&self, game: &G) -> Result<(), SolveError> {
        let family = crate::compose::model::game_family(game);
        if let Some(p) = &self.prior {
            if p.target() != crate::amortized::TargetKind::Policy {
                return Err(SolveError::Problem(format!(
                    "the prior must be a policy network; this is {}",
                    p.describe()
                )));
            }
            p.check_widths(
                &game.name(),
                family,
                game.feature_dim(),
                game.num_actions(),
                "actions",
            )?;
        }
        if let Some(v) = &self.value {
            if v.target() != crate::amortized::TargetKind::Value {
                return Err(SolveError::Problem(format!(
                    "`value` needs a value network; this is {}",
                    v.describe()
                )));
            }
            v.check_widths(&game.name(), family, game.feature_dim(), 1, "value")?;
        }
        Ok(())
    }
}

impl<G: Game> Evaluator<G> for NetEvaluator {
    fn evaluate(&mut self, game: &G, state: &G::State, priors: &mut [f32]) -> Option<f32> {
        self.features.resize(game.feature_dim(), 0.0);
        if game.encode(state, &mut self.features).is_err() {
            return None;
        }
        // Widths were checked against the game (`check`) before the search;
        // a mismatch here falls back to uniform priors and rollouts.
        match &self.fast_prior {
            Some(p) if p.input() == self.features.len() && p.output() == priors.len() => {
                let legal = game.legal(state);
                self.mask.clear();
                self.mask
                    .extend((0..game.num_actions()).map(|a| legal.contains(a)));
                p.answer_into(&self.features, Some(&self.mask), &mut self.scratch, priors);
            }
            _ => priors.fill(1.0),
        }
        let v = self.fast_value.as_ref()?;
        if v.input() != self.features.len() || v.output() != 1 {
            return None;
        }
        let mut y = [0.0f32];
        v.answer_into(&self.features, None, &mut self.scratch, &mut y);
        Some(y[0].clamp(-1.0, 1.0))
    }

    /// All leaves of a batch in one call per network (rows four at a time
    /// through the weights), each answer bit for bit what `evaluate` gives.
    fn evaluate_batch(
        &mut self,
        game: &G,
        states: &[G::State],
        priors: &mut [f32],
        values: &mut [Option<f32>],
    ) {
        let (f, n, k) = (game.feature_dim(), game.num_actions(), states.len());
        let fits = |m: &Option<Arc<Ensemble>>, out: usize| {
            m.as_ref().is_some_and(|m| m.input() == f && m.output() == out)
        };
        self.batch_features.resize(k * f, 0.0);
        let encoded = states
            .iter()
            .zip(self.batch_features.chunks_mut(f))
            .all(|(s, x)| game.encode(s, x).is_ok());
        if !encoded {
            for ((s, p), v) in states.iter().zip(priors.chunks_mut(n)).zip(values.iter_mut()) {
                *v = self.evaluate(game, s, p);
            }
            return;
        }
        match &self.fast_prior {
            Some(p) if fits(&self.fast_prior, n) => {
                self.mask.clear();
                for s in states {
                    let legal = game.legal(s);
                    self.mask.extend((0..n).map(|a| legal.contains(a)));
                }
                p.answer_rows(
                    &self.batch_features,
                    Some(&self.mask),
                    k,
                    &mut self.scratch,
                    &mut priors[..k * n],
                    Rounding::Separate,
                );
            }
            _ => priors.fill(1.0),
        }
        match &self.fast_value {
            Some(v) if fits(&self.fast_value, 1) => {
                self.batch_values.resize(k, 0.0);
                v.answer_rows(
                    &self.batch_features,
                    None,
                    k,
                    &mut self.scratch,
                    &mut self.batch_values,
                    Rounding::Separate,
                );
                for (out, y) in values.iter_mut().zip(&self.batch_values) {
                    *out = Some(y.clamp(-1.0, 1.0));
                }
            }
            _ => values.fill(None),
        }
    }

    fn flops_per_eval(&self) -> u64 {
        let flops = |m: &Option<Arc<Amortized>>| m.as_ref().map_or(0, |m| m.forward_flops());
        flops(&self.prior) + flops(&self.value)
    }
}

/// Network-guided MCTS as an agent: the networks are checked against the
/// game before every search.
struct GuidedAgent<G: Game> {
    inner: MctsAgent<G, NetEvaluator>,
    eval: NetEvaluator,
}

impl<G: Game> Agent<G> for GuidedAgent<G> {
    fn name(&self) -> String {
        "mcts (guided)".into()
    }

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError> {
        self.eval.check(game)?;
        self.inner.act(game, state, rng)
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn start_game(&mut self, index: u64) {
        self.inner.start_game(index);
    }

    fn stepper(&mut self) -> Option<&mut dyn Stepper<G>> {
        Some(self)
    }
}

/// Network-guided MCTS driven a batch of leaves at a time, so that lockstep
/// play answers the leaves of many games' searches in one network call
/// (`compose::lockstep`); it decides exactly as `act` does.
impl<G: Game> Stepper<G> for GuidedAgent<G> {
    fn begin(&mut self, game: &G, state: &G::State) -> Result<(), SolveError> {
        self.eval.check(game)?;
        self.inner.searcher.begin(game, state).map_err(SolveError::native)
    }

    fn pending(&self) -> &[G::State] {
        self.inner.searcher.pending()
    }

    fn supply(&mut self, game: &G, priors: &[f32], values: &[Option<f32>], charged: Duration) {
        self.inner.searcher.resume(game, priors, values, charged);
    }

    fn decision(&mut self, game: &G) -> Result<Decision, SolveError> {
        let flops = <NetEvaluator as Evaluator<G>>::flops_per_eval(&self.eval);
        let result = self.inner.searcher.finish(game, flops);
        let decision = Decision {
            action: result.action,
            cost: result.cost,
            policy: Some(result.policy.clone()),
        };
        self.inner.last = Some(result);
        Ok(decision)
    }

    fn answer(
        &mut self,
        game: &G,
        states: &[G::State],
        priors: &mut [f32],
        values: &mut [Option<f32>],
    ) {
        self.eval.evaluate_batch(game, states, priors, values);
    }

    fn decision_bytes(&self, game: &G) -> u64 {
        self.inner.searcher.search_bytes(game)
    }
}
