//! Lowering and checking: AST items → the typed IR.
//!
//! Names are resolved (locals of a `def`, then globals, then algorithms),
//! defs are expanded inline, pipes become argument insertion, every call is
//! bound and kind-checked against its signature, and declaration keywords are
//! checked against the kinds of their values. Errors never stop the walk: a
//! failed subexpression lowers to `None` and its parents stay silent, so a
//! file's independent mistakes are all reported in one run.

use super::graph::{Arith, Command, CommandKind, Decl, Ir, NodeId, Op, ParamDecl};
use super::kind::Kind;
use super::overrides::{Override, OverrideOrigin};
use super::signature::{Const, Families, SignatureLookup};
use crate::diagnostics::{suggest, Diagnostic};
use crate::span::{Sources, Span};
use crate::syntax::ast::{
    BinOp, DeclKeyword, DefParam, Expr, ExprKind, Ident, Item, ItemKind, UnaryOp,
};
/// Names are looked up at every use: a fast, fixed (deterministic) hash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

mod bind;
mod call;
mod items;

/// What a global name is bound to.
#[derive(Clone, Copy)]
enum Global {
    Param(usize),
    Decl(usize),
    Def(usize),
}

enum DeclState {
    Todo,
    InProgress,
    Done(Option<NodeId>),
}

struct DeclItem<'a> {
    keyword: DeclKeyword,
    keyword_span: Span,
    name: &'a Ident,
    value: &'a Expr,
    state: DeclState,
}

struct ParamItem<'a> {
    name: &'a Ident,
    value: &'a Expr,
    state: DeclState,
    node: Option<NodeId>,
    origin: String,
    used: bool,
}

struct DefItem<'a> {
    name: &'a Ident,
    params: &'a [DefParam],
    body: &'a Expr,
}

/// Where random nodes take their seeds from: the declaration being lowered.
struct SeedScope {
    label: String,
    counter: u64,
}

type Locals = HashMap<String, NodeId>;

/// Settings of one check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    pub seed: u64,
    pub overrides: Vec<Override>,
}

/// Lowers and checks `items`; returns the IR and every diagnostic, errors
/// and warnings. With errors, the IR holds what lowered (each declaration
/// whose value checked): for tooling — a declared name's kind in an editor
/// — never for running.
pub fn lower(
    items: &[Item],
    sources: &Sources,
    lookup: &dyn SignatureLookup,
    opts: &CheckOptions,
) -> (Ir, Vec<Diagnostic>) {
    let mut cx = Lowerer {
        lookup,
        sources,
        run_seed: opts.seed,
        ir: Ir::default(),
        diags: Vec::new(),
        globals: HashMap::default(),
        params: Vec::new(),
        decls: Vec::new(),
        defs: Vec::new(),
        decl_stack: Vec::new(),
        def_stack: Vec::new(),
        expansion: Expansion::default(),
        seed_scope: None,
    };
    cx.collect(items);
    cx.apply_overrides(&opts.overrides);
    for i in 0..cx.params.len() {
        cx.lower_param(i);
    }
    for i in 0..cx.decls.len() {
        cx.lower_decl(i);
    }
    cx.lower_commands(items);
    cx.finish()
}

/// The most IR nodes def expansion may make in one script: each call of a
/// def copies its body, so defs calling defs twice grow exponentially
/// (23 levels of `f(x) + f(x)` would be 700 MB).
pub const MAX_EXPANSION: usize = 1_000_000;

/// The IR nodes def expansion has made, and whether it ran out.
#[derive(Default)]
struct Expansion {
    /// Nodes made by finished outermost expansions.
    done: usize,
    /// Where the IR stood when the outermost expansion under way began.
    started_at: usize,
    /// Set when [`MAX_EXPANSION`] is reached: the expansion under way
    /// unwinds, and the outermost call reports it (once per script).
    exhausted: bool,
    reported: bool,
}

struct Lowerer<'a> {
    lookup: &'a dyn SignatureLookup,
    sources: &'a Sources,
    run_seed: u64,
    ir: Ir,
    diags: Vec<Diagnostic>,
    globals: HashMap<String, Global>,
    params: Vec<ParamItem<'a>>,
    decls: Vec<DeclItem<'a>>,
    defs: Vec<DefItem<'a>>,
    /// Declarations being lowered, for dependency cycles.
    decl_stack: Vec<usize>,
    /// Defs being expanded, for recursion.
    def_stack: Vec<usize>,
    /// How much def expansion has made so far (capped at [`MAX_EXPANSION`]).
    expansion: Expansion,
    seed_scope: Option<SeedScope>,
}

impl<'a> Lowerer<'a> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    // ---- expressions --------------------------------------------------------

    fn lower_expr(&mut self, e: &'a Expr, locals: &Locals) -> Option<NodeId> {
        if !self.def_stack.is_empty() && self.expansion_exhausted() {
            return None;
        }
        match &e.kind {
            ExprKind::Int(i) => Some(self.constant(Const::Int(*i), e.span)),
            ExprKind::Num(x) => Some(self.constant(Const::Num(*x), e.span)),
            ExprKind::Str(s) => Some(self.constant(Const::Str(s.clone()), e.span)),
            ExprKind::Bool(b) => Some(self.constant(Const::Bool(*b), e.span)),
            ExprKind::Error => None,
            ExprKind::Name(id) => self.lower_name(id, locals),
            ExprKind::List(items) => self.lower_list(items, e.span, locals),
            ExprKind::Call { callee, args } => self.lower_call(callee, args, None, e.span, locals),
            ExprKind::Pipe { lhs, rhs } => self.lower_pipe(lhs, rhs, e.span, locals),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } => {
                let a = self.lower_expr(expr, locals)?;
                let kind = self.ir.node(a).kind.clone();
                if !kind.is_numeric() {
                    self.error(
                        Diagnostic::error("E0212", format!("cannot negate {kind:#}"))
                            .with_primary(expr.span, format!("this is {kind:#}, not a number")),
                    );
                    return None;
                }
                let kind = if kind == Kind::Any { Kind::Num } else { kind };
                Some(self.ir.push(Op::Neg(a), kind, e.span, None))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.lower_expr(lhs, locals), self.lower_expr(rhs, locals));
                let (a, b) = (a?, b?);
                let op = arith(*op);
                let kind = self.arith_kind(op, a, b, lhs.span, rhs.span)?;
                Some(
                    self.ir
                        .push(Op::Binary { op, lhs: a, rhs: b }, kind, e.span, None),
                )
            }
            ExprKind::Index { target, index } => {
                let (t, i) = (
                    self.lower_expr(target, locals),
                    self.lower_expr(index, locals),
                );
                let (t, i) = (t?, i?);
                let i = self.expect_kind(i, &Kind::Int, index.span, "an index")?;
                let kind = match self.ir.node(t).kind.clone() {
                    Kind::List(elem) => *elem,
                    Kind::Vector => Kind::Num,
                    Kind::Any => Kind::Any,
                    other => {
                        self.error(
                            Diagnostic::error("E0213", format!("cannot index {other:#}"))
                                .with_primary(target.span, format!("this is {other:#}"))
                                .with_hint(
                                    "only lists (and vectors inside objectives) can be indexed",
                                ),
                        );
                        return None;
                    }
                };
                Some(self.ir.push(
                    Op::Index {
                        target: t,
                        index: i,
                    },
                    kind,
                    e.span,
                    None,
                ))
            }
            ExprKind::Field { target, field } => {
                let t = self.lower_expr(target, locals)?;
                let kind = self.ir.node(t).kind.clone();
                if !matches!(kind, Kind::Record | Kind::Report | Kind::Any) {
                    self.error(
                        Diagnostic::error("E0214", format!("{kind:#} has no fields"))
                            .with_primary(field.span, format!("no field `{}` here", field.name))
                            .with_secondary(target.span, format!("this is {kind:#}"))
                            .with_hint("fields are read from reports and records, e.g. `evaluate(…).score`"),
                    );
                    return None;
                }
                let op = Op::Field {
                    target: t,
                    field: field.name.clone(),
                };
                Some(self.ir.push(op, Kind::Any, e.span, None))
            }
        }
    }

    fn constant(&mut self, c: Const, span: Span) -> NodeId {
        let kind = c.kind();
        self.ir.push(Op::Const(c), kind, span, None)
    }

    fn lower_list(&mut self, items: &'a [Expr], span: Span, locals: &Locals) -> Option<NodeId> {
        let lowered: Vec<Option<NodeId>> =
            items.iter().map(|i| self.lower_expr(i, locals)).collect();
        let ids: Vec<NodeId> = lowered.into_iter().collect::<Option<_>>()?;
        let mut elem: Option<(Kind, Span)> = None;
        for (id, item) in ids.iter().zip(items) {
            let k = self.ir.node(*id).kind.clone();
            elem = match elem {
                None => Some((k, item.span)),
                Some((acc, first)) => match acc.join(&k) {
                    Some(j) => Some((j, first)),
                    None => {
                        self.error(
                            Diagnostic::error(
                                "E0215",
                                format!("a list cannot hold both {acc:#} and {k:#}"),
                            )
                            .with_primary(item.span, format!("this is {k:#}"))
                            .with_secondary(first, format!("the list's first element is {acc:#}")),
                        );
                        return None;
                    }
                },
            };
        }
        let kind = Kind::list(elem.map_or(Kind::Any, |(k, _)| k));
        let families = ids
            .iter()
            .map(|i| self.ir.node(*i).families)
            .try_fold(Families::ALL, |acc, d| d.map(|d| acc.intersect(d)))
            .filter(|_| !ids.is_empty());
        let id = self.ir.push(Op::List(ids), kind, span, None);
        self.ir.nodes[id].families = families;
        Some(id)
    }

    fn arith_kind(&mut self, op: Arith, a: NodeId, b: NodeId, sa: Span, sb: Span) -> Option<Kind> {
        let (ka, kb) = (self.ir.node(a).kind.clone(), self.ir.node(b).kind.clone());
        for (k, s) in [(&ka, sa), (&kb, sb)] {
            if !k.is_numeric() {
                self.error(
                    Diagnostic::error(
                        "E0212",
                        format!("`{}` needs numbers, found {k:#}", op.symbol()),
                    )
                    .with_primary(s, format!("this is {k:#}")),
                );
                return None;
            }
        }
        Some(if ka == Kind::Vector || kb == Kind::Vector {
            Kind::Vector
        } else if ka == Kind::Int
            && kb == Kind::Int
            && matches!(op, Arith::Add | Arith::Sub | Arith::Mul)
        {
            Kind::Int
        } else {
            Kind::Num
        })
    }

    /// Checks a lowered node against a wanted kind; reports with `what`.
    fn expect_kind(&mut self, node: NodeId, want: &Kind, span: Span, what: &str) -> Option<NodeId> {
        let got = self.ir.node(node).kind.clone();
        if got.fits(want) {
            return Some(node);
        }
        self.error(
            Diagnostic::error("E0202", format!("{what} must be {want:#}, found {got:#}"))
                .with_primary(span, format!("expected {want:#}")),
        );
        None
    }

    fn lower_name(&mut self, id: &Ident, locals: &Locals) -> Option<NodeId> {
        if let Some(n) = locals.get(&id.name) {
            return Some(*n);
        }
        match self.globals.get(&id.name).copied() {
            Some(Global::Param(i)) => {
                self.params[i].used = true;
                self.lower_param(i);
                return match self.params[i].state {
                    DeclState::Done(_) => self.params[i].node,
                    _ => None,
                };
            }
            Some(Global::Decl(i)) => return self.lower_decl(i),
            Some(Global::Def(i)) => {
                let def = &self.defs[i];
                self.error(
                    Diagnostic::error(
                        "E0216",
                        format!("`{}` is a def and must be called", id.name),
                    )
                    .with_primary(id.span, "used as a value here")
                    .with_secondary(def.name.span, "defined here")
                    .with_hint(format!("call it: `{}(…)`", id.name)),
                );
                return None;
            }
            None => {}
        }
        if self.lookup.algorithm(&id.name).is_some() {
            return Some(self.ir.push(
                Op::Const(Const::Algorithm(id.name.clone())),
                Kind::Algorithm,
                id.span,
                None,
            ));
        }
        if let Some(sig) = self.lookup.builtin(&id.name) {
            if sig.params.iter().all(|p| p.default.is_some()) {
                // A builtin without required arguments may be named bare: `tictactoe`.
                return self.bind_call(sig, id, &[], None, id.span, locals);
            }
            let usage = sig.usage();
            self.error(
                Diagnostic::error(
                    "E0216",
                    format!("`{}` is a function and must be called", id.name),
                )
                .with_primary(id.span, "used as a value here")
                .with_hint(format!("call it: `{usage}`")),
            );
            return None;
        }
        if id.is_placeholder() {
            return None;
        }
        let mut candidates: Vec<&str> = locals.keys().map(String::as_str).collect();
        candidates.extend(self.globals.keys().map(String::as_str));
        candidates.extend(self.lookup.algorithm_names());
        let mut d = Diagnostic::error("E0201", format!("unknown name `{}`", id.name))
            .with_primary(id.span, "not defined");
        if let Some(s) = suggest(&id.name, candidates) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        } else if let Some(s) = suggest(&id.name, self.lookup.builtin_names()) {
            d = d.with_hint(format!("did you mean the function `{s}(…)`?"));
        }
        self.error(d);
        None
    }
}

/// The IR operator of a syntax operator: the one place the IR reads the
/// syntax's operators.
fn arith(op: BinOp) -> Arith {
    match op {
        BinOp::Add => Arith::Add,
        BinOp::Sub => Arith::Sub,
        BinOp::Mul => Arith::Mul,
        BinOp::Div => Arith::Div,
        BinOp::Pow => Arith::Pow,
    }
}

/// Source text on one line, whitespace collapsed, at most 60 characters.
fn compact(text: &str) -> String {
    // One pass, over the start only: a long call (a pipe chain's span holds
    // the whole chain before it) must not cost its length each time, and
    // every call node gets one. Whitespace collapses to one space, and line
    // breaks inside brackets leave none behind: `f( a, b, )` is `f(a, b)`.
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() {
            gap = !out.is_empty();
            continue;
        }
        let had_gap = std::mem::take(&mut gap);
        if matches!(c, ')' | ']') {
            // `, )` and ` )` close up (and `a , )` to `a)`).
            if had_gap && out.ends_with(',') {
                out.pop();
                if out.ends_with(' ') {
                    out.pop();
                }
            }
        } else if had_gap && !out.ends_with(['(', '[']) {
            out.push(' ');
        }
        out.push(c);
        if out.len() >= 300 {
            break;
        }
    }
    if out.chars().count() > 60 {
        let cut: String = out.chars().take(59).collect();
        format!("{cut}…")
    } else {
        out
    }
}

#[cfg(test)]
#[test]
fn compact_collapses_whitespace_and_closes_brackets_up() {
    assert_eq!(
        compact("plan(\n  mcts,\n  sims=400,\n)"),
        "plan(mcts, sims=400)"
    );
    assert_eq!(compact("f( [ 1, 2, ] ,\n g( ) )"), "f([1, 2] , g())");
    assert_eq!(compact("a , )"), "a)");
    assert_eq!(compact("x ,]"), "x ,]");
    let long = format!("f({})", "x, ".repeat(100_000));
    assert_eq!(compact(&long).chars().count(), 60);
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn fmt_num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The declaration keyword that fits a kind, for hints.
fn keyword_for(kind: &Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Objective => "objective",
        Kind::Dataset => "dataset",
        Kind::Model => "model",
        Kind::Solver => "pipeline",
        Kind::Any => return None,
        _ => "let",
    })
}
