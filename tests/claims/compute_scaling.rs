//! Direct VI keeps improving with its step budget up to the exact posterior;
//! the amortized encoder is fixed at its amortization gap. Measured: Adam's
//! gap 15.0 → 6.2 → 0.76 → 0.0004 → 0 (1, 10, 30, 100, 300+ steps), the
//! encoder's 0.055, the warm-started hybrid's 0.004 after 10 steps.

use optimist::interp::Output;

use crate::common::{cell, table};

pub fn check(outputs: &[Output]) {
    let reference = table(outputs, 0);
    let sweep = table(outputs, 1);
    let encoder = cell(reference, 0, "gap");
    let hybrid = cell(reference, 1, "gap");
    assert_eq!(
        cell(reference, 0, "fwd/q"),
        1.0,
        "the encoder answers in one forward pass"
    );
    assert_eq!(
        cell(reference, 0, "evals/q"),
        0.0,
        "the encoder spends no evaluations"
    );

    let steps: Vec<f64> = (0..sweep.rows.len())
        .map(|r| cell(sweep, r, "steps"))
        .collect();
    let gaps: Vec<f64> = (0..sweep.rows.len())
        .map(|r| cell(sweep, r, "gap"))
        .collect();
    assert_eq!(steps, [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]);
    for w in gaps.windows(2) {
        assert!(w[1] <= w[0] + 1e-9, "more steps never hurt: {gaps:?}");
    }
    assert!(
        gaps[0] > 10.0,
        "one step is far from the posterior: {}",
        gaps[0]
    );
    assert!(
        gaps[6] < 1e-3,
        "1000 steps reach the exact posterior: {}",
        gaps[6]
    );

    // The encoder beats small budgets and loses to large ones: a crossover.
    assert!(
        encoder > 0.01 && encoder < 0.3,
        "the encoder's amortization gap: {encoder}"
    );
    assert!(
        gaps[3] > 5.0 * encoder,
        "30 steps are still worse than one forward pass"
    );
    assert!(gaps[4] < encoder / 10.0, "100 steps beat the encoder");
    // The hybrid starts where the encoder is and improves on it, far ahead
    // of Adam from scratch with the same 10 steps.
    assert!(
        hybrid < encoder / 3.0,
        "warm start improves the encoder: {hybrid}"
    );
    assert!(
        hybrid < gaps[2] / 100.0,
        "warm start beats a cold start at 10 steps"
    );
}
