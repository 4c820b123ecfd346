//! Piped input (a script): how lines make inputs.
//!
//! An open `{` continues an input onto the next lines, as in a ruleset file: that is how
//! definitions are typed. A `(` or `[` must close on the line it opens, unless it is inside
//! a `{ }` (a multi-line condition in a `grade` block): otherwise one unclosed `(` would take
//! every later line of the script with it, and the error would point at the end of the script.
//! So a line that leaves a `(` or `[` open outside braces is reported at once, at the bracket,
//! and the script goes on with the next line. A `}` closes its `{` even when a `(` inside was
//! left open (the parser then reports the `(`).

use super::{Reply, Session};

/// Splits a script into inputs, line by line.
#[derive(Debug, Default)]
pub struct ScriptReader {
    buf: String,
    /// Number (1-based) of the first line in `buf`, and of the last line read.
    first_line: usize,
    line: usize,
    /// Brackets open in `buf`: the bracket, its line and its column (1-based, in characters).
    open: Vec<(char, usize, usize)>,
}

/// One input of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptInput {
    /// A complete input: one line, or several while a `{` was open. `line` is its first line.
    Input { text: String, line: usize },
    /// A line that leaves a `(` or `[` open outside braces: it is not run.
    Unclosed {
        text: String,
        line: usize,
        column: usize,
        bracket: char,
    },
}

impl ScriptInput {
    /// The text of the input (all its lines).
    pub fn text(&self) -> &str {
        match self {
            ScriptInput::Input { text, .. } | ScriptInput::Unclosed { text, .. } => text,
        }
    }
}

impl ScriptReader {
    pub fn new() -> Self {
        ScriptReader::default()
    }

    /// Reads one line; returns the input it completes, if any. Blank and comment-only lines
    /// outside an input make no input.
    pub fn push(&mut self, line: &str) -> Option<ScriptInput> {
        self.line += 1;
        if self.buf.is_empty() {
            self.first_line = self.line;
        }
        self.buf.push_str(line);
        self.buf.push('\n');
        self.scan(line);
        // A `(` or `[` open below every `{`: not inside a block.
        if let Some(&(bracket, line, column)) = self.open.first().filter(|(c, ..)| *c != '{') {
            let text = self.take();
            return Some(ScriptInput::Unclosed {
                text,
                line,
                column,
                bracket,
            });
        }
        if !self.open.is_empty() {
            return None;
        }
        let line = self.first_line;
        let text = self.take();
        if text.trim().is_empty() {
            return None;
        }
        Some(ScriptInput::Input { text, line })
    }

    /// The end of the script: an input still open (a `{` never closed) is run anyway, so that
    /// its error says what is missing.
    pub fn finish(&mut self) -> Option<ScriptInput> {
        let line = self.first_line;
        let text = self.take();
        (!text.trim().is_empty()).then_some(ScriptInput::Input { text, line })
    }

    fn take(&mut self) -> String {
        self.open.clear();
        std::mem::take(&mut self.buf)
    }

    /// Updates the open brackets with one line (strings and comments skipped).
    fn scan(&mut self, line: &str) {
        for (_, column, c) in crate::source::code_chars(line) {
            match c {
                '{' | '(' | '[' => self.open.push((c, self.line, column)),
                '}' => {
                    // Closes its `{`, and whatever was left open inside it.
                    if let Some(at) = self.open.iter().rposition(|(o, ..)| *o == '{') {
                        self.open.truncate(at);
                    }
                }
                ')' | ']' => {
                    let opener = if c == ')' { '(' } else { '[' };
                    if self.open.last().is_some_and(|(o, ..)| *o == opener) {
                        self.open.pop();
                    }
                }
                _ => {}
            }
        }
    }
}

impl Session {
    /// Runs one input of a script (see [`ScriptReader`]); an unclosed bracket is an error reply
    /// that says where it opened.
    pub fn eval_script_input(&mut self, input: &ScriptInput) -> Reply {
        match input {
            ScriptInput::Input { text, .. } => self.eval_line(text),
            ScriptInput::Unclosed {
                text,
                line,
                column,
                bracket,
            } => {
                let closing = if *bracket == '(' { ')' } else { ']' };
                let shown = text.lines().last().unwrap_or("");
                let caret = " ".repeat(super::words::width(
                    &shown.chars().take(column - 1).collect::<String>(),
                ));
                Reply::error(format!(
                    "line {line}: the `{bracket}` at column {column} is not closed on its line, so this line was not run\n  \
                     {shown}\n  {caret}^\n\
                     help: close it with `{closing}` on the same line; in a script only an open `{{` continues an input onto the next line"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(script: &str) -> Vec<ScriptInput> {
        let mut r = ScriptReader::new();
        let mut out: Vec<ScriptInput> = script.lines().filter_map(|l| r.push(l)).collect();
        out.extend(r.finish());
        out
    }

    fn input(text: &str, line: usize) -> ScriptInput {
        ScriptInput::Input {
            text: text.into(),
            line,
        }
    }

    #[test]
    fn braces_continue_and_parens_do_not() {
        assert_eq!(
            inputs("1 + 1\n\ngrade g by x {\n  A >= 1\n}\n2"),
            [
                input("1 + 1\n", 1),
                input("grade g by x {\n  A >= 1\n}\n", 3),
                input("2\n", 6)
            ]
        );
        assert_eq!(
            inputs("(销售额 * 2\n+ )\n3"),
            [
                ScriptInput::Unclosed {
                    text: "(销售额 * 2\n".into(),
                    line: 1,
                    column: 1,
                    bracket: '('
                },
                input("+ )\n", 2),
                input("3\n", 3)
            ]
        );
    }

    #[test]
    fn parens_inside_braces_may_span_lines() {
        let text = "grade g by x {\n  A when (a and\n    b)\n  B when (c\n}\n";
        assert_eq!(inputs(text), [input(text, 1)]);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        assert_eq!(
            inputs("\"(\" # (\nx"),
            [input("\"(\" # (\n", 1), input("x\n", 2)]
        );
    }

    #[test]
    fn an_open_brace_at_the_end_is_run() {
        assert_eq!(inputs("let x = {\n1"), [input("let x = {\n1\n", 1)]);
    }
}
