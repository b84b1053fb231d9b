//! Helpers shared by the test files that run scripts and read their reports.
#![allow(dead_code)]

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::{Interpreter, Output, Registry, RunSettings, Value};
use optimist::report::{Cell, Table};

/// Checks and runs a script; panics with the rendered diagnostics on failure.
pub fn run_script(text: &str, seed: u64, threads: usize) -> Vec<Output> {
    run_script_with(&Registry::standard(), text, seed, threads)
}

/// Like [`run_script`], with a registry of the caller's (one that has
/// algorithms or problems registered from outside the crate).
pub fn run_script_with(registry: &Registry, text: &str, seed: u64, threads: usize) -> Vec<Output> {
    driver::with_big_stack(|| {
        let settings = Settings {
            seed,
            ..Settings::default()
        };
        let checked = driver::check_text("test.opt", text, registry, &settings);
        assert!(
            checked.ok(),
            "script does not check:\n{}",
            render(&checked.diagnostics, &checked.sources, false)
        );
        let run = RunSettings {
            seed,
            threads,
            ..RunSettings::default()
        };
        let mut interp = Interpreter::new(registry, run);
        let outcome = driver::run(checked.ir.as_ref().unwrap(), &mut interp, &mut |_| {});
        assert!(
            outcome.ok(),
            "script failed:\n{}",
            render(&outcome.diagnostics, &checked.sources, false)
        );
        outcome.outputs
    })
}

/// The table of report `i`.
pub fn table(outputs: &[Output], i: usize) -> &Table {
    match &outputs[i].value {
        Value::Report(t) => t,
        other => panic!("report {i} is not a table: {other}"),
    }
}

/// A numeric cell by row and column name.
pub fn cell(t: &Table, row: usize, column: &str) -> f64 {
    let col = t
        .column_index(column)
        .unwrap_or_else(|| panic!("no column `{column}` in {:?}", t.columns));
    match &t.rows[row][col] {
        Cell::Int(i) => *i as f64,
        Cell::Num(x) => *x,
        other => panic!("cell {row}/{column} is not a number: {other:?}"),
    }
}

/// The table without wall-clock columns, as text: what snapshots compare.
pub fn stable_text(t: &Table) -> String {
    t.without_volatile().render()
}

/// A fresh, empty folder for one test: `optimist-{suite}-{name}-{pid}` in
/// the temporary directory (the process id keeps concurrent runs apart).
pub fn scratch(suite: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("optimist-{suite}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// A finished command's standard output, as text.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A finished command's standard error, as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `optimist repl` with `args`, fed `input` on a pipe, as a script would be
/// (`NO_COLOR` unset: piped output must be plain of itself).
pub fn repl_piped(input: &[u8], args: &[&str]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_optimist"))
        .arg("repl")
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("the binary ends")
}
