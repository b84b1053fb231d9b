//! Objectives written in the language (`minimize(…)`, `maximize(…)`) as
//! problems: continuous, and shifted by scaling their instances' spread.

use super::Spread;
use crate::compose::ProblemError;
use crate::domains::expr::ExprProblem;

impl Spread for ExprProblem {
    fn with_spread(&self, scale: f64) -> Result<Self, ProblemError> {
        match ExprProblem::with_spread(self, scale) {
            None => Err(ProblemError::NoInstances),
            Some(p) => p.map_err(ProblemError::invalid),
        }
    }
}
