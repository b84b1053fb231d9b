//! `connect4(rows=6, cols=7, opening_moves=0)`: connect four as a problem.

use std::sync::Arc;

use crate::compose::{Families, GameProblem, Problem, ProblemDescriptor, ProblemError};
use crate::domains::connect4::{Connect4, Connect4Params};
use crate::params::{ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    vec![ProblemDescriptor {
        name: "connect4",
        doc: "Connect four on a `rows` × `cols` board (at most 64 cells plus a row); instances after `opening_moves` random moves.",
        params: vec![
            ParamSpec::int("rows", 6, "board height").range(4.0, 12.0),
            ParamSpec::int("cols", 7, "board width").range(4.0, 12.0),
            ParamSpec::int("opening_moves", 0, "random moves played from the empty board")
                .range(0.0, 40.0)
                .named(),
        ],
        shift: vec![super::opening_moves()],
        families: Families::GAME,
        example: "connect4(rows=6, cols=7)",
        build,
    }]
}

fn build(p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let game = Connect4::new(Connect4Params {
        rows: p.usize("rows"),
        cols: p.usize("cols"),
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
