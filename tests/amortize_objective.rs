//! Objective-based amortization through scripts (`amortize(…, on=…)`):
//! on the shifted sphere the network predicts θ*(x) = x on held-out
//! instances, and on `gaussian_vi` its posterior is close to the exact one,
//! with `evaluate`'s gap column equal to the KL divergence.

use optimist::diagnostics::render;
use optimist::domains::continuous::ContinuousProblem;
use optimist::domains::functions::sphere;
use optimist::domains::gaussian_vi::gaussian_vi;
use optimist::driver::{self, Settings};
use optimist::interp::solver::SolverValue;
use optimist::interp::{Interpreter, Registry, RunSettings, Value};
use optimist::ir::graph::Ir;
use optimist::report::Cell;
use optimist::rng::Rng;
use std::sync::Arc;

const SCRIPT: &str = r#"
objective s4 = sphere(4)
pipeline mover = amortize(mlp(hidden=[64, 64], act="tanh"), on=s4, steps=3000, lr=3e-3)
objective vi = gaussian_vi(dim=2, obs=4)
pipeline encoder = amortize(mlp(hidden=[64, 64], act="tanh"), on=vi, loss="objective", steps=3000, lr=3e-3)
report evaluate(encoder, on=vi, n=200)
"#;

struct Run {
    ir: Ir,
    reports: Vec<Value>,
    mover: Arc<SolverValue>,
    encoder: Arc<SolverValue>,
}

fn run() -> Run {
    let registry = Registry::standard();
    let checked = driver::check_text("objective.opt", SCRIPT, &registry, &Settings::default());
    assert!(
        checked.ok(),
        "{}",
        render(&checked.diagnostics, &checked.sources, false)
    );
    let ir = checked.ir.unwrap();
    let mut interp = Interpreter::new(&registry, RunSettings::default());
    let outcome = driver::run(&ir, &mut interp, &mut |_| {});
    assert!(
        outcome.ok(),
        "{}",
        render(&outcome.diagnostics, &checked.sources, false)
    );
    let mut solver = |name: &str| match interp.eval(&ir, ir.decl(name).unwrap().node) {
        Ok(Value::Solver(s)) => s,
        other => panic!("`{name}` is not a solver: {other:?}"),
    };
    let (mover, encoder) = (solver("mover"), solver("encoder"));
    Run {
        reports: outcome.outputs.into_iter().map(|o| o.value).collect(),
        ir,
        mover,
        encoder,
    }
}

#[test]
fn amortized_optimizers_land_near_the_exact_answers() {
    let run = run();

    // Sphere: θ*(x) = x; held-out instances from a stream no training used.
    let problem = sphere(4).unwrap();
    let mut rng = Rng::new(987_654);
    let (mut sq, n) = (0.0, 500);
    let mut x = vec![0.0; 4];
    for _ in 0..n {
        problem.sample_instance(&mut rng, &mut x);
        let s = run
            .mover
            .solver
            .solve_continuous(&problem, &x, &mut rng)
            .unwrap();
        assert_eq!(s.cost.forward_passes, 1);
        sq += s
            .theta
            .iter()
            .zip(&x)
            .map(|(t, x)| (t - x).powi(2))
            .sum::<f64>();
    }
    let rms = (sq / (4 * n) as f64).sqrt();
    assert!(rms < 0.05, "RMS distance to θ* is {rms}");

    // Gaussian VI: the mean KL to the exact posterior on held-out data...
    let vi = gaussian_vi(2, 4).unwrap();
    let mut y = vec![0.0; 4];
    let mut kl = 0.0;
    for _ in 0..n {
        vi.sample_instance(&mut rng, &mut y);
        let s = run
            .encoder
            .solver
            .solve_continuous(&vi, &y, &mut rng)
            .unwrap();
        kl += vi.kl_to_posterior(&s.theta, &y);
    }
    assert!(kl / (n as f64) < 0.05, "mean KL {}", kl / n as f64);

    // ...and `evaluate`'s gap is exactly the mean KL on its own instances.
    let Value::Report(table) = &run.reports[0] else {
        panic!("not a report")
    };
    let col = table.columns.iter().position(|c| c.name == "gap").unwrap();
    let Cell::Num(gap) = table.rows[0][col] else {
        panic!("no gap")
    };
    let seed = run.ir.node(run.ir.commands[0].value).seed.unwrap();
    let mut kl = 0.0;
    for i in 0..200 {
        vi.sample_instance(&mut Rng::stream(seed, i), &mut y);
        let s = run
            .encoder
            .solver
            .solve_continuous(&vi, &y, &mut rng)
            .unwrap();
        kl += vi.kl_to_posterior(&s.theta, &y);
    }
    assert!(gap < 0.05, "gap {gap}");
    assert!(
        (gap - kl / 200.0).abs() < 1e-9,
        "gap {gap}, KL {}",
        kl / 200.0
    );
}
