//! Hard limits instead of crashes, and no lost or mixed-up data (issue 14,
//! runtime side): concurrent writers, leftovers of killed writers,
//! checkpoints as one unit, untrusted sidecars, the memory budget
//! (`--max-memory`), YAML depth, non-regular files, and values that used
//! to pass quietly wrong.

mod common;

use common::{stderr, stdout};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary started in `dir`, its standard error kept, not waited for.
fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary runs")
}

fn optimist_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Runs and expects exit 1 with `needle` in stderr and no panic.
fn fails_with(dir: &Path, args: &[&str], needle: &str) -> String {
    let o = optimist_in(dir, args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected `{needle}` in:\n{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    err
}

/// Runs with a deadline: a read that blocks (a named pipe) must not hang.
fn run_with_deadline(dir: &Path, args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("`optimist {args:?}` blocked for {secs}s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

const GAMES: &str =
    "objective ttt = tictactoe()\ndataset d = solve(ttt, plan(mcts, sims=8), n=40)\n";

// ---- concurrent writers ----------------------------------------------------

/// Processes saving one file at once (different seeds) all succeed, and
/// the file is always one writer's whole output.
#[test]
fn concurrent_runs_saving_one_file_leave_one_whole_output() {
    let dir = common::scratch("limits", "race");
    write(
        &dir,
        "s.opt",
        &format!("{GAMES}save d to \"shared.jsonl\"\n"),
    );
    let alone: Vec<Vec<u8>> = (0..2)
        .map(|seed| {
            let sub = dir.join(format!("alone{seed}"));
            std::fs::create_dir_all(&sub).unwrap();
            let o = optimist_in(
                &dir,
                &[
                    "run",
                    "s.opt",
                    "--no-cache",
                    "--seed",
                    &seed.to_string(),
                    "--out",
                    sub.to_str().unwrap(),
                ],
            );
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            std::fs::read(sub.join("shared.jsonl")).unwrap()
        })
        .collect();
    assert_ne!(alone[0], alone[1], "the seeds must give different files");
    for _ in 0..4 {
        let children: Vec<_> = (0..6)
            .map(|i| {
                spawn_in(
                    &dir,
                    &["run", "s.opt", "--no-cache", "--seed", &(i % 2).to_string()],
                )
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        let now = std::fs::read(dir.join("shared.jsonl")).unwrap();
        assert!(now == alone[0] || now == alone[1], "the file mixes writers");
    }
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporaries left: {left:?}");
}

/// Runs sharing one cache at once neither fail nor warn.
#[test]
fn a_shared_cache_does_not_warn_under_concurrency() {
    let dir = common::scratch("limits", "cache");
    write(
        &dir,
        "s.opt",
        &format!(
            "{GAMES}pipeline p = amortize(mlp(hidden=[8]), data=d, epochs=2)\nreport evaluate(p, on=ttt, n=4)\n"
        ),
    );
    let children: Vec<_> = (0..4).map(|_| spawn_in(&dir, &["run", "s.opt"])).collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(!err.contains("could not be cached"), "{err}");
        assert!(!err.contains("damaged"), "{err}");
    }
}

// ---- leftovers and half pairs ----------------------------------------------

/// A killed writer's temporary is removed by the next save to that path.
#[test]
#[cfg(target_os = "linux")]
fn a_killed_writers_temporary_is_cleaned_by_the_next_save() {
    let dir = common::scratch("limits", "stale");
    // Above Linux's largest pid: the writer is surely gone.
    write(&dir, ".g.jsonl.tmp-4194305-0-0", "{\"features\": [1");
    write(&dir, "s.opt", &format!("{GAMES}save d to \"g.jsonl\"\n"));
    let o = optimist_in(&dir, &["run", "s.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!dir.join(".g.jsonl.tmp-4194305-0-0").exists());
    assert!(dir.join("g.jsonl").exists());
}

fn save_model(dir: &Path, name: &str) {
    write(
        dir,
        "m.opt",
        &format!("{GAMES}pipeline p = amortize(mlp(hidden=[4]), data=d, epochs=1)\nsave p to \"{name}\"\n"),
    );
    let o = optimist_in(dir, &["run", "m.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn load_script(dir: &Path, name: &str) {
    write(
        dir,
        "l.opt",
        &format!("objective ttt = tictactoe()\npipeline q = load_model(\"{name}\")\nreport evaluate(q, on=ttt, n=2)\n"),
    );
}

/// Weights without their sidecar (a kill between the two renames) are
/// named an incomplete checkpoint; so is a sidecar without weights.
#[test]
fn half_a_checkpoint_is_reported_as_incomplete() {
    let dir = common::scratch("limits", "half");
    save_model(&dir, "p.safetensors");
    load_script(&dir, "p.safetensors");
    let o = optimist_in(&dir, &["run", "l.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let side = std::fs::read(dir.join("p.yaml")).unwrap();
    std::fs::remove_file(dir.join("p.yaml")).unwrap();
    fails_with(
        &dir,
        &["run", "l.opt", "--no-cache"],
        "incomplete checkpoint",
    );
    std::fs::write(dir.join("p.yaml"), side).unwrap();
    std::fs::remove_file(dir.join("p.safetensors")).unwrap();
    fails_with(
        &dir,
        &["run", "l.opt", "--no-cache"],
        "incomplete checkpoint",
    );
}

/// New weights beside an old sidecar (a kill between the renames of a
/// second save) do not load as a model.
#[test]
fn weights_beside_another_saves_sidecar_are_refused() {
    let dir = common::scratch("limits", "mixed");
    save_model(&dir, "a.safetensors");
    write(
        &dir,
        "m2.opt",
        &format!("{GAMES}pipeline p = amortize(mlp(hidden=[4]), data=d, epochs=3)\nsave p to \"b.safetensors\"\n"),
    );
    let o = optimist_in(&dir, &["run", "m2.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::copy(dir.join("b.safetensors"), dir.join("a.safetensors")).unwrap();
    load_script(&dir, "a.safetensors");
    fails_with(&dir, &["run", "l.opt", "--no-cache"], "corrupted");
}

/// `save g to "run.yaml"` then `save p to "run.safetensors"` must not
/// replace the dataset with the model's sidecar.
#[test]
fn a_sidecar_never_replaces_an_unrelated_file() {
    let dir = common::scratch("limits", "collide");
    write(
        &dir,
        "s.opt",
        &format!("{GAMES}save d to \"run.yaml\"\npipeline p = amortize(mlp(hidden=[4]), data=d, epochs=1)\nsave p to \"run.safetensors\"\n"),
    );
    let err = fails_with(
        &dir,
        &["run", "s.opt", "--no-cache"],
        "would replace a file that is not a checkpoint sidecar",
    );
    assert!(err.contains("run.yaml"), "{err}");
    let kept = std::fs::read_to_string(dir.join("run.yaml")).unwrap();
    assert!(
        kept.contains("features"),
        "the dataset was replaced: {kept}"
    );
    assert!(!dir.join("run.safetensors").exists());
    // Saving a checkpoint over an earlier checkpoint is fine.
    save_model(&dir, "again.safetensors");
    save_model(&dir, "again.safetensors");
}

/// The other way round: `save p to "run.safetensors"` then `save g to
/// "run.yaml"` must not leave the weights without their sidecar.
#[test]
fn nothing_else_replaces_a_checkpoint_sidecar() {
    let dir = common::scratch("limits", "collide_back");
    save_model(&dir, "run.safetensors");
    let sidecar = std::fs::read_to_string(dir.join("run.yaml")).unwrap();
    write(&dir, "s.opt", &format!("{GAMES}save d to \"run.yaml\"\n"));
    let err = fails_with(
        &dir,
        &["run", "s.opt", "--no-cache"],
        "is the sidecar of the checkpoint",
    );
    assert!(err.contains("run.safetensors"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("run.yaml")).unwrap(),
        sidecar,
        "the sidecar was replaced"
    );
    // The checkpoint still loads.
    load_script(&dir, "run.safetensors");
    let o = optimist_in(&dir, &["run", "l.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A YAML file that is no sidecar may be replaced as before.
    write(&dir, "other.yaml", "just: text\n");
    write(&dir, "t.opt", &format!("{GAMES}save d to \"other.yaml\"\n"));
    let o = optimist_in(&dir, &["run", "t.opt", "--no-cache"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

// ---- untrusted sidecars ----------------------------------------------------

fn edit_sidecar(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A sidecar whose widths overflow the parameter count is an error, not a
/// panic inside the tensor library.
#[test]
fn a_sidecar_with_absurd_widths_is_an_error() {
    let dir = common::scratch("limits", "absurd");
    save_model(&dir, "p.safetensors");
    load_script(&dir, "p.safetensors");
    let text = std::fs::read_to_string(dir.join("p.yaml")).unwrap();
    let input = text
        .lines()
        .find(|l| l.trim_start().starts_with("input:"))
        .unwrap()
        .to_string();
    edit_sidecar(&dir.join("p.yaml"), &input, "  input: 4611686018427387904");
    fails_with(&dir, &["run", "l.opt", "--no-cache"], "268M");
}

/// A small sidecar claiming huge layers is caught by the tensor table
/// before the network is built.
#[test]
fn a_sidecar_claiming_huge_layers_is_checked_against_the_tensors() {
    let dir = common::scratch("limits", "huge");
    save_model(&dir, "p.safetensors");
    load_script(&dir, "p.safetensors");
    edit_sidecar(
        &dir.join("p.yaml"),
        "hidden:\n  - 4",
        "hidden:\n  - 16000\n  - 16000",
    );
    let err = fails_with(
        &dir,
        &["run", "l.opt", "--no-cache", "--max-memory", "256M"],
        "p.safetensors",
    );
    assert!(
        err.contains("holds 4 tensors") || err.contains("memory limit"),
        "{err}"
    );
    let err = fails_with(&dir, &["run", "l.opt", "--no-cache"], "holds 4 tensors");
    assert!(err.contains("describes 6"), "{err}");
}

/// In the cache, a hostile sidecar is damage: warn and retrain.
#[test]
fn a_bad_cached_sidecar_is_retrained_with_a_warning() {
    let dir = common::scratch("limits", "cachebad");
    write(
        &dir,
        "s.opt",
        &format!("{GAMES}pipeline p = amortize(mlp(hidden=[4]), data=d, epochs=1)\nreport evaluate(p, on=ttt, n=2)\n"),
    );
    let o = optimist_in(&dir, &["run", "s.opt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let models = dir.join(".optimist/cache/models");
    let side = std::fs::read_dir(&models)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let text = std::fs::read_to_string(&side).unwrap();
    let input = text
        .lines()
        .find(|l| l.trim_start().starts_with("input:"))
        .unwrap()
        .to_string();
    edit_sidecar(&side, &input, "  input: 4611686018427387904");
    let o = optimist_in(&dir, &["run", "s.opt"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("is damaged and is trained again"), "{err}");
    // Repaired: the next run reuses it without a warning.
    let o = optimist_in(&dir, &["run", "s.opt"]);
    assert!(!stderr(&o).contains("damaged"), "{}", stderr(&o));
}

// ---- the memory budget -----------------------------------------------------

#[test]
fn max_memory_stops_work_before_it_allocates() {
    let dir = common::scratch("limits", "memory");
    let cases = [
        ("objective c4 = connect4()\npipeline p = plan(mcts, sims=10000000)\nreport evaluate(p, on=c4, n=1)\n", "lower `sims`"),
        ("objective ttt = tictactoe()\ndataset d = solve(ttt, plan(mcts, sims=10), n=10000000)\nreport d\n", "lower `n`"),
        ("objective ttt = tictactoe()\nreport expert_iteration(mlp(hidden=[8]), plan(mcts, sims=10), on=ttt, rounds=2, positions=10000000, epochs=1, n=2)\n", "lower `positions`"),
        (&format!("{GAMES}pipeline p = amortize(mlp(hidden=[65536, 4000]), data=d, epochs=1)\nreport evaluate(p, on=ttt, n=2)\n"), "lower `hidden`"),
        (&format!("{GAMES}pipeline p = amortize(ensemble(64, mlp(hidden=[2000, 2000])), data=d, epochs=1)\nreport evaluate(p, on=ttt, n=2)\n"), "an ensemble of 64 networks"),
        // Each search fits; 4096 of them in flight do not.
        (&format!("{GAMES}pipeline p = amortize(mlp(hidden=[8]), data=d, epochs=1) |> init(plan(mcts, sims=100000))\nreport evaluate(p, on=ttt, n=4096, lockstep=4096)\n"), "lower `lockstep`"),
    ];
    for (i, (script, needle)) in cases.iter().enumerate() {
        let name = format!("m{i}.opt");
        write(&dir, &name, script);
        let err = fails_with(
            &dir,
            &["run", &name, "--no-cache", "--max-memory", "1G"],
            needle,
        );
        assert!(
            err.contains("over the memory limit of 1.0 GiB (--max-memory)"),
            "{err}"
        );
    }
    // Exact search: value iteration's tables of every state.
    write(
        &dir,
        "vi.opt",
        "objective maze = gridworld()\nreport evaluate(plan(value_iteration), on=maze, n=1)\n",
    );
    fails_with(
        &dir,
        &["run", "vi.opt", "--max-memory", "1K"],
        "value_iteration: the tables of 64 states",
    );
    // Each member fits alone: the ensemble's check counts all of them.
    write(
        &dir,
        "one.opt",
        &format!(
            "{GAMES}pipeline p = amortize(mlp(hidden=[2000, 2000]), data=d, epochs=1)\nreport 1\n"
        ),
    );
    let o = optimist_in(&dir, &["check", "one.opt", "--max-memory", "1G"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Lockstep's memory check counts the games that can be in flight: never
/// more than the games played, however many workers × slots there are
/// (8 games on 16 threads × 8 slots are 8 trees of ~7 MB, not 128).
#[test]
fn lockstep_counts_only_the_games_that_can_be_in_flight() {
    let dir = common::scratch("limits", "flight");
    let script = |n: usize| {
        format!("{GAMES}pipeline p = amortize(mlp(hidden=[8]), data=d, epochs=1) |> init(plan(mcts, sims=10000, threads=1))\nreport evaluate(p, on=ttt, n={n}, lockstep=8)\n")
    };
    write(&dir, "few.opt", &script(8));
    let o = optimist_in(
        &dir,
        &[
            "run",
            "few.opt",
            "--no-cache",
            "--threads",
            "16",
            "--max-memory",
            "300M",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 64 games on 16 threads can fill 64 slots: over the limit.
    write(&dir, "many.opt", &script(64));
    fails_with(
        &dir,
        &[
            "run",
            "many.opt",
            "--no-cache",
            "--threads",
            "16",
            "--max-memory",
            "300M",
        ],
        "lower `lockstep`",
    );
}

#[test]
fn max_memory_bounds_loading_a_file() {
    let dir = common::scratch("limits", "loadmem");
    let mut csv = String::from("f0,f1,t0\n");
    for i in 0..20_000 {
        csv += &format!("{i},1,0.5\n");
    }
    write(&dir, "big.csv", &csv);
    write(&dir, "s.opt", "dataset d = load(\"big.csv\")\nreport d\n");
    fails_with(
        &dir,
        &["run", "s.opt", "--max-memory", "1M"],
        "loading `big.csv`",
    );
    let o = optimist_in(&dir, &["run", "s.opt", "--max-memory", "64M"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_bad_max_memory_is_a_usage_error() {
    let dir = common::scratch("limits", "badmem");
    write(&dir, "s.opt", "report 1\n");
    for bad in ["lots", "0", "-1G", "2X"] {
        let flag = format!("--max-memory={bad}");
        let o = optimist_in(&dir, &["run", "s.opt", &flag]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("not a memory size"), "{}", stderr(&o));
    }
}

// ---- slow or blocking inputs -----------------------------------------------

#[test]
fn deeply_nested_yaml_fails_fast_everywhere() {
    let dir = common::scratch("limits", "deep");
    let n = 100_000;
    let deep = format!("budgets: {}1{}\n", "[".repeat(n), "]".repeat(n));
    write(&dir, "deep.yaml", &deep);
    write(&dir, "s.opt", "param budgets = [1]\nreport budgets\n");
    let err = fails_with(&dir, &["check", "s.opt", "--config", "deep.yaml"], "E0404");
    assert!(
        err.contains("nested more than 128 levels deep"),
        "{}",
        &err[..err.len().min(400)]
    );
    write(
        &dir,
        "data.yaml",
        &format!(
            "- features: {}1{}\n  target: [1]\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    write(&dir, "l.opt", "dataset d = load(\"data.yaml\")\nreport d\n");
    fails_with(&dir, &["run", "l.opt"], "nested more than 128 levels deep");
    save_model(&dir, "p.safetensors");
    std::fs::write(dir.join("p.yaml"), deep).unwrap();
    load_script(&dir, "p.safetensors");
    fails_with(
        &dir,
        &["run", "l.opt", "--no-cache"],
        "nested more than 128 levels deep",
    );
}

#[test]
#[cfg(unix)]
fn named_pipes_are_refused_not_read() {
    let dir = common::scratch("limits", "fifo");
    if !mkfifo(&dir.join("lib.opt")) || !mkfifo(&dir.join("d.csv")) {
        return;
    }
    write(&dir, "u.opt", "use \"lib.opt\"\nreport 1\n");
    let o = run_with_deadline(&dir, &["check", "u.opt"], 20);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a named pipe, not a regular file"),
        "{}",
        stderr(&o)
    );
    write(&dir, "l.opt", "dataset d = load(\"d.csv\")\nreport d\n");
    let o = run_with_deadline(&dir, &["run", "l.opt"], 20);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("a named pipe"), "{}", stderr(&o));
}

/// A cache entry replaced by a named pipe is damage, not a hang.
#[test]
#[cfg(unix)]
fn a_cache_entry_replaced_by_a_pipe_is_recomputed() {
    let dir = common::scratch("limits", "fifocache");
    write(&dir, "s.opt", &format!("{GAMES}report d\n"));
    let o = optimist_in(&dir, &["run", "s.opt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let entry = std::fs::read_dir(dir.join(".optimist/cache/datasets"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&entry).unwrap();
    if !mkfifo(&entry) {
        return;
    }
    let o = run_with_deadline(&dir, &["run", "s.opt"], 30);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is damaged and is made again"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg(unix)]
fn save_writes_through_symlinks_and_refuses_devices() {
    let dir = common::scratch("limits", "links");
    write(&dir, "real.json", "old");
    std::os::unix::fs::symlink("real.json", dir.join("link.json")).unwrap();
    write(&dir, "s.opt", "save [1, 2] to \"link.json\"\nreport 1\n");
    let o = optimist_in(&dir, &["run", "s.opt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(dir.join("real.json"))
        .unwrap()
        .contains('2'));
    std::os::unix::fs::symlink("/dev/null", dir.join("null.json")).unwrap();
    write(&dir, "d.opt", "save [1, 2] to \"null.json\"\nreport 1\n");
    fails_with(&dir, &["run", "d.opt"], "is a device, not a regular file");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

// ---- wrong values ----------------------------------------------------------

#[test]
fn ranges_near_the_ends_of_the_integers_are_right_or_refused() {
    let dir = common::scratch("limits", "range");
    write(
        &dir,
        "a.opt",
        "report range(-9223372036854775807, 9223372036854775807)\n",
    );
    fails_with(&dir, &["run", "a.opt"], "`range` would make");
    write(&dir, "b.opt", "report range(0, 10, step=9223372036854775807)\nreport range(9223372036854775807, -9223372036854775807, step=-9223372036854775807)\n");
    let o = optimist_in(&dir, &["run", "b.opt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("[0]"), "{out}");
    assert!(out.contains("[9223372036854775807, 0]"), "{out}");
}

#[test]
fn linspace_between_huge_ends_has_no_nan_or_inf() {
    let dir = common::scratch("limits", "linspace");
    write(&dir, "a.opt", "report linspace(-1.79e308, 1.79e308, 3)\n");
    let o = optimist_in(&dir, &["run", "a.opt", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        !out.contains("nan") && !out.contains("inf") && !out.contains("null"),
        "{out}"
    );
    assert!(
        out.contains("-1.79e308") && out.contains("1.79e308"),
        "{out}"
    );
    assert!(
        out.contains("0.0") || out.contains(" 0,") || out.contains(" 0\n"),
        "{out}"
    );
}

#[test]
fn compare_on_nothing_is_an_error() {
    let dir = common::scratch("limits", "compare");
    write(&dir, "a.opt", "report compare([plan(cem)], on=[], n=2)\n");
    fails_with(&dir, &["run", "a.opt"], "`on` is an empty list");
}

#[test]
fn config_and_set_values_are_checked_like_the_script() {
    let dir = common::scratch("limits", "config");
    write(
        &dir,
        "s.opt",
        "param budgets = [1, 2]\nparam sims = 10\nreport budgets\nreport sims\n",
    );
    write(&dir, "mixed.yaml", "budgets: [1, \"a\"]\n");
    fails_with(
        &dir,
        &["check", "s.opt", "--config", "mixed.yaml"],
        "mixes kinds",
    );
    let err = fails_with(
        &dir,
        &["check", "s.opt", "--set", "sims=1e400"],
        "out of range",
    );
    assert!(
        !err.contains("gives a Str") && !err.contains("string"),
        "{err}"
    );
    std::fs::create_dir_all(dir.join("conf.d")).unwrap();
    for cmd in ["check", "run"] {
        let o = optimist_in(&dir, &[cmd, "s.opt", "--config", "conf.d"]);
        assert_ne!(o.status.code(), Some(0));
        assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    }
}

/// A memory error in the REPL ends that entry, not the session.
#[test]
fn the_repl_survives_a_memory_error() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(["repl", "--max-memory", "1G"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"let c4 = connect4()\nevaluate(plan(mcts, sims=10000000), on=c4, n=1)\n6 * 7\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("lower `sims`"), "{}", stderr(&o));
    assert!(stdout(&o).contains("6 * 7 = 42"), "{}", stdout(&o));
}

/// Threads saving different models to one checkpoint path at once, while
/// another loads it: every load gets one save's whole pair, and the last
/// pair on disk is whole.
#[test]
fn concurrent_checkpoint_saves_leave_one_whole_pair() {
    use optimist::amortized::{checkpoint, Activation, Head, Mlp, MlpSpec};
    let dir = common::scratch("limits", "pairs");
    let path = dir.join("p.safetensors");
    let models: Vec<Mlp> = (0..4)
        .map(|seed| {
            let spec = MlpSpec::new(3, vec![16], 2, Activation::Relu);
            Mlp::new(spec, Head::Solution { bounds: None }, seed).unwrap()
        })
        .collect();
    let weights: Vec<_> = models.iter().map(|m| m.weights()).collect();
    checkpoint::save(&models[0], &path, None).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut loads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let m = checkpoint::load(&path).unwrap_or_else(|e| panic!("a mixed pair: {e}"));
                assert!(weights.contains(&m.weights()));
                loads += 1;
            }
            loads
        });
        let writers: Vec<_> = models
            .iter()
            .map(|m| {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..25 {
                        checkpoint::save(m, path, None).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let last = checkpoint::load(&path).unwrap();
    assert!(weights.contains(&last.weights()));
}
