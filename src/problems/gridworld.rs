//! `gridworld(size=8, walls=0.2)`: random mazes as a problem.

use std::sync::Arc;

use crate::compose::{Families, GameProblem, Problem, ProblemDescriptor, ProblemError};
use crate::domains::gridworld::{GridParams, GridWorld};
use crate::params::{ParamKind, ParamSpec, Params};

pub fn descriptors() -> Vec<ProblemDescriptor> {
    vec![ProblemDescriptor {
        name: "gridworld",
        doc: "A maze MDP: a random solvable wall layout per instance, a start and a goal; +1 at the goal, 0.01 lost per step.",
        params: vec![
            ParamSpec::int("size", 8, "side of the square board").range(2.0, 16.0),
            ParamSpec::num("walls", 0.2, "probability that a cell is a wall").range(0.0, 0.9),
        ],
        shift: vec![
            ParamSpec::optional("size", ParamKind::Int, "gridworld: board side")
                .range(2.0, 16.0)
                .named(),
            ParamSpec::optional("walls", ParamKind::Num, "gridworld: wall probability")
                .range(0.0, 0.9)
                .named(),
        ],
        families: Families::MDP,
        example: "gridworld(size=6, walls=0.2)",
        build,
    }]
}

fn build(p: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let world = GridWorld::new(GridParams {
        size: p.usize("size"),
        walls: p.num("walls"),
        ..GridParams::default()
    })
    .map_err(ProblemError::invalid)?;
    Ok(Arc::new(
        GameProblem::new(world, crate::algorithms::kernels()).with_shift(
            &["size", "walls"],
            |g, by| {
                let p = g.params();
                g.shift(
                    by.opt_usize("size").unwrap_or(p.size),
                    by.opt_num("walls").unwrap_or(p.walls),
                )
                .map_err(ProblemError::invalid)
            },
        ),
    ))
}
