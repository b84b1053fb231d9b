//! `evaluate(solver, on=objective, n=, against=)`: run a solver on `n`
//! seeded instances and measure the answers and their cost.
//!
//! Instance `i` comes from `Rng::stream(seed, i)`, so every solver
//! evaluated with the same seed sees the same instances. Games are played
//! against an opponent (random play by default), alternating sides.

use super::problem::Objective;
use super::solver::{Solver, SolverValue};
use crate::cost::Cost;
use crate::direct::play::{play_game, run_episode, Agent};
use crate::direct::value_iteration::value_iteration;
use crate::domains::continuous::Sense;
use crate::domains::control::ControlProblem;
use crate::domains::game::Game;
use crate::report::evaluation::EvalRow;
use crate::rng::{derive_seed, Rng};

/// Evaluates `solver` on `n` instances of `objective`.
pub fn evaluate(
    solver: &SolverValue,
    objective: &Objective,
    against: Option<&SolverValue>,
    n: usize,
    seed: u64,
) -> Result<EvalRow, String> {
    if against.is_some() && !matches!(objective, Objective::TicTacToe(_) | Objective::Connect4(_)) {
        return Err("`against` names an opponent, and only games have one".to_string());
    }
    let mut row = EvalRow {
        solver: solver.report_name(),
        objective: objective.name(),
        ..EvalRow::default()
    };
    let opponent = against.map_or(&Solver::Random, |a| &a.solver);
    let gate_before = match &solver.solver {
        Solver::Gate(g) => {
            g.reset_budget();
            Some(g.counts())
        }
        _ => None,
    };
    row.training_secs = solver.solver.model().map(|m| {
        m.members
            .iter()
            .filter_map(|n| n.report.as_ref())
            .map(|r| r.wall_secs)
            .sum()
    });
    match objective {
        Objective::TicTacToe(g) => play(g, &solver.solver, opponent, n, seed, &mut row)?,
        Objective::Connect4(g) => play(g, &solver.solver, opponent, n, seed, &mut row)?,
        Objective::Gridworld(g) => {
            row.score_name = "return".into();
            let move_seed = derive_seed(seed, "moves");
            let mut agent = solver.solver.grid_agent()?;
            let (mut reached, mut gaps) = (0usize, 0.0);
            for i in 0..n {
                super::cancel::poll()?;
                let start = g.sample_instance(&mut Rng::stream(seed, i as u64));
                agent.reset();
                let ep = run_episode(
                    g,
                    &start,
                    &mut *agent,
                    &mut Rng::stream(move_seed, i as u64),
                )?;
                let optimal = value_iteration(g, &start)?.value(&start);
                row.scores.push(f64::from(ep.ret));
                reached += usize::from(ep.reached_goal);
                gaps += f64::from(optimal - ep.ret);
                row.queries += ep.steps as u64;
                row.cost += ep.cost;
            }
            row.success = Some(reached as f64 / n.max(1) as f64);
            row.gap = Some(gaps / n.max(1) as f64);
        }
        Objective::Pendulum(p) => {
            row.score_name = "return".into();
            let move_seed = derive_seed(seed, "moves");
            let mut state = vec![0.0; p.state_dim()];
            for i in 0..n {
                super::cancel::poll()?;
                p.sample_initial(&mut Rng::stream(seed, i as u64), &mut state);
                let ep = solver.solver.control_episode(
                    p,
                    &state,
                    &mut Rng::stream(move_seed, i as u64),
                )?;
                row.scores.push(ep.total_reward);
                row.queries += p.episode_len() as u64;
                row.cost += ep.cost;
            }
        }
        _ => {
            let Some(problem) = objective.continuous() else {
                return Err(format!("{} cannot be evaluated", objective.name()));
            };
            row.score_name = "value".into();
            row.lower_is_better = problem.sense() != Sense::Maximize;
            let sign = if problem.sense() == Sense::Maximize {
                -1.0
            } else {
                1.0
            };
            let solve_seed = derive_seed(seed, "solve");
            let mut x = vec![0.0; problem.instance_dim()];
            let mut gaps: Option<f64> = Some(0.0);
            for i in 0..n {
                super::cancel::poll()?;
                problem.sample_instance(&mut Rng::stream(seed, i as u64), &mut x);
                let s = solver.solver.solve_continuous(
                    problem,
                    &x,
                    &mut Rng::stream(solve_seed, i as u64),
                )?;
                row.scores.push(sign * s.value);
                gaps = match (gaps, problem.optimum(&x)) {
                    (Some(g), Some(opt)) => Some(g + (s.value - opt.value).max(0.0)),
                    _ => None,
                };
                row.queries += 1;
                row.cost += s.cost;
            }
            row.gap = gaps.map(|g| g / n.max(1) as f64);
        }
    }
    if let (Solver::Gate(g), Some((m0, p0))) = (&solver.solver, gate_before) {
        let (m1, p1) = g.counts();
        let (m, p) = (m1 - m0, p1 - p0);
        row.amortized_share = Some(m as f64 / (m + p).max(1) as f64);
    }
    Ok(row)
}

/// Plays `n` games, the solver taking the first move in even games.
fn play<G: Game + 'static>(
    game: &G,
    solver: &Solver,
    opponent: &Solver,
    n: usize,
    seed: u64,
    row: &mut EvalRow,
) -> Result<(), String> {
    row.score_name = "score".into();
    let mut me = Counting {
        inner: solver.agent::<G>()?,
        moves: 0,
    };
    let mut them = opponent.agent::<G>()?;
    let move_seed = derive_seed(seed, "moves");
    let mut wdl = [0usize; 3];
    let mut cost = Cost::default();
    for i in 0..n {
        super::cancel::poll()?;
        let start = game.sample_instance(&mut Rng::stream(seed, i as u64));
        let mut rng = Rng::stream(move_seed, i as u64);
        me.reset();
        them.reset();
        let first = i % 2 == 0;
        let (record, mine) = if first {
            let r = play_game(game, &start, [&mut me, &mut *them], &mut rng)?;
            (r.outcome, r.costs[0])
        } else {
            let r = play_game(game, &start, [&mut *them, &mut me], &mut rng)?;
            (-r.outcome, r.costs[1])
        };
        cost += mine;
        // Win +1, draw 0, loss −1 (`signum` would make a draw ±1).
        let (slot, score) = match f64::from(record) {
            o if o > 0.0 => (0, 1.0),
            o if o < 0.0 => (2, -1.0),
            _ => (1, 0.0),
        };
        wdl[slot] += 1;
        row.scores.push(score);
    }
    row.wdl = Some(wdl);
    row.queries = me.moves;
    row.cost = cost;
    Ok(())
}

/// Counts the decisions an agent is asked for.
struct Counting<G: Game> {
    inner: Box<dyn Agent<G>>,
    moves: u64,
}

impl<G: Game> Agent<G> for Counting<G> {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn act(&mut self, game: &G, state: &G::State, rng: &mut Rng) -> Result<(usize, Cost), String> {
        self.moves += 1;
        self.inner.act(game, state, rng)
    }
    fn reset(&mut self) {
        self.inner.reset();
    }
}
