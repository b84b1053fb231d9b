//! Errors are data; this is the only module that renders them.
//!
//! Every stage (lexer, parser, checker, runtime, CLI) produces
//! [`Diagnostic`]s. They are rendered here with ariadne, with colour only
//! when asked for (the CLI decides from the terminal and `NO_COLOR`; tests
//! never get colour), so snapshots are stable.

use crate::span::{SourceId, Sources, Span};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A labelled span: the primary label says what is wrong there; secondary
/// ones give context ("declared here").
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code, e.g. `E0101`, so that tests and docs can refer to it.
    pub code: &'static str,
    pub message: String,
    pub labels: Vec<Label>,
    /// What to do about it ("did you mean `mcts`?").
    pub hints: Vec<String>,
    /// Extra lines shown after the labels (a list of valid parameters, say).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            hints: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The main place the diagnostic is about.
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Another place that explains the first.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The span of the primary label, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

impl fmt::Display for Diagnostic {
    /// A plain one-line form for contexts without sources.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)
    }
}

/// Whether any of these is an error (warnings alone do not stop a run).
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// Closest candidate within a small edit distance, for "did you mean".
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1).min(3);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance, with an adjacent transposition counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

impl ariadne::Span for Span {
    type SourceId = SourceId;

    fn source(&self) -> &SourceId {
        &self.src
    }
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
}

struct Cache<'a>(&'a Sources, Vec<(SourceId, ariadne::Source<&'a str>)>);

impl<'a> ariadne::Cache<SourceId> for Cache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &SourceId) -> Result<&ariadne::Source<&'a str>, impl fmt::Debug> {
        let pos = match self.1.iter().position(|(i, _)| i == id) {
            Some(p) => p,
            None => {
                self.1.push((*id, ariadne::Source::from(self.0.text(*id))));
                self.1.len() - 1
            }
        };
        Ok::<_, String>(&self.1[pos].1)
    }

    fn display<'b>(&self, id: &'b SourceId) -> Option<impl fmt::Display + 'b> {
        Some(self.0.name(*id).to_string())
    }
}

/// Renders diagnostics as ariadne reports, in order, into one string.
pub fn render(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = Vec::new();
    for d in diags {
        render_one(d, sources, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(d: &Diagnostic, sources: &Sources, color: bool, out: &mut Vec<u8>) {
    use ariadne::{Color, Config, IndexType, Label as ALabel, Report, ReportKind};

    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let Some(anchor) = d
        .primary_span()
        .or_else(|| d.labels.first().map(|l| l.span))
    else {
        // Nothing to point at (a CLI or file-level error): one plain line.
        out.extend_from_slice(format!("{d}\n").as_bytes());
        for h in &d.hints {
            out.extend_from_slice(format!("  help: {h}\n").as_bytes());
        }
        for n in &d.notes {
            out.extend_from_slice(format!("  note: {n}\n").as_bytes());
        }
        return;
    };
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(kind, anchor)
        .with_config(config)
        .with_code(d.code)
        .with_message(&d.message);
    for l in &d.labels {
        let mut label = ALabel::new(l.span).with_message(&l.message);
        if color {
            label = label.with_color(if l.primary { Color::Red } else { Color::Blue });
        }
        report = report.with_label(label);
    }
    for h in &d.hints {
        report = report.with_help(h);
    }
    for n in &d.notes {
        report = report.with_note(n);
    }
    let mut cache = Cache(sources, Vec::new());
    if report.finish().write(&mut cache, &mut *out).is_err() {
        out.extend_from_slice(format!("{d}\n").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_prefer_the_closest_name() {
        assert_eq!(suggest("mtcs", ["mcts", "minimax", "cem"]), Some("mcts"));
        assert_eq!(suggest("sims", ["sims", "c"]), None);
        assert_eq!(suggest("zzzzzz", ["mcts"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn renders_a_label_without_colour() {
        let mut sources = Sources::new();
        let id = sources.add("t.opt", "let x = y\n");
        let d = Diagnostic::error("E0001", "unknown name `y`")
            .with_primary(Span::new(id, 8..9), "not defined")
            .with_hint("did you mean `x`?");
        let text = render(&[d], &sources, false);
        assert!(text.contains("unknown name `y`"), "{text}");
        assert!(text.contains("t.opt:1:9"), "{text}");
        assert!(!text.contains('\u{1b}'));
    }
}
