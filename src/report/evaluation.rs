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

use super::plot::{Figure, Point, Series};
use super::table::{Cell, Table};
use crate::cost::Cost;
use crate::rng::{derive_seed, Rng};

/// Bootstrap resamples behind every interval.
pub const RESAMPLES: usize = 1000;

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

/// Which statistic of the scores a report shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stat {
    #[default]
    Mean,
    /// Interquartile mean: robust to a few outlying seeds or instances.
    Iqm,
}

impl Stat {
    pub fn name(self) -> &'static str {
        match self {
            Stat::Mean => "mean",
            Stat::Iqm => "iqm",
        }
    }

    fn of(self, xs: &mut [f64]) -> f64 {
        match self {
            Stat::Mean => mean(xs),
            Stat::Iqm => iqm(xs),
        }
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

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The interquartile mean: the mean of the scores left after dropping the
/// lowest and the highest quarter (scipy's `trim_mean(x, 0.25)`).
pub fn iqm(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let cut = xs.len() / 4;
    mean(&xs[cut..xs.len() - cut])
}

/// The 95% percentile interval of the statistic of `a` (or of its
/// difference to `b`, resampled in pairs) under the stratified bootstrap.
fn interval(a: &[&[f64]], b: Option<&[&[f64]]>, stat: Stat, rng: &mut Rng) -> (f64, f64) {
    let k = a.len();
    if k == 0 || a.iter().all(|s| s.is_empty()) {
        return (f64::NAN, f64::NAN);
    }
    let paired =
        b.is_some_and(|b| b.len() == k && b.iter().zip(a).all(|(x, y)| x.len() == y.len()));
    let mut stats = Vec::with_capacity(RESAMPLES);
    let mut xa = Vec::new();
    let mut xb = Vec::new();
    for _ in 0..RESAMPLES {
        xa.clear();
        xb.clear();
        for _ in 0..k {
            let s = rng.below(k);
            let seed_a = a[s];
            for _ in 0..seed_a.len() {
                let j = rng.below(seed_a.len());
                xa.push(seed_a[j]);
                if let (true, Some(b)) = (paired, b) {
                    xb.push(b[s][j]);
                }
            }
            if let (Some(b), false) = (b, paired) {
                let seed_b = b[rng.below(b.len())];
                for _ in 0..seed_b.len() {
                    xb.push(seed_b[rng.below(seed_b.len())]);
                }
            }
        }
        let v = stat.of(&mut xa);
        stats.push(match b {
            Some(_) => v - stat.of(&mut xb),
            None => v,
        });
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((q * (RESAMPLES - 1) as f64).round() as usize).min(RESAMPLES - 1)];
    (at(0.025), at(0.975))
}

/// The 95% bootstrap interval of the mean of `scores` (one seed's
/// instances), resampled from `seed`.
pub fn interval95(scores: &[f64], seed: u64) -> (f64, f64) {
    interval(&[scores], None, Stat::Mean, &mut Rng::new(seed))
}

/// P(X better than Y) + ½ P(X = Y), X an instance score of `a` and Y one
/// of `b` under the same seed, averaged over seeds.
fn probability_of_improvement(a: &[&[f64]], b: &[&[f64]], lower_is_better: bool) -> f64 {
    let per_seed: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_empty() && !y.is_empty())
        .map(|(x, y)| {
            let mut sorted: Vec<f64> = y.to_vec();
            sorted.sort_by(f64::total_cmp);
            let total: f64 = x
                .iter()
                .map(|&v| {
                    let below = sorted.partition_point(|&w| w < v);
                    let not_above = sorted.partition_point(|&w| w <= v);
                    let ties = (not_above - below) as f64;
                    let better = if lower_is_better {
                        (sorted.len() - not_above) as f64
                    } else {
                        below as f64
                    };
                    better + 0.5 * ties
                })
                .sum();
            total / (x.len() * sorted.len()) as f64
        })
        .collect();
    mean(&per_seed)
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

/// The columns of a table of these rows; those no row fills are left out.
fn layout(
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

fn cells(
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
fn sweep_figure(title: &str, rows: &[EvalRow], sums: &[Summary]) -> Figure {
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
fn compare_figure(title: &str, rows: &[EvalRow], sums: &[Summary]) -> Figure {
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
    fn iqm_drops_the_outer_quarters() {
        let mut xs = vec![100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -100.0];
        assert_eq!(iqm(&mut xs), 3.5);
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
