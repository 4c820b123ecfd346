//! What the user types that is not a command: definitions (added to the session's ruleset,
//! replacing an earlier one of the same name) and expressions (evaluated for the current
//! customer). Diagnostics point into the line just typed.

use super::inputs::show_value;
use super::{item_key, item_span, words, Reply, Session, Typed};
use crate::ast::{BinOp, CmpOp, ExprKind, Item};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::value::Value;

/// The name an expression is checked under, as a `let` appended to the session's ruleset.
const PROBE: &str = "__repl_value";

/// A stretch of the session's ruleset text that came from the line just typed:
/// `(start in the ruleset, length, start in the line)`.
type Region = (usize, usize, usize);

impl Session {
    /// A `let`, `grade`, `tag`, ... typed at the prompt.
    pub(super) fn define(&mut self, text: &str) -> Reply {
        let line = SourceFile::new("<input>", text.to_string());
        let items = match crate::syntax::parse_items(&line) {
            Ok(items) => items,
            Err(d) => return Reply::error(self.rendered(&d)),
        };
        if items.is_empty() {
            return Reply::ok("");
        }
        let mut typed = self.typed.clone();
        let mut news = Vec::new();
        for item in &items {
            let span = item_span(item);
            let key = item_key(item);
            let mut replaced = None;
            if let Some(k) = &key {
                let before = typed.len();
                typed.retain(|t| t.key.as_ref() != Some(k));
                replaced = if typed.len() < before {
                    Some("typed earlier".to_string())
                } else {
                    self.file_line_of(k)
                };
            }
            typed.push(Typed {
                key,
                text: line.slice(span).to_string(),
            });
            news.push((item, span.start, replaced));
        }
        let (result, composed) = self.build(&self.file_text, &typed);
        let first_new = typed.len() - items.len();
        let regions: Vec<Region> = news
            .iter()
            .enumerate()
            .filter_map(|(i, (_, line_start, _))| {
                let off = *composed.offsets.get(first_new + i)?;
                Some((off, typed[first_new + i].text.len(), *line_start))
            })
            .collect();
        match result {
            Ok(loaded) => {
                // Values before the change, for `(was B)`: only of names that existed (a new name
                // would evaluate as a bare label).
                let before: Vec<Option<Value>> = news
                    .iter()
                    .map(|(item, _, replaced)| {
                        replaced.as_ref()?;
                        value_name(item).and_then(|n| self.value_of(n).ok())
                    })
                    .collect();
                // A name typed to try it out is not "never used"; other warnings are worth seeing.
                let warnings: Vec<Diagnostic> = relocate(&loaded.warnings, &regions, &line)
                    .into_iter()
                    .filter(|d| d.code != Code::NameUnused)
                    .collect();
                self.typed = typed;
                self.loaded = Some(loaded);
                let mut out = Vec::new();
                for ((item, _, replaced), old) in news.iter().zip(before) {
                    out.push(self.describe_new(item, replaced.as_deref(), old));
                }
                if !warnings.is_empty() {
                    out.push(self.rendered(&warnings));
                }
                Reply::ok(out.join("\n"))
            }
            Err(diags) => {
                let mine: Vec<Diagnostic> = relocate(&diags, &regions, &line)
                    .into_iter()
                    .filter(|d| d.code != Code::NameUnused)
                    .collect();
                if mine.iter().any(Diagnostic::is_error) {
                    Reply::error(self.rendered(&mine))
                } else {
                    // The rest of the ruleset breaks (e.g. a grade lost a label others use):
                    // the first few places are enough to see why.
                    const SHOWN: usize = 3;
                    let errors: Vec<Diagnostic> =
                        diags.into_iter().filter(Diagnostic::is_error).collect();
                    let mut msg = format!(
                        "the definition does not fit the rest of the ruleset (nothing was changed):\n{}",
                        self.rendered(&errors[..errors.len().min(SHOWN)])
                    );
                    if errors.len() > SHOWN {
                        msg.push_str(&format!("\n… and {} more", errors.len() - SHOWN));
                    }
                    Reply::error(msg)
                }
            }
        }
    }

    /// `defined 增长率 = 25%`, `replaced grade 等级 (line 63 of …)` + `等级 = A (was B)`.
    fn describe_new(&self, item: &Item, replaced: Option<&str>, old: Option<Value>) -> String {
        let what = item_kind(item);
        let name = value_name(item)
            .or_else(|| other_name(item))
            .map(str::to_string)
            .or_else(|| item_key(item))
            .unwrap_or_default();
        let mut out = match (replaced, item) {
            (None, Item::Test(t)) => format!("added test \"{}\" (:test runs it)", t.name.value),
            (Some(r), Item::Test(t)) => {
                format!("replaced test \"{}\" ({r}; :test runs it)", t.name.value)
            }
            (_, Item::Input(b)) => {
                let names: Vec<&str> = b.fields.iter().map(|f| f.name.name.as_str()).collect();
                format!("added input {} (:set it)", names.join(", "))
            }
            (Some(r), _) => format!("replaced {what} {name} ({r})"),
            (None, _) => format!("defined {what} {name}"),
        };
        if let Item::Tag(t) = item {
            let n = &t.name.name;
            match self.evaluate_current() {
                Some(Ok(o)) if o.tags.iter().any(|x| *x.name == *n) => {
                    out.push_str(&format!("\n{n}: applies to this customer"))
                }
                Some(Ok(_)) => out.push_str(&format!("\n{n}: does not apply to this customer")),
                _ => {}
            }
            return out;
        }
        let Some(n) = value_name(item) else {
            return out.replace(&format!("{what} {what}"), what);
        };
        match self.value_of(n) {
            Ok(v) => {
                let shown = self.shown_with_hint(&v, n);
                match old {
                    Some(o) if o != v => {
                        out.push_str(&format!("\n{n} = {shown} (was {})", show_value(&o)))
                    }
                    _ => out.push_str(&format!("\n{n} = {shown}")),
                }
            }
            Err(_) => {
                let unset = self.unset_used(n);
                if !unset.is_empty() {
                    out.push_str(&format!(
                        "\n({n} needs inputs not set yet: {})",
                        unset.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// An expression typed at the prompt, evaluated for the current inputs.
    pub(super) fn expression(&mut self, text: &str) -> Reply {
        let line = SourceFile::new("<input>", text.to_string());
        let expr = match crate::syntax::parse_expr(&line) {
            Ok(e) => e,
            Err(d) => return Reply::error(self.rendered(&d)),
        };
        // Check names, types and units in the context of the ruleset, as a `let` appended to it;
        // the newline keeps a trailing `# comment` from swallowing the parenthesis.
        let prefix = format!("let {PROBE} = (");
        let mut typed = self.typed.clone();
        typed.push(Typed {
            key: None,
            text: format!("{prefix}{text}\n)"),
        });
        let composed = self.compose(&self.file_text, &typed);
        let mut labels = std::collections::HashMap::new();
        if let (Ok(r), Some(off)) = (
            crate::syntax::parse(&composed.source),
            composed.offsets.last(),
        ) {
            let (diagnostics, resolved) = crate::check::check_resolved(&r, &composed.source);
            let errors: Vec<Diagnostic> = diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            let at = off + prefix.len();
            let mine = relocate(&errors, &[(at, text.len(), 0)], &line);
            if !mine.is_empty() {
                return Reply::error(self.rendered(&mine));
            }
            // The expression's bare labels, ranked by the checker as part of the probe `let`.
            labels = resolved.labels_within(at..at + text.len(), at);
        }
        let Some(l) = &self.loaded else {
            return Reply::error("no ruleset loaded: use :load FILE");
        };
        let rec = self.record();
        match l.program.eval_expr(
            &expr,
            &line,
            &labels,
            &rec.inputs,
            &rec.relatives,
            self.as_of,
        ) {
            Ok(v) => {
                let mut out = self.shown_with_hint(&v, text);
                if let ExprKind::Binary(BinOp::Cmp(CmpOp::Eq), lhs, rhs) = &expr.kind {
                    if let ExprKind::Name(n) = &lhs.kind {
                        if l.program.inputs().iter().any(|i| *i.name == n.name) {
                            out.push_str(&format!(
                                "\n(that compares; to set the input write :set {} = {})",
                                n.name,
                                line.slice(rhs.span).trim()
                            ));
                        }
                    }
                }
                Reply::ok(out)
            }
            Err(e) => {
                let mut d = *e.diagnostic;
                let unset = self.unset_used(text);
                if !unset.is_empty() {
                    d = d.with_note(format!(
                        "not set yet: {} (:set {} = …)",
                        unset.join(", "),
                        unset[0]
                    ));
                }
                Reply::error(self.rendered(&[d]))
            }
        }
    }

    /// A value as shown in a reply; `missing` says which inputs it is waiting for.
    fn shown_with_hint(&self, v: &Value, text: &str) -> String {
        if !v.is_missing() {
            return show_value(v);
        }
        let unset = self.unset_used(text);
        if unset.is_empty() {
            "missing".into()
        } else {
            format!(
                "missing (not set: {}; :set {} = …)",
                unset.join(", "),
                unset[0]
            )
        }
    }

    /// A named value of the session's ruleset for the current inputs.
    fn value_of(&self, name: &str) -> Result<Value, String> {
        let Some(l) = &self.loaded else {
            return Err("no ruleset".into());
        };
        let src = SourceFile::new("<name>", name.to_string());
        let expr = crate::syntax::parse_expr(&src).map_err(|_| name.to_string())?;
        let rec = self.record();
        l.program
            .eval_expr(
                &expr,
                &src,
                &Default::default(),
                &rec.inputs,
                &rec.relatives,
                self.as_of,
            )
            .map_err(|e| e.diagnostic.message)
    }

    /// The inputs without a value (not set, no default) that `text` uses, directly or through
    /// the declarations it names.
    pub(super) fn unset_used(&self, text: &str) -> Vec<String> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        let mut queue: Vec<String> = words::identifiers(text)
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut unset = Vec::new();
        while let Some(name) = queue.pop() {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            if let Some(spec) = l.program.inputs().iter().find(|i| *i.name == name) {
                let empty = crate::data::CellParser::new(&spec.field, spec.grade_labels.as_deref())
                    .parse(&crate::data::Cell::Empty);
                if !self.inputs.contains_key(&name)
                    && !matches!(empty, Ok(ref v) if !v.is_missing())
                {
                    unset.push(name);
                }
            } else if let Some(decl) = self.declaration_text(&name) {
                queue.extend(words::identifiers(&decl).into_iter().map(str::to_string));
            }
        }
        // In the order the ruleset declares them, so replies are stable.
        let order: Vec<&str> = l.program.inputs().iter().map(|i| &*i.name).collect();
        unset.sort_by_key(|n| order.iter().position(|o| o == n));
        unset
    }

    /// The source text of the declaration of a computed name (let, scorecard, grade, ...).
    pub(super) fn declaration_text(&self, name: &str) -> Option<String> {
        let l = self.loaded.as_ref()?;
        let item = l
            .ruleset
            .items
            .iter()
            .find(|i| value_name(i) == Some(name) || other_name(i) == Some(name))?;
        l.source
            .text
            .get(item_span(item).start..item_span(item).end)
            .map(str::to_string)
    }

    pub(super) fn rendered(&self, d: &[Diagnostic]) -> String {
        diagnostic::render(d, self.render).trim_end().to_string()
    }
}

/// The name whose value a declaration defines (for `defined X = value`).
fn value_name(item: &Item) -> Option<&str> {
    match item {
        Item::Let(d) => Some(&d.name.name),
        Item::Scorecard(d) => Some(&d.name.name),
        Item::Grade(d) => Some(&d.name.name),
        Item::Adjust(d) => Some(&d.name.name),
        _ => None,
    }
}

/// Names declared by something other than a value declaration: tags and relative grades.
fn other_name(item: &Item) -> Option<&str> {
    match item {
        Item::Tag(d) => Some(&d.name.name),
        Item::Relative(d) => Some(&d.name.name),
        _ => None,
    }
}

fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Input(_) => "input",
        Item::Events(_) => "events",
        Item::Scale(_) => "scale",
        Item::Let(_) => "let",
        Item::Scorecard(_) => "scorecard",
        Item::Grade(_) => "grade",
        Item::Adjust(_) => "adjust",
        Item::Tag(_) => "tag",
        Item::Relative(_) => "relative",
        Item::Schedule(s) => match s.kind {
            crate::ast::ScheduleKind::FollowUp => "follow_up",
            crate::ast::ScheduleKind::Review => "review",
        },
        Item::Override(_) => "override",
        Item::Output(_) => "output",
        Item::Test(_) => "test",
    }
}

/// Keeps the diagnostics whose primary span lies in one of `regions` (text that came from the
/// typed line) and moves them, and their labels in those regions, into the line's own source.
fn relocate(diags: &[Diagnostic], regions: &[Region], line: &SourceFile) -> Vec<Diagnostic> {
    let map = |s: Span| -> Option<Span> {
        regions.iter().find_map(|&(start, len, at)| {
            (s.start >= start && s.start <= start + len).then(|| {
                let a = (at + s.start - start).min(line.text.len());
                let b = (at + s.end.saturating_sub(start))
                    .min(at + len)
                    .clamp(a, line.text.len());
                Span::new(a, b)
            })
        })
    };
    diags
        .iter()
        .filter(|d| d.span().is_some_and(|s| map(s).is_some()))
        .map(|d| {
            let mut d = d.clone();
            d.labels.retain(|l| map(l.span).is_some());
            for l in &mut d.labels {
                if let Some(s) = map(l.span) {
                    l.span = s;
                }
            }
            d.source = Some(line.clone());
            d
        })
        .collect()
}
