//! Gridworld episodes: value iteration is optimal, MCTS reaches the goal.

use optimist::algorithms::mcts::MctsAgent;
use optimist::algorithms::value_iteration::ValueIterationAgent;
use optimist::compose::play::{run_episode, Agent, RandomAgent};
use optimist::direct::mcts::MctsParams;
use optimist::domains::game::Game;
use optimist::domains::gridworld::{gridworld, GridWorld};
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
