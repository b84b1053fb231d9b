//! Hybrids: `init`, `value`, `gate` and `expert_iteration` compose amortized
//! models with direct solvers (see `interp/hybrid.rs`).

use crate::amortized::heads::{Head, TargetKind};
use crate::amortized::mlp::{Mlp, MlpSpec};
use crate::amortized::train::{train, TrainConfig};
use crate::amortized::Progress;
use crate::interp::data::generate;
use crate::interp::evaluate::evaluate;
use crate::interp::hybrid::{Criterion, Gate};
use crate::interp::model::Amortized;
use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::solver::{Solver, SolverValue};
use crate::interp::value::Value;
use crate::ir::signature::{Const, DomainRule, Domains, KindConst};
use crate::ir::Kind;
use crate::report::{Cell, Table};
use crate::rng::derive_seed;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

pub fn register(r: &mut Registry) {
    r.add(
        sig("init", "hybrids", "The amortized solver's answer starts the planner: a PUCT prior for `mcts`, the initial mean (and a `spread`) for `cem`/`cmaes`/`random_shooting` (at every step, for control), the starting point for `gd`/`adam`. Written `prior |> init(planner)`.")
            .req("prior", Kind::Solver, "an amortized solver (a policy network for `mcts`)")
            .req("planner", Kind::Solver, "a direct solver to start from the prior's answer")
            .named("spread", Kind::Num, Const::Num(0.1), "continuous planners: initial spread as a fraction of the box")
            .range(1e-9, 10.0)
            .returns(KindConst::Solver)
            .domains(DomainRule::Arg(1))
            .fits(&[(0, 1)])
            .example("amortize(mlp(hidden=[64, 64]), data=games) |> init(plan(mcts, sims=64))"),
        eval_init,
    );
    r.add(
        sig("value", "hybrids", "A value network replaces MCTS's random rollouts at the leaves (AlphaZero-style); combine with `init` for priors too.")
            .req("vnet", Kind::Solver, "an amortized solver trained with `target=\"value\"`")
            .req("planner", Kind::Solver, "`plan(mcts, …)`, possibly already `init`-ed with a policy")
            .returns(KindConst::Solver)
            .domains(DomainRule::Arg(1))
            .fits(&[(0, 1)])
            .example("value(vnet, policy |> init(plan(mcts, sims=64)))"),
        eval_value,
    );
    r.add(
        sig("gate", "hybrids", "Answer from the amortized solver when it can be trusted, plan otherwise; reports say how often each answered. `when`: \"confidence\" (top policy probability ≥ threshold), \"entropy\" (policy entropy ≤ threshold), \"disagreement\" (ensemble spread ≤ threshold), \"novelty\" (the instance within `threshold` RMS distance of a training input), \"budget\" (plan until the planner has spent `threshold` nodes + evaluations in an evaluation).")
            .req("amortized", Kind::Solver, "the amortized solver")
            .req("planner", Kind::Solver, "the direct solver to fall back on")
            .named("when", Kind::Str, Const::Str("confidence".into()), "the criterion")
            .choices(&["confidence", "entropy", "disagreement", "novelty", "budget"])
            .named("threshold", Kind::Num, Const::Num(0.9), "the criterion's threshold")
            .returns(KindConst::Solver)
            .domains(DomainRule::Arg(1))
            .fits(&[(0, 1)])
            .example("gate(policy, plan(mcts, sims=400), when=\"confidence\", threshold=0.8)"),
        eval_gate,
    );
    r.add(
        sig("expert_iteration", "hybrids", "Rounds of search → distil → prior on a game: the planner (guided by the current network from round 2 on) plays itself, the network is trained on its visit distributions, and the raw network is evaluated against a fixed opponent after each round. Reports one row per round.")
            .req("net", Kind::Model, "the architecture, e.g. `mlp(hidden=[64, 64])`")
            .req("planner", Kind::Solver, "`plan(mcts, …)`: the expert")
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
    match &solver(c, i)?.solver {
        Solver::Amortized(a) => Ok(a.clone()),
        other => Err(RuntimeError::new(format!(
            "{what} must be an amortized solver, and this is `{}`",
            other.algorithm()
        ))
        .at(c.arg_spans[i])
        .hint("train one with `amortize(mlp(…), data=…)` or load one with `load_model(…)`")),
    }
}

fn wrap(c: &Call, s: Solver) -> Value {
    Value::Solver(Arc::new(SolverValue {
        solver: s,
        label: c.ir.label(c.node),
    }))
}

fn eval_init(c: &mut Call) -> Result<Value, RuntimeError> {
    let prior = model_of(c, 0, "the prior")?;
    let planner = solver(c, 1)?;
    let spread = c.num(2)?;
    let s = match &planner.solver {
        Solver::Mcts(params) => {
            if prior.target() != TargetKind::Policy {
                return Err(
                    RuntimeError::new("a prior for `mcts` must be a policy network")
                        .at(c.arg_spans[0])
                        .hint("amortize with `target=\"policy\"`"),
                );
            }
            Solver::Guided {
                params: *params,
                prior: Some(prior),
                value: None,
            }
        }
        Solver::Guided {
            params,
            prior: None,
            value,
        } => Solver::Guided {
            params: *params,
            prior: Some(prior),
            value: value.clone(),
        },
        Solver::Cem { .. }
        | Solver::Cmaes(_)
        | Solver::Gd(_)
        | Solver::Adam(_)
        | Solver::RandomShooting { .. } => {
            if prior.target() != TargetKind::Solution {
                return Err(RuntimeError::new("a continuous planner starts from a decision: the prior must be trained with `target=\"solution\"` (or on an objective)")
                    .at(c.arg_spans[0]));
            }
            Solver::Warm {
                prior,
                planner: Box::new(planner.solver.clone()),
                spread,
            }
        }
        other => {
            return Err(RuntimeError::new(format!(
                "`init` cannot start `{}` from a prior",
                other.algorithm()
            ))
            .at(c.arg_spans[1])
            .hint("`init` works with mcts, cem, cmaes, random_shooting, gd and adam"))
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
    let s = match &solver(c, 1)?.solver {
        Solver::Mcts(params) => Solver::Guided {
            params: *params,
            prior: None,
            value: Some(vnet),
        },
        Solver::Guided {
            params,
            prior,
            value: None,
        } => Solver::Guided {
            params: *params,
            prior: prior.clone(),
            value: Some(vnet),
        },
        other => {
            return Err(RuntimeError::new(format!(
                "`value` replaces MCTS rollouts; `{}` has none",
                other.algorithm()
            ))
            .at(c.arg_spans[1]))
        }
    };
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
                .hint("use \"confidence\", \"entropy\", \"disagreement\" or \"budget\""),
        );
    };
    if when == Criterion::Novelty && amortized.reference.is_empty() {
        return Err(RuntimeError::new("a novelty gate needs a model trained on a dataset")
            .at(c.arg_spans[0])
            .hint("novelty is the distance to the training inputs; models trained with `on=` or loaded have none"));
    }
    if when == Criterion::Disagreement && amortized.members.len() < 2 {
        return Err(RuntimeError::new("a disagreement gate needs an ensemble")
            .at(c.arg_spans[0])
            .hint("train `ensemble(5, mlp(…))`"));
    }
    let gate = Gate {
        amortized,
        planner: Box::new(planner.solver.clone()),
        when,
        threshold: c.num(3)?,
        by_model: AtomicU64::new(0),
        by_planner: AtomicU64::new(0),
        spent: AtomicU64::new(0),
    };
    Ok(wrap(c, Solver::Gate(Arc::new(gate))))
}

fn eval_expert_iteration(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Model(spec) = &c.args[0] else {
        return Err(RuntimeError::new("`expert_iteration` needs a model").at(c.arg_spans[0]));
    };
    let planner = solver(c, 1)?;
    let Solver::Mcts(params) = planner.solver.clone() else {
        return Err(RuntimeError::new("the expert must be `plan(mcts, …)`").at(c.arg_spans[1]));
    };
    let Value::Objective(objective) = &c.args[2] else {
        return Err(RuntimeError::new("`on` must be an objective").at(c.arg_spans[2]));
    };
    if objective.domains() != Domains::GAME {
        return Err(
            RuntimeError::new("expert iteration here plays a two-player game").at(c.arg_spans[2]),
        );
    }
    let (rounds, positions, epochs, n) = (
        c.int(3)? as usize,
        c.int(4)? as usize,
        c.int(5)? as usize,
        c.int(6)? as usize,
    );
    let pool = matches!(c.args[8], Value::Bool(true));
    let against = match &c.args[7] {
        Value::Solver(s) => Some(s.clone()),
        _ => None,
    };
    let fail = |e: String| RuntimeError::new(e).at(c.span);
    let mut table = Table::new(format!("expert iteration on {}", objective.name()))
        .column("round", 0)
        .column("positions", 0)
        .column("val loss", 4)
        .column("policy score", 3)
        .column("±95%", 3)
        .column("win", 0)
        .column("draw", 0)
        .column("loss", 0)
        .volatile_column("train s", 2);
    let mut prior: Option<Arc<Amortized>> = None;
    let mut buffer: Option<crate::amortized::Dataset> = None;
    for round in 1..=rounds {
        let seed = derive_seed(c.seed, &format!("round {round}"));
        let expert = SolverValue {
            solver: Solver::Guided {
                params: crate::direct::mcts::MctsParams { seed, ..params },
                prior: prior.clone(),
                value: None,
            },
            label: planner.label.clone(),
        };
        let fresh = generate(objective, &expert, positions, seed)
            .map_err(fail)?
            .data
            .data;
        let d: &crate::amortized::Dataset = match (&mut buffer, pool) {
            (Some(b), true) => {
                for e in fresh.examples() {
                    b.push(e.clone()).map_err(|e| fail(e.to_string()))?;
                }
                b
            }
            _ => buffer.insert(fresh),
        };
        let net = MlpSpec::new(d.feature_dim, spec.hidden.clone(), d.target_dim, spec.act);
        let model = Mlp::new(net, Head::Policy, derive_seed(seed, "init"))
            .map_err(|e| fail(e.to_string()))?;
        let cfg = TrainConfig {
            epochs,
            seed,
            progress: Progress::Silent,
            ..TrainConfig::default()
        };
        let (model, report) = train(model, d, &cfg).map_err(|e| fail(e.to_string()))?;
        let val_loss = report.best_val_loss.unwrap_or(f64::NAN);
        let wall = report.wall_secs;
        let amortized = Arc::new(Amortized::new(
            vec![model],
            Domains::GAME,
            Some(objective.name()),
        ));
        let raw = SolverValue {
            solver: Solver::Amortized(amortized.clone()),
            label: format!("policy after round {round}"),
        };
        let row = evaluate(&raw, objective, against.as_deref(), n, c.seed).map_err(fail)?;
        let [w, dr, l] = row.wdl.unwrap_or([0, 0, 0]);
        table.row(vec![
            Cell::Int(round as i64),
            Cell::Int(d.len() as i64),
            Cell::Num(val_loss),
            Cell::Num(row.mean()),
            Cell::Num(row.ci95()),
            Cell::Int(w as i64),
            Cell::Int(dr as i64),
            Cell::Int(l as i64),
            Cell::Num(wall),
        ]);
        prior = Some(amortized);
    }
    Ok(Value::Report(Arc::new(table)))
}
