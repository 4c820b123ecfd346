//! The result of grading one customer: what `tier eval` prints, what `tier run` writes per row,
//! and what `tier explain` walks through.

use crate::source::Span;
use crate::value::Value;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Every named value (inputs, lets, grades, scorecards, relatives, adjustments), in
    /// declaration order.
    pub values: Vec<(Arc<str>, Value)>,
    /// The output grade (`output { grade X }`, else the last grade/adjust declared).
    pub grade: Option<GradeOutcome>,
    /// The output sub-grade (`output { subgrade Y }`), e.g. `A1`.
    pub subgrade: Option<Value>,
    /// The output score (`output { score Z }`, else the first scorecard).
    pub score: Option<Value>,
    /// The output scorecard's components, in declaration order.
    pub components: Vec<ComponentOutcome>,
    /// Every tag whose condition held, in declaration order.
    pub tags: Vec<TagOutcome>,
    pub follow_up: Option<ScheduleOutcome>,
    pub review: Option<ScheduleOutcome>,
    /// The named schedules (`follow_up 致电 by …`, `review 年检 by …`), in declaration order.
    pub schedules: Vec<(Arc<str>, ScheduleOutcome)>,
    /// Step-by-step explanation, in evaluation order.
    pub trace: Vec<TraceStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GradeOutcome {
    /// The grade's declared name (`等级`).
    pub name: Arc<str>,
    /// The label, or `None` when the grade is missing (only with an explicit `missing` arm absent
    /// and an optional input: the evaluator otherwise rejects the row).
    pub label: Option<Arc<str>>,
    pub color: Option<Arc<str>>,
    pub action: Option<Arc<str>>,
    pub owner: Option<Arc<str>>,
    /// In the ruleset's words: `综合得分 70.5 ≥ 60 → B`.
    pub reason: String,
    /// `Some(reason)` when a manual override replaced the computed label.
    pub overridden: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComponentOutcome {
    pub name: Arc<str>,
    /// Points before weighting.
    pub points: Decimal,
    /// `0.3` for 30%; `None` in an unweighted (sum) scorecard.
    pub weight: Option<Decimal>,
    /// `points × weight` (or `points`).
    pub weighted: Decimal,
    /// `回款率 92%: 90%→100% linear → 20 points × 20% = 4`
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagOutcome {
    pub name: Arc<str>,
    pub color: Option<Arc<str>>,
    pub action: Option<Arc<str>>,
    pub owner: Option<Arc<str>>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleOutcome {
    /// The date counted from (last contact / last review); `None` if missing.
    pub last: Option<jiff::civil::Date>,
    /// When the next contact (or review) is due; `None` for a `none` cadence.
    pub next_due: Option<jiff::civil::Date>,
    /// After this date the customer is overdue (`within 48h..72h`: last + 72h).
    pub deadline: Option<jiff::civil::Date>,
    /// `as_of > deadline`.
    pub overdue: bool,
    /// `as_of > last + reassign after`: back to the public pool.
    pub reassign: bool,
    pub reason: String,
}

/// One step of the explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceStep {
    /// The name being computed (`综合得分`, `等级`, `tag 呆滞`).
    pub name: Arc<str>,
    pub value: Value,
    /// Human sentence in the ruleset's words.
    pub explanation: String,
    /// Where in the ruleset.
    pub span: Span,
}

impl Outcome {
    /// The reasons column: the grade's reason, then each tag's, joined with `; `.
    pub fn reasons(&self) -> String {
        // Empty sentences (`--no-reasons` writes none) are left out, not joined as "; ".
        let mut parts: Vec<&str> = Vec::new();
        if let Some(g) = &self.grade {
            parts.push(&g.reason);
        }
        for t in &self.tags {
            parts.push(&t.reason);
        }
        parts.retain(|p| !p.is_empty());
        parts.join("; ")
    }

    /// A named value, if computed.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }
}
