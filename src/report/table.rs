//! Tables: what `report` prints, and what reports serialize to.
//!
//! A table is plain data (no language types), so that evaluation code in
//! any module can build one and every output format can render it.

use serde::Serialize;

/// One cell. Numbers carry how many decimals to print, so that a table is
/// stable across runs when its numbers are (wall-clock columns are marked
/// volatile and left out of snapshot comparisons by the caller).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Int(i64),
    Num(f64),
    Str(String),
    Empty,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// Decimals for `Num` cells.
    pub decimals: usize,
    /// Wall-clock figures: not deterministic.
    pub volatile: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// How `plot … to "f.svg"` draws this table, when it can be drawn.
    #[serde(skip)]
    pub figure: Option<super::plot::Figure>,
}

impl Table {
    pub fn new(title: impl Into<String>) -> Self {
        Table {
            title: title.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            figure: None,
        }
    }

    pub fn column(mut self, name: impl Into<String>, decimals: usize) -> Self {
        self.columns.push(Column {
            name: name.into(),
            decimals,
            volatile: false,
        });
        self
    }

    pub fn volatile_column(mut self, name: impl Into<String>, decimals: usize) -> Self {
        self.columns.push(Column {
            name: name.into(),
            decimals,
            volatile: true,
        });
        self
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn cell_text(&self, col: usize, cell: &Cell) -> String {
        match cell {
            Cell::Int(i) => i.to_string(),
            Cell::Num(x) => format_fixed(*x, self.columns.get(col).map_or(3, |c| c.decimals)),
            Cell::Str(s) => s.clone(),
            Cell::Empty => "–".to_string(),
        }
    }

    /// The table without its wall-clock columns: what is deterministic.
    pub fn without_volatile(&self) -> Table {
        let keep: Vec<bool> = self.columns.iter().map(|c| !c.volatile).collect();
        let pick = |row: &Vec<Cell>| -> Vec<Cell> {
            row.iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.clone())
                .collect()
        };
        Table {
            title: self.title.clone(),
            columns: self
                .columns
                .iter()
                .filter(|c| !c.volatile)
                .cloned()
                .collect(),
            rows: self.rows.iter().map(pick).collect(),
            figure: self.figure.clone(),
        }
    }

    /// The aligned text form: numbers right-aligned, text left-aligned.
    pub fn render(&self) -> String {
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| self.cell_text(i, c))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .collect();
        for row in &texts {
            for (i, t) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(t.chars().count());
                }
            }
        }
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&self.title);
            out.push('\n');
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| pad(&c.name, *w, false))
            .collect();
        out.push_str(header.join("  ").trim_end());
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for (row, cells) in texts.iter().zip(&self.rows) {
            let line: Vec<String> = row
                .iter()
                .zip(cells)
                .zip(&widths)
                .map(|((t, c), w)| pad(t, *w, matches!(c, Cell::Int(_) | Cell::Num(_))))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    /// CSV with a header row; fields quoted where needed.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Cell::Empty => String::new(),
                    other => csv_field(&self.cell_text(i, other)),
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

fn pad(text: &str, width: usize, right: bool) -> String {
    let n = text.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Fixed decimals, with `-0.000` printed as `0.000`.
pub fn format_fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_numbers_right_and_text_left() {
        let mut t = Table::new("demo").column("solver", 0).column("score", 2);
        t.row(vec![Cell::Str("mcts".into()), Cell::Num(0.5)]);
        t.row(vec![Cell::Str("minimax".into()), Cell::Num(-12.25)]);
        let text = t.render();
        assert!(text.contains("mcts       0.50"), "{text}");
        assert!(text.contains("minimax  -12.25"), "{text}");
        assert_eq!(t.to_csv(), "solver,score\nmcts,0.50\nminimax,-12.25\n");
        assert_eq!(format_fixed(-0.0001, 2), "0.00");
    }
}
