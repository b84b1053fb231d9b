//! Direct optimizers: one search or optimization algorithm per file.
//!
//! Native Rust, monomorphized over the domain; knows nothing of the language.
pub mod mcts;
pub mod minimax;
pub mod play;
pub mod value_iteration;
