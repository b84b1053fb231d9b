//! Amortizers: dfdx networks with runtime-chosen widths, datasets, training,
//! checkpoints. Knows nothing of the language.
//!
//! The interpreter's entry points: build an `Mlp` from an `MlpSpec` and a
//! `Head`; `train` it on a `Dataset` (regression-based) or
//! `train_objective` on a `ContinuousProblem` (objective-based); answer
//! queries with `Mlp::predict`, `predict_batch` and `policy` (or, where a
//! search or an agent asks thousands of times, `infer::Ensemble`); persist with
//! `checkpoint::save`/`load`, `dataset_io::load`/`save`, and `Cache`.

pub mod adam;
pub mod cache;
pub mod checkpoint;
pub mod checksum;
pub mod dataset;
pub mod dataset_io;
mod fused;
pub mod heads;
pub mod infer;
pub mod mlp;
pub mod objective;
pub use crate::progress;
pub mod train;
pub mod training_report;

pub use adam::{AdamConfig, AdamError};
pub use cache::{Cache, CacheError, CacheLookup, Damage, DatasetEntryError};
pub use checkpoint::{CheckpointError, CheckpointMeta};
pub use dataset::{Dataset, DatasetError, Example, RowProblem};
pub use dataset_io::DatasetFileError;
pub use heads::{Head, HeadError, SolutionBounds, TargetKind};
pub use mlp::{Activation, Layer, Mlp, MlpError, MlpSpec};
pub use objective::{objective_head, objective_model, train_objective, ObjectiveConfig};
pub use progress::Progress;
pub use train::{train, TrainConfig, TrainError};
pub use training_report::{EpochStats, TrainingReport};
