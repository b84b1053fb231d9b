//! The crate's direct algorithms as solvers: one file per algorithm beside
//! its native code in `direct/`, holding its descriptor (parameters,
//! families, warm starts, how it is built), its `Solver` and, for discrete
//! problems, its agent and the kernel that monomorphizes it per game.
//!
//! Adding an algorithm is its native file, its file here, and one name in
//! the list below. Algorithms of one kind share their solver: gradient
//! methods `gd::DescentSolver`, sampling planners `sampling::SamplingSolver`.

use crate::compose::{AlgorithmDescriptor, Kernels};
use crate::domains::game::Game;

/// The solver the sampling planners (CEM, random shooting) share.
pub mod sampling;

/// Declares the algorithm modules, and from the same list the descriptors
/// and the game kernels of all of them.
macro_rules! algorithms {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*

        /// Every algorithm's descriptor, in the order of the list.
        pub fn descriptors() -> Vec<AlgorithmDescriptor> {
            vec![$($name::descriptor()),*]
        }

        /// The crate's solvers monomorphized for the game type `G`: the
        /// compositions' kernels and every algorithm's.
        pub fn kernels<G: Game + 'static>() -> Kernels<G> {
            let mut k = Kernels::default();
            $($name::kernels(&mut k);)*
            k
        }
    };
}

algorithms!(
    mcts,
    minimax,
    value_iteration,
    cem,
    random_shooting,
    cmaes,
    gd,
    adam,
    random_search,
);

/// An agent of `solver` on `game`, through the crate's kernels: how Rust
/// code plays a game with any solver (planned, trained or composed).
pub fn agent<G: Game + 'static>(
    solver: &dyn crate::compose::Solver,
    game: &std::sync::Arc<G>,
) -> Result<Box<dyn crate::compose::play::Agent<G>>, crate::compose::SolveError> {
    kernels::<G>().agent(solver, game)
}
