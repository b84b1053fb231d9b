//! A fast standard-normal sampler over the shared `Rng`, for the
//! sampling-based optimizers (CEM, CMA-ES, random shooting).
//!
//! `Rng::normal` is Box–Muller (a logarithm, a square root and a cosine per
//! value); population methods draw hundreds of thousands of normals per call,
//! and that cost would dominate them. This is Marsaglia and Tsang's ziggurat
//! in Doornik's formulation (ZIGNOR, 128 strips): one `u64` and one
//! multiply-compare for ~99% of draws. It consumes only `Rng::next_u64`, so a
//! seed still fixes every value on every platform.

use crate::rng::Rng;
use std::sync::OnceLock;

const STRIPS: usize = 128;
/// Start of the right tail.
const R: f64 = 3.442_619_855_899;
/// Area of each strip (and of the base strip plus the tail).
const V: f64 = 9.912_563_035_262_17e-3;

struct Tables {
    /// Strip edges: `x[0]` is the base strip's pseudo-width, `x[1] = R`,
    /// decreasing to `x[STRIPS] = 0`.
    x: [f64; STRIPS + 1],
    /// `x[i + 1] / x[i]`: below this ratio a draw lies inside the strip's
    /// rectangle and is accepted without evaluating the density.
    ratio: [f64; STRIPS],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; STRIPS + 1];
        let mut f = (-0.5 * R * R).exp();
        x[0] = V / f;
        x[1] = R;
        for i in 2..STRIPS {
            x[i] = (-2.0 * (V / x[i - 1] + f).ln()).sqrt();
            f = (-0.5 * x[i] * x[i]).exp();
        }
        x[STRIPS] = 0.0;
        let mut ratio = [0.0; STRIPS];
        for i in 0..STRIPS {
            ratio[i] = x[i + 1] / x[i];
        }
        Tables { x, ratio }
    })
}

/// A standard-normal sampler; hold one per hot loop so the table lookup is
/// done once.
#[derive(Clone, Copy)]
pub struct Normal {
    t: &'static Tables,
}

impl Default for Normal {
    fn default() -> Self {
        Normal::new()
    }
}

impl Normal {
    pub fn new() -> Self {
        Normal { t: tables() }
    }

    /// One draw from N(0, 1).
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        loop {
            let bits = rng.next_u64();
            let i = (bits & (STRIPS as u64 - 1)) as usize;
            // The top 53 bits give a uniform in [-1, 1), independent of `i`.
            let u = (bits >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0;
            if u.abs() < self.t.ratio[i] {
                return u * self.t.x[i];
            }
            if i == 0 {
                return tail(rng, u < 0.0);
            }
            let x = u * self.t.x[i];
            let xi = self.t.x[i];
            let xn = self.t.x[i + 1];
            let f0 = (-0.5 * (xi * xi - x * x)).exp();
            let f1 = (-0.5 * (xn * xn - x * x)).exp();
            if f1 + rng.uniform() * (f0 - f1) < 1.0 {
                return x;
            }
        }
    }

    /// Fills `out` with independent N(0, 1) draws.
    #[inline]
    pub fn fill(&self, rng: &mut Rng, out: &mut [f64]) {
        for v in out {
            *v = self.sample(rng);
        }
    }
}

/// Marsaglia's tail method for |z| > R.
fn tail(rng: &mut Rng, negative: bool) -> f64 {
    loop {
        let x = (1.0 - rng.uniform()).ln() / R;
        let y = (1.0 - rng.uniform()).ln();
        if -2.0 * y >= x * x {
            return if negative { x - R } else { R - x };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_close_at_zero() {
        let t = tables();
        // The recursion must stay real and decreasing down to the last strip.
        assert!(t.x[1..STRIPS].windows(2).all(|w| w[0] > w[1] && w[1] > 0.0));
        assert!(t.x[STRIPS - 1] < 0.3, "{}", t.x[STRIPS - 1]);
    }

    #[test]
    fn moments_and_cdf_match_the_standard_normal() {
        let n = Normal::new();
        let mut rng = Rng::new(5);
        let count = 400_000;
        let (mut s1, mut s2, mut s4) = (0.0, 0.0, 0.0);
        // Φ at a few points, tails included.
        let points = [-3.0, -1.0, 0.0, 0.5, 2.0, 3.5];
        let phi = [
            0.001_349_9,
            0.158_655_3,
            0.5,
            0.691_462_5,
            0.977_249_9,
            0.999_767_4,
        ];
        let mut below = [0usize; 6];
        for _ in 0..count {
            let z = n.sample(&mut rng);
            s1 += z;
            s2 += z * z;
            s4 += z * z * z * z;
            for (b, p) in below.iter_mut().zip(points) {
                *b += usize::from(z < p);
            }
        }
        let c = count as f64;
        assert!((s1 / c).abs() < 0.01);
        assert!((s2 / c - 1.0).abs() < 0.01);
        assert!((s4 / c - 3.0).abs() < 0.05);
        for (b, p) in below.iter().zip(phi) {
            let se = (p * (1.0 - p) / c).sqrt();
            assert!((*b as f64 / c - p).abs() < 5.0 * se + 1e-5, "{b} {p}");
        }
    }
}
