//! The front end: tokens, the parser and the syntax tree.

pub mod ast;

// Placeholder signatures until the parser lands (replaced by the syntax branch).
use crate::diagnostics::Diagnostic;
use crate::span::SourceId;

pub struct ParseResult {
    pub program: Option<ast::Program>,
    pub diagnostics: Vec<Diagnostic>,
    pub incomplete: bool,
}

pub fn parse(_src: SourceId, _text: &str) -> ParseResult {
    ParseResult {
        program: None,
        diagnostics: Vec::new(),
        incomplete: false,
    }
}

pub fn parse_repl(src: SourceId, text: &str) -> ParseResult {
    parse(src, text)
}
pub fn lex(_src: SourceId, _text: &str) -> (Vec<(u8, crate::span::Span)>, Vec<Diagnostic>) {
    (Vec::new(), Vec::new())
}
pub fn dump_tokens(_t: &[(u8, crate::span::Span)]) -> String {
    String::new()
}
pub fn dump_ast(_p: &ast::Program) -> String {
    String::new()
}
