//! The language features, each a function from a document (and a cursor)
//! to the protocol's answer: diagnostics, hover, completion,
//! go-to-definition, formatting and document symbols. They read the same
//! code the command line does: the checker (`driver::check_text`), the
//! registry's reference entries (`interp::doc`), the REPL's completer and
//! the formatter.

use super::analysis::{self, declared_name, Analysis, Locations, Meaning, Occurrence};
use super::documents::LineIndex;
use crate::diagnostics::{Diagnostic, Severity};
use crate::driver::{self, Checked, Settings};
use crate::interp::doc;
use crate::interp::Registry;
use crate::ir::signature::SignatureLookup;
use crate::repl::complete::complete_script;
use crate::span::{SourceId, Span};
use crate::syntax::ast::{Item, ItemKind};
use crate::syntax::{Keyword, Token};
use lsp_types as lsp;
use lsp_types::Url;
use std::collections::BTreeMap;
use std::path::Path;

/// A document under the name the checker gives it: its path for a file
/// (imports resolve relative to it), its URI otherwise.
pub fn source_name(uri: &Url) -> String {
    match uri.to_file_path() {
        Ok(p) if uri.scheme() == "file" => p.to_string_lossy().into_owned(),
        _ => uri.to_string(),
    }
}

/// Checks a document as `optimist check` would, and groups the
/// diagnostics by the URI of the source each points into (imported files
/// and standard modules included). The document's own URI is always
/// there, so that fixed errors are cleared.
pub fn check(
    uri: &Url,
    text: &str,
    registry: &Registry,
) -> (Checked, BTreeMap<Url, Vec<lsp::Diagnostic>>) {
    let name = source_name(uri);
    let checked = driver::check_text(&name, text, registry, &Settings::default());
    let locations = Locations {
        main_uri: uri,
        main_name: &name,
    };
    let mut out: BTreeMap<Url, Vec<lsp::Diagnostic>> = BTreeMap::new();
    out.insert(uri.clone(), Vec::new());
    for d in &checked.diagnostics {
        let anchor = d
            .primary_span()
            .or_else(|| d.labels.first().map(|l| l.span));
        let (target, range) = match anchor {
            Some(span) => match locations.uri(checked.sources.name(span.src)) {
                Some(u) => (u, span_range(&checked, span)),
                None => (uri.clone(), lsp::Range::default()),
            },
            // A diagnostic about no place in particular: the file's start.
            None => (uri.clone(), lsp::Range::default()),
        };
        let converted = convert(d, range, &checked, &locations);
        out.entry(target).or_default().push(converted);
    }
    (checked, out)
}

fn span_range(checked: &Checked, span: Span) -> lsp::Range {
    LineIndex::new(checked.sources.text(span.src)).range(span.start, span.end)
}

fn convert(
    d: &Diagnostic,
    range: lsp::Range,
    checked: &Checked,
    locations: &Locations<'_>,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if let Some(primary) = d.labels.iter().find(|l| l.primary) {
        if !primary.message.is_empty() {
            message.push_str(&format!(": {}", primary.message));
        }
    }
    for h in &d.hints {
        message.push_str(&format!("\nhelp: {h}"));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            let uri = locations.uri(checked.sources.name(l.span.src))?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri, span_range(checked, l.span)),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("optimist".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

/// The text of a hover: Markdown.
fn markdown(value: String, range: Option<lsp::Range>) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

fn code_block(text: &str) -> String {
    format!("```optimist\n{}\n```\n", text.trim_end())
}

/// Hover at byte `offset`: a builtin's or algorithm's reference entry, a
/// parameter's line, a keyword's use, or a declared name with its kind
/// (when the script checks) and its declaration.
pub fn hover(
    analysis: &Analysis,
    checked: Option<&Checked>,
    registry: &Registry,
    offset: usize,
) -> Option<lsp::Hover> {
    let text = analysis.sources.text(analysis.main);
    let index = LineIndex::new(text);
    let (tokens, _) = crate::syntax::lex(analysis.main, text);
    if let Some((Token::Keyword(k), span)) = tokens
        .iter()
        .find(|(_, s)| s.start <= offset && offset < s.end)
    {
        let value = format!(
            "{}\n\n{}",
            code_block(k.as_str()),
            crate::repl::commands::keyword_doc(*k)
        );
        return Some(markdown(value, Some(index.range(span.start, span.end))));
    }
    let occurrence = analysis.at(offset)?;
    let range = occurrence_span(&occurrence).map(|s| index.range(s.start, s.end));
    let meaning = analysis::meaning(analysis, registry, occurrence)?;
    let value = match meaning {
        Meaning::Builtin(sig) => {
            let mut v = code_block(&doc::builtin_heading(sig));
            v.push('\n');
            v.push_str(&doc::builtin_entry(sig));
            if let Some(i) = sig.algorithm_params {
                v.push_str(&format!(
                    "The `{}` argument is one of: {}.\n",
                    sig.params[i].name,
                    registry.algorithm_names().join(", ")
                ));
            }
            v
        }
        Meaning::Algorithm(a) => format!(
            "{}\nalgorithm, for {}\n\n{}",
            code_block(&a.usage()),
            a.families.describe(),
            doc::algorithm_entry(a)
        ),
        Meaning::Param(p) => format!("parameter {}", doc::param_line(p)),
        Meaning::DefParam { def, index } => {
            let ItemKind::Def { name, params, .. } = &def.kind else {
                return None;
            };
            let p = &params[index];
            let mut v = format!("parameter `{}` of def `{}`", p.name.name, name.name);
            if let Some(d) = &p.default {
                v.push_str(&format!(", default `{}`", analysis.sources.slice(d.span)));
            }
            v
        }
        Meaning::Global(item) => global_hover(analysis, checked, item)?,
        Meaning::Module(name, text) => {
            let about: Vec<&str> = text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .map(|l| l.trim_start_matches('#').trim())
                .collect();
            format!("standard module `std.{name}`\n\n{}", about.join(" "))
        }
        Meaning::File(path) => format!("script `{}`", path.display()),
    };
    Some(markdown(value, range))
}

fn occurrence_span(o: &Occurrence<'_>) -> Option<Span> {
    match o {
        Occurrence::Name { ident, .. }
        | Occurrence::Declared { ident, .. }
        | Occurrence::DefParam { ident, .. }
        | Occurrence::ArgName { ident, .. }
        | Occurrence::Field { ident } => Some(ident.span),
        Occurrence::Use(crate::syntax::ast::UseTarget::File { span, .. }) => Some(*span),
        Occurrence::Use(crate::syntax::ast::UseTarget::Module(path)) => path
            .first()
            .zip(path.last())
            .map(|(a, b)| a.span.to(b.span)),
    }
}

/// A declaration: its kind line (`let budgets : List[Num]`), where it
/// comes from, and its source text.
fn global_hover(analysis: &Analysis, checked: Option<&Checked>, item: &Item) -> Option<String> {
    let name = declared_name(item)?;
    let ir = checked.and_then(Checked::ir_so_far);
    let (keyword, kind) = match &item.kind {
        ItemKind::Param { .. } => (
            "param",
            ir.and_then(|ir| {
                let p = ir.params.iter().find(|p| p.name == name.name)?;
                Some(ir.node(p.node).kind.to_string())
            }),
        ),
        ItemKind::Decl { keyword, .. } => (
            keyword.as_str(),
            ir.and_then(|ir| {
                ir.decl(&name.name)
                    .map(|d| ir.node(d.node).kind.to_string())
            }),
        ),
        ItemKind::Def { .. } => (
            "def",
            Some("a def, expanded where it is called".to_string()),
        ),
        _ => return None,
    };
    let mut v = match kind {
        Some(k) => format!("{keyword} `{}` : {k}", name.name),
        None => format!("{keyword} `{}`", name.name),
    };
    if item.span.src != analysis.main {
        v.push_str(&format!(
            " — from `{}`",
            analysis.sources.name(item.span.src)
        ));
    }
    v.push_str("\n\n");
    let source: Vec<&str> = analysis.sources.slice(item.span).lines().take(12).collect();
    v.push_str(&code_block(&source.join("\n")));
    Some(v)
}

/// Completion at byte `offset`: the REPL's completer over the text before
/// the cursor, with the script's names and its folder for paths.
pub fn completion(
    analysis: &Analysis,
    registry: &Registry,
    offset: usize,
) -> Vec<lsp::CompletionItem> {
    let text = analysis.sources.text(analysis.main);
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let dir = Path::new(analysis.sources.name(analysis.main))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let names = analysis.session_names();
    let (start, candidates) = complete_script(text, offset, registry, &names, &dir);
    let index = LineIndex::new(text);
    let range = index.range(start.min(offset), offset);
    let in_string =
        text[..start.min(offset)].ends_with('"') || text[..start.min(offset)].ends_with('/');
    candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let bare = c.replacement.trim_end_matches(['(', '=', ' ']);
            let (kind, detail) = if in_string {
                (lsp::CompletionItemKind::FILE, None)
            } else if c.replacement.starts_with("std.") {
                (lsp::CompletionItemKind::MODULE, None)
            } else if c.replacement.ends_with('=') {
                (
                    lsp::CompletionItemKind::PROPERTY,
                    Some("named argument".to_string()),
                )
            } else if c.replacement.ends_with(' ') && Keyword::from_word(bare).is_some() {
                (lsp::CompletionItemKind::KEYWORD, None)
            } else if let Some(sig) = registry.get(bare).map(|b| &b.sig) {
                (
                    lsp::CompletionItemKind::FUNCTION,
                    Some(doc::builtin_heading(sig)),
                )
            } else if let Some(a) = registry.algorithm(bare) {
                (lsp::CompletionItemKind::ENUM_MEMBER, Some(a.usage()))
            } else if c.replacement.ends_with('(') {
                (lsp::CompletionItemKind::FUNCTION, Some("def".to_string()))
            } else {
                (lsp::CompletionItemKind::VARIABLE, None)
            };
            lsp::CompletionItem {
                label: c.display.clone(),
                kind: Some(kind),
                detail,
                sort_text: Some(format!("{i:05}")),
                filter_text: Some(c.replacement.clone()),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range,
                    c.replacement,
                ))),
                ..lsp::CompletionItem::default()
            }
        })
        .collect()
}

/// Where what is at byte `offset` is declared: a name's declaration (in
/// this script, an imported file or a standard module), a def's parameter,
/// the file or module a `use` brings in.
pub fn definition(
    analysis: &Analysis,
    registry: &Registry,
    locations: &Locations<'_>,
    offset: usize,
) -> Option<lsp::Location> {
    let occurrence = analysis.at(offset)?;
    let span_location = |span: Span| {
        let uri = locations.uri(analysis.sources.name(span.src))?;
        let index = LineIndex::new(analysis.sources.text(span.src));
        Some(lsp::Location::new(uri, index.range(span.start, span.end)))
    };
    match analysis::meaning(analysis, registry, occurrence)? {
        Meaning::DefParam { def, index } => match &def.kind {
            ItemKind::Def { params, .. } => span_location(params.get(index)?.name.span),
            _ => None,
        },
        Meaning::Global(item) => span_location(declared_name(item)?.span),
        Meaning::Module(name, text) => {
            let path = analysis::std_copy(name, text)?;
            Some(lsp::Location::new(
                Url::from_file_path(path).ok()?,
                lsp::Range::default(),
            ))
        }
        Meaning::File(path) => Some(lsp::Location::new(
            analysis::file_uri(&path)?,
            lsp::Range::default(),
        )),
        Meaning::Builtin(_) | Meaning::Algorithm(_) | Meaning::Param(_) => None,
    }
}

/// The formatter's layout as one edit of the whole document; `None` when
/// the document has syntax errors (a broken file is never rewritten).
pub fn formatting(text: &str) -> Option<Vec<lsp::TextEdit>> {
    let formatted = crate::fmt::format_source(SourceId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![lsp::TextEdit::new(
        LineIndex::new(text).full_range(),
        formatted,
    )])
}

/// The script's declarations, a def with its parameters inside.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
pub fn symbols(analysis: &Analysis) -> Vec<lsp::DocumentSymbol> {
    let text = analysis.sources.text(analysis.main);
    let index = LineIndex::new(text);
    let symbol = |name: &str, detail: &str, kind, span: Span, selection: Span, children| {
        lsp::DocumentSymbol {
            name: name.to_string(),
            detail: Some(detail.to_string()),
            kind,
            tags: None,
            deprecated: None,
            range: index.range(span.start, span.end),
            selection_range: index.range(selection.start, selection.end),
            children,
        }
    };
    analysis
        .main_items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Param { name, .. } => Some(symbol(
                &name.name,
                "param",
                lsp::SymbolKind::CONSTANT,
                item.span,
                name.span,
                None,
            )),
            ItemKind::Decl { keyword, name, .. } => Some(symbol(
                &name.name,
                keyword.as_str(),
                lsp::SymbolKind::VARIABLE,
                item.span,
                name.span,
                None,
            )),
            ItemKind::Def { name, params, .. } => {
                let children = params
                    .iter()
                    .map(|p| {
                        symbol(
                            &p.name.name,
                            "parameter",
                            lsp::SymbolKind::VARIABLE,
                            p.name.span,
                            p.name.span,
                            None,
                        )
                    })
                    .collect();
                Some(symbol(
                    &name.name,
                    "def",
                    lsp::SymbolKind::FUNCTION,
                    item.span,
                    name.span,
                    Some(children),
                ))
            }
            _ => None,
        })
        .filter(|s| !s.name.is_empty())
        .collect()
}
