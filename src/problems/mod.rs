//! The crate's problem constructors: one file per problem beside its
//! native code in `domains/`, holding its descriptor (parameters, what
//! `shift` may change, families, how it is built) and, where the problem is
//! not a game, its `Problem` implementation.
//!
//! Adding a problem is its native file, its file here, and one name in the
//! list below. A game becomes a problem through `compose::GameProblem` with
//! the crate's kernels (`crate::algorithms::kernels`), so every algorithm
//! plays it monomorphized.

use std::sync::Arc;

use crate::compose::{Families, Problem, ProblemDescriptor, ProblemError};
use crate::domains::continuous::ContinuousProblem;
use crate::params::{ParamKind, ParamSpec, Params};

mod expr;

/// A continuous objective whose out-of-distribution variant scales the
/// spread of its instances (`shift(…, scale=)`): such an objective is a
/// [`Problem`] with nothing more to say.
trait Spread: ContinuousProblem + std::fmt::Debug + Sized + 'static {
    /// The same objective with its instances' spread scaled by `scale`.
    fn with_spread(&self, scale: f64) -> Result<Self, ProblemError>;
}

impl<T: Spread> Problem for T {
    fn name(&self) -> String {
        ContinuousProblem::name(self)
    }

    fn families(&self) -> Families {
        Families::CONTINUOUS
    }

    fn continuous(&self) -> Option<&dyn ContinuousProblem> {
        Some(self)
    }

    fn shift_params(&self) -> &[&'static str] {
        &["scale"]
    }

    fn shifted(&self, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
        let scale = by.opt_num("scale").unwrap_or(1.0);
        Ok(Arc::new(self.with_spread(scale)?))
    }
}

/// What `shift` changes in continuous objectives: the instances' spread.
fn scale() -> ParamSpec {
    ParamSpec::optional(
        "scale",
        ParamKind::Num,
        "continuous: spread of the instances",
    )
    .range(0.0, 1e6)
    .named()
}

/// What `shift` changes in games: how many random moves open an instance.
fn opening_moves() -> ParamSpec {
    ParamSpec::optional(
        "opening_moves",
        ParamKind::Int,
        "games: random opening moves",
    )
    .range(0.0, 40.0)
    .named()
}

/// Declares the problem modules, and from the same list every descriptor.
macro_rules! problems {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*

        /// Every problem constructor's descriptor, in the order of the list.
        pub fn descriptors() -> Vec<ProblemDescriptor> {
            let mut all = Vec::new();
            $(all.extend($name::descriptors());)*
            all
        }
    };
}

problems!(
    tictactoe,
    connect4,
    gridworld,
    pendulum,
    functions,
    gaussian_vi,
);
