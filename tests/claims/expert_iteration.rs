//! examples/expert_iteration.opt: search guided by a distilled policy is a
//! better expert than plain search, though the raw policy is worse; with
//! every round pooled the raw policy improves over the rounds, distilling
//! the latest round alone makes it worse.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    // The rounds (one run seed each; asserted at both run seeds).
    let pooled = table(outputs, 0);
    let latest = table(outputs, 1);
    let last = pooled.rows.len() - 1;
    let round = |t, r| interval(t, r, "policy score");
    assert!(
        round(pooled, last).1 > round(pooled, 0).2,
        "pooled:\n{}",
        pooled.render()
    );
    assert!(
        round(latest, last).2 < round(latest, 0).1,
        "latest only:\n{}",
        latest.render()
    );

    // Five seeds: guided search beats plain MCTS (the baseline); the raw
    // policy loses to it, and so never breaks even against it.
    let t = table(outputs, 2);
    assert_seeds(&outputs[2..], 5);
    let hybrid = row(t, "policy |> init(plan(mcts, sims=100))", None);
    let policy = row(t, "policy", None);
    assert!(diff(t, hybrid).1 > 0.0, "\n{}", t.render());
    assert!(diff(t, policy).2 < 0.0, "\n{}", t.render());
    let be = t.column_index("break_even").unwrap();
    assert_eq!(t.rows[policy][be], Cell::Str("never".into()));
    format!(
        "pooled rounds: policy {} → {}; latest only: {} → {}; guided − plain MCTS {}; raw policy − MCTS {}",
        show(round(pooled, 0), 2),
        show(round(pooled, last), 2),
        show(round(latest, 0), 2),
        show(round(latest, last), 2),
        show(diff(t, hybrid), 3),
        show(diff(t, policy), 3)
    )
}
