//! Every file in `tests/errors/` is one mistake class: the full rendered
//! diagnostics (without colour) of checking, and running if it checks, are
//! snapshotted, one snapshot per file.
//!
//! A file may start with directives in comments:
//! `# args: --set NAME=VALUE …` and `# config: FILE.yaml` (beside the file).

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::{Interpreter, Registry, RunSettings};
use std::path::Path;

fn settings_for(text: &str) -> Settings {
    let mut settings = Settings::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(args) = line.strip_prefix("# args:") {
            let words: Vec<&str> = args.split_whitespace().collect();
            for pair in words.windows(2) {
                if pair[0] == "--set" {
                    settings.sets.push(pair[1].to_string());
                }
            }
        }
        if let Some(file) = line.strip_prefix("# config:") {
            settings.config = Some(Path::new("tests/errors").join(file.trim()));
        }
    }
    settings
}

/// The rendered diagnostics of checking and, if that succeeds, running.
pub fn diagnose(path: &Path) -> String {
    let registry = Registry::standard();
    let text = std::fs::read_to_string(path).unwrap();
    let settings = settings_for(&text);
    let name = format!(
        "tests/errors/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let checked = driver::check_text(&name, &text, &registry, &settings);
    let mut out = render(&checked.diagnostics, &checked.sources, false);
    if let Some(ir) = checked.ir.as_ref().filter(|_| checked.ok()) {
        let mut interp = Interpreter::new(&registry, RunSettings::default());
        let outcome = driver::run(ir, &mut interp, &mut |_| {});
        out.push_str(&render(&outcome.diagnostics, &checked.sources, false));
    }
    out
}

#[test]
fn every_error_file_gives_its_diagnostics() {
    insta::glob!("errors/*.opt", |path| {
        let out = optimist::driver::with_big_stack(|| diagnose(path));
        assert!(
            !out.trim().is_empty(),
            "{} produced no diagnostic",
            path.display()
        );
        insta::assert_snapshot!(out);
    });
}
