//! Problems as the library composes them: a value that offers one or more
//! capabilities (families), each a trait of `domains/`, and the descriptor
//! that builds one from parameters.
//!
//! A family is a way of being solved: a two-player game, an MDP, a
//! continuous objective, a control problem. A problem answers each
//! capability accessor it offers (`continuous()`, `control()`,
//! `discrete()`) and leaves the others at their default `None`, so a new
//! family is one more accessor with a default, not an edit of every
//! problem or algorithm.

use std::fmt;
use std::sync::Arc;

use super::discrete::DiscreteProblem;
use super::solver::NativeError;
use crate::domains::continuous::ContinuousProblem;
use crate::domains::control::ControlProblem;
use crate::params::{ParamError, ParamSpec, Params};

/// A set of problem families: what a problem is, or what a solver solves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Families(pub u8);

impl Families {
    pub const NONE: Families = Families(0);
    /// Two-player zero-sum games of perfect information.
    pub const GAME: Families = Families(1);
    /// Discrete single-agent MDPs.
    pub const MDP: Families = Families(2);
    /// Continuous minimization over a box.
    pub const CONTINUOUS: Families = Families(4);
    /// Continuous control (closed-loop episodes).
    pub const CONTROL: Families = Families(8);
    pub const DISCRETE: Families = Families(1 | 2);
    pub const ALL: Families = Families(15);

    /// Every family with its plural name and its article form, in order.
    const NAMES: [(Families, &'static str, &'static str); 4] = [
        (Families::GAME, "games", "a game"),
        (Families::MDP, "MDPs", "an MDP"),
        (
            Families::CONTINUOUS,
            "continuous objectives",
            "a continuous objective",
        ),
        (Families::CONTROL, "control problems", "a control problem"),
    ];

    pub const fn union(self, o: Families) -> Families {
        Families(self.0 | o.0)
    }

    pub fn intersects(self, o: Families) -> bool {
        self.0 & o.0 != 0
    }

    pub fn intersect(self, o: Families) -> Families {
        Families(self.0 & o.0)
    }

    /// "games and MDPs", for messages.
    pub fn describe(self) -> String {
        let names: Vec<&str> = Families::NAMES
            .iter()
            .filter(|(f, _, _)| self.intersects(*f))
            .map(|(_, n, _)| *n)
            .collect();
        match names.as_slice() {
            [] => "nothing".to_string(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    /// "a game", for one problem's family.
    pub fn article(self) -> &'static str {
        Families::NAMES
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or("a problem", |(_, _, a)| a)
    }
}

/// A problem: a family of instances that solvers answer and evaluations
/// sample (see the module docs).
pub trait Problem: Send + Sync + fmt::Debug {
    /// A short name for reports, e.g. `connect4(6x7)`.
    fn name(&self) -> String;
    /// The families it belongs to.
    fn families(&self) -> Families;
    /// The problem as a continuous objective over a box.
    fn continuous(&self) -> Option<&dyn ContinuousProblem> {
        None
    }
    /// The problem as a continuous control problem.
    fn control(&self) -> Option<&dyn ControlProblem> {
        None
    }
    /// The problem as a discrete game or MDP.
    fn discrete(&self) -> Option<&dyn DiscreteProblem> {
        None
    }
    /// The parameters `shift` may change (none by default).
    fn shift_params(&self) -> &[&'static str] {
        &[]
    }
    /// The same problem with another instance distribution; `by` holds only
    /// parameters from [`Problem::shift_params`] (see [`shift`]).
    fn shifted(&self, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
        let _ = by;
        Err(ProblemError::NothingToShift {
            problem: self.name(),
            allowed: Vec::new(),
        })
    }
}

/// How a problem is built from parameters, as `tictactoe(opening_moves=2)`
/// is: its name, documentation, parameters, the parameters `shift` may
/// change, its families, and its constructor.
#[derive(Clone)]
pub struct ProblemDescriptor {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: Vec<ParamSpec>,
    /// What `shift` may change in the problems this builds.
    pub shift: Vec<ParamSpec>,
    pub families: Families,
    pub example: &'static str,
    pub build: fn(&Params) -> Result<Arc<dyn Problem>, ProblemError>,
}

impl fmt::Debug for ProblemDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProblemDescriptor({})", self.name)
    }
}

impl ProblemDescriptor {
    /// Builds the problem with the given parameters (the others at their
    /// defaults).
    pub fn build<'v>(
        &self,
        given: impl IntoIterator<Item = (&'v str, crate::params::ParamValue)>,
    ) -> Result<Arc<dyn Problem>, ProblemError> {
        let params = Params::build(self.name, &self.params, given)?;
        (self.build)(&params)
    }
}

/// Why a problem could not be built or shifted.
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemError {
    /// A parameter is unknown or out of range.
    Param(ParamError),
    /// The native constructor refused the parameters (its error, kept
    /// whole).
    Invalid(NativeError),
    /// `shift` was given nothing to change.
    NothingToShift {
        problem: String,
        allowed: Vec<&'static str>,
    },
    /// `shift` was asked to change what this problem has not.
    CannotShiftBy {
        problem: String,
        knob: &'static str,
        allowed: Vec<&'static str>,
    },
    /// An objective without instances cannot be shifted.
    NoInstances,
}

impl ProblemError {
    /// Wraps the error of a native problem constructor.
    pub fn invalid(e: impl std::error::Error + Send + Sync + 'static) -> ProblemError {
        ProblemError::Invalid(NativeError(Arc::new(e)))
    }
}

impl From<ParamError> for ProblemError {
    fn from(e: ParamError) -> Self {
        ProblemError::Param(e)
    }
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemError::Param(e) => write!(f, "{e}"),
            ProblemError::Invalid(e) => write!(f, "{}", e.0),
            ProblemError::NothingToShift { problem, allowed } if allowed.is_empty() => {
                write!(
                    f,
                    "`shift` needs something to change: {problem} cannot be shifted"
                )
            }
            ProblemError::NothingToShift { problem, allowed } => write!(
                f,
                "`shift` needs something to change: {problem} can shift {}",
                quoted(allowed)
            ),
            ProblemError::CannotShiftBy {
                problem,
                knob,
                allowed,
            } if allowed.is_empty() => write!(
                f,
                "{problem} cannot be shifted by `{knob}`; it cannot be shifted"
            ),
            ProblemError::CannotShiftBy {
                problem,
                knob,
                allowed,
            } => write!(
                f,
                "{problem} cannot be shifted by `{knob}`; it can shift {}",
                quoted(allowed)
            ),
            ProblemError::NoInstances => {
                write!(f, "this objective has no instances (`x`) to shift")
            }
        }
    }
}

impl std::error::Error for ProblemError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProblemError::Param(e) => Some(e),
            ProblemError::Invalid(e) => Some(&*e.0),
            _ => None,
        }
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `problem` with the parameters set in `by` changed, for
/// out-of-distribution evaluation: parameters the problem cannot shift are
/// errors that say what it can shift.
pub fn shift(problem: &dyn Problem, by: &Params) -> Result<Arc<dyn Problem>, ProblemError> {
    let allowed = problem.shift_params().to_vec();
    let given: Vec<&'static str> = by
        .iter()
        .filter(|(_, v)| !matches!(v, crate::params::ParamValue::None))
        .map(|(n, _)| n)
        .collect();
    if given.is_empty() {
        return Err(ProblemError::NothingToShift {
            problem: problem.name(),
            allowed,
        });
    }
    if let Some(knob) = given.iter().find(|g| !allowed.contains(g)) {
        return Err(ProblemError::CannotShiftBy {
            problem: problem.name(),
            knob,
            allowed,
        });
    }
    problem.shifted(by)
}
