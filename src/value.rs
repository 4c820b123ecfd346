//! Runtime values shared by the data readers, the evaluator and the writers.
//!
//! Numbers are exact decimals ([`rust_decimal::Decimal`]) in base units: money in 元, percent as a
//! fraction (`92%` is `0.92`), area in ㎡, mass in 吨. The [`Unit`] travels with the number so an
//! explanation can print `200万` or `92%` the way the author wrote it.

use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

/// The dimension of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Unit {
    /// A plain number (a count, a score, a ratio). As a literal's unit: "adopts the other side".
    #[default]
    Plain,
    /// A fraction shown as a percentage.
    Percent,
    /// 元.
    Money,
    /// 吨.
    Mass,
    /// ㎡.
    Area,
}

/// A calendar duration. Adding it to a date adds months first (clamped to the month's last day:
/// Jan 31 + 1 month = Feb 28/29), then days, then whole days for hours (rounded up), then
/// workdays (Monday to Friday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i32,
    pub days: i32,
    pub hours: i32,
    pub workdays: i32,
}

/// The days of a calendar cadence (`on 06-30, 12-31`, `on day 15`, `every wednesday`): a date is
/// one of them when it is any of the listed days. A day that a month lacks (`day 31` in April,
/// `02-29` in a common year) falls on that month's last day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Calendar {
    /// 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Days of every month, 1..=31.
    pub month_days: Vec<u8>,
    /// (month, day) of every year.
    pub year_days: Vec<(u8, u8)>,
}

/// A grade label or an enum variant. `rank` orders labels of one scale: 0 is the best.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub name: Arc<str>,
    pub rank: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value: an empty cell, an optional field left out, or `missing`.
    Missing,
    Number(Decimal, Unit),
    Date(jiff::civil::Date),
    Duration(Duration),
    Text(Arc<str>),
    Bool(bool),
    Label(Label),
}

impl Value {
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }
}

/// Decimal places shown when a number is displayed (explanations, REPL, summaries). Values are
/// exact; only their display is rounded, half away from zero: 1/3 shows as `0.3333`.
pub const DISPLAY_DECIMALS: u32 = 4;

/// A decimal as displayed: at most [`DISPLAY_DECIMALS`] places, no trailing zeros.
pub fn display_decimal(d: Decimal) -> String {
    d.round_dp_with_strategy(
        DISPLAY_DECIMALS,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    )
    .normalize()
    .to_string()
}

/// Formats a number the way a Chinese sales manager writes it: `200万`, `1.2亿`, `92%`, `70.5`.
pub fn format_number(value: Decimal, unit: Unit) -> String {
    let plain = display_decimal;
    match unit {
        Unit::Plain => plain(value),
        // A huge fraction cannot be scaled to a percentage without overflow: print it plain.
        Unit::Percent => match value.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("{}%", plain(p)),
            None => plain(value),
        },
        Unit::Money => {
            let yi = Decimal::from(100_000_000);
            let wan = Decimal::from(10_000);
            if value.abs() >= yi {
                format!("{}亿", plain(value / yi))
            } else if value.abs() >= wan {
                format!("{}万", plain(value / wan))
            } else {
                format!("{}元", plain(value))
            }
        }
        Unit::Mass => format!("{}吨", plain(value)),
        Unit::Area => {
            let wan = Decimal::from(10_000);
            if value.abs() >= wan {
                format!("{}万㎡", plain(value / wan))
            } else {
                format!("{}㎡", plain(value))
            }
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.months != 0 {
            if self.months % 12 == 0 {
                parts.push(format!("{} years", self.months / 12));
            } else {
                parts.push(format!("{} months", self.months));
            }
        }
        if self.days != 0 {
            parts.push(format!("{} days", self.days));
        }
        if self.hours != 0 {
            parts.push(format!("{}h", self.hours));
        }
        if self.workdays != 0 {
            parts.push(format!("{} workdays", self.workdays));
        }
        if parts.is_empty() {
            parts.push("0 days".into());
        }
        f.write_str(&parts.join(" "))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Missing => f.write_str("missing"),
            Value::Number(d, u) => f.write_str(&format_number(*d, *u)),
            Value::Date(d) => write!(f, "{d}"),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Text(t) => f.write_str(t),
            Value::Bool(b) => f.write_str(if *b { "yes" } else { "no" }),
            Value::Label(l) => f.write_str(&l.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_print_as_users_write_them() {
        assert_eq!(format_number(d("2000000"), Unit::Money), "200万");
        assert_eq!(format_number(d("120000000"), Unit::Money), "1.2亿");
        assert_eq!(format_number(d("9999"), Unit::Money), "9999元");
        assert_eq!(format_number(d("0.92"), Unit::Percent), "92%");
        assert_eq!(format_number(d("70.50"), Unit::Plain), "70.5");
        assert_eq!(format_number(d("30000"), Unit::Area), "3万㎡");
        assert_eq!(
            format_number(Decimal::MAX, Unit::Percent),
            Decimal::MAX.to_string()
        );
    }
}
