//! The claim each example exists to show, asserted on its outputs. One
//! function per example, in a file named after it; `check` dispatches.
//!
//! Every example that trains a network or samples measures 5 seeds, and
//! its claims rest on the aggregate: the 95% interval of a row's score
//! (stratified bootstrap over seeds and instances) or of its difference to
//! a baseline (`compare(…, baseline=)`), never an exact outcome of one
//! seed. `tests/examples.rs` runs every example at two run seeds (0 and
//! 100: seeds 0–4 and 100–104), so a claim that needs luck fails. Each
//! check returns the line of figures the README's Experiments table shows
//! for run seed 0, so that the README says what the runs measured.

use optimist::interp::Output;
use optimist::report::{Cell, Table};

mod amortized_vi;
mod break_even;
mod compute_scaling;
mod direct;
mod expert_iteration;
mod gridworld_ood;
mod pendulum_mpc;
mod switching;
mod tictactoe;

pub use crate::common::{cell, table};

/// Asserts the example's claim; returns its figures for the README.
pub fn check(example: &str, outputs: &[Output]) -> String {
    match example {
        // The language tour makes no numeric claim.
        "basics" => "–".to_string(),
        "direct" => direct::check(outputs),
        "break_even" => break_even::check(outputs),
        "switching" => switching::check(outputs),
        "tictactoe" => tictactoe::check(outputs),
        "compute_scaling" => compute_scaling::check(outputs),
        "expert_iteration" => expert_iteration::check(outputs),
        "gridworld_ood" => gridworld_ood::check(outputs),
        "amortized_vi" => amortized_vi::check(outputs),
        "pendulum_mpc" => pendulum_mpc::check(outputs),
        other => panic!("examples/{other}.opt has no claim check in tests/claims/"),
    }
}

/// The row of `solver` (on `objective`, when given).
pub fn row(t: &Table, solver: &str, objective: Option<&str>) -> usize {
    let s = t.column_index("solver").unwrap();
    let o = t.column_index("objective");
    (0..t.rows.len())
        .find(|&r| {
            t.rows[r][s] == Cell::Str(solver.into())
                && objective
                    .is_none_or(|obj| o.is_some_and(|o| t.rows[r][o] == Cell::Str(obj.into())))
        })
        .unwrap_or_else(|| panic!("no row `{solver}` {objective:?} in\n{}", t.render()))
}

/// A row's statistic with its 95% interval: (point, low, high).
pub fn interval(t: &Table, r: usize, score: &str) -> (f64, f64, f64) {
    (
        cell(t, r, score),
        cell(t, r, "ci_low"),
        cell(t, r, "ci_high"),
    )
}

/// A row's difference to the baseline with its 95% interval.
pub fn diff(t: &Table, r: usize) -> (f64, f64, f64) {
    (
        cell(t, r, "diff"),
        cell(t, r, "diff_low"),
        cell(t, r, "diff_high"),
    )
}

/// `x [lo, hi]` with `d` decimals.
pub fn show((x, lo, hi): (f64, f64, f64), d: usize) -> String {
    format!("{x:.d$} [{lo:.d$}, {hi:.d$}]")
}

/// Every report in these outputs measured `seeds` seeds.
pub fn assert_seeds(outputs: &[Output], seeds: i64) {
    for (i, o) in outputs.iter().enumerate() {
        if let optimist::interp::Value::Report(t) = &o.value {
            if t.measurement.is_some() {
                let k = t.column_index("seeds").map(|c| &t.rows[0][c]);
                assert_eq!(
                    k,
                    Some(&Cell::Int(seeds)),
                    "report {i} measured other seeds"
                );
            }
        }
    }
}
