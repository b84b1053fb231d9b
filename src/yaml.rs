//! A depth cap for YAML read from files (data files, `--config`, model
//! sidecars). The YAML parser slows down quadratically with flow nesting
//! (`[[[[…]]]]`: 100,000 levels in 200 KB took over half a minute), so a
//! linear pre-scan refuses anything nested deeper than [`MAX_DEPTH`]
//! before the parser sees it. Part of the native library.

use std::fmt;

/// The deepest nesting of collections accepted (flow brackets, plus the
/// block entries — `- ` or `? ` — that open them on the same line).
pub const MAX_DEPTH: usize = 128;

/// YAML nested deeper than [`MAX_DEPTH`]; `line` and `column` (1-based)
/// locate the first collection past the cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthError {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

impl fmt::Display for DepthError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}:{}: nested more than {MAX_DEPTH} levels deep",
            self.line, self.column
        )
    }
}

impl std::error::Error for DepthError {}

/// Scans `text` once for collections nested deeper than [`MAX_DEPTH`]:
/// flow brackets outside quoted scalars and comments, added to the block
/// entries (`- `, `? `) opened on their line, each counted as a level.
/// Nesting by indentation alone is not counted: it costs a file bytes
/// quadratic in its depth, so it cannot be deep in a small file.
pub fn check_depth(text: &[u8]) -> Result<(), DepthError> {
    let mut flow = 0usize;
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut block = 0usize;
    let mut at_line_start = true;
    let mut quote: Option<u8> = None;
    let mut prev = b'\n';
    let mut i = 0;
    let err = |i: usize, line: usize, line_start: usize| DepthError {
        line,
        column: i - line_start + 1,
        offset: i,
    };
    while i < text.len() {
        let c = text[i];
        if let Some(q) = quote {
            if c == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            if c == b'\n' {
                line += 1;
                line_start = i + 1;
            }
            prev = c;
            i += 1;
            continue;
        }
        match c {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                block = 0;
                at_line_start = true;
            }
            b'#' if prev.is_ascii_whitespace() => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\''
                if matches!(
                    prev,
                    b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-'
                ) =>
            {
                quote = Some(c);
            }
            b'[' | b'{' => {
                flow += 1;
                if flow + block > MAX_DEPTH {
                    return Err(err(i, line, line_start));
                }
            }
            b']' | b'}' => flow = flow.saturating_sub(1),
            b' ' if at_line_start => {}
            b'-' | b'?' if flow == 0 && matches!(text.get(i + 1), Some(b' ' | b'\n') | None) => {
                // A block entry (`- - - x`): one more level on this line.
                block += 1;
                if block > MAX_DEPTH {
                    return Err(err(i, line, line_start));
                }
            }
            _ => at_line_start = false,
        }
        if c != b' ' && c != b'-' && c != b'?' {
            at_line_start = false;
        }
        prev = c;
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_yaml_passes() {
        let text = b"a: [1, [2, {b: \"[[[[\"}]]\n# [[[[[[\nc:\n  - - x\n    - 'y]]]['\n";
        assert_eq!(check_depth(text), Ok(()));
        let deep_ok = format!("a: {}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check_depth(deep_ok.as_bytes()), Ok(()));
    }

    #[test]
    fn deep_flow_nesting_fails_fast() {
        let n = 100_000;
        let text = format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        let start = std::time::Instant::now();
        let err = check_depth(text.as_bytes()).unwrap_err();
        assert!(start.elapsed().as_secs() < 5);
        assert_eq!((err.line, err.column), (1, 4 + MAX_DEPTH));
        assert_eq!(err.to_string(), "1:132: nested more than 128 levels deep");
        let text = format!("a: {}1{}\n", "{b: ".repeat(n), "}".repeat(n));
        assert!(check_depth(text.as_bytes()).is_err());
    }

    #[test]
    fn deep_block_entries_fail() {
        let text = format!("a: {}1\n", "- ".repeat(1000));
        assert!(check_depth(text.as_bytes()).is_err());
    }
}
