//! Regression-based training: minibatch Adam on a `Dataset`, with a
//! validation split, early stopping that keeps the best weights, seeded
//! shuffling, and a clear error when training diverges.
//!
//! One step is: copy the batch into a reused input tensor, run the network
//! forward on a dfdx tape, read the raw outputs back (a few numbers per
//! row), let the head compute the loss and `∂loss/∂raw` on the host, and
//! backpropagate the surrogate `sum(raw ⊙ stop_grad(∂loss/∂raw))`, whose
//! gradient with respect to every weight is the loss's. The objective-based
//! amortizer (`objective.rs`) drives the same `Stepper` with a problem's
//! gradient in place of a head's.

use std::fmt;
use std::time::Instant;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::adam::{Adam, AdamConfig, AdamError};
use super::dataset::Dataset;
use super::fused::Fused;
use super::heads::{Head, TargetKind};
use super::mlp::{augment, Matrix, Mlp, MlpError};
use super::progress::{Progress, Tracker};
use super::training_report::{EpochStats, TrainingReport};
use crate::rng::{derive_seed, Rng};

/// Why training (on a dataset, or on an objective in `objective.rs`) could
/// not start or did not finish.
#[derive(Clone, Debug)]
pub enum TrainError {
    /// `epochs` is 0.
    Epochs,
    /// `batch` is 0.
    Batch,
    /// The validation fraction is outside `[0, 1)`.
    Val { value: f64 },
    /// Objective-based training with 0 steps, batch or evaluation interval.
    ObjectiveSchedule {
        steps: usize,
        batch: usize,
        eval_every: usize,
    },
    /// A bad optimizer setting, or a buffer dfdx could not provide.
    Adam(AdamError),
    /// The dataset (named by its `source`) has no rows.
    EmptyDataset { dataset: String },
    /// The dataset's rows are not as wide as the model's input.
    FeatureWidth { features: usize, inputs: usize },
    /// The dataset's targets do not match the head's outputs.
    TargetWidth {
        targets: usize,
        head: TargetKind,
        outputs: usize,
    },
    /// Row `row` (0-based) gives a value head neither a `value` nor a single target.
    NoOutcome { row: usize, targets: usize },
    /// Row `row` has an outcome outside `[-1, 1]`.
    OutcomeRange { row: usize, outcome: f32 },
    /// Row `row` has a negative policy target at `action`.
    NegativePolicyTarget { row: usize, action: usize },
    /// Row `row`'s policy target is zero on every legal action.
    NoLegalWeight { row: usize },
    /// The problem has no gradient to train by.
    NoGradient { problem: String },
    /// The model's widths do not match the problem's instances and solutions.
    ObjectiveWidths {
        problem: String,
        instance: usize,
        solution: usize,
        inputs: usize,
        outputs: usize,
    },
    /// Objective-based training of a model without a solution head.
    NotASolutionHead { head: TargetKind },
    /// The loss became NaN or infinite at `step` (1-based), in `epoch`.
    Diverged { step: u64, epoch: usize, lr: f32 },
    /// The best weights could not be put back.
    Model(MlpError),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            TrainError::Epochs => f.write_str("epochs must be at least 1"),
            TrainError::Batch => f.write_str("batch must be at least 1"),
            TrainError::Val { value } => write!(f, "val must be in [0, 1), found {value}"),
            TrainError::ObjectiveSchedule {
                steps,
                batch,
                eval_every,
            } => write!(
                f,
                "steps, batch and eval_every must be at least 1, found {steps}, {batch} and {eval_every}"
            ),
            TrainError::Adam(e) => e.fmt(f),
            TrainError::EmptyDataset { dataset } => {
                write!(f, "the dataset `{dataset}` is empty")
            }
            TrainError::FeatureWidth { features, inputs } => write!(
                f,
                "the dataset has {features} features per row, the model takes {inputs} inputs"
            ),
            TrainError::TargetWidth {
                targets,
                head,
                outputs,
            } => write!(
                f,
                "the dataset has {targets} target values per row, the model's {} head has {outputs} outputs",
                head.name()
            ),
            TrainError::NoOutcome { row, targets } => write!(
                f,
                "row {row} has no `value` and {targets} target values; a value head needs one outcome per row"
            ),
            TrainError::OutcomeRange { row, outcome } => write!(
                f,
                "row {row} has outcome {outcome}; a value head learns outcomes in [-1, 1]"
            ),
            TrainError::NegativePolicyTarget { row, action } => write!(
                f,
                "row {row} has a negative policy target at action {action}"
            ),
            TrainError::NoLegalWeight { row } => write!(
                f,
                "row {row}: the policy target puts no weight on a legal action"
            ),
            TrainError::NoGradient { problem } => write!(
                f,
                "`{problem}` has no gradient: objective-based amortization needs one; train on a solved dataset instead"
            ),
            TrainError::ObjectiveWidths {
                problem,
                instance,
                solution,
                inputs,
                outputs,
            } => write!(
                f,
                "`{problem}` has instances of width {instance} and solutions of width {solution}; the model maps {inputs} inputs to {outputs} outputs"
            ),
            TrainError::NotASolutionHead { head } => write!(
                f,
                "objective-based training needs a solution head, the model has a {} head",
                head.name()
            ),
            TrainError::Diverged { step, epoch, lr } => write!(
                f,
                "training diverged at step {step} (epoch {epoch}): the loss is NaN or infinite; try a lower lr than {lr}"
            ),
            TrainError::Model(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrainError::Adam(e) => Some(e),
            TrainError::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl From<AdamError> for TrainError {
    fn from(e: AdamError) -> Self {
        TrainError::Adam(e)
    }
}

impl From<MlpError> for TrainError {
    fn from(e: MlpError) -> Self {
        TrainError::Model(e)
    }
}

/// Training parameters; `Default` gives sensible values for small problems.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub lr: f32,
    pub batch: usize,
    /// Fraction of the dataset held out for validation (0 disables early stopping).
    pub val: f64,
    /// Stop after this many epochs without a better validation loss; 0 never stops early.
    pub patience: usize,
    /// Decoupled (AdamW) weight decay.
    pub weight_decay: f32,
    /// Global gradient-norm clipping threshold.
    pub clip: Option<f32>,
    pub seed: u64,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub progress: Progress,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 100,
            lr: 1e-3,
            batch: 64,
            val: 0.1,
            patience: 10,
            weight_decay: 0.0,
            clip: None,
            seed: 0,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            progress: Progress::Auto,
        }
    }
}

impl TrainConfig {
    pub fn adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            clip: self.clip,
        }
    }

    pub fn check(&self) -> Result<(), TrainError> {
        if self.epochs == 0 {
            return Err(TrainError::Epochs);
        }
        if self.batch == 0 {
            return Err(TrainError::Batch);
        }
        if !(0.0..1.0).contains(&self.val) {
            return Err(TrainError::Val { value: self.val });
        }
        Ok(self.adam().check()?)
    }
}

/// One Adam step at a time on a model, reusing its buffers between steps.
///
/// While a `Stepper` lives, the model's dfdx device keeps the buffers of
/// dropped tensors in its cache and hands them out again: every step makes
/// the same temporaries (activations, their gradients, the weights'
/// gradients), so after the first step none of them goes back to the
/// system allocator. Without it the 256-wide network's 256 KiB gradients
/// are fresh `mmap`s each step and a tenth of a step is page faults.
/// Dropping the `Stepper` turns the cache off and frees what it holds.
///
/// Networks with ReLU or tanh hidden layers (all but GELU) take the fused
/// path (`fused.rs`): the forward on plain buffers and the backward as one
/// operation on dfdx's tape, the same gradients to the bit. It reads the
/// weights from the optimizer, which then leaves the model's tensors
/// behind: call `sync` before anything else reads the model.
pub(crate) struct Stepper {
    dev: Cpu,
    adam: Adam,
    fused: Option<Fused>,
    x: Option<Matrix>,
    g: Option<Matrix>,
    xaug: Vec<f32>,
    raw: Vec<f32>,
    grad: Vec<f32>,
}

/// A tensor of `shape`, reusing `slot` when the shape matches.
fn reuse<'a>(slot: &'a mut Option<Matrix>, dev: &Cpu, shape: (usize, usize)) -> &'a mut Matrix {
    if slot.as_ref().map(|t| *t.shape()) != Some(shape) {
        *slot = Some(dev.zeros_like(&shape));
    }
    slot.get_or_insert_with(|| dev.zeros_like(&shape))
}

impl Stepper {
    pub fn new(model: &Mlp, cfg: AdamConfig) -> Result<Stepper, AdamError> {
        Stepper::build(model, cfg, true)
    }

    /// `fuse: false` keeps every network on dfdx's graph (for tests).
    fn build(model: &Mlp, cfg: AdamConfig, fuse: bool) -> Result<Stepper, AdamError> {
        let mut adam = Adam::new(model, cfg)?;
        let fused = Fused::new(model, adam.spans()).filter(|_| fuse);
        if fused.is_some() {
            adam.defer_write_back();
        }
        model.dev.enable_cache();
        Ok(Stepper {
            dev: model.dev.clone(),
            adam,
            fused,
            x: None,
            g: None,
            xaug: Vec::new(),
            raw: Vec::new(),
            grad: Vec::new(),
        })
    }

    /// One step on `rows` inputs stored contiguously in `xs`. `loss_grad`
    /// gets the raw outputs and writes `∂loss/∂raw`; its loss is returned.
    /// A non-finite loss is returned as is, before any update, so that the
    /// caller can name the step.
    pub fn step(
        &mut self,
        model: &mut Mlp,
        xs: &[f32],
        rows: usize,
        loss_grad: impl FnOnce(&[f32], &mut [f32]) -> f32,
    ) -> Result<f32, AdamError> {
        let (input, output) = (model.spec().input, model.spec().output);
        if let Some(fused) = &self.fused {
            let loss = {
                let mut ws = fused.workspace();
                let ws = &mut *ws;
                if ws.acts.is_empty() {
                    ws.acts.push(Vec::new());
                }
                augment(xs, input, &mut ws.acts[0]);
                fused.forward(self.adam.params(), ws, rows);
                ws.grad.resize(rows * output, 0.0);
                let raw = ws.acts.last().map_or(&[][..], |v| &v[..]);
                let loss = loss_grad(raw, &mut ws.grad);
                if !loss.is_finite() || ws.grad.iter().any(|g| !g.is_finite()) {
                    return Ok(f32::NAN);
                }
                loss
            };
            let params = self.adam.params().clone();
            let mut grads = fused.surrogate(&self.dev, model, params, rows).backward();
            self.adam.step(model, &mut grads)?;
            return Ok(loss);
        }
        augment(xs, input, &mut self.xaug);
        let x = reuse(&mut self.x, &model.dev, (rows, input + 1));
        x.copy_from(&self.xaug);
        let out = model.forward(x.clone().traced(Gradients::leaky()));
        let (out, tape) = out.split_tape();
        self.raw.resize(rows * output, 0.0);
        self.grad.resize(rows * output, 0.0);
        out.copy_into(&mut self.raw);
        let loss = loss_grad(&self.raw, &mut self.grad);
        if !loss.is_finite() || self.grad.iter().any(|g| !g.is_finite()) {
            return Ok(f32::NAN);
        }
        let g = reuse(&mut self.g, &model.dev, (rows, output));
        g.copy_from(&self.grad);
        let surrogate = (out.put_tape(tape) * g.clone()).sum();
        let mut grads = surrogate.backward();
        self.adam.step(model, &mut grads)?;
        Ok(loss)
    }

    pub fn steps(&self) -> u64 {
        self.adam.steps() as u64
    }

    /// Brings `model`'s tensors up to date with the optimizer's parameters
    /// (the fused path does not write them each step).
    pub fn sync(&self, model: &mut Mlp) {
        if self.fused.is_some() {
            self.adam.write_back(model);
        }
    }
}

impl Drop for Stepper {
    fn drop(&mut self) {
        self.dev.disable_cache();
    }
}

/// Rows prepared for one head: features, targets and masks as flat arrays.
struct Prepared {
    x: Vec<f32>,
    t: Vec<f32>,
    mask: Option<Vec<bool>>,
    in_dim: usize,
    t_dim: usize,
}

fn prepare(model: &Mlp, data: &Dataset) -> Result<Prepared, TrainError> {
    let spec = model.spec();
    if data.is_empty() {
        return Err(TrainError::EmptyDataset {
            dataset: data.source.clone(),
        });
    }
    if data.feature_dim != spec.input {
        return Err(TrainError::FeatureWidth {
            features: data.feature_dim,
            inputs: spec.input,
        });
    }
    let head = model.head();
    let t_dim = match head {
        Head::Value => 1,
        _ => spec.output,
    };
    if !matches!(head, Head::Value) && data.target_dim != t_dim {
        return Err(TrainError::TargetWidth {
            targets: data.target_dim,
            head: head.kind(),
            outputs: t_dim,
        });
    }
    let mut p = Prepared {
        x: Vec::with_capacity(data.len() * spec.input),
        t: Vec::with_capacity(data.len() * t_dim),
        mask: (matches!(head, Head::Policy) && data.has_mask()).then(Vec::new),
        in_dim: spec.input,
        t_dim,
    };
    for (row, e) in data.examples().iter().enumerate() {
        p.x.extend_from_slice(&e.features);
        match head {
            Head::Value => {
                let v = match (e.value, e.target.as_slice()) {
                    (Some(v), _) => v,
                    (None, [v]) => *v,
                    (None, _) => {
                        return Err(TrainError::NoOutcome {
                            row,
                            targets: e.target.len(),
                        })
                    }
                };
                if !(-1.0..=1.0).contains(&v) {
                    return Err(TrainError::OutcomeRange { row, outcome: v });
                }
                p.t.push(v);
            }
            Head::Policy => {
                let legal = |i: usize| e.mask.as_ref().is_none_or(|m| m[i]);
                if let Some(action) = e.target.iter().position(|&t| t < 0.0) {
                    return Err(TrainError::NegativePolicyTarget { row, action });
                }
                let total: f32 = (0..t_dim).filter(|&i| legal(i)).map(|i| e.target[i]).sum();
                if total.is_nan() || total <= 0.0 {
                    return Err(TrainError::NoLegalWeight { row });
                }
                p.t.extend((0..t_dim).map(|i| if legal(i) { e.target[i] / total } else { 0.0 }));
                if let Some(m) = p.mask.as_mut() {
                    match &e.mask {
                        Some(em) => m.extend_from_slice(em),
                        None => m.extend(std::iter::repeat_n(true, t_dim)),
                    }
                }
            }
            Head::Solution { .. } => p.t.extend_from_slice(&e.target),
        }
    }
    Ok(p)
}

impl Prepared {
    /// Mean head loss over `rows` (indices into the prepared data) given
    /// their raw outputs; writes gradients of that mean when `grad` is given.
    fn loss(&self, head: &Head, rows: &[usize], raw: &[f32], mut grad: Option<&mut [f32]>) -> f32 {
        let out = raw.len() / rows.len().max(1);
        let scale = 1.0 / rows.len() as f32;
        let mut scratch = vec![0.0; out];
        // The rows' targets copied out first: a shuffled batch's rows lie
        // anywhere in `t`, mostly outside the caches, and the copies' loads
        // overlap where the loss's waited one row at a time (a twentieth
        // of a step on the 256-wide network).
        let mut targets = Vec::with_capacity(rows.len() * self.t_dim);
        for &r in rows {
            targets.extend_from_slice(&self.t[r * self.t_dim..(r + 1) * self.t_dim]);
        }
        let mut total = 0.0;
        for (k, (&r, t)) in rows
            .iter()
            .zip(targets.chunks_exact(self.t_dim))
            .enumerate()
        {
            let m = self.mask.as_ref().map(|m| &m[r * out..(r + 1) * out]);
            let g = match grad.as_deref_mut() {
                Some(g) => &mut g[k * out..(k + 1) * out],
                None => &mut scratch[..],
            };
            total += head.loss_grad(&raw[k * out..(k + 1) * out], t, m, scale, g);
        }
        total * scale
    }

    fn gather(&self, rows: &[usize], into: &mut Vec<f32>) {
        into.clear();
        for &r in rows {
            into.extend_from_slice(&self.x[r * self.in_dim..(r + 1) * self.in_dim]);
        }
    }
}

/// Mean loss of `model` on `rows`, forward only, in chunks.
fn evaluate(model: &Mlp, data: &Prepared, rows: &[usize]) -> f64 {
    let mut buf = Vec::new();
    let mut total = 0.0f64;
    for chunk in rows.chunks(1024) {
        data.gather(chunk, &mut buf);
        let raw = model.raw_flat(&buf, chunk.len());
        total += f64::from(data.loss(model.head(), chunk, &raw, None)) * chunk.len() as f64;
    }
    total / rows.len().max(1) as f64
}

/// Trains `model` on `data`; returns it with the best weights and the
/// report (also stored in `model.report`).
pub fn train(
    mut model: Mlp,
    data: &Dataset,
    cfg: &TrainConfig,
) -> Result<(Mlp, TrainingReport), TrainError> {
    let start = Instant::now();
    cfg.check()?;
    let prepared = prepare(&model, data)?;

    let mut order: Vec<usize> = (0..data.len()).collect();
    Rng::new(derive_seed(cfg.seed, "train.split")).shuffle(&mut order);
    let mut n_val = (data.len() as f64 * cfg.val).round() as usize;
    if cfg.val > 0.0 && n_val == 0 && data.len() >= 2 {
        n_val = 1;
    }
    n_val = n_val.min(data.len() - 1);
    let (val_rows, train_rows) = order.split_at(n_val);
    let mut train_rows = train_rows.to_vec();

    let mut stepper = Stepper::new(&model, cfg.adam())?;
    let mut shuffle = Rng::new(derive_seed(cfg.seed, "train.shuffle"));
    let tracker = Tracker::new(cfg.progress, cfg.epochs as u64, "train");
    let fwd = model.spec().forward_flops();
    let mut report = TrainingReport::empty();
    report.dataset_hash = Some(super::checksum::hex(data.content_hash()));
    report.data_cost = data.cost;
    let mut best: Option<(f64, Vec<Vec<f32>>)> = None;
    let mut since_best = 0;
    let mut xbuf = Vec::with_capacity(cfg.batch * prepared.in_dim);
    let head = model.head().clone();

    for epoch in 1..=cfg.epochs {
        shuffle.shuffle(&mut train_rows);
        let mut epoch_loss = 0.0f64;
        for rows in train_rows.chunks(cfg.batch) {
            if crate::stop::requested() {
                break;
            }
            prepared.gather(rows, &mut xbuf);
            let loss = stepper.step(&mut model, &xbuf, rows.len(), |raw, grad| {
                prepared.loss(&head, rows, raw, Some(grad))
            })?;
            if !loss.is_finite() {
                tracker.finish();
                return Err(TrainError::Diverged {
                    step: stepper.steps() + 1,
                    epoch,
                    lr: cfg.lr,
                });
            }
            epoch_loss += f64::from(loss) * rows.len() as f64;
            report.examples_seen += rows.len() as u64;
        }
        let train_loss = epoch_loss / train_rows.len() as f64;
        stepper.sync(&mut model);
        let val_loss = (!val_rows.is_empty()).then(|| evaluate(&model, &prepared, val_rows));
        report.forward_passes += (train_rows.len() + val_rows.len()) as u64;
        report.flops += 3 * fwd * train_rows.len() as u64 + fwd * val_rows.len() as u64;
        report.epochs.push(EpochStats {
            epoch,
            train_loss,
            val_loss,
        });
        tracker.tick(train_loss, val_loss);

        if let Some(v) = val_loss {
            if !v.is_finite() {
                tracker.finish();
                return Err(TrainError::Diverged {
                    step: stepper.steps(),
                    epoch,
                    lr: cfg.lr,
                });
            }
            if best.as_ref().is_none_or(|(b, _)| v < *b) {
                best = Some((v, model.snapshot()));
                report.best_epoch = epoch;
                report.best_val_loss = Some(v);
                since_best = 0;
            } else {
                since_best += 1;
                if cfg.patience > 0 && since_best >= cfg.patience {
                    report.stopped_early = true;
                    break;
                }
            }
        } else {
            report.best_epoch = epoch;
        }
    }
    tracker.finish();
    stepper.sync(&mut model);
    if let Some((_, snap)) = &best {
        model.restore(snap)?;
    }
    report.steps = stepper.steps();
    report.wall_secs = start.elapsed().as_secs_f64();
    report.summary = summary_line(&report, model.head());
    model.report = Some(report.clone());
    Ok((model, report))
}

fn summary_line(r: &TrainingReport, head: &Head) -> String {
    let last = r.epochs.last();
    let mut s = format!(
        "trained {} head: {} epochs, {} steps, {} examples",
        head.kind().name(),
        r.epochs.len(),
        r.steps,
        r.examples_seen
    );
    if let Some(l) = last {
        s += &format!(", train loss {:.4}", l.train_loss);
    }
    if let Some(v) = r.best_val_loss {
        s += &format!(", best val loss {v:.4} at epoch {}", r.best_epoch);
    }
    if r.stopped_early {
        s += " (stopped early)";
    }
    s + &format!(", {:.2}s", r.wall_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amortized::mlp::{Activation, MlpSpec};

    /// Steps of the fused path (weights read from the optimizer, written
    /// back by `sync`) and of dfdx's graph train the same weights, bit for
    /// bit, through a smaller last batch and weight decay.
    #[test]
    fn fused_and_graph_steps_train_the_same_weights() {
        for act in [Activation::Relu, Activation::Tanh] {
            let spec = MlpSpec::new(5, vec![16, 8], 3, act);
            let head = Head::Solution { bounds: None };
            let mut fused = Mlp::new(spec.clone(), head.clone(), 4).unwrap();
            let mut graph = Mlp::new(spec, head, 4).unwrap();
            let cfg = AdamConfig {
                lr: 0.01,
                weight_decay: 0.1,
                ..AdamConfig::default()
            };
            let mut a = Stepper::new(&fused, cfg).unwrap();
            let mut b = Stepper::build(&graph, cfg, false).unwrap();
            assert!(a.fused.is_some() && b.fused.is_none());
            let mut rng = Rng::new(1);
            for rows in [32, 32, 7, 32] {
                let xs: Vec<f32> = (0..rows * 5).map(|_| rng.normal() as f32).collect();
                let target: Vec<f32> = (0..rows * 3).map(|_| rng.normal() as f32).collect();
                let loss = |raw: &[f32], grad: &mut [f32]| {
                    let mut total = 0.0;
                    for ((g, r), t) in grad.iter_mut().zip(raw).zip(&target) {
                        *g = r - t;
                        total += (r - t) * (r - t);
                    }
                    total
                };
                let la = a.step(&mut fused, &xs, rows, loss).unwrap();
                let lb = b.step(&mut graph, &xs, rows, loss).unwrap();
                assert_eq!(la.to_bits(), lb.to_bits());
            }
            let stale = fused.snapshot();
            a.sync(&mut fused);
            assert_ne!(
                stale,
                fused.snapshot(),
                "the fused path leaves the tensors to sync"
            );
            assert_eq!(fused.snapshot(), graph.snapshot(), "{act:?}");
        }
    }
}
