//! `--config FILE.yaml`: parsed into param overrides, then applied to a
//! script that declares params of several kinds (and rendered, as the CLI
//! does). Diagnostics are expected; panics are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use optimist::driver::{self, Settings};
use optimist::interp::Registry;
use std::path::PathBuf;
use std::sync::OnceLock;

const SCRIPT: &str = "param sims = 400\nparam rate = 0.5\nparam name = \"a\"\nparam on = true\n\
param budgets = [1, 4, 16]\nreport [sims * rate, len(budgets)]\n";

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::standard)
}

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("optimist-fuzz-config-{}.yaml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut sources = optimist::span::Sources::new();
        let id = sources.add("config.yaml", text);
        let _ = optimist::ir::overrides::parse_config(&sources, id);
    }
    std::fs::write(path(), data).expect("write the config");
    let settings = Settings {
        config: Some(path().clone()),
        ..Settings::default()
    };
    let checked = driver::check_text("fuzz.opt", SCRIPT, registry(), &settings);
    let _ = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
});
