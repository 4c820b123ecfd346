//! `bands` and `linear` tables: bound units, gaps, overlaps, monotonic results, empty ranges.
//!
//! Intervals are analysed exactly, with decimals: a gap is reported with a concrete value that
//! falls in it (the single point when the gap is one point, else a value inside it), an overlap
//! with a value in both bands.

use super::{Ctx, ScaleId, SymKind, Ty};
use crate::ast::{
    BandArm, BandGuard, BandOrder, Bands, Bound, Expr, ExprKind, Linear, LitKind, TypeKind, UnOp,
};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::Unit;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// A number written out: a literal, possibly negated.
pub(crate) fn const_num(e: &Expr) -> Option<(Decimal, Unit)> {
    match &e.kind {
        ExprKind::Lit(l) => match &l.kind {
            LitKind::Number { value, unit } => Some((*value, *unit)),
            _ => None,
        },
        ExprKind::Unary(UnOp::Neg, x) => const_num(x).map(|(v, u)| (-v, u)),
        _ => None,
    }
}

/// A number for messages, the way users write it (`50万`, `95.5%`); values too large to scale
/// are printed as they are.
pub(crate) fn show(v: Decimal, unit: Unit) -> String {
    let huge = Decimal::from(10u64.pow(18));
    if v.abs() > huge {
        return v.normalize().to_string();
    }
    crate::value::format_number(v, unit)
}

/// One end of an interval: the value and whether it is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct End {
    pub v: Decimal,
    pub inc: bool,
}

/// An interval of numbers; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Iv {
    pub lo: Option<End>,
    pub hi: Option<End>,
}

/// Orders lower ends: unbounded first, then by value, an included end before an excluded one.
fn cmp_lo(a: Option<End>, b: Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => x.v.cmp(&y.v).then(y.inc.cmp(&x.inc)),
    }
}

/// Orders upper ends: by value, an excluded end before an included one, unbounded last.
fn cmp_hi(a: Option<End>, b: Option<End>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(x), Some(y)) => x.v.cmp(&y.v).then(x.inc.cmp(&y.inc)),
    }
}

impl Iv {
    pub const ALL: Iv = Iv { lo: None, hi: None };

    pub fn is_empty(&self) -> bool {
        match (self.lo, self.hi) {
            (Some(l), Some(h)) => l.v > h.v || (l.v == h.v && !(l.inc && h.inc)),
            _ => false,
        }
    }

    pub fn intersect(&self, o: &Iv) -> Iv {
        let lo = if cmp_lo(self.lo, o.lo) == Ordering::Greater {
            self.lo
        } else {
            o.lo
        };
        let hi = if cmp_hi(self.hi, o.hi) == Ordering::Less {
            self.hi
        } else {
            o.hi
        };
        Iv { lo, hi }
    }

    /// `self ⊆ o`.
    pub fn subset_of(&self, o: &Iv) -> bool {
        self.is_empty()
            || (cmp_lo(self.lo, o.lo) != Ordering::Less
                && cmp_hi(self.hi, o.hi) != Ordering::Greater)
    }

    /// A value inside a non-empty interval, for messages: the point of a one-point interval, the
    /// midpoint of a bounded one, else the end (or one step past an excluded end). With
    /// `integers`, only whole numbers count; `None` when the interval holds none.
    pub fn example(&self, step: Decimal, integers: bool) -> Option<Decimal> {
        if self.is_empty() {
            return None;
        }
        if integers {
            let lo = match self.lo {
                Some(l) => {
                    let c = l.v.ceil();
                    Some(if c == l.v && !l.inc {
                        c.checked_add(Decimal::ONE)?
                    } else {
                        c
                    })
                }
                None => None,
            };
            let hi = match self.hi {
                Some(h) => {
                    let f = h.v.floor();
                    Some(if f == h.v && !h.inc {
                        f.checked_sub(Decimal::ONE)?
                    } else {
                        f
                    })
                }
                None => None,
            };
            return match (lo, hi) {
                (Some(l), Some(h)) if l > h => None,
                (Some(l), _) => Some(l),
                (None, Some(h)) => Some(h),
                (None, None) => Some(Decimal::ZERO),
            };
        }
        Some(match (self.lo, self.hi) {
            (Some(l), Some(h)) if l.v == h.v => l.v,
            (Some(l), Some(h)) => (l.v / Decimal::TWO).checked_add(h.v / Decimal::TWO)?,
            (Some(l), None) => {
                if l.inc {
                    l.v
                } else {
                    l.v.checked_add(step)?
                }
            }
            (None, Some(h)) => {
                if h.inc {
                    h.v
                } else {
                    h.v.checked_sub(step)?
                }
            }
            (None, None) => Decimal::ZERO,
        })
    }
}

/// The step used to pick a value just past an excluded end: 1% for percents, else 1.
fn step(unit: Unit) -> Decimal {
    if unit == Unit::Percent {
        Decimal::new(1, 2)
    } else {
        Decimal::ONE
    }
}

/// `linear X from A to B [points P to Q]`: units agree, `A ≠ B`; the result is points.
pub(crate) fn infer_linear<'a>(cx: &mut Ctx<'a>, l: &'a Linear) -> Ty {
    let it = cx.infer(&l.input, None);
    if !it.is_num() && !it.is_open() {
        let d = cx
            .type_error(&l.input, it, "`linear` scores a number")
            .with_help("score a number field, e.g. `linear 销售额 from 10万 to 210万`");
        cx.push(d);
    }
    for (end, word) in [(&l.from, "from"), (&l.to, "to")] {
        let t = cx.infer(end, None);
        cx.percent_literal(&l.input, it, end, t);
        if it.is_num() {
            if let Err(clash) = cx.unify(it, t) {
                let d = cx.clash(
                    clash,
                    &format!("`{word}` must be in the unit of the scored value"),
                    end,
                    t,
                    &l.input,
                    it,
                );
                cx.push(d);
            }
        }
    }
    if let Some((p, q)) = &l.points {
        for e in [p, q] {
            let t = cx.infer(e, None);
            cx.expect_points(e, t, "`points`");
        }
    }
    if let (Some((a, _)), Some((b, _))) = (const_num(&l.from), const_num(&l.to)) {
        if a == b {
            let d = cx
                .error(Code::LinearEmptyRange, "`linear` runs from a value to itself")
                .with_label(l.from.span.to(l.to.span), "`from` and `to` are equal")
                .with_help("give two different ends, e.g. `from 10万 to 210万` (reversed ends score in reverse)");
            cx.push(d);
        }
    }
    Ty::PLAIN
}

/// One interval arm after its bounds were checked.
struct IvArm<'a> {
    arm: &'a BandArm,
    iv: Iv,
    text: String,
}

/// `bands X [order] { guard -> value ... }`.
pub(crate) fn infer_bands<'a>(cx: &mut Ctx<'a>, b: &'a Bands, hint: Option<ScaleId>) -> Ty {
    let it = cx.infer(&b.input, None);
    let numeric = it.is_num();
    if !numeric && !it.is_open() {
        let d = cx
            .type_error(&b.input, it, "`bands` look up a number")
            .with_help("use `match` for labels and text");
        cx.push(d);
    }
    let mut ivs: Vec<IvArm<'a>> = Vec::new();
    let mut all_const = true;
    let mut otherwise: Option<Span> = None;
    let mut missing: Option<Span> = None;
    for arm in &b.arms {
        if let Some(o) = otherwise {
            let d = cx
                .error(
                    Code::BandsUnreachable,
                    "this band comes after `otherwise` and is never used",
                )
                .with_label(arm.span, "never used")
                .with_label(o, "`otherwise` matches everything left")
                .with_help("move `otherwise` to the end");
            cx.push(d);
        }
        match &arm.guard {
            BandGuard::Otherwise => otherwise = otherwise.or(Some(arm.span)),
            BandGuard::Missing => {
                if let Some(first) = missing {
                    let d = cx
                        .error(
                            Code::BandsUnreachable,
                            "a second `missing` arm is never used",
                        )
                        .with_label(arm.span, "never used")
                        .with_label(first, "the first `missing` arm")
                        .with_help("keep one `missing` arm");
                    cx.push(d);
                }
                missing = missing.or(Some(arm.span));
            }
            BandGuard::Interval { lo, hi } => {
                let mut iv = Iv::default();
                for (bound, is_lo) in [(lo, true), (hi, false)] {
                    let Some(bound) = bound else { continue };
                    let end = check_bound(cx, &b.input, it, bound);
                    match end {
                        Some(e) if is_lo => iv.lo = Some(e),
                        Some(e) => iv.hi = Some(e),
                        None => {
                            // One report per band is enough.
                            all_const = false;
                            break;
                        }
                    }
                }
                let text = guard_text(cx, lo.as_ref(), hi.as_ref());
                if all_const && iv.is_empty() {
                    let d = cx
                        .error(
                            Code::BandsEmpty,
                            format!("the band `{text}` contains no value"),
                        )
                        .with_label(arm.span, "empty interval")
                        .with_help("write the lower bound first: `[a, b)` with a < b");
                    cx.push(d);
                    continue;
                }
                ivs.push(IvArm { arm, iv, text });
            }
        }
    }
    let values: Vec<&Expr> = b.arms.iter().map(|a| &a.value).collect();
    let result = cx.infer_values(&values, hint, "the results of this `bands`");
    if !all_const || ivs.is_empty() || !(numeric || it.is_open()) {
        return result;
    }
    let unit = it.unit().unwrap_or(Unit::Plain);
    let (domain, integers) = input_domain(cx, &b.input);
    ivs.sort_by(|a, b| cmp_lo(a.iv.lo, b.iv.lo).then(cmp_hi(a.iv.hi, b.iv.hi)));
    // Bands outside the input's declared range never match.
    if let (Some(lo), Some(hi)) = (domain.lo, domain.hi) {
        for a in &ivs {
            if a.iv
                .intersect(&domain)
                .example(step(unit), integers)
                .is_none()
            {
                let d = cx
                    .error(
                        Code::BandsUnreachable,
                        format!(
                            "the band `{}` is never used: `{}` is declared {}..{}",
                            a.text,
                            cx.text(b.input.span),
                            show(lo.v, unit),
                            show(hi.v, unit)
                        ),
                    )
                    .with_label(a.arm.span, "outside the input's range")
                    .with_help("move the band inside the input's range, or widen the range");
                cx.push(d);
            }
        }
    }
    check_overlaps(cx, &ivs, unit, integers, &domain);
    if otherwise.is_none() {
        check_gaps(cx, &ivs, unit, integers, &domain);
    }
    check_monotonic(cx, b.order, &ivs, result);
    result
}

/// Checks a bound's unit against the input and evaluates it; `None` when it is not a number
/// written out (reported).
fn check_bound<'a>(cx: &mut Ctx<'a>, input: &'a Expr, it: Ty, bound: &'a Bound) -> Option<End> {
    let t = cx.infer(&bound.value, None);
    cx.percent_literal(input, it, &bound.value, t);
    if let Err(clash) = cx.unify(it, t) {
        let d = cx.clash(
            clash,
            "a band bound must be in the unit of the value looked up",
            &bound.value,
            t,
            input,
            it,
        );
        cx.push(d);
        return None;
    }
    match const_num(&bound.value) {
        Some((v, _)) => Some(End {
            v,
            inc: bound.inclusive,
        }),
        None => {
            if !t.is_open() {
                let d = cx
                    .error(Code::BandsBound, "a band bound must be a number written out")
                    .with_label(bound.value.span, "not a constant")
                    .with_help("write the bound as a literal, e.g. `[50万, 100万)`; compute varying thresholds with `if`");
                cx.push(d);
            }
            None
        }
    }
}

fn guard_text(cx: &Ctx<'_>, lo: Option<&Bound>, hi: Option<&Bound>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!(
            "{}{}, {}{}",
            if l.inclusive { "[" } else { "(" },
            cx.text(l.value.span),
            cx.text(h.value.span),
            if h.inclusive { "]" } else { ")" }
        ),
        (Some(l), None) => format!(
            "{} {}",
            if l.inclusive { ">=" } else { ">" },
            cx.text(l.value.span)
        ),
        (None, Some(h)) => format!(
            "{} {}",
            if h.inclusive { "<=" } else { "<" },
            cx.text(h.value.span)
        ),
        (None, None) => "any value".into(),
    }
}

/// The values an input can take: its declared `LO..HI` range, and whether it is an integer.
pub(crate) fn input_domain(cx: &Ctx<'_>, input: &Expr) -> (Iv, bool) {
    let ExprKind::Name(id) = &input.kind else {
        return (Iv::ALL, false);
    };
    let Some(SymKind::Input(field)) = cx.symbol(&id.name).map(|s| s.kind) else {
        return (Iv::ALL, false);
    };
    let integers = matches!(field.ty.kind, TypeKind::Integer);
    let mut domain = Iv::ALL;
    if let Some(r) = &field.range {
        // A missing end (`0..`) leaves that side of the domain open.
        let end = |l: &Option<crate::ast::Literal>| match l.as_ref().map(|l| &l.kind) {
            Some(LitKind::Number { value, .. }) => Some(End {
                v: *value,
                inc: true,
            }),
            _ => None,
        };
        domain = Iv {
            lo: end(&r.lo),
            hi: end(&r.hi),
        };
    }
    (domain, integers)
}

fn check_overlaps(cx: &mut Ctx<'_>, ivs: &[IvArm<'_>], unit: Unit, integers: bool, domain: &Iv) {
    // Report each band once, against the first earlier band it overlaps.
    let mut reported = vec![false; ivs.len()];
    for j in 0..ivs.len() {
        for i in 0..ivs.len() {
            if i == j || reported[j] {
                continue;
            }
            // Report at the band written later in the source.
            if ivs[i].arm.span.start > ivs[j].arm.span.start {
                continue;
            }
            let common = ivs[i].iv.intersect(&ivs[j].iv).intersect(domain);
            let Some(x) = common.example(step(unit), integers) else {
                continue;
            };
            reported[j] = true;
            let v = show(x, unit);
            let d = cx
                .error(
                    Code::BandsOverlap,
                    format!("{v} falls in two bands: `{}` and `{}`", ivs[i].text, ivs[j].text),
                )
                .with_label(ivs[j].arm.span, format!("{v} falls in this band"))
                .with_label(ivs[i].arm.span, "and in this one")
                .with_help("make the bands disjoint: a band that ends at a value excludes it with `)`, e.g. `[20万, 50万)` then `[50万, 100万)`");
            cx.push(d);
        }
    }
}

fn check_gaps(cx: &mut Ctx<'_>, ivs: &[IvArm<'_>], unit: Unit, integers: bool, domain: &Iv) {
    // Sweep from the left, tracking how far the bands seen so far reach.
    let mut reach: Option<(Option<End>, usize)> = None; // (upper end, index of the band reaching it)
    let mut gaps: Vec<(Iv, Option<usize>, Option<usize>)> = Vec::new();
    for (k, a) in ivs.iter().enumerate() {
        let gap_lo = match reach {
            None => None,
            Some((None, _)) => break,
            Some((Some(h), _)) => Some(End {
                v: h.v,
                inc: !h.inc,
            }),
        };
        let gap = Iv {
            lo: gap_lo,
            hi: a.iv.lo.map(|l| End {
                v: l.v,
                inc: !l.inc,
            }),
        };
        let before = reach.map(|r| r.1);
        let starts_unbounded = reach.is_none() && a.iv.lo.is_none();
        if !starts_unbounded {
            gaps.push((gap, before, Some(k)));
        }
        let extends = match reach {
            None => true,
            Some((h, _)) => cmp_hi(a.iv.hi, h) == Ordering::Greater,
        };
        if extends {
            reach = Some((a.iv.hi, k));
        }
    }
    if let Some((Some(h), k)) = reach {
        gaps.push((
            Iv {
                lo: Some(End {
                    v: h.v,
                    inc: !h.inc,
                }),
                hi: None,
            },
            Some(k),
            None,
        ));
    }
    for (gap, before, after) in gaps {
        let Some(x) = gap.intersect(domain).example(step(unit), integers) else {
            continue;
        };
        let v = show(x, unit);
        let (msg, label_span) = match (before, after) {
            (Some(b), Some(a)) => (
                format!(
                    "{v} falls in no band: `{}` ends before it and `{}` starts after it",
                    ivs[b].text, ivs[a].text
                ),
                ivs[a].arm.span,
            ),
            (None, Some(a)) => (
                format!(
                    "{v} falls in no band: the lowest band `{}` starts above it",
                    ivs[a].text
                ),
                ivs[a].arm.span,
            ),
            (Some(b), None) => (
                format!(
                    "{v} falls in no band: the highest band `{}` ends below it",
                    ivs[b].text
                ),
                ivs[b].arm.span,
            ),
            (None, None) => continue,
        };
        let mut d = cx
            .error(Code::BandsGap, msg)
            .with_label(label_span, format!("{v} is not covered"));
        if let (Some(b), Some(_)) = (before, after) {
            d = d.with_label(ivs[b].arm.span, "the band before the gap");
        }
        let help = match (before, after) {
            (None, _) => {
                "let the lowest band run down (`< 20万` instead of `[0, 20万)`), declare the \
                 input's range (`number 0..100`), or add `otherwise -> ...`"
            }
            (_, None) => {
                "let the highest band run up (`>= 100万` instead of `[100万, 500万]`), declare the \
                 input's range (`number 0..100`), or add `otherwise -> ...`"
            }
            _ => {
                "close the gap (a band that ends at a value with `)` should be followed by one \
                 that starts at it with `[`), or add `otherwise -> ...`"
            }
        };
        let d = d.with_help(help);
        cx.push(d);
    }
}

/// Results, best value last: numbers as written, labels by rank (a better label is higher).
fn numeric_results(cx: &Ctx<'_>, ivs: &[IvArm<'_>], result: Ty) -> Option<Vec<Decimal>> {
    ivs.iter()
        .map(|a| match (&a.arm.value.kind, result) {
            (ExprKind::Name(id), Ty::Label(s)) if cx.scales[s].ordered() => cx.scales[s]
                .rank(&id.name)
                .map(|r| -Decimal::from(r as u64)),
            _ => const_num(&a.arm.value).map(|(v, _)| v),
        })
        .collect()
}

fn check_monotonic(cx: &mut Ctx<'_>, order: BandOrder, ivs: &[IvArm<'_>], result: Ty) {
    if order == BandOrder::Unordered || ivs.len() < 2 {
        return;
    }
    let Some(vals) = numeric_results(cx, ivs, result) else {
        return;
    };
    // The direction: declared, or the first change of the results.
    let dir = match order {
        BandOrder::Increasing => Ordering::Greater,
        BandOrder::Decreasing => Ordering::Less,
        _ => match vals
            .windows(2)
            .map(|w| w[1].cmp(&w[0]))
            .find(|o| *o != Ordering::Equal)
        {
            Some(o) => o,
            None => return,
        },
    };
    let Some(k) = (0..vals.len() - 1).find(|&k| vals[k + 1].cmp(&vals[k]) == dir.reverse()) else {
        return;
    };
    let (lower, higher) = (&ivs[k], &ivs[k + 1]);
    let text = |a: &IvArm<'_>| cx.text(a.arm.value.span);
    let (msg, help) = match order {
        BandOrder::Increasing => (
            format!(
                "the band `{}` gives {} but the lower band `{}` gives {}: the table is declared `increasing`",
                higher.text, text(higher), lower.text, text(lower)
            ),
            "fix the results, or drop `increasing` if a higher value may score less".to_string(),
        ),
        BandOrder::Decreasing => (
            format!(
                "the band `{}` gives {} but the lower band `{}` gives {}: the table is declared `decreasing`",
                higher.text, text(higher), lower.text, text(lower)
            ),
            "fix the results, or drop `decreasing` if a higher value may score more".to_string(),
        ),
        _ => (
            format!(
                "the results change direction: `{}` gives {} after `{}` gives {} (in value order: {})",
                higher.text,
                text(higher),
                lower.text,
                text(lower),
                ivs.iter().map(text).collect::<Vec<_>>().join(", ")
            ),
            "a better value should never score less: fix the results, or declare the intent with \
             `bands X unordered { .. }`"
                .to_string(),
        ),
    };
    let d = cx
        .warning(Code::BandsNonMonotonic, msg)
        .with_label(higher.arm.span, "breaks the order")
        .with_label(lower.arm.span, "compared with this band")
        .with_help(help);
    cx.push(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    fn iv(lo: Option<(&str, bool)>, hi: Option<(&str, bool)>) -> Iv {
        let end = |(v, inc): (&str, bool)| End { v: d(v), inc };
        Iv {
            lo: lo.map(end),
            hi: hi.map(end),
        }
    }

    #[test]
    fn a_one_point_gap_is_that_point() {
        // [20, 50) then (50, 100): only 50 is left out.
        let gap = iv(Some(("50", true)), Some(("50", true)));
        assert_eq!(gap.example(Decimal::ONE, false), Some(d("50")));
    }

    #[test]
    fn a_wider_gap_gives_its_midpoint() {
        let gap = iv(Some(("0.95", true)), Some(("0.96", false)));
        assert_eq!(gap.example(d("0.01"), false), Some(d("0.955")));
    }

    #[test]
    fn whole_numbers_between_two_and_three_are_none() {
        let gap = iv(Some(("2", false)), Some(("3", false)));
        assert_eq!(gap.example(Decimal::ONE, true), None);
        assert!(!gap.is_empty());
    }

    #[test]
    fn half_open_intervals_touching_do_not_overlap() {
        let a = iv(Some(("20", true)), Some(("50", false)));
        let b = iv(Some(("50", true)), Some(("100", false)));
        assert!(a.intersect(&b).is_empty());
        let c = iv(Some(("50", true)), None);
        assert_eq!(
            b.intersect(&c),
            iv(Some(("50", true)), Some(("100", false)))
        );
    }

    #[test]
    fn subsets_respect_open_and_closed_ends() {
        let ge80 = iv(Some(("80", true)), None);
        let gt80 = iv(Some(("80", false)), None);
        assert!(gt80.subset_of(&ge80));
        assert!(!ge80.subset_of(&gt80));
    }

    #[test]
    fn huge_bounds_do_not_overflow() {
        let max = Decimal::MAX;
        let gap = iv(Some((&max.to_string(), false)), None);
        assert_eq!(gap.example(Decimal::ONE, false), None);
        let wide = Iv {
            lo: Some(End {
                v: Decimal::MIN,
                inc: true,
            }),
            hi: Some(End {
                v: Decimal::MAX,
                inc: true,
            }),
        };
        assert_eq!(wide.example(Decimal::ONE, false), Some(Decimal::ZERO));
        assert_eq!(show(Decimal::MAX, Unit::Percent), Decimal::MAX.to_string());
    }
}
