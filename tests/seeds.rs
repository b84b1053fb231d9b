//! Seeds as a dimension of every measurement: `--seeds N` and `seeds=`
//! re-run everything upstream under N run seeds, reports aggregate across
//! them, and machines get one row per seed.

mod common;

use common::{cell, run_script, table};
use optimist::interp::Value;
use optimist::report::Cell;
use std::process::Command;

const TRAINED: &str = "objective ttt = tictactoe()\n\
    dataset games = solve(ttt, plan(mcts, sims=50), n=300)\n\
    pipeline policy = amortize(mlp(hidden=[16]), data=games, target=\"policy\", epochs=3)\n";

#[test]
fn each_seed_regenerates_the_data_and_retrains_the_model() {
    let out = run_script(
        &format!("{TRAINED}report evaluate(policy, on=ttt, n=20, seeds=3, per_seed=true)"),
        0,
        1,
    );
    let t = table(&out, 0);
    assert_eq!(cell(t, 0, "seeds"), 3.0);
    assert_eq!(cell(t, 0, "n"), 20.0);
    assert_eq!(t.details.len(), 3);
    let seed = t.column_index("seed").unwrap();
    let work = t.column_index("train_work").unwrap();
    let seeds: Vec<&Cell> = t.details.iter().map(|r| &r[seed]).collect();
    assert_eq!(seeds, [&Cell::Int(0), &Cell::Int(1), &Cell::Int(2)]);
    // Each seed generated its own dataset: the search work differs.
    let works: Vec<&Cell> = t.details.iter().map(|r| &r[work]).collect();
    assert!(works[0] != works[1] && works[1] != works[2], "{works:?}");
    // The seed-0 row is the single-seed run's row.
    let alone = run_script(
        &format!("{TRAINED}report evaluate(policy, on=ttt, n=20)"),
        0,
        1,
    );
    let one = table(&alone, 0);
    let (score, score_one) = (
        t.column_index("score").unwrap(),
        one.column_index("score").unwrap(),
    );
    assert_eq!(t.details[0][score], one.rows[0][score_one]);
    assert!(t.render().contains("seed"), "{}", t.render());
}

#[test]
fn the_cli_flag_measures_every_report_across_seeds_and_json_has_per_seed_records() {
    let dir = std::env::temp_dir().join(format!("optimist-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("s.opt");
    std::fs::write(
        &script,
        "report compare([plan(mcts, sims=8), plan(mcts, sims=32)], on=tictactoe(), n=10, baseline=plan(mcts, sims=8))\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_optimist"))
            .args(["run", "--no-cache", "-q", "--format", "json", "--seed", "5"])
            .args(extra)
            .arg(&script)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        doc["reports"][0]["value"]["records"]
            .as_array()
            .unwrap()
            .clone()
    };
    let records = run(&["--seeds", "4"]);
    // Two aggregate records (seed null), then 4 per solver.
    assert_eq!(records.len(), 2 + 8);
    assert!(records[0]["seed"].is_null());
    assert_eq!(records[0]["seeds"], 4);
    let seeds: Vec<i64> = records[2..6]
        .iter()
        .map(|r| r["seed"].as_i64().unwrap())
        .collect();
    assert_eq!(seeds, [5, 6, 7, 8]);
    for r in &records {
        for key in r.as_object().unwrap().keys() {
            assert!(optimist::report::table::is_tidy_name(key), "column `{key}`");
        }
    }
    assert!(records[1]["p_improve"].as_f64().is_some());
    // The same run again: the same numbers (wall time aside).
    let again = run(&["--seeds", "4"]);
    let strip = |rs: &[serde_json::Value]| -> Vec<serde_json::Value> {
        rs.iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("ms_per_query");
                r
            })
            .collect()
    };
    assert_eq!(strip(&records), strip(&again));
    // One seed: one record per solver, carrying its seed.
    let single = run(&[]);
    assert_eq!(single.len(), 2);
    assert_eq!(single[0]["seed"], 5);
}

#[test]
fn sweep_keeps_seeds_for_itself_and_no_algorithm_may_take_the_name() {
    let out = run_script(
        "report sweep(plan(mcts), sims=[4, 16], on=tictactoe(), n=6, seeds=2)",
        0,
        1,
    );
    let t = table(&out, 0);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(cell(t, 0, "seeds"), 2.0);
    // Registering an algorithm with a parameter `sweep` keeps is refused.
    let mut r = optimist::interp::Registry::standard();
    let mut a = (*r.catalog().algorithm("mcts").unwrap()).as_ref().clone();
    a.name = "mcts2";
    a.params
        .push(optimist::params::ParamSpec::int("seeds", 1, "clashes"));
    let e = r.add_algorithm(a).unwrap_err();
    assert!(e.to_string().contains("`seeds`"), "{e}");
}

#[test]
fn columns_read_as_fields_by_their_tidy_names() {
    let out = run_script(
        &format!(
            "{TRAINED}let r = evaluate(gate(policy, plan(mcts, sims=20), threshold=0.5), on=ttt, n=10)\n\
             report r.model_share\nreport r.nodes_per_query\nreport r.score - r.ci_low"
        ),
        0,
        1,
    );
    let Value::Num(share) = out[0].value else {
        panic!("{:?}", out[0].value)
    };
    assert!(
        (0.0..=1.0).contains(&share),
        "model_share is a fraction: {share}"
    );
    assert!(matches!(out[1].value, Value::Num(_)));
    assert!(
        matches!(out[2].value, Value::Num(x) if x >= 0.0),
        "{:?}",
        out[2].value
    );
}

#[test]
fn reseeding_a_program_changes_random_nodes_only() {
    let registry = optimist::interp::Registry::standard();
    let checked = optimist::driver::check_text(
        "t.opt",
        &format!("{TRAINED}let k = 3 + 4\nreport evaluate(policy, on=ttt, n=5)"),
        &registry,
        &optimist::driver::Settings::default(),
    );
    let ir = checked.ir.unwrap();
    let same = ir.reseeded(0);
    let other = ir.reseeded(1);
    for (i, n) in ir.nodes.iter().enumerate() {
        assert_eq!(
            n.hash, same.nodes[i].hash,
            "re-seeding with the run seed changes nothing"
        );
    }
    let k = ir.decl("k").unwrap().node;
    assert_eq!(ir.node(k).hash, other.node(k).hash);
    let games = ir.decl("games").unwrap().node;
    assert_ne!(ir.node(games).hash, other.node(games).hash);
    assert_ne!(ir.node(games).seed, other.node(games).seed);
}

#[test]
fn the_interquartile_mean_on_request_and_csv_keeps_the_seed_column() {
    let out = run_script(
        "report evaluate(plan(random_search, samples=4), on=rosenbrock(3), n=12, seeds=3, stat=\"iqm\")",
        0,
        1,
    );
    let t = table(&out, 0);
    // The statistic is named for what it is, and lies in its interval.
    let iqm = cell(t, 0, "value_iqm");
    assert!(cell(t, 0, "ci_low") <= iqm && iqm <= cell(t, 0, "ci_high"));
    assert!(t.render().contains("value IQM"), "{}", t.render());
    // One tidy CSV table: the aggregate row (no seed), then one per seed.
    let csv = t.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("solver,seed,seeds,n,value_iqm,ci_low,ci_high"),
        "{csv}"
    );
    assert_eq!(lines.len(), 1 + 1 + 3, "{csv}");
    assert!(
        lines[1].starts_with("\"plan(random_search, samples=4)\",,3,12,"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("\"plan(random_search, samples=4)\",0,1,12,"),
        "{csv}"
    );
}
