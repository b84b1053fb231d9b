//! Script text through the whole front end: lexing, parsing, loading
//! (`use std.…`), checking, def expansion, the tape stage, every `--dump`,
//! the formatter and rendering the diagnostics. Any panic, abort or stack
//! overflow is a bug; diagnostics are the expected outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;
use optimist::driver::{self, Settings, Stage};
use optimist::interp::Registry;
use std::sync::OnceLock;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::standard)
}

fuzz_target!(|data: &[u8]| {
    // Files are decoded as the CLI does (not UTF-8: an error before parsing).
    let Ok(text) = optimist::ir::load::decode_text(data.to_vec()) else {
        return;
    };
    // `use "file"` would read the disk: relative to a folder that has none.
    let checked = driver::check_text(
        "/nonexistent/fuzz.opt",
        &text,
        registry(),
        &Settings::default(),
    );
    for stage in [Stage::Tokens, Stage::Ast, Stage::Ir, Stage::Tape] {
        let _ = driver::dump(&checked, stage);
    }
    let _ = optimist::diagnostics::render(&checked.diagnostics, &checked.sources, false);
    let _ = optimist::fmt::format_source(checked.main, &text);
    let _ = driver::check_repl("", &text, registry(), &Settings::default());
});
