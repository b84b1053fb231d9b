//! `grammar/optimist.tmLanguage.json` is generated from the lexer's
//! keywords and the registry: it must equal what the code generates now.
//! Regenerate with `OPTIMIST_BLESS=1 cargo test --test repl_grammar`.

use optimist::interp::Registry;
use std::path::Path;

#[test]
fn the_textmate_grammar_is_in_sync_with_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/optimist.tmLanguage.json");
    let expected = optimist::repl::textmate::grammar(&Registry::standard());
    if std::env::var_os("OPTIMIST_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("grammar/ is writable");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "grammar/optimist.tmLanguage.json is out of date: \
         run `OPTIMIST_BLESS=1 cargo test --release --test repl_grammar`"
    );
    let parsed: serde_json::Value = serde_json::from_str(&actual).expect("valid JSON");
    assert_eq!(parsed["scopeName"], "source.optimist");
    let builtins = parsed["repository"]["builtin"]["match"]
        .as_str()
        .unwrap_or_default();
    for name in ["plan", "evaluate", "tictactoe", "sqrt"] {
        assert!(builtins.contains(name), "{name} is not coloured");
    }
}
