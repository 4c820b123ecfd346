//! `:event NAME 字段 = 值, …`: events of the current customer, for rulesets with `events`.
//! They are kept as typed (cells, like `:set`), parsed against the loaded ruleset whenever the
//! customer is graded, so a reload that changes a field's type reports the event, not a crash.

use super::{Reply, Session};
use crate::data::{Cell, CellParser};
use crate::value::Value;

/// One typed event: the `events` declaration's name and its cells by field name.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TypedEvent {
    pub events: String,
    pub cells: Vec<(String, Cell)>,
}

const EVENT_USAGE: &str =
    "write :event NAME 字段 = 值, …, e.g. :event 订单 下单日期 = 2026-11-01, 金额 = 3000 \
     (:event alone lists them, :event clear removes them)";

impl Session {
    /// `:event NAME 字段 = 值, …`, `:event` (list), `:event clear`.
    pub(super) fn event(&mut self, rest: &str) -> Reply {
        let Some(l) = &self.loaded else {
            return Reply::error(super::inputs::NO_RULESET);
        };
        let program = &l.program;
        if rest.is_empty() {
            if self.events.is_empty() {
                return Reply::ok("no events: :event NAME 字段 = 值, … adds one");
            }
            let (list, problems) = self.parsed_events();
            let mut out: Vec<String> = list
                .iter()
                .map(|(e, values)| {
                    format!(
                        "{} {}",
                        program.events()[*e].name,
                        program.describe_event(*e, values)
                    )
                })
                .collect();
            out.extend(problems);
            return Reply::ok(out.join("\n"));
        }
        if rest == "clear" {
            let n = self.events.len();
            self.events.clear();
            return Reply::ok(format!("{n} event(s) removed"));
        }
        let (name, cells) = match rest.split_once(char::is_whitespace) {
            Some((n, c)) => (n.trim(), c.trim()),
            None => return Reply::error(EVENT_USAGE),
        };
        let Some(e) = program.events().iter().position(|e| &*e.name == name) else {
            let names: Vec<&str> = program.events().iter().map(|e| &*e.name).collect();
            let mut msg = format!("`{name}` is not an `events` declaration");
            match crate::diagnostic::suggest(name, names.iter().copied()) {
                Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
                None if names.is_empty() => msg.push_str(" (this ruleset declares none)"),
                None => msg.push_str(&format!(" (the events are {})", names.join(", "))),
            }
            return Reply::error(msg);
        };
        let spec = &program.events()[e];
        let mut typed = TypedEvent {
            events: name.to_string(),
            cells: Vec::new(),
        };
        let mut errors = Vec::new();
        for part in cells.split([',', '，']) {
            let Some((field, value)) = part.split_once(['=', '＝']) else {
                errors.push(format!("`{}`: {EVENT_USAGE}", part.trim()));
                continue;
            };
            let (field, value) = (field.trim(), value.trim());
            match spec.decl.field(field) {
                Some(i) => {
                    let cell = Cell::Text(value.to_string());
                    if let Err(reason) = CellParser::new(&spec.decl.fields[i], None).parse(&cell) {
                        errors.push(format!("{field} = {value}: {reason}"));
                    }
                    typed.cells.push((field.to_string(), cell));
                }
                None => errors.push(format!("events `{name}` have no field `{field}`")),
            }
        }
        if !errors.is_empty() {
            return Reply::error(errors.join("\n"));
        }
        let shown = {
            let mut one = vec![typed.clone()];
            std::mem::swap(&mut self.events, &mut one);
            let (list, problems) = self.parsed_events();
            std::mem::swap(&mut self.events, &mut one);
            if let Some(p) = problems.into_iter().next() {
                return Reply::error(p);
            }
            list.first()
                .map(|(e, v)| program.describe_event(*e, v))
                .unwrap_or_default()
        };
        self.events.push(typed);
        Reply::ok(format!("{name} {shown} ({} event(s))", self.events.len()))
    }

    /// The typed events parsed against the loaded ruleset, and the ones that no longer parse.
    /// The key, when not typed, is the current customer's.
    pub(super) fn parsed_events(&self) -> (crate::eval::events::EventList, Vec<String>) {
        let mut list = Vec::new();
        let mut problems = Vec::new();
        let Some(l) = &self.loaded else {
            return (list, problems);
        };
        let program = &l.program;
        for t in &self.events {
            let Some(e) = program.events().iter().position(|e| *e.name == *t.events) else {
                problems.push(format!(
                    "`{}` is no longer an `events` declaration",
                    t.events
                ));
                continue;
            };
            let spec = &program.events()[e];
            let mut values = Vec::with_capacity(spec.decl.fields.len());
            let mut ok = true;
            for (i, f) in spec.decl.fields.iter().enumerate() {
                let cell = t
                    .cells
                    .iter()
                    .find(|(n, _)| *n == f.name.name)
                    .map_or(Cell::Empty, |(_, c)| c.clone());
                if i == spec.key && cell == Cell::Empty {
                    values.push(Value::Text("(repl)".into()));
                    continue;
                }
                match CellParser::new(f, None).parse(&cell) {
                    Ok(v) => values.push(v),
                    Err(reason) => {
                        problems.push(format!("{} event: {}: {reason}", t.events, f.name.name));
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                list.push((e, values));
            }
        }
        (list, problems)
    }
}
