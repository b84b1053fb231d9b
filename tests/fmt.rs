//! The formatter: its output for every corpus file and for inputs laid out
//! badly on purpose (snapshots), idempotence, meaning and comments kept,
//! and every example, corpus and stdlib script kept formatted.

use optimist::fmt::{format_source, scan_comments};
use optimist::span::SourceId;
use optimist::syntax::{dump_ast, parse};
use std::path::Path;

fn fmt(text: &str) -> String {
    match format_source(SourceId(0), text) {
        Ok(out) => out,
        Err(d) => panic!("does not parse: {d:?}\n{text}"),
    }
}

/// The syntax tree without its spans: what the program means.
fn meaning(text: &str) -> String {
    let parsed = parse(SourceId(0), text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let program = parsed.program.expect("a program");
    dump_ast(&program)
        .lines()
        .map(|l| match l.rsplit_once(' ') {
            Some((head, last)) if is_span(last) => head.to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_span(word: &str) -> bool {
    word.split_once("..").is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

fn comments(text: &str) -> Vec<String> {
    scan_comments(text)
        .iter()
        .map(|c| text[c.start..c.end].to_string())
        .collect()
}

/// What every formatting must preserve, and its fixed point.
fn check_properties(name: &str, text: &str) -> String {
    let once = fmt(text);
    assert_eq!(fmt(&once), once, "{name}: formatting is not idempotent");
    assert_eq!(meaning(&once), meaning(text), "{name}: the meaning changed");
    assert_eq!(comments(&once), comments(text), "{name}: comments changed");
    for line in once.lines() {
        assert!(
            line.chars().count() <= 100 || !line.contains(", "),
            "{name}: `{line}` is too wide"
        );
        assert_eq!(line.trim_end(), line, "{name}: trailing spaces");
    }
    once
}

#[test]
fn every_corpus_file_formats_to_its_snapshot() {
    insta::glob!("syntax/*.opt", |path| {
        let text = std::fs::read_to_string(path).expect("corpus file is readable");
        let out = check_properties(&path.display().to_string(), &text);
        insta::assert_snapshot!(out);
    });
}

/// Inputs laid out badly on purpose (the corpus itself is kept formatted).
const MESSY: &[(&str, &str)] = &[
    (
        "comments_everywhere",
        "# A file header comment.\n# Another line.\n\nuse std.games # trailing comment after an item\n\n\
         param # comment between keyword and name\n    sims # comment between name and `=`\n    = # comment after `=`\n    400 # comment after the value\n\n\
         report compare( # comment after an open paren\n    [uct, # comment after an element\n     policy], # comment after a closing bracket\n    on=ttt, # comment after a named argument\n    n=200 # comment before the close\n) # done\n\
         # a comment on the last line, without a newline at the end",
    ),
    (
        "multiline",
        "pipeline expert =\n    expert_iteration(\n        mlp(\n            hidden = [256, 256],\n            act = relu\n        ),\n        plan(\n            mcts,\n            sims = 200\n        ),\n        on = connect4(),\n        rounds = 5\n    )\n\n\
         let total = 1 +\n    2 *\n    3\n\n\n\nreport\n    compare(\n        [expert, uct],\n        on = connect4(),\n        n = 100\n    )\n",
    ),
    (
        "whitespace_free",
        "let a=f(b,c=[1,2])|>g\nlet b=-x^2+y*z/w\nlet c=r.s[0].t\nreport a|>h(1)\nlet d=(-x)^2+(a-(b-c))*(2^3)^2\n",
    ),
    (
        "aligned",
        "param sims = 400                      # overridable\n\npipeline uct    = plan(mcts, sims=sims)                          # direct\n\
         dataset  games  = solve(ttt, plan(mcts, sims=2000), n=3000)      # direct search makes data\n\
         plot   sweep(uct, sims=[16, 64, 256, 1024], on=ttt) to \"uct_scaling.svg\"\n",
    ),
    (
        "long_lines",
        "pipeline policy = amortize(mlp(hidden=[256, 256, 256], act=relu), data=solve(connect4(rows=6, cols=7), plan(mcts, sims=2000, c=1.25), n=20000), epochs=50)\n\
         pipeline hybrid = amortize(mlp(hidden=[64, 64]), data=games, epochs=20) |> init(plan(mcts, depth=8, sims=400)) |> gate(plan(mcts, sims=1600), when=novelty(0.3))\n\
         def distil(net, planner, n=1000, epochs=20,) = amortize(net, data=solve(ttt, planner, n=n), epochs=epochs)\n",
    ),
    (
        "trailing_commas_and_parens",
        "let trailing = [16, 64, 256,]\nlet walls = [[0, 1], [1, 1], [2, 3],]\npipeline p2 = plan(cem, samples=64, elites=8,)\n\
         let empty_call = tictactoe(\n)\nlet h = ((1))\nlet i = (((a + b)) * (c))\ndef sq(x,) = x ^ 2\n",
    ),
    (
        "comments_in_pipes_and_defs",
        "let b = x # after x\n  |> f # after f\n  # before g\n  |> g\ndef f(a, # after a\n b=2 # after b\n) = a # after the def\nlet c = 1 + # inside\n 2\n\n\n# last\n",
    ),
];

#[test]
fn messy_inputs_format_to_their_snapshots() {
    for (name, text) in MESSY {
        let out = check_properties(name, text);
        insta::assert_snapshot!(*name, out);
    }
}

#[test]
fn syntax_errors_are_reported_and_nothing_is_formatted() {
    let err = format_source(SourceId(0), "let a = f(1,, 2)\n").unwrap_err();
    assert_eq!(err[0].code, "E0002");
}

#[test]
fn examples_corpus_and_stdlib_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in ["examples", "tests/syntax", "stdlib"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("the folder is readable")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "opt"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("readable");
            assert!(
                fmt(&text) == text,
                "{} is not formatted: run `optimist fmt {}`",
                p.display(),
                p.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} scripts found");
}

#[test]
fn fmt_check_exits_one_on_an_unformatted_file_and_fmt_fixes_it() {
    let dir = std::env::temp_dir().join(format!("optimist-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let file = dir.join("messy.opt");
    std::fs::write(&file, "let a=1+2 # keep\n").expect("write");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_optimist"))
            .args(args)
            .arg(&file)
            .output()
            .expect("the binary runs")
    };
    let check = run(&["fmt", "--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("is not formatted"));
    assert_eq!(run(&["fmt", "--quiet"]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "let a = 1 + 2 # keep\n"
    );
    assert_eq!(run(&["fmt", "--check"]).status.code(), Some(0));
    std::fs::write(&file, "let a = (\n").expect("write");
    let broken = run(&["fmt"]);
    assert_eq!(broken.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "let a = (\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Comments, spaces and line breaks scattered between the tokens of every
/// corpus file: the formatter must keep every comment, in order, keep the
/// meaning, and reach its fixed point in one pass.
#[test]
fn scattered_comments_and_breaks_survive_formatting() {
    let mut rng = optimist::rng::Rng::new(11);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let (tokens, _) = optimist::syntax::lex(SourceId(0), &text);
        for round in 0..8 {
            let mut out = String::new();
            let mut at = 0;
            for (i, (_, span)) in tokens.iter().enumerate() {
                out.push_str(&text[at..span.end]);
                at = span.end;
                match rng.below(6) {
                    0 => out.push_str(&format!(" # c{i}\n")),
                    1 => out.push_str("\n    "),
                    2 => out.push_str("   "),
                    _ => {}
                }
            }
            out.push_str(&text[at..]);
            let name = format!("{} round {round}", path.display());
            check_properties(&name, &out);
        }
    }
}
