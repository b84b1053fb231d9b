//! Hybrids: `init`, `value`, `gate` and `expert_iteration` compose amortized
//! models with direct solvers. Which planner takes which warm start is its
//! descriptor's declaration (`WarmStarts`); the compositions themselves are
//! native (`compose::warm`, `compose::gate`, `compose::expert`).

use crate::amortized::TargetKind;
use crate::compose::expert::{expert_iteration, ExpertIteration};
use crate::compose::gate::{Criterion, Gate};
use crate::compose::warm::WarmStarted;
use crate::compose::{Amortized, SolveError, Solver, WarmStart, WarmStarts};
use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::solver::SolverValue;
use crate::interp::value::Value;
use crate::ir::signature::{Const, FamilyRule, KindConst};
use crate::ir::Kind;
use crate::report::{Cell, Table};
use std::sync::Arc;

pub fn register(r: &mut Registry) {
    r.add(
        sig("init", "hybrids", "The amortized solver's answer starts the planner: a policy network is the prior over actions of a planner that takes one (PUCT in tree search); a solution network is the starting point, with a `spread`, of a planner that takes one (the initial mean of a sampling search — at every step, on a control problem — or where a descent starts). Each algorithm's entry below says which it takes. Written `prior |> init(planner)`.")
            .req("prior", Kind::Solver, "an amortized solver: a policy network, or one trained for solutions")
            .req("planner", Kind::Solver, "a direct solver to start from the prior's answer")
            .named("spread", Kind::Num, Const::Num(0.1), "continuous planners: initial spread as a fraction of the box")
            .range(1e-9, 10.0)
            .returns(KindConst::Solver)
            .families(FamilyRule::Arg(1))
            .fits(&[(0, 1)])
            .example("amortize(mlp(hidden=[64, 64]), data=games) |> init(plan(mcts, sims=64))"),
        eval_init,
    );
    r.add(
        sig("value", "hybrids", "A value network evaluates the planner's search leaves in place of random rollouts (AlphaZero-style), for planners that take a value function; combine with `init` for priors too.")
            .req("vnet", Kind::Solver, "an amortized solver trained with `target=\"value\"`")
            .req("planner", Kind::Solver, "a tree search, possibly already `init`-ed with a policy")
            .returns(KindConst::Solver)
            .families(FamilyRule::Arg(1))
            .fits(&[(0, 1)])
            .example("value(vnet, policy |> init(plan(mcts, sims=64)))"),
        eval_value,
    );
    r.add(
        sig("gate", "hybrids", "Answer from the amortized solver when it can be trusted, plan otherwise; reports say how often each answered. `when`: \"confidence\" (top policy probability ≥ threshold), \"entropy\" (policy entropy ≤ threshold), \"disagreement\" (ensemble spread ≤ threshold), \"novelty\" (the instance within `threshold` RMS distance of a training input), \"budget\" (plan until the planner has spent `threshold` nodes + evaluations in an evaluation).")
            .req("amortized", Kind::Solver, "the amortized solver")
            .req("planner", Kind::Solver, "the direct solver to fall back on")
            .named("when", Kind::Str, Const::Str("confidence".into()), "the criterion")
            .choices(&Criterion::NAMES)
            .named("threshold", Kind::Num, Const::Num(0.9), "the criterion's threshold")
            .returns(KindConst::Solver)
            .families(FamilyRule::Arg(1))
            .fits(&[(0, 1)])
            .example("gate(policy, plan(mcts, sims=400), when=\"confidence\", threshold=0.8)"),
        eval_gate,
    );
    r.add(
        sig("expert_iteration", "hybrids", "Rounds of search → distil → prior on a game: the planner (guided by the current network from round 2 on) plays itself, the network is trained on its visit distributions, and the raw network is evaluated against a fixed opponent after each round. Reports one row per round.")
            .req("net", Kind::Model, "the architecture, e.g. `mlp(hidden=[64, 64])`")
            .req("planner", Kind::Solver, "the expert: a search that takes a prior over actions")
            .named_req("on", Kind::Objective, "a game")
            .named("rounds", Kind::Int, Const::Int(3), "search → distil rounds")
            .range(1.0, 100.0)
            .named("positions", Kind::Int, Const::Int(1000), "self-play positions per round")
            .range(1.0, 1e7)
            .named("epochs", Kind::Int, Const::Int(30), "training epochs per round")
            .range(1.0, 1e5)
            .named("n", Kind::Int, Const::Int(100), "evaluation games per round")
            .range(1.0, 1e6)
            .named("against", Kind::Solver, Const::None, "the fixed opponent; none: random play")
            .named("pool", Kind::Bool, Const::Bool(true), "train on every round's positions so far (a replay buffer); false: on the latest round's only")
            .named("lockstep", Kind::Int, Const::Int(1), super::measure::LOCKSTEP_DOC)
            .range(1.0, crate::compose::lockstep::MAX_WIDTH as f64)
            .returns(KindConst::Report)
            .fits(&[(1, 2), (7, 2)])
            .random()
            .example("expert_iteration(mlp(hidden=[64]), plan(mcts, sims=100), on=tictactoe(), rounds=3)"),
        eval_expert_iteration,
    );
}

fn solver(c: &Call, i: usize) -> Result<Arc<SolverValue>, RuntimeError> {
    match &c.args[i] {
        Value::Solver(s) => Ok(s.clone()),
        other => {
            Err(RuntimeError::new(format!("expected a solver, found {other}")).at(c.arg_spans[i]))
        }
    }
}

fn model_of(c: &Call, i: usize, what: &str) -> Result<Arc<Amortized>, RuntimeError> {
    let s = solver(c, i)?;
    match s.amortized() {
        Some(a) => Ok(Arc::new(a.clone())),
        None => Err(RuntimeError::new(format!(
            "{what} must be an amortized solver, and this is `{}`",
            s.solver.algorithm()
        ))
        .at(c.arg_spans[i])
        .hint("train one with `amortize(mlp(…), data=…)` or load one with `load_model(…)`")),
    }
}

fn wrap(c: &Call, s: Arc<dyn Solver>) -> Value {
    Value::Solver(Arc::new(SolverValue {
        solver: s,
        label: c.ir.label(c.node),
    }))
}

/// The algorithms that take a warm start of any of the kinds in `kind`,
/// for hints.
fn takers(c: &Call, kind: WarmStarts) -> String {
    let names: Vec<&str> = c
        .registry
        .catalog()
        .algorithms()
        .iter()
        .filter(|a| a.warm_starts.intersects(kind))
        .map(|a| a.name)
        .collect();
    names.join(", ")
}

fn eval_init(c: &mut Call) -> Result<Value, RuntimeError> {
    let prior = model_of(c, 0, "the prior")?;
    let planner = solver(c, 1)?;
    let spread = c.num(2)?;
    let takes = planner.solver.accepts();
    let alg = planner.solver.algorithm().to_string();
    let warm_fail = |e: SolveError| RuntimeError::new(e.to_string()).at(c.arg_spans[1]);
    let s: Arc<dyn Solver> = match prior.target() {
        TargetKind::Policy if takes.contains(WarmStarts::ACTION_PRIOR) => planner
            .solver
            .warm(&WarmStart::Prior(Some(prior)))
            .map_err(warm_fail)?,
        TargetKind::Solution if takes.contains(WarmStarts::START_POINT) => {
            Arc::new(WarmStarted {
                prior,
                planner: planner.solver.clone(),
                spread,
            })
        }
        _ if takes.contains(WarmStarts::ACTION_PRIOR) => {
            return Err(RuntimeError::new(format!(
                "a prior for `{alg}` must be a policy network"
            ))
            .at(c.arg_spans[0])
            .hint("amortize with `target=\"policy\"`"))
        }
        _ if takes.contains(WarmStarts::START_POINT) => {
            return Err(RuntimeError::new("a continuous planner starts from a decision: the prior must be trained with `target=\"solution\"` (or on an objective)")
                .at(c.arg_spans[0]))
        }
        _ => {
            return Err(RuntimeError::new(format!(
                "`init` cannot start `{alg}` from a prior"
            ))
            .at(c.arg_spans[1])
            .hint(format!(
                "`init` works with {}",
                takers(c, WarmStarts::ACTION_PRIOR.union(WarmStarts::START_POINT))
            )));
        }
    };
    Ok(wrap(c, s))
}

fn eval_value(c: &mut Call) -> Result<Value, RuntimeError> {
    let vnet = model_of(c, 0, "`vnet`")?;
    if vnet.target() != TargetKind::Value {
        return Err(RuntimeError::new("`value` needs a value network")
            .at(c.arg_spans[0])
            .hint("amortize with `target=\"value\"`"));
    }
    let planner = solver(c, 1)?;
    if !planner.solver.accepts().contains(WarmStarts::VALUE) {
        return Err(RuntimeError::new(format!(
            "`value` replaces a search's leaf evaluation; `{}` takes no value function",
            planner.solver.algorithm()
        ))
        .at(c.arg_spans[1])
        .hint(format!(
            "`value` works with {}",
            takers(c, WarmStarts::VALUE)
        )));
    }
    let s = planner
        .solver
        .warm(&WarmStart::Value(vnet))
        .map_err(|e| RuntimeError::new(e.to_string()).at(c.arg_spans[1]))?;
    Ok(wrap(c, s))
}

fn eval_gate(c: &mut Call) -> Result<Value, RuntimeError> {
    let amortized = model_of(c, 0, "the gated solver")?;
    let planner = solver(c, 1)?;
    let Value::Str(when) = &c.args[2] else {
        return Err(RuntimeError::new("`when` must be a string").at(c.arg_spans[2]));
    };
    let Some(when) = Criterion::parse(when) else {
        return Err(
            RuntimeError::new(format!("unknown gate criterion \"{when}\""))
                .at(c.arg_spans[2])
                .hint(
                    "use \"confidence\", \"entropy\", \"disagreement\", \"novelty\" or \"budget\"",
                ),
        );
    };
    let gate = Gate::new(amortized, planner.solver.clone(), when, c.num(3)?).map_err(|e| {
        let hint = match e {
            crate::compose::gate::GateError::NoReference => "novelty is the distance to the training inputs; models trained with `on=` or loaded have none",
            crate::compose::gate::GateError::NotAnEnsemble => "train `ensemble(5, mlp(…))`",
        };
        RuntimeError::new(e.to_string()).at(c.arg_spans[0]).hint(hint)
    })?;
    Ok(wrap(c, Arc::new(gate)))
}

fn eval_expert_iteration(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Model(spec) = &c.args[0] else {
        return Err(RuntimeError::new("`expert_iteration` needs a model").at(c.arg_spans[0]));
    };
    let planner = solver(c, 1)?;
    if !planner.solver.accepts().contains(WarmStarts::ACTION_PRIOR) {
        return Err(RuntimeError::new(format!(
            "the expert must be a search that takes a prior over actions, and `{}` takes none",
            planner.solver.algorithm()
        ))
        .at(c.arg_spans[1])
        .hint(format!(
            "plan with one of: {}",
            takers(c, WarmStarts::ACTION_PRIOR)
        )));
    }
    let Value::Objective(objective) = &c.args[2] else {
        return Err(RuntimeError::new("`on` must be an objective").at(c.arg_spans[2]));
    };
    let against = match &c.args[7] {
        Value::Solver(s) => Some(s.clone()),
        _ => None,
    };
    let rounds = expert_iteration(&ExpertIteration {
        net: spec,
        planner: &*planner.solver,
        planner_label: &planner.label,
        problem: &**objective,
        rounds: c.int(3)? as usize,
        positions: c.int(4)? as usize,
        epochs: c.int(5)? as usize,
        n: c.int(6)? as usize,
        against: against.as_ref().map(|a| &*a.solver),
        pool: matches!(c.args[8], Value::Bool(true)),
        seed: c.seed,
        threads: c.settings.threads,
        lockstep: c.int(9)? as usize,
    })
    .map_err(|e| {
        let at = match e {
            SolveError::Problem(_) => c.arg_spans[2],
            _ => c.span,
        };
        RuntimeError::new(e.to_string()).at(at)
    })?;
    let title = match c.int(9)? {
        1 => format!("expert iteration on {}", objective.name()),
        w => format!("expert iteration on {} (lockstep {w})", objective.name()),
    };
    let mut table = Table::new(title)
        .column("round", 0)
        .column("positions", 0)
        .column("val_loss", 4)
        .header("val loss")
        .column("policy_score", 3)
        .header("policy score")
        .column("ci_low", 3)
        .header("95% lo")
        .column("ci_high", 3)
        .header("95% hi")
        .column("win", 0)
        .column("draw", 0)
        .column("loss", 0)
        .volatile_column("train_secs", 2)
        .header("train s");
    for (i, r) in rounds.iter().enumerate() {
        let (lo, hi) = crate::report::stats::interval95(
            &r.eval.scores,
            crate::rng::derive_seed(c.seed, &format!("round {i}")),
        );
        let [w, dr, l] = r.eval.wdl.unwrap_or([0, 0, 0]);
        table.row(vec![
            Cell::Int(r.round as i64),
            Cell::Int(r.positions as i64),
            Cell::Num(r.val_loss),
            Cell::Num(r.eval.mean()),
            Cell::Num(lo),
            Cell::Num(hi),
            Cell::Int(w as i64),
            Cell::Int(dr as i64),
            Cell::Int(l as i64),
            Cell::Num(r.train_secs),
        ]);
    }
    Ok(Value::Report(Arc::new(table)))
}
