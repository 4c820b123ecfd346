//! Error recovery: when the whole text does not parse, report every broken declaration.
//!
//! The text is cut at lines that start with a declaration keyword (`input`, `let`, `grade`, ...)
//! where that line is at brace depth 0 or not indented, and each piece is parsed alone. Strings
//! left open at the end of a line are reported first (pest would only see the confusion they
//! cause later), and the pieces containing them are not parsed.

use super::error;
use super::lower::{kids, Lower};
use super::{Mode, Rule, TierParser};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use pest::Parser as _;

/// Keywords that start a top-level declaration.
const ITEM_KEYWORDS: &[&str] = &[
    "input",
    "scale",
    "let",
    "scorecard",
    "grade",
    "adjust",
    "tag",
    "relative",
    "follow_up",
    "review",
    "override",
    "output",
    "test",
];

/// All the syntax errors of a text whose parse failed (`whole` is the error of the full parse).
pub(super) fn recover(
    source: &SourceFile,
    mode: Mode,
    whole: Option<pest::error::Error<Rule>>,
) -> Vec<Diagnostic> {
    let text: &str = &source.text;
    let open_strings = unterminated_strings(text);
    let mut diags: Vec<Diagnostic> = open_strings
        .iter()
        .map(|s| error::unterminated_string(source, *s))
        .collect();
    let mut pieces = Vec::new();
    if mode == Mode::Expr {
        pieces.push((0, text.len(), Rule::expr_file));
    } else {
        let starts = item_starts(text);
        let first = starts.first().copied().unwrap_or(text.len());
        if mode == Mode::Ruleset {
            pieces.push((0, first, Rule::header_file));
        } else if !is_blank(&text[..first]) {
            pieces.push((0, first, Rule::items_file));
        }
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            pieces.push((start, end, Rule::item_file));
        }
    }
    for (start, end, rule) in pieces {
        if open_strings
            .iter()
            .any(|s| s.start >= start && s.start < end)
        {
            continue;
        }
        let piece = &text[start..end];
        match TierParser::parse(rule, piece) {
            Ok(pairs) => {
                // The piece is fine on its own: still report what lowering finds in it.
                let mut lower = Lower::new(source, start);
                for file in pairs {
                    for p in kids(file) {
                        match p.as_rule() {
                            Rule::header => {
                                lower.header(p);
                            }
                            Rule::expr => {
                                lower.expr(p);
                            }
                            _ => {
                                lower.item(p);
                            }
                        }
                    }
                }
                diags.extend(lower.errors);
            }
            Err(e) => diags.push(error::convert(source, start, end, &e)),
        }
    }
    if diags.is_empty() {
        // The pieces parse but the whole does not (a cut in the wrong place): report the
        // error of the whole text.
        diags.push(match whole {
            Some(e) => error::convert(source, 0, text.len(), &e),
            None => Diagnostic::error("tier::syntax", "this text could not be read")
                .in_source(source)
                .with_label(Span::new(0, 0), "here"),
        });
    }
    diags.sort_by_key(|d| d.span().map(|s| s.start).unwrap_or(0));
    diags
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        l.is_empty() || l.starts_with('#')
    })
}

/// Byte offsets of the lines that start a new top-level declaration.
fn item_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth: i64 = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        let indent = line.len() - trimmed.len();
        let word_len = trimmed
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_len];
        // Inside a block only an unindented line can start a declaration (the `}` above it is
        // missing); `grade X` there is more likely an `output` entry unless it opens a block.
        let starts_item = depth <= 0 || (indent == 0 && (word != "grade" || trimmed.contains('{')));
        if ITEM_KEYWORDS.contains(&word) && starts_item {
            starts.push(offset + indent);
            // A declaration at the left margin restarts the count: a missing `}` above it must
            // not hide every later declaration.
            depth = 0;
        }
        depth += brace_balance(line);
        offset += line.len();
    }
    starts
}

/// `{` minus `}` on one line, outside strings and comments.
fn brace_balance(line: &str) -> i64 {
    let mut balance = 0;
    let mut in_string = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"') | (false, '"') => in_string = !in_string,
            (false, '#') => break,
            (false, '{') => balance += 1,
            (false, '}') => balance -= 1,
            _ => {}
        }
    }
    balance
}

/// Strings that are still open at the end of their line: the span from the quote to the end of
/// the line.
pub(super) fn unterminated_strings(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut open: Option<usize> = None;
        let mut chars = line.char_indices();
        while let Some((i, c)) = chars.next() {
            match (open.is_some(), c) {
                (true, '\\') => {
                    chars.next();
                }
                (true, '"') => open = None,
                (false, '"') => open = Some(i),
                (false, '#') => break,
                _ => {}
            }
        }
        if let Some(i) = open {
            let end = line.trim_end_matches(['\n', '\r']).len();
            found.push(Span::new(offset + i, offset + end.max(i + 1)));
        }
        offset += line.len();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_declarations() {
        let text = "ruleset \"x\"\ninput {\n  a number\n}\nlet b = 1\n  let c = 2\n";
        let starts = item_starts(text);
        assert_eq!(starts, vec![12, 33, 45]);
    }

    #[test]
    fn output_entries_are_not_declarations() {
        let text = "output {\n  grade 等级\n  score 分\n}\ntag x when y\n";
        assert_eq!(item_starts(text).len(), 2);
        let text = "output {\ngrade 等级\n}\ngrade g by x {\n}\n";
        assert_eq!(item_starts(text).len(), 2);
        let text = "input {\n a number\ngrade g by x {\n}\n";
        assert_eq!(item_starts(text).len(), 2, "a missing `}}` before a grade");
    }

    #[test]
    fn finds_open_strings() {
        let text = "a \"ok\" b\nc \"open\n# \"comment\nd \"x\\\"y\"\n";
        assert_eq!(unterminated_strings(text), vec![Span::new(11, 16)]);
    }
}
