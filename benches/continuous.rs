//! Throughput of the continuous direct optimizers and objectives.
//!
//! Prints, for each figure, the best of several repetitions (the machine is
//! shared, so the best run is the least disturbed one).

use optimist::direct::cem::{cem, CemParams};
use optimist::direct::cmaes::{cmaes, CmaesParams};
use optimist::domains::continuous::ContinuousProblem;
use optimist::domains::expr::{Expr, ExprProblem, InstanceDist, ThetaSpec};
use optimist::domains::functions::rosenbrock;
use optimist::rng::Rng;
use std::time::{Duration, Instant};

/// Runs `f` `reps` times and returns the fastest wall time and the last result.
fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("reps ≥ 1"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let p = rosenbrock(10).expect("valid dim");
    let mut x = vec![0.0; 10];
    p.sample_instance(&mut Rng::new(1), &mut x);

    let params = CemParams {
        samples: 64,
        elites: 8,
        iters: 200,
        ..CemParams::default()
    };
    let (t, s) = best_of(20, || {
        cem(&p, &x, &mut Rng::new(7), &params).expect("valid")
    });
    println!(
        "cem      rosenbrock(10) 64 samples, 8 elites, 200 iters: {:.3} ms  (f = {:.3e}, {} evals)",
        ms(t),
        s.value,
        s.cost.evaluations
    );

    // One run (no restarts) with a target: the speed of CMA-ES itself.
    let single = CmaesParams {
        target: 1e-10,
        restarts: 0,
        ..CmaesParams::default()
    };
    let (t, s) = best_of(10, || {
        cmaes(&p, &x, &mut Rng::new(1), &single).expect("valid")
    });
    println!(
        "cmaes    rosenbrock(10) to f < 1e-10, one run: {:.3} ms  (f = {:.3e}, {} evals)",
        ms(t),
        s.value,
        s.cost.evaluations
    );

    // Across instances: a single run ends in Rosenbrock's local minimum
    // (f ≈ 3.99) on some; the default IPOP restarts escape it. With a
    // target, restarting stops at the first success; without one (as
    // `plan(cmaes)` runs) it spends the whole budget.
    let ipop_to_target = CmaesParams {
        target: 1e-10,
        ..CmaesParams::default()
    };
    for (label, params) in [
        ("one run, to 1e-10", &single),
        ("IPOP restarts, to 1e-10", &ipop_to_target),
        (
            "IPOP restarts, no target (plan default)",
            &CmaesParams::default(),
        ),
    ] {
        let (t, (solved, evals)) = best_of(3, || {
            let (mut solved, mut evals) = (0, 0);
            for seed in 0..10 {
                let mut rng = Rng::new(seed);
                let mut x = vec![0.0; 10];
                p.sample_instance(&mut rng, &mut x);
                let s = cmaes(&p, &x, &mut rng, params).expect("valid");
                solved += usize::from(s.value < 1e-10);
                evals += s.cost.evaluations;
            }
            (solved, evals)
        });
        println!(
            "cmaes    rosenbrock(10), 10 instances, {label}: {:.3} ms per solve ({solved}/10 reach 1e-10, {} evals on average)",
            ms(t) / 10.0,
            evals / 10
        );
    }

    // minimize(sum((theta - x) ^ 2), theta = vec(8, lo=-5, hi=5), x = normal(0, 1, dim=8))
    let bowl =
        Expr::call("sum", vec![(Expr::Theta - Expr::X).pow(Expr::Const(2.0))]).expect("known");
    let dist = InstanceDist::Normal {
        mean: 0.0,
        std: 1.0,
        dim: 8,
    };
    let p =
        ExprProblem::minimize(bowl, ThetaSpec::bounded(8, -5.0, 5.0), Some(dist)).expect("checks");
    let mut x = vec![0.0; 8];
    p.sample_instance(&mut Rng::new(3), &mut x);
    let mut theta = vec![0.5; 8];
    let mut grad = vec![0.0; 8];
    let n = 1_000_000;
    let (t, acc) = best_of(5, || {
        let mut acc = 0.0;
        for i in 0..n {
            theta[i % 8] += 1e-9;
            acc += p.value_grad(&theta, &x, &mut grad) + grad[0];
        }
        acc
    });
    println!(
        "expr     8-D bowl value+gradient: {:.1} M evals/s ({:.0} ns each; checksum {acc:.3})",
        n as f64 / t.as_secs_f64() / 1e6,
        t.as_secs_f64() * 1e9 / n as f64
    );
    let (t, acc) = best_of(5, || {
        let mut acc = 0.0;
        for i in 0..n {
            theta[i % 8] += 1e-9;
            acc += p.value(&theta, &x);
        }
        acc
    });
    println!(
        "expr     8-D bowl value only:      {:.1} M evals/s ({:.0} ns each; checksum {acc:.3})",
        n as f64 / t.as_secs_f64() / 1e6,
        t.as_secs_f64() * 1e9 / n as f64
    );
}
