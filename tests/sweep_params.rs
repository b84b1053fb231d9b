//! Whatever the checker accepts runs: for every algorithm in the catalog
//! and every parameter its descriptor declares, `sweep` over two valid
//! values of that parameter checks and runs on a problem the algorithm
//! solves. Generated from the descriptors, so a new algorithm or parameter
//! is covered without editing this file.

mod common;

use common::{cell, run_script, table};
use optimist::compose::{AlgorithmDescriptor, Families};
use optimist::interp::Registry;
use optimist::params::{ParamKind, ParamSpec, ParamValue};

/// Two distinct valid values of a parameter, near its default.
fn two_values(p: &ParamSpec) -> [String; 2] {
    let (lo, hi) = p.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
    match (p.kind, &p.default) {
        (ParamKind::Bool, _) => ["true".into(), "false".into()],
        (ParamKind::Int, ParamValue::Int(d)) => {
            let other = if (*d + 1) as f64 <= hi { d + 1 } else { d - 1 };
            [d.to_string(), other.to_string()]
        }
        (ParamKind::Int, _) => {
            let lo = lo.max(1.0) as i64;
            [lo.to_string(), (lo + 1).to_string()]
        }
        (ParamKind::Num, ParamValue::Num(d)) => {
            let other = if d * 1.5 <= hi { d * 1.5 } else { d / 2.0 };
            [format!("{d:?}"), format!("{other:?}")]
        }
        (ParamKind::Num, _) => {
            let a = 1.0f64.clamp(lo, hi);
            [format!("{a:?}"), format!("{:?}", a / 2.0)]
        }
        (kind, default) => panic!("no sweep values for {kind:?} (default {default:?})"),
    }
}

/// A small problem the algorithm solves.
fn problem_for(a: &AlgorithmDescriptor) -> &'static str {
    if a.families.intersects(Families::CONTINUOUS) {
        "sphere(2)"
    } else if a.families.intersects(Families::GAME) {
        "tictactoe(opening_moves=4)"
    } else if a.families.intersects(Families::MDP) {
        "gridworld(size=4)"
    } else {
        panic!("no test problem for `{}`", a.name)
    }
}

#[test]
fn every_parameter_of_every_algorithm_sweeps() {
    let registry = Registry::standard();
    let mut swept = 0;
    for a in registry.catalog().algorithms() {
        for p in &a.params {
            let [v1, v2] = two_values(p);
            let script = format!(
                "report sweep(plan({}), {}=[{v1}, {v2}], on={}, n=2)",
                a.name,
                p.name,
                problem_for(a)
            );
            let out = run_script(&script, 0, 1);
            let t = table(&out, 0);
            assert_eq!(t.rows.len(), 2, "{script}\n{}", t.render());
            for row in 0..2 {
                assert_eq!(cell(t, row, "n"), 2.0, "{script}");
            }
            swept += 1;
        }
    }
    assert!(swept >= 20, "only {swept} parameters");
}
