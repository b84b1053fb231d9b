//! examples/compute_scaling.opt: direct VI improves with its budget; the
//! amortized encoder's gap stays where training left it.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let hybrid = table(outputs, 0);
    let sweep = table(outputs, 1);
    let steps = |r: usize| cell(sweep, r, "steps");
    let gap = |r: usize| cell(sweep, r, "gap");
    let at = |s: f64| (0..sweep.rows.len()).find(|&r| steps(r) == s).unwrap();
    for r in 1..sweep.rows.len() {
        assert!(
            gap(r) <= gap(r - 1) + 1e-9,
            "gap rises at {} steps",
            steps(r)
        );
    }
    assert!(gap(at(300.0)) < 1e-3);
    let encoder = cell(hybrid, 0, "gap");
    let warm = cell(hybrid, 1, "gap");
    // Better than Adam up to 30 steps, worse from 100 on.
    assert!(encoder < gap(at(30.0)) && encoder > gap(at(100.0)));
    // Warm-starting closes most of the encoder's gap in 10 steps.
    assert!(warm < 0.2 * encoder && warm < gap(at(10.0)));
    format!(
        "Adam's gap {:.2} → {:.2} → {:.4} at 1, 30, 100 steps; encoder {:.3}; encoder + 10 steps {:.4} (Adam alone at 10: {:.2})",
        gap(0),
        gap(at(30.0)),
        gap(at(100.0)),
        encoder,
        warm,
        gap(at(10.0))
    )
}
