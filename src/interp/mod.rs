//! The interpreter: values, the builtin registry, evaluation of the IR, and
//! what a run prints and writes. The native library (`compose` and below)
//! does the work; builtins convert values to its types and its errors to
//! spanned runtime errors.

pub mod builtins;
pub mod cancel;
pub mod doc;
pub mod eval;
pub mod output;
pub mod registry;
pub mod solver;
pub mod value;

pub use eval::Interpreter;
pub use output::{Format, Output};
pub use registry::{Registry, RunSettings, RuntimeError};
pub use value::Value;
