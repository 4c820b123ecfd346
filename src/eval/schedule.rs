//! Follow-up and review cadences: next due date, overdue, reassign.

use super::date;
use super::interpret::{text, Env, R};
use super::number::OpError;
use super::program::*;
use crate::outcome::{ScheduleOutcome, TagOutcome};
use crate::value::{Duration, Value};
use jiff::civil::Date;

fn days(n: i32) -> Duration {
    Duration {
        days: n,
        ..Duration::default()
    }
}

/// The cadence of `s` for this customer, whose tags are `tags`.
pub(crate) fn run(env: &Env, s: &ScheduleC, tags: &[TagOutcome]) -> R<ScheduleOutcome> {
    let src = &env.prog.source;
    let what = if s.is_review { "review" } else { "follow-up" };
    // Only a named schedule allocates its word (most rows of a run have no sentence at all).
    let what: std::borrow::Cow<str> = match &s.name {
        Some(n) => format!("{what} {n}").into(),
        None => what.into(),
    };
    let grade = env.slot(s.grade);
    let label: Option<&str> = match grade {
        Value::Label(l) => Some(&l.name),
        Value::Text(t) => Some(t),
        _ => None,
    };
    // The first arm that holds, in order; `otherwise` when none does.
    let mut arm = None;
    for a in &s.arms {
        let key = match (&a.label, &a.tag) {
            (Some(l), _) => label.is_some_and(|g| **l == *g),
            (None, Some(t)) => tags.iter().any(|x| x.name == *t),
            (None, None) => a.when.is_some(),
        };
        if !key {
            continue;
        }
        let holds = match &a.when {
            // A missing condition does not hold: the next arm decides.
            Some(w) => env.truth(&env.eval(w, src)?, w, src)? == Some(true),
            None => true,
        };
        if holds {
            arm = Some(a);
            break;
        }
    }
    let arm = arm.or_else(|| {
        s.arms
            .iter()
            .find(|a| a.label.is_none() && a.tag.is_none() && a.when.is_none())
    });
    let shown = label.unwrap_or("missing");
    let Some(arm) = arm else {
        return Ok(ScheduleOutcome {
            last: None,
            next_due: None,
            deadline: None,
            overdue: false,
            reassign: false,
            reason: format!("{what}: no rule for {} {shown}", s.grade_name),
        });
    };
    let last = match env.eval(&s.from, src)? {
        Value::Date(d) => Some(d),
        Value::Missing => None,
        other => {
            return Err(env.op_error(
                OpError::Type(format!(
                    "`from` must be a date, not {}",
                    super::number::kind_name(&other)
                )),
                &s.from,
                src,
                &[(&s.from, &other)],
            ))
        }
    };
    let overflow = || env.op_error(OpError::Overflow, &s.from, src, &[]);
    let plus = |d: Date, dur: Duration| date::add(d, dur).ok_or_else(overflow);
    let head = if env.words {
        let key = match (&arm.tag, &arm.when) {
            (Some(t), Some(w)) => format!(" (tag {t}, {})", text(src, w.span)),
            (Some(t), None) => format!(" (tag {t})"),
            (None, Some(w)) => format!(" ({})", text(src, w.span)),
            (None, None) => String::new(),
        };
        format!("{what} {shown}{key} {}", arm.cadence_text)
    } else {
        String::new()
    };
    if matches!(arm.cadence, CadenceC::None) {
        return Ok(ScheduleOutcome {
            last,
            next_due: None,
            deadline: None,
            overdue: false,
            reassign: false,
            reason: format!("{what} {shown}: none"),
        });
    }
    let Some(last) = last else {
        // Never contacted (or reviewed): due on the as-of date, or on the first calendar day
        // from it on; not overdue, not reassigned.
        let (due, from) = match &arm.cadence {
            CadenceC::Calendar(cal) => (
                env.as_of
                    .yesterday()
                    .ok()
                    .and_then(|d| date::next_calendar_day(d, cal))
                    .ok_or_else(overflow)?,
                "the first such day from the as-of date",
            ),
            _ => (env.as_of, "the as-of date"),
        };
        let never = if s.is_review {
            "never reviewed"
        } else {
            "never contacted"
        };
        return Ok(ScheduleOutcome {
            last: None,
            next_due: Some(due),
            deadline: None,
            overdue: false,
            reassign: false,
            reason: format!(
                "{head}: {} is missing ({never}) → due {due} ({from}), not overdue",
                text(src, s.from.span),
            ),
        });
    };
    let (next_due, deadline) = match &arm.cadence {
        CadenceC::Every(d) => {
            let due = plus(last, *d)?;
            (due, due)
        }
        CadenceC::Within(lo, hi) => (plus(last, *lo)?, plus(last, *hi)?),
        CadenceC::PerPeriod(n) => {
            let due = plus(last, days(*n))?;
            (due, due)
        }
        CadenceC::Calendar(cal) => {
            let due = date::next_calendar_day(last, cal).ok_or_else(overflow)?;
            (due, due)
        }
        CadenceC::None => (last, last),
    };
    let overdue = env.as_of > deadline;
    let reassign_at = arm.reassign_after.map(|d| plus(last, d)).transpose()?;
    let reassign = reassign_at.is_some_and(|r| env.as_of > r);
    if !env.words {
        return Ok(ScheduleOutcome {
            last: Some(last),
            next_due: Some(next_due),
            deadline: Some(deadline),
            overdue,
            reassign,
            reason: String::new(),
        });
    }
    let mut reason = format!("{head} from {last} → due {next_due}");
    if deadline != next_due {
        reason.push_str(&format!(", overdue after {deadline}"));
    }
    reason.push_str(if overdue {
        ", overdue"
    } else {
        ", not overdue"
    });
    if let Some(r) = reassign_at {
        if reassign {
            reason.push_str(&format!(", reassign (after {r})"));
        } else {
            reason.push_str(&format!(", reassign after {r}"));
        }
    }
    Ok(ScheduleOutcome {
        last: Some(last),
        next_due: Some(next_due),
        deadline: Some(deadline),
        overdue,
        reassign,
        reason,
    })
}
