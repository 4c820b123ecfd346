//! Input checks: ranges, defaults, and plain numbers in a range or default that the field's
//! data-cell scale would read differently (`money(万) 0..1000` is 0..1000 元).

use super::bands::show;
use super::infer::lit_type;
use super::{Ctx, Ty};
use crate::ast::{ExprKind, InputField, Item, LitKind, Literal, Scale, TypeKind, UnOp};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::Unit;
use rust_decimal::Decimal;

/// Ranges and defaults of input fields.
pub(crate) fn check_inputs(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    for item in &rs.items {
        let Item::Input(block) = item else { continue };
        for field in &block.fields {
            check_field(cx, field);
        }
    }
}

fn lit_num(l: &Literal) -> Option<Decimal> {
    match &l.kind {
        LitKind::Number { value, .. } => Some(*value),
        _ => None,
    }
}

fn check_field<'a>(cx: &mut Ctx<'a>, field: &'a InputField) {
    let ft = cx.symbol_type(&field.name.name);
    // Only the first declaration of a name has a symbol; a duplicate is already reported.
    let first = cx
        .symbol(&field.name.name)
        .is_some_and(|s| s.ident.span == field.name.span);
    if !first {
        return;
    }
    check_base_unit_literals(cx, field);
    let mut range = None;
    if let Some(r) = &field.range {
        // Numbers and dates have ranges (`签约日 date 2020-01-01..2030-12-31`, `星点值 number 0..`).
        let numeric = ft.is_num() || ft.is_open() || ft == Ty::Date;
        if !numeric {
            let d = cx
                .error(
                    Code::InputRange,
                    format!(
                        "a range needs a number or date field, but `{}` is {}",
                        field.name.name,
                        cx.describe(ft)
                    ),
                )
                .with_label(r.span, "range on a non-number")
                .with_help("remove the range, or give the field a number type");
            cx.push(d);
        } else {
            for l in r.ends() {
                let lt = lit_type(l);
                if let Err(clash) = cx.unify(ft, lt) {
                    let d = cx
                        .error(
                            clash.code(),
                            format!(
                                "the range is {} but `{}` is {}",
                                cx.describe(lt),
                                field.name.name,
                                cx.describe(ft)
                            ),
                        )
                        .with_label(l.span, format!("this is {}", cx.describe(lt)))
                        .with_help(cx.clash_help(ft, lt));
                    cx.push(d);
                }
            }
            check_range_order(cx, r);
            let (lo, hi) = (r.lo.as_ref(), r.hi.as_ref());
            let (lo_num, hi_num) = (lo.and_then(lit_num), hi.and_then(lit_num));
            let ordered = !matches!((lo_num, hi_num), (Some(a), Some(b)) if a > b);
            if ordered && (lo_num.is_some() || hi_num.is_some()) {
                range = Some((lo_num, hi_num, r.span));
            }
            let date = |l: Option<&Literal>| match l.map(|l| &l.kind) {
                Some(LitKind::Date(d)) => Some(*d),
                _ => None,
            };
            let (lo_date, hi_date) = (date(lo), date(hi));
            let dates_ordered = !matches!((lo_date, hi_date), (Some(a), Some(b)) if a > b);
            if let (true, Some(default)) = (dates_ordered, &field.default) {
                let outside = matches!(&default.kind, ExprKind::Lit(Literal { kind: LitKind::Date(v), .. })
                    if lo_date.is_some_and(|a| *v < a) || hi_date.is_some_and(|b| *v > b));
                if outside {
                    let d = cx
                        .error(
                            Code::InputDefaultRange,
                            format!("the default of `{}` is outside its range", field.name.name),
                        )
                        .with_label(default.span, "outside the range")
                        .with_label(r.span, "the allowed range")
                        .with_help("an empty cell would take a value that the range rejects: change the default or the range");
                    cx.push(d);
                }
            }
        }
    }
    let Some(default) = &field.default else {
        return;
    };
    let dt = cx.infer_against(default, ft);
    if let Err(clash) = cx.unify(ft, dt) {
        let code = if clash == super::types::Clash::Unit {
            Code::TypeUnitMismatch
        } else {
            Code::InputDefaultType
        };
        let d = cx
            .error(
                code,
                format!(
                    "the default of `{}` is {}, but the field is {}",
                    field.name.name,
                    cx.describe(dt),
                    cx.describe(ft)
                ),
            )
            .with_label(default.span, format!("this is {}", cx.describe(dt)))
            .with_label(field.ty.span, "the field's type")
            .with_help(format!(
                "write the default as {}, or drop it (with `?` an empty cell is missing)",
                cx.example(ft)
            ));
        cx.push(d);
        return;
    }
    if let (Some((a, b, span)), Some((v, _))) = (range, super::bands::const_num(default)) {
        if a.is_some_and(|a| v < a) || b.is_some_and(|b| v > b) {
            let unit = ft.unit().unwrap_or(Unit::Plain);
            let d = cx
                .error(
                    Code::InputDefaultRange,
                    format!("the default {} of `{}` is outside its range", show(v, unit), field.name.name),
                )
                .with_label(default.span, "outside the range")
                .with_label(span, "the allowed range")
                .with_help("an empty cell would take a value that the range rejects: change the default or the range");
            cx.push(d);
        }
    }
}

/// A range end or default written as a plain number on a field whose data cells are read in
/// another scale: literals are always in base units, so on `money(万)` the `1000` of `0..1000` is
/// 1000 元 (`tier::input::scaled_literal`), and on a `percent` field the `100` of `0..100` is a
/// fraction, 10000% (`tier::type::percent_literal`).
fn check_base_unit_literals(cx: &mut Ctx<'_>, field: &InputField) {
    let ends = field.range.iter().flat_map(|r| r.ends());
    let default = field.default.as_ref().and_then(|d| match &d.kind {
        ExprKind::Lit(l) => Some((l, d.span)),
        ExprKind::Unary(UnOp::Neg, x) => match &x.kind {
            ExprKind::Lit(l) => Some((l, d.span)),
            _ => None,
        },
        _ => None,
    });
    let literals: Vec<(&Literal, Span)> = ends.map(|l| (l, l.span)).chain(default).collect();
    for (lit, span) in literals {
        // A number of its own unit or scale (`1000万`, `5000元`, `90%`) says what it means.
        let LitKind::Number {
            value,
            unit: Unit::Plain,
        } = &lit.kind
        else {
            continue;
        };
        if !lit.text.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let text = cx.text(span);
        let value = if lit.span == span { *value } else { -*value };
        match &field.ty.kind {
            TypeKind::Percent { .. } => cx.percent_literal_at(span, &text, value, field.ty.span),
            TypeKind::Money(scale) | TypeKind::Quantity { scale, .. } => {
                let Some(word) = scale_word(*scale) else {
                    continue;
                };
                // 0 is 0 in any unit.
                if value.is_zero() {
                    continue;
                }
                let base = match &field.ty.kind {
                    TypeKind::Quantity {
                        unit: Unit::Mass, ..
                    } => "吨",
                    TypeKind::Quantity { .. } => "㎡",
                    _ => "元",
                };
                let suffix = match &field.ty.kind {
                    TypeKind::Quantity { .. } => format!("{word}{base}"),
                    _ => word.to_string(),
                };
                let written = cx.text(field.ty.span).replace(' ', "");
                let scale_text = written
                    .find('(')
                    .map_or_else(|| format!("({word})"), |at| written[at..].to_string());
                let d = cx
                    .warning(
                        Code::InputScaledLiteral,
                        format!(
                            "`{text}` is {text} {base} here: the {scale_text} scale applies to data cells, not to numbers in the ruleset"
                        ),
                    )
                    .with_label(span, format!("{text}{base}, not {text}{suffix}"))
                    .with_help(format!(
                        "write `{text}{suffix}`, or `{text}{base}` if you mean {base}"
                    ));
                cx.push(d);
            }
            _ => {}
        }
    }
}

/// The scale word of a data column's multiplier; `None` for ×1.
fn scale_word(scale: Scale) -> Option<&'static str> {
    match scale {
        Scale::One => None,
        Scale::Wan => Some("万"),
        Scale::Yi => Some("亿"),
    }
}

/// An empty range: the low end above the high end (`100..0`, `2030-01-01..2020-01-01`).
fn check_range_order(cx: &mut Ctx<'_>, r: &crate::ast::InputRange) {
    let (Some(lo), Some(hi)) = (&r.lo, &r.hi) else {
        return;
    };
    let (what, label, help) = match (&lo.kind, &hi.kind) {
        (LitKind::Date(a), LitKind::Date(b)) if a > b => (
            "after",
            "low end after high end",
            "write the earlier date first",
        ),
        _ if matches!((lit_num(lo), lit_num(hi)), (Some(a), Some(b)) if a > b) => {
            ("above", "low end above high end", "write the low end first")
        }
        _ => return,
    };
    let d = cx
        .error(
            Code::InputRange,
            format!(
                "the range {}..{} is empty: {} is {what} {}",
                lo.text, hi.text, lo.text, hi.text
            ),
        )
        .with_label(r.span, label)
        .with_help(format!("{help}: `{}..{}`", hi.text, lo.text));
    cx.push(d);
}
