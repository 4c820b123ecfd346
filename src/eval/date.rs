//! Calendar arithmetic: months first (clamped to the month's last day), then days, then hours
//! as whole days rounded up, then workdays (Monday to Friday).

use crate::value::Duration;
use jiff::civil::{Date, Weekday};
use jiff::Span;

/// `date + duration`; `None` when the result leaves jiff's range (years -9999..=9999).
pub(crate) fn add(d: Date, dur: Duration) -> Option<Date> {
    let mut d = d;
    if dur.months != 0 {
        d = d
            .checked_add(Span::new().try_months(dur.months).ok()?)
            .ok()?;
    }
    let hour_days = if dur.hours >= 0 {
        (i64::from(dur.hours) + 23) / 24
    } else {
        -((-i64::from(dur.hours) + 23) / 24)
    };
    let days = i64::from(dur.days) + hour_days;
    if days != 0 {
        d = d.checked_add(Span::new().try_days(days).ok()?).ok()?;
    }
    if dur.workdays != 0 {
        d = add_workdays(d, dur.workdays)?;
    }
    Some(d)
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().try_days(n).ok()?).ok()
}

/// `n` workdays after (or before, for negative `n`) `d`, skipping Saturdays and Sundays: from a
/// Friday, 5 workdays is the next Friday; from a Saturday, 1 workday is the Monday.
fn add_workdays(d: Date, n: i32) -> Option<Date> {
    let step: i64 = if n >= 0 { 1 } else { -1 };
    let n = i64::from(n).abs();
    // Whole weeks at once, so a huge count cannot loop for long.
    let mut d = d;
    let mut left = n;
    if left > 5 {
        // From a weekend day, n workdays land where they would from the weekday before it
        // (Friday going forward, Monday going back); from a weekday, 5 workdays = 7 days.
        while is_weekend(d) {
            d = add_days(d, -step)?;
        }
        let weeks = (left - 1) / 5;
        d = add_days(d, step * weeks * 7)?;
        left -= weeks * 5;
    }
    while left > 0 {
        d = add_days(d, step)?;
        if !is_weekend(d) {
            left -= 1;
        }
    }
    Some(d)
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub(crate) fn days_between(a: Date, b: Date) -> Option<i64> {
    a.until(b).ok().map(|s| i64::from(s.get_days()))
}

/// Whole calendar months from `a` to `b`: the largest `m` with `a + m months ≤ b` (with the
/// month-end clamping of [`add`], so 2026-01-31 → 2026-02-28 is 1 month).
pub(crate) fn months_between(a: Date, b: Date) -> Option<i64> {
    let mut m = (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month())
        - i64::from(a.month());
    let plus = |m: i64| -> Option<Date> { a.checked_add(Span::new().try_months(m).ok()?).ok() };
    if m > 0 && plus(m)? > b {
        m -= 1;
    } else if m < 0 && plus(m)? < b {
        m += 1;
    }
    Some(m)
}

/// A rough length in days, only to order durations of different kinds.
pub(crate) fn approx_days(d: &Duration) -> i64 {
    i64::from(d.months) * 30
        + i64::from(d.days)
        + (i64::from(d.hours) + 23).div_euclid(24)
        + i64::from(d.workdays) * 7 / 5
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn dur(months: i32, days: i32, hours: i32, workdays: i32) -> Duration {
        Duration {
            months,
            days,
            hours,
            workdays,
        }
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            add(date(2026, 1, 31), dur(1, 0, 0, 0)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            add(date(2024, 1, 31), dur(1, 0, 0, 0)),
            Some(date(2024, 2, 29))
        );
        assert_eq!(
            add(date(2024, 2, 29), dur(12, 0, 0, 0)),
            Some(date(2025, 2, 28))
        );
        assert_eq!(
            add(date(2026, 3, 31), dur(-1, 0, 0, 0)),
            Some(date(2026, 2, 28))
        );
    }

    #[test]
    fn months_then_days() {
        // Jan 31 + 1 month = Feb 28, then + 1 day = Mar 1.
        assert_eq!(
            add(date(2026, 1, 31), dur(1, 1, 0, 0)),
            Some(date(2026, 3, 1))
        );
    }

    #[test]
    fn hours_round_up_to_whole_days() {
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 48, 0)),
            Some(date(2026, 11, 22))
        );
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 60, 0)),
            Some(date(2026, 11, 23))
        );
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 1, 0)),
            Some(date(2026, 11, 21))
        );
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, -48, 0)),
            Some(date(2026, 11, 18))
        );
    }

    #[test]
    fn workdays_skip_weekends() {
        // 2026-11-20 is a Friday.
        assert_eq!(date(2026, 11, 20).weekday(), Weekday::Friday);
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 0, 5)),
            Some(date(2026, 11, 27))
        );
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 0, 1)),
            Some(date(2026, 11, 23))
        );
        assert_eq!(
            add(date(2026, 11, 21), dur(0, 0, 0, 1)),
            Some(date(2026, 11, 23))
        );
        assert_eq!(
            add(date(2026, 11, 20), dur(0, 0, 0, 10)),
            Some(date(2026, 12, 4))
        );
        assert_eq!(
            add(date(2026, 11, 21), dur(0, 0, 0, 6)),
            Some(date(2026, 11, 30))
        );
        assert_eq!(
            add(date(2026, 11, 23), dur(0, 0, 0, -1)),
            Some(date(2026, 11, 20))
        );
        // Brute force agrees with the week-skipping shortcut.
        for start in 0..14 {
            let s = add(date(2026, 11, 16), dur(0, start, 0, 0)).unwrap();
            for n in 0..30 {
                let mut d = s;
                let mut left = n;
                while left > 0 {
                    d = add_days(d, 1).unwrap();
                    if !is_weekend(d) {
                        left -= 1;
                    }
                }
                assert_eq!(add(s, dur(0, 0, 0, n)), Some(d), "{s} + {n} workdays");
            }
        }
    }

    #[test]
    fn overflow_is_none_not_a_panic() {
        assert_eq!(add(date(9999, 12, 31), dur(0, 1, 0, 0)), None);
        assert_eq!(add(date(2026, 1, 1), dur(i32::MAX, 0, 0, 0)), None);
        assert_eq!(add(date(2026, 1, 1), dur(0, 0, 0, i32::MAX)), None);
    }

    #[test]
    fn months_between_counts_whole_months() {
        assert_eq!(
            months_between(date(2026, 1, 31), date(2026, 2, 28)),
            Some(1)
        );
        assert_eq!(
            months_between(date(2026, 1, 15), date(2026, 2, 14)),
            Some(0)
        );
        assert_eq!(
            months_between(date(2026, 1, 15), date(2026, 2, 15)),
            Some(1)
        );
        assert_eq!(
            months_between(date(2025, 11, 20), date(2026, 11, 23)),
            Some(12)
        );
        assert_eq!(
            months_between(date(2026, 2, 15), date(2026, 1, 15)),
            Some(-1)
        );
        assert_eq!(
            days_between(date(2026, 11, 20), date(2026, 11, 23)),
            Some(3)
        );
    }
}
