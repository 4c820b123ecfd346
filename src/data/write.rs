//! Graded files out: CSV, XLSX, JSON, NDJSON, or a table on the terminal.
//!
//! Columns, in order. Named values are headed by their names; the other columns by fixed
//! words in the output's language ([`OutputColumns::lang`], [`FixedWords`]: Chinese / English):
//!
//! | header | content |
//! |---|---|
//! | the kept input columns | as read |
//! | the grade's name | the grade label |
//! | the sub-grade's name | the sub-grade (if the ruleset has one) |
//! | the score's name (the scorecard's) | the score, a plain decimal (if the ruleset has one) |
//! | `<score>.<component>` | each component's points, a plain decimal |
//! | each of [`OutputColumns::values`] | that named value: a relative grade, another grade, a `let` |
//! | `标签` / `tags` | tags, joined with `、` |
//! | `下次跟进`, `逾期`, `转公海` / `next_follow_up`, `overdue`, `reassign` | next follow-up date, overdue and reassign as 是/否 / yes/no (with `follow_up`) |
//! | `复评日期` / `next_review` | next review date (with `review`) |
//! | `<name>.下次跟进`, `<name>.逾期`, `<name>.转公海` (a review: `<name>.复评日期`) | each named schedule's (`follow_up 致电 by …`) |
//! | `行动` / `action` | the grade's action, then the tags' actions, joined with `；` |
//! | `负责人` / `owner` | the grade's owner, then the tags' owners, joined with `、` |
//! | `原因` / `reasons` | the reasons in the ruleset's words ([`Outcome::reasons`]) |
//! | `评估日期` / `as_of` | the as-of date (when [`OutputColumns::as_of`] is set) |
//!
//! Input columns are never renamed: a result column named like a kept input column is written
//! as `tier:<name>` (see [`OutputColumns::headers`]), and `tier run` warns about it.
//!
//! Numbers are written as plain decimals (`70.5`, money in 元) so a spreadsheet can compute with
//! them; dates are ISO (`2026-11-23`) or real dates in XLSX. JSON writes booleans for the yes/no
//! columns, exact decimal numbers, and `null` for anything empty.
//!
//! Regular files are written atomically: into a temporary file beside the target, renamed over
//! it by [`RowSink::finish`]. A sink dropped without `finish` (an error, Ctrl-C unwinding) leaves
//! the target untouched. Symbolic links are followed, devices and FIFOs are written through
//! (see [`Destination`]).

mod html;
mod rejects;
mod table;
mod target;
mod words;
mod xlsx;
mod xlsx_figures;
mod xlsx_summary;

pub use html::{
    render_diff_report, render_report, write_diff_report, write_report, DIFF_LISTED, REJECTS_LISTED,
};
pub use rejects::write_rejects;
pub(crate) use target::Target;
pub use target::{
    note_stdout_error, remove_temporary_files, same_file, stale_temporaries, stdout_closed,
    Destination, StaleTemporary,
};
pub use words::{DiffReportWords, FixedWords, ReportWords};

use super::Cell;
use super::RowError;
use crate::diagnostic::{Code, Diagnostic};
use crate::figures::Figures;
use crate::outcome::Outcome;
use crate::summary::Summary;
use crate::value::Value;
use rust_decimal::Decimal;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The format of an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Comma-separated, UTF-8 (optionally with a BOM).
    Csv,
    /// An Excel workbook with one sheet, `分级结果` / `graded` ([`FixedWords::graded_sheet`]).
    Xlsx,
    /// One array of objects.
    Json,
    /// One object per line.
    Ndjson,
    /// A table for people on a terminal (buffered: printed when complete).
    Table,
}

impl OutputFormat {
    /// From a file extension: `.csv`, `.xlsx`, `.json`, `.ndjson`/`.jsonl`, `.txt` (a table).
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => OutputFormat::Csv,
            "xlsx" => OutputFormat::Xlsx,
            "json" => OutputFormat::Json,
            "ndjson" | "jsonl" => OutputFormat::Ndjson,
            "txt" => OutputFormat::Table,
            _ => return None,
        })
    }

    /// From a name given on the command line (`csv`, `xlsx`, `json`, `ndjson`, `table`).
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        match name.to_ascii_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            other => OutputFormat::from_path(Path::new(&format!("x.{other}"))),
        }
    }
}

/// Which result columns to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputColumns {
    /// Input columns copied to the output, in this order (headers as in the input file).
    pub keep: Vec<String>,
    /// Score components, one `<score>.<name>` column each.
    pub components: Vec<String>,
    /// The sub-grade's name, when the ruleset has one: its column's header (the fixed word when
    /// empty).
    pub subgrade: Option<String>,
    /// The score's name (its scorecard's), when the ruleset has one: its column's header and
    /// the components' prefix (the fixed word when empty).
    pub score: Option<String>,
    /// Write the follow-up columns (next follow-up, overdue, reassign).
    pub follow_up: bool,
    /// Write the next review date.
    pub review: bool,
    /// Named schedules (`follow_up 致电 by …`), each with columns of its own headed
    /// `致电.下次跟进`, `致电.逾期`, `致电.转公海` (a review: `年检.复评日期`): name, and whether
    /// it is a review. Their cells come from [`Outcome::schedules`] by name.
    pub schedules: Vec<(String, bool)>,
    /// Header of the grade column (the grade's declared name); the fixed word when empty.
    pub grade_name: String,
    /// Other named values written as columns of their own, headed by their names, after the
    /// score components: relative grades (`贡献`), per-dimension grades, any `let`
    /// ([`Outcome::value`]; a name the outcome lacks gives an empty cell).
    pub values: Vec<String>,
    /// The evaluation date, written as a last column so every output names it.
    pub as_of: Option<jiff::civil::Date>,
    /// The language of the fixed headers and of the booleans ([`FixedWords`]).
    pub lang: crate::eval::words::Lang,
}

impl OutputColumns {
    /// All headers, in output order.
    ///
    /// Input columns keep their names, always. A result column named like a kept input column
    /// (an export with its own `负责人` or `owner`, or re-grading a file tier wrote, which already
    /// has the grade's column) is written as `tier:负责人` (then `tier:负责人2`, ...), so every header is
    /// unique and JSON keys do not collide; [`OutputColumns::renamed_results`] lists them for a
    /// warning.
    pub fn headers(&self) -> Vec<String> {
        let mut h: Vec<String> = self.keep.clone();
        h.extend(self.renamed().into_iter().map(|(_, new)| new));
        h
    }

    /// The result columns whose header clashes with a kept input column: (name, written as).
    pub fn renamed_results(&self) -> Vec<(String, String)> {
        self.renamed()
            .into_iter()
            .filter(|(old, new)| old != new)
            .collect()
    }

    /// Every result header with the name it is written under.
    fn renamed(&self) -> Vec<(String, String)> {
        let results = self.result_headers();
        let mut taken: Vec<String> = self.keep.clone();
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            let mut name = r.clone();
            if taken.contains(&name) {
                name = format!("tier:{r}");
                let mut n = 2;
                while taken.contains(&name) {
                    name = format!("tier:{r}{n}");
                    n += 1;
                }
            }
            taken.push(name.clone());
            out.push((r, name));
        }
        out
    }

    /// The fixed words of [`OutputColumns::lang`].
    pub fn words(&self) -> &'static FixedWords {
        FixedWords::of(self.lang)
    }

    /// The result columns' headers, in order.
    fn result_headers(&self) -> Vec<String> {
        let w = self.words();
        let named =
            |name: &str, fixed: &str| if name.is_empty() { fixed } else { name }.to_string();
        let mut h = vec![self.grade_header()];
        if let Some(s) = &self.subgrade {
            h.push(named(s, w.subgrade));
        }
        // The components are prefixed with the score's header.
        let score = named(self.score.as_deref().unwrap_or(""), w.score);
        if self.score.is_some() {
            h.push(score.clone());
        }
        h.extend(self.components.iter().map(|c| format!("{score}.{c}")));
        h.extend(self.shown_values().cloned());
        h.push(w.tags.into());
        if self.follow_up {
            h.extend([w.next_due, w.overdue, w.reassign].map(String::from));
        }
        if self.review {
            h.push(w.review_due.into());
        }
        for (name, is_review) in &self.schedules {
            if *is_review {
                h.push(format!("{name}.{}", w.review_due));
            } else {
                h.extend([w.next_due, w.overdue, w.reassign].map(|x| format!("{name}.{x}")));
            }
        }
        h.extend([w.action, w.owner, w.reasons].map(String::from));
        if self.as_of.is_some() {
            h.push(w.as_of.into());
        }
        h
    }

    /// The extra values that get a column: not the grade itself (a Pareto class may be the
    /// output grade), each once.
    fn shown_values(&self) -> impl Iterator<Item = &String> {
        let grade = self.grade_header();
        self.values
            .iter()
            .enumerate()
            .filter(move |(i, v)| **v != grade && !self.values[..*i].contains(v))
            .map(|(_, v)| v)
    }

    fn grade_header(&self) -> String {
        if self.grade_name.is_empty() {
            self.words().grade.to_string()
        } else {
            self.grade_name.clone()
        }
    }

    /// Index of the grade column among [`OutputColumns::headers`].
    pub(crate) fn grade_index(&self) -> usize {
        self.keep.len()
    }
}

/// Options for writing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Start a CSV file with a UTF-8 BOM, so that Excel opens it as UTF-8 rather than GBK.
    pub bom: bool,
    /// Write CSV cells exactly as they are, without [`formula_safe`] (`--raw-csv`).
    pub raw_csv: bool,
    /// The language of the rejects report's headers and sheet ([`FixedWords`]).
    pub lang: crate::eval::words::Lang,
}

/// A CSV cell as a spreadsheet will not run it as a formula (OWASP, "CSV Injection"): text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, except a
/// plain number (`-12.5`, `+3`, `-1,234.50`, `-12%`) and a lone `-` (an empty marker). CSV
/// has no types, so Excel, LibreOffice and Google Sheets evaluate `=HYPERLINK(...)` or
/// `@SUM(...)` typed into any cell of a CRM; the `'` shows, and the cell stays text.
pub fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = text.bytes().next() else {
        return text.into();
    };
    if !matches!(first, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') || text == "-" {
        return text.into();
    }
    if matches!(first, b'+' | b'-') && is_plain_number(&text[1..]) {
        return text.into();
    }
    format!("'{text}").into()
}

/// A CSV cell's text: as it is with `--raw-csv`, else [`formula_safe`].
pub(crate) fn csv_text(raw: bool, text: &str) -> std::borrow::Cow<'_, str> {
    if raw {
        text.into()
    } else {
        formula_safe(text)
    }
}

/// Digits with optional thousands commas, an optional fraction and an optional `%`.
fn is_plain_number(s: &str) -> bool {
    let s = s.strip_suffix('%').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit() || b == b',')
        && int.as_bytes()[0].is_ascii_digit();
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    int_ok && frac_ok
}

/// Where graded rows go. A sink is written by one thread at a time, but may be moved to a
/// writer thread (`Send`).
pub trait RowSink: Send {
    /// Writes one row: the kept input cells (in [`OutputColumns::keep`] order) and the outcome.
    fn write_row(&mut self, kept: &[Cell], outcome: &Outcome) -> Result<(), Diagnostic>;
    /// For formats whose rows are independent lines (CSV, NDJSON): a renderer that turns rows
    /// into bytes on any thread, so that `tier run` renders in parallel and the sink only
    /// appends the bytes in order ([`RowSink::write_rendered`]). `None`: use `write_row`.
    fn renderer(&self) -> Option<Renderer> {
        None
    }
    /// Appends `rows` rows rendered by this sink's [`Renderer`].
    fn write_rendered(&mut self, bytes: &[u8], rows: usize) -> Result<(), Diagnostic> {
        let _ = (bytes, rows);
        Err(Diagnostic::error(
            Code::DataWrite,
            "internal: this output format has no row renderer",
        ))
    }
    /// Problems that did not stop the output (an XLSX cell cut to Excel's limit), as warnings
    /// to report once the output is complete.
    fn warnings(&self) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// The run's summary, given once every row is written and before [`RowSink::finish`]; the
    /// rejected rows, when no other file takes them (no `--rejects`); and the figures beyond
    /// the summary (the Pareto curve, owners). A workbook adds a summary sheet with charts, and
    /// a rejects sheet; other formats ignore them.
    fn summarize(
        &mut self,
        summary: &Summary,
        rejects: Option<&[RowError]>,
        figures: Option<&Figures>,
    ) {
        let _ = (summary, rejects, figures);
    }
    /// Completes the output: flushes, and for a file renames the temporary file over the target.
    fn finish(self: Box<Self>) -> Result<(), Diagnostic>;
}

/// Creates a sink writing `columns` in `format` to `path` (`None`: stdout).
pub fn create_sink(
    path: Option<&Path>,
    format: OutputFormat,
    columns: &OutputColumns,
    opts: &WriteOptions,
) -> Result<Box<dyn RowSink>, Diagnostic> {
    let target = Target::new(path)?;
    if format == OutputFormat::Xlsx && matches!(target, Target::Stdout(_)) {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            return Err(Diagnostic::error(
                Code::DataWrite,
                "refusing to write a spreadsheet to the terminal",
            )
            .with_help("name an output file (e.g. -o 分级结果.xlsx), or choose another format"));
        }
    }
    let headers = columns.headers();
    Ok(match format {
        OutputFormat::Csv => Box::new(CsvSink::new(target, columns.clone(), &headers, opts)?),
        OutputFormat::Json => Box::new(JsonSink::new(target, columns.clone(), headers, false)),
        OutputFormat::Ndjson => Box::new(JsonSink::new(target, columns.clone(), headers, true)),
        OutputFormat::Xlsx => Box::new(xlsx::XlsxSink::new(target, columns.clone(), headers)?),
        OutputFormat::Table => Box::new(table::TableSink::new(target, columns.clone(), headers)),
    })
}

// ---------------------------------------------------------------------------------------------
// Result values, shared by every format
// ---------------------------------------------------------------------------------------------

/// One output cell, before a format renders it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Empty,
    Text(String),
    /// An exact decimal (score, points).
    Number(Decimal),
    Date(jiff::civil::Date),
    /// Yes/no in the output's language, 是/否 or yes/no (JSON: true/false).
    YesNo(bool),
    /// A kept input cell, as read.
    Kept(Cell),
}

impl Out {
    /// The text form, as CSV and the table write it.
    pub(crate) fn text(&self, words: &FixedWords) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(t) => t.clone(),
            Out::Number(d) => d.normalize().to_string(),
            Out::Date(d) => d.to_string(),
            Out::YesNo(b) => words.yes_no(*b).to_string(),
            Out::Kept(c) => c.to_text(),
        }
    }
}

/// Decimal places of computed numbers in output columns. Grades were decided on the exact
/// values; a ratio like 1/3 is shown as 0.3333, not with 28 digits.
pub const OUTPUT_DECIMALS: u32 = 4;

/// A computed number as written: at most [`OUTPUT_DECIMALS`] places, half away from zero.
pub(crate) fn shown(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(
        OUTPUT_DECIMALS,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    )
    .normalize()
}

/// Joins non-empty, distinct parts in order.
fn join_distinct<'a>(parts: impl Iterator<Item = &'a str>, sep: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for p in parts {
        if !p.is_empty() && !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.join(sep)
}

/// One output cell, borrowed from the outcome where it can be.
pub(crate) enum OutRef<'a> {
    Empty,
    Str(&'a str),
    Owned(String),
    Number(Decimal),
    Date(jiff::civil::Date),
    YesNo(bool),
    Kept(&'a Cell),
}

impl OutRef<'_> {
    fn to_out(&self) -> Out {
        match self {
            OutRef::Empty => Out::Empty,
            OutRef::Str(s) => Out::Text(s.to_string()),
            OutRef::Owned(s) => Out::Text(s.clone()),
            OutRef::Number(d) => Out::Number(*d),
            OutRef::Date(d) => Out::Date(*d),
            OutRef::YesNo(b) => Out::YesNo(*b),
            OutRef::Kept(c) => Out::Kept((*c).clone()),
        }
    }
}

fn value_ref(v: Option<&Value>) -> OutRef<'_> {
    match v {
        None | Some(Value::Missing) => OutRef::Empty,
        Some(Value::Number(d, _)) => OutRef::Number(shown(*d)),
        Some(Value::Date(d)) => OutRef::Date(*d),
        Some(Value::Bool(b)) => OutRef::YesNo(*b),
        Some(Value::Text(t)) => OutRef::Str(t),
        Some(Value::Label(l)) => OutRef::Str(&l.name),
        Some(other) => OutRef::Owned(other.to_string()),
    }
}

/// Calls `emit` with the row's cells in output order, matching [`OutputColumns::headers`];
/// `shown` is [`OutputColumns::shown_values`], computed once per file.
pub(crate) fn each_cell<'a>(
    columns: &OutputColumns,
    shown_values: &[String],
    kept: &'a [Cell],
    o: &'a Outcome,
    mut emit: impl FnMut(OutRef<'a>),
) {
    for i in 0..columns.keep.len() {
        emit(match kept.get(i) {
            None | Some(Cell::Empty) => OutRef::Empty,
            Some(c) => OutRef::Kept(c),
        });
    }
    let grade = o.grade.as_ref();
    emit(match grade.and_then(|g| g.label.as_deref()) {
        Some(l) => OutRef::Str(l),
        None => OutRef::Empty,
    });
    if columns.subgrade.is_some() {
        emit(value_ref(o.subgrade.as_ref()));
    }
    if columns.score.is_some() {
        emit(value_ref(o.score.as_ref()));
    }
    for c in &columns.components {
        emit(match o.components.iter().find(|k| &*k.name == c.as_str()) {
            Some(k) => OutRef::Number(shown(k.points)),
            None => OutRef::Empty,
        });
    }
    for v in shown_values {
        emit(value_ref(o.value(v)));
    }
    emit(OutRef::Owned(join_distinct(
        o.tags.iter().map(|t| &*t.name),
        "、",
    )));
    if columns.follow_up {
        let f = o.follow_up.as_ref();
        emit(
            f.and_then(|f| f.next_due)
                .map_or(OutRef::Empty, OutRef::Date),
        );
        emit(f.map_or(OutRef::Empty, |f| OutRef::YesNo(f.overdue)));
        emit(f.map_or(OutRef::Empty, |f| OutRef::YesNo(f.reassign)));
    }
    if columns.review {
        let r = o.review.as_ref();
        emit(
            r.and_then(|r| r.next_due)
                .map_or(OutRef::Empty, OutRef::Date),
        );
    }
    for (name, is_review) in &columns.schedules {
        let s = o
            .schedules
            .iter()
            .find(|(n, _)| **n == **name)
            .map(|(_, s)| s);
        emit(
            s.and_then(|s| s.next_due)
                .map_or(OutRef::Empty, OutRef::Date),
        );
        if !is_review {
            emit(s.map_or(OutRef::Empty, |s| OutRef::YesNo(s.overdue)));
            emit(s.map_or(OutRef::Empty, |s| OutRef::YesNo(s.reassign)));
        }
    }
    let actions = grade
        .and_then(|g| g.action.as_deref())
        .into_iter()
        .chain(o.tags.iter().filter_map(|t| t.action.as_deref()));
    emit(OutRef::Owned(join_distinct(actions, "；")));
    let owners = grade
        .and_then(|g| g.owner.as_deref())
        .into_iter()
        .chain(o.tags.iter().filter_map(|t| t.owner.as_deref()));
    emit(OutRef::Owned(join_distinct(owners, "、")));
    emit(OutRef::Owned(o.reasons()));
    if let Some(d) = columns.as_of {
        emit(OutRef::Date(d));
    }
}

/// The row's cells in output order, matching [`OutputColumns::headers`].
pub(crate) fn row_values(columns: &OutputColumns, kept: &[Cell], o: &Outcome) -> Vec<Out> {
    let shown_values: Vec<String> = columns.shown_values().cloned().collect();
    let mut row = Vec::new();
    each_cell(columns, &shown_values, kept, o, |c| row.push(c.to_out()));
    row
}

// ---------------------------------------------------------------------------------------------
// Targets: atomic files and stdout
// ---------------------------------------------------------------------------------------------

pub(crate) fn write_error(path: &Path, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        Code::DataWrite,
        format!("cannot write {}: {e}", path.display()),
    )
}

/// Flushes a buffered target and commits it.
fn commit_buffered(w: BufWriter<Target>) -> Result<(), Diagnostic> {
    let name = w.get_ref().name();
    let target = w
        .into_inner()
        .map_err(|e| write_error(Path::new(&name), e.error()))?;
    target.commit()
}

// ---------------------------------------------------------------------------------------------
// Rendering rows to bytes on worker threads (CSV, NDJSON)
// ---------------------------------------------------------------------------------------------

/// Renders graded rows to the bytes a CSV or NDJSON sink would write, on any thread. The bytes
/// are the same as [`RowSink::write_row`] writes, row for row (tests/integration/cli.rs compares both).
#[derive(Debug, Clone)]
pub struct Renderer {
    columns: OutputColumns,
    /// [`OutputColumns::shown_values`], once.
    shown: Vec<String>,
    kind: RenderKind,
}

impl Renderer {
    fn new(columns: OutputColumns, kind: RenderKind) -> Self {
        Renderer {
            shown: columns.shown_values().cloned().collect(),
            columns,
            kind,
        }
    }
}

#[derive(Debug, Clone)]
enum RenderKind {
    /// `raw`: cells as they are (`--raw-csv`), else through [`formula_safe`].
    Csv {
        raw: bool,
    },
    Ndjson {
        headers: Vec<String>,
    },
}

impl Renderer {
    /// Renders rows, in order, appending to `out`.
    pub fn render<'a>(
        &self,
        rows: impl IntoIterator<Item = (&'a [Cell], &'a Outcome)>,
        out: &mut Vec<u8>,
    ) {
        match &self.kind {
            RenderKind::Csv { raw } => {
                let raw = *raw;
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .buffer_capacity(1 << 14)
                    .from_writer(out);
                let mut text = String::new();
                for (kept, outcome) in rows {
                    each_cell(&self.columns, &self.shown, kept, outcome, |cell| {
                        // Writing to memory cannot fail.
                        let _ = match cell {
                            OutRef::Empty => w.write_field(b""),
                            OutRef::Str(s) => w.write_field(csv_text(raw, s).as_bytes()),
                            OutRef::Owned(s) => w.write_field(csv_text(raw, &s).as_bytes()),
                            OutRef::YesNo(b) => w.write_field(self.columns.words().yes_no(b)),
                            OutRef::Kept(Cell::Text(t)) => {
                                w.write_field(csv_text(raw, t).as_bytes())
                            }
                            other => {
                                use std::fmt::Write as _;
                                text.clear();
                                let _ = match other {
                                    OutRef::Number(d) => write!(text, "{}", d.normalize()),
                                    OutRef::Date(d) => write!(text, "{d}"),
                                    OutRef::Kept(c) => write!(text, "{}", c.to_text()),
                                    _ => Ok(()),
                                };
                                w.write_field(&text)
                            }
                        };
                    });
                    let _ = w.write_record(None::<&[u8]>);
                }
                let _ = w.flush();
            }
            RenderKind::Ndjson { headers } => {
                for (kept, outcome) in rows {
                    let values = row_values(&self.columns, kept, outcome);
                    out.extend_from_slice(json_object(headers, &values).as_bytes());
                    out.push(b'\n');
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

struct CsvSink {
    out: BufWriter<Target>,
    renderer: Renderer,
    name: String,
    scratch: Vec<u8>,
}

impl CsvSink {
    fn new(
        target: Target,
        columns: OutputColumns,
        headers: &[String],
        opts: &WriteOptions,
    ) -> Result<Self, Diagnostic> {
        let name = target.name();
        let mut out = BufWriter::with_capacity(1 << 16, target);
        if opts.bom {
            out.write_all(b"\xEF\xBB\xBF")
                .map_err(|e| write_error(Path::new(&name), &e))?;
        }
        let mut writer = csv::WriterBuilder::new().from_writer(&mut out);
        writer
            .write_record(headers.iter().map(|h| {
                if opts.raw_csv {
                    h.as_str().into()
                } else {
                    formula_safe(h)
                }
                .into_owned()
            }))
            .map_err(|e| write_error(Path::new(&name), &e))?;
        writer
            .flush()
            .map_err(|e| write_error(Path::new(&name), &e))?;
        drop(writer);
        Ok(CsvSink {
            out,
            renderer: Renderer::new(columns, RenderKind::Csv { raw: opts.raw_csv }),
            name,
            scratch: Vec::new(),
        })
    }
}

impl RowSink for CsvSink {
    fn write_row(&mut self, kept: &[Cell], outcome: &Outcome) -> Result<(), Diagnostic> {
        self.scratch.clear();
        self.renderer.render([(kept, outcome)], &mut self.scratch);
        self.out
            .write_all(&self.scratch)
            .map_err(|e| write_error(Path::new(&self.name), &e))
    }

    fn renderer(&self) -> Option<Renderer> {
        Some(self.renderer.clone())
    }

    fn write_rendered(&mut self, bytes: &[u8], _rows: usize) -> Result<(), Diagnostic> {
        self.out
            .write_all(bytes)
            .map_err(|e| write_error(Path::new(&self.name), &e))
    }

    fn finish(self: Box<Self>) -> Result<(), Diagnostic> {
        commit_buffered(self.out)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON
// ---------------------------------------------------------------------------------------------

struct JsonSink {
    out: BufWriter<Target>,
    columns: OutputColumns,
    headers: Vec<String>,
    name: String,
    lines: bool,
    rows: usize,
}

impl JsonSink {
    fn new(target: Target, columns: OutputColumns, headers: Vec<String>, lines: bool) -> Self {
        JsonSink {
            name: target.name(),
            out: BufWriter::with_capacity(1 << 16, target),
            columns,
            headers,
            lines,
            rows: 0,
        }
    }
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A JSON value for one output cell; decimals are written as their exact text.
fn json_value(v: &Out) -> String {
    match v {
        Out::Empty => "null".into(),
        // No tags, no action: absent, as an empty cell is.
        Out::Text(t) if t.is_empty() => "null".into(),
        Out::Text(t) => json_str(t),
        Out::Number(d) => d.normalize().to_string(),
        Out::Date(d) => json_str(&d.to_string()),
        Out::YesNo(b) => b.to_string(),
        Out::Kept(c) => match c {
            Cell::Empty => "null".into(),
            Cell::Text(t) => json_str(t),
            Cell::Number(f) if f.is_finite() => format!("{f}"),
            Cell::Number(_) => "null".into(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => json_str(&d.to_string()),
        },
    }
}

/// One JSON object of a row.
pub(crate) fn json_object(headers: &[String], values: &[Out]) -> String {
    let mut s = String::from("{");
    for (i, (h, v)) in headers.iter().zip(values).enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&json_str(h));
        s.push(':');
        s.push_str(&json_value(v));
    }
    s.push('}');
    s
}

impl RowSink for JsonSink {
    fn write_row(&mut self, kept: &[Cell], outcome: &Outcome) -> Result<(), Diagnostic> {
        let values = row_values(&self.columns, kept, outcome);
        let obj = json_object(&self.headers, &values);
        let sep = match (self.lines, self.rows) {
            (true, _) => "",
            (false, 0) => "[\n",
            (false, _) => ",\n",
        };
        self.rows += 1;
        let tail = if self.lines { "\n" } else { "" };
        write!(self.out, "{sep}{obj}{tail}").map_err(|e| write_error(Path::new(&self.name), &e))
    }

    fn renderer(&self) -> Option<Renderer> {
        // A JSON array needs separators between rows: only NDJSON renders line by line.
        self.lines.then(|| {
            Renderer::new(
                self.columns.clone(),
                RenderKind::Ndjson {
                    headers: self.headers.clone(),
                },
            )
        })
    }

    fn write_rendered(&mut self, bytes: &[u8], rows: usize) -> Result<(), Diagnostic> {
        self.rows += rows;
        self.out
            .write_all(bytes)
            .map_err(|e| write_error(Path::new(&self.name), &e))
    }

    fn finish(mut self: Box<Self>) -> Result<(), Diagnostic> {
        if !self.lines {
            let end = if self.rows == 0 { "[]\n" } else { "\n]\n" };
            self.out
                .write_all(end.as_bytes())
                .map_err(|e| write_error(Path::new(&self.name), &e))?;
        }
        commit_buffered(self.out)
    }
}

/// Writes a whole file atomically (a temporary file beside it, then rename), with the same
/// permissions rule as the graded output: the run summary, a formatted ruleset.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let mut target = Target::new(Some(path))?;
    target.write_all(bytes).map_err(|e| write_error(path, &e))?;
    target.commit()
}
