//! `test` blocks: `given` names inputs (or relative grades) with values of the right type, and
//! `expect` names things that exist.

use super::{Ctx, SymKind, Ty};
use crate::ast::{
    Expect, ExpectCheck, ExpectTarget, ExprKind, Given, Item, LitKind, ScheduleKind, TestCase,
    TypeKind, UnOp,
};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::Unit;

/// Checks every `test` block. Names used only by tests do not count as used by the rules.
pub(crate) fn check_tests(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    let saved = cx.used.clone();
    let follow_up = rs.items.iter().any(
        |i| matches!(i, Item::Schedule(s) if s.kind == ScheduleKind::FollowUp && s.name.is_none()),
    );
    let review = rs.items.iter().any(
        |i| matches!(i, Item::Schedule(s) if s.kind == ScheduleKind::Review && s.name.is_none()),
    );
    for item in &rs.items {
        if let Item::Test(t) = item {
            check_test(cx, t, follow_up, review);
        }
    }
    cx.used = saved;
}

fn check_test<'a>(cx: &mut Ctx<'a>, t: &'a TestCase, follow_up: bool, review: bool) {
    if let Some(l) = &t.as_of {
        if !matches!(l.kind, LitKind::Date(_)) {
            let d = cx
                .error(Code::TypeMismatch, "`as_of` must be a date")
                .with_label(l.span, "not a date")
                .with_help("write a date, e.g. `as_of 2026-11-23`");
            cx.push(d);
        }
    }
    let expects_rejection = t.expects.iter().any(|e| e.target == ExpectTarget::Rejected);
    let mut seen: Vec<(&str, Span)> = Vec::new();
    for g in &t.given {
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == g.name.name) {
            let d = cx
                .error(
                    Code::TestDuplicateGiven,
                    format!("`{}` is given twice", g.name.name),
                )
                .with_label(g.span, "given again")
                .with_label(*first, "first given here")
                .with_help("give each input once per test");
            cx.push(d);
            continue;
        }
        seen.push((&g.name.name, g.span));
        check_given(cx, g, expects_rejection);
    }
    if !expects_rejection {
        let required: Vec<String> = cx
            .symbols
            .iter()
            .filter_map(|s| match s.kind {
                SymKind::Input(f) if !f.optional && f.default.is_none() => {
                    Some(s.ident.name.clone())
                }
                _ => None,
            })
            .filter(|n| !seen.iter().any(|(g, _)| g == n))
            // The key of events is the test's own customer: tier fills it in.
            .filter(|n| !cx.events.values().any(|e| e.key.name == *n))
            .collect();
        if !required.is_empty() {
            let d = cx
                .warning(
                    Code::TestMissingGiven,
                    format!(
                        "test \"{}\" does not give the required {} {}",
                        t.name.value,
                        if required.len() == 1 { "input" } else { "inputs" },
                        super::quote_list(&required)
                    ),
                )
                .with_label(t.name.span, "the record will be rejected")
                .with_help("give them, make them optional (`?`) or give them a `default`, or `expect rejected`");
            cx.push(d);
        }
    }
    for given in &t.events {
        let Some(&ev) = cx.events.get(&given.name.name) else {
            let d = cx
                .error(
                    Code::EventsUnknown,
                    format!("`{}` is not an `events` declaration", given.name.name),
                )
                .with_label(given.name.span, "no events of this name")
                .with_help(
                    "`given NAME = {FIELD = VALUE, …}, …` gives the events of `events NAME`",
                );
            cx.push(d);
            continue;
        };
        for row in &given.rows {
            for cell in &row.cells {
                if ev.field(&cell.name.name).is_none() {
                    let names: Vec<&str> = ev.fields.iter().map(|f| f.name.name.as_str()).collect();
                    let d = cx
                        .error(
                            Code::EventsUnknown,
                            format!(
                                "events `{}` have no field `{}`",
                                ev.name.name, cell.name.name
                            ),
                        )
                        .with_label(cell.name.span, "no such field")
                        .with_help(format!("the fields are {}", super::quote_list(&names)));
                    cx.push(d);
                }
            }
        }
    }
    for e in &t.expects {
        check_expect(cx, e, follow_up, review);
    }
}

/// A did-you-mean over names of the given kinds.
fn suggest_kind(cx: &Ctx<'_>, name: &str, keep: impl Fn(&SymKind<'_>) -> bool) -> Option<String> {
    let names: Vec<&str> = cx
        .symbols
        .iter()
        .filter(|s| keep(&s.kind))
        .map(|s| s.ident.name.as_str())
        .collect();
    crate::diagnostic::suggest(name, names).map(str::to_string)
}

fn unknown_in_test(
    cx: &mut Ctx<'_>,
    span: Span,
    name: &str,
    what: &str,
    suggestion: Option<String>,
) {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("a test can only name declared {what}"),
    };
    let d = cx
        .error(
            Code::TestUnknownName,
            format!("unknown {} `{name}` in a test", what.trim_end_matches('s')),
        )
        .with_label(span, "not declared")
        .with_help(help);
    cx.push(d);
}

fn check_given<'a>(cx: &mut Ctx<'a>, g: &'a Given, expects_rejection: bool) {
    let Some(sym) = cx.symbol(&g.name.name) else {
        let s = suggest_kind(cx, &g.name.name, |k| {
            matches!(k, SymKind::Input(_) | SymKind::Relative(_))
        });
        unknown_in_test(cx, g.name.span, &g.name.name, "inputs", s);
        return;
    };
    cx.refer(&g.name);
    let field = match sym.kind {
        SymKind::Input(f) => Some(f),
        SymKind::Relative(_) => None,
        k => {
            let d = cx
                .error(
                    Code::TestNotInput,
                    format!(
                        "`{}` is {}, computed from the inputs: a test cannot give it",
                        g.name.name,
                        k.a_word()
                    ),
                )
                .with_label(g.name.span, k.a_word())
                .with_help(format!(
                    "give the inputs it is computed from, and check it with `expect {} = ...`",
                    g.name.name
                ));
            cx.push(d);
            return;
        }
    };
    let ft = cx.symbol_type(&g.name.name);
    // A label may also be given the way a data cell spells it: `医院等级 = "三甲"`.
    if let (Some(f), Ty::Label(s), ExprKind::Lit(l)) = (field, ft, &g.value.kind) {
        if let LitKind::Text(text) = &l.kind {
            let spellings: Vec<String> = match &f.ty.kind {
                TypeKind::Enum(variants) => variants
                    .iter()
                    .flat_map(|v| {
                        std::iter::once(v.name.name.clone())
                            .chain(v.synonyms.iter().map(|syn| syn.value.clone()))
                    })
                    .collect(),
                _ => cx.scales[s].labels.clone(),
            };
            let key = text.trim().to_lowercase();
            if !spellings.iter().any(|sp| sp.trim().to_lowercase() == key) {
                let d = cx
                    .error(
                        Code::TestValueType,
                        format!("\"{text}\" is not a spelling of `{}`", g.name.name),
                    )
                    .with_label(g.value.span, "no variant or synonym is spelled so")
                    .with_help(format!("write one of {}", super::quote_list(&spellings)));
                cx.push(d);
            }
            return;
        }
    }
    let written = matches!(&g.value.kind, ExprKind::Lit(_) | ExprKind::Name(_))
        || matches!(&g.value.kind, ExprKind::Unary(UnOp::Neg, x) if matches!(x.kind, ExprKind::Lit(_)));
    let vt = cx.infer_against(&g.value, ft);
    if !written {
        let d = cx
            .error(
                Code::TestValueType,
                "a given value must be written out (a literal or a label)",
            )
            .with_label(g.value.span, "an expression")
            .with_help("write the value itself, e.g. `销售额 = 200万`");
        cx.push(d);
        return;
    }
    // A scaled number (`200万`) adopts any unit in a formula, but as a percent it is a mistake.
    let scaled = matches!(&g.value.kind, ExprKind::Lit(l) if matches!(l.kind, LitKind::Number { unit: Unit::Plain, .. }) && l.text.contains(['万', '亿', '千']));
    let percent = matches!(field.map(|f| &f.ty.kind), Some(TypeKind::Percent { .. }));
    let bad = match cx.unify(ft, vt) {
        Err(_) => true,
        Ok(_) => scaled && percent,
    };
    if bad {
        let d = cx
            .error(
                Code::TestValueType,
                format!(
                    "`{}` is {}, but the test gives {}",
                    g.name.name,
                    cx.describe(ft),
                    if scaled && percent {
                        "an amount".to_string()
                    } else {
                        cx.describe(vt)
                    }
                ),
            )
            .with_label(g.value.span, "wrong kind of value")
            .with_help(match ft {
                Ty::Num {
                    unit: Unit::Percent,
                    ..
                } => "write a percent, e.g. `92%`".to_string(),
                Ty::Num {
                    unit: Unit::Money, ..
                } => "write an amount, e.g. `200万`".to_string(),
                Ty::Date => "write a date, e.g. `2026-11-20`".to_string(),
                Ty::Bool => "write `yes` or `no`".to_string(),
                Ty::Label(s) => format!("write one of {}", super::quote_list(&cx.scales[s].labels)),
                _ => format!("write {}", cx.describe(ft)),
            });
        cx.push(d);
        return;
    }
    // A value the field would reject: the test would only pass as `expect rejected`.
    let (Some(field), Some((v, _))) = (field, super::bands::const_num(&g.value)) else {
        return;
    };
    if expects_rejection {
        return;
    }
    let problem = if matches!(field.ty.kind, TypeKind::Integer) && !v.fract().is_zero() {
        Some(format!("`{}` is a whole number", g.name.name))
    } else {
        field.range.as_ref().and_then(|r| {
            let num = |l: &Option<crate::ast::Literal>| match l.as_ref().map(|l| &l.kind) {
                Some(LitKind::Number { value, .. }) => Some(*value),
                _ => None,
            };
            let below = num(&r.lo).is_some_and(|a| v < a);
            let above = num(&r.hi).is_some_and(|b| v > b);
            (below || above).then(|| format!("`{}` must be within {}", g.name.name, r.text()))
        })
    };
    if let Some(why) = problem {
        let d = cx
            .error(
                Code::TestValueType,
                format!("{why}: the test's record would be rejected"),
            )
            .with_label(g.value.span, "rejected by the field")
            .with_help("give a value the field accepts, or `expect rejected`");
        cx.push(d);
    }
}

fn check_expect<'a>(cx: &mut Ctx<'a>, e: &'a Expect, follow_up: bool, review: bool) {
    let target_ty = match &e.target {
        ExpectTarget::Name(id) => {
            if cx.symbol(&id.name).is_none() {
                let s = cx.suggest_name(&id.name, None);
                unknown_in_test(cx, id.span, &id.name, "names", s);
                return;
            }
            cx.refer(id);
            cx.symbol_type(&id.name)
        }
        ExpectTarget::Component(sc, comp) if named_schedule(cx, &sc.name).is_some() => {
            let is_review = named_schedule(cx, &sc.name) == Some(ScheduleKind::Review);
            let fields: &[&str] = if is_review {
                &["review_due"]
            } else {
                &["next_due", "overdue", "reassign"]
            };
            if !fields.contains(&comp.name.as_str()) {
                let s = crate::diagnostic::suggest(&comp.name, fields.iter().copied())
                    .map(|s| format!("{}.{s}", sc.name));
                unknown_in_test(cx, comp.span, &comp.name, "schedule results", s);
                return;
            }
            match comp.name.as_str() {
                "next_due" | "review_due" => Ty::Date,
                _ => Ty::Bool,
            }
        }
        ExpectTarget::Component(sc, comp) => {
            let Some(SymKind::Scorecard(card)) = cx.symbol(&sc.name).map(|s| s.kind) else {
                let s = suggest_kind(cx, &sc.name, |k| matches!(k, SymKind::Scorecard(_)));
                unknown_in_test(cx, sc.span, &sc.name, "scorecards", s);
                return;
            };
            cx.refer(sc);
            if !card.components.iter().any(|c| c.name.name == comp.name) {
                let names: Vec<&str> = card
                    .components
                    .iter()
                    .map(|c| c.name.name.as_str())
                    .collect();
                let s = crate::diagnostic::suggest(&comp.name, names)
                    .map(|s| format!("{}.{s}", sc.name));
                unknown_in_test(cx, comp.span, &comp.name, "components", s);
                return;
            }
            cx.refer_component(sc, comp);
            Ty::PLAIN
        }
        ExpectTarget::Tags => {
            if let ExpectCheck::Includes(names) | ExpectCheck::Excludes(names) = &e.check {
                for n in names {
                    if !cx.tags.iter().any(|t| t.name == n.name) {
                        let s = crate::diagnostic::suggest(
                            &n.name,
                            cx.tags.iter().map(|t| t.name.as_str()),
                        )
                        .map(str::to_string);
                        unknown_in_test(cx, n.span, &n.name, "tags", s);
                    }
                }
            }
            return;
        }
        ExpectTarget::NextDue
        | ExpectTarget::Overdue
        | ExpectTarget::Reassign
        | ExpectTarget::ReviewDue => {
            let (needed, word) = match e.target {
                ExpectTarget::ReviewDue => (review, "review"),
                _ => (follow_up, "follow_up"),
            };
            if !needed {
                let d = cx
                    .error(
                        Code::TestNoSchedule,
                        format!(
                            "this expectation needs a `{word}` block, and the ruleset has none"
                        ),
                    )
                    .with_label(e.span, format!("no `{word}` to compute it"))
                    .with_help(format!(
                        "add `{word} by 等级 from 最近联系 {{ ... }}`, or remove the expectation"
                    ));
                cx.push(d);
                return;
            }
            match e.target {
                ExpectTarget::NextDue | ExpectTarget::ReviewDue => Ty::Date,
                _ => Ty::Bool,
            }
        }
        ExpectTarget::Rejected => return,
    };
    let ExpectCheck::Equals(v) = &e.check else {
        return;
    };
    let vt = cx.infer_against(v, target_ty);
    if cx.unify(target_ty, vt).is_err() {
        let target = match &e.target {
            ExpectTarget::Name(id) => id.name.clone(),
            ExpectTarget::Component(a, b) => format!("{}.{}", a.name, b.name),
            ExpectTarget::NextDue => "next_due".into(),
            ExpectTarget::ReviewDue => "review_due".into(),
            ExpectTarget::Overdue => "overdue".into(),
            ExpectTarget::Reassign => "reassign".into(),
            ExpectTarget::Tags | ExpectTarget::Rejected => String::new(),
        };
        let d = cx
            .error(
                Code::TestValueType,
                format!(
                    "`{target}` is {}, but the test expects {}",
                    cx.describe(target_ty),
                    cx.describe(vt)
                ),
            )
            .with_label(v.span, format!("this is {}", cx.describe(vt)))
            .with_help(format!("expect {}", cx.example(target_ty)));
        cx.push(d);
    }
}

/// The kind of the named schedule `name` (`follow_up 致电 by …`), if there is one.
fn named_schedule(cx: &Ctx<'_>, name: &str) -> Option<ScheduleKind> {
    cx.rs.items.iter().find_map(|i| match i {
        Item::Schedule(s) if s.name.as_ref().is_some_and(|n| n.name == name) => Some(s.kind),
        _ => None,
    })
}
