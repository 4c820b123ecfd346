//! `tier fmt`: the canonical layout of a ruleset, printed from its syntax tree.
//!
//! The formatter changes only the blanks between tokens and where comments sit: it never adds,
//! drops or respells a token (`→`, `≥`, `count`, `money(万元)` stay as written). It works in
//! three steps: `syntax::layout` walks the parse and builds a [`doc::Document`] (rows, cells,
//! blocks, break points, every token with the comments before it), [`render`] prints it, and
//! [`format_source`] checks the result before anyone sees it.
//!
//! # The layout
//! - Two spaces of indentation a block level; one declaration, field, arm or test line a line;
//!   at most one blank line in a row, kept where the author had one between declarations or
//!   rows (not after `{`, before `}` or at the end of the file).
//! - One blank between tokens, none inside brackets and around `..`, before `,` `:` `?` and
//!   after a unary `-`: `money(万)`, `0..100`, `[50万, 100万)`, `in {A, B}`, `days_since(d)`.
//! - Columns line up, by display width (a Chinese character is two columns), in `input`
//!   blocks (name, type, `column`, `default`), scorecards (name, weight, expression,
//!   `missing ->`), grade arms (label, test, then `color`/`action`/`owner` each in its own
//!   column), `adjust`, `bands` and `match` arms (up to `->`), schedules, matrices (row keys,
//!   then every column under its key), and runs of consecutive `let`s, `tag`s and `relative`s
//!   (up to a blank line). One blank after the first column, two between the others.
//! - Blocks with rows are one row a line; `scale`, `output`, the cuts of `pareto`/`top` and
//!   `mean`/`median` stay on one line; a `bands` or `match` stays on one line if the author
//!   wrote it on one line (`{ 高 -> 100  较高 -> 75 }`, two blanks between arms).
//! - Line breaks: the formatter never breaks a line the author did not break. It keeps the
//!   author's break after a comma in lists (`given`, `expect`, `enum` variants, `column`
//!   names, call arguments, `in {…}`), before an attribute (the attributes then continue under
//!   the arm's test), before `version`/`description` in the header, and before `and`/`or`/
//!   `then`/`else` in a condition whose one-line form is wider than [`FOLD_WIDTH`] columns; a
//!   narrower condition is joined onto one line. A continuation line starts under the first
//!   operand or list item (`else` under its `if`).
//! - Comments: a comment that ended a line stays at the end of the line of the token before
//!   it; a comment on a line of its own stays on a line of its own above the token after it,
//!   at that token's indentation (inside a block before its `}`, at the end of the file after
//!   everything). A comment on a line of its own in the middle of what becomes one line moves
//!   to the end of that line. Trailing comments of consecutive lines line up,
//!   [`COMMENT_GAP`] blanks after the longest line.
//!
//! The result must parse to the same syntax tree (spans aside) and keep every comment, in
//! order; otherwise `tier::fmt::changed_meaning` and the file is left as it is.

pub(crate) mod doc;
mod render;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;

/// A condition (`and`/`or` chain, `if … else …`) whose one-line form is at most this wide is
/// joined onto one line; a wider one keeps the author's line breaks. With the indentation and
/// the arm before it, such a line stays within about 100 columns.
pub const FOLD_WIDTH: usize = 70;

/// Blanks between the longest line of a run and the trailing comments lined up after it.
pub const COMMENT_GAP: usize = 2;

/// Formats a ruleset's text. Fails with the parse errors if the text does not parse, and with
/// `tier::fmt::changed_meaning` if the result would not mean the same (a formatter bug).
pub fn format_source(source: &SourceFile) -> Result<String, Vec<Diagnostic>> {
    let before = crate::syntax::parse(source)?;
    let bug = |what: &str| {
        vec![Diagnostic::error(
            Code::FmtChangedMeaning,
            format!("formatting would {what}; the file was left as it is"),
        )
        .in_source(source)
        .with_help("please report this ruleset as a bug in tier fmt")]
    };
    let Some(text) = format_text(&source.text) else {
        return Err(bug("drop part of the ruleset"));
    };
    let after_src = SourceFile::new(source.name.to_string(), text.clone());
    let Ok(after) = crate::syntax::parse(&after_src) else {
        return Err(bug("produce a ruleset that does not parse"));
    };
    if strip(&format!("{before:?}")) != strip(&format!("{after:?}")) {
        return Err(bug("change the ruleset's meaning"));
    }
    if comments(&source.text) != comments(&text) {
        return Err(bug("lose or reorder a comment"));
    }
    Ok(text)
}

/// The formatted text, without the checks of [`format_source`]; `None` if it does not parse.
fn format_text(text: &str) -> Option<String> {
    let doc = crate::syntax::layout(text)?;
    let lines = render::render(&doc, text);
    // Keep what the editor chose: a byte-order mark, and `\r\n` line ends.
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 64);
    if text.starts_with('\u{FEFF}') {
        out.push('\u{FEFF}');
    }
    for line in lines {
        out.push_str(&line);
        out.push_str(newline);
    }
    Some(out)
}

/// The comments of a ruleset's text, in order, as the formatter prints them (without trailing
/// blanks). Strings are skipped: a `#` inside quotes is text.
pub fn comments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            let end = text[i..].find('\n').map_or(text.len(), |k| i + k);
            out.push(text[i..end].trim_end());
            i = end;
            continue;
        }
        i += c.len_utf8();
    }
    out
}

/// Columns a text takes in a terminal or editor: a Chinese character takes two.
pub(crate) fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Removes span offsets from a Debug dump so two trees compare by content only.
fn strip(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
