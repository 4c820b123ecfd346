//! The limits on a ruleset, in one place (documented in docs/LANGUAGE.md, "Limits").
//!
//! Each is far above what a hand-written or generated ruleset needs, and low enough that no
//! input can make tier read without end, exhaust the stack, or take minutes: a ruleset is read
//! at most [`MAX_SOURCE_BYTES`] (plus one byte, to know it is larger), and [`check_text`] refuses
//! overlong lines and deep nesting before the parser sees the text.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};

/// The largest ruleset, in bytes (16 MiB).
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;
/// The longest line of a ruleset, in characters (64 Ki).
pub const MAX_LINE_CHARS: usize = 64 * 1024;
/// How deep brackets (`( )`, `[ ]`, `{ }`) may nest, and how many levels an expression may have
/// (each bracket, `if`, `not`, `match`, `bands`, ... inside another is one level).
pub const MAX_NESTING: usize = 100;
/// How deep one expression's tree may be: each operand of a chain `a + b + c …` nests one level
/// (a chain is evaluated, checked and printed by recursion, so this bounds the stack).
pub const MAX_EXPRESSION_DEPTH: usize = 1_000;

/// `16 MiB`, for messages.
pub fn size_in_words() -> String {
    format!("{} MiB", MAX_SOURCE_BYTES / (1024 * 1024))
}

/// A ruleset (named `name`) that is larger than [`MAX_SOURCE_BYTES`].
pub fn too_large(name: &str) -> Diagnostic {
    Diagnostic::error(
        Code::LimitSize,
        format!(
            "`{name}` is larger than {}, the most a ruleset may be",
            size_in_words()
        ),
    )
    .in_source(&SourceFile::new(name, ""))
    .with_help("split the rules into smaller rulesets, or check that this is the ruleset file")
}

/// The limits that can be seen in the text alone: its size, its longest line, and how deep its
/// brackets nest. At most one diagnostic of each kind: a file that breaks a limit once tends to
/// break it everywhere, and one located error says what to fix.
pub fn check_text(source: &SourceFile) -> Vec<Diagnostic> {
    let text: &str = &source.text;
    if text.len() > MAX_SOURCE_BYTES {
        let mut at = MAX_SOURCE_BYTES;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let d = too_large(&source.name)
            .in_source(source)
            .with_label(Span::new(at, at), "the ruleset goes past the limit here");
        return vec![d];
    }
    let mut out = Vec::new();
    out.extend(long_line(source));
    out.extend(deep_brackets(source));
    out
}

/// The first line longer than [`MAX_LINE_CHARS`], labelled at its first character too many.
fn long_line(source: &SourceFile) -> Option<Diagnostic> {
    let text: &str = &source.text;
    let mut first: Option<(usize, usize, usize)> = None;
    let mut count = 0;
    let mut start = 0;
    for (number, line) in text.split('\n').enumerate() {
        if line.len() > MAX_LINE_CHARS {
            let chars = line.chars().count();
            if chars > MAX_LINE_CHARS {
                count += 1;
                first.get_or_insert((number + 1, start, chars));
            }
        }
        start += line.len() + 1;
    }
    let (number, line_start, chars) = first?;
    let line = &text[line_start..];
    let (over, c) = line
        .char_indices()
        .nth(MAX_LINE_CHARS)
        .unwrap_or((line.len(), ' '));
    let at = line_start + over;
    let others = match count {
        1 => String::new(),
        2 => " (and 1 more line)".to_string(),
        n => format!(" (and {} more lines)", n - 1),
    };
    Some(
        Diagnostic::error(
            Code::LimitLineLength,
            format!(
                "line {number} is {} characters long, more than the {} a line may have{others}",
                thousands(chars),
                thousands(MAX_LINE_CHARS)
            ),
        )
        .in_source(source)
        .with_label(
            Span::new(at, at + c.len_utf8()),
            "the line is too long from here",
        )
        .with_help("break the line: a declaration may go on over several lines"),
    )
}

/// The first bracket that opens level [`MAX_NESTING`] + 1 (strings and comments skipped).
fn deep_brackets(source: &SourceFile) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut start = 0;
    // A string cannot run on past its line (the parser says so): lines are scanned one by one.
    for line in source.text.split('\n') {
        for (at, _, c) in crate::source::code_chars(line) {
            match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        let i = start + at;
                        let label = format!("level {} opens here", MAX_NESTING + 1);
                        return Some(too_deep(source, Span::new(i, i + 1), &label));
                    }
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        start += line.len() + 1;
    }
    None
}

/// Nesting deeper than [`MAX_NESTING`], labelled where the level too many opens.
pub fn too_deep(source: &SourceFile, span: Span, label: &str) -> Diagnostic {
    Diagnostic::error(
        Code::LimitNesting,
        format!("this is nested more than {MAX_NESTING} levels deep"),
    )
    .in_source(source)
    .with_label(span, label)
    .with_help("give inner parts a name with `let`, so each expression nests less deeply")
}

/// An expression deeper than [`MAX_EXPRESSION_DEPTH`].
pub fn too_long(source: &SourceFile, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::LimitExpression,
        format!(
            "this expression is too long: more than {} operands in a row",
            thousands(MAX_EXPRESSION_DEPTH)
        ),
    )
    .in_source(source)
    .with_label(span, "the expression goes past the limit here")
    .with_help("split it into smaller parts with `let`")
}

/// `65536` → `65,536`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(16_777_216), "16,777,216");
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let deep = "(".repeat(MAX_NESTING + 1);
        let text = format!("let a = \"{deep}\" # {deep}\nlet b = 1\n");
        assert!(check_text(&SourceFile::new("t", text)).is_empty());
        let text = format!("let a = {deep}");
        let d = check_text(&SourceFile::new("t", text));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::LimitNesting);
        assert_eq!(d[0].span().map(|s| s.start), Some(8 + MAX_NESTING));
    }
}
