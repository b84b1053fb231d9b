//! `sphere(dim)`, `rosenbrock(dim)`, `rastrigin(dim)`: shifted test
//! functions as continuous objectives.

use std::sync::Arc;

use crate::compose::{Families, Problem, ProblemDescriptor, ProblemError};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::functions::{Function, TestFunction};
use crate::params::{ParamKind, ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    let one = |name, doc, example, build| ProblemDescriptor {
        name,
        doc,
        params: vec![
            ParamSpec::int("dim", 10, "dimension of θ and x").range(1.0, 10_000.0),
            ParamSpec::num("scale", 1.0, "spread of the instance shift x")
                .range(0.0, 1e6)
                .named(),
        ],
        shift: vec![scale()],
        families: Families::CONTINUOUS,
        example,
        build,
    };
    vec![
        one(
            "sphere",
            "Σ(θ − x)²: the shifted sphere; optimum 0 at θ = x, x ~ normal(0, scale).",
            "sphere(10)",
            |p| build(Function::Sphere, p),
        ),
        one(
            "rosenbrock",
            "The shifted Rosenbrock valley; optimum 0 at θ = x, x ~ normal(0, scale).",
            "rosenbrock(10)",
            |p| build(Function::Rosenbrock, p),
        ),
        one(
            "rastrigin",
            "The shifted Rastrigin function (many local minima); optimum 0 at θ = x.",
            "rastrigin(4)",
            |p| build(Function::Rastrigin, p),
        ),
    ]
}

/// What `shift` changes in continuous objectives: the instances' spread.
pub fn scale() -> ParamSpec {
    ParamSpec::optional("scale", ParamKind::Num, "continuous: spread of the instances")
        .range(0.0, 1e6)
        .named()
}

fn build(function: Function, p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let f = TestFunction::new(function, p.usize("dim"))
        .and_then(|f| f.with_scale(p.num("scale")))
        .map_err(ProblemError::invalid)?;
    Ok(Arc::new(f))
}

impl Problem for TestFunction {
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
        let f = self
            .clone()
            .with_scale(by.opt_num("scale").unwrap_or(1.0))
            .map_err(ProblemError::invalid)?;
        Ok(Arc::new(f))
    }
}
