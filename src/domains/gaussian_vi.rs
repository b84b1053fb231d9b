//! Per-datapoint variational inference in a linear-Gaussian latent-variable
//! model: a continuous problem whose exact answer is known in closed form.
//!
//! The model is `z ~ N(0, I_d)`, `y = W z + b + ε`, `ε ~ N(0, σ² I_o)`, with
//! `W`, `b` and `σ` fixed by a seed. An instance is one observation `y`
//! drawn from the model. A solution is a diagonal Gaussian
//! `q(z) = N(m, diag(exp(2s)))`, `θ = (m, s)` of length `2d`, and its score
//! (to minimize) is the negative ELBO, in closed form:
//!
//! ```text
//! −ELBO = o/2 log 2πσ² + |y − b − W m|² / 2σ² + |m|²/2 − d/2
//!         + Σ_j (c_j exp(2 s_j) / 2 − s_j),      c_j = 1 + |w_j|² / σ²
//! ```
//!
//! The exact posterior is `N(Σ Wᵀ(y − b)/σ², Σ)` with
//! `Σ = (I + WᵀW/σ²)⁻¹`. `W` is built with **orthogonal columns**, so `WᵀW`
//! is diagonal and so is the posterior: it lies inside the variational
//! family, the minimum of the negative ELBO is the exact posterior (KL = 0),
//! and its value is exactly `−log p(y)`. That makes the optimality gap of
//! any optimizer or amortized encoder an exact number, and
//! `−ELBO(θ) + log p(y) = KL(q_θ ‖ posterior)` a checkable identity.

use crate::domains::continuous::{Bounds, ContinuousProblem, Optimum};
use crate::rng::Rng;
use std::f64::consts::TAU;
use std::fmt;

/// Parameters of the model family.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianViParams {
    /// Latent dimension `d`.
    pub dim: usize,
    /// Observation dimension `o` (≥ `d`, so that `W` can have orthogonal columns).
    pub obs: usize,
    /// Observation noise `σ`.
    pub noise: f64,
    /// Seed fixing `W` and `b`.
    pub model_seed: u64,
    /// Instances draw `z ~ N(0, scale² I)`: scale 1 is the model itself,
    /// larger values give out-of-distribution observations.
    pub scale: f64,
}

impl Default for GaussianViParams {
    fn default() -> Self {
        GaussianViParams {
            dim: 2,
            obs: 4,
            noise: 0.5,
            model_seed: 0,
            scale: 1.0,
        }
    }
}

/// The model and the variational problem (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianVi {
    pub params: GaussianViParams,
    /// `W`, row-major `obs × dim`, orthogonal columns.
    w: Vec<f64>,
    b: Vec<f64>,
    /// `|w_j|²` per column.
    col_norm2: Vec<f64>,
}

/// Why the model cannot be built as asked.
#[derive(Clone, Debug, PartialEq)]
pub enum GaussianViError {
    /// Not `1 ≤ dim ≤ obs`.
    Dims { dim: usize, obs: usize },
    /// The observation noise is not finite and positive.
    Noise { noise: f64 },
    /// The instances' scale is negative or not finite.
    Scale { scale: f64 },
}

impl fmt::Display for GaussianViError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaussianViError::Dims { dim, obs } => write!(
                f,
                "gaussian_vi: need 1 ≤ dim ≤ obs, got dim = {dim}, obs = {obs}"
            ),
            GaussianViError::Noise { noise } => {
                write!(f, "gaussian_vi: noise must be finite and > 0, got {noise}")
            }
            GaussianViError::Scale { scale } => {
                write!(f, "gaussian_vi: scale must be finite and ≥ 0, got {scale}")
            }
        }
    }
}

impl std::error::Error for GaussianViError {}

/// `gaussian_vi(dim, obs)` with the default noise and model seed.
pub fn gaussian_vi(dim: usize, obs: usize) -> Result<GaussianVi, GaussianViError> {
    GaussianVi::new(GaussianViParams {
        dim,
        obs,
        ..GaussianViParams::default()
    })
}

impl GaussianVi {
    pub fn new(params: GaussianViParams) -> Result<Self, GaussianViError> {
        let (d, o) = (params.dim, params.obs);
        if d == 0 || o < d {
            return Err(GaussianViError::Dims { dim: d, obs: o });
        }
        if !(params.noise.is_finite() && params.noise > 0.0) {
            return Err(GaussianViError::Noise {
                noise: params.noise,
            });
        }
        if !(params.scale.is_finite() && params.scale >= 0.0) {
            return Err(GaussianViError::Scale {
                scale: params.scale,
            });
        }
        let mut rng = Rng::new(params.model_seed);
        // Gram–Schmidt on Gaussian columns, then column lengths in [0.5, 2].
        let mut cols: Vec<Vec<f64>> = Vec::with_capacity(d);
        while cols.len() < d {
            let mut v: Vec<f64> = (0..o).map(|_| rng.normal()).collect();
            for c in &cols {
                let dot: f64 = v.iter().zip(c).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(c).for_each(|(a, b)| *a -= dot * b);
            }
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            // A draw (nearly) in the span of the others is redrawn.
            if norm > 1e-3 {
                v.iter_mut().for_each(|a| *a /= norm);
                cols.push(v);
            }
        }
        let lengths: Vec<f64> = (0..d).map(|_| rng.uniform_in(0.5, 2.0)).collect();
        let mut w = vec![0.0; o * d];
        for (j, c) in cols.iter().enumerate() {
            for i in 0..o {
                w[i * d + j] = lengths[j] * c[i];
            }
        }
        let b = (0..o).map(|_| rng.normal()).collect();
        let col_norm2 = lengths.iter().map(|l| l * l).collect();
        Ok(GaussianVi {
            params,
            w,
            b,
            col_norm2,
        })
    }

    /// `W`, row-major `obs × dim`.
    pub fn w(&self) -> &[f64] {
        &self.w
    }

    pub fn b(&self) -> &[f64] {
        &self.b
    }

    fn precision(&self, j: usize) -> f64 {
        1.0 + self.col_norm2[j] / (self.params.noise * self.params.noise)
    }

    /// Posterior mean and variance of coordinate `j` given `y`.
    fn posterior(&self, y: &[f64], j: usize) -> (f64, f64) {
        let (d, s2) = (self.params.dim, self.params.noise * self.params.noise);
        let wr: f64 = (0..self.params.obs)
            .map(|i| self.w[i * d + j] * (y[i] - self.b[i]))
            .sum();
        let var = 1.0 / self.precision(j);
        (var * wr / s2, var)
    }

    /// `KL(q_θ ‖ p(z | y))`, in closed form (both are diagonal Gaussians).
    pub fn kl_to_posterior(&self, theta: &[f64], y: &[f64]) -> f64 {
        let d = self.params.dim;
        (0..d)
            .map(|j| {
                let (mp, vp) = self.posterior(y, j);
                let (m, s) = (theta[j], theta[d + j]);
                let vq = (2.0 * s).exp();
                0.5 * (vp.ln() - 2.0 * s + (vq + (m - mp) * (m - mp)) / vp - 1.0)
            })
            .sum()
    }

    /// `−log p(y)` under `y ~ N(b, WWᵀ + σ² I)`, computed from the marginal
    /// (not from the ELBO), using the eigenbasis the orthogonal columns give.
    pub fn neg_log_evidence(&self, y: &[f64]) -> f64 {
        let (d, o) = (self.params.dim, self.params.obs);
        let s2 = self.params.noise * self.params.noise;
        let r: Vec<f64> = y.iter().zip(&self.b).map(|(y, b)| y - b).collect();
        let r2: f64 = r.iter().map(|v| v * v).sum();
        let mut quad = 0.0;
        let mut log_det = (o - d) as f64 * s2.ln();
        let mut along = 0.0;
        for j in 0..d {
            let u_r: f64 =
                (0..o).map(|i| self.w[i * d + j] * r[i]).sum::<f64>() / self.col_norm2[j].sqrt();
            let lam = self.col_norm2[j] + s2;
            quad += u_r * u_r / lam;
            log_det += lam.ln();
            along += u_r * u_r;
        }
        quad += (r2 - along) / s2;
        0.5 * (o as f64 * TAU.ln() + log_det + quad)
    }
}

impl ContinuousProblem for GaussianVi {
    fn name(&self) -> String {
        format!("gaussian_vi({}, obs={})", self.params.dim, self.params.obs)
    }

    fn theta_dim(&self) -> usize {
        2 * self.params.dim
    }

    /// Means in [−10, 10], log-stds in [−5, 2]. The exact log-stds lie in
    /// [−1.7, 0) for the default noise, and the exact means well inside
    /// the box unless `scale` is extreme (`optimum` ignores the box).
    fn bounds(&self) -> Bounds {
        let d = self.params.dim;
        let mut lo = vec![-10.0; 2 * d];
        let mut hi = vec![10.0; 2 * d];
        lo[d..].iter_mut().for_each(|v| *v = -5.0);
        hi[d..].iter_mut().for_each(|v| *v = 2.0);
        Bounds { lo, hi }
    }

    fn instance_dim(&self) -> usize {
        self.params.obs
    }

    fn sample_instance(&self, rng: &mut Rng, y: &mut [f64]) {
        let d = self.params.dim;
        let z: Vec<f64> = (0..d).map(|_| self.params.scale * rng.normal()).collect();
        for (i, yi) in y.iter_mut().enumerate() {
            let wz: f64 = (0..d).map(|j| self.w[i * d + j] * z[j]).sum();
            *yi = wz + self.b[i] + self.params.noise * rng.normal();
        }
    }

    fn value(&self, theta: &[f64], y: &[f64]) -> f64 {
        neg_elbo(self, theta, y, None)
    }

    fn value_grad(&self, theta: &[f64], y: &[f64], grad: &mut [f64]) -> f64 {
        neg_elbo(self, theta, y, Some(grad))
    }

    fn optimum(&self, y: &[f64]) -> Option<Optimum> {
        let d = self.params.dim;
        let mut theta = vec![0.0; 2 * d];
        for j in 0..d {
            let (m, v) = self.posterior(y, j);
            theta[j] = m;
            theta[d + j] = 0.5 * v.ln();
        }
        Some(Optimum {
            theta,
            value: self.neg_log_evidence(y),
        })
    }
}

fn neg_elbo(p: &GaussianVi, theta: &[f64], y: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
    let (d, o) = (p.params.dim, p.params.obs);
    let s2 = p.params.noise * p.params.noise;
    let (m, s) = theta.split_at(d);
    let mut value = 0.5 * o as f64 * (TAU * s2).ln() - 0.5 * d as f64;
    if let Some(g) = grad.as_deref_mut() {
        g[..d].copy_from_slice(m);
    }
    for ((row, yi), bi) in p.w.chunks_exact(d).zip(y).zip(&p.b) {
        let r = yi - bi - row.iter().zip(m).map(|(w, m)| w * m).sum::<f64>();
        value += r * r / (2.0 * s2);
        if let Some(g) = grad.as_deref_mut() {
            g[..d]
                .iter_mut()
                .zip(row)
                .for_each(|(g, w)| *g -= w * r / s2);
        }
    }
    for j in 0..d {
        let e = (2.0 * s[j]).exp();
        let c = p.precision(j);
        value += 0.5 * m[j] * m[j] + 0.5 * c * e - s[j];
        if let Some(g) = grad.as_deref_mut() {
            g[d + j] = c * e - 1.0;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(p: &GaussianVi, seed: u64) -> Vec<f64> {
        let mut y = vec![0.0; p.params.obs];
        p.sample_instance(&mut Rng::new(seed), &mut y);
        y
    }

    #[test]
    fn columns_are_orthogonal() {
        let p = gaussian_vi(3, 5).unwrap();
        let w = p.w();
        for a in 0..3 {
            for b in a + 1..3 {
                let dot: f64 = (0..5).map(|i| w[i * 3 + a] * w[i * 3 + b]).sum();
                assert!(dot.abs() < 1e-12);
            }
        }
    }

    #[test]
    fn the_optimum_is_the_evidence_and_kl_is_the_gap() {
        let p = gaussian_vi(2, 4).unwrap();
        let y = instance(&p, 3);
        let opt = p.optimum(&y).unwrap();
        // −ELBO at the exact posterior equals −log p(y), computed independently.
        assert!((p.value(&opt.theta, &y) - opt.value).abs() < 1e-12);
        assert!(p.kl_to_posterior(&opt.theta, &y).abs() < 1e-14);
        // Elsewhere, −ELBO − (−log p(y)) = KL > 0.
        let theta = [0.3, -0.7, -0.2, 0.1];
        let gap = p.value(&theta, &y) - opt.value;
        assert!(gap > 0.1);
        assert!((gap - p.kl_to_posterior(&theta, &y)).abs() < 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences_and_vanishes_at_the_optimum() {
        let p = gaussian_vi(2, 4).unwrap();
        let y = instance(&p, 5);
        let theta = [0.4, -1.1, -0.6, 0.3];
        let mut g = [0.0; 4];
        p.value_grad(&theta, &y, &mut g);
        for i in 0..4 {
            let (mut a, mut b) = (theta, theta);
            a[i] += 1e-6;
            b[i] -= 1e-6;
            let fd = (p.value(&a, &y) - p.value(&b, &y)) / 2e-6;
            assert!((fd - g[i]).abs() < 1e-6, "{i}: {fd} vs {}", g[i]);
        }
        let opt = p.optimum(&y).unwrap();
        p.value_grad(&opt.theta, &y, &mut g);
        assert!(g.iter().all(|v| v.abs() < 1e-12), "{g:?}");
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(gaussian_vi(3, 2).is_err());
        assert!(gaussian_vi(0, 2).is_err());
        let params = GaussianViParams {
            noise: 0.0,
            ..GaussianViParams::default()
        };
        assert!(GaussianVi::new(params).is_err());
    }
}
