//! Hybrids from scripts: the composed solvers do what they claim, with
//! costs counted in every unit.

mod common;
use common::{cell, run_script, table};

const TTT: &str = "objective ttt = tictactoe()\n\
    dataset games = solve(ttt, plan(mcts, sims=200), n=1500)\n\
    pipeline policy = amortize(mlp(hidden=[64]), data=games, target=\"policy\", epochs=20)\n\
    pipeline vnet = amortize(mlp(hidden=[32]), data=games, target=\"value\", epochs=20)\n";

#[test]
fn policy_priors_and_value_nets_guide_mcts() {
    let script = format!(
        "{TTT}report compare([plan(mcts, sims=32), policy |> init(plan(mcts, sims=32)), value(vnet, plan(mcts, sims=32)), \
         value(vnet, policy |> init(plan(mcts, sims=32)))], on=ttt, n=40)"
    );
    let out = run_script(&script, 0, 1);
    let t = table(&out, 0);
    // UCT does rollouts and no forward passes; the guided searches run the
    // networks at their leaves; a value net removes the rollouts.
    assert_eq!(cell(t, 0, "fwd/q"), 0.0);
    assert!(cell(t, 0, "evals/q") > 0.0);
    assert!(cell(t, 1, "fwd/q") > 1.0, "\n{}", t.render());
    assert!(
        cell(t, 1, "evals/q") > 0.0,
        "a prior alone keeps the rollouts"
    );
    assert_eq!(
        cell(t, 2, "evals/q"),
        0.0,
        "a value net replaces rollouts:\n{}",
        t.render()
    );
    assert_eq!(cell(t, 3, "evals/q"), 0.0);
    for row in 0..4 {
        assert_eq!(cell(t, row, "nodes/q"), 32.0);
        assert!(
            cell(t, row, "score") > 0.5,
            "every search beats random play:\n{}",
            t.render()
        );
    }
}

#[test]
fn a_confidence_gate_answers_partly_from_the_model() {
    let script = format!(
        "{TTT}report evaluate(gate(policy, plan(mcts, sims=100), when=\"confidence\", threshold=0.6), on=ttt, n=30)\n\
         report evaluate(gate(policy, plan(mcts, sims=100), when=\"budget\", threshold=1000), on=ttt, n=30)"
    );
    let out = run_script(&script, 0, 1);
    let share = cell(table(&out, 0), 0, "model_share");
    assert!(
        share > 0.0 && share < 1.0,
        "the gate used both sides: {share}"
    );
    // The budget gate plans until 1000 nodes + evaluations are spent.
    let budget = table(&out, 1);
    assert!(
        cell(budget, 0, "model_share") > 0.5,
        "\n{}",
        budget.render()
    );
}

#[test]
fn a_warm_started_optimizer_beats_the_network_alone() {
    let out = run_script(
        "objective bowl = sphere(4)\n\
         pipeline net = amortize(mlp(hidden=[32]), on=bowl, steps=300)\n\
         report compare([net, net |> init(plan(adam, steps=20)), net |> init(plan(cem, iters=5)), best_of(16, net)], on=bowl, n=20)",
        0,
        1,
    );
    let t = table(&out, 0);
    let alone = cell(t, 0, "value");
    assert!(alone > 0.0);
    assert!(
        cell(t, 1, "value") < alone / 10.0,
        "adam from the net's answer:\n{}",
        t.render()
    );
    assert!(
        cell(t, 2, "value") < alone,
        "cem from the net's answer:\n{}",
        t.render()
    );
    assert!(
        cell(t, 3, "value") <= alone,
        "best of 16 keeps the network's own answer:\n{}",
        t.render()
    );
    assert_eq!(cell(t, 0, "fwd/q"), 1.0);
    assert_eq!(cell(t, 3, "fwd/q"), 16.0);
}

#[test]
fn expert_iteration_reports_every_round() {
    let out = run_script(
        "report expert_iteration(mlp(hidden=[32]), plan(mcts, sims=50), on=tictactoe(), rounds=2, positions=300, epochs=10, n=20)",
        0,
        1,
    );
    let t = table(&out, 0);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(cell(t, 1, "round"), 2.0);
    assert_eq!(cell(t, 0, "positions"), 300.0);
    let games = cell(t, 0, "win") + cell(t, 0, "draw") + cell(t, 0, "loss");
    assert_eq!(games, 20.0);
}

#[test]
fn sweeping_a_hybrid_varies_its_planner() {
    let script =
        format!("{TTT}report sweep(policy |> init(plan(mcts)), sims=[8, 32], on=ttt, n=10)");
    let out = run_script(&script, 0, 1);
    let t = table(&out, 0);
    assert_eq!(cell(t, 0, "nodes/q"), 8.0);
    assert_eq!(cell(t, 1, "nodes/q"), 32.0);
    assert!(
        cell(t, 1, "fwd/q") > 1.0,
        "the sweep kept the prior:\n{}",
        t.render()
    );
}

#[test]
fn a_novelty_gate_plans_more_out_of_distribution() {
    let out = run_script(
        "objective maze = gridworld(size=6)\n\
         dataset paths = solve(maze, plan(value_iteration), n=1500)\n\
         pipeline policy = amortize(mlp(hidden=[32]), data=paths, epochs=15)\n\
         pipeline careful = gate(policy, plan(value_iteration), when=\"novelty\", threshold=0.3)\n\
         report compare([careful], on=[maze, shift(maze, size=12, walls=0.35)], n=20)",
        0,
        1,
    );
    let t = table(&out, 0);
    let (inside, outside) = (cell(t, 0, "model_share"), cell(t, 1, "model_share"));
    assert!(
        inside > outside,
        "the model answers more often on familiar mazes: {inside} vs {outside}\n{}",
        t.render()
    );
    assert!(cell(t, 0, "flops/q") > 0.0, "forward passes count FLOPs");
}

#[test]
fn a_warm_started_cmaes_makes_one_run_from_the_models_answer() {
    // Cold, CMA-ES restarts until its budget is spent; warm-started it
    // makes the one run the start is there to shorten.
    let out = run_script(
        "objective bowl = sphere(4)\n\
         pipeline net = amortize(mlp(hidden=[32]), on=bowl, steps=300)\n\
         report compare([plan(cmaes, max_evals=20000), net |> init(plan(cmaes, max_evals=20000))], on=bowl, n=5)",
        0,
        1,
    );
    let t = table(&out, 0);
    assert!(cell(t, 0, "evals/q") > 19000.0, "\n{}", t.render());
    assert!(cell(t, 1, "evals/q") < 5000.0, "\n{}", t.render());
    assert!(cell(t, 1, "value") < 1e-6, "\n{}", t.render());
}
