//! Language-level builtins: arithmetic helpers, math functions and lists.
//!
//! The math functions also accept vectors, so that objective expressions
//! (`minimize(sum((theta - x) ^ 2), …)`) can use them; there they are
//! lowered to the native expression tree rather than evaluated here.

use crate::interp::registry::{sig, Call, Registry, RuntimeError};
use crate::interp::value::Value;
use crate::ir::signature::{Const, KindConst, ResultRule};
use crate::ir::Kind;

pub fn register(r: &mut Registry) {
    let elementwise: [(&'static str, &'static str, fn(f64) -> f64, &'static str); 9] = [
        ("abs", "Absolute value.", f64::abs, "abs(-2)"),
        (
            "sqrt",
            "Square root; an error for negative numbers.",
            f64::sqrt,
            "sqrt(2)",
        ),
        ("exp", "e raised to the power x.", f64::exp, "exp(1)"),
        (
            "log",
            "Natural logarithm; an error for numbers ≤ 0.",
            f64::ln,
            "log(10)",
        ),
        ("sin", "Sine (radians).", f64::sin, "sin(0.5)"),
        ("cos", "Cosine (radians).", f64::cos, "cos(0.5)"),
        (
            "floor",
            "Largest whole number ≤ x (as a Num).",
            f64::floor,
            "floor(2.7)",
        ),
        (
            "ceil",
            "Smallest whole number ≥ x (as a Num).",
            f64::ceil,
            "ceil(2.1)",
        ),
        ("tanh", "Hyperbolic tangent.", f64::tanh, "tanh(1)"),
    ];
    for (name, doc, _, example) in elementwise {
        r.add(
            sig(name, "math", doc)
                .req(
                    "x",
                    Kind::Numeric,
                    "a number (or a vector, inside an objective)",
                )
                .result(ResultRule::Elementwise(0))
                .example(example),
            eval_elementwise,
        );
    }
    let reductions: [(&'static str, &'static str, &'static str); 4] = [
        (
            "sum",
            "Sum of a list of numbers (or of a vector's entries).",
            "sum([1, 2, 3])",
        ),
        (
            "mean",
            "Mean of a non-empty list of numbers (or of a vector's entries).",
            "mean([1, 2, 3])",
        ),
        (
            "min",
            "Smallest of a non-empty list of numbers (or of a vector's entries).",
            "min([3, 1, 2])",
        ),
        (
            "max",
            "Largest of a non-empty list of numbers (or of a vector's entries).",
            "max([3, 1, 2])",
        ),
    ];
    for (name, doc, example) in reductions {
        r.add(
            sig(name, "math", doc)
                .req("xs", Kind::Numbers, "the numbers")
                .result(ResultRule::ElementOf(0))
                .example(example),
            eval_reduction,
        );
    }
    r.add(
        sig(
            "round",
            "math",
            "x rounded to `digits` decimals (half away from zero).",
        )
        .req("x", Kind::Num, "a number")
        .opt("digits", Kind::Int, Const::Int(0), "decimals to keep")
        .range(0.0, 15.0)
        .returns(KindConst::Num)
        .example("round(3.14159, digits=2)"),
        |c| {
            let (x, d) = (c.num(0)?, c.int(1)?);
            let scale = 10f64.powi(d as i32);
            Ok(Value::Num((x * scale).round() / scale))
        },
    );
    r.add(
        sig(
            "len",
            "lists",
            "Number of elements of a list, or of rows of a dataset.",
        )
        .req(
            "xs",
            Kind::Either(vec![Kind::list(Kind::Any), Kind::Dataset]),
            "a list or a dataset",
        )
        .returns(KindConst::Int)
        .example("len([16, 64, 256])"),
        |c| match &c.args[0] {
            Value::Dataset(d) => Ok(Value::Int(d.data.len() as i64)),
            Value::List(items) => Ok(Value::Int(items.len() as i64)),
            other => Err(RuntimeError::new(format!(
                "`len` needs a list or a dataset, found {other}"
            ))
            .at(c.arg_spans[0])),
        },
    );
    r.add(
        sig(
            "range",
            "lists",
            "Whole numbers from `start` up to, not including, `stop`.",
        )
        .req("start", Kind::Int, "first number (or, alone, the count)")
        .opt(
            "stop",
            Kind::Int,
            Const::None,
            "end, excluded; without it, `start` is the count from 0",
        )
        .named(
            "step",
            Kind::Int,
            Const::Int(1),
            "distance between numbers; not 0",
        )
        .returns(KindConst::ListInt)
        .example("range(5)  # [0, 1, 2, 3, 4]"),
        eval_range,
    );
    r.add(
        sig(
            "linspace",
            "lists",
            "`n` evenly spaced numbers from `lo` to `hi`, both included.",
        )
        .req("lo", Kind::Num, "first number")
        .req("hi", Kind::Num, "last number")
        .req("n", Kind::Int, "how many")
        .range(1.0, 1e6)
        .returns(KindConst::ListNum)
        .example("linspace(0, 1, 5)"),
        |c| {
            let (lo, hi, n) = (c.num(0)?, c.num(1)?, c.int(2)?);
            for (i, x) in [(0, lo), (1, hi)] {
                if !x.is_finite() {
                    return Err(RuntimeError::new(format!(
                        "`linspace` needs finite ends, found {x}"
                    ))
                    .at(c.arg_spans[i]));
                }
            }
            // `lo·(1 − t) + hi·t` never overflows between finite ends (as
            // `hi − lo` may) and gives both ends exactly.
            Ok(Value::list(
                (0..n)
                    .map(|i| {
                        let t = if n > 1 {
                            i as f64 / (n - 1) as f64
                        } else {
                            0.0
                        };
                        Value::Num(lo * (1.0 - t) + hi * t)
                    })
                    .collect(),
            ))
        },
    );
    r.add(
        sig(
            "geomspace",
            "lists",
            "`n` numbers from `lo` to `hi` with a constant ratio (compute budgets).",
        )
        .req("lo", Kind::Num, "first number, > 0")
        .range(f64::MIN_POSITIVE, f64::INFINITY)
        .req("hi", Kind::Num, "last number, > 0")
        .range(f64::MIN_POSITIVE, f64::INFINITY)
        .req("n", Kind::Int, "how many")
        .range(1.0, 1e6)
        .returns(KindConst::ListNum)
        .example("geomspace(16, 1024, 4)  # [16, 64, 256, 1024]"),
        |c| {
            let (lo, hi, n) = (c.num(0)?, c.num(1)?, c.int(2)?);
            if lo <= 0.0 || hi <= 0.0 {
                return Err(RuntimeError::new("geomspace needs positive bounds").at(c.span));
            }
            let ratio = if n > 1 {
                (hi / lo).powf(1.0 / (n - 1) as f64)
            } else {
                1.0
            };
            Ok(Value::list(
                (0..n)
                    .map(|i| Value::Num(lo * ratio.powi(i as i32)))
                    .collect(),
            ))
        },
    );
    r.add(
        sig(
            "concat",
            "lists",
            "The elements of `a` followed by those of `b`.",
        )
        .req("a", Kind::list(Kind::Any), "a list")
        .req("b", Kind::list(Kind::Any), "a list of the same kind")
        .result(ResultRule::SameAs(0))
        .example("concat([1, 2], [3])"),
        |c| {
            let mut items = c.list(0)?.to_vec();
            items.extend_from_slice(c.list(1)?);
            Ok(Value::list(items))
        },
    );
    r.add(
        sig(
            "reverse",
            "lists",
            "The elements of a list in reverse order.",
        )
        .req("xs", Kind::list(Kind::Any), "a list")
        .result(ResultRule::SameAs(0))
        .example("reverse([1, 2, 3])"),
        |c| Ok(Value::list(c.list(0)?.iter().rev().cloned().collect())),
    );
    r.add(
        sig("sort", "lists", "A list of numbers in increasing order.")
            .req("xs", Kind::list(Kind::Num), "numbers")
            .result(ResultRule::SameAs(0))
            .example("sort([3, 1, 2])"),
        |c| {
            let mut items = c.list(0)?.to_vec();
            items.sort_by(|a, b| {
                a.as_f64()
                    .unwrap_or(f64::NAN)
                    .total_cmp(&b.as_f64().unwrap_or(f64::NAN))
            });
            Ok(Value::list(items))
        },
    );
}

fn eval_elementwise(c: &mut Call) -> Result<Value, RuntimeError> {
    let x = c.num(0)?;
    let name = c.builtin;
    let (y, bad) = match name {
        "abs" => (x.abs(), false),
        "sqrt" => (x.sqrt(), x < 0.0),
        "exp" => (x.exp(), false),
        "log" => (x.ln(), x <= 0.0),
        "sin" => (x.sin(), false),
        "cos" => (x.cos(), false),
        "floor" => (x.floor(), false),
        "ceil" => (x.ceil(), false),
        "tanh" => (x.tanh(), false),
        other => return Err(RuntimeError::new(format!("no native code for `{other}`")).at(c.span)),
    };
    if bad {
        return Err(RuntimeError::new(format!(
            "`{name}` is not defined for {}",
            crate::interp::value::format_number(x)
        ))
        .at(c.arg_spans[0]));
    }
    Ok(Value::Num(y))
}

fn eval_reduction(c: &mut Call) -> Result<Value, RuntimeError> {
    let name = c.builtin;
    let items = c.list(0)?;
    let all_int = items.iter().all(|v| matches!(v, Value::Int(_)));
    let xs = c.nums(0)?;
    if xs.is_empty() && name != "sum" {
        return Err(RuntimeError::new(format!("`{name}` of an empty list")).at(c.arg_spans[0]));
    }
    let as_value = |x: f64| {
        if all_int && name != "mean" {
            Value::Int(x as i64)
        } else {
            Value::Num(x)
        }
    };
    Ok(match name {
        "sum" => {
            if all_int {
                let total = items
                    .iter()
                    .try_fold(0i64, |acc, v| acc.checked_add(v.as_i64().unwrap_or(0)));
                return total.map(Value::Int).ok_or_else(|| {
                    RuntimeError::new("the sum overflows a whole number").at(c.span)
                });
            }
            Value::Num(xs.iter().sum())
        }
        "mean" => Value::Num(xs.iter().sum::<f64>() / xs.len() as f64),
        "min" => as_value(xs.iter().copied().fold(f64::INFINITY, f64::min)),
        "max" => as_value(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        other => return Err(RuntimeError::new(format!("no native code for `{other}`")).at(c.span)),
    })
}

fn eval_range(c: &mut Call) -> Result<Value, RuntimeError> {
    let (a, step) = (c.int(0)?, c.int(2)?);
    let (start, stop) = match c.args[1] {
        Value::None => (0, a),
        _ => (a, c.int(1)?),
    };
    if step == 0 {
        return Err(RuntimeError::new("`step` of `range` must not be 0").at(c.arg_spans[2]));
    }
    // In 128 bits: `stop - start` and `start + i·step` overflow 64 bits for
    // ranges near the ends of the integers.
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    let count = if step > 0 {
        (stop - start + step - 1).max(0) / step
    } else {
        (start - stop - step - 1).max(0) / -step
    };
    if count > 10_000_000 {
        return Err(
            RuntimeError::new(format!("`range` would make {count} numbers"))
                .at(c.span)
                .hint("ranges hold at most 10,000,000 numbers"),
        );
    }
    // Every number lies between `start` and `stop`, so it fits 64 bits.
    Ok(Value::list(
        (0..count)
            .map(|i| Value::Int((start + i * step) as i64))
            .collect(),
    ))
}
