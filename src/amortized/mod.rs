//! Amortizers: dfdx networks with runtime-chosen widths, datasets, training,
//! checkpoints. Knows nothing of the language.
