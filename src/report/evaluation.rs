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
    /// Whether a lower score is better (a `value` to minimize).
    pub lower_is_better: bool,
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
    /// For a gate: the fraction of queries the amortized side answered.
    pub amortized_share: Option<f64>,
    /// For amortized and hybrid solvers: what training cost (wall seconds).
    pub training_secs: Option<f64>,
    /// Queries after which training has paid for itself against the
    /// cheapest direct solver of at least this score (`compare` fills it).
    pub break_even: Option<BreakEven>,
}

/// The break-even point of an amortized solver against a direct one.
#[derive(Clone, Debug, PartialEq)]
pub enum BreakEven {
    /// After this many queries, training plus answering costs less.
    After(u64, String),
    /// Each answer costs at least as much as the direct solver's.
    Never(String),
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

    /// Wall milliseconds per query.
    pub fn ms_per_query(&self) -> f64 {
        self.cost.wall.as_secs_f64() * 1e3 / self.queries.max(1) as f64
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
    let any_flops = rows.iter().any(|r| r.cost.flops > 0);
    let any_share = rows.iter().any(|r| r.amortized_share.is_some());
    let any_training = rows.iter().any(|r| r.training_secs.is_some());
    let any_break_even = rows.iter().any(|r| r.break_even.is_some());
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
    if any_flops {
        t = t.column("flops/q", 0);
    }
    if any_share {
        t = t.column("model %", 1);
    }
    t = t.volatile_column("ms/q", 3);
    if any_training {
        t = t.volatile_column("train s", 2);
    }
    if any_break_even {
        t = t.volatile_column("break-even", 0).volatile_column("vs", 0);
    }
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
        if any_flops {
            cells.push(Cell::Num(r.per_query(r.cost.flops).round()));
        }
        if any_share {
            cells.push(
                r.amortized_share
                    .map_or(Cell::Empty, |s| Cell::Num(100.0 * s)),
            );
        }
        cells.push(Cell::Num(r.ms_per_query()));
        if any_training {
            cells.push(r.training_secs.map_or(Cell::Empty, Cell::Num));
        }
        if any_break_even {
            match &r.break_even {
                Some(BreakEven::After(n, vs)) => {
                    cells.extend([Cell::Int(*n as i64), Cell::Str(vs.clone())])
                }
                Some(BreakEven::Never(vs)) => {
                    cells.extend([Cell::Str("never".into()), Cell::Str(vs.clone())])
                }
                None => cells.extend([Cell::Empty, Cell::Empty]),
            }
        }
        t.row(cells);
    }
    t
}

/// Fills in the break-even point of every trained row against the
/// cheapest untrained row on the same objective that scores at least as
/// well (or, if none does, the best-scoring one): training time divided by
/// the wall time saved per query.
pub fn fill_break_even(rows: &mut [EvalRow]) {
    // Scores compared as "higher is better", whatever the objective's sense.
    let oriented = |r: &EvalRow| {
        if r.lower_is_better {
            -r.mean()
        } else {
            r.mean()
        }
    };
    let direct: Vec<(String, String, f64, f64)> = rows
        .iter()
        .filter(|r| r.training_secs.is_none())
        .map(|r| {
            (
                r.objective.clone(),
                r.solver.clone(),
                oriented(r),
                r.ms_per_query(),
            )
        })
        .collect();
    for r in rows.iter_mut() {
        let Some(train) = r.training_secs else {
            continue;
        };
        let same: Vec<&(String, String, f64, f64)> =
            direct.iter().filter(|d| d.0 == r.objective).collect();
        let mean = oriented(r);
        let rival = same
            .iter()
            .filter(|d| d.2 >= mean - 1e-12)
            .min_by(|a, b| a.3.total_cmp(&b.3))
            .or_else(|| same.iter().max_by(|a, b| a.2.total_cmp(&b.2)));
        let Some((_, name, _, direct_ms)) = rival else {
            continue;
        };
        let saved = direct_ms - r.ms_per_query();
        r.break_even = Some(if saved > 0.0 {
            BreakEven::After((train * 1e3 / saved).ceil() as u64, name.clone())
        } else {
            BreakEven::Never(name.clone())
        });
    }
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
