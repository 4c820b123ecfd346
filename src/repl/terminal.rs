//! The thin shell around [`Session`]: a rustyline loop on a terminal (completion, hints,
//! multi-line input, history), a script runner when stdin is piped.

use super::words::{command_hint, is_incomplete};
use super::{ReplyKind, ScriptReader, Session};
use crate::diagnostic::RenderOptions;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter, HistoryHinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::io::Write;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

// The CLI's exit codes (documented in the README); this loop is the binary's part of the REPL,
// still here until it moves into the binary with its terminal.
const EXIT_OK: u8 = 0;
const EXIT_FAILED: u8 = 1;
const EXIT_IO: u8 = 3;

/// Writes to standard output; a closed pipe ends the process quietly (exit 141), as the CLI's
/// own output does.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if crate::data::write::note_stdout_error(&e) {
            crate::data::write::remove_temporary_files();
            std::process::exit(141);
        }
    }
}

/// Writes to standard error; errors are ignored (there is nowhere left to report to).
fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

macro_rules! outln {
    ($($arg:tt)*) => { out(&format!("{}\n", format_args!($($arg)*))) };
}
macro_rules! errln {
    ($($arg:tt)*) => { err(&format!("{}\n", format_args!($($arg)*))) };
}

/// `tier repl [RULESET]`: interactive on a terminal, a script runner when stdin is piped (exit 1
/// when any reply was an error).
pub fn run_interactive(ruleset: Option<&Path>, as_of: jiff::civil::Date, color: bool) -> u8 {
    let mut session = Session::new(as_of);
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        session.set_color(color);
    }
    if let Some(p) = ruleset {
        // A file that cannot be read at all is exit code 3, as for every command.
        if let Err(d) = crate::source::read_source(p) {
            err(&crate::diagnostic::render(
                &[d],
                RenderOptions { color, width: 100 },
            ));
            return EXIT_IO;
        }
        let r = session.load(p);
        match r.kind {
            // A script cannot go on without its ruleset.
            ReplyKind::Error if !interactive => {
                errln!("{}", r.text);
                return EXIT_FAILED;
            }
            // At a terminal the session starts anyway: fixing the file loads it.
            ReplyKind::Error => errln!("{}", r.text),
            _ if interactive => outln!("{}", r.text),
            _ => {}
        }
    }
    if interactive {
        interactive_loop(session)
    } else {
        script(session)
    }
}

/// Piped stdin: inputs in order (see [`ScriptReader`]), replies on stdout, errors on stderr.
fn script(mut session: Session) -> u8 {
    let mut failed = false;
    let mut reader = ScriptReader::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        let input = match lines.next() {
            Some(Ok(line)) => match reader.push(&line) {
                Some(input) => input,
                None => continue,
            },
            Some(Err(e)) => {
                errln!("cannot read the script from stdin: {e}");
                return EXIT_IO;
            }
            None => match reader.finish() {
                Some(input) => input,
                None => break,
            },
        };
        let reply = session.eval_script_input(&input);
        match reply.kind {
            ReplyKind::Quit => break,
            ReplyKind::Error => {
                failed = true;
                errln!("{}", reply.text);
            }
            ReplyKind::Ok if !reply.text.is_empty() => outln!("{}", reply.text),
            ReplyKind::Ok => {}
        }
    }
    if failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("TIER_HISTORY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".tier_history")))
}

fn interactive_loop(mut session: Session) -> u8 {
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .history_ignore_dups(true)
        .map(|b| b.history_ignore_space(true))
        .unwrap_or_else(|_| rustyline::Config::builder())
        .completion_type(rustyline::CompletionType::List)
        .max_history_size(5000)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut editor: Editor<TierHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            errln!("cannot start the line editor: {e}");
            return EXIT_IO;
        }
    };
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    outln!(
        "tier {} repl, as of {} — :help for commands, Tab completes, Ctrl-D leaves",
        env!("CARGO_PKG_VERSION"),
        session.as_of()
    );
    loop {
        editor.set_helper(Some(TierHelper {
            names: session.completions(),
            hinter: HistoryHinter::new(),
            color: session.render.color,
        }));
        match editor.readline(&session.prompt()) {
            Ok(line) => {
                let reply = session.eval_line(&line);
                match reply.kind {
                    ReplyKind::Quit => break,
                    ReplyKind::Error => errln!("{}", reply.text),
                    ReplyKind::Ok if !reply.text.is_empty() => outln!("{}", reply.text),
                    ReplyKind::Ok => {}
                }
                // Saved after every input so a crash of the terminal loses nothing.
                if let Some(h) = &history {
                    let _ = editor.append_history(h);
                }
            }
            // Ctrl-C abandons the current input, as in a shell.
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    EXIT_OK
}

/// rustyline glue: completion of names (Chinese too), hints, brace continuation.
struct TierHelper {
    names: Vec<String>,
    hinter: HistoryHinter,
    color: bool,
}

impl Completer for TierHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(pos);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        // A command is completed only at the start of the line; elsewhere `:` is not a word.
        let at_line_start = before[..start].trim().is_empty();
        let pairs = self
            .names
            .iter()
            .filter(|n| n.starts_with(word) && n.as_str() != word)
            .filter(|n| at_line_start || !n.starts_with(':'))
            .map(|n| Pair {
                display: n.clone(),
                replacement: if n.starts_with(':') {
                    format!("{n} ")
                } else {
                    n.clone()
                },
            })
            .collect();
        Ok((start, pairs))
    }
}

/// A hint shown greyed after the cursor; `→` accepts the part that is literal text.
struct TierHint {
    display: String,
    completion: Option<String>,
}

impl Hint for TierHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

impl Hinter for TierHelper {
    type Hint = TierHint;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<TierHint> {
        if pos < line.len() {
            return None;
        }
        if let Some((display, completion)) = command_hint(line) {
            return Some(TierHint {
                display,
                completion,
            });
        }
        self.hinter.hint(line, pos, ctx).map(|h| TierHint {
            completion: Some(h.clone()),
            display: h,
        })
    }
}

impl Highlighter for TierHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Validator for TierHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        // An open brace asks for more, but an empty line sends the input anyway, so a stray
        // `(` never traps the user (the error then says what is missing).
        let input = ctx.input();
        if is_incomplete(input) && !input.ends_with('\n') {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for TierHelper {}
