//! The crate's problem constructors: one file per problem beside its
//! native code in `domains/`, holding its descriptor (parameters, what
//! `shift` may change, families, how it is built) and, where the problem is
//! not a game, its `Problem` implementation.
//!
//! Adding a problem is its native file, its file here, and one name in the
//! list below. A game becomes a problem through `compose::GameProblem` with
//! the crate's kernels (`crate::algorithms::kernels`), so every algorithm
//! plays it monomorphized.

use crate::compose::ProblemDescriptor;
use crate::params::{ParamKind, ParamSpec};

mod expr;

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
