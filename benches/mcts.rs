//! Throughput of the tree searches: UCT simulations per second on
//! tic-tac-toe and connect four (one and two threads), bytes per node, and
//! the time of an exact minimax search of the tic-tac-toe root.
//!
//! Run with `cargo bench --bench mcts`. Each figure is the best of several
//! rounds, since other work on the machine only ever slows a round down.

use std::time::{Duration, Instant};

use optimist::direct::mcts::{Mcts, MctsParams};
use optimist::direct::minimax::{minimax, MinimaxParams};
use optimist::domains::connect4::connect4;
use optimist::domains::game::Game;
use optimist::domains::tictactoe::tictactoe;

const ROUNDS: usize = 5;

/// Best simulations per second over `ROUNDS` rounds of `searches` searches
/// of `sims` simulations each from `state`, without tree reuse.
fn sims_per_second<G: Game>(
    game: &G,
    state: &G::State,
    sims: u32,
    threads: usize,
    searches: usize,
) -> f64 {
    let params = MctsParams {
        sims,
        threads,
        reuse: false,
        ..MctsParams::default()
    };
    let mut best = 0.0f64;
    for round in 0..ROUNDS {
        let mut searcher = match Mcts::new(MctsParams {
            seed: round as u64,
            ..params
        }) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        // Warm-up: the first search sizes the arena.
        let _ = searcher.search(game, state);
        let start = Instant::now();
        let mut total = 0u64;
        for _ in 0..searches {
            match searcher.search(game, state) {
                Ok(r) => total += r.cost.nodes,
                Err(e) => panic!("{e}"),
            }
        }
        best = best.max(total as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn report<G: Game>(
    label: &str,
    game: &G,
    state: &G::State,
    sims: u32,
    searches: usize,
    target: f64,
) {
    let one = sims_per_second(game, state, sims, 1, searches);
    let two = sims_per_second(game, state, sims, 2, searches);
    println!(
        "{label:<12} {sims:>6} sims  1 thread: {:>7.0} k sims/s (target ≥ {:.0} k)  2 threads: {:>7.0} k sims/s ({:.2}×, target ≥ 1.70×)  {} bytes/node",
        one / 1e3,
        target / 1e3,
        two / 1e3,
        two / one,
        Mcts::<G>::bytes_per_node()
    );
}

fn main() {
    let ttt = tictactoe();
    report("tictactoe", &ttt, &ttt.root(), 10_000, 40, 1.6e6);
    let c4 = match connect4(6, 7) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    report("connect4", &c4, &c4.root(), 5_000, 40, 180e3);

    let mut best = Duration::MAX;
    let mut nodes = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        match minimax(&ttt, &ttt.root(), &MinimaxParams::default()) {
            Ok(r) => nodes = r.cost.nodes,
            Err(e) => panic!("{e}"),
        }
        best = best.min(start.elapsed());
    }
    println!("minimax tictactoe root (exact, alpha-beta + table): {best:?}, {nodes} nodes");
}
