//! The claim each example exists to show, asserted on its outputs. One
//! function per example, in a file named after it; `check` dispatches.

use optimist::interp::Output;

mod break_even;
mod switching;
mod tictactoe;

pub fn check(example: &str, outputs: &[Output]) {
    match example {
        // Examples that only tour the language make no numeric claim.
        "basics" | "direct" => {}
        "break_even" => break_even::check(outputs),
        "switching" => switching::check(outputs),
        "tictactoe" => tictactoe::check(outputs),
        other => panic!("examples/{other}.opt has no claim check in tests/claims/"),
    }
    let _ = outputs;
}
