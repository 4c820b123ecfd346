//! The current customer: `:set`, `:unset`, `:show`, `:row`, and grading it (`:grade`,
//! `:explain`).

use super::{words, Reply, Session};
use crate::data::{Cell, CellParser};
use crate::diagnostic;
use crate::eval::InputSpec;
use crate::value::Value;

/// The current inputs as the evaluator wants them. Unset required inputs are `missing` here, so
/// an expression that does not need them still evaluates; `:grade` refuses to run without them,
/// as `tier run` would reject the row.
pub(super) struct Record {
    pub inputs: Vec<Value>,
    pub relatives: Vec<Value>,
    /// Required inputs (no `?`, no `default`) that are not set.
    pub unset_required: Vec<String>,
    /// Inputs whose typed value no longer parses (a reload changed the field's type).
    pub invalid: Vec<String>,
}

pub(super) const NO_RULESET: &str =
    "no ruleset loaded: use :load FILE (e.g. :load rulesets/distributor_composite.tier)";
const SET_USAGE: &str =
    "write :set 字段 = 值, e.g. :set 销售额 = 200万 (several: :set 销售额 = 200万, 回款率 = 92%)";

impl Session {
    pub(super) fn record(&self) -> Record {
        let mut r = Record {
            inputs: Vec::new(),
            relatives: Vec::new(),
            unset_required: Vec::new(),
            invalid: Vec::new(),
        };
        let Some(l) = &self.loaded else { return r };
        let is_key = |name: &str| l.program.events().iter().any(|e| *e.decl.key.name == *name);
        for spec in l.program.inputs() {
            let parser = parser(spec);
            let value = match self.inputs.get(&*spec.name) {
                // The key ties events to a customer; the REPL's events are this customer's.
                None if is_key(&spec.name) => Value::Text("(repl)".into()),
                None => parser.parse(&Cell::Empty).unwrap_or_else(|_| {
                    r.unset_required.push(spec.name.to_string());
                    Value::Missing
                }),
                Some(cell) => parser.parse(cell).unwrap_or_else(|reason| {
                    r.invalid.push(format!("{}: {reason}", spec.name));
                    Value::Missing
                }),
            };
            r.inputs.push(value);
        }
        for rel in l.program.relatives() {
            let value = match self.inputs.get(&*rel.name) {
                Some(Cell::Text(t)) => rel.label(t).unwrap_or(Value::Missing),
                _ => Value::Missing,
            };
            r.relatives.push(value);
        }
        if l.program.has_aggregates() {
            let (events, problems) = self.parsed_events();
            r.invalid.extend(problems);
            if let Ok(full) = l.program.record_with_events(&r.inputs, &events, self.as_of) {
                r.inputs = full;
            }
        }
        r
    }

    /// `:set 字段 = 值[, 字段 = 值 ...]`: every assignment is checked before any is applied.
    pub(super) fn set(&mut self, rest: &str) -> Reply {
        if rest.trim().is_empty() {
            return Reply::error(SET_USAGE);
        }
        let Some(l) = &self.loaded else {
            return Reply::error(NO_RULESET);
        };
        let mut changes: Vec<(String, Option<Cell>, String)> = Vec::new();
        let mut errors = Vec::new();
        for part in split_assignments(rest) {
            let Some((name, value)) = part.split_once(['=', '＝']) else {
                let name = part.trim();
                let mut msg = format!("`{name}`: {SET_USAGE}");
                if let Some(current) = self.inputs.get(name) {
                    let shown = l
                        .program
                        .inputs()
                        .iter()
                        .find(|i| &*i.name == name)
                        .and_then(|spec| parser(spec).parse(current).ok())
                        .map(|v| show_value(&v))
                        .unwrap_or_else(|| current.to_text());
                    msg.push_str(&format!("\n({name} is now {shown})"));
                }
                errors.push(msg);
                continue;
            };
            let (name, value) = (name.trim(), unquote(value.trim()));
            if name.is_empty() {
                errors.push(SET_USAGE.to_string());
                continue;
            }
            match self.resolve_input(name) {
                Err(e) => errors.push(e),
                Ok(Target::Input(i)) => {
                    let spec = &l.program.inputs()[i];
                    if value.is_empty() {
                        changes.push((spec.name.to_string(), None, String::new()));
                        continue;
                    }
                    let cell = Cell::Text(value.to_string());
                    match parser(spec).parse(&cell) {
                        Ok(v) => changes.push((spec.name.to_string(), Some(cell), show_value(&v))),
                        Err(reason) => errors.push(format!("{}: {reason}", spec.name)),
                    }
                }
                Ok(Target::Relative(i)) => {
                    let rel = &l.program.relatives()[i];
                    if value.is_empty() {
                        changes.push((rel.name.to_string(), None, String::new()));
                        continue;
                    }
                    match rel.label(value) {
                        Some(v) => changes.push((
                            rel.name.to_string(),
                            Some(Cell::Text(value.to_string())),
                            v.to_string(),
                        )),
                        None => errors.push(format!(
                            "`{value}` is not a class of the relative grade {}; use one of: {}",
                            rel.name,
                            join(&rel.labels)
                        )),
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Reply::error(errors.join("\n"));
        }
        let mut lines = Vec::new();
        for (name, cell, shown) in changes {
            match cell {
                Some(c) => {
                    self.inputs.insert(name.clone(), c);
                    lines.push(format!("{name} = {shown}"));
                }
                None => {
                    self.inputs.remove(&name);
                    lines.push(format!("{name} unset ({})", self.unset_meaning(&name)));
                }
            }
        }
        Reply::ok(lines.join("\n"))
    }

    /// What an unset input is: its default, `missing`, or required.
    fn unset_meaning(&self, name: &str) -> String {
        let Some(l) = &self.loaded else {
            return "not set".into();
        };
        match l.program.inputs().iter().find(|i| &*i.name == name) {
            Some(spec) => match parser(spec).parse(&Cell::Empty) {
                Ok(Value::Missing) => "missing".into(),
                Ok(v) => format!("default {}", show_value(&v)),
                Err(_) => "required: :grade needs it".into(),
            },
            None => "missing".into(),
        }
    }

    /// An input or relative by its name or its data-file column name.
    fn resolve_input(&self, name: &str) -> Result<Target, String> {
        let Some(l) = &self.loaded else {
            return Err(NO_RULESET.into());
        };
        let inputs = l.program.inputs();
        let relatives = l.program.relatives();
        if let Some(i) = inputs.iter().position(|i| &*i.name == name) {
            return Ok(Target::Input(i));
        }
        if let Some(i) = relatives.iter().position(|r| &*r.name == name) {
            return Ok(Target::Relative(i));
        }
        if let Some(i) = inputs
            .iter()
            .position(|i| i.field.columns.iter().any(|c| c.value.trim() == name))
        {
            return Ok(Target::Input(i));
        }
        // A computed name: say which inputs it is computed from.
        if let Some(text) = self.declaration_text(name) {
            let used: Vec<&str> = words::identifiers(&text)
                .into_iter()
                .filter(|w| inputs.iter().any(|i| &*i.name == *w))
                .collect();
            let mut used_unique: Vec<&str> = Vec::new();
            for u in used {
                if !used_unique.contains(&u) {
                    used_unique.push(u);
                }
            }
            let mut msg = format!("{name} is computed by the ruleset, not an input");
            if !used_unique.is_empty() {
                msg.push_str(&format!("; set what it uses: {}", used_unique.join(", ")));
            }
            return Err(msg);
        }
        let candidates: Vec<&str> = inputs
            .iter()
            .map(|i| &*i.name)
            .chain(relatives.iter().map(|r| &*r.name))
            .collect();
        if candidates.is_empty() {
            return Err(if self.file.is_none() {
                NO_RULESET.to_string()
            } else {
                "the ruleset has no inputs, so there is nothing to set".to_string()
            });
        }
        Err(
            match diagnostic::suggest(name, candidates.iter().copied()) {
                Some(s) => format!("the ruleset has no input `{name}`; did you mean `{s}`?"),
                None => format!(
                    "the ruleset has no input `{name}`; inputs are: {}",
                    candidates.join(", ")
                ),
            },
        )
    }

    /// `:unset 字段[, 字段]`; `:unset` alone clears every input.
    pub(super) fn unset(&mut self, rest: &str) -> Reply {
        let names: Vec<&str> = rest
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() || names == ["all"] || names == ["*"] {
            let n = self.inputs.len();
            self.inputs.clear();
            return Reply::ok(format!(
                "cleared {n} input{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        for name in names {
            match self.resolve_input(name) {
                Ok(t) => {
                    let name = self.target_name(t);
                    if self.inputs.remove(&name).is_some() {
                        lines.push(format!("{name} unset ({})", self.unset_meaning(&name)));
                    } else {
                        lines.push(format!("{name} was not set"));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Reply::ok(lines.join("\n"))
        } else {
            Reply::error(errors.join("\n"))
        }
    }

    fn target_name(&self, t: Target) -> String {
        let Some(l) = &self.loaded else {
            return String::new();
        };
        match t {
            Target::Input(i) => l.program.inputs()[i].name.to_string(),
            Target::Relative(i) => l.program.relatives()[i].name.to_string(),
        }
    }

    /// `:show`: the as-of date, every input (set, default, missing or required), the typed
    /// definitions.
    pub(super) fn show(&self) -> String {
        let Some(l) = &self.loaded else {
            return NO_RULESET.into();
        };
        let mut out = format!("as of {}\n", self.as_of);
        let mut rows: Vec<(String, String)> = Vec::new();
        for spec in l.program.inputs() {
            let parser = parser(spec);
            let shown = match self.inputs.get(&*spec.name) {
                Some(cell) => match parser.parse(cell) {
                    Ok(v) => show_value(&v),
                    Err(reason) => format!("{} (invalid: {reason})", cell.to_text()),
                },
                None => match parser.parse(&Cell::Empty) {
                    Ok(Value::Missing) => "missing (not set)".into(),
                    Ok(v) => format!("{} (default)", show_value(&v)),
                    Err(_) => "(not set, required)".into(),
                },
            };
            rows.push((spec.name.to_string(), shown));
        }
        for rel in l.program.relatives() {
            let shown = match self.inputs.get(&*rel.name) {
                Some(c) => c.to_text(),
                None => {
                    "(not set: a relative grade needs the whole file; :set it or use :row)".into()
                }
            };
            rows.push((rel.name.to_string(), shown));
        }
        if rows.is_empty() {
            out.push_str("  (the ruleset has no inputs)\n");
        }
        let w = rows.iter().map(|(n, _)| words::width(n)).max().unwrap_or(0);
        for (name, shown) in rows {
            let pad = " ".repeat(w - words::width(&name));
            out.push_str(&format!("  {name}{pad} = {shown}\n"));
        }
        if !self.typed.is_empty() {
            out.push_str("typed in this session:\n");
            for t in &self.typed {
                let first = t.text.lines().next().unwrap_or_default().trim_end();
                let more = if t.text.trim_end().contains('\n') {
                    " …"
                } else {
                    ""
                };
                out.push_str(&format!("  {first}{more}\n"));
            }
        }
        out.trim_end().to_string()
    }

    /// `:grade` / `:explain`
    pub(super) fn grade(&self, explain: bool) -> Reply {
        let Some(l) = &self.loaded else {
            return Reply::error(NO_RULESET);
        };
        if self.file.is_none() && self.typed.is_empty() {
            return Reply::error(NO_RULESET);
        }
        let rec = self.record();
        if let Some(r) = self.not_gradable(&rec) {
            return r;
        }
        let head = format!("as of {}\n", self.as_of);
        match l.program.evaluate(&rec.inputs, &rec.relatives, self.as_of) {
            Ok(o) => {
                let body = if explain {
                    let mut text = crate::eval::explain::render_trace(&o);
                    // Which events each aggregate counted, and which it left out.
                    let (events, _) = self.parsed_events();
                    if !events.is_empty() {
                        if let Ok(traces) = l.program.explain_events(&events, self.as_of) {
                            text.push_str("events:\n");
                            text.push_str(&crate::eval::events::render_events(&traces, self.as_of));
                        }
                    }
                    text
                } else {
                    crate::eval::explain::render_outcome(&o)
                };
                Reply::ok(format!("{head}{}", body.trim_end()))
            }
            Err(e) => Reply::error(format!(
                "this customer would be rejected:\n{}",
                diagnostic::render(&[*e.diagnostic], self.render).trim_end()
            )),
        }
    }

    /// The full result for the current inputs; `None` when they cannot be graded yet.
    pub(super) fn evaluate_current(
        &self,
    ) -> Option<Result<crate::outcome::Outcome, crate::eval::EvalError>> {
        let l = self.loaded.as_ref()?;
        let rec = self.record();
        if self.not_gradable(&rec).is_some() {
            return None;
        }
        Some(l.program.evaluate(&rec.inputs, &rec.relatives, self.as_of))
    }

    /// Why the current inputs cannot be graded yet, if they cannot.
    pub(super) fn not_gradable(&self, rec: &Record) -> Option<Reply> {
        let l = self.loaded.as_ref()?;
        if !rec.invalid.is_empty() {
            return Some(Reply::error(format!(
                "fix these inputs first (:set them again):\n  {}",
                rec.invalid.join("\n  ")
            )));
        }
        let mut unset_rel: Vec<&str> = l
            .program
            .relatives()
            .iter()
            .filter(|r| !self.inputs.contains_key(&*r.name))
            .map(|r| &*r.name)
            .collect();
        // A negative Pareto amount is rejected whatever the classes: say so rather than ask
        // for them (`:row` leaves such a customer without a class, as `tier run` does).
        if l.program
            .check_shares(&rec.inputs, &rec.relatives, self.as_of)
            .is_err()
        {
            unset_rel.clear();
        }
        if rec.unset_required.is_empty() && unset_rel.is_empty() {
            return None;
        }
        let mut msg = String::from("cannot grade yet:");
        if !rec.unset_required.is_empty() {
            msg.push_str(&format!(
                " required inputs not set: {}",
                rec.unset_required.join(", ")
            ));
        }
        if !unset_rel.is_empty() {
            if !rec.unset_required.is_empty() {
                msg.push(';');
            }
            msg.push_str(&format!(
                " relative grades (they rank the whole file) not set: {}",
                unset_rel.join(", ")
            ));
        }
        let first = rec
            .unset_required
            .first()
            .map(String::as_str)
            .or(unset_rel.first().copied())
            .unwrap_or("字段");
        msg.push_str(&format!(
            "\n  :set {first} = …   or load a customer from a file: :row DATA_FILE N"
        ));
        Some(Reply::error(msg))
    }
}

/// What `:set` assigns to.
#[derive(Debug, Clone, Copy)]
enum Target {
    Input(usize),
    Relative(usize),
}

fn parser(spec: &InputSpec) -> CellParser {
    CellParser::new(&spec.field, spec.grade_labels.as_deref())
}

/// A value as the user would write it; `missing` for an empty one. A large plain number also
/// shows in 万/亿 (`4000000 (= 400万)`), since `200万 * 2` is a plain number.
pub(super) fn show_value(v: &Value) -> String {
    match v {
        Value::Number(d, crate::value::Unit::Plain)
            if d.abs() >= rust_decimal::Decimal::from(10_000) =>
        {
            let money = crate::value::format_number(*d, crate::value::Unit::Money);
            format!("{v} (= {})", money.trim_end_matches('元'))
        }
        // Quotes only where the text would otherwise be invisible or ambiguous.
        Value::Text(t) if t.is_empty() || t.trim() != &**t || &**t == "missing" => {
            format!("\"{t}\"")
        }
        other => other.to_string(),
    }
}

fn join(labels: &[std::sync::Arc<str>]) -> String {
    labels
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A path as typed: quotes removed, a leading `~/` is the home directory.
pub(super) fn user_path(s: &str) -> std::path::PathBuf {
    let s = unquote(s.trim());
    match (s.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(s),
    }
}

/// Removes one pair of surrounding double quotes (`"昆明恒达"` → `昆明恒达`).
pub(super) fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('“').and_then(|s| s.strip_suffix('”')))
        .unwrap_or(s)
}

/// Splits `a = 1, b = 2,3` into `a = 1` and `b = 2,3`: a comma starts a new assignment only when
/// what follows has its own `=` (so `1,234.5` stays one number).
fn split_assignments(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split([',', '，', ';', '；']) {
        let starts_new = part.contains(['=', '＝']) || out.is_empty();
        match out.last_mut() {
            Some(last) if !starts_new => {
                last.push(',');
                last.push_str(part);
            }
            _ => out.push(part.to_string()),
        }
    }
    out.retain(|p| !p.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_split_on_commas_that_start_a_new_name() {
        assert_eq!(
            split_assignments("销售额 = 200万, 回款率 = 92%"),
            vec!["销售额 = 200万", " 回款率 = 92%"]
        );
        assert_eq!(
            split_assignments("销售额 = 1,234.5"),
            vec!["销售额 = 1,234.5"]
        );
    }
}
