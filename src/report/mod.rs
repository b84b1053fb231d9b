//! Reports: tables, their text/JSON/YAML/CSV forms, and SVG plots.

pub mod evaluation;
pub mod html;
pub mod plot;
pub mod stats;
pub mod table;

pub use table::{Cell, Column, Table};
