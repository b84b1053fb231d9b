//! The front end: source text to tokens ([`lex`]), tokens to the syntax
//! tree ([`parse`], [`parse_repl`]), and printers of both for snapshots and
//! `--dump` ([`dump_tokens`], [`dump_ast`]).
//!
//! Both stages are chumsky grammars: the lexer runs over the characters of
//! the source, the parser over the lexer's `(Token, Span)` slice. Both
//! report every problem they find and keep going; the grammar they accept
//! is `grammar/optimist.ebnf`, and the error codes, the recovery strategy
//! and the nesting cap are described in [`parser`].

pub mod ast;
pub mod dump;
pub mod lexer;
pub mod parser;
pub mod precedence;

pub use dump::{dump_ast, dump_tokens};
pub use lexer::{Keyword, Token};
pub use parser::ParseResult;

use crate::diagnostics::Diagnostic;
use crate::span::{SourceId, Span};

/// Splits a source into tokens, reporting bad characters, malformed numbers
/// and unterminated strings (each becomes one [`Token::Error`] or a
/// best-effort token, and lexing continues).
pub fn lex(src: SourceId, text: &str) -> (Vec<(Token, Span)>, Vec<Diagnostic>) {
    lexer::lex(src, text)
}

/// Parses a script: a sequence of items.
pub fn parse(src: SourceId, text: &str) -> ParseResult {
    parse_with(src, text, false)
}

/// Parses REPL input: items, or a single bare expression (`ItemKind::Expr`).
pub fn parse_repl(src: SourceId, text: &str) -> ParseResult {
    parse_with(src, text, true)
}

fn parse_with(src: SourceId, text: &str, repl: bool) -> ParseResult {
    let (tokens, lex_diags) = lexer::lex(src, text);
    let mut result = parser::parse_tokens(src, text, &tokens, repl);
    if !lex_diags.is_empty() {
        // A bad token is never "unfinished input".
        result.incomplete = false;
    }
    let mut all = lex_diags;
    all.append(&mut result.diagnostics);
    // Stable sort: lexer and parser reports interleave in source order.
    all.sort_by_key(|d| d.primary_span().map_or(0, |s| s.start));
    result.diagnostics = all;
    result
}

#[cfg(test)]
mod tests {
    use super::ast::*;
    use super::*;
    use crate::rng::Rng;

    fn expr_of(text: &str) -> Expr {
        let result = parse_repl(SourceId(0), text);
        assert!(
            result.diagnostics.is_empty(),
            "{text}: {:?}",
            result.diagnostics
        );
        let mut items = result.program.map(|p| p.items).unwrap_or_default();
        assert_eq!(items.len(), 1, "{text}");
        match items.remove(0).kind {
            ItemKind::Expr(e) => e,
            other => panic!("{text}: not an expression: {other:?}"),
        }
    }

    /// A fully parenthesized rendering, so that tests state structure exactly.
    fn sexp(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Num(x) => format!("{x:?}"),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(i) => i.name.clone(),
            ExprKind::List(items) => {
                let items: Vec<String> = items.iter().map(sexp).collect();
                format!("[{}]", items.join(" "))
            }
            ExprKind::Call { callee, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match &a.name {
                        Some(n) => format!("{}={}", n.name, sexp(&a.value)),
                        None => sexp(&a.value),
                    })
                    .collect();
                format!("(call {} {})", callee.name, args.join(" "))
            }
            ExprKind::Unary { expr, .. } => format!("(neg {})", sexp(expr)),
            ExprKind::Binary { op, lhs, rhs } => {
                format!("({} {} {})", op.symbol(), sexp(lhs), sexp(rhs))
            }
            ExprKind::Index { target, index } => {
                format!("(index {} {})", sexp(target), sexp(index))
            }
            ExprKind::Field { target, field } => format!("(field {} {})", sexp(target), field.name),
            ExprKind::Pipe { lhs, rhs } => format!("(|> {} {})", sexp(lhs), sexp(rhs)),
            ExprKind::Error => "<error>".to_string(),
        }
    }

    fn shape(text: &str) -> String {
        sexp(&expr_of(text))
    }

    #[test]
    fn arithmetic_precedence_and_associativity() {
        assert_eq!(shape("1 + 2 * 3 ^ 2 ^ 2"), "(+ 1 (* 2 (^ 3 (^ 2 2))))");
        assert_eq!(shape("a - b - c"), "(- (- a b) c)");
        assert_eq!(shape("a / b * c"), "(* (/ a b) c)");
        assert_eq!(shape("(a + b) * c"), "(* (+ a b) c)");
    }

    #[test]
    fn unary_minus_binds_looser_than_power() {
        assert_eq!(shape("-x ^ 2"), "(neg (^ x 2))");
        assert_eq!(shape("(-x) ^ 2"), "(^ (neg x) 2)");
        assert_eq!(shape("2 ^ -1"), "(^ 2 (neg 1))");
        assert_eq!(shape("-a * b"), "(* (neg a) b)");
        assert_eq!(shape("-v[0] ^ 2"), "(neg (^ (index v 0) 2))");
    }

    #[test]
    fn pipes_bind_loosest_and_associate_left() {
        assert_eq!(shape("a |> f(b) |> g"), "(|> (|> a (call f b)) g)");
        assert_eq!(shape("a + b |> f(k=1)"), "(|> (+ a b) (call f k=1))");
        let e = expr_of("a |> f(b) |> g");
        assert_eq!(e.span, Span::new(SourceId(0), 0..14));
    }

    #[test]
    fn postfix_chains_bind_tightest() {
        assert_eq!(
            shape("r.rows[0].score"),
            "(field (index (field r rows) 0) score)"
        );
        assert_eq!(
            shape("plan(mcts, sims=4 * k)[1]"),
            "(index (call plan mcts sims=(* 4 k)) 1)"
        );
        assert_eq!(shape("[1, 2.5, \"s\", true,]"), "[1 2.5 \"s\" true]");
    }

    fn incomplete(text: &str) -> bool {
        let result = parse_repl(SourceId(0), text);
        assert!(!result.diagnostics.is_empty(), "{text} parsed cleanly");
        result.incomplete
    }

    #[test]
    fn unfinished_input_is_incomplete() {
        for text in [
            "plan(mcts,",
            "x |>",
            "let a =",
            "let a = [1, 2",
            "1 +",
            "def f(a, b=",
            "report compare([a, b], on=ttt",
            "plot x",
            "param sims",
        ] {
            assert!(incomplete(text), "{text} should be incomplete");
        }
        for text in [
            "let a = )",
            "let a = 1 +\nlet b",
            "plan(mcts,, @",
            "x |> \"abc",
        ] {
            assert!(!incomplete(text), "{text} should be an error");
        }
        assert!(!parse_repl(SourceId(0), "plan(mcts)").incomplete);
    }

    #[test]
    fn every_error_of_a_file_is_reported() {
        let text = "let a = f(1,, 2)\nlet b = [1 2]\nparam c 3\nlet d = (1 + )\nreport g(x=1, 2)";
        let result = parse(SourceId(0), text);
        let codes: Vec<&str> = result.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0002", "E0002", "E0006", "E0002", "E0005"]);
        assert_eq!(result.program.map(|p| p.items.len()), Some(5));
    }

    fn codes(result: &ParseResult) -> Vec<&'static str> {
        result.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn an_unclosed_bracket_is_reported_where_it_opened() {
        let result = parse(SourceId(0), "let xs = f([1, 2)\nreport xs");
        assert_eq!(codes(&result), ["E0003"]);
        let d = &result.diagnostics[0];
        assert_eq!(d.primary_span(), Some(Span::new(SourceId(0), 16..17)));
        assert_eq!(d.labels[1].span, Span::new(SourceId(0), 11..12));
        assert_eq!(d.labels[0].message, "expected `,` or `]` before `)`");
        // The call took its `)` and the next item is whole.
        let items = result.program.map(|p| p.items).unwrap_or_default();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].span, Span::new(SourceId(0), 0..17));
    }

    #[test]
    fn a_keyword_is_a_name_only_inside_brackets() {
        // Inside brackets and followed by `,`: a misspelt name.
        let result = parse(SourceId(0), "let a = f(model, x)");
        assert_eq!(codes(&result), ["E0007"]);
        // After an unclosed bracket, followed by a name: a new item.
        let result = parse(SourceId(0), "let a = f(1\nmodel m = 2");
        assert_eq!(codes(&result), ["E0003"]);
        assert_eq!(result.program.map(|p| p.items.len()), Some(2));
        // At the top level, even between items, a keyword starts an item.
        let result = parse(SourceId(0), "report 1 2 (\nmodel = 3");
        assert_eq!(codes(&result), ["E0002", "E0002"]);
        assert!(result.diagnostics[1]
            .message
            .starts_with("expected a name after `model`"));
    }

    #[test]
    fn errors_before_too_deep_nesting_are_kept() {
        let text = format!("let a = f(1,, 2)\nlet b = {}1", "(".repeat(500));
        let result = parse(SourceId(0), &text);
        assert_eq!(codes(&result), ["E0002", "E0010"]);
        assert!(!result.incomplete);
    }

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let text = format!("let a = {}1", "(".repeat(100_000));
        let result = parse(SourceId(0), &text);
        assert_eq!(result.diagnostics.len(), 1);
        assert_eq!(result.diagnostics[0].code, "E0010");
        let text = format!("let a = {}1", "-".repeat(100_000));
        assert_eq!(parse(SourceId(0), &text).diagnostics[0].code, "E0010");
        let text = format!("let a = 1{}", "^1".repeat(100_000));
        assert_eq!(parse(SourceId(0), &text).diagnostics[0].code, "E0010");
    }

    #[test]
    fn long_chains_are_cut_not_overflowed() {
        let long = |text: String| {
            let codes: Vec<&str> = parse(SourceId(0), &text)
                .diagnostics
                .iter()
                .map(|d| d.code)
                .collect();
            codes == ["E0013"]
        };
        assert!(long(format!("let a = 1{}", "+1".repeat(20_000))));
        assert!(long(format!("let a = [1]{}", " |> reverse".repeat(20_000))));
        assert!(long(format!("let a = r{}", ".b".repeat(20_000))));
        assert!(long(format!("let a = v{}", "[0]".repeat(20_000))));
        // A chain inside a group counts under the chain around it.
        let inner = format!("(1{})", "+1".repeat(6_000));
        assert!(long(format!("let a = {inner}{}", "+1".repeat(6_000))));
        // Under the cap, and elements of a list, are fine.
        assert!(
            parse(SourceId(0), &format!("let a = 1{}", "+1".repeat(5_000)))
                .diagnostics
                .is_empty()
        );
        let list = vec!["1+1+1"; 20_000].join(", ");
        assert!(parse(SourceId(0), &format!("let a = [{list}]"))
            .diagnostics
            .is_empty());
        // Each item starts afresh.
        let item = format!("let a = 1{}\n", "+1".repeat(5_000));
        assert!(parse(SourceId(0), &item.repeat(4)).diagnostics.is_empty());
    }

    const SCRIPT: &str = "use std.games\nparam sims = 400\nobjective ttt = tictactoe()\n\
        pipeline uct = plan(mcts, sims=sims)\ndataset games = solve(ttt, plan(mcts, sims=2000), n=3000)\n\
        pipeline policy = amortize(mlp(hidden=[128, 128]), data=games) |> init(plan(mcts, sims=64))\n\
        def f(a, b=1) = -a ^ 2 + b.c[0]\nreport compare([uct, policy], on=ttt, n=200)\n\
        plot sweep(uct, sims=[16, 64], on=ttt) to \"u.svg\" # done\nsave policy to \"p\"\n";

    /// Parsing never panics, and every span it reports lies in the source.
    fn check_robust(text: &str) {
        for result in [parse(SourceId(0), text), parse_repl(SourceId(0), text)] {
            for d in &result.diagnostics {
                for label in &d.labels {
                    assert!(label.span.start <= label.span.end, "{text:?}: {d:?}");
                    assert!(label.span.end <= text.len(), "{text:?}: {d:?}");
                }
            }
            if let Some(program) = &result.program {
                dump_ast(program);
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        assert!(parse(SourceId(0), SCRIPT).diagnostics.is_empty());
        let mut rng = Rng::new(7);
        let pieces = [
            "(", ")", "[", "]", ",", ".", "=", "+", "-", "*", "/", "^", "|>", "|", "let", "def",
            "plot", "to", "use", "report", "x", "f", "1", "2.5", "1e", "\"s", "\"ok\"", "#c\n",
            "@", " ", "\n", "model", "true", ".5", "é",
        ];
        for _ in 0..300 {
            let len = rng.below(40);
            let bytes: Vec<u8> = (0..len).map(|_| rng.below(128) as u8).collect();
            check_robust(&String::from_utf8_lossy(&bytes));

            let text: String = (0..rng.below(30))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            check_robust(&text);

            // A real script with a few characters deleted, duplicated or replaced.
            let mut chars: Vec<char> = SCRIPT.chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len());
                match rng.below(3) {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, chars[at]),
                    _ => {
                        chars[at] = pieces[rng.below(pieces.len())]
                            .chars()
                            .next()
                            .unwrap_or(' ')
                    }
                }
            }
            check_robust(&chars.into_iter().collect::<String>());
        }
    }
}
