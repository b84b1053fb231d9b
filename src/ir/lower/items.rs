//! Items: the global names (pass 1), `--set`/`--config` overrides,
//! params, declarations and their keywords, the commands (`report`,
//! `plot`, `save`), and what is left to say when the walk is done (unused
//! params).

use super::*;

impl<'a> Lowerer<'a> {
    // ---- pass 1: the global names ------------------------------------------

    pub(super) fn collect(&mut self, items: &'a [Item]) {
        for item in items {
            let (name, binding) = match &item.kind {
                ItemKind::Param { name, value } => {
                    self.params.push(ParamItem {
                        name,
                        value,
                        state: DeclState::Todo,
                        node: None,
                        origin: "script".into(),
                        used: false,
                    });
                    (name, Global::Param(self.params.len() - 1))
                }
                ItemKind::Decl {
                    keyword,
                    keyword_span,
                    name,
                    value,
                } => {
                    self.decls.push(DeclItem {
                        keyword: *keyword,
                        keyword_span: *keyword_span,
                        name,
                        value,
                        state: DeclState::Todo,
                    });
                    (name, Global::Decl(self.decls.len() - 1))
                }
                ItemKind::Def { name, params, body } => {
                    self.defs.push(DefItem { name, params, body });
                    (name, Global::Def(self.defs.len() - 1))
                }
                _ => continue,
            };
            if name.is_placeholder() {
                // The parser reported the name; a declaration without one
                // cannot be referred to.
                continue;
            }
            if self.lookup.builtin(&name.name).is_some()
                || self.lookup.algorithm(&name.name).is_some()
            {
                let what = if self.lookup.builtin(&name.name).is_some() {
                    "a builtin function"
                } else {
                    "an algorithm"
                };
                self.error(
                    Diagnostic::error("E0207", format!("`{}` is the name of {what}", name.name))
                        .with_primary(name.span, "this name is taken by the language")
                        .with_hint(format!("choose another name, e.g. `my_{}`", name.name)),
                );
                continue;
            }
            if let Some(prev) = self.globals.get(&name.name).copied() {
                let prev_span = self.global_span(prev);
                if prev_span.src != name.span.src {
                    // A name from an imported module is shadowed by a later
                    // definition: the script's own names win, as in most
                    // languages, and the imported one is not lowered.
                    match prev {
                        Global::Param(i) => {
                            self.params[i].state = DeclState::Done(None);
                            self.params[i].used = true;
                        }
                        Global::Decl(i) => self.decls[i].state = DeclState::Done(None),
                        Global::Def(_) => {}
                    }
                    self.globals.insert(name.name.clone(), binding);
                    continue;
                }
                self.error(
                    Diagnostic::error("E0206", format!("`{}` is defined twice", name.name))
                        .with_primary(name.span, "defined again here")
                        .with_secondary(prev_span, "first defined here")
                        .with_hint("rename one of them"),
                );
                continue;
            }
            self.globals.insert(name.name.clone(), binding);
        }
    }

    pub(super) fn global_span(&self, g: Global) -> Span {
        match g {
            Global::Param(i) => self.params[i].name.span,
            Global::Decl(i) => self.decls[i].name.span,
            Global::Def(i) => self.defs[i].name.span,
        }
    }

    pub(super) fn apply_overrides(&mut self, overrides: &[Override]) {
        for o in overrides {
            match self.globals.get(&o.name) {
                Some(Global::Param(i)) => {
                    let i = *i;
                    let span = o.origin.span().unwrap_or(self.params[i].name.span);
                    let node = self
                        .ir
                        .push(Op::Const(o.value.clone()), o.value.kind(), span, None);
                    self.params[i].node = Some(node);
                    self.params[i].origin = o.origin.describe();
                }
                _ => {
                    let names: Vec<&str> =
                        self.params.iter().map(|p| p.name.name.as_str()).collect();
                    let mut d = Diagnostic::error(
                        "E0401",
                        format!("unknown param `{}` in {}", o.name, o.origin.describe()),
                    );
                    if let OverrideOrigin::Config { key_span, .. } = &o.origin {
                        d = d.with_primary(*key_span, "the script declares no such param");
                    }
                    if let Some(s) = suggest(&o.name, names.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    d = d.with_note(if names.is_empty() {
                        "the script declares no params".to_string()
                    } else {
                        format!("the script's params: {}", names.join(", "))
                    });
                    self.error(d);
                }
            }
        }
    }

    // ---- params and declarations -------------------------------------------

    pub(super) fn lower_param(&mut self, i: usize) {
        match self.params[i].state {
            DeclState::Todo => self.params[i].state = DeclState::InProgress,
            DeclState::InProgress => {
                let name = self.params[i].name;
                self.error(
                    Diagnostic::error("E0209", format!("param `{}` depends on itself", name.name))
                        .with_primary(name.span, "its value refers back to it"),
                );
                self.params[i].node = None;
                return;
            }
            DeclState::Done(_) => return,
        }
        self.lower_param_value(i);
        self.params[i].state = DeclState::Done(self.params[i].node);
    }

    pub(super) fn lower_param_value(&mut self, i: usize) {
        let value = self.params[i].value;
        let script = self.lower_expr(value, &Locals::default());
        let Some(script) = script else { return };
        if self.ir.const_value(script).is_none() {
            let kind = self.ir.node(script).kind.clone();
            self.error(
                Diagnostic::error("E0208", format!("param `{}` must be a constant", self.params[i].name.name))
                    .with_primary(value.span, format!("this is a computed {kind}"))
                    .with_hint("params hold numbers, strings, booleans or lists of them; use `let` for computed values"),
            );
            return;
        }
        match self.params[i].node {
            None => self.params[i].node = Some(script),
            Some(over) => {
                let (want, got) = (
                    self.ir.node(script).kind.clone(),
                    self.ir.node(over).kind.clone(),
                );
                if !got.fits(&want) {
                    let origin = self.params[i].origin.clone();
                    let mut d = Diagnostic::error(
                        "E0402",
                        format!(
                            "{origin} gives `{}` {got:#}, but the script's value is {want:#}",
                            self.params[i].name.name
                        ),
                    )
                    .with_secondary(value.span, format!("declared as {want:#} here"));
                    if self.ir.node(over).span != self.params[i].name.span {
                        d = d.with_primary(self.ir.node(over).span, format!("expected {want:#}"));
                    }
                    self.error(d);
                    self.params[i].node = None;
                }
            }
        }
    }

    pub(super) fn lower_decl(&mut self, i: usize) -> Option<NodeId> {
        match self.decls[i].state {
            DeclState::Done(n) => return n,
            DeclState::InProgress => {
                let pos = self.decl_stack.iter().position(|d| *d == i).unwrap_or(0);
                let chain: Vec<String> = self.decl_stack[pos..]
                    .iter()
                    .chain(std::iter::once(&i))
                    .map(|d| format!("`{}`", self.decls[*d].name.name))
                    .collect();
                let name = self.decls[i].name;
                self.error(
                    Diagnostic::error("E0209", format!("`{}` depends on itself", name.name))
                        .with_primary(name.span, format!("cycle: {}", chain.join(" → ")))
                        .with_hint("declarations form a DAG: break the cycle"),
                );
                return None;
            }
            DeclState::Todo => {}
        }
        self.decls[i].state = DeclState::InProgress;
        self.decl_stack.push(i);
        let outer = self.seed_scope.replace(SeedScope {
            label: self.decls[i].name.name.clone(),
            counter: 0,
        });
        let value = self.decls[i].value;
        let node = self.lower_expr(value, &Locals::default());
        self.seed_scope = outer;
        self.decl_stack.pop();
        let node = node.and_then(|n| self.check_keyword(i, n));
        self.decls[i].state = DeclState::Done(node);
        if let Some(n) = node {
            let d = &self.decls[i];
            self.ir.decls.push(Decl {
                name: d.name.name.clone(),
                keyword: d.keyword,
                name_span: d.name.span,
                node: n,
            });
        }
        node
    }

    pub(super) fn check_keyword(&mut self, i: usize, node: NodeId) -> Option<NodeId> {
        let d = &self.decls[i];
        let want = match d.keyword {
            DeclKeyword::Let => return Some(node),
            DeclKeyword::Objective => Kind::Objective,
            DeclKeyword::Dataset => Kind::Dataset,
            DeclKeyword::Model => Kind::Model,
            DeclKeyword::Pipeline => Kind::Solver,
        };
        let got = self.ir.node(node).kind.clone();
        if got.fits(&want) {
            return Some(node);
        }
        let kw = d.keyword.as_str();
        let (value_span, kw_span) = (d.value.span, d.keyword_span);
        let suggestion = keyword_for(&got);
        let mut diag = Diagnostic::error(
            "E0210",
            format!("`{kw}` declares {want:#}, but the value is {got:#}"),
        )
        .with_primary(value_span, format!("this is {got:#}"))
        .with_secondary(kw_span, format!("`{kw}` expects {want:#}"));
        if let Some(k) = suggestion {
            diag = diag.with_hint(format!("declare it with `{k}`"));
        }
        self.error(diag);
        None
    }

    pub(super) fn lower_commands(&mut self, items: &'a [Item]) {
        let mut index = 0;
        for item in items {
            let (kind, value, path) = match &item.kind {
                ItemKind::Report { value } => (CommandKind::Report, value, None),
                ItemKind::Expr(value) => (CommandKind::Show, value, None),
                ItemKind::Plot { value, to } => (CommandKind::Plot { path: 0 }, value, Some(to)),
                ItemKind::Save { value, to } => (CommandKind::Save { path: 0 }, value, Some(to)),
                _ => continue,
            };
            index += 1;
            self.seed_scope = Some(SeedScope {
                label: format!("command#{index}"),
                counter: 0,
            });
            let node = self.lower_expr(value, &Locals::default());
            let path_node = path.and_then(|p| {
                let n = self.lower_expr(p, &Locals::default())?;
                self.expect_kind(n, &Kind::Str, p.span, "the file name after `to`")
            });
            self.seed_scope = None;
            let Some(node) = node else { continue };
            let kind = match (kind, path_node) {
                (CommandKind::Plot { .. }, Some(p)) => CommandKind::Plot { path: p },
                (CommandKind::Save { .. }, Some(p)) => CommandKind::Save { path: p },
                (CommandKind::Plot { .. } | CommandKind::Save { .. }, None) => continue,
                (k, _) => k,
            };
            if matches!(kind, CommandKind::Plot { .. }) {
                let got = self.ir.node(node).kind.clone();
                if !got.fits(&Kind::Plot) && !got.fits(&Kind::Report) {
                    self.error(
                        Diagnostic::error(
                            "E0211",
                            format!("`plot` needs a Report or a Plot, found {got:#}"),
                        )
                        .with_primary(value.span, format!("this is {got:#}"))
                        .with_hint("plot a `sweep(...)` or `compare(...)`"),
                    );
                    continue;
                }
            }
            let label = self.sources.slice(value.span).to_string();
            self.ir.commands.push(Command {
                kind,
                value: node,
                span: item.span,
                label,
            });
        }
    }

    pub(super) fn finish(mut self) -> (Ir, Vec<Diagnostic>) {
        for (i, p) in self.params.iter().enumerate() {
            if let Some(node) = p.node {
                self.ir.params.push(ParamDecl {
                    name: p.name.name.clone(),
                    name_span: p.name.span,
                    node,
                    origin: p.origin.clone(),
                });
            }
            if !p.used {
                let _ = i;
                self.diags.push(
                    Diagnostic::warning("W0001", format!("param `{}` is never used", p.name.name))
                        .with_primary(p.name.span, "declared here")
                        .with_hint("use it, or remove it"),
                );
            }
        }
        (self.ir, self.diags)
    }
}
