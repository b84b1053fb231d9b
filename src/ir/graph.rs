//! The IR: a typed DAG of nodes, each with a stable content hash.
//!
//! Declarations, parameters and commands point into one node arena. A node's
//! hash covers its operation, its constant data, the hashes of its inputs and,
//! for builtins that draw random numbers, its seed — so it identifies the
//! value the node will compute, and can key the on-disk cache.

use super::kind::Kind;
use super::signature::{Const, Families};
use crate::domains::expr::Expr;
use crate::span::Span;
use crate::syntax::ast::DeclKeyword;
use std::fmt::Write;
use std::sync::Arc;

pub type NodeId = usize;

#[derive(Clone, Debug)]
pub enum Op {
    Const(Const),
    List(Vec<NodeId>),
    /// A builtin call with its arguments bound to the signature's
    /// parameters, defaults filled in. `extra` holds the algorithm's own
    /// named arguments for `plan`-like builtins, in signature order.
    Call {
        builtin: &'static str,
        args: Vec<NodeId>,
        extra: Vec<(String, NodeId)>,
    },
    Neg(NodeId),
    Binary {
        op: Arith,
        lhs: NodeId,
        rhs: NodeId,
    },
    Index {
        target: NodeId,
        index: NodeId,
    },
    Field {
        target: NodeId,
        field: String,
    },
    /// A name bound inside an objective expression (`theta`, `x`).
    Symbol(String),
    /// An objective expression compiled to the native tree (`ir::tape`);
    /// `source` is the expression's root, kept for the dump and the hash,
    /// and never evaluated.
    Tape {
        tape: Arc<Expr>,
        source: NodeId,
    },
}

/// The IR's arithmetic: the syntax's `+ - * / ^`, mapped once by lowering,
/// so that folding, the interpreter and the tape stage do not depend on
/// the syntax tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl Arith {
    /// As the IR dump, the hashes and error messages write it.
    pub fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Pow => "^",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub kind: Kind,
    pub span: Span,
    pub hash: u64,
    /// Set for nodes of random builtins: derived from the run seed and the
    /// name of the declaration the node belongs to.
    pub seed: Option<u64>,
    /// What `seed` is derived from besides the run seed (the declaration
    /// and the node's place in it), so that the same program can be
    /// re-seeded for another run seed ([`Ir::reseeded`]).
    pub seed_label: Option<std::sync::Arc<str>>,
    /// For objectives: their class; for solvers: what they can solve.
    pub families: Option<Families>,
    /// The source text of a call, for naming solvers and objectives in
    /// reports (not part of the hash: it does not change the value).
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Decl {
    pub name: String,
    pub keyword: DeclKeyword,
    pub name_span: Span,
    pub node: NodeId,
}

#[derive(Clone, Debug)]
pub struct ParamDecl {
    pub name: String,
    pub name_span: Span,
    pub node: NodeId,
    /// Where the value came from: the script, `--set`, or a config file.
    pub origin: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CommandKind {
    Report,
    Plot {
        path: NodeId,
    },
    Save {
        path: NodeId,
    },
    /// A bare expression typed at the REPL: evaluate and print.
    Show,
}

#[derive(Clone, Debug)]
pub struct Command {
    pub kind: CommandKind,
    pub value: NodeId,
    pub span: Span,
    /// The source text of the value, for report headings.
    pub label: String,
}

/// A checked program.
#[derive(Clone, Debug, Default)]
pub struct Ir {
    pub nodes: Vec<Node>,
    pub decls: Vec<Decl>,
    pub params: Vec<ParamDecl>,
    pub commands: Vec<Command>,
}

impl Ir {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.decls.iter().find(|d| d.name == name)
    }

    /// What reports call a node's value: the name it was declared with, or
    /// its source text.
    pub fn label(&self, id: NodeId) -> String {
        match self.decls.iter().find(|d| d.node == id) {
            Some(d) => d.name.clone(),
            None => self.nodes[id].text.clone(),
        }
    }

    /// Adds a node, computing its hash from its content and inputs.
    pub fn push(&mut self, op: Op, kind: Kind, span: Span, seed: Option<u64>) -> NodeId {
        let hash = self.hash_of(&op, &kind, seed);
        self.nodes.push(Node {
            op,
            kind,
            span,
            hash,
            seed,
            seed_label: None,
            families: None,
            text: String::new(),
        });
        self.nodes.len() - 1
    }

    /// The same program under another run seed: every random node's seed
    /// is derived again from `run_seed` and its label, and the hashes of
    /// the nodes that depend on one change with it. Node ids are kept, so a
    /// node of `self` is the node of the same id in the result.
    pub fn reseeded(&self, run_seed: u64) -> Ir {
        let mut out = Ir {
            nodes: Vec::with_capacity(self.nodes.len()),
            decls: self.decls.clone(),
            params: self.params.clone(),
            commands: self.commands.clone(),
        };
        for n in &self.nodes {
            let seed = match &n.seed_label {
                Some(label) => Some(crate::rng::derive_seed(run_seed, label)),
                None => n.seed,
            };
            // Inputs come before the nodes that use them, so their new
            // hashes are already in `out`.
            let hash = out.hash_of(&n.op, &n.kind, seed);
            out.nodes.push(Node {
                seed,
                hash,
                ..n.clone()
            });
        }
        out
    }

    fn hash_of(&self, op: &Op, kind: &Kind, seed: Option<u64>) -> u64 {
        let mut h = Fnv::new();
        match kind.leaf_name() {
            Some(name) => h.str(name),
            None => h.str(&kind.to_string()),
        }
        match op {
            Op::Const(c) => {
                h.str("const");
                hash_const(&mut h, c);
            }
            Op::List(items) => {
                h.str("list");
                for i in items {
                    h.u64(self.nodes[*i].hash);
                }
            }
            Op::Call {
                builtin,
                args,
                extra,
            } => {
                h.str("call");
                h.str(builtin);
                for a in args {
                    h.u64(self.nodes[*a].hash);
                }
                for (name, a) in extra {
                    h.str(name);
                    h.u64(self.nodes[*a].hash);
                }
            }
            Op::Neg(a) => {
                h.str("neg");
                h.u64(self.nodes[*a].hash);
            }
            Op::Binary { op, lhs, rhs } => {
                h.str(op.symbol());
                h.u64(self.nodes[*lhs].hash);
                h.u64(self.nodes[*rhs].hash);
            }
            Op::Index { target, index } => {
                h.str("index");
                h.u64(self.nodes[*target].hash);
                h.u64(self.nodes[*index].hash);
            }
            Op::Field { target, field } => {
                h.str("field");
                h.u64(self.nodes[*target].hash);
                h.str(field);
            }
            Op::Symbol(name) => {
                h.str("symbol");
                h.str(name);
            }
            // The tape is a function of its source, which the source's hash
            // already identifies.
            Op::Tape { source, .. } => {
                h.str("tape");
                h.u64(self.nodes[*source].hash);
            }
        }
        if let Some(s) = seed {
            h.str("seed");
            h.u64(s);
        }
        h.finish()
    }

    /// The constant a node folds to, if it is built from constants only.
    pub fn const_value(&self, id: NodeId) -> Option<Const> {
        match &self.nodes[id].op {
            Op::Const(c) => Some(c.clone()),
            Op::List(items) => items
                .iter()
                .map(|i| self.const_value(*i))
                .collect::<Option<Vec<_>>>()
                .map(Const::List),
            Op::Neg(a) => match self.const_value(*a)? {
                Const::Int(i) => i.checked_neg().map(Const::Int),
                Const::Num(x) => Some(Const::Num(-x)),
                _ => None,
            },
            Op::Binary { op, lhs, rhs } => {
                let (a, b) = (self.const_value(*lhs)?, self.const_value(*rhs)?);
                fold_binary(*op, &a, &b)
            }
            _ => None,
        }
    }

    /// The deterministic dump used by `check --dump ir` and the snapshots.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for p in &self.params {
            let _ = writeln!(out, "param {} = %{} ({})", p.name, p.node, p.origin);
        }
        for d in &self.decls {
            let _ = writeln!(out, "{} {} = %{}", d.keyword.as_str(), d.name, d.node);
        }
        for c in &self.commands {
            let what = match &c.kind {
                CommandKind::Report => "report".to_string(),
                CommandKind::Show => "show".to_string(),
                CommandKind::Plot { path } => format!("plot to %{path}"),
                CommandKind::Save { path } => format!("save to %{path}"),
            };
            let _ = writeln!(out, "{what} %{}", c.value);
        }
        let _ = writeln!(out, "--");
        for (id, n) in self.nodes.iter().enumerate() {
            let op = match &n.op {
                Op::Const(c) => c.to_string(),
                Op::List(items) => format!("list({})", ids(items)),
                Op::Call {
                    builtin,
                    args,
                    extra,
                } => {
                    let mut parts = vec![ids(args)];
                    parts.extend(extra.iter().map(|(k, v)| format!("{k}=%{v}")));
                    parts.retain(|p| !p.is_empty());
                    format!("{builtin}({})", parts.join(", "))
                }
                Op::Neg(a) => format!("neg %{a}"),
                Op::Binary { op, lhs, rhs } => format!("%{lhs} {} %{rhs}", op.symbol()),
                Op::Index { target, index } => format!("%{target}[%{index}]"),
                Op::Field { target, field } => format!("%{target}.{field}"),
                Op::Symbol(s) => format!("symbol {s}"),
                Op::Tape { source, .. } => format!("tape %{source}"),
            };
            let seed = n
                .seed
                .map(|s| format!(" seed={s:016x}"))
                .unwrap_or_default();
            let _ = writeln!(out, "%{id}: {} = {op}  #{:016x}{seed}", n.kind, n.hash);
        }
        out
    }
}

fn ids(items: &[NodeId]) -> String {
    items
        .iter()
        .map(|i| format!("%{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Arithmetic on constants, with the runtime's rules: `Int ∘ Int` stays
/// `Int` for `+ - *` (when it does not overflow), `/` and `^` give `Num`.
pub fn fold_binary(op: Arith, a: &Const, b: &Const) -> Option<Const> {
    if let (Const::Int(x), Const::Int(y)) = (a, b) {
        let r = match op {
            Arith::Add => x.checked_add(*y),
            Arith::Sub => x.checked_sub(*y),
            Arith::Mul => x.checked_mul(*y),
            _ => None,
        };
        if let Some(r) = r {
            return Some(Const::Int(r));
        }
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => x / y,
        Arith::Pow => x.powf(y),
    };
    Some(Const::Num(r))
}

fn hash_const(h: &mut Fnv, c: &Const) {
    match c {
        Const::Int(i) => {
            h.str("i");
            h.u64(*i as u64);
        }
        Const::Num(x) => {
            h.str("n");
            h.u64(x.to_bits());
        }
        Const::Bool(b) => h.str(if *b { "t" } else { "f" }),
        Const::Str(s) => {
            h.str("s");
            h.str(s);
        }
        Const::Algorithm(a) => {
            h.str("a");
            h.str(a);
        }
        Const::None => h.str("none"),
        Const::List(items) => {
            h.str("l");
            h.u64(items.len() as u64);
            for c in items {
                hash_const(h, c);
            }
        }
    }
}

/// FNV-1a, 64 bit: stable across runs, platforms and compiler versions,
/// which `std`'s `DefaultHasher` does not promise.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    pub fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}
