//! The training step's forward and backward for networks whose hidden
//! layers use ReLU or tanh, as one operation on dfdx's tape.
//!
//! Built from dfdx's own operations, a step of a three-layer network makes
//! a dozen tensors (each matmul's output, each activation's, their
//! gradients, the input's gradient), each taken from dfdx's cache and
//! zero-filled, and copies most of them once more. Here every dense layer
//! (`x·w`, then the bias and the activation in place) runs on plain
//! row-major buffers that live from step to step in a `Workspace`, with
//! `gemm` (the crate dfdx's matmul calls) called directly, the weights read
//! from the optimizer's flat copy (`Adam::params`). The backward is
//! recorded on dfdx's tape like any dfdx operation, and writes the weights'
//! and biases' gradients into dfdx's `Gradients`, where `Adam::step` finds
//! them. It skips the one gradient nobody reads: the network input's.
//!
//! Every `gemm` call is the one dfdx's matmul makes (same operands, strides
//! and accumulation), and the bias, activation and their derivatives round
//! as `mlp.rs`'s `bias_act` and dfdx's broadcast add do, so the gradients
//! are the same bits as dfdx's graph gives
//! (`fused_step_matches_dfdx_bit_for_bit`) and training is unchanged.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use dfdx::prelude::*;

use super::mlp::{Activation, Matrix, Mlp, Vector};

/// The width below which a layer is narrow (its products are laid out
/// column-major): the `f32`s of one AVX-512 vector, gemm's widest; on a
/// machine without AVX-512 it is only this threshold.
const LANES: usize = 16;

/// Buffers one step writes and its backward reads; kept between steps.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// `acts[0]`: the inputs with the constant 1 appended (`augment`);
    /// `acts[l + 1]`: layer `l`'s outputs after its activation; the last
    /// holds the raw outputs.
    pub acts: Vec<Vec<f32>>,
    /// `∂loss/∂raw`, written by the caller after `forward`.
    pub grad: Vec<f32>,
    /// The gradient at the current layer's pre-activation, and at its input.
    dz: Vec<f32>,
    dh: Vec<f32>,
}

/// Where one dense layer's parameters sit in `Adam::params`.
#[derive(Clone, Debug)]
struct LayerSpan {
    fan_in: usize,
    fan_out: usize,
    w: Range<usize>,
    b: Option<Range<usize>>,
}

/// The fused step for one model: its layers' shapes and parameter spans,
/// and the shared `Workspace`.
#[derive(Debug)]
pub(crate) struct Fused {
    act: Activation,
    layers: Arc<[LayerSpan]>,
    ws: Arc<Mutex<Workspace>>,
}

impl Fused {
    /// `None` when the hidden activation is not ReLU or tanh (GELU's
    /// derivative needs its input, which this path does not keep), or when
    /// `spans` does not list `model`'s tensors in order.
    pub fn new(model: &Mlp, spans: &[Range<usize>]) -> Option<Fused> {
        let act = model.spec().act;
        let hidden = !model.spec().hidden.is_empty();
        if hidden && !matches!(act, Activation::Relu | Activation::Tanh) {
            return None;
        }
        let mut spans = spans.iter().cloned();
        let mut layers = Vec::with_capacity(model.layers.len());
        for l in &model.layers {
            let (fan_in, fan_out) = *l.w.shape();
            let w = spans.next().filter(|r| r.len() == fan_in * fan_out)?;
            let b = match &l.b {
                Some(_) => Some(spans.next().filter(|r| r.len() == fan_out)?),
                None => None,
            };
            layers.push(LayerSpan {
                fan_in,
                fan_out,
                w,
                b,
            });
        }
        Some(Fused {
            act,
            layers: layers.into(),
            ws: Arc::default(),
        })
    }

    /// Locks the workspace (a poisoned lock only means an earlier step
    /// panicked; every buffer is rewritten before it is read).
    pub fn workspace(&self) -> std::sync::MutexGuard<'_, Workspace> {
        self.ws.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the network on the `rows` rows of `ws.acts[0]` (inputs already
    /// augmented), leaving every layer's outputs in `ws.acts`.
    pub fn forward(&self, params: &[f32], ws: &mut Workspace, rows: usize) {
        let last = self.layers.len() - 1;
        ws.acts.resize_with(self.layers.len() + 1, Vec::new);
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = ws.acts.split_at_mut(l + 1);
            let (x, y) = (&done[l], &mut rest[0]);
            let (k, n) = (layer.fan_in, layer.fan_out);
            let w = &params[layer.w.clone()];
            // Every value is written by the matmul: no zero fill needed.
            y.resize(rows * n, 0.0);
            if n < LANES && rows > n {
                // As for a narrow ∂w (see `surrogate`): column-major, then
                // copied into place; the same values, ~1.7× faster for 4.
                let t = &mut ws.dz;
                t.resize(rows * n, 0.0);
                matmul(
                    (rows, k, n),
                    false,
                    (x, [k, 1]),
                    (w, [n, 1]),
                    (t, [1, rows]),
                );
                for (r, row) in y.chunks_exact_mut(n).enumerate() {
                    for (o, v) in row.iter_mut().enumerate() {
                        *v = t[o * rows + r];
                    }
                }
            } else {
                matmul((rows, k, n), false, (x, [k, 1]), (w, [n, 1]), (y, [n, 1]));
            }
            let bias = layer.b.clone().map(|r| &params[r]);
            let act = (l < last).then_some(self.act);
            bias_act(y, n, bias, act);
        }
    }

    /// Records on a fresh tape the operation whose gradient is `ws.grad`
    /// pushed back through the network: a scalar `s = Σ raw ⊙ grad`
    /// (`grad` held constant) whose `backward()` leaves `∂loss/∂w` and
    /// `∂loss/∂b` for every layer in the returned `Gradients`.
    pub fn surrogate(
        &self,
        dev: &Cpu,
        model: &Mlp,
        params: Arc<Vec<f32>>,
        rows: usize,
    ) -> Tensor<(), f32, Cpu, OwnedTape<f32, Cpu>> {
        let value = {
            let ws = self.workspace();
            let raw = ws.acts.last().map_or(&[][..], |v| &v[..]);
            raw.iter().zip(&ws.grad).map(|(r, g)| r * g).sum::<f32>()
        };
        let mut s: Tensor<(), f32, Cpu> = dev.zeros();
        s.copy_from(&[value]);
        let (s, mut tape) = s.traced(Gradients::leaky()).split_tape();
        let tensors: Vec<(Matrix, Option<Vector>)> = model
            .layers
            .iter()
            .map(|l| (l.w.clone(), l.b.clone()))
            .collect();
        let (ws, layers, act, out) = (self.ws.clone(), self.layers.clone(), self.act, s.clone());
        tape.add_backward_op(move |grads| {
            let scale = grads.get_or_alloc_mut(&out)?[0];
            let mut ws = ws.lock().unwrap_or_else(PoisonError::into_inner);
            let Workspace { acts, grad, dz, dh } = &mut *ws;
            // `0.0 +` as dfdx's accumulation into a zeroed gradient: -0 becomes 0.
            dz.clear();
            dz.extend(grad.iter().map(|&g| 0.0 + g * scale));
            let last = layers.len() - 1;
            for (l, layer) in layers.iter().enumerate().rev() {
                let (k, n) = (layer.fan_in, layer.fan_out);
                if l < last {
                    act_backward(act, &acts[l + 1], dz);
                }
                let (w, b) = &tensors[l];
                let gw = grads.get_or_alloc_mut(w)?;
                if n < LANES {
                    // Written row-major, ∂w would put its few columns on
                    // `gemm`'s vector lanes; column-major puts its rows
                    // there (6× faster for 4 columns), and the values are
                    // the same: each is still one sum over the rows in order.
                    dh.resize(k * n, 0.0);
                    matmul(
                        (k, rows, n),
                        false,
                        (&acts[l], [1, k]),
                        (dz, [n, 1]),
                        (dh, [1, k]),
                    );
                    for (i, row) in gw.chunks_exact_mut(n).enumerate() {
                        for (o, g) in row.iter_mut().enumerate() {
                            *g += dh[o * k + i];
                        }
                    }
                } else {
                    matmul(
                        (k, rows, n),
                        true,
                        (&acts[l], [1, k]),
                        (dz, [n, 1]),
                        (gw, [n, 1]),
                    );
                }
                if let Some(b) = b {
                    let gb = grads.get_or_alloc_mut(b)?;
                    for row in dz.chunks_exact(n) {
                        for (g, &d) in gb.iter_mut().zip(row) {
                            *g += d;
                        }
                    }
                }
                if l > 0 {
                    dh.resize(rows * k, 0.0);
                    matmul(
                        (rows, n, k),
                        false,
                        (dz, [n, 1]),
                        (&params[layer.w.clone()], [1, n]),
                        (dh, [k, 1]),
                    );
                    std::mem::swap(dz, dh);
                }
            }
            Ok(())
        });
        s.put_tape(tape)
    }
}

/// `y ← act(y + b)` row by row (`b`, if any, added to every row), rounding
/// as `bias_act` and dfdx's broadcast add do.
fn bias_act(y: &mut [f32], cols: usize, b: Option<&[f32]>, act: Option<Activation>) {
    match (b, act) {
        (Some(b), Some(Activation::Relu)) => {
            for row in y.chunks_exact_mut(cols) {
                for (v, &b) in row.iter_mut().zip(b) {
                    *v = (*v + b).max(0.0);
                }
            }
        }
        (Some(b), Some(_)) => {
            for row in y.chunks_exact_mut(cols) {
                for (v, &b) in row.iter_mut().zip(b) {
                    *v = (*v + b).tanh();
                }
            }
        }
        (Some(b), None) => {
            for row in y.chunks_exact_mut(cols) {
                for (v, &b) in row.iter_mut().zip(b) {
                    *v += b;
                }
            }
        }
        (None, Some(Activation::Relu)) => y.iter_mut().for_each(|v| *v = v.max(0.0)),
        (None, Some(_)) => y.iter_mut().for_each(|v| *v = v.tanh()),
        (None, None) => {}
    }
}

/// `d ← 0 + act'·d`, the derivative taken from the activation's output `y`.
fn act_backward(act: Activation, y: &[f32], d: &mut [f32]) {
    match act {
        Activation::Relu => {
            for (d, &y) in d.iter_mut().zip(y) {
                let df = if y > 0.0 { 1.0 } else { 0.0 };
                *d = 0.0 + df * *d;
            }
        }
        _ => {
            for (d, &y) in d.iter_mut().zip(y) {
                *d = 0.0 + (1.0 - y.powi(2)) * *d;
            }
        }
    }
}

/// The last element a matrix of `rows × cols` with `strides` touches, plus one.
fn extent((rows, cols): (usize, usize), [rs, cs]: [usize; 2]) -> usize {
    if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * rs + (cols - 1) * cs + 1
    }
}

/// `c = a·b` (`accumulate`: `c += a·b`) for `a` of `m × k`, `b` of `k × n`
/// and `c` of `m × n`, each a slice with its `[row, column]` strides: the
/// call dfdx's CPU matmul makes (`MatMulImpl::matmul` for `f32`), threads
/// included, so that results are the same bits.
fn matmul(
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    (a, astr): (&[f32], [usize; 2]),
    (b, bstr): (&[f32], [usize; 2]),
    (c, cstr): (&mut [f32], [usize; 2]),
) {
    // The bounds `gemm` relies on; the callers' shapes guarantee them.
    assert!(
        extent((m, k), astr) <= a.len()
            && extent((k, n), bstr) <= b.len()
            && extent((m, n), cstr) <= c.len(),
        "matmul operands smaller than their shapes"
    );
    // SAFETY: every element `gemm` reads or writes lies inside the slices
    // (checked above), and `c` does not alias `a` or `b` (it is borrowed
    // mutably while they are borrowed).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            cstr[1] as isize,
            cstr[0] as isize,
            accumulate,
            a.as_ptr(),
            astr[1] as isize,
            astr[0] as isize,
            b.as_ptr(),
            bstr[1] as isize,
            bstr[0] as isize,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amortized::adam::{Adam, AdamConfig};
    use crate::amortized::heads::Head;
    use crate::amortized::mlp::{augment, MlpSpec};
    use crate::rng::Rng;

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|f| f.to_bits()).collect()
    }

    /// The fused forward gives dfdx's raw outputs, and its backward every
    /// weight's and bias's gradient, bit for bit, for ReLU and tanh, with
    /// no hidden layer, one, or two, batches of one row or many, and
    /// outputs narrower and wider than a vector.
    #[test]
    fn fused_step_matches_dfdx_bit_for_bit() {
        let mut rng = Rng::new(5);
        for act in [Activation::Relu, Activation::Tanh] {
            for hidden in [vec![], vec![5], vec![7, 20], vec![64, 64]] {
                for (rows, output) in [(1, 4), (3, 4), (64, 4), (64, 1), (33, 20)] {
                    let input = 9;
                    let spec = MlpSpec::new(input, hidden.clone(), output, act);
                    let model = Mlp::new(spec, Head::Solution { bounds: None }, 11).unwrap();
                    let adam = Adam::new(&model, AdamConfig::default()).unwrap();
                    let fused = Fused::new(&model, adam.spans()).expect("relu and tanh fuse");
                    let xs: Vec<f32> = (0..rows * input).map(|_| rng.normal() as f32).collect();
                    let g: Vec<f32> = (0..rows * output).map(|_| rng.normal() as f32).collect();
                    let mut xaug = Vec::new();
                    augment(&xs, input, &mut xaug);

                    let raw = {
                        let mut ws = fused.workspace();
                        ws.acts = vec![xaug.clone()];
                        fused.forward(adam.params(), &mut ws, rows);
                        ws.grad = g.clone();
                        ws.acts.last().unwrap().clone()
                    };
                    let params = adam.params().clone();
                    let mut got = fused.surrogate(&model.dev, &model, params, rows).backward();

                    let x = model.dev.tensor_from_vec(xaug, (rows, input + 1));
                    let (out, tape) = model.forward(x.traced(Gradients::leaky())).split_tape();
                    assert_eq!(bits(&raw), bits(&out.as_vec()), "{act:?} {hidden:?} {rows}");
                    let gt = model.dev.tensor_from_vec(g, (rows, output));
                    let mut want = (out.put_tape(tape) * gt).sum().backward();
                    for (i, l) in model.layers.iter().enumerate() {
                        let (a, b) = (
                            got.get_or_alloc_mut(&l.w).unwrap().to_vec(),
                            want.get_or_alloc_mut(&l.w).unwrap().to_vec(),
                        );
                        assert!(a.iter().any(|&v| v != 0.0), "layer {i} has a gradient");
                        assert_eq!(bits(&a), bits(&b), "{act:?} {hidden:?} {rows}: w{i}");
                        if let Some(bias) = &l.b {
                            let (a, b) = (
                                got.get_or_alloc_mut(bias).unwrap().to_vec(),
                                want.get_or_alloc_mut(bias).unwrap().to_vec(),
                            );
                            assert!(a.iter().any(|&v| v != 0.0), "bias {i} has a gradient");
                            assert_eq!(bits(&a), bits(&b), "{act:?} {hidden:?} {rows}: b{i}");
                        }
                    }
                }
            }
        }
    }

    /// `matmul` (gemm, with its packing of strided operands) gives what a
    /// plain loop gives, each output one fused multiply-add chain over the
    /// inner dimension in order, for operands in every layout the step
    /// uses and sizes around gemm's vector and tile widths. (Not for one
    /// row or column: gemm's matrix-vector path sums in another order,
    /// for dfdx's matmul as for this one.)
    #[test]
    fn matmul_matches_a_plain_loop_bit_for_bit() {
        let mut rng = Rng::new(9);
        for (m, k, n) in [
            (64, 64, 64),
            (33, 40, 17),
            (5, 16, 70),
            (96, 31, 48),
            (130, 24, 20),
            (2, 20, 3),
        ] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.normal() as f32).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.normal() as f32).collect();
            // Row-major, and each operand read transposed from a
            // column-major copy (strides swapped).
            let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
            let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect();
            let mut want = vec![0.0f32; m * n];
            for i in 0..m {
                for j in 0..n {
                    let mut acc = 0.0f32;
                    for p in 0..k {
                        acc = a[i * k + p].mul_add(b[p * n + j], acc);
                    }
                    want[i * n + j] = acc;
                }
            }
            for (a_op, b_op) in [
                ((&a, [k, 1]), (&b, [n, 1])),
                ((&at, [1, m]), (&b, [n, 1])),
                ((&a, [k, 1]), (&bt, [1, k])),
                ((&at, [1, m]), (&bt, [1, k])),
            ] {
                for cstr in [[n, 1], [1, m]] {
                    let mut c = vec![f32::NAN; m * n];
                    matmul(
                        (m, k, n),
                        false,
                        (a_op.0, a_op.1),
                        (b_op.0, b_op.1),
                        (&mut c, cstr),
                    );
                    let got: Vec<f32> = (0..m * n)
                        .map(|i| c[(i / n) * cstr[0] + (i % n) * cstr[1]])
                        .collect();
                    assert_eq!(
                        bits(&got),
                        bits(&want),
                        "{m}×{k}×{n}, strides {:?} {:?} {cstr:?}",
                        a_op.1,
                        b_op.1
                    );
                }
            }
        }
    }

    #[test]
    fn gelu_networks_take_dfdx_graph() {
        let spec = MlpSpec::new(3, vec![4], 2, Activation::Gelu);
        let model = Mlp::new(spec, Head::Solution { bounds: None }, 0).unwrap();
        let adam = Adam::new(&model, AdamConfig::default()).unwrap();
        assert!(Fused::new(&model, adam.spans()).is_none());
        // Without hidden layers the activation is never applied.
        let spec = MlpSpec::new(3, vec![], 2, Activation::Gelu);
        let model = Mlp::new(spec, Head::Solution { bounds: None }, 0).unwrap();
        let adam = Adam::new(&model, AdamConfig::default()).unwrap();
        assert!(Fused::new(&model, adam.spans()).is_some());
    }
}
