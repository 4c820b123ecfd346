//! Decimal arithmetic with units, comparisons, rounding. Everything is checked: an overflow or a
//! division by zero is an error the caller turns into a diagnostic, never a panic.

use super::date;
use crate::ast::CmpOp;
use crate::value::{Duration, Unit, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;
use std::str::FromStr;

/// Why an operation has no value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OpError {
    DivisionByZero,
    Overflow,
    /// A sentence naming the operands' kinds.
    Type(String),
}

pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Missing => "missing",
        Value::Number(_, Unit::Money) => "money",
        Value::Number(_, Unit::Percent) => "a percent",
        Value::Number(_, Unit::Mass) => "a mass",
        Value::Number(_, Unit::Area) => "an area",
        Value::Number(..) => "a number",
        Value::Date(_) => "a date",
        Value::Duration(_) => "a duration",
        Value::Text(_) => "text",
        Value::Bool(_) => "yes/no",
        Value::Label(_) => "a label",
    }
}

/// The unit of `a ± b`: a plain operand adopts the other's unit.
fn sum_unit(a: Unit, b: Unit) -> Unit {
    if a == Unit::Plain {
        b
    } else {
        a
    }
}

fn is_quantity(u: Unit) -> bool {
    matches!(u, Unit::Money | Unit::Mass | Unit::Area)
}

fn mul_unit(a: Unit, b: Unit) -> Unit {
    if is_quantity(a) {
        a
    } else if is_quantity(b) {
        b
    } else if a == Unit::Percent && b == Unit::Percent {
        Unit::Percent
    } else {
        Unit::Plain
    }
}

fn div_unit(a: Unit, b: Unit) -> Unit {
    if is_quantity(a) {
        if b == a {
            Unit::Plain
        } else {
            a
        }
    } else if a == Unit::Percent && b != Unit::Percent && !is_quantity(b) {
        Unit::Percent
    } else {
        Unit::Plain
    }
}

/// The unit of `a op b` for numbers in units `a` and `b` (before the percent-range rule of
/// [`arith`]).
pub(crate) fn arith_unit(op: super::program::Arith, a: Unit, b: Unit) -> Unit {
    use super::program::Arith::*;
    match op {
        Add | Sub => sum_unit(a, b),
        Mul => mul_unit(a, b),
        Div => div_unit(a, b),
        DivScaled => Unit::Plain,
    }
}

/// `a + b`, `a - b`, `a * b`, `a / b` on values; missing propagates.
pub(crate) fn arith(op: super::program::Arith, a: &Value, b: &Value) -> Result<Value, OpError> {
    use super::program::Arith::*;
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => Ok(Value::Missing),
        (Value::Number(x, ux), Value::Number(y, uy)) => {
            let r = match op {
                Add => (x.checked_add(*y), sum_unit(*ux, *uy)),
                Sub => (x.checked_sub(*y), sum_unit(*ux, *uy)),
                Mul => (x.checked_mul(*y), mul_unit(*ux, *uy)),
                Div | DivScaled => {
                    if y.is_zero() {
                        return Err(OpError::DivisionByZero);
                    }
                    let unit = if op == DivScaled {
                        Unit::Plain
                    } else {
                        div_unit(*ux, *uy)
                    };
                    (x.checked_div(*y), unit)
                }
            };
            match r {
                // A percent is displayed ×100: one beyond that range is shown as a plain number.
                (Some(v), Unit::Percent) if v.abs() >= Decimal::from(10i64.pow(18)) => {
                    Ok(Value::Number(v, Unit::Plain))
                }
                (Some(v), u) => Ok(Value::Number(v, u)),
                (None, _) => Err(OpError::Overflow),
            }
        }
        (Value::Date(d), Value::Duration(s)) if matches!(op, Add | Sub) => {
            let s = if op == Sub { negate(*s) } else { *s };
            date::add(*d, s).map(Value::Date).ok_or(OpError::Overflow)
        }
        (Value::Duration(s), Value::Date(d)) if op == Add => {
            date::add(*d, *s).map(Value::Date).ok_or(OpError::Overflow)
        }
        (Value::Duration(x), Value::Duration(y)) if matches!(op, Add | Sub) => {
            let y = if op == Sub { negate(*y) } else { *y };
            Ok(Value::Duration(Duration {
                months: x.months.checked_add(y.months).ok_or(OpError::Overflow)?,
                days: x.days.checked_add(y.days).ok_or(OpError::Overflow)?,
                hours: x.hours.checked_add(y.hours).ok_or(OpError::Overflow)?,
                workdays: x
                    .workdays
                    .checked_add(y.workdays)
                    .ok_or(OpError::Overflow)?,
            }))
        }
        (Value::Duration(s), Value::Number(n, _)) | (Value::Number(n, _), Value::Duration(s))
            if op == Mul =>
        {
            let k = n
                .to_i32()
                .filter(|k| Decimal::from(*k) == *n)
                .ok_or_else(|| {
                    OpError::Type("a duration can only be multiplied by a whole number".into())
                })?;
            let m = |x: i32| x.checked_mul(k).ok_or(OpError::Overflow);
            Ok(Value::Duration(Duration {
                months: m(s.months)?,
                days: m(s.days)?,
                hours: m(s.hours)?,
                workdays: m(s.workdays)?,
            }))
        }
        _ => {
            let sym = match op {
                Add => "+",
                Sub => "-",
                Mul => "×",
                Div | DivScaled => "÷",
            };
            let help = if matches!((a, b), (Value::Date(_), Value::Number(..))) {
                " (write `+ 7 days`)"
            } else if matches!((a, b), (Value::Date(_), Value::Date(_))) {
                " (use days_between(a, b))"
            } else {
                ""
            };
            Err(OpError::Type(format!(
                "cannot compute {} {sym} {}{help}",
                kind_name(a),
                kind_name(b)
            )))
        }
    }
}

fn negate(d: Duration) -> Duration {
    Duration {
        months: -d.months,
        days: -d.days,
        hours: -d.hours,
        workdays: -d.workdays,
    }
}

/// `-x`.
pub(crate) fn neg(v: &Value) -> Result<Value, OpError> {
    match v {
        Value::Missing => Ok(Value::Missing),
        Value::Number(d, u) => Ok(Value::Number(-*d, *u)),
        Value::Duration(d) => Ok(Value::Duration(negate(*d))),
        other => Err(OpError::Type(format!("cannot negate {}", kind_name(other)))),
    }
}

/// A label written as a number (`quantiles` classes `1`..`5`) compares as that number.
fn label_number(name: &str) -> Option<Decimal> {
    Decimal::from_str(name).ok()
}

/// The order of two non-missing values. Labels order by rank: the better label is greater.
pub(crate) fn order(a: &Value, b: &Value) -> Result<Ordering, OpError> {
    match (a, b) {
        (Value::Number(x, _), Value::Number(y, _)) => Ok(settle(*x).cmp(&settle(*y))),
        (Value::Date(x), Value::Date(y)) => Ok(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Ok(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        (Value::Label(x), Value::Label(y)) => Ok(y.rank.cmp(&x.rank)),
        (Value::Duration(x), Value::Duration(y)) => {
            Ok(date::approx_days(x).cmp(&date::approx_days(y)))
        }
        (Value::Label(l), Value::Number(y, _)) => match label_number(&l.name) {
            Some(x) => Ok(x.cmp(&settle(*y))),
            None => Err(mismatch(a, b)),
        },
        (Value::Number(x, _), Value::Label(l)) => match label_number(&l.name) {
            Some(y) => Ok(settle(*x).cmp(&y)),
            None => Err(mismatch(a, b)),
        },
        _ => Err(mismatch(a, b)),
    }
}

fn mismatch(a: &Value, b: &Value) -> OpError {
    OpError::Type(format!(
        "cannot compare {} with {}",
        kind_name(a),
        kind_name(b)
    ))
}

/// `a = b` on non-missing values: numbers by value (`70.5 = 70.50`), labels by name, a label
/// equals a text of the same spelling.
pub(crate) fn equal(a: &Value, b: &Value) -> Result<bool, OpError> {
    match (a, b) {
        (Value::Label(x), Value::Label(y)) => Ok(x.name == y.name),
        (Value::Label(x), Value::Text(y)) | (Value::Text(y), Value::Label(x)) => Ok(*x.name == **y),
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        (Value::Duration(x), Value::Duration(y)) => Ok(x == y),
        _ => order(a, b).map(|o| o == Ordering::Equal),
    }
}

/// A comparison; `None` when either side is missing.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<Option<bool>, OpError> {
    if a.is_missing() || b.is_missing() {
        return Ok(None);
    }
    Ok(Some(match op {
        CmpOp::Eq => equal(a, b)?,
        CmpOp::Ne => !equal(a, b)?,
        CmpOp::Lt => order(a, b)? == Ordering::Less,
        CmpOp::Le => order(a, b)? != Ordering::Greater,
        CmpOp::Gt => order(a, b)? == Ordering::Greater,
        CmpOp::Ge => order(a, b)? != Ordering::Less,
    }))
}

/// Decimal places a number is settled to before it is compared or rounded.
pub(crate) const SETTLE_PLACES: u32 = 20;

/// A number as it decides: settled to [`SETTLE_PLACES`] decimal places, half away from zero.
///
/// Division keeps 28 significant digits, so a quotient that is not a finite decimal carries an
/// error in its last digit, and a result that is mathematically exact can come out a hair off:
/// `(3.86 − 3.84) / 3.84 × 400 × 30%` is exactly `0.625` but computes as
/// `0.6249999999999999999999999996`. Deciding on the settled value (`0.625`) makes ties round
/// and boundaries compare as the exact arithmetic would. A value that really differs from a
/// boundary by less than 10⁻²⁰ would be misjudged, which needs inputs with more than 20
/// significant digits between them.
#[inline]
pub(crate) fn settle(d: Decimal) -> Decimal {
    if d.scale() > SETTLE_PLACES {
        d.round_dp_with_strategy(SETTLE_PLACES, RoundingStrategy::MidpointAwayFromZero)
    } else {
        d
    }
}

/// Half away from zero, on the settled value: `round(2.675, 2) = 2.68`, `round(-2.5, 0) = -3`,
/// and `round(0.6249999999999999999999999996, 2) = 0.63` (the exact value is `0.625`).
pub(crate) fn round(d: Decimal, places: u32) -> Decimal {
    settle(d).round_dp_with_strategy(places.min(28), RoundingStrategy::MidpointAwayFromZero)
}

pub(crate) fn op_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
        CmpOp::Lt => "<",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Ge => "≥",
    }
}

/// A number's display: plain decimals without trailing zeros, at most
/// [`crate::value::DISPLAY_DECIMALS`] places (the value itself stays exact).
pub(crate) fn show_dec(d: Decimal) -> String {
    crate::value::display_decimal(d)
}

#[cfg(test)]
mod tests {
    use super::super::program::Arith;
    use super::*;

    fn n(s: &str, u: Unit) -> Value {
        Value::Number(Decimal::from_str(s).unwrap(), u)
    }

    #[test]
    fn quotients_decide_as_exact_values() {
        // 1/3 keeps 28 digits, so 1/3 × 3 computes as 0.9999…9; it decides as 1.
        let third = arith(Arith::Div, &n("1", Unit::Plain), &n("3", Unit::Plain)).unwrap();
        let one = arith(Arith::Mul, &third, &n("3", Unit::Plain)).unwrap();
        assert_eq!(one, n("0.9999999999999999999999999999", Unit::Plain));
        assert_eq!(
            compare(CmpOp::Ge, &one, &n("1", Unit::Plain)).unwrap(),
            Some(true)
        );
        assert_eq!(
            compare(CmpOp::Eq, &one, &n("1", Unit::Plain)).unwrap(),
            Some(true)
        );
        // The benchmark's row C00039324: the growth term is exactly 0.625, a tie at 2 places.
        let g = arith(Arith::Div, &n("0.02", Unit::Plain), &n("3.84", Unit::Plain)).unwrap();
        let g = arith(Arith::Mul, &g, &n("400", Unit::Plain)).unwrap();
        let Value::Number(w, _) = arith(Arith::Mul, &g, &n("0.3", Unit::Plain)).unwrap() else {
            panic!("a number")
        };
        assert_ne!(
            w,
            Decimal::from_str("0.625").unwrap(),
            "computed a hair off"
        );
        assert_eq!(round(w, 2), Decimal::from_str("0.63").unwrap());
        // A genuine non-tie is untouched: 0.6249 stays below the tie.
        assert_eq!(
            round(Decimal::from_str("0.6249").unwrap(), 2),
            Decimal::from_str("0.62").unwrap()
        );
        assert_eq!(
            round(Decimal::from_str("-2.5").unwrap(), 0),
            Decimal::from_str("-3").unwrap()
        );
    }

    #[test]
    fn exact_decimals() {
        let a = arith(Arith::Add, &n("0.1", Unit::Plain), &n("0.2", Unit::Plain)).unwrap();
        assert_eq!(a, n("0.3", Unit::Plain));
        assert_eq!(
            compare(CmpOp::Ge, &a, &n("0.3", Unit::Plain)),
            Ok(Some(true))
        );
        assert_eq!(
            compare(
                CmpOp::Ge,
                &n("79.99999", Unit::Plain),
                &n("80", Unit::Plain)
            ),
            Ok(Some(false))
        );
        assert_eq!(
            equal(&n("0.95", Unit::Percent), &n("0.95", Unit::Plain)),
            Ok(true)
        );
        assert_eq!(
            equal(&n("70.5", Unit::Plain), &n("70.50", Unit::Plain)),
            Ok(true)
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let r = |s: &str, p| round(Decimal::from_str(s).unwrap(), p).to_string();
        assert_eq!(r("2.675", 2), "2.68");
        assert_eq!(r("-2.5", 0), "-3");
        assert_eq!(r("2.5", 0), "3");
        assert_eq!(r("2.665", 2), "2.67");
        assert_eq!(r("-2.675", 2), "-2.68");
    }

    #[test]
    fn units_travel_with_numbers() {
        let money = n("2000000", Unit::Money);
        let plain = n("3", Unit::Plain);
        let pct = n("0.25", Unit::Percent);
        let unit = |v: Value| match v {
            Value::Number(_, u) => u,
            _ => panic!("not a number"),
        };
        assert_eq!(
            unit(arith(Arith::Add, &money, &plain).unwrap()),
            Unit::Money
        );
        assert_eq!(
            unit(arith(Arith::Add, &plain, &money).unwrap()),
            Unit::Money
        );
        assert_eq!(
            unit(arith(Arith::Mul, &money, &plain).unwrap()),
            Unit::Money
        );
        assert_eq!(unit(arith(Arith::Mul, &money, &pct).unwrap()), Unit::Money);
        assert_eq!(
            unit(arith(Arith::Div, &money, &plain).unwrap()),
            Unit::Money
        );
        assert_eq!(
            unit(arith(Arith::Div, &money, &money).unwrap()),
            Unit::Plain
        );
        assert_eq!(
            unit(arith(Arith::DivScaled, &money, &n("10000", Unit::Plain)).unwrap()),
            Unit::Plain
        );
        assert_eq!(unit(arith(Arith::Mul, &pct, &pct).unwrap()), Unit::Percent);
        assert_eq!(unit(arith(Arith::Mul, &pct, &plain).unwrap()), Unit::Plain);
        assert_eq!(
            unit(arith(Arith::Div, &pct, &plain).unwrap()),
            Unit::Percent
        );
    }

    #[test]
    fn errors_instead_of_panics() {
        let max = Value::Number(Decimal::MAX, Unit::Plain);
        assert_eq!(arith(Arith::Mul, &max, &max), Err(OpError::Overflow));
        assert_eq!(arith(Arith::Add, &max, &max), Err(OpError::Overflow));
        assert_eq!(
            arith(Arith::Div, &n("1", Unit::Plain), &n("0", Unit::Plain)),
            Err(OpError::DivisionByZero)
        );
        assert!(matches!(
            arith(Arith::Add, &Value::Date(jiff::civil::date(2026, 1, 1)), &n("7", Unit::Plain)),
            Err(OpError::Type(m)) if m.contains("7 days")
        ));
        assert_eq!(arith(Arith::Add, &Value::Missing, &max), Ok(Value::Missing));
        assert_eq!(compare(CmpOp::Lt, &Value::Missing, &max), Ok(None));
    }

    #[test]
    fn labels_order_by_rank_and_equal_by_name() {
        use crate::value::Label;
        let l = |name: &str, rank| {
            Value::Label(Label {
                name: name.into(),
                rank,
            })
        };
        assert_eq!(compare(CmpOp::Gt, &l("A", 0), &l("B", 1)), Ok(Some(true)));
        assert_eq!(compare(CmpOp::Ge, &l("B", 1), &l("B", 1)), Ok(Some(true)));
        assert_eq!(compare(CmpOp::Eq, &l("B", 1), &l("B", 7)), Ok(Some(true)));
        assert_eq!(
            compare(CmpOp::Ge, &l("4", 1), &n("4", Unit::Plain)),
            Ok(Some(true))
        );
        assert_eq!(equal(&l("A1", 0), &Value::Text("A1".into())), Ok(true));
    }
}
