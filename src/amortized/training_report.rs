//! What training did and cost: the losses epoch by epoch, the epoch whose
//! weights were kept, and the steps, forward passes, FLOPs and time spent.
//!
//! A trained `Mlp` carries its report (break-even reports and checkpoint
//! sidecars read it), which is why it has a module of its own: the model
//! and both trainers use it, and it uses neither.

use serde::{Deserialize, Serialize};

use crate::cost::Cost;

/// Losses at the end of one epoch (or evaluation interval).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    pub epoch: usize,
    pub train_loss: f64,
    pub val_loss: Option<f64>,
}

/// What training did and cost, kept with the model for break-even reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    pub epochs: Vec<EpochStats>,
    /// The epoch whose weights were kept (1-based).
    pub best_epoch: usize,
    pub best_val_loss: Option<f64>,
    pub stopped_early: bool,
    pub steps: u64,
    pub examples_seen: u64,
    /// Forward passes, training and validation rows together.
    pub forward_passes: u64,
    /// Objective evaluations (objective-based training only).
    #[serde(default)]
    pub objective_evaluations: u64,
    /// Estimated FLOPs: 2 per multiply-add forward, twice that again backward.
    pub flops: u64,
    pub wall_secs: f64,
    /// One line for the caller to print or suppress.
    pub summary: String,
    /// FNV-1a hash (hex) of the training dataset, for provenance.
    #[serde(default)]
    pub dataset_hash: Option<String>,
    /// What generating the training data cost (zero for data read from a
    /// file, or for objective-based training).
    #[serde(default)]
    pub data_cost: Cost,
}

impl TrainingReport {
    pub(crate) fn empty() -> TrainingReport {
        TrainingReport {
            epochs: Vec::new(),
            best_epoch: 0,
            best_val_loss: None,
            stopped_early: false,
            steps: 0,
            examples_seen: 0,
            forward_passes: 0,
            objective_evaluations: 0,
            flops: 0,
            wall_secs: 0.0,
            summary: String::new(),
            dataset_hash: None,
            data_cost: Cost::default(),
        }
    }

    /// Training cost in the units every solver reports.
    pub fn cost(&self) -> Cost {
        Cost {
            evaluations: self.objective_evaluations,
            forward_passes: self.forward_passes,
            flops: self.flops,
            wall: std::time::Duration::from_secs_f64(self.wall_secs),
            ..Cost::default()
        }
    }

    pub fn final_train_loss(&self) -> Option<f64> {
        self.epochs.last().map(|e| e.train_loss)
    }
}
