//! Param overrides from the command line (`--set NAME=VALUE`) and from a
//! YAML config file (a mapping of param names to values).
//!
//! A config file is added to the run's sources, so that an unknown name or
//! a value of the wrong kind is reported with a span on the YAML line.

use super::signature::Const;
use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Sources, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum OverrideOrigin {
    /// `--set NAME=VALUE`, as typed.
    Cli(String),
    /// A key of a YAML config; spans point into the config source.
    Config {
        file: String,
        key_span: Span,
        value_span: Span,
    },
}

impl OverrideOrigin {
    pub fn describe(&self) -> String {
        match self {
            OverrideOrigin::Cli(text) => format!("`--set {text}`"),
            OverrideOrigin::Config { file, .. } => format!("config `{file}`"),
        }
    }

    /// Where the new value is written, if it has a span.
    pub fn span(&self) -> Option<Span> {
        match self {
            OverrideOrigin::Cli(_) => None,
            OverrideOrigin::Config { value_span, .. } => Some(*value_span),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub name: String,
    pub value: Const,
    pub origin: OverrideOrigin,
}

/// Parses one `--set NAME=VALUE`. The value is read as an Optimist literal
/// (`800`, `0.5`, `true`, `"text"`, `[16, 64]`, `-1`); anything else is
/// taken as a plain string, so `--set name=run1` works.
pub fn parse_set(text: &str) -> Result<Override, Diagnostic> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(Diagnostic::error(
            "E0403",
            format!("`--set {text}` is not of the form NAME=VALUE"),
        )
        .with_hint("write e.g. `--set sims=800`"));
    };
    let name = name.trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(Diagnostic::error(
            "E0403",
            format!("`--set {text}`: `{name}` is not a param name"),
        )
        .with_hint("param names are letters, digits and `_`, e.g. `--set sims=800`"));
    }
    if value.trim().is_empty() {
        return Err(
            Diagnostic::error("E0403", format!("`--set {text}` gives no value"))
                .with_hint(format!("write e.g. `--set {name}=800`")),
        );
    }
    let value = match literal(value.trim()) {
        Some(c) if mixed_list(&c) => {
            return Err(
                Diagnostic::error("E0403", format!("`--set {text}`: the list mixes kinds"))
                    .with_hint(
                        "a list holds values of one kind, e.g. `[1, 2]` or `[\"a\", \"b\"]`",
                    ),
            )
        }
        Some(c) => c,
        None if looks_numeric(value.trim()) => return Err(Diagnostic::error(
            "E0403",
            format!(
                "`--set {text}`: the number `{}` is out of range",
                value.trim()
            ),
        )
        .with_hint(
            "whole numbers fit in 64 bits; other numbers must be finite (at most about 1.8e308)",
        )),
        None => Const::Str(value.to_string()),
    };
    Ok(Override {
        name: name.to_string(),
        value,
        origin: OverrideOrigin::Cli(text.to_string()),
    })
}

/// Reads an Optimist literal with the real lexer and parser.
fn literal(text: &str) -> Option<Const> {
    let mut sources = Sources::new();
    let id = sources.add("<--set>", text);
    let parsed = crate::syntax::parse_repl(id, text);
    if !parsed.diagnostics.is_empty() {
        return None;
    }
    let program = parsed.program?;
    let [item] = program.items.as_slice() else {
        return None;
    };
    match &item.kind {
        crate::syntax::ast::ItemKind::Expr(e) => expr_const(e),
        _ => None,
    }
}

fn expr_const(e: &crate::syntax::ast::Expr) -> Option<Const> {
    use crate::syntax::ast::{ExprKind, UnaryOp};
    Some(match &e.kind {
        ExprKind::Int(i) => Const::Int(*i),
        ExprKind::Num(x) => Const::Num(*x),
        ExprKind::Bool(b) => Const::Bool(*b),
        ExprKind::Str(s) => Const::Str(s.clone()),
        ExprKind::List(items) => Const::List(items.iter().map(expr_const).collect::<Option<_>>()?),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr,
        } => match expr_const(expr)? {
            Const::Int(i) => Const::Int(i.checked_neg()?),
            Const::Num(x) => Const::Num(-x),
            _ => return None,
        },
        _ => return None,
    })
}

/// Reads a YAML config (already added to `sources` as `id`) into overrides.
pub fn parse_config(sources: &Sources, id: SourceId) -> Result<Vec<Override>, Vec<Diagnostic>> {
    let text = sources.text(id);
    let file = sources.name(id).to_string();
    let whole = Span::new(id, 0..text.len());
    if let Err(e) = crate::yaml::check_depth(text.as_bytes()) {
        let at = e.offset.min(text.len());
        return Err(vec![Diagnostic::error(
            "E0404",
            format!("config `{file}` is not valid YAML"),
        )
        .with_primary(
            Span::new(id, at..(at + 1).min(text.len())),
            format!("nested more than {} levels deep", crate::yaml::MAX_DEPTH),
        )]);
    }
    let value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let span = e
                .location()
                .map(|l| {
                    let at = l.index().min(text.len());
                    Span::new(id, at..(at + 1).min(text.len()).max(at))
                })
                .unwrap_or(whole);
            let msg = e.to_string();
            let msg = msg.split(" at line").next().unwrap_or(&msg).to_string();
            return Err(vec![Diagnostic::error(
                "E0404",
                format!("config `{file}` is not valid YAML"),
            )
            .with_primary(span, msg)]);
        }
    };
    let mapping = match value {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => return Ok(Vec::new()),
        other => {
            return Err(vec![Diagnostic::error(
                "E0405",
                format!("config `{file}` must be a mapping of param names to values"),
            )
            .with_primary(whole, format!("found {}", yaml_kind(&other)))
            .with_hint("write one `name: value` per line, e.g. `sims: 800`")]);
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in mapping {
        let Some(name) = k.as_str().map(str::to_string) else {
            errors.push(
                Diagnostic::error("E0405", format!("config `{file}`: a key is not a name"))
                    .with_primary(whole, format!("found the key {}", yaml_kind(&k))),
            );
            continue;
        };
        let (key_span, value_span) = locate_key(text, id, &name).unwrap_or((whole, whole));
        match yaml_const(&v) {
            Some(value) if mixed_list(&value) => errors.push(
                Diagnostic::error(
                    "E0406",
                    format!("config `{file}`: `{name}` is a list that mixes kinds"),
                )
                .with_primary(value_span, format!("found {}", value.kind()))
                .with_hint("a list holds values of one kind, e.g. `[1, 2]` or `[\"a\", \"b\"]`"),
            ),
            Some(value) => out.push(Override {
                name,
                value,
                origin: OverrideOrigin::Config {
                    file: file.clone(),
                    key_span,
                    value_span,
                },
            }),
            None => errors.push(
                Diagnostic::error(
                    "E0406",
                    format!("config `{file}`: `{name}` has a value a param cannot hold"),
                )
                .with_primary(value_span, format!("found {}", yaml_kind(&v)))
                .with_hint("params hold numbers, strings, booleans or lists of them"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Whether `c` is (or holds) a list whose items are of kinds that do not
/// join (`[1, "a"]`): its kind would say `list of anything`, and the checker
/// would let it through.
fn mixed_list(c: &Const) -> bool {
    let Const::List(items) = c else {
        return false;
    };
    if items.iter().any(mixed_list) {
        return true;
    }
    let mut kinds = items.iter().map(Const::kind);
    let Some(first) = kinds.next() else {
        return false;
    };
    kinds.try_fold(first, |acc, k| acc.join(&k)).is_none()
}

/// Whether `text` is written as a number (`12`, `-1.5e400`), so that a
/// failed literal is a number out of range rather than a string.
fn looks_numeric(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => digits(a) && (b.is_empty() || digits(b)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

fn yaml_const(v: &serde_yaml::Value) -> Option<Const> {
    use serde_yaml::Value;
    Some(match v {
        Value::Bool(b) => Const::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Const::Int(i),
            None => Const::Num(n.as_f64()?),
        },
        Value::String(s) => Const::Str(s.clone()),
        Value::Sequence(items) => Const::List(items.iter().map(yaml_const).collect::<Option<_>>()?),
        _ => return None,
    })
}

fn yaml_kind(v: &serde_yaml::Value) -> &'static str {
    use serde_yaml::Value;
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The spans of a top-level `name:` key and of the rest of its line.
fn locate_key(text: &str, id: SourceId, name: &str) -> Option<(Span, Span)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let bare = trimmed
            .strip_prefix(name)
            .filter(|rest| rest.trim_start().starts_with(':'));
        let quoted = trimmed
            .strip_prefix('"')
            .and_then(|r| r.strip_prefix(name))
            .and_then(|r| r.strip_prefix('"'))
            .filter(|rest| rest.trim_start().starts_with(':'));
        if let Some(rest) = bare.or(quoted) {
            let key_end = offset + (trimmed.len() - rest.len());
            let colon = rest.find(':').unwrap_or(0);
            let after = &rest[colon + 1..];
            let lead = after.len() - after.trim_start().len();
            let vstart = key_end + colon + 1 + lead;
            let vend = (offset + trimmed.len()).max(vstart);
            let key = Span::new(id, offset..key_end);
            let value = if vend > vstart {
                Span::new(id, vstart..vend)
            } else {
                key
            };
            return Some((key, value));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_values() {
        let text = "# comment\nsims: 800\nname: \"x\"\n";
        let (k, v) = locate_key(text, SourceId(0), "sims").unwrap();
        assert_eq!(&text[k.range()], "sims");
        assert_eq!(&text[v.range()], "800");
        let (_, v) = locate_key(text, SourceId(0), "name").unwrap();
        assert_eq!(&text[v.range()], "\"x\"");
    }
}
