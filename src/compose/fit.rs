//! Amortization: training a model into a solver — on a dataset
//! (regression-based: fit the rows a direct solver made) or on a
//! continuous objective itself (objective-based: the network minimizes the
//! objective over its instance distribution).
//!
//! A [`Fitting`] says what to train; it trains one member at a time, so a
//! caller can serve members from a cache and train only the others, then
//! assembles the ensemble with [`Fitting::finish`].

use std::fmt;
use std::sync::Arc;

use super::generate::Data;
use super::model::{families_of_head, Amortized, ModelSpec};
use super::problem::{Families, Problem};
use crate::amortized::{
    objective_head, train, train_objective, Head, Mlp, MlpError, MlpSpec, ObjectiveConfig,
    Progress, TargetKind, TrainConfig, TrainError, TrainingReport,
};
use crate::rng::derive_seed;

/// What a model is trained on.
pub enum Form<'a> {
    /// Fit a dataset's rows.
    Regression {
        data: &'a Data,
        target: TargetKind,
        epochs: usize,
        /// Fraction held out to pick the best epoch.
        val: f64,
        /// Epochs without a better validation loss before stopping; 0: never.
        patience: usize,
    },
    /// Minimize a continuous objective over its instances.
    Objective {
        problem: &'a dyn Problem,
        /// Adam steps, each on `batch` fresh instances.
        steps: usize,
    },
}

/// A training run of an architecture (see the module docs).
pub struct Fitting<'a> {
    pub spec: &'a ModelSpec,
    pub form: Form<'a>,
    pub lr: f32,
    pub batch: usize,
    pub seed: u64,
    pub progress: Progress,
}

/// Why a model could not be trained.
#[derive(Clone, Debug)]
pub enum FitError {
    /// Objective-based training met a problem that is not continuous.
    NotContinuous { problem: String, family: Families },
    /// The network cannot be built (widths, the parameter cap).
    Network(MlpError),
    /// Training failed (the data, divergence).
    Training(TrainError),
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::NotContinuous { problem, family } => write!(
                f,
                "objective-based amortization needs a continuous objective, and {problem} is {}",
                family.article()
            ),
            FitError::Network(e) => write!(f, "{e}"),
            FitError::Training(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FitError::NotContinuous { .. } => None,
            FitError::Network(e) => Some(e),
            FitError::Training(e) => Some(e),
        }
    }
}

/// The shape every member shares.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub spec: MlpSpec,
    pub head: Head,
}

impl Fitting<'_> {
    /// The members' network: widths from the data or the objective. Errs
    /// when one network breaks the parameter cap or all the members
    /// together would not fit the memory budget.
    pub fn network(&self) -> Result<Network, FitError> {
        let network = self.widths()?;
        network.spec.check().map_err(FitError::Network)?;
        let members = self.spec.members as u64;
        if members > 1 {
            crate::memory::check(
                format!(
                    "an ensemble of {members} networks of {} parameters",
                    network.spec.parameters()
                ),
                "`k` or `hidden`",
                crate::memory::times(members, network.spec.training_bytes()),
            )
            .map_err(|e| FitError::Network(MlpError::Memory(e)))?;
        }
        Ok(network)
    }

    fn widths(&self) -> Result<Network, FitError> {
        let (hidden, act) = (self.spec.hidden.clone(), self.spec.act);
        Ok(match &self.form {
            Form::Regression { data, target, .. } => {
                let d = &data.data;
                let outputs = match target {
                    TargetKind::Value => 1,
                    _ => d.target_dim,
                };
                Network {
                    spec: MlpSpec::new(d.feature_dim, hidden, outputs, act),
                    head: Head::for_kind(*target),
                }
            }
            Form::Objective { problem, .. } => {
                let p = continuous(*problem)?;
                Network {
                    spec: MlpSpec::new(p.instance_dim(), hidden, p.theta_dim(), act),
                    head: objective_head(p),
                }
            }
        })
    }

    /// The families the trained model answers.
    pub fn families(&self, network: &Network) -> Families {
        match &self.form {
            Form::Regression { data, .. } => data
                .families
                .unwrap_or_else(|| families_of_head(&network.head)),
            Form::Objective { problem, .. } => problem.families(),
        }
    }

    /// The problem the model is trained for, when known.
    pub fn trained_for(&self) -> Option<String> {
        match &self.form {
            Form::Regression { data, .. } => data.problem.clone(),
            Form::Objective { problem, .. } => Some(problem.name()),
        }
    }

    /// What the trained weights depend on beyond the call itself: the
    /// training rows' content (0 for objective-based training).
    pub fn data_hash(&self) -> u64 {
        match &self.form {
            Form::Regression { data, .. } => data.data.content_hash(),
            Form::Objective { .. } => 0,
        }
    }

    /// Member `i`'s seed: a single network keeps the call's seed; ensemble
    /// members derive theirs.
    pub fn member_seed(&self, i: usize) -> u64 {
        if self.spec.members == 1 {
            self.seed
        } else {
            derive_seed(self.seed, &format!("member {i}"))
        }
    }

    /// Trains member `i` from fresh weights.
    pub fn train_member(
        &self,
        i: usize,
        network: &Network,
    ) -> Result<(Mlp, TrainingReport), FitError> {
        let seed = self.member_seed(i);
        let model = Mlp::new(network.spec.clone(), network.head.clone(), seed)
            .map_err(FitError::Network)?;
        match &self.form {
            Form::Regression {
                data,
                epochs,
                val,
                patience,
                ..
            } => {
                let cfg = TrainConfig {
                    epochs: *epochs,
                    lr: self.lr,
                    batch: self.batch,
                    val: *val,
                    patience: *patience,
                    seed,
                    progress: self.progress,
                    ..TrainConfig::default()
                };
                train(model, &data.data, &cfg).map_err(FitError::Training)
            }
            Form::Objective { problem, steps } => {
                let cfg = ObjectiveConfig {
                    steps: *steps,
                    batch: self.batch,
                    lr: self.lr,
                    seed,
                    progress: self.progress,
                    ..ObjectiveConfig::default()
                };
                train_objective(model, continuous(*problem)?, &cfg).map_err(FitError::Training)
            }
        }
    }

    /// The trained members as one model; a regression-trained model keeps
    /// an even subsample of its training inputs, for novelty gates.
    pub fn finish(&self, network: &Network, members: Vec<Mlp>) -> Amortized {
        let mut model = Amortized::new(members, self.families(network), self.trained_for());
        if let Form::Regression { data, .. } = &self.form {
            let rows = data.data.examples();
            let step = rows.len().div_ceil(256).max(1);
            model.reference = Arc::new(
                rows.iter()
                    .step_by(step)
                    .map(|e| e.features.clone())
                    .collect(),
            );
        }
        model
    }

    /// Trains every member: the whole run, for callers without a cache.
    pub fn fit(&self) -> Result<Amortized, FitError> {
        let network = self.network()?;
        let members = (0..self.spec.members)
            .map(|i| self.train_member(i, &network).map(|(m, _)| m))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.finish(&network, members))
    }
}

fn continuous(
    problem: &dyn Problem,
) -> Result<&dyn crate::domains::continuous::ContinuousProblem, FitError> {
    problem.continuous().ok_or_else(|| FitError::NotContinuous {
        problem: problem.name(),
        family: problem.families(),
    })
}
