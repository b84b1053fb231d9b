//! Datasets and models through files and scripts: `save` then `load` /
//! `load_model` give back the same rows and bit-identical predictions;
//! `len` and `split` behave; the same seed gives the same report.

mod common;

use optimist::amortized::Dataset;
use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::output::Output;
use optimist::interp::solver::SolverValue;
use optimist::interp::{Interpreter, Registry, RunSettings, Value};
use optimist::report::Cell;
use std::sync::Arc;

/// Runs a script; returns its outputs and the values of `names`.
fn run(text: &str, seed: u64, names: &[&str]) -> (Vec<Output>, Vec<Value>) {
    let registry = Registry::standard();
    let settings = Settings {
        seed,
        ..Settings::default()
    };
    let checked = driver::check_text("files.opt", text, &registry, &settings);
    assert!(
        checked.ok(),
        "{}",
        render(&checked.diagnostics, &checked.sources, false)
    );
    let ir = checked.ir.as_ref().unwrap();
    let run_settings = RunSettings {
        seed,
        ..RunSettings::default()
    };
    let mut interp = Interpreter::new(&registry, run_settings);
    let outcome = driver::run(ir, &mut interp, &mut |_| {});
    assert!(
        outcome.ok(),
        "{}",
        render(&outcome.diagnostics, &checked.sources, false)
    );
    let values = names
        .iter()
        .map(|n| interp.eval(ir, ir.decl(n).unwrap().node).unwrap())
        .collect();
    (outcome.outputs, values)
}

fn dataset(v: &Value) -> &Dataset {
    match v {
        Value::Dataset(d) => &d.data,
        other => panic!("not a dataset: {other}"),
    }
}

fn solver(v: &Value) -> &Arc<SolverValue> {
    match v {
        Value::Solver(s) => s,
        other => panic!("not a solver: {other}"),
    }
}

/// Raw answers of an amortized solver, as bits.
fn answers(s: &SolverValue, rows: &[Vec<f32>]) -> Vec<Vec<u32>> {
    let Some(a) = s.amortized() else {
        panic!("{} is not amortized", s.label)
    };
    rows.iter()
        .map(|x| {
            a.predict(x)
                .unwrap()
                .0
                .iter()
                .map(|v| v.to_bits())
                .collect()
        })
        .collect()
}

/// The deterministic cells of every report (wall-clock columns dropped).
fn stable(outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .map(|o| match &o.value {
            Value::Report(t) => {
                let keep: Vec<usize> = (0..t.columns.len())
                    .filter(|&i| !t.columns[i].volatile)
                    .collect();
                let rows: Vec<Vec<&Cell>> = t
                    .rows
                    .iter()
                    .map(|r| keep.iter().map(|&i| &r[i]).collect())
                    .collect();
                format!("{}: {rows:?}", t.title)
            }
            v => format!("{} = {v}", o.label),
        })
        .collect()
}

#[test]
fn saved_datasets_and_models_load_back_identically() {
    let dir = common::scratch("amortize", "roundtrip");
    let d = dir.display();
    let first = format!(
        r#"
objective ttt = tictactoe()
dataset games = solve(ttt, plan(mcts, sims=32), n=300)
pipeline policy = amortize(mlp(hidden=[16]), data=games, epochs=5)
pipeline mover = amortize(mlp(hidden=[8]), on=sphere(3), steps=50)
save games to "{d}/games.jsonl"
save games to "{d}/games.csv"
save games to "{d}/games.yaml"
save policy to "{d}/policy.safetensors"
save mover to "{d}/mover.safetensors"
let games_played = evaluate(policy, on=ttt, n=10)
let points_found = evaluate(mover, on=sphere(3), n=10)
report games_played
report points_found
"#
    );
    let second = format!(
        r#"
objective ttt = tictactoe()
dataset jsonl = load("{d}/games.jsonl")
dataset csv = load("{d}/games.csv")
dataset yaml = load("{d}/games.yaml")
pipeline policy = load_model("{d}/policy.safetensors")
pipeline mover = load_model("{d}/mover.safetensors")
let games_played = evaluate(policy, on=ttt, n=10)
let points_found = evaluate(mover, on=sphere(3), n=10)
report games_played
report points_found
"#
    );
    let (out1, v1) = run(&first, 0, &["games", "policy", "mover"]);
    let (out2, v2) = run(&second, 0, &["jsonl", "csv", "yaml", "policy", "mover"]);

    let games = dataset(&v1[0]);
    for loaded in &v2[..3] {
        let loaded = dataset(loaded);
        assert_eq!(loaded.examples(), games.examples());
        assert_eq!(loaded.kind, games.kind);
    }
    let positions: Vec<Vec<f32>> = games
        .examples()
        .iter()
        .map(|e| e.features.clone())
        .collect();
    assert_eq!(
        answers(solver(&v1[1]), &positions),
        answers(solver(&v2[3]), &positions)
    );
    let points: Vec<Vec<f32>> = (0..20)
        .map(|i| vec![i as f32 * 0.3 - 3.0, 0.5, -1.25])
        .collect();
    assert_eq!(
        answers(solver(&v1[2]), &points),
        answers(solver(&v2[4]), &points)
    );
    // Same model, same declaration (hence seed and instances): the same
    // evaluation, row for row.
    assert_eq!(stable(&out1), stable(&out2));
    // The sidecar names what the checkpoint's features encode.
    let side = std::fs::read_to_string(dir.join("policy.yaml")).unwrap();
    assert!(side.contains("domain: tictactoe"), "{side}");
}

#[test]
fn len_and_split_partition_a_dataset() {
    let script = r#"
dataset points = solve(sphere(2), plan(random_search, samples=10), n=50)
let parts = split(points, test=0.2)
let all = split(points, test=0)
dataset train = parts.train
dataset test = parts.test
report len(points)
report len(parts.train)
report len(parts.test)
report len(all.test)
"#;
    let (out, v) = run(script, 0, &["points", "train", "test"]);
    let lens: Vec<String> = out.iter().map(|o| o.value.to_string()).collect();
    assert_eq!(lens, ["50", "40", "10", "0"]);
    let (points, train, test) = (dataset(&v[0]), dataset(&v[1]), dataset(&v[2]));
    let mut rows: Vec<_> = train.examples().iter().chain(test.examples()).collect();
    let mut all: Vec<_> = points.examples().iter().collect();
    let key = |e: &&optimist::amortized::Example| e.features[0].to_bits();
    rows.sort_by_key(key);
    all.sort_by_key(key);
    assert_eq!(rows, all);
    // Rows of a continuous objective: θ from random search, inside the box.
    assert!(points
        .examples()
        .iter()
        .all(|e| e.target.iter().all(|t| (-5.0..=5.0).contains(t))));
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let script = r#"
objective grid = gridworld(size=4, walls=0.1)
dataset walks = solve(grid, plan(value_iteration), n=200)
pipeline walker = amortize(mlp(hidden=[16]), data=walks, epochs=5)
pipeline guess = amortize(ensemble(2, mlp(hidden=[8])), data=solve(sphere(2), plan(cmaes, max_evals=200), n=40), epochs=3)
report evaluate(walker, on=grid, n=10)
report evaluate(guess, on=sphere(2), n=10)
"#;
    let (a, va) = run(script, 0, &["walks"]);
    let (b, vb) = run(script, 0, &["walks"]);
    let (c, vc) = run(script, 1, &["walks"]);
    assert_eq!(stable(&a), stable(&b));
    assert_eq!(
        dataset(&va[0]).content_hash(),
        dataset(&vb[0]).content_hash()
    );
    assert_ne!(
        dataset(&va[0]).content_hash(),
        dataset(&vc[0]).content_hash()
    );
    assert_ne!(stable(&a), stable(&c));
}
