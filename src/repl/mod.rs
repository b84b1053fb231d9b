//! `optimist repl`: an interactive session, or a script fed on stdin.
//!
//! On a terminal the line editor is rustyline: multi-line entries (the
//! parser's "incomplete" signal decides when Enter continues), completion
//! and signature hints from the registry ([`complete`]), highlighting
//! ([`highlight`]), and history kept in the user's data directory. Ctrl-C
//! at the prompt clears the line; while an entry runs it raises the
//! interpreter's cancellation flag ([`crate::interp::cancel`]), so the
//! search or evaluation stops and the prompt comes back with the session
//! intact. Piped input is read line by line with no prompt or colour, and
//! the exit status says whether every entry succeeded.
//!
//! What an entry does to the session is in [`session`]; the `:` commands
//! are in [`commands`].

pub mod commands;
pub mod complete;
pub mod highlight;
pub mod session;
pub mod textmate;

use crate::interp::{cancel, Registry, RunSettings};
use complete::{Candidate, SessionNames};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{ColorMode, CompletionType, Config, Editor};
pub use session::{Session, Status};
use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

/// How the session starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// Colour diagnostics and the edited line (terminals only).
    pub color: bool,
    pub seed: u64,
    pub threads: usize,
    /// No banner.
    pub quiet: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            color: false,
            seed: 0,
            threads: 1,
            quiet: false,
        }
    }
}

/// Where an entry's output and diagnostics go.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

const PROMPT: &str = "opt> ";

/// Runs the session on stdin; returns the exit status (piped input: 1 if
/// any entry failed, so that a script fed on stdin can be checked).
pub fn run(registry: &Registry, options: &Options) -> u8 {
    let settings = RunSettings {
        seed: options.seed,
        threads: options.threads,
        progress: !options.quiet,
        ..RunSettings::default()
    };
    if std::io::stdin().is_terminal() {
        let mut session = Session::new(registry, settings, options.color);
        interactive(&mut session, options)
    } else {
        let mut session = Session::new(registry, settings, false);
        piped(&mut session)
    }
}

/// One complete input: a `:` command or an entry.
pub fn handle(session: &mut Session, input: &str, io: &mut Io) -> Status {
    if input.trim_start().starts_with(':') {
        commands::run(session, input, io)
    } else {
        session.entry(input, None, io)
    }
}

/// Whether `text` is code the parser wants more of.
pub fn is_incomplete(text: &str) -> bool {
    !text.trim_start().starts_with(':')
        && crate::syntax::parse_repl(crate::span::SourceId(0), text).incomplete
}

fn piped(session: &mut Session) -> u8 {
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let mut pending = String::new();
    let mut failed = false;
    let mut stdin = std::io::stdin().lock();
    let mut bytes = Vec::new();
    for number in 1.. {
        bytes.clear();
        match stdin.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = writeln!(io.err, "error: cannot read line {number} of the input: {e}");
                return 1;
            }
        }
        let line = match std::str::from_utf8(&bytes) {
            Ok(line) => line.trim_end_matches('\n').trim_end_matches('\r'),
            Err(e) => {
                // The rest of the input cannot be trusted to be what was meant.
                let _ = writeln!(
                    io.err,
                    "error: line {number} of the input is not UTF-8 text (invalid byte at column {}); stopping",
                    e.valid_up_to() + 1
                );
                return 1;
            }
        };
        let line = if number == 1 {
            line.trim_start_matches('\u{FEFF}')
        } else {
            line
        };
        pending.push_str(line);
        pending.push('\n');
        if is_incomplete(&pending) {
            continue;
        }
        let status = handle(session, &pending, &mut io);
        pending.clear();
        match status {
            Status::Quit => return u8::from(failed),
            Status::Failed => failed = true,
            Status::Ok => {}
        }
    }
    if !pending.trim().is_empty() {
        failed |= handle(session, &pending, &mut io) == Status::Failed;
    }
    u8::from(failed)
}

fn interactive(session: &mut Session, options: &Options) -> u8 {
    sigint::install();
    cancel::watch_native_loops();
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .color_mode(if options.color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return 1;
        }
    };
    rl.set_helper(Some(ReplHelper {
        registry: session.registry,
        names: SessionNames::default(),
        color: options.color,
    }));
    let mut history = HistoryFile::open(&mut rl);
    if !options.quiet {
        println!(
            "Optimist {} — :help for help, :quit or Ctrl-D to leave",
            env!("CARGO_PKG_VERSION")
        );
    }
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    loop {
        let line = match rl.readline(PROMPT) {
            Ok(line) => line,
            // Ctrl-C at the prompt: the line is dropped, the session goes on.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = rl.add_history_entry(line.as_str());
        history.append(&mut rl);
        sigint::arm();
        let status = handle(
            session,
            &line,
            &mut Io {
                out: &mut out,
                err: &mut err,
            },
        );
        if status == Status::Quit {
            break;
        }
        if let Some(h) = rl.helper_mut() {
            h.names = session_names(session);
        }
    }
    0
}

fn session_names(session: &Session) -> SessionNames {
    let mut names = SessionNames::default();
    for k in &session.items {
        let Some(n) = &k.name else { continue };
        if k.text.starts_with("def") {
            names.defs.push((n.clone(), k.params.clone()));
        } else {
            names.values.push(n.clone());
        }
    }
    names
}

/// The history file, or why there is none (said once, as a warning).
struct HistoryFile {
    path: Option<PathBuf>,
}

impl HistoryFile {
    fn open(rl: &mut Editor<ReplHelper, FileHistory>) -> Self {
        let Some(path) = dirs::data_dir().map(|d| d.join("optimist").join("history")) else {
            eprintln!("warning: no data directory; history will not be saved");
            return HistoryFile { path: None };
        };
        let usable = match path.parent().map(std::fs::create_dir_all) {
            Some(Err(e)) => Err(e),
            _ if path.exists() => std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map(|_| ()),
            _ => Ok(()),
        };
        if let Err(e) = usable {
            warn_history(&path, &e.to_string());
            return HistoryFile { path: None };
        }
        if path.exists() {
            if let Err(e) = rl.load_history(&path) {
                eprintln!(
                    "warning: cannot read the history in `{}`: {e}",
                    path.display()
                );
            }
        }
        HistoryFile { path: Some(path) }
    }

    fn append(&mut self, rl: &mut Editor<ReplHelper, FileHistory>) {
        if let Some(path) = &self.path {
            if let Err(e) = rl.append_history(path) {
                warn_history(path, &e.to_string());
                self.path = None;
            }
        }
    }
}

fn warn_history(path: &std::path::Path, why: &str) {
    eprintln!(
        "warning: history will not be saved: cannot write `{}`: {why}",
        path.display()
    );
}

/// Ctrl-C while an entry runs: raise the cancellation flag. The line
/// editor installs its own handler while it reads and restores this one.
mod sigint {
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Presses since the entry started; a third one ends the process, for
    /// the native loop that does not poll the flag.
    static PRESSES: AtomicU32 = AtomicU32::new(0);

    pub fn arm() {
        PRESSES.store(0, Ordering::Relaxed);
    }

    #[cfg(unix)]
    pub fn install() {
        extern "C" {
            fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
            fn _exit(status: i32) -> !;
        }
        extern "C" fn on_sigint(_: i32) {
            crate::interp::cancel::request();
            if PRESSES.fetch_add(1, Ordering::Relaxed) >= 2 {
                // SAFETY: `_exit` is async-signal-safe.
                unsafe { _exit(130) }
            }
        }
        const SIGINT: i32 = 2;
        // SAFETY: the handler only touches atomics and calls `_exit`, both
        // async-signal-safe.
        unsafe {
            signal(SIGINT, on_sigint);
        }
    }

    #[cfg(not(unix))]
    pub fn install() {}
}

/// A signature shown after the cursor; never inserted.
pub struct SignatureHint(String);

impl Hint for SignatureHint {
    fn display(&self) -> &str {
        &self.0
    }
    fn completion(&self) -> Option<&str> {
        None
    }
}

/// What rustyline asks for completion, hints, colours and line ends.
struct ReplHelper<'r> {
    registry: &'r Registry,
    names: SessionNames,
    color: bool,
}

impl rustyline::Helper for ReplHelper<'_> {}

impl rustyline::completion::Candidate for Candidate {
    fn display(&self) -> &str {
        &self.display
    }
    fn replacement(&self) -> &str {
        &self.replacement
    }
}

impl Completer for ReplHelper<'_> {
    type Candidate = Candidate;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Candidate>)> {
        Ok(complete::complete(line, pos, self.registry, &self.names))
    }
}

impl Hinter for ReplHelper<'_> {
    type Hint = SignatureHint;
    fn hint(&self, line: &str, pos: usize, _ctx: &rustyline::Context<'_>) -> Option<SignatureHint> {
        if pos < line.len() {
            return None;
        }
        complete::signature_hint(line, self.registry, &self.names)
            .map(|s| SignatureHint(format!("  {s}")))
    }
}

impl Highlighter for ReplHelper<'_> {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight::highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("{}{prompt}{}", highlight::PROMPT, highlight::RESET))
        } else {
            Cow::Borrowed(prompt)
        }
    }
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{}{hint}{}", highlight::HINT, highlight::RESET))
        } else {
            Cow::Borrowed(hint)
        }
    }
    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for ReplHelper<'_> {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}
