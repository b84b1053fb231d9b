//! examples/pendulum_mpc.opt: a policy distilled from CEM-MPC warm-starts a
//! much cheaper CEM.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let t = table(outputs, 0);
    let warm_small = row(t, "policy |> init(small)", None);
    let small = row(t, "small", None);
    // With 20% of CEM-MPC's samples the warm start is not worse than
    // CEM-MPC (the baseline) at 95%.
    assert!(diff(t, warm_small).2 >= 0.0, "\n{}", t.render());
    assert!(cell(t, warm_small, "evals/q") <= 0.25 * cell(t, row(t, "mpc", None), "evals/q"));
    // At the smallest budget the policy's start beats cold CEM (paired).
    let cold = table(outputs, 1);
    let warm_tiny = row(cold, "policy |> init(tiny)", None);
    assert!(diff(cold, warm_tiny).1 > 0.0, "\n{}", cold.render());
    format!(
        "return: warm CEM at 20% − CEM-MPC {}; cold CEM at 20% {} vs MPC {}; warm − cold CEM at 5% {}",
        show(diff(t, warm_small), 1),
        show(interval(t, small, "return"), 1),
        show(interval(t, row(t, "mpc", None), "return"), 1),
        show(diff(cold, warm_tiny), 1)
    )
}
