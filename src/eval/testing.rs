//! `test` blocks: build the record from `given`, evaluate, check every `expect`.

use super::decide;
use super::interpret::Env;
use super::literal::{self, LitError};
use super::number;
use super::program::{Program, Slot};
use crate::ast::{Expect, ExpectCheck, ExpectTarget, Item, LitKind, Ruleset, TestCase};
use crate::diagnostic::{self, Code, Diagnostic, RenderOptions};
use crate::source::{SourceFile, Span};
use crate::value::{Label, Value};
use jiff::civil::Date;

/// The result of one `test` block.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub span: Span,
    /// Empty when the test passed; else one `tier::test::failed` per failing `expect` (and the
    /// evaluation error, when the record was rejected unexpectedly).
    pub failures: Vec<Diagnostic>,
}

impl TestResult {
    /// No `expect` failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The results of every `test` block of a ruleset, in source order.
#[derive(Debug, Clone)]
pub struct TestReport {
    pub results: Vec<TestResult>,
}

impl TestReport {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// How many tests failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// `✓ name` / `✗ name` per test, each failure as a diagnostic, and a last line exactly
    /// `N passed, M failed`.
    pub fn render(&self, opts: RenderOptions) -> String {
        let mut out = String::new();
        for r in &self.results {
            if r.passed() {
                out.push_str(&format!("✓ {}\n", r.name));
            } else {
                out.push_str(&format!("✗ {}\n", r.name));
                out.push_str(&diagnostic::render(&r.failures, opts));
            }
        }
        out.push_str(&format!(
            "{} passed, {} failed\n",
            self.passed(),
            self.failed()
        ));
        out
    }
}

/// Runs every `test` block; `default_as_of` is used when a test has no `as_of`.
pub fn run_tests(
    ruleset: &Ruleset,
    source: &SourceFile,
    program: &Program,
    default_as_of: Date,
) -> TestReport {
    let results = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Test(t) => Some(run_one(t, source, program, default_as_of)),
            _ => None,
        })
        .collect();
    TestReport { results }
}

fn fail(
    source: &SourceFile,
    test: &TestCase,
    span: Span,
    message: String,
    label: String,
) -> Diagnostic {
    Diagnostic::error(
        Code::TestFailed,
        format!("test \"{}\": {message}", test.name.value),
    )
    .in_source(source)
    .with_label(super::interpret::tight(source, span), label)
}

fn run_one(
    test: &TestCase,
    source: &SourceFile,
    prog: &Program,
    default_as_of: Date,
) -> TestResult {
    let mut failures = Vec::new();
    let as_of = match test.as_of.as_ref().map(|l| &l.kind) {
        Some(LitKind::Date(d)) => *d,
        _ => default_as_of,
    };
    let mut record: Vec<Option<Value>> = vec![None; prog.inputs.len()];
    let mut rels = vec![Value::Missing; prog.relatives.len()];
    let mut unavailable = vec![true; prog.relatives.len()];
    let mut rejected: Option<String> = None;
    for g in &test.given {
        match prog.names.get(&g.name.name) {
            Some(Slot::Input(i)) => match literal::checked(prog, *i, &g.value) {
                Ok(v) => record[*i] = Some(v),
                Err(LitError::Rejected(m)) => rejected = Some(m),
                Err(LitError::Invalid(m)) => failures.push(fail(
                    source,
                    test,
                    g.span,
                    m,
                    "not a value of this input".into(),
                )),
            },
            Some(Slot::Rel(i)) => {
                unavailable[*i] = false;
                let spec = &prog.relatives[*i];
                let name = match &g.value.kind {
                    crate::ast::ExprKind::Name(id) => Some(id.name.clone()),
                    crate::ast::ExprKind::Lit(l) => match &l.kind {
                        LitKind::Missing => None,
                        LitKind::Text(t) => Some(t.clone()),
                        _ => Some(l.text.clone()),
                    },
                    _ => None,
                };
                if let Some(name) = name {
                    match spec.labels.iter().position(|l| **l == *name) {
                        Some(r) => {
                            rels[*i] = Value::Label(Label {
                                name: spec.labels[r].clone(),
                                rank: r as u32,
                            })
                        }
                        None => failures.push(fail(
                            source,
                            test,
                            g.span,
                            format!(
                                "{name} is not a class of {} ({})",
                                spec.name,
                                spec.labels.join(", ")
                            ),
                            "not a class of this relative".into(),
                        )),
                    }
                }
            }
            _ => failures.push(fail(
                source,
                test,
                g.name.span,
                format!("`{}` is not an input or a relative grade", g.name.name),
                "only inputs and relatives can be given".into(),
            )),
        }
    }
    // Events: each cell checked as its field; the key may be left out (they are this
    // customer's), and the customer's key, when not given, is the test's name.
    let mut events: super::events::EventList = Vec::new();
    for given in &test.events {
        let Some(e) = prog.events.iter().position(|e| *e.name == *given.name.name) else {
            failures.push(fail(
                source,
                test,
                given.name.span,
                format!("`{}` is not an `events` declaration", given.name.name),
                "no such events".into(),
            ));
            continue;
        };
        let spec = &prog.events[e];
        let key = record[spec.key_input]
            .clone()
            .unwrap_or_else(|| Value::Text(test.name.value.as_str().into()));
        for row in &given.rows {
            let mut cells: Vec<Option<Value>> = vec![None; spec.decl.fields.len()];
            cells[spec.key] = Some(key.clone());
            for cell in &row.cells {
                let Some(f) = spec.decl.field(&cell.name.name) else {
                    failures.push(fail(
                        source,
                        test,
                        cell.name.span,
                        format!("events `{}` have no field `{}`", spec.name, cell.name.name),
                        "no such field".into(),
                    ));
                    continue;
                };
                match literal::checked_event(prog, e, f, &cell.value) {
                    Ok(v) => cells[f] = Some(v),
                    Err(LitError::Rejected(m)) => rejected = Some(m),
                    Err(LitError::Invalid(m)) => failures.push(fail(
                        source,
                        test,
                        cell.span,
                        m,
                        "not a value of this field".into(),
                    )),
                }
            }
            let mut values = Vec::with_capacity(cells.len());
            for (f, v) in cells.into_iter().enumerate() {
                let field = &spec.decl.fields[f];
                values.push(match v {
                    Some(v) => v,
                    None => match &field.default {
                        Some(d) => literal::checked_event(prog, e, f, d).unwrap_or(Value::Missing),
                        None if field.optional => Value::Missing,
                        None => {
                            failures.push(fail(
                                source,
                                test,
                                row.span,
                                format!(
                                    "this event of `{}` has no `{}`",
                                    spec.name, field.name.name
                                ),
                                "a required field is not given".into(),
                            ));
                            Value::Missing
                        }
                    },
                });
            }
            events.push((e, values));
        }
    }
    if !prog.events.is_empty() {
        for spec in &prog.events {
            if record[spec.key_input].is_none() {
                record[spec.key_input] = Some(Value::Text(test.name.value.as_str().into()));
            }
        }
    }
    let mut values = Vec::with_capacity(prog.inputs.len());
    for (i, v) in record.into_iter().enumerate() {
        let spec = &prog.inputs[i];
        let v = match v {
            Some(v) => v,
            None => match &spec.field.default {
                Some(d) => match literal::checked(prog, i, d) {
                    Ok(v) => v,
                    Err(e) => {
                        failures.push(fail(
                            source,
                            test,
                            d.span,
                            e.message(),
                            "bad default".into(),
                        ));
                        Value::Missing
                    }
                },
                None if spec.field.optional => Value::Missing,
                None => {
                    rejected.get_or_insert_with(|| {
                        format!("required input {} is not given", spec.name)
                    });
                    Value::Missing
                }
            },
        };
        values.push(v);
    }
    if !failures.is_empty() {
        return TestResult {
            name: test.name.value.clone(),
            span: test.span,
            failures,
        };
    }
    let result = match rejected {
        Some(m) => Err((m, None)),
        None => prog
            .record_with_events(&values, &events, as_of)
            .and_then(|record| {
                values = record;
                decide::evaluate(prog, &values, &rels, as_of, true, &unavailable, true, None)
            })
            .map_err(|e| (e.diagnostic.message.clone(), Some(e.diagnostic))),
    };
    let wants_rejected = test
        .expects
        .iter()
        .find(|e| e.target == ExpectTarget::Rejected);
    match (result, wants_rejected) {
        (Err(_), Some(_)) => {}
        (Ok(full), Some(e)) => {
            let grade = full
                .outcome
                .grade
                .as_ref()
                .and_then(|g| g.label.as_deref().map(|l| format!(" ({} = {l})", g.name)))
                .unwrap_or_default();
            failures.push(fail(
                source,
                test,
                e.span,
                format!("expected the record to be rejected, but it was graded{grade}"),
                "expected rejected".into(),
            ));
        }
        (Err((m, diag)), None) => {
            let span = test.expects.first().map(|e| e.span).unwrap_or(test.span);
            failures.push(
                fail(
                    source,
                    test,
                    span,
                    format!("the record was rejected: {m}"),
                    "expected a graded record".into(),
                )
                .with_help("give the inputs this rule needs, or `expect rejected`"),
            );
            failures.extend(diag.map(|d| *d));
        }
        (Ok(full), None) => {
            for e in &test.expects {
                if let Some(d) = check(e, source, test, prog, &full, &values, &rels, as_of) {
                    failures.push(d);
                }
            }
        }
    }
    TestResult {
        name: test.name.value.clone(),
        span: test.span,
        failures,
    }
}

fn same(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Missing, Value::Missing) => true,
        (Value::Missing, _) | (_, Value::Missing) => false,
        _ => number::equal(actual, expected).unwrap_or(false),
    }
}

#[allow(clippy::too_many_arguments)]
fn check(
    e: &Expect,
    source: &SourceFile,
    test: &TestCase,
    prog: &Program,
    full: &decide::Full,
    record: &[Value],
    rels: &[Value],
    as_of: Date,
) -> Option<Diagnostic> {
    let o = &full.outcome;
    let (what, actual): (String, Value) = match &e.target {
        ExpectTarget::Tags => {
            let has = |n: &str| o.tags.iter().any(|t| &*t.name == n);
            let tags: Vec<&str> = o.tags.iter().map(|t| &*t.name).collect();
            let (bad, include): (Vec<&str>, bool) = match &e.check {
                ExpectCheck::Includes(ns) => (
                    ns.iter()
                        .map(|n| n.name.as_str())
                        .filter(|n| !has(n))
                        .collect(),
                    true,
                ),
                ExpectCheck::Excludes(ns) => (
                    ns.iter()
                        .map(|n| n.name.as_str())
                        .filter(|n| has(n))
                        .collect(),
                    false,
                ),
                _ => return None,
            };
            if bad.is_empty() {
                return None;
            }
            let tags = if tags.is_empty() {
                "none".to_string()
            } else {
                tags.join(", ")
            };
            let msg = if include {
                format!(
                    "expected tags to include {}; tags are: {tags}",
                    bad.join(", ")
                )
            } else {
                format!(
                    "expected tags to exclude {}; tags are: {tags}",
                    bad.join(", ")
                )
            };
            let why: Vec<String> = o
                .trace
                .iter()
                .filter(|s| bad.iter().any(|b| *s.name == *format!("tag {b}")))
                .map(|s| s.explanation.clone())
                .collect();
            let mut d = fail(source, test, e.span, msg, format!("tags: {tags}"));
            if !why.is_empty() {
                d = d.with_help(why.join("; "));
            }
            return Some(d);
        }
        ExpectTarget::Rejected => return None,
        ExpectTarget::Name(id) => match prog.names.get(&id.name) {
            Some(_) => (
                id.name.clone(),
                o.value(&id.name).cloned().unwrap_or(Value::Missing),
            ),
            None => {
                return Some(fail(
                    source,
                    test,
                    id.span,
                    format!("`{}` is not a value of this ruleset", id.name),
                    "unknown name".into(),
                ))
            }
        },
        ExpectTarget::Component(sc, c)
            if prog
                .named_schedules
                .iter()
                .any(|s| s.name.as_deref() == Some(sc.name.as_str())) =>
        {
            let s = o
                .schedules
                .iter()
                .find(|(n, _)| **n == *sc.name)
                .map(|(_, s)| s);
            let v = match (s, c.name.as_str()) {
                (Some(s), "next_due" | "review_due") => {
                    s.next_due.map(Value::Date).unwrap_or(Value::Missing)
                }
                (Some(s), "overdue") => Value::Bool(s.overdue),
                (Some(s), "reassign") => Value::Bool(s.reassign),
                _ => Value::Missing,
            };
            (format!("{}.{}", sc.name, c.name), v)
        }
        ExpectTarget::Component(sc, c) => {
            match prog.comp_index.get(&(sc.name.clone(), c.name.clone())) {
                Some(i) => (
                    format!("{}.{}", sc.name, c.name),
                    full.comps.get(*i).cloned().unwrap_or(Value::Missing),
                ),
                None => {
                    return Some(fail(
                        source,
                        test,
                        e.span,
                        format!("`{}` has no component `{}`", sc.name, c.name),
                        "unknown component".into(),
                    ))
                }
            }
        }
        ExpectTarget::NextDue
        | ExpectTarget::Overdue
        | ExpectTarget::Reassign
        | ExpectTarget::ReviewDue => {
            let (sched, name) = match e.target {
                ExpectTarget::ReviewDue => (&o.review, "review_due"),
                ExpectTarget::NextDue => (&o.follow_up, "next_due"),
                ExpectTarget::Overdue => (&o.follow_up, "overdue"),
                _ => (&o.follow_up, "reassign"),
            };
            let Some(s) = sched else {
                return Some(fail(
                    source,
                    test,
                    e.span,
                    format!(
                        "{name}: the ruleset has no {}",
                        if name == "review_due" {
                            "review"
                        } else {
                            "follow_up"
                        }
                    ),
                    "nothing to check".into(),
                ));
            };
            let v = match e.target {
                ExpectTarget::NextDue | ExpectTarget::ReviewDue => {
                    s.next_due.map(Value::Date).unwrap_or(Value::Missing)
                }
                ExpectTarget::Overdue => Value::Bool(s.overdue),
                _ => Value::Bool(s.reassign),
            };
            (name.to_string(), v)
        }
    };
    let ExpectCheck::Equals(expr) = &e.check else {
        return None;
    };
    // Its bare labels were resolved by the checker with the rest of the ruleset.
    let mut c = prog.resolver(source, &prog.label_rank);
    let compiled = c.expr(expr);
    let env = Env::new(prog, record, rels, as_of);
    let expected = match env.eval(&compiled, source) {
        Ok(v) => v,
        Err(err) => return Some(*err.diagnostic),
    };
    if same(&actual, &expected) {
        return None;
    }
    let why = o
        .trace
        .iter()
        .rev()
        .find(|s| *s.name == *what)
        .map(|s| s.explanation.clone());
    let mut d = fail(
        source,
        test,
        e.span,
        format!("expected {what} = {expected}, got {actual}"),
        format!("expected {expected}, got {actual}"),
    );
    if let Some(w) = why {
        d = d.with_help(format!("because {w}"));
    }
    Some(d)
}
