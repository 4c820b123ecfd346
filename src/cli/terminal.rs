//! The thin shell around [`Session`]: a rustyline loop on a terminal (completion, hints,
//! multi-line input, history), a script runner when stdin is piped.

// The binary's part of the REPL: the library's `repl` computes replies, this reads lines and
// prints them.
use super::stdio::{errln, outln};
use super::{Ui, EXIT_FAILED, EXIT_IO, EXIT_OK};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter, HistoryHinter};
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use tier::repl::{command_hint, complete_word, is_incomplete, ReplyKind, ScriptReader, Session};

/// `tier repl [RULESET]`: interactive on a terminal, a script runner when stdin is piped (exit 1
/// when any reply was an error).
pub fn run_interactive(ruleset: Option<&Path>, as_of: jiff::civil::Date, ui: &Ui) -> u8 {
    let mut session = Session::new(as_of);
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        session.set_color(ui.color);
    }
    if let Some(p) = ruleset {
        // A file that cannot be read at all is exit code 3, as for every command.
        if let Err(d) = tier::source::read_source(p) {
            ui.report(&[d]);
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
        .auto_add_history(false)
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
    // The input so far while a `{` (or `(`, `[`) is open: the next lines continue it under a
    // `...> ` prompt, and an empty line sends it as it is (so a stray `(` never traps the user;
    // the error then says what is missing).
    let mut pending = String::new();
    loop {
        editor.set_helper(Some(TierHelper {
            names: session.completions(),
            hinter: HistoryHinter::new(),
            color: session.color(),
        }));
        match editor.readline(&session.prompt_for(&pending)) {
            Ok(line) => {
                let ended_by_empty_line = !pending.is_empty() && line.trim().is_empty();
                let input = if pending.is_empty() {
                    line
                } else if ended_by_empty_line {
                    std::mem::take(&mut pending)
                } else {
                    format!("{}\n{line}", std::mem::take(&mut pending))
                };
                if is_incomplete(&input) && !ended_by_empty_line {
                    pending = input;
                    continue;
                }
                let input = input.trim_end().to_string();
                let _ = editor.add_history_entry(input.as_str());
                let reply = session.eval_line(&input);
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
            Err(rustyline::error::ReadlineError::Interrupted) => pending.clear(),
            // Ctrl-D inside an open input abandons it; at the prompt it leaves, after one
            // warning when typed definitions were not saved.
            Err(rustyline::error::ReadlineError::Eof) if !pending.is_empty() => pending.clear(),
            Err(rustyline::error::ReadlineError::Eof) => {
                let reply = session.end_of_input();
                if reply.kind == ReplyKind::Quit {
                    break;
                }
                errln!("{}", reply.text);
            }
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
        let (start, words) = complete_word(&self.names, line, pos);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.trim_end().to_string(),
                replacement: w,
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

/// Continuation is the loop's business (it shows a `...> ` prompt), not the editor's.
impl Validator for TierHelper {}

impl Helper for TierHelper {}
