//! `plan(value_iteration)`: exact dynamic programming as a solver, and the
//! agent that acts on its table.

use std::sync::Arc;

use crate::compose::discrete::{Kernels, Plays};
use crate::compose::play::{Agent, Decision};
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::cost::Cost;
use crate::direct::value_iteration::{value_iteration, ValueTable};
use crate::domains::game::Game;
use crate::params::Params;
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "value_iteration",
        doc: "Exact optimal values and policy of an MDP instance whose states can be listed (a maze's cells). The table is computed once per instance, at its first step, and charged to that step. Cost per step: evals/q counts Bellman backups (a state and one legal action, over every sweep), nodes/q the states listed (size² on a maze), both divided by the episode's steps.",
        params: Vec::new(),
        families: Families::MDP,
        warm_starts: WarmStarts::NONE,
        build,
    }
}

pub fn kernels<G: Game + 'static>(k: &mut Kernels<G>) {
    k.add::<ValueIteration>();
}

fn build(_: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(ValueIteration))
}

/// Value iteration as a solver.
#[derive(Clone, Copy, Debug)]
pub struct ValueIteration;

impl Solver for ValueIteration {
    fn algorithm(&self) -> &str {
        "value_iteration"
    }

    fn families(&self) -> Families {
        Families::MDP
    }
}

impl Plays for ValueIteration {
    fn agent<G: Game + 'static>(
        &self,
        game: &Arc<G>,
        _kernels: &Kernels<G>,
    ) -> Result<Box<dyn Agent<G>>, SolveError> {
        if game.finite_states().is_none() || game.num_players() != 1 {
            return Err(SolveError::Unsupported {
                solver: "value_iteration".into(),
                verb: "play",
                what: "a problem that does not list its states",
            });
        }
        Ok(Box::new(ValueIterationAgent::<G>::default()))
    }
}

/// Acts optimally by value iteration; the table of the current instance is
/// kept until the instance changes.
pub struct ValueIterationAgent<G: Game> {
    cached: Option<(G::State, ValueTable)>,
}

impl<G: Game> Default for ValueIterationAgent<G> {
    fn default() -> Self {
        ValueIterationAgent { cached: None }
    }
}

impl<G: Game> Agent<G> for ValueIterationAgent<G> {
    fn name(&self) -> String {
        "value_iteration".into()
    }

    fn act(&mut self, game: &G, state: &G::State, _rng: &mut Rng) -> Result<Decision, SolveError> {
        let Some(states) = game.finite_states() else {
            return Err(SolveError::Problem(format!(
                "value_iteration needs a problem that lists its states, and {} does not",
                game.name()
            )));
        };
        let mut cost = Cost::default();
        let table = match &self.cached {
            Some((s, table)) if states.same_instance(s, state) => table,
            _ => {
                let table = value_iteration(game, state).map_err(SolveError::native)?;
                cost = table.cost;
                &self.cached.insert((*state, table)).1
            }
        };
        match table.action(states, state) {
            Some(a) => Ok(Decision::new(a, cost)),
            None => Err(SolveError::Problem(
                "value_iteration agent: the goal cannot be reached from here".into(),
            )),
        }
    }

    fn reset(&mut self) {
        self.cached = None;
    }
}
