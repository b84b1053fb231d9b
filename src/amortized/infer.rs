//! A hand-written inference path for the small dense networks searches and
//! agents ask thousands of times a second.
//!
//! dfdx is the training engine; for one row at a time its tensors cost an
//! allocation per layer and a gemm set-up per call, about 30× the
//! arithmetic of a 27→64→64→10 network. [`Net`] copies an [`Mlp`]'s
//! weights once into plain row-major `in × out` matrices and evaluates a row
//! with fixed-width blocks of accumulators that stay in vector registers
//! (the compiler vectorizes them; `target-cpu=native` gives FMA). Nothing
//! is allocated per call: the caller owns a [`Scratch`].
//!
//! The summation order differs from dfdx's gemm, so outputs agree to
//! rounding (a test holds them to 1e-5 on random weights and inputs), not
//! bit for bit; everything that plays through this path uses it alone, so
//! results stay determined by the seed.

use super::heads::Head;
use super::mlp::{Activation, Mlp};

/// One dense layer, row-major `w[i·out + j]`.
#[derive(Clone, Debug)]
struct Layer {
    w: Vec<f32>,
    b: Vec<f32>,
    out: usize,
}

/// One network's weights, ready for inference.
#[derive(Clone, Debug)]
pub struct Net {
    layers: Vec<Layer>,
    act: Activation,
    input: usize,
    output: usize,
    widest: usize,
    flops: u64,
}

/// Reusable activations for [`Net`] (and [`Ensemble`]) calls.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
    raw: Vec<f32>,
    answer: Vec<f32>,
}

/// How a product is added to its running sum. dfdx's gemm (0.15) sums
/// each output over the inputs in order, from 0, with the bias last; one row
/// goes through its matrix-vector path, which rounds the product and the sum
/// separately, several rows through its FMA microkernels. Following the same
/// order gives the same bits, so a search or an agent answers exactly as it
/// did through dfdx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// `x·w + s`, rounded twice (dfdx's one-row path).
    Separate,
    /// `fma(x, w, s)`, rounded once (dfdx's batched path, where the CPU has
    /// FMA).
    Fused,
}

impl Rounding {
    /// How dfdx rounds a forward pass of `rows` rows on this build.
    pub fn of_batch(rows: usize) -> Rounding {
        if rows > 1 && cfg!(target_feature = "fma") {
            Rounding::Fused
        } else {
            Rounding::Separate
        }
    }
}

#[inline(always)]
fn madd<const FUSED: bool>(x: f32, w: f32, s: f32) -> f32 {
    if FUSED {
        x.mul_add(w, s)
    } else {
        x * w + s
    }
}

/// Outputs `j0..j0 + B` of `x·w + b`: one running sum per output, in input
/// order; `B` independent sums in vector registers.
#[inline(always)]
fn block<const B: usize, const FUSED: bool>(l: &Layer, j0: usize, x: &[f32], y: &mut [f32]) {
    let out = l.out;
    let mut acc = [0.0f32; B];
    for (i, &xi) in x.iter().enumerate() {
        let r: &[f32; B] = l.w[i * out + j0..i * out + j0 + B].try_into().unwrap();
        for k in 0..B {
            acc[k] = madd::<FUSED>(xi, r[k], acc[k]);
        }
    }
    let b: &[f32; B] = l.b[j0..j0 + B].try_into().unwrap();
    let y: &mut [f32; B] = (&mut y[j0..j0 + B]).try_into().unwrap();
    for k in 0..B {
        y[k] = acc[k] + b[k];
    }
}

/// `block` for four rows at once (rows `xs[r·inp..]`, outputs
/// `ys[r·out..]`): each weight row is loaded once for all of them. Every
/// output is still its own running sum in input order, so the bits are
/// those of `block`.
#[inline(always)]
fn block4<const B: usize, const FUSED: bool>(l: &Layer, j0: usize, xs: &[f32], ys: &mut [f32]) {
    let out = l.out;
    let inp = l.w.len() / out;
    let (x0, rest) = xs.split_at(inp);
    let (x1, rest) = rest.split_at(inp);
    let (x2, x3) = rest.split_at(inp);
    let mut a0 = [0.0f32; B];
    let mut a1 = [0.0f32; B];
    let mut a2 = [0.0f32; B];
    let mut a3 = [0.0f32; B];
    for ((((w, &v0), &v1), &v2), &v3) in
        l.w.chunks_exact(out)
            .zip(x0)
            .zip(x1)
            .zip(x2)
            .zip(&x3[..inp])
    {
        let r: &[f32; B] = w[j0..j0 + B].try_into().unwrap();
        for k in 0..B {
            a0[k] = madd::<FUSED>(v0, r[k], a0[k]);
            a1[k] = madd::<FUSED>(v1, r[k], a1[k]);
            a2[k] = madd::<FUSED>(v2, r[k], a2[k]);
            a3[k] = madd::<FUSED>(v3, r[k], a3[k]);
        }
    }
    let b: &[f32; B] = l.b[j0..j0 + B].try_into().unwrap();
    for (row, a) in [a0, a1, a2, a3].iter().enumerate() {
        let y: &mut [f32; B] = (&mut ys[row * out + j0..row * out + j0 + B])
            .try_into()
            .unwrap();
        for k in 0..B {
            y[k] = a[k] + b[k];
        }
    }
}

/// `y = x·w + b` for four rows.
#[inline(always)]
fn dense4_with<const FUSED: bool>(l: &Layer, xs: &[f32], ys: &mut [f32]) {
    let out = l.out;
    let mut j = 0;
    while out - j >= 32 {
        block4::<32, FUSED>(l, j, xs, ys);
        j += 32;
    }
    if out - j >= 16 {
        block4::<16, FUSED>(l, j, xs, ys);
        j += 16;
    }
    if out - j >= 8 {
        block4::<8, FUSED>(l, j, xs, ys);
        j += 8;
    }
    while j < out {
        block4::<1, FUSED>(l, j, xs, ys);
        j += 1;
    }
}

/// Rows in one pass of `dense_four`.
const ROWS: usize = 4;

fn dense_four(l: &Layer, xs: &[f32], ys: &mut [f32], r: Rounding) {
    match r {
        Rounding::Separate => dense4_with::<false>(l, xs, ys),
        Rounding::Fused => dense4_with::<true>(l, xs, ys),
    }
}

/// `y = x·w + b` for one row.
#[inline(always)]
fn dense_with<const FUSED: bool>(l: &Layer, x: &[f32], y: &mut [f32]) {
    let out = l.out;
    let mut j = 0;
    while out - j >= 128 {
        block::<128, FUSED>(l, j, x, y);
        j += 128;
    }
    if out - j >= 64 {
        block::<64, FUSED>(l, j, x, y);
        j += 64;
    }
    if out - j >= 32 {
        block::<32, FUSED>(l, j, x, y);
        j += 32;
    }
    if out - j >= 16 {
        block::<16, FUSED>(l, j, x, y);
        j += 16;
    }
    if out - j >= 8 {
        block::<8, FUSED>(l, j, x, y);
        j += 8;
    }
    if out - j >= 4 {
        block::<4, FUSED>(l, j, x, y);
        j += 4;
    }
    while j < out {
        block::<1, FUSED>(l, j, x, y);
        j += 1;
    }
}

fn dense(l: &Layer, x: &[f32], y: &mut [f32], r: Rounding) {
    match r {
        Rounding::Separate => dense_with::<false>(l, x, y),
        Rounding::Fused => dense_with::<true>(l, x, y),
    }
}

fn activate(act: Activation, h: &mut [f32]) {
    match act {
        Activation::Relu => h.iter_mut().for_each(|v| *v = v.max(0.0)),
        Activation::Tanh => h.iter_mut().for_each(|v| *v = v.tanh()),
        Activation::Gelu => h.iter_mut().for_each(|v| {
            let x = *v;
            let alpha = x + 0.044715 * x.powi(3);
            *v = 0.5 * x * (1.0 + (std::f32::consts::FRAC_2_PI.sqrt() * alpha).tanh());
        }),
    }
}

impl Net {
    /// A copy of `mlp`'s weights for inference.
    pub fn new(mlp: &Mlp) -> Net {
        let spec = mlp.spec();
        let weights = mlp.weights();
        let layers = weights
            .chunks(2)
            .map(|wb| Layer {
                w: wb[0].2.clone(),
                b: wb[1].2.clone(),
                out: wb[1].2.len(),
            })
            .collect();
        Net {
            layers,
            act: spec.act,
            input: spec.input,
            output: spec.output,
            widest: spec.widths().into_iter().max().unwrap_or(0),
            flops: spec.forward_flops(),
        }
    }

    pub fn input(&self) -> usize {
        self.input
    }

    pub fn output(&self) -> usize {
        self.output
    }

    /// FLOPs of one row's forward pass (as `MlpSpec::forward_flops`).
    pub fn flops(&self) -> u64 {
        self.flops
    }

    /// The raw (pre-head) outputs of one row `x` (`x.len()` must be the
    /// input width), written into `out` (the output width).
    pub fn raw_into(&self, x: &[f32], s: &mut Scratch, out: &mut [f32]) {
        self.raw_rounded(x, s, out, Rounding::Separate)
    }

    /// `raw_into` with the rounding of products chosen.
    pub fn raw_rounded(&self, x: &[f32], s: &mut Scratch, out: &mut [f32], r: Rounding) {
        debug_assert_eq!(x.len(), self.input);
        debug_assert_eq!(out.len(), self.output);
        if s.a.len() < self.widest {
            s.a.resize(self.widest, 0.0);
            s.b.resize(self.widest, 0.0);
        }
        let last = self.layers.len() - 1;
        let (mut cur, mut next) = (&mut s.a, &mut s.b);
        for (i, l) in self.layers.iter().enumerate() {
            if i == last {
                let src: &[f32] = if i == 0 { x } else { &cur[..l.w.len() / l.out] };
                dense(l, src, out, r);
            } else {
                let src: &[f32] = if i == 0 { x } else { &cur[..l.w.len() / l.out] };
                dense(l, src, &mut next[..l.out], r);
                activate(self.act, &mut next[..l.out]);
                std::mem::swap(&mut cur, &mut next);
            }
        }
    }

    /// Raw outputs of `rows` rows stored contiguously in `xs`, into `out`
    /// (`rows × output`), rounded as dfdx rounds a batch of `rows`.
    pub fn raw_batch(&self, xs: &[f32], rows: usize, s: &mut Scratch, out: &mut [f32]) {
        self.raw_rows(xs, rows, s, out, Rounding::of_batch(rows))
    }

    /// Raw outputs of `rows` rows, each with the bits `raw_rounded` gives
    /// it alone; four rows at a time share each pass over the weights.
    pub fn raw_rows(&self, xs: &[f32], rows: usize, s: &mut Scratch, out: &mut [f32], r: Rounding) {
        let (inp, outw) = (self.input, self.output);
        let full = rows / ROWS * ROWS;
        if s.a.len() < ROWS * self.widest {
            s.a.resize(ROWS * self.widest, 0.0);
            s.b.resize(ROWS * self.widest, 0.0);
        }
        let last = self.layers.len() - 1;
        for g in (0..full).step_by(ROWS) {
            let x = &xs[g * inp..(g + ROWS) * inp];
            let y = &mut out[g * outw..(g + ROWS) * outw];
            let (mut cur, mut next) = (&mut s.a, &mut s.b);
            for (i, l) in self.layers.iter().enumerate() {
                let width_in = l.w.len() / l.out;
                let src: &[f32] = if i == 0 { x } else { &cur[..ROWS * width_in] };
                if i == last {
                    dense_four(l, src, y, r);
                } else {
                    dense_four(l, src, &mut next[..ROWS * l.out], r);
                    activate(self.act, &mut next[..ROWS * l.out]);
                    std::mem::swap(&mut cur, &mut next);
                }
            }
        }
        for (x, y) in xs[full * inp..rows * inp]
            .chunks_exact(inp)
            .zip(out[full * outw..rows * outw].chunks_exact_mut(outw))
        {
            self.raw_rounded(x, s, y, r);
        }
    }
}

/// The members of a model (one network, or an ensemble averaged after the
/// head) with their shared head, answering as `compose::Amortized` does.
#[derive(Clone, Debug)]
pub struct Ensemble {
    members: Vec<Net>,
    head: Head,
}

impl Ensemble {
    /// `None` for no members.
    pub fn new(members: &[Mlp]) -> Option<Ensemble> {
        let head = members.first()?.head().clone();
        Some(Ensemble {
            members: members.iter().map(Net::new).collect(),
            head,
        })
    }

    pub fn members(&self) -> usize {
        self.members.len()
    }

    pub fn input(&self) -> usize {
        self.members[0].input
    }

    pub fn output(&self) -> usize {
        self.members[0].output
    }

    /// FLOPs of one answer, all members.
    pub fn flops(&self) -> u64 {
        self.members.iter().map(Net::flops).sum()
    }

    /// The members' answers (head applied, `mask` for a policy) averaged,
    /// into `out` (the output width): member by member, summed in order and
    /// divided by their number, as `Amortized::predict` and `policy` do.
    pub fn answer_into(&self, x: &[f32], mask: Option<&[bool]>, s: &mut Scratch, out: &mut [f32]) {
        self.answer_rounded(x, mask, s, out, Rounding::Separate)
    }

    /// `answer_into` with the rounding of products chosen (`Fused` to
    /// answer as one row of a dfdx batch would).
    pub fn answer_rounded(
        &self,
        x: &[f32],
        mask: Option<&[bool]>,
        s: &mut Scratch,
        out: &mut [f32],
        r: Rounding,
    ) {
        let n = self.output();
        let mut raw = std::mem::take(&mut s.raw);
        let mut answer = std::mem::take(&mut s.answer);
        raw.resize(n, 0.0);
        answer.resize(n, 0.0);
        for (i, m) in self.members.iter().enumerate() {
            m.raw_rounded(x, s, &mut raw, r);
            if i == 0 {
                self.head.answer(&raw, mask, out);
            } else {
                self.head.answer(&raw, mask, &mut answer);
                out.iter_mut().zip(&answer).for_each(|(a, b)| *a += b);
            }
        }
        if self.members.len() > 1 {
            let k = self.members.len() as f32;
            out.iter_mut().for_each(|v| *v /= k);
        }
        s.raw = raw;
        s.answer = answer;
    }

    /// `answer_rounded` for `rows` rows (`masks`: one row of the output
    /// width per row, for a policy), each row's answer bit for bit the one
    /// it gets alone.
    pub fn answer_rows(
        &self,
        xs: &[f32],
        masks: Option<&[bool]>,
        rows: usize,
        s: &mut Scratch,
        out: &mut [f32],
        r: Rounding,
    ) {
        let n = self.output();
        let mut raw = std::mem::take(&mut s.raw);
        let mut answer = std::mem::take(&mut s.answer);
        raw.resize(rows * n, 0.0);
        answer.resize(n, 0.0);
        for (i, m) in self.members.iter().enumerate() {
            m.raw_rows(xs, rows, s, &mut raw, r);
            for row in 0..rows {
                let mask = masks.map(|m| &m[row * n..(row + 1) * n]);
                let y = &mut out[row * n..(row + 1) * n];
                let x = &raw[row * n..(row + 1) * n];
                if i == 0 {
                    self.head.answer(x, mask, y);
                } else {
                    self.head.answer(x, mask, &mut answer);
                    y.iter_mut().zip(&answer).for_each(|(a, b)| *a += b);
                }
            }
        }
        if self.members.len() > 1 {
            let k = self.members.len() as f32;
            out[..rows * n].iter_mut().for_each(|v| *v /= k);
        }
        s.raw = raw;
        s.answer = answer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amortized::MlpSpec;
    use crate::rng::Rng;

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
                "{x} vs {y} in {a:?} / {b:?}"
            );
        }
    }

    /// Shapes with widths below, at and above every block size, each
    /// activation, one and several hidden layers.
    fn shapes() -> Vec<MlpSpec> {
        vec![
            MlpSpec::new(27, vec![64, 64], 10, Activation::Relu),
            MlpSpec::new(27, vec![64, 64], 9, Activation::Relu),
            MlpSpec::new(27, vec![64, 64], 1, Activation::Tanh),
            MlpSpec::new(84, vec![128, 128], 8, Activation::Gelu),
            MlpSpec::new(3, vec![5], 2, Activation::Tanh),
            MlpSpec::new(32, vec![256, 256], 32, Activation::Relu),
            MlpSpec::new(7, vec![97, 33, 120], 17, Activation::Gelu),
            MlpSpec::new(1, vec![1], 1, Activation::Relu),
        ]
    }

    #[test]
    fn equals_dfdx_forward_on_random_weights_and_inputs() {
        let mut rng = Rng::new(7);
        for (seed, spec) in shapes().into_iter().enumerate() {
            let mlp = Mlp::new(spec.clone(), Head::Solution { bounds: None }, seed as u64).unwrap();
            let net = Net::new(&mlp);
            let mut s = Scratch::default();
            let rows = 5;
            let xs: Vec<f32> = (0..rows * spec.input)
                .map(|_| (rng.uniform() * 4.0 - 2.0) as f32)
                .collect();
            let want = mlp.raw_flat(&xs, rows);
            let mut got = vec![0.0; rows * spec.output];
            net.raw_batch(&xs, rows, &mut s, &mut got);
            close(&got, &want);
            // One row at a time, with the scratch reused across shapes.
            let mut one = vec![0.0; spec.output];
            net.raw_into(&xs[..spec.input], &mut s, &mut one);
            close(&one, &want[..spec.output]);
            assert_eq!(net.flops(), spec.forward_flops());
        }
    }

    #[test]
    fn rows_together_equal_rows_alone_bit_for_bit() {
        let mut rng = Rng::new(5);
        for (seed, spec) in shapes().into_iter().enumerate() {
            let members: Vec<Mlp> = (0..2)
                .map(|k| {
                    Mlp::new(
                        spec.clone(),
                        Head::Solution { bounds: None },
                        (seed * 2 + k) as u64,
                    )
                    .unwrap()
                })
                .collect();
            let fast = Ensemble::new(&members).unwrap();
            let mut s = Scratch::default();
            for r in [Rounding::Separate, Rounding::Fused] {
                for rows in [1, 3, 4, 9] {
                    let xs: Vec<f32> = (0..rows * spec.input)
                        .map(|_| (rng.uniform() * 4.0 - 2.0) as f32)
                        .collect();
                    let mut together = vec![0.0; rows * spec.output];
                    fast.answer_rows(&xs, None, rows, &mut s, &mut together, r);
                    let mut alone = vec![0.0; rows * spec.output];
                    for (x, y) in xs.chunks(spec.input).zip(alone.chunks_mut(spec.output)) {
                        fast.answer_rounded(x, None, &mut s, y, r);
                    }
                    assert_eq!(bits(&together), bits(&alone), "{spec:?} {rows} rows {r:?}");
                }
            }
        }
        // Policies with a mask per row.
        let spec = MlpSpec::new(18, vec![64, 64], 9, Activation::Relu);
        let p = Mlp::new(spec, Head::Policy, 1).unwrap();
        let fast = Ensemble::new(std::slice::from_ref(&p)).unwrap();
        let xs: Vec<f32> = (0..5 * 18).map(|i| (i % 3) as f32).collect();
        let masks: Vec<bool> = (0..5 * 9).map(|i| i % 4 != 0).collect();
        let mut s = Scratch::default();
        let mut together = vec![0.0; 5 * 9];
        fast.answer_rows(
            &xs,
            Some(&masks),
            5,
            &mut s,
            &mut together,
            Rounding::Separate,
        );
        for row in 0..5 {
            let (want, _) = p
                .policy(
                    &xs[row * 18..(row + 1) * 18],
                    &masks[row * 9..(row + 1) * 9],
                )
                .unwrap();
            assert_eq!(bits(&together[row * 9..(row + 1) * 9]), bits(&want));
        }
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Where dfdx takes its matrix-vector path (one row) and its
    /// microkernels (a batch, inputs beyond 2), the bits are dfdx's own.
    #[test]
    fn follows_dfdx_rounding_bit_for_bit() {
        let mut rng = Rng::new(11);
        let shapes = [
            MlpSpec::new(27, vec![64, 64], 10, Activation::Relu),
            MlpSpec::new(27, vec![64], 9, Activation::Relu),
            MlpSpec::new(27, vec![64, 64], 1, Activation::Tanh),
            MlpSpec::new(84, vec![128, 128], 7, Activation::Gelu),
            MlpSpec::new(9, vec![33, 20], 5, Activation::Tanh),
        ];
        for (seed, spec) in shapes.into_iter().enumerate() {
            let mlp = Mlp::new(spec.clone(), Head::Solution { bounds: None }, seed as u64).unwrap();
            let net = Net::new(&mlp);
            let mut s = Scratch::default();
            for rows in [1, 2, 7] {
                let xs: Vec<f32> = (0..rows * spec.input)
                    .map(|_| (rng.uniform() * 4.0 - 2.0) as f32)
                    .collect();
                let want = mlp.raw_flat(&xs, rows);
                let mut got = vec![0.0; rows * spec.output];
                net.raw_batch(&xs, rows, &mut s, &mut got);
                assert_eq!(bits(&got), bits(&want), "{spec:?}, {rows} rows");
            }
        }
    }

    #[test]
    fn ensembles_and_heads_answer_as_the_models_do() {
        let mut rng = Rng::new(3);
        let spec = MlpSpec::new(27, vec![64, 64], 9, Activation::Relu);
        let members: Vec<Mlp> = (0..3)
            .map(|i| Mlp::new(spec.clone(), Head::Policy, 10 + i).unwrap())
            .collect();
        let x: Vec<f32> = (0..27)
            .map(|_| (rng.uniform() * 2.0 - 1.0) as f32)
            .collect();
        let mask: Vec<bool> = (0..9).map(|a| a % 3 != 1).collect();
        let mut want = vec![0.0f32; 9];
        for m in &members {
            let (p, _) = m.policy(&x, &mask).unwrap();
            want.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        }
        want.iter_mut().for_each(|v| *v /= 3.0);
        let fast = Ensemble::new(&members).unwrap();
        let mut s = Scratch::default();
        let mut got = vec![0.0; 9];
        fast.answer_into(&x, Some(&mask), &mut s, &mut got);
        close(&got, &want);
        assert_eq!(got[1], 0.0);
        assert_eq!(fast.flops(), 3 * spec.forward_flops());

        let value = MlpSpec::new(27, vec![64, 64], 1, Activation::Tanh);
        let v = Mlp::new(value, Head::Value, 5).unwrap();
        let (want, _) = v.predict(&x).unwrap();
        let fast = Ensemble::new(std::slice::from_ref(&v)).unwrap();
        let mut got = [0.0f32];
        fast.answer_into(&x, None, &mut s, &mut got);
        close(&got, &want);
        assert!(Ensemble::new(&[]).is_none());
    }
}
