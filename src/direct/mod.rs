//! Direct optimizers: one search or optimization algorithm per file.
//!
//! Native Rust, monomorphized over the domain; knows nothing of the language.
pub mod adam;
pub mod best_of;
pub mod cem;
pub mod cmaes;
pub mod continuous;
pub mod gd;
pub mod mcts;
pub mod minimax;
pub mod mpc;
pub mod random_search;
pub mod random_shooting;
pub mod value_iteration;
pub mod ziggurat;
