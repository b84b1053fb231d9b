//! The builtin registry: every builtin's signature and native code, in one
//! table. It drives checking (through `ir::SignatureLookup`), error
//! messages, REPL completion, `:help` and the generated reference
//! (`optimist doc`); nothing else lists builtins.
//!
//! Adding a builtin is one registration: a signature built with [`sig`] and
//! the function that evaluates it, added in one of the `builtins/` files.
//! Algorithms and problem constructors are not builtins written here: the
//! registry holds the native [`Catalog`] of their descriptors and derives
//! their signatures from it (`plan`'s algorithms, one builtin per problem,
//! `shift`'s parameters). [`Registry::add_algorithm`] and
//! [`Registry::add_problem`] register more, from outside the crate too.

use super::value::Value;
use crate::compose::catalog::DuplicateName;
use crate::compose::{AlgorithmDescriptor, Catalog, ProblemDescriptor};
use crate::ir::graph::{Ir, NodeId};
use crate::ir::signature::{
    AlgorithmSig, Const, FamilyRule, KindConst, ParamSig, Range, ResultRule, Signature,
    SignatureLookup,
};
use crate::ir::Kind;
use crate::params::{ParamKind, ParamSpec, ParamValue};
use crate::span::Span;
use std::collections::HashMap;

/// A runtime failure, pointing at the expression that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeError {
    pub message: String,
    pub span: Option<Span>,
    pub hints: Vec<String>,
}

impl RuntimeError {
    pub fn new(message: impl Into<String>) -> Self {
        RuntimeError {
            message: message.into(),
            span: None,
            hints: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// Settings every builtin may read.
#[derive(Clone, Debug)]
pub struct RunSettings {
    pub seed: u64,
    /// Seeds each measurement runs under when its call does not say
    /// (`--seeds`): run seeds `seed`, `seed + 1`, … .
    pub seeds: usize,
    pub threads: usize,
    /// Where relative output paths go.
    pub out_dir: Option<std::path::PathBuf>,
    /// The on-disk cache of generated datasets and trained models
    /// (`.optimist/cache` for `optimist run`); `None` turns it off, which
    /// is the default so that library callers and tests never write one.
    pub cache: Option<std::path::PathBuf>,
    /// Progress bars (on a terminal) and one summary line per dataset and
    /// training on stderr; off by default, on for `optimist run` without
    /// `--quiet`.
    pub progress: bool,
    /// Warnings raised while running (a corrupt cache entry, say); the
    /// driver moves them into the run's diagnostics.
    pub warnings: Warnings,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            seed: 0,
            seeds: 1,
            threads: 1,
            out_dir: None,
            cache: None,
            progress: false,
            warnings: Warnings::default(),
        }
    }
}

/// A shared list of runtime warnings: builtins only see the settings by
/// reference, and a warning must not stop the run.
#[derive(Clone, Debug, Default)]
pub struct Warnings(std::sync::Arc<std::sync::Mutex<Vec<RuntimeError>>>);

impl Warnings {
    pub fn push(&self, warning: RuntimeError) {
        if let Ok(mut list) = self.0.lock() {
            list.push(warning);
        }
    }

    /// Removes and returns the warnings raised so far.
    pub fn take(&self) -> Vec<RuntimeError> {
        self.0
            .lock()
            .map(|mut list| std::mem::take(&mut *list))
            .unwrap_or_default()
    }
}

/// What a builtin's native code receives.
/// Why an algorithm cannot be registered.
#[derive(Clone, Debug, PartialEq)]
pub enum RegisterError {
    Duplicate(DuplicateName),
    /// A parameter named like one of `sweep`'s own arguments.
    Reserved {
        algorithm: &'static str,
        param: &'static str,
    },
}

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegisterError::Duplicate(d) => write!(f, "{d}"),
            RegisterError::Reserved { algorithm, param } => write!(
                f,
                "`{algorithm}` has a parameter `{param}`, a name `sweep` keeps for its own arguments ({}); rename it",
                super::builtins::measure::SWEEP_OWN.join(", ")
            ),
        }
    }
}

impl std::error::Error for RegisterError {}

pub struct Call<'a> {
    /// The builtin being called (natives may serve several builtins).
    pub builtin: &'static str,
    /// One value per signature parameter, defaults filled in.
    pub args: Vec<Value>,
    /// The algorithm's own named arguments (`plan(mcts, sims=…)`).
    pub extra: Vec<(String, Value)>,
    /// The span of each argument (a default points at the call).
    pub arg_spans: Vec<Span>,
    pub span: Span,
    /// The call's own node (for its label: `ir.label(node)`).
    pub node: NodeId,
    /// The node's seed, for random builtins.
    pub seed: u64,
    /// The run seed the node's seed derives from: the run's `--seed`, or,
    /// for one seed of a measurement across seeds, that seed.
    pub run_seed: u64,
    pub ir: &'a Ir,
    pub settings: &'a RunSettings,
    /// The registry, for builtins that read the catalog (`plan`, problems).
    pub registry: &'a Registry,
}

impl Call<'_> {
    pub fn num(&self, i: usize) -> Result<f64, RuntimeError> {
        self.args[i].as_f64().ok_or_else(|| {
            RuntimeError::new(format!("expected a number, found {}", self.args[i]))
                .at(self.arg_spans[i])
        })
    }

    pub fn int(&self, i: usize) -> Result<i64, RuntimeError> {
        self.args[i].as_i64().ok_or_else(|| {
            RuntimeError::new(format!("expected a whole number, found {}", self.args[i]))
                .at(self.arg_spans[i])
        })
    }

    pub fn list(&self, i: usize) -> Result<&[Value], RuntimeError> {
        self.args[i].as_list().ok_or_else(|| {
            RuntimeError::new(format!("expected a list, found {}", self.args[i]))
                .at(self.arg_spans[i])
        })
    }

    /// All entries of list argument `i` as numbers.
    pub fn nums(&self, i: usize) -> Result<Vec<f64>, RuntimeError> {
        self.list(i)?
            .iter()
            .map(|v| {
                v.as_f64().ok_or_else(|| {
                    RuntimeError::new(format!("expected numbers, found {v}")).at(self.arg_spans[i])
                })
            })
            .collect()
    }

    pub fn str(&self, i: usize) -> Result<std::sync::Arc<str>, RuntimeError> {
        match &self.args[i] {
            Value::Str(s) => Ok(s.clone()),
            other => Err(
                RuntimeError::new(format!("expected a string, found {other}"))
                    .at(self.arg_spans[i]),
            ),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool, RuntimeError> {
        match &self.args[i] {
            Value::Bool(b) => Ok(*b),
            other => Err(
                RuntimeError::new(format!("expected true or false, found {other}"))
                    .at(self.arg_spans[i]),
            ),
        }
    }

    /// An algorithm argument by name.
    pub fn extra(&self, name: &str) -> Option<&Value> {
        self.extra.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

pub type EvalFn = fn(&mut Call) -> Result<Value, RuntimeError>;

pub struct Builtin {
    pub sig: Signature,
    pub eval: EvalFn,
}

#[derive(Default)]
pub struct Registry {
    builtins: Vec<Builtin>,
    index: HashMap<&'static str, usize>,
    algorithms: Vec<AlgorithmSig>,
    catalog: Catalog,
    /// What `shift` may change: every problem's shift parameters, once each.
    shift_params: Vec<ParamSpec>,
}

impl Registry {
    /// The registry with every builtin of the language and the crate's
    /// algorithms and problems.
    pub fn standard() -> Self {
        let mut r = Registry::default();
        super::builtins::register_all(&mut r, crate::catalog::standard());
        r
    }

    pub fn add(&mut self, sig: SigBuilder, eval: EvalFn) {
        let sig = sig.0;
        assert!(
            !self.index.contains_key(sig.name),
            "builtin `{}` registered twice",
            sig.name
        );
        self.index.insert(sig.name, self.builtins.len());
        self.builtins.push(Builtin { sig, eval });
    }

    /// Registers an algorithm: `plan(NAME, …)` then takes its parameters,
    /// and the checker, `sweep`, the hybrids, `doc`, completion and `:help`
    /// know it.
    pub fn add_algorithm(&mut self, a: AlgorithmDescriptor) -> Result<(), RegisterError> {
        // `sweep(…, seeds=3)` must never be taken for a swept parameter.
        if let Some(p) = a
            .params
            .iter()
            .find(|p| super::builtins::measure::SWEEP_OWN.contains(&p.name))
        {
            return Err(RegisterError::Reserved {
                algorithm: a.name,
                param: p.name,
            });
        }
        let sig = AlgorithmSig {
            name: a.name,
            doc: a.doc,
            // An algorithm's parameters are always named: `plan(mcts, sims=64)`.
            params: a
                .params
                .iter()
                .map(|p| ParamSig {
                    named_only: true,
                    ..param_sig(p)
                })
                .collect(),
            families: a.families,
            warm_starts: a.warm_starts.describe(),
        };
        self.catalog
            .add_algorithm(a)
            .map_err(RegisterError::Duplicate)?;
        self.algorithms.push(sig);
        Ok(())
    }

    /// Registers a problem constructor: a builtin of its name returning an
    /// objective, whose shift parameters `shift` then accepts.
    pub fn add_problem(&mut self, p: ProblemDescriptor) -> Result<(), DuplicateName> {
        if self.index.contains_key(p.name) {
            return Err(DuplicateName(p.name));
        }
        let mut b = sig(p.name, "objectives", p.doc);
        for spec in &p.params {
            b.0.params.push(param_sig(spec));
        }
        let b = b
            .returns(KindConst::Objective)
            .families(FamilyRule::Fixed(p.families))
            .example(p.example);
        for spec in &p.shift {
            if !self.shift_params.iter().any(|s| s.name == spec.name) {
                self.shift_params.push(spec.clone());
                if let Some(&i) = self.index.get("shift") {
                    self.builtins[i].sig.params.push(param_sig(spec));
                }
            }
        }
        self.catalog.add_problem(p)?;
        self.add(b, super::builtins::eval_problem);
        Ok(())
    }

    /// The descriptors of every registered algorithm and problem.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// What `shift` may change, over every registered problem.
    pub fn shift_params(&self) -> &[ParamSpec] {
        &self.shift_params
    }

    pub fn get(&self, name: &str) -> Option<&Builtin> {
        self.index.get(name).map(|i| &self.builtins[*i])
    }

    pub fn builtins(&self) -> impl Iterator<Item = &Builtin> {
        self.builtins.iter()
    }

    pub fn algorithms(&self) -> &[AlgorithmSig] {
        &self.algorithms
    }
}

impl SignatureLookup for Registry {
    fn builtin(&self, name: &str) -> Option<&Signature> {
        self.get(name).map(|b| &b.sig)
    }
    fn algorithm(&self, name: &str) -> Option<&AlgorithmSig> {
        self.algorithms.iter().find(|a| a.name == name)
    }
    fn builtin_names(&self) -> Vec<&'static str> {
        self.builtins.iter().map(|b| b.sig.name).collect()
    }
    fn algorithm_names(&self) -> Vec<&'static str> {
        self.algorithms.iter().map(|a| a.name).collect()
    }
}

/// Starts a signature: `sig("sqrt", "math", "Square root.")`.
pub fn sig(name: &'static str, group: &'static str, doc: &'static str) -> SigBuilder {
    SigBuilder(Signature {
        name,
        group,
        doc,
        params: Vec::new(),
        result: ResultRule::Fixed(KindConst::Any),
        algorithm_params: None,
        random: false,
        binds: &[],
        families: FamilyRule::None,
        fits: &[],
        rest_named: None,
        example: "",
    })
}

fn param(
    name: &'static str,
    kind: Kind,
    default: Option<Const>,
    named_only: bool,
    doc: &'static str,
) -> ParamSig {
    ParamSig {
        name,
        kind,
        default,
        range: None,
        named_only,
        doc,
        choices: &[],
    }
}

/// Builds a [`Signature`] one parameter at a time.
pub struct SigBuilder(pub Signature);

impl SigBuilder {
    /// A required parameter, positional or named.
    pub fn req(mut self, name: &'static str, kind: Kind, doc: &'static str) -> Self {
        self.0.params.push(param(name, kind, None, false, doc));
        self
    }
    /// An optional parameter, positional or named.
    pub fn opt(
        mut self,
        name: &'static str,
        kind: Kind,
        default: Const,
        doc: &'static str,
    ) -> Self {
        self.0
            .params
            .push(param(name, kind, Some(default), false, doc));
        self
    }
    /// An optional parameter that must be named.
    pub fn named(
        mut self,
        name: &'static str,
        kind: Kind,
        default: Const,
        doc: &'static str,
    ) -> Self {
        self.0
            .params
            .push(param(name, kind, Some(default), true, doc));
        self
    }
    /// A required parameter that must be named.
    pub fn named_req(mut self, name: &'static str, kind: Kind, doc: &'static str) -> Self {
        self.0.params.push(param(name, kind, None, true, doc));
        self
    }
    /// Restricts the last (string) parameter to these values.
    pub fn choices(mut self, choices: &'static [&'static str]) -> Self {
        if let Some(p) = self.0.params.last_mut() {
            p.choices = choices;
        }
        self
    }
    /// Restricts the last parameter to `lo..=hi`.
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        if let Some(p) = self.0.params.last_mut() {
            p.range = Some(Range { lo, hi });
        }
        self
    }
    pub fn returns(mut self, kind: KindConst) -> Self {
        self.0.result = ResultRule::Fixed(kind);
        self
    }
    pub fn result(mut self, rule: ResultRule) -> Self {
        self.0.result = rule;
        self
    }
    pub fn algorithm_params(mut self, arg: usize) -> Self {
        self.0.algorithm_params = Some(arg);
        self
    }
    pub fn random(mut self) -> Self {
        self.0.random = true;
        self
    }
    pub fn binds(mut self, names: &'static [&'static str]) -> Self {
        self.0.binds = names;
        self
    }
    pub fn example(mut self, example: &'static str) -> Self {
        self.0.example = example;
        self
    }
    pub fn families(mut self, rule: FamilyRule) -> Self {
        self.0.families = rule;
        self
    }
    /// Accepts any further named argument of kind `kind` (`sweep(s,
    /// sims=[…])`), checked against the algorithm of argument `solver` when
    /// that is a `plan(…)` written out.
    pub fn rest_named(mut self, kind: Kind, solver: usize) -> Self {
        self.0.rest_named = Some((kind, solver));
        self
    }
    pub fn fits(mut self, pairs: &'static [(usize, usize)]) -> Self {
        self.0.fits = pairs;
        self
    }
}

/// The language's signature of a native parameter.
pub fn param_sig(spec: &ParamSpec) -> ParamSig {
    ParamSig {
        name: spec.name,
        kind: match spec.kind {
            ParamKind::Int => Kind::Int,
            ParamKind::Num => Kind::Num,
            ParamKind::Bool => Kind::Bool,
            ParamKind::Str => Kind::Str,
            ParamKind::IntList => Kind::list(Kind::Int),
        },
        default: Some(constant(&spec.default)),
        range: spec.range.map(|(lo, hi)| Range { lo, hi }),
        named_only: spec.named_only,
        doc: spec.doc,
        choices: spec.choices,
    }
}

fn constant(v: &ParamValue) -> Const {
    match v {
        ParamValue::Int(i) => Const::Int(*i),
        ParamValue::Num(x) => Const::Num(*x),
        ParamValue::Bool(b) => Const::Bool(*b),
        ParamValue::Str(s) => Const::Str(s.clone()),
        ParamValue::List(items) => Const::List(items.iter().map(constant).collect()),
        ParamValue::None => Const::None,
    }
}

/// A runtime value as a native parameter value (`None` for what a
/// parameter cannot hold, which its spec then rejects).
pub fn param_value(v: &Value) -> ParamValue {
    match v {
        Value::Int(i) => ParamValue::Int(*i),
        Value::Num(x) => ParamValue::Num(*x),
        Value::Bool(b) => ParamValue::Bool(*b),
        Value::Str(s) => ParamValue::Str(s.to_string()),
        Value::List(items) => ParamValue::List(items.iter().map(param_value).collect()),
        _ => ParamValue::None,
    }
}
