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
}
