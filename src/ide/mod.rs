//! What an editor asks of a ruleset, answered from the parser's and the checker's results: the
//! analysis behind `tier lsp` (the protocol loop is the binary's, in `src/cli/lsp.rs`).
//!
//! An [`Analysis`] is one version of one document: parsed, checked, with the checker's
//! [`Resolution`](crate::check::Resolution) (what every name refers to). Every answer (definition, references, rename,
//! hover, completion, outline) reads that resolution; nothing here looks names up a second
//! way. Positions are byte offsets here; [`Lines`] converts them to the editor's line and
//! UTF-16 column (what the Language Server Protocol counts; CJK names make the difference).
//!
//! Nothing here prints: the server's standard output is its protocol channel.

mod complete;
mod hover;
mod navigate;
#[cfg(test)]
mod tests;
mod tokens;

use crate::ast::Ruleset;
use crate::check::{self, Resolution};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

pub use complete::{Completion, CompletionKind};
pub use navigate::{Fix, Symbol, SymbolKind};
pub use tokens::{Token, TokenKind};

/// One version of a document: its text, syntax tree, diagnostics and resolution.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub source: SourceFile,
    /// `None` when the text does not parse (the diagnostics then hold the syntax errors).
    pub ruleset: Option<Ruleset>,
    /// Syntax errors, or else the checker's errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// What the checker resolved; for a text that does not parse, the last one that did (so
    /// completion still knows the names while a line is half typed).
    pub resolution: Resolution,
    pub lines: Lines,
}

impl Analysis {
    /// Parses and checks `text`. `previous` (the analysis of an earlier version) lends its
    /// resolution when this text does not parse.
    pub fn new(name: &str, text: &str, previous: Option<&Analysis>) -> Self {
        let source = SourceFile::new(name, text);
        let lines = Lines::new(text);
        match crate::syntax::parse(&source) {
            Ok(ruleset) => {
                let (diagnostics, resolution) = check::check_resolved(&ruleset, &source);
                Analysis {
                    source,
                    ruleset: Some(ruleset),
                    diagnostics,
                    resolution,
                    lines,
                }
            }
            Err(diagnostics) => Analysis {
                source,
                ruleset: None,
                diagnostics,
                resolution: previous.map(|p| p.resolution.clone()).unwrap_or_default(),
                lines,
            },
        }
    }

    pub fn text(&self) -> &str {
        &self.source.text
    }

    /// The whole document formatted as `tier fmt` would; `None` when it does not parse.
    pub fn format(&self) -> Option<String> {
        crate::format::format_source(&self.source).ok()
    }
}

/// Where lines start, to convert byte offsets to (line, UTF-16 column) positions and back.
#[derive(Debug, Clone)]
pub struct Lines {
    text: std::sync::Arc<str>,
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text: text.into(),
            starts,
        }
    }

    /// 0-based line and UTF-16 column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = self.floor(offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = self.text[self.starts[line]..offset].encode_utf16().count();
        (line as u32, col as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column; past the end of a line is its end.
    pub fn offset(&self, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return self.text.len();
        };
        let mut units = 0;
        for (i, c) in self.text[start..].char_indices() {
            if units >= col as usize || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        self.text.len()
    }

    /// The start of the character holding byte `offset`.
    fn floor(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// Both ends of a span as positions.
    pub fn range(&self, span: Span) -> ((u32, u32), (u32, u32)) {
        (self.position(span.start), self.position(span.end))
    }
}

/// Can `name` be written as a name: the grammar reads it as one identifier (not a keyword, a
/// number or anything else).
pub fn is_identifier(name: &str) -> bool {
    let source = SourceFile::new("<name>", name);
    matches!(
        crate::syntax::parse_expr(&source),
        Ok(crate::ast::Expr { kind: crate::ast::ExprKind::Name(id), .. }) if id.name == name
    )
}

#[cfg(test)]
mod positions {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let lines = Lines::new("let 销售额 = 1\n  𝔸 = 2\n");
        let at = "let 销售额 = 1\n  𝔸".len();
        assert_eq!(lines.position(4), (0, 4));
        assert_eq!(lines.position(4 + "销售额".len()), (0, 7));
        assert_eq!(lines.position(at), (1, 4));
        assert_eq!(lines.offset(1, 4), at);
        assert_eq!(lines.offset(0, 7), 4 + "销售额".len());
        assert_eq!(lines.offset(0, 99), "let 销售额 = 1".len());
        assert_eq!(lines.offset(9, 0), lines.text.len());
    }

    #[test]
    fn identifiers_are_what_the_grammar_reads_as_names() {
        assert!(is_identifier("销售额"));
        assert!(is_identifier("sales_2025"));
        assert!(!is_identifier("if"));
        assert!(!is_identifier("2x"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier(""));
    }
}
