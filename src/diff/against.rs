//! Comparing against a file graded earlier by `tier run` (CSV, XLSX, JSON): its grade, tags,
//! next follow-up, overdue, owner and reasons columns are read back (headed in either language,
//! `tier:`-prefixed ones first), and its rows matched to the data's by the key column.

use super::grade::{grader, io, key_of, problems, DataFile};
use super::tally::{Tally, View};
use super::{Customer, Diff, DiffOptions, Side, StepChange, VersionInfo, UNGRADED};
use crate::batch::{cell_text, ErrorKind, RunError};
use crate::data::write::FixedWords;
use crate::data::{self, Cell, ReadOptions, RowError};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::words::Lang;
use crate::eval::Program;
use rayon::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::path::Path;

fn zh() -> &'static FixedWords {
    FixedWords::of(Lang::Zh)
}

fn en() -> &'static FixedWords {
    FixedWords::of(Lang::En)
}

/// A customer of the graded file.
struct Prev {
    row: usize,
    key: String,
    view: View,
    reasons: Option<String>,
}

/// The graded file, read whole (a few strings per customer).
struct Previous {
    rows: Vec<Prev>,
    /// Key → the rows holding it, in file order (a duplicate key pairs in order).
    by_key: HashMap<String, VecDeque<usize>>,
    matched: Vec<bool>,
    as_of: Option<String>,
}

impl Previous {
    /// The next graded row with this key, marked as matched.
    fn take(&mut self, key: &str) -> Option<&Prev> {
        let i = self.by_key.get_mut(key)?.pop_front()?;
        self.matched[i] = true;
        Some(&self.rows[i])
    }
}

/// A result column of a graded file: `tier:NAME` (tier's, when an input column took NAME),
/// else NAME, for each of `names` in turn.
fn result_column(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| data::find_column(headers, &[&format!("tier:{n}")]))
        .or_else(|| data::find_column(headers, names))
}

fn text(cell: Option<&Cell>) -> Option<String> {
    cell.and_then(cell_text)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn list(cell: Option<&Cell>) -> Vec<String> {
    text(cell)
        .map(|t| {
            t.split('、')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn date(cell: Option<&Cell>) -> Option<jiff::civil::Date> {
    match cell? {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => data::excel_serial_to_date(*n).ok(),
        other => cell_text(other)?.trim().parse().ok(),
    }
}

fn yes(cell: Option<&Cell>) -> bool {
    match cell {
        Some(Cell::Bool(b)) => *b,
        c => text(c).is_some_and(|t| [zh().yes, en().yes, "true", "TRUE"].contains(&t.as_str())),
    }
}

/// Reads the graded file: the key column is `key` (the data's), the grade column is headed by
/// `grade` (the ruleset's grade name) or the fixed word.
fn read_previous(
    path: &Path,
    key: &str,
    grade: Option<&str>,
    tally: &mut Tally,
) -> Result<Previous, RunError> {
    let source = data::open(path, &ReadOptions::default()).map_err(io)?;
    let name = source.source_name().to_string();
    let headers = source.headers().to_vec();
    let missing = |what: String, help: &str| RunError {
        kind: ErrorKind::Failed,
        diagnostics: vec![
            Diagnostic::error(Code::DataColumnMissing, format!("{name}: {what}")).with_help(help),
        ],
    };
    let key_col = data::find_column(&headers, &[key]).ok_or_else(|| {
        missing(
            format!("no key column `{key}`, so its customers cannot be matched"),
            "tier run keeps every input column unless --keep leaves it out; name another key \
             column with --key",
        )
    })?;
    let grade_names: Vec<&str> = match grade {
        Some(g) => vec![g],
        None => vec![zh().grade, en().grade],
    };
    let grade_col = result_column(&headers, &grade_names).ok_or_else(|| {
        missing(
            format!(
                "no grade column `{}`: is it a file graded by `tier run` with this ruleset?",
                grade_names[0]
            ),
            "--against takes a graded file (CSV, XLSX, JSON) that tier run wrote; its grade \
             column is named after the ruleset's grade",
        )
    })?;
    let col = |w: fn(&FixedWords) -> &'static str| result_column(&headers, &[w(zh()), w(en())]);
    let (tags, due, overdue, owner, reasons, as_of) = (
        col(|w| w.tags),
        col(|w| w.next_due),
        col(|w| w.overdue),
        col(|w| w.owner),
        col(|w| w.reasons),
        col(|w| w.as_of),
    );
    let mut prev = Previous {
        rows: Vec::new(),
        by_key: HashMap::new(),
        matched: Vec::new(),
        as_of: None,
    };
    let (mut unreadable, mut duplicates) = (Vec::new(), Vec::new());
    for item in source {
        let row = match item {
            Ok(row) => row,
            Err(e) => {
                unreadable.push(e.row);
                continue;
            }
        };
        let cell = |c: Option<usize>| c.and_then(|c| row.cells.get(c));
        let key = text(cell(Some(key_col))).unwrap_or_default();
        if prev.as_of.is_none() {
            prev.as_of = text(cell(as_of));
        }
        let view = View {
            grade: text(cell(Some(grade_col))).unwrap_or_else(|| UNGRADED.to_string()),
            rank: u32::MAX,
            tags: list(cell(tags)),
            next_due: date(cell(due)),
            overdue: yes(cell(overdue)),
            owners: list(cell(owner)),
            revenue: None,
        };
        tally.graded(Side::Old, &view);
        let rows = prev.by_key.entry(key.clone()).or_default();
        if !rows.is_empty() {
            duplicates.push(key.clone());
        }
        rows.push_back(prev.rows.len());
        prev.rows.push(Prev {
            row: row.row,
            key,
            view,
            reasons: text(cell(reasons)),
        });
        prev.matched.push(false);
    }
    if !unreadable.is_empty() {
        tally.warnings.push(Diagnostic::warning(
            Code::DataRead,
            format!(
                "{name}: {} rows could not be read and are left out of the comparison (rows {})",
                unreadable.len(),
                shortlist(unreadable.iter().map(usize::to_string))
            ),
        ));
    }
    if !duplicates.is_empty() {
        tally.warnings.push(
            Diagnostic::warning(
                Code::DiffDuplicateKey,
                format!(
                    "{name}: {} rows repeat a key of an earlier row ({}); they are matched to \
                     the data's rows with that key in order",
                    duplicates.len(),
                    shortlist(duplicates.into_iter())
                ),
            )
            .with_help("choose a column that names each customer once with --key"),
        );
    }
    Ok(prev)
}

/// What a graded file says of a customer's grading: its reasons column.
struct Reasons {
    grade: Option<String>,
    all: String,
}

impl Reasons {
    fn of(outcome: &crate::outcome::Outcome) -> Reasons {
        Reasons {
            grade: outcome.grade.as_ref().map(|g| g.reason.clone()),
            all: outcome.reasons(),
        }
    }

    /// The step shown for a changed customer: without the trace of the earlier grading, the
    /// grade with its reason (the reasons column's first part, where `tier run` writes it) when
    /// the grade moved, else the reasons column whole (the tags' reasons follow the grade's).
    fn step(self, prev: &Prev, now: &View, grade: Option<&str>) -> StepChange {
        if prev.view.grade != now.grade {
            StepChange {
                name: grade.unwrap_or(en().grade).to_string(),
                old_value: Some(prev.view.grade.clone()),
                new_value: Some(now.grade.clone()),
                old: prev
                    .reasons
                    .as_deref()
                    .map(|r| r.split("; ").next().unwrap_or(r).to_string()),
                new: self.grade,
            }
        } else {
            StepChange {
                name: en().reasons.to_string(),
                old_value: Some(prev.view.tags.join("、")),
                new_value: Some(now.tags.join("、")),
                old: prev.reasons.clone(),
                new: Some(self.all),
            }
        }
    }
}

/// The first few items, joined, with how many more.
fn shortlist(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    let mut shown = all.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > 5 {
        shown.push_str(&format!(", … {} more", all.len() - 5));
    }
    shown
}

/// Grades the data file of `options` with `program` and compares it with `graded`, a file
/// `tier run` graded earlier, matching customers by the key column (which both files must
/// have). The graded file's rejects are unknown, so every row the ruleset rejects now is listed;
/// customers only in the data are new, those only in the graded file vanished.
pub fn compare_against(
    graded: &Path,
    program: &Program,
    options: DiffOptions,
) -> Result<Diff, RunError> {
    super::grade::no_events(&[program])?;
    let as_of = options.as_of;
    let mut file = DataFile::open(options)?;
    let mut tally = Tally::default();
    let new_g = grader(&mut file, program, "the ruleset", as_of, &mut tally)?;
    tally.order_tags(
        program
            .output()
            .tags
            .iter()
            .map(|t| t.to_string())
            .collect(),
    );
    let key_name = file.shape.headers[file.shape.key].clone();
    let grade_name = program.output().grade.map(|g| g.to_string());
    let mut prev = read_previous(graded, &key_name, grade_name.as_deref(), &mut tally)?;

    let mut rows = crate::batch::Chunks::new(file.rows()?);
    let file = &file.shape;
    let mut read = 0usize;
    for chunk in rows.by_ref() {
        read += chunk.len();
        // (row, key: none for a row the reader could not make out, the view and reasons)
        type Graded = (
            usize,
            Option<String>,
            Result<(View, Reasons), Vec<RowError>>,
        );
        let graded: Vec<Graded> = chunk
            .par_iter()
            .map(|(i, item)| match item {
                Err(e) => (e.row, None, Err(vec![e.clone()])),
                Ok(row) => (
                    row.row,
                    Some(key_of(file, row)),
                    new_g
                        .grade(file, *i, row, as_of)
                        .map(|g| (new_g.view(&g), Reasons::of(&g.outcome))),
                ),
            })
            .collect();
        for (row, key, result) in graded {
            let before = key.as_deref().and_then(|k| prev.take(k));
            let key = key.unwrap_or_default();
            match result {
                Ok((view, reasons)) => {
                    tally.graded(Side::New, &view);
                    match before {
                        Some(p) => {
                            let step = p
                                .view
                                .changed(&view)
                                .then(|| reasons.step(p, &view, grade_name.as_deref()));
                            let old = p.view.clone();
                            tally.pair(row, &key, &old, &view, step);
                        }
                        None => tally.new_customer(Customer {
                            row,
                            key,
                            grade: view.grade,
                        }),
                    }
                }
                Err(e) => {
                    tally.rows.rejected_new_only += 1;
                    let other = before.map(|p| p.view.grade.clone());
                    tally.reject(problems(e, &key, Side::New, other.as_deref()));
                }
            }
        }
    }
    let source = rows.source;
    if let Some(stopped) = source.stopped() {
        return Err(io(stopped.clone()));
    }
    tally.rows.skipped = source.skipped_blank();
    tally.rows.read = read + tally.rows.skipped;
    for (p, matched) in prev.rows.iter().zip(&prev.matched) {
        if !matched {
            tally.vanished(Customer {
                row: p.row,
                key: p.key.clone(),
                grade: p.view.grade.clone(),
            });
        }
    }
    let old = VersionInfo {
        source: graded.display().to_string(),
        ruleset: None,
        version: None,
        as_of: prev.as_of.clone(),
    };
    let revenue = new_g.revenue.clone();
    Ok(tally.finish(
        (old, new_g.info(as_of)),
        file.name.clone(),
        key_name,
        grade_name,
        revenue,
    ))
}
