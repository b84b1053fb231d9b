//! Datasets as the interpreter holds them, and `solve`: instances sampled
//! from an objective and answered by a direct solver, as rows an amortizer
//! learns from.
//!
//! What a row is depends on the objective:
//!
//! * **games** — the positions of self-play games (both sides played by the
//!   solver), each with the mover's features, the legal-action mask, the
//!   policy target, the move played as the action and the final outcome
//!   for the mover as the value. With MCTS the target is the search's
//!   visit distribution and the move played is *sampled* from it, so that
//!   self-play explores (the action is then not always the argmax); with
//!   other solvers the target is the chosen move, one-hot;
//! * **gridworld** — the states of the solver's episodes, each with the
//!   solver's action, as the action and one-hot as the target (the optimal
//!   one for value iteration), and the return still to come, clamped to
//!   `[-1, 1]`, as the value;
//! * **continuous objectives** — `x → θ*`, the solver's answer;
//! * **control problems** — state features → the action the planner took.
//!
//! Instance `i` comes from `Rng::stream(seed, i)`, as in `evaluate`, so a
//! dataset is reproducible from its node's seed.

use std::time::Instant;

use super::hybrid::NetEvaluator;
use super::problem::Objective;
use super::solver::{Solver, SolverValue};
use crate::amortized::{Dataset, Example, TargetKind};
use crate::direct::mcts::Mcts;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::ControlProblem;
use crate::domains::game::{Actions, Game};
use crate::domains::gridworld::GridWorld;
use crate::ir::signature::Domains;
use crate::rng::{derive_seed, Rng};

/// A dataset value: the rows, and what they encode.
#[derive(Clone, Debug)]
pub struct DataValue {
    pub data: Dataset,
    /// The class of the objective the rows came from; `None` for files.
    pub domains: Option<Domains>,
    /// The name of that objective, when known.
    pub objective: Option<String>,
}

impl DataValue {
    /// A dataset read from a file: nothing is known of what it encodes.
    pub fn from_file(data: Dataset) -> DataValue {
        DataValue {
            data,
            domains: None,
            objective: None,
        }
    }

    /// The same provenance, other rows (the parts of a split).
    pub fn with_rows(&self, data: Dataset) -> DataValue {
        DataValue {
            data,
            domains: self.domains,
            objective: self.objective.clone(),
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

    /// A summary for `--format json|yaml` (the rows themselves go to files).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rows": self.data.len(),
            "features": self.data.feature_dim,
            "targets": self.data.target_dim,
            "kind": self.data.kind.name(),
            "source": self.data.source,
        })
    }
}

/// `save D to "f.jsonl"`: the rows, as CSV, JSONL or YAML by extension.
pub fn save(d: &DataValue, path: &std::path::Path) -> Result<(), String> {
    crate::amortized::dataset_io::save(&d.data, path).map_err(|e| e.to_string())
}

/// What `solve` produced, with the games or episodes it took.
pub struct Generated {
    pub data: DataValue,
    /// Games, episodes or instances played to make the rows.
    pub runs: usize,
    pub wall_secs: f64,
}

/// `solve(objective, solver, n=)`: `n` rows made by `solver` on instances of
/// `objective`.
pub fn generate(
    objective: &Objective,
    solver: &SolverValue,
    n: usize,
    seed: u64,
) -> Result<Generated, String> {
    let start = Instant::now();
    let class = objective.domains();
    if !solver.solver.domains().intersects(class) {
        return Err(format!(
            "`{}` cannot solve {} ({})",
            solver.label,
            class.article(),
            objective.name()
        ));
    }
    if n == 0 {
        return Err("`n` must be at least 1".into());
    }
    let source = format!("{} solved by {}", objective.name(), solver.label);
    let (examples, kind, runs) = match objective {
        Objective::TicTacToe(g) => self_play(g, &solver.solver, n, seed)?,
        Objective::Connect4(g) => self_play(g, &solver.solver, n, seed)?,
        Objective::Gridworld(g) => grid_episodes(g, &solver.solver, n, seed)?,
        Objective::Pendulum(p) => control_episodes(p, &solver.solver, n, seed)?,
        other => {
            let problem = other
                .continuous()
                .ok_or_else(|| format!("{} has no instances to solve", other.name()))?;
            continuous_rows(problem, &solver.solver, n, seed)?
        }
    };
    let data = Dataset::from_examples(examples, kind, source).map_err(|e| e.to_string())?;
    Ok(Generated {
        data: DataValue {
            data,
            domains: Some(class),
            objective: Some(objective.name()),
        },
        runs,
        wall_secs: start.elapsed().as_secs_f64(),
    })
}

type Rows = (Vec<Example>, TargetKind, usize);

fn features<G: Game>(game: &G, state: &G::State) -> Result<Vec<f32>, String> {
    let mut x = vec![0.0f32; game.feature_dim()];
    game.encode(state, &mut x)?;
    Ok(x)
}

fn one_hot(n: usize, a: usize) -> Vec<f32> {
    let mut t = vec![0.0; n];
    if let Some(x) = t.get_mut(a) {
        *x = 1.0;
    }
    t
}

/// Self-play games until `n` positions are collected (the last game is
/// played out for its outcome, then cut).
fn self_play<G: Game + 'static>(
    game: &G,
    solver: &Solver,
    n: usize,
    seed: u64,
) -> Result<Rows, String> {
    let actions = game.num_actions();
    // MCTS is driven directly to read its visit distribution; any other
    // solver plays through its agent and gives its move one-hot.
    let (mut search, mut guide) = match solver {
        Solver::Mcts(params) => (Some(Mcts::<G>::new(*params)?), None),
        // Network-guided MCTS (expert iteration's planner) gives visit
        // distributions too.
        Solver::Guided {
            params,
            prior,
            value,
        } => {
            let eval = NetEvaluator::new(prior.clone(), value.clone());
            eval.check(game)?;
            (Some(Mcts::<G>::new(*params)?), Some(eval))
        }
        _ => (None, None),
    };
    let mut agent = match search {
        Some(_) => None,
        None => Some(solver.agent::<G>()?),
    };
    let move_seed = derive_seed(seed, "moves");
    let mut rows: Vec<Example> = Vec::with_capacity(n);
    let mut games = 0usize;
    while rows.len() < n {
        let i = games as u64;
        games += 1;
        let mut state = game.sample_instance(&mut Rng::stream(seed, i));
        let mut rng = Rng::stream(move_seed, i);
        if let Some(s) = search.as_mut() {
            s.reset();
        }
        if let Some(a) = agent.as_mut() {
            a.reset();
        }
        // (features, target, mask, action, mover); outcomes are filled in
        // at the end.
        let mut positions = Vec::new();
        let mut outcome0 = 0.0f32;
        while !game.is_terminal(&state) {
            let legal = game.legal(&state);
            let mover = game.to_move(&state);
            let (target, action) = match (search.as_mut(), agent.as_mut()) {
                (Some(s), _) => {
                    let result = match guide.as_mut() {
                        Some(eval) => s.search_with(game, &state, eval)?,
                        None => s.search(game, &state)?,
                    };
                    let action = sample(&result.policy, legal, &mut rng);
                    (result.policy, action)
                }
                (None, Some(a)) => {
                    let (action, _) = a.act(game, &state, &mut rng)?;
                    if !legal.contains(action) {
                        return Err(format!("the solver chose the illegal action {action}"));
                    }
                    (one_hot(actions, action), action)
                }
                (None, None) => return Err("no solver to play with".into()),
            };
            if !legal.contains(action) {
                return Err(format!("the solver chose the illegal action {action}"));
            }
            let mask: Vec<bool> = (0..actions).map(|a| legal.contains(a)).collect();
            positions.push((features(game, &state)?, target, mask, action, mover));
            let (next, reward) = game.apply(&state, action);
            outcome0 += if mover == 0 { reward } else { -reward };
            state = next;
        }
        for (x, target, mask, action, mover) in positions {
            let value = if mover == 0 { outcome0 } else { -outcome0 };
            rows.push(
                Example::new(x, target)
                    .with_mask(mask)
                    .with_value(value.clamp(-1.0, 1.0))
                    .with_action(action as u32),
            );
        }
    }
    rows.truncate(n);
    Ok((rows, TargetKind::Policy, games))
}

/// An action drawn in proportion to `weights` among `legal` (the first
/// legal action if they carry no weight there).
fn sample(weights: &[f32], legal: Actions, rng: &mut Rng) -> usize {
    let weight = |a: usize| weights.get(a).map_or(0.0, |w| w.max(0.0));
    let total: f32 = legal.iter().map(weight).sum();
    if total.is_nan() || total <= 0.0 {
        return legal.iter().next().unwrap_or(0);
    }
    let mut u = rng.uniform() as f32 * total;
    let mut last = 0;
    for a in legal.iter().filter(|&a| weight(a) > 0.0) {
        if u < weight(a) {
            return a;
        }
        u -= weight(a);
        last = a;
    }
    // Rounding can leave `u` just past the last weight.
    last
}

/// Gridworld episodes of the solver until `n` states are collected.
fn grid_episodes(world: &GridWorld, solver: &Solver, n: usize, seed: u64) -> Result<Rows, String> {
    let actions = world.num_actions();
    let mut agent = solver.grid_agent()?;
    let move_seed = derive_seed(seed, "moves");
    let mut rows = Vec::with_capacity(n);
    let mut episodes = 0usize;
    while rows.len() < n {
        let i = episodes as u64;
        episodes += 1;
        let mut state = world.sample_instance(&mut Rng::stream(seed, i));
        let mut rng = Rng::stream(move_seed, i);
        agent.reset();
        let mut steps = Vec::new();
        while !world.is_terminal(&state) {
            let legal = world.legal(&state);
            let (action, _) = agent.act(world, &state, &mut rng)?;
            if !legal.contains(action) {
                return Err(format!("the solver chose the illegal action {action}"));
            }
            let mask: Vec<bool> = (0..actions).map(|a| legal.contains(a)).collect();
            let (next, reward) = world.apply(&state, action);
            steps.push((features(world, &state)?, action, mask, reward));
            state = next;
        }
        let mut to_go = 0.0f32;
        let mut episode = Vec::with_capacity(steps.len());
        for (x, action, mask, reward) in steps.into_iter().rev() {
            to_go += reward;
            episode.push(
                Example::new(x, one_hot(actions, action))
                    .with_mask(mask)
                    .with_value(to_go.clamp(-1.0, 1.0))
                    .with_action(action as u32),
            );
        }
        episode.reverse();
        rows.extend(episode);
    }
    rows.truncate(n);
    Ok((rows, TargetKind::Policy, episodes))
}

/// `x → θ` for `n` instances.
fn continuous_rows(
    problem: &dyn ContinuousProblem,
    solver: &Solver,
    n: usize,
    seed: u64,
) -> Result<Rows, String> {
    let solve_seed = derive_seed(seed, "solve");
    let mut x = vec![0.0; problem.instance_dim()];
    let mut rows = Vec::with_capacity(n);
    for i in 0..n as u64 {
        problem.sample_instance(&mut Rng::stream(seed, i), &mut x);
        let s = solver.solve_continuous(problem, &x, &mut Rng::stream(solve_seed, i))?;
        rows.push(Example::new(
            x.iter().map(|&v| v as f32).collect(),
            s.theta.iter().map(|&v| v as f32).collect(),
        ));
    }
    Ok((rows, TargetKind::Solution, n))
}

/// Closed-loop episodes of the planner until `n` steps are collected.
fn control_episodes<C: ControlProblem>(
    problem: &C,
    solver: &Solver,
    n: usize,
    seed: u64,
) -> Result<Rows, String> {
    let (sd, ad) = (problem.state_dim(), problem.action_dim());
    let move_seed = derive_seed(seed, "moves");
    let mut state = vec![0.0; sd];
    let mut feats = vec![0.0; problem.feature_dim()];
    let mut rows = Vec::with_capacity(n);
    let mut episodes = 0usize;
    while rows.len() < n {
        let i = episodes as u64;
        episodes += 1;
        problem.sample_initial(&mut Rng::stream(seed, i), &mut state);
        let ep = solver.control_episode(problem, &state, &mut Rng::stream(move_seed, i))?;
        if ep.actions.is_empty() {
            return Err(format!("{} ran an episode of no steps", problem.name()));
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
    Ok((rows, TargetKind::Solution, episodes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_follows_the_weights_and_stays_legal() {
        let mut rng = Rng::new(3);
        let weights = [0.0, 0.75, 0.0, 0.25];
        let legal = Actions(0b1110);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[sample(&weights, legal, &mut rng)] += 1;
        }
        assert_eq!((counts[0], counts[2]), (0, 0));
        assert!((2800..3200).contains(&counts[1]), "{counts:?}");
        assert_eq!(sample(&[0.0; 4], legal, &mut rng), 1);
        assert_eq!(sample(&[1.0, 0.0, 0.0, 0.0], legal, &mut rng), 1);
    }
}
