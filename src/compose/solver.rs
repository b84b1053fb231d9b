//! Solvers: anything that answers instances of a problem — a direct
//! algorithm with its parameters, a trained model, or a composition of
//! them — behind one trait, with the cost of each answer.
//!
//! Continuous objectives and control problems are object-safe traits, so a
//! solver answers them directly. Discrete problems are generic over their
//! state type for speed, so a solver plays them through an agent made per
//! game by `compose::discrete::Kernels` (monomorphized) or, for solvers
//! registered from outside the crate, through [`Solver::erased_agent`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::erased::ErasedGame;
use super::model::Amortized;
use super::play::Agent;
use super::problem::Families;
use crate::cost::Cost;
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::params::{ParamError, ParamValue};
use crate::rng::Rng;

/// The warm starts a planner accepts (a set of bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WarmStarts(pub u8);

impl WarmStarts {
    pub const NONE: WarmStarts = WarmStarts(0);
    /// A prior over actions (PUCT's prior).
    pub const ACTION_PRIOR: WarmStarts = WarmStarts(1);
    /// A value function for search leaves.
    pub const VALUE: WarmStarts = WarmStarts(2);
    /// An initial point (mean) of a continuous search, or the plan a
    /// model-predictive controller starts each step from.
    pub const START_POINT: WarmStarts = WarmStarts(4);

    pub const fn union(self, o: WarmStarts) -> WarmStarts {
        WarmStarts(self.0 | o.0)
    }

    pub fn contains(self, o: WarmStarts) -> bool {
        self.0 & o.0 == o.0 && o.0 != 0
    }

    pub fn intersects(self, o: WarmStarts) -> bool {
        self.0 & o.0 != 0
    }

    /// Each warm start in the set, in words, with the builtin that gives it.
    pub fn describe(self) -> Vec<&'static str> {
        [
            (
                WarmStarts::ACTION_PRIOR,
                "a prior over actions (`init` with a policy)",
            ),
            (
                WarmStarts::VALUE,
                "a value function for its leaves (`value`)",
            ),
            (
                WarmStarts::START_POINT,
                "a starting point (`init` with a solution model)",
            ),
        ]
        .into_iter()
        .filter(|(w, _)| self.contains(*w))
        .map(|(_, words)| words)
        .collect()
    }
}

/// A warm start given to a planner that accepts it.
#[derive(Clone, Debug)]
pub enum WarmStart {
    /// A policy network's probabilities as the prior over actions; `None`
    /// is the uniform prior (expert iteration's first round, before there
    /// is a network).
    Prior(Option<Arc<Amortized>>),
    /// A value network's estimate in place of rollouts.
    Value(Arc<Amortized>),
}

impl WarmStart {
    pub fn kind(&self) -> WarmStarts {
        match self {
            WarmStart::Prior(_) => WarmStarts::ACTION_PRIOR,
            WarmStart::Value(_) => WarmStarts::VALUE,
        }
    }
}

/// Proposes, before each control step, the plan (`horizon · action_dim`
/// actions) a model-predictive planner starts from; returns its cost.
pub type Guide<'a> = &'a mut dyn FnMut(&[f64], &mut [f64]) -> Cost;

/// Anything that answers instances (see the module docs). Every method a
/// solver does not support keeps its default, which says so.
pub trait Solver: Send + Sync + fmt::Debug + Any {
    /// The algorithm's name, for messages: `mcts`, `cem`, `amortized`, `gate`.
    fn algorithm(&self) -> &str;

    /// The families it can solve.
    fn families(&self) -> Families;

    /// Answers one continuous instance.
    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        let _ = (problem, x, rng);
        Err(SolveError::Unsupported {
            solver: self.algorithm().to_string(),
            verb: "solve",
            what: "a continuous objective",
        })
    }

    /// Runs one closed-loop episode of a control problem.
    fn control_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
    ) -> Result<Episode, SolveError> {
        let _ = (problem, initial, rng);
        Err(SolveError::Unsupported {
            solver: self.algorithm().to_string(),
            verb: "plan on",
            what: "a control problem",
        })
    }

    /// An agent on any game seen through [`ErasedGame`]: the way a solver
    /// the crate's kernels do not know plays discrete problems. Crate
    /// solvers register a monomorphized kernel instead and keep `None`.
    fn erased_agent(
        &self,
        game: &ErasedGame,
    ) -> Option<Result<Box<dyn Agent<ErasedGame>>, SolveError>> {
        let _ = game;
        None
    }

    /// The solver this one wraps, if it only adds bookkeeping around it
    /// (a planner rebuilt from its descriptor): kernels look through it.
    fn delegate(&self) -> Option<&dyn Solver> {
        None
    }

    /// The warm starts it accepts.
    fn accepts(&self) -> WarmStarts {
        WarmStarts::NONE
    }

    /// A copy of the solver that uses `with`.
    fn warm(&self, with: &WarmStart) -> Result<Arc<dyn Solver>, SolveError> {
        Err(SolveError::Warm {
            solver: self.algorithm().to_string(),
            wanted: with.kind(),
        })
    }

    /// A copy started from `start`, with an initial spread `std` per
    /// coordinate (continuous planners that accept a starting point).
    fn started(&self, start: &[f64], std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        let _ = (start, std);
        Err(SolveError::Warm {
            solver: self.algorithm().to_string(),
            wanted: WarmStarts::START_POINT,
        })
    }

    /// One control episode in which `guide` proposes, before each step, the
    /// plan to start from; `spread` is the initial search width as a
    /// fraction of the action box (control planners that accept a starting
    /// point).
    fn guided_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
        guide: Guide<'_>,
        spread: f64,
    ) -> Result<Episode, SolveError> {
        let _ = (problem, initial, rng, guide, spread);
        Err(SolveError::Warm {
            solver: self.algorithm().to_string(),
            wanted: WarmStarts::START_POINT,
        })
    }

    /// A copy with one parameter changed (`sweep`).
    fn with_param(&self, name: &str, value: &ParamValue) -> Result<Arc<dyn Solver>, SolveError> {
        let _ = value;
        Err(SolveError::NoParam {
            solver: self.algorithm().to_string(),
            name: name.to_string(),
            known: Vec::new(),
        })
    }

    /// A copy drawing its random numbers from `seed` (expert iteration
    /// reseeds its planner every round).
    fn with_seed(&self, seed: u64) -> Result<Arc<dyn Solver>, SolveError> {
        let _ = seed;
        Err(SolveError::Unsupported {
            solver: self.algorithm().to_string(),
            verb: "be reseeded for",
            what: "another round",
        })
    }

    /// The trained model inside, for training-cost accounting.
    fn model(&self) -> Option<&Amortized> {
        None
    }
}

/// Why a solver could not answer.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// The solver does not solve this family.
    Unsupported {
        solver: String,
        verb: &'static str,
        what: &'static str,
    },
    /// The planner takes no warm start of this kind.
    Warm { solver: String, wanted: WarmStarts },
    /// `sweep` named a parameter the solver does not have.
    NoParam {
        solver: String,
        name: String,
        known: Vec<&'static str>,
    },
    /// A parameter value out of range.
    Param(ParamError),
    /// An agent chose a move that is not legal.
    IllegalMove {
        agent: String,
        action: usize,
        position: Option<String>,
    },
    /// The run was asked to stop (Ctrl-C in the REPL).
    Cancelled,
    /// The operation does not apply to this problem or state.
    Problem(String),
    /// A trained model cannot answer.
    Model(super::model::ModelError),
    /// An error of a native algorithm, problem or network, kept whole.
    Native(NativeError),
}

impl SolveError {
    /// Wraps an error of the native library.
    pub fn native(e: impl std::error::Error + Send + Sync + 'static) -> SolveError {
        SolveError::Native(NativeError(Arc::new(e)))
    }
}

/// An error of the native library below `compose`, shared so that
/// `SolveError` stays cheap to clone; `source()` reaches it.
#[derive(Clone, Debug)]
pub struct NativeError(pub Arc<dyn std::error::Error + Send + Sync>);

impl PartialEq for NativeError {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl From<ParamError> for SolveError {
    fn from(e: ParamError) -> Self {
        SolveError::Param(e)
    }
}

impl From<super::model::ModelError> for SolveError {
    fn from(e: super::model::ModelError) -> Self {
        SolveError::Model(e)
    }
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolveError::Unsupported { solver, verb, what } => {
                write!(f, "{solver} cannot {verb} {what}")
            }
            SolveError::Warm { solver, wanted } => {
                let what = if *wanted == WarmStarts::ACTION_PRIOR {
                    "a prior over actions"
                } else if *wanted == WarmStarts::VALUE {
                    "a value function"
                } else {
                    "a starting point"
                };
                write!(f, "`{solver}` takes no warm start from {what}")
            }
            SolveError::NoParam {
                solver,
                name: _,
                known,
            } if known.is_empty() => write!(f, "`{solver}` has no parameter to sweep"),
            SolveError::NoParam {
                solver,
                name,
                known,
            } => write!(
                f,
                "`{solver}` has no parameter `{name}` to sweep; it has {}",
                known.join(", ")
            ),
            SolveError::Param(e) => write!(f, "{e}"),
            SolveError::IllegalMove {
                agent,
                action,
                position: Some(p),
            } => write!(f, "{agent} chose the illegal action {action} in\n{p}"),
            SolveError::IllegalMove {
                agent: _,
                action,
                position: None,
            } => write!(f, "the solver chose the illegal action {action}"),
            SolveError::Cancelled => write!(f, "cancelled (Ctrl-C)"),
            SolveError::Problem(e) => write!(f, "{e}"),
            SolveError::Model(e) => write!(f, "{e}"),
            SolveError::Native(e) => write!(f, "{}", e.0),
        }
    }
}

impl std::error::Error for SolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SolveError::Param(e) => Some(e),
            SolveError::Model(e) => Some(e),
            SolveError::Native(e) => Some(&*e.0),
            _ => None,
        }
    }
}

/// `Err(Cancelled)` once a stop was requested (polled between queries).
pub fn poll_stop() -> Result<(), SolveError> {
    if crate::stop::requested() {
        Err(SolveError::Cancelled)
    } else {
        Ok(())
    }
}
