//! Every builtin of the language, registered group by group.

mod core;

use super::registry::Registry;

pub fn register_all(r: &mut Registry) {
    core::register(r);
}
