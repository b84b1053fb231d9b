//! Games played in parallel: game `i` of `n` goes to worker `i mod T`,
//! each worker plays its games in order with agents of its own, and the
//! results come back in game order. The answer is therefore determined by
//! the seed and the thread count `T`; with one thread it is exactly the
//! serial loop (one set of agents, games 0, 1, 2, …).

use std::thread;

use super::solver::SolveError;

/// Plays games `0..n` on `threads` workers: `make` builds a worker's agents
/// (once per worker, on its thread), `play` plays game `i` with them. The
/// first error by game index wins.
pub fn games<A, R: Send>(
    n: usize,
    threads: usize,
    make: impl Fn() -> Result<A, SolveError> + Sync,
    play: impl Fn(&mut A, usize) -> Result<R, SolveError> + Sync,
) -> Result<Vec<R>, SolveError> {
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        let mut agents = make()?;
        return (0..n).map(|i| play(&mut agents, i)).collect();
    }
    let (make, play) = (&make, &play);
    let outcomes: Vec<Result<Vec<(usize, R)>, (usize, SolveError)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                scope.spawn(move || {
                    let mut agents = make().map_err(|e| (w, e))?;
                    let mut out = Vec::with_capacity(n / threads + 1);
                    for i in (w..n).step_by(threads) {
                        out.push((i, play(&mut agents, i).map_err(|e| (i, e))?));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .map(|(w, h)| {
                h.join().unwrap_or_else(|_| {
                    Err((
                        w,
                        SolveError::Problem("a game-playing thread panicked".into()),
                    ))
                })
            })
            .collect()
    });
    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let mut first_error: Option<(usize, SolveError)> = None;
    for outcome in outcomes {
        match outcome {
            Ok(rs) => {
                for (i, r) in rs {
                    results[i] = Some(r);
                }
            }
            Err((i, e)) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    results
        .into_iter()
        .map(|r| r.ok_or_else(|| SolveError::Problem("a game was not played".into())))
        .collect()
}

/// Plays games 0, 1, 2, … on `threads` workers until the first games
/// together hold at least `n` items (`len` counts a game's), and returns
/// those games in order — game `k`, the one that reaches `n`, last. Workers
/// may play a few games past `k`; those are dropped, so the answer is the
/// same as if they had never been played. With one thread it is the serial
/// loop.
pub fn games_until<A, R: Send>(
    n: usize,
    threads: usize,
    make: impl Fn() -> Result<A, SolveError> + Sync,
    play: impl Fn(&mut A, usize) -> Result<R, SolveError> + Sync,
    len: impl Fn(&R) -> usize + Sync,
) -> Result<Vec<R>, SolveError> {
    let threads = threads.max(1);
    if threads == 1 {
        let mut agents = make()?;
        let (mut out, mut items) = (Vec::new(), 0);
        while items < n {
            let r = play(&mut agents, out.len())?;
            items += len(&r);
            out.push(r);
        }
        return Ok(out);
    }
    /// What the workers share: each game's item count (or its error), by
    /// game index.
    struct Board {
        sizes: Vec<Option<usize>>,
        error: Option<usize>,
    }
    impl Board {
        /// The game whose items first reach `n`, once every game before it
        /// is in.
        fn last(&self, n: usize) -> Option<usize> {
            let mut items = 0;
            for (i, s) in self.sizes.iter().enumerate() {
                items += (*s)?;
                if items >= n {
                    return Some(i);
                }
            }
            None
        }
        fn record(&mut self, i: usize, size: usize) {
            if self.sizes.len() <= i {
                self.sizes.resize(i + 1, None);
            }
            self.sizes[i] = Some(size);
        }
    }
    let board = std::sync::Mutex::new(Board {
        sizes: Vec::new(),
        error: None,
    });
    let (make, play, len, board) = (&make, &play, &len, &board);
    let lock = || board.lock().unwrap_or_else(|e| e.into_inner());
    let outcomes: Vec<Result<Vec<(usize, R)>, (usize, SolveError)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                scope.spawn(move || {
                    let mut agents = make().map_err(|e| (w, e))?;
                    let mut out = Vec::new();
                    let mut i = w;
                    loop {
                        {
                            let b = lock();
                            let done = b.last(n).is_some_and(|k| k < i);
                            if done || b.error.is_some_and(|e| e < i) {
                                break;
                            }
                        }
                        match play(&mut agents, i) {
                            Ok(r) => {
                                lock().record(i, len(&r));
                                out.push((i, r));
                            }
                            Err(e) => {
                                let mut b = lock();
                                b.error = Some(b.error.map_or(i, |j| j.min(i)));
                                return Err((i, e));
                            }
                        }
                        i += threads;
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .map(|(w, h)| {
                h.join().unwrap_or_else(|_| {
                    Err((
                        w,
                        SolveError::Problem("a game-playing thread panicked".into()),
                    ))
                })
            })
            .collect()
    });
    let last = lock().last(n);
    let mut first_error: Option<(usize, SolveError)> = None;
    let mut results: Vec<Option<R>> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(rs) => {
                for (i, r) in rs {
                    if results.len() <= i {
                        results.resize_with(i + 1, || None);
                    }
                    results[i] = Some(r);
                }
            }
            Err((i, e)) => {
                if first_error.as_ref().is_none_or(|(j, _)| i < *j) {
                    first_error = Some((i, e));
                }
            }
        }
    }
    match (first_error, last) {
        (Some((i, e)), Some(k)) if i <= k => return Err(e),
        (Some((_, e)), None) => return Err(e),
        _ => {}
    }
    let k = last.ok_or_else(|| SolveError::Problem("the games ended early".into()))?;
    results.truncate(k + 1);
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
                || Ok(0usize),
                |seen, i| {
                    *seen += 1;
                    Ok((i, *seen))
                },
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
            || Ok(()),
            |_, i| {
                if i >= 3 {
                    Err(SolveError::Problem(format!("game {i}")))
                } else {
                    Ok(i)
                }
            },
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
                || Ok(0usize),
                |seen, i| {
                    *seen += 1;
                    Ok((i % 4, i / threads + 1 == *seen))
                },
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
