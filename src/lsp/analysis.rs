//! What the editor's features need to know about a script beyond its
//! diagnostics: its items and those it imports, which name is under the
//! cursor and what that name means, and where each source lives as a URI.
//!
//! Everything here works on a half-typed file: the parser recovers, and a
//! name that resolves to nothing is simply not found.

use crate::interp::Registry;
use crate::ir::signature::{AlgorithmSig, ParamSig, Signature, SignatureLookup};
use crate::span::{SourceId, Sources, Span};
use crate::syntax::ast::{Arg, Expr, ExprKind, Ident, Item, ItemKind, UseTarget};
use lsp_types::Url;
use std::path::{Path, PathBuf};

/// A script with its imports loaded.
pub struct Analysis {
    pub sources: Sources,
    pub main: SourceId,
    /// The main script's own items, `use` included.
    pub main_items: Vec<Item>,
    /// The declarations of every loaded source (imports first), as the
    /// checker sees them.
    pub items: Vec<Item>,
}

impl Analysis {
    /// Loads `text` under the display `name` the checker would give it.
    pub fn new(name: &str, text: &str) -> Self {
        let mut sources = Sources::new();
        let main = sources.add(name, text);
        let main_items = crate::syntax::parse(main, text)
            .program
            .map(|p| p.items)
            .unwrap_or_default();
        let loaded = crate::ir::load::load_all(&mut sources, &[(main, false)]);
        Analysis {
            sources,
            main,
            main_items,
            items: loaded.items,
        }
    }

    /// The global declaration of `name` the checker would bind: the main
    /// script's own first, else the last import's.
    pub fn global(&self, name: &str) -> Option<&Item> {
        let named = |i: &&Item| declared_name(i).is_some_and(|n| n.name == name);
        self.items
            .iter()
            .filter(named)
            .find(|i| i.span.src == self.main)
            .or_else(|| self.items.iter().rev().find(named))
    }

    /// Params and declarations, and defs with their parameters, for
    /// completion.
    pub fn session_names(&self) -> crate::repl::complete::SessionNames {
        let mut names = crate::repl::complete::SessionNames::default();
        for item in &self.items {
            match &item.kind {
                ItemKind::Param { name, .. } | ItemKind::Decl { name, .. } => {
                    names.values.push(name.name.clone());
                }
                ItemKind::Def { name, params, .. } => names.defs.push((
                    name.name.clone(),
                    params.iter().map(|p| p.name.name.clone()).collect(),
                )),
                _ => {}
            }
        }
        names.values.sort();
        names.values.dedup();
        names
    }

    /// What is at byte `offset` of the main script.
    pub fn at(&self, offset: usize) -> Option<Occurrence<'_>> {
        let item = self
            .main_items
            .iter()
            .find(|i| i.span.start <= offset && offset <= i.span.end)?;
        let mut finder = Finder {
            offset,
            def: None,
            found: None,
        };
        finder.item(item);
        finder.found
    }
}

/// The name an item declares, if it declares one.
pub fn declared_name(item: &Item) -> Option<&Ident> {
    match &item.kind {
        ItemKind::Param { name, .. } | ItemKind::Decl { name, .. } | ItemKind::Def { name, .. } => {
            Some(name)
        }
        _ => None,
    }
}

/// A name in the main script, with the context that gives it a meaning.
#[derive(Clone, Copy, Debug)]
pub enum Occurrence<'a> {
    /// A name in an expression or a callee; `def` is the def whose body
    /// it is in, if any.
    Name {
        ident: &'a Ident,
        def: Option<&'a Item>,
    },
    /// The name a `param`, declaration or `def` introduces.
    Declared { ident: &'a Ident, item: &'a Item },
    /// A parameter in a `def`'s head.
    DefParam { ident: &'a Ident, def: &'a Item },
    /// The name of a named argument (`sims` in `plan(mcts, sims=4)`).
    ArgName {
        ident: &'a Ident,
        callee: &'a Ident,
        args: &'a [Arg],
    },
    /// A field (`r.score`): fields are only known at run time.
    Field { ident: &'a Ident },
    /// What a `use` brings in.
    Use(&'a UseTarget),
}

struct Finder<'a> {
    offset: usize,
    def: Option<&'a Item>,
    found: Option<Occurrence<'a>>,
}

impl<'a> Finder<'a> {
    fn hit(&self, span: Span) -> bool {
        span.start <= self.offset && self.offset <= span.end
    }

    fn item(&mut self, item: &'a Item) {
        match &item.kind {
            ItemKind::Use(target) => {
                let span = match target {
                    UseTarget::Module(path) => path
                        .first()
                        .zip(path.last())
                        .map(|(a, b)| a.span.to(b.span)),
                    UseTarget::File { span, .. } => Some(*span),
                };
                if span.is_some_and(|s| self.hit(s)) {
                    self.found = Some(Occurrence::Use(target));
                }
            }
            ItemKind::Param { name, value } | ItemKind::Decl { name, value, .. } => {
                if self.hit(name.span) {
                    self.found = Some(Occurrence::Declared { ident: name, item });
                } else {
                    self.expr(value);
                }
            }
            ItemKind::Def { name, params, body } => {
                if self.hit(name.span) {
                    self.found = Some(Occurrence::Declared { ident: name, item });
                    return;
                }
                self.def = Some(item);
                for p in params {
                    if self.hit(p.name.span) {
                        self.found = Some(Occurrence::DefParam {
                            ident: &p.name,
                            def: item,
                        });
                        return;
                    }
                    if let Some(d) = &p.default {
                        self.expr(d);
                    }
                }
                self.expr(body);
            }
            ItemKind::Report { value } | ItemKind::Expr(value) => self.expr(value),
            ItemKind::Plot { value, to } | ItemKind::Save { value, to } => {
                self.expr(value);
                self.expr(to);
            }
        }
    }

    fn expr(&mut self, e: &'a Expr) {
        if self.found.is_some() || !self.hit(e.span) {
            return;
        }
        match &e.kind {
            ExprKind::Name(ident) => {
                self.found = Some(Occurrence::Name {
                    ident,
                    def: self.def,
                });
            }
            ExprKind::Call { callee, args } => {
                if self.hit(callee.span) {
                    self.found = Some(Occurrence::Name {
                        ident: callee,
                        def: self.def,
                    });
                    return;
                }
                for a in args {
                    match &a.name {
                        Some(n) if self.hit(n.span) => {
                            self.found = Some(Occurrence::ArgName {
                                ident: n,
                                callee,
                                args,
                            });
                            return;
                        }
                        _ => self.expr(&a.value),
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(|i| self.expr(i)),
            ExprKind::Unary { expr, .. } => self.expr(expr),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Pipe { lhs, rhs } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Index { target, index } => {
                self.expr(target);
                self.expr(index);
            }
            ExprKind::Field { target, field } => {
                if self.hit(field.span) {
                    self.found = Some(Occurrence::Field { ident: field });
                } else {
                    self.expr(target);
                }
            }
            ExprKind::Int(_)
            | ExprKind::Num(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Error => {}
        }
    }
}

/// What a name means.
#[derive(Clone)]
pub enum Meaning<'a> {
    /// A parameter of a def: `index` into its head.
    DefParam {
        def: &'a Item,
        index: usize,
    },
    /// A `param`, declaration or `def`, in this script or an import.
    Global(&'a Item),
    Builtin(&'a Signature),
    Algorithm(&'a AlgorithmSig),
    /// A named argument of a builtin or of the algorithm `plan` was given.
    Param(&'a ParamSig),
    /// `use std.NAME`: the module's name and embedded text.
    Module(&'static str, &'static str),
    /// `use "file.opt"`: the file, resolved as the loader does.
    File(PathBuf),
}

/// Resolves what is at the cursor, as the checker would.
pub fn meaning<'a>(
    analysis: &'a Analysis,
    registry: &'a Registry,
    occurrence: Occurrence<'a>,
) -> Option<Meaning<'a>> {
    match occurrence {
        Occurrence::Name { ident, def } => {
            if let Some((def, index)) = def.and_then(|d| def_param(d, &ident.name).map(|i| (d, i)))
            {
                return Some(Meaning::DefParam { def, index });
            }
            name_meaning(analysis, registry, &ident.name)
        }
        Occurrence::Declared { item, .. } => Some(Meaning::Global(item)),
        Occurrence::DefParam { ident, def } => {
            def_param(def, &ident.name).map(|index| Meaning::DefParam { def, index })
        }
        Occurrence::ArgName {
            ident,
            callee,
            args,
        } => {
            if let Some(sig) = registry.builtin(&callee.name) {
                if let Some(p) = sig.param(&ident.name) {
                    return Some(Meaning::Param(p.1));
                }
                // An algorithm's own parameter: the algorithm is the
                // positional argument `algorithm_params` names.
                let alg = sig
                    .algorithm_params
                    .and_then(|i| args.iter().filter(|a| a.name.is_none()).nth(i))
                    .and_then(|a| match &a.value.kind {
                        ExprKind::Name(n) => registry.algorithm(&n.name),
                        _ => None,
                    })?;
                return alg
                    .params
                    .iter()
                    .find(|p| p.name == ident.name)
                    .map(Meaning::Param);
            }
            let def = analysis
                .global(&callee.name)
                .filter(|i| matches!(i.kind, ItemKind::Def { .. }))?;
            def_param(def, &ident.name).map(|index| Meaning::DefParam { def, index })
        }
        Occurrence::Field { .. } => None,
        Occurrence::Use(UseTarget::Module(path)) => {
            let names: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
            let ["std", module] = names.as_slice() else {
                return None;
            };
            crate::ir::load::STDLIB
                .iter()
                .find(|(n, _)| n == module)
                .map(|(n, text)| Meaning::Module(n, text))
        }
        Occurrence::Use(UseTarget::File { path, .. }) => {
            let dir = Path::new(analysis.sources.name(analysis.main)).parent();
            Some(Meaning::File(match dir {
                Some(d) if !d.as_os_str().is_empty() => d.join(path),
                _ => PathBuf::from(path),
            }))
        }
    }
}

/// A global name: declarations shadow nothing the language owns, so the
/// order does not matter.
fn name_meaning<'a>(
    analysis: &'a Analysis,
    registry: &'a Registry,
    name: &str,
) -> Option<Meaning<'a>> {
    if let Some(item) = analysis.global(name) {
        return Some(Meaning::Global(item));
    }
    if let Some(sig) = registry.builtin(name) {
        return Some(Meaning::Builtin(sig));
    }
    registry.algorithm(name).map(Meaning::Algorithm)
}

fn def_param(def: &Item, name: &str) -> Option<usize> {
    match &def.kind {
        ItemKind::Def { params, .. } => params.iter().position(|p| p.name.name == name),
        _ => None,
    }
}

/// Where the sources of one check live, as URIs: the main script is the
/// editor's document, imported files are files, and a `std.` module is a
/// read-only copy of its embedded text (written once into a cache folder).
pub struct Locations<'a> {
    pub main_uri: &'a Url,
    pub main_name: &'a str,
}

impl Locations<'_> {
    pub fn uri(&self, source_name: &str) -> Option<Url> {
        if source_name == self.main_name {
            return Some(self.main_uri.clone());
        }
        if let Some(module) = source_name.strip_prefix("std.") {
            let (_, text) = crate::ir::load::STDLIB.iter().find(|(n, _)| *n == module)?;
            return std_copy(module, text).and_then(|p| Url::from_file_path(p).ok());
        }
        file_uri(Path::new(source_name))
    }
}

/// A file's URI; a relative path is relative to the working directory.
pub fn file_uri(path: &Path) -> Option<Url> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    Url::from_file_path(abs).ok()
}

/// The read-only copy of a standard module the editor opens: written into
/// the temporary folder, per version, when missing or different.
pub fn std_copy(module: &str, text: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("optimist-{}-std", env!("CARGO_PKG_VERSION")));
    let path = dir.join(format!("{module}.opt"));
    if std::fs::read_to_string(&path).ok().as_deref() == Some(text) {
        return Some(path);
    }
    std::fs::create_dir_all(&dir).ok()?;
    crate::files::write_atomic(&path, text.as_bytes()).ok()?;
    if let Ok(meta) = std::fs::metadata(&path) {
        let mut perms = meta.permissions();
        perms.set_readonly(true);
        let _ = std::fs::set_permissions(&path, perms);
    }
    Some(path)
}
