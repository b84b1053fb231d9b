//! A multilayer perceptron whose widths are chosen at run time.
//!
//! dfdx's `nn` layers fix their widths in the type, which a script cannot
//! do, so the MLP holds runtime-shaped tensors (`Tensor<(usize, usize), f32,
//! Cpu>`) itself: one weight matrix `in × out` and one bias per dense layer.
//! The last layer is linear; a `Head` turns its raw outputs into answers.
//! All weight sampling stays inside dfdx, on a device seeded from the
//! model's seed, so one seed gives one set of initial weights.

use std::fmt;
use std::time::Instant;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::heads::{Head, HeadError, TargetKind};
use super::training_report::TrainingReport;
use crate::cost::Cost;

/// The most trainable parameters a network may have.
pub const MAX_PARAMETERS: usize = 1 << 28;

/// `f32` copies of the parameters that training holds (see
/// `MlpSpec::training_bytes`).
const TRAINING_COPIES: u64 = 5;

/// Why a network cannot be built, asked, or restored.
#[derive(Clone, Debug, PartialEq)]
pub enum MlpError {
    /// `Activation::parse` met a name other than relu, tanh or gelu.
    UnknownActivation { name: String },
    /// A layer of width 0.
    ZeroWidth { layer: Layer },
    /// More than `MAX_PARAMETERS` weights and biases (`usize::MAX`: more
    /// than a machine word counts).
    TooManyParameters { parameters: usize },
    /// Training the network would exceed the memory budget.
    Memory(crate::memory::MemoryError),
    /// The head does not fit the output layer.
    Head(HeadError),
    /// Query `row` (0-based within its batch) has the wrong width.
    QueryWidth {
        row: usize,
        features: usize,
        inputs: usize,
    },
    /// Action probabilities were asked of a value or solution model.
    NotAPolicy { head: TargetKind },
    /// The legal-action mask does not have one entry per action.
    MaskWidth { entries: usize, actions: usize },
    /// A snapshot with the wrong number of parameter tensors.
    TensorCount { expected: usize, found: usize },
    /// A snapshot whose layer `layer` has the wrong number of values.
    TensorShape {
        layer: usize,
        rows: usize,
        cols: usize,
        weights: usize,
        biases: usize,
    },
}

/// Which layer of a network, for errors about its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Input,
    /// Hidden layer `i` (0-based).
    Hidden(usize),
    Output,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Layer::Input => f.write_str("input"),
            Layer::Hidden(i) => write!(f, "hidden layer {i}"),
            Layer::Output => f.write_str("output"),
        }
    }
}

impl fmt::Display for MlpError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MlpError::UnknownActivation { name } => write!(
                f,
                "unknown activation `{name}`: expected relu, tanh or gelu"
            ),
            MlpError::ZeroWidth { layer } => write!(
                f,
                "{layer} width is 0: every layer needs at least one unit"
            ),
            MlpError::TooManyParameters { parameters } if *parameters == usize::MAX => write!(
                f,
                "the network's widths multiply past {} parameters, more than the 268M this CPU trainer allows",
                usize::MAX
            ),
            MlpError::TooManyParameters { parameters } => write!(
                f,
                "the network has {parameters} parameters, more than the 268M this CPU trainer allows"
            ),
            MlpError::Memory(e) => e.fmt(f),
            MlpError::Head(e) => e.fmt(f),
            MlpError::QueryWidth {
                row,
                features,
                inputs,
            } => write!(
                f,
                "query {row} has {features} features, the model expects {inputs}"
            ),
            MlpError::NotAPolicy { head } => write!(
                f,
                "this model has a {} head; action probabilities need a policy head",
                head.name()
            ),
            MlpError::MaskWidth { entries, actions } => write!(
                f,
                "the legal-action mask has {entries} entries, the model has {actions} actions"
            ),
            MlpError::TensorCount { expected, found } => write!(
                f,
                "expected {expected} parameter tensors, found {found}"
            ),
            MlpError::TensorShape {
                layer,
                rows,
                cols,
                weights,
                biases,
            } => write!(
                f,
                "layer {layer}: expected a {rows}×{cols} weight and {cols} biases, found {weights} and {biases} values"
            ),
        }
    }
}

impl std::error::Error for MlpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MlpError::Head(e) => Some(e),
            MlpError::Memory(e) => Some(e),
            _ => None,
        }
    }
}

impl From<HeadError> for MlpError {
    fn from(e: HeadError) -> Self {
        MlpError::Head(e)
    }
}

/// The hidden-layer nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Tanh,
    /// The tanh approximation of GELU (dfdx's `fast_gelu`).
    Gelu,
}

impl Activation {
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Gelu => "gelu",
        }
    }

    /// Parses `relu`, `tanh` or `gelu`.
    pub fn parse(s: &str) -> Result<Activation, MlpError> {
        match s {
            "relu" => Ok(Activation::Relu),
            "tanh" => Ok(Activation::Tanh),
            "gelu" => Ok(Activation::Gelu),
            other => Err(MlpError::UnknownActivation {
                name: other.to_string(),
            }),
        }
    }
}

/// The architecture: input width, hidden widths, output width, activation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpSpec {
    pub input: usize,
    pub hidden: Vec<usize>,
    pub output: usize,
    pub act: Activation,
}

impl MlpSpec {
    pub fn new(input: usize, hidden: Vec<usize>, output: usize, act: Activation) -> Self {
        MlpSpec {
            input,
            hidden,
            output,
            act,
        }
    }

    /// All widths, input first and output last.
    pub fn widths(&self) -> Vec<usize> {
        let mut w = Vec::with_capacity(self.hidden.len() + 2);
        w.push(self.input);
        w.extend(&self.hidden);
        w.push(self.output);
        w
    }

    /// Multiply-adds of one forward pass of one row (saturating: a
    /// sidecar may claim absurd widths).
    pub fn macs(&self) -> u64 {
        self.widths()
            .windows(2)
            .map(|p| (p[0] as u64).saturating_mul(p[1] as u64))
            .fold(0u64, u64::saturating_add)
    }

    /// FLOPs of one forward pass of one row (two per multiply-add).
    pub fn forward_flops(&self) -> u64 {
        self.macs().saturating_mul(2)
    }

    /// Trainable parameters (weights and biases), in checked arithmetic:
    /// `usize::MAX` when the count overflows (a sidecar may claim any
    /// widths), which every cap rejects.
    pub fn parameters(&self) -> usize {
        self.widths()
            .windows(2)
            .try_fold(0usize, |sum, p| {
                p[0].checked_mul(p[1])?.checked_add(p[1])?.checked_add(sum)
            })
            .unwrap_or(usize::MAX)
    }

    /// Bytes training one such network holds: weights, gradients, Adam's
    /// two moments and the best epoch's snapshot (five `f32` copies).
    pub fn training_bytes(&self) -> u64 {
        (self.parameters() as u64).saturating_mul(4 * TRAINING_COPIES)
    }

    /// The parameter tensors `Mlp::weights` lists, as `(name, shape)`,
    /// computed from the widths alone (nothing allocated).
    pub fn tensor_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let widths = self.widths();
        let mut out = Vec::with_capacity(2 * (widths.len() - 1));
        for (i, p) in widths.windows(2).enumerate() {
            out.push((format!("layer{i}.weight"), vec![p[0], p[1]]));
            out.push((format!("layer{i}.bias"), vec![p[1]]));
        }
        out
    }

    /// Rejects zero widths and absurd sizes before dfdx sees them.
    pub fn check(&self) -> Result<(), MlpError> {
        let widths = self.widths();
        if let Some(i) = widths.iter().position(|&w| w == 0) {
            let layer = if i == 0 {
                Layer::Input
            } else if i == widths.len() - 1 {
                Layer::Output
            } else {
                Layer::Hidden(i - 1)
            };
            return Err(MlpError::ZeroWidth { layer });
        }
        let parameters = self.parameters();
        if parameters > MAX_PARAMETERS {
            return Err(MlpError::TooManyParameters { parameters });
        }
        crate::memory::check(
            format!("a network of {parameters} parameters"),
            "hidden",
            Some(self.training_bytes()),
        )
        .map_err(MlpError::Memory)
    }
}

pub(crate) type Matrix = Tensor<(usize, usize), f32, Cpu>;
pub(crate) type Vector = Tensor<(usize,), f32, Cpu>;

/// One dense layer: `y = x·w + b` with `w` of shape `in × out`.
///
/// The first layer has no separate bias: its `w` carries the bias as an
/// extra last row and the network's input an extra constant 1 (see
/// `augment`), so that the bias add and its gradient ride inside the
/// matmul instead of a broadcast pass over every activation.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    pub w: Matrix,
    pub b: Option<Vector>,
}

/// `act(h + b)` (`b`, if any, added to every row) as one dfdx operation: one pass
/// forward and one backward, where dfdx's broadcast add and activation take
/// two each, walking their operands element by element through strided
/// indices. The backward is recorded on `h`'s tape like any dfdx op, and it
/// rounds as dfdx's pair does (`∂z = 0 + act'·∂y`, then `∂h += ∂z` and
/// `∂b += ∂z` row after row), so values and gradients are the same bits
/// (`fused_bias_activation_matches_dfdx_bit_for_bit`). ReLU and tanh only:
/// their derivatives come from the output alone.
fn bias_act<T: Tape<f32, Cpu>>(
    dev: &Cpu,
    h: Tensor<(usize, usize), f32, Cpu, T>,
    b: Option<&Vector>,
    act: Activation,
) -> Tensor<(usize, usize), f32, Cpu, T> {
    let (h, mut tape) = h.split_tape();
    let (rows, cols) = *h.shape();
    let mut bias = scratch::take(cols);
    if let Some(b) = b {
        b.copy_into(&mut bias);
    }
    let mut y = scratch::take(rows * cols);
    h.copy_into(&mut y);
    match (act, b.is_some()) {
        (Activation::Relu, true) => {
            for row in y.chunks_exact_mut(cols) {
                for (v, &b) in row.iter_mut().zip(&bias) {
                    *v = (*v + b).max(0.0);
                }
            }
        }
        (Activation::Relu, false) => y.iter_mut().for_each(|v| *v = v.max(0.0)),
        (_, true) => {
            for row in y.chunks_exact_mut(cols) {
                for (v, &b) in row.iter_mut().zip(&bias) {
                    *v = (*v + b).tanh();
                }
            }
        }
        (_, false) => y.iter_mut().for_each(|v| *v = v.tanh()),
    }
    scratch::give(bias);
    // Into a tensor from dfdx's cache (not `tensor_from_vec(y)`), so that
    // the cache gets back as many buffers as it hands out.
    let mut out = dev.zeros_like(&(rows, cols));
    out.copy_from(&y);
    if !T::OWNS_TAPE {
        scratch::give(y);
    } else {
        let fx = y;
        let (out_id, b) = (out.clone(), b.cloned());
        tape.add_backward_op(move |grads| {
            // ∂y becomes ∂z in place: it is taken out of the gradients for
            // the time it takes to borrow ∂h and ∂b, then put back.
            let mut dz = std::mem::take(&mut **grads.get_or_alloc_mut(&out_id)?);
            match act {
                Activation::Relu => {
                    for (d, &y) in dz.iter_mut().zip(&fx) {
                        let df = if y > 0.0 { 1.0 } else { 0.0 };
                        *d = 0.0 + df * *d;
                    }
                }
                _ => {
                    for (d, &y) in dz.iter_mut().zip(&fx) {
                        *d = 0.0 + (1.0 - y.powi(2)) * *d;
                    }
                }
            }
            for (g, &d) in grads.get_or_alloc_mut(&h)?.iter_mut().zip(&dz) {
                *g += d;
            }
            if let Some(b) = &b {
                let gb = grads.get_or_alloc_mut(b)?;
                for row in dz.chunks_exact(cols) {
                    for (g, &d) in gb.iter_mut().zip(row) {
                        *g += d;
                    }
                }
            }
            **grads.get_or_alloc_mut(&out_id)? = dz;
            scratch::give(fx);
            Ok(())
        });
    }
    out.put_tape(tape)
}

/// Per-thread buffers `bias_act` borrows for a forward pass and its
/// backward, so that a training step allocates none of its own.
mod scratch {
    use std::cell::RefCell;

    thread_local! {
        static POOL: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
    }

    /// A buffer of `n` zeros.
    pub fn take(n: usize) -> Vec<f32> {
        let mut v = POOL.with(|p| p.borrow_mut().pop()).unwrap_or_default();
        v.clear();
        v.resize(n, 0.0);
        v
    }

    /// Returns a buffer to this thread's pool (a few are kept).
    pub fn give(v: Vec<f32>) {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 8 {
                p.push(v);
            }
        });
    }
}

/// Appends the constant-1 input that carries the first layer's bias.
pub(crate) fn augment(xs: &[f32], input: usize, out: &mut Vec<f32>) {
    out.clear();
    for row in xs.chunks(input) {
        out.extend_from_slice(row);
        out.push(1.0);
    }
}

/// A trained or untrained network with its head, seed and training record.
#[derive(Clone, Debug)]
pub struct Mlp {
    spec: MlpSpec,
    head: Head,
    seed: u64,
    pub(crate) dev: Cpu,
    pub(crate) layers: Vec<Dense>,
    /// How the model was trained, kept for break-even reports.
    pub report: Option<TrainingReport>,
}

impl Mlp {
    /// A freshly initialized network: weights and biases uniform in
    /// `±1/√fan_in` (PyTorch's default), drawn by dfdx from `seed`.
    pub fn new(spec: MlpSpec, head: Head, seed: u64) -> Result<Mlp, MlpError> {
        spec.check()?;
        head.check(spec.output)?;
        let dev = Cpu::seed_from_u64(seed);
        let layers = spec
            .widths()
            .windows(2)
            .enumerate()
            .map(|(i, p)| {
                let bound = 1.0 / (p[0] as f32).sqrt();
                let w = dev.sample_uniform_like(&(p[0], p[1])) * (2.0 * bound) - bound;
                let b = dev.sample_uniform_like(&(p[1],)) * (2.0 * bound) - bound;
                if i == 0 {
                    let mut wb = w.as_vec();
                    wb.extend(b.as_vec());
                    Dense {
                        w: dev.tensor_from_vec(wb, (p[0] + 1, p[1])),
                        b: None,
                    }
                } else {
                    Dense { w, b: Some(b) }
                }
            })
            .collect();
        Ok(Mlp {
            spec,
            head,
            seed,
            dev,
            layers,
            report: None,
        })
    }

    pub fn spec(&self) -> &MlpSpec {
        &self.spec
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Raw outputs for a batch; generic over the tape so training and
    /// inference share one definition of the network.
    pub(crate) fn forward<T: Tape<f32, Cpu> + Merge<NoneTape>>(
        &self,
        x: Tensor<(usize, usize), f32, Cpu, T>,
    ) -> Tensor<(usize, usize), f32, Cpu, T> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = h.matmul(layer.w.clone());
            let act = (i < last).then_some(self.spec.act);
            h = match (&layer.b, act) {
                (b, Some(a @ (Activation::Relu | Activation::Tanh))) => {
                    bias_act(&self.dev, h, b.as_ref(), a)
                }
                (b, act) => {
                    if let Some(b) = b {
                        let shape = (h.shape().0, b.shape().0);
                        h = h + b.clone().broadcast_like::<_, Axis<0>>(&shape);
                    }
                    match act {
                        None => h,
                        Some(Activation::Relu) => h.relu(),
                        Some(Activation::Tanh) => h.tanh(),
                        Some(Activation::Gelu) => h.fast_gelu(),
                    }
                }
            };
        }
        h
    }

    fn check_row(&self, row: usize, x: &[f32]) -> Result<(), MlpError> {
        if x.len() != self.spec.input {
            return Err(MlpError::QueryWidth {
                row,
                features: x.len(),
                inputs: self.spec.input,
            });
        }
        Ok(())
    }

    /// Raw outputs of `rows` rows stored contiguously in `flat`.
    pub(crate) fn raw_flat(&self, flat: &[f32], rows: usize) -> Vec<f32> {
        let mut xs = Vec::with_capacity(rows * (self.spec.input + 1));
        augment(flat, self.spec.input, &mut xs);
        let x = self.dev.tensor_from_vec(xs, (rows, self.spec.input + 1));
        self.forward(x).as_vec()
    }

    fn cost_of(&self, rows: usize, start: Instant) -> Cost {
        Cost {
            forward_passes: rows as u64,
            flops: rows as u64 * self.spec.forward_flops(),
            wall: start.elapsed(),
            ..Cost::default()
        }
    }

    /// The answer for one query (probabilities over all actions for a
    /// policy, the outcome for a value, `θ` for a solution).
    pub fn predict(&self, x: &[f32]) -> Result<(Vec<f32>, Cost), MlpError> {
        let start = Instant::now();
        self.check_row(0, x)?;
        let raw = self.raw_flat(x, 1);
        let mut out = vec![0.0; self.spec.output];
        self.head.answer(&raw, None, &mut out);
        Ok((out, self.cost_of(1, start)))
    }

    /// Answers for many queries in one batched forward pass.
    pub fn predict_batch(&self, xs: &[Vec<f32>]) -> Result<(Vec<Vec<f32>>, Cost), MlpError> {
        let start = Instant::now();
        if xs.is_empty() {
            return Ok((Vec::new(), self.cost_of(0, start)));
        }
        let mut flat = Vec::with_capacity(xs.len() * self.spec.input);
        for (i, x) in xs.iter().enumerate() {
            self.check_row(i, x)?;
            flat.extend_from_slice(x);
        }
        let raw = self.raw_flat(&flat, xs.len());
        let out = raw
            .chunks(self.spec.output)
            .map(|r| {
                let mut o = vec![0.0; self.spec.output];
                self.head.answer(r, None, &mut o);
                o
            })
            .collect();
        Ok((out, self.cost_of(xs.len(), start)))
    }

    /// Action probabilities for one position, zero on illegal actions.
    pub fn policy(&self, x: &[f32], mask: &[bool]) -> Result<(Vec<f32>, Cost), MlpError> {
        let start = Instant::now();
        if self.head != Head::Policy {
            return Err(MlpError::NotAPolicy {
                head: self.head.kind(),
            });
        }
        self.check_row(0, x)?;
        if mask.len() != self.spec.output {
            return Err(MlpError::MaskWidth {
                entries: mask.len(),
                actions: self.spec.output,
            });
        }
        let raw = self.raw_flat(x, 1);
        let mut out = vec![0.0; self.spec.output];
        self.head.answer(&raw, Some(mask), &mut out);
        Ok((out, self.cost_of(1, start)))
    }

    /// Every parameter tensor as `(name, shape, values)`, layer by layer
    /// (`layer0.weight` of shape `in × out`, `layer0.bias`, …), for
    /// checkpoints and snapshots.
    pub fn weights(&self) -> Vec<(String, Vec<usize>, Vec<f32>)> {
        let mut out = Vec::with_capacity(2 * self.layers.len());
        for (i, l) in self.layers.iter().enumerate() {
            let (r, c) = *l.w.shape();
            let mut w = l.w.as_vec();
            let (rows, b) = match &l.b {
                Some(b) => (r, b.as_vec()),
                None => (r - 1, w.split_off((r - 1) * c)),
            };
            out.push((format!("layer{i}.weight"), vec![rows, c], w));
            out.push((format!("layer{i}.bias"), vec![c], b));
        }
        out
    }

    /// The values of `weights()`, weight then bias, layer by layer.
    pub(crate) fn snapshot(&self) -> Vec<Vec<f32>> {
        self.weights().into_iter().map(|(_, _, v)| v).collect()
    }

    /// Restores parameters from `snapshot` (the layout of `weights()`),
    /// checking every length first so that a mismatch leaves the model
    /// untouched.
    pub(crate) fn restore(&mut self, snap: &[Vec<f32>]) -> Result<(), MlpError> {
        let widths = self.spec.widths();
        if snap.len() != 2 * self.layers.len() {
            return Err(MlpError::TensorCount {
                expected: 2 * self.layers.len(),
                found: snap.len(),
            });
        }
        for (i, p) in widths.windows(2).enumerate() {
            let (r, c) = (p[0], p[1]);
            if snap[2 * i].len() != r * c || snap[2 * i + 1].len() != c {
                return Err(MlpError::TensorShape {
                    layer: i,
                    rows: r,
                    cols: c,
                    weights: snap[2 * i].len(),
                    biases: snap[2 * i + 1].len(),
                });
            }
        }
        for (i, l) in self.layers.iter_mut().enumerate() {
            match &mut l.b {
                Some(b) => {
                    l.w.copy_from(&snap[2 * i]);
                    b.copy_from(&snap[2 * i + 1]);
                }
                None => {
                    let mut wb = snap[2 * i].clone();
                    wb.extend_from_slice(&snap[2 * i + 1]);
                    l.w.copy_from(&wb);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused bias + activation gives the values and the gradients (for
    /// the input, the bias and, through the matmul, the weights) that dfdx's
    /// own broadcast add and activation give, bit for bit.
    #[test]
    fn fused_bias_activation_matches_dfdx_bit_for_bit() {
        let dev = Cpu::seed_from_u64(3);
        for act in [Activation::Relu, Activation::Tanh] {
            for (rows, inner, cols) in [(1, 3, 5), (7, 33, 20), (64, 64, 64)] {
                let x: Matrix = dev.sample_normal_like(&(rows, inner));
                let w: Matrix = dev.sample_normal_like(&(inner, cols));
                let b: Vector = dev.sample_normal_like(&(cols,));
                // Half the ReLU's inputs are negative: both branches of
                // its derivative are taken.
                let g: Matrix = dev.sample_normal_like(&(rows, cols));
                let run = |fused: bool, bias: bool| {
                    let h = x.clone().traced(Gradients::leaky()).matmul(w.clone());
                    let y = if fused {
                        bias_act(&dev, h, bias.then_some(&b), act)
                    } else {
                        let z = if bias {
                            h + b.clone().broadcast_like::<_, Axis<0>>(&(rows, cols))
                        } else {
                            h
                        };
                        match act {
                            Activation::Relu => z.relu(),
                            _ => z.tanh(),
                        }
                    };
                    let (y, tape) = y.split_tape();
                    let values = y.as_vec();
                    let mut grads = (y.put_tape(tape) * g.clone()).sum().backward();
                    let mut got = vec![values];
                    got.push(grads.get_or_alloc_mut(&x).unwrap().to_vec());
                    got.push(grads.get_or_alloc_mut(&w).unwrap().to_vec());
                    got.push(grads.get_or_alloc_mut(&b).unwrap().to_vec());
                    got.into_iter()
                        .map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>())
                        .collect::<Vec<_>>()
                };
                for bias in [true, false] {
                    let (fused, reference) = (run(true, bias), run(false, bias));
                    assert_eq!(
                        fused[3].iter().any(|&b| b != 0),
                        bias,
                        "the bias has a gradient when it is used"
                    );
                    assert_eq!(fused, reference, "{act:?}, {rows}×{inner}×{cols}, {bias}");
                }
            }
        }
    }

    #[test]
    fn models_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Mlp>();
    }

    #[test]
    fn counts_flops_per_dense_layer() {
        let spec = MlpSpec::new(8, vec![64, 64], 4, Activation::Relu);
        assert_eq!(spec.macs(), 8 * 64 + 64 * 64 + 64 * 4);
        assert_eq!(spec.forward_flops(), 2 * (8 * 64 + 64 * 64 + 64 * 4));
        assert_eq!(spec.parameters(), 8 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4);
    }

    #[test]
    fn rejects_bad_shapes_without_panicking() {
        let zero = MlpSpec::new(3, vec![0], 2, Activation::Tanh);
        let err = Mlp::new(zero, Head::Solution { bounds: None }, 0).unwrap_err();
        assert_eq!(
            err,
            MlpError::ZeroWidth {
                layer: Layer::Hidden(0)
            }
        );
        assert_eq!(
            err.to_string(),
            "hidden layer 0 width is 0: every layer needs at least one unit"
        );
        let spec = MlpSpec::new(3, vec![4], 2, Activation::Tanh);
        let m = Mlp::new(spec, Head::Solution { bounds: None }, 0).unwrap();
        let err = m.predict(&[1.0, 2.0]).unwrap_err();
        assert_eq!(
            err,
            MlpError::QueryWidth {
                row: 0,
                features: 2,
                inputs: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "query 0 has 2 features, the model expects 3"
        );
        assert!(m.policy(&[0.0; 3], &[true, true]).is_err());
    }

    #[test]
    fn same_seed_same_weights_and_batched_matches_single() {
        let spec = MlpSpec::new(3, vec![5], 2, Activation::Gelu);
        let a = Mlp::new(spec.clone(), Head::Solution { bounds: None }, 9).unwrap();
        let b = Mlp::new(spec.clone(), Head::Solution { bounds: None }, 9).unwrap();
        let c = Mlp::new(spec, Head::Solution { bounds: None }, 10).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
        assert_ne!(a.snapshot(), c.snapshot());
        let (one, cost) = a.predict(&[0.1, 0.2, 0.3]).unwrap();
        let (many, _) = a
            .predict_batch(&[vec![0.1, 0.2, 0.3], vec![1.0, 0.0, 0.0]])
            .unwrap();
        assert_eq!(cost.forward_passes, 1);
        assert_eq!(cost.flops, 2 * (3 * 5 + 5 * 2));
        for (x, y) in one.iter().zip(&many[0]) {
            assert!((x - y).abs() < 1e-6);
        }
    }
}
