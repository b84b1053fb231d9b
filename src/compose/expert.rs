//! Expert iteration on a game: rounds of search → distil → prior. The
//! planner plays itself, guided by the current network (a uniform prior in
//! the first round); a fresh policy network is trained on the visit
//! distributions of its games; the raw network is evaluated against a fixed
//! opponent; and it becomes the planner's prior for the next round.

use std::sync::Arc;

use super::discrete::Games;
use super::evaluate::{evaluate, Evaluation};
use super::generate::generate;
use super::model::{Amortized, ModelSpec};
use super::problem::{Families, Problem};
use super::solver::{SolveError, Solver, WarmStart, WarmStarts};
use crate::amortized::{train, Dataset, Head, Mlp, MlpSpec, Progress, TrainConfig};
use crate::report::evaluation::EvalRow;
use crate::rng::derive_seed;

/// What to iterate.
pub struct ExpertIteration<'a> {
    pub net: &'a ModelSpec,
    /// A planner that takes a prior over actions.
    pub planner: &'a dyn Solver,
    /// Its name, for the datasets' provenance.
    pub planner_label: &'a str,
    pub problem: &'a dyn Problem,
    pub rounds: usize,
    /// Self-play positions per round.
    pub positions: usize,
    /// Training epochs per round.
    pub epochs: usize,
    /// Evaluation games per round.
    pub n: usize,
    /// The fixed opponent of the evaluations (random play when `None`).
    pub against: Option<&'a dyn Solver>,
    /// Train on every round's positions so far (a replay buffer), or on the
    /// latest round's only.
    pub pool: bool,
    pub seed: u64,
    /// Workers for the self-play and evaluation games (see
    /// `compose::parallel`).
    pub threads: usize,
    /// Self-play games each worker plays at once, their searches' network
    /// calls batched (see `compose::lockstep`); every width above 1 gives
    /// the same results, 1 another draw.
    pub lockstep: usize,
}

/// One round's outcome.
pub struct Round {
    pub round: usize,
    /// Positions trained on (the pool's size when pooling).
    pub positions: usize,
    pub val_loss: f64,
    /// The raw network's evaluation.
    pub eval: EvalRow,
    pub train_secs: f64,
}

/// Runs the rounds (see the module docs).
pub fn expert_iteration(e: &ExpertIteration<'_>) -> Result<Vec<Round>, SolveError> {
    if !e.planner.accepts().contains(WarmStarts::ACTION_PRIOR) {
        return Err(SolveError::Warm {
            solver: e.planner.algorithm().to_string(),
            wanted: WarmStarts::ACTION_PRIOR,
        });
    }
    if e.problem.families() != Families::GAME {
        return Err(SolveError::Problem(
            "expert iteration here plays a two-player game".into(),
        ));
    }
    // The pool holds every round's positions by the last round.
    let pooled = if e.pool {
        e.positions.saturating_mul(e.rounds)
    } else {
        e.positions
    };
    let each = e.problem.discrete().map_or(0, |d| {
        crate::amortized::Example::estimated_bytes(d.feature_dim(), d.num_actions(), true)
    });
    crate::memory::check(
        format!(
            "expert iteration's {pooled} positions ({} per round{})",
            e.positions,
            if e.pool {
                ", pooled over the rounds"
            } else {
                ""
            }
        ),
        "positions",
        crate::memory::times(pooled as u64, each.saturating_mul(2)),
    )
    .map_err(SolveError::native)?;
    let mut prior: Option<Arc<Amortized>> = None;
    let mut buffer: Option<Dataset> = None;
    let mut rounds = Vec::with_capacity(e.rounds);
    for round in 1..=e.rounds {
        let seed = derive_seed(e.seed, &format!("round {round}"));
        let expert = e
            .planner
            .with_seed(seed)?
            .warm(&WarmStart::Prior(prior.clone()))?;
        let fresh = generate(
            e.problem,
            &*expert,
            e.planner_label,
            Games::new(e.positions, seed, e.threads).lockstep(e.lockstep),
        )?
        .data
        .data;
        let d: &Dataset = match (&mut buffer, e.pool) {
            (Some(b), true) => {
                for x in fresh.examples() {
                    b.push(x.clone()).map_err(SolveError::native)?;
                }
                b
            }
            _ => buffer.insert(fresh),
        };
        let net = MlpSpec::new(d.feature_dim, e.net.hidden.clone(), d.target_dim, e.net.act);
        let model =
            Mlp::new(net, Head::Policy, derive_seed(seed, "init")).map_err(SolveError::native)?;
        let cfg = TrainConfig {
            epochs: e.epochs,
            seed,
            progress: Progress::Silent,
            ..TrainConfig::default()
        };
        let (model, report) = train(model, d, &cfg).map_err(SolveError::native)?;
        let amortized = Arc::new(Amortized::new(
            vec![model],
            Families::GAME,
            Some(e.problem.name()),
        ));
        let eval = evaluate(&Evaluation {
            label: format!("policy after round {round}"),
            solver: &*amortized,
            problem: e.problem,
            against: e.against,
            n: e.n,
            seed: e.seed,
            threads: e.threads,
            lockstep: e.lockstep,
        })?;
        rounds.push(Round {
            round,
            positions: d.len(),
            val_loss: report.best_val_loss.unwrap_or(f64::NAN),
            eval,
            train_secs: report.wall_secs,
        });
        prior = Some(amortized);
    }
    Ok(rounds)
}
