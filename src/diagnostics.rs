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
        .filter(|c| *c != name && !c.is_empty())
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

/// The sources ariadne reads: each file once per [`render`] (not once per
/// diagnostic, which made a pile of errors in a big file quadratic), and
/// for the diagnostic being rendered, excerpts of files with long lines.
struct Cache<'a> {
    sources: &'a Sources,
    whole: Vec<(SourceId, ariadne::Source<String>)>,
    excerpts: Vec<(SourceId, ariadne::Source<String>)>,
}

impl<'a> ariadne::Cache<SourceId> for Cache<'a> {
    type Storage = String;

    fn fetch(&mut self, id: &SourceId) -> Result<&ariadne::Source<String>, impl fmt::Debug> {
        if let Some(pos) = self.excerpts.iter().position(|(i, _)| i == id) {
            return Ok::<_, String>(&self.excerpts[pos].1);
        }
        let pos = match self.whole.iter().position(|(i, _)| i == id) {
            Some(p) => p,
            None => {
                let text = self.sources.text(*id).to_string();
                self.whole.push((*id, ariadne::Source::from(text)));
                self.whole.len() - 1
            }
        };
        Ok::<_, String>(&self.whole[pos].1)
    }

    fn display<'b>(&self, id: &'b SourceId) -> Option<impl fmt::Display + 'b> {
        Some(self.sources.name(*id).to_string())
    }
}

/// At most this many diagnostics are rendered; a line counts the rest
/// (as clang's `-ferror-limit` does).
pub const MAX_SHOWN: usize = 100;

/// Renders diagnostics as ariadne reports, in order, into one string: the
/// first [`MAX_SHOWN`], then one line counting the rest.
pub fn render(diags: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut out = Vec::new();
    let mut cache = Cache {
        sources,
        whole: Vec::new(),
        excerpts: Vec::new(),
    };
    for d in diags.iter().take(MAX_SHOWN) {
        render_one(d, sources, color, &mut cache, &mut out);
    }
    if let Some(rest) = diags.get(MAX_SHOWN..).filter(|r| !r.is_empty()) {
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let warnings = rest.len() - errors;
        let mut parts = Vec::new();
        if errors > 0 {
            parts.push(format!(
                "{errors} more error{}",
                if errors == 1 { "" } else { "s" }
            ));
        }
        if warnings > 0 {
            parts.push(format!(
                "{warnings} more warning{}",
                if warnings == 1 { "" } else { "s" }
            ));
        }
        out.extend_from_slice(
            format!(
                "... and {} not shown (at most {MAX_SHOWN} diagnostics are shown)\n",
                parts.join(" and ")
            )
            .as_bytes(),
        );
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(
    d: &Diagnostic,
    sources: &Sources,
    color: bool,
    cache: &mut Cache,
    out: &mut Vec<u8>,
) {
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
    // Spans from anywhere (a YAML parser's error location, say) may stop
    // inside a character or past the end: snap them to the text.
    let snap = |span: Span| {
        let text = sources.text(span.src);
        let start = floor_char(text, span.start.min(text.len()));
        let end = ceil_char(text, span.end.max(span.start).min(text.len()));
        Span::new(span.src, start..end)
    };
    let anchor = snap(anchor);
    let labels: Vec<Label> = d
        .labels
        .iter()
        .map(|l| Label {
            span: snap(l.span),
            ..l.clone()
        })
        .collect();
    // Long lines are cut down around the labels: ariadne's time grows
    // with the square of a line's length.
    let mut views: Vec<Excerpt> = Vec::new();
    for l in &labels {
        if views.iter().all(|v| v.src != l.span.src) {
            let spans: Vec<Span> = labels
                .iter()
                .map(|l| l.span)
                .filter(|s| s.src == l.span.src)
                .collect();
            if let Some(v) = Excerpt::of(sources.text(l.span.src), l.span.src, &spans) {
                views.push(v);
            }
        }
    }
    let map = |span: Span, views: &[Excerpt]| match views.iter().find(|v| v.src == span.src) {
        Some(v) => Span::new(span.src, v.map(span.start, false)..v.map(span.end, true)),
        None => span,
    };
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte);
    let mut report = Report::build(kind, map(anchor, &views))
        .with_config(config)
        .with_code(d.code)
        .with_message(&d.message);
    for l in &labels {
        let mut label = ALabel::new(map(l.span, &views)).with_message(&l.message);
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
    cache.excerpts = views
        .iter()
        .map(|v| (v.src, ariadne::Source::from(v.text.clone())))
        .collect();
    let mut one = Vec::new();
    if report.finish().write(&mut *cache, &mut one).is_err() {
        out.extend_from_slice(format!("{d}\n").as_bytes());
        return;
    }
    if let Some(v) = views.iter().find(|v| v.src == anchor.src) {
        // The header's column is counted in the excerpt: say the file's.
        let name = sources.name(anchor.src);
        let (line, col) = sources.line_col(anchor.src, anchor.start);
        let at = v.map(anchor.start, false);
        let line_start = v.text[..at].rfind('\n').map_or(0, |p| p + 1);
        let shown_col = v.text[line_start..at].chars().count() + 1;
        let text = String::from_utf8_lossy(&one).replacen(
            &format!("{name}:{line}:{shown_col}"),
            &format!("{name}:{line}:{col}"),
            1,
        );
        one = text.into_bytes();
    }
    out.extend_from_slice(&one);
}

/// The lines of a source between its first and last label, with long
/// lines cut down to what stands around the labels (`…` in the gaps).
struct Excerpt {
    src: SourceId,
    /// Where the excerpt starts in the source.
    base: usize,
    /// Source ranges left out, each shown as `…`, in order.
    cuts: Vec<(usize, usize)>,
    text: String,
    /// Lines before the excerpt (kept in `text` as empty lines).
    first_line: usize,
}

impl Excerpt {
    /// Lines longer than this are cut.
    const LONG: usize = 200;
    /// Bytes kept on each side of a label's ends.
    const CONTEXT: usize = 40;

    fn of(text: &str, src: SourceId, spans: &[Span]) -> Option<Excerpt> {
        let lo = spans.iter().map(|s| s.start).min()?.min(text.len());
        let hi = spans.iter().map(|s| s.end).max()?.min(text.len());
        let base = text[..lo].rfind('\n').map_or(0, |p| p + 1);
        let end = text[hi..].find('\n').map_or(text.len(), |p| hi + p);
        let region = &text[base..end];
        if region.split('\n').all(|l| l.len() <= Self::LONG) {
            return None;
        }
        let ends: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
        let mut cuts = Vec::new();
        let mut line_start = base;
        for line in region.split('\n') {
            let line_end = line_start + line.len();
            if line.len() > Self::LONG {
                // Keep the text around each label end on this line.
                let mut keep: Vec<(usize, usize)> = ends
                    .iter()
                    .filter(|&&p| p >= line_start && p <= line_end)
                    .map(|&p| {
                        let a = floor_char(text, p.saturating_sub(Self::CONTEXT).max(line_start));
                        let b = ceil_char(text, (p + Self::CONTEXT).min(line_end));
                        (a, b)
                    })
                    .collect();
                if keep.is_empty() {
                    keep.push((line_start, ceil_char(text, line_start + 2 * Self::CONTEXT)));
                }
                keep.sort_unstable();
                let mut at = line_start;
                for (a, b) in keep {
                    if a > at + 3 {
                        cuts.push((at, a));
                    }
                    at = at.max(b);
                }
                if line_end > at + 3 {
                    cuts.push((at, line_end));
                }
            }
            line_start = line_end + 1;
        }
        // The lines before stay, empty, so that ariadne numbers lines right.
        let first_line = text[..base].matches('\n').count();
        let mut out = "\n".repeat(first_line);
        let mut at = base;
        for &(a, b) in &cuts {
            out.push_str(&text[at..a]);
            out.push('…');
            at = b;
        }
        out.push_str(&text[at..end]);
        Some(Excerpt {
            src,
            base,
            cuts,
            text: out,
            first_line,
        })
    }

    /// Where a source offset is in the excerpt; inside a cut, the start of
    /// its `…` (or its end, for the end of a span).
    fn map(&self, offset: usize, is_end: bool) -> usize {
        let mut shift = self.base - self.first_line;
        for &(a, b) in &self.cuts {
            if offset <= a {
                break;
            }
            if offset < b {
                let at = a - shift;
                return if is_end { at + '…'.len_utf8() } else { at };
            }
            shift += (b - a) - '…'.len_utf8();
        }
        offset.saturating_sub(shift).min(self.text.len())
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
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
