//! Signatures of builtins and algorithms, as the checker needs them.
//!
//! The registry that binds names to native code lives in `interp/`; the
//! checker only needs to look signatures up, through [`SignatureLookup`], so
//! `ir/` never imports `interp/`.

use super::kind::Kind;
use std::fmt;

/// A constant known before the run: a literal, a param, a default.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Num(f64),
    Bool(bool),
    Str(String),
    List(Vec<Const>),
    Algorithm(String),
    /// "Not given": only as a default, for optional parameters without a
    /// natural value (`depth` of a search: unlimited).
    None,
}

impl Const {
    pub fn kind(&self) -> Kind {
        match self {
            Const::Int(_) => Kind::Int,
            Const::Num(_) => Kind::Num,
            Const::Bool(_) => Kind::Bool,
            Const::Str(_) => Kind::Str,
            Const::Algorithm(_) => Kind::Algorithm,
            Const::None => Kind::Any,
            Const::List(items) => Kind::list(
                items
                    .iter()
                    .map(Const::kind)
                    .try_fold(None::<Kind>, |acc, k| match acc {
                        None => Some(Some(k)),
                        Some(a) => a.join(&k).map(Some),
                    })
                    .flatten()
                    .unwrap_or(Kind::Any),
            ),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Const::Int(i) => Some(*i as f64),
            Const::Num(x) => Some(*x),
            _ => None,
        }
    }
}

impl fmt::Display for Const {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Int(i) => write!(f, "{i}"),
            Const::Num(x) => write!(f, "{}", format_num(*x)),
            Const::Bool(b) => write!(f, "{b}"),
            Const::Str(s) => write!(f, "{s:?}"),
            Const::Algorithm(a) => write!(f, "{a}"),
            Const::None => write!(f, "none"),
            Const::List(items) => {
                write!(f, "[")?;
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{c}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// A number as the language writes it: integral values keep a `.0` so that
/// they read back as `Num`, not `Int`.
pub fn format_num(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// An inclusive range a numeric argument must lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub lo: f64,
    pub hi: f64,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, true) => write!(f, "{} to {}", self.lo, self.hi),
            (true, false) => write!(f, "≥ {}", self.lo),
            (false, true) => write!(f, "≤ {}", self.hi),
            (false, false) => write!(f, "any"),
        }
    }
}

/// One parameter: positional-or-named unless `named_only`.
#[derive(Clone, Debug)]
pub struct ParamSig {
    pub name: &'static str,
    pub kind: Kind,
    /// `None`: required.
    pub default: Option<Const>,
    pub range: Option<Range>,
    pub named_only: bool,
    pub doc: &'static str,
    /// For strings: the values allowed (checked when the argument is a constant).
    pub choices: &'static [&'static str],
}

/// How the result kind follows from the argument kinds.
#[derive(Clone, Copy, Debug)]
pub enum ResultRule {
    Fixed(KindConst),
    /// `Vector` if argument `i` is a `Vector`, else `Num` (elementwise math).
    Elementwise(usize),
    /// The element kind of the list in argument `i`.
    ElementOf(usize),
    /// The kind of argument `i` itself.
    SameAs(usize),
}

/// A `Kind` that can live in a `const` table (no boxes): what builtins return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindConst {
    Num,
    Int,
    Bool,
    Str,
    Objective,
    Dataset,
    Model,
    Solver,
    Report,
    Plot,
    Vector,
    Space,
    Distribution,
    Record,
    ListNum,
    ListInt,
    Any,
}

impl KindConst {
    pub fn kind(self) -> Kind {
        match self {
            KindConst::Num => Kind::Num,
            KindConst::Int => Kind::Int,
            KindConst::Bool => Kind::Bool,
            KindConst::Str => Kind::Str,
            KindConst::Objective => Kind::Objective,
            KindConst::Dataset => Kind::Dataset,
            KindConst::Model => Kind::Model,
            KindConst::Solver => Kind::Solver,
            KindConst::Report => Kind::Report,
            KindConst::Plot => Kind::Plot,
            KindConst::Vector => Kind::Vector,
            KindConst::Space => Kind::Space,
            KindConst::Distribution => Kind::Distribution,
            KindConst::Record => Kind::Record,
            KindConst::ListNum => Kind::list(Kind::Num),
            KindConst::ListInt => Kind::list(Kind::Int),
            KindConst::Any => Kind::Any,
        }
    }
}

/// The families of problems an objective belongs to, or a solver can
/// solve: the native library's [`Families`](crate::compose::Families), so
/// that the checker can reject `plan(mcts)` on a continuous objective
/// before anything runs.
pub use crate::compose::Families;

/// How a call's result gets its [`Families`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FamilyRule {
    None,
    Fixed(Families),
    /// The families of argument `i` (`shift(obj, …)`, `init(prior, planner)`).
    Arg(usize),
    /// The families of the algorithm in argument `i` (`plan(mcts, …)`).
    Algorithm(usize),
    /// The families of the first of these arguments that has any
    /// (`amortize(net, data=…)` or `amortize(net, on=…)`).
    FirstArg(&'static [usize]),
}

/// A builtin function's signature.
#[derive(Clone, Debug)]
pub struct Signature {
    pub name: &'static str,
    /// Section of the reference it is listed under.
    pub group: &'static str,
    pub doc: &'static str,
    pub params: Vec<ParamSig>,
    pub result: ResultRule,
    /// `Some(i)`: argument `i` is an algorithm whose own parameters are the
    /// call's further named arguments (`plan(mcts, sims=400)`).
    pub algorithm_params: Option<usize>,
    /// Whether the builtin draws random numbers (its node then gets a seed).
    pub random: bool,
    /// Names bound while lowering the first argument, as `Vector` symbols:
    /// `minimize(sum((theta - x) ^ 2), …)` binds `theta` and `x`. Such an
    /// argument is an objective expression, compiled to its tape (`ir::tape`).
    pub binds: &'static [&'static str],
    /// The families of the result (objectives and solvers).
    pub families: FamilyRule,
    /// `(solver argument, objective argument)` pairs whose families must
    /// meet: `evaluate(plan(mcts), on=sphere(4))` is an error.
    pub fits: &'static [(usize, usize)],
    /// Further named arguments of this kind are accepted (see
    /// `SigBuilder::rest_named`), with the index of the solver argument
    /// whose algorithm they configure.
    pub rest_named: Option<(Kind, usize)>,
    /// A short example for the reference and `:help`.
    pub example: &'static str,
}

impl Signature {
    pub fn param(&self, name: &str) -> Option<(usize, &ParamSig)> {
        self.params.iter().enumerate().find(|(_, p)| p.name == name)
    }

    /// `plan(alg, sims=400, …)`: the one-line form used in hints and `:help`.
    pub fn usage(&self) -> String {
        let ps: Vec<String> = self.params.iter().map(param_usage).collect();
        format!("{}({})", self.name, ps.join(", "))
    }
}

pub fn param_usage(p: &ParamSig) -> String {
    match &p.default {
        Some(d) => format!("{}={}", p.name, d),
        None if p.named_only => format!("{}=…", p.name),
        None => p.name.to_string(),
    }
}

/// An algorithm constant (`mcts`, `cem`, …) and the parameters `plan` accepts with it.
#[derive(Clone, Debug)]
pub struct AlgorithmSig {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: Vec<ParamSig>,
    /// What the algorithm can solve.
    pub families: Families,
    /// The warm starts it takes, in words (`"a prior over actions (init)"`).
    pub warm_starts: Vec<&'static str>,
}

impl AlgorithmSig {
    pub fn usage(&self) -> String {
        let ps: Vec<String> = self.params.iter().map(param_usage).collect();
        if ps.is_empty() {
            format!("plan({})", self.name)
        } else {
            format!("plan({}, {})", self.name, ps.join(", "))
        }
    }
}

/// What the checker needs from the registry.
pub trait SignatureLookup {
    fn builtin(&self, name: &str) -> Option<&Signature>;
    fn algorithm(&self, name: &str) -> Option<&AlgorithmSig>;
    fn builtin_names(&self) -> Vec<&'static str>;
    fn algorithm_names(&self) -> Vec<&'static str>;
}
