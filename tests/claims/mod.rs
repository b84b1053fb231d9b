//! The claim each example exists to show, asserted on its outputs. One
//! function per example, in a file named after it; `check` dispatches.

use optimist::interp::Output;

mod amortized_vi;
mod pendulum_mpc;

pub fn check(example: &str, outputs: &[Output]) {
    match example {
        // Examples that only tour the language make no numeric claim.
        "basics" | "direct" => {}
        "amortized_vi" => amortized_vi::check(outputs),
        "pendulum_mpc" => pendulum_mpc::check(outputs),
        other => panic!("examples/{other}.opt has no claim check in tests/claims/"),
    }
}
