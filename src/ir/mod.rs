//! From syntax to a typed DAG: name resolution, `use` loading, def
//! expansion, kind checking, param overrides, objective tapes, and the IR
//! with its printers.

pub mod graph;
pub mod kind;
pub mod load;
pub mod lower;
pub mod overrides;
pub mod signature;
pub mod tape;

pub use graph::{Command, CommandKind, Ir, Node, NodeId, Op};
pub use kind::Kind;
pub use lower::CheckOptions;
pub use signature::{Const, SignatureLookup};
