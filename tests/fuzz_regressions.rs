//! Inputs that once crashed or stalled the program (found by the fuzz
//! targets in `fuzz/` or by issue 14's probe), replayed through the same
//! code paths as the targets: `tests/fuzz_regressions/<target>/*`. Each
//! must end in diagnostics or errors, never a panic.

mod common;

use optimist::driver::{self, Settings, Stage};
use optimist::interp::Registry;
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/fuzz_regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// What `fuzz/fuzz_targets/script.rs` does with one input.
fn script(registry: &Registry, data: &[u8]) -> usize {
    let Ok(text) = optimist::ir::load::decode_text(data.to_vec()) else {
        return 0;
    };
    driver::with_big_stack(|| {
        let checked = driver::check_text(
            "/nonexistent/fuzz.opt",
            &text,
            registry,
            &Settings::default(),
        );
        for stage in [Stage::Tokens, Stage::Ast, Stage::Ir, Stage::Tape] {
            let _ = driver::dump(&checked, stage);
        }
        let rendered = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
        let _ = optimist::fmt::format_source(checked.main, &text);
        let _ = driver::check_repl("", &text, registry, &Settings::default());
        rendered.len()
    })
}

#[test]
fn script_regressions_end_in_diagnostics() {
    let registry = Registry::standard();
    let files = inputs("script");
    assert!(files.len() >= 4, "the regression files are missing");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        // Returns: no panic, no overflow, no abort.
        script(&registry, &data);
    }
}

#[test]
fn dataset_regressions_are_errors_or_data() {
    let dir = common::scratch("fuzzreg", "dataset");
    let files = inputs("dataset");
    assert!(!files.is_empty(), "the regression files are missing");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let Some((&which, body)) = data.split_first() else {
            continue;
        };
        let ext = ["csv", "jsonl", "yaml"][usize::from(which % 3)];
        let path = dir.join(format!("data.{ext}"));
        std::fs::write(&path, body).unwrap();
        let _ = optimist::amortized::dataset_io::load(&path);
    }
}

#[test]
fn checkpoint_regressions_are_errors_or_models() {
    const SPLIT: &[u8] = b"\n#--safetensors--\n";
    let dir = common::scratch("fuzzreg", "checkpoint");
    let files = inputs("checkpoint");
    assert!(!files.is_empty(), "the regression files are missing");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let (sidecar, tensors) = match data.windows(SPLIT.len()).position(|w| w == SPLIT) {
            Some(at) => (&data[..at], &data[at + SPLIT.len()..]),
            None => (&b""[..], &data[..]),
        };
        let path = dir.join("model.safetensors");
        std::fs::write(&path, tensors).unwrap();
        std::fs::write(
            optimist::amortized::checkpoint::sidecar_path(&path),
            sidecar,
        )
        .unwrap();
        let _ = optimist::amortized::checkpoint::load_meta(&path);
        let _ = optimist::amortized::checkpoint::load(&path);
    }
}

#[test]
fn config_regressions_are_diagnostics() {
    let registry = Registry::standard();
    let dir = common::scratch("fuzzreg", "config");
    let script = "param sims = 400\nparam rate = 0.5\nparam name = \"a\"\nparam on = true\n\
        param budgets = [1, 4, 16]\nreport [sims * rate, len(budgets)]\n";
    let files = inputs("config");
    assert!(!files.is_empty(), "the regression files are missing");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let path = dir.join("config.yaml");
        std::fs::write(&path, &data).unwrap();
        let settings = Settings {
            config: Some(path),
            ..Settings::default()
        };
        let checked =
            driver::with_big_stack(|| driver::check_text("fuzz.opt", script, &registry, &settings));
        let _ = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
    }
}
