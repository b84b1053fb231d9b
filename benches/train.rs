//! Training and inference throughput of the amortizer's MLP on one thread.
//!
//! Run with `cargo bench --bench train`. dfdx's CPU matmul (the `gemm`
//! crate) parallelizes through rayon's global pool, sized by
//! `RAYON_NUM_THREADS`; `main` sets it to 1 before anything touches rayon,
//! so every figure is single-threaded but one: the 256-wide network again
//! with gemm on a two-thread pool (labelled). Steps per second include the whole
//! `train` loop (batch gathering, forward, backward, Adam), with no
//! validation split. Set `ONLY_BIG=1` to skip the small network,
//! `ONLY_SMALL=1` to skip the big one and `ONLY_TRAIN=1` to skip inference
//! (handy under a profiler).

use std::time::Instant;

use optimist::amortized::{
    train, Activation, Dataset, Example, Head, Mlp, MlpSpec, Progress, TargetKind, TrainConfig,
};
use optimist::rng::Rng;

fn random_data(n: usize, input: usize, output: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let rows = (0..n)
        .map(|_| {
            let x = (0..input).map(|_| rng.normal() as f32).collect();
            let t = (0..output).map(|_| rng.normal() as f32).collect();
            Example::new(x, t)
        })
        .collect();
    Dataset::from_examples(rows, TargetKind::Solution, "random").expect("consistent rows")
}

fn bench_training(
    input: usize,
    hidden: usize,
    output: usize,
    batch: usize,
    steps_per_epoch: usize,
    epochs: usize,
    threads: usize,
) {
    let data = random_data(batch * steps_per_epoch, input, output, 1);
    let cfg = TrainConfig {
        epochs,
        batch,
        val: 0.0,
        patience: 0,
        lr: 1e-4,
        progress: Progress::Silent,
        ..TrainConfig::default()
    };
    let mut best = 0.0f64;
    for rep in 0..3 {
        let spec = MlpSpec::new(input, vec![hidden, hidden], output, Activation::Relu);
        let model = Mlp::new(spec, Head::Solution { bounds: None }, rep).expect("valid spec");
        let run = || train(model, &data, &cfg).expect("training runs");
        let (_, report) = if threads == 1 {
            run()
        } else {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            pool.install(run)
        };
        best = best.max(report.steps as f64 / report.wall_secs);
    }
    let on = if threads == 1 {
        String::new()
    } else {
        format!(", gemm on {threads} threads")
    };
    println!(
        "train {input}->{hidden}->{hidden}->{output} batch {batch}{on}: {best:.0} steps/s (best of 3)"
    );
}

fn bench_inference(input: usize, hidden: usize, output: usize) {
    let spec = MlpSpec::new(input, vec![hidden, hidden], output, Activation::Relu);
    let model = Mlp::new(spec, Head::Solution { bounds: None }, 0).expect("valid spec");
    let x: Vec<f32> = (0..input).map(|i| i as f32 * 0.1).collect();
    let batch: Vec<Vec<f32>> = (0..64).map(|_| x.clone()).collect();
    let reps = 20_000;
    let mut single = f64::MAX;
    let mut batched = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(
                model
                    .predict(std::hint::black_box(&x))
                    .expect("width matches"),
            );
        }
        single = single.min(t.elapsed().as_secs_f64() / reps as f64);
        let t = Instant::now();
        for _ in 0..reps / 10 {
            std::hint::black_box(
                model
                    .predict_batch(std::hint::black_box(&batch))
                    .expect("width matches"),
            );
        }
        batched = batched.min(t.elapsed().as_secs_f64() / (reps / 10) as f64);
    }
    println!(
        "infer {input}->{hidden}->{hidden}->{output}: single query {:.1} µs, batch of 64 {:.1} µs ({:.2} µs/row) (best of 3)",
        single * 1e6,
        batched * 1e6,
        batched * 1e6 / 64.0
    );
}

fn main() {
    std::env::set_var("RAYON_NUM_THREADS", "1");
    println!(
        "target: at least JAX lax.scan's steps/s on both sizes (jax_scan in the JSON of `python mlp_train.py` from ../shared/peers), run in the same sitting; `taskset -c 0` for JAX on one core, as here"
    );
    if std::env::var("ONLY_BIG").is_err() {
        bench_training(8, 64, 4, 64, 100, 30, 1);
    }
    if std::env::var("ONLY_SMALL").is_err() {
        bench_training(32, 256, 32, 256, 20, 10, 1);
        // Not the peer comparison (JAX runs on one core): what a second
        // core buys when gemm may split the 256-wide matmuls.
        bench_training(32, 256, 32, 256, 20, 10, 2);
    }
    if std::env::var("ONLY_TRAIN").is_err() {
        bench_inference(8, 64, 4);
        bench_inference(32, 256, 32);
    }
}
