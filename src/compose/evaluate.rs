//! Evaluation: run a solver on `n` seeded instances of a problem and
//! measure the answers and their cost, as one report row.
//!
//! Instance `i` comes from `Rng::stream(seed, i)`, so every solver
//! evaluated with the same seed sees the same instances. Games are played
//! against an opponent (random play by default), alternating sides.

use std::any::Any;

use super::discrete::Games;
use super::gate::Gate;
use super::problem::{Families, Problem};
use super::solver::{poll_stop, SolveError, Solver};
use crate::domains::continuous::Sense;
use crate::report::evaluation::EvalRow;
use crate::rng::{derive_seed, Rng};

/// What to evaluate, and how.
pub struct Evaluation<'a> {
    /// The name the row gives the solver.
    pub label: String,
    pub solver: &'a dyn Solver,
    pub problem: &'a dyn Problem,
    /// Games: the opponent (the game's default, random play, when `None`).
    pub against: Option<&'a dyn Solver>,
    pub n: usize,
    pub seed: u64,
    /// Workers playing games in parallel (a gate, whose budget spans
    /// games, plays on one).
    pub threads: usize,
    /// Games each worker plays at once, their network calls batched
    /// (`compose::lockstep`; a gate plays one at a time). Every width above
    /// 1 gives the same results, whatever `threads`; 1 is another draw,
    /// which depends on `threads`.
    pub lockstep: usize,
}

/// Evaluates a solver on `n` instances of a problem.
pub fn evaluate(e: &Evaluation<'_>) -> Result<EvalRow, SolveError> {
    let (solver, problem, n, seed) = (e.solver, e.problem, e.n, e.seed);
    if e.against.is_some() && problem.families() != Families::GAME {
        return Err(SolveError::Problem(
            "`against` names an opponent, and only games have one".to_string(),
        ));
    }
    let mut row = EvalRow {
        solver: e.label.clone(),
        objective: problem.name(),
        ..EvalRow::default()
    };
    let gate = (solver as &dyn Any).downcast_ref::<Gate>();
    let gate_before = gate.map(|g| {
        g.reset_budget();
        g.counts()
    });
    row.training = solver.model().map(|m| m.training_cost());
    if let Some(d) = problem.discrete() {
        let games = match gate {
            Some(_) => Games::new(n, seed, 1),
            None => Games::new(n, seed, e.threads).lockstep(e.lockstep),
        };
        d.evaluate(solver, e.against, games, &mut row)?;
    } else if let Some(c) = problem.control() {
        row.score_name = "return".into();
        let move_seed = derive_seed(seed, "moves");
        let mut state = vec![0.0; c.state_dim()];
        for i in 0..n {
            poll_stop()?;
            c.sample_initial(&mut Rng::stream(seed, i as u64), &mut state);
            let ep = solver.control_episode(c, &state, &mut Rng::stream(move_seed, i as u64))?;
            row.scores.push(ep.total_reward);
            row.queries += c.episode_len() as u64;
            row.cost += ep.cost;
        }
    } else if let Some(p) = problem.continuous() {
        row.score_name = "value".into();
        row.lower_is_better = p.sense() != Sense::Maximize;
        let sign = if p.sense() == Sense::Maximize {
            -1.0
        } else {
            1.0
        };
        let solve_seed = derive_seed(seed, "solve");
        let mut x = vec![0.0; p.instance_dim()];
        let mut gaps: Option<f64> = Some(0.0);
        for i in 0..n {
            poll_stop()?;
            p.sample_instance(&mut Rng::stream(seed, i as u64), &mut x);
            let s = solver.solve_continuous(p, &x, &mut Rng::stream(solve_seed, i as u64))?;
            row.scores.push(sign * s.value);
            gaps = match (gaps, p.optimum(&x)) {
                (Some(g), Some(opt)) => Some(g + (s.value - opt.value).max(0.0)),
                _ => None,
            };
            row.queries += 1;
            row.cost += s.cost;
        }
        row.gap = gaps.map(|g| g / n.max(1) as f64);
    } else {
        return Err(SolveError::Problem(format!(
            "{} cannot be evaluated",
            problem.name()
        )));
    }
    if let (Some(g), Some((m0, p0))) = (gate, gate_before) {
        let (m1, p1) = g.counts();
        let (m, p) = (m1 - m0, p1 - p0);
        row.amortized_share = Some(m as f64 / (m + p).max(1) as f64);
    }
    Ok(row)
}
