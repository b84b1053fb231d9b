//! The standard catalog: every algorithm and problem constructor of the
//! crate, as the language's registry and Rust callers start from.

use crate::compose::Catalog;

/// The crate's algorithms and problems, in their lists' order.
pub fn standard() -> Catalog {
    let mut c = Catalog::default();
    for a in crate::algorithms::descriptors() {
        // The lists are the crate's own: a duplicate is a bug caught by the
        // catalog test, not an input error.
        let _ = c.add_algorithm(a);
    }
    for p in crate::problems::descriptors() {
        let _ = c.add_problem(p);
    }
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_name_is_registered_once() {
        let a = crate::algorithms::descriptors();
        let p = crate::problems::descriptors();
        let c = super::standard();
        assert_eq!(c.algorithms().len(), a.len());
        assert_eq!(c.problems().len(), p.len());
    }
}
