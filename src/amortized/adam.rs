//! Adam (with optional decoupled weight decay, i.e. AdamW, and optional
//! global-norm gradient clipping) over an `Mlp`'s runtime-shaped tensors.
//!
//! dfdx's optimizers walk compile-time modules, so the update is written
//! here. It works in place and allocates nothing per step: the moments are
//! plain buffers kept across steps; the update `Δ` is written over the
//! gradient buffer dfdx handed back (it is dropped after the step anyway);
//! and `Δ` is subtracted from the parameter tensor by dfdx's own SGD kernel
//! at `lr = 1`, which is dfdx's sanctioned way to mutate a tensor's storage
//! in place. Decoupled decay rides on that same kernel (`p −= Δ + lr·wd·p`),
//! since the parameters' values are not otherwise visible here without a
//! copy.

use std::fmt;

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
    /// The moments' scratch buffer could not be allocated.
    StateAllocation(CpuError),
    /// A gradient buffer could not be allocated.
    GradientAllocation(CpuError),
    /// dfdx's in-place parameter update failed.
    Update(CpuError),
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
            AdamError::StateAllocation(e) => write!(f, "cannot allocate optimizer state: {e}"),
            AdamError::GradientAllocation(e) => write!(f, "cannot allocate a gradient: {e}"),
            AdamError::Update(e) => write!(f, "parameter update failed: {e}"),
        }
    }
}

impl std::error::Error for AdamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdamError::StateAllocation(e)
            | AdamError::GradientAllocation(e)
            | AdamError::Update(e) => Some(e),
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
    /// First and second moments, one pair of buffers per parameter tensor
    /// in `Mlp::layers` order (weight, then bias where the layer has one).
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    /// Required by the SGD kernel's signature; never read with momentum off.
    velocity: <Cpu as Storage<f32>>::Vec,
}

impl Adam {
    pub fn new(model: &Mlp, cfg: AdamConfig) -> Result<Adam, AdamError> {
        cfg.check()?;
        let lens: Vec<usize> = model
            .layers
            .iter()
            .flat_map(|l| {
                let w = l.w.shape().0 * l.w.shape().1;
                std::iter::once(w).chain(l.b.as_ref().map(|b| b.shape().0))
            })
            .collect();
        let longest = lens.iter().copied().max().unwrap_or(0);
        let velocity = model
            .dev
            .try_alloc_len(longest)
            .map_err(AdamError::StateAllocation)?;
        Ok(Adam {
            cfg,
            t: 0,
            m: lens.iter().map(|&n| vec![0.0; n]).collect(),
            v: lens.iter().map(|&n| vec![0.0; n]).collect(),
            velocity,
        })
    }

    pub fn steps(&self) -> i32 {
        self.t
    }

    /// Applies one update from `grads` (as returned by `backward`).
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
        let c = &self.cfg;
        let bc1 = 1.0 - c.beta1.powi(self.t);
        let bc2 = 1.0 - c.beta2.powi(self.t);
        // Folding the bias corrections into the step size and epsilon keeps
        // the inner loop to one sqrt and one division per element.
        let step = c.lr * bc2.sqrt() / bc1;
        let eps = c.eps * bc2.sqrt();
        let apply = SgdConfig {
            lr: 1.0,
            momentum: None,
            weight_decay: (c.weight_decay > 0.0)
                .then(|| WeightDecay::Decoupled(f64::from(c.lr) * f64::from(c.weight_decay))),
        };
        let mut slot = 0;
        for l in model.layers.iter_mut() {
            let g = grads.get_or_alloc_mut(&l.w).map_err(alloc)?;
            adam_delta(&mut self.m[slot], &mut self.v[slot], g, scale, c, step, eps);
            apply
                .try_update(&mut l.w, &mut self.velocity, g)
                .map_err(AdamError::Update)?;
            slot += 1;
            if let Some(b) = &mut l.b {
                let g = grads.get_or_alloc_mut(b).map_err(alloc)?;
                adam_delta(&mut self.m[slot], &mut self.v[slot], g, scale, c, step, eps);
                apply
                    .try_update(b, &mut self.velocity, g)
                    .map_err(AdamError::Update)?;
                slot += 1;
            }
        }
        Ok(())
    }
}

/// Updates the moments from the (scaled) gradient and overwrites the
/// gradient with the step to subtract.
#[inline]
fn adam_delta(
    m: &mut [f32],
    v: &mut [f32],
    g: &mut [f32],
    scale: f32,
    c: &AdamConfig,
    step: f32,
    eps: f32,
) {
    let (b1, b2) = (c.beta1, c.beta2);
    for ((m, v), g) in m.iter_mut().zip(v.iter_mut()).zip(g.iter_mut()) {
        let gi = *g * scale;
        *m = b1 * *m + (1.0 - b1) * gi;
        *v = b2 * *v + (1.0 - b2) * gi * gi;
        *g = step * *m / (v.sqrt() + eps);
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
        let mut g = vec![2.0, -0.5, 0.0];
        let bc2: f32 = 1.0 - c.beta2;
        adam_delta(
            &mut m,
            &mut v,
            &mut g,
            1.0,
            &c,
            c.lr * bc2.sqrt() / (1.0 - c.beta1),
            c.eps * bc2.sqrt(),
        );
        assert!(
            (g[0] - 0.1).abs() < 1e-6 && (g[1] + 0.1).abs() < 1e-6 && g[2] == 0.0,
            "{g:?}"
        );
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
