//! examples/amortized_vi.opt: the encoder's amortization gap, and a few
//! steps of direct VI from its answer closing most of it.

use super::*;

pub fn check(outputs: &[Output]) -> String {
    assert_seeds(outputs, 5);
    let t = table(outputs, 0);
    let gap = |s: &str| cell(t, row(t, s, None), "gap");
    let evals = |s: &str| cell(t, row(t, s, None), "evals/q");
    assert!(gap("direct") < 1e-3);
    // The encoder has a visible gap; 10 steps from its answer close ≥ 90%
    // of it with ≤ 6% of direct VI's evaluations, where 10 steps from the
    // default start stay far off.
    assert!(gap("encoder") > 0.01);
    assert!(gap("semi") <= 0.1 * gap("encoder"), "\n{}", t.render());
    assert!(evals("semi") <= 0.06 * evals("direct"));
    assert!(gap("cold") > 10.0 * gap("encoder"));
    // A linear encoder holds the exact map.
    assert!(gap("linear") < 0.1 * gap("encoder"));
    format!(
        "KL gap: direct {:.4}, encoder {:.4}, encoder + 10 steps {:.4} ({:.0}% closed, {:.1}% of direct's evals), cold 10 steps {:.2}, linear {:.4}",
        gap("direct"),
        gap("encoder"),
        gap("semi"),
        100.0 * (1.0 - gap("semi") / gap("encoder")),
        100.0 * evals("semi") / evals("direct"),
        gap("cold"),
        gap("linear")
    )
}
