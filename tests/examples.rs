//! Every `examples/*.opt` runs at two run seeds. At run seed 0 its output
//! (without wall-clock columns) is snapshotted, its claim is asserted, and
//! the figures its claim check reports must be the ones the README's
//! Experiments table shows (`OPTIMIST_BLESS=1` rewrites that column). At
//! run seed 100 (other seeds for every measurement) the claim must hold
//! again: a claim that needs a lucky seed fails.

mod claims;
mod common;

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::output::render_text_with;
use optimist::interp::{Interpreter, Output, Registry, RunSettings};
use std::path::{Path, PathBuf};

fn examples() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "opt"))
            .collect();
    paths.sort();
    paths
}

/// Runs an example at `seed`: its text (without wall-clock columns) and outputs.
fn run(path: &Path, seed: u64) -> (String, Vec<Output>) {
    let registry = Registry::standard();
    driver::with_big_stack(|| {
        let settings = Settings {
            seed,
            ..Settings::default()
        };
        let checked = driver::check_file(path, &registry, &settings).unwrap();
        let diags = render(&checked.diagnostics, &checked.sources, false);
        assert!(checked.ok(), "{} does not check:\n{diags}", path.display());
        // Plots go to a directory per run seed: the two tests run at once.
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("examples-seed-{seed}"));
        std::fs::create_dir_all(&out).unwrap();
        let run = RunSettings {
            seed,
            out_dir: Some(out),
            ..RunSettings::default()
        };
        let mut interp = Interpreter::new(&registry, run);
        let mut text = String::new();
        let outcome = driver::run(checked.ir.as_ref().unwrap(), &mut interp, &mut |o| {
            text.push_str(&render_text_with(o, true));
            text.push('\n');
        });
        let errors = render(&outcome.diagnostics, &checked.sources, false);
        assert!(
            outcome.ok(),
            "{} failed at seed {seed}:\n{errors}",
            path.display()
        );
        (text, outcome.outputs)
    })
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_example_runs_shows_its_claim_and_prints_what_it_printed() {
    let mut figures = Vec::new();
    insta::glob!("../examples", "*.opt", |path| {
        let (text, outputs) = run(path, 0);
        let name = stem(path);
        figures.push((name.clone(), claims::check(&name, &outputs)));
        insta::assert_snapshot!(text);
    });
    readme_shows(&figures);
}

#[test]
fn every_claim_holds_at_another_run_seed() {
    for path in examples() {
        let (_, outputs) = run(&path, 100);
        claims::check(&stem(&path), &outputs);
    }
}

/// The README's Experiments table: one row per example whose last cell is
/// the figures its claim check reported.
fn readme_shows(figures: &[(String, String)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    let mut wrong = Vec::new();
    for line in readme.lines() {
        let found = figures
            .iter()
            .find(|(name, _)| line.starts_with(&format!("| `{name}.opt` |")));
        match found {
            Some((name, fig)) => {
                let cells: Vec<&str> = line.trim_end_matches('|').split(" | ").collect();
                let expected = format!("{} | {fig} |", cells[..cells.len() - 1].join(" | "));
                if line != expected {
                    wrong.push(format!("{name}:\n  README: {line}\n  run:    {expected}"));
                }
                out.push(expected);
            }
            None => out.push(line.to_string()),
        }
    }
    for (name, _) in figures {
        assert!(
            readme.contains(&format!("| `{name}.opt` |")),
            "the README's Experiments table has no row for {name}.opt"
        );
    }
    if std::env::var_os("OPTIMIST_BLESS").is_some() {
        std::fs::write(&path, out.join("\n") + "\n").unwrap();
        return;
    }
    assert!(
        wrong.is_empty(),
        "the README's Experiments table does not say what the examples measured \
         (OPTIMIST_BLESS=1 cargo test --release --test examples rewrites it):\n{}",
        wrong.join("\n")
    );
}
