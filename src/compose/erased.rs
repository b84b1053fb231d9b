//! Any game, seen without its state type: how a solver registered from
//! outside the crate plays every discrete problem.
//!
//! The crate monomorphizes its own solvers per game (`discrete::Kernels`);
//! a solver written elsewhere cannot be, since neither side knows the
//! other when the code is compiled. Such a solver writes its agent against
//! the plain [`Game`] trait and is instantiated once, with
//! `G = ErasedGame`: a game whose states are handles ([`StateId`]) into a
//! table of the real states, interned so that equal states get equal
//! handles. Each call goes through a vtable and a lock, which is fine for
//! an agent that looks a move or two ahead and not for a tree search —
//! those belong in the crate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::play::{Agent, Decision};
use super::solver::SolveError;
use crate::domains::game::{Actions, EncodeError, Game};
use crate::rng::Rng;

/// A state of an [`ErasedGame`]: a handle valid while the game that made
/// it is alive and not cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct StateId(u32);

/// The game operations behind an [`ErasedGame`], on handles.
trait Ops: Send + Sync {
    fn name(&self) -> String;
    fn num_actions(&self) -> usize;
    fn num_players(&self) -> usize;
    fn to_move(&self, s: StateId) -> usize;
    fn legal(&self, s: StateId) -> Actions;
    fn apply(&self, s: StateId, action: usize) -> (StateId, f32);
    fn is_terminal(&self, s: StateId) -> bool;
    fn heuristic(&self, s: StateId) -> f32;
    fn action_priority(&self, action: usize) -> i32;
    fn feature_dim(&self) -> usize;
    fn encode(&self, s: StateId, out: &mut [f32]) -> Result<(), EncodeError>;
    fn sample_instance(&self, rng: &mut Rng) -> StateId;
    fn optimal_value(&self, s: StateId) -> Option<f32>;
    fn reached_goal(&self, s: StateId) -> bool;
    fn render(&self, s: StateId) -> String;
}

/// A game whose states are interned handles (see the module docs).
#[derive(Clone)]
pub struct ErasedGame {
    ops: Arc<dyn Ops>,
}

impl Game for ErasedGame {
    type State = StateId;

    fn name(&self) -> String {
        self.ops.name()
    }
    fn num_actions(&self) -> usize {
        self.ops.num_actions()
    }
    fn num_players(&self) -> usize {
        self.ops.num_players()
    }
    fn to_move(&self, s: &StateId) -> usize {
        self.ops.to_move(*s)
    }
    fn legal(&self, s: &StateId) -> Actions {
        self.ops.legal(*s)
    }
    fn apply(&self, s: &StateId, action: usize) -> (StateId, f32) {
        self.ops.apply(*s, action)
    }
    fn is_terminal(&self, s: &StateId) -> bool {
        self.ops.is_terminal(*s)
    }
    fn heuristic(&self, s: &StateId) -> f32 {
        self.ops.heuristic(*s)
    }
    fn action_priority(&self, action: usize) -> i32 {
        self.ops.action_priority(action)
    }
    fn feature_dim(&self) -> usize {
        self.ops.feature_dim()
    }
    fn encode(&self, s: &StateId, out: &mut [f32]) -> Result<(), EncodeError> {
        self.ops.encode(*s, out)
    }
    fn sample_instance(&self, rng: &mut Rng) -> StateId {
        self.ops.sample_instance(rng)
    }
    fn optimal_value(&self, s: &StateId) -> Option<f32> {
        self.ops.optimal_value(*s)
    }
    fn reached_goal(&self, s: &StateId) -> bool {
        self.ops.reached_goal(*s)
    }
    fn render(&self, s: &StateId) -> String {
        self.ops.render(*s)
    }
}

/// The states of one game, each stored once.
struct Table<S> {
    states: Vec<S>,
    ids: HashMap<S, StateId>,
}

/// A game of type `G` behind handles.
struct Interned<G: Game> {
    game: Arc<G>,
    table: Mutex<Table<G::State>>,
}

impl<G: Game> Interned<G> {
    fn intern(&self, s: G::State) -> StateId {
        let mut t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = t.ids.get(&s) {
            return *id;
        }
        let id = StateId(t.states.len() as u32);
        t.states.push(s);
        t.ids.insert(s, id);
        id
    }

    fn state(&self, id: StateId) -> G::State {
        let t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        t.states[id.0 as usize]
    }

    fn clear(&self) {
        let mut t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        t.states.clear();
        t.ids.clear();
    }
}

impl<G: Game> Ops for Interned<G> {
    fn name(&self) -> String {
        self.game.name()
    }
    fn num_actions(&self) -> usize {
        self.game.num_actions()
    }
    fn num_players(&self) -> usize {
        self.game.num_players()
    }
    fn to_move(&self, s: StateId) -> usize {
        self.game.to_move(&self.state(s))
    }
    fn legal(&self, s: StateId) -> Actions {
        self.game.legal(&self.state(s))
    }
    fn apply(&self, s: StateId, action: usize) -> (StateId, f32) {
        let (next, reward) = self.game.apply(&self.state(s), action);
        (self.intern(next), reward)
    }
    fn is_terminal(&self, s: StateId) -> bool {
        self.game.is_terminal(&self.state(s))
    }
    fn heuristic(&self, s: StateId) -> f32 {
        self.game.heuristic(&self.state(s))
    }
    fn action_priority(&self, action: usize) -> i32 {
        self.game.action_priority(action)
    }
    fn feature_dim(&self) -> usize {
        self.game.feature_dim()
    }
    fn encode(&self, s: StateId, out: &mut [f32]) -> Result<(), EncodeError> {
        self.game.encode(&self.state(s), out)
    }
    fn sample_instance(&self, rng: &mut Rng) -> StateId {
        let s = self.game.sample_instance(rng);
        self.intern(s)
    }
    fn optimal_value(&self, s: StateId) -> Option<f32> {
        self.game.optimal_value(&self.state(s))
    }
    fn reached_goal(&self, s: StateId) -> bool {
        self.game.reached_goal(&self.state(s))
    }
    fn render(&self, s: StateId) -> String {
        self.game.render(&self.state(s))
    }
}

/// An agent written for [`ErasedGame`] playing a game of type `G`: each
/// state is interned before the agent sees it. The table is cleared
/// between games, so it holds one game's states at most.
pub struct Unerased<G: Game + 'static> {
    interned: Arc<Interned<G>>,
    view: ErasedGame,
    inner: Option<Box<dyn Agent<ErasedGame>>>,
}

impl<G: Game + 'static> Unerased<G> {
    /// The erased view of `game`, before an agent is attached.
    pub fn new(game: Arc<G>) -> Self {
        let interned = Arc::new(Interned {
            game,
            table: Mutex::new(Table {
                states: Vec::new(),
                ids: HashMap::new(),
            }),
        });
        let view = ErasedGame {
            ops: interned.clone(),
        };
        Unerased {
            interned,
            view,
            inner: None,
        }
    }

    /// The game the agent will be made for.
    pub fn view(&self) -> &ErasedGame {
        &self.view
    }

    /// Attaches the agent made for [`Unerased::view`].
    pub fn with(mut self, agent: Box<dyn Agent<ErasedGame>>) -> Self {
        self.inner = Some(agent);
        self
    }
}

impl<G: Game + 'static> Agent<G> for Unerased<G> {
    fn name(&self) -> String {
        self.inner.as_ref().map_or_else(String::new, |a| a.name())
    }

    fn act(&mut self, _game: &G, state: &G::State, rng: &mut Rng) -> Result<Decision, SolveError> {
        let id = self.interned.intern(*state);
        match self.inner.as_mut() {
            Some(agent) => agent.act(&self.view, &id, rng),
            None => Err(SolveError::Problem("no agent attached".into())),
        }
    }

    fn reset(&mut self) {
        if let Some(agent) = self.inner.as_mut() {
            agent.reset();
        }
        self.interned.clear();
    }

    fn start_game(&mut self, index: u64) {
        if let Some(agent) = self.inner.as_mut() {
            agent.start_game(index);
        }
        self.interned.clear();
    }
}
