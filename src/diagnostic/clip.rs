//! Long lines in rendered diagnostics: a window around each label, `…` where text was cut.
//!
//! miette lays a snippet out with `format!("{:width$}")`, and Rust refuses a width above
//! 65,535, so a label past column 65,535 made the renderer panic. Nobody reads a 70,000-column
//! line anyway: a line longer than [`LONG_LINE`] characters is shown as windows of
//! [`WINDOW`] characters around the start and end of each label. Only the rendering changes:
//! the diagnostic keeps its spans (the JSON form gives the true line and column), and the
//! header of the snippet still shows the true position (see [`ClippedSource`]).

use super::{Diagnostic, Label};
use crate::source::{SourceFile, Span};
use miette::{LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};
use std::fmt;

/// Lines longer than this (in characters) are clipped. The longest line of the shipped rulesets
/// and fixtures is a few hundred characters; they render as they are.
const LONG_LINE: usize = 500;
/// Characters kept on each side of a label's start and end.
const WINDOW: usize = 40;
/// A clipped line never keeps more than this many characters, however many labels it has
/// (far below the 65,535 columns miette can lay out, even at two columns a character).
const KEPT_MAX: usize = 2_000;
const ELLIPSIS: &str = "…";
/// Windows closer than this many characters are joined: a `…` would hide almost nothing.
const NEAR: usize = 3;

/// The diagnostic with its long lines clipped, or `None` when none of the lines its labels touch
/// (or their neighbours, shown as context) is long: then it renders as it is.
pub(super) fn clipped(d: &Diagnostic) -> Option<ClippedView<'_>> {
    let source = d.source.as_ref()?;
    let text: &str = &source.text;
    let points: Vec<usize> = d
        .labels
        .iter()
        .flat_map(|l| [l.span.start, l.span.end])
        .map(|p| p.min(text.len()))
        .collect();
    // The lines shown: those of the labels and one line of context around them.
    let first = line_bounds(text, *points.iter().min()?).0;
    let last = line_bounds(text, *points.iter().max()?).1;
    let from = first.checked_sub(1).map_or(0, |o| line_bounds(text, o).0);
    let to = if last < text.len() {
        line_bounds(text, last + 1).1
    } else {
        last
    };
    if !text[from..to].split('\n').any(is_long) {
        return None;
    }
    let source = ClippedSource::new(source, &points);
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let start = source.to_clipped(l.span.start, false);
            let end = source.to_clipped(l.span.end, true).max(start);
            Label {
                span: Span::new(start, end),
                text: l.text.clone(),
            }
        })
        .collect();
    Some(ClippedView {
        diagnostic: d,
        source,
        labels,
    })
}

/// `[start, end)` of the line holding `offset` (without its `\n`).
fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| offset + i);
    (start, end)
}

fn is_long(line: &str) -> bool {
    line.len() > LONG_LINE && line.chars().count() > LONG_LINE
}

/// A kept piece of the original text: `len` bytes at `original` appear at `clipped`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    original: usize,
    clipped: usize,
    len: usize,
}

/// The text as rendered: every line is there (so line numbers stay true), long lines cut down
/// to their windows.
#[derive(Debug)]
pub(super) struct ClippedSource {
    original: SourceFile,
    text: String,
    /// `text` with a line index, for miette.
    shown: SourceFile,
    /// In order of both offsets; between two pieces there is a `…` or nothing.
    pieces: Vec<Piece>,
}

impl ClippedSource {
    fn new(original: &SourceFile, points: &[usize]) -> Self {
        let full: &str = &original.text;
        let mut out = ClippedSource {
            original: original.clone(),
            text: String::new(),
            shown: SourceFile::new(original.name.clone(), ""),
            pieces: Vec::new(),
        };
        // Runs of short lines are copied as one piece.
        let mut run_start = 0;
        let mut line_start = 0;
        while line_start <= full.len() {
            let line_end = full[line_start..]
                .find('\n')
                .map_or(full.len(), |i| line_start + i);
            let line = &full[line_start..line_end];
            if is_long(line) {
                out.keep(run_start, line_start);
                out.clip_line(line_start, line, points);
                run_start = line_end;
            }
            line_start = line_end + 1;
        }
        out.keep(run_start, full.len());
        out.shown = SourceFile::new(original.name.clone(), out.text.clone());
        out
    }

    /// Copies `original[start..end]` unchanged.
    fn keep(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        self.pieces.push(Piece {
            original: start,
            clipped: self.text.len(),
            len: end - start,
        });
        self.text.push_str(&self.original.text[start..end]);
    }

    /// One long line (starting at byte `base`): its windows, `…` between and around them.
    fn clip_line(&mut self, base: usize, line: &str, points: &[usize]) {
        // Character boundaries of the line, so windows are counted in characters.
        let bounds: Vec<usize> = line
            .char_indices()
            .map(|(i, _)| i)
            .chain([line.len()])
            .collect();
        let chars = bounds.len() - 1;
        let mut windows: Vec<(usize, usize)> = points
            .iter()
            .filter(|&&p| p >= base && p <= base + line.len())
            .map(|&p| {
                let at = bounds.partition_point(|&b| b < p - base);
                (at.saturating_sub(WINDOW), (at + WINDOW).min(chars))
            })
            .collect();
        if windows.is_empty() {
            // A context line: its beginning says enough.
            windows.push((0, (2 * WINDOW).min(chars)));
        }
        windows.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        let mut kept = 0;
        for (s, e) in windows {
            match merged.last_mut() {
                // Windows that touch (or nearly) are shown as one.
                Some(last) if s <= last.1 + NEAR => {
                    kept += e.saturating_sub(last.1);
                    last.1 = last.1.max(e);
                }
                _ if kept >= KEPT_MAX => break,
                _ => {
                    kept += e - s;
                    merged.push((s, e));
                }
            }
            if kept >= KEPT_MAX {
                break;
            }
        }
        let mut at = 0;
        for (s, e) in merged {
            if s > at {
                self.text.push_str(ELLIPSIS);
            }
            self.keep(base + bounds[s], base + bounds[e]);
            at = e;
        }
        if at < chars {
            self.text.push_str(ELLIPSIS);
        }
    }

    /// Where an original offset is shown. An offset in text that was cut lands on the `…`: at
    /// its start for the start of a label (`end == false`), after it for the end of one.
    fn to_clipped(&self, offset: usize, end: bool) -> usize {
        let i = self.pieces.partition_point(|p| p.original + p.len < offset);
        match self.pieces.get(i) {
            Some(p) if offset >= p.original => p.clipped + (offset - p.original),
            // Before piece `i`, after piece `i - 1`: inside a cut.
            Some(p) if end => p.clipped,
            _ => match i.checked_sub(1).and_then(|j| self.pieces.get(j)) {
                Some(prev) if !end || i == self.pieces.len() => {
                    let after = prev.clipped + prev.len;
                    if end {
                        self.text.len().min(after + ELLIPSIS.len())
                    } else {
                        after
                    }
                }
                _ => 0,
            },
        }
    }

    /// The original offset shown at a clipped offset (the text after a `…` for one inside it).
    fn to_original(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.clipped + p.len < offset);
        match self.pieces.get(i) {
            Some(p) if offset >= p.clipped => p.original + (offset - p.clipped),
            Some(p) => p.original,
            None => self.original.text.len(),
        }
    }
}

impl SourceCode for ClippedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .shown
            .read_span(span, context_lines_before, context_lines_after)?;
        // Lines are kept one for one, so the line is right; the column is the original's, for
        // the `[file:line:col]` header (read without context lines).
        let column = if context_lines_before == 0 {
            let at = self.to_original(span.offset());
            self.original
                .read_span(&SourceSpan::from((at, 0)), 0, 0)
                .map_or(inner.column(), |c| c.column())
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.original.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// A diagnostic rendered over a [`ClippedSource`], its labels moved to match.
#[derive(Debug)]
pub(super) struct ClippedView<'a> {
    diagnostic: &'a Diagnostic,
    source: ClippedSource,
    labels: Vec<Label>,
}

impl fmt::Display for ClippedView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostic.fmt(f)
    }
}

impl std::error::Error for ClippedView<'_> {}

impl miette::Diagnostic for ClippedView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        miette::Diagnostic::code(self.diagnostic)
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.diagnostic)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        miette::Diagnostic::help(self.diagnostic)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(super::labeled_spans(&self.labels)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(text: &str, points: &[usize]) -> ClippedSource {
        ClippedSource::new(&SourceFile::new("t", text), points)
    }

    #[test]
    fn short_lines_are_kept_as_they_are() {
        let c = clip("a\nbb\n", &[0]);
        assert_eq!(c.text, "a\nbb\n");
        assert_eq!(c.to_clipped(3, false), 3);
        assert_eq!(c.to_original(3), 3);
    }

    #[test]
    fn a_long_line_keeps_a_window_around_each_point() {
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let text = format!("first\n{line}\nlast\n");
        let x = 6 + 1000;
        let c = clip(&text, &[x, x + 1]);
        let expected = format!(
            "first\n…{}X{}…\nlast\n",
            "a".repeat(WINDOW),
            "b".repeat(WINDOW)
        );
        assert_eq!(c.text, expected);
        let at = c.to_clipped(x, false);
        assert_eq!(&c.text[at..at + 1], "X");
        assert_eq!(c.to_original(at), x);
        // Text that was cut maps onto the ellipsis.
        let cut = c.to_clipped(6 + 10, false);
        assert_eq!(&c.text[cut..cut + ELLIPSIS.len()], ELLIPSIS);
        assert_eq!(c.text.lines().count(), 3);
    }

    #[test]
    fn a_long_label_shows_its_two_ends() {
        let text = "x".repeat(100_000);
        let c = clip(&text, &[10, 90_000]);
        assert!(c.text.chars().count() < 4 * WINDOW + 10, "{}", c.text.len());
        let start = c.to_clipped(10, false);
        let end = c.to_clipped(90_000, true);
        assert!(start < end && end <= c.text.len());
        assert!(c.text[start..end].contains(ELLIPSIS));
    }

    #[test]
    fn many_labels_on_one_line_stay_bounded() {
        let text = "y ".repeat(200_000);
        let points: Vec<usize> = (0..text.len()).step_by(100).collect();
        let c = clip(&text, &points);
        assert!(c.text.chars().count() <= KEPT_MAX + 2 * WINDOW + 10);
        for &p in &points {
            let at = c.to_clipped(p, false);
            assert!(at <= c.text.len() && c.text.is_char_boundary(at));
        }
    }
}
