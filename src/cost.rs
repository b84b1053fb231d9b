//! What an answer cost, in units common to every solver.
//!
//! Direct solvers count objective/environment evaluations and search nodes;
//! amortized ones count forward passes and FLOPs. Reports divide these by the
//! number of queries and compare them with a model's training cost to find
//! break-even points. Wall time is kept apart from the counted units because
//! it is the one figure that is not deterministic.

use std::ops::{Add, AddAssign};
use std::time::Duration;

/// The cost of one or more solver calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Cost {
    /// Objective or environment evaluations (including rollout steps).
    pub evaluations: u64,
    /// Search-tree nodes expanded (or, for simulation-based search, simulations).
    pub nodes: u64,
    /// Network forward passes (one per query row).
    pub forward_passes: u64,
    /// Floating-point operations spent in networks.
    pub flops: u64,
    /// Wall-clock time; excluded from deterministic comparisons.
    pub wall: Duration,
}

/// Network FLOPs worth one unit of work: about the time of one search node
/// or one objective evaluation on a CPU core (tens of nanoseconds).
pub const FLOPS_PER_WORK: f64 = 1000.0;

impl Cost {
    pub fn evaluations(n: u64) -> Self {
        Cost {
            evaluations: n,
            ..Cost::default()
        }
    }

    /// The deterministic cost unit ("work"): one per objective or
    /// environment evaluation, one per search node, one per
    /// [`FLOPS_PER_WORK`] network FLOPs. Unlike wall time it is the same on
    /// every run and machine, so break-even points computed in it do not
    /// flip between runs.
    pub fn work(&self) -> f64 {
        self.evaluations as f64 + self.nodes as f64 + self.flops as f64 / FLOPS_PER_WORK
    }

    /// Everything but wall time, for determinism checks and snapshots.
    pub fn counted(&self) -> (u64, u64, u64, u64) {
        (
            self.evaluations,
            self.nodes,
            self.forward_passes,
            self.flops,
        )
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            evaluations: self.evaluations + o.evaluations,
            nodes: self.nodes + o.nodes,
            forward_passes: self.forward_passes + o.forward_passes,
            flops: self.flops + o.flops,
            wall: self.wall + o.wall,
        }
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        *self = *self + o;
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), Add::add)
    }
}
