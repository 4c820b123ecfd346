//! Lowering of the remaining declarations: relative grades, schedules, output and tests.

use super::lower::{dummy_expr, kids, missing_literal, Lower};
use super::{Pair, Rule};
use crate::ast::*;
use crate::value::Unit;

impl Lower<'_> {
    pub(super) fn relative(&mut self, p: Pair<'_>) -> RelativeDecl {
        let span = self.span(&p);
        let mut decl = RelativeDecl {
            name: self.dummy_ident(span),
            method: RelMethod::Top(Vec::new()),
            input: dummy_expr(span),
            per: None,
            ties: TiePolicy::Same,
            on_missing: None,
            span,
        };
        let mut seen_ties = false;
        for c in kids(p) {
            match c.as_rule() {
                Rule::ident => decl.name = self.ident(&c),
                Rule::rel_method => {
                    if let Some(m) = c.into_inner().next() {
                        self.rel_method(m, &mut decl);
                    }
                }
                Rule::rel_option => {
                    let ospan = self.span(&c);
                    let mut inner = c.into_inner();
                    let Some(kw) = inner.next() else { continue };
                    let rest: Vec<_> = inner.filter(|x| x.as_rule() != Rule::arrow).collect();
                    let twice = match kw.as_rule() {
                        Rule::kw_per => {
                            let dup = decl.per.is_some();
                            decl.per = rest.into_iter().next().map(|e| self.expr(e));
                            dup
                        }
                        Rule::kw_ties => {
                            let dup = seen_ties;
                            seen_ties = true;
                            if rest.iter().any(|r| r.as_rule() == Rule::kw_input_order) {
                                decl.ties = TiePolicy::InputOrder;
                            }
                            dup
                        }
                        _ => {
                            let dup = decl.on_missing.is_some();
                            decl.on_missing = rest.first().map(|l| self.ident(l));
                            dup
                        }
                    };
                    if twice {
                        let msg = format!("`{}` is given twice", kw.as_str());
                        self.error(ospan, msg, "second one here");
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn rel_method(&mut self, m: Pair<'_>, decl: &mut RelativeDecl) {
        let rule = m.as_rule();
        let mut stat = SplitStat::Mean;
        let mut cuts = Vec::new();
        let mut labels = Vec::new();
        let mut n = 0;
        let mut higher_is_better = true;
        for c in m.into_inner() {
            match c.as_rule() {
                Rule::kw_median => stat = SplitStat::Median,
                Rule::expr => decl.input = self.expr(c),
                Rule::cut => {
                    let cspan = self.span(&c);
                    let mut label = self.dummy_ident(cspan);
                    let mut share = None;
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::ident => label = self.ident(&x),
                            Rule::number_lit => {
                                let lit = self.literal_of(x);
                                if matches!(lit.kind, LitKind::Number { unit, .. } if unit != Unit::Percent)
                                {
                                    let msg = format!(
                                        "a cut is a cumulative share like `65%` or `rest`, found `{}`",
                                        lit.text
                                    );
                                    self.error(lit.span, msg, "not a percentage");
                                }
                                share = Some(lit);
                            }
                            _ => {}
                        }
                    }
                    cuts.push(Cut {
                        label,
                        share,
                        span: cspan,
                    });
                }
                Rule::number_lit => n = self.whole(c, "`into`"),
                Rule::better => {
                    higher_is_better = !c.into_inner().any(|x| x.as_rule() == Rule::kw_lower);
                }
                Rule::ident => labels.push(self.ident(&c)),
                _ => {}
            }
        }
        decl.method = match rule {
            Rule::rel_pareto => RelMethod::Pareto(cuts),
            Rule::rel_top => RelMethod::Top(cuts),
            Rule::rel_quantiles => RelMethod::Quantiles {
                n,
                higher_is_better,
            },
            _ => {
                let mut labels = labels.into_iter();
                let span = decl.span;
                RelMethod::Split {
                    stat,
                    above: labels.next().unwrap_or_else(|| self.dummy_ident(span)),
                    otherwise: labels.next().unwrap_or_else(|| self.dummy_ident(span)),
                }
            }
        };
    }

    pub(super) fn schedule(&mut self, p: Pair<'_>) -> ScheduleDecl {
        let span = self.span(&p);
        let mut decl = ScheduleDecl {
            kind: ScheduleKind::FollowUp,
            name: None,
            grade: self.dummy_ident(span),
            from: dummy_expr(span),
            arms: Vec::new(),
            span,
        };
        let mut seen_by = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_review => decl.kind = ScheduleKind::Review,
                Rule::kw_by => seen_by = true,
                Rule::ident if !seen_by => decl.name = Some(self.ident(&c)),
                Rule::ident => decl.grade = self.ident(&c),
                Rule::expr => decl.from = self.expr(c),
                Rule::schedule_arm => {
                    let arm = self.schedule_arm(c);
                    decl.arms.push(arm);
                }
                _ => {}
            }
        }
        decl
    }

    fn schedule_arm(&mut self, p: Pair<'_>) -> ScheduleArm {
        let span = self.span(&p);
        let mut arm = ScheduleArm {
            label: None,
            tag: None,
            when: None,
            cadence: Cadence::None,
            reassign_after: None,
            span,
        };
        let mut is_tag = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_tag => is_tag = true,
                Rule::ident if is_tag => arm.tag = Some(self.ident(&c)),
                Rule::ident => arm.label = Some(self.ident(&c)),
                Rule::expr => arm.when = Some(self.expr(c)),
                Rule::cadence => arm.cadence = self.cadence(c),
                Rule::duration_lit => arm.reassign_after = Some(self.literal_of(c)),
                _ => {}
            }
        }
        arm
    }

    fn cadence(&mut self, p: Pair<'_>) -> Cadence {
        let span = self.span(&p);
        let mut kw = Rule::kw_none;
        let mut durations = Vec::new();
        let mut count = None;
        let mut period = Period::Month;
        let mut days = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_every | Rule::kw_within | Rule::kw_none | Rule::kw_on => kw = c.as_rule(),
                Rule::weekday => days.push(CalendarDay {
                    kind: CalendarDayKind::Weekday(weekday_number(c.as_str())),
                    span: self.span(&c),
                }),
                Rule::calendar_day => days.push(self.calendar_day(c)),
                Rule::duration_lit => durations.push(self.literal_of(c)),
                Rule::number_lit => {
                    let lit = self.literal_of(c);
                    let ok = matches!(&lit.kind, LitKind::Number { value, unit: Unit::Plain }
                        if value.fract().is_zero() && value.is_sign_positive() && !value.is_zero());
                    if !ok {
                        let msg = format!(
                            "`per` needs a whole number of contacts like `8 per month`, found `{}`",
                            lit.text
                        );
                        self.error(lit.span, msg, "a whole number is needed here");
                    }
                    kw = Rule::kw_per;
                    count = Some(lit);
                }
                Rule::period => {
                    period = match c.as_str() {
                        "week" => Period::Week,
                        "year" => Period::Year,
                        _ => Period::Month,
                    }
                }
                _ => {}
            }
        }
        let mut durations = durations.into_iter();
        if !days.is_empty() {
            return Cadence::Calendar(days);
        }
        match kw {
            Rule::kw_every => {
                Cadence::Every(durations.next().unwrap_or_else(|| missing_literal(span)))
            }
            Rule::kw_within => {
                let first = durations.next().unwrap_or_else(|| missing_literal(span));
                Cadence::Within(first, durations.next())
            }
            Rule::kw_per => Cadence::PerPeriod {
                count: count.unwrap_or_else(|| missing_literal(span)),
                period,
            },
            _ => Cadence::None,
        }
    }

    fn calendar_day(&mut self, p: Pair<'_>) -> CalendarDay {
        let span = self.span(&p);
        let mut kind = CalendarDayKind::MonthEnd;
        for c in p.into_inner() {
            kind = match c.as_rule() {
                Rule::day_number => CalendarDayKind::MonthDay(c.as_str().parse().unwrap_or(0)),
                Rule::month_day => {
                    // `06-30` or `6月30日`: the grammar allows only 1–2 digits on each side; the
                    // checker keeps them in range.
                    let mut parts = c
                        .as_str()
                        .split(|ch: char| !ch.is_ascii_digit())
                        .filter(|x| !x.is_empty())
                        .map(|x| x.parse().unwrap_or(0));
                    CalendarDayKind::YearDay {
                        month: parts.next().unwrap_or(0),
                        day: parts.next().unwrap_or(0),
                    }
                }
                Rule::kw_quarter_end => CalendarDayKind::QuarterEnd,
                Rule::kw_month_end => CalendarDayKind::MonthEnd,
                _ => continue,
            };
        }
        CalendarDay { kind, span }
    }

    pub(super) fn output(&mut self, p: Pair<'_>) -> OutputDecl {
        let span = self.span(&p);
        let mut out = OutputDecl {
            span,
            ..OutputDecl::default()
        };
        for e in kids(p) {
            let espan = self.span(&e);
            let mut inner = e.into_inner();
            let (Some(kw), Some(name)) = (inner.next(), inner.next()) else {
                continue;
            };
            let name = Some(self.ident(&name));
            let slot = match kw.as_rule() {
                Rule::kw_grade => &mut out.grade,
                Rule::kw_subgrade => &mut out.subgrade,
                Rule::kw_score => &mut out.score,
                _ => &mut out.revenue,
            };
            if slot.is_some() {
                let msg = format!("`{}` is given twice in `output`", kw.as_str());
                self.error(espan, msg, "second one here");
            }
            *slot = name;
        }
        out
    }

    pub(super) fn test(&mut self, p: Pair<'_>) -> TestCase {
        let span = self.span(&p);
        let mut case = TestCase {
            name: StrLit {
                value: String::new(),
                span,
            },
            as_of: None,
            given: Vec::new(),
            events: Vec::new(),
            expects: Vec::new(),
            span,
        };
        for c in kids(p) {
            match c.as_rule() {
                Rule::string => case.name = self.string(c),
                Rule::test_as_of => {
                    let aspan = self.span(&c);
                    if case.as_of.is_some() {
                        self.error(
                            aspan,
                            "`as_of` is given twice in this test",
                            "second one here",
                        );
                    }
                    case.as_of = kids(c).into_iter().next().map(|d| self.literal_of(d));
                }
                Rule::test_given => {
                    for g in kids(c) {
                        let gspan = self.span(&g);
                        let mut k = kids(g).into_iter();
                        let name = k.next().map(|n| self.ident(&n));
                        let next = k.next();
                        if let Some(events) =
                            next.clone().filter(|e| e.as_rule() == Rule::given_events)
                        {
                            let rows = kids(events)
                                .into_iter()
                                .map(|row| {
                                    let rspan = self.span(&row);
                                    let cells = kids(row)
                                        .into_iter()
                                        .map(|cell| {
                                            let cspan = self.span(&cell);
                                            let mut k = kids(cell).into_iter();
                                            let name = k.next().map(|n| self.ident(&n));
                                            let value = k.next().map(|e| self.expr(e));
                                            Given {
                                                name: name
                                                    .unwrap_or_else(|| self.dummy_ident(cspan)),
                                                value: value.unwrap_or_else(|| dummy_expr(cspan)),
                                                span: cspan,
                                            }
                                        })
                                        .collect();
                                    GivenEvent { cells, span: rspan }
                                })
                                .collect();
                            case.events.push(GivenEvents {
                                name: name.unwrap_or_else(|| self.dummy_ident(gspan)),
                                rows,
                                span: gspan,
                            });
                            continue;
                        }
                        let value = next.map(|e| self.expr(e));
                        case.given.push(Given {
                            name: name.unwrap_or_else(|| self.dummy_ident(gspan)),
                            value: value.unwrap_or_else(|| dummy_expr(gspan)),
                            span: gspan,
                        });
                    }
                }
                Rule::test_expect => {
                    for e in kids(c) {
                        let expect = self.expect(e);
                        case.expects.push(expect);
                    }
                }
                _ => {}
            }
        }
        case
    }

    fn expect(&mut self, p: Pair<'_>) -> Expect {
        let span = self.span(&p);
        let mut target = ExpectTarget::Rejected;
        let mut check = ExpectCheck::Holds;
        let mut include = true;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_rejected => target = ExpectTarget::Rejected,
                Rule::kw_tags => target = ExpectTarget::Tags,
                Rule::kw_exclude => include = false,
                Rule::tag_list => {
                    let names = kids(c).into_iter().map(|n| self.ident(&n)).collect();
                    check = if include {
                        ExpectCheck::Includes(names)
                    } else {
                        ExpectCheck::Excludes(names)
                    };
                }
                Rule::expect_target => {
                    if let Some(t) = c.into_inner().next() {
                        target = self.expect_target(t);
                    }
                }
                Rule::expr => check = ExpectCheck::Equals(self.expr(c)),
                _ => {}
            }
        }
        Expect {
            target,
            check,
            span,
        }
    }

    fn expect_target(&mut self, t: Pair<'_>) -> ExpectTarget {
        if t.as_rule() == Rule::path {
            let mut parts = t.into_inner().map(|i| self.ident(&i));
            let span = Default::default();
            let a = parts.next().unwrap_or_else(|| self.dummy_ident(span));
            let b = parts.next().unwrap_or_else(|| self.dummy_ident(span));
            return ExpectTarget::Component(a, b);
        }
        match t.as_str() {
            "next_due" => ExpectTarget::NextDue,
            "review_due" => ExpectTarget::ReviewDue,
            "overdue" => ExpectTarget::Overdue,
            "reassign" => ExpectTarget::Reassign,
            _ => ExpectTarget::Name(self.ident(&t)),
        }
    }
}

/// 1 = Monday … 7 = Sunday, for a `weekday` of the grammar.
fn weekday_number(w: &str) -> u8 {
    const NAMES: [[&str; 3]; 7] = [
        ["monday", "周一", "星期一"],
        ["tuesday", "周二", "星期二"],
        ["wednesday", "周三", "星期三"],
        ["thursday", "周四", "星期四"],
        ["friday", "周五", "星期五"],
        ["saturday", "周六", "星期六"],
        ["sunday", "周日", "星期日"],
    ];
    NAMES
        .iter()
        .position(|names| names.contains(&w))
        .map_or(1, |i| i as u8 + 1)
}
