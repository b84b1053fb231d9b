//! Reports: tables, their text/JSON/YAML/CSV forms, and atomic file output.

pub mod evaluation;
pub mod plot;
pub mod table;
pub mod write;

pub use table::{Cell, Column, Table};
