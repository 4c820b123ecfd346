//! `:command` dispatch, and the commands that are not about the current customer.

use super::{words, Reply, ReplyKind, Session};
use crate::diagnostic;

impl Session {
    /// One `:command` (without the colon).
    pub(super) fn command(&mut self, cmd: &str) -> Reply {
        let (name, rest) = match cmd.find(char::is_whitespace) {
            Some(i) => (&cmd[..i], cmd[i..].trim()),
            None => (cmd, ""),
        };
        if name.is_empty() {
            return Reply::error("type a command after the colon, e.g. :help");
        }
        // `:save! FILE` replaces an existing file; no other command takes `!`.
        let (name, force) = match name.strip_suffix('!') {
            Some(n) if !n.is_empty() => (n, true),
            _ => (name, false),
        };
        let Some(c) = words::find_command(name) else {
            let starting: Vec<String> = words::COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(name))
                .map(|c| format!(":{}", c.name))
                .collect();
            if starting.len() > 1 {
                return Reply::error(format!(
                    "`:{name}` could be {}: type more of it",
                    starting.join(", ")
                ));
            }
            let mut msg = format!("unknown command `:{name}`");
            if let Some(s) = diagnostic::suggest(name, words::COMMANDS.iter().map(|c| c.name)) {
                msg.push_str(&format!("; did you mean `:{s}`?"));
            }
            msg.push_str(" (:help lists the commands)");
            return Reply::error(msg);
        };
        if force && c.name != "save" {
            return Reply::error(format!(
                ":{} takes no `!` (only :save! does, to replace a file)",
                c.name
            ));
        }
        if c.args.is_empty() && !rest.is_empty() && !matches!(c.name, "help" | "unset" | "event") {
            return Reply::error(format!(":{} takes nothing after it", c.name));
        }
        match c.name {
            "help" if rest.is_empty() => Reply::ok(words::help()),
            "help" => match words::help_for(rest.trim_start_matches(':')) {
                Some(h) => Reply::ok(h),
                None => Reply::error(format!("no command `:{rest}`; :help lists them")),
            },
            "quit" => Reply {
                kind: ReplyKind::Quit,
                text: String::new(),
            },
            "load" if rest.is_empty() => {
                Reply::error("write :load FILE, e.g. :load rulesets/distributor_composite.tier")
            }
            "load" => self.load(&super::inputs::user_path(rest)),
            "reload" => self.reload(),
            "set" => self.set(rest),
            "unset" => self.unset(rest),
            "show" => Reply::ok(self.show()),
            "grade" => self.grade(false),
            "explain" => self.grade(true),
            "row" => self.row(rest),
            "event" => self.event(rest),
            "as-of" => self.set_as_of(rest),
            "test" => self.run_tests(),
            "save" => self.save(rest, force),
            _ => Reply::error(format!("`:{}` is not implemented", c.name)),
        }
    }

    /// `:as-of DATE`; without a date, shows the current one.
    fn set_as_of(&mut self, rest: &str) -> Reply {
        if rest.is_empty() {
            return Reply::ok(format!("as of {}", self.as_of));
        }
        let parsed = if rest == "today" {
            Ok(jiff::Zoned::now().date())
        } else {
            rest.parse::<jiff::civil::Date>()
        };
        match parsed {
            Ok(d) => {
                self.as_of = d;
                Reply::ok(format!("as of {d}"))
            }
            Err(e) => {
                // jiff's reason helps for a date-shaped text (`2026-02-30`), not for `next week`.
                let looks_like_date = rest.chars().all(|c| c.is_ascii_digit() || c == '-');
                let why = if looks_like_date {
                    format!(" ({e})")
                } else {
                    String::new()
                };
                Reply::error(format!(
                    "`{rest}` is not a date{why}; write YYYY-MM-DD, e.g. :as-of 2026-11-23, or :as-of today"
                ))
            }
        }
    }

    /// `:save FILE` / `:save! FILE`: the definitions typed in this session, in the order they
    /// were accepted and as they were typed, to a file. An existing file is replaced only with
    /// `!`, never one that is not a regular file, and never the loaded ruleset (it would lose
    /// everything but the typed definitions). Written atomically (a temporary file, then rename).
    fn save(&mut self, rest: &str, force: bool) -> Reply {
        use crate::data::write::{same_file, write_file_atomic, Destination};
        if rest.is_empty() {
            return Reply::error("write :save FILE, e.g. :save 试算.tier");
        }
        if self.typed.is_empty() {
            return Reply::error("nothing to save: no definitions were typed in this session");
        }
        let path = super::inputs::user_path(rest);
        let shown = path.display().to_string();
        let real = match Destination::resolve(&path) {
            Ok(Destination::File { path: real, .. }) => real,
            Ok(_) => {
                return Reply::error(format!(
                    "cannot save to {shown}: it is not a regular file; name a file"
                ))
            }
            Err(d) => return Reply::error(diagnostic::render(&[d], self.render).trim_end()),
        };
        if let Some(f) = &self.file {
            if same_file(f, &real) {
                return Reply::error(format!(
                    "{shown} is the loaded ruleset: saving would replace it with only the typed \
                     definitions; save them to another file and copy them in"
                ));
            }
        }
        if !force && std::fs::symlink_metadata(&path).is_ok() {
            return Reply::error(format!("{shown} exists; :save! {rest} replaces it"));
        }
        let texts: Vec<String> = self
            .typed
            .iter()
            .map(|t| t.text.trim_end().to_string())
            .collect();
        let mut text = texts.join("\n\n");
        text.push('\n');
        if let Err(d) = write_file_atomic(&path, text.as_bytes()) {
            return Reply::error(diagnostic::render(&[d], self.render).trim_end());
        }
        self.saved = self.typed.iter().map(|t| t.text.clone()).collect();
        let n = texts.len();
        Reply::ok(format!(
            "saved {n} definition{} to {shown}",
            if n == 1 { "" } else { "s" }
        ))
    }

    /// `:test`: the ruleset's tests, and the ones typed in this session.
    fn run_tests(&self) -> Reply {
        let Some(l) = &self.loaded else {
            return Reply::error("no ruleset loaded: use :load FILE");
        };
        let report = crate::eval::testing::run_tests(&l.ruleset, &l.source, &l.program, self.as_of);
        if report.results.is_empty() {
            return Reply::ok(
                "the ruleset has no tests; type one: test \"name\" { given 字段 = 值  expect 等级 = A }",
            );
        }
        Reply {
            kind: if report.failed() > 0 {
                ReplyKind::Error
            } else {
                ReplyKind::Ok
            },
            text: report.render(self.render).trim_end().to_string(),
        }
    }
}
