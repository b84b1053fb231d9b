//! Throughput of the amortized half where searches meet networks: one
//! forward pass of a small MLP, a batched forward of 256-wide layers,
//! AlphaZero-style search (PUCT with a policy prior and a value network at
//! every expansion, no rollouts) on tic-tac-toe with 64×64 networks and on
//! connect four with 128×128 ones, self-play games per second, and
//! self-play and evaluation games per second in lockstep (W games per
//! worker, their leaves in one network call; `cargo bench --bench hybrid --
//! lockstep` prints only those).
//!
//! Run with `cargo bench --bench hybrid`. Each figure is the best of
//! several rounds, since other work on the machine only ever slows a round
//! down. The "dfdx" lines time the same search with the networks asked
//! through dfdx tensors (the path searches took before `amortized::infer`).
//! The peer is mctx (JAX, jitted), measured by
//! `../shared/peers/mcts_mctx_mlp.py` in the same sitting: its network is
//! one 27→64→64→(9+1) MLP, ours two (a policy 27→64→64→9 and a value
//! 27→64→64→1), twice the FLOPs. Hand its two figures (sims/s at batch 1
//! and 64) to this bench as `MCTX_SIMS_PER_S=45446,157989` to print the
//! ratios; figures from another sitting are not compared.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use optimist::algorithms::mcts::{MctsAgent, NetEvaluator};
use optimist::amortized::infer::{Net, Scratch};
use optimist::amortized::{Activation, Head, Mlp, MlpSpec};
use optimist::compose::discrete::{GameProblem, Games};
use optimist::compose::evaluate::{evaluate, Evaluation};
use optimist::compose::generate::generate;
use optimist::compose::model::Amortized;
use optimist::compose::parallel;
use optimist::compose::play::{play_game, Agent};
use optimist::compose::{Context, Families, Solver, WarmStart};
use optimist::direct::mcts::{Evaluator, Mcts, MctsParams};
use optimist::domains::connect4::connect4;
use optimist::domains::game::Game;
use optimist::domains::tictactoe::tictactoe;
use optimist::params::ParamValue;
use optimist::rng::Rng;

const ROUNDS: usize = 5;

/// mctx's sims/s at batch 1 and 64, from `MCTX_SIMS_PER_S` (`b1,b64`),
/// when given.
fn mctx_figures() -> Option<(f64, f64)> {
    let v = std::env::var("MCTX_SIMS_PER_S").ok()?;
    let (a, b) = v.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn net(input: usize, hidden: usize, output: usize, head: Head, seed: u64) -> Arc<Amortized> {
    let spec = MlpSpec::new(input, vec![hidden, hidden], output, Activation::Relu);
    let mlp = Mlp::new(spec, head, seed).unwrap_or_else(|e| panic!("{e}"));
    Arc::new(Amortized::new(vec![mlp], Families::DISCRETE, None))
}

fn best<F: FnMut() -> f64>(mut f: F) -> f64 {
    (0..ROUNDS).map(|_| f()).fold(0.0, f64::max)
}

/// The evaluator searches used before the hand-written path: each leaf asks
/// `Amortized::policy` and `predict`, i.e. dfdx tensors.
#[derive(Clone)]
struct DfdxEvaluator {
    prior: Arc<Amortized>,
    value: Arc<Amortized>,
    features: Vec<f32>,
    mask: Vec<bool>,
}

impl<G: Game> Evaluator<G> for DfdxEvaluator {
    fn evaluate(&mut self, game: &G, state: &G::State, priors: &mut [f32]) -> Option<f32> {
        self.features.resize(game.feature_dim(), 0.0);
        game.encode(state, &mut self.features).ok()?;
        let legal = game.legal(state);
        self.mask.clear();
        self.mask
            .extend((0..game.num_actions()).map(|a| legal.contains(a)));
        match self.prior.policy(&self.features, &self.mask) {
            Ok((p, _)) => priors.copy_from_slice(&p[..priors.len()]),
            Err(_) => priors.fill(1.0),
        }
        self.value
            .predict(&self.features)
            .ok()
            .map(|(y, _)| y[0].clamp(-1.0, 1.0))
    }
}

/// Simulations per second of `searches` searches of `sims` from the root,
/// no tree reuse.
fn search_rate<G: Game, E: Evaluator<G> + Clone + Send>(
    game: &G,
    root: G::State,
    eval: &E,
    sims: u32,
    (threads, batch): (usize, u32),
    searches: usize,
) -> f64 {
    best(|| {
        let params = MctsParams {
            sims,
            threads,
            batch,
            reuse: false,
            ..MctsParams::default()
        };
        let mut searcher = Mcts::<G>::new(params).unwrap_or_else(|e| panic!("{e}"));
        let mut eval = eval.clone();
        let _ = searcher.search_with(game, &root, &mut eval);
        let start = Instant::now();
        let (mut total, mut passes) = (0u64, 0u64);
        for _ in 0..searches {
            match searcher.search_with(game, &root, &mut eval) {
                Ok(r) => {
                    total += r.cost.nodes;
                    passes += r.cost.forward_passes;
                }
                Err(e) => panic!("{e}"),
            }
        }
        // Leaves are mostly new nodes, each evaluated once.
        assert!(
            passes * 2 > total,
            "{passes} network calls for {total} sims"
        );
        total as f64 / start.elapsed().as_secs_f64()
    })
}

fn forward_figures() {
    let spec = MlpSpec::new(27, vec![64, 64], 10, Activation::Relu);
    let mlp = Mlp::new(spec.clone(), Head::Solution { bounds: None }, 1).unwrap();
    let fast = Net::new(&mlp);
    let mut s = Scratch::default();
    let x: Vec<f32> = (0..27).map(|i| (i % 3) as f32 - 1.0).collect();
    let mut y = vec![0.0f32; 10];
    let calls = 200_000;
    let ours = best(|| {
        let start = Instant::now();
        for _ in 0..calls {
            fast.raw_into(black_box(&x), &mut s, &mut y);
            black_box(&y);
        }
        calls as f64 / start.elapsed().as_secs_f64()
    });
    let dfdx_calls = 20_000;
    let dfdx = best(|| {
        let start = Instant::now();
        for _ in 0..dfdx_calls {
            black_box(mlp.predict(black_box(&x)).ok());
        }
        dfdx_calls as f64 / start.elapsed().as_secs_f64()
    });
    println!(
        "forward 27→64→64→10, one row:     {:>6.3} µs  ({:.1} GFLOP/s; dfdx {:.2} µs; target ≤ 0.5 µs)",
        1e6 / ours,
        ours * spec.forward_flops() as f64 / 1e9,
        1e6 / dfdx,
    );

    let wide = MlpSpec::new(256, vec![256, 256], 256, Activation::Relu);
    let mlp = Mlp::new(wide.clone(), Head::Solution { bounds: None }, 2).unwrap();
    let fast = Net::new(&mlp);
    let rows = 256;
    let xs: Vec<f32> = (0..rows * 256)
        .map(|i| ((i % 7) as f32 - 3.0) / 3.0)
        .collect();
    let mut ys = vec![0.0f32; rows * 256];
    let reps = 20;
    let rate = best(|| {
        let start = Instant::now();
        for _ in 0..reps {
            fast.raw_batch(black_box(&xs), rows, &mut s, &mut ys);
            black_box(&ys);
        }
        (reps * rows) as f64 / start.elapsed().as_secs_f64()
    });
    let dfdx = best(|| {
        let start = Instant::now();
        for _ in 0..reps {
            black_box(mlp_raw(&mlp, &xs, rows));
        }
        (reps * rows) as f64 / start.elapsed().as_secs_f64()
    });
    println!(
        "forward 256→256→256→256, 256 rows: {:>6.1} GFLOP/s (dfdx {:.1} GFLOP/s; target ≥ 30% of one core's f32 peak)",
        rate * wide.forward_flops() as f64 / 1e9,
        dfdx * wide.forward_flops() as f64 / 1e9,
    );
}

/// dfdx's batched forward through the public batch API.
fn mlp_raw(mlp: &Mlp, xs: &[f32], rows: usize) -> usize {
    let batch: Vec<Vec<f32>> = xs.chunks(xs.len() / rows).map(<[f32]>::to_vec).collect();
    mlp.predict_batch(&batch).map_or(0, |(y, _)| y.len())
}

fn search_figures() {
    let ttt = tictactoe();
    let f = ttt.feature_dim();
    let prior = net(f, 64, 9, Head::Policy, 3);
    let value = net(f, 64, 1, Head::Value, 4);
    let eval = NetEvaluator::new(Some(prior.clone()), Some(value.clone()));
    let dfdx = DfdxEvaluator {
        prior,
        value,
        features: Vec::new(),
        mask: Vec::new(),
    };
    let one = search_rate(&ttt, ttt.root(), &eval, 200, (1, 1), 300);
    let two = search_rate(&ttt, ttt.root(), &eval, 200, (2, 1), 300);
    let before = search_rate(&ttt, ttt.root(), &dfdx, 200, (1, 1), 30);
    let batched: Vec<String> = [8u32, 32]
        .iter()
        .map(|&b| {
            let rate = search_rate(&ttt, ttt.root(), &eval, 200, (1, b), 300);
            format!("batch {b}: {:.0} k", rate / 1e3)
        })
        .collect();
    let peer = match mctx_figures() {
        Some((b1, b64)) => format!(
            "mctx {:.1} k batch 1, {:.1} k batch 64 → {:.0}× / {:.0}×",
            b1 / 1e3,
            b64 / 1e3,
            one / b1,
            one / b64
        ),
        None => "mctx: run mcts_mctx_mlp.py now and pass MCTX_SIMS_PER_S=b1,b64".to_string(),
    };
    println!(
        "tictactoe AZ 64×64 ({f}→64→64→9/1), 200 sims, batch 1:  1 thread {:>6.0} k sims/s (target ≥ 1000 k; {peer})  2 threads {:>6.0} k ({:.2}×)  dfdx path {:.0} k",
        one / 1e3,
        two / 1e3,
        two / one,
        before / 1e3,
    );
    println!(
        "tictactoe AZ 64×64, 200 sims, leaves per network call (virtual loss), 1 thread: {}",
        batched.join(", ")
    );

    let c4 = connect4(6, 7).unwrap_or_else(|e| panic!("{e}"));
    let (f, a) = (c4.feature_dim(), c4.num_actions());
    let eval = NetEvaluator::new(
        Some(net(f, 128, a, Head::Policy, 5)),
        Some(net(f, 128, 1, Head::Value, 6)),
    );
    let one = search_rate(&c4, c4.root(), &eval, 200, (1, 1), 40);
    let two = search_rate(&c4, c4.root(), &eval, 200, (2, 1), 40);
    println!(
        "connect4  AZ 128×128 ({f}→128→128→{a}/1), 200 sims, batch 1:  1 thread {:>6.0} k sims/s  2 threads {:>6.0} k ({:.2}×)",
        one / 1e3,
        two / 1e3,
        two / one,
    );
}

fn self_play_figures() {
    let ttt = tictactoe();
    let f = ttt.feature_dim();
    let eval = NetEvaluator::new(
        Some(net(f, 64, 9, Head::Policy, 3)),
        Some(net(f, 64, 1, Head::Value, 4)),
    );
    let params = MctsParams {
        sims: 200,
        ..MctsParams::default()
    };
    let games = 200;
    // Game i on worker i mod T, each worker with its own pair of agents
    // (what evaluation and `solve` do with --threads).
    let rate = |threads: usize| {
        best(|| {
            let root = ttt.root();
            let make = || {
                let a = MctsAgent::with_evaluator(params, eval.clone())?;
                let b = MctsAgent::with_evaluator(MctsParams { seed: 1, ..params }, eval.clone())?;
                Ok((a, b))
            };
            let start = Instant::now();
            let play = |(a, b): &mut (MctsAgent<_, _>, MctsAgent<_, _>), i: usize| {
                a.reset();
                b.reset();
                let mut rng = Rng::new(i as u64);
                play_game(&ttt, &root, [a, b], &mut rng)
            };
            parallel::games(games, threads, parallel::serial(make, play))
                .unwrap_or_else(|e| panic!("{e}"));
            games as f64 / start.elapsed().as_secs_f64()
        })
    };
    let (one, two) = (rate(1), rate(2));
    println!(
        "tictactoe AZ self-play, 200 sims/move, tree reuse: 1 thread {one:>6.0} games/s, 2 threads {two:>6.0} games/s ({:.2}×, target ≥ 1.8×)",
        two / one
    );
}

/// `plan(mcts, sims=…)` guided by a policy prior and a value network of
/// `hidden`×`hidden` (random weights: the work per leaf is what counts).
fn guided_solver<G: Game>(game: &G, sims: i64, hidden: usize) -> Arc<dyn Solver> {
    let (f, a) = (game.feature_dim(), game.num_actions());
    let mcts: Arc<dyn Solver> = Arc::new(
        optimist::catalog::standard()
            .algorithm("mcts")
            .unwrap_or_else(|| panic!("no mcts"))
            .plan([("sims", ParamValue::Int(sims))], Context::default())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let warm = |s: Arc<dyn Solver>, w: WarmStart| s.warm(&w).unwrap_or_else(|e| panic!("{e}"));
    let s = warm(
        mcts,
        WarmStart::Prior(Some(net(f, hidden, a, Head::Policy, 7))),
    );
    warm(s, WarmStart::Value(net(f, hidden, 1, Head::Value, 8)))
}

/// Self-play (`solve`'s games) and evaluation (against random play) of
/// network-guided MCTS with each worker playing W games in lockstep, their
/// leaves evaluated in one call: games/s for W ∈ {1, 8, 32, 64} on 1 and 2
/// threads (the results are the same for every W and thread count).
fn lockstep_figures() {
    fn rates<G: Game + Clone + 'static>(
        name: &str,
        game: &G,
        sims: i64,
        hidden: usize,
        games: usize,
    ) {
        let problem = GameProblem::new(game.clone(), optimist::algorithms::kernels());
        let solver = guided_solver(game, sims, hidden);
        for threads in [1usize, 2] {
            let mut line = Vec::new();
            // The figures to beat: one game at a time (W = 1).
            let mut base: Option<(f64, f64)> = None;
            for width in [1usize, 8, 32, 64] {
                let play = best_of(2, || {
                    let start = Instant::now();
                    let row = evaluate(&Evaluation {
                        label: "guided".into(),
                        solver: &*solver,
                        problem: &problem,
                        against: None,
                        n: games,
                        seed: 1,
                        threads,
                        lockstep: width,
                    })
                    .unwrap_or_else(|e| panic!("{e}"));
                    black_box(row);
                    games as f64 / start.elapsed().as_secs_f64()
                });
                // About `games` self-play games' worth of positions.
                let positions = games * game_length(game);
                let selfplay = best_of(2, || {
                    let start = Instant::now();
                    let made = generate(
                        &problem,
                        &*solver,
                        "guided",
                        Games::new(positions, 2, threads).lockstep(width),
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                    made.runs as f64 / start.elapsed().as_secs_f64()
                });
                let (s1, p1) = *base.get_or_insert((selfplay, play));
                line.push(format!(
                    "W={width}: {selfplay:.0} / {play:.0} ({:.2}× / {:.2}×)",
                    selfplay / s1,
                    play / p1
                ));
            }
            println!(
                "{name} lockstep, {sims} sims/move, {threads} thread{}: self-play / evaluation games/s  {}",
                if threads == 1 { "" } else { "s" },
                line.join("  ")
            );
        }
    }
    fn game_length<G: Game>(game: &G) -> usize {
        if game.num_actions() == 9 {
            8
        } else {
            25
        }
    }
    rates("tictactoe AZ 64×64  ", &tictactoe(), 200, 64, 256);
    let c4 = connect4(6, 7).unwrap_or_else(|e| panic!("{e}"));
    rates("connect4  AZ 128×128", &c4, 100, 128, 64);
}

fn best_of<F: FnMut() -> f64>(rounds: usize, mut f: F) -> f64 {
    (0..rounds).map(|_| f()).fold(0.0, f64::max)
}

fn main() {
    let only_lockstep = std::env::args().any(|a| a == "lockstep");
    if !only_lockstep {
        forward_figures();
        search_figures();
        self_play_figures();
    }
    lockstep_figures();
}
