//! What the HTML report (`tier run --report`) and the workbook's summary sheet draw beyond the
//! per-grade counts of the [`Summary`](crate::summary::Summary): the Pareto curve of the
//! revenue with the ruleset's relative cut lines, follow-ups per owner, and the overdue
//! customers.
//!
//! A [`FigureBuilder`] collects them while rows stream by, in memory that does not grow with
//! the file, and merges across workers as the summary's builder does:
//!
//! - the Pareto curve from revenue buckets ([`pareto`]: a few KB, not 8 bytes a row);
//! - customers, overdue and reassign counts per owner (the owners are the ruleset's strings);
//! - the overdue customers: their count, and the first [`OVERDUE_LISTED`] of them in the
//!   report's order (best grade first, then the longest overdue, then the row), each with the
//!   file's first [`ID_COLUMNS`] cells (in a CRM export: the customer's id and name).

pub mod pareto;

use crate::ast::{GradeBody, Item, LitKind, RelMethod};
use crate::data::RawRow;
use crate::outcome::Outcome;
use crate::value::Value;
use crate::Loaded;
use jiff::civil::Date;
use pareto::{ParetoCurve, RevenueBuckets};
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Overdue customers listed in the report; the rest are counted ("N more").
pub const OVERDUE_LISTED: usize = 100;

/// The file's first columns shown for each overdue customer (who it is).
pub const ID_COLUMNS: usize = 2;

/// A listed cell longer than this (in characters) is cut, with `…`.
pub(crate) const CELL_CHARS: usize = 80;

/// What the figures are drawn from, shared by every worker's builder.
#[derive(Debug)]
struct Setup {
    revenue_field: Option<String>,
    /// The ruleset declares owners (on a grade arm or a tag): the figures count per owner.
    owners: Vec<String>,
    as_of: Date,
    follow_up: bool,
    cut_lines: Vec<CutLine>,
    id_columns: Vec<String>,
}

/// One relative grade's cut points, drawn over the Pareto curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CutLine {
    /// The relative's name (`ABC`).
    pub relative: String,
    /// What it ranks customers by, as written in the ruleset (`年度销售额 * 回款率`): not always
    /// the revenue the curve is drawn from.
    pub by: String,
    pub axis: CutAxis,
    /// Each class with a share (not `rest`), in order: (label, cumulative share 0–1).
    pub cuts: Vec<(String, f64)>,
}

/// Which share a relative cuts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutAxis {
    /// `pareto`: the cumulative share of the ranked value (a horizontal line).
    Revenue,
    /// `top`: the share of the customers (a vertical line).
    Customers,
}

/// Counts for one owner (a customer with a grade owner and a tag owner counts for both).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerCount {
    /// The owner as the ruleset names it; empty for the customers no rule gives an owner.
    pub owner: String,
    pub customers: usize,
    pub overdue: usize,
    pub reassign: usize,
}

/// One overdue customer of the report's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueCustomer {
    /// The row number, as in the rejects report.
    pub row: usize,
    /// The file's first [`ID_COLUMNS`] cells, as read (cut at 80 characters).
    pub id: Vec<String>,
    /// The grade's label (empty without one).
    pub grade: String,
    /// The grade's rank, best first (for the order).
    rank: u32,
    /// When the contact was due.
    pub next_due: Option<Date>,
    /// After this date the follow-up is overdue.
    pub deadline: Date,
    /// Days since the deadline (as of the run's date).
    pub days_overdue: i64,
    /// The grade's and the tags' owners, each once.
    pub owners: Vec<String>,
}

impl OverdueCustomer {
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        (self.rank, self.deadline, self.row).cmp(&(other.rank, other.deadline, other.row))
    }
}

/// The figures of a run, once every row is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The revenue's Pareto curve (with `output { revenue X }` and a positive total).
    pub pareto: Option<ParetoCurve>,
    /// The cut points of the ruleset's `pareto` and `top` relatives that rank the whole file
    /// (not `per` group: their cuts apply within each group).
    pub cut_lines: Vec<CutLine>,
    /// The ruleset has a follow-up cadence (overdue counts mean something).
    pub follow_up: bool,
    /// Per owner, in the ruleset's order, those with customers; the customers without an owner
    /// last (owner ""). `None` when the ruleset declares no owner.
    pub owners: Option<Vec<OwnerCount>>,
    /// The first [`OVERDUE_LISTED`] overdue customers: best grade first, then the longest
    /// overdue, then by row.
    pub overdue: Vec<OverdueCustomer>,
    /// Every overdue customer.
    pub overdue_total: usize,
    /// The headers of the [`OverdueCustomer::id`] cells.
    pub id_columns: Vec<String>,
}

/// Collects [`Figures`] while rows stream by; see the module's docs for its memory.
#[derive(Debug)]
pub struct FigureBuilder {
    setup: Arc<Setup>,
    revenue: RevenueBuckets,
    owners: BTreeMap<String, OwnerCount>,
    overdue: Vec<OverdueCustomer>,
    overdue_total: usize,
    /// Once the list is full, its last customer's place: a later one is not kept.
    cutoff: Option<(u32, Date, usize)>,
}

impl FigureBuilder {
    /// For `loaded`'s ruleset over a file with these headers, as of `as_of`.
    pub fn new(loaded: &Loaded, headers: &[String], as_of: Date) -> FigureBuilder {
        let info = loaded.program.output();
        let setup = Setup {
            revenue_field: info.revenue.as_deref().map(str::to_string),
            owners: declared_owners(&loaded.ruleset),
            as_of,
            follow_up: info.has_follow_up,
            cut_lines: cut_lines(loaded),
            id_columns: headers.iter().take(ID_COLUMNS).cloned().collect(),
        };
        FigureBuilder {
            setup: Arc::new(setup),
            revenue: RevenueBuckets::default(),
            owners: BTreeMap::new(),
            overdue: Vec::new(),
            overdue_total: 0,
            cutoff: None,
        }
    }

    /// An empty builder collecting the same figures (for one worker's share of the rows).
    pub fn empty_like(&self) -> FigureBuilder {
        FigureBuilder {
            setup: Arc::clone(&self.setup),
            revenue: RevenueBuckets::default(),
            owners: BTreeMap::new(),
            overdue: Vec::new(),
            overdue_total: 0,
            cutoff: None,
        }
    }

    /// Counts one graded row.
    pub fn add(&mut self, row: &RawRow, outcome: &Outcome) {
        if let Some(field) = &self.setup.revenue_field {
            let revenue = match outcome.value(field) {
                Some(Value::Number(d, _)) => d.to_f64().unwrap_or(0.0),
                _ => 0.0,
            };
            self.revenue.add(revenue);
        }
        let follow_up = outcome.follow_up.as_ref();
        let overdue = follow_up.is_some_and(|f| f.overdue);
        let reassign = follow_up.is_some_and(|f| f.reassign);
        let grade = outcome.grade.as_ref();
        let mut owners: Vec<&str> = Vec::new();
        for o in grade
            .and_then(|g| g.owner.as_deref())
            .into_iter()
            .chain(outcome.tags.iter().filter_map(|t| t.owner.as_deref()))
        {
            if !o.is_empty() && !owners.contains(&o) {
                owners.push(o);
            }
        }
        if !self.setup.owners.is_empty() {
            let none = [""];
            let counted = if owners.is_empty() {
                &none[..]
            } else {
                &owners
            };
            for o in counted {
                // Looked up before allocating the key: most rows find their owner there.
                if !self.owners.contains_key(*o) {
                    self.owners.insert(o.to_string(), OwnerCount::default());
                }
                let Some(c) = self.owners.get_mut(*o) else {
                    continue;
                };
                c.customers += 1;
                c.overdue += overdue as usize;
                c.reassign += reassign as usize;
            }
        }
        let Some(deadline) = follow_up.and_then(|f| f.deadline).filter(|_| overdue) else {
            return;
        };
        self.overdue_total += 1;
        let label = grade.and_then(|g| g.label.as_deref()).unwrap_or("");
        let rank = grade
            .and_then(|g| outcome.value(&g.name))
            .and_then(|v| match v {
                Value::Label(l) if *l.name == *label => Some(l.rank),
                _ => None,
            })
            .unwrap_or(u32::MAX);
        // Past the last of a full list: counted, not kept (and nothing allocated).
        if self
            .cutoff
            .is_some_and(|last| (rank, deadline, row.row) > last)
        {
            return;
        }
        self.overdue.push(OverdueCustomer {
            row: row.row,
            id: row
                .cells
                .iter()
                .take(ID_COLUMNS)
                .map(|c| shorten(&c.to_text(), CELL_CHARS))
                .collect(),
            grade: label.to_string(),
            rank,
            next_due: follow_up.and_then(|f| f.next_due),
            deadline,
            days_overdue: self
                .setup
                .as_of
                .since(deadline)
                .map_or(0, |s| i64::from(s.get_days())),
            owners: owners.iter().map(|o| o.to_string()).collect(),
        });
        if self.overdue.len() >= 2 * OVERDUE_LISTED {
            self.keep_first_overdue();
        }
    }

    fn keep_first_overdue(&mut self) {
        self.overdue.sort_unstable_by(OverdueCustomer::order);
        self.overdue.truncate(OVERDUE_LISTED);
        if self.overdue.len() == OVERDUE_LISTED {
            self.cutoff = self.overdue.last().map(|c| (c.rank, c.deadline, c.row));
        }
    }

    /// Adds the figures of `other` (rows of another worker); any order gives the same figures.
    pub fn merge(&mut self, other: FigureBuilder) {
        self.revenue.merge(other.revenue);
        for (owner, c) in other.owners {
            let mine = self.owners.entry(owner).or_default();
            mine.customers += c.customers;
            mine.overdue += c.overdue;
            mine.reassign += c.reassign;
        }
        self.overdue_total += other.overdue_total;
        self.overdue.extend(other.overdue);
        if self.overdue.len() >= 2 * OVERDUE_LISTED {
            self.keep_first_overdue();
        }
    }

    /// The figures.
    pub fn finish(mut self) -> Figures {
        self.keep_first_overdue();
        let setup = &self.setup;
        let owners = (!setup.owners.is_empty()).then(|| {
            let mut counts: Vec<OwnerCount> = Vec::new();
            for name in setup.owners.iter().map(String::as_str).chain([""]) {
                if let Some(mut c) = self.owners.remove(name) {
                    c.owner = name.to_string();
                    counts.push(c);
                }
            }
            counts
        });
        Figures {
            pareto: self.revenue.curve(),
            cut_lines: setup.cut_lines.clone(),
            follow_up: setup.follow_up,
            owners,
            overdue: self.overdue,
            overdue_total: self.overdue_total,
            id_columns: setup.id_columns.clone(),
        }
    }
}

/// A listed text: at most `max` characters, then `…`.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Every owner a grade arm or a tag names, in declaration order, each once.
fn declared_owners(ruleset: &crate::ast::Ruleset) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    let mut add = |attrs: &crate::ast::Attrs| {
        if let Some(o) = &attrs.owner {
            if !o.value.is_empty() && !owners.contains(&o.value) {
                owners.push(o.value.clone());
            }
        }
    };
    for item in &ruleset.items {
        match item {
            Item::Grade(g) => match &g.body {
                GradeBody::Thresholds { arms, .. } => arms.iter().for_each(|a| add(&a.attrs)),
                GradeBody::Rules { arms } => arms.iter().for_each(|a| add(&a.attrs)),
            },
            Item::Tag(t) => add(&t.attrs),
            _ => {}
        }
    }
    owners
}

/// The cut points of the whole-file `pareto` and `top` relatives.
fn cut_lines(loaded: &Loaded) -> Vec<CutLine> {
    loaded
        .program
        .relatives()
        .iter()
        .filter(|spec| spec.decl.per.is_none())
        .filter_map(|spec| {
            let (axis, cuts) = match &spec.decl.method {
                RelMethod::Pareto(cuts) => (CutAxis::Revenue, cuts),
                RelMethod::Top(cuts) => (CutAxis::Customers, cuts),
                _ => return None,
            };
            let cuts: Vec<(String, f64)> = cuts
                .iter()
                .filter_map(|c| match c.share.as_ref().map(|l| &l.kind) {
                    Some(LitKind::Number { value, .. }) => {
                        Some((c.label.name.clone(), value.to_f64()?.clamp(0.0, 1.0)))
                    }
                    _ => None,
                })
                .collect();
            (!cuts.is_empty()).then(|| CutLine {
                relative: spec.name.to_string(),
                by: loaded.source.slice(spec.decl.input.span).to_string(),
                axis,
                cuts,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Cell;

    const RULESET: &str = r#"
ruleset "figures"
input {
  sales     number
  contacted date?
}
grade level by sales {
  A >= 100  owner "key accounts"
  B >= 10   owner "sales team"
  C otherwise
}
tag big when sales >= 500  owner "key accounts"
follow_up by level from contacted {
  A every 7 days
  B every 1 month
  C every 3 months
}
output { grade level  revenue sales }
"#;

    fn loaded() -> Loaded {
        crate::load(crate::source::SourceFile::new("f.tier", RULESET)).expect("loads")
    }

    /// Row `i`: a sales figure and a last contact that make some customers overdue.
    fn graded(loaded: &Loaded, i: usize, as_of: Date) -> (RawRow, Outcome) {
        let sales = (i * 37 % 700).to_string();
        let day = jiff::civil::date(2026, 1, 1)
            .checked_add(jiff::Span::new().days((i * 13 % 300) as i64))
            .unwrap()
            .to_string();
        let record = loaded
            .program
            .record([("sales", sales.as_str()), ("contacted", day.as_str())])
            .unwrap();
        let outcome = loaded.program.grade(&record, as_of).unwrap();
        let row = RawRow {
            row: i + 2,
            cells: vec![Cell::Text(format!("C{i}")), Cell::Text(sales)],
        };
        (row, outcome)
    }

    #[test]
    fn the_figures_do_not_depend_on_how_rows_are_shared_among_workers() {
        let loaded = loaded();
        let as_of = jiff::civil::date(2026, 11, 23);
        let headers = ["id".to_string(), "sales".to_string(), "x".to_string()];
        let rows: Vec<(RawRow, Outcome)> = (0..700).map(|i| graded(&loaded, i, as_of)).collect();
        let mut whole = FigureBuilder::new(&loaded, &headers, as_of);
        for (row, outcome) in &rows {
            whole.add(row, outcome);
        }
        // Three workers, the last rows first.
        let mut merged = whole.empty_like();
        for part in rows.rchunks(256) {
            let mut worker = merged.empty_like();
            for (row, outcome) in part {
                worker.add(row, outcome);
            }
            merged.merge(worker);
        }
        let (a, b) = (whole.finish(), merged.finish());
        assert_eq!(a, b);

        let overdue = rows
            .iter()
            .filter(|(_, o)| o.follow_up.as_ref().is_some_and(|f| f.overdue))
            .count();
        assert!(overdue > OVERDUE_LISTED, "{overdue}");
        assert_eq!(a.overdue_total, overdue);
        assert_eq!(a.overdue.len(), OVERDUE_LISTED);
        assert_eq!(a.id_columns, ["id", "sales"]);
        // Best grade first, then the longest overdue.
        let order: Vec<(u32, Date)> = a.overdue.iter().map(|c| (c.rank, c.deadline)).collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
        assert_eq!(a.overdue[0].grade, "A");
        assert!(a.overdue.iter().all(|c| c.days_overdue > 0));

        // Owners in the ruleset's order, then the customers without one; a big A customer
        // counts once for "key accounts" (its grade's and its tag's owner).
        let owners = a.owners.expect("the ruleset has owners");
        let names: Vec<&str> = owners.iter().map(|o| o.owner.as_str()).collect();
        assert_eq!(names, ["key accounts", "sales team", ""]);
        let customers: usize = owners.iter().map(|o| o.customers).sum();
        assert_eq!(customers, rows.len());
        let overdue_by_owner: usize = owners.iter().map(|o| o.overdue).sum();
        assert_eq!(overdue_by_owner, overdue);
        assert_eq!(a.pareto.map(|p| p.customers), Some(rows.len()));
    }

    #[test]
    fn long_cells_are_shortened() {
        assert_eq!(shorten("abc", 3), "abc");
        let long = "客".repeat(200);
        assert_eq!(shorten(&long, CELL_CHARS).chars().count(), CELL_CHARS + 1);
        assert!(shorten(&long, CELL_CHARS).ends_with('…'));
    }
}
