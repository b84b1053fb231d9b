//! Long native loops stop early once the watched flag is raised (the
//! REPL's Ctrl-C). Its own test binary: the flag is process-wide.

use optimist::amortized::{
    train, Activation, Dataset, Example, Head, Mlp, MlpSpec, TargetKind, TrainConfig,
};
use optimist::direct::cem::{cem, CemParams};
use optimist::domains::functions::sphere;
use optimist::rng::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static FLAG: AtomicBool = AtomicBool::new(false);

#[test]
fn training_and_optimization_stop_when_asked() {
    optimist::stop::watch(&FLAG);
    let mut rng = Rng::new(1);
    let rows: Vec<Example> = (0..512)
        .map(|_| {
            let x: Vec<f32> = (0..8).map(|_| rng.normal() as f32).collect();
            Example::new(x.clone(), vec![x.iter().sum()])
        })
        .collect();
    let data =
        Dataset::from_examples(rows, TargetKind::Solution, String::from("synthetic")).unwrap();
    let model = Mlp::new(
        MlpSpec::new(8, vec![32], 1, Activation::Relu),
        Head::for_kind(TargetKind::Solution),
        0,
    )
    .unwrap();
    let cfg = TrainConfig {
        epochs: 100_000,
        patience: 0,
        ..TrainConfig::default()
    };

    FLAG.store(true, Ordering::Relaxed);
    let start = Instant::now();
    let (_, report) = train(model, &data, &cfg).unwrap();
    assert!(
        start.elapsed().as_secs_f64() < 5.0,
        "training ignored the stop request"
    );
    assert!(
        report.steps < 1000,
        "{} steps were taken after the stop request",
        report.steps
    );

    let p = sphere(10).unwrap();
    let x = vec![0.5; 10];
    let s = cem(
        &p,
        &x,
        &mut Rng::new(2),
        &CemParams {
            iters: 1_000_000,
            ..CemParams::default()
        },
    )
    .unwrap();
    assert!(
        s.cost.evaluations < 1_000,
        "CEM ran {} evaluations after the stop request",
        s.cost.evaluations
    );

    // A search driven a leaf at a time (lockstep play) stops too, after one
    // simulation, with a legal move.
    use optimist::direct::mcts::{Mcts, MctsParams};
    use optimist::domains::game::Game;
    let ttt = optimist::domains::tictactoe::tictactoe();
    let root = ttt.root();
    let mut search = Mcts::new(MctsParams {
        sims: 1_000_000,
        ..MctsParams::default()
    })
    .unwrap();
    search.begin(&ttt, &root).unwrap();
    let mut rounds = 0;
    while !search.pending().is_empty() {
        let k = search.pending().len();
        let priors = vec![1.0; k * ttt.num_actions()];
        search.resume(
            &ttt,
            &priors,
            &vec![Some(0.0); k],
            std::time::Duration::ZERO,
        );
        rounds += 1;
        assert!(rounds < 10, "the driven search ignored the stop request");
    }
    let r = search.finish(&ttt, 0);
    assert!(r.cost.nodes >= 1 && r.cost.nodes < 10, "{:?}", r.cost);
    assert!(ttt.legal(&root).contains(r.action));
    FLAG.store(false, Ordering::Relaxed);
}
