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

/// A column: `name` is what machines and scripts read (`nodes_per_query`,
/// `r.model_share`: no `/`, `%` or spaces), `header` what the aligned
/// table shows people (`nodes/q`, `model %`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub header: String,
    /// Decimals for `Num` cells.
    pub decimals: usize,
    /// Wall-clock figures: not deterministic.
    pub volatile: bool,
    /// A fraction shown to people as a percentage (`model_share` 0.25 is
    /// `model %` 25.0); machines get the fraction.
    pub percent: bool,
    /// Shown to people only when the table shows its detail rows (the
    /// `seed` of per-seed rows); machines always get it.
    pub detail_only: bool,
}

/// Whether `name` is a tidy column name: a lowercase identifier.
pub fn is_tidy_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows behind the rows (one per seed of each row, for a report
    /// measured across seeds): always in the machine formats, in the
    /// aligned text only when `show_details` is set.
    pub details: Vec<Vec<Cell>>,
    pub show_details: bool,
    /// A line printed under the aligned table (what the intervals are).
    pub note: Option<String>,
    /// How `plot … to "f.svg"` draws this table, when it can be drawn.
    #[serde(skip)]
    pub figure: Option<super::plot::Figure>,
    /// The measurement the table shows, for reports that can be measured
    /// again under other seeds and merged (`evaluate`, `compare`, `sweep`).
    #[serde(skip)]
    pub measurement: Option<std::sync::Arc<super::evaluation::Measurement>>,
}

impl Table {
    pub fn new(title: impl Into<String>) -> Self {
        Table {
            title: title.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            details: Vec::new(),
            show_details: false,
            note: None,
            figure: None,
            measurement: None,
        }
    }

    /// Adds a column whose header is its name.
    pub fn column(mut self, name: impl Into<String>, decimals: usize) -> Self {
        let name = name.into();
        debug_assert!(is_tidy_name(&name), "column name `{name}` is not tidy");
        self.columns.push(Column {
            header: name.clone(),
            name,
            decimals,
            volatile: false,
            percent: false,
            detail_only: false,
        });
        self
    }

    pub fn volatile_column(mut self, name: impl Into<String>, decimals: usize) -> Self {
        self = self.column(name, decimals);
        if let Some(c) = self.columns.last_mut() {
            c.volatile = true;
        }
        self
    }

    /// Gives the last column a different header for people.
    pub fn header(mut self, header: impl Into<String>) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.header = header.into();
        }
        self
    }

    /// Shows the last column (a fraction) as a percentage to people.
    pub fn percent(mut self) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.percent = true;
        }
        self
    }

    /// Shows the last column only beside detail rows.
    pub fn detail_only(mut self) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.detail_only = true;
        }
        self
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// The index of the column called `name` (its machine name, or the
    /// header people see).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.header == name))
    }

    /// A cell as people see it.
    pub fn cell_text(&self, col: usize, cell: &Cell) -> String {
        let column = self.columns.get(col);
        match cell {
            Cell::Int(i) => i.to_string(),
            Cell::Num(x) => {
                let x = if column.is_some_and(|c| c.percent) {
                    100.0 * x
                } else {
                    *x
                };
                format_fixed(x, column.map_or(3, |c| c.decimals))
            }
            Cell::Str(s) => s.clone(),
            Cell::Empty => "–".to_string(),
        }
    }

    /// A cell as machines get it: numbers at the column's precision (and
    /// fractions as fractions), so that output is stable when the numbers are.
    pub fn cell_value(&self, col: usize, cell: &Cell) -> serde_json::Value {
        use serde_json::Value as J;
        let column = self.columns.get(col);
        match cell {
            Cell::Int(i) => J::from(*i),
            Cell::Num(x) if x.is_finite() => {
                let decimals = column.map_or(3, |c| c.decimals)
                    + if column.is_some_and(|c| c.percent) {
                        2
                    } else {
                        0
                    };
                let scale = 10f64.powi(decimals as i32);
                let rounded = (x * scale).round() / scale;
                serde_json::Number::from_f64(if rounded == 0.0 { 0.0 } else { rounded })
                    .map_or(J::Null, J::Number)
            }
            Cell::Num(x) => J::String(x.to_string()),
            Cell::Str(s) => J::String(s.clone()),
            Cell::Empty => J::Null,
        }
    }

    /// Every row (detail rows after the others) as a record keyed by
    /// column name: what `--format json` and `yaml` write.
    pub fn records(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        self.rows
            .iter()
            .chain(&self.details)
            .map(|row| {
                self.columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let cell = row.get(i).unwrap_or(&Cell::Empty);
                        (c.name.clone(), self.cell_value(i, cell))
                    })
                    .collect()
            })
            .collect()
    }

    /// The machine form of the table: its records, then what the columns
    /// are (header people see, decimals, whether wall-clock).
    pub fn to_json(&self) -> serde_json::Value {
        let columns: Vec<serde_json::Value> = self
            .columns
            .iter()
            .map(|c| {
                serde_json::json!({
                    "name": c.name,
                    "header": c.header,
                    "decimals": c.decimals + if c.percent { 2 } else { 0 },
                    "volatile": c.volatile,
                })
            })
            .collect();
        let mut doc = serde_json::Map::new();
        doc.insert("title".into(), self.title.clone().into());
        doc.insert(
            "records".into(),
            serde_json::Value::Array(self.records().into_iter().map(Into::into).collect()),
        );
        doc.insert("columns".into(), columns.into());
        if let Some(n) = &self.note {
            doc.insert("note".into(), n.clone().into());
        }
        serde_json::Value::Object(doc)
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
            columns: self
                .columns
                .iter()
                .filter(|c| !c.volatile)
                .cloned()
                .collect(),
            rows: self.rows.iter().map(pick).collect(),
            details: self.details.iter().map(pick).collect(),
            ..self.clone()
        }
    }

    /// The aligned text form: numbers right-aligned, text left-aligned.
    pub fn render(&self) -> String {
        let shown: Vec<usize> = (0..self.columns.len())
            .filter(|i| self.show_details || !self.columns[*i].detail_only)
            .collect();
        let rows: Vec<&Vec<Cell>> = if self.show_details {
            self.rows.iter().chain(&self.details).collect()
        } else {
            self.rows.iter().collect()
        };
        let empty = Cell::Empty;
        let cells: Vec<Vec<&Cell>> = rows
            .iter()
            .map(|r| shown.iter().map(|i| r.get(*i).unwrap_or(&empty)).collect())
            .collect();
        let texts: Vec<Vec<String>> = cells
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&shown)
                    .map(|(c, i)| self.cell_text(*i, c))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = shown
            .iter()
            .map(|i| self.columns[*i].header.chars().count())
            .collect();
        for row in &texts {
            for (i, t) in row.iter().enumerate() {
                widths[i] = widths[i].max(t.chars().count());
            }
        }
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&self.title);
            out.push('\n');
        }
        let header: Vec<String> = shown
            .iter()
            .zip(&widths)
            .map(|(i, w)| pad(&self.columns[*i].header, *w, false))
            .collect();
        out.push_str(header.join("  ").trim_end());
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for (row, cells) in texts.iter().zip(&cells) {
            let line: Vec<String> = row
                .iter()
                .zip(cells)
                .zip(&widths)
                .map(|((t, c), w)| pad(t, *w, matches!(c, Cell::Int(_) | Cell::Num(_))))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        if let Some(note) = &self.note {
            out.push_str(note);
            out.push('\n');
        }
        out
    }

    /// One tidy CSV table: a header of column names, then every row
    /// (detail rows after the others), fractions as fractions.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for row in self.rows.iter().chain(&self.details) {
            let cells: Vec<String> = self
                .columns
                .iter()
                .enumerate()
                .map(|(i, _)| match row.get(i).map(|c| self.cell_value(i, c)) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => csv_field(&s),
                    Some(v) => v.to_string(),
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
        let mut t = Table::new("demo")
            .column("solver", 0)
            .column("score", 2)
            .column("share", 1)
            .header("share %")
            .percent();
        t.row(vec![
            Cell::Str("mcts".into()),
            Cell::Num(0.5),
            Cell::Num(0.25),
        ]);
        t.row(vec![
            Cell::Str("minimax".into()),
            Cell::Num(-12.25),
            Cell::Empty,
        ]);
        let text = t.render();
        assert!(text.contains("mcts       0.50     25.0"), "{text}");
        assert!(text.contains("minimax  -12.25  –"), "{text}");
        assert!(text.contains("share %"), "{text}");
        // Machines get names without `%`, and the fraction itself.
        assert_eq!(
            t.to_csv(),
            "solver,score,share\nmcts,0.5,0.25\nminimax,-12.25,\n"
        );
        let records = t.records();
        assert_eq!(records[0]["share"], serde_json::json!(0.25));
        assert_eq!(records[1]["share"], serde_json::Value::Null);
        assert_eq!(format_fixed(-0.0001, 2), "0.00");
    }

    #[test]
    fn detail_rows_go_to_machines_and_to_people_on_request() {
        let mut t = Table::new("")
            .column("solver", 0)
            .column("seed", 0)
            .detail_only()
            .column("score", 1);
        t.row(vec![Cell::Str("a".into()), Cell::Empty, Cell::Num(0.5)]);
        t.details
            .push(vec![Cell::Str("a".into()), Cell::Int(3), Cell::Num(0.375)]);
        assert!(!t.render().contains("seed"));
        assert!(!t.render().contains("0.4"));
        assert_eq!(t.to_csv(), "solver,seed,score\na,,0.5\na,3,0.4\n");
        t.show_details = true;
        assert!(t.render().contains("seed"), "{}", t.render());
        assert!(t.render().contains("a          3    0.4"), "{}", t.render());
        assert!(is_tidy_name("nodes_per_query") && !is_tidy_name("nodes/q"));
    }
}
