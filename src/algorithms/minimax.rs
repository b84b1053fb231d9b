//! `plan(minimax, …)`: alpha-beta minimax as a solver and as an agent.

use std::sync::Arc;

use crate::compose::discrete::{Kernels, Plays};
use crate::compose::play::{Agent, Decision};
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::minimax::{Minimax, MinimaxParams};
use crate::domains::game::Game;
use crate::params::{ParamKind, ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "minimax",
        doc: "Negamax alpha-beta with move ordering and a transposition table; exact without a depth limit (small games only). The table is kept across the moves of a game and cleared between games. Cost per move: nodes/q counts positions visited (transposition-table hits and terminal positions included), evals/q heuristic evaluations at the depth limit (0 when exact).",
        params: vec![ParamSpec::optional(
            "depth",
            ParamKind::Int,
            "plies before the heuristic scores; none: exact",
        )
        .range(1.0, 100.0)],
        families: Families::DISCRETE,
        warm_starts: WarmStarts::NONE,
        build,
    }
}

pub fn kernels<G: Game + 'static>(k: &mut Kernels<G>) {
    k.add::<MinimaxSolver>();
}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    let params = MinimaxParams {
        depth: p.opt_int("depth").map(|d| d as u32),
        ..MinimaxParams::default()
    };
    params.validate().map_err(SolveError::native)?;
    Ok(Arc::new(MinimaxSolver { params }))
}

/// Minimax with its parameters.
#[derive(Clone, Debug)]
pub struct MinimaxSolver {
    params: MinimaxParams,
}

impl Solver for MinimaxSolver {
    fn algorithm(&self) -> &str {
        "minimax"
    }

    fn families(&self) -> Families {
        Families::DISCRETE
    }
}

impl Plays for MinimaxSolver {
    /// Randomized tie-breaking, so that repeated games differ.
    fn agent<G: Game + 'static>(
        &self,
        _game: &Arc<G>,
        _kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        Ok(Box::new(MinimaxAgent::<G>::new(self.params, true)?))
    }
}

/// Alpha-beta minimax as an agent. With `randomize`, it picks uniformly
/// among all equally valued best moves (every action is searched with a
/// full window), which makes a perfect player a varied opponent. The
/// transposition table is kept across the moves of a game and cleared by
/// [`Agent::reset`], so each game costs what it would cost a fresh agent.
pub struct MinimaxAgent<G: Game> {
    searcher: Minimax<G>,
    randomize: bool,
}

impl<G: Game> MinimaxAgent<G> {
    pub fn new(params: MinimaxParams, randomize: bool) -> Result<Self, SolveError> {
        Ok(MinimaxAgent {
            searcher: Minimax::new(params).map_err(SolveError::native)?,
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

    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError> {
        if !self.randomize {
            let r = self.searcher.search(game, state).map_err(SolveError::native)?;
            return Ok(Decision::new(r.action, r.cost));
        }
        let (values, cost) = self.searcher.action_values(game, state).map_err(SolveError::native)?;
        let best = values
            .iter()
            .flatten()
            .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let ties: Vec<usize> = (0..values.len())
            .filter(|&a| values[a].is_some_and(|v| v >= best - 1e-6))
            .collect();
        match ties.len() {
            0 => Err(SolveError::Problem("minimax agent: no legal move".into())),
            n => Ok(Decision::new(ties[rng.below(n)], cost)),
        }
    }

    fn reset(&mut self) {
        self.searcher.clear();
    }
}
