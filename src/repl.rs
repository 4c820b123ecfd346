//! The REPL: a plain, testable [`Session`] (`eval_line(&str) -> Reply`) and a thin rustyline loop.
//!
//! Anything typed is an expression (evaluated against the current customer), a definition
//! (`let`, `grade`, `tag`, ... added to the session's ruleset), or a `:command`.

use crate::ast::Item;
use crate::cli::commands::build_record;
use crate::cli::{Ui, EXIT_IO, EXIT_OK};
use crate::data::{self, Cell, ReadOptions};
use crate::diagnostic::{self, Diagnostic, RenderOptions};
use crate::source::{SourceFile, Span};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What the session answers to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub kind: ReplyKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    Ok,
    Error,
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
}

const HELP: &str = "\
Type an expression (销售额 * 2), a definition (let 增长率 = ..., grade 等级 by ... { ... }),
or a command:
  :load FILE            load a ruleset
  :reload               reload it (also automatic when the file changes)
  :set 字段 = 值         set an input as a data cell would say it (200万, 92%, 2026-11-01)
  :unset 字段            clear an input
  :show                 the current inputs
  :grade                the full result for the current inputs
  :explain              the result step by step
  :row FILE N|ID        load customer row N (as numbered in the file) or the row containing ID
  :as-of DATE           set the evaluation date
  :test                 run the ruleset's tests
  :help                 this text
  :quit                 leave (also Ctrl-D)
An open brace continues the input on the next line.";

/// One REPL session: a ruleset (file + definitions typed since), the current customer, a date.
pub struct Session {
    file: Option<PathBuf>,
    file_text: String,
    file_mtime: Option<SystemTime>,
    /// Definitions typed in this session, appended to the file's text.
    extra: Vec<String>,
    loaded: Option<crate::Loaded>,
    inputs: BTreeMap<String, Cell>,
    as_of: jiff::civil::Date,
    render: RenderOptions,
}

const EMPTY_RULESET: &str = "ruleset \"repl\"\n";

impl Session {
    /// A session without a ruleset.
    pub fn new(as_of: jiff::civil::Date) -> Session {
        let mut s = Session {
            file: None,
            file_text: EMPTY_RULESET.to_string(),
            file_mtime: None,
            extra: Vec::new(),
            loaded: None,
            inputs: BTreeMap::new(),
            as_of,
            render: RenderOptions {
                color: false,
                width: 100,
            },
        };
        let _ = s.rebuild();
        s
    }

    /// Renders diagnostics with colour (for a terminal).
    pub fn set_color(&mut self, color: bool) {
        self.render.color = color;
    }

    /// The prompt, showing the loaded ruleset.
    pub fn prompt(&self) -> String {
        match &self.loaded {
            Some(l) if self.file.is_some() => format!("tier[{}]> ", l.program.name()),
            _ => "tier> ".to_string(),
        }
    }

    /// Names to complete: inputs, derived names, labels, keywords and commands.
    pub fn completions(&self) -> Vec<String> {
        let mut names: Vec<String> = KEYWORDS.iter().map(|s| s.to_string()).collect();
        names.extend(COMMANDS.iter().map(|s| s.to_string()));
        if let Some(l) = &self.loaded {
            for item in &l.ruleset.items {
                match item {
                    Item::Input(b) => {
                        for f in &b.fields {
                            names.push(f.name.name.clone());
                            if let crate::ast::TypeKind::Enum(vs) = &f.ty.kind {
                                names.extend(vs.iter().map(|v| v.name.name.clone()));
                            }
                        }
                    }
                    Item::Let(d) => names.push(d.name.name.clone()),
                    Item::Scorecard(d) => {
                        names.push(d.name.name.clone());
                        for c in &d.components {
                            names.push(format!("{}.{}", d.name.name, c.name.name));
                        }
                    }
                    Item::Grade(d) => names.push(d.name.name.clone()),
                    Item::Adjust(d) => names.push(d.name.name.clone()),
                    Item::Tag(d) => names.push(d.name.name.clone()),
                    Item::Relative(d) => names.push(d.name.name.clone()),
                    Item::Scale(d) => {
                        names.push(d.name.name.clone());
                        names.extend(d.labels.iter().map(|l| l.name.clone()));
                    }
                    _ => {}
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Loads a ruleset file (replacing the current one and its typed definitions).
    pub fn load(&mut self, path: &Path) -> Reply {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return Reply::error(format!("cannot read `{}`: {e}", path.display())),
        };
        let old = (
            self.file.take(),
            std::mem::replace(&mut self.file_text, text),
            std::mem::take(&mut self.extra),
            self.file_mtime.take(),
        );
        self.file = Some(path.to_path_buf());
        self.file_mtime = mtime(path);
        match self.rebuild() {
            Ok(warnings) => {
                let l = self.loaded.as_ref().map(|l| l.program.name().to_string());
                let mut msg = format!("loaded {} ({})", path.display(), l.unwrap_or_default());
                if !warnings.is_empty() {
                    msg.push('\n');
                    msg.push_str(&diagnostic::render(&warnings, self.render));
                }
                Reply::ok(msg)
            }
            Err(text) => {
                (self.file, self.file_text, self.extra, self.file_mtime) = old;
                let _ = self.rebuild();
                Reply::error(text)
            }
        }
    }

    /// Re-reads the file if it changed on disk since it was loaded.
    fn auto_reload(&mut self) -> Option<Reply> {
        let path = self.file.clone()?;
        let now = mtime(&path);
        if now.is_some() && now != self.file_mtime {
            self.file_mtime = now;
            let extra = std::mem::take(&mut self.extra);
            let reply = self.load(&path);
            self.extra = extra;
            let _ = self.rebuild();
            return Some(Reply {
                kind: reply.kind,
                text: format!("(file changed) {}", reply.text),
            });
        }
        None
    }

    fn full_text(&self) -> String {
        let mut text = self.file_text.clone();
        for e in &self.extra {
            text.push('\n');
            text.push_str(e);
        }
        text.push('\n');
        text
    }

    /// Re-parses, checks and compiles the session's ruleset. Errors as rendered text.
    fn rebuild(&mut self) -> Result<Vec<Diagnostic>, String> {
        let name = self
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<repl>".into());
        let source = SourceFile::new(name, self.full_text());
        match crate::load(source) {
            Ok(l) => {
                let w = l.warnings.clone();
                self.loaded = Some(l);
                Ok(w)
            }
            Err(d) => Err(diagnostic::render(&d, self.render)),
        }
    }

    /// Evaluates one complete input (possibly several lines) and answers.
    pub fn eval_line(&mut self, line: &str) -> Reply {
        let reload = self.auto_reload();
        let trimmed = line.trim();
        let reply = if trimmed.is_empty() || trimmed.starts_with('#') {
            Reply::ok("")
        } else if let Some(cmd) = trimmed.strip_prefix(':') {
            self.command(cmd)
        } else if starts_definition(trimmed) {
            self.define(trimmed)
        } else {
            self.expression(trimmed)
        };
        match reload {
            Some(r) if reply.kind != ReplyKind::Quit => Reply {
                kind: if r.kind == ReplyKind::Error {
                    ReplyKind::Error
                } else {
                    reply.kind
                },
                text: format!("{}\n{}", r.text, reply.text).trim().to_string(),
            },
            _ => reply,
        }
    }

    fn command(&mut self, cmd: &str) -> Reply {
        let (name, rest) = match cmd.find(char::is_whitespace) {
            Some(i) => (&cmd[..i], cmd[i..].trim()),
            None => (cmd, ""),
        };
        match name {
            "help" | "h" | "?" => Reply::ok(HELP),
            "quit" | "q" | "exit" => Reply {
                kind: ReplyKind::Quit,
                text: String::new(),
            },
            "load" if !rest.is_empty() => self.load(Path::new(rest)),
            "reload" => match self.file.clone() {
                Some(p) => {
                    let extra = std::mem::take(&mut self.extra);
                    let r = self.load(&p);
                    self.extra = extra;
                    let _ = self.rebuild();
                    r
                }
                None => Reply::error("no ruleset loaded: use :load FILE"),
            },
            "set" => self.set(rest),
            "unset" => match self.inputs.remove(rest) {
                Some(_) => Reply::ok(format!("{rest} unset")),
                None => Reply::error(format!("{rest} is not set")),
            },
            "show" => Reply::ok(self.show()),
            "grade" => self.grade(false),
            "explain" => self.grade(true),
            "row" => self.row(rest),
            "as-of" | "asof" | "as_of" => match crate::cli::parse_as_of(Some(rest)) {
                Ok(d) => {
                    self.as_of = d;
                    Reply::ok(format!("as of {d}"))
                }
                Err(d) => Reply::error(diagnostic::render(&[d], self.render)),
            },
            "test" => match &self.loaded {
                Some(l) => {
                    let report = crate::eval::testing::run_tests(
                        &l.ruleset, &l.source, &l.program, self.as_of,
                    );
                    let kind = if report.failed() > 0 {
                        ReplyKind::Error
                    } else {
                        ReplyKind::Ok
                    };
                    Reply {
                        kind,
                        text: report.render(self.render),
                    }
                }
                None => Reply::error("no ruleset loaded: use :load FILE"),
            },
            _ => {
                let mut msg = format!("unknown command `:{name}`");
                if let Some(s) =
                    diagnostic::suggest(name, COMMANDS.iter().map(|c| c.trim_start_matches(':')))
                {
                    msg.push_str(&format!("; did you mean `:{s}`?"));
                }
                msg.push_str(" (:help lists the commands)");
                Reply::error(msg)
            }
        }
    }

    fn set(&mut self, rest: &str) -> Reply {
        let Some((name, value)) = rest.split_once('=') else {
            return Reply::error("write :set 字段 = 值, e.g. :set 销售额 = 200万");
        };
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        let Some(l) = &self.loaded else {
            return Reply::error("no ruleset loaded: use :load FILE");
        };
        let cell = if value.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value.clone())
        };
        match build_record(&l.program, &[(name.clone(), cell.clone())]) {
            Ok(_) => {}
            Err(d) => {
                // Only complain about this field: other (unset) required fields are fine here.
                let mine: Vec<Diagnostic> = d
                    .into_iter()
                    .filter(|d| {
                        d.code == "tier::usage::unknown_field"
                            || d.message.starts_with(&format!("{name}:"))
                            || d.code == "tier::usage::set"
                    })
                    .collect();
                if !mine.is_empty() {
                    return Reply::error(diagnostic::render(&mine, self.render));
                }
            }
        }
        self.inputs.insert(name.clone(), cell);
        Reply::ok(format!("{name} = {value}"))
    }

    fn show(&self) -> String {
        let Some(l) = &self.loaded else {
            return "no ruleset loaded".into();
        };
        let mut out = format!("as of {}\n", self.as_of);
        for spec in l.program.inputs() {
            let v = match self.inputs.get(&*spec.name) {
                Some(Cell::Text(t)) => t.clone(),
                Some(c) => crate::run::cell_text(c).unwrap_or_default(),
                None => "(not set)".into(),
            };
            out.push_str(&format!("  {} = {v}\n", spec.name));
        }
        for r in l.program.relatives() {
            if let Some(Cell::Text(t)) = self.inputs.get(&*r.name) {
                out.push_str(&format!("  {} = {t}\n", r.name));
            }
        }
        out.trim_end().to_string()
    }

    fn record(&self) -> Result<crate::cli::commands::GivenRecord, String> {
        let l = self.loaded.as_ref().ok_or("no ruleset loaded")?;
        let pairs: Vec<(String, Cell)> = self
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        build_record(&l.program, &pairs).map_err(|d| diagnostic::render(&d, self.render))
    }

    fn grade(&self, explain: bool) -> Reply {
        let Some(l) = &self.loaded else {
            return Reply::error("no ruleset loaded: use :load FILE");
        };
        let rec = match self.record() {
            Ok(r) => r,
            Err(e) => return Reply::error(e),
        };
        match l.program.evaluate(&rec.inputs, &rec.relatives, self.as_of) {
            Ok(o) => Reply::ok(if explain {
                crate::eval::explain::render_trace(&o)
            } else {
                crate::eval::explain::render_outcome(&o)
            }),
            Err(e) => Reply::error(diagnostic::render(&[e.diagnostic], self.render)),
        }
    }

    fn row(&mut self, rest: &str) -> Reply {
        let mut parts = rest.rsplitn(2, char::is_whitespace);
        let (Some(key), Some(file)) = (parts.next(), parts.next()) else {
            return Reply::error(
                "write :row DATA_FILE N (row number as in the file) or :row DATA_FILE ID",
            );
        };
        let Some(l) = &self.loaded else {
            return Reply::error("no ruleset loaded: use :load FILE");
        };
        let source = match data::open(Path::new(file.trim()), &ReadOptions::default()) {
            Ok(s) => s,
            Err(d) => return Reply::error(diagnostic::render(&[d], self.render)),
        };
        let headers = source.headers().to_vec();
        let number: Option<usize> = key.parse().ok();
        let mut found = None;
        for item in source {
            let Ok(row) = item else { continue };
            let hit = match number {
                Some(n) => row.row == n,
                None => false,
            } || row
                .cells
                .iter()
                .any(|c| crate::run::cell_text(c).as_deref() == Some(key));
            if hit {
                found = Some(row);
                break;
            }
        }
        let Some(row) = found else {
            return Reply::error(format!("no row {key} in {file}"));
        };
        let norm = |s: &str| s.trim().to_lowercase();
        self.inputs.clear();
        let mut shown = Vec::new();
        for spec in l.program.inputs() {
            let names: Vec<String> = if spec.field.columns.is_empty() {
                vec![spec.name.to_string()]
            } else {
                spec.field.columns.iter().map(|c| c.value.clone()).collect()
            };
            let col = headers
                .iter()
                .position(|h| names.iter().any(|n| norm(n) == norm(h)));
            if let Some(cell) = col.and_then(|c| row.cells.get(c)) {
                let text = crate::run::cell_text(cell).unwrap_or_default();
                shown.push(format!("  {} = {text}", spec.name));
                self.inputs.insert(spec.name.to_string(), cell.clone());
            }
        }
        Reply::ok(format!("row {} of {file}:\n{}", row.row, shown.join("\n")))
    }

    fn define(&mut self, text: &str) -> Reply {
        let line_src = SourceFile::new("<input>", text.to_string());
        if let Err(d) = crate::syntax::parse_items(&line_src) {
            return Reply::error(diagnostic::render(&d, self.render));
        }
        self.extra.push(text.to_string());
        match self.rebuild() {
            Ok(_) => Reply::ok("ok"),
            Err(_) => {
                // Point the errors into the line just typed, not the whole session ruleset.
                let full = self.full_text();
                let offset = full.len() - text.len() - 1;
                self.extra.pop();
                let _ = self.rebuild();
                let source = SourceFile::new("<session>", full);
                let diags = match crate::syntax::parse(&source) {
                    Ok(r) => crate::check::check(&r, &source),
                    Err(d) => d,
                };
                let mine = relocate(&diags, offset, &line_src);
                let shown = if mine.is_empty() { diags } else { mine };
                Reply::error(diagnostic::render(&shown, self.render))
            }
        }
    }

    fn expression(&mut self, text: &str) -> Reply {
        let line_src = SourceFile::new("<input>", text.to_string());
        let expr = match crate::syntax::parse_expr(&line_src) {
            Ok(e) => e,
            Err(d) => return Reply::error(diagnostic::render(&d, self.render)),
        };
        // Type-check the expression in the context of the ruleset by checking it as a `let`.
        let probe = format!("let __repl_value = ({text})");
        let full = format!("{}{probe}\n", self.full_text());
        let offset = full.len() - probe.len() - 1 + "let __repl_value = (".len();
        let source = SourceFile::new("<session>", full);
        if let Ok(r) = crate::syntax::parse(&source) {
            let errors: Vec<Diagnostic> = crate::check::check(&r, &source)
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            let mine = relocate(&errors, offset, &line_src);
            if !mine.is_empty() {
                return Reply::error(diagnostic::render(&mine, self.render));
            }
        }
        let Some(l) = &self.loaded else {
            return Reply::error("the session's ruleset has errors: fix them or :reload");
        };
        let rec = match self.record() {
            Ok(r) => r,
            Err(e) => return Reply::error(e),
        };
        match l
            .program
            .eval_expr(&expr, &line_src, &rec.inputs, &rec.relatives, self.as_of)
        {
            Ok(Value::Missing) => Reply::ok("missing"),
            Ok(v) => Reply::ok(v.to_string()),
            Err(e) => Reply::error(diagnostic::render(&[e.diagnostic], self.render)),
        }
    }
}

/// Keeps the diagnostics whose primary span lies at or after `offset` (in the typed text) and
/// moves them into the line's own source.
fn relocate(diags: &[Diagnostic], offset: usize, line: &SourceFile) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.span().is_some_and(|s| s.start >= offset))
        .map(|d| {
            let mut d = d.clone();
            let len = line.text.len();
            d.labels.retain(|l| l.span.start >= offset);
            for l in &mut d.labels {
                let start = (l.span.start - offset).min(len);
                let end = (l.span.end.saturating_sub(offset)).clamp(start, len);
                l.span = Span::new(start, end);
            }
            d.source = Some(line.clone());
            d
        })
        .collect()
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

const DEFINITION_KEYWORDS: &[&str] = &[
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

fn starts_definition(text: &str) -> bool {
    let first: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    DEFINITION_KEYWORDS.contains(&first.as_str())
}

const KEYWORDS: &[&str] = &[
    "let",
    "grade",
    "scorecard",
    "tag",
    "scale",
    "adjust",
    "relative",
    "follow_up",
    "review",
    "input",
    "output",
    "test",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "is",
    "missing",
    "otherwise",
    "when",
    "linear",
    "bands",
    "match",
    "matrix",
    "at_least",
    "as_of",
    "from",
    "to",
    "days_since",
    "days_between",
    "months_since",
    "min",
    "max",
    "round",
    "concat",
    "count_of",
];

const COMMANDS: &[&str] = &[
    ":help", ":load", ":reload", ":set", ":unset", ":show", ":grade", ":explain", ":row", ":as-of",
    ":test", ":quit",
];

/// True when the input so far has more `{` than `}` (outside strings and comments): the REPL
/// then reads another line.
pub fn is_incomplete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut in_str = false;
    let mut escaped = false;
    for line in text.lines() {
        for c in line.chars() {
            if in_str {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => in_str = false,
                    _ => escaped = false,
                }
                continue;
            }
            match c {
                '#' => break,
                '"' => in_str = true,
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

mod line_editor {
    //! rustyline glue: completion of names (Chinese too), hints from history, brace continuation.
    use super::is_incomplete;
    use rustyline::completion::{Completer, Pair};
    use rustyline::highlight::Highlighter;
    use rustyline::hint::{Hinter, HistoryHinter};
    use rustyline::validate::{ValidationContext, ValidationResult, Validator};
    use rustyline::{Context, Helper};

    pub struct TierHelper {
        pub names: Vec<String>,
        pub hinter: HistoryHinter,
    }

    impl Completer for TierHelper {
        type Candidate = Pair;
        fn complete(
            &self,
            line: &str,
            pos: usize,
            _ctx: &Context<'_>,
        ) -> rustyline::Result<(usize, Vec<Pair>)> {
            let before = &line[..pos];
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
            let pairs = self
                .names
                .iter()
                .filter(|n| n.starts_with(word) && n.as_str() != word)
                .map(|n| Pair {
                    display: n.clone(),
                    replacement: n.clone(),
                })
                .collect();
            Ok((start, pairs))
        }
    }

    impl Hinter for TierHelper {
        type Hint = String;
        fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
            self.hinter.hint(line, pos, ctx)
        }
    }

    impl Highlighter for TierHelper {}

    impl Validator for TierHelper {
        fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
            if is_incomplete(ctx.input()) {
                Ok(ValidationResult::Incomplete)
            } else {
                Ok(ValidationResult::Valid(None))
            }
        }
    }

    impl Helper for TierHelper {}
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("TIER_HISTORY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".tier_history")))
}

/// `tier repl`: interactive on a terminal, a script runner when stdin is piped.
pub fn run_interactive(ruleset: Option<&Path>, as_of: jiff::civil::Date, ui: &Ui) -> u8 {
    use std::io::{BufRead, IsTerminal};
    let mut session = Session::new(as_of);
    if let Some(p) = ruleset {
        let r = session.load(p);
        if r.kind == ReplyKind::Error {
            eprintln!("{}", r.text);
            return crate::cli::EXIT_FAILED;
        }
    }
    if !std::io::stdin().is_terminal() {
        // Script mode: read complete inputs (braces balanced), print replies, exit 1 on any error.
        let mut failed = false;
        let mut buf = String::new();
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return EXIT_IO };
            buf.push_str(&line);
            buf.push('\n');
            if is_incomplete(&buf) {
                continue;
            }
            let reply = session.eval_line(&buf);
            buf.clear();
            match reply.kind {
                ReplyKind::Quit => break,
                ReplyKind::Error => {
                    failed = true;
                    eprintln!("{}", reply.text);
                }
                ReplyKind::Ok if !reply.text.is_empty() => println!("{}", reply.text),
                ReplyKind::Ok => {}
            }
        }
        return if failed {
            crate::cli::EXIT_FAILED
        } else {
            EXIT_OK
        };
    }
    session.set_color(ui.color);
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<line_editor::TierHelper, rustyline::history::DefaultHistory> =
        match rustyline::Editor::with_config(config) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("cannot start the line editor: {e}");
                return EXIT_IO;
            }
        };
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "tier {} — :help for commands, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        editor.set_helper(Some(line_editor::TierHelper {
            names: session.completions(),
            hinter: rustyline::hint::HistoryHinter::new(),
        }));
        match editor.readline(&session.prompt()) {
            Ok(line) => {
                let reply = session.eval_line(&line);
                match reply.kind {
                    ReplyKind::Quit => break,
                    ReplyKind::Error => eprintln!("{}", reply.text),
                    ReplyKind::Ok if !reply.text.is_empty() => println!("{}", reply.text),
                    ReplyKind::Ok => {}
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => break,
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    EXIT_OK
}
