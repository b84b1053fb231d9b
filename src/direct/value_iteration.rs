//! Value iteration: the exact optimal values and policy of an instance of
//! a single-agent problem whose states can be listed
//! ([`Game::finite_states`]) — a gridworld's cells, a finite MDP's states.
//!
//! Values are computed for the fresh instance (step 0). Synchronous Bellman
//! sweeps start from "unreachable" (−∞) everywhere but the terminal states
//! (0), so each sweep extends the solved region by one step and the
//! iteration stops, exactly, after the longest shortest path plus one
//! sweep. States that cannot reach a terminal state keep −∞ and no action.
//! An episode limit that exceeds every shortest path (as a gridworld's
//! does) never changes the optimal policy of a fresh instance.

use std::fmt;
use std::time::Instant;

use crate::cost::Cost;
use crate::domains::game::{FiniteStates, Game};

/// Optimal values and actions of every state of one instance, by index.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueTable {
    /// Optimal return from each state; −∞ for holes and states cut off
    /// from every terminal state, 0 at terminal states.
    pub values: Vec<f32>,
    /// An optimal action from each state (lowest index among ties); `None`
    /// at terminal states, on holes and where no terminal state is reached.
    pub policy: Vec<Option<usize>>,
    /// Bellman sweeps until nothing changed.
    pub sweeps: usize,
    /// evaluations = Bellman backups (state × action), nodes = state indices.
    pub cost: Cost,
}

impl ValueTable {
    /// The optimal action in `state`.
    pub fn action<S>(&self, states: &dyn FiniteStates<S>, state: &S) -> Option<usize> {
        self.policy
            .get(states.state_index(state))
            .copied()
            .flatten()
    }

    /// The optimal return from `state`.
    pub fn value<S>(&self, states: &dyn FiniteStates<S>, state: &S) -> f32 {
        self.values
            .get(states.state_index(state))
            .copied()
            .unwrap_or(f32::NEG_INFINITY)
    }
}

/// Why value iteration cannot solve a problem.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueIterationError {
    /// The problem does not list its states.
    NotFinite { game: String },
    /// The problem has more than one player.
    NotSingleAgent { game: String, players: usize },
    /// The state's index lies outside its instance's listing.
    ForeignState { game: String },
    /// The tables of all states would exceed the memory budget.
    Memory(crate::memory::MemoryError),
}

impl fmt::Display for ValueIterationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueIterationError::NotFinite { game } => write!(
                f,
                "value_iteration needs a problem that lists its states, and {game} does not"
            ),
            ValueIterationError::NotSingleAgent { game, players } => write!(
                f,
                "value_iteration solves single-agent problems, and {game} has {players} players"
            ),
            ValueIterationError::ForeignState { game } => write!(
                f,
                "value_iteration: the state does not belong to an instance of {game}"
            ),
            ValueIterationError::Memory(e) => write!(f, "value_iteration: {e}"),
        }
    }
}

impl std::error::Error for ValueIterationError {}

/// Solves the instance that `state` belongs to.
pub fn value_iteration<G: Game>(
    game: &G,
    state: &G::State,
) -> Result<ValueTable, ValueIterationError> {
    let start = Instant::now();
    let Some(finite) = game.finite_states() else {
        return Err(ValueIterationError::NotFinite { game: game.name() });
    };
    if game.num_players() != 1 {
        return Err(ValueIterationError::NotSingleAgent {
            game: game.name(),
            players: game.num_players(),
        });
    }
    let count = finite.state_count(state);
    if finite.state_index(state) >= count {
        return Err(ValueIterationError::ForeignState { game: game.name() });
    }
    // The states, two value tables and the policy, before any is made.
    let per_state = std::mem::size_of::<Option<G::State>>()
        + 2 * std::mem::size_of::<f32>()
        + std::mem::size_of::<Option<usize>>();
    crate::memory::check(
        format!("the tables of {count} states of {}", game.name()),
        "the problem's size",
        crate::memory::times(count as u64, per_state as u64),
    )
    .map_err(ValueIterationError::Memory)?;
    let states: Vec<Option<G::State>> = (0..count).map(|i| finite.state_at(state, i)).collect();
    let mut values: Vec<f32> = states
        .iter()
        .map(|s| match s {
            Some(s) if game.is_terminal(s) => 0.0,
            _ => f32::NEG_INFINITY,
        })
        .collect();
    let mut policy = vec![None; count];
    let mut next_values = values.clone();
    let mut sweeps = 0;
    let mut backups = 0u64;
    let tracker = crate::progress::Tracker::lines(
        crate::progress::ambient(),
        0,
        &format!("value iteration on {} ({count} states)", game.name()),
    );
    loop {
        sweeps += 1;
        if sweeps > 1 {
            tracker.step(&format!("sweep {}", sweeps - 1));
        }
        let mut changed = false;
        for (i, s) in states.iter().enumerate() {
            let Some(s) = (*s).filter(|s| !game.is_terminal(s)) else {
                continue;
            };
            let mut best = (None, f32::NEG_INFINITY);
            for a in game.legal(&s).iter() {
                backups += 1;
                let (next, reward) = game.apply(&s, a);
                let q = reward + values[finite.state_index(&next)];
                if q > best.1 {
                    best = (Some(a), q);
                }
            }
            if best.1 != values[i] {
                changed = true;
            }
            next_values[i] = best.1;
            policy[i] = best.0.filter(|_| best.1 > f32::NEG_INFINITY);
        }
        std::mem::swap(&mut values, &mut next_values);
        if !changed {
            break;
        }
    }
    Ok(ValueTable {
        values,
        policy,
        sweeps,
        cost: Cost {
            evaluations: backups,
            nodes: count as u64,
            wall: start.elapsed(),
            ..Cost::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::gridworld::{gridworld, GridState, GridWorld};
    use crate::rng::Rng;

    /// Follows the table's policy from the start; returns the steps taken.
    fn walk(world: &GridWorld, table: &ValueTable, start: &GridState) -> Option<usize> {
        let mut s = *start;
        let mut steps = 0;
        while !world.is_terminal(&s) {
            s = world.apply(&s, table.action(world, &s)?).0;
            steps += 1;
        }
        world.reached_goal(&s).then_some(steps)
    }

    #[test]
    fn optimal_paths_match_breadth_first_search_on_100_mazes() {
        let mut rng = Rng::new(2024);
        for i in 0..100 {
            let world = gridworld(4 + i % 9, 0.1 + 0.05 * (i % 6) as f64).unwrap();
            let s = world.sample_instance(&mut rng);
            let table = value_iteration(&world, &s).unwrap();
            let shortest = world.shortest_path(&s);
            assert!(shortest.is_some());
            assert_eq!(
                walk(&world, &table, &s),
                shortest,
                "maze {i}:\n{}",
                world.render(&s)
            );
            let d = shortest.unwrap_or(0) as f32;
            let expected = 1.0 - world.step_cost() * d;
            assert!(
                (table.value(&world, &s) - expected).abs() < 1e-5,
                "maze {i}"
            );
            assert_eq!(
                world.optimal_value(&s).map(|v| (v - expected).abs() < 1e-5),
                Some(true)
            );
        }
    }

    #[test]
    fn cut_off_cells_have_no_value_and_no_action() {
        let world = gridworld(4, 0.0).unwrap();
        let s = world.parse("A..# ..#. .#.. #..G").unwrap();
        let table = value_iteration(&world, &s).unwrap();
        assert_eq!(table.action(&world, &s), None);
        assert_eq!(table.value(&world, &s), f32::NEG_INFINITY);
        assert_eq!(table.values[15], 0.0);
        assert!((table.values[11] - 0.99).abs() < 1e-6);
        assert_eq!(table.policy[11], Some(2), "down into the goal");
    }
}
