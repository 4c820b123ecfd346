//! Literal conversion: the text of a number, duration, date or string literal into its value.
//!
//! These functions see only text, never pest, so they are unit-tested directly. Errors are
//! plain sentences for the author; the caller attaches the span and the `tier::syntax` code.

use crate::value::{Duration, Unit};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
#[cfg(test)]
use std::str::FromStr;

/// Parses the digits of a number (`12`, `12.5`) exactly.
pub(crate) fn decimal(digits: &str) -> Result<Decimal, String> {
    // `from_str_exact` refuses to round away digits instead of silently losing precision.
    Decimal::from_str_exact(digits).map_err(|_| {
        format!("the number `{digits}` is too large or too precise (at most 28 significant digits)")
    })
}

/// The value and unit of a number literal, from its parts: `200` + `万` + `元` → 2000000 Money.
pub(crate) fn number(
    digits: &str,
    scale: Option<&str>,
    unit: Option<&str>,
) -> Result<(Decimal, Unit), String> {
    let mut value = decimal(digits)?;
    let factor = match scale {
        None => None,
        Some("千") => Some(Decimal::from(1_000)),
        Some("万") => Some(Decimal::from(10_000)),
        Some("亿") => Some(Decimal::from(100_000_000)),
        Some(other) => {
            return Err(format!(
                "`{other}` is not a number scale (use 千, 万 or 亿)"
            ))
        }
    };
    if let Some(f) = factor {
        value = value
            .checked_mul(f)
            .ok_or_else(|| format!("the number `{digits}{}` is too large", scale.unwrap_or("")))?;
    }
    let unit = match unit {
        None => Unit::Plain,
        Some("元") => Unit::Money,
        Some("%") => {
            if scale.is_some() {
                return Err("a percentage cannot also carry 千, 万 or 亿".to_string());
            }
            // Exact: 92 / 100 = 0.92, never a binary fraction.
            value = value
                .checked_div(Decimal::ONE_HUNDRED)
                .ok_or_else(|| format!("the percentage `{digits}%` is out of range"))?;
            Unit::Percent
        }
        Some("㎡") | Some("平方米") => Unit::Area,
        Some("吨") => Unit::Mass,
        Some(other) => {
            return Err(format!(
                "`{other}` is not a unit (use 元, %, ㎡, 平方米 or 吨)"
            ))
        }
    };
    Ok((value.normalize_if_integer(), unit))
}

/// Keeps `200万` as `2000000` rather than `2000000` with a scale of 0 digits; leaves `12.50` as
/// written (the exact value is the same either way).
trait NormalizeIfInteger {
    fn normalize_if_integer(self) -> Self;
}

impl NormalizeIfInteger for Decimal {
    fn normalize_if_integer(self) -> Self {
        if self.fract().is_zero() {
            self.trunc()
        } else {
            self
        }
    }
}

/// A duration literal's text (`48h`, `7 days`, `3个月`) into a [`Duration`].
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (digits, unit) = (&text[..split], text[split..].trim());
    if digits.contains('.') {
        return Err(format!(
            "a duration must be a whole number, found `{digits}`; write e.g. `36h` instead of `1.5 days`"
        ));
    }
    let n: i32 = digits
        .parse()
        .map_err(|_| format!("the duration `{text}` is too long"))?;
    let too_long = || format!("the duration `{text}` is too long");
    let mut d = Duration::default();
    match unit {
        "h" | "hour" | "hours" | "小时" => d.hours = n,
        "day" | "days" | "天" => d.days = n,
        "week" | "weeks" | "周" => d.days = n.checked_mul(7).ok_or_else(too_long)?,
        "month" | "months" | "个月" => d.months = n,
        "year" | "years" | "年" => d.months = n.checked_mul(12).ok_or_else(too_long)?,
        "workday" | "workdays" | "工作日" => d.workdays = n,
        other => return Err(format!("`{other}` is not a unit of time")),
    }
    Ok(d)
}

/// A date literal `2026-06-30` (also `2026-6-3`), validated against the calendar.
pub(crate) fn date(text: &str) -> Result<jiff::civil::Date, String> {
    let mut parts = text.split('-');
    let mut next = || parts.next().and_then(|p| p.parse::<i16>().ok());
    let (Some(y), Some(m), Some(d)) = (next(), next(), next()) else {
        return Err(format!(
            "`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2026-06-30"
        ));
    };
    let month = i8::try_from(m).ok().filter(|m| (1..=12).contains(m));
    let Some(month) = month else {
        return Err(format!("`{text}` is not a date: there is no month {m}"));
    };
    let day = i8::try_from(d).unwrap_or(0);
    jiff::civil::Date::new(y, month, day).map_err(|_| {
        let last = jiff::civil::Date::new(y, month, 1)
            .map(|first| first.days_in_month())
            .unwrap_or(31);
        format!("`{text}` is not a date: {y}-{month:02} has only {last} days")
    })
}

/// The body of a string literal (between the quotes) with `\"`, `\\`, `\n` and `\t` unescaped.
pub(crate) fn string(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => {
                return Err(format!(
                    "`\\{other}` is not an escape; inside quotes write `\\\"` for a quote and `\\\\` for a backslash"
                ))
            }
            None => return Err("a string cannot end with a lone `\\`".to_string()),
        }
    }
    Ok(out)
}

/// A whole number where the language needs one (`round 2`, `up 1`, `into 5`, `at_least 2`).
pub(crate) fn whole(value: Decimal, unit: Unit, text: &str, what: &str) -> Result<u32, String> {
    if unit != Unit::Plain || !value.fract().is_zero() {
        return Err(format!(
            "{what} needs a whole number like `2`, found `{text}`"
        ));
    }
    value
        .to_u32()
        .ok_or_else(|| format!("{what} needs a small whole number, found `{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> (Decimal, Unit) {
        // Test helper: split like the grammar does.
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (digits, rest) = text.split_at(split);
        let (scale, unit) = match rest.chars().next() {
            Some(c @ ('千' | '万' | '亿')) => {
                (Some(&rest[..c.len_utf8()]), &rest[c.len_utf8()..])
            }
            _ => (None, rest),
        };
        number(digits, scale, (!unit.is_empty()).then_some(unit)).unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn scaled_numbers() {
        assert_eq!(num("200万"), (d("2000000"), Unit::Plain));
        assert_eq!(num("1.2亿"), (d("120000000"), Unit::Plain));
        assert_eq!(num("5千"), (d("5000"), Unit::Plain));
        assert_eq!(num("12.5"), (d("12.5"), Unit::Plain));
    }

    #[test]
    fn units() {
        assert_eq!(num("200万元"), (d("2000000"), Unit::Money));
        assert_eq!(num("3500元"), (d("3500"), Unit::Money));
        assert_eq!(num("92%"), (d("0.92"), Unit::Percent));
        assert_eq!(num("0.5%"), (d("0.005"), Unit::Percent));
        assert_eq!(num("3万㎡"), (d("30000"), Unit::Area));
        assert_eq!(num("1500平方米"), (d("1500"), Unit::Area));
        assert_eq!(num("500吨"), (d("500"), Unit::Mass));
    }

    #[test]
    fn percent_is_exact() {
        let (v, _) = num("92%");
        assert_eq!(v.to_string(), "0.92");
        assert_eq!(num("33%").0 + num("67%").0, Decimal::ONE);
    }

    #[test]
    fn huge_numbers_are_errors() {
        assert!(decimal(&"9".repeat(40)).is_err());
        assert!(number("99999999999999999999999", Some("亿"), None).is_err());
        assert!(number("1", Some("万"), Some("%")).is_err());
    }

    #[test]
    fn durations() {
        let dur = |h, d, m, w| Duration {
            hours: h,
            days: d,
            months: m,
            workdays: w,
        };
        assert_eq!(duration("48h").unwrap(), dur(48, 0, 0, 0));
        assert_eq!(duration("48 hours").unwrap(), dur(48, 0, 0, 0));
        assert_eq!(duration("7 days").unwrap(), dur(0, 7, 0, 0));
        assert_eq!(duration("7天").unwrap(), dur(0, 7, 0, 0));
        assert_eq!(duration("2 weeks").unwrap(), dur(0, 14, 0, 0));
        assert_eq!(duration("2周").unwrap(), dur(0, 14, 0, 0));
        assert_eq!(duration("3 months").unwrap(), dur(0, 0, 3, 0));
        assert_eq!(duration("3个月").unwrap(), dur(0, 0, 3, 0));
        assert_eq!(duration("1 year").unwrap(), dur(0, 0, 12, 0));
        assert_eq!(duration("1年").unwrap(), dur(0, 0, 12, 0));
        assert_eq!(duration("5 workdays").unwrap(), dur(0, 0, 0, 5));
        assert_eq!(duration("5工作日").unwrap(), dur(0, 0, 0, 5));
        assert!(duration("1.5 days").is_err());
        assert!(duration("99999999999 days").is_err());
        assert!(duration("999999999 years").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(date("2026-06-30").unwrap(), jiff::civil::date(2026, 6, 30));
        assert_eq!(date("2024-02-29").unwrap(), jiff::civil::date(2024, 2, 29));
        let err = date("2026-02-30").unwrap_err();
        assert!(err.contains("only 28 days"), "{err}");
        assert!(date("2026-13-01").unwrap_err().contains("no month 13"));
        assert!(date("2026-00-10").is_err());
        assert!(date("2026-01-00").is_err());
    }

    #[test]
    fn strings() {
        assert_eq!(string(r#"a\"b\\c"#).unwrap(), "a\"b\\c");
        assert!(string(r"\q").is_err());
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole(d("5"), Unit::Plain, "5", "`into`").unwrap(), 5);
        assert!(whole(d("2.5"), Unit::Plain, "2.5", "`round`").is_err());
        assert!(whole(d("0.05"), Unit::Percent, "5%", "`up`").is_err());
        assert!(whole(d("99999999999"), Unit::Plain, "99999999999", "`up`").is_err());
    }
}
