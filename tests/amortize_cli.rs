//! The dataset and model cache as a user meets it through `optimist run`,
//! in a scratch working directory: a second run reuses both (and the
//! report says so), `--no-cache` neither reads nor writes them, and a
//! damaged entry is a warning, recomputed, never a failure.

mod common;

use common::stderr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCRIPT: &str = r#"
objective ttt = tictactoe()
dataset games = solve(ttt, plan(mcts, sims=32), n=200)
pipeline policy = amortize(mlp(hidden=[16]), data=games, epochs=3)
report evaluate(policy, on=ttt, n=10)
"#;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("optimist-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("policy.opt"), SCRIPT).unwrap();
    dir
}

fn optimist(dir: &Path, extra: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_optimist"))
        .current_dir(dir)
        .args(["run", "policy.opt", "--format", "json"])
        .args(extra)
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    o
}

/// The evaluation row: the solver's name, and the other cells but the
/// wall-clock one.
fn row(o: &Output) -> (String, Vec<serde_json::Value>) {
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let table = &doc["reports"][0]["value"];
    let record = table["records"][0].as_object().unwrap();
    let volatile: Vec<&str> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["volatile"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let name = record["solver"].as_str().unwrap().to_string();
    let cells = record
        .iter()
        .filter(|(k, _)| *k != "solver" && !volatile.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
        .collect();
    (name, cells)
}

fn entries(dir: &Path, kind: &str) -> Vec<PathBuf> {
    match std::fs::read_dir(dir.join(".optimist/cache").join(kind)) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
            v.sort();
            v
        }
        Err(_) => Vec::new(),
    }
}

#[test]
fn a_second_run_reuses_the_cache_and_no_cache_bypasses_it() {
    let dir = scratch("hit");
    let first = optimist(&dir, &[]);
    let (name, cells) = row(&first);
    assert_eq!(name, "policy");
    let err = stderr(&first);
    assert!(err.contains("games: 200 rows from"), "{err}");
    assert!(err.contains("policy: trained policy head"), "{err}");
    assert_eq!(entries(&dir, "datasets").len(), 1);
    let models = entries(&dir, "models");
    let exts: Vec<_> = models.iter().map(|p| p.extension().unwrap()).collect();
    assert_eq!(exts, ["safetensors", "yaml"]);

    let second = optimist(&dir, &[]);
    assert_eq!(row(&second), ("policy (cached)".to_string(), cells.clone()));
    let err = stderr(&second);
    assert!(
        err.contains("games: 200 rows reused from the cache"),
        "{err}"
    );
    assert!(
        err.contains("policy: weights reused from the cache"),
        "{err}"
    );

    let bypass = optimist(&dir, &["--no-cache"]);
    assert_eq!(row(&bypass), ("policy".to_string(), cells.clone()));
    assert!(stderr(&bypass).contains("trained policy head"));

    let quiet = optimist(&dir, &["--quiet"]);
    assert_eq!(row(&quiet).0, "policy (cached)");
    assert_eq!(stderr(&quiet), "");

    let fresh = scratch("bypass");
    let o = optimist(&fresh, &["--no-cache"]);
    assert_eq!(row(&o), ("policy".to_string(), cells));
    assert!(!fresh.join(".optimist").exists());
}

#[test]
fn a_damaged_entry_is_a_warning_and_is_computed_again() {
    let dir = scratch("damaged");
    let (_, cells) = row(&optimist(&dir, &[]));
    let data = entries(&dir, "datasets").remove(0);
    let text = std::fs::read(&data).unwrap();
    std::fs::write(&data, &text[..text.len() / 2]).unwrap();
    let weights = entries(&dir, "models").remove(0);
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    std::fs::write(&weights, bytes).unwrap();

    let o = optimist(&dir, &[]);
    let err = stderr(&o);
    assert!(
        err.contains(
            "Warning: the cached dataset of `games` is damaged and is made again: cached dataset"
        ),
        "{err}"
    );
    assert!(
        err.contains("Warning: the cached model of `policy` is damaged and is trained again"),
        "{err}"
    );
    assert!(
        err.contains("policy.opt:3:"),
        "the warning points at the script: {err}"
    );
    assert_eq!(row(&o), ("policy".to_string(), cells.clone()));

    // The entries were written again, whole.
    let o = optimist(&dir, &[]);
    assert_eq!(row(&o), ("policy (cached)".to_string(), cells));
    assert!(!stderr(&o).contains("Warning"), "{}", stderr(&o));
}
