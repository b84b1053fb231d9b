//! Data-driven tests of the front end.
//!
//! * Every `tests/syntax/*.opt` must parse without diagnostics; its token
//!   dump, AST dump and IR dump (or, for a file the checker rejects, its
//!   diagnostics), and the tapes of its objectives if it has any, are
//!   snapshotted together, one snapshot per file.
//! * Every example in `grammar/optimist.ebnf` (a comment `(* example: … *)`)
//!   must parse without diagnostics.

use optimist::diagnostics::render;
use optimist::driver::{self, Checked, Stage};
use optimist::span::Sources;
use optimist::syntax::{self, dump_ast, dump_tokens};
use std::fmt::Write;
use std::path::Path;

/// Appends one stage's dump under a heading.
fn stage(out: &mut String, name: &str, dump: &str) {
    let _ = write!(out, "=== {name}\n{dump}");
}

#[test]
fn corpus() {
    insta::glob!("syntax/*.opt", |path| {
        let text = std::fs::read_to_string(path).expect("corpus file is readable");
        let name = display_name(path);
        let mut sources = Sources::new();
        let id = sources.add(&name, text.as_str());
        let parsed = syntax::parse(id, &text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{name} should parse cleanly:\n{}",
            render(&parsed.diagnostics, &sources, false)
        );
        let Some(program) = parsed.program else {
            panic!("{name}: no program");
        };
        let (tokens, _) = syntax::lex(id, &text);

        let mut out = String::new();
        stage(&mut out, "tokens", &dump_tokens(&tokens));
        stage(&mut out, "ast", &dump_ast(&program));
        let registry = optimist::interp::Registry::standard();
        let checked = driver::check_text(&name, &text, &registry, &Default::default());
        stage(&mut out, "ir", &ir_dump(&checked));
        let tapes = driver::dump(&checked, Stage::Tape);
        if !tapes.is_empty() {
            stage(&mut out, "tape", &tapes);
        }
        insta::assert_snapshot!(out);
    });
}

/// The checked IR of a corpus file, or — for files that use what the
/// checker rejects on purpose (unknown builtins in syntax-only examples) —
/// its diagnostics.
fn ir_dump(checked: &Checked) -> String {
    match &checked.ir {
        Some(ir) if checked.ok() => ir.dump(),
        _ => format!(
            "(does not check)\n{}",
            render(&checked.diagnostics, &checked.sources, false)
        ),
    }
}

fn display_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    format!("syntax/{file}")
}

/// The examples in the grammar's comments, in order.
fn grammar_examples(grammar: &str) -> Vec<String> {
    const OPEN: &str = "(* example:";
    let mut examples = Vec::new();
    let mut rest = grammar;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find("*)") else {
            panic!("unterminated example comment in the grammar");
        };
        examples.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    examples
}

#[test]
fn grammar_examples_parse_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/optimist.ebnf");
    let grammar = std::fs::read_to_string(path).expect("grammar/optimist.ebnf is readable");
    let examples = grammar_examples(&grammar);
    assert!(
        examples.len() >= 30,
        "only {} examples found",
        examples.len()
    );
    for example in &examples {
        let mut sources = Sources::new();
        let id = sources.add("grammar example", example.as_str());
        let parsed = syntax::parse_repl(id, example);
        assert!(
            parsed.diagnostics.is_empty(),
            "grammar example `{example}` does not parse:\n{}",
            render(&parsed.diagnostics, &sources, false)
        );
        let items = parsed.program.map_or(0, |p| p.items.len());
        assert!(items > 0, "grammar example `{example}` is empty");
    }
}
