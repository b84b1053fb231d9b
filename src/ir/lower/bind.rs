//! Binding a call's arguments to a parameter list — a builtin's signature,
//! an algorithm's own parameters or a user `def`'s — so that every rule
//! (the piped value, positional arguments, named ones, an argument given
//! twice, an unknown name, a missing argument) and its diagnostic lives once.

use super::{plural, Lowerer};

/// A diagnostic about many arguments labels this many after the first.
pub(super) const MORE_LABELS: usize = 4;
use crate::diagnostics::{suggest, Diagnostic};
use crate::ir::graph::NodeId;
use crate::ir::signature::{AlgorithmSig, ParamSig, Signature};
use crate::span::Span;
use crate::syntax::ast::{Arg, DefParam, Expr, Ident};

/// One parameter of the list being bound.
pub(super) struct Param<'p> {
    name: &'p str,
    /// Must be given by name (`normal(…, dim=8)`, every algorithm parameter).
    named_only: bool,
    has_default: bool,
    /// What it is for (builtins and algorithms): a note when it is missing.
    doc: Option<&'p str>,
    /// Where it is declared (defs): a label when it is missing.
    declared: Option<Span>,
}

impl<'p> Param<'p> {
    fn of_sig(p: &'p ParamSig) -> Self {
        Param {
            name: p.name,
            named_only: p.named_only,
            has_default: p.default.is_some(),
            doc: Some(p.doc),
            declared: None,
        }
    }
}

/// Whose usage line a parameter list quotes.
#[derive(Clone, Copy)]
enum Usage<'p> {
    Builtin(&'p Signature),
    Algorithm(&'p AlgorithmSig),
    Def(&'p Ident, &'p [DefParam]),
}

/// The parameter list a call's arguments are bound to.
pub(super) struct ParamList<'p> {
    /// The name errors give: the builtin, the algorithm or the def.
    owner: &'p str,
    params: Vec<Param<'p>>,
    /// The one-line form errors quote (`round(x, digits=0)`), worded only
    /// when an error needs it.
    usage: Usage<'p>,
    /// A def's name, which its errors point back to ("defined here");
    /// builtins and algorithms have none.
    defined_here: Option<Span>,
    /// Named arguments outside the list go back to the caller instead of
    /// being reported (`plan(mcts, sims=…)`, `sweep(s, sims=[…])`).
    open: bool,
}

impl<'p> ParamList<'p> {
    pub(super) fn builtin(sig: &'p Signature) -> Self {
        ParamList {
            owner: sig.name,
            params: sig.params.iter().map(Param::of_sig).collect(),
            usage: Usage::Builtin(sig),
            defined_here: None,
            open: sig.algorithm_params.is_some() || sig.rest_named.is_some(),
        }
    }

    pub(super) fn algorithm(alg: &'p AlgorithmSig) -> Self {
        ParamList {
            owner: alg.name,
            params: alg.params.iter().map(Param::of_sig).collect(),
            usage: Usage::Algorithm(alg),
            defined_here: None,
            open: false,
        }
    }

    pub(super) fn def(name: &'p Ident, params: &'p [DefParam]) -> Self {
        ParamList {
            owner: &name.name,
            params: params
                .iter()
                .map(|p| Param {
                    name: &p.name.name,
                    named_only: false,
                    has_default: p.default.is_some(),
                    doc: None,
                    declared: Some(p.name.span),
                })
                .collect(),
            usage: Usage::Def(name, params),
            defined_here: Some(name.span),
            open: false,
        }
    }

    fn is_def(&self) -> bool {
        self.defined_here.is_some()
    }

    /// Builtins say "positional argument": their lists mix positional and
    /// named-only parameters. A def's parameters are all positional, so its
    /// messages say "argument".
    fn positional(&self) -> &'static str {
        if self.is_def() {
            ""
        } else {
            "positional "
        }
    }

    fn usage_note(&self) -> String {
        let usage = match self.usage {
            Usage::Builtin(sig) => sig.usage(),
            Usage::Algorithm(alg) => alg.usage(),
            Usage::Def(name, params) => {
                let params = params
                    .iter()
                    .map(|p| match p.default {
                        Some(_) => format!("{}=…", p.name.name),
                        None => p.name.name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{}({params})", name.name)
            }
        };
        format!("usage: {usage}")
    }

    fn with_defined_here(&self, d: Diagnostic) -> Diagnostic {
        match self.defined_here {
            Some(at) => d.with_secondary(at, "defined here"),
            None => d,
        }
    }
}

/// One argument as written: its name if it is named, its value, its span.
pub(super) type ArgRef<'a> = (Option<&'a Ident>, &'a Expr, Span);

pub(super) fn arg_ref(a: &Arg) -> ArgRef<'_> {
    (a.name.as_ref(), &a.value, a.span)
}

/// What binding produced, before defaults are filled in.
pub(super) struct Bound<'a> {
    /// Per parameter: the argument's node and the span of its value.
    pub(super) slots: Vec<Option<(NodeId, Span)>>,
    /// Named arguments an open list does not have, in order.
    pub(super) extra: Vec<(&'a Ident, &'a Expr)>,
    /// Whether an argument was reported or failed to lower.
    pub(super) failed: bool,
}

/// Lowers the argument for parameter `i` from its value.
pub(super) type LowerArg<'l, 'a> =
    &'l mut dyn FnMut(&mut Lowerer<'a>, usize, &'a Expr) -> Option<NodeId>;

/// Lowers the default of parameter `i`.
pub(super) type LowerDefault<'l, 'a> = &'l mut dyn FnMut(&mut Lowerer<'a>, usize) -> Option<NodeId>;

impl<'a> Lowerer<'a> {
    /// Binds a piped value (to the first parameter) and the arguments to
    /// `list`, lowering each with `lower`. `None` when there is no parameter
    /// to pipe into; other mistakes are reported and set `failed`, and
    /// binding goes on so that each is reported.
    pub(super) fn bind_args(
        &mut self,
        list: &ParamList,
        piped: Option<(NodeId, Span)>,
        args: impl IntoIterator<Item = ArgRef<'a>>,
        lower: LowerArg<'_, 'a>,
    ) -> Option<Bound<'a>> {
        let n = list.params.len();
        let mut bound = Bound {
            slots: vec![None; n],
            extra: Vec::new(),
            failed: false,
        };
        let mut next_pos = 0;
        if let Some(p) = piped {
            if n == 0 || list.params[0].named_only {
                let d = Diagnostic::error(
                    "E0219",
                    format!(
                        "`{}` takes no {}argument to pipe into",
                        list.owner,
                        list.positional()
                    ),
                )
                .with_primary(p.1, "piped in here");
                // A def's message has never quoted its usage line.
                let d = if list.is_def() {
                    d
                } else {
                    d.with_note(list.usage_note())
                };
                self.error(d);
                return None;
            }
            bound.slots[0] = Some(p);
            next_pos = 1;
        }
        let mut too_many: Vec<Span> = Vec::new();
        for (name, value, span) in args {
            let slot = match name {
                None => {
                    if next_pos >= n || list.params[next_pos].named_only {
                        // One report per call, however many there are.
                        too_many.push(span);
                        bound.failed = true;
                        continue;
                    }
                    next_pos += 1;
                    next_pos - 1
                }
                Some(name) => match list.params.iter().position(|p| p.name == name.name) {
                    Some(i) if bound.slots[i].is_some() => {
                        self.given_twice(name);
                        bound.failed = true;
                        continue;
                    }
                    Some(i) => i,
                    None if list.open => {
                        bound.extra.push((name, value));
                        continue;
                    }
                    None => {
                        self.unknown_named(list, name);
                        bound.failed = true;
                        continue;
                    }
                },
            };
            let node = lower(self, slot, value);
            bound.failed |= node.is_none();
            bound.slots[slot] = node.map(|x| (x, value.span));
        }
        if let Some((&first, more)) = too_many.split_first() {
            let count = list.params.iter().filter(|p| !p.named_only).count();
            let mut d = Diagnostic::error(
                "E0204",
                format!(
                    "`{}` takes {count} {}argument{}",
                    list.owner,
                    list.positional(),
                    plural(count)
                ),
            )
            .with_primary(first, "one too many");
            for &span in more.iter().take(MORE_LABELS) {
                d = d.with_secondary(span, "another one");
            }
            if more.len() > MORE_LABELS {
                d = d.with_note(format!(
                    "and {} more positional arguments after these",
                    more.len() - MORE_LABELS
                ));
            }
            self.error(list.with_defined_here(d).with_note(list.usage_note()));
        }
        Some(bound)
    }

    /// The argument of every parameter in order, defaults lowered by
    /// `default`. `None` after any failure; the first missing argument is
    /// reported only when nothing else was.
    pub(super) fn fill_defaults(
        &mut self,
        list: &ParamList,
        bound: &Bound,
        span: Span,
        default: LowerDefault<'_, 'a>,
    ) -> Option<Vec<NodeId>> {
        if bound.failed {
            return None;
        }
        let mut out = Vec::with_capacity(list.params.len());
        for (i, p) in list.params.iter().enumerate() {
            let node = match bound.slots[i] {
                Some((node, _)) => node,
                None if p.has_default => default(self, i)?,
                None => {
                    let mut d = Diagnostic::error(
                        "E0220",
                        format!("`{}` needs the argument `{}`", list.owner, p.name),
                    )
                    .with_primary(span, format!("`{}` is missing", p.name));
                    if let Some(at) = p.declared {
                        d = d.with_secondary(at, "parameter declared here");
                    }
                    d = d.with_note(list.usage_note());
                    if let Some(doc) = p.doc {
                        d = d.with_note(format!("`{}`: {doc}", p.name));
                    }
                    self.error(d);
                    return None;
                }
            };
            out.push(node);
        }
        Some(out)
    }

    /// E0205: a named argument given a second time.
    pub(super) fn given_twice(&mut self, name: &Ident) {
        self.error(
            Diagnostic::error("E0205", format!("argument `{}` is given twice", name.name))
                .with_primary(name.span, "given again here"),
        );
    }

    /// E0222: a named argument the list does not have.
    pub(super) fn unknown_named(&mut self, list: &ParamList, name: &Ident) {
        let d = Diagnostic::error(
            "E0222",
            format!("`{}` has no parameter `{}`", list.owner, name.name),
        )
        .with_primary(name.span, "unknown parameter");
        let mut d = list.with_defined_here(d);
        if let Some(s) = suggest(&name.name, list.params.iter().map(|p| p.name)) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        let note = if list.params.is_empty() && !list.is_def() {
            format!("`{}` takes no parameters", list.owner)
        } else {
            list.usage_note()
        };
        self.error(d.with_note(note));
    }
}
