//! The catalog: every algorithm and problem constructor the library knows,
//! by name. `crate::catalog::standard()` holds the crate's own; a caller
//! adds more with [`Catalog::add_algorithm`] and [`Catalog::add_problem`]
//! (the language's registry does, so that a registered algorithm or
//! problem is checked, documented and completed like a builtin one).

use std::sync::Arc;

use super::algorithm::AlgorithmDescriptor;
use super::problem::ProblemDescriptor;

/// Algorithms and problem constructors by name, in registration order.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    algorithms: Vec<Arc<AlgorithmDescriptor>>,
    problems: Vec<Arc<ProblemDescriptor>>,
}

/// A second registration under a name already taken.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateName(pub &'static str);

impl std::fmt::Display for DuplicateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is registered twice", self.0)
    }
}

impl std::error::Error for DuplicateName {}

impl Catalog {
    pub fn add_algorithm(&mut self, a: AlgorithmDescriptor) -> Result<(), DuplicateName> {
        if self.algorithm(a.name).is_some() {
            return Err(DuplicateName(a.name));
        }
        self.algorithms.push(Arc::new(a));
        Ok(())
    }

    pub fn add_problem(&mut self, p: ProblemDescriptor) -> Result<(), DuplicateName> {
        if self.problem(p.name).is_some() {
            return Err(DuplicateName(p.name));
        }
        self.problems.push(Arc::new(p));
        Ok(())
    }

    pub fn algorithm(&self, name: &str) -> Option<&Arc<AlgorithmDescriptor>> {
        self.algorithms.iter().find(|a| a.name == name)
    }

    pub fn problem(&self, name: &str) -> Option<&Arc<ProblemDescriptor>> {
        self.problems.iter().find(|p| p.name == name)
    }

    pub fn algorithms(&self) -> &[Arc<AlgorithmDescriptor>] {
        &self.algorithms
    }

    pub fn problems(&self) -> &[Arc<ProblemDescriptor>] {
        &self.problems
    }
}
