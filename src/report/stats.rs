//! The statistics behind every reported interval: the mean and the
//! interquartile mean, the stratified bootstrap over seeds and instances
//! (rliable, Agarwal et al. 2021), and the probability of improvement.

use crate::rng::Rng;

/// Bootstrap resamples behind every interval.
pub const RESAMPLES: usize = 1000;

/// Which statistic of the scores a report shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stat {
    #[default]
    Mean,
    /// Interquartile mean: robust to a few outlying seeds or instances.
    Iqm,
}

impl Stat {
    pub(crate) fn of(self, xs: &mut [f64]) -> f64 {
        match self {
            Stat::Mean => mean(xs),
            Stat::Iqm => iqm(xs),
        }
    }
}

pub(crate) fn mean(xs: &[f64]) -> f64 {
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
pub(crate) fn interval(
    a: &[&[f64]],
    b: Option<&[&[f64]]>,
    stat: Stat,
    rng: &mut Rng,
) -> (f64, f64) {
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
pub(crate) fn probability_of_improvement(a: &[&[f64]], b: &[&[f64]], lower_is_better: bool) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iqm_drops_the_outer_quarters() {
        let mut xs = vec![100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -100.0];
        assert_eq!(iqm(&mut xs), 3.5);
    }
}
