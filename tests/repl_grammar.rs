//! `grammar/optimist.tmLanguage.json` is generated from the lexer's
//! keywords and the registry: it must equal what the code generates now,
//! and so must the VS Code extension's copy
//! (`editors/vscode/syntaxes/optimist.tmLanguage.json`). Regenerate both
//! with `OPTIMIST_BLESS=1 cargo test --test repl_grammar`.

use optimist::interp::Registry;
use std::path::Path;

const COPIES: [&str; 2] = [
    "grammar/optimist.tmLanguage.json",
    "editors/vscode/syntaxes/optimist.tmLanguage.json",
];

#[test]
fn the_textmate_grammar_is_in_sync_with_the_registry() {
    let expected = optimist::repl::textmate::grammar(&Registry::standard());
    for copy in COPIES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(copy);
        if std::env::var_os("OPTIMIST_BLESS").is_some() {
            std::fs::write(&path, &expected).expect("the grammar's folder is writable");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{copy} is out of date: \
             run `OPTIMIST_BLESS=1 cargo test --release --test repl_grammar`"
        );
        let parsed: serde_json::Value = serde_json::from_str(&actual).expect("valid JSON");
        assert_eq!(parsed["scopeName"], "source.optimist");
        let builtins = parsed["repository"]["builtin"]["match"]
            .as_str()
            .unwrap_or_default();
        for name in ["plan", "evaluate", "tictactoe", "sqrt"] {
            assert!(builtins.contains(name), "{name} is not coloured in {copy}");
        }
    }
}

/// The extension's manifest names files that exist, the grammar by the
/// scope it declares, and a client that starts `optimist lsp`.
#[test]
fn the_vscode_extension_points_at_its_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_default();
    let manifest: serde_json::Value =
        serde_json::from_str(&read("package.json")).expect("package.json is JSON");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "optimist");
    assert_eq!(language["extensions"][0], ".opt");
    let config = language["configuration"].as_str().unwrap_or_default();
    let config: serde_json::Value =
        serde_json::from_str(&read(config)).expect("the language configuration is JSON");
    assert_eq!(config["comments"]["lineComment"], "#");
    let grammar = &manifest["contributes"]["grammars"][0];
    let grammar_file: serde_json::Value =
        serde_json::from_str(&read(grammar["path"].as_str().unwrap_or_default()))
            .expect("the grammar the manifest names is there");
    assert_eq!(grammar["scopeName"], grammar_file["scopeName"]);
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
    let main = read(manifest["main"].as_str().unwrap_or_default());
    assert!(main.contains("vscode-languageclient/node"), "{main}");
    assert!(main.contains("args: [\"lsp\"]"), "{main}");
}
