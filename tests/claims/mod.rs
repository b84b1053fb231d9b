//! The claim each example exists to show, asserted on its outputs. One
//! function per example, in a file named after it; `check` dispatches.

use optimist::interp::Output;

mod amortized_vi;
mod break_even;
mod compute_scaling;
mod expert_iteration;
mod gridworld_ood;
mod pendulum_mpc;
mod switching;
mod tictactoe;

pub fn check(example: &str, outputs: &[Output]) {
    match example {
        // Examples that only tour the language make no numeric claim.
        "basics" | "direct" => {}
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
