//! `plan(random_search, …)`: the best of uniform samples in the box, as a
//! solver of continuous objectives.

use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::continuous::Solution;
use crate::direct::random_search::{random_search, RandomSearchParams};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "random_search",
        doc: "Best of uniform samples in the box. Cost per instance: evals/q counts objective evaluations (`samples`). nodes/q is 0.",
        params: vec![ParamSpec::int("samples", 1000, "samples").range(1.0, 1e9)],
        families: Families::CONTINUOUS,
        warm_starts: WarmStarts::NONE,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(RandomSearch(RandomSearchParams {
        samples: p.usize("samples"),
    })))
}

/// Random search with its parameters.
#[derive(Clone, Debug)]
pub struct RandomSearch(RandomSearchParams);

impl Solver for RandomSearch {
    fn algorithm(&self) -> &str {
        "random_search"
    }

    fn families(&self) -> Families {
        Families::CONTINUOUS
    }

    fn solve_continuous(
        &self,
        problem: &dyn ContinuousProblem,
        x: &[f64],
        rng: &mut Rng,
    ) -> Result<Solution, SolveError> {
        random_search(problem, x, rng, &self.0).map_err(SolveError::native)
    }
}
