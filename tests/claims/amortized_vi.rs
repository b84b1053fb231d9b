//! amortized_vi: the encoder shows an amortization gap (KL to the exact
//! posterior), and the semi-amortized pipeline closes ≥ 80% of it with
//! ≤ 10% of direct VI's steps.

use crate::common::{cell, table};
use optimist::interp::Output;

const DIRECT: usize = 0;
const COLD: usize = 1;
const ENCODER: usize = 2;
const SEMI: usize = 3;
const LINEAR: usize = 4;

pub fn check(outputs: &[Output]) {
    let t = table(outputs, 0);
    let gap = |row| cell(t, row, "gap");
    let evals = |row| cell(t, row, "evals/q");

    assert!(
        gap(DIRECT) < 1e-3,
        "direct VI converges: gap {}",
        gap(DIRECT)
    );
    assert!(
        gap(ENCODER) > 0.02,
        "the small encoder shows a gap: {}",
        gap(ENCODER)
    );
    let closed = 1.0 - gap(SEMI) / gap(ENCODER);
    assert!(
        closed >= 0.8,
        "semi-amortized VI closes {closed:.3} of the gap"
    );
    assert!(
        evals(SEMI) <= 0.1 * evals(DIRECT),
        "semi-amortized VI spends {} evals/q against direct VI's {}",
        evals(SEMI),
        evals(DIRECT)
    );
    // The encoder's start, not the ten steps alone, does the work.
    assert!(
        gap(COLD) > 10.0 * gap(ENCODER),
        "10 cold steps: gap {}",
        gap(COLD)
    );
    // The gap is the small encoder's: a linear one, exact in family, has none.
    assert!(gap(LINEAR) < 0.01, "linear encoder: gap {}", gap(LINEAR));
}
