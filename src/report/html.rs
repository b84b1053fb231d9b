//! `report.html`: one self-contained page for a run written with `--out`.
//! Every report is a table rendered from its columns and cells (whatever
//! columns a report has), every plot is inline SVG, and the page carries
//! the script, the seed, the overrides and the version. Inline CSS, no
//! scripts, nothing fetched: the page opens anywhere, offline.
//!
//! Text from the run (titles, cells, the script) is HTML-escaped; the SVG
//! comes from `plot::render_svg`, whose text plotters escapes itself.

use super::table::{Cell, Table};
use std::fmt::Write;

/// What a page shows, in order.
pub struct Page<'a> {
    /// The script's name as given on the command line.
    pub script_name: &'a str,
    pub script: &'a str,
    pub seed: u64,
    /// The overrides as typed: `--set sims=800`, `--config run.yaml`.
    pub overrides: Vec<String>,
    /// A config file's name and text, when there was one.
    pub config: Option<(&'a str, &'a str)>,
    /// The program's version.
    pub version: &'a str,
    pub sections: Vec<Section<'a>>,
}

/// One thing the run produced.
pub enum Section<'a> {
    /// A `report` of a table, with its plot when it can be drawn.
    Table {
        label: &'a str,
        table: &'a Table,
        svg: Option<String>,
    },
    /// A `report` of any other value, as its text.
    Value { label: &'a str, text: String },
    /// A `plot … to "file.svg"`, inline.
    Plot {
        label: &'a str,
        file: String,
        svg: String,
    },
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; --rule: #d0d4da; --muted: #5c6570; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem; color: #1d2228; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; color: var(--muted); }
dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid var(--rule); text-align: left; }
th { border-bottom: 2px solid #8a929c; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); text-align: center; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
pre { background: #f4f5f7; padding: .75rem 1rem; overflow-x: auto; border-radius: 4px; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
";

/// The page as one HTML document.
pub fn render(page: &Page<'_>) -> String {
    let mut out = String::new();
    let name = escape(page.script_name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name} — Optimist report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = writeln!(out, "<header>\n<h1>{name}</h1>\n<dl class=\"run\">");
    let _ = writeln!(out, "<dt>seed</dt><dd id=\"seed\">{}</dd>", page.seed);
    let overrides = if page.overrides.is_empty() {
        "none".to_string()
    } else {
        page.overrides
            .iter()
            .map(|o| escape(o))
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let _ = writeln!(
        out,
        "<dt>overrides</dt><dd id=\"overrides\">{overrides}</dd>"
    );
    let _ = writeln!(
        out,
        "<dt>optimist</dt><dd id=\"version\">{}</dd>\n</dl>\n</header>\n<main>",
        escape(page.version)
    );
    for (i, section) in page.sections.iter().enumerate() {
        match section {
            Section::Table { label, table, svg } => {
                let title = if table.title.is_empty() {
                    label
                } else {
                    &table.title.as_str()
                };
                let _ = writeln!(
                    out,
                    "<section class=\"report\" id=\"report-{}\">\n<h2>{}</h2>",
                    i + 1,
                    escape(title)
                );
                table_html(&mut out, table);
                if let Some(svg) = svg {
                    figure(&mut out, svg);
                }
                out.push_str("</section>\n");
            }
            Section::Value { label, text } => {
                let _ = writeln!(
                    out,
                    "<section class=\"value\" id=\"report-{}\">\n<h2>{}</h2>\n<pre>{}</pre>\n</section>",
                    i + 1,
                    escape(label),
                    escape(text.trim_end())
                );
            }
            Section::Plot { label, file, svg } => {
                let _ = writeln!(
                    out,
                    "<section class=\"plot\" id=\"report-{}\">\n<h2>{} → {}</h2>",
                    i + 1,
                    escape(label),
                    escape(file)
                );
                figure(&mut out, svg);
                out.push_str("</section>\n");
            }
        }
    }
    let _ = writeln!(
        out,
        "<section class=\"script\">\n<h2>Script</h2>\n<pre><code>{}</code></pre>\n</section>",
        escape(page.script)
    );
    if let Some((file, text)) = page.config {
        let _ = writeln!(
            out,
            "<section class=\"config\">\n<h2>Config: {}</h2>\n<pre><code>{}</code></pre>\n</section>",
            escape(file),
            escape(text)
        );
    }
    let _ = writeln!(
        out,
        "</main>\n<footer>Written by optimist {} for {name}.</footer>\n</body>\n</html>",
        escape(page.version)
    );
    out
}

fn table_html(out: &mut String, table: &Table) {
    // The columns and rows people see in the aligned table; each header
    // carries the name machines and scripts read as its tooltip.
    let shown: Vec<usize> = (0..table.columns.len())
        .filter(|i| table.show_details || !table.columns[*i].detail_only)
        .collect();
    out.push_str("<table>\n<thead><tr>");
    for &i in &shown {
        let c = &table.columns[i];
        let _ = write!(
            out,
            "<th scope=\"col\" title=\"{}\">{}</th>",
            escape(&c.name),
            escape(&c.header)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let details: &[Vec<Cell>] = if table.show_details {
        &table.details
    } else {
        &[]
    };
    for row in table.rows.iter().chain(details) {
        out.push_str("<tr>");
        for &i in &shown {
            let cell = row.get(i).unwrap_or(&Cell::Empty);
            let class = match cell {
                Cell::Int(_) | Cell::Num(_) => " class=\"num\"",
                Cell::Empty => " class=\"empty\"",
                Cell::Str(_) => "",
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(&table.cell_text(i, cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(note) = &table.note {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
}

/// An SVG document inline (without an XML declaration, which HTML does
/// not take).
fn figure(out: &mut String, svg: &str) {
    let svg = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    let _ = writeln!(out, "<figure>\n{}\n</figure>", svg.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_from_columns_and_cells_and_text_is_escaped() {
        let mut t = Table::new("a <b> & \"c\"")
            .column("solver", 0)
            .column("score", 2)
            .column("new_column", 0)
            .header("new column");
        t.row(vec![
            Cell::Str("<script>x</script>".into()),
            Cell::Num(0.5),
            Cell::Empty,
        ]);
        let page = Page {
            script_name: "s<1>.opt",
            script: "report \"<i>\"\n",
            seed: 7,
            overrides: vec!["--set n=<2>".into()],
            config: None,
            version: "0.1.0",
            sections: vec![
                Section::Table {
                    label: "t",
                    table: &t,
                    svg: Some("<?xml version=\"1.0\"?>\n<svg width=\"10\"></svg>".into()),
                },
                Section::Value {
                    label: "x",
                    text: "1 < 2".into(),
                },
            ],
        };
        let html = render(&page);
        assert!(
            html.contains("<h2>a &lt;b&gt; &amp; &quot;c&quot;</h2>"),
            "{html}"
        );
        assert!(html.contains(
            "<th scope=\"col\" title=\"solver\">solver</th><th scope=\"col\" title=\"score\">score</th><th scope=\"col\" title=\"new_column\">new column</th>"
        ));
        assert!(html.contains(
            "<td>&lt;script&gt;x&lt;/script&gt;</td><td class=\"num\">0.50</td><td class=\"empty\">–</td>"
        ));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<?xml"), "{html}");
        assert!(html.contains("<figure>\n<svg width=\"10\"></svg>\n</figure>"));
        assert!(html.contains("<pre>1 &lt; 2</pre>"));
        assert!(html.contains("report &quot;&lt;i&gt;&quot;"));
        assert!(html.contains("--set n=&lt;2&gt;"));
        assert!(html.contains("<dd id=\"seed\">7</dd>"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
