//! The classic pendulum swing-up (the dynamics of Gym's `Pendulum-v1`).
//!
//! State `(θ, θ̇)` with `θ = 0` upright; torque `u ∈ [−2, 2]`; per step
//!
//! ```text
//! θ̇' = clip(θ̇ + (3g/2l · sin θ + 3/(m l²) · u) · dt, −8, 8),  θ' = wrap(θ + θ̇' dt)
//! reward = −(θ² + 0.1 θ̇² + 0.001 u²)     (θ wrapped into [−π, π))
//! ```
//!
//! with `g = 10`, `m = l = 1`, `dt = 0.05`, and 200-step episodes. The
//! motor cannot lift the pendulum directly (gravity's torque reaches 5), so
//! it has to swing. An instance is an initial state: angle uniform in
//! [−π, π], velocity uniform in [−1, 1]. The out-of-distribution knobs are
//! the mass and the initial velocity range (`PendulumParams`,
//! `Pendulum::shifted`).
//!
//! It is a `ControlProblem` (closed-loop planning with `mpc`, policies
//! reading `features = (cos θ, sin θ, θ̇)`), and also a `ContinuousProblem`
//! over open-loop plans: `θ` is the whole torque sequence, the value is the
//! negated return, and its gradient comes from backpropagation through the
//! dynamics.

use crate::domains::continuous::{Bounds, ContinuousProblem, Sense};
use crate::domains::control::ControlProblem;
use crate::rng::Rng;
use std::f64::consts::{PI, TAU};
use std::fmt;

/// Physical and episode parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct PendulumParams {
    pub gravity: f64,
    pub mass: f64,
    pub length: f64,
    pub dt: f64,
    pub max_torque: f64,
    pub max_speed: f64,
    /// Steps per episode.
    pub steps: usize,
    /// Initial velocities are uniform in `[−init_speed, init_speed]`.
    pub init_speed: f64,
}

impl Default for PendulumParams {
    fn default() -> Self {
        PendulumParams {
            gravity: 10.0,
            mass: 1.0,
            length: 1.0,
            dt: 0.05,
            max_torque: 2.0,
            max_speed: 8.0,
            steps: 200,
            init_speed: 1.0,
        }
    }
}

/// The pendulum (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Pendulum {
    pub params: PendulumParams,
}

/// Why a pendulum cannot be built as asked.
#[derive(Clone, Debug, PartialEq)]
pub enum PendulumError {
    /// A physical constant (`name`) that must be positive is not.
    NotPositive { name: &'static str, value: f64 },
    /// The initial speed range is negative or not finite.
    InitSpeed { value: f64 },
    /// An episode of no steps.
    NoSteps,
    /// The out-of-distribution shift is negative or not finite.
    Shift { amount: f64 },
}

impl fmt::Display for PendulumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PendulumError::NotPositive { name, value } => {
                write!(f, "pendulum: {name} must be finite and > 0, got {value}")
            }
            PendulumError::InitSpeed { value } => write!(
                f,
                "pendulum: init_speed must be finite and ≥ 0, got {value}"
            ),
            PendulumError::NoSteps => write!(f, "pendulum: steps must be ≥ 1"),
            PendulumError::Shift { amount } => {
                write!(f, "pendulum: shift must be finite and ≥ 0, got {amount}")
            }
        }
    }
}

impl std::error::Error for PendulumError {}

/// The standard pendulum.
pub fn pendulum() -> Pendulum {
    Pendulum {
        params: PendulumParams::default(),
    }
}

/// Wraps an angle into [−π, π).
#[inline]
pub fn wrap_angle(a: f64) -> f64 {
    (a + PI).rem_euclid(TAU) - PI
}

impl Pendulum {
    pub fn new(params: PendulumParams) -> Result<Self, PendulumError> {
        let p = &params;
        let positive = [
            ("gravity", p.gravity),
            ("mass", p.mass),
            ("length", p.length),
            ("dt", p.dt),
            ("max_torque", p.max_torque),
            ("max_speed", p.max_speed),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(PendulumError::NotPositive { name, value: v });
            }
        }
        if !(p.init_speed.is_finite() && p.init_speed >= 0.0) {
            return Err(PendulumError::InitSpeed {
                value: p.init_speed,
            });
        }
        if p.steps == 0 {
            return Err(PendulumError::NoSteps);
        }
        Ok(Pendulum { params })
    }

    /// The out-of-distribution variant: mass and initial velocity range both
    /// scaled by `1 + amount` (`amount ≥ 0`; 0 is the standard pendulum).
    pub fn shifted(amount: f64) -> Result<Self, PendulumError> {
        if !(amount.is_finite() && amount >= 0.0) {
            return Err(PendulumError::Shift { amount });
        }
        let d = PendulumParams::default();
        Pendulum::new(PendulumParams {
            mass: d.mass * (1.0 + amount),
            init_speed: d.init_speed * (1.0 + amount),
            ..d
        })
    }

    /// Gravity's and the motor's coefficients in the velocity update.
    fn coefficients(&self) -> (f64, f64) {
        let p = &self.params;
        (
            3.0 * p.gravity / (2.0 * p.length),
            3.0 / (p.mass * p.length * p.length),
        )
    }

    /// Whether a state is within `tol` radians of upright.
    pub fn is_upright(state: &[f64], tol: f64) -> bool {
        wrap_angle(state[0]).abs() <= tol
    }

    /// The negated return of an open-loop plan and, if asked, its gradient,
    /// by backpropagation through time.
    fn plan_cost(&self, plan: &[f64], start: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let p = &self.params;
        let (a, b) = self.coefficients();
        let (mut th, mut w) = (start[0], start[1]);
        let Some(grad) = grad else {
            let mut state = [th, w];
            return -plan
                .iter()
                .map(|u| self.step(&mut state, std::slice::from_ref(u)))
                .sum::<f64>();
        };
        // Forward pass, keeping each step's state for the backward pass.
        let mut trajectory = Vec::with_capacity(plan.len());
        let mut total = 0.0;
        for &u_raw in plan {
            trajectory.push((th, w));
            let u = u_raw.clamp(-p.max_torque, p.max_torque);
            let n = wrap_angle(th);
            total += n * n + 0.1 * w * w + 0.001 * u * u;
            w = (w + (a * th.sin() + b * u) * p.dt).clamp(-p.max_speed, p.max_speed);
            th = wrap_angle(th + w * p.dt);
        }
        let (mut lam_th, mut lam_w) = (0.0, 0.0);
        for (t, &(th, w)) in trajectory.iter().enumerate().rev() {
            let u_raw = plan[t];
            let u = u_raw.clamp(-p.max_torque, p.max_torque);
            let w_pre = w + (a * th.sin() + b * u) * p.dt;
            // th' = th + w' dt: the new angle's adjoint flows into w'.
            let lam_w_new = lam_w + lam_th * p.dt;
            let through = if w_pre.abs() < p.max_speed {
                lam_w_new
            } else {
                0.0
            };
            let u_inside = u_raw.abs() < p.max_torque;
            grad[t] = if u_inside {
                0.002 * u + through * b * p.dt
            } else {
                0.0
            };
            lam_th = 2.0 * wrap_angle(th) + lam_th + through * a * th.cos() * p.dt;
            lam_w = 0.2 * w + through;
        }
        total
    }
}

impl ControlProblem for Pendulum {
    fn name(&self) -> String {
        if self.params == PendulumParams::default() {
            "pendulum".into()
        } else {
            format!(
                "pendulum(mass={}, init_speed={})",
                self.params.mass, self.params.init_speed
            )
        }
    }

    fn state_dim(&self) -> usize {
        2
    }

    fn action_dim(&self) -> usize {
        1
    }

    fn action_bounds(&self) -> Bounds {
        Bounds::uniform(1, -self.params.max_torque, self.params.max_torque)
    }

    fn episode_len(&self) -> usize {
        self.params.steps
    }

    fn sample_initial(&self, rng: &mut Rng, state: &mut [f64]) {
        state[0] = rng.uniform_in(-PI, PI);
        state[1] = rng.uniform_in(-self.params.init_speed, self.params.init_speed);
    }

    #[inline]
    fn step(&self, state: &mut [f64], action: &[f64]) -> f64 {
        let p = &self.params;
        let (a, b) = self.coefficients();
        let (th, w) = (state[0], state[1]);
        let u = action[0].clamp(-p.max_torque, p.max_torque);
        let n = wrap_angle(th);
        let reward = -(n * n + 0.1 * w * w + 0.001 * u * u);
        let w = (w + (a * th.sin() + b * u) * p.dt).clamp(-p.max_speed, p.max_speed);
        state[0] = wrap_angle(th + w * p.dt);
        state[1] = w;
        reward
    }

    fn feature_dim(&self) -> usize {
        3
    }

    fn features(&self, state: &[f64], out: &mut [f64]) {
        out[0] = state[0].cos();
        out[1] = state[0].sin();
        out[2] = state[1];
    }
}

impl ContinuousProblem for Pendulum {
    fn name(&self) -> String {
        ControlProblem::name(self)
    }

    fn theta_dim(&self) -> usize {
        self.params.steps
    }

    fn bounds(&self) -> Bounds {
        Bounds::uniform(
            self.params.steps,
            -self.params.max_torque,
            self.params.max_torque,
        )
    }

    fn instance_dim(&self) -> usize {
        2
    }

    fn sample_instance(&self, rng: &mut Rng, x: &mut [f64]) {
        self.sample_initial(rng, x);
    }

    fn value(&self, theta: &[f64], x: &[f64]) -> f64 {
        self.plan_cost(theta, x, None)
    }

    fn value_grad(&self, theta: &[f64], x: &[f64], grad: &mut [f64]) -> f64 {
        self.plan_cost(theta, x, Some(grad))
    }

    fn sense(&self) -> Sense {
        Sense::Maximize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanging_still_is_an_equilibrium_and_upright_is_free() {
        let p = pendulum();
        // Hanging down at rest with no torque: stays, costing π² per step.
        let mut s = [PI, 0.0];
        let r = ControlProblem::step(&p, &mut s, &[0.0]);
        assert!((r + PI * PI).abs() < 1e-12);
        assert!((wrap_angle(s[0]).abs() - PI).abs() < 1e-12 && s[1].abs() < 1e-12);
        // Upright at rest: reward 0, and it stays (an unstable equilibrium).
        let mut s = [0.0, 0.0];
        assert_eq!(ControlProblem::step(&p, &mut s, &[0.0]), 0.0);
        assert_eq!(s, [0.0, 0.0]);
    }

    #[test]
    fn one_step_matches_the_gym_formula() {
        let p = pendulum();
        let mut s = [1.0, 0.5];
        let r = ControlProblem::step(&p, &mut s, &[3.0]); // torque clipped to 2
        let w: f64 = 0.5 + (15.0 * 1.0f64.sin() + 3.0 * 2.0) * 0.05;
        assert!((r + (1.0 + 0.1 * 0.25 + 0.004)).abs() < 1e-12);
        assert!((s[1] - w).abs() < 1e-12 && (s[0] - (1.0 + w * 0.05)).abs() < 1e-12);
    }

    #[test]
    fn plan_gradient_matches_finite_differences() {
        let p = Pendulum::new(PendulumParams {
            steps: 30,
            ..PendulumParams::default()
        })
        .unwrap();
        let x = [2.5, -0.3];
        let mut rng = Rng::new(3);
        let plan: Vec<f64> = (0..30).map(|_| rng.uniform_in(-1.9, 1.9)).collect();
        let mut g = vec![0.0; 30];
        let v = p.value_grad(&plan, &x, &mut g);
        assert!((v - p.value(&plan, &x)).abs() < 1e-9);
        for i in [0, 7, 15, 29] {
            let (mut a, mut b) = (plan.clone(), plan.clone());
            a[i] += 1e-6;
            b[i] -= 1e-6;
            let fd = (p.value(&a, &x) - p.value(&b, &x)) / 2e-6;
            assert!(
                (fd - g[i]).abs() < 1e-4 * (1.0 + fd.abs()),
                "{i}: {fd} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn features_encode_the_angle_continuously() {
        let p = pendulum();
        let mut f = [0.0; 3];
        p.features(&[PI - 1e-9, 0.2], &mut f);
        let mut g = [0.0; 3];
        p.features(&[-PI + 1e-9, 0.2], &mut g);
        assert!(f.iter().zip(&g).all(|(a, b)| (a - b).abs() < 1e-8));
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(Pendulum::new(PendulumParams {
            mass: 0.0,
            ..PendulumParams::default()
        })
        .is_err());
        assert!(Pendulum::new(PendulumParams {
            steps: 0,
            ..PendulumParams::default()
        })
        .is_err());
        assert!(Pendulum::shifted(-1.0).is_err());
        assert_eq!(Pendulum::shifted(0.5).unwrap().params.mass, 1.5);
    }
}
