//! Measurement: `evaluate` runs a solver on seeded instances and reports
//! score and cost; `compare` does it for several solvers (and objectives)
//! on the same instances; `sweep` varies one parameter of a solver.

use crate::amortized::progress::{Progress, Tracker};
use crate::compose::evaluate::{evaluate, Evaluation};
use crate::compose::lockstep::MAX_WIDTH;
use crate::compose::{Problem, SolveError};
use crate::interp::registry::{param_value, sig, Call, Registry, RuntimeError};
use crate::interp::solver::SolverValue;
use crate::interp::value::Value;
use crate::ir::signature::{Const, KindConst};
use crate::ir::Kind;
use crate::report::evaluation::{EvalRow, Measurement, Shape};
use crate::report::stats::Stat;
use std::sync::Arc;

/// The arguments every measurement takes after `against`: how many seeds,
/// which statistic, and whether to show each seed's rows.
fn seeded(s: crate::interp::registry::SigBuilder) -> crate::interp::registry::SigBuilder {
    s.named("seeds", Kind::Int, Const::None, "independent runs of everything upstream (datasets regenerated, models retrained), each under its own run seed; none: the run's `--seeds` (1 by default)")
        .range(1.0, 1000.0)
        .named("stat", Kind::Str, Const::Str("mean".into()), "the statistic of the scores: `mean`, or `iqm` (interquartile mean, robust to outlying seeds)")
        .choices(&["mean", "iqm"])
        .named("per_seed", Kind::Bool, Const::Bool(false), "also show one row per seed (machine formats always have them)")
}

/// The documentation of `lockstep`, shared by the builtins that take it.
pub const LOCKSTEP_DOC: &str = "games: how many each `--threads` worker plays at once, the leaves of their network-guided searches evaluated in one network call (a gate, and single-player episodes, play one at a time). Every width above 1 gives the same results, whatever `--threads`; 1 (one after another, as before) is another draw";

pub fn register(r: &mut Registry) {
    r.add(
        seeded(sig("evaluate", "measure", "Run a solver on `n` seeded instances of an objective (games: `n` games against `against`, alternating sides) and report its score with a 95% bootstrap interval, the optimality gap where the optimum is known, and its cost per query. With `seeds=N` (or `--seeds N`) everything upstream runs N times under N run seeds, and the interval covers seeds and instances.")
            .req("solver", Kind::Solver, "the solver to measure")
            .named_req("on", Kind::Objective, "the objective whose instances it answers")
            .named("n", Kind::Int, Const::Int(100), "instances (or games) per seed")
            .range(1.0, 1e6)
            .named("against", Kind::Solver, Const::None, "games: the opponent; none: random play"))
            .named("lockstep", Kind::Int, Const::Int(1), LOCKSTEP_DOC)
            .range(1.0, MAX_WIDTH as f64)
            .returns(KindConst::Report)
            .fits(&[(0, 1), (3, 1)])
            .random()
            .example("evaluate(plan(mcts, sims=400), on=tictactoe(), against=plan(minimax), seeds=5)"),
        eval_evaluate,
    );
    r.add(
        seeded(sig("compare", "measure", "Evaluate several solvers on the same seeded instances of one objective, or of several (`on=[obj, shift(obj, …)]` puts in- and out-of-distribution scores side by side). `baseline=` adds each solver's difference to it with a 95% interval and the probability of improvement; models get a break-even point against the direct solvers. `plot` draws score against compute per query.")
            .req("solvers", Kind::list(Kind::Solver), "the solvers to compare")
            .named_req("on", Kind::OneOrMore(Box::new(Kind::Objective)), "an objective, or a list of them")
            .named("n", Kind::Int, Const::Int(100), "instances (or games) per solver, objective and seed")
            .range(1.0, 1e6)
            .named("against", Kind::Solver, Const::None, "games: the opponent; none: random play"))
            .named("baseline", Kind::Solver, Const::None, "the solver the others are compared with (added to the list if it is not in it)")
            .named("lockstep", Kind::Int, Const::Int(1), LOCKSTEP_DOC)
            .range(1.0, MAX_WIDTH as f64)
            .returns(KindConst::Report)
            .fits(&[(0, 1), (3, 1), (7, 1)])
            .random()
            .example("compare([plan(mcts, sims=64), plan(mcts, sims=512)], on=tictactoe(), n=50, baseline=plan(mcts, sims=64))"),
        eval_compare,
    );
    r.add(
        seeded(sig("sweep", "measure", "Evaluate a solver once per value of one of its parameters, given as a named list (`sims=[16, 64, 256]`), on the same seeded instances. `plot` draws score against that parameter. The sweep's own arguments (`n`, `on`, `against`, `seeds`, `stat`, `per_seed`) are never taken for the solver's parameters: no algorithm may have a parameter of those names.")
            .req("solver", Kind::Solver, "the solver whose parameter varies")
            .named_req("on", Kind::Objective, "the objective")
            .named("n", Kind::Int, Const::Int(100), "instances (or games) per value and seed")
            .range(1.0, 1e6)
            .named("against", Kind::Solver, Const::None, "games: the opponent; none: random play"))
            .rest_named(Kind::list(Kind::Any), 0)
            .returns(KindConst::Report)
            .fits(&[(0, 1), (3, 1)])
            .random()
            .example("sweep(plan(mcts), sims=[16, 64, 256, 1024], on=tictactoe(), seeds=3)"),
        eval_sweep,
    );
}

/// Names that `sweep` keeps for itself: an algorithm parameter may not
/// use one (the catalog refuses it), so `sweep(…, seeds=3)` can never be
/// taken for a swept parameter.
pub const SWEEP_OWN: &[&str] = &["solver", "on", "n", "against", "seeds", "stat", "per_seed"];

fn against<'a>(c: &'a Call<'_>, i: usize) -> Option<&'a SolverValue> {
    match &c.args[i] {
        Value::Solver(s) => Some(s.as_ref()),
        _ => None,
    }
}

fn solver_arg(c: &Call, i: usize) -> Result<Arc<SolverValue>, RuntimeError> {
    match &c.args[i] {
        Value::Solver(s) => Ok(s.clone()),
        other => {
            Err(RuntimeError::new(format!("expected a solver, found {other}")).at(c.arg_spans[i]))
        }
    }
}

/// Evaluates `solver` on `n` instances of `problem`, the row named by the
/// solver's label.
fn run(
    c: &Call,
    solver: &SolverValue,
    problem: &dyn Problem,
    n: usize,
) -> Result<EvalRow, RuntimeError> {
    evaluate(&Evaluation {
        label: solver.report_name(),
        solver: &*solver.solver,
        problem,
        against: against(c, 3).map(|a| &*a.solver),
        n,
        seed: c.seed,
        threads: c.settings.threads,
        lockstep: lockstep(c)?,
    })
    .map_err(|e| fail(c, e))
}

/// The call's `lockstep` (1 for `sweep`, which has none).
fn lockstep(c: &Call) -> Result<usize, RuntimeError> {
    match c.builtin {
        "evaluate" => Ok(c.int(7)? as usize),
        "compare" => Ok(c.int(8)? as usize),
        _ => Ok(1),
    }
}

/// Progress over `total` evaluations (a bar on a terminal, lines in a log)
/// when the run shows progress.
fn tracker(c: &Call, total: usize, label: &str) -> Tracker {
    let mode = if c.settings.progress {
        Progress::Auto
    } else {
        Progress::Silent
    };
    Tracker::new(mode, total as u64, label)
}

fn fail(c: &Call, e: SolveError) -> RuntimeError {
    RuntimeError::new(e.to_string()).at(c.span)
}

fn objectives(c: &Call, i: usize) -> Result<Vec<Arc<dyn Problem>>, RuntimeError> {
    let one = |v: &Value| match v {
        Value::Objective(o) => Ok(o.clone()),
        other => Err(
            RuntimeError::new(format!("expected an objective, found {other}")).at(c.arg_spans[i]),
        ),
    };
    match &c.args[i] {
        Value::List(items) if items.is_empty() => Err(RuntimeError::new(
            "`on` is an empty list: there is nothing to evaluate on",
        )
        .at(c.arg_spans[i])
        .hint("give an objective, or a list of at least one")),
        Value::List(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

fn title(verb: &str, rows: &[EvalRow], against: Option<&SolverValue>) -> String {
    let mut objectives: Vec<&str> = Vec::new();
    for r in rows {
        if !objectives.contains(&r.objective.as_str()) {
            objectives.push(&r.objective);
        }
    }
    match against {
        Some(a) => format!("{verb} on {} against {}", objectives.join(", "), a.label),
        None => format!("{verb} on {}", objectives.join(", ")),
    }
}

/// The report of rows measured under this call's run seed.
fn report(
    c: &Call,
    title: String,
    shape: Shape,
    rows: Vec<EvalRow>,
) -> Result<Value, RuntimeError> {
    let title = match lockstep(c)? {
        1 => title,
        w => format!("{title} (lockstep {w})"),
    };
    let mut m = Measurement::single(title, shape, c.run_seed, rows);
    m.stat = match c.str(5)?.as_ref() {
        "iqm" => Stat::Iqm,
        _ => Stat::Mean,
    };
    m.per_seed = c.bool(6)?;
    if c.builtin == "compare" {
        m.baseline = against(c, 7).map(|b| b.report_name());
    }
    Ok(Value::Report(Arc::new(m.table())))
}

fn eval_evaluate(c: &mut Call) -> Result<Value, RuntimeError> {
    let solver = solver_arg(c, 0)?;
    let objective = objectives(c, 1)?.remove(0);
    let n = c.int(2)? as usize;
    let row = run(c, &solver, &*objective, n)?;
    let title = match against(c, 3) {
        Some(a) => format!(
            "evaluate on {} against {} ({n} games)",
            row.objective, a.label
        ),
        None => format!("evaluate on {}", row.objective),
    };
    report(c, title, Shape::Evaluate, vec![row])
}

fn eval_compare(c: &mut Call) -> Result<Value, RuntimeError> {
    let mut solvers: Vec<Arc<SolverValue>> = c
        .list(0)?
        .iter()
        .map(|v| match v {
            Value::Solver(s) => Ok(s.clone()),
            other => Err(
                RuntimeError::new(format!("expected a solver, found {other}")).at(c.arg_spans[0]),
            ),
        })
        .collect::<Result<_, _>>()?;
    if solvers.is_empty() {
        return Err(RuntimeError::new("`compare` needs at least one solver").at(c.arg_spans[0]));
    }
    if let Some(b) = against(c, 7) {
        let name = b.report_name();
        if !solvers.iter().any(|s| s.report_name() == name) {
            solvers.insert(0, solver_arg(c, 7)?);
        }
    }
    let objectives = objectives(c, 1)?;
    if objectives.is_empty() {
        return Err(RuntimeError::new("`compare` needs at least one objective").at(c.arg_spans[1]));
    }
    let n = c.int(2)? as usize;
    let mut rows = Vec::new();
    let tracker = tracker(c, solvers.len() * objectives.len(), "compare");
    for s in &solvers {
        for o in &objectives {
            // Every solver sees the same instances of an objective.
            rows.push(run(c, s, &**o, n)?);
            tracker.step(&format!("{} on {}", s.report_name(), o.name()));
        }
    }
    tracker.finish();
    let title = title("compare", &rows, against(c, 3));
    report(c, title, Shape::Compare, rows)
}

fn eval_sweep(c: &mut Call) -> Result<Value, RuntimeError> {
    let solver = solver_arg(c, 0)?;
    let objective = objectives(c, 1)?.remove(0);
    let n = c.int(2)? as usize;
    let (name, values) =
        match c.extra.as_slice() {
            [(name, Value::List(values))] => (name.clone(), values.clone()),
            [] => return Err(RuntimeError::new("`sweep` needs one parameter to vary")
                .at(c.span)
                .hint(
                    "name it with its values, e.g. `sweep(plan(mcts), sims=[16, 64, 256], on=…)`",
                )),
            _ => {
                return Err(RuntimeError::new("`sweep` varies one parameter at a time")
                    .at(c.span)
                    .hint("sweep each parameter separately, or compare explicit solvers"))
            }
        };
    if values.is_empty() {
        return Err(RuntimeError::new(format!("`{name}` has no values to sweep")).at(c.span));
    }
    let mut rows = Vec::new();
    let tracker = tracker(c, values.len(), &format!("sweep of {name}"));
    for v in values.iter() {
        let tweaked = solver
            .solver
            .with_param(&name, &param_value(v))
            .map_err(|e| fail(c, e))?;
        let sv = SolverValue {
            solver: tweaked,
            label: solver.label.clone(),
        };
        let mut row = run(c, &sv, &*objective, n)?;
        row.param = Some((name.clone(), v.as_f64().unwrap_or(f64::NAN)));
        rows.push(row);
        tracker.step(&format!("{name} = {v}"));
    }
    tracker.finish();
    let title = title(&format!("sweep of {name}"), &rows, against(c, 3));
    report(c, title, Shape::Sweep, rows)
}
