//! Adam (with optional decoupled weight decay, i.e. AdamW, and optional
//! global-norm gradient clipping) over an `Mlp`'s runtime-shaped tensors.
//!
//! dfdx's optimizers walk compile-time modules, so the update is written
//! here. It allocates nothing per step: the parameters and both moments
//! live in flat buffers owned by the optimizer; one pass per tensor reads
//! the gradient dfdx handed back and updates moments and parameters
//! together (`p −= Δ + lr·wd·p`), and one `copy_from` puts the new values
//! into the model's tensor, dfdx's sanctioned way to write its storage.
//! (dfdx's own SGD kernel, used before to subtract `Δ`, ran at a third of a
//! training step on the 256-wide network: its loop compiles to masked
//! stores and loads of the unused momentum buffer that stall.)

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::mlp::Mlp;

/// A hyperparameter that would silently break training, or a buffer dfdx
/// could not provide.
#[derive(Clone, Copy, Debug)]
pub enum AdamError {
    /// `lr` is not a positive finite number.
    Lr { value: f32 },
    /// `beta1` or `beta2` (named by `name`) is outside `[0, 1)`.
    Beta { name: &'static str, value: f32 },
    /// `eps` is not positive.
    Eps { value: f32 },
    /// `weight_decay` is negative or not finite.
    WeightDecay { value: f32 },
    /// The clipping threshold is not positive.
    Clip { value: f32 },
    /// A gradient buffer could not be allocated.
    GradientAllocation(CpuError),
}

impl fmt::Display for AdamError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            AdamError::Lr { value } => write!(f, "lr must be a positive number, found {value}"),
            AdamError::Beta { name, value } => {
                write!(f, "{name} must be in [0, 1), found {value}")
            }
            AdamError::Eps { value } => write!(f, "eps must be positive, found {value}"),
            AdamError::WeightDecay { value } => {
                write!(f, "weight_decay must be ≥ 0, found {value}")
            }
            AdamError::Clip { value } => write!(f, "clip must be positive, found {value}"),
            AdamError::GradientAllocation(e) => write!(f, "cannot allocate a gradient: {e}"),
        }
    }
}

impl std::error::Error for AdamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdamError::GradientAllocation(e) => Some(e),
            _ => None,
        }
    }
}

/// Adam's hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Decoupled (AdamW) weight decay; 0 turns it off.
    pub weight_decay: f32,
    /// Rescale the whole gradient when its global L2 norm exceeds this.
    pub clip: Option<f32>,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            clip: None,
        }
    }
}

impl AdamConfig {
    /// Rejects values that would silently break training.
    pub fn check(&self) -> Result<(), AdamError> {
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(AdamError::Lr { value: self.lr });
        }
        for (name, value) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&value) {
                return Err(AdamError::Beta { name, value });
            }
        }
        if self.eps.is_nan() || self.eps <= 0.0 {
            return Err(AdamError::Eps { value: self.eps });
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return Err(AdamError::WeightDecay {
                value: self.weight_decay,
            });
        }
        if let Some(value) = self.clip {
            if value.is_nan() || value <= 0.0 {
                return Err(AdamError::Clip { value });
            }
        }
        Ok(())
    }
}

/// The optimizer's state for one model.
pub struct Adam {
    cfg: AdamConfig,
    t: i32,
    /// The parameters, first and second moments, each one flat buffer over
    /// every parameter tensor in `Mlp::layers` order (weight, then bias
    /// where the layer has one); `spans` gives each tensor's range. The
    /// parameters are shared (`params`) with the training step's fused
    /// forward and backward (`fused.rs`), which read the weights from here
    /// rather than copy them out of dfdx's tensors; by the time `step`
    /// writes, the backward that held them has run and let go.
    p: Arc<Vec<f32>>,
    m: Vec<f32>,
    v: Vec<f32>,
    spans: Vec<Range<usize>>,
    /// Whether `step` copies the new parameters into the model's tensors;
    /// when not, `write_back` does, before anything reads the model.
    write_back: bool,
}

impl Adam {
    /// Takes a copy of `model`'s parameters: from here on `step` owns them
    /// and writes them back into the model's tensors after each update, so
    /// the model must not be changed by anything else while this optimizer
    /// drives it.
    pub fn new(model: &Mlp, cfg: AdamConfig) -> Result<Adam, AdamError> {
        cfg.check()?;
        let mut p = Vec::new();
        let mut spans = Vec::new();
        for l in &model.layers {
            for t in std::iter::once(l.w.as_vec()).chain(l.b.as_ref().map(|b| b.as_vec())) {
                spans.push(p.len()..p.len() + t.len());
                p.extend_from_slice(&t);
            }
        }
        let n = p.len();
        Ok(Adam {
            cfg,
            t: 0,
            p: Arc::new(p),
            m: vec![0.0; n],
            v: vec![0.0; n],
            spans,
            write_back: true,
        })
    }

    pub fn steps(&self) -> i32 {
        self.t
    }

    /// From here on `step` leaves the model's tensors as they are (a
    /// caller that reads the weights from `params` saves a copy of every
    /// parameter per step); `write_back` brings them up to date.
    pub(crate) fn defer_write_back(&mut self) {
        self.write_back = false;
    }

    /// Copies the current parameters into `model`'s tensors.
    pub(crate) fn write_back(&self, model: &mut Mlp) {
        let mut spans = self.spans.iter();
        let mut put = |t: &mut dyn FnMut(&[f32])| {
            if let Some(r) = spans.next() {
                t(&self.p[r.clone()]);
            }
        };
        for l in model.layers.iter_mut() {
            put(&mut |p| l.w.copy_from(p));
            if let Some(b) = &mut l.b {
                put(&mut |p| b.copy_from(p));
            }
        }
    }

    /// The current parameters, flat, in `spans` order.
    pub(crate) fn params(&self) -> &Arc<Vec<f32>> {
        &self.p
    }

    /// Each parameter tensor's range in `params`, in `Mlp::layers` order
    /// (weight, then bias where the layer has one).
    pub(crate) fn spans(&self) -> &[Range<usize>] {
        &self.spans
    }

    /// Applies one update from `grads` (as returned by `backward`): one pass
    /// per tensor over its gradient, moments and parameters, then one copy
    /// of the new parameters into the model's tensor — unless the copy is
    /// deferred ([`Adam::defer_write_back`], the fused step, which reads the
    /// flat parameters), when [`Adam::write_back`] does it later.
    pub fn step(
        &mut self,
        model: &mut Mlp,
        grads: &mut Gradients<f32, Cpu>,
    ) -> Result<(), AdamError> {
        let alloc = AdamError::GradientAllocation;
        // The global norm costs a pass over every gradient: only clipping needs it.
        let scale = match self.cfg.clip {
            Some(c) => {
                let mut sq = 0.0f64;
                let sum_sq = |g: &[f32]| g.iter().map(|&x| x * x).sum::<f32>() as f64;
                for l in &model.layers {
                    sq += sum_sq(grads.get_or_alloc_mut(&l.w).map_err(alloc)?);
                    if let Some(b) = &l.b {
                        sq += sum_sq(grads.get_or_alloc_mut(b).map_err(alloc)?);
                    }
                }
                let norm = sq.sqrt() as f32;
                if norm > c {
                    c / norm
                } else {
                    1.0
                }
            }
            None => 1.0,
        };

        self.t += 1;
        let c = self.cfg;
        let bc1 = 1.0 - c.beta1.powi(self.t);
        let bc2 = 1.0 - c.beta2.powi(self.t);
        // Folding the bias corrections into the step size and epsilon keeps
        // the inner loop to one sqrt and one division per element.
        let k = Step {
            scale,
            b1: c.beta1,
            b2: c.beta2,
            step: c.lr * bc2.sqrt() / bc1,
            eps: c.eps * bc2.sqrt(),
            decay: (f64::from(c.lr) * f64::from(c.weight_decay)) as f32,
        };
        let mut slot = 0;
        for l in model.layers.iter_mut() {
            self.update(&k, slot, &mut l.w, grads)?;
            slot += 1;
            if let Some(b) = &mut l.b {
                self.update(&k, slot, b, grads)?;
                slot += 1;
            }
        }
        Ok(())
    }

    /// Updates parameter tensor number `slot` from its gradient.
    fn update<S: Shape>(
        &mut self,
        k: &Step,
        slot: usize,
        t: &mut Tensor<S, f32, Cpu>,
        grads: &mut Gradients<f32, Cpu>,
    ) -> Result<(), AdamError> {
        let r = self.spans[slot].clone();
        let g = grads
            .get_or_alloc_mut(&*t)
            .map_err(AdamError::GradientAllocation)?;
        // Unshared here (see `p`): `make_mut` does not copy.
        let p = &mut Arc::make_mut(&mut self.p)[r.clone()];
        k.apply(p, &mut self.m[r.clone()], &mut self.v[r], g);
        if self.write_back {
            t.copy_from(p);
        }
        Ok(())
    }
}

/// One step's constants.
#[derive(Clone, Copy)]
struct Step {
    /// The clipping factor applied to every gradient.
    scale: f32,
    b1: f32,
    b2: f32,
    /// `lr` and epsilon with the bias corrections folded in.
    step: f32,
    eps: f32,
    /// `lr · weight_decay` (decoupled decay), 0 when off.
    decay: f32,
}

impl Step {
    /// Updates the moments from the (scaled) gradient and the parameters
    /// by `p −= Δ + decay·p`, `Δ = step·m / (√v + eps)`, in one pass.
    #[inline]
    fn apply(&self, p: &mut [f32], m: &mut [f32], v: &mut [f32], g: &[f32]) {
        let Step {
            scale,
            b1,
            b2,
            step,
            eps,
            decay,
        } = *self;
        let n = p.len();
        let (m, v, g) = (&mut m[..n], &mut v[..n], &g[..n]);
        if decay > 0.0 {
            for i in 0..n {
                let gi = g[i] * scale;
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                let d = step * m[i] / (v[i].sqrt() + eps);
                p[i] -= d + decay * p[i];
            }
        } else {
            for i in 0..n {
                let gi = g[i] * scale;
                m[i] = b1 * m[i] + (1.0 - b1) * gi;
                v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
                p[i] -= step * m[i] / (v[i].sqrt() + eps);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_parameter_by_lr() {
        // With bias correction, Adam's first step is lr·sign(g) (up to eps).
        let c = AdamConfig {
            lr: 0.1,
            ..AdamConfig::default()
        };
        let (mut m, mut v) = (vec![0.0; 3], vec![0.0; 3]);
        let mut p = vec![1.0, 1.0, 1.0];
        let bc2: f32 = 1.0 - c.beta2;
        let k = Step {
            scale: 1.0,
            b1: c.beta1,
            b2: c.beta2,
            step: c.lr * bc2.sqrt() / (1.0 - c.beta1),
            eps: c.eps * bc2.sqrt(),
            decay: 0.0,
        };
        k.apply(&mut p, &mut m, &mut v, &[2.0, -0.5, 0.0]);
        assert!(
            (p[0] - 0.9).abs() < 1e-6 && (p[1] - 1.1).abs() < 1e-6 && p[2] == 1.0,
            "{p:?}"
        );
    }

    #[test]
    fn decoupled_decay_shrinks_parameters_without_a_gradient() {
        let k = Step {
            scale: 1.0,
            b1: 0.9,
            b2: 0.999,
            step: 0.1,
            eps: 1e-8,
            decay: 0.5,
        };
        let (mut m, mut v, mut p) = (vec![0.0; 2], vec![0.0; 2], vec![2.0, -4.0]);
        k.apply(&mut p, &mut m, &mut v, &[0.0, 0.0]);
        assert_eq!(p, vec![1.0, -2.0]);
    }

    #[test]
    fn bad_hyperparameters_are_errors() {
        let bad = AdamConfig {
            lr: -1.0,
            ..AdamConfig::default()
        };
        let err = bad.check().unwrap_err();
        assert!(
            matches!(err, AdamError::Lr { value } if value == -1.0),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "lr must be a positive number, found -1");
        let bad = AdamConfig {
            beta2: 1.0,
            ..AdamConfig::default()
        };
        let err = bad.check().unwrap_err();
        assert!(
            matches!(err, AdamError::Beta { name: "beta2", value } if value == 1.0),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "beta2 must be in [0, 1), found 1");
    }
}
