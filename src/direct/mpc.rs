//! Model-predictive control: at every step of an episode, plan an action
//! sequence over a short horizon by simulating the problem, execute its
//! first action, and replan from the state reached.
//!
//! The planner is any [`Replanner`] over the `horizon · action_dim` plan —
//! CEM and random shooting implement it in their own files. Each
//! replanning is warm-started from the previous plan shifted by one step
//! (the last action padded with the middle of the action box): CEM starts
//! its mean there, random shooting offers it as a candidate. The executed
//! action is the first of the best plan found. Costs count simulated steps:
//! every planning rollout's steps plus the episode's own.

use crate::cost::Cost;
use crate::direct::continuous::{center, check_vector, ContinuousError};
use crate::domains::continuous::Bounds;
use crate::domains::control::{rollout, ControlProblem, Episode};
use crate::rng::Rng;
use std::fmt;
use std::time::Instant;

/// A sampling planner that MPC replans with at every step, keeping its
/// state (a search distribution, a warm plan) from one step to the next.
pub trait Replanner {
    /// What the planner carries between steps.
    type State;
    /// Why the planner cannot plan (its parameters against the plan box).
    type Error: std::error::Error + 'static;
    /// The state for an episode over plans in `bounds`.
    fn begin(&self, bounds: &Bounds) -> Result<Self::State, Self::Error>;
    /// The plan the next step's search starts from; a guide writes its
    /// proposal here.
    fn proposal<'s>(&self, state: &'s mut Self::State) -> &'s mut [f64];
    /// Searches for the plan minimizing `objective`, writes it into `best`
    /// and returns the evaluations spent.
    fn optimize<F: FnMut(&[f64]) -> f64>(
        &self,
        state: &mut Self::State,
        objective: F,
        bounds: &Bounds,
        rng: &mut Rng,
        best: &mut [f64],
    ) -> Result<u64, Self::Error>;
    /// Prepares the next step: the proposal moves on by one action of
    /// `action_dim`, padded at the end with `pad`.
    fn advance(&self, state: &mut Self::State, best: &[f64], action_dim: usize, pad: &[f64]);
}

/// Parameters of `mpc`.
#[derive(Clone, Debug, PartialEq)]
pub struct MpcParams {
    /// Planning horizon, in steps.
    pub horizon: usize,
    /// Episode length (default: the problem's).
    pub steps: Option<usize>,
}

impl Default for MpcParams {
    fn default() -> Self {
        MpcParams {
            horizon: 30,
            steps: None,
        }
    }
}

/// Why an MPC episode cannot run; `E` is the planner's error.
#[derive(Clone, Debug, PartialEq)]
pub enum MpcError<E> {
    /// The initial state does not fit the problem.
    Initial(ContinuousError),
    /// `horizon` is 0.
    NoHorizon,
    /// The problem's action box does not have `action_dim` coordinates.
    ActionBox {
        problem: String,
        found: usize,
        expected: usize,
    },
    /// The planner refused.
    Planner(E),
}

impl<E: fmt::Display> fmt::Display for MpcError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpcError::Initial(e) => write!(f, "{e}"),
            MpcError::NoHorizon => write!(f, "mpc: horizon must be ≥ 1"),
            MpcError::ActionBox { problem, .. } => {
                write!(f, "mpc: {problem} has a malformed action box")
            }
            MpcError::Planner(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for MpcError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MpcError::Initial(e) => Some(e),
            MpcError::Planner(e) => Some(e),
            _ => None,
        }
    }
}

/// Runs one closed-loop episode from `initial` with `planner`.
pub fn mpc<C: ControlProblem + ?Sized, R: Replanner>(
    problem: &C,
    initial: &[f64],
    rng: &mut Rng,
    planner: &R,
    params: &MpcParams,
) -> Result<Episode, MpcError<R::Error>> {
    mpc_guided(problem, initial, rng, planner, params, None)
}

/// A proposal for the plan from the current state: writes a whole plan
/// (`horizon · action_dim` actions) and returns what proposing it cost.
pub type Guide<'a> = &'a mut dyn FnMut(&[f64], &mut [f64]) -> Cost;

/// The box of a whole plan: the action box repeated `horizon` times.
pub fn plan_bounds(action_bounds: &Bounds, horizon: usize) -> Bounds {
    let dim = horizon * action_bounds.dim();
    Bounds {
        lo: action_bounds.lo.iter().cycle().take(dim).cloned().collect(),
        hi: action_bounds.hi.iter().cycle().take(dim).cloned().collect(),
    }
}

/// Like [`mpc`], but before each step's planning a `guide` (e.g. a learned
/// policy rolled out through the model) proposes the plan the planner
/// starts from: CEM's mean, random shooting's warm plan.
pub fn mpc_guided<C: ControlProblem + ?Sized, R: Replanner>(
    problem: &C,
    initial: &[f64],
    rng: &mut Rng,
    planner: &R,
    params: &MpcParams,
    mut guide: Option<Guide<'_>>,
) -> Result<Episode, MpcError<R::Error>> {
    let start = Instant::now();
    let (sd, ad) = (problem.state_dim(), problem.action_dim());
    check_vector("mpc", "initial state", initial, sd, false).map_err(MpcError::Initial)?;
    if params.horizon == 0 {
        return Err(MpcError::NoHorizon);
    }
    let steps = params.steps.unwrap_or_else(|| problem.episode_len());
    let action_bounds = problem.action_bounds();
    if action_bounds.dim() != ad {
        return Err(MpcError::ActionBox {
            problem: problem.name(),
            found: action_bounds.dim(),
            expected: ad,
        });
    }
    let bounds = plan_bounds(&action_bounds, params.horizon);
    let pad = center(&action_bounds);

    let mut state = initial.to_vec();
    let mut scratch = vec![0.0; sd];
    let mut states = Vec::with_capacity((steps + 1) * sd);
    let mut actions = Vec::with_capacity(steps * ad);
    states.extend_from_slice(&state);
    let mut simulated = 0u64;
    let mut total_reward = 0.0;

    // Planner state, allocated once per episode.
    let mut best = vec![0.0; bounds.dim()];
    let mut planning = planner.begin(&bounds).map_err(MpcError::Planner)?;

    let mut guided = Cost::default();
    for _ in 0..steps {
        if crate::stop::requested() {
            break;
        }
        if let Some(g) = guide.as_mut() {
            let proposal = planner.proposal(&mut planning);
            guided += g(&state, proposal);
            bounds.clamp(proposal);
        }
        let objective = |plan: &[f64]| {
            scratch.copy_from_slice(&state);
            -rollout(problem, &mut scratch, plan)
        };
        let evaluations = planner
            .optimize(&mut planning, objective, &bounds, rng, &mut best)
            .map_err(MpcError::Planner)?;
        planner.advance(&mut planning, &best, ad, &pad);
        simulated += evaluations * params.horizon as u64;
        let action = &best[..ad];
        total_reward += problem.step(&mut state, action);
        simulated += 1;
        actions.extend_from_slice(action);
        states.extend_from_slice(&state);
    }
    let cost = Cost {
        evaluations: simulated + guided.evaluations,
        forward_passes: guided.forward_passes,
        flops: guided.flops,
        nodes: guided.nodes,
        wall: start.elapsed(),
    };
    Ok(Episode {
        total_reward,
        states,
        actions,
        cost,
    })
}

/// Drops the first action of a plan and pads the end with `pad`.
pub fn shift_plan(plan: &mut [f64], action_dim: usize, pad: &[f64]) {
    plan.copy_within(action_dim.., 0);
    let n = plan.len();
    plan[n - action_dim..].copy_from_slice(pad);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::cem::CemParams;
    use crate::direct::random_shooting::RandomShootingParams;
    use crate::domains::pendulum::{pendulum, Pendulum};
    use std::f64::consts::PI;

    fn swing_up(planner: &CemParams, seed: u64, initial: [f64; 2]) -> Episode {
        let p = pendulum();
        let params = MpcParams {
            horizon: 20,
            steps: None,
        };
        mpc(&p, &initial, &mut Rng::new(seed), planner, &params).unwrap()
    }

    fn cem_planner() -> CemParams {
        CemParams {
            samples: 32,
            elites: 4,
            iters: 3,
            ..CemParams::default()
        }
    }

    #[test]
    fn cem_mpc_swings_up_and_holds_the_pendulum() {
        // From hanging still (the hardest start) and from a random one.
        for (seed, initial) in [(0, [PI, 0.0]), (1, [2.0, -0.8])] {
            let e = swing_up(&cem_planner(), seed, initial);
            let last_quarter = e.states.chunks_exact(2).skip(150);
            for (t, s) in last_quarter.enumerate() {
                assert!(
                    Pendulum::is_upright(s, 0.2),
                    "seed {seed}, step {}: {s:?}",
                    150 + t
                );
            }
            assert_eq!(e.actions.len(), 200);
            assert_eq!(e.cost.evaluations, 200 * (32 * 3 * 20 + 1));
        }
    }

    #[test]
    fn same_seed_same_episode() {
        let planner = RandomShootingParams {
            samples: 16,
            init_mean: None,
        };
        let params = MpcParams {
            horizon: 5,
            steps: Some(20),
        };
        let p = pendulum();
        let a = mpc(&p, &[1.0, 0.0], &mut Rng::new(3), &planner, &params).unwrap();
        let b = mpc(&p, &[1.0, 0.0], &mut Rng::new(3), &planner, &params).unwrap();
        assert_eq!(
            (a.total_reward, &a.states, a.cost.counted()),
            (b.total_reward, &b.states, b.cost.counted())
        );
        assert_eq!(a.cost.evaluations, 20 * (17 * 5 + 1));
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = pendulum();
        let params = MpcParams {
            horizon: 0,
            steps: None,
        };
        assert!(mpc(&p, &[0.0, 0.0], &mut Rng::new(0), &cem_planner(), &params).is_err());
        assert!(mpc(
            &p,
            &[0.0],
            &mut Rng::new(0),
            &cem_planner(),
            &MpcParams::default()
        )
        .is_err());
    }
}
