//! Direct solvers: `plan(ALGORITHM, …)` with each algorithm's own
//! parameters, and `best_of`.

use crate::direct::adam::AdamParams;
use crate::direct::cem::CemParams;
use crate::direct::cmaes::CmaesParams;
use crate::direct::gd::GdParams;
use crate::direct::mcts::MctsParams;
use crate::direct::minimax::MinimaxParams;
use crate::direct::random_search::RandomSearchParams;
use crate::direct::random_shooting::RandomShootingParams;
use crate::interp::registry::{algorithm, sig, Call, Registry, RuntimeError};
use crate::interp::solver::{Solver, SolverValue};
use crate::interp::value::Value;
use crate::ir::signature::{Const, DomainRule, Domains, KindConst};
use crate::ir::Kind;
use std::sync::Arc;

pub fn register(r: &mut Registry) {
    let (int, num, boolean) = (Kind::Int, Kind::Num, Kind::Bool);
    let search_and_plan = Domains::CONTINUOUS.union(Domains::CONTROL);
    r.add_algorithm(
        algorithm("mcts", Domains::DISCRETE, "Monte Carlo tree search: UCT with random rollouts (PUCT when given a prior), tree reuse between moves, root-parallel threads.")
            .opt("sims", int.clone(), Const::Int(400), "simulations per move")
            .range(1.0, 1e9)
            .opt("c", num.clone(), Const::Num(std::f64::consts::SQRT_2), "exploration constant")
            .range(0.0, 100.0)
            .opt("depth", int.clone(), Const::None, "longest rollout (then the heuristic scores it); none: to the end")
            .range(1.0, 10_000.0)
            .opt("rollouts", int.clone(), Const::Int(1), "random rollouts per evaluated leaf")
            .range(1.0, 1000.0)
            .opt("threads", int.clone(), Const::None, "root-parallel trees; none: the run's --threads")
            .range(1.0, 256.0)
            .opt("reuse", boolean, Const::Bool(true), "keep the subtree of the played move")
            .build(),
    );
    r.add_algorithm(
        algorithm("minimax", Domains::DISCRETE, "Negamax alpha-beta with move ordering and a transposition table; exact without a depth limit (small games only).")
            .opt("depth", int.clone(), Const::None, "plies before the heuristic scores; none: exact")
            .range(1.0, 100.0)
            .build(),
    );
    r.add_algorithm(
        algorithm(
            "value_iteration",
            Domains::MDP,
            "Exact optimal values and policy of a gridworld instance.",
        )
        .build(),
    );
    r.add_algorithm(
        algorithm("cem", search_and_plan, "The cross-entropy method; on a control problem, CEM model-predictive control replanning every step.")
            .opt("samples", int.clone(), Const::Int(64), "candidates per iteration")
            .range(2.0, 1e6)
            .opt("elites", int.clone(), Const::Int(8), "best candidates refitted each iteration")
            .range(1.0, 1e6)
            .opt("iters", int.clone(), Const::Int(100), "iterations (per control step)")
            .range(1.0, 1e6)
            .opt("horizon", int.clone(), Const::Int(30), "control problems: steps planned ahead")
            .range(1.0, 10_000.0)
            .build(),
    );
    r.add_algorithm(
        algorithm(
            "random_shooting",
            search_and_plan,
            "Best of uniformly random candidates; on a control problem, random-shooting MPC.",
        )
        .opt(
            "samples",
            int.clone(),
            Const::Int(1000),
            "candidates (per control step)",
        )
        .range(1.0, 1e7)
        .opt(
            "horizon",
            int.clone(),
            Const::Int(30),
            "control problems: steps planned ahead",
        )
        .range(1.0, 10_000.0)
        .build(),
    );
    r.add_algorithm(
        algorithm(
            "cmaes",
            Domains::CONTINUOUS,
            "CMA-ES with the standard defaults (population 4 + ⌊3 ln n⌋, full covariance).",
        )
        .opt(
            "max_evals",
            int.clone(),
            Const::Int(100_000),
            "evaluation budget",
        )
        .range(1.0, 1e9)
        .opt(
            "sigma",
            num.clone(),
            Const::None,
            "initial step size; none: 0.3 × the box width",
        )
        .range(1e-12, 1e12)
        .opt(
            "popsize",
            int.clone(),
            Const::None,
            "population; none: the standard default",
        )
        .range(2.0, 1e6)
        .opt(
            "restarts",
            int.clone(),
            Const::Int(0),
            "restarts with doubled population (IPOP)",
        )
        .range(0.0, 100.0)
        .build(),
    );
    for (name, doc, lr) in [
        (
            "gd",
            "Gradient descent on one instance, projected into the box.",
            0.01,
        ),
        (
            "adam",
            "Adam on one instance, projected into the box (direct VI on `gaussian_vi`).",
            0.05,
        ),
    ] {
        r.add_algorithm(
            algorithm(name, Domains::CONTINUOUS, doc)
                .opt("steps", int.clone(), Const::Int(1000), "gradient steps")
                .range(1.0, 1e9)
                .opt("lr", num.clone(), Const::Num(lr), "step size")
                .range(1e-12, 1e6)
                .build(),
        );
    }
    r.add_algorithm(
        algorithm(
            "random_search",
            Domains::CONTINUOUS,
            "Best of uniform samples in the box.",
        )
        .opt("samples", int, Const::Int(1000), "samples")
        .range(1.0, 1e9)
        .build(),
    );

    r.add(
        sig("plan", "solvers", "A direct solver: run ALGORITHM on each instance. Named arguments are the algorithm's own (see the algorithms below).")
            .req("algorithm", Kind::Algorithm, "one of the algorithms below")
            .algorithm_params(0)
            .returns(KindConst::Solver)
            .domains(DomainRule::Algorithm(0))
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
        .domains(DomainRule::Fixed(Domains::CONTINUOUS))
        .example("best_of(16, plan(cem, iters=5))"),
        |c| {
            let n = c.int(0)? as usize;
            let sampler = match &c.args[1] {
                Value::Solver(s) => {
                    if !s.solver.domains().intersects(Domains::CONTINUOUS) {
                        return Err(RuntimeError::new(format!(
                            "`{}` cannot propose continuous answers",
                            s.label
                        ))
                        .at(c.arg_spans[1]));
                    }
                    Some(s.clone())
                }
                _ => None,
            };
            Ok(solver(c, Solver::BestOf { n, sampler }))
        },
    );
}

fn solver(c: &Call, s: Solver) -> Value {
    Value::Solver(Arc::new(SolverValue {
        solver: s,
        label: c.ir.label(c.node),
    }))
}

fn opt_int(c: &Call, name: &str) -> Option<i64> {
    c.extra(name).and_then(Value::as_i64)
}

fn int(c: &Call, name: &str) -> Result<usize, RuntimeError> {
    opt_int(c, name)
        .map(|i| i as usize)
        .ok_or_else(|| RuntimeError::new(format!("`{name}` must be a whole number")).at(c.span))
}

fn num(c: &Call, name: &str) -> Result<f64, RuntimeError> {
    c.extra(name)
        .and_then(Value::as_f64)
        .ok_or_else(|| RuntimeError::new(format!("`{name}` must be a number")).at(c.span))
}

fn eval_plan(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Algorithm(alg) = &c.args[0] else {
        return Err(RuntimeError::new("`plan` needs an algorithm").at(c.arg_spans[0]));
    };
    let s = match alg.as_ref() {
        "mcts" => Solver::Mcts(MctsParams {
            sims: int(c, "sims")? as u32,
            c: num(c, "c")? as f32,
            depth: opt_int(c, "depth").map(|d| d as u32),
            rollouts: int(c, "rollouts")? as u32,
            threads: opt_int(c, "threads").map_or(c.settings.threads, |t| t as usize),
            seed: c.seed,
            reuse: matches!(c.extra("reuse"), Some(Value::Bool(true))),
        }),
        "minimax" => Solver::Minimax(MinimaxParams {
            depth: opt_int(c, "depth").map(|d| d as u32),
            ..MinimaxParams::default()
        }),
        "value_iteration" => Solver::ValueIteration,
        "cem" => Solver::Cem {
            params: CemParams {
                samples: int(c, "samples")?,
                elites: int(c, "elites")?,
                iters: int(c, "iters")?,
                ..CemParams::default()
            },
            horizon: int(c, "horizon")?,
        },
        "random_shooting" => Solver::RandomShooting {
            params: RandomShootingParams {
                samples: int(c, "samples")?,
                ..RandomShootingParams::default()
            },
            horizon: int(c, "horizon")?,
        },
        "cmaes" => Solver::Cmaes(CmaesParams {
            max_evals: int(c, "max_evals")?,
            sigma0: c.extra("sigma").and_then(Value::as_f64),
            popsize: opt_int(c, "popsize").map(|p| p as usize),
            restarts: int(c, "restarts")?,
            ..CmaesParams::default()
        }),
        "gd" => Solver::Gd(GdParams {
            steps: int(c, "steps")?,
            lr: num(c, "lr")?,
            start: None,
        }),
        "adam" => Solver::Adam(AdamParams {
            steps: int(c, "steps")?,
            lr: num(c, "lr")?,
            ..AdamParams::default()
        }),
        "random_search" => Solver::RandomSearch(RandomSearchParams {
            samples: int(c, "samples")?,
        }),
        other => return Err(RuntimeError::new(format!("no native code for `{other}`")).at(c.span)),
    };
    if let Solver::Cem { params, .. } = &s {
        if params.elites > params.samples {
            return Err(RuntimeError::new(format!(
                "`elites` ({}) cannot exceed `samples` ({})",
                params.elites, params.samples
            ))
            .at(c.span));
        }
    }
    Ok(solver(c, s))
}
