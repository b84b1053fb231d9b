//! Optimist: a language and interpreter for composing direct and amortized optimizers.
//!
//! The pipeline is `syntax → ir → interp → {direct, amortized, domains, report}`;
//! see ARCHITECTURE.md for the map. [`driver`] is the facade the CLI, the
//! REPL and the tests share.

pub mod algorithms;
pub mod amortized;
pub mod catalog;
pub mod compose;
pub mod cost;
pub mod diagnostics;
pub mod direct;
pub mod domains;
pub mod driver;
pub mod files;
pub mod fmt;
pub mod interp;
pub mod ir;
pub mod lsp;
pub mod memory;
pub mod params;
pub mod problems;
pub mod progress;
pub mod repl;
pub mod report;
pub mod rng;
pub mod span;
pub mod stop;
pub mod syntax;
pub mod yaml;

/// mimalloc: the checker, the interpreter and training allocate many small
/// objects, and the system allocator's frees and page faults were a sixth
/// of `check`'s time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
