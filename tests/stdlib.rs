//! The standard library: every `def` of every `stdlib/*.opt` module is
//! called at least once, by a small script with cheap arguments, and what
//! it gives is checked against something known (exact counts of rows,
//! evaluations and forward passes, perfect play drawing, direct VI reaching
//! the exact posterior). A new def without a script here fails
//! `every_stdlib_def_is_called_by_a_script_here`.

mod common;

use common::{cell, run_script, table};
use optimist::interp::{Output, Value};
use optimist::ir::load::STDLIB;
use optimist::report::Table;
use optimist::span::SourceId;
use optimist::syntax::ast::ItemKind;
use optimist::syntax::parse;

const MATH: &str = "use std.math
report square(3)
report clamp(1.7)
report clamp(-2, lo=-1, hi=1)
report lerp(0, 10, t=0.25)
report hypot(3, 4)
";

const GAMES_SEARCH: &str = "use std.games
objective ttt = tictactoe()
report against_perfect(perfect_play(), ttt, n=4)
report evaluate(uct_search(sims=200), on=ttt, n=10)
";

const GAMES_NETWORKS: &str = "use std.games
objective ttt = tictactoe()
dataset games = selfplay(ttt, sims=50, n=300)
pipeline policy = policy_net(games, hidden=[32], epochs=10)
pipeline vnet = value_net(games, hidden=[32], epochs=10)
report len(games)
report evaluate(puct(policy, sims=32), on=ttt, n=10)
report evaluate(alphazero(policy, vnet, sims=32), on=ttt, n=10)
report evaluate(autopilot(policy, sims=32, threshold=0.5), on=ttt, n=10)
report mcts_expert_iteration(ttt, sims=20, hidden=[16], rounds=2, positions=100, n=10)
";

const CONTROL: &str = "use std.control
objective pend = pendulum()
pipeline mpc = cem_mpc(samples=16, elites=4, iters=2, horizon=10)
dataset demos = demonstrations(pend, mpc, n=200)
pipeline bc = behaviour_clone(demos, hidden=[16], epochs=5)
pipeline policy = distil_policy(pend, mpc, n=200, hidden=[16], epochs=5)
report len(demos)
report compare(
    [mpc, shooting_mpc(samples=50, horizon=10), bc, guided_mpc(policy, horizon=10)],
    on=with_heavier(pend),
    n=2,
)
";

const INFERENCE: &str = "use std.inference
objective vi = gaussian_vi()
pipeline enc = vi_encoder(vi, hidden=[8], steps=100)
report evaluate(direct_vi(), on=vi, n=10)
report evaluate(semi_amortized(enc, steps=5), on=vi, n=10)
report vi_comparison(vi, enc, steps=100, refine=5, n=10)
";

/// Every script here, with the module it exercises.
const SCRIPTS: &[(&str, &str)] = &[
    ("math", MATH),
    ("games", GAMES_SEARCH),
    ("games", GAMES_NETWORKS),
    ("control", CONTROL),
    ("inference", INFERENCE),
];

fn run(script: &str) -> Vec<Output> {
    run_script(script, 0, 1)
}

fn number(outputs: &[Output], i: usize) -> f64 {
    match &outputs[i].value {
        Value::Int(n) => *n as f64,
        Value::Num(x) => *x,
        other => panic!("output {i} is not a number: {other}"),
    }
}

/// A string cell by row and column name.
fn text<'a>(t: &'a Table, row: usize, column: &str) -> &'a str {
    let col = t
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap_or_else(|| panic!("no column `{column}`"));
    match &t.rows[row][col] {
        optimist::report::Cell::Str(s) => s,
        other => panic!("cell {row}/{column} is not text: {other:?}"),
    }
}

/// The names of the defs of a standard module.
fn defs_of(module: &str, source: &str) -> Vec<String> {
    let parsed = parse(SourceId(0), source);
    assert!(
        parsed.diagnostics.is_empty(),
        "std.{module} does not parse: {:?}",
        parsed.diagnostics
    );
    let program = parsed.program.expect("a program");
    program
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Def { name, .. } => Some(name.name.clone()),
            _ => None,
        })
        .collect()
}

/// Whether `script` calls `name(…)` (not merely a longer name ending so).
fn calls(script: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    script.match_indices(&pattern).any(|(at, _)| {
        script[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

#[test]
fn every_stdlib_def_is_called_by_a_script_here() {
    let mut missing = Vec::new();
    for (module, source) in STDLIB {
        let defs = defs_of(module, source);
        assert!(!defs.is_empty(), "std.{module} defines nothing");
        for def in defs {
            let called = SCRIPTS
                .iter()
                .any(|(m, script)| m == module && calls(script, &def));
            if !called {
                missing.push(format!("std.{module}: {def}"));
            }
        }
    }
    assert!(missing.is_empty(), "defs no script calls: {missing:?}");
}

#[test]
fn math_helpers_compute_what_they_say() {
    let out = run(MATH);
    assert_eq!(number(&out, 0), 9.0);
    assert_eq!(number(&out, 1), 1.0);
    assert_eq!(number(&out, 2), -1.0);
    assert_eq!(number(&out, 3), 2.5);
    assert_eq!(number(&out, 4), 5.0);
}

#[test]
fn games_search_presets_play_as_their_algorithms() {
    let out = run(GAMES_SEARCH);
    // Perfect play against perfect play draws every tic-tac-toe game.
    let perfect = table(&out, 0);
    assert_eq!(cell(perfect, 0, "draw"), 4.0);
    assert_eq!(cell(perfect, 0, "score"), 0.0);
    // UCT with 200 simulations spends exactly that many nodes a move and
    // never loses to random play.
    let uct = table(&out, 1);
    assert_eq!(cell(uct, 0, "nodes/q"), 200.0);
    assert_eq!(cell(uct, 0, "loss"), 0.0);
}

#[test]
fn games_network_combinators_build_the_hybrids_they_name() {
    let out = run(GAMES_NETWORKS);
    assert_eq!(number(&out, 0), 300.0, "selfplay gives n positions");
    // PUCT: the prior is one forward pass per expanded node; rollouts remain.
    let puct = table(&out, 1);
    assert_eq!(cell(puct, 0, "nodes/q"), 32.0);
    assert!(cell(puct, 0, "fwd/q") > 1.0 && cell(puct, 0, "evals/q") > 0.0);
    // AlphaZero: the value network replaces every rollout.
    let az = table(&out, 2);
    assert_eq!(cell(az, 0, "nodes/q"), 32.0);
    assert_eq!(cell(az, 0, "evals/q"), 0.0);
    assert!(cell(az, 0, "fwd/q") > 1.0);
    // The autopilot answers some moves from the policy and plans the rest.
    let share = cell(table(&out, 3), 0, "model_share");
    assert!(share > 0.0 && share < 1.0, "model share {share}");
    // Expert iteration: one row per round; the replay buffer pools the
    // positions of every round so far.
    let ei = table(&out, 4);
    assert_eq!(ei.rows.len(), 2);
    assert_eq!(cell(ei, 1, "round"), 2.0);
    assert_eq!(cell(ei, 0, "positions"), 100.0);
    assert_eq!(cell(ei, 1, "positions"), 200.0);
}

#[test]
fn control_presets_spend_the_budgets_they_are_given() {
    let out = run(CONTROL);
    assert_eq!(number(&out, 0), 200.0, "demonstrations give n steps");
    let t = table(&out, 1);
    // with_heavier puts every solver on the problem and its shifted copy.
    assert_eq!(t.rows.len(), 8);
    assert_eq!(text(t, 0, "objective"), "pendulum");
    assert!(text(t, 1, "objective").starts_with("pendulum("));
    // Simulated steps per control step: planning rollouts plus the step.
    assert_eq!(cell(t, 0, "evals/q"), (16 * 2 * 10 + 1) as f64);
    // Random shooting: its samples plus the warm-started plan.
    assert_eq!(cell(t, 2, "evals/q"), (51 * 10 + 1) as f64);
    // The cloned policy: one forward pass, no simulation but the step.
    assert_eq!(cell(t, 4, "fwd/q"), 1.0);
    assert_eq!(cell(t, 4, "evals/q"), 1.0);
    // Guided MPC: the policy's plan through the model (one forward pass and
    // one step per planned step), then one CEM iteration of 16 plans.
    assert_eq!(cell(t, 6, "fwd/q"), 10.0);
    assert_eq!(cell(t, 6, "evals/q"), (10 + 16 * 10 + 1) as f64);
}

#[test]
fn inference_presets_give_direct_amortized_and_semi_amortized_vi() {
    let out = run(INFERENCE);
    // Direct VI reaches the exact posterior: no gap, 200 steps + 1.
    let direct = table(&out, 0);
    assert!(cell(direct, 0, "gap") < 1e-3);
    assert_eq!(cell(direct, 0, "evals/q"), 201.0);
    let semi = table(&out, 1);
    assert_eq!(cell(semi, 0, "evals/q"), 6.0);
    assert_eq!(cell(semi, 0, "fwd/q"), 1.0);
    // The comparison: direct, encoder, encoder + refinement, in order; the
    // refinement shrinks the encoder's gap.
    let c = table(&out, 2);
    assert_eq!(c.rows.len(), 3);
    assert_eq!(cell(c, 0, "evals/q"), 101.0);
    assert!(cell(c, 0, "gap") < 1e-3);
    assert!(cell(c, 2, "gap") < cell(c, 1, "gap"));
}
