//! Every builtin of the language, registered group by group.

mod amortized;
mod core;
mod hybrids;
mod measure;
mod objectives;
mod solvers;

use super::registry::Registry;

pub fn register_all(r: &mut Registry) {
    core::register(r);
    objectives::register(r);
    solvers::register(r);
    measure::register(r);
    hybrids::register(r);
    amortized::register(r);
}
