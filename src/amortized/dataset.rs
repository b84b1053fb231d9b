//! Datasets of (instance, solution) pairs that amortizers learn from.
//!
//! Rows are plain arrays so that the games, planners and continuous
//! problems that produce them need not share a type with the networks:
//! `features` is the instance encoding, `target` a visit distribution, an
//! outcome or a `θ*`, `mask` the legal actions (policies), `value` an
//! optional outcome carried alongside a policy target, `action` the move
//! actually played from that state (an index into `target`), which for
//! self-play sampled from a visit distribution need not be its argmax.
//! Every row of one dataset has the same widths; `Dataset::push` enforces
//! it, and that an action indexes the target and is legal under the mask.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::heads::TargetKind;
use crate::rng::{derive_seed, Rng};

/// Why a row cannot join a dataset, or a dataset cannot be split.
#[derive(Clone, Debug, PartialEq)]
pub enum DatasetError {
    /// Row `row` (0-based: the rows before it were accepted) does not fit.
    Row { row: usize, problem: RowProblem },
    /// A test fraction outside `[0, 1]`.
    TestFraction { value: f64 },
}

/// What is wrong with one row, whatever its number; it reads after "row N"
/// or "the example".
#[derive(Clone, Debug, PartialEq)]
pub enum RowProblem {
    Features {
        found: usize,
        expected: usize,
    },
    Targets {
        found: usize,
        expected: usize,
    },
    /// The mask does not have one entry per target entry.
    Mask {
        found: usize,
        expected: usize,
    },
    /// The action is no index into the target.
    ActionRange {
        action: u32,
        targets: usize,
    },
    /// The action is one the row's mask marks illegal.
    IllegalAction {
        action: u32,
    },
    /// A NaN or infinity at `position` of the features followed by the target.
    NonFinite {
        position: usize,
    },
    /// The outcome (`value`) is NaN or infinite.
    NonFiniteValue {
        value: f32,
    },
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            RowProblem::Features { found, expected } => {
                write!(f, "has {found} features, expected {expected}")
            }
            RowProblem::Targets { found, expected } => {
                write!(f, "has {found} target values, expected {expected}")
            }
            RowProblem::Mask { found, expected } => write!(
                f,
                "has a mask of {found} entries, expected {expected} (one per target entry)"
            ),
            RowProblem::ActionRange { action, targets } => write!(
                f,
                "has action {action}, expected an index below {targets} (one per target entry)"
            ),
            RowProblem::IllegalAction { action } => {
                write!(f, "has action {action}, which its mask marks illegal")
            }
            RowProblem::NonFinite { position } => {
                write!(f, "has a non-finite number at position {position}")
            }
            RowProblem::NonFiniteValue { value } => {
                write!(f, "has a non-finite outcome ({value})")
            }
        }
    }
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DatasetError::Row { row, problem } => write!(f, "row {row} {problem}"),
            DatasetError::TestFraction { value } => {
                write!(f, "test fraction must be in [0, 1], found {value}")
            }
        }
    }
}

impl std::error::Error for DatasetError {}

/// One training example.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub features: Vec<f32>,
    pub target: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<Vec<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<u32>,
}

impl Example {
    pub fn new(features: Vec<f32>, target: Vec<f32>) -> Self {
        Example {
            features,
            target,
            mask: None,
            value: None,
            action: None,
        }
    }

    pub fn with_mask(mut self, mask: Vec<bool>) -> Self {
        self.mask = Some(mask);
        self
    }

    pub fn with_value(mut self, value: f32) -> Self {
        self.value = Some(value);
        self
    }

    /// The move played from this state: an index into `target`.
    pub fn with_action(mut self, action: u32) -> Self {
        self.action = Some(action);
        self
    }

    /// About how many bytes one row of these widths takes in memory: the
    /// row itself, its arrays and the allocator's overhead on each (for
    /// memory checks before a dataset is made).
    pub fn estimated_bytes(features: usize, targets: usize, mask: bool) -> u64 {
        let arrays = 4 * (features as u64 + targets as u64) + if mask { targets as u64 } else { 0 };
        let allocations = 2 + u64::from(mask);
        std::mem::size_of::<Example>() as u64 + arrays + 16 * allocations
    }
}

/// A set of examples with fixed widths, plus what it is and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub feature_dim: usize,
    pub target_dim: usize,
    pub kind: TargetKind,
    /// Free text: the solver and objective that produced it, or the file.
    pub source: String,
    /// What generating the rows cost (the solver's decisions, and the wall
    /// time of generating them); zero for rows read from a file. Part of
    /// the cost of a model trained on them.
    #[serde(default)]
    pub cost: crate::cost::Cost,
    examples: Vec<Example>,
}

impl Dataset {
    pub fn new(
        feature_dim: usize,
        target_dim: usize,
        kind: TargetKind,
        source: impl Into<String>,
    ) -> Self {
        Dataset {
            feature_dim,
            target_dim,
            kind,
            source: source.into(),
            cost: crate::cost::Cost::default(),
            examples: Vec::new(),
        }
    }

    /// Builds a dataset from rows, taking the widths from the first row.
    pub fn from_examples(
        examples: Vec<Example>,
        kind: TargetKind,
        source: impl Into<String>,
    ) -> Result<Dataset, DatasetError> {
        let (fd, td) = examples
            .first()
            .map_or((0, 0), |e| (e.features.len(), e.target.len()));
        let mut d = Dataset::new(fd, td, kind, source);
        d.examples.reserve(examples.len());
        for e in examples {
            d.push(e)?;
        }
        Ok(d)
    }

    /// Makes room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.examples.reserve(rows);
    }

    /// Appends a row after checking its widths (row numbers in errors are 0-based).
    pub fn push(&mut self, e: Example) -> Result<(), DatasetError> {
        self.check_row(&e).map_err(|problem| DatasetError::Row {
            row: self.examples.len(),
            problem,
        })?;
        self.examples.push(e);
        Ok(())
    }

    fn check_row(&self, e: &Example) -> Result<(), RowProblem> {
        if e.features.len() != self.feature_dim {
            return Err(RowProblem::Features {
                found: e.features.len(),
                expected: self.feature_dim,
            });
        }
        if e.target.len() != self.target_dim {
            return Err(RowProblem::Targets {
                found: e.target.len(),
                expected: self.target_dim,
            });
        }
        if let Some(m) = &e.mask {
            if m.len() != self.target_dim {
                return Err(RowProblem::Mask {
                    found: m.len(),
                    expected: self.target_dim,
                });
            }
        }
        if let Some(action) = e.action {
            if action as usize >= self.target_dim {
                return Err(RowProblem::ActionRange {
                    action,
                    targets: self.target_dim,
                });
            }
            if e.mask.as_ref().is_some_and(|m| !m[action as usize]) {
                return Err(RowProblem::IllegalAction { action });
            }
        }
        if let Some(position) = e
            .features
            .iter()
            .chain(&e.target)
            .position(|x| !x.is_finite())
        {
            return Err(RowProblem::NonFinite { position });
        }
        // JSON has no NaN: a saved dataset would read back without it.
        if let Some(value) = e.value.filter(|v| !v.is_finite()) {
            return Err(RowProblem::NonFiniteValue { value });
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// Whether any row carries a legal-action mask (then all are written with one).
    pub fn has_mask(&self) -> bool {
        self.examples.iter().any(|e| e.mask.is_some())
    }

    /// Whether any row carries a separate outcome.
    pub fn has_value(&self) -> bool {
        self.examples.iter().any(|e| e.value.is_some())
    }

    /// Whether any row records the move played.
    pub fn has_action(&self) -> bool {
        self.examples.iter().any(|e| e.action.is_some())
    }

    /// A seeded shuffle cut into `(train, test)` with `round(test·len)` rows
    /// in the test part.
    pub fn split(&self, test: f64, seed: u64) -> Result<(Dataset, Dataset), DatasetError> {
        if !(0.0..=1.0).contains(&test) {
            return Err(DatasetError::TestFraction { value: test });
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(derive_seed(seed, "dataset.split")).shuffle(&mut order);
        let n_test = ((self.len() as f64) * test).round() as usize;
        let part = |idx: &[usize], what: &str| Dataset {
            feature_dim: self.feature_dim,
            target_dim: self.target_dim,
            kind: self.kind,
            source: format!("{} ({what})", self.source),
            cost: self.cost,
            examples: idx.iter().map(|&i| self.examples[i].clone()).collect(),
        };
        Ok((
            part(&order[n_test..], "train split"),
            part(&order[..n_test], "test split"),
        ))
    }

    /// A 64-bit FNV-1a hash of the contents (widths, kind and every number,
    /// bit for bit), for cache keys and checkpoint provenance. A row without
    /// an action adds nothing for it, so datasets made before actions were
    /// recorded keep their hashes.
    pub fn content_hash(&self) -> u64 {
        let mut h = super::checksum::Fnv64::new();
        h.write_u64(self.feature_dim as u64);
        h.write_u64(self.target_dim as u64);
        h.write(self.kind.name().as_bytes());
        for e in &self.examples {
            for x in e.features.iter().chain(&e.target) {
                h.write(&x.to_le_bytes());
            }
            match &e.mask {
                Some(m) => m.iter().for_each(|&b| h.write(&[2 + u8::from(b)])),
                None => h.write(&[0]),
            }
            match e.value {
                Some(v) => h.write(&v.to_le_bytes()),
                None => h.write(&[0]),
            }
            if let Some(a) = e.action {
                h.write(&[1]);
                h.write(&a.to_le_bytes());
            }
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(n: usize) -> Dataset {
        let rows = (0..n)
            .map(|i| Example::new(vec![i as f32], vec![2.0 * i as f32]))
            .collect();
        Dataset::from_examples(rows, TargetKind::Solution, "toy").unwrap()
    }

    #[test]
    fn split_is_a_seeded_partition() {
        let d = toy(10);
        let (train, test) = d.split(0.2, 1).unwrap();
        assert_eq!((train.len(), test.len()), (8, 2));
        let mut all: Vec<f32> = train
            .examples()
            .iter()
            .chain(test.examples())
            .map(|e| e.features[0])
            .collect();
        all.sort_by(f32::total_cmp);
        assert_eq!(all, (0..10).map(|i| i as f32).collect::<Vec<_>>());
        assert_eq!(d.split(0.2, 1).unwrap(), (train, test));
        assert!(d.split(1.5, 1).is_err());
    }

    #[test]
    fn push_rejects_ragged_rows() {
        let mut d = toy(2);
        let err = d.push(Example::new(vec![1.0, 2.0], vec![0.0])).unwrap_err();
        assert_eq!(
            err,
            DatasetError::Row {
                row: 2,
                problem: RowProblem::Features {
                    found: 2,
                    expected: 1
                }
            }
        );
        assert_eq!(err.to_string(), "row 2 has 2 features, expected 1");
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn hash_sees_every_number() {
        let a = toy(3);
        let mut b = toy(3);
        assert_eq!(a.content_hash(), b.content_hash());
        b.examples[2].target[0] = 4.000001;
        assert_ne!(a.content_hash(), b.content_hash());
        let mut c = toy(3);
        c.examples[1].action = Some(0);
        assert_ne!(a.content_hash(), c.content_hash());
    }

    #[test]
    fn push_refuses_a_non_finite_outcome() {
        // JSON writes NaN as null, which would read back as no outcome.
        let mut d = Dataset::new(1, 2, TargetKind::Policy, "test");
        let row = |v: f32| Example::new(vec![0.0], vec![0.5, 0.5]).with_value(v);
        d.push(row(1.0)).unwrap();
        for v in [f32::NAN, f32::INFINITY] {
            let err = d.push(row(v)).unwrap_err();
            assert!(
                matches!(
                    err,
                    DatasetError::Row {
                        row: 1,
                        problem: RowProblem::NonFiniteValue { .. }
                    }
                ),
                "{err:?}"
            );
        }
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn push_checks_actions_against_target_and_mask() {
        let mut d = Dataset::new(1, 3, TargetKind::Policy, "moves");
        let row = || Example::new(vec![0.0], vec![0.0, 1.0, 0.0]);
        d.push(row().with_action(1)).unwrap();
        assert_eq!(
            d.push(row().with_action(3)).unwrap_err().to_string(),
            "row 1 has action 3, expected an index below 3 (one per target entry)"
        );
        let err = d
            .push(row().with_mask(vec![true, false, true]).with_action(1))
            .unwrap_err();
        assert_eq!(
            err,
            DatasetError::Row {
                row: 1,
                problem: RowProblem::IllegalAction { action: 1 }
            }
        );
        assert_eq!(
            err.to_string(),
            "row 1 has action 1, which its mask marks illegal"
        );
        d.push(row().with_mask(vec![true, true, false]).with_action(1))
            .unwrap();
        assert!(d.has_action() && !toy(2).has_action());
    }
}
