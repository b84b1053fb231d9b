//! Algorithms as descriptors: each direct algorithm declares, in one
//! value, its parameters, the families it solves, the warm starts it
//! accepts and how it is built. The language's `plan`, its checker, `sweep`,
//! the hybrids, `optimist doc`, REPL completion and `:help` all read these;
//! nothing else lists algorithms.
//!
//! A built algorithm is a [`Planned`] solver: it keeps its descriptor,
//! parameters and warm starts, so that `sweep` rebuilds it through the
//! same descriptor with one parameter changed — whatever the checker
//! accepts runs.

use std::fmt;
use std::sync::Arc;

use super::model::Amortized;
use super::problem::Families;
use super::solver::{Guide, SolveError, Solver, WarmStart, WarmStarts};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::{ControlProblem, Episode};
use crate::params::{ParamSpec, ParamValue, Params};
use crate::rng::Rng;

/// What every algorithm is built with besides its own parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Context {
    /// The seed of the node that built it.
    pub seed: u64,
    /// Threads a parallel algorithm uses unless told otherwise.
    pub threads: usize,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            seed: 0,
            threads: 1,
        }
    }
}

/// Builds an algorithm's solver from checked parameters.
pub type BuildFn = fn(&Params, &Context) -> Result<Arc<dyn Solver>, SolveError>;

/// One algorithm (see the module docs).
#[derive(Clone)]
pub struct AlgorithmDescriptor {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: Vec<ParamSpec>,
    /// The families it solves.
    pub families: Families,
    /// The warm starts it accepts (`init`, `value`).
    pub warm_starts: WarmStarts,
    pub build: BuildFn,
}

impl fmt::Debug for AlgorithmDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AlgorithmDescriptor({})", self.name)
    }
}

impl AlgorithmDescriptor {
    /// The algorithm with the given parameters (the others at their
    /// defaults), built in `context`.
    pub fn plan<'v>(
        self: &Arc<Self>,
        given: impl IntoIterator<Item = (&'v str, ParamValue)>,
        context: Context,
    ) -> Result<Planned, SolveError> {
        let params = Params::build(self.name, &self.params, given)?;
        Planned::new(self.clone(), params, context)
    }
}

/// A built algorithm that can be rebuilt (see the module docs).
pub struct Planned {
    descriptor: Arc<AlgorithmDescriptor>,
    params: Params,
    context: Context,
    warm: Vec<WarmStart>,
    solver: Arc<dyn Solver>,
}

impl fmt::Debug for Planned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Planned")
            .field("algorithm", &self.descriptor.name)
            .field("params", &self.params)
            .finish()
    }
}

impl Planned {
    pub fn new(
        descriptor: Arc<AlgorithmDescriptor>,
        params: Params,
        context: Context,
    ) -> Result<Planned, SolveError> {
        let solver = (descriptor.build)(&params, &context)?;
        Ok(Planned {
            descriptor,
            params,
            context,
            warm: Vec::new(),
            solver,
        })
    }

    pub fn descriptor(&self) -> &AlgorithmDescriptor {
        &self.descriptor
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The same algorithm rebuilt with `params` and `context`, its warm
    /// starts applied again.
    fn rebuilt(&self, params: Params, context: Context) -> Result<Arc<dyn Solver>, SolveError> {
        let mut planned = Planned::new(self.descriptor.clone(), params, context)?;
        for w in &self.warm {
            planned.solver = planned.solver.warm(w)?;
            planned.warm.push(w.clone());
        }
        Ok(Arc::new(planned))
    }
}

impl Solver for Planned {
    fn algorithm(&self) -> &str {
        self.descriptor.name
    }

    fn families(&self) -> Families {
        self.solver.families()
    }

    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        self.solver.solve_continuous(problem, x, rng)
    }

    fn control_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
    ) -> Result<Episode, SolveError> {
        self.solver.control_episode(problem, initial, rng)
    }

    fn erased_agent(
        &self,
        game: &super::erased::ErasedGame,
    ) -> Option<Result<Box<dyn super::play::Agent<super::erased::ErasedGame>>, SolveError>> {
        self.solver.erased_agent(game)
    }

    fn delegate(&self) -> Option<&dyn Solver> {
        Some(&*self.solver)
    }

    fn accepts(&self) -> WarmStarts {
        self.descriptor.warm_starts
    }

    fn warm(&self, with: &WarmStart) -> Result<Arc<dyn Solver>, SolveError> {
        if !self.descriptor.warm_starts.contains(with.kind()) {
            return Err(SolveError::Warm {
                solver: self.descriptor.name.to_string(),
                wanted: with.kind(),
            });
        }
        let mut warm = self.warm.clone();
        warm.push(with.clone());
        Ok(Arc::new(Planned {
            descriptor: self.descriptor.clone(),
            params: self.params.clone(),
            context: self.context,
            warm,
            solver: self.solver.warm(with)?,
        }))
    }

    fn started(&self, start: &[f64], std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        self.solver.started(start, std)
    }

    fn guided_episode(
        &self,
        problem: &dyn ControlProblem,
        initial: &[f64],
        rng: &mut Rng,
        guide: Guide<'_>,
        spread: f64,
    ) -> Result<Episode, SolveError> {
        self.solver
            .guided_episode(problem, initial, rng, guide, spread)
    }

    fn with_param(&self, name: &str, value: &ParamValue) -> Result<Arc<dyn Solver>, SolveError> {
        let mut params = self.params.clone();
        params
            .set(&self.descriptor.params, name, value.clone())
            .map_err(|e| match e {
                crate::params::ParamError::Unknown { owner, name, known } => SolveError::NoParam {
                    solver: owner,
                    name,
                    known,
                },
                other => SolveError::Param(other),
            })?;
        self.rebuilt(params, self.context)
    }

    fn with_seed(&self, seed: u64) -> Result<Arc<dyn Solver>, SolveError> {
        self.rebuilt(
            self.params.clone(),
            Context {
                seed,
                ..self.context
            },
        )
    }

    fn model(&self) -> Option<&Amortized> {
        self.solver.model()
    }
}
