//! `pendulum()`: pendulum swing-up as a control problem.

use std::sync::Arc;

use crate::compose::{Families, Problem, ProblemDescriptor, ProblemError};
use crate::domains::control::ControlProblem;
use crate::domains::pendulum::{pendulum, Pendulum};
use crate::params::{ParamKind, ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    vec![ProblemDescriptor {
        name: "pendulum",
        doc: "Pendulum swing-up: continuous torque control over 200 steps; the score is the episode return.",
        params: Vec::new(),
        shift: vec![ParamSpec::optional(
            "amount",
            ParamKind::Num,
            "pendulum: heavier, faster-starting (mass and speed × 1 + amount)",
        )
        .range(0.0, 100.0)
        .named()],
        families: Families::CONTROL,
        example: "pendulum()",
        build,
    }]
}

fn build(_: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    Ok(Arc::new(pendulum()))
}

/// The pendulum offers control only: its open-loop form as a continuous
/// objective is for the library's own tests.
impl Problem for Pendulum {
    fn name(&self) -> String {
        ControlProblem::name(self)
    }

    fn families(&self) -> Families {
        Families::CONTROL
    }

    fn control(&self) -> Option<&dyn ControlProblem> {
        Some(self)
    }

    fn shift_params(&self) -> &[&'static str] {
        &["amount"]
    }

    fn shifted(&self, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
        let shifted = Pendulum::shifted(by.opt_num("amount").unwrap_or(0.0))
            .map_err(ProblemError::invalid)?;
        Ok(Arc::new(shifted))
    }
}
