//! Plain-text explanations of an [`Outcome`], in the ruleset's own words, for `tier eval` and
//! `tier explain`. No colours, no tables: it must read well in a terminal, a log and a WeChat
//! message alike.

use crate::outcome::{Outcome, ScheduleOutcome};
use crate::value::Value;
use rust_decimal::Decimal;

fn dec(d: Decimal) -> String {
    crate::value::display_decimal(d)
}

fn attrs(
    color: &Option<std::sync::Arc<str>>,
    action: &Option<std::sync::Arc<str>>,
    owner: &Option<std::sync::Arc<str>>,
) -> String {
    let mut parts = Vec::new();
    if let Some(c) = color {
        parts.push(format!("color {c}"));
    }
    if let Some(a) = action {
        parts.push(format!("action {a}"));
    }
    if let Some(o) = owner {
        parts.push(format!("owner {o}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("  [{}]", parts.join(", "))
    }
}

fn schedule(out: &mut String, what: &str, s: &ScheduleOutcome) {
    let due = match s.next_due {
        Some(d) => format!("due {d}"),
        None => "none".to_string(),
    };
    let mut flags = Vec::new();
    if s.overdue {
        flags.push("OVERDUE");
    }
    if s.reassign {
        flags.push("REASSIGN");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!("  {}", flags.join(" "))
    };
    out.push_str(&format!("{what}: {due}{flags}\n  {}\n", s.reason));
}

/// The result for one customer: grade (with its reason), score and components, tags,
/// follow-up and review.
pub fn render_outcome(o: &Outcome) -> String {
    let mut out = String::new();
    if let Some(g) = &o.grade {
        let label = g.label.as_deref().unwrap_or("(missing)");
        out.push_str(&format!(
            "{} = {label}{}\n  {}\n",
            g.name,
            attrs(&g.color, &g.action, &g.owner),
            g.reason
        ));
        if let Some(r) = &g.overridden {
            out.push_str(&format!("  manual override, reason: {r}\n"));
        }
    }
    if let Some(s) = &o.subgrade {
        out.push_str(&format!("sub-grade = {s}\n"));
    }
    if let Some(s) = &o.score {
        out.push_str(&format!("score = {s}\n"));
        // Padded by display width: a Chinese character takes two columns of a terminal.
        use unicode_width::UnicodeWidthStr;
        let width = o
            .components
            .iter()
            .map(|c| c.name.width())
            .max()
            .unwrap_or(0);
        for c in &o.components {
            let pad = " ".repeat(width.saturating_sub(c.name.width()));
            out.push_str(&format!(
                "  {}{pad}  {:>8}  {}\n",
                c.name,
                dec(c.weighted),
                c.reason
            ));
        }
    }
    if o.tags.is_empty() {
        out.push_str("tags: none\n");
    } else {
        let names: Vec<&str> = o.tags.iter().map(|t| &*t.name).collect();
        out.push_str(&format!("tags: {}\n", names.join(", ")));
        for t in &o.tags {
            out.push_str(&format!(
                "  {}{}\n",
                t.reason,
                attrs(&t.color, &t.action, &t.owner)
            ));
        }
    }
    if let Some(f) = &o.follow_up {
        schedule(&mut out, "follow-up", f);
    }
    if let Some(r) = &o.review {
        schedule(&mut out, "review", r);
    }
    for (name, s) in &o.schedules {
        schedule(&mut out, name, s);
    }
    out
}

/// Every step of the evaluation, numbered, in evaluation order.
pub fn render_trace(o: &Outcome) -> String {
    let mut out = String::new();
    let width = o.trace.len().to_string().len();
    for (i, step) in o.trace.iter().enumerate() {
        out.push_str(&format!("{:>width$}. {}\n", i + 1, step.explanation));
    }
    if let Some(g) = &o.grade {
        let label = g.label.as_deref().unwrap_or("(missing)");
        out.push_str(&format!("=> {} = {label}", g.name));
        if let Some(Value::Number(..)) = &o.score {
            if let Some(s) = &o.score {
                out.push_str(&format!(", score {s}"));
            }
        }
        if !o.tags.is_empty() {
            let names: Vec<&str> = o.tags.iter().map(|t| &*t.name).collect();
            out.push_str(&format!(", tags {}", names.join(", ")));
        }
        out.push('\n');
    }
    out
}
