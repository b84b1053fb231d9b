//! examples/switching.opt: a confidence gate keeps most of the planner's
//! score at a fraction of its compute on shifted positions, and not on the
//! familiar ones.

use super::*;

const FAMILIAR: &str = "tictactoe";
const SHIFTED: &str = "tictactoe(opening_moves=2)";

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let t = table(outputs, 0);
    let work = |solver: &str, on: &str| cell(t, row(t, solver, Some(on)), "work/q");
    let share = |solver: &str, on: &str| work(solver, on) / work("planner", on);
    let gate = |th: &str| format!("gate(policy, planner, threshold={th})");

    // Shifted: the gate at 0.4 stays within 0.1 of the planner's score at
    // 95% while spending at most half its compute per move.
    let g4 = row(t, &gate("0.4"), Some(SHIFTED));
    assert!(diff(t, g4).1 > -0.1, "\n{}", t.render());
    assert!(share(&gate("0.4"), SHIFTED) <= 0.5, "\n{}", t.render());
    assert!(cell(t, g4, "model_share") >= 0.6);
    // Familiar: every threshold spends more than 45% of the planner's
    // compute — the policy is unsure in the expensive opening — and more
    // than on the shifted positions.
    for th in ["0.3", "0.4", "0.5"] {
        assert!(share(&gate(th), FAMILIAR) > 0.45, "\n{}", t.render());
        assert!(share(&gate(th), FAMILIAR) > share(&gate(th), SHIFTED));
    }
    // The policy alone is within 0.1 of the planner on familiar positions.
    let p = row(t, "policy", Some(FAMILIAR));
    assert!(diff(t, p).1 > -0.1, "\n{}", t.render());
    format!(
        "shifted: gate 0.4 − planner {} at {:.0}% of its work; familiar: gate 0.3 at {:.0}%, policy alone − planner {}",
        show(diff(t, g4), 3),
        100.0 * share(&gate("0.4"), SHIFTED),
        100.0 * share(&gate("0.3"), FAMILIAR),
        show(diff(t, p), 3)
    )
}
