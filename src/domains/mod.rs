//! Problems: games, MDPs and continuous objectives behind shared traits.
//!
//! This is a library that knows nothing of the language: the interpreter
//! wraps these types as `Objective` values.

pub mod connect4;
pub mod continuous;
pub mod control;
pub mod expr;
pub mod functions;
pub mod game;
pub mod gaussian_vi;
pub mod gridworld;
pub mod pendulum;
pub mod tictactoe;
