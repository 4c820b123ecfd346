//! The run summary: rows in = rows graded + rows rejected + rows skipped (blank, listed by row
//! number), customers and revenue per grade (the Pareto check), overdue and reassign counts.
//! Printed on screen and written as JSON.

use crate::data::RowError;
use crate::outcome::Outcome;
use crate::value::{format_number, Value};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts for one grade label.
#[derive(Debug, Clone, Serialize)]
pub struct GradeCount {
    pub label: String,
    pub customers: usize,
    /// Share of graded customers, 0–1, rounded to 4 decimals.
    pub share: Decimal,
    /// Sum of the revenue field (元 for money), when the ruleset names one.
    pub revenue: Option<Decimal>,
    /// Share of the total revenue, 0–1, rounded to 4 decimals.
    pub revenue_share: Option<Decimal>,
    /// Customers of this grade whose follow-up is overdue (0 without a follow-up).
    pub overdue: usize,
    /// Customers of this grade to hand back to the public pool (0 without a follow-up).
    pub reassign: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub ruleset: String,
    pub version: Option<String>,
    pub as_of: String,
    pub input: String,
    /// Every row of the file: `rows_graded + rows_rejected + rows_skipped`.
    pub rows_read: usize,
    pub rows_graded: usize,
    pub rows_rejected: usize,
    /// Blank rows (no cell filled), neither graded nor rejected.
    pub rows_skipped: usize,
    /// The skipped rows' numbers, the first [`SKIPPED_LISTED`](crate::data::SKIPPED_LISTED).
    pub skipped_rows: Vec<usize>,
    pub grade_name: Option<String>,
    pub grades: Vec<GradeCount>,
    pub revenue_field: Option<String>,
    pub revenue_total: Option<Decimal>,
    pub overdue: usize,
    pub reassign: usize,
    pub review_overdue: usize,
    /// Customers per tag, in the ruleset's declaration order (a JSON object in that order).
    #[serde(serialize_with = "ordered_map")]
    pub tags: Vec<(String, usize)>,
    /// Problems found in the rejected rows: one per bad cell, so possibly more than the rows.
    /// Rejected events (`tier run --events`) are listed too, under their own file.
    pub rejects: Vec<RejectSummary>,
    /// Each event file read (`tier run --events`): events read and rejected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<crate::batch::EventsRead>,
    /// The revenue field's unit, for display.
    #[serde(skip)]
    pub revenue_unit: crate::value::Unit,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectSummary {
    pub file: String,
    pub row: usize,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl From<&RowError> for RejectSummary {
    fn from(e: &RowError) -> Self {
        RejectSummary {
            file: e.file.clone(),
            row: e.row,
            column: e.column.clone(),
            value: e.raw.clone(),
            reason: e.reason.clone(),
        }
    }
}

/// One grade label's counts: its rank (the lowest seen), customers, revenue, follow-ups.
#[derive(Debug, Clone, Copy)]
struct Tally {
    rank: u32,
    customers: usize,
    revenue: Decimal,
    overdue: usize,
    reassign: usize,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            rank: u32::MAX,
            customers: 0,
            revenue: Decimal::ZERO,
            overdue: 0,
            reassign: 0,
        }
    }
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.rank = self.rank.min(other.rank);
        self.customers += other.customers;
        // Saturating: revenue cells near the decimals' limit must not panic the run.
        self.revenue = self.revenue.saturating_add(other.revenue);
        self.overdue += other.overdue;
        self.reassign += other.reassign;
    }
}

/// Accumulates a summary while rows stream by; memory is per grade label, not per row.
#[derive(Debug, Default)]
pub struct SummaryBuilder {
    revenue_field: Option<String>,
    grade_name: Option<String>,
    /// label → counts
    grades: BTreeMap<String, Tally>,
    ungraded: Tally,
    revenue_unit: Option<crate::value::Unit>,
    rows_graded: usize,
    overdue: usize,
    reassign: usize,
    review_overdue: usize,
    tags: BTreeMap<String, usize>,
    /// Tag names in declaration order ([`SummaryBuilder::order_tags`]).
    tag_order: Vec<String>,
}

impl SummaryBuilder {
    pub fn new(grade_name: Option<String>, revenue_field: Option<String>) -> Self {
        SummaryBuilder {
            grade_name,
            revenue_field,
            ..Default::default()
        }
    }

    pub fn add(&mut self, outcome: &Outcome) {
        self.rows_graded += 1;
        let revenue = self
            .revenue_field
            .as_deref()
            .and_then(|f| outcome.value(f))
            .and_then(|v| match v {
                Value::Number(d, u) => {
                    self.revenue_unit.get_or_insert(*u);
                    // Without trailing zeros: a computed revenue's places are the evaluator's
                    // (the column engine keeps its column's scale, the interpreter the cells'),
                    // and the summary must not depend on which one graded the row.
                    Some(d.normalize())
                }
                _ => None,
            })
            .unwrap_or_default();
        let (overdue, reassign) = outcome
            .follow_up
            .as_ref()
            .map_or((0, 0), |f| (f.overdue as usize, f.reassign as usize));
        self.overdue += overdue;
        self.reassign += reassign;
        let mut tally = Tally {
            rank: u32::MAX,
            customers: 1,
            revenue,
            overdue,
            reassign,
        };
        match outcome.grade.as_ref().and_then(|g| g.label.clone()) {
            Some(label) => {
                tally.rank = outcome
                    .grade
                    .as_ref()
                    .and_then(|g| outcome.value(&g.name))
                    .and_then(|v| match v {
                        Value::Label(l) if l.name == label => Some(l.rank),
                        _ => None,
                    })
                    .unwrap_or(u32::MAX);
                self.grades
                    .entry(label.to_string())
                    .or_default()
                    .merge(tally);
            }
            None => self.ungraded.merge(tally),
        }
        if let Some(r) = &outcome.review {
            self.review_overdue += r.overdue as usize;
        }
        for t in &outcome.tags {
            *self.tags.entry(t.name.to_string()).or_default() += 1;
        }
    }

    /// Lists tags in this order (the ruleset's declaration order) rather than by name.
    pub fn order_tags(mut self, names: Vec<String>) -> Self {
        self.tag_order = names;
        self
    }

    /// An empty builder counting the same things (for one worker's share of the rows).
    pub fn empty_like(&self) -> Self {
        SummaryBuilder::new(self.grade_name.clone(), self.revenue_field.clone())
    }

    /// Adds the counts of `other` (rows graded by another worker). Merging in any order gives
    /// the same summary as adding every row to one builder.
    pub fn merge(&mut self, other: SummaryBuilder) {
        self.rows_graded += other.rows_graded;
        self.ungraded.merge(other.ungraded);
        self.overdue += other.overdue;
        self.reassign += other.reassign;
        self.review_overdue += other.review_overdue;
        if self.revenue_unit.is_none() {
            self.revenue_unit = other.revenue_unit;
        }
        for (label, tally) in other.grades {
            self.grades.entry(label).or_default().merge(tally);
        }
        for (tag, n) in other.tags {
            *self.tags.entry(tag).or_default() += n;
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn finish(
        self,
        ruleset: &str,
        version: Option<&str>,
        as_of: jiff::civil::Date,
        input: &str,
        rows_read: usize,
        rows_rejected: usize,
        skipped_rows: (usize, &[usize]),
        rejects: &[RowError],
    ) -> Summary {
        let graded = self.rows_graded;
        let total_revenue: Decimal = self
            .grades
            .values()
            .fold(Decimal::ZERO, |t, g| t.saturating_add(g.revenue));
        let share = |n: Decimal, d: Decimal| {
            // A quotient beyond the decimals' range (revenues near their limit that nearly
            // cancel) has no meaningful share: 0 rather than a panic.
            n.checked_div(d)
                .map(|q| q.round_dp(4))
                .unwrap_or(Decimal::ZERO)
        };
        let mut grades: Vec<(String, Tally)> = self.grades.into_iter().collect();
        grades.sort_by(|a, b| a.1.rank.cmp(&b.1.rank).then_with(|| a.0.cmp(&b.0)));
        let has_revenue = self.revenue_field.is_some();
        let mut counts: Vec<GradeCount> = grades
            .into_iter()
            .map(|(label, t)| GradeCount {
                label,
                customers: t.customers,
                share: share(Decimal::from(t.customers), Decimal::from(graded)),
                revenue: has_revenue.then_some(t.revenue),
                revenue_share: has_revenue.then(|| share(t.revenue, total_revenue)),
                overdue: t.overdue,
                reassign: t.reassign,
            })
            .collect();
        let none = self.ungraded;
        if none.customers > 0 {
            counts.push(GradeCount {
                label: "(none)".into(),
                customers: none.customers,
                share: share(Decimal::from(none.customers), Decimal::from(graded)),
                revenue: None,
                revenue_share: None,
                overdue: none.overdue,
                reassign: none.reassign,
            });
        }
        Summary {
            ruleset: ruleset.to_string(),
            version: version.map(str::to_string),
            as_of: as_of.to_string(),
            input: input.to_string(),
            rows_read,
            rows_graded: graded,
            rows_rejected,
            rows_skipped: skipped_rows.0,
            skipped_rows: skipped_rows.1.to_vec(),
            grade_name: self.grade_name,
            grades: counts,
            revenue_field: self.revenue_field,
            revenue_total: has_revenue.then_some(total_revenue),
            overdue: self.overdue,
            reassign: self.reassign,
            review_overdue: self.review_overdue,
            tags: {
                let position = |t: &String| {
                    self.tag_order
                        .iter()
                        .position(|o| o == t)
                        .unwrap_or(usize::MAX)
                };
                let mut tags: Vec<(String, usize)> = self.tags.into_iter().collect();
                // Stable: tags the order does not know stay by name, after the others.
                tags.sort_by_key(|(t, _)| position(t));
                tags
            },
            rejects: rejects.iter().map(RejectSummary::from).collect(),
            events: Vec::new(),
            revenue_unit: self.revenue_unit.unwrap_or_default(),
        }
    }
}

/// A share (0–1) as the summary prints it: `79.8%`, one decimal, half to even.
pub(crate) fn pct(d: Decimal) -> String {
    format!("{:.1}%", (d * Decimal::ONE_HUNDRED).round_dp(1))
}

impl Summary {
    /// The on-screen form.
    pub fn render(&self) -> String {
        let revenue_unit = self.revenue_unit;
        use std::fmt::Write;
        let mut out = String::new();
        let version = self
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{} · as of {} · {}",
            self.ruleset, version, self.as_of, self.input
        );
        let skipped = match self.rows_skipped {
            0 => String::new(),
            n => format!(" + {n} skipped"),
        };
        let _ = writeln!(
            out,
            "rows: {} read = {} graded + {} rejected{skipped}",
            self.rows_read, self.rows_graded, self.rows_rejected
        );
        for e in &self.events {
            let _ = writeln!(
                out,
                "events {} ({}): {} read = {} folded + {} rejected",
                e.events,
                e.file,
                e.rows_read,
                e.rows_read - e.rows_rejected,
                e.rows_rejected
            );
        }
        if self.rows_skipped > 0 {
            let n = self.rows_skipped;
            let shown: Vec<String> = self
                .skipped_rows
                .iter()
                .take(10)
                .map(usize::to_string)
                .collect();
            let more = match n.saturating_sub(shown.len()) {
                0 => String::new(),
                m => format!(", … and {m} more"),
            };
            let (s, rows) = if n == 1 { ("", "row") } else { ("s", "rows") };
            let _ = writeln!(
                out,
                "{n} blank row{s} skipped ({rows} {}{more})",
                shown.join(", ")
            );
        }
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING);
        let mut header = vec![
            self.grade_name.clone().unwrap_or_else(|| "grade".into()),
            "customers".into(),
            "share".into(),
        ];
        if let Some(f) = &self.revenue_field {
            header.push(f.clone());
            header.push("share".into());
        }
        table.set_header(header);
        for g in &self.grades {
            let mut row = vec![g.label.clone(), g.customers.to_string(), pct(g.share)];
            if let (Some(r), Some(s)) = (g.revenue, g.revenue_share) {
                row.push(format_number(r, revenue_unit));
                row.push(pct(s));
            }
            table.add_row(row);
        }
        let _ = writeln!(out, "{table}");
        let _ = writeln!(
            out,
            "follow-up: {} overdue, {} to reassign{}",
            self.overdue,
            self.reassign,
            if self.review_overdue > 0 {
                format!(", {} reviews overdue", self.review_overdue)
            } else {
                String::new()
            }
        );
        if !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|(t, n)| format!("{t} {n}")).collect();
            let _ = writeln!(out, "tags: {}", tags.join(", "));
        }
        if !self.rejects.is_empty() {
            let _ = writeln!(out, "rejected rows:");
            for r in self.rejects.iter().take(10) {
                let col = r
                    .column
                    .as_deref()
                    .map(|c| format!(", column {c}"))
                    .unwrap_or_default();
                let val = r
                    .value
                    .as_deref()
                    .map(|v| format!(" `{v}`"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}:{}{col}{val}: {}", r.file, r.row, r.reason);
            }
            if self.rejects.len() > 10 {
                let _ = writeln!(
                    out,
                    "  … and {} more (write them all with --rejects FILE)",
                    self.rejects.len() - 10
                );
            }
        }
        out
    }
}

/// Serializes `(key, value)` pairs as a JSON object, keeping their order.
fn ordered_map<S: serde::Serializer>(pairs: &[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}
