//! Measurements: how well solvers did on objectives and what it cost, per
//! seed, and the table they become — aggregated across seeds with
//! bootstrap intervals, differences to a baseline, and break-even points.
//!
//! A measurement holds one [`Run`] per seed; each run holds one [`EvalRow`]
//! per solver (and objective, or swept value), with the score of every
//! instance. Everything a report says about uncertainty comes from those
//! scores:
//!
//! * **the interval** of a row's statistic is a stratified bootstrap
//!   (rliable, Agarwal et al. 2021): each resample draws the seeds with
//!   replacement, then, within each drawn seed, its instances with
//!   replacement; the 2.5th and 97.5th percentiles of the resampled
//!   statistic bound the 95% interval;
//! * **the statistic** is the mean, or the interquartile mean (the mean of
//!   the middle 50% of all scores) with `stat="iqm"`;
//! * **a difference to a baseline** is bootstrapped in pairs (the same
//!   seeds and instances for both rows, which see the same instances), and
//!   the **probability of improvement** is P(X > Y) + ½P(X = Y) for a random
//!   instance score X of the row and Y of the baseline, averaged over seeds.

mod layout;

use super::stats::{interval, mean, probability_of_improvement, Stat, RESAMPLES};
use super::table::{Cell, Table};
use crate::cost::Cost;
use crate::rng::{derive_seed, Rng};
use layout::{cells, compare_figure, layout, sweep_figure};

/// The outcome of evaluating one solver on one objective under one seed.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// For amortized and hybrid solvers: what making the model cost —
    /// generating its data (search nodes, evaluations) and training it
    /// (network FLOPs), with the wall time of both.
    pub training: Option<Cost>,
}

impl EvalRow {
    pub fn mean(&self) -> f64 {
        mean(&self.scores)
    }

    /// Wall milliseconds per query.
    pub fn ms_per_query(&self) -> f64 {
        self.cost.wall.as_secs_f64() * 1e3 / self.queries.max(1) as f64
    }

    fn per_query(&self, total: u64) -> f64 {
        total as f64 / self.queries.max(1) as f64
    }

    /// Deterministic work per query ([`Cost::work`]).
    pub fn work_per_query(&self) -> f64 {
        self.cost.work() / self.queries.max(1) as f64
    }
}

/// The kind of report, for its figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    #[default]
    Evaluate,
    Compare,
    Sweep,
}

/// One seed's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub seed: u64,
    pub rows: Vec<EvalRow>,
}

/// What `evaluate`, `compare` and `sweep` measured, under one seed or
/// several.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measurement {
    pub title: String,
    pub shape: Shape,
    pub stat: Stat,
    /// The solver every other row is compared with on the same objective
    /// (`compare(…, baseline=)`).
    pub baseline: Option<String>,
    /// Whether the aligned table shows one row per seed too.
    pub per_seed: bool,
    pub runs: Vec<Run>,
}

/// Why measurements under different seeds cannot be merged.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

/// A row's difference to the baseline on its objective.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Difference {
    value: f64,
    low: f64,
    high: f64,
    /// P(X better than Y) + ½ P(X = Y).
    p_improve: f64,
}

/// Rows with their statistics and break-even points, in row order.
struct Summarized {
    rows: Vec<EvalRow>,
    sums: Vec<Summary>,
    points: Vec<Option<BreakEven>>,
}

/// A row's statistic and interval, and (with a baseline) its difference.
#[derive(Clone, Debug, PartialEq)]
struct Summary {
    point: f64,
    low: f64,
    high: f64,
    diff: Option<Difference>,
}

impl Measurement {
    /// One seed's measurement.
    pub fn single(title: String, shape: Shape, seed: u64, rows: Vec<EvalRow>) -> Measurement {
        Measurement {
            title,
            shape,
            runs: vec![Run { seed, rows }],
            ..Measurement::default()
        }
    }

    /// The same measurement under several seeds, one part per seed, in
    /// seed order.
    pub fn merge(parts: Vec<Measurement>) -> Result<Measurement, MergeError> {
        let mut parts = parts.into_iter();
        let Some(mut first) = parts.next() else {
            return Err(MergeError("no seeds to merge".into()));
        };
        for p in parts {
            for run in p.runs {
                let like = &first.runs[0].rows;
                let same = run.rows.len() == like.len()
                    && run
                        .rows
                        .iter()
                        .zip(like)
                        .all(|(a, b)| a.solver == b.solver && a.objective == b.objective);
                if !same {
                    return Err(MergeError(format!(
                        "seed {} measured other rows than seed {}",
                        run.seed, first.runs[0].seed
                    )));
                }
                first.runs.push(run);
            }
        }
        Ok(first)
    }

    /// The rows of all seeds together: scores concatenated, counts summed.
    fn pooled(&self) -> Vec<EvalRow> {
        let Some(first) = self.runs.first() else {
            return Vec::new();
        };
        let k = self.runs.len() as f64;
        (0..first.rows.len())
            .map(|i| {
                let rows: Vec<&EvalRow> = self.runs.iter().map(|r| &r.rows[i]).collect();
                let mut out = rows[0].clone();
                out.scores = rows.iter().flat_map(|r| r.scores.iter().copied()).collect();
                out.wdl = rows[0].wdl.map(|_| {
                    let mut t = [0; 3];
                    for r in &rows {
                        if let Some(w) = r.wdl {
                            (0..3).for_each(|j| t[j] += w[j]);
                        }
                    }
                    t
                });
                let avg = |f: &dyn Fn(&EvalRow) -> Option<f64>| -> Option<f64> {
                    let v: Vec<f64> = rows.iter().filter_map(|r| f(r)).collect();
                    (v.len() == rows.len()).then(|| mean(&v))
                };
                out.success = avg(&|r| r.success);
                out.gap = avg(&|r| r.gap);
                out.amortized_share = avg(&|r| r.amortized_share);
                out.queries = rows.iter().map(|r| r.queries).sum();
                out.cost = rows.iter().fold(Cost::default(), |a, r| a + r.cost);
                // Each seed trained its own model: the cost of one.
                out.training = rows[0].training.map(|_| {
                    let total = rows
                        .iter()
                        .filter_map(|r| r.training)
                        .fold(Cost::default(), |a, c| a + c);
                    scale(total, 1.0 / k)
                });
                out
            })
            .collect()
    }

    /// Instance scores of row `i`, one slice per seed.
    fn samples(&self, i: usize) -> Vec<&[f64]> {
        self.runs
            .iter()
            .map(|r| r.rows[i].scores.as_slice())
            .collect()
    }

    fn bootstrap_seed(&self, i: usize, what: &str) -> u64 {
        let base = self.runs.first().map_or(0, |r| r.seed);
        derive_seed(base, &format!("bootstrap {what} {i}"))
    }

    fn summarize(&self, i: usize) -> Summary {
        let samples = self.samples(i);
        let mut all: Vec<f64> = samples.iter().flat_map(|s| s.iter().copied()).collect();
        let point = self.stat.of(&mut all);
        let mut rng = Rng::new(self.bootstrap_seed(i, "row"));
        let (low, high) = interval(&samples, None, self.stat, &mut rng);
        let rows = &self.runs[0].rows;
        let baseline = self.baseline.as_ref().and_then(|name| {
            (0..rows.len()).find(|&b| {
                rows[b].solver == *name
                    && rows[b].objective == rows[i].objective
                    && rows[b].param == rows[i].param
            })
        });
        let diff = baseline.filter(|b| *b != i).map(|b| {
            let base = self.samples(b);
            let mut base_all: Vec<f64> = base.iter().flat_map(|s| s.iter().copied()).collect();
            let d = point - self.stat.of(&mut base_all);
            let mut rng = Rng::new(self.bootstrap_seed(i, "difference"));
            let (lo, hi) = interval(&samples, Some(&base), self.stat, &mut rng);
            let lower = self.runs[0].rows[i].lower_is_better;
            Difference {
                value: d,
                low: lo,
                high: hi,
                p_improve: probability_of_improvement(&samples, &base, lower),
            }
        });
        Summary {
            point,
            low,
            high,
            diff,
        }
    }

    /// The rows pooled over every seed, each with its statistics and
    /// break-even point.
    fn summarized(&self) -> Summarized {
        let rows = self.pooled();
        let sums: Vec<Summary> = (0..rows.len()).map(|i| self.summarize(i)).collect();
        let points = break_even(self, &rows, &sums);
        Summarized { rows, sums, points }
    }

    /// The table people read and machines parse.
    pub fn table(&self) -> Table {
        let Summarized {
            rows,
            sums: summaries,
            points,
        } = self.summarized();
        let seeds = self.runs.len();
        let mut t = layout(
            &self.title,
            &rows,
            self,
            seeds,
            points.iter().any(Option::is_some),
        );
        for (i, r) in rows.iter().enumerate() {
            let seed = match seeds {
                1 => Cell::Int(self.runs[0].seed as i64),
                _ => Cell::Empty,
            };
            t.row(cells(r, &summaries[i], &points[i], seed, seeds, &t));
        }
        if seeds > 1 {
            // One row per seed of each row, in the aggregate table's columns.
            let per_seed: Vec<(u64, Summarized)> = self
                .runs
                .iter()
                .map(|run| {
                    let one = Measurement {
                        runs: vec![run.clone()],
                        ..self.clone()
                    };
                    (run.seed, one.summarized())
                })
                .collect();
            for i in 0..rows.len() {
                for (seed, one) in &per_seed {
                    let seed = Cell::Int(*seed as i64);
                    let row = cells(&one.rows[i], &one.sums[i], &one.points[i], seed, 1, &t);
                    t.details.push(row);
                }
            }
        }
        t.show_details = self.per_seed && seeds > 1;
        t.note = Some(self.note(&rows));
        t.figure = match self.shape {
            Shape::Evaluate => None,
            Shape::Compare => Some(compare_figure(&self.title, &rows, &summaries)),
            Shape::Sweep => Some(sweep_figure(&self.title, &rows, &summaries)),
        };
        t.measurement = Some(std::sync::Arc::new(self.clone()));
        t
    }

    fn note(&self, rows: &[EvalRow]) -> String {
        let n = rows
            .first()
            .map_or(0, |r| r.scores.len() / self.runs.len().max(1));
        let what = match self.stat {
            Stat::Mean => "",
            Stat::Iqm => "interquartile mean; ",
        };
        match self.runs.len() {
            1 => format!(
                "{what}95% intervals: bootstrap over the {n} instances of seed {} ({RESAMPLES} resamples)",
                self.runs[0].seed
            ),
            k => format!(
                "{what}95% intervals: stratified bootstrap over {k} seeds ({}–{}) and {n} instances each ({RESAMPLES} resamples)",
                self.runs[0].seed,
                self.runs[k - 1].seed
            ),
        }
    }
}

fn scale(c: Cost, f: f64) -> Cost {
    Cost {
        evaluations: (c.evaluations as f64 * f).round() as u64,
        nodes: (c.nodes as f64 * f).round() as u64,
        forward_passes: (c.forward_passes as f64 * f).round() as u64,
        flops: (c.flops as f64 * f).round() as u64,
        wall: c.wall.mul_f64(f),
    }
}

/// When training pays for itself.
#[derive(Clone, Debug, PartialEq)]
pub enum BreakEven {
    /// After this many queries, making the model plus answering with it
    /// costs less work than answering with the rival.
    After(u64, String),
    /// Never: each answer costs at least as much as the rival's, or the
    /// model is worse than every direct solver at 95%.
    Never(String),
}

/// The break-even point of every model row (one with a training cost)
/// against the cheapest direct row on the same objective that is at least
/// as good as it; or, if none is, the best direct row. A model worse than
/// that rival at 95% (the paired interval of its difference lies below 0)
/// never breaks even. Costs are in [`Cost::work`], so the point is the
/// same on every run.
fn break_even(m: &Measurement, rows: &[EvalRow], sums: &[Summary]) -> Vec<Option<BreakEven>> {
    let oriented = |i: usize| {
        if rows[i].lower_is_better {
            -sums[i].point
        } else {
            sums[i].point
        }
    };
    (0..rows.len())
        .map(|i| {
            let training = rows[i].training?;
            let direct: Vec<usize> = (0..rows.len())
                .filter(|&j| {
                    rows[j].training.is_none()
                        && rows[j].objective == rows[i].objective
                        && rows[j].param == rows[i].param
                })
                .collect();
            let rival = direct
                .iter()
                .copied()
                .filter(|&j| oriented(j) >= oriented(i) - 1e-12)
                .min_by(|&a, &b| {
                    rows[a]
                        .work_per_query()
                        .total_cmp(&rows[b].work_per_query())
                })
                .or_else(|| {
                    direct
                        .iter()
                        .copied()
                        .max_by(|&a, &b| oriented(a).total_cmp(&oriented(b)))
                })?;
            let name = rows[rival].solver.clone();
            // Worse than the rival at 95%?
            let mut rng = Rng::new(m.bootstrap_seed(i, "break-even"));
            let (lo, hi) = interval(&m.samples(i), Some(&m.samples(rival)), m.stat, &mut rng);
            let worse = if rows[i].lower_is_better {
                lo > 0.0
            } else {
                hi < 0.0
            };
            let saved = rows[rival].work_per_query() - rows[i].work_per_query();
            Some(if worse || saved <= 0.0 {
                BreakEven::Never(name)
            } else {
                BreakEven::After((training.work() / saved).ceil().max(1.0) as u64, name)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(solver: &str, scores: Vec<f64>) -> EvalRow {
        EvalRow {
            solver: solver.into(),
            objective: "o".into(),
            score_name: "score".into(),
            queries: scores.len() as u64,
            scores,
            cost: Cost {
                nodes: 40,
                ..Cost::default()
            },
            ..EvalRow::default()
        }
    }

    fn noisy(rng: &mut Rng, n: usize, mu: f64) -> Vec<f64> {
        (0..n).map(|_| mu + rng.normal()).collect()
    }

    #[test]
    fn tidy_columns_and_one_seed() {
        let m = Measurement::single(
            "t".into(),
            Shape::Evaluate,
            7,
            vec![row("s", vec![1.0, -1.0, 1.0, -1.0])],
        );
        let t = m.table();
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "solver",
                "seed",
                "n",
                "score",
                "ci_low",
                "ci_high",
                "queries",
                "evals_per_query",
                "nodes_per_query",
                "work_per_query",
                "ms_per_query"
            ]
        );
        assert!(names.iter().all(|n| crate::report::table::is_tidy_name(n)));
        assert_eq!(t.rows[0][1], Cell::Int(7));
        assert_eq!(t.rows[0][3], Cell::Num(0.0));
        assert!(t.details.is_empty());
        assert!(t.render().contains("nodes/q"));
    }

    #[test]
    fn intervals_cover_the_truth_and_widen_with_seed_spread() {
        // 40 measurements of a true mean 0 with instance noise: the 95%
        // interval should contain 0 in most of them.
        let mut covered = 0;
        let mut rng = Rng::new(1);
        for t in 0..40 {
            let runs = (0..5)
                .map(|s| Run {
                    seed: s,
                    rows: vec![row("a", noisy(&mut rng, 30, 0.0))],
                })
                .collect();
            let m = Measurement {
                runs,
                ..Measurement::single(format!("{t}"), Shape::Evaluate, 0, vec![])
            };
            let s = m.summarize(0);
            covered += (s.low <= 0.0 && 0.0 <= s.high) as usize;
        }
        assert!(covered >= 34, "covered {covered} of 40");
        // A seed effect (each seed's mean shifted) must widen the interval.
        let mut rng = Rng::new(2);
        let make = |rng: &mut Rng, spread: f64| {
            let runs = (0..5)
                .map(|s| Run {
                    seed: s,
                    rows: vec![row("a", noisy(rng, 30, spread * (s as f64 - 2.0)))],
                })
                .collect();
            Measurement {
                runs,
                ..Measurement::default()
            }
        };
        let (flat, spread) = (
            make(&mut rng, 0.0).summarize(0),
            make(&mut rng, 1.0).summarize(0),
        );
        assert!(
            spread.high - spread.low > 2.0 * (flat.high - flat.low),
            "{flat:?} {spread:?}"
        );
    }

    #[test]
    fn differences_to_a_baseline_and_probability_of_improvement() {
        let mut rng = Rng::new(3);
        let runs = (0..5)
            .map(|s| Run {
                seed: s,
                rows: vec![
                    row("base", noisy(&mut rng, 50, 0.0)),
                    row("better", noisy(&mut rng, 50, 1.0)),
                    row("same", noisy(&mut rng, 50, 0.0)),
                ],
            })
            .collect();
        let m = Measurement {
            runs,
            baseline: Some("base".into()),
            ..Measurement::default()
        };
        let better = m.summarize(1).diff.unwrap();
        assert!(better.low > 0.0, "{better:?}");
        assert!(
            better.p_improve > 0.65 && better.p_improve < 0.9,
            "{better:?}"
        );
        let same = m.summarize(2).diff.unwrap();
        assert!(same.low < 0.0 && same.high > 0.0, "{same:?}");
        assert!((same.p_improve - 0.5).abs() < 0.1, "{same:?}");
        assert!(m.summarize(0).diff.is_none());
        let t = m.table();
        assert!(t.column_index("p_improve").is_some());
        // One row per seed and row, seed-major within each row.
        assert_eq!(t.details.len(), 15);
        assert_eq!(t.details[0][0], Cell::Str("base".into()));
        assert_eq!(t.details[5][0], Cell::Str("better".into()));
        assert_eq!(t.details[6][1], Cell::Int(1));
    }

    #[test]
    fn a_worse_model_never_breaks_even_and_the_point_counts_work() {
        let model = |scores: Vec<f64>| EvalRow {
            training: Some(Cost {
                nodes: 10_000,
                ..Cost::default()
            }),
            cost: Cost {
                flops: 1000 * 50,
                ..Cost::default()
            },
            ..row("model", scores)
        };
        // Direct: 40 nodes per query over 50 queries is 40 work/q; model:
        // 1 work/q; training 10,000 work: break-even after 257 queries.
        let search = |score: f64| EvalRow {
            cost: Cost {
                nodes: 40 * 50,
                ..Cost::default()
            },
            ..row("search", vec![score; 50])
        };
        let good = Measurement::single(
            "t".into(),
            Shape::Compare,
            0,
            vec![search(0.0), model(vec![0.0; 50])],
        );
        let t = good.table();
        let be = t.column_index("break_even").unwrap();
        assert_eq!(t.rows[1][be], Cell::Int(257));
        let bad = Measurement::single(
            "t".into(),
            Shape::Compare,
            0,
            vec![search(1.0), model(vec![-1.0; 50])],
        );
        let t = bad.table();
        assert_eq!(t.rows[1][be], Cell::Str("never".into()));
    }

    #[test]
    fn merging_needs_the_same_rows() {
        let a = Measurement::single("t".into(), Shape::Evaluate, 0, vec![row("s", vec![1.0])]);
        let b = Measurement::single("t".into(), Shape::Evaluate, 1, vec![row("s", vec![0.0])]);
        let c = Measurement::single(
            "t".into(),
            Shape::Evaluate,
            2,
            vec![row("other", vec![0.0])],
        );
        let m = Measurement::merge(vec![a.clone(), b]).unwrap();
        assert_eq!(m.runs.len(), 2);
        assert_eq!(
            m.table().rows[0][m.table().column_index("seeds").unwrap()],
            Cell::Int(2)
        );
        assert!(Measurement::merge(vec![a, c]).is_err());
    }
}
