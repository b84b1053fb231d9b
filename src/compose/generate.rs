//! Datasets with their provenance, and `solve`: instances sampled from a
//! problem and answered by a direct solver, as rows an amortizer learns
//! from.
//!
//! What a row is depends on the problem:
//!
//! * **games** — the positions of self-play games (both sides played by the
//!   solver): features, legal mask, policy target (a search's visit
//!   distribution, or the chosen move one-hot), the move played and the
//!   final outcome for the mover (see `discrete::self_play`);
//! * **MDPs** — the states of the solver's episodes, with its action and
//!   the return still to come;
//! * **continuous objectives** — `x → θ*`, the solver's answer;
//! * **control problems** — state features → the action the planner took.
//!
//! Instance `i` comes from `Rng::stream(seed, i)`, as in evaluation, so a
//! dataset is reproducible from its seed.

use std::time::Instant;

use crate::cost::Cost;

use super::discrete::{Games, Rows};
use super::problem::{Families, Problem};
use super::solver::{SolveError, Solver};
use crate::amortized::{Dataset, Example, TargetKind};
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::ControlProblem;
use crate::rng::{derive_seed, Rng};

/// A dataset, and what its rows encode.
#[derive(Clone, Debug)]
pub struct Data {
    pub data: Dataset,
    /// The families of the problem the rows came from; `None` for files.
    pub families: Option<Families>,
    /// The name of that problem, when known.
    pub problem: Option<String>,
}

impl Data {
    /// A dataset read from a file: nothing is known of what it encodes.
    pub fn from_file(data: Dataset) -> Data {
        Data {
            data,
            families: None,
            problem: None,
        }
    }

    /// The same provenance, other rows (the parts of a split).
    pub fn with_rows(&self, data: Dataset) -> Data {
        Data {
            data,
            families: self.families,
            problem: self.problem.clone(),
        }
    }

    /// One line for reports: `dataset(1000 rows: 18 features → 9 policy targets; tictactoe solved by uct)`.
    pub fn describe(&self) -> String {
        let d = &self.data;
        format!(
            "dataset({} rows: {} features → {} {} target{}; {})",
            d.len(),
            d.feature_dim,
            d.target_dim,
            d.kind.name(),
            if d.target_dim == 1 { "" } else { "s" },
            d.source
        )
    }
}

/// What `solve` produced, with the games or episodes it took.
pub struct Generated {
    pub data: Data,
    /// Games, episodes or instances played to make the rows.
    pub runs: usize,
    pub wall_secs: f64,
}

/// `games.n` rows made by `solver` (named `label` in the rows' source) on
/// instances of `problem` under `games.seed`; games and episodes on
/// `games.threads` workers, `games.lockstep` at a time each (see
/// `compose::parallel` and `compose::lockstep`).
pub fn generate(
    problem: &dyn Problem,
    solver: &dyn Solver,
    label: &str,
    games: Games,
) -> Result<Generated, SolveError> {
    let (n, seed) = (games.n, games.seed);
    let start = Instant::now();
    let family = problem.families();
    if !solver.families().intersects(family) {
        return Err(SolveError::Problem(format!(
            "`{label}` cannot solve {} ({})",
            family.article(),
            problem.name()
        )));
    }
    if n == 0 {
        return Err(SolveError::Problem("`n` must be at least 1".into()));
    }
    check_memory(problem, n)?;
    let source = format!("{} solved by {label}", problem.name());
    let (examples, kind, runs, cost) = if let Some(d) = problem.discrete() {
        d.generate(solver, games)?
    } else if let Some(c) = problem.control() {
        control_rows(c, solver, n, seed)?
    } else if let Some(p) = problem.continuous() {
        continuous_rows(p, solver, n, seed)?
    } else {
        return Err(SolveError::Problem(format!(
            "{} has no instances to solve",
            problem.name()
        )));
    };
    let mut data = Dataset::from_examples(examples, kind, source).map_err(SolveError::native)?;
    data.cost = Cost {
        wall: start.elapsed(),
        ..cost
    };
    Ok(Generated {
        data: Data {
            data,
            families: Some(family),
            problem: Some(problem.name()),
        },
        runs,
        wall_secs: start.elapsed().as_secs_f64(),
    })
}

/// Errs when `n` rows of `problem`'s widths would not fit the memory
/// budget (twice: the rows, then the dataset made of them).
pub fn check_memory(problem: &dyn Problem, n: usize) -> Result<(), SolveError> {
    let each = if let Some(d) = problem.discrete() {
        Example::estimated_bytes(d.feature_dim(), d.num_actions(), true)
    } else if let Some(c) = problem.control() {
        Example::estimated_bytes(c.feature_dim(), c.action_dim(), false)
    } else if let Some(p) = problem.continuous() {
        Example::estimated_bytes(p.instance_dim(), p.theta_dim(), false)
    } else {
        return Ok(());
    };
    crate::memory::check(
        format!("a dataset of {n} rows of {}", problem.name()),
        "n",
        crate::memory::times(n as u64, each.saturating_mul(2)),
    )
    .map_err(SolveError::native)
}

/// `x → θ` for `n` instances.
fn continuous_rows(
    problem: &dyn ContinuousProblem,
    solver: &dyn Solver,
    n: usize,
    seed: u64,
) -> Result<Rows, SolveError> {
    let solve_seed = derive_seed(seed, "solve");
    let mut x = vec![0.0; problem.instance_dim()];
    let mut rows = Vec::with_capacity(n);
    let mut cost = Cost::default();
    for i in 0..n as u64 {
        problem.sample_instance(&mut Rng::stream(seed, i), &mut x);
        let s = solver.solve_continuous(problem, &x, &mut Rng::stream(solve_seed, i))?;
        cost += s.cost;
        rows.push(Example::new(
            x.iter().map(|&v| v as f32).collect(),
            s.theta.iter().map(|&v| v as f32).collect(),
        ));
    }
    Ok((rows, TargetKind::Solution, n, cost))
}

/// Closed-loop episodes of the planner until `n` steps are collected.
fn control_rows(
    problem: &dyn ControlProblem,
    solver: &dyn Solver,
    n: usize,
    seed: u64,
) -> Result<Rows, SolveError> {
    let (sd, ad) = (problem.state_dim(), problem.action_dim());
    let move_seed = derive_seed(seed, "moves");
    let mut state = vec![0.0; sd];
    let mut feats = vec![0.0; problem.feature_dim()];
    let mut rows = Vec::with_capacity(n);
    let mut episodes = 0usize;
    let mut cost = Cost::default();
    while rows.len() < n {
        let i = episodes as u64;
        episodes += 1;
        problem.sample_initial(&mut Rng::stream(seed, i), &mut state);
        let ep = solver.control_episode(problem, &state, &mut Rng::stream(move_seed, i))?;
        cost += ep.cost;
        if ep.actions.is_empty() {
            return Err(SolveError::Problem(format!(
                "{} ran an episode of no steps",
                problem.name()
            )));
        }
        for (s, a) in ep.states.chunks_exact(sd).zip(ep.actions.chunks_exact(ad)) {
            problem.features(s, &mut feats);
            rows.push(Example::new(
                feats.iter().map(|&v| v as f32).collect(),
                a.iter().map(|&v| v as f32).collect(),
            ));
        }
    }
    rows.truncate(n);
    Ok((rows, TargetKind::Solution, episodes, cost))
}
