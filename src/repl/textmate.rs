//! `grammar/optimist.tmLanguage.json`, the TextMate grammar editors use to
//! colour scripts, generated from the lexer's keywords and the registry's
//! builtins and algorithms. A test keeps the file equal to [`grammar`], so
//! a new builtin is coloured as soon as it is registered.

use crate::interp::Registry;
use crate::syntax::Keyword;
use serde_json::json;

/// The grammar, as the JSON text the file holds.
pub fn grammar(registry: &Registry) -> String {
    let words = |ks: &[Keyword]| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join("|");
    let declarations = words(&[
        Keyword::Param,
        Keyword::Let,
        Keyword::Objective,
        Keyword::Dataset,
        Keyword::Model,
        Keyword::Pipeline,
    ]);
    let control = words(&[
        Keyword::Use,
        Keyword::Report,
        Keyword::Plot,
        Keyword::Save,
        Keyword::To,
    ]);
    let mut builtins = registry.builtins().map(|b| b.sig.name).collect::<Vec<_>>();
    builtins.sort_unstable();
    let mut algorithms = registry
        .algorithms()
        .iter()
        .map(|a| a.name)
        .collect::<Vec<_>>();
    algorithms.sort_unstable();
    let name = "[A-Za-z_][A-Za-z0-9_]*";
    let g = json!({
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Optimist",
        "scopeName": "source.optimist",
        "fileTypes": ["opt"],
        "patterns": [
            { "include": "#comment" },
            { "include": "#string" },
            { "include": "#declaration" },
            { "include": "#def" },
            { "include": "#keyword" },
            { "include": "#boolean" },
            { "include": "#number" },
            { "include": "#builtin" },
            { "include": "#algorithm" },
            { "include": "#pipe" },
            { "include": "#operator" }
        ],
        "repository": {
            "comment": {
                "name": "comment.line.number-sign.optimist",
                "match": "#.*$"
            },
            "string": {
                "name": "string.quoted.double.optimist",
                "begin": "\"",
                "end": "\"|$",
                "patterns": [
                    { "name": "constant.character.escape.optimist", "match": "\\\\[\"\\\\nt]" },
                    { "name": "invalid.illegal.escape.optimist", "match": "\\\\." }
                ]
            },
            "declaration": {
                "match": format!("\\b({declarations})\\s+({name})"),
                "captures": {
                    "1": { "name": "storage.type.optimist" },
                    "2": { "name": "variable.other.declaration.optimist" }
                }
            },
            "def": {
                "match": format!("\\b(def)\\s+({name})"),
                "captures": {
                    "1": { "name": "storage.type.function.optimist" },
                    "2": { "name": "entity.name.function.optimist" }
                }
            },
            "keyword": {
                "name": "keyword.control.optimist",
                "match": format!("\\b({control})\\b")
            },
            "boolean": {
                "name": "constant.language.boolean.optimist",
                "match": "\\b(true|false)\\b"
            },
            "number": {
                "name": "constant.numeric.optimist",
                "match": "\\b[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?\\b"
            },
            "builtin": {
                "name": "support.function.builtin.optimist",
                "match": format!("\\b({})\\b(?=\\s*\\()", builtins.join("|"))
            },
            "algorithm": {
                "name": "support.constant.algorithm.optimist",
                "match": format!("\\b({})\\b", algorithms.join("|"))
            },
            "pipe": {
                "name": "keyword.operator.pipe.optimist",
                "match": "\\|>"
            },
            "operator": {
                "name": "keyword.operator.optimist",
                "match": "[-+*/^=]"
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&g).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_builtin_and_algorithm_is_in_the_grammar() {
        let r = Registry::standard();
        let g: serde_json::Value = serde_json::from_str(&grammar(&r)).unwrap_or_default();
        let repo = &g["repository"];
        let all = format!(
            "{} {} {} {} {}",
            repo["declaration"]["match"],
            repo["def"]["match"],
            repo["keyword"]["match"],
            repo["boolean"]["match"],
            repo["builtin"]["match"]
        );
        for k in Keyword::ALL {
            assert!(all.contains(k.as_str()), "keyword {}", k.as_str());
        }
        let builtins = repo["builtin"]["match"].as_str().unwrap_or("");
        for b in r.builtins() {
            assert!(
                builtins.contains(&format!("|{}|", b.sig.name))
                    || builtins.contains(&format!("({}|", b.sig.name))
                    || builtins.contains(&format!("|{})", b.sig.name)),
                "{}",
                b.sig.name
            );
        }
        let algorithms = repo["algorithm"]["match"].as_str().unwrap_or("");
        for a in r.algorithms() {
            assert!(algorithms.contains(a.name), "{}", a.name);
        }
    }
}
