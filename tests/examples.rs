//! Every `examples/*.opt` runs once: its output (without wall-clock
//! columns) is snapshotted, and the claim the example exists to show is
//! asserted with numbers by `claims::check` — an example that stops
//! working, prints something else, or stops showing its result fails.

mod claims;
mod common;

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::output::render_text_with;
use optimist::interp::{Interpreter, Registry, RunSettings};

#[test]
fn every_example_runs_shows_its_claim_and_prints_what_it_printed() {
    insta::glob!("../examples", "*.opt", |path| {
        let registry = Registry::standard();
        let (text, outputs) = driver::with_big_stack(|| {
            let checked = driver::check_file(path, &registry, &Settings::default()).unwrap();
            let diags = render(&checked.diagnostics, &checked.sources, false);
            assert!(checked.ok(), "{} does not check:\n{diags}", path.display());
            let mut interp = Interpreter::new(&registry, RunSettings::default());
            let mut text = String::new();
            let outcome = driver::run(checked.ir.as_ref().unwrap(), &mut interp, &mut |o| {
                text.push_str(&render_text_with(o, true));
                text.push('\n');
            });
            let errors = render(&outcome.diagnostics, &checked.sources, false);
            assert!(outcome.ok(), "{} failed:\n{errors}", path.display());
            (text, outcome.outputs)
        });
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        claims::check(&stem, &outputs);
        insta::assert_snapshot!(text);
    });
}
