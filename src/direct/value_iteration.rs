//! Value iteration: the exact optimal values and policy of a gridworld
//! instance, the reference every other gridworld solver is measured against.
//!
//! Values are computed for the fresh instance (step 0). Synchronous Bellman
//! sweeps start from "unreachable" (−∞) everywhere but the goal (0), so each
//! sweep extends the solved region by one step and the iteration stops,
//! exactly, after the longest shortest path plus one sweep. Cells that
//! cannot reach the goal keep −∞ and no action. The episode limit is at
//! least `size²`, more than any shortest path, so it never changes the
//! optimal policy of a fresh instance.

use std::time::Instant;

use crate::cost::Cost;
use crate::domains::game::Game;
use crate::domains::gridworld::{GridState, GridWorld};

/// Optimal values and actions of every cell of one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueTable {
    /// Optimal return from each cell (row-major); −∞ for walls and cells
    /// cut off from the goal, 0 at the goal.
    pub values: Vec<f32>,
    /// An optimal action from each cell (lowest index among ties); `None`
    /// at the goal, on walls and where the goal cannot be reached.
    pub policy: Vec<Option<usize>>,
    /// Bellman sweeps until nothing changed.
    pub sweeps: usize,
    /// evaluations = Bellman backups (cell × action), nodes = cells.
    pub cost: Cost,
}

impl ValueTable {
    /// The optimal action for the agent of `state`.
    pub fn action(&self, state: &GridState) -> Option<usize> {
        self.policy.get(usize::from(state.agent)).copied().flatten()
    }

    /// The optimal return from the agent's cell.
    pub fn value(&self, state: &GridState) -> f32 {
        self.values
            .get(usize::from(state.agent))
            .copied()
            .unwrap_or(f32::NEG_INFINITY)
    }
}

/// Solves the instance that `state` belongs to (its walls and goal).
pub fn value_iteration(world: &GridWorld, state: &GridState) -> Result<ValueTable, String> {
    let start = Instant::now();
    let cells = world.size() * world.size();
    let goal = usize::from(state.goal);
    if goal >= cells || usize::from(state.agent) >= cells {
        return Err(format!(
            "value_iteration: the state does not belong to a {}x{} gridworld",
            world.size(),
            world.size()
        ));
    }
    let step_cost = world.step_cost();
    let mut values = vec![f32::NEG_INFINITY; cells];
    values[goal] = 0.0;
    let mut policy = vec![None; cells];
    let mut next_values = values.clone();
    let mut sweeps = 0;
    let mut backups = 0u64;
    loop {
        sweeps += 1;
        let mut changed = false;
        for cell in 0..cells {
            if cell == goal || state.is_wall(cell) {
                continue;
            }
            let mut best = (None, f32::NEG_INFINITY);
            for a in 0..world.num_actions() {
                if let Some(next) = world.neighbour(state, cell, a) {
                    backups += 1;
                    let reward = if next == goal { 1.0 } else { 0.0 } - step_cost;
                    let q = reward + values[next];
                    if q > best.1 {
                        best = (Some(a), q);
                    }
                }
            }
            if best.1 != values[cell] {
                changed = true;
            }
            next_values[cell] = best.1;
            policy[cell] = best.0.filter(|_| best.1 > f32::NEG_INFINITY);
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
            nodes: cells as u64,
            wall: start.elapsed(),
            ..Cost::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::gridworld::gridworld;
    use crate::rng::Rng;

    /// Follows the table's policy from the start; returns the steps taken.
    fn walk(world: &GridWorld, table: &ValueTable, start: &GridState) -> Option<usize> {
        let mut s = *start;
        let mut steps = 0;
        while !world.is_terminal(&s) {
            s = world.apply(&s, table.action(&s)?).0;
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
            assert!((table.value(&s) - expected).abs() < 1e-5, "maze {i}");
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
        assert_eq!(table.action(&s), None);
        assert_eq!(table.value(&s), f32::NEG_INFINITY);
        assert_eq!(table.values[15], 0.0);
        assert!((table.values[11] - 0.99).abs() < 1e-6);
        assert_eq!(table.policy[11], Some(2), "down into the goal");
    }
}
