//! Training behaviour of the amortizers: losses fall, seeds reproduce bit
//! for bit, objective-based amortization finds a known optimum map, a
//! policy head learns a masked target, and divergence is a clear error.

use optimist::amortized::{
    objective_model, train, train_objective, Activation, Dataset, Example, Head, Mlp, MlpSpec,
    ObjectiveConfig, Progress, TargetKind, TrainConfig, TrainError,
};
use optimist::domains::continuous::{Bounds, ContinuousProblem, Optimum};
use optimist::rng::Rng;

/// y = (x0 − 2·x1, x0·x1) on x ~ U(−1, 1)².
fn regression_data(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let rows = (0..n)
        .map(|_| {
            let (a, b) = (
                rng.uniform_in(-1.0, 1.0) as f32,
                rng.uniform_in(-1.0, 1.0) as f32,
            );
            Example::new(vec![a, b], vec![a - 2.0 * b, a * b])
        })
        .collect();
    Dataset::from_examples(rows, TargetKind::Solution, "test").unwrap()
}

fn quiet(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        lr: 3e-3,
        batch: 32,
        progress: Progress::Silent,
        seed: 5,
        ..TrainConfig::default()
    }
}

fn regressor(seed: u64) -> Mlp {
    let spec = MlpSpec::new(2, vec![32, 32], 2, Activation::Tanh);
    Mlp::new(spec, Head::Solution { bounds: None }, seed).unwrap()
}

#[test]
fn loss_decreases_and_best_weights_are_kept() {
    let data = regression_data(512, 1);
    let (model, report) = train(regressor(3), &data, &quiet(40)).unwrap();
    let first = &report.epochs[0];
    let best = report.best_val_loss.unwrap();
    assert!(best < first.val_loss.unwrap() / 20.0, "{report:?}");
    assert!(report.final_train_loss().unwrap() < first.train_loss / 10.0);
    // The kept weights are those of the best epoch.
    let kept = report.epochs[report.best_epoch - 1].val_loss.unwrap();
    assert_eq!(kept, best);
    assert_eq!(report.examples_seen, report.epochs.len() as u64 * 461);
    assert_eq!(
        report.steps,
        report.epochs.len() as u64 * 461u64.div_ceil(32)
    );
    assert_eq!(model.report.as_ref(), Some(&report));
    let (y, cost) = model.predict(&[0.5, -0.25]).unwrap();
    assert!(
        (y[0] - 1.0).abs() < 0.1 && (y[1] + 0.125).abs() < 0.1,
        "{y:?}"
    );
    assert_eq!(cost.forward_passes, 1);
    assert_eq!(cost.flops, 2 * (2 * 32 + 32 * 32 + 32 * 2));
}

#[test]
fn one_seed_gives_bit_identical_weights() {
    let data = regression_data(200, 2);
    let (a, ra) = train(regressor(7), &data, &quiet(5)).unwrap();
    let (b, rb) = train(regressor(7), &data, &quiet(5)).unwrap();
    assert_eq!(a.weights(), b.weights());
    assert_eq!(ra.epochs, rb.epochs);
    let other = TrainConfig {
        seed: 6,
        ..quiet(5)
    };
    let (c, _) = train(regressor(7), &data, &other).unwrap();
    assert_ne!(a.weights(), c.weights());
}

#[test]
fn early_stopping_stops() {
    let data = regression_data(64, 3);
    let cfg = TrainConfig {
        patience: 2,
        lr: 0.05,
        ..quiet(500)
    };
    let (_, report) = train(regressor(1), &data, &cfg).unwrap();
    assert!(report.stopped_early && report.epochs.len() < 500);
    assert_eq!(report.epochs.len(), report.best_epoch + 2);
}

#[test]
fn divergence_names_the_step_and_suggests_a_lower_lr() {
    let rows = vec![Example::new(vec![1e30, -1e30], vec![1e30, 1e30]); 8];
    let data = Dataset::from_examples(rows, TargetKind::Solution, "huge").unwrap();
    let err = train(
        regressor(0),
        &data,
        &TrainConfig {
            lr: 10.0,
            val: 0.0,
            ..quiet(3)
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, TrainError::Diverged { epoch: 1, lr, .. } if lr == 10.0),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.starts_with("training diverged at step "), "{err}");
    assert!(err.ends_with("try a lower lr than 10"), "{err}");
}

#[test]
fn mismatched_dataset_is_an_error() {
    let data = regression_data(10, 4);
    let spec = MlpSpec::new(3, vec![4], 2, Activation::Relu);
    let model = Mlp::new(spec, Head::Solution { bounds: None }, 0).unwrap();
    let err = train(model, &data, &quiet(1)).unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::FeatureWidth {
                features: 2,
                inputs: 3
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the dataset has 2 features per row, the model takes 3 inputs"
    );
    let err = train(
        regressor(0),
        &data,
        &TrainConfig {
            batch: 0,
            ..quiet(1)
        },
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Batch), "{err:?}");
    assert_eq!(err.to_string(), "batch must be at least 1");
}

/// sphere(4) shifted by the instance: value Σ(θ − x)², x ~ N(0, 1), θ* = x.
struct ShiftedSphere;

impl ContinuousProblem for ShiftedSphere {
    fn name(&self) -> String {
        "shifted_sphere(4)".into()
    }
    fn theta_dim(&self) -> usize {
        4
    }
    fn bounds(&self) -> Bounds {
        Bounds::uniform(4, -5.0, 5.0)
    }
    fn instance_dim(&self) -> usize {
        4
    }
    fn sample_instance(&self, rng: &mut Rng, x: &mut [f64]) {
        x.iter_mut().for_each(|v| *v = rng.normal());
    }
    fn value(&self, theta: &[f64], x: &[f64]) -> f64 {
        theta.iter().zip(x).map(|(t, x)| (t - x).powi(2)).sum()
    }
    fn value_grad(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        for ((g, t), x) in grad.iter_mut().zip(theta).zip(x) {
            *g = 2.0 * (t - x);
        }
        self.value(theta, x)
    }
    fn optimum(&self, x: &[f64]) -> Option<Optimum> {
        Some(Optimum {
            theta: x.to_vec(),
            value: 0.0,
        })
    }
}

#[test]
fn objective_amortization_learns_the_shifted_sphere_optimum() {
    let problem = ShiftedSphere;
    let model = objective_model(&problem, vec![64, 64], Activation::Tanh, 1).unwrap();
    let cfg = ObjectiveConfig {
        steps: 3000,
        lr: 3e-3,
        progress: Progress::Silent,
        ..ObjectiveConfig::default()
    };
    let (model, report) = train_objective(model, &problem, &cfg).unwrap();
    assert_eq!(report.objective_evaluations, 3000 * 64 + 30 * 256);

    let mut rng = Rng::new(12345);
    let mut sq = 0.0;
    let n = 500;
    for _ in 0..n {
        let mut x = [0.0f64; 4];
        problem.sample_instance(&mut rng, &mut x);
        let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (theta, _) = model.predict(&xf).unwrap();
        let best = problem.optimum(&x).unwrap().theta;
        sq += theta
            .iter()
            .zip(&best)
            .map(|(t, b)| (f64::from(*t) - b).powi(2))
            .sum::<f64>();
    }
    let rms = (sq / (4 * n) as f64).sqrt();
    assert!(rms < 0.05, "RMS error {rms}");
}

#[test]
fn policy_head_learns_to_pick_the_legal_action_with_the_largest_feature() {
    let actions = 6;
    let make = |n: usize, seed: u64| {
        let mut rng = Rng::new(seed);
        let rows = (0..n)
            .map(|_| {
                let x: Vec<f32> = (0..actions).map(|_| rng.uniform() as f32).collect();
                let mut mask: Vec<bool> = (0..actions).map(|_| rng.uniform() < 0.6).collect();
                let forced = rng.below(actions);
                mask[forced] = true;
                let best = (0..actions)
                    .filter(|&i| mask[i])
                    .max_by(|&a, &b| x[a].total_cmp(&x[b]))
                    .unwrap();
                let mut target = vec![0.0; actions];
                target[best] = 1.0;
                Example::new(x, target).with_mask(mask)
            })
            .collect();
        Dataset::from_examples(rows, TargetKind::Policy, "argmax").unwrap()
    };
    let data = make(4000, 1);
    let spec = MlpSpec::new(actions, vec![64, 64], actions, Activation::Relu);
    let model = Mlp::new(spec, Head::Policy, 2).unwrap();
    let cfg = TrainConfig {
        epochs: 60,
        lr: 3e-3,
        batch: 64,
        patience: 10,
        progress: Progress::Silent,
        ..TrainConfig::default()
    };
    let (model, _) = train(model, &data, &cfg).unwrap();

    let test = make(1000, 99);
    let mut correct = 0;
    for e in test.examples() {
        let mask = e.mask.as_ref().unwrap();
        let (p, _) = model.policy(&e.features, mask).unwrap();
        assert!(p.iter().zip(mask).all(|(p, &m)| m || *p == 0.0));
        let pick = (0..actions).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
        correct += usize::from(e.target[pick] == 1.0);
    }
    assert!(correct >= 950, "accuracy {correct}/1000");
}

#[test]
fn value_head_fits_outcomes_in_range() {
    let mut rng = Rng::new(8);
    let rows = (0..400)
        .map(|_| {
            let x = rng.uniform_in(-1.0, 1.0) as f32;
            Example::new(vec![x], vec![0.0; 3]).with_value(0.8 * x)
        })
        .collect();
    let data = Dataset::from_examples(rows, TargetKind::Value, "linear").unwrap();
    let model = Mlp::new(
        MlpSpec::new(1, vec![16], 1, Activation::Tanh),
        Head::Value,
        0,
    )
    .unwrap();
    let (model, _) = train(model, &data, &quiet(60)).unwrap();
    for x in [-0.5f32, 0.25, 0.75] {
        let (v, _) = model.predict(&[x]).unwrap();
        assert!((v[0] - 0.8 * x).abs() < 0.05, "{x}: {v:?}");
    }
    let bad = Dataset::from_examples(
        vec![Example::new(vec![0.0], vec![2.0])],
        TargetKind::Value,
        "bad",
    )
    .unwrap();
    let model = Mlp::new(
        MlpSpec::new(1, vec![4], 1, Activation::Tanh),
        Head::Value,
        0,
    )
    .unwrap();
    let err = train(model, &bad, &quiet(1)).unwrap_err();
    assert!(
        matches!(err, TrainError::OutcomeRange { row: 0, outcome } if outcome == 2.0),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "row 0 has outcome 2; a value head learns outcomes in [-1, 1]"
    );
}
