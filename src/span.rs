//! One span type, end to end: the lexer, the parser (chumsky), the IR, the
//! runtime and the renderer (ariadne) all point into sources with it. Its
//! chumsky span impl is here; its ariadne one is in `diagnostics.rs`, the
//! only module that talks to ariadne.

use std::fmt;
use std::ops::Range;

/// Which source a span points into; an index into [`Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// A byte range in one source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub src: SourceId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(src: SourceId, range: Range<usize>) -> Self {
        Span {
            src,
            start: range.start,
            end: range.end,
        }
    }

    /// The smallest span covering both (which must share a source).
    pub fn to(self, other: Span) -> Span {
        Span {
            src: self.src,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl chumsky::span::Span for Span {
    type Context = SourceId;
    type Offset = usize;

    fn new(context: SourceId, range: Range<usize>) -> Self {
        Span::new(context, range)
    }
    fn context(&self) -> SourceId {
        self.src
    }
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
}

/// One loaded source: a script, a stdlib module, a REPL line or a config.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// What a diagnostic calls it: a path as the user gave it, `std.games`, `<repl:3>`.
    pub name: String,
    pub text: String,
}

/// Every source of a run, so that any span can be rendered.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Self {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        SourceId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn name(&self, id: SourceId) -> &str {
        &self.get(id).name
    }

    pub fn text(&self, id: SourceId) -> &str {
        &self.get(id).text
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.src).get(span.range()).unwrap_or("")
    }

    /// The source with this name, if already loaded.
    pub fn find(&self, name: &str) -> Option<SourceId> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| SourceId(i as u32))
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, id: SourceId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}
