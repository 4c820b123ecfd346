//! Grading one data file with two versions of a ruleset, row by row, as `tier run` grades it:
//! the same column mapping, the same whole-file ranking for relative grades, the same rejects.

use super::tally::{Tally, View};
use super::{first_difference, Diff, DiffOptions, RejectChange, Side, VersionInfo};
use crate::batch::{
    cell_text, collect_relative_keys, row_error_for, spool, ColumnMap, ErrorKind, Input, RunError,
};
use crate::data::{self, ReadOptions, RowError, RowSource};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::eval::columns::ClassColumn;
use crate::eval::Program;
use crate::outcome::Outcome;
use crate::value::Value;
use rayon::prelude::*;
use std::path::PathBuf;

pub(super) fn io(d: Diagnostic) -> RunError {
    RunError {
        kind: ErrorKind::Io,
        diagnostics: vec![d],
    }
}

fn failed(diagnostics: Vec<Diagnostic>) -> RunError {
    RunError {
        kind: ErrorKind::Failed,
        diagnostics,
    }
}

/// The data file of a comparison: read once per ranking pass and once for grading.
pub(super) struct DataFile {
    /// A stream copied to a temporary file, removed when the comparison ends.
    _spooled: Option<tempfile::NamedTempFile>,
    path: PathBuf,
    /// The read options of the passes after the first (the encoding it detected).
    again: ReadOptions,
    unread: Option<Box<dyn RowSource>>,
    pub shape: Shape,
}

/// What grading a row needs to know of its file (shared by the worker threads).
pub(super) struct Shape {
    pub name: String,
    pub headers: Vec<String>,
    /// The key column.
    pub key: usize,
}

impl DataFile {
    pub fn open(options: DiffOptions) -> Result<DataFile, RunError> {
        let mut read = options.read;
        let (spooled, path, name) = match options.input {
            Input::Path(path) => {
                let name = path.display().to_string();
                (None, path, name)
            }
            Input::Reader { name, reader } => {
                let tmp = spool(reader, &name, &mut read).map_err(io)?;
                let path = tmp.path().to_path_buf();
                (Some(tmp), path, name)
            }
            Input::EventKeys => {
                return Err(RunError::new(
                    ErrorKind::Usage,
                    vec![Diagnostic::error(
                        Code::UsageEvents,
                        "`tier diff` needs a customer data file",
                    )],
                ))
            }
        };
        let source = data::open(&path, &read).map_err(io)?;
        let mut again = read;
        if again.encoding.is_none() && data::is_encoding_label(source.encoding()) {
            again.encoding = Some(source.encoding().to_string());
            again.encoding_detected = true;
        }
        let headers = source.headers().to_vec();
        let key = match &options.key {
            Some(k) => data::find_column(&headers, &[k.as_str()]).ok_or_else(|| {
                let mut d = Diagnostic::error(
                    Code::DataColumnMissing,
                    format!("{name}: no key column `{k}`"),
                );
                if let Some(s) = diagnostic::suggest(k, headers.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else {
                    d = d.with_help("name the column that identifies a customer with --key");
                }
                failed(vec![d])
            })?,
            None if headers.is_empty() => {
                return Err(failed(vec![Diagnostic::error(
                    Code::DataColumnMissing,
                    format!("{name} has no columns, so no key column"),
                )]))
            }
            None => 0,
        };
        Ok(DataFile {
            _spooled: spooled,
            path,
            again,
            unread: Some(source),
            shape: Shape { name, headers, key },
        })
    }

    /// The rows from the start: the source opened first, then the file read again.
    pub fn rows(&mut self) -> Result<Box<dyn RowSource>, RunError> {
        match self.unread.take() {
            Some(source) => Ok(source),
            None => data::open(&self.path, &self.again).map_err(io),
        }
    }

    /// How `program`'s inputs map onto the columns; `which` names the version in messages.
    pub fn map(
        &self,
        program: &Program,
        which: &str,
    ) -> Result<(ColumnMap, Vec<Diagnostic>), RunError> {
        let note = format!("{which}: {}", program.source.name);
        let noted = |ds: Vec<Diagnostic>| -> Vec<Diagnostic> {
            ds.into_iter().map(|d| d.with_note(note.clone())).collect()
        };
        let (map, warnings) =
            ColumnMap::new(program, &self.shape.headers, Some(&[]), &self.shape.name)
                .map_err(|e| failed(noted(e)))?;
        Ok((map, noted(warnings)))
    }

    /// The relative classes of every row under `program` (none without relatives): the
    /// key-only passes of `tier run`.
    pub fn classes(
        &mut self,
        program: &Program,
        map: &ColumnMap,
        as_of: jiff::civil::Date,
    ) -> Result<Vec<ClassColumn>, RunError> {
        crate::eval::relative::rank_in_rounds(program, |known, round| {
            let source = self.rows()?;
            Ok(collect_relative_keys(
                program,
                map,
                &self.shape.name,
                as_of,
                source,
                known,
                round,
                None,
            ))
        })
    }
}

/// One version, ready to grade the rows of a file.
pub(super) struct Grader<'a> {
    pub program: &'a Program,
    pub map: ColumnMap,
    pub classes: Vec<ClassColumn>,
    pub revenue: Option<String>,
}

/// A graded row: the record and classes (to grade it again with the trace) and the outcome.
pub(super) struct Graded {
    record: Vec<Value>,
    relatives: Vec<Value>,
    pub outcome: Outcome,
}

impl Grader<'_> {
    /// Grades row `i` (its position in the file, for the classes) without the trace.
    pub fn grade(
        &self,
        file: &Shape,
        i: usize,
        row: &data::RawRow,
        as_of: jiff::civil::Date,
    ) -> Result<Graded, Vec<RowError>> {
        let record = self.map.record(&file.name, row)?;
        let relatives: Vec<Value> = self.classes.iter().map(|c| c.get(i)).collect();
        let outcome = self
            .program
            .evaluate_untraced(&record, &relatives, as_of)
            .map_err(|e| {
                vec![row_error_for(
                    self.program,
                    &self.map,
                    &file.headers,
                    &file.name,
                    row,
                    e,
                )]
            })?;
        Ok(Graded {
            record,
            relatives,
            outcome,
        })
    }

    /// The same row graded again, with the full trace.
    pub fn trace(&self, g: &Graded, as_of: jiff::civil::Date) -> Option<Outcome> {
        self.program.evaluate(&g.record, &g.relatives, as_of).ok()
    }

    pub fn view(&self, g: &Graded) -> View {
        View::of(&g.outcome, self.revenue.as_deref())
    }

    pub fn info(&self, as_of: jiff::civil::Date) -> VersionInfo {
        VersionInfo {
            source: self.program.source.name.to_string(),
            ruleset: Some(self.program.name().to_string()),
            version: self.program.version().map(str::to_string),
            as_of: Some(as_of.to_string()),
        }
    }
}

/// The problems of a rejected row, as report entries.
pub(super) fn problems(
    errors: Vec<RowError>,
    key: &str,
    by: Side,
    other_grade: Option<&str>,
) -> Vec<RejectChange> {
    errors
        .into_iter()
        .map(|e| RejectChange {
            row: e.row,
            key: key.to_string(),
            rejected_by: by,
            other_grade: other_grade.map(str::to_string),
            column: e.column,
            value: e.raw,
            reason: e.reason,
        })
        .collect()
}

/// The key of a row: its key cell's text, trimmed.
pub(super) fn key_of(file: &Shape, row: &data::RawRow) -> String {
    row.cells
        .get(file.key)
        .and_then(cell_text)
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

/// `program` ready to grade the rows of `file`: its columns mapped (warnings to `tally`) and its
/// relative classes ranked.
pub(super) fn grader<'a>(
    file: &mut DataFile,
    program: &'a Program,
    which: &str,
    as_of: jiff::civil::Date,
    tally: &mut Tally,
) -> Result<Grader<'a>, RunError> {
    let (map, warnings) = file.map(program, which)?;
    tally.warnings.extend(warnings);
    let classes = file.classes(program, &map, as_of)?;
    Ok(Grader {
        program,
        map,
        classes,
        revenue: program.output().revenue.map(|r| r.to_string()),
    })
}

/// One row graded by both versions.
struct Both {
    row: usize,
    key: String,
    old: Result<View, Vec<RowError>>,
    new: Result<View, Vec<RowError>>,
    step: Option<super::StepChange>,
}

/// `tier diff` reads no event files yet: a ruleset that folds events would be compared as if
/// every customer had none, so it is refused (`tier::usage::events`) rather than misreported.
pub(crate) fn no_events(programs: &[&Program]) -> Result<(), RunError> {
    if programs.iter().any(|p| p.has_aggregates()) {
        return Err(RunError::new(
            ErrorKind::Usage,
            vec![Diagnostic::error(
                Code::UsageEvents,
                "`tier diff` cannot read event files yet, and this ruleset folds `events`",
            )
            .with_help(
                "compare the two versions' `tier run … --events NAME=FILE` outputs instead",
            )],
        ));
    }
    Ok(())
}

/// Grades the data file of `options` with `old` and `new` and compares them row by row (see
/// the [module](super) documentation). Fails, as `tier run` would, when the file cannot be
/// read or lacks a column a version requires (the diagnostics say which version); rows either
/// version rejects are in the report.
pub fn compare(old: &Program, new: &Program, options: DiffOptions) -> Result<Diff, RunError> {
    no_events(&[old, new])?;
    let as_of = options.as_of;
    let mut file = DataFile::open(options)?;
    let mut tally = Tally::default();
    let old_g = grader(&mut file, old, "the old ruleset", as_of, &mut tally)?;
    let new_g = grader(&mut file, new, "the new ruleset", as_of, &mut tally)?;
    let tag_names =
        |p: &Program| -> Vec<String> { p.output().tags.iter().map(|t| t.to_string()).collect() };
    tally.order_tags(tag_names(new));
    tally.order_tags(tag_names(old));

    let mut rows = crate::batch::Chunks::new(file.rows()?);
    let shape = &file.shape;
    // None: the reader could not make a row of it, so both versions reject it.
    let grade_row = |(i, item): &(usize, Result<data::RawRow, RowError>)| -> Option<Both> {
        let row = item.as_ref().ok()?;
        let with_view = |g: &Grader, graded: Graded| {
            let view = g.view(&graded);
            (graded, view)
        };
        let o = old_g
            .grade(shape, *i, row, as_of)
            .map(|g| with_view(&old_g, g));
        let n = new_g
            .grade(shape, *i, row, as_of)
            .map(|g| with_view(&new_g, g));
        let step = match (&o, &n) {
            (Ok((og, ov)), Ok((ng, nv))) if ov.changed(nv) => {
                match (old_g.trace(og, as_of), new_g.trace(ng, as_of)) {
                    (Some(a), Some(b)) => first_difference(&a, &b),
                    _ => None,
                }
            }
            _ => None,
        };
        Some(Both {
            row: row.row,
            key: key_of(shape, row),
            old: o.map(|(_, v)| v),
            new: n.map(|(_, v)| v),
            step,
        })
    };

    let mut read = 0usize;
    for chunk in rows.by_ref() {
        read += chunk.len();
        let graded: Vec<Option<Both>> = chunk.par_iter().map(grade_row).collect();
        for r in graded {
            let Some(Both {
                row,
                key,
                old,
                new,
                step,
            }) = r
            else {
                tally.rows.rejected_both += 1;
                continue;
            };
            match (old, new) {
                (Ok(o), Ok(n)) => {
                    tally.graded(Side::Old, &o);
                    tally.graded(Side::New, &n);
                    tally.pair(row, &key, &o, &n, step);
                }
                (Ok(o), Err(e)) => {
                    tally.graded(Side::Old, &o);
                    tally.rows.rejected_new_only += 1;
                    tally.reject(problems(e, &key, Side::New, Some(&o.grade)));
                }
                (Err(e), Ok(n)) => {
                    tally.graded(Side::New, &n);
                    tally.rows.rejected_old_only += 1;
                    tally.reject(problems(e, &key, Side::Old, Some(&n.grade)));
                }
                (Err(_), Err(_)) => tally.rows.rejected_both += 1,
            }
        }
    }
    let source = rows.source;
    if let Some(stopped) = source.stopped() {
        return Err(io(stopped.clone()));
    }
    tally.rows.skipped = source.skipped_blank();
    tally.rows.read = read + tally.rows.skipped;
    let name = |p: &Program| p.output().grade.map(|g| g.to_string());
    let revenue = new_g.revenue.clone().or_else(|| old_g.revenue.clone());
    Ok(tally.finish(
        (old_g.info(as_of), new_g.info(as_of)),
        shape.name.clone(),
        shape.headers[shape.key].clone(),
        name(new).or_else(|| name(old)),
        revenue,
    ))
}
