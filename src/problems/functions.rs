//! `sphere(dim)`, `rosenbrock(dim)`, `rastrigin(dim)`: shifted test
//! functions as continuous objectives.

use std::sync::Arc;

use super::Spread;
use crate::compose::{Families, Problem, ProblemDescriptor, ProblemError};
use crate::domains::functions::{Function, TestFunction};
use crate::params::{ParamSpec, Params};

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
        shift: vec![super::scale()],
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

fn build(function: Function, p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let f = TestFunction::new(function, p.usize("dim"))
        .and_then(|f| f.with_scale(p.num("scale")))
        .map_err(ProblemError::invalid)?;
    Ok(Arc::new(f))
}

impl Spread for TestFunction {
    fn with_spread(&self, scale: f64) -> Result<Self, ProblemError> {
        self.clone().with_scale(scale).map_err(ProblemError::invalid)
    }
}
