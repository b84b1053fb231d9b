//! Objectives: the problem constructors of the native catalog (games,
//! MDPs, test functions, control problems), objectives written in the
//! language (`minimize`, `maximize`), and `shift` for out-of-distribution
//! variants.

use crate::compose::problem::shift;
use crate::compose::Catalog;
use crate::domains::expr::{ExprProblem, InstanceDist, ThetaSpec};
use crate::interp::registry::{param_sig, param_value, sig, Call, Registry, RuntimeError};
use crate::interp::value::Value;
use crate::ir::signature::{Const, Families, FamilyRule, KindConst};
use crate::ir::Kind;
use crate::params::Params;
use std::sync::Arc;

pub fn register(r: &mut Registry, catalog: &Catalog) {
    for p in catalog.problems() {
        let p = (**p).clone();
        // The catalog's own names are distinct; a clash with a builtin is a
        // bug in the lists.
        r.add_problem(p)
            .expect("a problem constructor's name is free");
    }
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
                .families(FamilyRule::Fixed(Families::CONTINUOUS))
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
    let mut b = sig("shift", "objectives", "The same objective with a changed instance distribution, for out-of-distribution tests. Each problem shifts its own parameters (listed below by what they apply to); a parameter the objective cannot shift is an error that lists those it can.")
        .req("objective", Kind::Objective, "the objective to shift");
    for spec in r.shift_params() {
        b.0.params.push(param_sig(spec));
    }
    r.add(
        b.returns(KindConst::Objective)
            .families(FamilyRule::Arg(0))
            .example("shift(gridworld(size=6), size=12)"),
        eval_shift,
    );
}

/// A problem constructor of the catalog: its arguments, in its declared
/// order, become its parameters.
pub fn eval_problem(c: &mut Call) -> Result<Value, RuntimeError> {
    let Some(desc) = c.registry.catalog().problem(c.builtin) else {
        return Err(RuntimeError::new(format!("no native code for `{}`", c.builtin)).at(c.span));
    };
    let given = desc
        .params
        .iter()
        .zip(&c.args)
        .map(|(spec, v)| (spec.name, param_value(v)));
    let problem = desc
        .build(given)
        .map_err(|e| RuntimeError::new(e.to_string()).at(c.span))?;
    Ok(Value::Objective(problem))
}

fn eval_shift(c: &mut Call) -> Result<Value, RuntimeError> {
    let Value::Objective(o) = &c.args[0] else {
        return Err(RuntimeError::new("`shift` needs an objective").at(c.arg_spans[0]));
    };
    let specs = c.registry.shift_params();
    let by = Params::build(
        "shift",
        specs,
        specs
            .iter()
            .zip(&c.args[1..])
            .map(|(spec, v)| (spec.name, param_value(v))),
    )
    .map_err(|e| RuntimeError::new(e.to_string()).at(c.span))?;
    let shifted = shift(&**o, &by).map_err(|e| RuntimeError::new(e.to_string()).at(c.span))?;
    Ok(Value::Objective(shifted))
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
        ExprProblem::maximize(expr, theta, x)
    } else {
        ExprProblem::minimize(expr, theta, x)
    }
    .map_err(|e| RuntimeError::new(e.to_string()).at(c.arg_spans[0]))?;
    Ok(Value::Objective(Arc::new(problem)))
}
