//! Direct optimizers: one search or optimization algorithm per file.
//!
//! Native Rust, monomorphized over the domain; knows nothing of the language.
pub mod cem;
pub mod continuous;
pub mod ziggurat;
pub mod cmaes;
pub mod adam;
pub mod gd;
pub mod best_of;
pub mod random_search;
pub mod random_shooting;
pub mod mpc;
pub mod mcts;
pub mod minimax;
pub mod play;
pub mod value_iteration;
