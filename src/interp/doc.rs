//! The reference, generated from the registry: `optimist doc` prints it and
//! `docs/reference.md` is kept equal to it by a test. The language server's
//! hover shows the same entries ([`builtin_entry`], [`algorithm_entry`]).

use super::registry::Registry;
use crate::ir::signature::{param_usage, AlgorithmSig, ParamSig, ResultRule, Signature};
use std::fmt::Write;

pub fn reference(registry: &Registry) -> String {
    let mut out = String::new();
    out.push_str("# Optimist reference\n\n");
    out.push_str("Generated from the builtin registry by `optimist doc`; do not edit by hand.\n\n");
    let mut groups: Vec<&str> = Vec::new();
    for b in registry.builtins() {
        if !groups.contains(&b.sig.group) {
            groups.push(b.sig.group);
        }
    }
    for group in groups {
        let _ = writeln!(out, "## {group}\n");
        for b in registry.builtins().filter(|b| b.sig.group == group) {
            let _ = writeln!(out, "### `{}` → {}\n", b.sig.usage(), result(&b.sig));
            out.push_str(&builtin_entry(&b.sig));
        }
    }
    if !registry.algorithms().is_empty() {
        out.push_str("## algorithms\n\nUsed as `plan(ALGORITHM, …)`; each takes its own named parameters.\n\n");
        for a in registry.algorithms() {
            let _ = writeln!(out, "### `{}`\n", a.usage());
            out.push_str(&algorithm_entry(a));
        }
    }
    out
}

/// What a builtin returns, in words.
fn result(s: &Signature) -> String {
    match s.result {
        ResultRule::Fixed(k) => k.kind().to_string(),
        ResultRule::Elementwise(_) => "Num (Vector for a Vector)".to_string(),
        ResultRule::ElementOf(_) => "the element kind".to_string(),
        ResultRule::SameAs(i) => format!("the kind of `{}`", s.params[i].name),
    }
}

/// A builtin's usage and what it returns: `sqrt(x) → Num`.
pub fn builtin_heading(s: &Signature) -> String {
    format!("{} → {}", s.usage(), result(s))
}

/// A builtin's entry below its heading (Markdown): its doc, its parameter
/// table and its example.
pub fn builtin_entry(s: &Signature) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", s.doc);
    params_table(&mut out, &s.params);
    if !s.example.is_empty() {
        let _ = writeln!(out, "Example: `{}`\n", s.example);
    }
    out
}

/// An algorithm's entry below its heading (`usage()`), in Markdown.
pub fn algorithm_entry(a: &AlgorithmSig) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", a.doc);
    let _ = writeln!(out, "Solves {}.", a.families.describe());
    if a.warm_starts.is_empty() {
        let _ = writeln!(out, "Takes no warm start.\n");
    } else {
        let _ = writeln!(out, "Takes {}.\n", a.warm_starts.join("; "));
    }
    params_table(&mut out, &a.params);
    out
}

/// One parameter as a Markdown line: `` `sims`: Int, default `400`, in [1, 1e6] — doc ``.
pub fn param_line(p: &ParamSig) -> String {
    let default = match &p.default {
        Some(d) => format!("default `{d}`"),
        None => "required".to_string(),
    };
    let range = p.range.map(|r| format!(", {r}")).unwrap_or_default();
    format!("`{}`: {}, {default}{range} — {}", p.name, p.kind, p.doc)
}

fn params_table(out: &mut String, params: &[ParamSig]) {
    if params.is_empty() {
        return;
    }
    out.push_str("| parameter | kind | default | range | meaning |\n|---|---|---|---|---|\n");
    for p in params {
        let default = match &p.default {
            Some(d) => format!("`{d}`"),
            None => "required".to_string(),
        };
        let range = p.range.map(|r| r.to_string()).unwrap_or_default();
        let name = if p.named_only {
            param_usage(p)
        } else {
            p.name.to_string()
        };
        let _ = writeln!(
            out,
            "| `{name}` | {} | {default} | {range} | {} |",
            p.kind, p.doc
        );
    }
    out.push('\n');
}
