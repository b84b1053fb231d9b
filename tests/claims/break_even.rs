//! examples/break_even.opt: the number of queries after which the dataset's
//! search cost is repaid, in counted search nodes.

use crate::common::{cell, table};
use optimist::interp::{Output, Value};

fn number(outputs: &[Output], i: usize) -> f64 {
    match &outputs[i].value {
        Value::Int(n) => *n as f64,
        Value::Num(x) => *x,
        other => panic!("output {i} is not a number: {other}"),
    }
}

pub fn check(outputs: &[Output]) {
    let r = table(outputs, 0);
    // Rows: UCT-400 (the expert), UCT-1600 (the rival), the policy.
    assert!(cell(r, 0, "loss") >= 3.0, "the expert loses to minimax");
    assert_eq!(cell(r, 1, "loss"), 0.0);
    assert_eq!(cell(r, 2, "loss"), 0.0, "the policy matches the rival");
    assert_eq!(cell(r, 1, "nodes/q"), 1600.0);
    assert_eq!(cell(r, 2, "nodes/q"), 0.0);
    assert_eq!(cell(r, 2, "fwd/q"), 1.0);

    assert_eq!(number(outputs, 1), 800_000.0, "dataset nodes");
    assert_eq!(number(outputs, 2), 54_000.0, "training examples");
    assert_eq!(number(outputs, 3), 500.0, "moves to break even");
    let games = number(outputs, 4);
    assert!(
        (games - 500.0 / 4.5).abs() < 1e-6,
        "games to break even: {games}"
    );
    assert_eq!(
        number(outputs, 5),
        2000.0,
        "moves to break even vs the expert"
    );
}
