//! The classic test functions — sphere, Rosenbrock, Rastrigin — as families
//! of shifted instances.
//!
//! An instance is a shift `x ~ N(0, scale² I)` of dimension `dim`, and the
//! instance's optimum is `θ* = x` with value 0:
//!
//! * sphere: `Σ (θ − x)²`;
//! * Rosenbrock in `z = θ − x + 1` coordinates:
//!   `Σ_{i<d−1} 100 (z_{i+1} − z_i²)² + (1 − z_i)²` (its minimum at `z = 1`);
//! * Rastrigin: `10 d + Σ (u² − 10 cos 2πu)` with `u = θ − x`.
//!
//! The box is `[−5, 5]^d` (override with `with_bounds`). `scale` (default 1)
//! is the out-of-distribution knob: a network trained on scale 1 meets larger
//! shifts at scale 2. A shift outside the box moves the constrained optimum
//! onto the boundary; `optimum` then answers only where that is still known
//! exactly (the sphere, by clamping).

use crate::domains::continuous::{Bounds, ContinuousProblem, Optimum};
use crate::rng::Rng;
use std::f64::consts::TAU;
use std::fmt;

/// Which test function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Sphere,
    Rosenbrock,
    Rastrigin,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Sphere => "sphere",
            Function::Rosenbrock => "rosenbrock",
            Function::Rastrigin => "rastrigin",
        }
    }
}

/// One shifted test function (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct TestFunction {
    pub function: Function,
    pub dim: usize,
    /// Standard deviation of the shift `x`.
    pub scale: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Why a test function cannot be built as asked.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionError {
    /// Fewer dimensions than the function needs (`min`).
    Dim {
        function: Function,
        min: usize,
        dim: usize,
    },
    /// The shift's standard deviation is negative or not finite.
    Scale { problem: String, scale: f64 },
    /// The box is empty or NaN.
    Bounds { problem: String, lo: f64, hi: f64 },
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FunctionError::Dim { function, min, dim } => {
                write!(f, "{}: dim must be ≥ {min}, got {dim}", function.name())
            }
            FunctionError::Scale { problem, scale } => {
                write!(f, "{problem}: scale must be finite and ≥ 0, got {scale}")
            }
            FunctionError::Bounds { problem, lo, hi } => {
                write!(f, "{problem}: bounds need lo < hi, got [{lo}, {hi}]")
            }
        }
    }
}

impl std::error::Error for FunctionError {}

/// `Σ (θ − x)²` on `[−5, 5]^dim`.
pub fn sphere(dim: usize) -> Result<TestFunction, FunctionError> {
    TestFunction::new(Function::Sphere, dim)
}

/// Rosenbrock's valley, shifted so that `θ* = x`; `dim ≥ 2`.
pub fn rosenbrock(dim: usize) -> Result<TestFunction, FunctionError> {
    TestFunction::new(Function::Rosenbrock, dim)
}

/// Rastrigin's egg crate, shifted so that `θ* = x`.
pub fn rastrigin(dim: usize) -> Result<TestFunction, FunctionError> {
    TestFunction::new(Function::Rastrigin, dim)
}

impl TestFunction {
    pub fn new(function: Function, dim: usize) -> Result<Self, FunctionError> {
        let min = if function == Function::Rosenbrock {
            2
        } else {
            1
        };
        if dim < min {
            return Err(FunctionError::Dim { function, min, dim });
        }
        Ok(TestFunction {
            function,
            dim,
            scale: 1.0,
            lo: -5.0,
            hi: 5.0,
        })
    }

    /// Sets the standard deviation of the shift (the `shift` knob).
    pub fn with_scale(mut self, scale: f64) -> Result<Self, FunctionError> {
        if !(scale.is_finite() && scale >= 0.0) {
            return Err(FunctionError::Scale {
                problem: self.name(),
                scale,
            });
        }
        self.scale = scale;
        Ok(self)
    }

    /// Sets the box `[lo, hi]^dim`.
    pub fn with_bounds(mut self, lo: f64, hi: f64) -> Result<Self, FunctionError> {
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(FunctionError::Bounds {
                problem: self.name(),
                lo,
                hi,
            });
        }
        self.lo = lo;
        self.hi = hi;
        Ok(self)
    }

    fn inside(&self, x: &[f64]) -> bool {
        x.iter().all(|v| (self.lo..=self.hi).contains(v))
    }
}

fn sphere_value(theta: &[f64], x: &[f64], grad: Option<&mut [f64]>) -> f64 {
    match grad {
        None => theta.iter().zip(x).map(|(t, s)| (t - s) * (t - s)).sum(),
        Some(g) => {
            let mut f = 0.0;
            for ((g, t), s) in g.iter_mut().zip(theta).zip(x) {
                let u = t - s;
                f += u * u;
                *g = 2.0 * u;
            }
            f
        }
    }
}

fn rosenbrock_value(theta: &[f64], x: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
    if let Some(g) = grad.as_deref_mut() {
        g.iter_mut().for_each(|v| *v = 0.0);
    }
    let mut f = 0.0;
    let mut z0 = theta[0] - x[0] + 1.0;
    for i in 0..theta.len() - 1 {
        let z1 = theta[i + 1] - x[i + 1] + 1.0;
        let a = z1 - z0 * z0;
        let b = 1.0 - z0;
        f += 100.0 * a * a + b * b;
        if let Some(g) = grad.as_deref_mut() {
            g[i] += -400.0 * z0 * a - 2.0 * b;
            g[i + 1] += 200.0 * a;
        }
        z0 = z1;
    }
    f
}

fn rastrigin_value(theta: &[f64], x: &[f64], grad: Option<&mut [f64]>) -> f64 {
    let mut f = 10.0 * theta.len() as f64;
    match grad {
        None => {
            for (t, s) in theta.iter().zip(x) {
                let u = t - s;
                f += u * u - 10.0 * (TAU * u).cos();
            }
        }
        Some(g) => {
            for ((g, t), s) in g.iter_mut().zip(theta).zip(x) {
                let u = t - s;
                let (sin, cos) = (TAU * u).sin_cos();
                f += u * u - 10.0 * cos;
                *g = 2.0 * u + 10.0 * TAU * sin;
            }
        }
    }
    f
}

impl ContinuousProblem for TestFunction {
    fn name(&self) -> String {
        if self.scale == 1.0 {
            format!("{}({})", self.function.name(), self.dim)
        } else {
            format!(
                "{}({}, scale={})",
                self.function.name(),
                self.dim,
                self.scale
            )
        }
    }

    fn theta_dim(&self) -> usize {
        self.dim
    }

    fn bounds(&self) -> Bounds {
        Bounds::uniform(self.dim, self.lo, self.hi)
    }

    fn instance_dim(&self) -> usize {
        self.dim
    }

    fn sample_instance(&self, rng: &mut Rng, x: &mut [f64]) {
        for v in x {
            *v = self.scale * rng.normal();
        }
    }

    fn value(&self, theta: &[f64], x: &[f64]) -> f64 {
        match self.function {
            Function::Sphere => sphere_value(theta, x, None),
            Function::Rosenbrock => rosenbrock_value(theta, x, None),
            Function::Rastrigin => rastrigin_value(theta, x, None),
        }
    }

    fn value_grad(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        match self.function {
            Function::Sphere => sphere_value(theta, x, Some(grad)),
            Function::Rosenbrock => rosenbrock_value(theta, x, Some(grad)),
            Function::Rastrigin => rastrigin_value(theta, x, Some(grad)),
        }
    }

    fn optimum(&self, x: &[f64]) -> Option<Optimum> {
        if self.inside(x) {
            return Some(Optimum {
                theta: x.to_vec(),
                value: 0.0,
            });
        }
        if self.function == Function::Sphere {
            // Separable and convex: the constrained optimum is the clamped shift.
            let theta: Vec<f64> = x.iter().map(|v| v.clamp(self.lo, self.hi)).collect();
            let value = sphere_value(&theta, x, None);
            return Some(Optimum { theta, value });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_grad(p: &TestFunction, theta: &[f64], x: &[f64]) {
        let mut g = vec![0.0; theta.len()];
        let f = p.value_grad(theta, x, &mut g);
        assert!((f - p.value(theta, x)).abs() < 1e-12 * (1.0 + f.abs()));
        let h = 1e-6;
        for i in 0..theta.len() {
            let mut a = theta.to_vec();
            let mut b = theta.to_vec();
            a[i] += h;
            b[i] -= h;
            let fd = (p.value(&a, x) - p.value(&b, x)) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 1e-5 * (1.0 + fd.abs()),
                "{} {i}: {fd} vs {}",
                p.name(),
                g[i]
            );
        }
    }

    #[test]
    fn optimum_is_the_shift_with_value_zero() {
        let mut rng = Rng::new(1);
        for f in [sphere(6), rosenbrock(6), rastrigin(6)] {
            let f = f.unwrap();
            let mut x = vec![0.0; 6];
            f.sample_instance(&mut rng, &mut x);
            let opt = f.optimum(&x).unwrap();
            assert_eq!(opt.theta, x);
            assert!(f.value(&x, &x).abs() < 1e-12, "{}", f.name());
            // Any other point is worse.
            let mut y = x.clone();
            y[2] += 0.1;
            assert!(f.value(&y, &x) > 1e-3);
        }
    }

    #[test]
    fn known_values() {
        let x = [0.0; 3];
        // Rosenbrock at θ = −1 (z = 0): 2 terms of (1 − 0)² and 100 (0 − 0)².
        assert_eq!(rosenbrock(3).unwrap().value(&[-1.0; 3], &x), 2.0);
        // Rastrigin at u = 0.5: 10d + Σ(0.25 + 10).
        assert!((rastrigin(3).unwrap().value(&[0.5; 3], &x) - (30.0 + 3.0 * 10.25)).abs() < 1e-12);
        assert_eq!(sphere(3).unwrap().value(&[1.0, 2.0, 2.0], &x), 9.0);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let theta = [0.3, -1.2, 2.0, 0.7];
        let x = [0.1, 0.4, -0.5, 1.1];
        for f in [sphere(4), rosenbrock(4), rastrigin(4)] {
            check_grad(&f.unwrap(), &theta, &x);
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(sphere(0).is_err());
        assert!(rosenbrock(1).is_err());
        assert!(sphere(2).unwrap().with_scale(-1.0).is_err());
        assert!(sphere(2).unwrap().with_bounds(1.0, 1.0).is_err());
    }

    #[test]
    fn shift_outside_the_box_clamps_the_sphere_optimum() {
        let f = sphere(2).unwrap();
        let opt = f.optimum(&[7.0, 1.0]).unwrap();
        assert_eq!(opt.theta, vec![5.0, 1.0]);
        assert_eq!(opt.value, 4.0);
        assert!(rastrigin(2).unwrap().optimum(&[7.0, 1.0]).is_none());
    }
}
