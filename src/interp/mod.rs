//! The interpreter: values, the builtin registry, evaluation of the IR, and
//! what a run prints and writes.

pub mod builtins;
pub mod cancel;
pub mod data;
pub mod doc;
pub mod eval;
pub mod evaluate;
pub mod hybrid;
pub mod model;
pub mod output;
pub mod problem;
pub mod registry;
pub mod solver;
pub mod tweak;
pub mod value;

pub use eval::Interpreter;
pub use output::{Format, Output};
pub use registry::{Registry, RunSettings, RuntimeError};
pub use value::Value;
