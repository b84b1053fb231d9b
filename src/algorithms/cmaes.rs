//! `plan(cmaes, …)`: CMA-ES as a solver of continuous objectives. A
//! starting point becomes its initial mean, the spread its initial step.

use std::sync::Arc;

use crate::compose::discrete::Kernels;
use crate::compose::{AlgorithmDescriptor, Context, Families, SolveError, Solver, WarmStarts};
use crate::direct::cmaes::{cmaes, CmaesParams, DEFAULT_RESTARTS};
use crate::direct::continuous::Solution;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::game::Game;
use crate::params::{ParamKind, ParamSpec, Params};
use crate::rng::Rng;

pub fn descriptor() -> AlgorithmDescriptor {
    AlgorithmDescriptor {
        name: "cmaes",
        doc: "CMA-ES with the standard defaults (population 4 + ⌊3 ln n⌋, full covariance) and IPOP restarts: a run that converges is followed by one from a random point with twice the population, until `max_evals` is spent, and the best point of all runs is the answer. A run alone can stop in a local minimum (Rosenbrock's, in about one run of five on rosenbrock(10)); restarting escapes it, at the price of spending the whole budget (`restarts=0`: one run, which stops when it converges). Warm-started (`init(model, plan(cmaes))`) it makes one run from the model's answer. Cost per instance: evals/q counts objective evaluations (at most `max_evals`). nodes/q is 0.",
        params: vec![
            ParamSpec::int("max_evals", 100_000, "evaluation budget").range(1.0, 1e9),
            ParamSpec::optional(
                "sigma",
                ParamKind::Num,
                "initial step size; none: 0.3 × the box width",
            )
            .range(1e-12, 1e12),
            ParamSpec::optional(
                "popsize",
                ParamKind::Int,
                "population; none: the standard default",
            )
            .range(2.0, 1e6),
            ParamSpec::int(
                "restarts",
                DEFAULT_RESTARTS as i64,
                "IPOP restarts after a run converges (each from a random point, population doubled) while the budget lasts; 0: one run",
            )
            .range(0.0, 100.0),
        ],
        families: Families::CONTINUOUS,
        warm_starts: WarmStarts::START_POINT,
        build,
    }
}

pub fn kernels<G: Game + 'static>(_: &mut Kernels<G>) {}

fn build(p: &Params, _: &Context) -> Result<Arc<dyn Solver>, SolveError> {
    Ok(Arc::new(CmaesSolver(CmaesParams {
        max_evals: p.usize("max_evals"),
        sigma0: p.opt_num("sigma"),
        popsize: p.opt_usize("popsize"),
        restarts: p.usize("restarts"),
        ..CmaesParams::default()
    })))
}

/// CMA-ES with its parameters.
#[derive(Clone, Debug)]
pub struct CmaesSolver(CmaesParams);

impl Solver for CmaesSolver {
    fn algorithm(&self) -> &str {
        "cmaes"
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
        cmaes(problem, x, rng, &self.0).map_err(SolveError::native)
    }

    fn accepts(&self) -> WarmStarts {
        WarmStarts::START_POINT
    }

    /// The initial mean, and the mean spread as the initial step size.
    fn started(&self, start: &[f64], std: &[f64]) -> Result<Arc<dyn Solver>, SolveError> {
        let mut p = self.0.clone();
        p.init_mean = Some(start.to_vec());
        p.sigma0 = Some(std.iter().sum::<f64>() / std.len().max(1) as f64);
        // A warm start is there to save evaluations: restarts from random
        // points would spend the whole budget whatever the start.
        p.restarts = 0;
        Ok(Arc::new(CmaesSolver(p)))
    }
}
