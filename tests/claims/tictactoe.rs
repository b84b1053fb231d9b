//! examples/tictactoe.opt: how many simulations UCT and the PUCT hybrid need
//! against minimax, and what the distilled policy does alone.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let uct = table(outputs, 0);
    let score = |r| interval(uct, r, "score");
    // UCT improves with its budget, and still loses at 800 sims (95%).
    assert!(
        score(3).1 > score(0).2,
        "UCT-1600 not above UCT-200\n{}",
        uct.render()
    );
    assert!(
        score(2).2 < 0.0,
        "UCT-800 does not lose at 95%\n{}",
        uct.render()
    );

    let hybrid = table(outputs, 1);
    let (policy, h200, h400, h800) = (
        row(hybrid, "policy", None),
        row(hybrid, "policy |> init(plan(mcts, sims=200))", None),
        row(hybrid, "policy |> init(plan(mcts, sims=400))", None),
        row(hybrid, "policy |> init(plan(mcts, sims=800))", None),
    );
    // The hybrid at 800 sims is not worse than UCT at 1600 (the baseline)
    // at 95%; at 200 it is.
    assert!(
        diff(hybrid, h800).2 >= 0.0,
        "hybrid-800 worse than UCT-1600\n{}",
        hybrid.render()
    );
    assert!(
        diff(hybrid, h200).2 < 0.0,
        "hybrid-200 not worse than UCT-1600\n{}",
        hybrid.render()
    );
    // At equal budgets the prior helps: the intervals do not overlap.
    for (h, u) in [(h200, 0), (h400, 1)] {
        let (hs, us) = (interval(hybrid, h, "score"), score(u));
        assert!(hs.1 > us.2, "hybrid {hs:?} vs UCT {us:?} at equal sims");
    }
    // The policy alone searches nothing and rarely loses.
    assert_eq!(cell(hybrid, policy, "nodes/q"), 0.0);
    assert!(
        interval(hybrid, policy, "score").1 > -0.05,
        "\n{}",
        hybrid.render()
    );
    format!(
        "score against minimax (0 = all draws): UCT-800 {}, UCT-1600 {}; hybrid-800 − UCT-1600 {}; policy alone {}",
        show(score(2), 3),
        show(score(3), 3),
        show(diff(hybrid, h800), 3),
        show(interval(hybrid, policy, "score"), 3)
    )
}
