//! Declaration-level checks: scorecard weights, adjustments, relative grades, follow-up/review
//! schedules, manual override, output, and a ruleset without a grade.

use super::bands::show;
use super::infer::lit_type;
use super::{quote_list, Ctx, ScaleId, ScaleKind, SymKind, Ty};
use crate::ast::{
    AdjustAction, Cadence, CalendarDayKind, Ident, Item, LitKind, Literal, OutputDecl, RelMethod,
    RelativeDecl, ScheduleDecl, ScheduleKind, Scorecard, TypeKind,
};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::{Duration, Unit};
use rust_decimal::Decimal;

/// Scorecards, adjustments, relatives, schedules, override, output; the ruleset as a whole.
pub(crate) fn check_declarations(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    let mut has_grade = false;
    let mut schedules: Vec<(ScheduleKind, Option<String>, Span)> = Vec::new();
    let mut outputs: Option<Span> = None;
    for item in &rs.items {
        match item {
            Item::Scorecard(sc) => check_weights(cx, sc),
            Item::Adjust(a) => {
                has_grade = true;
                cx.current = Some(a.name.name.clone());
                let base_ok = cx.symbol(&a.base.name).is_some();
                if !base_ok {
                    cx.unknown_name(&a.base);
                } else {
                    cx.resolve(&a.base);
                    let kind = cx.symbol(&a.base.name).map(|s| s.kind);
                    if !matches!(
                        kind,
                        Some(
                            SymKind::Grade
                                | SymKind::Adjust
                                | SymKind::Relative(_)
                                | SymKind::Input(_)
                        )
                    ) || !cx.value_scale.contains_key(&a.name.name)
                    {
                        let d = cx
                            .error(Code::AdjustBase, format!("`adjust` starts from a grade, but `{}` is not one", a.base.name))
                            .with_label(a.base.span, format!("this is {}", kind.map_or("unknown".to_string(), |k| k.a_word())))
                            .with_help("adjust a `grade`, another `adjust`, or an input of type `grade(SCALE)`, so up/down have a scale to move on");
                        cx.push(d);
                    }
                }
                cx.current = None;
                let scale = cx.value_scale.get(&a.name.name).copied();
                for arm in &a.arms {
                    match &arm.action {
                        AdjustAction::Up(0) | AdjustAction::Down(0) => {
                            let d = cx
                                .error(Code::AdjustZero, "moving 0 steps does nothing")
                                .with_label(arm.span, "0 steps")
                                .with_help("write `up 1` or `down 1`, or remove the arm");
                            cx.push(d);
                        }
                        AdjustAction::To(l) => {
                            if let Some(s) = scale {
                                if !cx.scales[s].contains(&l.name) {
                                    cx.unknown_label(l, s);
                                }
                            }
                        }
                        AdjustAction::UpTo(l) | AdjustAction::DownTo(l) => {
                            if let Some(s) = scale {
                                check_bound_label(cx, &arm.action, l, s);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Item::Grade(_) => has_grade = true,
            Item::Relative(r) => {
                has_grade = true;
                check_relative(cx, r);
            }
            Item::Schedule(s) => {
                let name = s.name.as_ref().map(|n| n.name.clone());
                let word = schedule_word(s.kind);
                if let Some(n) = &s.name {
                    // Its columns and test targets are `NAME.…`: the name must say which.
                    if let Some((_, _, first)) = schedules
                        .iter()
                        .find(|(_, m, _)| m.as_ref() == Some(&n.name))
                    {
                        let d = cx
                            .error(
                                Code::ScheduleDuplicate,
                                format!("two schedules are named `{}`", n.name),
                            )
                            .with_label(n.span, "second schedule with this name")
                            .with_label(*first, "first one")
                            .with_help("give each schedule its own name: `follow_up 致电 …`, `follow_up 拜访 …`");
                        cx.push(d);
                    } else if let Some(sym) = cx.symbol(&n.name) {
                        let first = sym.ident.span;
                        let d = cx
                            .error(
                                Code::NameDuplicate,
                                format!("`{}` is already declared", n.name),
                            )
                            .with_label(n.span, "a schedule with this name")
                            .with_label(first, "declared here")
                            .with_help(
                                "name the schedule differently, so `NAME.next_due` says which",
                            );
                        cx.push(d);
                    }
                } else if let Some((_, _, first)) = schedules
                    .iter()
                    .find(|(k, m, _)| *k == s.kind && m.is_none())
                {
                    let d = cx
                        .error(Code::ScheduleDuplicate, format!("a second `{word}` block"))
                        .with_label(s.span, "second block")
                        .with_label(*first, "first block")
                        .with_help(format!(
                            "merge them (one `{word}` block gives each grade label one cadence), or name the second: `{word} 拜访 by …`"
                        ));
                    cx.push(d);
                }
                schedules.push((s.kind, name, s.span));
                check_schedule(cx, s);
            }
            Item::Override(o) => {
                let target = cx.symbol(&o.grade.name).map(|s| s.kind);
                match target {
                    None => cx.unknown_name(&o.grade),
                    Some(SymKind::Grade | SymKind::Adjust) => {
                        cx.resolve(&o.grade);
                    }
                    Some(k) => {
                        let d = cx
                            .error(
                                Code::OverrideTarget,
                                format!(
                                    "`override` replaces a grade, but `{}` is {}",
                                    o.grade.name,
                                    k.a_word()
                                ),
                            )
                            .with_label(o.grade.span, format!("this is {}", k.a_word()))
                            .with_help("name a `grade` or an `adjust`");
                        cx.push(d);
                    }
                }
                for (f, role) in [(&o.with, "with"), (&o.reason, "reason")] {
                    override_field(cx, f, role, &o.grade);
                }
            }
            Item::Output(out) => {
                if let Some(first) = outputs {
                    let d = cx
                        .error(Code::OutputDuplicate, "a second `output` block")
                        .with_label(out.span, "second block")
                        .with_label(first, "first block")
                        .with_help("merge them into one `output { ... }`");
                    cx.push(d);
                }
                outputs = Some(out.span);
                check_output(cx, out);
            }
            _ => {}
        }
    }
    if !has_grade {
        let d = cx
            .warning(Code::RulesetNoGrade, "this ruleset assigns no grade")
            .with_label(
                rs.name.span,
                "no `grade`, `adjust` or `relative` declaration",
            )
            .with_help("add `grade 等级 by 得分 { A >= 80  B >= 60  C otherwise }` or rules");
        cx.push(d);
    }
}

fn schedule_word(k: ScheduleKind) -> &'static str {
    match k {
        ScheduleKind::FollowUp => "follow_up",
        ScheduleKind::Review => "review",
    }
}

fn check_weights(cx: &mut Ctx<'_>, sc: &Scorecard) {
    let weighted: Vec<_> = sc
        .components
        .iter()
        .filter(|c| c.weight.is_some())
        .collect();
    if weighted.is_empty() {
        return;
    }
    if weighted.len() != sc.components.len() {
        let mut d = cx
            .error(
                Code::ScorecardWeights,
                format!(
                    "scorecard `{}` gives weights to some components but not to others",
                    sc.name.name
                ),
            )
            .with_label(sc.name.span, "mixed weights");
        for c in sc.components.iter().filter(|c| c.weight.is_none()).take(5) {
            d = d.with_label(c.name.span, "no weight");
        }
        cx.push(d.with_help(
            "give every component a weight (summing to 100%), or none for a plain sum of points",
        ));
        return;
    }
    let mut sum = Decimal::ZERO;
    let mut ok = true;
    for c in &weighted {
        let Some(w) = &c.weight else { continue };
        match &w.kind {
            LitKind::Number {
                value,
                unit: Unit::Percent,
            } => sum = sum.checked_add(*value).unwrap_or(Decimal::MAX),
            _ => {
                ok = false;
                let t = lit_type(w);
                let d = cx
                    .error(
                        Code::TypeUnitMismatch,
                        format!("a weight must be a percent, but this is {}", cx.describe(t)),
                    )
                    .with_label(w.span, "not a percent")
                    .with_help(format!("write the weight as a percent, e.g. `{}%`", w.text));
                cx.push(d);
            }
        }
    }
    if !ok || sum == Decimal::ONE {
        return;
    }
    let pct = |d: Decimal| show(d, Unit::Percent);
    let diff = if sum < Decimal::ONE {
        format!("{} short", pct(Decimal::ONE - sum))
    } else {
        format!("{} too much", pct(sum - Decimal::ONE))
    };
    let mut d = cx
        .error(
            Code::ScorecardWeights,
            format!(
                "the weights of `{}` sum to {}, not 100% ({diff})",
                sc.name.name,
                pct(sum)
            ),
        )
        .with_label(sc.name.span, format!("weights sum to {}", pct(sum)));
    for c in weighted.iter().take(8) {
        if let Some(w) = &c.weight {
            d = d.with_label(w.span, "");
        }
    }
    cx.push(d.with_help("adjust the weights so they add up to exactly 100%"));
}

fn check_relative(cx: &mut Ctx<'_>, r: &RelativeDecl) {
    match &r.method {
        RelMethod::Pareto(cuts) | RelMethod::Top(cuts) => {
            let mut prev: Option<(Decimal, Span)> = None;
            for (k, cut) in cuts.iter().enumerate() {
                let last = k + 1 == cuts.len();
                let Some(share) = &cut.share else {
                    if !last {
                        let d = cx
                            .error(Code::RelativeCuts, "only the last class can be `rest`")
                            .with_label(cut.span, "`rest` before the last class")
                            .with_help("put the `rest` class last");
                        cx.push(d);
                    }
                    continue;
                };
                let v = match &share.kind {
                    LitKind::Number {
                        value,
                        unit: Unit::Percent,
                    } => *value,
                    _ => {
                        let d = cx
                            .error(Code::TypeUnitMismatch, "a cut must be a percent share")
                            .with_label(share.span, "not a percent")
                            .with_help(format!("write it as a percent, e.g. `{}%`", share.text));
                        cx.push(d);
                        continue;
                    }
                };
                if v <= Decimal::ZERO || v > Decimal::ONE {
                    let d = cx
                        .error(
                            Code::RelativeCuts,
                            format!("a cut of {} is outside 0%..100%", share.text),
                        )
                        .with_label(share.span, "must be above 0% and at most 100%")
                        .with_help("cuts are cumulative shares, e.g. `A 65%  B 85%  C rest`");
                    cx.push(d);
                } else if let Some((p, ps)) = prev.filter(|(p, _)| v <= *p) {
                    let d = cx
                        .error(
                            Code::RelativeCuts,
                            format!(
                                "the cuts must increase: {} comes after {}",
                                share.text,
                                show(p, Unit::Percent)
                            ),
                        )
                        .with_label(share.span, "not above the previous cut")
                        .with_label(ps, "previous cut")
                        .with_help(
                            "cuts are cumulative: `A 65%  B 85%  C rest`, not `A 65%  B 20%`",
                        );
                    cx.push(d);
                }
                prev = Some((v, share.span));
                if last {
                    let d = cx
                        .error(Code::RelativeRest, "the last class must be `rest`")
                        .with_label(cut.span, "last class with a share")
                        .with_help(format!("customers past the last cut need a class: write `{} rest`, or add `C rest`", cut.label.name));
                    cx.push(d);
                }
            }
            if cuts.is_empty() {
                let d = cx
                    .error(Code::RelativeCuts, "no classes")
                    .with_label(r.name.span, "empty")
                    .with_help("list the classes: `{ A 65%  B 85%  C rest }`");
                cx.push(d);
            }
        }
        RelMethod::Quantiles { n, .. } if *n < 2 => {
            let d = cx
                .error(
                    Code::RelativeQuantiles,
                    format!("`quantiles into {n}` makes fewer than 2 classes"),
                )
                .with_label(r.span, "at least 2 classes")
                .with_help("write e.g. `quantiles 未购天数 into 5` for quintiles");
            cx.push(d);
        }
        _ => {}
    }
    if let (Some(l), Some(&s)) = (&r.on_missing, cx.value_scale.get(&r.name.name)) {
        if !cx.scales[s].contains(&l.name) {
            cx.unknown_label(l, s);
        }
    }
}

/// Days, roughly, in hundredths: to compare `within A..B` when units differ.
fn approx_days(d: &Duration) -> i64 {
    d.months as i64 * 3000
        + d.days as i64 * 100
        + (d.hours as i64 * 100 + 23) / 24
        + d.workdays as i64 * 140
}

fn duration(cx: &mut Ctx<'_>, l: &Literal, what: &str) -> Option<Duration> {
    if let LitKind::Duration(d) = &l.kind {
        return Some(*d);
    }
    let t = lit_type(l);
    let d = cx
        .error(
            Code::TypeMismatch,
            format!("{what} must be a duration, but this is {}", cx.describe(t)),
        )
        .with_label(l.span, "not a duration")
        .with_help(format!("write a duration, e.g. `{} days`", l.text));
    cx.push(d);
    None
}

fn check_schedule(cx: &mut Ctx<'_>, s: &ScheduleDecl) {
    let word = schedule_word(s.kind);
    let mut scale = None;
    match cx.symbol(&s.grade.name).map(|x| x.kind) {
        None => cx.unknown_name(&s.grade),
        Some(kind) => {
            cx.resolve(&s.grade);
            let label = cx.value_scale.get(&s.grade.name).copied();
            match (kind, label) {
                (SymKind::Grade | SymKind::Adjust | SymKind::Relative(_), Some(id)) => {
                    scale = Some(id)
                }
                (SymKind::Input(_), Some(id)) if cx.scales[id].kind != ScaleKind::Enum => {
                    scale = Some(id)
                }
                _ => {
                    let d = cx
                        .error(
                            Code::ScheduleNotGrade,
                            format!(
                                "`{word} by` needs a grade, but `{}` is {}",
                                s.grade.name,
                                kind.a_word()
                            ),
                        )
                        .with_label(s.grade.span, "not a grade")
                        .with_help(format!(
                            "write `{word} by 等级 from 最近联系 {{ ... }}` with a declared grade"
                        ));
                    cx.push(d);
                }
            }
        }
    }
    let mut seen: Vec<(String, Span)> = Vec::new();
    let mut otherwise: Option<Span> = None;
    for arm in &s.arms {
        if let Some(t) = &arm.tag {
            if !cx.tags.iter().any(|x| x.name == t.name) {
                let help = match crate::diagnostic::suggest(
                    &t.name,
                    cx.tags.iter().map(|x| x.name.as_str()),
                ) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("declare it: `tag {} when …`", t.name),
                };
                let d = cx
                    .error(Code::NameUnknown, format!("unknown tag `{}`", t.name))
                    .with_label(t.span, "no tag of this name")
                    .with_help(help);
                cx.push(d);
            }
        }
        if arm.label.is_none() && (arm.tag.is_some() || arm.when.is_some()) {
            // `tag X …` and `when C …` arms cover no label.
            check_cadence(cx, &arm.cadence);
            if let Some(r) = &arm.reassign_after {
                duration(cx, r, "`reassign after`");
            }
            continue;
        }
        match &arm.label {
            None => {
                if let Some(first) = otherwise {
                    let d = cx
                        .error(Code::ScheduleDuplicate, "a second `otherwise` arm")
                        .with_label(arm.span, "never used")
                        .with_label(first, "first `otherwise`")
                        .with_help("keep one `otherwise` arm");
                    cx.push(d);
                }
                otherwise = otherwise.or(Some(arm.span));
            }
            Some(l) => {
                if let Some(id) = scale {
                    if !cx.scales[id].contains(&l.name) {
                        cx.unknown_label(l, id);
                        continue;
                    }
                }
                if let Some((_, first)) = seen.iter().find(|(n, _)| *n == l.name) {
                    let d = cx
                        .error(
                            Code::ScheduleDuplicate,
                            format!("`{}` has two cadences", l.name),
                        )
                        .with_label(arm.span, "second cadence")
                        .with_label(*first, "first cadence, which wins")
                        .with_help(if arm.when.is_some() {
                            "put the arm with `when` before the label's arm without it"
                        } else {
                            "give each label one arm"
                        });
                    cx.push(d);
                } else if arm.when.is_none() {
                    // A label's arm with `when` covers it only when the condition holds.
                    seen.push((l.name.clone(), arm.span));
                }
            }
        }
        check_cadence(cx, &arm.cadence);
        if let Some(r) = &arm.reassign_after {
            duration(cx, r, "`reassign after`");
        }
    }
    if let (Some(id), None) = (scale, otherwise) {
        let left: Vec<String> = cx.scales[id]
            .labels
            .iter()
            .filter(|l| !seen.iter().any(|(n, _)| n == *l))
            .cloned()
            .collect();
        if !left.is_empty() {
            let d = cx
                .warning(
                    Code::ScheduleUncovered,
                    format!("`{word}` has no cadence for {}", quote_list(&left)),
                )
                .with_label(s.grade.span, format!("{} not covered", quote_list(&left)))
                .with_help(format!(
                    "add `{} none` to say there is no {word}, or an `otherwise` arm",
                    left[0]
                ));
            cx.push(d);
        }
    }
}

fn check_cadence(cx: &mut Ctx<'_>, c: &Cadence) {
    match c {
        Cadence::Every(l) => {
            duration(cx, l, "`every`");
        }
        Cadence::Within(a, b) => {
            let da = duration(cx, a, "`within`");
            let db = b.as_ref().and_then(|b| duration(cx, b, "`within`"));
            if let (Some(x), Some(y), Some(b)) = (da, db, b) {
                if approx_days(&x) > approx_days(&y) {
                    let d = cx
                        .error(
                            Code::ScheduleWithin,
                            format!("`within {}..{}` ends before it starts", a.text, b.text),
                        )
                        .with_label(a.span.to(b.span), "the first duration is longer")
                        .with_help(format!(
                            "write the shorter duration first: `within {}..{}`",
                            b.text, a.text
                        ));
                    cx.push(d);
                }
            }
        }
        Cadence::PerPeriod { count, .. } => {
            let ok = matches!(&count.kind, LitKind::Number { value, unit: Unit::Plain } if *value > Decimal::ZERO && value.fract().is_zero());
            if !ok {
                let d = cx
                    .error(
                        Code::ScheduleCadence,
                        format!(
                            "`{} per ...` needs a whole number of contacts above 0",
                            count.text
                        ),
                    )
                    .with_label(count.span, "not a positive whole number")
                    .with_help("write e.g. `8 per month`, or `none`");
                cx.push(d);
            }
        }
        Cadence::Calendar(days) => {
            for d in days {
                let wrong = match d.kind {
                    CalendarDayKind::YearDay { month, day } => {
                        // 29 Feb is a day of the year: in common years it falls on 28 Feb.
                        let longest = match month {
                            2 => 29,
                            4 | 6 | 9 | 11 => 30,
                            _ => 31,
                        };
                        (!(1..=12).contains(&month) || day == 0 || day > longest).then(|| {
                            (
                                format!("{month:02}-{day:02} is not a day of the year"),
                                "write the month, then the day: `06-30` or `6月30日`",
                            )
                        })
                    }
                    CalendarDayKind::MonthDay(day) => (!(1..=31).contains(&day)).then(|| {
                        (
                            format!("`day {day}` is not a day of the month"),
                            "write a day from 1 to 31 (`day 31` is the last day of every month), or `month_end`",
                        )
                    }),
                    _ => None,
                };
                if let Some((msg, help)) = wrong {
                    let diag = cx
                        .error(Code::ScheduleCalendar, msg)
                        .with_label(d.span, "no such day")
                        .with_help(help);
                    cx.push(diag);
                }
            }
        }
        Cadence::None => {}
    }
}

fn override_field(cx: &mut Ctx<'_>, f: &Ident, role: &str, grade: &Ident) {
    let Some(sym) = cx.symbol(&f.name) else {
        cx.unknown_name(f);
        return;
    };
    cx.resolve(f);
    let SymKind::Input(field) = sym.kind else {
        let d = cx
            .error(Code::OverrideField, format!("`override ... {role}` names an input field, but `{}` is {}", f.name, sym.kind.a_word()))
            .with_label(f.span, "not an input field")
            .with_help("the manual grade and its reason are columns of the data file: declare them in `input`");
        cx.push(d);
        return;
    };
    if role != "with" {
        return;
    }
    let ft = cx.symbol_type(&f.name);
    let gt = cx.symbol_type(&grade.name);
    let fits = match (&field.ty.kind, ft, gt) {
        (TypeKind::Text, _, _) => true,
        (_, Ty::Label(a), Ty::Label(b)) => cx.same_labels(a, b),
        (_, t, _) if t.is_open() => true,
        (_, _, g) => g.is_open(),
    };
    if !fits {
        let d = cx
            .error(
                Code::OverrideField,
                format!(
                    "`{}` cannot hold a label of `{}`: it is {}",
                    f.name,
                    grade.name,
                    cx.describe(ft)
                ),
            )
            .with_label(f.span, format!("this is {}", cx.describe(ft)))
            .with_help(format!(
                "declare it as `grade({})?` (or `text?`)",
                grade.name
            ));
        cx.push(d);
    }
}

fn check_output(cx: &mut Ctx<'_>, out: &OutputDecl) {
    let slots = [
        (&out.grade, "grade"),
        (&out.subgrade, "subgrade"),
        (&out.score, "score"),
        (&out.revenue, "revenue"),
    ];
    for (slot, role) in slots {
        let Some(id) = slot else { continue };
        if cx.symbol(&id.name).is_none() {
            cx.unknown_name(id);
            continue;
        }
        let t = cx.resolve(id).unwrap_or(Ty::Unknown);
        let ok = match role {
            "grade" => matches!(t, Ty::Label(s) if cx.scales[s].ordered()) || t.is_open(),
            "score" | "revenue" => t.is_num() || t.is_open(),
            _ => true,
        };
        if !ok {
            let want = if role == "grade" {
                "a grade"
            } else {
                "a number"
            };
            let d = cx
                .error(
                    Code::OutputKind,
                    format!(
                        "`output {role}` needs {want}, but `{}` is {}",
                        id.name,
                        cx.describe(t)
                    ),
                )
                .with_label(id.span, format!("this is {}", cx.describe(t)))
                .with_help(match role {
                    "grade" => "name a `grade`, `adjust` or `relative` declaration",
                    "score" => "name a scorecard or a numeric `let`",
                    _ => "name a money field, e.g. `revenue 销售额`",
                });
            cx.push(d);
        }
    }
}

/// `up to L` / `down to L`: L is a label of the adjusted grade's scale (with did-you-mean), and
/// `tier::adjust::no_effect` (warning) when `up to` names the scale's worst label or `down to`
/// its best: every grade is at least the worst and at most the best, so the arm can never
/// change anything.
fn check_bound_label(cx: &mut Ctx<'_>, action: &AdjustAction, l: &Ident, s: ScaleId) {
    let sc = &cx.scales[s];
    let Some(rank) = sc.rank(&l.name) else {
        cx.unknown_label(l, s);
        return;
    };
    let last = sc.labels.len().saturating_sub(1);
    let (never, help) = match action {
        AdjustAction::UpTo(_) if rank == last => (
            format!("every grade is at least `{}`, the worst label", l.name),
            "`up to L` raises a grade worse than L to L; name a better label, or remove the arm",
        ),
        AdjustAction::DownTo(_) if rank == 0 => (
            format!("every grade is at most `{}`, the best label", l.name),
            "`down to L` lowers a grade better than L to L; name a worse label, or remove the arm",
        ),
        _ => return,
    };
    let scale = sc.describe();
    let d = cx
        .warning(
            Code::AdjustNoEffect,
            "this adjustment can never change the grade",
        )
        .with_label(l.span, format!("{never} of {scale}"))
        .with_help(help);
    cx.push(d);
}
