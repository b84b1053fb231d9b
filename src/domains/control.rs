//! The seam for continuous-control problems: a deterministic dynamical
//! system with a reward, episodes of fixed length, and random initial states
//! as instances.
//!
//! Planners (`direct::mpc`) simulate it to choose actions; amortized
//! policies read `features` of a state (a fixed-size encoding, e.g. an angle
//! as its cosine and sine) and output actions. Everything here maximizes
//! reward; planners negate it where they minimize.

use crate::cost::Cost;
use crate::domains::continuous::Bounds;
use crate::rng::Rng;

/// A deterministic control problem (see the module docs).
pub trait ControlProblem: Send + Sync {
    /// A short name for reports, e.g. `pendulum`.
    fn name(&self) -> String;
    fn state_dim(&self) -> usize;
    fn action_dim(&self) -> usize;
    /// The box each action lives in (actions outside are clipped).
    fn action_bounds(&self) -> Bounds;
    /// Steps in one episode.
    fn episode_len(&self) -> usize;
    /// Draws an initial state (an instance) into `state`.
    fn sample_initial(&self, rng: &mut Rng, state: &mut [f64]);
    /// Applies `action` to `state` in place and returns the step's reward.
    fn step(&self, state: &mut [f64], action: &[f64]) -> f64;
    /// Width of the network encoding of a state.
    fn feature_dim(&self) -> usize;
    /// Writes the network encoding of `state` into `out`.
    fn features(&self, state: &[f64], out: &mut [f64]);
}

/// One episode: its return, the visited states and the actions taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The sum of rewards (the score; higher is better).
    pub total_reward: f64,
    /// `steps + 1` states, row-major (`state_dim` each), initial state first.
    pub states: Vec<f64>,
    /// `steps` actions, row-major (`action_dim` each).
    pub actions: Vec<f64>,
    /// Counted in simulated steps: the episode's own plus every planning rollout's.
    pub cost: Cost,
}

/// The return of an open-loop action sequence (row-major, `action_dim` per
/// step) from `state`, which is advanced in place.
pub fn rollout<C: ControlProblem + ?Sized>(problem: &C, state: &mut [f64], actions: &[f64]) -> f64 {
    actions
        .chunks_exact(problem.action_dim())
        .map(|a| problem.step(state, a))
        .sum()
}
