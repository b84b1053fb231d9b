//! The front end on hostile input: text that is not UTF-8, byte-order
//! marks, mistakes that must give one diagnostic, chains and def expansions
//! too big to check, and piles of errors. Each ends in a clear error and
//! exit status 1 (never a panic, an abort or a stall), or runs.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn optimist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn repl(input: &[u8]) -> Output {
    common::repl_piped(input, &[])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// The codes of the diagnostics rendered on stderr, in order.
fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.split(']').next().map(str::to_string))
        .collect()
}

#[test]
fn piped_repl_input_that_is_not_utf8_is_reported_with_its_line() {
    let o = repl(b"let a = 1\n\xff\na + 1\n");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("line 2") && err.contains("not UTF-8"), "{err}");
    // Nothing after the bad line runs as if it were what was meant.
    assert!(!text(&o.stdout).contains("a + 1"), "{}", text(&o.stdout));
}

#[test]
fn a_script_that_is_not_utf8_exits_1_naming_the_file_and_where() {
    let dir = common::scratch("limits", "utf8");
    let bad = write(&dir, "bad.opt", b"let a = 1\nreport a\n\xff\n");
    for cmd in ["check", "run"] {
        let o = optimist(&[cmd, &bad]);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("bad.opt"), "{err}");
        assert!(
            err.contains("line 3") && err.contains("byte offset 19"),
            "{err}"
        );
    }
    // A missing file stays a usage error.
    let o = optimist(&["check", &dir.join("none.opt").to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    // An imported file that is not UTF-8 is an error at the `use`.
    let main = write(&dir, "main.opt", b"use \"bad.opt\"\nreport 1\n");
    let o = optimist(&["check", &main]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(codes(&err), ["E0302"], "{err}");
    assert!(err.contains("line 3, byte offset 19"), "{err}");
}

#[test]
fn a_byte_order_mark_starts_a_script_or_an_imported_file() {
    let dir = common::scratch("limits", "bom");
    write(&dir, "lib.opt", b"\xef\xbb\xbflet b = 2\n");
    let main = write(
        &dir,
        "main.opt",
        b"\xef\xbb\xbfuse \"lib.opt\"\nlet a = 1\nreport a + b\n",
    );
    let o = optimist(&["run", &main]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("= 3"), "{}", text(&o.stdout));
    // Spans still point into the file as it is: an error on line 1 is
    // reported at its column.
    let bad = write(&dir, "bad.opt", b"\xef\xbb\xbfreport zz\n");
    let o = optimist(&["check", &bad]);
    let err = text(&o.stderr);
    assert_eq!(codes(&err), ["E0201"], "{err}");
    assert!(err.contains("bad.opt:1:9"), "{err}");
    // Piped into the REPL too.
    let o = repl(b"\xef\xbb\xbf1 + 1\n");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn a_keyword_used_as_a_name_gives_one_diagnostic() {
    let dir = common::scratch("limits", "keyword");
    let f = write(
        &dir,
        "k.opt",
        b"let x = 1.25\nreport round(x, digits=model)\n",
    );
    let o = optimist(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(codes(&text(&o.stderr)), ["E0007"], "{}", text(&o.stderr));
    let f = write(&dir, "call.opt", b"report len(objective)\n");
    let o = optimist(&["check", &f]);
    assert_eq!(codes(&text(&o.stderr)), ["E0007"], "{}", text(&o.stderr));
}

#[test]
fn a_declaration_without_a_name_is_never_suggested() {
    let dir = common::scratch("limits", "noname");
    let f = write(&dir, "n.opt", b"let = 3\nreport a\n");
    let o = optimist(&["check", &f]);
    let err = text(&o.stderr);
    assert_eq!(codes(&err), ["E0002", "E0201"], "{err}");
    assert!(!err.contains("did you mean"), "{err}");
}

/// `report 1+1+…` with `terms` terms.
fn sum_chain(terms: usize) -> String {
    format!("report 1{}\n", "+1".repeat(terms - 1))
}

#[test]
fn chains_too_long_to_check_are_an_error_not_a_crash() {
    let dir = common::scratch("limits", "chains");
    let cases = [
        ("sum33k.opt", sum_chain(33_000)),
        ("sum300k.opt", sum_chain(300_000)),
        (
            "pipes.opt",
            format!("report [1]{}\n", " |> reverse".repeat(400_000)),
        ),
        ("fields.opt", format!("report r{}\n", ".a".repeat(50_000))),
    ];
    for (name, script) in cases {
        let f = write(&dir, name, script.as_bytes());
        for args in [
            &["check", f.as_str()][..],
            &["run", f.as_str()],
            &["check", "--dump", "ast", f.as_str()],
            &["fmt", "--check", f.as_str()],
        ] {
            let o = optimist(args);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
            let err = text(&o.stderr);
            assert!(
                err.contains("[E0013] Error: expression too long"),
                "{args:?}: {err}"
            );
            // The long line is cut down around the label, not printed whole.
            assert!(err.len() < 4_000, "{args:?}: {} bytes", err.len());
        }
    }
}

#[test]
fn chains_under_the_cap_go_through_every_stage() {
    let dir = common::scratch("limits", "chains-ok");
    let f = write(&dir, "sum.opt", sum_chain(9_000).as_bytes());
    let o = optimist(&["run", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).ends_with("= 9000\n"), "{}", text(&o.stdout));
    for dump in ["tokens", "ast", "ir"] {
        let o = optimist(&["check", "--dump", dump, &f]);
        assert_eq!(o.status.code(), Some(0), "{dump}: {}", text(&o.stderr));
    }
    let o = optimist(&["fmt", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let pipes = format!("report [1, 2]{} |> len\n", " |> reverse".repeat(9_000));
    let f = write(&dir, "pipes.opt", pipes.as_bytes());
    let o = optimist(&["run", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).ends_with("= 2\n"), "{}", text(&o.stdout));
}

/// `def f0(x) = x`, then each def calls the one before twice.
fn doubling_defs(levels: usize, call: usize) -> String {
    let mut s = String::from("def f0(x) = x\n");
    for i in 1..=levels {
        s.push_str(&format!("def f{i}(x) = f{}(x) + f{}(x)\n", i - 1, i - 1));
    }
    s.push_str(&format!("let v = 1\nreport f{call}(v)\n"));
    s
}

#[test]
fn def_expansion_is_capped_with_an_error_at_the_call() {
    let dir = common::scratch("limits", "expansion");
    let f = write(&dir, "big.opt", doubling_defs(23, 23).as_bytes());
    let o = optimist(&["check", &f]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert_eq!(codes(&err), ["E0228"], "{err}");
    assert!(
        err.contains("expanding `f23` makes too big a program"),
        "{err}"
    );
    // The span is on the call, in the last line.
    assert!(err.contains("big.opt:26:8"), "{err}");
    // Under the cap, the same defs expand and run.
    let f = write(&dir, "ok.opt", doubling_defs(23, 12).as_bytes());
    let o = optimist(&["run", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("= 4096"), "{}", text(&o.stdout));
}

/// The three error pile-ups of issue 14 (also in `benches/check.rs`).
fn pile_ups() -> [(&'static str, String); 3] {
    [
        (
            "args.opt",
            format!("pipeline u = plan(sims=400{}, mcts)\n", ",400".repeat(1000)),
        ),
        ("names.opt", "report zz\n".repeat(20_000)),
        (
            "calls.opt",
            format!("let b = f(1){}\n", "(21)".repeat(5000)),
        ),
    ]
}

#[test]
fn at_most_100_diagnostics_are_shown_then_a_count() {
    let dir = common::scratch("limits", "pileup");
    let [args, names, calls] = pile_ups();

    let f = write(&dir, names.0, names.1.as_bytes());
    let o = optimist(&["check", &f]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    let shown = codes(&err);
    assert_eq!(shown.len(), 100, "{err}");
    assert!(shown.iter().all(|c| c == "E0201"));
    let last = err.lines().last().unwrap_or("");
    assert_eq!(
        last,
        "... and 19900 more errors not shown (at most 100 diagnostics are shown)"
    );

    let f = write(&dir, calls.0, calls.1.as_bytes());
    let o = optimist(&["check", &f]);
    let err = text(&o.stderr);
    assert_eq!(codes(&err).len(), 100);
    assert!(
        err.ends_with("... and 4900 more errors not shown (at most 100 diagnostics are shown)\n"),
        "{}",
        err.lines().last().unwrap_or("")
    );

    // 1,000 misplaced arguments of one call: one diagnostic per mistake,
    // each with a few labels and a count of the rest.
    let f = write(&dir, args.0, args.1.as_bytes());
    let o = optimist(&["check", &f]);
    let err = text(&o.stderr);
    assert_eq!(codes(&err), ["E0005", "E0202", "E0204"], "{err}");
    assert!(
        err.contains("and 996 more positional arguments after these"),
        "{err}"
    );
    assert!(!err.contains("not shown"));
    assert!(err.len() < 20_000, "{} bytes", err.len());
}

#[test]
fn the_repl_caps_diagnostics_too() {
    let o = repl("report zz\n".repeat(150).replace('\n', " ").as_bytes());
    let err = text(&o.stderr);
    assert_eq!(codes(&err).len(), 100, "{err}");
    assert!(err.contains("... and 50 more errors not shown"), "{err}");
}
