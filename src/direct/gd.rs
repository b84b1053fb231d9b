//! Projected gradient descent on one instance of a differentiable problem.
//!
//! Applied to `gaussian_vi` this is direct (per-datapoint) variational
//! inference; applied to an `expr` objective it descends the user's
//! expression through its reverse-mode gradient. After each step the point
//! is projected back into the box. Each gradient evaluation counts as one
//! evaluation; the returned point is the best one visited.

use crate::cost::Cost;
use crate::direct::continuous::{
    center, check_instance, check_vector, sanitize, ContinuousError, Solution,
};
use crate::domains::continuous::ContinuousProblem;
use std::fmt;
use std::time::Instant;

/// Parameters of `gd`.
#[derive(Clone, Debug, PartialEq)]
pub struct GdParams {
    /// Gradient steps; a call costs `steps + 1` evaluations (the last point
    /// is evaluated too).
    pub steps: usize,
    /// Step size.
    pub lr: f64,
    /// Starting point (default: the middle of the box).
    pub start: Option<Vec<f64>>,
}

impl Default for GdParams {
    fn default() -> Self {
        GdParams {
            steps: 1000,
            lr: 0.01,
            start: None,
        }
    }
}

/// Why a gradient method (`gd`, `adam`) cannot run; `method` names it.
#[derive(Clone, Debug, PartialEq)]
pub enum GradientError {
    /// The problem has no gradient.
    NoGradient {
        method: &'static str,
        problem: String,
    },
    /// The instance, the box or the start point does not fit.
    Continuous(ContinuousError),
    /// The step size is not finite and positive.
    Lr { method: &'static str, value: f64 },
    /// Adam's `beta1` or `beta2` (`name`) is outside `[0, 1)`.
    Beta { name: &'static str, value: f64 },
    /// Adam's `eps` is not finite and positive.
    Eps { value: f64 },
}

impl From<ContinuousError> for GradientError {
    fn from(e: ContinuousError) -> Self {
        GradientError::Continuous(e)
    }
}

impl fmt::Display for GradientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradientError::NoGradient { method, problem } => write!(
                f,
                "{method}: {problem} has no gradient; use a derivative-free optimizer (cem, cmaes)"
            ),
            GradientError::Continuous(e) => write!(f, "{e}"),
            GradientError::Lr { method, value } => {
                write!(f, "{method}: lr must be finite and > 0, got {value}")
            }
            GradientError::Beta { name, value } => {
                write!(f, "adam: {name} must be in [0, 1), got {value}")
            }
            GradientError::Eps { value } => {
                write!(f, "adam: eps must be finite and > 0, got {value}")
            }
        }
    }
}

impl std::error::Error for GradientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GradientError::Continuous(e) => Some(e),
            _ => None,
        }
    }
}

/// The checks and the starting point shared by the gradient methods.
pub(crate) fn prepare<P: ContinuousProblem + ?Sized>(
    method: &'static str,
    problem: &P,
    x: &[f64],
    lr: f64,
    start: Option<&Vec<f64>>,
) -> Result<Vec<f64>, GradientError> {
    if !problem.differentiable() {
        return Err(GradientError::NoGradient {
            method,
            problem: problem.name(),
        });
    }
    check_instance(problem, x)?;
    if !(lr.is_finite() && lr > 0.0) {
        return Err(GradientError::Lr { method, value: lr });
    }
    let bounds = problem.bounds();
    let mut theta = match start {
        Some(s) => {
            check_vector(method, "start", s, bounds.dim(), false)?;
            s.clone()
        }
        None => center(&bounds),
    };
    bounds.clamp(&mut theta);
    Ok(theta)
}

/// Minimizes `problem` on instance `x` by projected gradient descent.
pub fn gd<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    params: &GdParams,
) -> Result<Solution, GradientError> {
    let start = Instant::now();
    let theta = prepare("gd", problem, x, params.lr, params.start.as_ref())?;
    let lr = params.lr;
    Ok(descend(
        problem,
        x,
        theta,
        params.steps,
        start,
        |theta, grad| {
            theta.iter_mut().zip(grad).for_each(|(t, g)| *t -= lr * g);
        },
    ))
}

/// The loop every gradient method shares: `steps` evaluations of value and
/// gradient, each followed by `update` and a projection into the box,
/// keeping the best point seen; the final point is evaluated too when the
/// loop ran to the end. Stops early on a non-finite gradient or a stop
/// request. The cost counts every evaluation.
pub fn descend<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    mut theta: Vec<f64>,
    steps: usize,
    start: Instant,
    mut update: impl FnMut(&mut [f64], &[f64]),
) -> Solution {
    let bounds = problem.bounds();
    let mut grad = vec![0.0; theta.len()];
    let mut best = theta.clone();
    let mut best_value = f64::INFINITY;
    let mut evaluations = 0u64;
    for _ in 0..steps {
        if crate::stop::requested() {
            break;
        }
        let v = sanitize(problem.value_grad(&theta, x, &mut grad));
        evaluations += 1;
        if v < best_value {
            best_value = v;
            best.copy_from_slice(&theta);
        }
        if !grad.iter().all(|g| g.is_finite()) {
            break;
        }
        update(&mut theta, &grad);
        bounds.clamp(&mut theta);
    }
    if evaluations == steps as u64 {
        let v = sanitize(problem.value(&theta, x));
        evaluations += 1;
        if v < best_value {
            best_value = v;
            best.copy_from_slice(&theta);
        }
    }
    let cost = Cost {
        evaluations,
        wall: start.elapsed(),
        ..Cost::default()
    };
    Solution {
        theta: best,
        value: best_value,
        cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::gaussian_vi::gaussian_vi;
    use crate::rng::Rng;

    #[test]
    fn direct_vi_reaches_the_exact_posterior() {
        let p = gaussian_vi(2, 4).unwrap();
        let mut y = vec![0.0; 4];
        for seed in 0..3 {
            p.sample_instance(&mut Rng::new(seed), &mut y);
            let s = gd(
                &p,
                &y,
                &GdParams {
                    steps: 500,
                    lr: 0.05,
                    start: None,
                },
            )
            .unwrap();
            let kl = p.kl_to_posterior(&s.theta, &y);
            assert!(kl < 1e-4, "seed {seed}: KL = {kl}");
            assert_eq!(s.cost.evaluations, 501);
        }
    }

    #[test]
    fn a_start_at_the_optimum_stays_there() {
        let p = gaussian_vi(2, 4).unwrap();
        let mut y = vec![0.0; 4];
        p.sample_instance(&mut Rng::new(1), &mut y);
        let opt = p.optimum(&y).unwrap();
        let params = GdParams {
            steps: 10,
            lr: 0.05,
            start: Some(opt.theta.clone()),
        };
        let s = gd(&p, &y, &params).unwrap();
        assert!((s.value - opt.value).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = gaussian_vi(2, 4).unwrap();
        let y = [0.0; 4];
        assert!(gd(
            &p,
            &y,
            &GdParams {
                lr: 0.0,
                ..GdParams::default()
            }
        )
        .is_err());
        assert!(gd(
            &p,
            &y,
            &GdParams {
                start: Some(vec![0.0]),
                ..GdParams::default()
            }
        )
        .is_err());
        assert!(gd(&p, &[0.0; 3], &GdParams::default()).is_err());
    }
}
