//! The error model: every phase (syntax, check, evaluation, data) reports [`Diagnostic`]s with a
//! stable code (`tier::…`), a labelled span in a named source, and an actionable help line.
//! They are collected, never first-fail, and rendered together with miette (or as JSON).

mod clip;

use crate::source::{SourceFile, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable code, e.g. `tier::syntax`, `tier::name::unknown`. Tests assert codes.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The source the spans point into; `None` for diagnostics about no file (usage, I/O).
    pub source: Option<SourceFile>,
    /// Primary label first, then secondary ones.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Extra lines printed after the message (e.g. the data row and cell of a runtime error).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            source: None,
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_source(mut self, source: &SourceFile) -> Self {
        self.source = Some(source.clone());
        self
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// `file:line:col` of the primary span.
    pub fn location(&self) -> Option<(String, usize, usize)> {
        let src = self.source.as_ref()?;
        let span = self.span()?;
        let (line, col) = src.line_col(span.start);
        Some((src.name.to_string(), line, col))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(labeled_spans(&self.labels)))
    }
}

/// Labels for miette: the first is the primary one; an empty text is no text.
fn labeled_spans(labels: &[Label]) -> impl Iterator<Item = LabeledSpan> + '_ {
    labels.iter().enumerate().map(|(i, l)| {
        let text = if l.text.is_empty() {
            None
        } else {
            Some(l.text.clone())
        };
        if i == 0 {
            LabeledSpan::new_primary_with_span(text, l.span)
        } else {
            LabeledSpan::new_with_span(text, l.span)
        }
    })
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Renders diagnostics the way `tier check` prints them: miette's graphical report, with the file
/// name and line:col in the header (from [`SourceFile`]'s `SourceCode` impl).
pub fn render(diagnostics: &[Diagnostic], opts: RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let rendered = match clip::clipped(d) {
            Some(view) => handler.render_report(&mut out, &view),
            None => handler.render_report(&mut out, d),
        };
        if rendered.is_err() {
            out.push_str(&d.to_string());
        }
        out.push('\n');
    }
    out
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// The JSON form of one diagnostic (`tier check --format json`).
#[derive(Debug, serde::Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct JsonLabel {
    pub text: String,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
}

impl Diagnostic {
    pub fn to_json(&self) -> JsonDiagnostic {
        let pos = |offset: usize| self.source.as_ref().map(|s| s.line_col(offset));
        let start = self.span().and_then(|s| pos(s.start));
        let end = self.span().and_then(|s| pos(s.end));
        JsonDiagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message.clone(),
            file: self.source.as_ref().map(|s| s.name.to_string()),
            line: start.map(|p| p.0),
            column: start.map(|p| p.1),
            end_line: end.map(|p| p.0),
            end_column: end.map(|p| p.1),
            labels: self
                .labels
                .iter()
                .filter_map(|l| {
                    let (line, column) = pos(l.span.start)?;
                    Some(JsonLabel {
                        text: l.text.clone(),
                        line,
                        column,
                        start: l.span.start,
                        end: l.span.end,
                    })
                })
                .collect(),
            help: self.help.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Did-you-mean: the closest candidate by Jaro-Winkler / Levenshtein, if close enough.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let lev = strsim::levenshtein(name, c);
        let max_len = name.chars().count().max(c.chars().count());
        let score = if lev <= 2 && lev < max_len {
            1.0 - lev as f64 / (max_len as f64 + 1.0)
        } else {
            strsim::jaro_winkler(name, c)
        };
        if score >= 0.7 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}
