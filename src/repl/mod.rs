//! The REPL: a plain, testable `Session` (`eval_line(&str) -> Reply`) that computes replies
//! and never prints; the rustyline loop around it is the binary's (`src/cli/terminal.rs`).
//!
//! Anything typed is an expression (evaluated against the current customer), a definition
//! (`let`, `grade`, `tag`, ... added to the session's ruleset, replacing an earlier definition of
//! the same name), or a `:command`.
//!
//! Layout: this file holds the session and its ruleset (load, reload, the typed definitions);
//! `inputs` the current customer (`:set`, `:unset`, `:show`, `:row`, `:grade`); `typed`
//! definitions and expressions; `words` keywords, completion and brace counting; `script` how
//! piped lines make inputs.

mod commands;
mod events;
mod inputs;
mod row;
mod script;
mod typed;
mod words;

pub use script::{ScriptInput, ScriptReader};
pub use words::{command_hint, complete_word, is_incomplete};

use crate::ast::Item;
use crate::data::Cell;
use crate::diagnostic::{self, Diagnostic, RenderOptions};
use crate::source::{SourceFile, Span};
use crate::Loaded;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What the session answers to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Whether the input worked, failed, or asked to leave.
    pub kind: ReplyKind,
    /// The text to show (may be empty, e.g. for a comment line).
    pub text: String,
}

/// The outcome of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// The input worked; the text is the answer.
    Ok,
    /// The input failed; the text says why (a script run exits 1).
    Error,
    /// `:quit`: the session ends.
    Quit,
}

impl Reply {
    fn ok(text: impl Into<String>) -> Reply {
        Reply {
            kind: ReplyKind::Ok,
            text: text.into(),
        }
    }

    fn error(text: impl Into<String>) -> Reply {
        Reply {
            kind: ReplyKind::Error,
            text: text.into(),
        }
    }

    /// `first` then `self`, the worse kind winning (used to prefix a reload notice).
    fn after(self, first: Reply) -> Reply {
        let kind = if first.kind == ReplyKind::Error && self.kind == ReplyKind::Ok {
            ReplyKind::Error
        } else {
            self.kind
        };
        let text = match (first.text.is_empty(), self.text.is_empty()) {
            (true, _) => self.text,
            (false, true) => first.text,
            (false, false) => format!("{}\n{}", first.text, self.text),
        };
        Reply { kind, text }
    }
}

/// One declaration typed in the session, kept as text and appended to the file's text. A later
/// declaration with the same key (a name, `follow_up`, `test "…"`) replaces it, and replaces the
/// file's declaration of that key too.
#[derive(Debug, Clone)]
struct Typed {
    key: Option<String>,
    text: String,
}

/// The session's ruleset as one text: the file (replaced declarations blanked out, so line numbers
/// stay those of the file) followed by the typed declarations.
struct Composed {
    source: SourceFile,
    /// Where each typed declaration starts in `source`.
    offsets: Vec<usize>,
}

const EMPTY_RULESET: &str = "ruleset \"repl\"\n";

/// One REPL session: a ruleset (a file plus the definitions typed since), the current customer's
/// inputs as typed, and the as-of date.
pub struct Session {
    file: Option<PathBuf>,
    file_text: String,
    file_mtime: Option<SystemTime>,
    /// `file` failed to load and nothing of it is loaded: it is remembered so that fixing it
    /// (or `:reload`) loads it.
    file_pending: bool,
    typed: Vec<Typed>,
    /// Always `Some` after [`Session::new`]; an `Option` only so a broken build can never leave
    /// the session without a ruleset to fall back on.
    loaded: Option<Loaded>,
    /// Input (or relative) name → the cell as typed or read from a data file.
    inputs: BTreeMap<String, Cell>,
    /// The current customer's events (`:event`), as typed.
    events: Vec<events::TypedEvent>,
    as_of: jiff::civil::Date,
    render: RenderOptions,
    /// The texts of the typed definitions as of the last `:save` (none saved yet: empty).
    saved: Vec<String>,
    /// The typed definitions when Ctrl-D last warned that they were not saved: another Ctrl-D
    /// with the same ones quits.
    eof_warned: Option<Vec<String>>,
}

impl Session {
    /// A session without a ruleset file (expressions on literals still work).
    pub fn new(as_of: jiff::civil::Date) -> Session {
        let mut s = Session {
            file: None,
            file_text: EMPTY_RULESET.to_string(),
            file_mtime: None,
            file_pending: false,
            typed: Vec::new(),
            loaded: None,
            inputs: BTreeMap::new(),
            events: Vec::new(),
            as_of,
            render: RenderOptions {
                color: false,
                width: 100,
            },
            saved: Vec::new(),
            eof_warned: None,
        };
        if let Ok(l) = s.build(EMPTY_RULESET, &[]).0 {
            s.loaded = Some(l);
        }
        s
    }

    /// Renders diagnostics with colour (for a terminal).
    pub fn set_color(&mut self, color: bool) {
        self.render.color = color;
    }

    /// Whether diagnostics are rendered with colour.
    pub fn color(&self) -> bool {
        self.render.color
    }

    /// The evaluation date.
    pub fn as_of(&self) -> jiff::civil::Date {
        self.as_of
    }

    /// The prompt: the loaded ruleset's file name, `+` when definitions were typed since.
    pub fn prompt(&self) -> String {
        let changed = if self.typed.is_empty() { "" } else { "+" };
        match &self.file {
            Some(p) => {
                let stem = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if self.file_pending {
                    format!("tier({stem}: not loaded)> ")
                } else {
                    format!("tier({stem}{changed})> ")
                }
            }
            None if changed.is_empty() => "tier> ".to_string(),
            None => format!("tier({changed})> "),
        }
    }

    /// The prompt for the next line: [`Session::prompt`] for a new input; while an input is
    /// still open (`pending` is the text so far and [`is_incomplete`]), `...> ` ending where
    /// the main prompt ends, so the continued lines line up with the first.
    pub fn prompt_for(&self, pending: &str) -> String {
        let main = self.prompt();
        if pending.is_empty() {
            return main;
        }
        const MORE: &str = "...> ";
        let pad = words::width(&main).saturating_sub(MORE.len());
        format!("{}{MORE}", " ".repeat(pad))
    }

    /// How many definitions typed in this session are not in the last `:save`.
    pub fn unsaved(&self) -> usize {
        self.typed
            .iter()
            .filter(|t| !self.saved.contains(&t.text))
            .count()
    }

    /// End of input at the terminal (Ctrl-D): quits, unless typed definitions were not saved
    /// and this is the first Ctrl-D since they were typed; then it warns, and the next Ctrl-D
    /// quits.
    pub fn end_of_input(&mut self) -> Reply {
        let n = self.unsaved();
        let typed: Vec<String> = self.typed.iter().map(|t| t.text.clone()).collect();
        if n == 0 || self.eof_warned.as_ref() == Some(&typed) {
            return Reply {
                kind: ReplyKind::Quit,
                text: String::new(),
            };
        }
        self.eof_warned = Some(typed);
        let what = if n == 1 {
            "1 definition".to_string()
        } else {
            format!("{n} definitions")
        };
        Reply::ok(format!(
            "{what} not saved; :save FILE to keep them, Ctrl-D again to quit"
        ))
    }

    /// Evaluates one complete input (possibly several lines) and answers. Never panics.
    pub fn eval_line(&mut self, line: &str) -> Reply {
        let trimmed = line.trim();
        let explicit_load = trimmed.starts_with(":load") || trimmed.starts_with(":reload");
        let reload = if explicit_load {
            None
        } else {
            self.auto_reload()
        };
        let reply = if trimmed.is_empty() || trimmed.starts_with('#') {
            Reply::ok("")
        } else if let Some(cmd) = trimmed.strip_prefix(':') {
            self.command(cmd)
        } else if words::starts_definition(trimmed) {
            self.define(trimmed)
        } else {
            self.expression(trimmed)
        };
        match reload {
            Some(r) if reply.kind != ReplyKind::Quit => reply.after(r),
            _ => reply,
        }
    }

    /// Loads a ruleset file, replacing the current one, its typed definitions and the inputs.
    /// A file with errors is reported and the previous ruleset stays loaded.
    pub fn load(&mut self, path: &Path) -> Reply {
        self.load_file(path, false)
    }

    fn load_file(&mut self, path: &Path, keep_typed: bool) -> Reply {
        let text = match crate::source::read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                let d = crate::limits::too_large(&path.display().to_string());
                let msg = diagnostic::render(&[d], self.render);
                return Reply::error(format!("{}{}", msg.trim_end(), self.still_loaded()));
            }
            Err(e) => {
                return Reply::error(format!(
                    "cannot read `{}`: {e}{}",
                    path.display(),
                    self.still_loaded()
                ))
            }
        };
        let mtime = mtime(path);
        let typed = if keep_typed {
            self.typed.clone()
        } else {
            Vec::new()
        };
        let old_file = self.file.replace(path.to_path_buf());
        let (result, _) = self.build(&text, &typed);
        let (result, dropped) = match result {
            Err(d) if !typed.is_empty() => match self.build(&text, &[]).0 {
                Ok(l) => (Ok(l), Some(d)),
                Err(d2) => (Err(d2), None),
            },
            other => (other, None),
        };
        match result {
            Ok(l) => {
                let mut msg = format!("loaded {}: {}", path.display(), describe(&l));
                // The file's warnings; those of typed definitions were shown when typed.
                let warnings: Vec<Diagnostic> = l
                    .warnings
                    .iter()
                    .filter(|d| d.span().is_none_or(|s| s.start < text.len()))
                    .cloned()
                    .collect();
                if !warnings.is_empty() {
                    msg.push('\n');
                    msg.push_str(diagnostic::render(&warnings, self.render).trim_end());
                }
                self.file_text = text;
                self.file_mtime = mtime;
                self.file_pending = false;
                self.typed = if dropped.is_some() { Vec::new() } else { typed };
                self.loaded = Some(l);
                if keep_typed {
                    self.forget_unknown_inputs(&mut msg);
                } else {
                    // Another ruleset: another customer.
                    self.inputs.clear();
                    self.events.clear();
                }
                match dropped {
                    Some(d) => {
                        msg.push_str(
                            "\nthe definitions typed in this session no longer fit the file and were dropped:\n",
                        );
                        msg.push_str(diagnostic::render(&d, self.render).trim_end());
                        Reply::error(msg)
                    }
                    None => {
                        if !self.typed.is_empty() {
                            let n = self.typed.len();
                            msg.push_str(&format!(
                                "\n(kept {n} definition{} typed in this session; :show lists them)",
                                if n == 1 { "" } else { "s" }
                            ));
                        }
                        Reply::ok(msg)
                    }
                }
            }
            Err(d) => {
                let mut msg = diagnostic::render(&d, self.render).trim_end().to_string();
                if old_file.is_none() || self.file_pending {
                    // Nothing to fall back on: remember the file, so that fixing it loads it.
                    self.file_mtime = mtime;
                    self.file_pending = true;
                    msg.push_str(&format!(
                        "\n(nothing loaded: fix {} and it loads by itself, or :load another file)",
                        path.display()
                    ));
                    return Reply::error(msg);
                }
                let same_file = old_file.as_deref() == Some(path);
                self.file = old_file;
                if same_file {
                    // Report a broken edit once, not before every input until it is fixed.
                    self.file_mtime = mtime;
                }
                msg.push_str(&self.still_loaded());
                Reply::error(msg)
            }
        }
    }

    fn still_loaded(&self) -> String {
        match &self.file {
            Some(p) => format!("\n(still using the previously loaded {})", p.display()),
            None => String::new(),
        }
    }

    /// After a reload, inputs the ruleset no longer declares are dropped (and said so).
    fn forget_unknown_inputs(&mut self, msg: &mut String) {
        let Some(l) = &self.loaded else { return };
        let known = |n: &str| {
            l.program.inputs().iter().any(|i| &*i.name == n)
                || l.program.relatives().iter().any(|r| &*r.name == n)
        };
        let gone: Vec<String> = self.inputs.keys().filter(|k| !known(k)).cloned().collect();
        for g in &gone {
            self.inputs.remove(g);
        }
        if !gone.is_empty() {
            msg.push_str(&format!(
                "\n(dropped values of inputs the ruleset no longer has: {})",
                gone.join(", ")
            ));
        }
    }

    /// `:reload`
    fn reload(&mut self) -> Reply {
        match self.file.clone() {
            Some(p) => {
                let r = self.load_file(&p, true);
                if r.kind == ReplyKind::Ok {
                    Reply::ok(r.text.replacen("loaded", "reloaded", 1))
                } else {
                    r
                }
            }
            None => Reply::error("no ruleset file loaded: use :load FILE"),
        }
    }

    /// Re-reads the file when its modification time changed since it was loaded.
    fn auto_reload(&mut self) -> Option<Reply> {
        let path = self.file.clone()?;
        let now = mtime(&path)?;
        if Some(now) == self.file_mtime {
            return None;
        }
        // A touch without a change is not worth a message.
        if crate::source::read_text(&path).ok().as_deref() == Some(self.file_text.as_str()) {
            self.file_mtime = Some(now);
            return None;
        }
        let r = self.load_file(&path, true);
        let text = if r.kind == ReplyKind::Ok {
            r.text.replacen("loaded", "reloaded", 1)
        } else {
            r.text
        };
        Some(Reply {
            kind: r.kind,
            text: format!("({} changed on disk)\n{text}", path.display()),
        })
    }

    /// The session's ruleset text for `file_text` plus `typed`. A typed declaration replaces the
    /// file's declaration with the same key: that one is blanked out (byte for byte, so the
    /// spans and line numbers of the rest of the file do not move).
    fn compose(&self, file_text: &str, typed: &[Typed]) -> Composed {
        let name = self
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<session>".into());
        let mut text = file_text.to_string();
        let keys: Vec<&str> = typed.iter().filter_map(|t| t.key.as_deref()).collect();
        if !keys.is_empty() {
            if let Ok(r) = crate::syntax::parse(&SourceFile::new(name.clone(), file_text)) {
                let mut bytes = text.into_bytes();
                for item in &r.items {
                    if item_key(item).is_some_and(|k| keys.contains(&k.as_str())) {
                        let span = item_span(item);
                        for b in bytes.get_mut(span.start..span.end).into_iter().flatten() {
                            if *b != b'\n' {
                                *b = b' ';
                            }
                        }
                    }
                }
                // Only ASCII bytes were written, and whole characters were replaced (spans lie on
                // character boundaries), so this is still UTF-8; fall back to the file otherwise.
                text = String::from_utf8(bytes).unwrap_or_else(|_| file_text.to_string());
            }
        }
        let mut offsets = Vec::new();
        for t in typed {
            text.push('\n');
            offsets.push(text.len());
            text.push_str(&t.text);
        }
        text.push('\n');
        Composed {
            source: SourceFile::new(name, text),
            offsets,
        }
    }

    /// parse → check → compile the session's ruleset.
    fn build(
        &self,
        file_text: &str,
        typed: &[Typed],
    ) -> (Result<Loaded, Vec<Diagnostic>>, Composed) {
        let composed = self.compose(file_text, typed);
        (crate::load(composed.source.clone()), composed)
    }

    /// The file's declaration a key currently refers to, as `line N of FILE`, when the file has one.
    fn file_line_of(&self, key: &str) -> Option<String> {
        let path = self.file.as_ref()?;
        let source = SourceFile::new(path.display().to_string(), self.file_text.clone());
        let r = crate::syntax::parse(&source).ok()?;
        let item = r
            .items
            .iter()
            .find(|i| item_key(i).as_deref() == Some(key))?;
        let (line, _) = source.line_col(item_span(item).start);
        Some(format!("line {line} of {}", path.display()))
    }
}

/// `经销商综合评价与状态分类 (10 inputs, 1 scorecard, 1 grade, 9 tags, 9 tests)`
fn describe(l: &Loaded) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut inputs = 0;
    for item in &l.ruleset.items {
        let what = match item {
            Item::Input(b) => {
                inputs += b.fields.len();
                continue;
            }
            Item::Let(_) => "let",
            Item::Scorecard(_) => "scorecard",
            Item::Grade(_) => "grade",
            Item::Adjust(_) => "adjust",
            Item::Tag(_) => "tag",
            Item::Relative(_) => "relative",
            Item::Test(_) => "test",
            _ => continue,
        };
        *counts.entry(what).or_default() += 1;
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![plural(inputs, "input")];
    for what in [
        "let",
        "scorecard",
        "grade",
        "adjust",
        "tag",
        "relative",
        "test",
    ] {
        if let Some(n) = counts.get(what) {
            parts.push(plural(*n, what));
        }
    }
    format!("{} ({})", l.program.name(), parts.join(", "))
}

/// What a later declaration replaces: the declared name, or the kind for one-per-ruleset
/// declarations. Input blocks add fields and never replace anything.
fn item_key(item: &Item) -> Option<String> {
    Some(match item {
        Item::Input(_) => return None,
        Item::Events(d) => format!("events {}", d.name.name),
        Item::Scale(d) => d.name.name.clone(),
        Item::Let(d) => d.name.name.clone(),
        Item::Scorecard(d) => d.name.name.clone(),
        Item::Grade(d) => d.name.name.clone(),
        Item::Adjust(d) => d.name.name.clone(),
        Item::Tag(d) => d.name.name.clone(),
        Item::Relative(d) => d.name.name.clone(),
        Item::Schedule(d) => {
            let word = match d.kind {
                crate::ast::ScheduleKind::FollowUp => "follow_up",
                crate::ast::ScheduleKind::Review => "review",
            };
            match &d.name {
                Some(n) => format!("{word} {}", n.name),
                None => word.into(),
            }
        }
        Item::Override(d) => format!("override {}", d.grade.name),
        Item::Output(_) => "output".into(),
        Item::Test(t) => format!("test \"{}\"", t.name.value),
    })
}

/// The span of a whole declaration.
fn item_span(item: &Item) -> Span {
    match item {
        Item::Input(d) => d.span,
        Item::Events(d) => d.span,
        Item::Scale(d) => d.span,
        Item::Let(d) => d.span,
        Item::Scorecard(d) => d.span,
        Item::Grade(d) => d.span,
        Item::Adjust(d) => d.span,
        Item::Tag(d) => d.span,
        Item::Relative(d) => d.span,
        Item::Schedule(d) => d.span,
        Item::Override(d) => d.span,
        Item::Output(d) => d.span,
        Item::Test(d) => d.span,
    }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
