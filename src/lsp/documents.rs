//! Open documents and the one conversion between the protocol's positions
//! (line, UTF-16 code unit) and the byte offsets every span holds.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};
use std::collections::HashMap;

/// Where each line of a text starts, to turn byte offsets into positions
/// and back. Lines end at `\n` (a `\r` before it belongs to the line).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and back to the
    /// start of the character it falls in).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character: usize = self.text[self.starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The byte offset of a position. A line past the end is the end of
    /// the text; a character past the end of its line is the line's end; a
    /// position inside a surrogate pair is the start of its character.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    /// The whole text's range.
    pub fn full_range(&self) -> Range {
        self.range(0, self.text.len())
    }
}

/// One open document: its text as the editor has it.
pub struct Document {
    pub text: String,
    pub version: i32,
}

impl Document {
    /// Applies the editor's changes in order: a change with a range
    /// replaces that range, one without replaces the whole text.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let index = LineIndex::new(&self.text);
                    let start = index.offset(range.start);
                    let end = index.offset(range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
        }
        self.version = version;
    }
}

/// The documents the editor has open.
#[derive(Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, text: String, version: i32) {
        self.open.insert(uri, Document { text, version });
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn close(&mut self, uri: &Url) {
        self.open.remove(uri);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // `é` is 2 bytes and 1 unit; `𝜃` is 4 bytes and 2 units.
        let text = "let é = 1\r\nlet 𝜃x = 2\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), Position::new(1, 6));
        assert_eq!(index.offset(Position::new(1, 6)), x);
        let eq = text.find(" = 1").unwrap() + 1;
        assert_eq!(index.position(eq), Position::new(0, 6));
        assert_eq!(index.offset(Position::new(0, 6)), eq);
        // Past the end of a line: its end, before `\r\n`.
        assert_eq!(index.offset(Position::new(0, 99)), text.find('\r').unwrap());
        // Inside the surrogate pair: the start of `𝜃`.
        assert_eq!(index.offset(Position::new(1, 5)), text.find('𝜃').unwrap());
        // Past the last line: the end.
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        assert_eq!(index.position(text.len()), Position::new(2, 0));
        // Inside a multi-byte character: its start.
        assert_eq!(
            index.position(text.find('é').unwrap() + 1),
            Position::new(0, 4)
        );
    }

    #[test]
    fn changes_apply_in_order() {
        let mut doc = Document {
            text: "let a = 1\nreport a\n".into(),
            version: 1,
        };
        let change = |l0, c0, l1, c1, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: t.into(),
        };
        doc.apply(vec![change(0, 4, 0, 5, "bé"), change(1, 7, 1, 8, "bé")], 2);
        assert_eq!(doc.text, "let bé = 1\nreport bé\n");
        doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "x".into(),
            }],
            3,
        );
        assert_eq!((doc.text.as_str(), doc.version), ("x", 3));
    }
}
