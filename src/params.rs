//! Parameters of problems and algorithms, as the native library declares
//! and reads them: a schema ([`ParamSpec`]) per parameter and a set of
//! values ([`Params`]) built against it.
//!
//! Descriptors (`problem::ProblemDescriptor`, `compose::AlgorithmDescriptor`)
//! declare their parameters with these types, so the library can be driven
//! from Rust alone; the language turns each spec into a checked signature
//! and each call's arguments into `Params`.

use std::fmt;

/// What kind of value a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Int,
    Num,
    Bool,
    Str,
    /// A list of whole numbers (`hidden=[64, 64]`).
    IntList,
}

/// A parameter's value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Num(f64),
    Bool(bool),
    Str(String),
    List(Vec<ParamValue>),
    /// Not given, for optional parameters without a natural default
    /// (`depth` of a search: unlimited).
    None,
}

impl ParamValue {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Num(x) => Some(*x),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ParamValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Num(x) => write!(f, "{x}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Str(s) => write!(f, "{s:?}"),
            ParamValue::None => write!(f, "none"),
            ParamValue::List(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// One declared parameter: its name, kind, default, allowed range and a
/// one-line doc.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    /// `ParamValue::None` for "not given".
    pub default: ParamValue,
    /// Inclusive bounds of a numeric value (of each entry of a list).
    pub range: Option<(f64, f64)>,
    /// Whether a call must name it (`opening_moves=2`), not pass it by position.
    pub named_only: bool,
    /// For strings: the values allowed.
    pub choices: &'static [&'static str],
    pub doc: &'static str,
}

impl ParamSpec {
    /// An optional parameter, positional or named.
    pub fn new(
        name: &'static str,
        kind: ParamKind,
        default: ParamValue,
        doc: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            kind,
            default,
            range: None,
            named_only: false,
            choices: &[],
            doc,
        }
    }

    pub fn int(name: &'static str, default: i64, doc: &'static str) -> Self {
        ParamSpec::new(name, ParamKind::Int, ParamValue::Int(default), doc)
    }

    pub fn num(name: &'static str, default: f64, doc: &'static str) -> Self {
        ParamSpec::new(name, ParamKind::Num, ParamValue::Num(default), doc)
    }

    pub fn boolean(name: &'static str, default: bool, doc: &'static str) -> Self {
        ParamSpec::new(name, ParamKind::Bool, ParamValue::Bool(default), doc)
    }

    /// A parameter of `kind` whose default is "not given".
    pub fn optional(name: &'static str, kind: ParamKind, doc: &'static str) -> Self {
        ParamSpec::new(name, kind, ParamValue::None, doc)
    }

    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    pub fn named(mut self) -> Self {
        self.named_only = true;
        self
    }

    /// Whether `value` is of the right kind and within range (`None` is
    /// always allowed: it means "not given").
    pub fn admits(&self, value: &ParamValue) -> bool {
        let in_range = |x: f64| self.range.is_none_or(|(lo, hi)| x >= lo && x <= hi);
        match (self.kind, value) {
            (_, ParamValue::None) => true,
            (ParamKind::Int, ParamValue::Int(i)) => in_range(*i as f64),
            (ParamKind::Num, v) => v.as_f64().is_some_and(in_range),
            (ParamKind::Bool, ParamValue::Bool(_)) => true,
            (ParamKind::Str, ParamValue::Str(s)) => {
                self.choices.is_empty() || self.choices.contains(&s.as_str())
            }
            (ParamKind::IntList, ParamValue::List(items)) => items
                .iter()
                .all(|v| matches!(v, ParamValue::Int(i) if in_range(*i as f64))),
            _ => false,
        }
    }
}

/// A parameter that is missing, of the wrong kind or out of range.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamError {
    /// The descriptor declares no parameter of this name.
    Unknown {
        owner: String,
        name: String,
        known: Vec<&'static str>,
    },
    /// The value does not fit the declaration.
    Invalid {
        owner: String,
        name: String,
        value: ParamValue,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown { owner, name, known } if known.is_empty() => {
                write!(f, "`{owner}` has no parameter `{name}`")
            }
            ParamError::Unknown { owner, name, known } => write!(
                f,
                "`{owner}` has no parameter `{name}`; it has {}",
                known.join(", ")
            ),
            ParamError::Invalid { owner, name, value } => {
                write!(f, "`{name}` of `{owner}` cannot be {value}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// Values for a list of [`ParamSpec`]s: every declared parameter has one
/// (its default unless given), in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    owner: &'static str,
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    /// The defaults of `specs`, for `owner` (named in messages).
    pub fn defaults(owner: &'static str, specs: &[ParamSpec]) -> Params {
        Params {
            owner,
            values: specs.iter().map(|s| (s.name, s.default.clone())).collect(),
        }
    }

    /// The defaults of `specs` with `given` values put in, each checked
    /// against its spec.
    pub fn build<'v>(
        owner: &'static str,
        specs: &[ParamSpec],
        given: impl IntoIterator<Item = (&'v str, ParamValue)>,
    ) -> Result<Params, ParamError> {
        let mut params = Params::defaults(owner, specs);
        for (name, value) in given {
            params.set(specs, name, value)?;
        }
        Ok(params)
    }

    /// Sets one parameter, checked against its spec.
    pub fn set(
        &mut self,
        specs: &[ParamSpec],
        name: &str,
        value: ParamValue,
    ) -> Result<(), ParamError> {
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            return Err(ParamError::Unknown {
                owner: self.owner.to_string(),
                name: name.to_string(),
                known: specs.iter().map(|s| s.name).collect(),
            });
        };
        // Whole numbers are numbers too.
        let value = match (spec.kind, value) {
            (ParamKind::Num, ParamValue::Int(i)) => ParamValue::Num(i as f64),
            (_, v) => v,
        };
        if !spec.admits(&value) {
            return Err(ParamError::Invalid {
                owner: self.owner.to_string(),
                name: name.to_string(),
                value,
            });
        }
        if let Some(slot) = self.values.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
        Ok(())
    }

    pub fn owner(&self) -> &'static str {
        self.owner
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }

    pub fn get(&self, name: &str) -> &ParamValue {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&ParamValue::None, |(_, v)| v)
    }

    /// Whether the parameter was given (or has a default).
    pub fn is_set(&self, name: &str) -> bool {
        !matches!(self.get(name), ParamValue::None)
    }

    pub fn opt_int(&self, name: &str) -> Option<i64> {
        self.get(name).as_i64()
    }

    pub fn opt_num(&self, name: &str) -> Option<f64> {
        self.get(name).as_f64()
    }

    /// A whole number the spec guarantees (0 when it is not given).
    pub fn int(&self, name: &str) -> i64 {
        self.opt_int(name).unwrap_or(0)
    }

    /// A count the spec guarantees to be non-negative.
    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or(0)
    }

    pub fn opt_usize(&self, name: &str) -> Option<usize> {
        self.opt_int(name).and_then(|i| usize::try_from(i).ok())
    }

    /// A number the spec guarantees (NaN when it is not given).
    pub fn num(&self, name: &str) -> f64 {
        self.opt_num(name).unwrap_or(f64::NAN)
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), ParamValue::Bool(true))
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            ParamValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("sims", 400, "simulations").range(1.0, 1e9),
            ParamSpec::num("c", 1.4, "exploration").range(0.0, 100.0),
            ParamSpec::optional("depth", ParamKind::Int, "depth"),
            ParamSpec::boolean("reuse", true, "reuse"),
        ]
    }

    #[test]
    fn defaults_are_filled_in_and_given_values_checked() {
        let p = Params::build(
            "mcts",
            &specs(),
            [("sims", ParamValue::Int(64)), ("c", ParamValue::Int(2))],
        )
        .unwrap();
        assert_eq!(p.usize("sims"), 64);
        assert_eq!(p.num("c"), 2.0);
        assert_eq!(p.opt_int("depth"), None);
        assert!(p.bool("reuse"));
        let bad = Params::build("mcts", &specs(), [("sims", ParamValue::Int(0))]);
        assert!(matches!(bad, Err(ParamError::Invalid { .. })));
        let unknown = Params::build("mcts", &specs(), [("sigma", ParamValue::Num(1.0))]);
        assert_eq!(
            unknown.unwrap_err().to_string(),
            "`mcts` has no parameter `sigma`; it has sims, c, depth, reuse"
        );
    }
}
