//! Loading a script and everything it `use`s into one list of items.
//!
//! `use std.NAME` reads `stdlib/NAME.opt`, embedded in the binary;
//! `use "path.opt"` reads a file relative to the importing script. Each
//! source is loaded once (a diamond is fine); a cycle is an error that shows
//! the whole chain.

use crate::diagnostics::{suggest, Diagnostic};
use crate::span::{SourceId, Sources, Span};
use crate::syntax::ast::{Item, ItemKind, UseTarget};
use std::path::{Path, PathBuf};

/// The standard library, embedded so that the binary works from anywhere.
pub const STDLIB: &[(&str, &str)] = &[
    ("math", include_str!("../../stdlib/math.opt")),
    ("games", include_str!("../../stdlib/games.opt")),
    ("control", include_str!("../../stdlib/control.opt")),
    ("inference", include_str!("../../stdlib/inference.opt")),
];

/// What a loaded module contributed: its items, in order, imports first.
#[derive(Default)]
pub struct Loaded {
    pub items: Vec<Item>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Loader<'a> {
    sources: &'a mut Sources,
    /// Modules being loaded, outermost first, with the `use` that entered each.
    stack: Vec<(String, Option<Span>)>,
    done: Vec<String>,
    out: Loaded,
    repl: bool,
}

/// Loads `main` (already in `sources`) and its imports.
pub fn load(sources: &mut Sources, main: SourceId) -> Loaded {
    load_all(sources, &[(main, false)])
}

/// Loads several main sources in order, each import once: a REPL session
/// is its kept items plus the entry just typed. A source marked `true` may
/// also hold bare expressions.
pub fn load_all(sources: &mut Sources, mains: &[(SourceId, bool)]) -> Loaded {
    let mut loader = Loader {
        sources,
        stack: Vec::new(),
        done: Vec::new(),
        out: Loaded::default(),
        repl: false,
    };
    for (id, repl) in mains {
        loader.repl = *repl;
        let key = loader.sources.name(*id).to_string();
        loader.load_source(*id, key, None, true);
    }
    loader.out
}

impl Loader<'_> {
    fn load_source(&mut self, id: SourceId, key: String, entered_by: Option<Span>, is_main: bool) {
        self.stack.push((key.clone(), entered_by));
        let text = self.sources.text(id).to_string();
        let parsed = if is_main && self.repl {
            crate::syntax::parse_repl(id, &text)
        } else {
            crate::syntax::parse(id, &text)
        };
        self.out.diagnostics.extend(parsed.diagnostics);
        let dir = Path::new(self.sources.name(id))
            .parent()
            .map(Path::to_path_buf);
        if let Some(program) = parsed.program {
            for item in program.items {
                match &item.kind {
                    ItemKind::Use(target) => self.load_use(target, item.span, dir.clone()),
                    ItemKind::Report { .. } | ItemKind::Plot { .. } | ItemKind::Save { .. }
                        if !is_main =>
                    {
                        self.out.diagnostics.push(
                            Diagnostic::warning(
                                "W0002",
                                "commands in an imported file are not run",
                            )
                            .with_primary(item.span, "ignored: this file is imported"),
                        );
                    }
                    _ => self.out.items.push(item),
                }
            }
        }
        self.stack.pop();
        self.done.push(key);
    }

    fn load_use(&mut self, target: &UseTarget, span: Span, dir: Option<PathBuf>) {
        let (key, text) = match target {
            UseTarget::Module(path) => {
                let names: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
                let module = match names.as_slice() {
                    ["std", m] => *m,
                    _ => {
                        self.out.diagnostics.push(
                            Diagnostic::error(
                                "E0301",
                                format!("unknown module `{}`", names.join(".")),
                            )
                            .with_primary(span, "modules are named `std.NAME`")
                            .with_note(format!("available: {}", stdlib_list())),
                        );
                        return;
                    }
                };
                match STDLIB.iter().find(|(n, _)| *n == module) {
                    Some((n, text)) => (format!("std.{n}"), text.to_string()),
                    None => {
                        let mut d =
                            Diagnostic::error("E0301", format!("unknown module `std.{module}`"))
                                .with_primary(
                                    path.last().map_or(span, |i| i.span),
                                    "no such standard module",
                                )
                                .with_note(format!("available: {}", stdlib_list()));
                        if let Some(s) = suggest(module, STDLIB.iter().map(|(n, _)| *n)) {
                            d = d.with_hint(format!("did you mean `std.{s}`?"));
                        }
                        self.out.diagnostics.push(d);
                        return;
                    }
                }
            }
            UseTarget::File {
                path,
                span: path_span,
            } => {
                let full = match &dir {
                    Some(d) if !d.as_os_str().is_empty() => d.join(path),
                    _ => PathBuf::from(path),
                };
                let key = full.to_string_lossy().into_owned();
                if self.is_active_or_done(&key, span) {
                    return;
                }
                let read = crate::files::read_file(&full)
                    .map_err(|e| file_reason(&e))
                    .and_then(|bytes| decode_text(bytes).map_err(|e| e.to_string()));
                match read {
                    Ok(text) => (key, text),
                    Err(reason) => {
                        self.out.diagnostics.push(
                            Diagnostic::error("E0302", format!("cannot read `{key}`: {reason}"))
                                .with_primary(*path_span, "imported here")
                                .with_hint("paths in `use` are relative to the importing script"),
                        );
                        return;
                    }
                }
            }
        };
        if self.is_active_or_done(&key, span) {
            return;
        }
        let id = match self.sources.find(&key) {
            Some(id) => id,
            None => self.sources.add(key.clone(), text),
        };
        self.load_source(id, key, Some(span), false);
    }

    /// Reports a cycle if `key` is being loaded; true if nothing more to do.
    fn is_active_or_done(&mut self, key: &str, span: Span) -> bool {
        if let Some(pos) = self.stack.iter().position(|(k, _)| k == key) {
            let mut chain: Vec<&str> = self.stack[pos..].iter().map(|(k, _)| k.as_str()).collect();
            chain.push(key);
            let mut d = Diagnostic::error("E0303", format!("import cycle: {}", chain.join(" → ")))
                .with_primary(span, format!("`{key}` is already being imported"));
            for (k, entered) in &self.stack[pos + 1..] {
                if let Some(s) = entered {
                    d = d.with_secondary(*s, format!("`{k}` imported here"));
                }
            }
            self.out
                .diagnostics
                .push(d.with_hint("move what both files need into a third file"));
            return true;
        }
        self.done.iter().any(|k| k == key)
    }
}

fn stdlib_list() -> String {
    STDLIB
        .iter()
        .map(|(n, _)| format!("std.{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a file's bytes stop being UTF-8 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotUtf8 {
    /// The byte offset of the first invalid byte.
    pub offset: usize,
    /// Its line, counted from 1.
    pub line: usize,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "it is not UTF-8 text (invalid byte at line {}, byte offset {})",
            self.line, self.offset
        )
    }
}

/// A script file's bytes as text, or where they are not UTF-8. A leading
/// byte-order mark is kept: the lexer skips it, so spans stay byte offsets
/// into the file.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
        NotUtf8 { offset, line }
    })
}

/// The reason part of an I/O error, without Rust's `(os error 2)` suffix.
/// Why a file could not be read, in a few words for a diagnostic.
pub fn file_reason(e: &crate::files::FileError) -> String {
    match e {
        crate::files::FileError::NotFound { .. } => "no such file".to_string(),
        crate::files::FileError::Read { source, .. } => io_reason(source),
        crate::files::FileError::NotRegular { what, .. } => {
            format!("it is {what}, not a regular file")
        }
        other => other.to_string(),
    }
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}
