//! Objective-based amortization: train `f_φ(x) → θ` to minimize
//! `problem.value(f_φ(x), x)` directly, on instances drawn from the
//! problem's own distribution, with no solved dataset.
//!
//! The objective is differentiated by the problem (`value_grad`), not by
//! dfdx: per row, `g = ∇_θ value(θ, x)` is computed on the host and the
//! network minimizes the surrogate `mean(sum(θ ⊙ stop_grad(g)))`, whose
//! gradient with respect to the weights is the objective's. Outputs are
//! squashed into the problem's box where it is finite, so every prediction
//! is feasible.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::adam::AdamConfig;
use super::heads::{Head, SolutionBounds};
use super::mlp::{Activation, Mlp, MlpError, MlpSpec};
use super::progress::{Progress, Tracker};
use super::train::{Stepper, TrainError};
use super::training_report::{EpochStats, TrainingReport};
use crate::domains::continuous::ContinuousProblem;
use crate::rng::{derive_seed, Rng};

/// Parameters of objective-based training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveConfig {
    /// Adam steps, each on `batch` fresh instances.
    pub steps: usize,
    pub batch: usize,
    pub lr: f32,
    pub weight_decay: f32,
    pub clip: Option<f32>,
    pub seed: u64,
    /// Steps between evaluations on the fixed validation instances; each
    /// evaluation is one entry of `TrainingReport::epochs`.
    pub eval_every: usize,
    /// Held-out instances the best weights are chosen on.
    pub val_instances: usize,
    /// Stop after this many evaluations without improvement; 0 never stops early.
    pub patience: usize,
    pub progress: Progress,
}

impl Default for ObjectiveConfig {
    fn default() -> Self {
        ObjectiveConfig {
            steps: 2000,
            batch: 64,
            lr: 1e-3,
            weight_decay: 0.0,
            clip: None,
            seed: 0,
            eval_every: 100,
            val_instances: 256,
            patience: 0,
            progress: Progress::Auto,
        }
    }
}

impl ObjectiveConfig {
    pub fn check(&self) -> Result<(), TrainError> {
        if self.steps == 0 || self.batch == 0 || self.eval_every == 0 {
            return Err(TrainError::ObjectiveSchedule {
                steps: self.steps,
                batch: self.batch,
                eval_every: self.eval_every,
            });
        }
        Ok(self.adam().check()?)
    }

    fn adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            weight_decay: self.weight_decay,
            clip: self.clip,
            ..AdamConfig::default()
        }
    }
}

/// The solution head for `problem`: squashed into its box where finite.
pub fn objective_head(problem: &dyn ContinuousProblem) -> Head {
    let b = problem.bounds();
    let any_finite =
        b.lo.iter()
            .zip(&b.hi)
            .any(|(l, h)| l.is_finite() && h.is_finite());
    Head::Solution {
        bounds: any_finite.then_some(SolutionBounds { lo: b.lo, hi: b.hi }),
    }
}

/// A fresh network shaped for `problem`: instance in, `θ` out.
pub fn objective_model(
    problem: &dyn ContinuousProblem,
    hidden: Vec<usize>,
    act: Activation,
    seed: u64,
) -> Result<Mlp, MlpError> {
    let spec = MlpSpec::new(problem.instance_dim(), hidden, problem.theta_dim(), act);
    Mlp::new(spec, objective_head(problem), seed)
}

fn sample(problem: &dyn ContinuousProblem, rng: &mut Rng, n: usize) -> (Vec<f64>, Vec<f32>) {
    let d = problem.instance_dim();
    let mut xs = vec![0.0f64; n * d];
    for row in xs.chunks_mut(d) {
        problem.sample_instance(rng, row);
    }
    let xf = xs.iter().map(|&v| v as f32).collect();
    (xs, xf)
}

/// Mean objective of `model`'s answers on instances `xs` (`xf` as f32).
fn mean_value(model: &Mlp, problem: &dyn ContinuousProblem, xs: &[f64], xf: &[f32]) -> f64 {
    let (d, out) = (problem.instance_dim(), problem.theta_dim());
    let rows = xs.len() / d;
    let raw = model.raw_flat(xf, rows);
    let mut theta = vec![0.0f32; out];
    let mut jac = vec![0.0f32; out];
    let mut total = 0.0;
    for r in 0..rows {
        model
            .head()
            .solution_and_jacobian(&raw[r * out..(r + 1) * out], &mut theta, &mut jac);
        let t64: Vec<f64> = theta.iter().map(|&t| f64::from(t)).collect();
        total += problem.value(&t64, &xs[r * d..(r + 1) * d]);
    }
    total / rows.max(1) as f64
}

/// Trains `model` to minimize `problem` across its instance distribution;
/// returns it with the best weights (on the validation instances) and the
/// report (also stored in `model.report`).
pub fn train_objective(
    mut model: Mlp,
    problem: &dyn ContinuousProblem,
    cfg: &ObjectiveConfig,
) -> Result<(Mlp, TrainingReport), TrainError> {
    let start = Instant::now();
    cfg.check()?;
    if !problem.differentiable() {
        return Err(TrainError::NoGradient {
            problem: problem.name(),
        });
    }
    let (d, out) = (problem.instance_dim(), problem.theta_dim());
    let spec = model.spec();
    if spec.input != d || spec.output != out {
        return Err(TrainError::ObjectiveWidths {
            problem: problem.name(),
            instance: d,
            solution: out,
            inputs: spec.input,
            outputs: spec.output,
        });
    }
    if !matches!(model.head(), Head::Solution { .. }) {
        return Err(TrainError::NotASolutionHead {
            head: model.head().kind(),
        });
    }

    let head = model.head().clone();
    let fwd = spec.forward_flops();
    let (val_x, val_xf) = sample(
        problem,
        &mut Rng::new(derive_seed(cfg.seed, "objective.val")),
        cfg.val_instances,
    );
    let mut rng = Rng::new(derive_seed(cfg.seed, "objective.train"));
    let mut stepper = Stepper::new(&model, cfg.adam())?;
    let evals = cfg.steps.div_ceil(cfg.eval_every);
    let tracker = Tracker::new(cfg.progress, evals as u64, "amortize");
    let mut report = TrainingReport::empty();
    let mut best: Option<(f64, Vec<Vec<f32>>)> = None;
    let mut since_best = 0;
    let (mut theta, mut jac, mut g, mut t64) = (
        vec![0.0f32; out],
        vec![0.0f32; out],
        vec![0.0f64; out],
        vec![0.0f64; out],
    );
    let (mut interval_loss, mut interval_steps) = (0.0f64, 0usize);

    for step in 1..=cfg.steps {
        if crate::stop::requested() {
            break;
        }
        let (xs, xf) = sample(problem, &mut rng, cfg.batch);
        let scale = 1.0 / cfg.batch as f32;
        let loss = stepper.step(&mut model, &xf, cfg.batch, |raw, grad| {
            let mut total = 0.0f64;
            for r in 0..cfg.batch {
                head.solution_and_jacobian(&raw[r * out..(r + 1) * out], &mut theta, &mut jac);
                for (t, th) in t64.iter_mut().zip(&theta) {
                    *t = f64::from(*th);
                }
                total += problem.value_grad(&t64, &xs[r * d..(r + 1) * d], &mut g);
                for i in 0..out {
                    grad[r * out + i] = scale * g[i] as f32 * jac[i];
                }
            }
            (total / cfg.batch as f64) as f32
        })?;
        if !loss.is_finite() {
            tracker.finish();
            return Err(TrainError::Diverged {
                step: step as u64,
                epoch: step.div_ceil(cfg.eval_every),
                lr: cfg.lr,
            });
        }
        report.examples_seen += cfg.batch as u64;
        report.objective_evaluations += cfg.batch as u64;
        interval_loss += f64::from(loss);
        interval_steps += 1;

        if step % cfg.eval_every == 0 || step == cfg.steps {
            stepper.sync(&mut model);
            let epoch = report.epochs.len() + 1;
            let train_loss = interval_loss / interval_steps as f64;
            let val = (cfg.val_instances > 0).then(|| mean_value(&model, problem, &val_x, &val_xf));
            report.objective_evaluations += cfg.val_instances as u64;
            report.forward_passes += (interval_steps * cfg.batch + cfg.val_instances) as u64;
            report.flops +=
                3 * fwd * (interval_steps * cfg.batch) as u64 + fwd * cfg.val_instances as u64;
            report.epochs.push(EpochStats {
                epoch,
                train_loss,
                val_loss: val,
            });
            tracker.tick(train_loss, val);
            (interval_loss, interval_steps) = (0.0, 0);
            match val {
                Some(v) if !v.is_finite() => {
                    tracker.finish();
                    return Err(TrainError::Diverged {
                        step: step as u64,
                        epoch,
                        lr: cfg.lr,
                    });
                }
                Some(v) if best.as_ref().is_none_or(|(b, _)| v < *b) => {
                    best = Some((v, model.snapshot()));
                    report.best_epoch = epoch;
                    report.best_val_loss = Some(v);
                    since_best = 0;
                }
                Some(_) => {
                    since_best += 1;
                    if cfg.patience > 0 && since_best >= cfg.patience {
                        report.stopped_early = true;
                        break;
                    }
                }
                None => report.best_epoch = epoch,
            }
        }
    }
    tracker.finish();
    stepper.sync(&mut model);
    if let Some((_, snap)) = &best {
        model.restore(snap)?;
    }
    report.steps = stepper.steps();
    report.wall_secs = start.elapsed().as_secs_f64();
    report.summary = format!(
        "amortized `{}` by its objective: {} steps of {} instances, best validation value {} at evaluation {}, {:.2}s",
        problem.name(),
        report.steps,
        cfg.batch,
        report.best_val_loss.map_or("n/a".to_string(), |v| format!("{v:.4}")),
        report.best_epoch,
        report.wall_secs
    );
    model.report = Some(report.clone());
    Ok((model, report))
}
