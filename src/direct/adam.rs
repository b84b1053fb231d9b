//! Adam (Kingma and Ba, 2015) on one instance of a differentiable problem:
//! gradient descent with per-coordinate step sizes from running moments.
//!
//! Projected into the box after each step, like `gd`; each gradient
//! evaluation counts as one evaluation; the returned point is the best one
//! visited. Its defaults are the paper's, with a larger step (0.05) suited
//! to the few hundred to few thousand steps of a per-instance solve.

use crate::direct::continuous::Solution;
use crate::direct::gd::{descend, prepare, GradientError};
use crate::domains::continuous::ContinuousProblem;
use std::time::Instant;

/// Parameters of `adam`.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamParams {
    /// Gradient steps; a call costs `steps + 1` evaluations.
    pub steps: usize,
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Starting point (default: the middle of the box).
    pub start: Option<Vec<f64>>,
}

impl Default for AdamParams {
    fn default() -> Self {
        AdamParams {
            steps: 1000,
            lr: 0.05,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            start: None,
        }
    }
}

/// Minimizes `problem` on instance `x` with Adam.
pub fn adam<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    params: &AdamParams,
) -> Result<Solution, GradientError> {
    let start = Instant::now();
    let theta = prepare("adam", problem, x, params.lr, params.start.as_ref())?;
    for (name, b) in [("beta1", params.beta1), ("beta2", params.beta2)] {
        if !(0.0..1.0).contains(&b) {
            return Err(GradientError::Beta { name, value: b });
        }
    }
    if !(params.eps.is_finite() && params.eps > 0.0) {
        return Err(GradientError::Eps { value: params.eps });
    }
    let n = theta.len();
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    let (mut b1t, mut b2t) = (1.0, 1.0);
    let p = params.clone();
    Ok(descend(
        problem,
        x,
        theta,
        params.steps,
        start,
        |theta, grad| {
            b1t *= p.beta1;
            b2t *= p.beta2;
            for i in 0..n {
                m[i] = p.beta1 * m[i] + (1.0 - p.beta1) * grad[i];
                v[i] = p.beta2 * v[i] + (1.0 - p.beta2) * grad[i] * grad[i];
                let m_hat = m[i] / (1.0 - b1t);
                let v_hat = v[i] / (1.0 - b2t);
                theta[i] -= p.lr * m_hat / (v_hat.sqrt() + p.eps);
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::functions::sphere;
    use crate::rng::Rng;

    #[test]
    fn reaches_the_shifted_sphere_optimum() {
        let p = sphere(10).unwrap();
        let mut x = vec![0.0; 10];
        for seed in 0..3 {
            p.sample_instance(&mut Rng::new(seed), &mut x);
            let s = adam(&p, &x, &AdamParams::default()).unwrap();
            let d = s
                .theta
                .iter()
                .zip(&x)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            assert!(d < 1e-3, "seed {seed}: {d}");
            assert_eq!(s.cost.evaluations, 1001);
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = sphere(2).unwrap();
        let x = [0.0; 2];
        assert!(adam(
            &p,
            &x,
            &AdamParams {
                beta1: 1.0,
                ..AdamParams::default()
            }
        )
        .is_err());
        assert!(adam(
            &p,
            &x,
            &AdamParams {
                eps: 0.0,
                ..AdamParams::default()
            }
        )
        .is_err());
        assert!(adam(
            &p,
            &x,
            &AdamParams {
                lr: f64::NAN,
                ..AdamParams::default()
            }
        )
        .is_err());
    }
}
