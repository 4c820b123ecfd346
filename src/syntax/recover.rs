//! Error recovery: when the whole text does not parse, report every broken declaration.
//!
//! The text is cut at lines that start with a declaration keyword (`input`, `let`, `grade`, ...)
//! where that line is at brace depth 0 or not indented, and each piece is parsed alone. Strings
//! left open at the end of a line are reported first (pest would only see the confusion they
//! cause later), and the pieces containing them are not parsed.

use super::error;
use super::lower::{kids, Lower};
use super::{Mode, Rule, TierParser};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use pest::Parser as _;

use super::DECLARATION_KEYWORDS as ITEM_KEYWORDS;

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
            Err(e) => {
                let first = error::convert(source, start, end, &e);
                let more = match (rule, first.span()) {
                    (Rule::item_file, Some(at)) => rest_of_block(source, start, end, at.start),
                    _ => Vec::new(),
                };
                diags.push(first);
                diags.extend(more);
            }
        }
    }
    if diags.is_empty() {
        // The pieces parse but the whole does not (a cut in the wrong place): report the
        // error of the whole text.
        diags.push(match whole {
            Some(e) => error::convert(source, 0, text.len(), &e),
            None => Diagnostic::error(Code::Syntax, "this text could not be read")
                .in_source(source)
                .with_label(Span::new(0, 0), "here"),
        });
    }
    diags.sort_by_key(|d| d.span().map(|s| s.start).unwrap_or(0));
    diags
}

/// After a broken line inside a declaration's block (`input`, `scorecard`, `grade`, ...), looks
/// for more errors in the lines after it: the rest of the block is parsed from each following
/// line until one parses at least its first line, and an error found after that is reported too.
/// Lines that only continue the broken one fail on themselves and are skipped, so this does not
/// invent errors.
fn rest_of_block(
    source: &SourceFile,
    start: usize,
    end: usize,
    error_at: usize,
) -> Vec<Diagnostic> {
    let text: &str = &source.text;
    let mut found = Vec::new();
    let Some((open, head)) = error::open_block(text, start, error_at) else {
        return found;
    };
    // Only the declaration's own block, not a nested `enum {`, `bands {` or `match {`.
    let first_word = head.split_whitespace().next().unwrap_or("");
    let rule = match first_word {
        "input" => Rule::input_rest,
        "scorecard" => Rule::scorecard_rest,
        "grade" if head.contains(" by ") => Rule::threshold_rest,
        "grade" => Rule::rule_rest,
        "adjust" => Rule::adjust_rest,
        "follow_up" | "review" => Rule::schedule_rest,
        "test" => Rule::test_rest,
        _ => return found,
    };
    if open < start || error_at >= end {
        return found;
    }
    // An error at the start of a line (the line before it lacks a `)` or a value) leaves that
    // line itself to check; otherwise resume on the next line.
    let line_start = text[..error_at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut from = if text[line_start..error_at].trim().is_empty() && line_start > open {
        Some(line_start)
    } else {
        next_line(text, error_at, end)
    };
    // Each round either reports an error further on or moves one line down.
    while let Some(line) = from {
        let rest = &text[line..end];
        match TierParser::parse(rule, rest) {
            Ok(_) => break,
            Err(e) => {
                let d = error::convert(source, line, end, &e);
                let at = d.span().map(|s| s.start).unwrap_or(line);
                let starts_statement = starts_statement(rule, &text[line..end]);
                if at <= error_at {
                    // The same error again (the broken line itself was re-checked).
                    from = next_line(text, line, end);
                } else if at >= end || starts_statement || text[line..at].contains('\n') {
                    // The line is a statement of its own (it starts with a statement keyword,
                    // or it parsed): this is a genuine further error.
                    let stop = at >= end;
                    found.push(d);
                    if stop {
                        break;
                    }
                    from = next_line(text, at, end);
                } else {
                    from = next_line(text, line, end);
                }
            }
        }
    }
    found
}

/// Whether a line is recognizably a new arm of the block (so an error on it is its own, not the
/// tail of the broken line above): `NAME TYPE` in `input`, `NAME 30%` in a scorecard, `A >= 80`
/// or `A when` in a grade, `A every` in a schedule, `given`/`expect` in a test, `up`/`to` in
/// `adjust`.
fn starts_statement(rule: Rule, line: &str) -> bool {
    let mut words = line
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let is_word = |w: &str, set: &[&str]| {
        let head = w
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        set.contains(&head)
    };
    match rule {
        Rule::test_rest => is_word(first, &["given", "expect", "as_of"]),
        Rule::adjust_rest => is_word(first, &["up", "down", "to"]),
        Rule::input_rest => is_word(
            second,
            &[
                "number", "integer", "count", "percent", "money", "quantity", "date", "text",
                "bool", "enum", "grade",
            ],
        ),
        Rule::scorecard_rest => {
            second.ends_with('%') && second.trim_end_matches('%').parse::<f64>().is_ok()
        }
        Rule::threshold_rest => {
            second.starts_with(['>', '<', '=', '≥', '≤'])
                || is_word(second, &["otherwise", "missing"])
        }
        Rule::rule_rest => is_word(second, &["when", "otherwise"]),
        Rule::schedule_rest => {
            is_word(first, &["when", "tag"])
                || is_word(second, &["every", "within", "on", "none", "when"])
        }
        _ => false,
    }
}

/// The start of the first non-blank line after the one containing `pos`, before `end`.
fn next_line(text: &str, pos: usize, end: usize) -> Option<usize> {
    let mut at = pos + text[pos..end].find('\n')? + 1;
    while at < end {
        let line_end = text[at..end].find('\n').map(|i| at + i).unwrap_or(end);
        let line = text[at..line_end].trim();
        if !line.is_empty() && !line.starts_with('#') {
            return Some(at);
        }
        at = line_end + 1;
    }
    None
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
