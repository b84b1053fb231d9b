//! Measurement: `evaluate` runs a solver on seeded instances and reports
//! score and cost.

use crate::interp::evaluate::evaluate;
use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::value::Value;
use crate::ir::signature::{Const, KindConst};
use crate::ir::Kind;
use crate::report::evaluation::eval_table;
use std::sync::Arc;

pub fn register(r: &mut Registry) {
    r.add(
        sig("evaluate", "measure", "Run a solver on `n` seeded instances of an objective (games: `n` games against `against`, alternating sides) and report its score with a 95% interval, the optimality gap where the optimum is known, and its cost per query.")
            .req("solver", Kind::Solver, "the solver to measure")
            .named_req("on", Kind::Objective, "the objective whose instances it answers")
            .named("n", Kind::Int, Const::Int(100), "instances (or games)")
            .range(1.0, 1e6)
            .named("against", Kind::Solver, Const::None, "games: the opponent; none: random play")
            .returns(KindConst::Report)
            .fits(&[(0, 1), (3, 1)])
            .random()
            .example("evaluate(plan(mcts, sims=400), on=tictactoe(), against=plan(minimax))"),
        eval_evaluate,
    );
}

fn eval_evaluate(c: &mut Call) -> Result<Value, RuntimeError> {
    let (Value::Solver(solver), Value::Objective(objective)) = (&c.args[0], &c.args[1]) else {
        return Err(RuntimeError::new("`evaluate` needs a solver and an objective").at(c.span));
    };
    let against = match &c.args[3] {
        Value::Solver(s) => Some(s.as_ref()),
        _ => None,
    };
    let n = c.int(2)? as usize;
    let row = evaluate(solver, objective, against, n, c.seed)
        .map_err(|e| RuntimeError::new(e).at(c.span))?;
    let title = match against {
        Some(a) => format!(
            "evaluate on {} against {} ({n} games)",
            row.objective, a.label
        ),
        None => format!("evaluate on {}", row.objective),
    };
    Ok(Value::Report(Arc::new(eval_table(&title, &[row]))))
}
