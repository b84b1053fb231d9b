//! Solvers as the interpreter holds them: a native solver with the name
//! reports give it.

use std::any::Any;
use std::sync::Arc;

use crate::compose::{Amortized, Solver};

/// A solver with the name reports give it (its declaration's name, or its
/// source text).
#[derive(Clone, Debug)]
pub struct SolverValue {
    pub solver: Arc<dyn Solver>,
    pub label: String,
}

impl SolverValue {
    /// The name a report row gives it: the label, marked `(cached)` for a
    /// model whose weights came from the cache rather than from training.
    pub fn report_name(&self) -> String {
        match self.amortized() {
            Some(a) if a.cached => format!("{} (cached)", self.label),
            _ => self.label.clone(),
        }
    }

    /// The trained model, when the solver is one (not a hybrid around one).
    pub fn amortized(&self) -> Option<&Amortized> {
        let any: &dyn Any = &*self.solver;
        any.downcast_ref::<Amortized>()
    }
}
