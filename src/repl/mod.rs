//! `optimist repl`: an interactive session.
//!
//! The session is the text of every item accepted so far; each new entry is
//! checked together with it, so names persist across lines, and values are
//! memoized by content hash, so nothing is recomputed. Commands and bare
//! expressions run once, when entered. Input that is unfinished (an open
//! bracket, a trailing `|>`) continues on the next line, as the parser says.

use crate::diagnostics::render;
use crate::driver::{self, Settings};
use crate::interp::output::render_text;
use crate::interp::{Interpreter, Registry, RunSettings};
use crate::span::Sources;
use crate::syntax::ast::ItemKind;
use std::io::{BufRead, IsTerminal, Write};

/// Runs the session on stdin; returns the exit status (1 if any entry
/// failed while reading piped input, so scripts fed on stdin can be checked).
pub fn run(registry: &Registry, color: bool) -> u8 {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let color = color && interactive;
    let mut interp = Interpreter::new(registry, RunSettings::default());
    let mut kept = String::new();
    let mut pending = String::new();
    let mut failed = false;
    let mut lines = stdin.lock().lines();
    if interactive {
        println!(
            "Optimist {} — :quit or Ctrl-D to leave",
            env!("CARGO_PKG_VERSION")
        );
    }
    loop {
        if interactive {
            print!("{}", if pending.is_empty() { "opt> " } else { "...> " });
            let _ = std::io::stdout().flush();
        }
        let line = match lines.next() {
            Some(Ok(line)) => line,
            Some(Err(_)) | None => {
                if !pending.trim().is_empty() {
                    failed |= !entry(registry, &mut interp, &mut kept, &pending, color, true);
                }
                break;
            }
        };
        if pending.is_empty() && matches!(line.trim(), ":quit" | ":q") {
            break;
        }
        pending.push_str(&line);
        pending.push('\n');
        failed |= !entry(registry, &mut interp, &mut kept, &pending, color, false)
            && !is_incomplete(&pending);
        if !is_incomplete(&pending) {
            pending.clear();
        }
    }
    u8::from(failed && !interactive)
}

fn is_incomplete(text: &str) -> bool {
    let mut sources = Sources::new();
    let id = sources.add("<repl>", text);
    crate::syntax::parse_repl(id, text).incomplete
}

/// Checks and runs one entry; returns whether it succeeded. An unfinished
/// entry waits for more input unless `at_end`.
fn entry(
    registry: &Registry,
    interp: &mut Interpreter,
    kept: &mut String,
    text: &str,
    color: bool,
    at_end: bool,
) -> bool {
    if text.trim().is_empty() || (!at_end && is_incomplete(text)) {
        return true;
    }
    let checked = driver::check_repl(kept, text, registry, &Settings::default());
    eprint!("{}", render(&checked.diagnostics, &checked.sources, color));
    let Some(ir) = checked.ir.as_ref().filter(|_| checked.ok()) else {
        return false;
    };
    let outcome = driver::run(ir, interp, &mut |o| print!("{}", render_text(o)));
    eprint!("{}", render(&outcome.diagnostics, &checked.sources, color));
    if !outcome.ok() {
        return false;
    }
    // Keep the entry's definitions; its commands have run.
    let mut sources = Sources::new();
    let id = sources.add("<repl>", text);
    if let Some(p) = crate::syntax::parse_repl(id, text).program {
        for item in p.items {
            if !matches!(
                item.kind,
                ItemKind::Expr(_)
                    | ItemKind::Report { .. }
                    | ItemKind::Plot { .. }
                    | ItemKind::Save { .. }
            ) {
                kept.push_str(&text[item.span.range()]);
                kept.push('\n');
            }
        }
    }
    true
}
