//! What a run prints: each `report` as text, or all of them as one JSON,
//! YAML or CSV document.

use super::value::{format_number, Value};
use crate::report::table::csv_field;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
    Yaml,
    Csv,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "yaml" => Ok(Format::Yaml),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "unknown format `{other}` (expected table, json, yaml or csv)"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Csv => "csv",
        })
    }
}

/// One `report` (or REPL expression) and its value.
#[derive(Clone, Debug)]
pub struct Output {
    pub label: String,
    pub value: Value,
}

/// The text form of one output, as printed while a run goes on.
pub fn render_text(o: &Output) -> String {
    render_text_with(o, false)
}

/// The text form, optionally without wall-clock columns (for snapshots).
pub fn render_text_with(o: &Output, hide_volatile: bool) -> String {
    match &o.value {
        Value::Report(t) => {
            let mut t = if hide_volatile {
                t.without_volatile()
            } else {
                (**t).clone()
            };
            if t.title.is_empty() {
                t.title = o.label.clone();
            }
            t.render()
        }
        v => format!("{} = {v}\n", o.label),
    }
}

/// The whole document for the structured formats.
pub fn render_document(outputs: &[Output], format: Format) -> String {
    match format {
        Format::Table => outputs
            .iter()
            .map(render_text)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let doc = document(outputs);
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Yaml => serde_yaml::to_string(&document(outputs)).unwrap_or_default(),
        Format::Csv => render_csv(outputs),
    }
}

fn document(outputs: &[Output]) -> serde_json::Value {
    let reports: Vec<serde_json::Value> = outputs
        .iter()
        .map(|o| serde_json::json!({ "report": o.label, "value": o.value.to_json() }))
        .collect();
    serde_json::json!({ "reports": reports })
}

/// Tables as CSV blocks; other values as `report,value` rows.
fn render_csv(outputs: &[Output]) -> String {
    let mut blocks = Vec::new();
    let mut scalars = String::new();
    for o in outputs {
        match &o.value {
            Value::Report(t) => blocks.push(t.to_csv()),
            v => {
                if scalars.is_empty() {
                    scalars.push_str("report,value\n");
                }
                let text = match v {
                    Value::Num(x) => format_number(*x),
                    Value::Str(s) => s.to_string(),
                    other => other.to_string(),
                };
                scalars.push_str(&format!("{},{}\n", csv_field(&o.label), csv_field(&text)));
            }
        }
    }
    if !scalars.is_empty() {
        blocks.insert(0, scalars);
    }
    blocks.join("\n")
}
