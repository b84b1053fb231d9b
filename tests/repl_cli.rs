//! Command-line polish around the REPL: shell completions, an example in
//! every subcommand's `--help`, and `check --quiet`.

mod common;

use common::stdout;
use std::process::{Command, Output};

fn optimist(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _optimist"),
        ("zsh", "#compdef optimist"),
        ("fish", "complete -c optimist"),
    ] {
        let o = optimist(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["run", "check", "repl", "fmt", "completions"] {
            assert!(script.contains(sub), "{shell} lacks `{sub}`");
        }
    }
    assert_eq!(optimist(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in ["run", "check", "doc", "repl", "fmt", "completions"] {
        let o = optimist(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        let help = stdout(&o);
        assert!(
            help.contains("Example"),
            "`{sub} --help` has no example:\n{help}"
        );
        assert!(help.contains(&format!("optimist {sub}")), "{sub}:\n{help}");
    }
}

#[test]
fn check_quiet_hides_warnings_but_not_errors() {
    let dir = std::env::temp_dir().join(format!("optimist-repl-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let file = dir.join("w.opt");
    std::fs::write(&file, "param unused = 1\nlet a = 2\n").expect("write");
    let path = file.to_string_lossy();
    let loud = optimist(&["check", &path]);
    assert!(String::from_utf8_lossy(&loud.stderr).contains("W0001"));
    let quiet = optimist(&["check", "--quiet", &path]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    std::fs::write(&file, "let a = nope\n").expect("write");
    let failing = optimist(&["check", "-q", &path]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failing.stderr).contains("unknown name"));
    let _ = std::fs::remove_dir_all(&dir);
}
