//! Bad input never crashes: 10,000+ seeded random inputs (random bytes,
//! random token sequences, and mutations of the example and test scripts)
//! go through parse, check and — for those that check and use only the
//! cheap language-level builtins — run. Every failure must be a diagnostic.

use optimist::driver::{self, Settings};
use optimist::interp::{Interpreter, Registry, RunSettings};
use optimist::ir::graph::Op;
use optimist::rng::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};

const TOKENS: &[&str] = &[
    "use",
    "std",
    ".",
    "math",
    "param",
    "let",
    "objective",
    "dataset",
    "model",
    "pipeline",
    "def",
    "report",
    "plot",
    "save",
    "to",
    "true",
    "false",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "+",
    "-",
    "*",
    "/",
    "^",
    "|>",
    "x",
    "y",
    "f",
    "sum",
    "len",
    "range",
    "sqrt",
    "round",
    "digits",
    "1",
    "2.5",
    "1e-3",
    "0",
    "\"s\"",
    "\"",
    "#c\n",
    "\n",
    " ",
    "@",
    "$",
    "{",
    "}",
    ":",
    ";",
    "9999999999999999999999",
];

fn corpus() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/syntax", "tests/errors"] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if p.extension().is_some_and(|e| e == "opt") {
                    if let Ok(t) = std::fs::read_to_string(&p) {
                        files.push(t);
                    }
                }
            }
        }
    }
    assert!(!files.is_empty(), "no scripts found to mutate");
    files
}

fn random_bytes(rng: &mut Rng) -> String {
    let n = rng.below(200);
    let bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn random_tokens(rng: &mut Rng) -> String {
    let n = rng.below(60);
    (0..n)
        .map(|_| TOKENS[rng.below(TOKENS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len());
        match rng.below(4) {
            0 => {
                chars.remove(at);
            }
            1 => {
                let t: Vec<char> = TOKENS[rng.below(TOKENS.len())].chars().collect();
                for (k, c) in t.into_iter().enumerate() {
                    chars.insert(at + k, c);
                }
            }
            2 => {
                let end = (at + rng.below(20)).min(chars.len());
                chars.drain(at..end);
            }
            _ => {
                let other = rng.below(chars.len());
                chars.swap(at, other);
            }
        }
    }
    chars.into_iter().collect()
}

/// Builtins cheap enough to run on arbitrary arguments.
fn cheap(registry: &Registry, name: &str) -> bool {
    registry
        .get(name)
        .is_some_and(|b| matches!(b.sig.group, "math" | "lists") && name != "range")
}

fn exercise(registry: &Registry, text: &str) {
    let checked = driver::check_text("fuzz.opt", text, registry, &Settings::default());
    for d in &checked.diagnostics {
        // Every diagnostic renders (spans in bounds, no ariadne panic).
        let _ = optimist::diagnostics::render(std::slice::from_ref(d), &checked.sources, false);
    }
    let Some(ir) = checked.ir.as_ref().filter(|_| checked.ok()) else {
        return;
    };
    let runnable = ir.nodes.iter().all(|n| match &n.op {
        Op::Call { builtin, .. } => cheap(registry, builtin),
        _ => true,
    });
    if runnable {
        let mut interp = Interpreter::new(registry, RunSettings::default());
        let outcome = driver::run(ir, &mut interp, &mut |_| {});
        let _ = optimist::diagnostics::render(&outcome.diagnostics, &checked.sources, false);
    }
}

#[test]
fn ten_thousand_random_inputs_never_panic() {
    let registry = Registry::standard();
    let files = corpus();
    driver::with_big_stack(|| {
        let mut rng = Rng::new(20261122);
        for case in 0..10_500 {
            let text = match case % 3 {
                0 => random_bytes(&mut rng),
                1 => random_tokens(&mut rng),
                _ => {
                    let base = &files[rng.below(files.len())];
                    mutate(&mut rng, base)
                }
            };
            let result = catch_unwind(AssertUnwindSafe(|| exercise(&registry, &text)));
            assert!(result.is_ok(), "case {case} panicked on input:\n{text:?}");
        }
    });
}
