//! Expert iteration on tic-tac-toe. Predicted: the raw policy improves round
//! over round. Measured, with every round's positions pooled: it does
//! (0.070 → 0.225 → 0.410 → 0.360 against MCTS with 32 simulations, losses
//! 21 → 0); distilling only the latest round makes it worse instead. The
//! guided expert itself beats plain MCTS and the raw policy.

use optimist::interp::Output;

use crate::common::{cell, table};

pub fn check(outputs: &[Output]) {
    let pooled = table(outputs, 0);
    assert_eq!(pooled.rows.len(), 4, "one row per round");
    let score: Vec<f64> = (0..4).map(|r| cell(pooled, r, "policy score")).collect();
    assert!(
        score[1] > score[0] + 0.1,
        "round 2 beats round 1: {score:?}"
    );
    assert!(score[2] > score[1], "round 3 beats round 2: {score:?}");
    assert!(
        score[3] > score[0] + 0.2,
        "the last round is clearly better than the first: {score:?}"
    );
    assert!(
        cell(pooled, 3, "loss") < cell(pooled, 0, "loss") / 4.0,
        "losses fall"
    );
    assert_eq!(
        cell(pooled, 3, "positions"),
        4000.0,
        "the buffer keeps every round"
    );

    let latest = table(outputs, 1);
    let last: Vec<f64> = (0..4).map(|r| cell(latest, r, "policy score")).collect();
    assert!(
        last[3] < last[0] - 0.2,
        "the latest round alone gets worse: {last:?}"
    );
    assert_eq!(cell(latest, 3, "positions"), 1000.0);

    // The premise: search on top of the round-1 policy is the better expert.
    let by_hand = table(outputs, 2);
    let (policy, plain, guided) = (
        cell(by_hand, 0, "score"),
        cell(by_hand, 1, "score"),
        cell(by_hand, 2, "score"),
    );
    assert!(
        guided >= plain,
        "guided search ≥ plain MCTS: {guided} vs {plain}"
    );
    assert!(
        guided >= policy + 0.2,
        "guided search ≫ the raw policy: {guided} vs {policy}"
    );
}
