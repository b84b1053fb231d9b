//! Syntax errors, one mistake class per file: every
//! `tests/errors/syntax_*.opt` must produce diagnostics, rendered without
//! colour and snapshotted, one snapshot per file. Reading the snapshots is
//! the point: each message must say what was expected, what was found and
//! where.

use optimist::diagnostics::render;
use optimist::span::Sources;
use optimist::syntax;

#[test]
fn syntax_errors() {
    insta::glob!("errors/syntax_*.opt", |path| {
        let text = std::fs::read_to_string(path).expect("error file is readable");
        let file = path
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        let mut sources = Sources::new();
        let id = sources.add(format!("errors/{file}"), text.as_str());
        let parsed = syntax::parse(id, &text);
        assert!(
            !parsed.diagnostics.is_empty(),
            "{file} should not parse cleanly"
        );
        assert!(
            parsed.program.is_some(),
            "{file}: recovery should keep a program"
        );
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        let rendered = render(&parsed.diagnostics, &sources, false);
        insta::assert_snapshot!(format!(
            "codes: {}\nincomplete: {}\n\n{rendered}",
            codes.join(" "),
            parsed.incomplete
        ));
    });
}
