//! `tier diff`: what changes when the rules change. The same data file graded by two versions of
//! a ruleset ([`compare`]), or by a ruleset against a file graded earlier by `tier run`
//! ([`compare_against`]), reduced to a [`Diff`]:
//!
//! - the **migration matrix**: old grade × new grade, customers and revenue (the new ruleset's
//!   `output { revenue X }`, else the old one's; without either the matrix counts customers only);
//! - the **changed customers**: those whose grade or tags differ, each with its key, old → new
//!   grade, the tags gained and lost, and the first step of the explanation that differs
//!   ([`first_difference`]: the first named value whose value or explanation is not the same);
//! - the **tags**: customers per tag under each version, and how many gained or lost it;
//! - the **follow-up workload**: contacts due per ISO week (from the next follow-up dates) under
//!   each version, and per owner when there are owners (a customer counts once for each distinct
//!   owner of its grade and tags, as the graded file's owner column lists them);
//! - the **rejects**: every row one version rejects and the other grades, listed (never
//!   dropped); rows both reject are counted.
//!
//! A customer is a row of the data file. Both versions grade the same rows, so they are paired
//! by position; the **key** (`DiffOptions::key`, by default the file's first column) names a
//! customer in the report. Against a graded file, rows are paired by the key instead: a key in
//! the data and not in the graded file is a new customer, one only in the graded file vanished.
//!
//! Memory: one row per *changed* customer and per reject; everything else is counts. Relative
//! grades (Pareto, quantiles) rank the whole file first, for each version, exactly as `tier run`
//! does ([`crate::eval::relative::rank_in_rounds`] over key-only passes of the file).
//!
//! The library computes; the `tier` binary renders the terminal table, and [`mod@write`] writes the
//! report as CSV (the changed customers), JSON (everything) or XLSX (one sheet per part).

mod against;
mod grade;
mod tally;
pub mod write;

pub use against::compare_against;
pub use grade::compare;

use crate::batch::Input;
use crate::data::ReadOptions;
use crate::diagnostic::Diagnostic;
use crate::outcome::{Outcome, TraceStep};
use crate::value::Unit;
use rust_decimal::Decimal;
use serde::Serialize;

/// The class of a customer with no grade label (a grade left missing).
pub const UNGRADED: &str = "(none)";

/// Everything a comparison needs besides the rulesets.
pub struct DiffOptions {
    /// The data file (a stream is spooled to a temporary file: it is read more than once).
    pub input: Input,
    /// How to read it: format, encoding, delimiter, sheet (all detected when `None`).
    pub read: ReadOptions,
    /// The evaluation date of the new grading (and of the old one, for two rulesets).
    pub as_of: jiff::civil::Date,
    /// The column naming a customer (matched as inputs are); `None`: the data file's first.
    pub key: Option<String>,
}

impl DiffOptions {
    /// Comparing over the file at `path` as of `as_of`, keyed by its first column.
    pub fn new(path: impl Into<std::path::PathBuf>, as_of: jiff::civil::Date) -> DiffOptions {
        DiffOptions {
            input: Input::Path(path.into()),
            read: ReadOptions::default(),
            as_of,
            key: None,
        }
    }
}

/// Which side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// The report of a comparison. Serialized (JSON) with these field names.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: VersionInfo,
    pub new: VersionInfo,
    /// The data file.
    pub input: String,
    /// The key column's header.
    pub key: String,
    /// The new ruleset's output grade's name (else the old one's).
    pub grade_name: Option<String>,
    /// The revenue value summed in the matrix, if either ruleset names one.
    pub revenue_field: Option<String>,
    /// The revenue of the compared customers.
    pub revenue_total: Option<Decimal>,
    pub rows: RowCounts,
    /// Compared customers whose grade changed.
    pub moved: usize,
    /// Revenue of the customers who moved, and its share of [`Diff::revenue_total`].
    pub moved_revenue: Option<Decimal>,
    pub moved_revenue_share: Option<Decimal>,
    pub matrix: Matrix,
    /// Customers per grade under each version (every row that version graded).
    pub grades: Vec<GradeShift>,
    /// Compared customers whose grade or tags changed, in file order.
    pub changed: Vec<Changed>,
    /// Every tag of either version: new's declaration order, then old's own.
    pub tags: Vec<TagShift>,
    pub workload: Workload,
    /// Rows one version rejects and the other grades: one entry per problem of the row.
    /// Against a graded file: every row the ruleset rejects (the earlier rejects are unknown).
    pub rejects: Vec<RejectChange>,
    /// Against a graded file: customers in the data, not in the graded file.
    pub new_customers: Vec<Customer>,
    /// Against a graded file: customers in the graded file, not in the data.
    pub vanished: Vec<Customer>,
    /// The revenue field's unit, for display.
    #[serde(skip)]
    pub revenue_unit: Unit,
    /// Warnings: optional inputs without a column, duplicate keys, unreadable graded rows.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// Where it came from: the ruleset's file (`x.tier`, `x.tier@HEAD~1`) or the graded file.
    pub source: String,
    /// The ruleset's name and version (none for a graded file).
    pub ruleset: Option<String>,
    pub version: Option<String>,
    /// The evaluation date (a graded file's own `as_of` column, when it has one).
    pub as_of: Option<String>,
}

/// How the rows of the data file were accounted for: `read = compared + rejected_old_only +
/// rejected_new_only + rejected_both + skipped` (+ `new_customers` against a graded file).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RowCounts {
    pub read: usize,
    /// Graded by both versions (against a graded file: graded now and found in it).
    pub compared: usize,
    pub rejected_old_only: usize,
    pub rejected_new_only: usize,
    pub rejected_both: usize,
    /// Blank rows.
    pub skipped: usize,
    /// Against a graded file: graded now, with a key the graded file lacks.
    pub new_customers: usize,
    /// Against a graded file: its rows whose key the data lacks.
    pub vanished: usize,
}

/// The migration matrix over the compared customers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Matrix {
    /// The old grades, best first ([`UNGRADED`] last).
    pub old: Vec<String>,
    /// The new grades, best first.
    pub new: Vec<String>,
    /// The cells holding customers, row by row.
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixCell {
    pub old: String,
    pub new: String,
    pub customers: usize,
    /// Share of the compared customers, 0–1, 4 decimals.
    pub share: Decimal,
    pub revenue: Option<Decimal>,
    /// Share of [`Diff::revenue_total`], 0–1, 4 decimals.
    pub revenue_share: Option<Decimal>,
}

/// One grade's customers under each version.
#[derive(Debug, Clone, Serialize)]
pub struct GradeShift {
    pub grade: String,
    pub old: usize,
    pub new: usize,
}

/// A compared customer whose grade or tags changed.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// The data file's row number.
    pub row: usize,
    /// The key column's value.
    pub key: String,
    pub old_grade: String,
    pub new_grade: String,
    pub tags_gained: Vec<String>,
    pub tags_lost: Vec<String>,
    /// The first step of the explanation that differs (against a graded file: the grade, with
    /// the graded file's reasons).
    pub step: Option<StepChange>,
}

impl Changed {
    /// Whether the grade changed (not only the tags).
    pub fn moved(&self) -> bool {
        self.old_grade != self.new_grade
    }
}

/// A named value computed differently by the two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepChange {
    /// The step's name (`综合得分.回款率`, `等级`, `tag 劣化`, `follow_up`).
    pub name: String,
    /// The value under each version; `None` when the version has no such step.
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// The explanation under each version, in the ruleset's words.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One tag under each version.
#[derive(Debug, Clone, Serialize)]
pub struct TagShift {
    pub tag: String,
    /// Customers holding it (every row the version graded).
    pub old: usize,
    pub new: usize,
    /// Compared customers who hold it now and did not, and the reverse.
    pub gained: usize,
    pub lost: usize,
}

/// Contacts due, under each version.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Workload {
    /// Per ISO week of the next follow-up date (`2026-W48`), in order.
    pub weeks: Vec<WeekLoad>,
    /// Per owner and week, when either version assigns owners; in owner order.
    pub owners: Vec<OwnerLoad>,
    /// Customers whose follow-up is overdue.
    pub old_overdue: usize,
    pub new_overdue: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekLoad {
    pub week: String,
    pub old: usize,
    pub new: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerLoad {
    /// The owner; empty for customers with a follow-up and no owner.
    pub owner: String,
    pub week: String,
    pub old: usize,
    pub new: usize,
}

/// A problem of a row one version rejects.
#[derive(Debug, Clone, Serialize)]
pub struct RejectChange {
    pub row: usize,
    /// The key column's value (empty when the row could not be read at all).
    pub key: String,
    pub rejected_by: Side,
    /// The grade the other version gave (against a graded file: the graded file's, if the key
    /// is in it).
    pub other_grade: Option<String>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// A customer on one side only (against a graded file).
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    /// Its row in the data file (new customers) or in the graded file (vanished ones).
    pub row: usize,
    pub key: String,
    pub grade: String,
}

/// The first step of the explanation that differs between two gradings of one customer: the
/// first named value, in the new version's order of evaluation, whose value or explanation is
/// not the same in the old one (or that the old one lacks); then the first of the old
/// version's that the new one lacks. `None` when the traces are the same (or empty: an outcome
/// graded without its trace).
pub fn first_difference(old: &Outcome, new: &Outcome) -> Option<StepChange> {
    let find = |trace: &[TraceStep], name: &str| -> Option<usize> {
        trace.iter().position(|s| *s.name == *name)
    };
    for step in &new.trace {
        match find(&old.trace, &step.name).map(|i| &old.trace[i]) {
            Some(before)
                if before.value == step.value && before.explanation == step.explanation => {}
            before => {
                return Some(StepChange {
                    name: step.name.to_string(),
                    old_value: before.map(|b| b.value.to_string()),
                    new_value: Some(step.value.to_string()),
                    old: before.map(|b| b.explanation.clone()),
                    new: Some(step.explanation.clone()),
                })
            }
        }
    }
    old.trace
        .iter()
        .find(|s| find(&new.trace, &s.name).is_none())
        .map(|gone| StepChange {
            name: gone.name.to_string(),
            old_value: Some(gone.value.to_string()),
            new_value: None,
            old: Some(gone.explanation.clone()),
            new: None,
        })
}
