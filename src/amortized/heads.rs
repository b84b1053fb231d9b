//! Output heads: how a network's raw (linear) outputs become answers, and the
//! loss each kind of target is trained with.
//!
//! Heads run on the host, after the network's last dense layer, on a handful
//! of numbers per row: the network itself always ends in a plain linear
//! layer, and training backpropagates the head's gradient `∂loss/∂raw`
//! through it. That keeps masking, squashing and the loss arithmetic in
//! plain, exactly testable Rust, and lets the objective-based amortizer plug
//! in a problem's gradient the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a target kind is unknown, or a head does not fit a network.
#[derive(Clone, Debug, PartialEq)]
pub enum HeadError {
    /// `TargetKind::parse` met a name other than policy, value or solution.
    UnknownTargetKind { name: String },
    /// A policy head needs one output per action, and at least 2 actions.
    PolicyOutputs { outputs: usize },
    /// A value head reads exactly one output.
    ValueOutputs { outputs: usize },
    /// Solution bounds need one lower and one upper limit per output.
    BoundsWidth {
        lower: usize,
        upper: usize,
        outputs: usize,
    },
    /// Solution bound `index` has `lo > hi` (or a NaN).
    InvertedBound { index: usize, lo: f64, hi: f64 },
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            HeadError::UnknownTargetKind { name } => write!(
                f,
                "unknown target kind `{name}`: expected policy, value or solution"
            ),
            HeadError::PolicyOutputs { outputs } => write!(
                f,
                "a policy head needs at least 2 outputs (one per action), found {outputs}"
            ),
            HeadError::ValueOutputs { outputs } => {
                write!(f, "a value head needs exactly 1 output, found {outputs}")
            }
            HeadError::BoundsWidth {
                lower,
                upper,
                outputs,
            } => write!(
                f,
                "solution bounds have {lower} lower and {upper} upper limits, expected {outputs} (one per output)"
            ),
            HeadError::InvertedBound { index, lo, hi } => {
                write!(f, "solution bound {index} is [{lo}, {hi}]: expected lo ≤ hi")
            }
        }
    }
}

impl std::error::Error for HeadError {}

/// What a dataset's targets are, and therefore which head learns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A distribution over actions (search visit counts, or a one-hot best action).
    Policy,
    /// An outcome in `[-1, 1]`.
    Value,
    /// A continuous decision `θ*`.
    Solution,
}

impl TargetKind {
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Policy => "policy",
            TargetKind::Value => "value",
            TargetKind::Solution => "solution",
        }
    }

    /// Parses `policy`, `value` or `solution`.
    pub fn parse(s: &str) -> Result<TargetKind, HeadError> {
        match s {
            "policy" => Ok(TargetKind::Policy),
            "value" => Ok(TargetKind::Value),
            "solution" => Ok(TargetKind::Solution),
            other => Err(HeadError::UnknownTargetKind {
                name: other.to_string(),
            }),
        }
    }
}

/// A box for solution outputs. Dimensions with both bounds finite are
/// squashed into `lo + (hi − lo)·sigmoid(raw)`; the others are left linear.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolutionBounds {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// How raw outputs are read, and what they are trained against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Head {
    /// Logits; softmax over the legal actions; cross-entropy against a
    /// target distribution.
    Policy,
    /// `tanh` of one output; squared error against an outcome in `[-1, 1]`.
    Value,
    /// Linear outputs (squashed into `bounds` where finite); mean squared
    /// error against `θ*`.
    Solution { bounds: Option<SolutionBounds> },
}

impl Head {
    /// The head that learns targets of `kind` (solutions unbounded).
    pub fn for_kind(kind: TargetKind) -> Head {
        match kind {
            TargetKind::Policy => Head::Policy,
            TargetKind::Value => Head::Value,
            TargetKind::Solution => Head::Solution { bounds: None },
        }
    }

    pub fn kind(&self) -> TargetKind {
        match self {
            Head::Policy => TargetKind::Policy,
            Head::Value => TargetKind::Value,
            Head::Solution { .. } => TargetKind::Solution,
        }
    }

    /// Checks that the head fits a network with `out` outputs.
    pub fn check(&self, out: usize) -> Result<(), HeadError> {
        match self {
            Head::Policy if out < 2 => Err(HeadError::PolicyOutputs { outputs: out }),
            Head::Value if out != 1 => Err(HeadError::ValueOutputs { outputs: out }),
            Head::Solution { bounds: Some(b) } if b.lo.len() != out || b.hi.len() != out => {
                Err(HeadError::BoundsWidth {
                    lower: b.lo.len(),
                    upper: b.hi.len(),
                    outputs: out,
                })
            }
            Head::Solution { bounds: Some(b) } => {
                for (index, (&lo, &hi)) in b.lo.iter().zip(&b.hi).enumerate() {
                    if lo.is_nan() || hi.is_nan() || lo > hi {
                        return Err(HeadError::InvertedBound { index, lo, hi });
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Turns one row of raw outputs into the answer: probabilities for a
    /// policy (zero on illegal actions when `mask` is given), an outcome
    /// for a value, `θ` for a solution.
    pub fn answer(&self, raw: &[f32], mask: Option<&[bool]>, out: &mut [f32]) {
        match self {
            Head::Policy => masked_softmax(raw, mask, out),
            Head::Value => {
                for (o, r) in out.iter_mut().zip(raw) {
                    *o = r.tanh();
                }
            }
            Head::Solution { bounds } => {
                for (i, (o, r)) in out.iter_mut().zip(raw).enumerate() {
                    *o = match squash_range(bounds, i) {
                        Some((lo, width)) => lo + width * sigmoid(*r),
                        None => *r,
                    };
                }
            }
        }
    }

    /// The loss of one row against its `target`, with `∂loss/∂raw` written
    /// into `grad` (scaled by `scale`, e.g. `1/batch` for a batch mean).
    ///
    /// Policy targets must already be normalized over the legal actions
    /// (see `Dataset` preparation in `train`); value targets have one entry.
    pub fn loss_grad(
        &self,
        raw: &[f32],
        target: &[f32],
        mask: Option<&[bool]>,
        scale: f32,
        grad: &mut [f32],
    ) -> f32 {
        match self {
            Head::Policy => {
                let lse = masked_logsumexp(raw, mask);
                let mut loss = 0.0;
                for i in 0..raw.len() {
                    if legal(mask, i) {
                        let logp = raw[i] - lse;
                        loss -= target[i] * logp;
                        grad[i] = scale * (logp.exp() - target[i]);
                    } else {
                        grad[i] = 0.0;
                    }
                }
                loss
            }
            Head::Value => {
                let y = raw[0].tanh();
                let d = y - target[0];
                grad[0] = scale * 2.0 * d * (1.0 - y * y);
                d * d
            }
            Head::Solution { bounds: None } => {
                let inv = 1.0 / raw.len() as f32;
                let mut loss = 0.0;
                for ((g, r), t) in grad.iter_mut().zip(raw).zip(target) {
                    let d = r - t;
                    loss += d * d;
                    *g = scale * 2.0 * inv * d;
                }
                loss * inv
            }
            Head::Solution { bounds } => {
                let inv = 1.0 / raw.len() as f32;
                let mut loss = 0.0;
                for i in 0..raw.len() {
                    let (theta, dtheta) = match squash_range(bounds, i) {
                        Some((lo, width)) => {
                            let s = sigmoid(raw[i]);
                            (lo + width * s, width * s * (1.0 - s))
                        }
                        None => (raw[i], 1.0),
                    };
                    let d = theta - target[i];
                    loss += d * d * inv;
                    grad[i] = scale * 2.0 * d * inv * dtheta;
                }
                loss
            }
        }
    }

    /// For objective-based training: `θ` from raw outputs, and `∂θ/∂raw`.
    pub(crate) fn solution_and_jacobian(&self, raw: &[f32], theta: &mut [f32], jac: &mut [f32]) {
        let bounds = match self {
            Head::Solution { bounds } => bounds,
            _ => &None,
        };
        for i in 0..raw.len() {
            match squash_range(bounds, i) {
                Some((lo, width)) => {
                    let s = sigmoid(raw[i]);
                    theta[i] = lo + width * s;
                    jac[i] = width * s * (1.0 - s);
                }
                None => {
                    theta[i] = raw[i];
                    jac[i] = 1.0;
                }
            }
        }
    }
}

fn legal(mask: Option<&[bool]>, i: usize) -> bool {
    mask.is_none_or(|m| m[i])
}

fn squash_range(bounds: &Option<SolutionBounds>, i: usize) -> Option<(f32, f32)> {
    let b = bounds.as_ref()?;
    let (lo, hi) = (b.lo[i], b.hi[i]);
    (lo.is_finite() && hi.is_finite()).then_some((lo as f32, (hi - lo) as f32))
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn masked_logsumexp(raw: &[f32], mask: Option<&[bool]>) -> f32 {
    let max = (0..raw.len())
        .filter(|&i| legal(mask, i))
        .map(|i| raw[i])
        .fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return max;
    }
    let sum: f32 = (0..raw.len())
        .filter(|&i| legal(mask, i))
        .map(|i| (raw[i] - max).exp())
        .sum();
    max + sum.ln()
}

/// Softmax over the legal entries; illegal entries get probability 0. With
/// no legal entry at all every probability is 0.
pub fn masked_softmax(raw: &[f32], mask: Option<&[bool]>, out: &mut [f32]) {
    let lse = masked_logsumexp(raw, mask);
    for (i, o) in out.iter_mut().enumerate() {
        *o = if legal(mask, i) && lse.is_finite() {
            (raw[i] - lse).exp()
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_grad(head: &Head, raw: &[f32], target: &[f32], mask: Option<&[bool]>) -> Vec<f32> {
        let mut scratch = vec![0.0; raw.len()];
        (0..raw.len())
            .map(|i| {
                let h = 1e-3;
                let mut up = raw.to_vec();
                up[i] += h;
                let mut down = raw.to_vec();
                down[i] -= h;
                let lu = head.loss_grad(&up, target, mask, 1.0, &mut scratch);
                let ld = head.loss_grad(&down, target, mask, 1.0, &mut scratch);
                (lu - ld) / (2.0 * h)
            })
            .collect()
    }

    fn assert_grad_matches(head: &Head, raw: &[f32], target: &[f32], mask: Option<&[bool]>) {
        let mut grad = vec![0.0; raw.len()];
        head.loss_grad(raw, target, mask, 1.0, &mut grad);
        let num = numeric_grad(head, raw, target, mask);
        for (a, n) in grad.iter().zip(&num) {
            assert!((a - n).abs() < 2e-3, "analytic {grad:?} vs numeric {num:?}");
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mask = [true, false, true, true];
        assert_grad_matches(
            &Head::Policy,
            &[0.3, 2.0, -0.5, 0.1],
            &[0.5, 0.0, 0.25, 0.25],
            Some(&mask),
        );
        assert_grad_matches(&Head::Value, &[0.4], &[-0.5], None);
        let bounded = Head::Solution {
            bounds: Some(SolutionBounds {
                lo: vec![-2.0, f64::NEG_INFINITY],
                hi: vec![3.0, 1.0],
            }),
        };
        assert_grad_matches(&bounded, &[0.7, -1.2], &[1.0, 0.5], None);
    }

    #[test]
    fn misfits_are_errors_that_carry_the_facts() {
        let err = Head::Value.check(3).unwrap_err();
        assert_eq!(err, HeadError::ValueOutputs { outputs: 3 });
        assert_eq!(
            err.to_string(),
            "a value head needs exactly 1 output, found 3"
        );
        let inverted = Head::Solution {
            bounds: Some(SolutionBounds {
                lo: vec![0.0, 2.0],
                hi: vec![1.0, 1.0],
            }),
        };
        let err = inverted.check(2).unwrap_err();
        assert_eq!(
            err,
            HeadError::InvertedBound {
                index: 1,
                lo: 2.0,
                hi: 1.0
            }
        );
        assert_eq!(
            err.to_string(),
            "solution bound 1 is [2, 1]: expected lo ≤ hi"
        );
        assert_eq!(
            TargetKind::parse("policies").unwrap_err().to_string(),
            "unknown target kind `policies`: expected policy, value or solution"
        );
    }

    #[test]
    fn masked_softmax_ignores_illegal_actions() {
        let mut p = [0.0; 3];
        masked_softmax(&[1.0, 100.0, 1.0], Some(&[true, false, true]), &mut p);
        assert_eq!(p, [0.5, 0.0, 0.5]);
    }

    #[test]
    fn squash_maps_zero_to_the_middle_of_the_box() {
        let head = Head::Solution {
            bounds: Some(SolutionBounds {
                lo: vec![-5.0],
                hi: vec![5.0],
            }),
        };
        let mut out = [1.0];
        head.answer(&[0.0], None, &mut out);
        assert_eq!(out, [0.0]);
    }
}
