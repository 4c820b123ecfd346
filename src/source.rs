//! Source files and byte spans into them.

use crate::limits::MAX_SOURCE_BYTES;
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// A half-open byte range `[start, end)` into one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end - s.start).into()
    }
}

/// A named source text (a ruleset file, a REPL line).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// Where lines start, built on first use: positions and snippets of many diagnostics cost
    /// a search each, not a scan of the text from its start.
    lines: Arc<OnceLock<LineIndex>>,
}

/// The byte offsets where lines start (after each `\n`).
#[derive(Debug)]
pub(crate) struct LineIndex {
    pub starts: Vec<usize>,
    /// A `\r` not followed by `\n`: miette counts it as a line break, this index does not.
    pub lone_cr: bool,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut lone_cr = false;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => lone_cr = true,
                _ => {}
            }
        }
        LineIndex { starts, lone_cr }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    pub(crate) fn line_index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Reads a ruleset file from disk (see [`read_text`]).
    pub fn read(path: &std::path::Path) -> std::io::Result<Self> {
        let text = read_text(path)?;
        Ok(SourceFile::new(path.display().to_string(), text))
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index().line_of(offset);
        let start = self.line_index().starts[line];
        // Characters are counted by their first bytes, so an offset inside one cannot panic.
        let col = self.text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        (line + 1, col + 1)
    }

    /// For miette: the source with its name.
    pub fn named_source(&self) -> miette::NamedSource<String> {
        miette::NamedSource::new(&*self.name, self.text.to_string())
    }
}

/// Reads a ruleset file for loading: an unreadable file, or one larger than the limit
/// (`tier::limit::size`), is a diagnostic (the CLI's exit code 3).
pub fn read_source(path: &std::path::Path) -> Result<SourceFile, crate::diagnostic::Diagnostic> {
    SourceFile::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            return crate::limits::too_large(&path.display().to_string());
        }
        crate::diagnostic::Diagnostic::error(
            crate::diagnostic::Code::Io,
            format!("cannot read ruleset `{}`: {e}", path.display()),
        )
        .with_help("check the path; ruleset files are UTF-8 text ending in .tier")
    })
}

/// Reads a ruleset's text: at most 16 MiB (`limits::MAX_SOURCE_BYTES`). A larger file, or a device that
/// never ends (`/dev/zero`), is refused after one byte more than that, with an error of kind
/// [`std::io::ErrorKind::FileTooLarge`] (reported as `tier::limit::size` by [`read_source`]);
/// reading is always bounded. Text that is not UTF-8 is an [`std::io::ErrorKind::InvalidData`] error.
pub fn read_text(path: &std::path::Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let hint = file.metadata().map_or(0, |m| m.len());
    read_bounded(file, hint)
}

/// Reads a ruleset from standard input (`tier fmt -`), named `<stdin>`, with the limits of
/// [`read_text`].
pub fn read_stdin_source() -> Result<SourceFile, crate::diagnostic::Diagnostic> {
    let name = "<stdin>";
    match read_bounded(std::io::stdin().lock(), 0) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            Err(crate::limits::too_large(name))
        }
        Err(e) => Err(crate::diagnostic::Diagnostic::error(
            crate::diagnostic::Code::Io,
            format!("cannot read a ruleset from standard input: {e}"),
        )
        .with_help("pipe UTF-8 ruleset text into `tier fmt -`")),
    }
}

/// Reads a ruleset from a stream (`git show`'s output, for `tier diff x.tier@REV`), named
/// `name`, with the limits of [`read_text`].
pub fn read_source_from(
    reader: impl Read,
    name: &str,
) -> Result<SourceFile, crate::diagnostic::Diagnostic> {
    match read_bounded(reader, 0) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            Err(crate::limits::too_large(name))
        }
        Err(e) => Err(crate::diagnostic::Diagnostic::error(
            crate::diagnostic::Code::Io,
            format!("cannot read ruleset `{name}`: {e}"),
        )),
    }
}

/// Reads UTF-8 text of at most `MAX_SOURCE_BYTES`; `hint` is the expected size, if known.
fn read_bounded(reader: impl Read, hint: u64) -> std::io::Result<String> {
    let limit = MAX_SOURCE_BYTES as u64 + 1;
    let mut bytes = Vec::with_capacity(hint.min(limit) as usize);
    reader.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "larger than {}, the most a ruleset may be",
                crate::limits::size_in_words()
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// The characters of one line of ruleset text that are code, not inside a `"string"` (with `\`
/// escapes) and not in a `# comment`: `(byte offset, 1-based column in characters, char)`. The
/// REPL's bracket counting and the nesting limit read lines through it.
pub fn code_chars(line: &str) -> impl Iterator<Item = (usize, usize, char)> + '_ {
    let mut in_str = false;
    let mut escaped = false;
    line.char_indices()
        .enumerate()
        .map_while(move |(n, (i, c))| {
            if in_str {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_str = false,
                    _ => {}
                }
                return Some(None);
            }
            match c {
                '#' => None,
                '"' => {
                    in_str = true;
                    Some(None)
                }
                _ => Some(Some((i, n + 1, c))),
            }
        })
        .flatten()
}

#[cfg(test)]
mod code_chars_tests {
    use super::code_chars;

    #[test]
    fn strings_and_comments_are_not_code() {
        let got: String = code_chars(r#"a("x(\"", b) # c("#)
            .map(|(_, _, c)| c)
            .collect();
        assert_eq!(got, "a(, b) ");
        let cols: Vec<(usize, usize)> = code_chars("客(").map(|(b, col, _)| (b, col)).collect();
        assert_eq!(cols, [(0, 1), (3, 2)]);
    }
}
