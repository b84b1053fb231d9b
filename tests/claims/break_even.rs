//! examples/break_even.opt: the distilled policy replaces its expert at a
//! thousandth of the work per answer, and the report says after how many
//! answers making it (data generation and training) has paid for itself.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let t = table(outputs, 0);
    let policy = row(t, "policy", None);
    let expert = row(t, "plan(mcts, sims=expert_sims)", None);
    // The policy beats its expert (the baseline) at 95% ...
    assert!(diff(t, policy).1 > 0.0, "\n{}", t.render());
    // ... for under 1% of its work per answer.
    assert!(cell(t, policy, "work/q") < 0.01 * cell(t, expert, "work/q"));
    // Its cost counts the dataset's search, not only training.
    assert!(cell(t, policy, "train work") > 2000.0 * 400.0);
    let be = t.column_index("break_even").unwrap();
    let (point, vs) = (&t.rows[policy][be], cell_str(t, policy, "vs"));
    match point {
        Cell::Int(n) => assert!(*n > 0),
        Cell::Str(s) => assert_eq!(s, "never"),
        other => panic!("break-even {other:?}"),
    }
    format!(
        "policy − expert (UCT-400) {}; policy {}; rival UCT-1600 {}; break-even against {vs}: {} queries",
        show(diff(t, policy), 3),
        show(interval(t, policy, "score"), 3),
        show(interval(t, row(t, "plan(mcts, sims=rival_sims)", None), "score"), 3),
        t.cell_text(be, point)
    )
}

fn cell_str(t: &Table, r: usize, column: &str) -> String {
    let c = t.column_index(column).unwrap();
    t.cell_text(c, &t.rows[r][c])
}
