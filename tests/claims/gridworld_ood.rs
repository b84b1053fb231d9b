//! examples/gridworld_ood.opt: a policy distilled on 6×6 mazes does worse
//! on 12×12 ones; the planners do not.

use super::*;

const SMALL: &str = "gridworld(size=6, walls=0.2)";
const LARGE: &str = "gridworld(size=12, walls=0.2)";

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let t = table(outputs, 0);
    for planner in ["plan(value_iteration)", "plan(mcts, sims=100)"] {
        for on in [SMALL, LARGE] {
            assert_eq!(
                cell(t, row(t, planner, Some(on)), "success"),
                1.0,
                "{planner} on {on}"
            );
        }
    }
    for on in [SMALL, LARGE] {
        assert!(cell(t, row(t, "plan(value_iteration)", Some(on)), "gap") < 1e-9);
    }
    let (small, large) = (row(t, "policy", Some(SMALL)), row(t, "policy", Some(LARGE)));
    let (rs, rl) = (interval(t, small, "return"), interval(t, large, "return"));
    // Out of distribution the policy's return drops (intervals apart) ...
    assert!(rl.2 < rs.1, "\n{}", t.render());
    // ... and its success rate drops, by less than the predicted 30 points.
    let (ss, sl) = (cell(t, small, "success"), cell(t, large, "success"));
    assert!(sl < ss && ss - sl < 0.3, "success {ss} → {sl}");
    format!(
        "policy return 6×6 {} → 12×12 {}; success {:.2} → {:.2}; planners 100% on both",
        show(rs, 2),
        show(rl, 2),
        ss,
        sl
    )
}
