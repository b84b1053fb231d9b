//! `gaussian_vi(dim=2, obs=4)`: variational inference with a known exact
//! posterior, as a continuous objective.

use std::sync::Arc;

use super::Spread;
use crate::compose::{Families, Problem, ProblemDescriptor, ProblemError};
use crate::domains::gaussian_vi::{GaussianVi, GaussianViParams};
use crate::params::{ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    vec![ProblemDescriptor {
        name: "gaussian_vi",
        doc: "Variational inference in a linear-Gaussian latent model: θ = (mean, log-std) of q(z | y); the score is the negative ELBO; the exact posterior is known.",
        params: vec![
            ParamSpec::int("dim", 2, "latent dimension").range(1.0, 256.0),
            ParamSpec::int("obs", 4, "observation dimension (≥ dim)").range(1.0, 1024.0),
        ],
        shift: vec![super::scale()],
        families: Families::CONTINUOUS,
        example: "gaussian_vi(dim=2, obs=4)",
        build,
    }]
}

fn build(p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let g = GaussianVi::new(GaussianViParams {
        dim: p.usize("dim"),
        obs: p.usize("obs"),
        ..GaussianViParams::default()
    })
    .map_err(ProblemError::invalid)?;
    Ok(Arc::new(g))
}

impl Spread for GaussianVi {
    fn with_spread(&self, scale: f64) -> Result<Self, ProblemError> {
        GaussianVi::new(GaussianViParams {
            scale,
            ..self.params.clone()
        })
        .map_err(ProblemError::invalid)
    }
}
