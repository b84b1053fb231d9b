//! Objectives written in the language (`minimize(…)`, `maximize(…)`) as
//! problems: continuous, and shifted by scaling their instances' spread.

use std::sync::Arc;

use crate::compose::{Families, Problem, ProblemError};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::expr::ExprProblem;
use crate::params::Params;

impl Problem for ExprProblem {
    fn name(&self) -> String {
        ContinuousProblem::name(self)
    }

    fn families(&self) -> Families {
        Families::CONTINUOUS
    }

    fn continuous(&self) -> Option<&dyn ContinuousProblem> {
        Some(self)
    }

    fn shift_params(&self) -> &[&'static str] {
        &["scale"]
    }

    fn shifted(&self, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
        match self.with_spread(by.opt_num("scale").unwrap_or(1.0)) {
            None => Err(ProblemError::NoInstances),
            Some(p) => Ok(Arc::new(p.map_err(ProblemError::invalid)?)),
        }
    }
}
