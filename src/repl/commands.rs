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
        if c.args.is_empty() && !rest.is_empty() && c.name != "help" && c.name != "unset" {
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
            "as-of" => self.set_as_of(rest),
            "test" => self.run_tests(),
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
