//! Dates as users write them: `2026-11-01`, `2026/11/1`, `2026.11.1`, `2026年11月1日`,
//! `20261101`, a datetime `2026-11-01 14:30:00` (the date is taken), and Excel serial numbers.

use jiff::civil::Date;

/// The last serial Excel accepts (9999-12-31).
const MAX_SERIAL: i64 = 2_958_465;

/// Converts an Excel serial date (1900 date system) to a date. Excel counts 1900-01-01 as 1 and
/// believes 1900 was a leap year, so serial 60 is the non-existent 1900-02-29 (an error here) and
/// serials from 61 on are one day ahead of a plain count: 45658 is 2025-01-01. A fraction (the
/// time of day) is dropped.
pub fn excel_serial_to_date(serial: f64) -> Result<Date, String> {
    if !serial.is_finite() {
        return Err("not a valid Excel date number".into());
    }
    let whole = serial.floor();
    if whole < 1.0 || whole > MAX_SERIAL as f64 {
        return Err(format!(
            "{serial} is not an Excel date number (Excel dates run from 1 = 1900-01-01 to {MAX_SERIAL} = 9999-12-31)"
        ));
    }
    let n = whole as i64;
    if n == 60 {
        return Err(
            "Excel date number 60 is 1900-02-29, a day that does not exist (Excel's leap-year bug)"
                .into(),
        );
    }
    // Before the phantom leap day the epoch is 1899-12-31; after it, 1899-12-30.
    let (epoch, days) = if n < 60 {
        (Date::new(1899, 12, 31), n)
    } else {
        (Date::new(1899, 12, 30), n)
    };
    epoch
        .and_then(|e| e.checked_add(jiff::Span::new().days(days)))
        .map_err(|e| format!("Excel date number {serial} is out of range: {e}"))
}

/// Parses a date written as text (already width-normalised and trimmed). A bare number of up to
/// five digits is an Excel serial (an unformatted date column exported to CSV); eight digits are
/// `YYYYMMDD`.
pub(crate) fn parse_date_text(s: &str) -> Result<Date, String> {
    // Drop a time of day: `2026-11-01 14:30`, `2026-11-01T14:30:00+08:00`, `2026年11月1日 9时`.
    let date_part = s.split_once([' ', 'T']).map(|(d, _)| d).unwrap_or(s).trim();
    if date_part.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !date_part.is_empty() {
        let digits = date_part.bytes().filter(u8::is_ascii_digit).count();
        if date_part.len() == 8 && digits == 8 {
            return ymd(&date_part[..4], &date_part[4..6], &date_part[6..]);
        }
        // `45658` or `45658.5`; but not `2026.11.1`, which has two dots.
        if date_part.matches('.').count() <= 1
            && date_part.split('.').next().map(str::len) <= Some(5)
        {
            if let Ok(serial) = date_part.parse::<f64>() {
                return excel_serial_to_date(serial);
            }
        }
    }
    if let Some(rest) = date_part
        .strip_suffix('日')
        .or_else(|| date_part.strip_suffix('号'))
    {
        if let Some((y, md)) = rest.split_once('年') {
            if let Some((m, d)) = md.split_once('月') {
                return ymd(y, m, d);
            }
        }
        return Err(not_a_date(s));
    }
    for sep in ['-', '/', '.'] {
        let mut parts = date_part.split(sep);
        if let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            return ymd(y, m, d);
        }
    }
    Err(not_a_date(s))
}

/// `YYYY-MM-DD` exactly (ten ASCII bytes, no time, no spaces), a valid date: what
/// [`parse_date_text`] gives for it, without its searches. `None` for anything else, valid or
/// not, which [`parse_date_text`] then reads (and explains).
pub(crate) fn parse_iso_date(s: &[u8]) -> Option<Date> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *s else {
        return None;
    };
    let digit = |b: u8| b.is_ascii_digit().then(|| i16::from(b - b'0'));
    let year = ((digit(y1)? * 10 + digit(y2)?) * 10 + digit(y3)?) * 10 + digit(y4)?;
    let month = digit(m1)? * 10 + digit(m2)?;
    let day = digit(d1)? * 10 + digit(d2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    Date::new(year, month as i8, day as i8).ok()
}

fn not_a_date(s: &str) -> String {
    format!("expected a date like 2026-11-01, 2026/11/1 or 2026年11月1日, found `{s}`")
}

fn ymd(y: &str, m: &str, d: &str) -> Result<Date, String> {
    let num = |t: &str, max_len: usize| -> Option<i64> {
        let t = t.trim();
        if t.is_empty() || t.len() > max_len || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let text = || format!("{y}-{m}-{d}");
    // A year must be written in full: `26/11/1` is ambiguous (and `11/01/2026` is US order).
    let (Some(year), Some(month), Some(day)) = (num(y, 4), num(m, 2), num(d, 2)) else {
        return Err(not_a_date(&text()));
    };
    if y.trim().len() != 4 {
        return Err(format!(
            "expected a date with a four-digit year first (2026-11-01), found `{}`",
            text()
        ));
    }
    if !(1..=12).contains(&month) {
        return Err(format!(
            "{} is not a valid date: there is no month {month}",
            text()
        ));
    }
    Date::new(year as i16, month as i8, day as i8).map_err(|_| {
        format!(
            "{} is not a valid date: day {day} does not exist in that month",
            text()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn serials_follow_excel() {
        assert_eq!(excel_serial_to_date(45658.0), Ok(date(2025, 1, 1)));
        assert_eq!(excel_serial_to_date(1.0), Ok(date(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0), Ok(date(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(61.0), Ok(date(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(45658.75), Ok(date(2025, 1, 1)));
        assert!(excel_serial_to_date(60.0).is_err());
        assert!(excel_serial_to_date(0.0).is_err());
        assert!(excel_serial_to_date(-3.0).is_err());
        assert!(excel_serial_to_date(3e9).is_err());
    }

    /// Every `YYYY-MM-DD` of a range of years, months 0-13 and days 0-32: the shortcut reads
    /// exactly the valid ones, as [`parse_date_text`] does; the rest go to the general parser.
    #[test]
    fn iso_shortcut_agrees_with_the_parser() {
        for year in (0..10_000)
            .step_by(97)
            .chain([1900, 2000, 2024, 2026, 2100, 9999])
        {
            for month in 0..14 {
                for day in 0..33 {
                    let s = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(
                        parse_iso_date(s.as_bytes()),
                        parse_date_text(&s).ok(),
                        "{s}"
                    );
                }
            }
        }
        for s in [
            "2026-2-3",
            "2026/02/03",
            "2026.02.03",
            "20260203",
            "46327",
            "2026-02-03 ",
            " 2026-02-03",
            "2026-02-03T10:00",
            "２０２６-02-03",
            "2026-0a-03",
            "+026-02-03",
            "2026-+2-03",
        ] {
            assert_eq!(parse_iso_date(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn text_dates() {
        let want = Ok(date(2026, 11, 1));
        for s in [
            "2026-11-01",
            "2026/11/1",
            "2026.11.1",
            "2026年11月1日",
            "2026年11月1号",
            "20261101",
            "2026-11-01 14:30",
            "2026-11-01 14:30:00",
            "2026-11-01T14:30:00+08:00",
            "46327",
        ] {
            assert_eq!(parse_date_text(s), want, "{s}");
        }
        assert!(parse_date_text("2026-02-30").is_err());
        assert!(parse_date_text("2026/2/30").is_err());
        assert!(parse_date_text("2026-13-01").is_err());
        assert!(parse_date_text("11/01/2026").is_err());
        assert!(parse_date_text("soon").is_err());
        assert!(parse_date_text("2026年11月").is_err());
    }
}
