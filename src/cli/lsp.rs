//! `tier lsp`: a language server over standard input and output.
//!
//! The protocol (JSON-RPC framing, initialize/shutdown) is `lsp-server`'s, the message types
//! `lsp-types`'s; every answer comes from the library's [`tier::ide::Analysis`], which is the
//! parser's and the checker's results for one version of a document. This file only converts
//! between the two. Standard output is the protocol channel: nothing here prints to it.
//!
//! Documents are synchronised in full. A change is analysed once the typing pauses
//! ([`DEBOUNCE`] without a newer change); opening or saving a document, and any request about
//! it, analyse it at once.

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Rename, Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionParams,
    CompletionResponse, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentFormattingParams,
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeResult, Location, MarkupContent, MarkupKind, NumberOrString, OneOf, Position,
    PublishDiagnosticsParams, Range, ReferenceParams, RenameOptions, RenameParams, SemanticToken,
    SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensFullOptions,
    SemanticTokensLegend, SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit,
    Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tier::diagnostic::Severity;
use tier::ide::{Analysis, CompletionKind, SymbolKind, TokenKind};
use tier::source::Span;

/// How long typing must pause before a changed document is checked again.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Runs the server until the client says `exit`. Returns the exit code.
pub fn serve() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let ok = match run(&connection) {
        Ok(()) => true,
        Err(e) => {
            super::stdio::err(&format!("tier lsp: {e}\n"));
            false
        }
    };
    drop(connection);
    let joined = io_threads.join().is_ok();
    if ok && joined {
        super::EXIT_OK
    } else {
        super::EXIT_FAILED
    }
}

/// One open document: its latest text, and the analysis of the latest text that was checked.
struct Document {
    text: String,
    analysis: Analysis,
    /// When the latest text is due to be checked (a change not yet analysed).
    due: Option<Instant>,
}

struct Server<'c> {
    connection: &'c Connection,
    documents: HashMap<Uri, Document>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn run(connection: &Connection) -> Result<(), Failure> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![" ".into(), ".".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TokenKind::ALL.iter().map(|k| token_type(*k)).collect(),
                    token_modifiers: vec![SemanticTokenModifier::DECLARATION],
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            }
            .into(),
        ),
        ..Default::default()
    };
    let result = InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "tier".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server {
        connection,
        documents: HashMap::new(),
    };
    loop {
        let next_due = server.documents.values().filter_map(|d| d.due).min();
        let message = match next_due {
            None => match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            },
            Some(due) => {
                let wait = due.saturating_duration_since(Instant::now());
                match connection.receiver.recv_timeout(wait) {
                    Ok(m) => m,
                    Err(e) if e.is_timeout() => {
                        server.check_due()?;
                        continue;
                    }
                    Err(_) => return Ok(()),
                }
            }
        };
        match message {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let response = server.request(req);
                connection.sender.send(response.into())?;
            }
            Message::Notification(n) => server.notification(n)?,
            Message::Response(_) => {}
        }
    }
}

impl Server<'_> {
    fn notification(&mut self, n: Notification) -> Result<(), Failure> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let analysis = Analysis::new(&display_name(&uri), &p.text_document.text, None);
                let doc = Document {
                    text: p.text_document.text,
                    analysis,
                    due: None,
                };
                self.documents.insert(uri.clone(), doc);
                self.publish(&uri)?;
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                if let Some(doc) = self.documents.get_mut(&p.text_document.uri) {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        doc.text = change.text;
                        doc.due = Some(Instant::now() + DEBOUNCE);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    if let Some(text) = p.text {
                        doc.text = text;
                    }
                    doc.due = Some(Instant::now());
                }
                self.check_due()?;
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.documents.remove(&p.text_document.uri);
                // Closed: its diagnostics go away with it.
                let params = PublishDiagnosticsParams {
                    uri: p.text_document.uri,
                    diagnostics: Vec::new(),
                    version: None,
                };
                self.notify::<PublishDiagnostics>(params)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks the documents whose pause is over, and publishes their diagnostics.
    fn check_due(&mut self) -> Result<(), Failure> {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .documents
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|t| t <= now))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.refresh(&uri)?;
        }
        Ok(())
    }

    /// Analyses the latest text of a document if it has not been yet, and publishes its
    /// diagnostics (a request about a document ends its pause early).
    fn refresh(&mut self, uri: &Uri) -> Result<(), Failure> {
        let Some(doc) = self.documents.get_mut(uri) else {
            return Ok(());
        };
        if doc.due.take().is_some() {
            doc.analysis = Analysis::new(&display_name(uri), &doc.text, Some(&doc.analysis));
            self.publish(uri)?;
        }
        Ok(())
    }

    fn notify<N: lsp_types::notification::Notification>(
        &self,
        params: N::Params,
    ) -> Result<(), Failure> {
        let n = Notification::new(N::METHOD.to_string(), params);
        self.connection.sender.send(n.into())?;
        Ok(())
    }

    fn publish(&self, uri: &Uri) -> Result<(), Failure> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: diagnostics(uri, &doc.analysis),
            version: None,
        };
        self.notify::<PublishDiagnostics>(params)
    }

    /// The up-to-date analysis of a document (a pending change is analysed first).
    fn analysis(&mut self, uri: &Uri) -> Option<&Analysis> {
        // Publishing fails only when the client has gone; the loop ends on its next receive.
        let _ = self.refresh(uri);
        self.documents.get(uri).map(|d| &d.analysis)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err(Answer::Refused(message)) => {
                Response::new_err(id, ErrorCode::RequestFailed as i32, message)
            }
            Err(Answer::Invalid(message)) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, message)
            }
            Err(Answer::Unknown(method)) => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("tier lsp does not answer `{method}`"),
            ),
        }
    }

    fn answer(&mut self, req: Request) -> Result<serde_json::Value, Answer> {
        fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, Answer> {
            serde_json::from_value(req.params).map_err(|e| Answer::Invalid(e.to_string()))
        }
        let json = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| Answer::Invalid(e.to_string()))
        };
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: HoverParams = params(req)?;
                let (uri, pos) = (
                    p.text_document_position_params.text_document.uri,
                    p.text_document_position_params.position,
                );
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let hover = a.hover(offset(a, pos)).map(|(span, text)| Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: Some(range(a, span)),
                });
                json(serde_json::to_value(hover))
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = params(req)?;
                let (uri, pos) = (
                    p.text_document_position_params.text_document.uri,
                    p.text_document_position_params.position,
                );
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let def = a.definition(offset(a, pos)).map(|span| {
                    GotoDefinitionResponse::Scalar(Location {
                        uri: uri.clone(),
                        range: range(a, span),
                    })
                });
                json(serde_json::to_value(def))
            }
            References::METHOD => {
                let p: ReferenceParams = params(req)?;
                let (uri, pos) = (
                    p.text_document_position.text_document.uri,
                    p.text_document_position.position,
                );
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let locations: Vec<Location> = a
                    .references(offset(a, pos), p.context.include_declaration)
                    .into_iter()
                    .map(|span| Location {
                        uri: uri.clone(),
                        range: range(a, span),
                    })
                    .collect();
                json(serde_json::to_value(locations))
            }
            Rename::METHOD => {
                let p: RenameParams = params(req)?;
                let (uri, pos) = (
                    p.text_document_position.text_document.uri,
                    p.text_document_position.position,
                );
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let spans = a
                    .rename(offset(a, pos), &p.new_name)
                    .map_err(Answer::Refused)?;
                let edits = spans
                    .into_iter()
                    .map(|span| TextEdit {
                        range: range(a, span),
                        new_text: p.new_name.clone(),
                    })
                    .collect();
                let edit = WorkspaceEdit {
                    changes: Some(HashMap::from([(uri, edits)])),
                    ..Default::default()
                };
                json(serde_json::to_value(edit))
            }
            Completion::METHOD => {
                let p: CompletionParams = params(req)?;
                let (uri, pos) = (
                    p.text_document_position.text_document.uri,
                    p.text_document_position.position,
                );
                // Completion reads the text as typed, even before the pause is over.
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let items: Vec<CompletionItem> = a
                    .completions(offset(a, pos))
                    .into_iter()
                    .map(|c| CompletionItem {
                        label: c.label,
                        kind: Some(completion_kind(c.kind)),
                        detail: Some(c.detail),
                        ..Default::default()
                    })
                    .collect();
                json(serde_json::to_value(CompletionResponse::Array(items)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: DocumentSymbolParams = params(req)?;
                let Some(a) = self.analysis(&p.text_document.uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let symbols = a.symbols().iter().map(|s| symbol(a, s)).collect();
                json(serde_json::to_value(DocumentSymbolResponse::Nested(
                    symbols,
                )))
            }
            Formatting::METHOD => {
                let p: DocumentFormattingParams = params(req)?;
                let Some(a) = self.analysis(&p.text_document.uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let edits = a.format().filter(|f| f != a.text()).map(|formatted| {
                    vec![TextEdit {
                        range: range(a, Span::new(0, a.text().len())),
                        new_text: formatted,
                    }]
                });
                json(serde_json::to_value(edits.unwrap_or_default()))
            }
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = params(req)?;
                let uri = p.text_document.uri;
                let Some(a) = self.analysis(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let (lo, hi) = (offset(a, p.range.start), offset(a, p.range.end));
                let all = diagnostics(&uri, a);
                let actions: Vec<CodeActionOrCommand> = a
                    .fixes()
                    .into_iter()
                    .filter(|f| {
                        // The fix's edit or the diagnostic it fixes is in the asked range.
                        let d = a.diagnostics[f.diagnostic].span().unwrap_or(f.span);
                        [f.span, d].iter().any(|s| s.start <= hi && lo <= s.end)
                    })
                    .map(|f| {
                        let edit = TextEdit {
                            range: range(a, f.span),
                            new_text: f.replacement,
                        };
                        CodeActionOrCommand::CodeAction(CodeAction {
                            title: f.title,
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: all.get(f.diagnostic).cloned().map(|d| vec![d]),
                            edit: Some(WorkspaceEdit {
                                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                                ..Default::default()
                            }),
                            is_preferred: Some(true),
                            ..Default::default()
                        })
                    })
                    .collect();
                json(serde_json::to_value(actions))
            }
            SemanticTokensFullRequest::METHOD => {
                let p: SemanticTokensParams = params(req)?;
                let Some(a) = self.analysis(&p.text_document.uri) else {
                    return Ok(serde_json::Value::Null);
                };
                json(serde_json::to_value(SemanticTokensResult::Tokens(
                    SemanticTokens {
                        result_id: None,
                        data: semantic_tokens(a),
                    },
                )))
            }
            _ => Err(Answer::Unknown(req.method)),
        }
    }
}

/// Why a request gets an error response.
enum Answer {
    /// The request is understood but cannot be done (e.g. rename to a keyword).
    Refused(String),
    Invalid(String),
    Unknown(String),
}

/// The document's name in diagnostics: its path for `file:` URIs.
fn display_name(uri: &Uri) -> String {
    let s = uri.as_str();
    s.strip_prefix("file://").unwrap_or(s).to_string()
}

fn offset(a: &Analysis, pos: Position) -> usize {
    a.lines.offset(pos.line, pos.character)
}

fn range(a: &Analysis, span: Span) -> Range {
    let ((l0, c0), (l1, c1)) = a.lines.range(span);
    Range::new(Position::new(l0, c0), Position::new(l1, c1))
}

/// The analysis's diagnostics for the protocol: the code as `tier::…`, the primary label as the
/// range, the other labels as related information, the help line after the message.
fn diagnostics(uri: &Uri, a: &Analysis) -> Vec<lsp_types::Diagnostic> {
    a.diagnostics
        .iter()
        .map(|d| {
            let span = d.span().unwrap_or_default();
            let mut message = d.message.clone();
            if let Some(label) = d.labels.first().filter(|l| !l.text.is_empty()) {
                message.push_str(&format!(" ({})", label.text));
            }
            for note in &d.notes {
                message.push_str(&format!("\n{note}"));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .skip(1)
                .map(|l| DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: range(a, l.span),
                    },
                    message: if l.text.is_empty() {
                        "here".into()
                    } else {
                        l.text.clone()
                    },
                })
                .collect();
            lsp_types::Diagnostic {
                range: range(a, span),
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                source: Some("tier".into()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Default::default()
            }
        })
        .collect()
}

fn completion_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Name => CompletionItemKind::VARIABLE,
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Label => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Unit => CompletionItemKind::UNIT,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
fn symbol(a: &Analysis, s: &tier::ide::Symbol) -> DocumentSymbol {
    use lsp_types::SymbolKind as K;
    let kind = match s.kind {
        SymbolKind::Input => K::FIELD,
        SymbolKind::Scale => K::ENUM,
        SymbolKind::Let => K::VARIABLE,
        SymbolKind::Scorecard => K::STRUCT,
        SymbolKind::Component => K::PROPERTY,
        SymbolKind::Grade => K::CLASS,
        SymbolKind::Adjust => K::CLASS,
        SymbolKind::Tag => K::CONSTANT,
        SymbolKind::Relative => K::CLASS,
        SymbolKind::Schedule => K::EVENT,
        SymbolKind::Override => K::OPERATOR,
        SymbolKind::Output => K::MODULE,
        SymbolKind::Test => K::METHOD,
    };
    let children: Vec<DocumentSymbol> = s.children.iter().map(|c| symbol(a, c)).collect();
    DocumentSymbol {
        name: s.name.clone(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: range(a, s.span),
        selection_range: range(a, s.name_span),
        children: (!children.is_empty()).then_some(children),
    }
}

fn token_type(kind: TokenKind) -> SemanticTokenType {
    match kind {
        TokenKind::Keyword => SemanticTokenType::KEYWORD,
        TokenKind::Comment => SemanticTokenType::COMMENT,
        TokenKind::String => SemanticTokenType::STRING,
        TokenKind::Number => SemanticTokenType::NUMBER,
        TokenKind::Label => SemanticTokenType::ENUM_MEMBER,
        TokenKind::Input => SemanticTokenType::PARAMETER,
        TokenKind::Let => SemanticTokenType::VARIABLE,
        TokenKind::Grade => SemanticTokenType::CLASS,
        TokenKind::Scorecard => SemanticTokenType::STRUCT,
        TokenKind::Component => SemanticTokenType::PROPERTY,
        TokenKind::Function => SemanticTokenType::FUNCTION,
    }
}

/// The tokens in the protocol's encoding: each relative to the previous one, in UTF-16 units.
fn semantic_tokens(a: &Analysis) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    let (mut line, mut col) = (0, 0);
    for t in a.tokens() {
        let (l, c) = a.lines.position(t.span.start);
        let length = a.source.slice(t.span).encode_utf16().count() as u32;
        out.push(SemanticToken {
            delta_line: l - line,
            delta_start: if l == line { c - col } else { c },
            length,
            token_type: TokenKind::ALL
                .iter()
                .position(|k| *k == t.kind)
                .unwrap_or(0) as u32,
            token_modifiers_bitset: u32::from(t.declaration),
        });
        (line, col) = (l, c);
    }
    out
}
