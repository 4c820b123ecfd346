//! Checked AST → [`Program`]. The checker has resolved everything ([`Resolution`]): the scales,
//! the scale of each named value and the rank of every bare label come from it as they are, and
//! it has rejected unknown names, cycles and bad declarations. What is left here is layout:
//! names to slots, expressions to [`CExpr`], named values sorted by dependency. A lookup that
//! fails is `tier::internal::compile` (a bug in tier), never a problem of the ruleset.

use super::program::*;
use super::{InputSpec, RelativeSpec};
use crate::ast::{self, Item, LitKind, RelMethod, Ruleset, TypeKind};
use crate::check::Resolution;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::value::{Label, Unit, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct Compiler<'a> {
    pub source: &'a SourceFile,
    pub names: HashMap<String, Slot>,
    pub scales: &'a [ScaleInfo],
    /// The rank of every bare label, by span: the checker's resolution ([`Resolution`]).
    pub labels: &'a HashMap<Span, u32>,
    /// (scorecard name, component name) → flat component index.
    pub components: HashMap<(String, String), usize>,
    /// The `events` declarations (aggregates name them).
    pub events: Vec<super::EventsSpec>,
    /// The aggregates compiled so far; `None` where none may be written (expressions compiled
    /// after the program: test expectations, REPL input).
    pub aggregates: Option<Vec<super::events::AggregateC>>,
    /// Internal errors only (`tier::internal::compile`): the checker resolved everything the compiler
    /// looks up, so a failed lookup is a bug in tier, never a problem of the ruleset.
    pub errors: Vec<Diagnostic>,
}

/// Compiles a checked ruleset from what the checker resolved: the compiler takes the checker's
/// scales, label ranks and value scales as they are and infers nothing itself.
pub(crate) fn compile(
    ruleset: &Ruleset,
    source: &SourceFile,
    resolved: &Resolution,
) -> Result<Program, Vec<Diagnostic>> {
    let scales: Vec<ScaleInfo> = resolved
        .scales
        .iter()
        .map(|s| ScaleInfo {
            name: s.name.as_str().into(),
            labels: s.labels.iter().map(|l| Arc::from(l.as_str())).collect(),
        })
        .collect();
    let scale_of = |name: &str| resolved.value_scale.get(name).copied();
    let mut c = Compiler {
        source,
        names: HashMap::new(),
        scales: &scales,
        labels: &resolved.label_rank,
        components: HashMap::new(),
        events: Vec::new(),
        aggregates: Some(Vec::new()),
        errors: Vec::new(),
    };

    let fields: Vec<&ast::InputField> = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Input(b) => Some(&b.fields),
            _ => None,
        })
        .flatten()
        .collect();

    // Named values (lets, scorecards, grades, adjusts) in declaration order. The checker
    // rejected duplicate names, so each name has one slot.
    let mut node_decls: Vec<&Item> = Vec::new();
    for item in &ruleset.items {
        let name = match item {
            Item::Let(d) => &d.name,
            Item::Scorecard(d) => &d.name,
            Item::Grade(d) => &d.name,
            Item::Adjust(d) => &d.name,
            _ => continue,
        };
        c.names
            .entry(name.name.clone())
            .or_insert(Slot::Node(node_decls.len()));
        node_decls.push(item);
    }
    let node_scales: Vec<Option<usize>> = node_decls
        .iter()
        .map(|item| match item {
            Item::Let(d) => scale_of(&d.name.name),
            Item::Grade(d) => scale_of(&d.name.name),
            Item::Adjust(d) => scale_of(&d.name.name),
            _ => None,
        })
        .collect();

    let mut inputs = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let scale = scale_of(&f.name.name);
        let grade_labels = match &f.ty.kind {
            TypeKind::Grade(_) => scale.map(|s| scales[s].labels.clone()),
            _ => None,
        };
        inputs.push(InputSpec {
            name: f.name.name.as_str().into(),
            field: (*f).clone(),
            grade_labels,
        });
        c.names.insert(f.name.name.clone(), Slot::Input(i));
    }

    // Events: the key and date fields, and the customer's input the key matches.
    for item in &ruleset.items {
        let Item::Events(ev) = item else { continue };
        if c.events.iter().any(|e| *e.name == *ev.name.name) {
            continue;
        }
        let key_input = inputs.iter().position(|i| *i.name == *ev.key.name);
        match (ev.field(&ev.key.name), ev.field(&ev.date.name), key_input) {
            (Some(key), Some(date), Some(key_input)) => c.events.push(super::EventsSpec {
                name: ev.name.name.as_str().into(),
                decl: ev.clone(),
                key,
                date,
                key_input,
            }),
            _ => c.internal(ev.span, format!("events `{}` do not resolve", ev.name.name)),
        }
    }

    // Relatives.
    let mut relatives = Vec::new();
    for item in &ruleset.items {
        if let Item::Relative(r) = item {
            let mut labels: Vec<Arc<str>> = match &r.method {
                RelMethod::Pareto(cuts) | RelMethod::Top(cuts) => {
                    cuts.iter().map(|c| c.label.name.as_str().into()).collect()
                }
                RelMethod::Quantiles { n, .. } => {
                    (1..=*n).rev().map(|k| k.to_string().into()).collect()
                }
                RelMethod::Split {
                    above, otherwise, ..
                } => vec![above.name.as_str().into(), otherwise.name.as_str().into()],
            };
            if let Some(m) = &r.on_missing {
                if !labels.iter().any(|l| **l == *m.name) {
                    labels.push(m.name.as_str().into());
                }
            }
            c.names
                .entry(r.name.name.clone())
                .or_insert(Slot::Rel(relatives.len()));
            relatives.push(RelativeSpec {
                name: r.name.name.as_str().into(),
                decl: r.clone(),
                labels,
            });
        }
    }

    // Scorecard components get flat indices.
    let mut comp_count = 0;
    for item in &node_decls {
        if let Item::Scorecard(s) = item {
            for comp in &s.components {
                c.components
                    .entry((s.name.name.clone(), comp.name.name.clone()))
                    .or_insert(comp_count);
                comp_count += 1;
            }
        }
    }

    // 4. Compile the node bodies.
    let mut nodes = Vec::new();
    let mut first_comp = 0;
    for (idx, item) in node_decls.iter().enumerate() {
        let node = match item {
            Item::Let(l) => Node {
                name: l.name.name.as_str().into(),
                span: l.span,
                scale: node_scales[idx],
                kind: NodeKind::Let(c.expr(&l.value)),
                override_by: None,
            },
            Item::Scorecard(s) => {
                let sc = c.scorecard(s, first_comp);
                first_comp += s.components.len();
                Node {
                    name: s.name.name.as_str().into(),
                    span: s.span,
                    scale: None,
                    kind: NodeKind::Scorecard(sc),
                    override_by: None,
                }
            }
            Item::Grade(g) => Node {
                name: g.name.name.as_str().into(),
                span: g.span,
                scale: node_scales[idx],
                kind: NodeKind::Grade(c.grade(g, node_scales[idx])),
                override_by: None,
            },
            Item::Adjust(a) => Node {
                name: a.name.name.as_str().into(),
                span: a.span,
                scale: node_scales[idx],
                kind: NodeKind::Adjust(c.adjust(a, node_scales[idx])),
                override_by: None,
            },
            _ => continue,
        };
        nodes.push(node);
    }

    // Overrides attach to the grade they replace.
    for item in &ruleset.items {
        if let Item::Override(o) = item {
            let with = c.input_index(&o.with);
            let reason = c.input_index(&o.reason);
            match (c.names.get(&o.grade.name), with, reason) {
                (Some(Slot::Node(n)), Some(w), Some(r)) => {
                    nodes[*n].override_by = Some((w, r, o.span));
                }
                _ => c.internal(
                    o.span,
                    format!("the override of `{}` does not resolve", o.grade.name),
                ),
            }
        }
    }

    let rel_exprs: Vec<(CExpr, Option<CExpr>)> = relatives
        .iter()
        .map(|r| {
            (
                c.expr(&r.decl.input),
                r.decl.per.as_ref().map(|p| c.expr(p)),
            )
        })
        .collect();

    let tags: Vec<TagC> = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Tag(t) => Some(TagC {
                name: t.name.name.as_str().into(),
                when: c.expr(&t.when),
                attrs: attrs(&t.attrs),
                span: t.span,
            }),
            _ => None,
        })
        .collect();

    let mut follow_up = None;
    let mut review = None;
    let mut named_schedules = Vec::new();
    for item in &ruleset.items {
        if let Item::Schedule(s) = item {
            let sched = c.schedule(s);
            if s.name.is_some() {
                named_schedules.extend(sched);
                continue;
            }
            let slot = match s.kind {
                ast::ScheduleKind::FollowUp => &mut follow_up,
                ast::ScheduleKind::Review => &mut review,
            };
            if slot.is_none() {
                *slot = sched;
            }
        }
    }

    let out = c.output(ruleset, &nodes, &node_decls);

    let mut value_order: Vec<(Arc<str>, Slot)> = inputs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), Slot::Input(i)))
        .collect();
    let mut rel_i = 0;
    let mut node_i = 0;
    for item in &ruleset.items {
        match item {
            Item::Let(_) | Item::Scorecard(_) | Item::Grade(_) | Item::Adjust(_) => {
                value_order.push((nodes[node_i].name.clone(), Slot::Node(node_i)));
                node_i += 1;
            }
            Item::Relative(_) => {
                value_order.push((relatives[rel_i].name.clone(), Slot::Rel(rel_i)));
                rel_i += 1;
            }
            _ => {}
        }
    }

    let order = super::compile_order::order(&nodes, source, &mut c.errors);
    let (rel_deps, rel_rounds) = super::compile_order::relative_deps(
        &nodes,
        &order,
        &rel_exprs,
        &relatives,
        source,
        &mut c.errors,
    );
    let names = std::mem::take(&mut c.names);
    let events = std::mem::take(&mut c.events);
    let aggregates = c.aggregates.take().unwrap_or_default();
    let components = std::mem::take(&mut c.components);
    let errors = std::mem::take(&mut c.errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Program {
        name: ruleset.name.value.clone(),
        version: ruleset.version.as_ref().map(|v| v.value.clone()),
        source: source.clone(),
        inputs,
        events,
        aggregates,
        relatives,
        rel_exprs,
        rel_deps,
        rel_rounds,
        scales,
        nodes,
        order,
        comp_count,
        tags,
        follow_up,
        review,
        named_schedules,
        out,
        value_order,
        names,
        comp_index: components,
        label_rank: resolved.label_rank.clone(),
        lang: super::words::Lang::of(ruleset),
    })
}

pub(crate) fn attrs(a: &ast::Attrs) -> AttrsC {
    AttrsC {
        color: a.color.as_ref().map(|s| Arc::from(s.value.as_str())),
        action: a.action.as_ref().map(|s| Arc::from(s.value.as_str())),
        owner: a.owner.as_ref().map(|s| Arc::from(s.value.as_str())),
    }
}

pub(crate) fn lit_value(l: &ast::Literal) -> Value {
    match &l.kind {
        LitKind::Number { value, unit } => Value::Number(*value, *unit),
        LitKind::Date(d) => Value::Date(*d),
        LitKind::Duration(d) => Value::Duration(*d),
        LitKind::Text(t) => Value::Text(t.as_str().into()),
        LitKind::Bool(b) => Value::Bool(*b),
        LitKind::Missing => Value::Missing,
    }
}

impl<'a> Compiler<'a> {
    /// `tier::internal::compile`: a lookup the checker guaranteed failed. A bug in tier, reported
    /// instead of guessed around, so it can never turn into a wrong grade.
    /// An aggregate: its slot among the program's aggregates.
    pub(crate) fn aggregate(&mut self, a: &ast::Aggregate, span: Span) -> Option<Slot> {
        let Some(e) = self.events.iter().position(|e| *e.name == *a.events.name) else {
            self.internal(span, format!("events `{}` do not resolve", a.events.name));
            return None;
        };
        let decl = self.events[e].decl.clone();
        let field = match &a.field {
            Some(f) => match decl.field(&f.name) {
                Some(i) => Some(i),
                None => {
                    self.internal(f.span, format!("no field `{}`", f.name));
                    return None;
                }
            },
            None => None,
        };
        let window = match &a.window {
            Some(ast::Window::Last(l)) => match &l.kind {
                LitKind::Duration(d) => Some(super::events::WindowC::Last(*d)),
                _ => None,
            },
            Some(ast::Window::This(p, _)) => Some(super::events::WindowC::This(*p)),
            None => None,
        };
        // A filter's names are the event's fields: `Slot::Input(i)` reads field `i` of the event.
        let filter = a.filter.as_ref().map(|f| {
            let fields: HashMap<String, Slot> = decl
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.name.clone(), Slot::Input(i)))
                .collect();
            let saved = std::mem::replace(&mut self.names, fields);
            let compiled = self.expr(f);
            self.names = saved;
            compiled
        });
        let unit = field.map_or(Unit::Plain, |i| {
            super::events::field_unit(&decl.fields[i].ty.kind)
        });
        let text = super::interpret::text(self.source, span).into_owned();
        let Some(list) = self.aggregates.as_mut() else {
            // An expression compiled after the program (the REPL's input): its aggregates have
            // no place in the records. Not a bug: say how to get one.
            self.errors.push(
                crate::diagnostic::Diagnostic::error(
                    crate::diagnostic::Code::EventsAggregate,
                    format!("`{text}` can only be computed inside the ruleset"),
                )
                .in_source(self.source)
                .with_label(span, "an aggregate typed on its own")
                .with_help(
                    "declare it: `let 近一年 = …`, then ask for `近一年` (in the REPL, over the \
                     :event events)",
                ),
            );
            return None;
        };
        list.push(super::events::AggregateC {
            func: a.func,
            events: e,
            field,
            window,
            filter,
            unit,
            text: text.into(),
            span,
        });
        Some(Slot::Agg(list.len() - 1))
    }

    pub(crate) fn internal(&mut self, span: Span, what: String) {
        let d = super::compile_order::internal(self.source, span, what);
        self.errors.push(d);
    }

    fn input_index(&mut self, id: &ast::Ident) -> Option<usize> {
        match self.names.get(&id.name) {
            Some(Slot::Input(i)) => Some(*i),
            _ => {
                self.internal(id.span, format!("`{}` is not an input", id.name));
                None
            }
        }
    }

    /// A bare name that is no declared value: a label, with the rank the checker resolved.
    pub(crate) fn bare_label(&mut self, id: &ast::Ident) -> Label {
        let rank = match self.labels.get(&id.span) {
            Some(&rank) => rank,
            None => {
                self.internal(id.span, format!("the label `{}` was not resolved", id.name));
                0
            }
        };
        Label {
            name: id.name.as_str().into(),
            rank,
        }
    }

    /// A label of a grade's or adjustment's own scale (`A:` arms, `to B`, `up to B`).
    fn scale_label(&mut self, id: &ast::Ident, scale: Option<usize>) -> Label {
        match scale
            .and_then(|s| self.scales.get(s))
            .and_then(|s| s.label(&id.name))
        {
            Some(l) => l,
            None => {
                self.internal(id.span, format!("the label `{}` has no scale", id.name));
                Label {
                    name: id.name.as_str().into(),
                    rank: 0,
                }
            }
        }
    }

    fn scorecard(&mut self, s: &ast::Scorecard, first_comp: usize) -> ScorecardC {
        let components = s
            .components
            .iter()
            .map(|comp| ComponentC {
                name: comp.name.name.as_str().into(),
                weight: comp.weight.as_ref().map(|w| {
                    let v = match &w.kind {
                        LitKind::Number { value, unit } => {
                            // `30` without `%` in a weight column still means 30%.
                            if *unit == Unit::Percent || *value <= rust_decimal::Decimal::ONE {
                                *value
                            } else {
                                *value / rust_decimal::Decimal::ONE_HUNDRED
                            }
                        }
                        _ => rust_decimal::Decimal::ZERO,
                    };
                    (v, w.text.clone())
                }),
                expr: self.expr(&comp.expr),
                on_missing: comp.on_missing.as_ref().map(|e| self.expr(e)),
                span: comp.span,
            })
            .collect();
        ScorecardC {
            round: s.round,
            first_comp,
            components,
        }
    }

    fn grade(&mut self, g: &ast::GradeDecl, scale: Option<usize>) -> GradeC {
        let label = |c: &mut Self, id: &ast::Ident| c.scale_label(id, scale);
        match &g.body {
            ast::GradeBody::Thresholds { input, arms } => {
                let input = self.expr(input);
                let arms = arms
                    .iter()
                    .map(|a| ThresholdArmC {
                        label: label(self, &a.label),
                        test: match &a.test {
                            ast::ThresholdTest::Cmp(op, e) => {
                                ThresholdTestC::Cmp(*op, self.expr(e))
                            }
                            ast::ThresholdTest::Otherwise => ThresholdTestC::Otherwise,
                            ast::ThresholdTest::Missing => ThresholdTestC::Missing,
                        },
                        attrs: attrs(&a.attrs),
                        span: a.span,
                    })
                    .collect();
                GradeC::Thresholds { input, arms }
            }
            ast::GradeBody::Rules { arms } => GradeC::Rules {
                arms: arms
                    .iter()
                    .map(|a| RuleArmC {
                        label: label(self, &a.label),
                        when: match &a.test {
                            ast::RuleTest::When(e) => Some(self.expr(e)),
                            ast::RuleTest::Otherwise => None,
                        },
                        attrs: attrs(&a.attrs),
                        span: a.span,
                    })
                    .collect(),
            },
        }
    }

    fn adjust(&mut self, a: &ast::AdjustDecl, scale: Option<usize>) -> AdjustC {
        let base = match self.names.get(&a.base.name) {
            Some(slot @ (Slot::Node(_) | Slot::Input(_))) => *slot,
            _ => {
                self.internal(a.base.span, format!("`{}` is not a grade", a.base.name));
                Slot::Node(0)
            }
        };
        let arms = a
            .arms
            .iter()
            .map(|arm| AdjustArmC {
                action: match &arm.action {
                    ast::AdjustAction::Up(n) => AdjustActionC::Up(*n),
                    ast::AdjustAction::Down(n) => AdjustActionC::Down(*n),
                    ast::AdjustAction::To(l) => AdjustActionC::To(self.scale_label(l, scale)),
                    ast::AdjustAction::UpTo(l) => AdjustActionC::UpTo(self.scale_label(l, scale)),
                    ast::AdjustAction::DownTo(l) => {
                        AdjustActionC::DownTo(self.scale_label(l, scale))
                    }
                },
                when: self.expr(&arm.when),
            })
            .collect();
        AdjustC { base, arms }
    }

    fn duration(&mut self, l: &ast::Literal) -> crate::value::Duration {
        match &l.kind {
            LitKind::Duration(d) => *d,
            _ => {
                // The grammar only admits duration literals here.
                self.internal(l.span, format!("`{}` is not a duration", l.text));
                crate::value::Duration::default()
            }
        }
    }

    fn schedule(&mut self, s: &ast::ScheduleDecl) -> Option<ScheduleC> {
        let grade = match self.names.get(&s.grade.name) {
            Some(slot) => *slot,
            None => {
                self.internal(s.grade.span, format!("unknown grade `{}`", s.grade.name));
                return None;
            }
        };
        let from = self.expr(&s.from);
        let arms = s
            .arms
            .iter()
            .map(|a| {
                let (cadence, text) = match &a.cadence {
                    ast::Cadence::Every(d) => (
                        CadenceC::Every(self.duration(d)),
                        format!("every {}", d.text),
                    ),
                    ast::Cadence::Within(d1, d2) => {
                        let lo = self.duration(d1);
                        let hi = d2.as_ref().map(|d| self.duration(d)).unwrap_or(lo);
                        let text = match d2 {
                            Some(d2) => format!("within {}..{}", d1.text, d2.text),
                            None => format!("within {}", d1.text),
                        };
                        (CadenceC::Within(lo, hi), text)
                    }
                    ast::Cadence::PerPeriod { count, period } => {
                        let n = match &count.kind {
                            LitKind::Number { value, .. } => *value,
                            _ => rust_decimal::Decimal::ONE,
                        };
                        let (days, word) = match period {
                            ast::Period::Week => (7, "week"),
                            ast::Period::Month => (30, "month"),
                            ast::Period::Year => (365, "year"),
                        };
                        let interval = if n <= rust_decimal::Decimal::ZERO {
                            1
                        } else {
                            (rust_decimal::Decimal::from(days) / n)
                                .floor()
                                .try_into()
                                .unwrap_or(1i32)
                                .max(1)
                        };
                        (
                            CadenceC::PerPeriod(interval),
                            format!("{} per {word}", count.text),
                        )
                    }
                    ast::Cadence::Calendar(days) => calendar(days),
                    ast::Cadence::None => (CadenceC::None, "none".to_string()),
                };
                ScheduleArmC {
                    label: a.label.as_ref().map(|l| l.name.as_str().into()),
                    tag: a.tag.as_ref().map(|t| t.name.as_str().into()),
                    when: a.when.as_ref().map(|w| self.expr(w)),
                    cadence,
                    cadence_text: text,
                    reassign_after: a.reassign_after.as_ref().map(|d| self.duration(d)),
                }
            })
            .collect();
        Some(ScheduleC {
            name: s.name.as_ref().map(|n| n.name.as_str().into()),
            grade,
            grade_name: s.grade.name.as_str().into(),
            from,
            arms,
            span: s.span,
            is_review: s.kind == ast::ScheduleKind::Review,
        })
    }

    fn output(&mut self, ruleset: &Ruleset, nodes: &[Node], decls: &[&Item]) -> OutputC {
        let decl = ruleset.items.iter().rev().find_map(|i| match i {
            Item::Output(o) => Some(o),
            _ => None,
        });
        let mut resolve = |id: &Option<ast::Ident>, what: &str| -> Option<(Arc<str>, Slot)> {
            let id = id.as_ref()?;
            match self.names.get(&id.name) {
                Some(slot) => Some((id.name.as_str().into(), *slot)),
                None => {
                    self.internal(id.span, format!("unknown {what} `{}`", id.name));
                    None
                }
            }
        };
        let mut out = OutputC::default();
        if let Some(d) = decl {
            out.grade = resolve(&d.grade, "grade");
            out.subgrade = resolve(&d.subgrade, "sub-grade");
            out.score = resolve(&d.score, "score");
            out.revenue = resolve(&d.revenue, "revenue");
        }
        if out.grade.is_none() {
            out.grade = decls
                .iter()
                .enumerate()
                .rev()
                .find(|(_, d)| matches!(d, Item::Grade(_) | Item::Adjust(_)))
                .map(|(i, _)| (nodes[i].name.clone(), Slot::Node(i)));
        }
        if out.score.is_none() {
            out.score = decls
                .iter()
                .enumerate()
                .find(|(_, d)| matches!(d, Item::Scorecard(_)))
                .map(|(i, _)| (nodes[i].name.clone(), Slot::Node(i)));
        }
        out
    }
}

/// A calendar cadence and its words: `on 06-30, 12-31`, `every wednesday`.
fn calendar(days: &[ast::CalendarDay]) -> (CadenceC, String) {
    use ast::CalendarDayKind as K;
    const WEEKDAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut cal = crate::value::Calendar::default();
    let mut words = Vec::new();
    for d in days {
        match d.kind {
            K::YearDay { month, day } => {
                cal.year_days.push((month, day));
                words.push(format!("{month:02}-{day:02}"));
            }
            K::MonthDay(day) => {
                cal.month_days.push(day);
                words.push(format!("day {day}"));
            }
            K::MonthEnd => {
                cal.month_days.push(31);
                words.push("month_end".into());
            }
            K::QuarterEnd => {
                cal.year_days.extend([(3, 31), (6, 30), (9, 30), (12, 31)]);
                words.push("quarter_end".into());
            }
            K::Weekday(w) => {
                cal.weekdays.push(w);
                words.push(WEEKDAYS[usize::from(w.clamp(1, 7)) - 1].into());
            }
        }
    }
    let weekly = days.iter().all(|d| matches!(d.kind, K::Weekday(_)));
    let text = format!(
        "{} {}",
        if weekly { "every" } else { "on" },
        words.join(", ")
    );
    (CadenceC::Calendar(cal), text)
}
