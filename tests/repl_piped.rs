//! The REPL on piped input: a script fed on stdin runs without prompts or
//! colour, keeps its definitions across lines, and exits 1 if any entry
//! failed (after running the rest).

mod common;

use std::process::Output;

fn repl(input: &str, args: &[&str]) -> Output {
    common::repl_piped(input.as_bytes(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_script_on_stdin_runs_without_prompts_or_colour() {
    let o = repl(
        "use std.math\nparam k = 3\nlet xs = [1,\n  2,\n  k]\nsum(xs)\nxs |> len\ndef sq(v) = v * v\nsq(k)\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out, "sum(xs) = 6\nxs |> len = 3\nsq(k) = 9\n");
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    assert!(!out.contains("opt>") && !out.contains('\u{1b}'));
}

#[test]
fn a_failing_entry_is_reported_the_rest_runs_and_the_status_is_one() {
    let o = repl("let a = 2\na + nope\na * 21\n", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "a * 21 = 42\n");
    let err = text(&o.stderr);
    assert!(err.contains("unknown name `nope`"), "{err}");
    assert!(err.contains("<repl>:1:5"), "{err}");
    assert!(!err.contains('\u{1b}'), "colour on a pipe");
}

#[test]
fn redefining_a_name_replaces_it_and_its_dependents_follow() {
    let o = repl(
        "let a = 2\nlet b = a * 10\nb\nlet a = 5\nb\nlet a = \"text\"\nb\na\n",
        &[],
    );
    let out = text(&o.stdout);
    assert_eq!(out, "b = 20\nb = 50\na = \"text\"\n");
    let err = text(&o.stderr);
    assert!(err.contains("`b` no longer checks"), "{err}");
    assert!(err.contains("unknown name `b`"), "{err}");
}

#[test]
fn commands_type_ir_set_and_help() {
    let o = repl(
        ":type tictactoe()\n:type sum\n:ir 1 + 2\n:set seed 9\n:set\n:help sqrt\n:help sims\n:help sqr\n:nonsense\n",
        &["--threads", "2"],
    );
    let out = text(&o.stdout);
    assert!(out.contains("tictactoe() : Objective (a game)"), "{out}");
    assert!(out.contains("sum : builtin sum(xs)"), "{out}");
    assert!(out.contains("%2: Int = %0 + %1"), "{out}");
    assert!(out.contains("show %2"), "{out}");
    assert!(out.contains("seed = 9\nthreads = 2\n"), "{out}");
    assert!(out.contains("sqrt(x)"), "{out}");
    assert!(out.contains("`sims` is a parameter of:"), "{out}");
    assert!(out.contains("plan(mcts, …)"), "{out}");
    let err = text(&o.stderr);
    assert!(
        err.contains("no help for `sqr`; did you mean `sqrt`?"),
        "{err}"
    );
    assert!(err.contains("unknown command `:nonsense`"), "{err}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_saved_session_loads_back() {
    let dir = std::env::temp_dir().join(format!("optimist-piped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let file = dir.join("session.opt");
    let path = file.to_string_lossy();
    let o = repl(
        &format!(
            "use std.math\nparam n = 4\nlet xs = range(n)   # kept\ndef total(v) = sum(v)\ntotal(xs)\n:save {path}\n"
        ),
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let saved = std::fs::read_to_string(&file).expect("the session was saved");
    assert_eq!(
        saved,
        "use std.math\nparam n = 4\nlet xs = range(n)\ndef total(v) = sum(v)\n"
    );
    let o = repl(&format!(":load {path}\ntotal(xs) + n\n:reset\nxs\n"), &[]);
    assert_eq!(
        text(&o.stdout),
        "total(xs) + n = 10\nthe session is empty\n"
    );
    assert!(text(&o.stderr).contains("unknown name `xs`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quit_stops_reading() {
    let o = repl("1 + 1\n:quit\n2 + 2\n", &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stdout), "1 + 1 = 2\n");
}

/// The README's REPL transcript, replayed: its inputs (after `opt> `, with
/// the lines an unfinished entry continues on) must print its outputs. The
/// `ms/q` column is wall time and is left out of the comparison.
#[test]
fn the_readme_transcript_is_what_the_repl_prints() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme.split("\n## REPL\n").nth(1).expect("a REPL section");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a text block");
    let (mut input, mut expected) = (String::new(), String::new());
    let mut entry = String::new();
    for line in block.lines().skip(2) {
        if let Some(typed) = line.strip_prefix("opt> ") {
            entry = format!("{typed}\n");
        } else if !entry.is_empty() {
            entry.push_str(line);
            entry.push('\n');
        } else {
            expected.push_str(line);
            expected.push('\n');
            continue;
        }
        if !optimist::repl::is_incomplete(&entry) {
            input.push_str(&entry);
            entry.clear();
        }
    }
    let o = repl(&input, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        without_wall_time(&text(&o.stdout)),
        without_wall_time(&expected)
    );
}

fn without_wall_time(s: &str) -> String {
    let mut in_table = false;
    s.lines()
        .map(|l| {
            if l.ends_with("ms/q") {
                in_table = true;
            } else if l.trim().is_empty() || !l.contains("  ") {
                in_table = false;
            }
            match (in_table, l.trim_end().rsplit_once(' ')) {
                (true, Some((head, _))) => head.trim_end().to_string(),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
