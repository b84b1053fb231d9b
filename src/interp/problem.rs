//! Objectives as the interpreter holds them: one enum over the native
//! domains, so that evaluation dispatches once per pipeline and then runs
//! code monomorphized over the concrete domain.

use crate::domains::connect4::Connect4;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::expr::{Expr, ExprProblem, InstanceDist, ThetaSpec};
use crate::domains::functions::TestFunction;
use crate::domains::game::Game;
use crate::domains::gaussian_vi::{GaussianVi, GaussianViParams};
use crate::domains::gridworld::GridWorld;
use crate::domains::pendulum::{Pendulum, PendulumParams};
use crate::domains::tictactoe::TicTacToe;
use crate::ir::signature::Domains;

/// An objective written in the language, kept with what built it so that
/// `shift` can rebuild it with another instance distribution.
#[derive(Clone, Debug)]
pub struct UserObjective {
    pub problem: ExprProblem,
    pub expr: Expr,
    pub theta: ThetaSpec,
    pub x: Option<InstanceDist>,
    pub maximize: bool,
}

#[derive(Clone, Debug)]
pub enum Objective {
    TicTacToe(TicTacToe),
    Connect4(Connect4),
    Gridworld(GridWorld),
    Function(TestFunction),
    User(Box<UserObjective>),
    GaussianVi(GaussianVi),
    Pendulum(Pendulum),
}

/// What `shift(objective, …)` may change; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct Shift {
    pub opening_moves: Option<usize>,
    pub size: Option<usize>,
    pub walls: Option<f64>,
    pub scale: Option<f64>,
    pub amount: Option<f64>,
}

impl Objective {
    pub fn domains(&self) -> Domains {
        match self {
            Objective::TicTacToe(_) | Objective::Connect4(_) => Domains::GAME,
            Objective::Gridworld(_) => Domains::MDP,
            Objective::Function(_) | Objective::User(_) | Objective::GaussianVi(_) => {
                Domains::CONTINUOUS
            }
            Objective::Pendulum(_) => Domains::CONTROL,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Objective::TicTacToe(g) => g.name(),
            Objective::Connect4(g) => g.name(),
            Objective::Gridworld(g) => g.name(),
            Objective::Function(f) => f.name(),
            Objective::User(u) => u.problem.name(),
            Objective::GaussianVi(g) => g.name(),
            Objective::Pendulum(p) => {
                let d = PendulumParams::default();
                if p.params.mass == d.mass && p.params.init_speed == d.init_speed {
                    "pendulum".to_string()
                } else {
                    format!(
                        "pendulum(mass={}, init_speed={})",
                        p.params.mass, p.params.init_speed
                    )
                }
            }
        }
    }

    /// The objective as a continuous problem, where it is one.
    pub fn continuous(&self) -> Option<&dyn ContinuousProblem> {
        match self {
            Objective::Function(f) => Some(f),
            Objective::User(u) => Some(&u.problem),
            Objective::GaussianVi(g) => Some(g),
            _ => None,
        }
    }

    /// The same objective with a changed instance distribution, for
    /// out-of-distribution evaluation. Knobs that do not apply are errors.
    pub fn shift(&self, s: &Shift) -> Result<Objective, String> {
        let given: Vec<&str> = [
            ("opening_moves", s.opening_moves.is_some()),
            ("size", s.size.is_some()),
            ("walls", s.walls.is_some()),
            ("scale", s.scale.is_some()),
            ("amount", s.amount.is_some()),
        ]
        .iter()
        .filter(|(_, g)| *g)
        .map(|(n, _)| *n)
        .collect();
        let allowed: &[&str] = match self {
            Objective::TicTacToe(_) | Objective::Connect4(_) => &["opening_moves"],
            Objective::Gridworld(_) => &["size", "walls"],
            Objective::Function(_) | Objective::User(_) | Objective::GaussianVi(_) => &["scale"],
            Objective::Pendulum(_) => &["amount"],
        };
        if given.is_empty() {
            return Err(format!(
                "`shift` needs something to change: {} can shift {}",
                self.name(),
                list(allowed)
            ));
        }
        if let Some(bad) = given.iter().find(|g| !allowed.contains(g)) {
            return Err(format!(
                "{} cannot be shifted by `{bad}`; it can shift {}",
                self.name(),
                list(allowed)
            ));
        }
        Ok(match self {
            Objective::TicTacToe(g) => Objective::TicTacToe(g.shift(s.opening_moves.unwrap_or(0))?),
            Objective::Connect4(g) => Objective::Connect4(g.shift(s.opening_moves.unwrap_or(0))?),
            Objective::Gridworld(g) => {
                let p = g.params();
                Objective::Gridworld(g.shift(s.size.unwrap_or(p.size), s.walls.unwrap_or(p.walls))?)
            }
            Objective::Function(f) => {
                Objective::Function(f.clone().with_scale(s.scale.unwrap_or(1.0))?)
            }
            Objective::GaussianVi(g) => Objective::GaussianVi(GaussianVi::new(GaussianViParams {
                scale: s.scale.unwrap_or(1.0),
                ..g.params.clone()
            })?),
            Objective::User(u) => {
                let scale = s.scale.unwrap_or(1.0);
                let x = match &u.x {
                    None => {
                        return Err("this objective has no instances (`x`) to shift".to_string())
                    }
                    Some(InstanceDist::Normal { mean, std, dim }) => InstanceDist::Normal {
                        mean: *mean,
                        std: std * scale,
                        dim: *dim,
                    },
                    Some(InstanceDist::Uniform { lo, hi, dim }) => {
                        let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0 * scale);
                        InstanceDist::Uniform {
                            lo: mid - half,
                            hi: mid + half,
                            dim: *dim,
                        }
                    }
                };
                let problem = if u.maximize {
                    ExprProblem::maximize(u.expr.clone(), u.theta.clone(), Some(x.clone()))?
                } else {
                    ExprProblem::minimize(u.expr.clone(), u.theta.clone(), Some(x.clone()))?
                };
                Objective::User(Box::new(UserObjective {
                    problem,
                    x: Some(x),
                    ..(**u).clone()
                }))
            }
            Objective::Pendulum(_) => {
                Objective::Pendulum(Pendulum::shifted(s.amount.unwrap_or(0.0))?)
            }
        })
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
