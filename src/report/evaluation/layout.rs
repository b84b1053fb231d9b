//! The columns of a measurement's table, each row's cells, and its figure.

use super::{BreakEven, EvalRow, Measurement, Summary};
use crate::report::plot::{Figure, Point, Series};
use crate::report::stats::Stat;
use crate::report::table::{Cell, Table};

/// The columns of a table of these rows; those no row fills are left out.
pub(super) fn layout(
    title: &str,
    rows: &[EvalRow],
    m: &Measurement,
    seeds: usize,
    any_break_even: bool,
) -> Table {
    let any = |f: &dyn Fn(&EvalRow) -> bool| rows.iter().any(f);
    let score_name = rows.first().map_or("score", |r| r.score_name.as_str());
    let mut t = Table::new(title).column("solver", 0);
    t = t.column("seed", 0).detail_only();
    if let Some((name, _)) = rows.iter().find_map(|r| r.param.as_ref()) {
        t = t.column(tidy(name), 3).header(name.clone());
    }
    if rows.windows(2).any(|w| w[0].objective != w[1].objective) {
        t = t.column("objective", 0);
    }
    if seeds > 1 {
        t = t.column("seeds", 0);
    }
    t = t.column("n", 0);
    t = match m.stat {
        Stat::Mean => t.column(tidy(score_name), 3).header(score_name),
        Stat::Iqm => t
            .column(format!("{}_iqm", tidy(score_name)), 3)
            .header(format!("{score_name} IQM")),
    };
    t = t
        .column("ci_low", 3)
        .header("95% lo")
        .column("ci_high", 3)
        .header("95% hi");
    if let Some(name) = &m.baseline {
        t = t
            .column("diff", 3)
            .header(format!("Δ vs {name}"))
            .column("diff_low", 3)
            .header("95% lo")
            .column("diff_high", 3)
            .header("95% hi")
            .column("p_improve", 2)
            .header("P(better)");
    }
    if any(&|r| r.wdl.is_some()) {
        t = t.column("win", 0).column("draw", 0).column("loss", 0);
    }
    if any(&|r| r.success.is_some()) {
        t = t.column("success", 2);
    }
    if any(&|r| r.gap.is_some()) {
        t = t.column("gap", 4);
    }
    t = t
        .column("queries", 0)
        .column("evals_per_query", 1)
        .header("evals/q")
        .column("nodes_per_query", 1)
        .header("nodes/q");
    if any(&|r| r.cost.forward_passes > 0) {
        t = t.column("forward_per_query", 1).header("fwd/q");
    }
    if any(&|r| r.cost.flops > 0) {
        t = t.column("flops_per_query", 0).header("flops/q");
    }
    if any(&|r| r.amortized_share.is_some()) {
        t = t.column("model_share", 1).header("model %").percent();
    }
    t = t.column("work_per_query", 1).header("work/q");
    t = t.volatile_column("ms_per_query", 3).header("ms/q");
    if any(&|r| r.training.is_some()) {
        t = t
            .column("train_work", 0)
            .header("train work")
            .volatile_column("train_secs", 2)
            .header("train s");
    }
    if any_break_even {
        t = t
            .column("break_even", 0)
            .header("break-even")
            .column("break_even_vs", 0)
            .header("vs");
    }
    t
}

/// A machine name for a header: lowercase, `_` for anything else.
fn tidy(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert(0, 'x');
    }
    s
}

pub(super) fn cells(
    r: &EvalRow,
    s: &Summary,
    be: &Option<BreakEven>,
    seed: Cell,
    seeds: usize,
    t: &Table,
) -> Vec<Cell> {
    let mut c = Vec::with_capacity(t.columns.len());
    for col in &t.columns {
        let opt = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Num);
        c.push(match col.name.as_str() {
            "solver" => Cell::Str(r.solver.clone()),
            "seed" => seed.clone(),
            "objective" => Cell::Str(r.objective.clone()),
            "seeds" => Cell::Int(seeds as i64),
            "n" => Cell::Int((r.scores.len() / seeds.max(1)) as i64),
            "ci_low" => Cell::Num(s.low),
            "ci_high" => Cell::Num(s.high),
            "diff" => opt(s.diff.map(|d| d.value)),
            "diff_low" => opt(s.diff.map(|d| d.low)),
            "diff_high" => opt(s.diff.map(|d| d.high)),
            "p_improve" => opt(s.diff.map(|d| d.p_improve)),
            "win" | "draw" | "loss" => {
                let j = ["win", "draw", "loss"]
                    .iter()
                    .position(|n| *n == col.name)
                    .unwrap_or(0);
                r.wdl.map_or(Cell::Empty, |w| Cell::Int(w[j] as i64))
            }
            "success" => opt(r.success),
            "gap" => opt(r.gap),
            "queries" => Cell::Int(r.queries as i64),
            "evals_per_query" => Cell::Num(r.per_query(r.cost.evaluations)),
            "nodes_per_query" => Cell::Num(r.per_query(r.cost.nodes)),
            "forward_per_query" => Cell::Num(r.per_query(r.cost.forward_passes)),
            "flops_per_query" => Cell::Num(r.per_query(r.cost.flops).round()),
            "model_share" => opt(r.amortized_share),
            "work_per_query" => Cell::Num(r.work_per_query()),
            "ms_per_query" => Cell::Num(r.ms_per_query()),
            "train_work" => r
                .training
                .map_or(Cell::Empty, |c| Cell::Num(c.work().round())),
            "train_secs" => r
                .training
                .map_or(Cell::Empty, |c| Cell::Num(c.wall.as_secs_f64())),
            "break_even" => match be {
                Some(BreakEven::After(n, _)) => Cell::Int(*n as i64),
                Some(BreakEven::Never(_)) => Cell::Str("never".into()),
                None => Cell::Empty,
            },
            "break_even_vs" => match be {
                Some(BreakEven::After(_, vs) | BreakEven::Never(vs)) => Cell::Str(vs.clone()),
                None => Cell::Empty,
            },
            // The swept parameter, then the score under its own name.
            _ if r.param.as_ref().is_some_and(|(n, _)| tidy(n) == col.name) => match &r.param {
                Some((_, v)) if v.fract() == 0.0 && v.abs() < 1e15 => Cell::Int(*v as i64),
                Some((_, v)) => Cell::Num(*v),
                None => Cell::Empty,
            },
            _ => Cell::Num(s.point),
        });
    }
    c
}

/// The figure of a sweep: score against the swept parameter, one series
/// per solver and objective.
pub(super) fn sweep_figure(title: &str, rows: &[EvalRow], sums: &[Summary]) -> Figure {
    let x_label = rows
        .iter()
        .find_map(|r| r.param.as_ref().map(|(n, _)| n.clone()))
        .unwrap_or_default();
    let xs: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.param.as_ref().map(|(_, v)| *v))
        .collect();
    Figure {
        title: title.to_string(),
        x_label,
        y_label: y_label(rows),
        log_x: wide(&xs),
        series: group(rows, sums, |r| {
            r.param.as_ref().map_or(f64::NAN, |(_, v)| *v)
        }),
    }
}

/// The figure of a comparison: each solver's score against its compute per
/// query, in the one unit every row counts (else deterministic work).
pub(super) fn compare_figure(title: &str, rows: &[EvalRow], sums: &[Summary]) -> Figure {
    let units: [(&str, fn(&EvalRow) -> f64); 3] = [
        ("search nodes per query", |r| r.per_query(r.cost.nodes)),
        ("evaluations per query", |r| r.per_query(r.cost.evaluations)),
        ("forward passes per query", |r| {
            r.per_query(r.cost.forward_passes)
        }),
    ];
    let (x_label, x): (&str, fn(&EvalRow) -> f64) = units
        .into_iter()
        .find(|(_, f)| rows.iter().all(|r| f(r) > 0.0))
        .unwrap_or(("work per query", EvalRow::work_per_query));
    let xs: Vec<f64> = rows.iter().map(x).collect();
    Figure {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label(rows),
        log_x: wide(&xs),
        series: group(rows, sums, x),
    }
}

fn y_label(rows: &[EvalRow]) -> String {
    let name = rows.first().map_or("score", |r| r.score_name.as_str());
    format!("{name} (95% interval)")
}

/// Whether values span enough orders of magnitude for a log axis.
fn wide(xs: &[f64]) -> bool {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo > 0.0 && hi / lo >= 10.0
}

/// One series per solver (and objective, when there are several).
fn group(rows: &[EvalRow], sums: &[Summary], x: impl Fn(&EvalRow) -> f64) -> Vec<Series> {
    let several = rows.windows(2).any(|w| w[0].objective != w[1].objective);
    let mut series: Vec<Series> = Vec::new();
    for (r, s) in rows.iter().zip(sums) {
        let name = if several {
            format!("{} on {}", r.solver, r.objective)
        } else {
            r.solver.clone()
        };
        let point = Point {
            x: x(r),
            y: s.point,
            low: s.low,
            high: s.high,
        };
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push(point),
            None => series.push(Series {
                name,
                points: vec![point],
            }),
        }
    }
    series
}
