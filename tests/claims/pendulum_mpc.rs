//! pendulum_mpc: policy-initialized CEM reaches CEM-MPC's return with
//! ≤ 25% of its samples, and the policy's start beats cold CEM at the same
//! small budget.

use crate::common::{cell, table};
use optimist::interp::Output;

const MPC: usize = 0;
const POLICY: usize = 1;
const SMALL: usize = 2;
const HYBRID_SMALL: usize = 3;
const TINY: usize = 4;
const HYBRID_TINY: usize = 5;

pub fn check(outputs: &[Output]) {
    let t = table(outputs, 0);
    let ret = |row| cell(t, row, "return");
    let evals = |row| cell(t, row, "evals/q");
    let mpc = ret(MPC);
    // Returns are negative; "within k" means at most k · |CEM's return| worse.
    let within = |row: usize, k: f64| ret(row) >= mpc - k * mpc.abs();

    assert!(mpc > -200.0, "CEM-MPC swings the pendulum up: {mpc}");
    assert!(
        ret(POLICY) > -200.0,
        "the distilled policy works: {}",
        ret(POLICY)
    );

    assert!(evals(HYBRID_SMALL) <= 0.25 * evals(MPC));
    assert!(
        within(HYBRID_SMALL, 0.03),
        "hybrid at {} evals/q returns {} vs CEM's {mpc}",
        evals(HYBRID_SMALL),
        ret(HYBRID_SMALL)
    );
    assert!(ret(HYBRID_SMALL) >= ret(SMALL) - 1.0);

    assert!(evals(HYBRID_TINY) <= 0.06 * evals(MPC));
    assert!(
        within(HYBRID_TINY, 0.10),
        "hybrid at {} evals/q returns {} vs CEM's {mpc}",
        evals(HYBRID_TINY),
        ret(HYBRID_TINY)
    );
    assert!(
        ret(HYBRID_TINY) > ret(TINY) + 10.0,
        "the policy's start beats cold CEM at the tiny budget: {} vs {}",
        ret(HYBRID_TINY),
        ret(TINY)
    );
}
