//! Changing one parameter of a solver, for `sweep(solver, PARAM=[…])`.

use super::solver::Solver;
use super::value::Value;

/// `solver` with its parameter `name` set to `value`.
pub fn with_param(solver: &Solver, name: &str, value: &Value) -> Result<Solver, String> {
    let num = || {
        value
            .as_f64()
            .ok_or_else(|| format!("`{name}` takes numbers, found {value}"))
    };
    let count = || -> Result<usize, String> {
        match value.as_i64() {
            Some(i) if i >= 1 => Ok(i as usize),
            _ => Err(format!("`{name}` takes whole numbers ≥ 1, found {value}")),
        }
    };
    // Hybrids: the parameter belongs to the planner inside.
    match solver {
        Solver::Guided {
            params,
            prior,
            value: vnet,
        } => {
            return match with_param(&Solver::Mcts(*params), name, value)? {
                Solver::Mcts(params) => Ok(Solver::Guided {
                    params,
                    prior: prior.clone(),
                    value: vnet.clone(),
                }),
                _ => Err("sweeping changed the kind of the planner".to_string()),
            };
        }
        Solver::Warm {
            prior,
            planner,
            spread,
        } => {
            let planner = Box::new(with_param(planner, name, value)?);
            return Ok(Solver::Warm {
                prior: prior.clone(),
                planner,
                spread: *spread,
            });
        }
        Solver::Gate(g) => {
            let planner = Box::new(with_param(&g.planner, name, value)?);
            return Ok(Solver::Gate(std::sync::Arc::new(super::hybrid::Gate {
                amortized: g.amortized.clone(),
                planner,
                when: g.when,
                threshold: g.threshold,
                by_model: Default::default(),
                by_planner: Default::default(),
                spent: Default::default(),
            })));
        }
        _ => {}
    }
    let mut s = solver.clone();
    match (&mut s, name) {
        (Solver::Mcts(p), "sims") => p.sims = count()? as u32,
        (Solver::Mcts(p), "c") => p.c = num()? as f32,
        (Solver::Mcts(p), "depth") => p.depth = Some(count()? as u32),
        (Solver::Mcts(p), "rollouts") => p.rollouts = count()? as u32,
        (Solver::Minimax(p), "depth") => p.depth = Some(count()? as u32),
        (Solver::Cem { params, .. }, "samples") => params.samples = count()?,
        (Solver::Cem { params, .. }, "elites") => params.elites = count()?,
        (Solver::Cem { params, .. }, "iters") => params.iters = count()?,
        (Solver::Cem { horizon, .. } | Solver::RandomShooting { horizon, .. }, "horizon") => {
            *horizon = count()?
        }
        (Solver::RandomShooting { params, .. }, "samples") => params.samples = count()?,
        (Solver::Cmaes(p), "max_evals") => p.max_evals = count()?,
        (Solver::Cmaes(p), "popsize") => p.popsize = Some(count()?),
        (Solver::Gd(p), "steps") => p.steps = count()?,
        (Solver::Gd(p), "lr") => p.lr = num()?,
        (Solver::Adam(p), "steps") => p.steps = count()?,
        (Solver::Adam(p), "lr") => p.lr = num()?,
        (Solver::RandomSearch(p), "samples") => p.samples = count()?,
        (Solver::BestOf { n, .. }, "n") => *n = count()?,
        _ => {
            let known: &[&str] = match solver {
                Solver::Mcts(_) => &["sims", "c", "depth", "rollouts"],
                Solver::Minimax(_) => &["depth"],
                Solver::Cem { .. } => &["samples", "elites", "iters", "horizon"],
                Solver::RandomShooting { .. } => &["samples", "horizon"],
                Solver::Cmaes(_) => &["max_evals", "popsize"],
                Solver::Gd(_) | Solver::Adam(_) => &["steps", "lr"],
                Solver::RandomSearch(_) => &["samples"],
                Solver::BestOf { .. } => &["n"],
                _ => &[],
            };
            return Err(if known.is_empty() {
                format!("`{}` has no parameter to sweep", solver.algorithm())
            } else {
                format!(
                    "`{}` has no parameter `{name}` to sweep; it has {}",
                    solver.algorithm(),
                    known.join(", ")
                )
            });
        }
    }
    Ok(s)
}
