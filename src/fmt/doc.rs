//! A small Wadler-style pretty printer: the formatter describes layout as a
//! [`Doc`] of text, optional line breaks and groups, and [`render`] picks,
//! group by group from the outside in, the flat form when it fits the width
//! and the broken form otherwise.
//!
//! Comments are what makes this more than a width check: a `#` comment runs
//! to the end of its line, so a group holding one can never be flat. Such a
//! group is built with a hard break inside ([`Doc::HardLine`] or
//! [`Doc::BreakParent`]), which [`group`] records once, so that every
//! enclosing group breaks too without the printer searching for it.

/// A layout.
#[derive(Clone, Debug)]
pub enum Doc {
    Text(String),
    /// A space when its group is flat, a newline when it is broken.
    Line,
    /// Nothing when its group is flat, a newline when it is broken.
    SoftLine,
    /// Always a newline.
    HardLine,
    /// Prints nothing, but breaks every enclosing group (a comment that
    /// the next line break must end).
    BreakParent,
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBreak(&'static str),
    /// Indents the lines its content breaks onto.
    Nest(Box<Doc>),
    Group {
        doc: Box<Doc>,
        hard: bool,
    },
    Concat(Vec<Doc>),
}

/// Spaces per indentation level.
pub const INDENT: usize = 4;

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn concat(parts: Vec<Doc>) -> Doc {
    Doc::Concat(parts)
}

pub fn nest(doc: Doc) -> Doc {
    Doc::Nest(Box::new(doc))
}

/// A group: laid out flat if it fits and holds no hard break.
pub fn group(doc: Doc) -> Doc {
    let hard = doc.has_hard_break();
    Doc::Group {
        doc: Box::new(doc),
        hard,
    }
}

impl Doc {
    fn has_hard_break(&self) -> bool {
        match self {
            Doc::HardLine | Doc::BreakParent => true,
            Doc::Group { hard, .. } => *hard,
            Doc::Nest(d) => d.has_hard_break(),
            Doc::Concat(parts) => parts.iter().any(Doc::has_hard_break),
            Doc::Text(_) | Doc::Line | Doc::SoftLine | Doc::IfBreak(_) => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Flat,
    Break,
}

/// Lays `doc` out within `width` columns. Lines never end in spaces.
pub fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0usize;
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, d)) = stack.pop() {
        match d {
            Doc::Text(s) => {
                out.push_str(s);
                col += s.chars().count();
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                if mode == Mode::Flat && !matches!(d, Doc::HardLine) {
                    if matches!(d, Doc::Line) {
                        out.push(' ');
                        col += 1;
                    }
                } else {
                    newline(&mut out, indent);
                    col = indent;
                }
            }
            Doc::BreakParent => {}
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    out.push_str(s);
                    col += s.chars().count();
                }
            }
            Doc::Nest(inner) => stack.push((indent + INDENT, mode, inner)),
            Doc::Concat(parts) => {
                for p in parts.iter().rev() {
                    stack.push((indent, mode, p));
                }
            }
            Doc::Group { doc: inner, hard } => {
                let flat =
                    mode == Mode::Flat || (!hard && fits(inner, &stack, width.saturating_sub(col)));
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, inner));
            }
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

fn newline(out: &mut String, indent: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Whether `doc`, flat, and what follows it up to the next line break fit
/// in `room` columns.
fn fits(doc: &Doc, rest: &[(usize, Mode, &Doc)], room: usize) -> bool {
    let mut room = room as isize;
    let mut todo: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest = rest.iter().rev();
    loop {
        let Some((mode, d)) = todo.pop().or_else(|| rest.next().map(|(_, m, d)| (*m, *d))) else {
            return true;
        };
        match d {
            Doc::Text(s) => room -= s.chars().count() as isize,
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                if mode == Mode::Break || matches!(d, Doc::HardLine) {
                    return true;
                }
                if matches!(d, Doc::Line) {
                    room -= 1;
                }
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    room -= s.chars().count() as isize;
                }
            }
            Doc::BreakParent => {}
            Doc::Nest(inner) => todo.push((mode, inner)),
            Doc::Group { doc: inner, hard } => {
                todo.push((if *hard { Mode::Break } else { mode }, inner));
            }
            Doc::Concat(parts) => {
                for p in parts.iter().rev() {
                    todo.push((mode, p));
                }
            }
        }
        if room < 0 {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[&str]) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(text(*a));
        }
        inner.push(Doc::IfBreak(","));
        group(concat(vec![
            text(format!("{name}(")),
            nest(concat(inner)),
            Doc::SoftLine,
            text(")"),
        ]))
    }

    #[test]
    fn a_group_is_flat_when_it_fits_and_broken_otherwise() {
        let d = call("f", &["aaa", "bbb"]);
        assert_eq!(render(&d, 20), "f(aaa, bbb)");
        assert_eq!(render(&d, 10), "f(\n    aaa,\n    bbb,\n)");
        // Exactly at the width still fits.
        assert_eq!(render(&d, 11), "f(aaa, bbb)");
    }

    #[test]
    fn a_hard_break_breaks_every_enclosing_group() {
        let inner = group(concat(vec![text("x"), Doc::BreakParent]));
        let d = group(concat(vec![
            text("a"),
            Doc::Line,
            inner,
            Doc::Line,
            text("b"),
        ]));
        assert_eq!(render(&d, 80), "a\nx\nb");
    }

    #[test]
    fn text_after_a_group_counts_against_its_fit() {
        // `f(aaa)` fits in 8 columns, but not with the `.field` after it.
        let d = concat(vec![call("f", &["aaa"]), text(".field")]);
        assert_eq!(render(&d, 8), "f(\n    aaa,\n).field");
        assert_eq!(render(&d, 12), "f(aaa).field");
    }
}
