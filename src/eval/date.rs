//! Calendar arithmetic: months first (clamped to the month's last day), then days, then hours
//! as whole days rounded up, then workdays (Monday to Friday).

use crate::value::{Calendar, Duration};
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

/// The first day of `cal` strictly after `d`; `None` when the calendar is empty or the result
/// leaves jiff's range.
pub(crate) fn next_calendar_day(d: Date, cal: &Calendar) -> Option<Date> {
    let mut best: Option<Date> = None;
    let mut keep = |x: Option<Date>| {
        if let Some(x) = x {
            best = Some(best.map_or(x, |b| b.min(x)));
        }
    };
    let dow = i64::from(d.weekday().to_monday_one_offset());
    for &w in &cal.weekdays {
        keep(add_days(d, (i64::from(w) - dow + 6).rem_euclid(7) + 1));
    }
    // The `day` of year `y`, month `m`, on the month's last day where the month is shorter.
    let clamped = |y: i16, m: i8, day: u8| -> Option<Date> {
        let first = Date::new(y, m, 1).ok()?;
        let day = i8::try_from(day).ok()?.min(first.days_in_month());
        Date::new(y, m, day).ok()
    };
    for &k in &cal.month_days {
        let this = clamped(d.year(), d.month(), k);
        keep(match this {
            Some(x) if x > d => Some(x),
            _ => {
                let next = d.first_of_month().checked_add(Span::new().months(1)).ok()?;
                clamped(next.year(), next.month(), k)
            }
        });
    }
    for &(m, k) in &cal.year_days {
        let m = i8::try_from(m).ok()?;
        keep(match clamped(d.year(), m, k) {
            Some(x) if x > d => Some(x),
            _ => clamped(d.year().checked_add(1)?, m, k),
        });
    }
    best
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

    /// Does `d` belong to `cal`, by the definition (a day a month lacks falls on its last day)?
    fn is_calendar_day(d: Date, cal: &Calendar) -> bool {
        let last = d == d.last_of_month();
        let day_of = |k: u8| i8::try_from(k).unwrap() == d.day() || (last && k as i8 > d.day());
        cal.weekdays
            .contains(&(d.weekday().to_monday_one_offset() as u8))
            || cal.month_days.iter().any(|&k| day_of(k))
            || cal
                .year_days
                .iter()
                .any(|&(m, k)| m as i8 == d.month() && day_of(k))
    }

    #[test]
    fn next_calendar_day_is_the_first_matching_day_after() {
        let cals = [
            Calendar {
                weekdays: vec![3],
                ..Calendar::default()
            },
            Calendar {
                weekdays: vec![1, 6, 7],
                ..Calendar::default()
            },
            Calendar {
                month_days: vec![29, 31],
                ..Calendar::default()
            },
            Calendar {
                month_days: vec![1, 30],
                year_days: vec![(2, 29)],
                ..Calendar::default()
            },
            Calendar {
                year_days: vec![(6, 30), (12, 31), (3, 31), (9, 30)],
                ..Calendar::default()
            },
            Calendar {
                year_days: vec![(2, 29)],
                ..Calendar::default()
            },
        ];
        // Every day of 2023-01-01 .. 2025-01-01 (2024 is a leap year), against a day-by-day walk.
        let mut d = date(2023, 1, 1);
        while d < date(2025, 1, 1) {
            for cal in &cals {
                let mut walk = d.tomorrow().unwrap();
                while !is_calendar_day(walk, cal) {
                    walk = walk.tomorrow().unwrap();
                }
                assert_eq!(next_calendar_day(d, cal), Some(walk), "{d} {cal:?}");
            }
            d = d.tomorrow().unwrap();
        }
        assert_eq!(next_calendar_day(d, &Calendar::default()), None);
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
