//! Kinds: the static types of Optimist values.
//!
//! `Int` is usable wherever `Num` is, and `Any` (the kind of a def parameter
//! before expansion, or of a field read from a record) is compatible with
//! everything, so checking is strict where the kinds are known and never
//! rejects a program for what it cannot know.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Num,
    Int,
    Bool,
    Str,
    List(Box<Kind>),
    /// A builtin algorithm constant: `mcts`, `cem`, …
    Algorithm,
    /// A family of problem instances with a solution space and a score.
    Objective,
    Dataset,
    /// An untrained architecture.
    Model,
    /// Anything that answers an instance: direct, amortized or composed.
    Solver,
    Report,
    Plot,
    /// A vector of numbers inside an objective expression (`theta`, `x`).
    Vector,
    /// A decision space (`vec(8, lo=-5, hi=5)`).
    Space,
    /// An instance distribution (`normal(0, 1, dim=8)`).
    Distribution,
    /// A record with named fields (`r.score`).
    Record,
    /// A parameter kind only: `Num` or `Vector` (elementwise math).
    Numeric,
    /// A parameter kind only: a list of numbers, or a `Vector` (reductions).
    Numbers,
    /// A parameter kind only: one value of the kind, or a list of them.
    OneOrMore(Box<Kind>),
    /// A parameter kind only: any of these kinds.
    Either(Vec<Kind>),
    /// Unknown here; checked when the value exists.
    Any,
}

impl Kind {
    pub fn list(of: Kind) -> Kind {
        Kind::List(Box::new(of))
    }

    /// Whether a value of kind `self` may be passed where `expected` is wanted.
    pub fn fits(&self, expected: &Kind) -> bool {
        match (self, expected) {
            (Kind::Any, _) | (_, Kind::Any) => true,
            (Kind::Int, Kind::Num) => true,
            (Kind::Int | Kind::Num | Kind::Vector, Kind::Numeric) => true,
            (Kind::Vector, Kind::Numbers) => true,
            (k, Kind::OneOrMore(inner)) => k.fits(inner) || k.fits(&Kind::List(inner.clone())),
            (k, Kind::Either(options)) => options.iter().any(|o| k.fits(o)),
            (Kind::List(e), Kind::Numbers) => e.fits(&Kind::Num),
            (Kind::List(a), Kind::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }

    /// Whether arithmetic applies (numbers, and vectors inside objectives).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Kind::Num | Kind::Int | Kind::Vector | Kind::Any)
    }

    /// The least kind both fit, for list elements and arithmetic results.
    pub fn join(&self, other: &Kind) -> Option<Kind> {
        if self.fits(other) && !matches!(self, Kind::Any) {
            return Some(if matches!(other, Kind::Any) {
                self.clone()
            } else {
                other.clone()
            });
        }
        if other.fits(self) {
            return Some(self.clone());
        }
        None
    }
}

impl Kind {
    /// The kind's name as messages print it: `Int`, `List[Solver]`.
    pub fn name(&self) -> String {
        if let Some(name) = self.leaf_name() {
            return name.to_string();
        }
        match self {
            Kind::List(k) => format!("List[{}]", k.name()),
            Kind::OneOrMore(k) => format!("{0} or List[{0}]", k.name()),
            Kind::Either(options) => options
                .iter()
                .map(Kind::name)
                .collect::<Vec<_>>()
                .join(" or "),
            other => format!("{other:?}"),
        }
    }
}

impl Kind {
    /// The name of a kind that holds no other kind (no allocation: the IR
    /// hashes a kind's name for every node).
    pub fn leaf_name(&self) -> Option<&'static str> {
        Some(match self {
            Kind::Num => "Num",
            Kind::Int => "Int",
            Kind::Bool => "Bool",
            Kind::Str => "Str",
            Kind::Algorithm => "Algorithm",
            Kind::Objective => "Objective",
            Kind::Dataset => "Dataset",
            Kind::Model => "Model",
            Kind::Solver => "Solver",
            Kind::Report => "Report",
            Kind::Plot => "Plot",
            Kind::Vector => "Vector",
            Kind::Space => "Space",
            Kind::Distribution => "Distribution",
            Kind::Record => "Record",
            Kind::Numeric => "Numeric",
            Kind::Numbers => "Numbers",
            Kind::Any => "Any",
            Kind::List(_) | Kind::OneOrMore(_) | Kind::Either(_) => return None,
        })
    }
}

impl fmt::Display for Kind {
    /// `{}` prints the kind (`Int`); `{:#}` with its article (`an Int`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        if f.alternate() {
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            write!(f, "{article} {name}")
        } else {
            f.write_str(&name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_fits_num_but_not_back() {
        assert!(Kind::Int.fits(&Kind::Num));
        assert!(!Kind::Num.fits(&Kind::Int));
        assert!(Kind::list(Kind::Int).fits(&Kind::list(Kind::Num)));
        assert_eq!(Kind::Int.join(&Kind::Num), Some(Kind::Num));
        assert_eq!(Kind::Num.join(&Kind::Int), Some(Kind::Num));
        assert_eq!(Kind::Str.join(&Kind::Num), None);
        assert_eq!(Kind::list(Kind::Solver).to_string(), "List[Solver]");
        for k in [Kind::Num, Kind::Distribution, Kind::Any, Kind::Numbers] {
            assert_eq!(k.leaf_name().map(str::to_string), Some(format!("{k:?}")));
        }
    }
}
