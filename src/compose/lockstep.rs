//! Lockstep play (AlphaZero.jl's design): a worker plays `width` games at
//! once so that the leaves of all their network-guided searches are
//! evaluated together, in one network call per round.
//!
//! Each game is a [`Turns`]: its state, its move generator, what it records,
//! and which seat (agent) moves. A worker keeps `width` slots, each with
//! agents of its own. In a round it plays every slot's game forward until
//! its mover's search waits for network answers ([`Stepper`]) or the game
//! ends (a finished game's slot takes the worker's next game); then, seat
//! by seat, it gathers the waiting leaves of every slot into one call of
//! that seat's networks, hands each search its answers, and plays the moves
//! whose searches are done. Agents that are not steppers (plain MCTS,
//! minimax, random play, a trained policy) move at once, as in serial play.
//!
//! In lockstep every agent starts each game afresh (`Agent::start_game`:
//! a searcher's generator starts a stream of that game's own), each game has
//! its own move generator, and a batched network call answers each row with
//! the bits it gets alone (`amortized::infer`), so every game is played
//! exactly as it is alone: the output is the same for every width above 1
//! and every number of threads. Only the wall time changes.
//!
//! One at a time (`width` 1, the default) is the serial loop as it always
//! was: agents are `reset` between games and a searcher's generator runs on
//! from one game to the next of its worker, so those results depend on the
//! thread count and differ from lockstep's (same distribution, other
//! draws). Switching every loop to `start_game` would make the two agree; it
//! changes the published figures of the examples, so it is not done here.

use std::time::{Duration, Instant};

use super::parallel::{self, Feed, Next};
use super::play::{Agent, Decision};
use super::solver::SolveError;
use crate::domains::game::Game;
use crate::rng::Rng;

/// The most games one worker plays at once.
pub const MAX_WIDTH: usize = 4096;

/// Why games cannot be played in lockstep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockstepError {
    /// The width is outside 1 to [`MAX_WIDTH`].
    Width { width: usize },
}

impl std::fmt::Display for LockstepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockstepError::Width { width } => {
                write!(f, "lockstep must be between 1 and {MAX_WIDTH}, got {width}")
            }
        }
    }
}

impl std::error::Error for LockstepError {}

/// One game in progress, as a worker drives it.
pub trait Turns<G: Game> {
    /// What the game yields when it is over.
    type Out;
    /// The seat (an index into the game's agents) to move, or `None` when
    /// the game is over.
    fn seat(&self, game: &G) -> Option<usize>;
    fn state(&self) -> &G::State;
    /// The game's move generator.
    fn rng(&mut self) -> &mut Rng;
    /// Plays the decision of `seat`'s agent (named in errors).
    fn play(
        &mut self,
        game: &G,
        seat: usize,
        d: Decision,
        agent: &dyn Agent<G>,
    ) -> Result<(), SolveError>;
    fn finish(self, game: &G) -> Result<Self::Out, SolveError>;
}

/// Agents of one slot, by seat.
pub type Seats<G> = Vec<Box<dyn Agent<G>>>;

/// A worker of `compose::parallel`, yielding `R` per game.
pub type Worker<'a, R> = Box<dyn Fn(&mut Feed<'_, R>) + Sync + 'a>;

/// Readies `agent` for game `i` of a run asked to play `width` games at a
/// time per worker: a fresh start of that game's own when `width` > 1 (even
/// where nothing waits on a network and the worker plays one game at a
/// time, so the width asked for alone decides the draws), a plain reset at
/// 1 (see the module docs).
pub fn start_game<G: Game>(agent: &mut dyn Agent<G>, i: usize, width: usize) {
    if width > 1 {
        agent.start_game(i as u64);
    } else {
        agent.reset();
    }
}

/// A worker (see `compose::parallel`) that plays its games `width` at a
/// time in lockstep, or one after another when `width` is 1: `make` builds
/// a slot's agents, `start` starts game `i` with them.
pub fn worker<'a, G, T>(
    game: &'a G,
    width: usize,
    make: impl Fn() -> Result<Seats<G>, SolveError> + Sync + 'a,
    start: impl Fn(&mut Seats<G>, usize) -> Result<T, SolveError> + Sync + 'a,
) -> Worker<'a, T::Out>
where
    G: Game + Sync,
    T: Turns<G> + 'a,
{
    if width <= 1 {
        return Box::new(parallel::serial(make, move |agents, i| {
            let mut t = start(agents, i)?;
            while let Some(seat) = t.seat(game) {
                let state = *t.state();
                let agent = &mut agents[seat];
                let d = agent.act(game, &state, t.rng())?;
                t.play(game, seat, d, &**agent)?;
            }
            t.finish(game)
        }));
    }
    Box::new(move |feed: &mut Feed<'_, T::Out>| lockstep(game, width, &make, &start, feed))
}

/// Errs when `games` games in flight could hold more search trees than the
/// memory budget allows, judged from one slot's agents (`probe`).
pub fn check_memory<G: Game>(
    game: &G,
    games: usize,
    probe: &mut Seats<G>,
) -> Result<(), SolveError> {
    let each: u64 = probe
        .iter_mut()
        .filter_map(|a| a.stepper().map(|s| s.decision_bytes(game)))
        .fold(0u64, u64::saturating_add);
    crate::memory::check(
        format!(
            "{games} games in lockstep (their searches' trees) on {}",
            game.name()
        ),
        "lockstep",
        crate::memory::times(games as u64, each),
    )
    .map_err(SolveError::native)
}

/// One slot of a lockstep worker: its agents, its game and the seat whose
/// search waits for network answers.
struct Slot<G: Game, T> {
    agents: Seats<G>,
    run: Option<(usize, T)>,
    waiting: Option<usize>,
}

fn lockstep<G: Game, T: Turns<G>>(
    game: &G,
    width: usize,
    make: &(impl Fn() -> Result<Seats<G>, SolveError> + Sync),
    start: &(impl Fn(&mut Seats<G>, usize) -> Result<T, SolveError> + Sync),
    feed: &mut Feed<'_, T::Out>,
) {
    let n = game.num_actions();
    let mut slots: Vec<Slot<G, T>> = Vec::new();
    let mut exhausted = false;
    let mut states = Vec::new();
    let mut priors = Vec::new();
    let mut values = Vec::new();
    let mut seats: Vec<usize> = Vec::new();
    let mut carried = Duration::ZERO;
    loop {
        for s in 0..width {
            // Slots are made in order, as games come.
            if s > slots.len() || (s == slots.len() && exhausted) {
                break;
            }
            fill(game, &mut slots, s, &mut exhausted, make, start, feed);
        }
        seats.clear();
        seats.extend(slots.iter().filter_map(|s| s.waiting));
        if seats.is_empty() {
            return;
        }
        seats.sort_unstable();
        seats.dedup();
        for &seat in &seats {
            states.clear();
            for slot in slots.iter_mut().filter(|s| s.waiting == Some(seat)) {
                if let Some(st) = slot.agents[seat].stepper() {
                    states.extend_from_slice(st.pending());
                }
            }
            let k = states.len();
            priors.resize(k * n, 0.0);
            values.clear();
            values.resize(k, None);
            // The call and the searches' resumptions are timed together and
            // each search is charged its leaves' share; the resumptions are
            // over only after the charges, so their time is charged in the
            // next round (`carried`).
            let clock = Instant::now();
            if let Some(st) = slots
                .iter_mut()
                .find(|s| s.waiting == Some(seat))
                .and_then(|s| s.agents[seat].stepper())
            {
                st.answer(game, &states, &mut priors, &mut values);
            }
            let called = clock.elapsed();
            let per_leaf = (called + carried) / k.max(1) as u32;
            let mut at = 0;
            for slot in slots.iter_mut().filter(|s| s.waiting == Some(seat)) {
                supply(game, slot, seat, &priors, &values, &mut at, per_leaf, feed);
            }
            carried = clock.elapsed() - called;
        }
    }
}

/// Keeps slot `s` busy: plays its game forward until a search waits, and
/// when the game ends (or fails), starts the worker's next one in it (when
/// the feed has one for it now).
fn fill<G: Game, T: Turns<G>>(
    game: &G,
    slots: &mut Vec<Slot<G, T>>,
    s: usize,
    exhausted: &mut bool,
    make: &(impl Fn() -> Result<Seats<G>, SolveError> + Sync),
    start: &(impl Fn(&mut Seats<G>, usize) -> Result<T, SolveError> + Sync),
    feed: &mut Feed<'_, T::Out>,
) {
    loop {
        if slots.get(s).is_some_and(|slot| slot.waiting.is_some()) {
            return;
        }
        if slots.get(s).is_none_or(|slot| slot.run.is_none()) {
            if *exhausted {
                return;
            }
            let in_flight = slots.iter().filter(|x| x.run.is_some()).count();
            let i = match feed.next_beside(in_flight) {
                Next::Game(i) => i,
                // The games in flight will likely do: ask again next round.
                Next::Later => return,
                Next::Done => {
                    *exhausted = true;
                    return;
                }
            };
            if s == slots.len() {
                match make() {
                    Ok(agents) => slots.push(Slot {
                        agents,
                        run: None,
                        waiting: None,
                    }),
                    Err(e) => {
                        feed.fail(i, e);
                        continue;
                    }
                }
            }
            let slot = &mut slots[s];
            match start(&mut slot.agents, i) {
                Ok(t) => slot.run = Some((i, t)),
                Err(e) => {
                    feed.fail(i, e);
                    continue;
                }
            }
        }
        let slot = &mut slots[s];
        let Some((i, t)) = slot.run.as_mut() else {
            return;
        };
        let i = *i;
        match advance(game, &mut slot.agents, t) {
            Ok(Some(seat)) => {
                slot.waiting = Some(seat);
                return;
            }
            Ok(None) => {
                if let Some((_, t)) = slot.run.take() {
                    match t.finish(game) {
                        Ok(r) => feed.put(i, r),
                        Err(e) => feed.fail(i, e),
                    }
                }
            }
            Err(e) => {
                slot.run = None;
                feed.fail(i, e);
            }
        }
    }
}

/// Plays a game forward until its mover's search waits for network
/// answers (its seat) or the game ends (`None`).
fn advance<G: Game, T: Turns<G>>(
    game: &G,
    agents: &mut Seats<G>,
    t: &mut T,
) -> Result<Option<usize>, SolveError> {
    while let Some(seat) = t.seat(game) {
        let state = *t.state();
        let agent = &mut agents[seat];
        let d = match agent.stepper() {
            Some(st) => {
                st.begin(game, &state)?;
                if !st.pending().is_empty() {
                    return Ok(Some(seat));
                }
                st.decision(game)?
            }
            None => agent.act(game, &state, t.rng())?,
        };
        t.play(game, seat, d, &**agent)?;
    }
    Ok(None)
}

/// Hands a waiting slot its answers (from row `*at` on) and, when its
/// search is done, plays the decision.
#[allow(clippy::too_many_arguments)]
fn supply<G: Game, T: Turns<G>>(
    game: &G,
    slot: &mut Slot<G, T>,
    seat: usize,
    priors: &[f32],
    values: &[Option<f32>],
    at: &mut usize,
    per_leaf: Duration,
    feed: &mut Feed<'_, T::Out>,
) {
    let n = game.num_actions();
    let agent = &mut slot.agents[seat];
    let Some(st) = agent.stepper() else {
        slot.waiting = None;
        return;
    };
    let k = st.pending().len();
    let rows = *at..*at + k;
    *at += k;
    st.supply(
        game,
        &priors[rows.start * n..rows.end * n],
        &values[rows],
        per_leaf * k as u32,
    );
    if !st.pending().is_empty() {
        return;
    }
    slot.waiting = None;
    let played = st.decision(game).and_then(|d| match slot.run.as_mut() {
        Some((_, t)) => t.play(game, seat, d, &**agent),
        None => Ok(()),
    });
    if let Err(e) = played {
        if let Some((i, _)) = slot.run.take() {
            feed.fail(i, e);
        }
    }
}
