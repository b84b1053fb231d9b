//! The REPL as a researcher meets it: the real binary in a pseudo-terminal,
//! driven key by key. Timeouts are generous (the machine may be loaded);
//! the one timing that matters, Ctrl-C to prompt, is measured.

#![cfg(unix)]

mod common;

use rexpect::session::{spawn_with_options, Options, PtySession};
use std::process::Command;
use std::time::{Duration, Instant};

const PROMPT: &str = "opt> ";
/// A fresh prompt (the editor redraws the current one while typing).
const NEXT_PROMPT: &str = "\n\ropt> ";

/// Starts `optimist repl` on a terminal, history under `data`.
fn start_with(data: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_optimist"));
    cmd.arg("repl")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("XDG_DATA_HOME", data);
    let options = Options::new()
        .timeout_ms(Some(30_000))
        .strip_ansi_escape_codes(true);
    let mut p = spawn_with_options(cmd, options).expect("the binary starts in a pty");
    p.exp_string("Ctrl-D to leave").expect("the banner");
    p.exp_string(PROMPT).expect("the first prompt");
    p
}

fn start(name: &str) -> PtySession {
    start_with(&common::scratch("pty", name))
}

/// Types `keys` and Enter, for a line the editor will continue (what is
/// typed while an entry runs is not read, as in any line editor, so only
/// [`enter`] may end an entry).
fn type_line(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("send");
    p.send("\r").expect("send");
    p.flush().expect("flush");
}

/// Types `keys` and Enter, and waits for the next prompt; returns what was
/// printed before it.
fn enter(p: &mut PtySession, keys: &str) -> String {
    type_line(p, keys);
    expect(p, NEXT_PROMPT)
}

fn expect(p: &mut PtySession, what: &str) -> String {
    match p.exp_string(what) {
        Ok(before) => before,
        Err(e) => panic!("expected `{what}`: {e}"),
    }
}

fn quit(mut p: PtySession) {
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("the session ends");
    match p.process.wait().expect("wait") {
        rexpect::process::wait::WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn a_declaration_spans_lines_until_the_parser_is_satisfied() {
    let mut p = start("multiline");
    type_line(&mut p, "let sizes = [16,");
    type_line(&mut p, "  64 |> round,");
    enter(&mut p, "  256]");
    let out = enter(&mut p, "sizes");
    assert!(out.contains("sizes = [16, 64, 256]"), "{out}");
    type_line(&mut p, "def twice(x) =");
    enter(&mut p, "  2 * x");
    let out = enter(&mut p, "twice(21)");
    assert!(out.contains("twice(21) = 42"), "{out}");
    quit(p);
}

#[test]
fn tab_completes_builtins_and_named_arguments() {
    let mut p = start("complete");
    // `tictac` completes to `tictactoe(`.
    p.send("let g = tictac\t").expect("send");
    p.flush().expect("flush");
    expect(&mut p, "tictactoe(");
    enter(&mut p, ")");
    let out = enter(&mut p, "g");
    assert!(out.contains("g = tictactoe"), "{out}");
    // `si` inside plan(mcts, …) completes to `sims=`.
    p.send("evaluate(plan(mcts, si\t").expect("send");
    p.flush().expect("flush");
    expect(&mut p, "sims=");
    let out = enter(&mut p, "20), on=g, n=2)");
    assert!(out.contains("evaluate on tictactoe"), "{out}");
    assert!(out.contains("plan(mcts, sims=20)  2"), "{out}");
    quit(p);
}

#[test]
fn help_and_type_answer_from_the_registry() {
    let mut p = start("help");
    let out = enter(&mut p, ":help plan");
    assert!(out.contains("plan(algorithm)"), "{out}");
    assert!(out.contains("Solver    [solvers]"), "{out}");
    assert!(out.contains("mcts, minimax"), "{out}");
    let out = enter(&mut p, ":help");
    assert!(out.contains("Commands:"), "{out}");
    assert!(out.contains(":load FILE"), "{out}");
    let out = enter(&mut p, ":type plan(mcts, sims=8)");
    assert!(out.contains("plan(mcts, sims=8) : Solver"), "{out}");
    enter(&mut p, "let n = 3");
    let out = enter(&mut p, ":type [n, 2.5]");
    assert!(out.contains("[n, 2.5] : List[Num]"), "{out}");
    quit(p);
}

#[test]
fn an_error_points_into_the_line_and_the_session_goes_on() {
    let mut p = start("error");
    enter(&mut p, "let a = 2");
    let out = enter(&mut p, "a * undefined_thing");
    assert!(out.contains("unknown name `undefined_thing`"), "{out}");
    assert!(out.contains("<repl>:1:5"), "{out}");
    let out = enter(&mut p, "a * 21");
    assert!(out.contains("a * 21 = 42"), "{out}");
    // Ctrl-C at the prompt drops the line being typed.
    p.send("let zz = 1").expect("send");
    p.flush().expect("flush");
    expect(&mut p, "let zz = 1");
    p.send_control('c').expect("Ctrl-C");
    expect(&mut p, NEXT_PROMPT);
    let out = enter(&mut p, "zz");
    assert!(out.contains("unknown name `zz`"), "{out}");
    quit(p);
}

#[test]
fn ctrl_c_cancels_a_long_search_within_a_second() {
    let mut p = start("cancel");
    enter(&mut p, "let g = tictactoe()");
    type_line(&mut p, "evaluate(plan(mcts, sims=10000000), on=g, n=50)");
    // Let the search get going (it would take minutes).
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    p.send_control('c').expect("Ctrl-C");
    let out = expect(&mut p, NEXT_PROMPT);
    let took = sent.elapsed();
    assert!(out.contains("cancelled"), "{out}");
    eprintln!("Ctrl-C to prompt: {took:?}");
    assert!(
        took < Duration::from_secs(1),
        "the prompt came back {took:?} after Ctrl-C"
    );
    // The session is intact, and evaluates again.
    let out = enter(&mut p, "g");
    assert!(out.contains("g = tictactoe"), "{out}");
    let out = enter(&mut p, "evaluate(plan(mcts, sims=10), on=g, n=2).n");
    assert!(out.contains("= 2"), "{out}");
    quit(p);
}

#[test]
fn history_is_kept_in_the_data_directory() {
    let data = common::scratch("pty", "history");
    let mut p = start_with(&data);
    enter(&mut p, "let remembered = 1");
    quit(p);
    let history = std::fs::read_to_string(data.join("optimist/history")).unwrap_or_default();
    assert!(history.contains("let remembered = 1"), "{history:?}");
    // Up arrow brings it back in a new session.
    let mut p = start_with(&data);
    enter(&mut p, "\x1b[A");
    let out = enter(&mut p, "remembered");
    assert!(out.contains("remembered = 1"), "{out}");
    quit(p);
}

#[test]
fn an_unwritable_history_is_a_warning_not_a_failure() {
    let dir = common::scratch("pty", "nohistory");
    let not_a_dir = dir.join("file");
    std::fs::write(&not_a_dir, "").expect("write");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_optimist"));
    cmd.arg("repl")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("XDG_DATA_HOME", &not_a_dir);
    let options = Options::new()
        .timeout_ms(Some(30_000))
        .strip_ansi_escape_codes(true);
    let mut p = spawn_with_options(cmd, options).expect("starts");
    expect(&mut p, "warning: history will not be saved");
    expect(&mut p, PROMPT);
    let out = enter(&mut p, "1 + 1");
    assert!(out.contains("1 + 1 = 2"), "{out}");
    quit(p);
}
