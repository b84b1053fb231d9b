//! Direct solvers: `plan(ALGORITHM, …)` with each algorithm's own
//! parameters (the catalog's descriptors), and `best_of`.

use crate::compose::best_of::BestOf;
use crate::compose::{Catalog, Context, SolveError, Solver};
use crate::interp::registry::{param_value, sig, Call, Registry, RuntimeError};
use crate::interp::solver::SolverValue;
use crate::interp::value::Value;
use crate::ir::signature::{Const, Families, FamilyRule, KindConst};
use crate::ir::Kind;
use std::sync::Arc;

pub fn register(r: &mut Registry, catalog: &Catalog) {
    for a in catalog.algorithms() {
        // The catalog's own names are distinct.
        r.add_algorithm((**a).clone())
            .expect("an algorithm's name is free");
    }
    r.add(
        sig("plan", "solvers", "A direct solver: run ALGORITHM on each instance. Named arguments are the algorithm's own (see the algorithms below).")
            .req("algorithm", Kind::Algorithm, "one of the algorithms below")
            .algorithm_params(0)
            .returns(KindConst::Solver)
            .families(FamilyRule::Algorithm(0))
            .random()
            .example("plan(mcts, sims=400)"),
        eval_plan,
    );
    r.add(
        sig(
            "best_of",
            "solvers",
            "The best of `n` answers: of a randomized solver, or of uniform samples in the box.",
        )
        .req("n", Kind::Int, "how many answers to draw")
        .range(1.0, 1e6)
        .opt(
            "sampler",
            Kind::Solver,
            Const::None,
            "the solver to draw answers from; none: uniform samples",
        )
        .returns(KindConst::Solver)
        .families(FamilyRule::Fixed(Families::CONTINUOUS))
        .example("best_of(16, plan(cem, iters=5))"),
        |c| {
            let n = c.int(0)? as usize;
            let sampler = match &c.args[1] {
                Value::Solver(s) => {
                    if !s.solver.families().intersects(Families::CONTINUOUS) {
                        return Err(RuntimeError::new(format!(
                            "`{}` cannot propose continuous answers",
                            s.label
                        ))
                        .at(c.arg_spans[1]));
                    }
                    Some(s.solver.clone())
                }
                _ => None,
            };
            Ok(solver(c, Arc::new(BestOf { n, sampler })))
        },
    );
}

fn solver(c: &Call, s: Arc<dyn Solver>) -> Value {
    Value::Solver(Arc::new(SolverValue {
        solver: s,
        label: c.ir.label(c.node),
    }))
}

fn eval_plan(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Algorithm(name) = &c.args[0] else {
        return Err(RuntimeError::new("`plan` needs an algorithm").at(c.arg_spans[0]));
    };
    let Some(desc) = c.registry.catalog().algorithm(name) else {
        return Err(RuntimeError::new(format!("no native code for `{name}`")).at(c.span));
    };
    let context = Context {
        seed: c.seed,
        threads: c.settings.threads,
    };
    let given = c.extra.iter().map(|(k, v)| (k.as_str(), param_value(v)));
    let planned = desc
        .plan(given, context)
        .map_err(|e: SolveError| RuntimeError::new(e.to_string()).at(c.span))?;
    Ok(solver(c, Arc::new(planned)))
}
