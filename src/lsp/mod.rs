//! `optimist lsp`: the Language Server Protocol over standard input and
//! output, on the `lsp-server` crate's connection (framing, JSON-RPC and
//! the initialize/shutdown handshakes) and `lsp-types`' messages.
//!
//! One thread handles one message at a time: a document is checked again
//! on every open, change and save, and its diagnostics are published for
//! the URI of the source each points into (the document, a `use`d file, a
//! standard module's read-only copy). Requests are answered from the
//! document's text as the editor has it. The features are in
//! [`features`]; positions are converted in [`documents`]; what a name
//! means is found in [`analysis`].
//!
//! A request never takes the server down: each handler runs under
//! `catch_unwind` as a last resort, and a panic becomes an error response.

pub mod analysis;
pub mod documents;
pub mod features;

use crate::driver::Checked;
use crate::interp::Registry;
use analysis::{Analysis, Locations};
use documents::{Documents, LineIndex};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::Url;
use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves until the client says `shutdown` then `exit` (status 0) or the
/// connection ends without a shutdown (status 1, as the protocol asks).
pub fn run(registry: &Registry) -> u8 {
    match serve(registry) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: the language server stopped: {e}");
            1
        }
    }
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(
                ["(", ",", ".", "\"", "/"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            ..lsp::CompletionOptions::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        ..lsp::ServerCapabilities::default()
    }
}

fn serve(registry: &Registry) -> Result<u8, Error> {
    let (connection, io_threads) = Connection::stdio();
    let (id, _params) = connection.initialize_start()?;
    let init = lsp::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "optimist".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(init)?)?;
    let mut server = Server {
        registry,
        documents: Documents::default(),
        checked: HashMap::new(),
        published: HashMap::new(),
    };
    let code = server.main_loop(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(code)
}

struct Server<'r> {
    registry: &'r Registry,
    documents: Documents,
    /// Each open document's last check (kinds for hover).
    checked: HashMap<Url, Checked>,
    /// For each open document, the URIs its last check published to.
    published: HashMap<Url, BTreeSet<Url>>,
}

impl Server<'_> {
    fn main_loop(&mut self, connection: &Connection) -> Result<u8, Error> {
        for message in &connection.receiver {
            match message {
                Message::Request(request) => {
                    if connection.handle_shutdown(&request)? {
                        return Ok(0);
                    }
                    let id = request.id.clone();
                    let response = catch_unwind(AssertUnwindSafe(|| self.request(request)))
                        .unwrap_or_else(|_| {
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                "the request failed inside the server".to_string(),
                            )
                        });
                    connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(n) => {
                    if n.method == lsp::notification::Exit::METHOD {
                        // `exit` before `shutdown`.
                        return Ok(1);
                    }
                    let method = n.method.clone();
                    match catch_unwind(AssertUnwindSafe(|| self.notification(n))) {
                        Ok(out) => {
                            for m in out {
                                connection.sender.send(m)?;
                            }
                        }
                        Err(_) => eprintln!("error: handling `{method}` failed"),
                    }
                }
                Message::Response(_) => {}
            }
        }
        Ok(1)
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        use lsp::notification::{
            DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                let doc = p.text_document;
                self.documents.open(doc.uri.clone(), doc.text, doc.version);
                self.check(&doc.uri)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(doc) = self.documents.get_mut(&uri) else {
                    return Vec::new();
                };
                doc.apply(p.content_changes, p.text_document.version);
                self.check(&uri)
            }
            DidSaveTextDocument::METHOD => {
                // Files this one imports may have changed on disk; and
                // other open documents may import this one.
                let uris: Vec<Url> = self.checked.keys().cloned().collect();
                uris.iter().flat_map(|u| self.check(u)).collect()
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                self.documents.close(&uri);
                self.checked.remove(&uri);
                self.published
                    .remove(&uri)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|u| publish(u, Vec::new(), None))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Checks an open document and publishes its diagnostics, clearing
    /// those of sources it no longer reports on.
    fn check(&mut self, uri: &Url) -> Vec<Message> {
        let Some(doc) = self.documents.get(uri) else {
            return Vec::new();
        };
        let version = doc.version;
        let (checked, by_uri) = features::check(uri, &doc.text, self.registry);
        self.checked.insert(uri.clone(), checked);
        let now: BTreeSet<Url> = by_uri.keys().cloned().collect();
        let before = self.published.insert(uri.clone(), now.clone());
        let mut out: Vec<Message> = by_uri
            .into_iter()
            .map(|(u, diags)| {
                let v = (&u == uri).then_some(version);
                publish(u, diags, v)
            })
            .collect();
        for stale in before.unwrap_or_default().difference(&now) {
            out.push(publish(stale.clone(), Vec::new(), None));
        }
        out
    }

    fn request(&mut self, request: Request) -> Response {
        use lsp::request::{
            Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
        };
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.at_position(request, |s, a, offset, uri| {
                features::hover(a, s.checked.get(uri), s.registry, offset)
            }),
            Completion::METHOD => self.at_position(request, |s, a, offset, _| {
                Some(lsp::CompletionResponse::Array(features::completion(
                    a, s.registry, offset,
                )))
            }),
            GotoDefinition::METHOD => self.at_position(request, |s, a, offset, uri| {
                let name = a.sources.name(a.main).to_string();
                let locations = Locations {
                    main_uri: uri,
                    main_name: &name,
                };
                features::definition(a, s.registry, &locations, offset)
                    .map(lsp::GotoDefinitionResponse::Scalar)
            }),
            Formatting::METHOD => {
                match serde_json::from_value::<lsp::DocumentFormattingParams>(request.params) {
                    Ok(p) => Ok(serde_json::to_value(
                        self.documents
                            .get(&p.text_document.uri)
                            .and_then(|d| features::formatting(&d.text)),
                    )),
                    Err(e) => Err(e),
                }
            }
            DocumentSymbolRequest::METHOD => {
                match serde_json::from_value::<lsp::DocumentSymbolParams>(request.params) {
                    Ok(p) => Ok(serde_json::to_value(
                        self.documents.get(&p.text_document.uri).map(|d| {
                            let a = Analysis::new(
                                &features::source_name(&p.text_document.uri),
                                &d.text,
                            );
                            lsp::DocumentSymbolResponse::Nested(features::symbols(&a))
                        }),
                    )),
                    Err(e) => Err(e),
                }
            }
            other => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("`{other}` is not supported"),
                )
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// A request about a position in an open document: `f` gets the
    /// document's analysis and the byte offset of the position. A document
    /// that is not open answers `null`.
    fn at_position<T: serde::Serialize>(
        &self,
        request: Request,
        f: impl FnOnce(&Self, &Analysis, usize, &Url) -> Option<T>,
    ) -> Result<serde_json::Result<serde_json::Value>, serde_json::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct At {
            text_document: lsp::TextDocumentIdentifier,
            position: lsp::Position,
        }
        let at: At = serde_json::from_value(request.params)?;
        let uri = at.text_document.uri;
        let Some(doc) = self.documents.get(&uri) else {
            return Ok(Ok(serde_json::Value::Null));
        };
        let offset = LineIndex::new(&doc.text).offset(at.position);
        let analysis = Analysis::new(&features::source_name(&uri), &doc.text);
        Ok(serde_json::to_value(f(self, &analysis, offset, &uri)))
    }
}

fn publish(uri: Url, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        lsp::notification::PublishDiagnostics::METHOD.to_string(),
        lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}
