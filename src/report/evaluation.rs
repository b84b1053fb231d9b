//! One row of an evaluation: how well a solver did on an objective and what
//! it cost, and the table a list of rows becomes.

use super::plot::{Figure, Point, Series};
use super::table::{Cell, Table};
use crate::cost::Cost;

/// The outcome of evaluating one solver on one objective.
#[derive(Clone, Debug, Default)]
pub struct EvalRow {
    pub solver: String,
    /// The swept parameter and its value, in a `sweep`.
    pub param: Option<(String, f64)>,
    pub objective: String,
    /// What the score is: `score` (games: mean outcome), `return`, `value`.
    pub score_name: String,
    /// One score per instance (or game), in the user's sense.
    pub scores: Vec<f64>,
    /// Wins, draws, losses (games).
    pub wdl: Option<[usize; 3]>,
    /// Fraction of episodes that reached the goal (MDPs).
    pub success: Option<f64>,
    /// Mean distance to the exact optimum, where one is known.
    pub gap: Option<f64>,
    /// Decisions the solver was asked for (moves, instances, control steps).
    pub queries: u64,
    /// Total cost of those decisions.
    pub cost: Cost,
}

impl EvalRow {
    pub fn mean(&self) -> f64 {
        if self.scores.is_empty() {
            return f64::NAN;
        }
        self.scores.iter().sum::<f64>() / self.scores.len() as f64
    }

    /// Half-width of the 95% normal confidence interval of the mean.
    pub fn ci95(&self) -> f64 {
        let n = self.scores.len();
        if n < 2 {
            return 0.0;
        }
        let m = self.mean();
        let var = self.scores.iter().map(|s| (s - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        1.96 * (var / n as f64).sqrt()
    }

    fn per_query(&self, total: u64) -> f64 {
        total as f64 / self.queries.max(1) as f64
    }
}

/// The table of a list of rows; columns that no row fills are left out.
pub fn eval_table(title: &str, rows: &[EvalRow]) -> Table {
    let any_wdl = rows.iter().any(|r| r.wdl.is_some());
    let any_success = rows.iter().any(|r| r.success.is_some());
    let any_gap = rows.iter().any(|r| r.gap.is_some());
    let any_fwd = rows.iter().any(|r| r.cost.forward_passes > 0);
    let any_objective = rows.windows(2).any(|w| w[0].objective != w[1].objective);
    let score_name = rows.first().map_or("score", |r| r.score_name.as_str());

    let mut t = Table::new(title).column("solver", 0);
    let param = rows
        .iter()
        .find_map(|r| r.param.as_ref().map(|(n, _)| n.clone()));
    if let Some(name) = &param {
        t = t.column(name.clone(), 3);
    }
    if any_objective {
        t = t.column("objective", 0);
    }
    t = t.column("n", 0).column(score_name, 3).column("±95%", 3);
    if any_wdl {
        t = t.column("win", 0).column("draw", 0).column("loss", 0);
    }
    if any_success {
        t = t.column("success", 2);
    }
    if any_gap {
        t = t.column("gap", 4);
    }
    t = t
        .column("queries", 0)
        .column("evals/q", 1)
        .column("nodes/q", 1);
    if any_fwd {
        t = t.column("fwd/q", 1);
    }
    t = t.volatile_column("ms/q", 3);
    for r in rows {
        let mut cells = vec![Cell::Str(r.solver.clone())];
        if param.is_some() {
            cells.push(match &r.param {
                Some((_, v)) if v.fract() == 0.0 && v.abs() < 1e15 => Cell::Int(*v as i64),
                Some((_, v)) => Cell::Num(*v),
                None => Cell::Empty,
            });
        }
        if any_objective {
            cells.push(Cell::Str(r.objective.clone()));
        }
        cells.push(Cell::Int(r.scores.len() as i64));
        cells.push(Cell::Num(r.mean()));
        cells.push(Cell::Num(r.ci95()));
        if any_wdl {
            match r.wdl {
                Some([w, d, l]) => cells.extend([
                    Cell::Int(w as i64),
                    Cell::Int(d as i64),
                    Cell::Int(l as i64),
                ]),
                None => cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
            }
        }
        if any_success {
            cells.push(r.success.map_or(Cell::Empty, Cell::Num));
        }
        if any_gap {
            cells.push(r.gap.map_or(Cell::Empty, Cell::Num));
        }
        cells.push(Cell::Int(r.queries as i64));
        cells.push(Cell::Num(r.per_query(r.cost.evaluations)));
        cells.push(Cell::Num(r.per_query(r.cost.nodes)));
        if any_fwd {
            cells.push(Cell::Num(r.per_query(r.cost.forward_passes)));
        }
        cells.push(Cell::Num(
            r.cost.wall.as_secs_f64() * 1e3 / r.queries.max(1) as f64,
        ));
        t.row(cells);
    }
    t
}

/// The figure of a sweep: score against the swept parameter, one series
/// per solver and objective.
pub fn sweep_figure(title: &str, rows: &[EvalRow]) -> Figure {
    let x_label = rows
        .iter()
        .find_map(|r| r.param.as_ref().map(|(n, _)| n.clone()))
        .unwrap_or_default();
    let series = group(rows, |r| r.param.as_ref().map_or(f64::NAN, |(_, v)| *v));
    let xs: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.param.as_ref().map(|(_, v)| *v))
        .collect();
    Figure {
        title: title.to_string(),
        x_label,
        y_label: y_label(rows),
        log_x: wide(&xs),
        series,
    }
}

/// The figure of a comparison: each solver's score against its compute per
/// query, in the one unit every row counts (else wall time).
pub fn compare_figure(title: &str, rows: &[EvalRow]) -> Figure {
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
        .unwrap_or(("wall time per query (ms)", |r| {
            r.cost.wall.as_secs_f64() * 1e3 / r.queries.max(1) as f64
        }));
    let xs: Vec<f64> = rows.iter().map(x).collect();
    Figure {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label(rows),
        log_x: wide(&xs),
        series: group(rows, x),
    }
}

fn y_label(rows: &[EvalRow]) -> String {
    let name = rows.first().map_or("score", |r| r.score_name.as_str());
    format!("{name} (mean, 95% interval)")
}

/// Whether values span enough orders of magnitude for a log axis.
fn wide(xs: &[f64]) -> bool {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo > 0.0 && hi / lo >= 10.0
}

/// One series per solver (and objective, when there are several).
fn group(rows: &[EvalRow], x: impl Fn(&EvalRow) -> f64) -> Vec<Series> {
    let several = rows.windows(2).any(|w| w[0].objective != w[1].objective);
    let mut series: Vec<Series> = Vec::new();
    for r in rows {
        let name = if several {
            format!("{} on {}", r.solver, r.objective)
        } else {
            r.solver.clone()
        };
        let point = Point {
            x: x(r),
            y: r.mean(),
            err: r.ci95(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_and_per_query_costs() {
        let row = EvalRow {
            solver: "s".into(),
            objective: "o".into(),
            score_name: "score".into(),
            scores: vec![1.0, -1.0, 1.0, -1.0],
            queries: 4,
            cost: Cost {
                nodes: 40,
                ..Cost::default()
            },
            ..EvalRow::default()
        };
        assert_eq!(row.mean(), 0.0);
        assert!((row.ci95() - 1.96 * (4.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-12);
        let t = eval_table("t", &[row]);
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["solver", "n", "score", "±95%", "queries", "evals/q", "nodes/q", "ms/q"]
        );
        assert_eq!(t.rows[0][6], Cell::Num(10.0));
    }
}
