//! `tictactoe(opening_moves=0)`: tic-tac-toe as a problem.

use std::sync::Arc;

use crate::compose::{Families, GameProblem, Problem, ProblemDescriptor, ProblemError};
use crate::domains::tictactoe::{TicTacToe, TicTacToeParams};
use crate::params::{ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    vec![ProblemDescriptor {
        name: "tictactoe",
        doc: "Tic-tac-toe: a two-player game; instances are positions after `opening_moves` random moves.",
        params: vec![ParamSpec::int(
            "opening_moves",
            0,
            "random moves played from the empty board",
        )
        .range(0.0, 8.0)
        .named()],
        shift: vec![super::opening_moves()],
        families: Families::GAME,
        example: "tictactoe()",
        build,
    }]
}

fn build(p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let game = TicTacToe::new(TicTacToeParams {
        opening_moves: p.usize("opening_moves"),
    })
    .map_err(ProblemError::invalid)?;
    Ok(Arc::new(
        GameProblem::new(game, crate::algorithms::kernels()).with_shift(
            &["opening_moves"],
            |g, by| {
                g.shift(by.opt_usize("opening_moves").unwrap_or(0))
                    .map_err(ProblemError::invalid)
            },
        ),
    ))
}
