//! The pre-scan and the context the grammar works in.
//!
//! Chumsky's grammar recurses once per nesting level: per bracket, prefix
//! minus, right-associative `^` and climb in precedence. Before it runs,
//! [`too_deep`] walks the tokens once, counting those levels as a
//! shunting-yard would, and finds where they first reach [`MAX_DEPTH`]; the
//! parser only sees the input up to there, so no input can make it recurse
//! without bound.
//!
//! [`Nest`] is the parser's context (chumsky's `Context`): the brackets it
//! is inside. Whether an item keyword starts an item depends on it (inside
//! brackets, a keyword followed by `,`, a closer, `=` or `.` is taken for a
//! name written by mistake, as in `f(model, data=d)`), and so does whether a
//! closing bracket belongs to an enclosing bracket (so that `f([1, 2)`
//! reports the `[` as unclosed and lets the call take its `)`). [`Cx`] holds
//! the tokens and answers those questions for the grammar's lookaheads and
//! for the wording of errors.

use super::{MAX_CHAIN, MAX_DEPTH};
use crate::span::{SourceId, Span};
use crate::syntax::lexer::{Keyword, Token};
use crate::syntax::precedence::{NEG, PIPE, POWER, PRODUCT, SUM};

/// Operators as (left, right) binding powers, as in precedence climbing:
/// an operator pending with right power `r` keeps a following operator with
/// left power `l` inside its operand when `l >= r`. The levels are the
/// grammar's (`syntax::precedence`), doubled so that associativity can
/// break ties: a left-associative operator's right side binds one step
/// tighter than its left, a right-associative one's one step looser.
fn binding_power(token: &Token) -> Option<(u16, u16)> {
    let (level, right_assoc) = match token {
        Token::Pipe => (PIPE, false),
        Token::Plus | Token::Minus => (SUM, false),
        Token::Star | Token::Slash => (PRODUCT, false),
        Token::Caret => (POWER, true),
        _ => return None,
    };
    let left = 2 * level - 1;
    Some(if right_assoc {
        (left, left - 1)
    } else {
        (left, left + 1)
    })
}

/// Unary minus parses its operand at this power: looser than `^`, tighter than `*`.
const PREFIX_POWER: u16 = 2 * NEG - 1;

/// Whether a value can end with this token, so that a `-` after it is binary.
pub(super) fn ends_value(token: &Token) -> bool {
    matches!(
        token,
        Token::Int(_)
            | Token::Num(_)
            | Token::Str(_)
            | Token::Ident(_)
            | Token::Keyword(Keyword::True | Keyword::False)
            | Token::RParen
            | Token::RBracket
            | Token::Error
    )
}

/// One open bracket (or the top level, without a closer) and the operators
/// waiting for their right operand inside it.
struct Frame {
    closer: Option<Token>,
    pending: Vec<u16>,
    /// Chain links (operators, field accesses, calls and indexing) in the
    /// current element (since the opener or the last `,`): each puts the
    /// element's tree one level deeper.
    links: usize,
    /// The deepest tree of a bracket closed inside the current element.
    child: usize,
    /// The deepest element before the last `,`.
    done: usize,
}

impl Frame {
    fn new(closer: Option<Token>) -> Frame {
        Frame {
            closer,
            pending: Vec::new(),
            links: 0,
            child: 0,
            done: 0,
        }
    }

    /// How deep the tree built in this bracket is so far (at least).
    fn depth(&self) -> usize {
        self.done.max(self.links + self.child) + 1
    }
}

/// Why the pre-scan cut the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cut {
    /// Nesting reached [`MAX_DEPTH`] (the parser's recursion).
    Deep,
    /// The syntax tree would reach [`MAX_CHAIN`] levels (every later
    /// stage's recursion): a chain such as `1 + 1 + …` or `x |> f |> …`.
    Long,
}

/// The first token at which nesting reaches [`MAX_DEPTH`] or the syntax
/// tree [`MAX_CHAIN`] levels, if any.
///
/// Operators, unary minus and brackets pending in the parser are counted
/// as a shunting-yard would. The tree's depth is bounded from above as the
/// tokens go by: within one element of a bracket (or an item's top level),
/// every chain link adds a level on top of the deepest bracket closed in
/// it; a bracket is one level more than its deepest element. Those bounds
/// summed over the open brackets are the deepest the tree can be so far.
pub(super) fn too_deep(tokens: &[(Token, Span)]) -> Option<(usize, Cut)> {
    let mut frames = vec![Frame::new(None)];
    let mut pending_total = 0usize;
    let mut chain_total = 1usize;
    for (i, (token, _)) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|(t, _)| t);
        let after_value = i.checked_sub(1).is_some_and(|p| ends_value(&tokens[p].0));
        let top = frames.len() - 1;
        match token {
            // A new item: nothing is pending any more. (Inside brackets, a
            // keyword in a name's position is a name, as for the parser.)
            Token::Keyword(k)
                if k.starts_item() && !(top > 0 && next.is_some_and(in_name_position)) =>
            {
                frames.truncate(1);
                frames[0] = Frame::new(None);
                pending_total = 0;
                chain_total = 1;
            }
            Token::LParen | Token::LBracket => {
                if after_value {
                    // A call or an index: one more link of the chain.
                    frames[top].links += 1;
                    chain_total += 1;
                }
                frames.push(Frame::new(Some(closer_of(token))));
                chain_total += 1;
            }
            Token::RParen | Token::RBracket => {
                if let Some(at) = frames
                    .iter()
                    .rposition(|f| f.closer.as_ref() == Some(token))
                {
                    let mut closed = 0;
                    for mut frame in frames.drain(at..).rev() {
                        pending_total -= frame.pending.len();
                        chain_total -= frame.depth();
                        frame.child = frame.child.max(closed);
                        closed = frame.depth();
                    }
                    // `at > 0`: the top level has no closer.
                    let parent = &mut frames[at - 1];
                    chain_total -= parent.depth();
                    parent.child = parent.child.max(closed);
                    chain_total += parent.depth();
                }
            }
            Token::Comma => {
                let frame = &mut frames[top];
                pending_total -= frame.pending.len();
                frame.pending.clear();
                chain_total -= frame.depth();
                frame.done = frame.done.max(frame.links + frame.child);
                frame.links = 0;
                frame.child = 0;
                chain_total += frame.depth();
            }
            Token::Minus if !after_value => {
                frames[top].pending.push(PREFIX_POWER);
                pending_total += 1;
                link(&mut frames[top], &mut chain_total);
            }
            Token::Dot => link(&mut frames[top], &mut chain_total),
            _ => {
                if let Some((left, right)) = binding_power(token) {
                    let pending = &mut frames[top].pending;
                    while pending.last().is_some_and(|&r| r > left) {
                        pending.pop();
                        pending_total -= 1;
                    }
                    pending.push(right);
                    pending_total += 1;
                    link(&mut frames[top], &mut chain_total);
                }
            }
        }
        if frames.len() - 1 + pending_total >= MAX_DEPTH {
            return Some((i, Cut::Deep));
        }
        if chain_total >= MAX_CHAIN {
            return Some((i, Cut::Long));
        }
    }
    None
}

/// One more link in the innermost bracket's current element.
fn link(frame: &mut Frame, chain_total: &mut usize) {
    *chain_total -= frame.depth();
    frame.links += 1;
    *chain_total += frame.depth();
}

fn closer_of(opener: &Token) -> Token {
    if *opener == Token::LBracket {
        Token::RBracket
    } else {
        Token::RParen
    }
}

/// Whether a keyword followed by this token, inside brackets, is in a
/// name's position rather than starting an item.
fn in_name_position(next: &Token) -> bool {
    matches!(
        next,
        Token::Comma | Token::RParen | Token::RBracket | Token::Eq | Token::Dot
    )
}

/// What a bracket holds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) enum Bracket {
    /// None: the top level of an item.
    #[default]
    Top,
    /// `(e)`
    Group,
    /// `v[e]`
    Index,
    /// A list, call arguments or `def` parameters.
    List,
}

/// The brackets the parser is inside: a bit per level, set for `[`, and
/// what the innermost one holds. The depth saturates far beyond
/// [`MAX_DEPTH`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Nest {
    depth: u8,
    brackets: u128,
    pub innermost: Bracket,
}

impl Nest {
    /// Inside one more bracket, holding `kind` and closed by `closer`.
    pub fn push(self, closer: &Token, kind: Bracket) -> Nest {
        if self.depth >= 127 {
            return Nest {
                innermost: kind,
                ..self
            };
        }
        let bit = u128::from(*closer == Token::RBracket) << self.depth;
        Nest {
            depth: self.depth + 1,
            brackets: self.brackets | bit,
            innermost: kind,
        }
    }

    pub fn inside(self) -> bool {
        self.depth > 0
    }

    /// Whether `closer` closes a bracket enclosing the innermost one.
    fn closes_outer(self, closer: &Token) -> bool {
        let want = u128::from(*closer == Token::RBracket);
        (0..self.depth.saturating_sub(1)).any(|level| (self.brackets >> level) & 1 == want)
    }
}

/// The tokens being parsed (cut short when nesting is too deep), and the
/// questions the grammar's lookaheads and the error wording ask of them.
pub(super) struct Cx<'a> {
    pub src: SourceId,
    pub text: &'a str,
    pub tokens: &'a [(Token, Span)],
}

impl<'a> Cx<'a> {
    pub fn token(&self, i: usize) -> Option<&'a Token> {
        self.tokens.get(i).map(|(t, _)| t)
    }

    pub fn at_end(&self, i: usize) -> bool {
        i >= self.tokens.len()
    }

    /// The span of token `i`, or the end of the input.
    pub fn span(&self, i: usize) -> Span {
        match self.tokens.get(i) {
            Some((_, span)) => *span,
            None => self.gap_before(i),
        }
    }

    /// The empty span just after the token before `i`: where something
    /// missing would have been.
    pub fn gap_before(&self, i: usize) -> Span {
        let end = i
            .checked_sub(1)
            .and_then(|p| self.tokens.get(p))
            .map_or(0, |(_, s)| s.end);
        Span::new(self.src, end..end)
    }

    /// The index of the token starting at byte `offset` (the token count
    /// for the end).
    pub fn index_at(&self, offset: usize) -> usize {
        self.tokens.partition_point(|(_, s)| s.start < offset)
    }

    /// Whether token `i` starts an item, inside `nest`.
    pub fn starts_item(&self, i: usize, nest: Nest) -> bool {
        matches!(self.token(i), Some(Token::Keyword(k)) if k.starts_item())
            && !(nest.inside() && self.token(i + 1).is_some_and(in_name_position))
    }

    /// Whether token `i` ends the innermost bracket of `nest`, closed by
    /// `closer`, without closing it: the end of the input, a new item, or a
    /// closer of an enclosing bracket. The bracket is then unclosed.
    pub fn stops(&self, i: usize, closer: &Token, nest: Nest) -> bool {
        match self.token(i) {
            None => true,
            Some(t) if t == closer => false,
            Some(t @ (Token::RParen | Token::RBracket)) => nest.closes_outer(t),
            Some(_) => self.starts_item(i, nest),
        }
    }

    /// Where to point when something is missing before token `i`: at the
    /// token itself, or, when the input ends or a new item begins there (so
    /// the current one is merely unfinished), just after the token before.
    pub fn blame(&self, i: usize, nest: Nest) -> Span {
        if self.at_end(i) || self.starts_item(i, nest) {
            self.gap_before(i)
        } else {
            self.span(i)
        }
    }

    /// How a message refers to token `i`.
    pub fn found(&self, i: usize) -> String {
        match self.token(i) {
            Some(token) => token.describe(),
            None => "end of input".to_string(),
        }
    }
}
