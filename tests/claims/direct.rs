//! examples/direct.opt: direct optimizers on each kind of problem.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let mcts = table(outputs, 0);
    let s = interval(mcts, 0, "score");
    // MCTS at 400 sims mostly draws perfect play, and loses some games.
    assert!(s.1 > -0.2 && s.2 < 0.0, "\n{}", mcts.render());
    // Value iteration is exact (its gap against shortest paths is 0).
    assert!(cell(table(outputs, 1), 0, "gap") < 1e-9);
    // CEM and Adam reach the bowl's minimum; CMA-ES Rosenbrock's.
    for i in [3, 4] {
        assert!(cell(table(outputs, i), 0, "ci_high") < 1e-6);
    }
    let cmaes = cell(table(outputs, 5), 0, "gap");
    assert!(cmaes < 1e-6, "CMA-ES gap on rosenbrock(10): {cmaes}");
    assert!(cell(table(outputs, 6), 0, "gap") < 1e-3);
    format!(
        "MCTS-400 against minimax {}; value iteration gap 0; CMA-ES gap on rosenbrock(10) {:.1e}",
        show(s, 3),
        cmaes
    )
}
