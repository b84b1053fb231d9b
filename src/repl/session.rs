//! A REPL session: the items kept so far, the interpreter that remembers
//! their values, and how one entry is checked, run and kept.
//!
//! The session is text: every accepted param, declaration, def and `use`,
//! in order. An entry is checked after it (`driver::check_repl`), so names
//! persist, and values are memoized by content hash, so nothing is computed
//! twice. An entry that defines a name the session already has *replaces*
//! the old item: the old text is left out when the entry is checked, and
//! whatever depended on the old definition is checked again against the new
//! one (its hash changes, so its value is recomputed when next asked for).
//! A dependent that no longer checks (`let b = a + 1` after `let a = "s"`)
//! is dropped from the session, with a note saying so.

use super::Io;
use crate::diagnostics::{render, Diagnostic};
use crate::driver::{self, Checked, Settings};
use crate::interp::output::render_text;
use crate::interp::{cancel, Interpreter, Registry, RunSettings};
use crate::span::SourceId;
use crate::syntax::ast::{Item, ItemKind};

/// One kept item.
#[derive(Clone, Debug)]
pub struct Kept {
    /// The name it binds (`None` for `use`).
    pub name: Option<String>,
    pub text: String,
    /// A def's parameter names, for completion.
    pub params: Vec<String>,
}

/// What became of one entry or command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// It was reported; the session is as it was (piped input exits 1).
    Failed,
    Quit,
}

pub struct Session<'r> {
    pub registry: &'r Registry,
    pub interp: Interpreter<'r>,
    pub items: Vec<Kept>,
    pub color: bool,
}

/// Warnings the REPL does not show: a param typed on its own line is not
/// used *yet*.
const QUIET_WARNINGS: &[&str] = &["W0001"];

impl<'r> Session<'r> {
    pub fn new(registry: &'r Registry, settings: RunSettings, color: bool) -> Self {
        Session {
            registry,
            interp: Interpreter::new(registry, settings),
            items: Vec::new(),
            color,
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            seed: self.interp.settings.seed,
            ..Settings::default()
        }
    }

    /// The session as a script, leaving out the items named in `skip`.
    fn text_without(&self, skip: &[String]) -> (String, Vec<(usize, usize)>) {
        let mut text = String::new();
        let mut ranges = Vec::new();
        for k in &self.items {
            if k.name.as_ref().is_some_and(|n| skip.contains(n)) {
                ranges.push((usize::MAX, usize::MAX));
                continue;
            }
            let start = text.len();
            text.push_str(&k.text);
            ranges.push((start, text.len()));
            text.push('\n');
        }
        (text, ranges)
    }

    /// The session as a script.
    pub fn text(&self) -> String {
        self.text_without(&[]).0
    }

    /// Checks `text` as an entry after the session, with nothing run.
    pub fn check(&self, text: &str) -> Checked {
        driver::check_repl(&self.text(), text, self.registry, &self.settings())
    }

    /// Checks, runs and keeps one entry (items or a bare expression).
    /// `name` is what diagnostics call the entry when it is not `<repl>`.
    pub fn entry(&mut self, text: &str, name: Option<&str>, io: &mut Io) -> Status {
        if text.trim().is_empty() {
            return Status::Ok;
        }
        let parsed = crate::syntax::parse_repl(SourceId(0), text);
        let defined: Vec<String> = parsed
            .program
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(item_name)
            .collect();
        // Check against the session without the items the entry redefines;
        // drop the dependents that break, one round at a time.
        let mut skip = defined.clone();
        let mut dropped: Vec<String> = Vec::new();
        let checked = loop {
            let (session, ranges) = self.text_without(&skip);
            let checked = driver::check_repl(&session, text, self.registry, &self.settings());
            if defined.is_empty() || checked.ok() {
                break checked;
            }
            let broken: Vec<String> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .filter_map(Diagnostic::primary_span)
                .filter(|s| s.src != checked.main && checked.sources.name(s.src) == "<session>")
                .filter_map(|s| {
                    ranges
                        .iter()
                        .position(|(a, b)| *a <= s.start && s.start < *b)
                        .and_then(|i| self.items[i].name.clone())
                })
                .filter(|n| !skip.contains(n))
                .collect();
            if broken.is_empty() {
                break checked;
            }
            for n in broken {
                if !skip.contains(&n) {
                    skip.push(n.clone());
                    dropped.push(n);
                }
            }
        };
        self.show_diagnostics(&checked, name, io);
        let Some(ir) = checked.ir.as_ref().filter(|_| checked.ok()) else {
            return Status::Failed;
        };
        // A Ctrl-C pressed while nothing ran must not cancel this entry.
        cancel::take();
        let color = self.color;
        let mut first = true;
        let out = &mut *io.out;
        let outcome = driver::run(ir, &mut self.interp, &mut |o| {
            if !first {
                let _ = writeln!(out);
            }
            first = false;
            let _ = write!(out, "{}", render_text(o));
            let _ = out.flush();
        });
        let status = if outcome.ok() {
            Status::Ok
        } else if cancel::take() {
            let _ = writeln!(io.err, "cancelled");
            Status::Failed
        } else {
            let rendered = render(&outcome.diagnostics, &checked.sources, color);
            let _ = write!(io.err, "{}", rename(&rendered, name));
            Status::Failed
        };
        // The definitions checked, so they stay even if a command failed.
        self.keep(
            text,
            parsed.program.map(|p| p.items).unwrap_or_default(),
            &dropped,
            io,
        );
        status
    }

    fn show_diagnostics(&self, checked: &Checked, name: Option<&str>, io: &mut Io) {
        // Warnings about the session were shown when its items were typed.
        let shown: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| {
                d.is_error()
                    || (!QUIET_WARNINGS.contains(&d.code)
                        && d.primary_span().is_none_or(|s| s.src == checked.main))
            })
            .cloned()
            .collect();
        let rendered = render(&shown, &checked.sources, self.color);
        let _ = write!(io.err, "{}", rename(&rendered, name));
    }

    /// Adds the entry's definitions, replacing those of the same name and
    /// removing the dropped dependents.
    fn keep(&mut self, text: &str, items: Vec<Item>, dropped: &[String], io: &mut Io) {
        for n in dropped {
            let _ = writeln!(
                io.err,
                "note: `{n}` no longer checks against the new definitions and was removed"
            );
        }
        self.items
            .retain(|k| !k.name.as_ref().is_some_and(|n| dropped.contains(n)));
        for item in items {
            if matches!(
                item.kind,
                ItemKind::Expr(_)
                    | ItemKind::Report { .. }
                    | ItemKind::Plot { .. }
                    | ItemKind::Save { .. }
            ) {
                continue;
            }
            let kept = Kept {
                name: item_name(&item),
                text: text[item.span.range()].to_string(),
                params: match &item.kind {
                    ItemKind::Def { params, .. } => {
                        params.iter().map(|p| p.name.name.clone()).collect()
                    }
                    _ => Vec::new(),
                },
            };
            let same = |k: &Kept| match &kept.name {
                Some(n) => k.name.as_ref() == Some(n),
                None => k.text == kept.text,
            };
            match self.items.iter().position(same) {
                Some(i) => self.items[i] = kept,
                None => self.items.push(kept),
            }
        }
    }

    /// Forgets every item and value.
    pub fn reset(&mut self) {
        self.items.clear();
        self.interp.clear();
    }

    /// The names the session defines.
    pub fn names(&self) -> Vec<String> {
        self.items.iter().filter_map(|k| k.name.clone()).collect()
    }
}

/// The name an item binds.
pub fn item_name(item: &Item) -> Option<String> {
    match &item.kind {
        ItemKind::Param { name, .. } | ItemKind::Decl { name, .. } | ItemKind::Def { name, .. } => {
            Some(name.name.clone())
        }
        _ => None,
    }
}

/// Diagnostics of a loaded file name it, not `<repl>`.
fn rename(rendered: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => rendered.replace("<repl>:", &format!("{n}:")),
        None => rendered.to_string(),
    }
}
