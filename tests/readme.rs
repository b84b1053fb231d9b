//! Docs execute: every ```opt block of the README checks and runs.

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::{Interpreter, Registry, RunSettings};

fn opt_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```opt") => current = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn every_opt_block_in_the_readme_runs() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let blocks = opt_blocks(&readme);
    assert!(!blocks.is_empty(), "the README has no ```opt blocks");
    let registry = Registry::standard();
    for (i, block) in blocks.iter().enumerate() {
        driver::with_big_stack(|| {
            let checked = driver::check_text(
                &format!("README.md#{i}"),
                block,
                &registry,
                &Settings::default(),
            );
            assert!(
                checked.ok(),
                "README block {i} does not check:\n{}",
                render(&checked.diagnostics, &checked.sources, false)
            );
            let mut interp = Interpreter::new(&registry, RunSettings::default());
            let outcome = driver::run(checked.ir.as_ref().unwrap(), &mut interp, &mut |_| {});
            assert!(
                outcome.ok(),
                "README block {i} fails:\n{}",
                render(&outcome.diagnostics, &checked.sources, false)
            );
        });
    }
}
