//! The command line as a user meets it: exit codes, output formats,
//! overrides, dumps, and files that are never left half-written.

mod common;

use common::{stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

fn optimist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn run_prints_reports_and_exits_zero() {
    let o = optimist(&["run", "examples/basics.opt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("budgets = [1, 4, 16, 64, 256]"), "{out}");
    assert!(out.contains("total = 341"), "{out}");
    assert!(!stderr(&o).contains('\u{1b}'), "colour on a pipe");
}

#[test]
fn set_overrides_a_param() {
    let o = optimist(&[
        "run",
        "examples/basics.opt",
        "--set",
        "budget=1024",
        "--set",
        "levels=2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("budgets = [256, 1024]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn config_overrides_a_param_and_set_wins_over_it() {
    let dir = common::scratch("cli", "config");
    let cfg = write(&dir, "c.yaml", "budget: 64\nlevels: 3\n");
    let o = optimist(&["run", "examples/basics.opt", "--config", &cfg]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("budgets = [4, 16, 64]"),
        "{}",
        stdout(&o)
    );
    let o = optimist(&[
        "run",
        "examples/basics.opt",
        "--config",
        &cfg,
        "--set",
        "levels=2",
    ]);
    assert!(stdout(&o).contains("budgets = [16, 64]"), "{}", stdout(&o));
}

#[test]
fn formats_json_yaml_csv() {
    let o = optimist(&["run", "examples/basics.opt", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(doc["reports"][1]["report"], "total");
    assert_eq!(doc["reports"][1]["value"], 341);

    let o = optimist(&["run", "examples/basics.opt", "--format", "yaml"]);
    let doc: serde_yaml::Value = serde_yaml::from_str(&stdout(&o)).expect("valid YAML");
    assert_eq!(doc["reports"][1]["value"].as_i64(), Some(341));

    let o = optimist(&["run", "examples/basics.opt", "--format", "csv"]);
    let out = stdout(&o);
    assert!(out.starts_with("report,value\n"), "{out}");
    assert!(out.contains("total,341\n"), "{out}");
    assert!(out.contains("budgets,\"[1, 4, 16, 64, 256]\"\n"), "{out}");
}

#[test]
fn exit_codes_distinguish_usage_from_script_errors() {
    assert_eq!(
        optimist(&["run", "no/such/file.opt"]).status.code(),
        Some(2)
    );
    assert_eq!(
        optimist(&["run", "examples/basics.opt", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        optimist(&["run", "examples/basics.opt", "--threads", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(optimist(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        optimist(&["run", "examples/basics.opt", "--set", "budget"])
            .status
            .code(),
        Some(1)
    );
    let o = optimist(&["run", "tests/errors/unknown_name.opt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean `budget`?"),
        "{}",
        stderr(&o)
    );
    let o = optimist(&["run", "no/such/file.opt"]);
    assert_eq!(
        stderr(&o).trim(),
        "error: cannot read `no/such/file.opt`: no such file"
    );
}

#[test]
fn runtime_errors_exit_one_with_a_span() {
    let o = optimist(&["run", "tests/errors/runtime_division_by_zero.opt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("division by zero"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("runtime_division_by_zero.opt:3"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_dumps_each_stage_deterministically() {
    for stage in ["tokens", "ast", "ir"] {
        let a = optimist(&["check", "examples/basics.opt", "--dump", stage]);
        let b = optimist(&["check", "examples/basics.opt", "--dump", stage]);
        assert_eq!(a.status.code(), Some(0), "{stage}: {}", stderr(&a));
        assert!(!stdout(&a).is_empty(), "{stage} dump is empty");
        assert_eq!(stdout(&a), stdout(&b), "{stage} dump is not deterministic");
    }
    let ir = stdout(&optimist(&["check", "examples/basics.opt", "--dump", "ir"]));
    assert!(ir.contains("param budget"), "{ir}");
    assert!(ir.contains("geomspace("), "{ir}");
    let a = optimist(&["check", "examples/direct.opt", "--dump", "tape"]);
    let b = optimist(&["check", "examples/direct.opt", "--dump", "tape"]);
    assert_eq!(a.status.code(), Some(0), "tape: {}", stderr(&a));
    assert_eq!(stdout(&a), stdout(&b), "tape dump is not deterministic");
    assert!(stdout(&a).contains("= sum(t"), "{}", stdout(&a));
}

#[test]
fn colour_only_when_asked() {
    let o = optimist(&[
        "check",
        "tests/errors/unknown_name.opt",
        "--color",
        "always",
    ]);
    assert!(
        stderr(&o).contains('\u{1b}'),
        "no colour with --color always"
    );
    let o = optimist(&["check", "tests/errors/unknown_name.opt"]);
    assert!(!stderr(&o).contains('\u{1b}'), "colour on a pipe");
}

#[test]
fn a_failed_run_leaves_no_half_written_file() {
    let dir = common::scratch("cli", "atomic");
    let script = write(
        &dir,
        "s.opt",
        "param n = 0\nsave [1, 2, 3] to \"good.json\"\nsave 10 / n to \"bad.json\"\nreport 1\n",
    );
    let out = dir.join("out");
    let o = optimist(&["run", &script, "--out", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let good = std::fs::read_to_string(out.join("good.json")).expect("the first save completed");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&good).unwrap(),
        serde_json::json!([1, 2, 3])
    );
    assert!(!out.join("bad.json").exists(), "a failed save left a file");
    assert!(
        !out.join("report.yaml").exists(),
        "a failed run left a report"
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["good.json".to_string()],
        "temporary files left behind"
    );

    let o = optimist(&[
        "run",
        &script,
        "--out",
        &out.to_string_lossy(),
        "--set",
        "n=5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = std::fs::read_to_string(out.join("report.yaml")).unwrap();
    assert!(report.contains("value: 1"), "{report}");
    assert_eq!(
        std::fs::read_to_string(out.join("bad.json"))
            .unwrap()
            .trim(),
        "2"
    );
}

#[test]
fn doc_prints_the_reference() {
    let o = optimist(&["doc"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("### `sqrt(x)`"), "{}", stdout(&o));
}

#[test]
fn repl_reads_piped_input_without_prompts() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_optimist"))
        .arg("repl")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"let xs = [1, 2,\n 3]\nsum(xs)\nxs |> len\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "sum(xs) = 6\nxs |> len = 3\n");
}

#[test]
fn plot_writes_an_svg_into_the_out_dir() {
    let dir = common::scratch("cli", "plot");
    let script = write(
        &dir,
        "p.opt",
        "plot sweep(plan(mcts), sims=[4, 64], on=tictactoe(), n=4) to \"scaling.svg\"\n",
    );
    let out = dir.join("out");
    let o = optimist(&["run", &script, "--out", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let svg = std::fs::read_to_string(out.join("scaling.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("sims"),
        "{}",
        &svg[..200.min(svg.len())]
    );
}
