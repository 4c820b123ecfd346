//! The plain options of a file run, and what it returns.

use crate::data::{OutputFormat, ReadOptions, RowError};
use crate::diagnostic::Diagnostic;
use crate::eval::words::Lang;
use crate::summary::Summary;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the data comes from.
pub enum Input {
    /// A file (CSV, XLSX, JSON, NDJSON; the format from [`ReadOptions::format`] or the
    /// extension).
    Path(PathBuf),
    /// A stream (standard input, a socket, ...), copied to a temporary file first so that it can
    /// be read twice (relative grading) and its format sniffed. `name` is how messages and the
    /// summary call it (`<stdin>`).
    Reader {
        name: String,
        reader: Box<dyn Read + Send>,
    },
    /// No customer file: the customers are the distinct keys of the event files
    /// ([`RunOptions::events`]), each graded on its events alone.
    EventKeys,
}

/// Whether a CSV output starts with a UTF-8 BOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bom {
    /// Files do, standard output does not (`tier run`'s default): Excel reads a CSV without one
    /// as the system's code page (GBK in China), while programs reading a pipe do not expect one.
    #[default]
    Files,
    /// Files and standard output (`--bom`).
    Always,
    /// Never (`--no-bom`).
    Never,
}

/// Everything a file run needs besides the ruleset.
pub struct RunOptions {
    /// The data.
    pub input: Input,
    /// How to read it: format, encoding, delimiter, sheet (all detected when `None`).
    pub read: ReadOptions,
    /// The graded file; `None` (or `-`) writes to standard output.
    pub output: Option<PathBuf>,
    /// The graded file's format.
    pub output_format: OutputFormat,
    /// The evaluation date.
    pub as_of: jiff::civil::Date,
    /// Event files (`--events 订单=orders.csv`): the name of an `events` declaration and the
    /// file of its rows (any format and encoding the customer file may have, detected).
    pub events: Vec<(String, PathBuf)>,
    /// Input columns copied to the output (matched as inputs are); `None` keeps all.
    pub keep: Option<Vec<String>>,
    /// UTF-8 BOM on CSV outputs (graded and rejects).
    pub bom: Bom,
    /// Write CSV cells as they are, without the `'` that keeps a spreadsheet from running text
    /// starting with = + - @ as a formula.
    pub raw_csv: bool,
    /// Where to write the rejected rows (.csv, .xlsx, .json, .ndjson), if anywhere.
    pub rejects: Option<PathBuf>,
    /// More rejected rows than this fails the run: no graded file is written.
    pub max_rejects: Option<usize>,
    /// Where to write the summary as JSON, if anywhere.
    pub summary: Option<PathBuf>,
    /// Where to write the HTML report (charts, overdue customers, rejects), if anywhere
    /// ([`crate::data::write::render_report`]).
    pub report: Option<PathBuf>,
    /// Write the reasons column (leaving it empty is faster on very large files).
    pub reasons: bool,
    /// The ruleset's file, if it is one: no output may overwrite it.
    pub ruleset: Option<PathBuf>,
    /// The language of the outputs' fixed words (headers that are no value's name, yes/no, the
    /// rejects report's headers); `None`: the ruleset's own ([`crate::eval::Program::lang`]).
    pub lang: Option<Lang>,
    /// Grade with the column engine ([`crate::engine::Engine`]), the interpreter taking the rows
    /// it leaves; `false` grades every row with the interpreter alone (the reference, for
    /// differential tests). The two write the same bytes.
    pub engine: bool,
}

impl RunOptions {
    /// Grading the file at `path` as of `as_of` into CSV on standard output, everything else
    /// as `tier run` does by default.
    pub fn new(path: impl Into<PathBuf>, as_of: jiff::civil::Date) -> RunOptions {
        RunOptions {
            input: Input::Path(path.into()),
            read: ReadOptions::default(),
            output: None,
            output_format: OutputFormat::Csv,
            as_of,
            events: Vec::new(),
            keep: None,
            bom: Bom::default(),
            raw_csv: false,
            rejects: None,
            max_rejects: None,
            summary: None,
            report: None,
            reasons: true,
            ruleset: None,
            lang: None,
            engine: true,
        }
    }

    /// Grading a stream (see [`Input::Reader`]) called `name`, otherwise as [`RunOptions::new`].
    pub fn stream(
        name: impl Into<String>,
        reader: impl Read + Send + 'static,
        as_of: jiff::civil::Date,
    ) -> RunOptions {
        RunOptions {
            input: Input::Reader {
                name: name.into(),
                reader: Box::new(reader),
            },
            ..RunOptions::new(PathBuf::new(), as_of)
        }
    }

    /// Whether a CSV written to `path` (`None` or `-`: standard output) starts with a BOM.
    pub(super) fn csv_bom(&self, path: Option<&Path>) -> bool {
        let to_stdout = path.is_none_or(|p| p.as_os_str() == "-");
        match self.bom {
            Bom::Files => !to_stdout,
            Bom::Always => true,
            Bom::Never => false,
        }
    }
}

/// What kind of failure stopped a run (the CLI maps each to its exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The options contradict each other (two outputs in one file, an output over an input).
    Usage,
    /// A file could not be read or written.
    Io,
    /// The data does not fit the ruleset (a required column is missing), too many rows were
    /// rejected, or a row was lost (a bug).
    Failed,
}

/// A run that failed: its kind, and the diagnostics in order (warnings found before the failure
/// first, then the errors).
#[derive(Debug)]
pub struct RunError {
    pub kind: ErrorKind,
    pub diagnostics: Vec<Diagnostic>,
}

impl RunError {
    pub(crate) fn new(kind: ErrorKind, diagnostics: Vec<Diagnostic>) -> RunError {
        RunError { kind, diagnostics }
    }
}

/// What a run that went to the end reports.
#[derive(Debug)]
pub struct Report {
    /// Counts per grade, revenue shares, rejects, as `tier run` prints it ([`Summary::render`]).
    pub summary: Summary,
    /// Every problem of every rejected row.
    pub rejects: Vec<RowError>,
    /// Warnings, in the order they were found (columns, clashing names, cells cut to fit).
    pub warnings: Vec<Diagnostic>,
    /// Set when the graded file was left unwritten although every row was accounted for:
    /// reading stopped early (kind `Io`) or more rows than `max_rejects` were rejected (kind
    /// `Failed`). The summary and the rejects file cover what was read.
    pub failure: Option<RunError>,
}
