//! Calls: checking the arguments bound to a builtin's signature (kinds,
//! ranges, choices, an algorithm's own parameters, rest-named arguments),
//! the domain-fit checks between solvers and objectives, seeds of random
//! builtins, and the inline expansion of user `def`s. Binding itself —
//! which argument goes to which parameter — is `bind.rs`.

use super::bind::{arg_ref, ParamList};
use super::{compact, fmt_num, Global, Locals, Lowerer, MAX_EXPANSION};
use crate::diagnostics::{suggest, Diagnostic};
use crate::ir::graph::{Ir, NodeId, Op};
use crate::ir::kind::Kind;
use crate::ir::signature::{Const, FamilyRule, ParamSig, ResultRule, Signature};
use crate::rng::derive_seed;
use crate::span::Span;
use crate::syntax::ast::{Arg, Expr, ExprKind, Ident};
use std::sync::Arc;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_pipe(
        &mut self,
        lhs: &'a Expr,
        rhs: &'a Expr,
        span: Span,
        locals: &Locals,
    ) -> Option<NodeId> {
        let piped = self.lower_expr(lhs, locals);
        match &rhs.kind {
            ExprKind::Call { callee, args } => {
                let piped = piped?;
                self.lower_call(callee, args, Some((piped, lhs.span)), span, locals)
            }
            ExprKind::Name(callee) => {
                let piped = piped?;
                self.lower_call(callee, &[], Some((piped, lhs.span)), span, locals)
            }
            ExprKind::Error => None,
            _ => {
                self.error(
                    Diagnostic::error(
                        "E0217",
                        "the right side of `|>` must be a call or a function name",
                    )
                    .with_primary(rhs.span, "this is not a call")
                    .with_hint("`a |> f(b)` means `f(a, b)`; write the function to insert into"),
                );
                None
            }
        }
    }

    pub(super) fn lower_call(
        &mut self,
        callee: &'a Ident,
        args: &'a [Arg],
        piped: Option<(NodeId, Span)>,
        span: Span,
        locals: &Locals,
    ) -> Option<NodeId> {
        if locals.contains_key(&callee.name) {
            self.error(
                Diagnostic::error(
                    "E0218",
                    format!(
                        "`{}` is a parameter of this def, not a function",
                        callee.name
                    ),
                )
                .with_primary(callee.span, "called here"),
            );
            return None;
        }
        match self.globals.get(&callee.name).copied() {
            Some(Global::Def(i)) => return self.expand_def(i, callee, args, piped, span, locals),
            Some(g) => {
                let what = match g {
                    Global::Param(_) => "a param".to_string(),
                    Global::Decl(i) => {
                        format!("a `{}` declaration", self.decls[i].keyword.as_str())
                    }
                    Global::Def(_) => unreachable!("handled above"),
                };
                let def_span = self.global_span(g);
                self.error(
                    Diagnostic::error(
                        "E0218",
                        format!("`{}` is {what}, not a function", callee.name),
                    )
                    .with_primary(callee.span, "called here")
                    .with_secondary(def_span, "defined here"),
                );
                return None;
            }
            None => {}
        }
        if let Some(sig) = self.lookup.builtin(&callee.name) {
            return self.bind_call(sig, callee, args, piped, span, locals);
        }
        if callee.is_placeholder() {
            return None;
        }
        let mut d = Diagnostic::error("E0203", format!("unknown function `{}`", callee.name))
            .with_primary(callee.span, "no builtin or def has this name");
        let defs: Vec<&str> = self.defs.iter().map(|d| d.name.name.as_str()).collect();
        let mut candidates = self.lookup.builtin_names();
        candidates.extend(defs);
        if let Some(s) = suggest(&callee.name, candidates) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        } else if self.lookup.algorithm(&callee.name).is_some() {
            d = d.with_hint(format!(
                "`{0}` is an algorithm: run it with `plan({0}, …)`",
                callee.name
            ));
        }
        self.error(d);
        None
    }

    /// Binds arguments to a builtin's parameters and checks them.
    pub(super) fn bind_call(
        &mut self,
        sig: &'a Signature,
        callee: &Ident,
        args: &'a [Arg],
        piped: Option<(NodeId, Span)>,
        span: Span,
        locals: &Locals,
    ) -> Option<NodeId> {
        let list = ParamList::builtin(sig);
        let bound = self.bind_args(
            &list,
            piped,
            args.iter().map(arg_ref),
            &mut |cx, i, value| cx.lower_arg(sig, i, value, locals),
        )?;
        let args_out = self.fill_defaults(&list, &bound, span, &mut |cx, i| {
            sig.params[i].default.clone().map(|d| cx.constant(d, span))
        })?;
        let extra = match (sig.algorithm_params, &sig.rest_named) {
            (None, Some((kind, solver))) => {
                self.bind_rest(sig, kind, args_out[*solver], &bound.extra, locals)?
            }
            (Some(ai), _) => self.bind_algorithm(
                sig,
                args_out[ai],
                bound.slots[ai].map_or(span, |b| b.1),
                &bound.extra,
                span,
                locals,
            )?,
            (None, None) => Vec::new(),
        };
        let kinds: Vec<Kind> = args_out
            .iter()
            .map(|a| self.ir.node(*a).kind.clone())
            .collect();
        let kind = match sig.result {
            ResultRule::Fixed(k) => k.kind(),
            ResultRule::SameAs(i) => kinds[i].clone(),
            ResultRule::Elementwise(i) => {
                if kinds[i] == Kind::Vector {
                    Kind::Vector
                } else {
                    Kind::Num
                }
            }
            ResultRule::ElementOf(i) => match &kinds[i] {
                Kind::List(e) => (**e).clone(),
                Kind::Vector => Kind::Num,
                _ => Kind::Any,
            },
        };
        let (seed, seed_label) = match sig.random {
            true => {
                let (label, seed) = self.next_seed();
                (Some(seed), Some(label))
            }
            false => (None, None),
        };
        let _ = callee;
        let families = match sig.families {
            FamilyRule::None => None,
            FamilyRule::Fixed(d) => Some(d),
            FamilyRule::Arg(i) => self.ir.node(args_out[i]).families,
            FamilyRule::FirstArg(list) => list
                .iter()
                .find_map(|i| self.ir.node(args_out[*i]).families),
            FamilyRule::Algorithm(i) => match self.ir.const_value(args_out[i]) {
                Some(Const::Algorithm(a)) => self.lookup.algorithm(&a).map(|a| a.families),
                _ => None,
            },
        };
        let mut fits_ok = true;
        for (solver, objective) in sig.fits {
            fits_ok &= self.check_fit(sig.name, args_out[*solver], args_out[*objective]);
        }
        if !fits_ok {
            return None;
        }
        let op = Op::Call {
            builtin: sig.name,
            args: args_out,
            extra,
        };
        let id = self.ir.push(op, kind, span, seed);
        self.ir.nodes[id].seed_label = seed_label.map(std::sync::Arc::from);
        self.ir.nodes[id].families = families;
        if named_in_reports(&self.ir.nodes[id].kind) {
            self.ir.nodes[id].text = compact(self.sources.slice(span));
        }
        Some(id)
    }

    /// Checks that a solver (or each solver of a list) can solve an objective.
    fn check_fit(&mut self, owner: &str, solver: NodeId, objective: NodeId) -> bool {
        let Some(class) = self.ir.node(objective).families else {
            return true;
        };
        let solvers: Vec<NodeId> = match &self.ir.node(solver).op {
            Op::List(items) => items.clone(),
            _ => vec![solver],
        };
        let mut ok = true;
        for s in solvers {
            let Some(can) = self.ir.node(s).families else {
                continue;
            };
            if can.intersects(class) {
                continue;
            }
            let (s_span, o_span) = (self.ir.node(s).span, self.ir.node(objective).span);
            let name = |ir: &Ir, id: NodeId| match ir.label(id) {
                l if l.is_empty() => compact(self.sources.slice(ir.node(id).span)),
                l => l,
            };
            let what = name(&self.ir, s);
            let d = if self.ir.node(objective).kind == Kind::Solver {
                // A composition: both sides are solvers.
                let other = name(&self.ir, objective);
                Diagnostic::error(
                    "E0225",
                    format!("`{what}` cannot be combined with `{other}`"),
                )
                .with_primary(s_span, format!("this answers {}", can.describe()))
                .with_secondary(o_span, format!("this solves {}", class.describe()))
                .with_hint(format!(
                    "`{owner}` composes solvers of the same kind of problem"
                ))
            } else {
                Diagnostic::error(
                    "E0225",
                    format!("`{what}` cannot solve {}", class.article()),
                )
                .with_primary(s_span, format!("this solves {}", can.describe()))
                .with_secondary(o_span, format!("this is {}", class.article()))
                .with_hint(format!("`{owner}` needs a solver that fits its objective"))
            };
            self.error(d);
            ok = false;
        }
        ok
    }

    fn lower_arg(
        &mut self,
        sig: &Signature,
        i: usize,
        value: &'a Expr,
        locals: &Locals,
    ) -> Option<NodeId> {
        let p = &sig.params[i];
        if i == 0 && !sig.binds.is_empty() {
            // An objective expression: `theta` and `x` are symbols in it,
            // and once checked it is compiled to its tape.
            let mut inner = locals.clone();
            for name in sig.binds {
                let sym =
                    self.ir
                        .push(Op::Symbol(name.to_string()), Kind::Vector, value.span, None);
                inner.insert(name.to_string(), sym);
            }
            let node = self.lower_expr(value, &inner)?;
            let node = self.check_param(sig.name, p, node, value.span)?;
            return self.lower_tape(node);
        }
        let node = self.lower_expr(value, locals)?;
        self.check_param(sig.name, p, node, value.span)
    }

    /// The tape stage (`ir::tape`) on an objective expression: its
    /// argument becomes an `Op::Tape` node holding the native tree.
    fn lower_tape(&mut self, source: NodeId) -> Option<NodeId> {
        match crate::ir::tape::compile(&self.ir, source) {
            Ok(tape) => {
                let op = Op::Tape {
                    tape: Arc::new(tape),
                    source,
                };
                let span = self.ir.node(source).span;
                Some(self.ir.push(op, Kind::Num, span, None))
            }
            Err(diags) => {
                self.diags.extend(diags);
                None
            }
        }
    }

    fn check_param(
        &mut self,
        owner: &str,
        p: &ParamSig,
        node: NodeId,
        span: Span,
    ) -> Option<NodeId> {
        let got = self.ir.node(node).kind.clone();
        if !got.fits(&p.kind) {
            let mut d = Diagnostic::error(
                "E0202",
                format!(
                    "`{}` of `{owner}` must be {:#}, found {got:#}",
                    p.name, p.kind
                ),
            )
            .with_primary(span, format!("this is {got:#}"))
            .with_note(format!("`{}`: {}", p.name, p.doc));
            if p.kind == Kind::Int && got == Kind::Num {
                d = d.with_hint("write a whole number, without a decimal point");
            }
            self.error(d);
            return None;
        }
        if let (false, Some(Const::Str(text))) = (p.choices.is_empty(), self.ir.const_value(node)) {
            if !p.choices.contains(&text.as_str()) {
                let list = p
                    .choices
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut d = Diagnostic::error(
                    "E0226",
                    format!("`{}` of `{owner}` cannot be \"{text}\"", p.name),
                )
                .with_primary(span, format!("expected one of {list}"));
                if let Some(s) = suggest(&text, p.choices.iter().copied()) {
                    d = d.with_hint(format!("did you mean \"{s}\"?"));
                }
                self.error(d);
                return None;
            }
        }
        if let (Some(range), Some(c)) = (p.range, self.ir.const_value(node)) {
            let values: Vec<f64> = match &c {
                Const::List(items) => items.iter().filter_map(Const::as_f64).collect(),
                other => other.as_f64().into_iter().collect(),
            };
            if let Some(v) = values
                .iter()
                .find(|v| !(**v >= range.lo && **v <= range.hi))
            {
                self.error(
                    Diagnostic::error(
                        "E0221",
                        format!("`{}` of `{owner}` is out of range", p.name),
                    )
                    .with_primary(span, format!("{} is not {range}", fmt_num(*v)))
                    .with_note(format!("`{}`: {}", p.name, p.doc)),
                );
                return None;
            }
        }
        Some(node)
    }

    /// `sweep(solver, sims=[…])`: further named arguments of one kind; when
    /// the solver is a `plan(ALG, …)` written out, their names must be the
    /// algorithm's parameters.
    fn bind_rest(
        &mut self,
        sig: &Signature,
        kind: &Kind,
        solver: NodeId,
        extra: &[(&'a Ident, &'a Expr)],
        locals: &Locals,
    ) -> Option<Vec<(String, NodeId)>> {
        let algorithm = match &self.ir.node(solver).op {
            Op::Call {
                builtin: "plan",
                args,
                ..
            } => match self.ir.const_value(args[0]) {
                Some(Const::Algorithm(a)) => self.lookup.algorithm(&a),
                _ => None,
            },
            _ => None,
        };
        let mut out: Vec<(String, NodeId)> = Vec::new();
        let mut failed = false;
        for (ident, value) in extra {
            if out.iter().any(|(n, _)| *n == ident.name) {
                self.given_twice(ident);
                failed = true;
                continue;
            }
            // With the algorithm known, each list holds values of its
            // parameter, in its range: whatever is accepted here runs.
            let param = match algorithm {
                Some(alg) => match alg.params.iter().find(|p| p.name == ident.name) {
                    Some(p) => Some(ParamSig {
                        kind: Kind::list(p.kind.clone()),
                        default: None,
                        ..p.clone()
                    }),
                    None => {
                        self.unknown_named(&ParamList::algorithm(alg), ident);
                        failed = true;
                        continue;
                    }
                },
                None => None,
            };
            let Some(node) = self.lower_expr(value, locals) else {
                failed = true;
                continue;
            };
            let got = self.ir.node(node).kind.clone();
            let kind = param.as_ref().map_or(kind, |p| &p.kind);
            if got.fits(kind) {
                if let Some(p) = &param {
                    if self.check_param(sig.name, p, node, value.span).is_none() {
                        failed = true;
                        continue;
                    }
                }
            } else {
                self.error(
                    Diagnostic::error(
                        "E0202",
                        format!(
                            "`{}` of `{}` must be {kind:#}, found {got:#}",
                            ident.name, sig.name
                        ),
                    )
                    .with_primary(value.span, format!("this is {got:#}"))
                    .with_hint(format!(
                        "give the values to try as a list: `{}=[16, 64, 256]`",
                        ident.name
                    )),
                );
                failed = true;
                continue;
            }
            out.push((ident.name.clone(), node));
        }
        (!failed).then_some(out)
    }

    /// `plan(ALG, k=v…)`: checks the named arguments against the algorithm's own parameters.
    fn bind_algorithm(
        &mut self,
        sig: &Signature,
        alg_node: NodeId,
        alg_span: Span,
        extra: &[(&'a Ident, &'a Expr)],
        span: Span,
        locals: &Locals,
    ) -> Option<Vec<(String, NodeId)>> {
        let Some(Const::Algorithm(name)) = self.ir.const_value(alg_node) else {
            self.error(
                Diagnostic::error(
                    "E0223",
                    format!("`{}` needs an algorithm name written out", sig.name),
                )
                .with_primary(alg_span, "this is not an algorithm constant")
                .with_note(format!(
                    "algorithms: {}",
                    self.lookup.algorithm_names().join(", ")
                )),
            );
            return None;
        };
        let alg = self.lookup.algorithm(&name)?;
        let list = ParamList::algorithm(alg);
        let bound = self.bind_args(
            &list,
            None,
            extra
                .iter()
                .map(|(name, value)| (Some(*name), *value, value.span)),
            &mut |cx, i, value| {
                let node = cx.lower_expr(value, locals)?;
                cx.check_param(alg.name, &alg.params[i], node, value.span)
            },
        )?;
        let nodes = self.fill_defaults(&list, &bound, span, &mut |cx, i| {
            alg.params[i].default.clone().map(|d| cx.constant(d, span))
        })?;
        Some(
            alg.params
                .iter()
                .zip(nodes)
                .map(|(p, node)| (p.name.to_string(), node))
                .collect(),
        )
    }

    /// The next random node's seed label and its seed under the run seed.
    fn next_seed(&mut self) -> (String, u64) {
        let label = match &mut self.seed_scope {
            Some(s) => {
                s.counter += 1;
                format!("{}#{}", s.label, s.counter)
            }
            None => "toplevel".to_string(),
        };
        let seed = derive_seed(self.run_seed, &label);
        (label, seed)
    }

    /// Expands a user `def` inline: arguments are lowered in the caller's
    /// scope, defaults and the body in the def's.
    pub(super) fn expand_def(
        &mut self,
        i: usize,
        callee: &Ident,
        args: &'a [Arg],
        piped: Option<(NodeId, Span)>,
        span: Span,
        locals: &Locals,
    ) -> Option<NodeId> {
        let def_name = self.defs[i].name;
        if self.def_stack.contains(&i) {
            self.error(
                Diagnostic::error("E0224", format!("`{}` calls itself", def_name.name))
                    .with_primary(callee.span, "recursive call")
                    .with_secondary(def_name.span, "defined here")
                    .with_hint("defs are expanded inline and cannot recurse"),
            );
            return None;
        }
        if self.expansion.exhausted {
            // Reported at the call that ran out.
            return None;
        }
        let outermost = self.def_stack.is_empty();
        if outermost {
            self.expansion.started_at = self.ir.nodes.len();
        }
        let out = self.expand_def_checked(i, args, piped, span, locals);
        if outermost {
            self.expansion.done += self.ir.nodes.len() - self.expansion.started_at;
            if self.expansion.exhausted && !self.expansion.reported {
                self.expansion.reported = true;
                self.error(
                    Diagnostic::error(
                        "E0228",
                        format!("expanding `{}` makes too big a program", def_name.name),
                    )
                    .with_primary(span, "expansion stops in this call")
                    .with_secondary(def_name.span, "defined here")
                    .with_note(format!(
                        "defs are expanded inline, and a script's expansions may make at most {MAX_EXPANSION} nodes; a def that calls another def several times doubles the size at each level"
                    ))
                    .with_hint("call the inner def once and reuse its value with a `let`"),
                );
            }
            if self.expansion.exhausted {
                return None;
            }
        }
        out
    }

    /// Whether def expansion has reached [`MAX_EXPANSION`] nodes (and
    /// should stop).
    pub(super) fn expansion_exhausted(&mut self) -> bool {
        if !self.expansion.exhausted
            && self.expansion.done + (self.ir.nodes.len() - self.expansion.started_at)
                > MAX_EXPANSION
        {
            self.expansion.exhausted = true;
        }
        self.expansion.exhausted
    }

    fn expand_def_checked(
        &mut self,
        i: usize,
        args: &'a [Arg],
        piped: Option<(NodeId, Span)>,
        span: Span,
        locals: &Locals,
    ) -> Option<NodeId> {
        let def_name = self.defs[i].name;
        let params = self.defs[i].params;
        let list = ParamList::def(def_name, params);
        let bound = self.bind_args(
            &list,
            piped,
            args.iter().map(arg_ref),
            &mut |cx, _, value| cx.lower_expr(value, locals),
        )?;
        // On the stack while defaults are lowered too: a default may not
        // call the def it belongs to.
        self.def_stack.push(i);
        let values = self.fill_defaults(&list, &bound, span, &mut |cx, j| {
            let default = params[j].default.as_ref()?;
            cx.lower_expr(default, &Locals::default())
        });
        let out = values.and_then(|values| self.expand_body(i, &values, span));
        self.def_stack.pop();
        out
    }

    fn expand_body(&mut self, i: usize, values: &[NodeId], span: Span) -> Option<NodeId> {
        let (def_name, params) = (self.defs[i].name, self.defs[i].params);
        let mut inner = Locals::default();
        for (p, node) in params.iter().zip(values) {
            inner.insert(p.name.name.clone(), *node);
        }
        let before = self.diags.len();
        let body = self.defs[i].body;
        let first_new = self.ir.nodes.len();
        let out = self.lower_expr(body, &inner);
        // A call the expansion made is named in reports by the def call the
        // user wrote (`uct(400)`), not by the def's body.
        if let Some(id) = out.filter(|id| *id >= first_new) {
            let node = self.ir.node(id);
            if matches!(node.op, Op::Call { .. }) && named_in_reports(&node.kind) {
                self.ir.nodes[id].text = compact(self.sources.slice(span));
            }
        }
        for d in &mut self.diags[before..] {
            d.labels.push(crate::diagnostics::Label {
                span,
                message: format!("in this use of `{}`", def_name.name),
                primary: false,
            });
        }
        out
    }
}

/// Whether reports may name a call's value by its source text ([`Ir::label`]:
/// solvers, objectives, models, datasets…); plain values never are, so
/// their calls keep no text.
fn named_in_reports(kind: &Kind) -> bool {
    match kind {
        Kind::Num | Kind::Int | Kind::Bool | Kind::Str | Kind::Vector => false,
        Kind::List(element) => named_in_reports(element),
        _ => true,
    }
}
