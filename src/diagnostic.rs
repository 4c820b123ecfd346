//! The error model: every phase (syntax, check, evaluation, data) reports [`Diagnostic`]s with a
//! stable code (`tier::…`), a labelled span in a named source, and an actionable help line.
//! They are collected, never first-fail, and rendered together with miette (or as JSON).

mod clip;
mod code;

pub use code::Code;

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
    /// Stable code, e.g. [`Code::Syntax`] (`tier::syntax`). Tests assert codes.
    pub code: Code,
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
    pub fn error(code: Code, message: impl Into<String>) -> Self {
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

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
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

/// The column of byte `offset` in its line, counting characters as editors do (miette counts
/// bytes: `等级` would be 6 columns). Lines break where miette breaks them, at `\n` and `\r`.
fn char_column(text: &str, offset: usize) -> usize {
    let all = text.as_bytes();
    let bytes = &all[..offset.min(text.len())];
    // `\r\n` breaks the line at its `\n`; a lone `\r` breaks it too.
    let line_start = (0..bytes.len())
        .rev()
        .find(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && all.get(i + 1) != Some(&b'\n')))
        .map_or(0, |i| i + 1);
    // Characters are counted by their first bytes, so an offset inside one cannot panic.
    bytes[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
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
    /// miette's own `read_span` over a `str` scans the text from its start, every time: with
    /// thousands of diagnostics that is quadratic. Here it scans only the lines around the span
    /// (found in the line index), with the same result, except that the column of the
    /// `[file:line:col]` header counts characters, not bytes, like [`SourceFile::line_col`], the
    /// JSON output and the rejects report.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = &self.text;
        let index = self.line_index();
        let end = span.offset() + span.len();
        let (base, first_line, window) = if index.lone_cr || end > text.len() {
            // miette breaks lines at a lone `\r` too; keep its own reading there.
            (0, 0, text)
        } else {
            // One line more than asked before the span: miette looks at the byte before an
            // empty span, and surplus lines before it are dropped from the snippet anyway.
            let first_line = index
                .line_of(span.offset())
                .saturating_sub(context_lines_before + 1);
            let last_line = index.line_of(end.saturating_sub(1).max(span.offset()));
            let stop = last_line + context_lines_after + 2;
            let base = index.starts[first_line];
            let until = index.starts.get(stop).copied().unwrap_or(text.len());
            (base, first_line, &text[base..until])
        };
        let local = miette::SourceSpan::from((span.offset() - base, span.len()));
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            (inner.span().offset() + base, inner.span().len()).into(),
            inner.line() + first_line,
            // The header's `line:col` reads the primary span without context lines; other
            // reads keep miette's column (it only uses it for the header).
            if context_lines_before == 0 && context_lines_after == 0 {
                char_column(text, span.offset())
            } else {
                inner.column()
            },
            inner.line_count() + first_line,
        )))
    }
}

/// The JSON form of one diagnostic (`tier check --format json`).
#[derive(Debug, serde::Serialize)]
pub struct JsonDiagnostic {
    pub code: Code,
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

/// Names longer than this (in characters) get no did-you-mean, and are offered as none: a
/// comparison costs the product of the two lengths (a 64,000-character name took 12 s), and
/// nobody mistypes a 65-character name by a letter or two.
const SUGGEST_MAX_CHARS: usize = 64;

fn suggestible(name: &str) -> bool {
    name.len() <= SUGGEST_MAX_CHARS || name.chars().count() <= SUGGEST_MAX_CHARS
}

/// Did-you-mean: the closest candidate by Jaro-Winkler / Levenshtein, if close enough. Linear
/// in the candidates: names over 64 characters (`SUGGEST_MAX_CHARS`) are not compared.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if !suggestible(name) {
        return None;
    }
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == name || !suggestible(c) {
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

#[cfg(test)]
mod tests {
    use super::suggest;
    use crate::source::SourceFile;
    use miette::{SourceCode, SourceSpan};

    /// The windowed `read_span` gives what miette's own reading of the whole text gives, except
    /// that the column counts characters where miette counts bytes.
    #[test]
    fn read_span_matches_miette() {
        for text in [
            "",
            "a",
            "line one\nline two\n\nline 四\nlast",
            "等级 = 甲\n  客户 等级",
            "crlf\r\nline\r\n\r\nend\r\n",
            "ends with newline\n",
            "\n\n\n",
            "lone\rcarriage\nreturn",
        ] {
            let source = SourceFile::new("t", text);
            let mut offsets: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            offsets.dedup();
            for &start in &offsets {
                for &end in offsets.iter().filter(|&&e| e >= start) {
                    let span = SourceSpan::from((start, end - start));
                    for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3)] {
                        let ours = source.read_span(&span, before, after);
                        let theirs = text.read_span(&span, before, after);
                        match (ours, theirs) {
                            (Ok(a), Ok(b)) => {
                                let what = format!("{text:?} {start}..{end} ({before}, {after})");
                                assert_eq!(a.data(), b.data(), "{what}");
                                assert_eq!(a.span(), b.span(), "{what}");
                                assert_eq!(a.line(), b.line(), "{what}");
                                let line = text[..start]
                                    .char_indices()
                                    .rfind(|&(i, c)| {
                                        c == '\n' || (c == '\r' && !text[i..].starts_with("\r\n"))
                                    })
                                    .map_or(0, |(i, _)| i + 1);
                                let chars = text[line..start].chars().count();
                                if (before, after) == (0, 0) {
                                    assert_eq!(a.column(), chars, "{what}");
                                }
                                // (miette does not count the `\r` of a `\r\n` when the span
                                // starts between the two; no label starts there.)
                                let in_crlf = text[..start].ends_with('\r')
                                    && text[start..].starts_with('\n');
                                if (text.is_ascii() && !in_crlf) || (before, after) != (0, 0) {
                                    assert_eq!(a.column(), b.column(), "{what}");
                                }
                                assert_eq!(a.line_count(), b.line_count(), "{what}");
                            }
                            (Err(_), Err(_)) => {}
                            (a, b) => panic!(
                                "{text:?} {start}..{end}: {:?} vs {:?}",
                                a.is_ok(),
                                b.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn suggestions_for_ordinary_names() {
        assert_eq!(suggest("销售额额", ["销售额", "回款率"]), Some("销售额"));
        assert_eq!(suggest("rounds", ["round", "floor"]), Some("round"));
        assert_eq!(suggest("xyz", ["销售额"]), None);
    }

    /// Comparing costs the product of the two lengths: a name (or candidate) over 64 characters
    /// gets no suggestion, so a 64,000-character name costs no more than reading it.
    #[test]
    fn long_names_get_no_suggestion() {
        let long = format!("{}x", "a".repeat(100));
        let near = format!("{}y", "a".repeat(100));
        assert_eq!(suggest(&long, [near.as_str()]), None);
        assert_eq!(suggest("aaaa", [near.as_str(), "aaab"]), Some("aaab"));
        let huge = "名".repeat(64_000);
        let huge_near = format!("{}字", "名".repeat(63_999));
        assert_eq!(suggest(&huge, [huge_near.as_str(), "名字"]), None);
        let edge = "b".repeat(64);
        let edge_near = format!("{}c", "b".repeat(63));
        assert_eq!(
            suggest(&edge, [edge_near.as_str()]),
            Some(edge_near.as_str())
        );
    }
}
