//! The claim each example exists to show, asserted on its outputs. One
//! function per example, in a file named after it; `check` dispatches.

use optimist::interp::Output;

pub fn check(example: &str, outputs: &[Output]) {
    match example {
        // Examples that only tour the language make no numeric claim.
        "basics" | "direct" => {}
        other => panic!("examples/{other}.opt has no claim check in tests/claims/"),
    }
    let _ = outputs;
}
