//! The front end: tokens, the parser and the syntax tree.

pub mod ast;
