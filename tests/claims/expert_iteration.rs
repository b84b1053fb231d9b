//! Expert iteration on tic-tac-toe. Predicted: the raw policy improves round
//! over round. Measured: it gets worse (0.070 → −0.180 → −0.225 → −0.385
//! against MCTS with 32 simulations) while its targets sharpen, though the
//! guided expert itself is stronger than plain MCTS and the raw policy.

use optimist::interp::Output;

use crate::common::{cell, table};

pub fn check(outputs: &[Output]) {
    let rounds = table(outputs, 0);
    assert_eq!(rounds.rows.len(), 4, "one row per round");
    let score: Vec<f64> = (0..4).map(|r| cell(rounds, r, "policy score")).collect();
    let first = score[0];
    for (r, s) in score.iter().enumerate().skip(1) {
        assert!(
            *s <= first + 0.05,
            "round {} is no better than round 1: {score:?}",
            r + 1
        );
    }
    assert!(
        score[3] <= first - 0.2,
        "the last round is clearly worse: {score:?}"
    );
    assert!(
        cell(rounds, 3, "loss") > 2.0 * cell(rounds, 0, "loss"),
        "losses at least double"
    );
    assert!(
        cell(rounds, 3, "val loss") < cell(rounds, 0, "val loss") - 0.3,
        "the distilled targets get sharper"
    );

    // The premise: search on top of the round-1 policy is the better expert.
    let by_hand = table(outputs, 1);
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
