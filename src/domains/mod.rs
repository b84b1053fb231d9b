//! Problems: games, MDPs and continuous objectives behind shared traits.
//!
//! This is a library that knows nothing of the language: the interpreter
//! wraps these types as `Objective` values.

pub mod connect4;
pub mod continuous;
pub mod functions;
pub mod gaussian_vi;
pub mod control;
pub mod pendulum;
pub mod expr;
pub mod game;
pub mod gridworld;
pub mod tictactoe;
