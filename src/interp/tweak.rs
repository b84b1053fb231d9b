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
    let known: &[&str] = match &mut s {
        Solver::Mcts(p) => match name {
            "sims" => {
                p.sims = count()? as u32;
                return Ok(s);
            }
            "c" => {
                p.c = num()? as f32;
                return Ok(s);
            }
            "depth" => {
                p.depth = Some(count()? as u32);
                return Ok(s);
            }
            "rollouts" => {
                p.rollouts = count()? as u32;
                return Ok(s);
            }
            _ => &["sims", "c", "depth", "rollouts"],
        },
        Solver::Minimax(p) => match name {
            "depth" => {
                p.depth = Some(count()? as u32);
                return Ok(s);
            }
            _ => &["depth"],
        },
        Solver::Cem { params, horizon } => match name {
            "samples" => {
                params.samples = count()?;
                return Ok(s);
            }
            "elites" => {
                params.elites = count()?;
                return Ok(s);
            }
            "iters" => {
                params.iters = count()?;
                return Ok(s);
            }
            "horizon" => {
                *horizon = count()?;
                return Ok(s);
            }
            _ => &["samples", "elites", "iters", "horizon"],
        },
        Solver::RandomShooting { params, horizon } => match name {
            "samples" => {
                params.samples = count()?;
                return Ok(s);
            }
            "horizon" => {
                *horizon = count()?;
                return Ok(s);
            }
            _ => &["samples", "horizon"],
        },
        Solver::Cmaes(p) => match name {
            "max_evals" => {
                p.max_evals = count()?;
                return Ok(s);
            }
            "popsize" => {
                p.popsize = Some(count()?);
                return Ok(s);
            }
            _ => &["max_evals", "popsize"],
        },
        Solver::Gd(p) => match name {
            "steps" => {
                p.steps = count()?;
                return Ok(s);
            }
            "lr" => {
                p.lr = num()?;
                return Ok(s);
            }
            _ => &["steps", "lr"],
        },
        Solver::Adam(p) => match name {
            "steps" => {
                p.steps = count()?;
                return Ok(s);
            }
            "lr" => {
                p.lr = num()?;
                return Ok(s);
            }
            _ => &["steps", "lr"],
        },
        Solver::RandomSearch(p) => match name {
            "samples" => {
                p.samples = count()?;
                return Ok(s);
            }
            _ => &["samples"],
        },
        Solver::BestOf { n, .. } => match name {
            "n" => {
                *n = count()?;
                return Ok(s);
            }
            _ => &["n"],
        },
        _ => &[],
    };
    Err(if known.is_empty() {
        format!("`{}` has no parameter to sweep", solver.algorithm())
    } else {
        format!(
            "`{}` has no parameter `{name}` to sweep; it has {}",
            solver.algorithm(),
            known.join(", ")
        )
    })
}
