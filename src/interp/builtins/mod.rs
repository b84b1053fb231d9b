//! Every builtin of the language, registered group by group; algorithms
//! and problem constructors come from the native catalog.

mod amortized;
mod core;
mod hybrids;
pub mod measure;
mod objectives;
mod solvers;

pub use objectives::eval_problem;

use super::registry::Registry;
use crate::compose::Catalog;

pub fn register_all(r: &mut Registry, catalog: Catalog) {
    core::register(r);
    objectives::register(r, &catalog);
    solvers::register(r, &catalog);
    measure::register(r);
    hybrids::register(r);
    amortized::register(r);
}
