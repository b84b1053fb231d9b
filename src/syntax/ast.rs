//! The abstract syntax tree: what the parser produces and the lowering in
//! `ir/` consumes. Every node carries the [`Span`] of the text it came from.
//!
//! The tree is deliberately close to the surface syntax (the pipe is kept as
//! its own node, for example): desugaring happens in `ir/`, where the
//! diagnostics that need it can still point at what the user wrote.

use crate::span::Span;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    /// Whether the parser made this name up while recovering from an error
    /// it already reported: empty where a name was missing, or a keyword
    /// written where a name belongs (E0007). Later stages say nothing more
    /// about it: one mistake, one diagnostic.
    pub fn is_placeholder(&self) -> bool {
        self.name.is_empty() || crate::syntax::Keyword::from_word(&self.name).is_some()
    }
}

/// A whole file (or REPL line): its items in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

/// The keyword of a declaration; it states the kind the value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclKeyword {
    Let,
    Objective,
    Dataset,
    Model,
    Pipeline,
}

impl DeclKeyword {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclKeyword::Let => "let",
            DeclKeyword::Objective => "objective",
            DeclKeyword::Dataset => "dataset",
            DeclKeyword::Model => "model",
            DeclKeyword::Pipeline => "pipeline",
        }
    }
}

/// What `use` brings in.
#[derive(Clone, Debug, PartialEq)]
pub enum UseTarget {
    /// `use std.games`: the dotted path, `std` included.
    Module(Vec<Ident>),
    /// `use "lib/mine.opt"`: a file relative to the importing script.
    File { path: String, span: Span },
}

/// One parameter of a `def`, optionally with a default.
#[derive(Clone, Debug, PartialEq)]
pub struct DefParam {
    pub name: Ident,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Use(UseTarget),
    /// `param NAME = expr`
    Param {
        name: Ident,
        value: Expr,
    },
    /// `let|objective|dataset|model|pipeline NAME = expr`
    Decl {
        keyword: DeclKeyword,
        keyword_span: Span,
        name: Ident,
        value: Expr,
    },
    /// `def NAME(a, b=1) = expr`
    Def {
        name: Ident,
        params: Vec<DefParam>,
        body: Expr,
    },
    /// `report expr`
    Report {
        value: Expr,
    },
    /// `plot expr to "file.svg"`
    Plot {
        value: Expr,
        to: Expr,
    },
    /// `save expr to "file"`
    Save {
        value: Expr,
        to: Expr,
    },
    /// A bare expression: only produced for REPL input.
    Expr(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// One argument of a call: positional (`name == None`) or named (`k=v`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal (`3`): kind `Int`, usable wherever `Num` is.
    Int(i64),
    /// A number with a fraction or exponent (`0.5`, `1e-3`): kind `Num`.
    Num(f64),
    Str(String),
    Bool(bool),
    Name(Ident),
    List(Vec<Expr>),
    /// `f(a, b, k=v)`: positional arguments come before named ones (the
    /// parser reports a misplaced positional argument but keeps the call).
    Call {
        callee: Ident,
        args: Vec<Arg>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `v[i]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `r.score`
    Field {
        target: Box<Expr>,
        field: Ident,
    },
    /// `lhs |> rhs`: argument insertion, desugared in `ir/`.
    Pipe {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Placeholder the parser leaves where it recovered from an error.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
}
