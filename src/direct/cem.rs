//! The cross-entropy method: sample a diagonal Gaussian, refit it to the
//! best samples (the elites), repeat.
//!
//! Its starting mean and std are parameters because hybrids start it from
//! an amortized guess, and model-predictive control warm-starts it from the
//! previous step's plan (`CemWorkspace` keeps the distribution between
//! calls). Samples are clamped into the box. All buffers live in the
//! workspace: an iteration allocates nothing.
//!
//! One deliberate departure from textbook CEM: the refitted variance is
//! measured around the mean that *generated* the samples (as CMA-ES's rank-μ
//! update does), not around the elites' own mean. The textbook refit shrinks
//! the std faster than the mean travels and stalls short of the optimum (on
//! the shifted 10-D sphere with 64 samples and 8 elites it stopped 0.1–0.7
//! away); measured from the old mean, the std stays large while the elites
//! are all displaced one way and shrinks once they surround the optimum
//! (there, 1e-13 away after 100 iterations, over 40 seeds).

use crate::cost::Cost;
use crate::direct::continuous::{
    center, check_bounds, check_instance, check_vector, sanitize, spread, ContinuousError, Solution,
};
use crate::direct::mpc::{shift_plan, Replanner};
use crate::direct::ziggurat::Normal;
use crate::domains::continuous::{Bounds, ContinuousProblem};
use crate::rng::Rng;
use std::fmt;
use std::time::Instant;

/// Parameters of `cem`.
#[derive(Clone, Debug, PartialEq)]
pub struct CemParams {
    /// Samples drawn per iteration.
    pub samples: usize,
    /// How many of the best samples the Gaussian is refitted to.
    pub elites: usize,
    /// Iterations; a call costs `samples · iters` evaluations.
    pub iters: usize,
    /// Starting mean (default: the middle of the box).
    pub init_mean: Option<Vec<f64>>,
    /// Starting std per coordinate (default: a quarter of the box width, 1
    /// on unbounded coordinates).
    pub init_std: Option<Vec<f64>>,
    /// Weight of the old distribution in each refit (0 = plain CEM).
    pub smoothing: f64,
    /// Floor under the std, to keep exploring (0 = none).
    pub min_std: f64,
}

impl Default for CemParams {
    fn default() -> Self {
        CemParams {
            samples: 64,
            elites: 8,
            iters: 100,
            init_mean: None,
            init_std: None,
            smoothing: 0.0,
            min_std: 0.0,
        }
    }
}

/// Why CEM cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum CemError {
    /// `samples` or `iters` is 0.
    NoWork { samples: usize, iters: usize },
    /// `elites` is 0 or more than `samples`.
    Elites { elites: usize, samples: usize },
    /// `smoothing` is outside `[0, 1)`.
    Smoothing { value: f64 },
    /// `min_std` is negative or not finite.
    MinStd { value: f64 },
    /// The instance, the box, or a starting mean or std does not fit.
    Continuous(ContinuousError),
}

impl From<ContinuousError> for CemError {
    fn from(e: ContinuousError) -> Self {
        CemError::Continuous(e)
    }
}

impl fmt::Display for CemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CemError::NoWork { .. } => write!(f, "cem: samples and iters must be ≥ 1"),
            CemError::Elites { elites, samples } => write!(
                f,
                "cem: elites must be in 1..={samples} (samples), got {elites}"
            ),
            CemError::Smoothing { value } => {
                write!(f, "cem: smoothing must be in [0, 1), got {value}")
            }
            CemError::MinStd { value } => {
                write!(f, "cem: min_std must be finite and ≥ 0, got {value}")
            }
            CemError::Continuous(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CemError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CemError::Continuous(e) => Some(e),
            _ => None,
        }
    }
}

impl CemParams {
    /// Checks the parameters for a decision of dimension `dim`.
    pub fn check(&self, dim: usize) -> Result<(), CemError> {
        if self.samples == 0 || self.iters == 0 {
            return Err(CemError::NoWork {
                samples: self.samples,
                iters: self.iters,
            });
        }
        if self.elites == 0 || self.elites > self.samples {
            return Err(CemError::Elites {
                elites: self.elites,
                samples: self.samples,
            });
        }
        if !(0.0..1.0).contains(&self.smoothing) {
            return Err(CemError::Smoothing {
                value: self.smoothing,
            });
        }
        if !(self.min_std.is_finite() && self.min_std >= 0.0) {
            return Err(CemError::MinStd {
                value: self.min_std,
            });
        }
        if let Some(m) = &self.init_mean {
            check_vector("cem", "init_mean", m, dim, false)?;
        }
        if let Some(s) = &self.init_std {
            check_vector("cem", "init_std", s, dim, true)?;
        }
        Ok(())
    }
}

/// The default starting std for a box (see `CemParams::init_std`).
pub fn default_std(bounds: &Bounds) -> Vec<f64> {
    spread(bounds, 0.25, 1.0)
}

/// The search distribution and every buffer CEM needs, kept between calls.
#[derive(Clone, Debug, Default)]
pub struct CemWorkspace {
    /// The Gaussian's mean: read as the start of `cem_minimize`, left at its
    /// final value.
    pub mean: Vec<f64>,
    /// The Gaussian's std, likewise.
    pub std: Vec<f64>,
    /// The best point found by the last `cem_minimize`.
    pub best: Vec<f64>,
    population: Vec<f64>,
    values: Vec<f64>,
    order: Vec<usize>,
}

impl CemWorkspace {
    /// A workspace starting from `mean` and `std`.
    pub fn new(mean: Vec<f64>, std: Vec<f64>) -> Self {
        let best = mean.clone();
        CemWorkspace {
            mean,
            std,
            best,
            ..CemWorkspace::default()
        }
    }
}

/// CEM on a plain objective over `bounds`, starting from the workspace's
/// distribution. Returns the best value found (the point is `ws.best`) and
/// the number of evaluations.
pub fn cem_minimize<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    bounds: &Bounds,
    rng: &mut Rng,
    params: &CemParams,
    ws: &mut CemWorkspace,
) -> Result<(f64, u64), CemError> {
    let dim = bounds.dim();
    check_bounds(bounds)?;
    params.check(dim)?;
    check_vector("cem", "mean", &ws.mean, dim, false)?;
    check_vector("cem", "std", &ws.std, dim, true)?;
    let n = params.samples;
    ws.population.resize(n * dim, 0.0);
    ws.values.resize(n, 0.0);
    ws.order.resize(n, 0);
    ws.best.resize(dim, 0.0);
    let normal = Normal::new();
    let mut best_value = f64::INFINITY;
    let inv_elites = 1.0 / params.elites as f64;
    let keep = params.smoothing;
    let mut done = 0;
    for _ in 0..params.iters {
        if crate::stop::requested() {
            break;
        }
        done += 1;
        for (k, row) in ws.population.chunks_exact_mut(dim).enumerate() {
            for (j, t) in row.iter_mut().enumerate() {
                let v = ws.mean[j] + ws.std[j] * normal.sample(rng);
                *t = v.clamp(bounds.lo[j], bounds.hi[j]);
            }
            let v = sanitize(f(row));
            ws.values[k] = v;
            if v < best_value {
                best_value = v;
                ws.best.copy_from_slice(row);
            }
        }
        for (k, o) in ws.order.iter_mut().enumerate() {
            *o = k;
        }
        let values = &ws.values;
        ws.order
            .select_nth_unstable_by(params.elites - 1, |&a, &b| values[a].total_cmp(&values[b]));
        let elites = &ws.order[..params.elites];
        for j in 0..dim {
            let mut mean = 0.0;
            for &e in elites {
                mean += ws.population[e * dim + j];
            }
            mean *= inv_elites;
            let mut var = 0.0;
            for &e in elites {
                let d = ws.population[e * dim + j] - ws.mean[j];
                var += d * d;
            }
            let std = (var * inv_elites).sqrt();
            ws.mean[j] = keep * ws.mean[j] + (1.0 - keep) * mean;
            ws.std[j] = (keep * ws.std[j] + (1.0 - keep) * std).max(params.min_std);
        }
    }
    Ok((best_value, (n * done) as u64))
}

/// Minimizes `problem` on instance `x` with CEM.
pub fn cem<P: ContinuousProblem + ?Sized>(
    problem: &P,
    x: &[f64],
    rng: &mut Rng,
    params: &CemParams,
) -> Result<Solution, CemError> {
    let start = Instant::now();
    check_instance(problem, x)?;
    let bounds = problem.bounds();
    params.check(bounds.dim())?;
    let mut mean = params.init_mean.clone().unwrap_or_else(|| center(&bounds));
    bounds.clamp(&mut mean);
    let std = params
        .init_std
        .clone()
        .unwrap_or_else(|| default_std(&bounds));
    let mut ws = CemWorkspace::new(mean, std);
    let (value, evaluations) =
        cem_minimize(|t| problem.value(t, x), &bounds, rng, params, &mut ws)?;
    let cost = Cost {
        evaluations,
        wall: start.elapsed(),
        ..Cost::default()
    };
    Ok(Solution {
        theta: ws.best,
        value,
        cost,
    })
}

/// CEM as a model-predictive planner: the workspace carries the search
/// distribution from step to step; each step starts from the previous
/// mean, shifted by one action, and from the initial std again.
pub struct CemPlanning {
    ws: CemWorkspace,
    std: Vec<f64>,
}

impl Replanner for CemParams {
    type State = CemPlanning;
    type Error = CemError;

    fn begin(&self, bounds: &Bounds) -> Result<CemPlanning, CemError> {
        self.check(bounds.dim())?;
        let mean = self.init_mean.clone().unwrap_or_else(|| center(bounds));
        let std = self.init_std.clone().unwrap_or_else(|| default_std(bounds));
        Ok(CemPlanning {
            ws: CemWorkspace::new(mean, std.clone()),
            std,
        })
    }

    fn proposal<'s>(&self, state: &'s mut CemPlanning) -> &'s mut [f64] {
        &mut state.ws.mean
    }

    fn optimize<F: FnMut(&[f64]) -> f64>(
        &self,
        state: &mut CemPlanning,
        objective: F,
        bounds: &Bounds,
        rng: &mut Rng,
        best: &mut [f64],
    ) -> Result<u64, CemError> {
        let (_, n) = cem_minimize(objective, bounds, rng, self, &mut state.ws)?;
        best.copy_from_slice(&state.ws.best);
        Ok(n)
    }

    fn advance(&self, state: &mut CemPlanning, _best: &[f64], action_dim: usize, pad: &[f64]) {
        shift_plan(&mut state.ws.mean, action_dim, pad);
        state.ws.std.copy_from_slice(&state.std);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::functions::sphere;

    fn distance(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(p, q)| (p - q) * (p - q))
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn reaches_the_shifted_sphere_optimum() {
        let p = sphere(10).unwrap();
        let mut rng = Rng::new(3);
        let mut x = vec![0.0; 10];
        p.sample_instance(&mut rng, &mut x);
        let s = cem(&p, &x, &mut rng, &CemParams::default()).unwrap();
        assert!(distance(&s.theta, &x) < 1e-3, "{}", distance(&s.theta, &x));
        assert_eq!(s.cost.evaluations, 64 * 100);
        assert_eq!(s.value, p.value(&s.theta, &x));
    }

    #[test]
    fn same_seed_same_answer_and_cost() {
        let p = sphere(5).unwrap();
        let x = [0.5, -0.2, 1.0, 0.0, 0.3];
        let params = CemParams {
            iters: 20,
            ..CemParams::default()
        };
        let a = cem(&p, &x, &mut Rng::new(9), &params).unwrap();
        let b = cem(&p, &x, &mut Rng::new(9), &params).unwrap();
        assert_eq!(
            (a.theta, a.value, a.cost.counted()),
            (b.theta, b.value, b.cost.counted())
        );
    }

    #[test]
    fn a_collapsed_start_at_the_optimum_stays_there() {
        // With std 0 every sample is the mean: CEM must return it unchanged.
        let p = sphere(3).unwrap();
        let x = [0.25, -1.5, 2.0];
        let params = CemParams {
            iters: 3,
            init_mean: Some(x.to_vec()),
            init_std: Some(vec![0.0; 3]),
            ..CemParams::default()
        };
        let s = cem(&p, &x, &mut Rng::new(1), &params).unwrap();
        assert_eq!(s.theta, x.to_vec());
        assert_eq!(s.value, 0.0);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = sphere(3).unwrap();
        let x = [0.0; 3];
        let mut rng = Rng::new(0);
        for params in [
            CemParams {
                elites: 0,
                ..CemParams::default()
            },
            CemParams {
                elites: 65,
                ..CemParams::default()
            },
            CemParams {
                samples: 0,
                ..CemParams::default()
            },
            CemParams {
                init_mean: Some(vec![0.0; 2]),
                ..CemParams::default()
            },
            CemParams {
                init_std: Some(vec![-1.0; 3]),
                ..CemParams::default()
            },
            CemParams {
                smoothing: 1.0,
                ..CemParams::default()
            },
        ] {
            assert!(cem(&p, &x, &mut rng, &params).is_err(), "{params:?}");
        }
        assert!(cem(&p, &[0.0; 2], &mut rng, &CemParams::default()).is_err());
    }
}
