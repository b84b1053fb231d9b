//! Games played in parallel: game `i` of `n` goes to worker `i mod T`,
//! each worker plays its games in order with agents of its own, and the
//! results come back in game order. The answer is therefore determined by
//! the seed and the thread count `T` (by the seed alone in lockstep, where
//! agents start every game afresh); with one thread it is exactly the
//! serial loop (one set of agents, games 0, 1, 2, …).
//!
//! A worker is handed its games through a [`Feed`]; [`serial`] plays them
//! one after another, `compose::lockstep` several at a time.

use std::thread;

use super::solver::SolveError;

/// What a worker asks for when it has room for another game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Play game `i`.
    Game(usize),
    /// Not now: the games in flight will likely finish the job; ask again
    /// once one of the worker's own is over. Never said to a worker with
    /// no game in flight.
    Later,
    /// There are no more games.
    Done,
}

/// Hands out a worker's games, told how many of its own are in flight.
type Source<'a> = Box<dyn FnMut(usize) -> Next + 'a>;

/// What a worker is handed: its games' indices, one at a time and in
/// increasing order, and where their results and errors go.
pub struct Feed<'a, R> {
    next: Source<'a>,
    record: &'a (dyn Fn(usize, &R) + Sync),
    failed: &'a (dyn Fn(usize) + Sync),
    results: Vec<(usize, R)>,
    error: Option<(usize, SolveError)>,
}

impl<R> Feed<'_, R> {
    /// The next game to play, for a worker with no game in flight; `None`
    /// when there are no more, or when a game before it failed.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<usize> {
        match self.next_beside(0) {
            Next::Game(i) => Some(i),
            _ => None,
        }
    }

    /// The next game to play for a worker with `in_flight` games of its
    /// own still in play (see [`Next`]).
    pub fn next_beside(&mut self, in_flight: usize) -> Next {
        match (self.next)(in_flight) {
            Next::Game(i) => match &self.error {
                Some((j, _)) if *j < i => Next::Done,
                _ => Next::Game(i),
            },
            other => other,
        }
    }

    /// The result of game `i`.
    pub fn put(&mut self, i: usize, r: R) {
        (self.record)(i, &r);
        self.results.push((i, r));
    }

    /// Game `i` failed: no game after it is handed out any more (games
    /// before it still in play finish), and the first error by index is
    /// kept.
    pub fn fail(&mut self, i: usize, e: SolveError) {
        (self.failed)(i);
        if self.error.as_ref().is_none_or(|(j, _)| i < *j) {
            self.error = Some((i, e));
        }
    }
}

/// A worker that plays its games one after another: `make` builds its
/// agents (once, on its thread), `play` plays game `i` with them.
pub fn serial<A, R>(
    make: impl Fn() -> Result<A, SolveError> + Sync,
    play: impl Fn(&mut A, usize) -> Result<R, SolveError> + Sync,
) -> impl Fn(&mut Feed<'_, R>) + Sync {
    move |feed| {
        let Some(mut i) = feed.next() else {
            return;
        };
        let mut agents = match make() {
            Ok(a) => a,
            Err(e) => return feed.fail(i, e),
        };
        loop {
            match play(&mut agents, i) {
                Ok(r) => feed.put(i, r),
                Err(e) => return feed.fail(i, e),
            }
            match feed.next() {
                Some(j) => i = j,
                None => return,
            }
        }
    }
}

thread_local! {
    /// Set on the threads of a run that spreads its games over several.
    static GAME_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is one of several game workers, each already busy
/// with games of its own: a search that would otherwise take the run's
/// `--threads` for itself (root-parallel MCTS) runs on this thread alone,
/// rather than `--threads` × `--threads` threads contending for the cores
/// and each tree getting a share of the simulations.
pub fn in_a_game_worker() -> bool {
    GAME_WORKER.with(|w| w.get())
}

/// Runs `worker` on `threads` threads (on the calling thread when there is
/// one), worker `w` fed by `feed(w)`; the results of all, and each one's
/// first error.
#[allow(clippy::type_complexity)]
fn run<'a, R: Send>(
    threads: usize,
    feed: impl Fn(usize) -> Source<'a> + Sync,
    record: &'a (dyn Fn(usize, &R) + Sync),
    failed: &'a (dyn Fn(usize) + Sync),
    worker: &(impl Fn(&mut Feed<'_, R>) + Sync),
) -> (Vec<(usize, R)>, Option<(usize, SolveError)>) {
    let one = |w: usize| {
        let mut f = Feed {
            next: feed(w),
            record,
            failed,
            results: Vec::new(),
            error: None,
        };
        worker(&mut f);
        (f.results, f.error)
    };
    let outcomes: Vec<(Vec<(usize, R)>, Option<(usize, SolveError)>)> = if threads <= 1 {
        vec![one(0)]
    } else {
        let one = &one;
        thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|w| {
                    scope.spawn(move || {
                        GAME_WORKER.with(|g| g.set(true));
                        one(w)
                    })
                })
                .collect();
            handles
                .into_iter()
                .enumerate()
                .map(|(w, h)| {
                    h.join().unwrap_or_else(|_| {
                        let e = SolveError::Problem("a game-playing thread panicked".into());
                        (Vec::new(), Some((w, e)))
                    })
                })
                .collect()
        })
    };
    let mut results = Vec::new();
    let mut first_error: Option<(usize, SolveError)> = None;
    for (rs, error) in outcomes {
        results.extend(rs);
        if let Some((i, e)) = error {
            if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                first_error = Some((i, e));
            }
        }
    }
    (results, first_error)
}

/// Plays games `0..n` on `threads` workers, each playing its games as
/// `worker` does (for example [`serial`]). The first error by game index
/// wins.
pub fn games<R: Send>(
    n: usize,
    threads: usize,
    worker: impl Fn(&mut Feed<'_, R>) + Sync,
) -> Result<Vec<R>, SolveError> {
    let threads = threads.clamp(1, n.max(1));
    let feed = |w: usize| -> Source<'_> {
        let mut games = (w..n).step_by(threads);
        Box::new(move |_| games.next().map_or(Next::Done, Next::Game))
    };
    let (played, error) = run(threads, feed, &|_, _| {}, &|_| {}, &worker);
    if let Some((_, e)) = error {
        return Err(e);
    }
    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for (i, r) in played {
        results[i] = Some(r);
    }
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| SolveError::Problem("a game was not played".into())))
        .collect()
}

/// What the workers of [`games_until`] share: each game's item count, by
/// game index, the first game that failed, how many games were handed out
/// and are over, with their items, and the game whose items first reach
/// `n` once it is known.
struct Board {
    n: usize,
    sizes: Vec<Option<usize>>,
    error: Option<usize>,
    started: usize,
    finished: usize,
    items: usize,
    /// Games `0..contiguous` are all in, holding `prefix` items.
    contiguous: usize,
    prefix: usize,
    last: Option<usize>,
}

impl Board {
    fn new(n: usize) -> Board {
        Board {
            n,
            sizes: Vec::new(),
            error: None,
            started: 0,
            finished: 0,
            items: 0,
            contiguous: 0,
            prefix: 0,
            last: None,
        }
    }

    /// The game whose items first reach `n`, once every game before it is
    /// in (kept up to date by `record`: workers ask before every game).
    fn last(&self) -> Option<usize> {
        self.last
    }

    fn record(&mut self, i: usize, size: usize) {
        if self.sizes.len() <= i {
            self.sizes.resize(i + 1, None);
        }
        self.sizes[i] = Some(size);
        self.finished += 1;
        self.items += size;
        while let Some(Some(s)) = self.sizes.get(self.contiguous) {
            self.prefix += s;
            if self.last.is_none() && self.prefix >= self.n {
                self.last = Some(self.contiguous);
            }
            self.contiguous += 1;
        }
    }

    /// Whether the games in flight, at the mean size of those over, are
    /// likely to bring the items to `n`: then a worker with games of its
    /// own in flight waits before starting another (it only saves work;
    /// which games count is decided by [`Board::last`]).
    fn likely_enough(&self) -> bool {
        if self.finished == 0 {
            return false;
        }
        let in_flight = self.started.saturating_sub(self.finished);
        let expected = in_flight.saturating_mul(self.items) / self.finished;
        self.items.saturating_add(expected) >= self.n
    }
}

/// Plays games 0, 1, 2, … on `threads` workers (each as `worker` does)
/// until the first games together hold at least `n` items (`len` counts a
/// game's), and returns those games in order — game `k`, the one that
/// reaches `n`, last. Workers may play a few games past `k`; those are
/// dropped, so the answer is the same as if they had never been played.
pub fn games_until<R: Send>(
    n: usize,
    threads: usize,
    worker: impl Fn(&mut Feed<'_, R>) + Sync,
    len: impl Fn(&R) -> usize + Sync,
) -> Result<Vec<R>, SolveError> {
    let threads = threads.max(1);
    let board = std::sync::Mutex::new(Board::new(n));
    let board = &board;
    let lock = move || board.lock().unwrap_or_else(|e| e.into_inner());
    let feed = |w: usize| -> Source<'_> {
        let mut i = w;
        Box::new(move |in_flight| {
            let mut b = lock();
            let done = b.last().is_some_and(|k| k < i);
            if done || b.error.is_some_and(|e| e < i) {
                return Next::Done;
            }
            if in_flight > 0 && b.likely_enough() {
                return Next::Later;
            }
            b.started += 1;
            i += threads;
            Next::Game(i - threads)
        })
    };
    let record = |i: usize, r: &R| lock().record(i, len(r));
    let failed = |i: usize| {
        let mut b = lock();
        b.error = Some(b.error.map_or(i, |j| j.min(i)));
        b.finished += 1;
    };
    let (played, first_error) = run(threads, feed, &record, &failed, &worker);
    let last = lock().last();
    match (first_error, last) {
        (Some((i, e)), Some(k)) if i <= k => return Err(e),
        (Some((_, e)), None) => return Err(e),
        _ => {}
    }
    let k = last.ok_or_else(|| SolveError::Problem("the games ended early".into()))?;
    let mut results: Vec<Option<R>> = (0..=k).map(|_| None).collect();
    for (i, r) in played {
        if i <= k {
            results[i] = Some(r);
        }
    }
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| SolveError::Problem("a game was not played".into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_game_order_and_workers_keep_their_agents() {
        for threads in [1, 2, 3, 8] {
            // The "agent" counts the games its worker played.
            let r = games(
                10,
                threads,
                serial(
                    || Ok(0usize),
                    |seen, i| {
                        *seen += 1;
                        Ok((i, *seen))
                    },
                ),
            )
            .unwrap();
            let order: Vec<usize> = r.iter().map(|(i, _)| *i).collect();
            assert_eq!(order, (0..10).collect::<Vec<_>>());
            let t = threads.min(10);
            for (i, seen) in r {
                assert_eq!(seen, i / t + 1, "game {i} with {threads} threads");
            }
        }
        let err = games(
            6,
            2,
            serial(
                || Ok(()),
                |_, i| {
                    if i >= 3 {
                        Err(SolveError::Problem(format!("game {i}")))
                    } else {
                        Ok(i)
                    }
                },
            ),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            SolveError::Problem("game 3".into()).to_string()
        );
    }

    #[test]
    fn games_until_keeps_exactly_the_games_that_reach_n() {
        // Game i yields i % 4 items; it records whether its worker played
        // its games in order (game i is the worker's (i / T + 1)-th).
        let run = |threads: usize| {
            games_until(
                20,
                threads,
                serial(
                    || Ok(0usize),
                    |seen, i| {
                        *seen += 1;
                        Ok((i % 4, i / threads + 1 == *seen))
                    },
                ),
                |r| r.0,
            )
            .unwrap()
        };
        // The first game at which the items reach 20, counted serially.
        let mut total = 0;
        let k = (0..)
            .position(|i| {
                total += i % 4;
                total >= 20
            })
            .unwrap();
        for threads in [1, 2, 3, 5] {
            let r = run(threads);
            assert_eq!(r.len(), k + 1, "threads {threads}");
            assert!(
                r.iter().all(|g| g.1),
                "each worker plays its games in order"
            );
            let items: Vec<usize> = r.iter().map(|g| g.0).collect();
            assert_eq!(items, (0..=k).map(|i| i % 4).collect::<Vec<_>>());
        }
    }
}
