//! Every `examples/*.opt` runs, and its output is snapshotted: an example
//! that stops working, or starts printing something else, fails the build.

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::output::render_text_with;
use optimist::interp::{Interpreter, Registry, RunSettings};

#[test]
fn every_example_runs_and_prints_what_it_printed() {
    insta::glob!("../examples", "*.opt", |path| {
        let registry = Registry::standard();
        let out = driver::with_big_stack(|| {
            let checked = driver::check_file(path, &registry, &Settings::default()).unwrap();
            let diags = render(&checked.diagnostics, &checked.sources, false);
            assert!(checked.ok(), "{} does not check:\n{diags}", path.display());
            let mut interp = Interpreter::new(&registry, RunSettings::default());
            let mut text = String::new();
            let outcome = driver::run(checked.ir.as_ref().unwrap(), &mut interp, &mut |o| {
                text.push_str(&render_text_with(o, true));
            });
            let errors = render(&outcome.diagnostics, &checked.sources, false);
            assert!(outcome.ok(), "{} failed:\n{errors}", path.display());
            text
        });
        insta::assert_snapshot!(out);
    });
}
