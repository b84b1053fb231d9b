//! How long `optimist check` takes on a 10,000-line script (goal: under
//! 50 ms in release on a 2-core machine), and on three small files full of
//! errors (issue 14's pile-ups, once 4–32 s each): checking and rendering
//! their diagnostics must stay near-linear in the input.
//!
//! Run with `cargo bench --bench check`.

use optimist::diagnostics::render;
use optimist::driver::{self, Settings};
use optimist::interp::Registry;
use std::fmt::Write;
use std::time::Instant;

/// A script of `lines` lines mixing every item kind and expression form.
fn script(lines: usize) -> String {
    let mut s = String::from("use std.math\nparam base = 3\n");
    let mut n = 2;
    let mut i = 0;
    while n < lines {
        match i % 5 {
            0 => writeln!(s, "def f{i}(a, b=2) = a * b + base").unwrap(),
            1 => writeln!(
                s,
                "let v{i} = f{}(v{} + {i}, b=4) |> round(digits=2)",
                i - 1,
                i.max(2) - 2
            )
            .unwrap(),
            2 => writeln!(s, "let v{i} = [v{}, {i}.5, sqrt({i})] |> sum", i - 1).unwrap(),
            3 => writeln!(
                s,
                "let v{i} = clamp(v{} / 1000, lo=0, hi=1) - -{i} ^ 2",
                i - 1
            )
            .unwrap(),
            _ => writeln!(
                s,
                "# a comment line\nlet v{i} = len(range({i})) + v{}",
                i - 1
            )
            .unwrap(),
        }
        n += if i % 5 == 4 { 2 } else { 1 };
        i += 1;
    }
    // `v0` is referenced by the first `let`; declare it and use the last.
    writeln!(s, "let v0 = 1\nreport v{}", i - 1).unwrap();
    s
}

/// The error pile-ups: (name, script, what it was before the fix).
fn pile_ups() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "plan(sims=400,400×1000, mcts) (4 KB)",
            format!("pipeline u = plan(sims=400{}, mcts)\n", ",400".repeat(1000)),
            "32 s",
        ),
        ("report zz ×20,000", "report zz\n".repeat(20_000), "20 s"),
        (
            "let b = f(1)(21)×5000",
            format!("let b = f(1){}\n", "(21)".repeat(5000)),
            "7.8 s",
        ),
    ]
}

fn main() {
    let registry = Registry::standard();
    let text = script(10_000);
    let lines = text.lines().count();
    let settings = Settings::default();
    // Warm up, and make sure the script is valid.
    let checked =
        driver::with_big_stack(|| driver::check_text("bench.opt", &text, &registry, &settings));
    assert!(
        checked.ok(),
        "benchmark script has errors: {:?}",
        checked.diagnostics.first()
    );
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let runs = 10;
    for _ in 0..runs {
        let t = Instant::now();
        let checked =
            driver::with_big_stack(|| driver::check_text("bench.opt", &text, &registry, &settings));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(checked.ok());
        best = best.min(ms);
        total += ms;
    }
    println!(
        "check: {lines} lines, {} IR nodes: best {best:.1} ms, mean {:.1} ms over {runs} runs (goal < 50 ms)",
        checked.ir.as_ref().map_or(0, |ir| ir.nodes.len()),
        total / runs as f64
    );

    // Where the time goes: lexing alone, and lexing with parsing (the
    // rest of a check is lowering and checking).
    let src = optimist::span::SourceId(0);
    let (mut lex, mut parse) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..runs {
        let t = Instant::now();
        let (tokens, problems) = optimist::syntax::lex(src, &text);
        lex = lex.min(t.elapsed().as_secs_f64() * 1e3);
        assert!(problems.is_empty() && !tokens.is_empty());
        let t = Instant::now();
        let parsed = driver::with_big_stack(|| optimist::syntax::parse(src, &text));
        parse = parse.min(t.elapsed().as_secs_f64() * 1e3);
        assert!(parsed.diagnostics.is_empty());
    }
    println!("  of which: lex best {lex:.1} ms, lex + parse best {parse:.1} ms");

    // Check and render, as `optimist check` does.
    for (name, script, before) in pile_ups() {
        let mut best = f64::INFINITY;
        let mut shown = 0;
        let mut found = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let (n, rendered) = driver::with_big_stack(|| {
                let checked = driver::check_text("pile.opt", &script, &registry, &settings);
                let rendered = render(&checked.diagnostics, &checked.sources, false);
                (checked.diagnostics.len(), rendered)
            });
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            found = n;
            shown = rendered.lines().filter(|l| l.starts_with('[')).count();
        }
        println!(
            "check + render {name}: {} bytes, {found} diagnostics ({shown} shown): best {best:.1} ms over 3 runs (was {before}; goal < 1 s)",
            script.len()
        );
    }
}
