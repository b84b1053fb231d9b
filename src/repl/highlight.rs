//! Syntax highlighting of the line being edited, with ANSI colours:
//! keywords, strings, numbers, the pipe, comments and `:` commands.
//!
//! It reads the lexer's tokens, so it colours exactly what the parser will
//! see; comments, which the lexer drops, come from the formatter's scanner.
//! The highlighted text must have the same width as the input, so only
//! escape sequences are added.

use crate::span::SourceId;
use crate::syntax::{lex, Keyword, Token};

const KEYWORD: &str = "\x1b[1;35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const PIPE: &str = "\x1b[1;33m";
const COMMENT: &str = "\x1b[90m";
const COMMAND: &str = "\x1b[1;34m";
/// Hints are greyed.
pub const HINT: &str = "\x1b[2;37m";
pub const PROMPT: &str = "\x1b[1;32m";
pub const RESET: &str = "\x1b[0m";

/// `line` with colour escapes around its tokens.
pub fn highlight(line: &str) -> String {
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    let code_start = if line.trim_start().starts_with(':') {
        let lead = line.len() - line.trim_start().len();
        let end = line[lead..]
            .find(char::is_whitespace)
            .map_or(line.len(), |i| lead + i);
        spans.push((lead, end, COMMAND));
        end
    } else {
        0
    };
    let code = &line[code_start..];
    let (tokens, _) = lex(SourceId(0), code);
    for (t, s) in &tokens {
        let colour = match t {
            Token::Keyword(Keyword::True | Keyword::False) => NUMBER,
            Token::Keyword(_) => KEYWORD,
            Token::Str(_) => STRING,
            // An unterminated string is still a string being typed.
            Token::Error if code[s.range()].starts_with('"') => STRING,
            Token::Int(_) | Token::Num(_) => NUMBER,
            Token::Pipe => PIPE,
            _ => continue,
        };
        spans.push((code_start + s.start, code_start + s.end, colour));
    }
    for c in crate::fmt::scan_comments(code) {
        spans.push((code_start + c.start, code_start + c.end, COMMENT));
    }
    spans.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(line.len() + spans.len() * 8);
    let mut at = 0;
    for (start, end, colour) in spans {
        if start < at || end > line.len() {
            continue;
        }
        out.push_str(&line[at..start]);
        out.push_str(colour);
        out.push_str(&line[start..end]);
        out.push_str(RESET);
        at = end;
    }
    out.push_str(&line[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut in_escape = false;
        for c in s.chars() {
            match (c, in_escape) {
                ('\x1b', _) => in_escape = true,
                ('m', true) => in_escape = false,
                (_, true) => {}
                (c, false) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn colours_keywords_strings_numbers_pipes_and_comments() {
        let line = "let a = f(1.5, \"s\") |> g # note";
        let h = highlight(line);
        assert_eq!(strip(&h), line);
        assert!(h.starts_with(&format!("{KEYWORD}let{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{NUMBER}1.5{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{STRING}\"s\"{RESET}")), "{h:?}");
        assert!(h.contains(&format!("{PIPE}|>{RESET}")), "{h:?}");
        assert!(h.ends_with(&format!("{COMMENT}# note{RESET}")), "{h:?}");
    }

    #[test]
    fn commands_and_unfinished_strings() {
        let h = highlight(":type \"ab");
        assert!(h.starts_with(&format!("{COMMAND}:type{RESET}")), "{h:?}");
        assert_eq!(strip(&h), ":type \"ab");
        assert!(h.contains(STRING), "{h:?}");
    }
}
