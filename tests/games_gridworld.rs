//! Gridworld episodes: value iteration is optimal, MCTS reaches the goal;
//! evaluation gaps are measured against shortest paths, not against value
//! iteration.

use std::collections::VecDeque;

use optimist::algorithms::mcts::MctsAgent;
use optimist::algorithms::value_iteration::{ValueIteration, ValueIterationAgent};
use optimist::compose::evaluate::{evaluate, Evaluation};
use optimist::compose::play::{run_episode, Agent, Decision, RandomAgent, RandomPlay};
use optimist::compose::{GameProblem, SolveError, Solver};
use optimist::direct::mcts::MctsParams;
use optimist::domains::game::Game;
use optimist::domains::gridworld::{gridworld, GridState, GridWorld};
use optimist::rng::Rng;

fn episode_return(
    world: &GridWorld,
    agent: &mut dyn Agent<GridWorld>,
    seed: u64,
) -> (f32, bool, usize) {
    let s = world.sample_instance(&mut Rng::new(seed));
    let e = run_episode(world, &s, agent, &mut Rng::new(seed + 1)).unwrap();
    (e.ret, e.reached_goal, e.steps)
}

#[test]
fn value_iteration_agent_earns_the_optimal_return() {
    let world = gridworld(8, 0.25).unwrap();
    let mut agent = ValueIterationAgent::default();
    for seed in 0..30 {
        let s = world.sample_instance(&mut Rng::new(seed));
        let d = world.shortest_path(&s).unwrap();
        let e = run_episode(&world, &s, &mut agent, &mut Rng::new(0)).unwrap();
        assert!(e.reached_goal && e.steps == d, "seed {seed}");
        assert!((e.ret - world.optimal_value(&s).unwrap()).abs() < 1e-5);
        assert!(
            e.cost.evaluations > 0,
            "the table was computed once per maze"
        );
    }
}

#[test]
fn mcts_reaches_the_goal_on_small_mazes() {
    let world = gridworld(5, 0.2).unwrap();
    let params = MctsParams {
        sims: 200,
        seed: 11,
        ..MctsParams::default()
    };
    let mut agent = MctsAgent::new(params).unwrap();
    for seed in 0..10 {
        agent.reset();
        let (ret, reached, steps) = episode_return(&world, &mut agent, seed);
        let s = world.sample_instance(&mut Rng::new(seed));
        let d = world.shortest_path(&s).unwrap();
        assert!(reached, "maze {seed}:\n{}", world.render(&s));
        assert!(
            steps <= 2 * d + 4,
            "maze {seed}: {steps} steps for a path of {d}"
        );
        assert!(ret > 0.8);
    }
}

#[test]
fn random_walks_end_at_the_goal_or_the_step_limit() {
    let world = gridworld(10, 0.3).unwrap();
    for seed in 0..10 {
        let (ret, reached, steps) = episode_return(&world, &mut RandomAgent, seed);
        assert!(steps <= world.max_steps());
        assert_eq!(reached, steps < world.max_steps() || ret > 0.0);
        let expected = if reached { 1.0 } else { 0.0 } - world.step_cost() * steps as f32;
        assert!((ret - expected).abs() < 1e-4);
    }
}

/// The length of a shortest path from the agent to the goal, by a
/// breadth-first search written here from the maze's cells alone, so that
/// the optimum it gives owes nothing to value iteration or to the crate's
/// own search.
fn bfs_distance(world: &GridWorld, s: &GridState) -> Option<usize> {
    let n = world.size();
    let (agent, goal) = (usize::from(s.agent), usize::from(s.goal));
    let mut dist = vec![usize::MAX; n * n];
    dist[agent] = 0;
    let mut queue = VecDeque::from([agent]);
    while let Some(cell) = queue.pop_front() {
        if cell == goal {
            return Some(dist[cell]);
        }
        let (row, col) = (cell / n, cell % n);
        let up = (row > 0).then(|| cell - n);
        let down = (row + 1 < n).then_some(cell + n);
        let left = (col > 0).then(|| cell - 1);
        let right = (col + 1 < n).then_some(cell + 1);
        for next in [up, down, left, right].into_iter().flatten() {
            if !s.is_wall(next) && dist[next] == usize::MAX {
                dist[next] = dist[cell] + 1;
                queue.push_back(next);
            }
        }
    }
    None
}

/// The optimal return of a fresh maze from the reward structure: 1 at the
/// goal, `step_cost` lost per step, no discount.
fn optimal_return(world: &GridWorld, s: &GridState) -> f64 {
    let d = bfs_distance(world, s).expect("instances are solvable");
    assert!(d <= world.max_steps(), "every shortest path fits the limit");
    1.0 - f64::from(world.step_cost()) * d as f64
}

fn evaluate_on(world: GridWorld, solver: &dyn Solver, n: usize, seed: u64) -> (Vec<f64>, f64) {
    let problem = GameProblem::new(world, optimist::algorithms::kernels());
    let row = evaluate(&Evaluation {
        label: solver.algorithm().to_string(),
        solver,
        problem: &problem,
        against: None,
        n,
        seed,
        threads: 1,
        lockstep: 1,
    })
    .unwrap();
    (row.scores, row.gap.expect("a maze knows its optimum"))
}

#[test]
fn value_iterations_gap_is_zero_against_breadth_first_search_on_many_mazes() {
    let mut mazes = 0;
    for (k, (size, walls)) in [
        (3, 0.0),
        (5, 0.3),
        (6, 0.2),
        (8, 0.25),
        (11, 0.35),
        (16, 0.3),
    ]
    .into_iter()
    .enumerate()
    {
        let world = gridworld(size, walls).unwrap();
        let (n, seed) = (40, 100 + k as u64);
        // Evaluation draws instance i from `Rng::stream(seed, i)`.
        let optimal: Vec<f64> = (0..n)
            .map(|i| {
                optimal_return(
                    &world,
                    &world.sample_instance(&mut Rng::stream(seed, i as u64)),
                )
            })
            .collect();
        let (scores, gap) = evaluate_on(world, &ValueIteration, n, seed);
        for (i, (score, best)) in scores.iter().zip(&optimal).enumerate() {
            assert!(
                (score - best).abs() < 1e-5,
                "{size}×{size} maze {i}: {score} vs {best}"
            );
        }
        assert!(gap.abs() < 1e-6, "{size}×{size}: gap {gap}");
        let (scores, gap) = evaluate_on(world, &RandomPlay, n, seed);
        let expected: f64 = optimal.iter().zip(&scores).map(|(o, s)| o - s).sum::<f64>() / n as f64;
        assert!(
            gap > 0.01,
            "{size}×{size}: random walks are not optimal ({gap})"
        );
        assert!(
            (gap - expected).abs() < 1e-4,
            "{size}×{size}: {gap} vs {expected}"
        );
        mazes += n;
    }
    assert_eq!(mazes, 240);
}

/// Takes one step away from the goal first, then follows value iteration:
/// two steps more than a shortest path.
struct Detour(ValueIterationAgent<GridWorld>);

impl Agent<GridWorld> for Detour {
    fn name(&self) -> String {
        "detour".into()
    }

    fn act(
        &mut self,
        world: &GridWorld,
        s: &GridState,
        rng: &mut Rng,
    ) -> Result<Decision, SolveError> {
        let mut d = self.0.act(world, s, rng)?;
        if s.steps == 0 {
            let d0 = world.shortest_path(s);
            if let Some(away) = world.legal(s).iter().find(|&a| {
                let next = world.apply(s, a).0;
                world.shortest_path(&next) > d0
            }) {
                d.action = away;
            }
        }
        Ok(d)
    }

    fn reset(&mut self) {
        self.0.reset();
    }
}

#[test]
fn a_detour_costs_exactly_two_steps_against_the_shortest_path_optimum() {
    let world = gridworld(8, 0.2).unwrap();
    let mut detours = 0;
    for seed in 0..40 {
        let s = world.sample_instance(&mut Rng::new(seed));
        let mut agent = Detour(ValueIterationAgent::default());
        let e = run_episode(&world, &s, &mut agent, &mut Rng::new(0)).unwrap();
        let gap = optimal_return(&world, &s) - f64::from(e.ret);
        let d = bfs_distance(&world, &s).unwrap();
        if e.steps == d + 2 {
            detours += 1;
            let two_steps = 2.0 * f64::from(world.step_cost());
            assert!((gap - two_steps).abs() < 1e-5, "seed {seed}: gap {gap}");
        } else {
            // Every neighbour lies closer to the goal: no detour to take.
            assert_eq!(e.steps, d, "seed {seed}");
            assert!(gap.abs() < 1e-5, "seed {seed}: gap {gap}");
        }
    }
    assert!(detours >= 30, "{detours} of 40 mazes had a detour");
}
