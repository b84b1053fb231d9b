//! Optimist: a language and interpreter for composing direct and amortized optimizers.
//!
//! The pipeline is `syntax → ir → interp → {direct, amortized, domains, report}`;
//! see ARCHITECTURE.md for the map.

pub mod amortized;
pub mod cost;
pub mod diagnostics;
pub mod direct;
pub mod domains;
pub mod rng;
pub mod span;
pub mod syntax;
