//! The native library's composition layer: problems and their families,
//! solvers and algorithm descriptors, agents and the loops that play them,
//! hybrids (warm starts, gates, best-of), evaluation, dataset generation,
//! amortization and expert iteration.
//!
//! It knows nothing of the language: no values, no spans, no interpreter
//! state (long loops poll `crate::stop`). The interpreter converts values,
//! calls it, and attaches spans to its typed errors.

pub mod algorithm;
pub mod best_of;
pub mod catalog;
pub mod discrete;
pub mod erased;
pub mod evaluate;
pub mod expert;
pub mod fit;
pub mod gate;
pub mod generate;
pub mod lockstep;
pub mod model;
pub mod parallel;
pub mod play;
pub mod problem;
pub mod solver;
pub mod warm;

pub use algorithm::{AlgorithmDescriptor, Context, Planned};
pub use catalog::Catalog;
pub use discrete::{DiscreteProblem, GameProblem, Games, Kernels, Plays};
pub use model::{Amortized, ModelSpec};
pub use problem::{Families, Problem, ProblemDescriptor, ProblemError};
pub use solver::{SolveError, Solver, WarmStart, WarmStarts};
