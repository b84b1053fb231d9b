//! Objectives: the games, MDPs, test functions and control problems of the
//! native library, objectives written in the language (`minimize`,
//! `maximize`), and `shift` for out-of-distribution variants.

use crate::domains::expr::{ExprProblem, InstanceDist, ThetaSpec};
use crate::domains::gaussian_vi::{GaussianVi, GaussianViParams};
use crate::domains::gridworld::{GridParams, GridWorld};
use crate::domains::pendulum::pendulum;
use crate::domains::tictactoe::{TicTacToe, TicTacToeParams};
use crate::domains::{connect4, functions};
use crate::interp::problem::{Objective, Shift, UserObjective};
use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::value::Value;
use crate::ir::signature::{Const, DomainRule, Domains, KindConst};
use crate::ir::Kind;
use std::sync::Arc;

pub fn register(r: &mut Registry) {
    let game = DomainRule::Fixed(Domains::GAME);
    r.add(
        sig("tictactoe", "objectives", "Tic-tac-toe: a two-player game; instances are positions after `opening_moves` random moves.")
            .named("opening_moves", Kind::Int, Const::Int(0), "random moves played from the empty board")
            .range(0.0, 8.0)
            .returns(KindConst::Objective)
            .domains(game)
            .example("tictactoe()"),
        |c| {
            let g = TicTacToe::new(TicTacToeParams { opening_moves: c.int(0)? as usize }).map_err(err(c))?;
            Ok(objective(Objective::TicTacToe(g)))
        },
    );
    r.add(
        sig("connect4", "objectives", "Connect four on a `rows` × `cols` board (at most 64 cells plus a row); instances after `opening_moves` random moves.")
            .opt("rows", Kind::Int, Const::Int(6), "board height")
            .range(4.0, 12.0)
            .opt("cols", Kind::Int, Const::Int(7), "board width")
            .range(4.0, 12.0)
            .named("opening_moves", Kind::Int, Const::Int(0), "random moves played from the empty board")
            .range(0.0, 40.0)
            .returns(KindConst::Objective)
            .domains(game)
            .example("connect4(rows=6, cols=7)"),
        |c| {
            let params = connect4::Connect4Params {
                rows: c.int(0)? as usize,
                cols: c.int(1)? as usize,
                opening_moves: c.int(2)? as usize,
            };
            Ok(objective(Objective::Connect4(connect4::Connect4::new(params).map_err(err(c))?)))
        },
    );
    r.add(
        sig("gridworld", "objectives", "A maze MDP: a random solvable wall layout per instance, a start and a goal; +1 at the goal, 0.01 lost per step.")
            .opt("size", Kind::Int, Const::Int(8), "side of the square board")
            .range(2.0, 16.0)
            .opt("walls", Kind::Num, Const::Num(0.2), "probability that a cell is a wall")
            .range(0.0, 0.9)
            .returns(KindConst::Objective)
            .domains(DomainRule::Fixed(Domains::MDP))
            .example("gridworld(size=6, walls=0.2)"),
        |c| {
            let params = GridParams { size: c.int(0)? as usize, walls: c.num(1)?, ..GridParams::default() };
            Ok(objective(Objective::Gridworld(GridWorld::new(params).map_err(err(c))?)))
        },
    );
    r.add(
        sig("pendulum", "objectives", "Pendulum swing-up: continuous torque control over 200 steps; the score is the episode return.")
            .returns(KindConst::Objective)
            .domains(DomainRule::Fixed(Domains::CONTROL))
            .example("pendulum()"),
        |_| Ok(objective(Objective::Pendulum(pendulum()))),
    );
    let test_functions: [(&'static str, &'static str, &'static str); 3] = [
        (
            "sphere",
            "Σ(θ − x)²: the shifted sphere; optimum 0 at θ = x, x ~ normal(0, scale).",
            "sphere(10)",
        ),
        (
            "rosenbrock",
            "The shifted Rosenbrock valley; optimum 0 at θ = x, x ~ normal(0, scale).",
            "rosenbrock(10)",
        ),
        (
            "rastrigin",
            "The shifted Rastrigin function (many local minima); optimum 0 at θ = x.",
            "rastrigin(4)",
        ),
    ];
    for (name, doc, example) in test_functions {
        r.add(
            sig(name, "objectives", doc)
                .opt("dim", Kind::Int, Const::Int(10), "dimension of θ and x")
                .range(1.0, 10_000.0)
                .named(
                    "scale",
                    Kind::Num,
                    Const::Num(1.0),
                    "spread of the instance shift x",
                )
                .range(0.0, 1e6)
                .returns(KindConst::Objective)
                .domains(DomainRule::Fixed(Domains::CONTINUOUS))
                .example(example),
            eval_test_function,
        );
    }
    r.add(
        sig("gaussian_vi", "objectives", "Variational inference in a linear-Gaussian latent model: θ = (mean, log-std) of q(z | y); the score is the negative ELBO; the exact posterior is known.")
            .opt("dim", Kind::Int, Const::Int(2), "latent dimension")
            .range(1.0, 256.0)
            .opt("obs", Kind::Int, Const::Int(4), "observation dimension (≥ dim)")
            .range(1.0, 1024.0)
            .returns(KindConst::Objective)
            .domains(DomainRule::Fixed(Domains::CONTINUOUS))
            .example("gaussian_vi(dim=2, obs=4)"),
        |c| {
            let params = GaussianViParams { dim: c.int(0)? as usize, obs: c.int(1)? as usize, ..GaussianViParams::default() };
            Ok(objective(Objective::GaussianVi(GaussianVi::new(params).map_err(err(c))?)))
        },
    );
    for (name, doc, maximize) in [
        ("minimize", "An objective written in the language: minimize an expression of the decision `theta` and the instance `x`.", false),
        ("maximize", "Like `minimize`, for an expression to maximize.", true),
    ] {
        let example = if maximize {
            "maximize(-sum(theta ^ 2), theta=vec(2, lo=-1, hi=1))"
        } else {
            "minimize(sum((theta - x) ^ 2), theta=vec(8, lo=-5, hi=5), x=normal(0, 1, dim=8))"
        };
        r.add(
            sig(name, "objectives", doc)
                .req("objective", Kind::Num, "a number computed from `theta` (and `x`)")
                .named_req("theta", Kind::Space, "the decision space, `vec(dim, lo=, hi=)`")
                .named("x", Kind::Distribution, Const::None, "the instance distribution, e.g. `normal(0, 1, dim=8)`; none: a single problem")
                .binds(&["theta", "x"])
                .returns(KindConst::Objective)
                .domains(DomainRule::Fixed(Domains::CONTINUOUS))
                .example(example),
            if maximize { eval_maximize } else { eval_minimize },
        );
    }
    r.add(
        sig(
            "vec",
            "objectives",
            "A decision space of `dim` numbers, each in [lo, hi] (unbounded by default).",
        )
        .req("dim", Kind::Int, "number of entries")
        .range(1.0, 100_000.0)
        .named("lo", Kind::Num, Const::None, "lower bound of every entry")
        .named("hi", Kind::Num, Const::None, "upper bound of every entry")
        .returns(KindConst::Space)
        .example("vec(8, lo=-5, hi=5)"),
        |c| {
            let dim = c.int(0)? as usize;
            let lo = if matches!(c.args[1], Value::None) {
                f64::NEG_INFINITY
            } else {
                c.num(1)?
            };
            let hi = if matches!(c.args[2], Value::None) {
                f64::INFINITY
            } else {
                c.num(2)?
            };
            if lo >= hi {
                return Err(RuntimeError::new(format!(
                    "`vec` needs lo < hi, found lo = {lo}, hi = {hi}"
                ))
                .at(c.span));
            }
            Ok(Value::Space(Arc::new(ThetaSpec::bounded(dim, lo, hi))))
        },
    );
    r.add(
        sig(
            "normal",
            "objectives",
            "Instances with independent normal entries.",
        )
        .opt("mean", Kind::Num, Const::Num(0.0), "mean of every entry")
        .opt(
            "std",
            Kind::Num,
            Const::Num(1.0),
            "standard deviation of every entry",
        )
        .range(0.0, 1e12)
        .named("dim", Kind::Int, Const::Int(1), "number of entries")
        .range(1.0, 100_000.0)
        .returns(KindConst::Distribution)
        .example("normal(0, 1, dim=8)"),
        |c| {
            let d = InstanceDist::Normal {
                mean: c.num(0)?,
                std: c.num(1)?,
                dim: c.int(2)? as usize,
            };
            Ok(Value::Distribution(Arc::new(d)))
        },
    );
    r.add(
        sig(
            "uniform",
            "objectives",
            "Instances with independent uniform entries in [lo, hi].",
        )
        .opt("lo", Kind::Num, Const::Num(0.0), "lower end")
        .opt("hi", Kind::Num, Const::Num(1.0), "upper end")
        .named("dim", Kind::Int, Const::Int(1), "number of entries")
        .range(1.0, 100_000.0)
        .returns(KindConst::Distribution)
        .example("uniform(-1, 1, dim=4)"),
        |c| {
            let (lo, hi) = (c.num(0)?, c.num(1)?);
            if lo > hi {
                return Err(RuntimeError::new(format!(
                    "`uniform` needs lo ≤ hi, found {lo} > {hi}"
                ))
                .at(c.span));
            }
            Ok(Value::Distribution(Arc::new(InstanceDist::Uniform {
                lo,
                hi,
                dim: c.int(2)? as usize,
            })))
        },
    );
    r.add(
        sig("shift", "objectives", "The same objective with a changed instance distribution, for out-of-distribution tests. Games shift `opening_moves`; gridworld `size` and `walls`; continuous objectives `scale`; pendulum `amount`.")
            .req("objective", Kind::Objective, "the objective to shift")
            .named("opening_moves", Kind::Int, Const::None, "games: random opening moves")
            .range(0.0, 40.0)
            .named("size", Kind::Int, Const::None, "gridworld: board side")
            .range(2.0, 16.0)
            .named("walls", Kind::Num, Const::None, "gridworld: wall probability")
            .range(0.0, 0.9)
            .named("scale", Kind::Num, Const::None, "continuous: spread of the instances")
            .range(0.0, 1e6)
            .named("amount", Kind::Num, Const::None, "pendulum: heavier, faster-starting (mass and speed × 1 + amount)")
            .range(0.0, 100.0)
            .returns(KindConst::Objective)
            .domains(DomainRule::Arg(0))
            .example("shift(gridworld(size=6), size=12)"),
        |c| {
            let Value::Objective(o) = &c.args[0] else {
                return Err(RuntimeError::new("`shift` needs an objective").at(c.arg_spans[0]));
            };
            let opt_int = |v: &Value| v.as_i64().map(|i| i as usize);
            let s = Shift {
                opening_moves: opt_int(&c.args[1]),
                size: opt_int(&c.args[2]),
                walls: c.args[3].as_f64(),
                scale: c.args[4].as_f64(),
                amount: c.args[5].as_f64(),
            };
            Ok(objective(o.shift(&s).map_err(err(c))?))
        },
    );
}

fn objective(o: Objective) -> Value {
    Value::Objective(Arc::new(o))
}

/// Turns a native library error into a runtime error at the call.
fn err<'c>(c: &'c Call) -> impl Fn(String) -> RuntimeError + 'c {
    move |e| RuntimeError::new(e).at(c.span)
}

fn eval_test_function(c: &mut Call) -> Result<Value, RuntimeError> {
    let dim = c.int(0)? as usize;
    let scale = c.num(1)?;
    let f = match c.builtin {
        "sphere" => functions::sphere(dim),
        "rosenbrock" => functions::rosenbrock(dim),
        _ => functions::rastrigin(dim),
    }
    .and_then(|f| f.with_scale(scale))
    .map_err(err(c))?;
    Ok(objective(Objective::Function(f)))
}

fn eval_minimize(c: &mut Call) -> Result<Value, RuntimeError> {
    user_objective(c, false)
}

fn eval_maximize(c: &mut Call) -> Result<Value, RuntimeError> {
    user_objective(c, true)
}

fn user_objective(c: &mut Call, maximize: bool) -> Result<Value, RuntimeError> {
    let Value::Tape(expr) = &c.args[0] else {
        return Err(
            RuntimeError::new("the objective must be an expression of `theta` and `x`")
                .at(c.arg_spans[0]),
        );
    };
    let expr = (**expr).clone();
    let Value::Space(theta) = &c.args[1] else {
        return Err(RuntimeError::new("`theta` must be a `vec(…)`").at(c.arg_spans[1]));
    };
    let x = match &c.args[2] {
        Value::Distribution(d) => Some((**d).clone()),
        _ => None,
    };
    if x.is_none() && expr.uses_x() {
        return Err(RuntimeError::new(
            "the objective uses `x`, but no instance distribution is given",
        )
        .at(c.arg_spans[0])
        .hint("add e.g. `x=normal(0, 1, dim=8)`"));
    }
    let theta = (**theta).clone();
    let problem = if maximize {
        ExprProblem::maximize(expr.clone(), theta.clone(), x.clone())
    } else {
        ExprProblem::minimize(expr.clone(), theta.clone(), x.clone())
    }
    .map_err(|e| RuntimeError::new(e).at(c.arg_spans[0]))?;
    Ok(objective(Objective::User(Box::new(UserObjective {
        problem,
        expr,
        theta,
        x,
        maximize,
    }))))
}
