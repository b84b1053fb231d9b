//! The reference, generated from the registry: `optimist doc` prints it and
//! `docs/reference.md` is kept equal to it by a test.

use super::registry::Registry;
use crate::ir::signature::{param_usage, ParamSig, ResultRule};
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
            let s = &b.sig;
            let result = match s.result {
                ResultRule::Fixed(k) => k.kind().to_string(),
                ResultRule::Elementwise(_) => "Num (Vector for a Vector)".to_string(),
                ResultRule::ElementOf(_) => "the element kind".to_string(),
                ResultRule::SameAs(i) => format!("the kind of `{}`", s.params[i].name),
            };
            let _ = writeln!(out, "### `{}` → {result}\n", s.usage());
            let _ = writeln!(out, "{}\n", s.doc);
            params_table(&mut out, &s.params);
            if !s.example.is_empty() {
                let _ = writeln!(out, "Example: `{}`\n", s.example);
            }
        }
    }
    if !registry.algorithms().is_empty() {
        out.push_str("## algorithms\n\nUsed as `plan(ALGORITHM, …)`; each takes its own named parameters.\n\n");
        for a in registry.algorithms() {
            let _ = writeln!(out, "### `{}`\n", a.usage());
            let _ = writeln!(out, "{}\n", a.doc);
            let _ = writeln!(out, "Solves {}.", a.families.describe());
            if a.warm_starts.is_empty() {
                let _ = writeln!(out, "Takes no warm start.\n");
            } else {
                let _ = writeln!(out, "Takes {}.\n", a.warm_starts.join("; "));
            }
            params_table(&mut out, &a.params);
        }
    }
    out
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
