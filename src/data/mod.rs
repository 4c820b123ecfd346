//! Data readers and writers: customer files in (CSV, XLSX, JSON, NDJSON; UTF-8, GBK/GB18030,
//! UTF-16), cells parsed the way users write them, graded files out.
//!
//! Reading is three steps. [`open`] turns a file into a [`RowSource`]: headers plus a stream of
//! [`RawRow`]s of untyped [`Cell`]s, numbered as the user sees them. [`InputMapping`] finds each
//! declared input's column. A [`CellParser`], one per input, turns a cell into a typed
//! [`Value`](crate::value::Value), or into a reason in words for the rejects report.
//!
//! Nothing here panics on bad data: a file that cannot be read at all is a [`Diagnostic`] with
//! code `tier::data::read`; a bad row is a [`RowError`] and reading goes on.
//!
//! **Every row is accounted for.** Each row read is yielded, as a [`RawRow`] or a [`RowError`],
//! or skipped as blank and then counted and listed ([`RowSource::skipped_blank`],
//! [`RowSource::skipped_rows`]); `tier run` reports rows read = graded + rejected + skipped. If
//! reading has to stop before the end of the input (an I/O error, a line over the limit below),
//! the row where it stopped is a [`RowError`] and [`RowSource::stopped`] says why: the rows
//! after it were never read, and `tier run` then fails without writing output.
//!
//! # Reading rules
//!
//! - **Format**: `--format`, else the extension (`.csv .tsv .txt`, `.xlsx .xlsm .xlsb .xls .ods`,
//!   `.json`, `.ndjson .jsonl`), else sniffed: a ZIP/OLE signature is a spreadsheet, `[` JSON,
//!   `{` NDJSON, anything else CSV. Stdin (`-`) is sniffed the same way; so is a device or a
//!   pipe given as a path (`/dev/stdin`, `/dev/zero`), which is read once, as a stream.
//! - **Encoding** (CSV): `--encoding` (any WHATWG label, plus `cp936`, `utf-8-sig`), else a BOM
//!   (UTF-8, UTF-16LE/BE), else UTF-16 without a BOM (told by its NUL bytes), else UTF-8 if the
//!   whole file is UTF-8 (a streaming pass; stdin, devices and pipes: their first 64 KiB), else
//!   GB18030 (a superset of GBK and GB2312). A file that is overwhelmingly UTF-8 with a few
//!   broken characters stays UTF-8 and the broken rows are rejected. Every encoding is decoded
//!   as the file streams (bounded memory); a row holding bytes the encoding cannot decode is
//!   rejected, not the file, and the reason names the encoding, whether it was detected or
//!   given, and `--encoding`. A file detected as GB18030 whose first line is UTF-8 text (a
//!   header written by a script over rows from a GBK export) is an error saying the file mixes
//!   encodings. JSON and NDJSON are UTF-8 unless `--encoding` says otherwise.
//! - **Delimiter** (CSV): `--delimiter`, else whichever of `,` `\t` `;` `|` occurs most often
//!   in the header line outside quotes.
//! - **Line ends** (CSV): CR (old Mac exports), LF and CRLF each end a line, mixed in one file
//!   too. Inside a quoted cell they are kept as they are.
//! - **Quotes** (CSV): a cell that starts with `"` is quoted: it may hold delimiters and line
//!   breaks, `""` is a quote, and it ends at a lone `"`. A quote still open at the end of the
//!   input would take every line after it into one cell. Instead, the row where that cell
//!   starts is rejected, its reason naming the line and character of the quote and how many
//!   lines it took in, and the lines after the quote's line are read again as rows of their own
//!   (each graded, rejected or skipped as any row). The same holds for a quoted cell that runs
//!   past the record limit below, and for a quote out of place that a later quoted cell's quote
//!   happens to close: a quoted cell holding a line with as many delimiters as a row has (one
//!   fewer than the header has cells, and at least three) is taken for rows swallowed, not for
//!   a note that runs over lines. A note whose line holds that many delimiters is rejected too,
//!   with the reason; a narrower file (under four columns) is not checked this way. An unclosed
//!   quote in the header is an error for the file, and so is a header cell holding line breaks
//!   and delimiters (a quote that closes far below).
//! - **Headers**: the first non-empty line (CSV) or row (spreadsheets), the union of the
//!   records' keys in first-seen order (JSON, NDJSON). A title above the header, as CRM exports
//!   write (`客户档案` alone on its line, then the header), is skipped. Trimmed; a BOM is
//!   dropped; empty headers after the last named column are dropped.
//! - **Row numbers**: CSV, the line the record starts on (the header is line 1, so the first
//!   customer is row 2, as in Excel; a cell spanning lines makes the next row's number jump);
//!   spreadsheets, the sheet's row number; JSON, the record's 1-based index; NDJSON, the line
//!   number.
//! - **Row shapes**: a short row is padded with empty cells; a row with more cells than headers
//!   is rejected unless the extra cells are empty (a trailing delimiter).
//! - **Blank rows** are skipped: neither graded nor rejected, but counted and listed with their
//!   row numbers. Blank means no cell holds anything but spaces: a CSV row of empty cells
//!   (`,,,`), an empty line after the header, a JSON record of nulls or `{}`, an empty NDJSON
//!   line, an empty spreadsheet row between data rows. Empty lines above the header are not
//!   rows.
//! - **Spreadsheet cells**: numbers are [`Cell::Number`], except a cell formatted as a percentage,
//!   which becomes the text `92%` (Excel stores 0.92), and integers beyond 2^53, kept as text;
//!   date-formatted cells are [`Cell::Date`]; error cells are their text (`#DIV/0!`).
//! - **JSON shapes**: an array of objects, or an array of arrays whose first array holds the
//!   column names (as some tools export tables).
//! - **JSON values**: numbers become [`Cell::Text`] of their own digits (exact, no float on the
//!   way; an exponent is written `e+3`), so `1e400` is one cell the cell parser rejects, not an
//!   unreadable file; `null` and `""` are empty, nested arrays/objects are kept as JSON text.
//! - **Empty cells**: see [`EMPTY_MARKERS`]; `-`, `N/A`, `NULL` and the like count as empty.
//!
//! # Limits
//!
//! Every limit holds whatever the input, so an endless or hostile stream (`/dev/zero`) ends
//! quickly with an error, in bounded memory:
//!
//! - **A cell**: [`MAX_CELL_BYTES`] (1 MiB). A longer cell rejects its row, naming the row and
//!   the column.
//! - **Cells in a row**: [`MAX_COLUMNS`] (16,384, Excel's limit). A wider row is rejected; a
//!   wider header is an error for the file.
//! - **A CSV record** (a row, with the lines its quoted cells span): [`MAX_RECORD_BYTES`]
//!   (16 MiB). Past it inside an open quote, the row is rejected and the lines after the
//!   quote's line are read again; past it outside quotes, reading stops as for a line. Either
//!   way a record stops growing there: reading a CSV file holds one record in memory.
//! - **A line** (CSV, NDJSON): [`MAX_RECORD_BYTES`] (16 MiB) without a line break. Reading
//!   stops there with an error ([`RowSource::stopped`]; `tier run` exits 3, writing no output):
//!   there is no next line to go on from.
//! - **A JSON file** (`.json`): [`MAX_JSON_BYTES`] (512 MiB), as it is parsed whole (one that
//!   turns out to be NDJSON too); an input that does not start with `[` or `{` is refused before
//!   it is read. NDJSON (`.ndjson`, `.jsonl`) streams whatever its size.
//! - **Standard input** (`tier run … -`) is spooled to a temporary file through [`bounded`]:
//!   CSV and NDJSON by the line limit, JSON and spreadsheets by [`MAX_JSON_BYTES`]. NDJSON from
//!   any stream is spooled the same way.
//! - **The encoding scan** reads a whole regular file once, a 1 MiB buffer at a time; a device
//!   or a pipe is judged by its first 64 KiB.
//! - **Skipped rows listed**: the first [`SKIPPED_LISTED`] (1,000) row numbers; the count goes
//!   on.
//! - **Spreadsheets** are loaded a sheet at a time by calamine, which tier does not bound
//!   further (Excel itself caps a sheet at 1,048,576 rows by 16,384 columns).

// The shared contract returns `Diagnostic` by value; it is cold-path only (a file fails once).
#![allow(clippy::result_large_err)]

mod cell;
mod csv_records;
mod date;
mod encoding;
mod limit;
mod mapping;
mod number;
mod read_csv;
mod read_json;
mod read_xlsx;
mod text;
pub mod write;

pub use cell::{CellParser, EMPTY_MARKERS};
pub use date::excel_serial_to_date;
pub use limit::{bounded, Bounded};
pub use mapping::InputMapping;
pub use text::normalize_width;
pub use write::{create_sink, write_rejects, OutputColumns, OutputFormat, RowSink, WriteOptions};

use crate::diagnostic::{Code, Diagnostic};
use encoding::Input;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The longest cell read, in bytes (1 MiB): a longer one rejects its row.
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// The longest record (CSV: one row, with any lines its quoted cells span) or line (NDJSON),
/// in bytes (16 MiB).
pub const MAX_RECORD_BYTES: usize = 16 << 20;
/// The most cells a row may have (16,384, Excel's column limit).
pub const MAX_COLUMNS: usize = 16_384;
/// The largest JSON document read whole (a `.json` file), in bytes (512 MiB). NDJSON streams,
/// whatever its size.
pub const MAX_JSON_BYTES: usize = 512 << 20;
/// How many skipped row numbers a [`RowSource`] lists ([`RowSource::skipped_rows`]); the
/// count goes on past it.
pub const SKIPPED_LISTED: usize = 1000;

/// One cell as read from a file, before typing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell (CSV: an empty field; JSON: `null` or a key left out).
    Empty,
    /// Text as written; CSV cells are always text, and so are JSON numbers (kept as their exact
    /// text so `0.1` stays `0.1`).
    Text(String),
    /// A number stored as a number (XLSX).
    Number(f64),
    /// A boolean (XLSX `TRUE`, JSON `true`).
    Bool(bool),
    /// A date stored as a date (an XLSX cell with a date format).
    Date(jiff::civil::Date),
}

impl Cell {
    /// The cell as text, the way it would be written back to a CSV file: numbers in their shortest
    /// round-trip form, dates ISO, booleans `TRUE`/`FALSE` as Excel writes them.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The row number as the user sees it. CSV: the line the record starts on (the header is
    /// line 1 in a plain export); XLSX: the sheet's row number; JSON: the 1-based record index;
    /// NDJSON: the line number.
    pub row: usize,
    /// One cell per header, in header order (short rows are padded with [`Cell::Empty`]).
    pub cells: Vec<Cell>,
}

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Delimited text: CSV, TSV, semicolon- or pipe-separated.
    Csv,
    /// A spreadsheet: `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`.
    Xlsx,
    /// An array of objects (or of arrays, the first naming the columns).
    Json,
    /// One object per line.
    Ndjson,
}

impl InputFormat {
    /// Detects the format from a file extension (case-insensitive): `.csv`/`.tsv`/`.txt` are CSV,
    /// `.xlsx`/`.xlsm`/`.xlsb`/`.xls`/`.ods` are spreadsheets, `.json`, `.ndjson`/`.jsonl`.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "txt" => InputFormat::Csv,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => InputFormat::Xlsx,
            "json" => InputFormat::Json,
            "ndjson" | "jsonl" => InputFormat::Ndjson,
            _ => return None,
        })
    }

    /// Parses a format name as given on the command line (`csv`, `xlsx`, `json`, `ndjson`, ...).
    pub fn from_name(name: &str) -> Option<InputFormat> {
        InputFormat::from_path(Path::new(&format!("x.{name}")))
    }

    /// Guesses the format of a stream from its first bytes: JSON if it starts with `[`, NDJSON if
    /// it starts with `{`, else CSV. A BOM and leading whitespace are skipped.
    pub fn sniff(prefix: &[u8]) -> InputFormat {
        let p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
        match p.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => InputFormat::Json,
            Some(b'{') => InputFormat::Ndjson,
            _ => InputFormat::Csv,
        }
    }
}

/// How to read an input file; every field overrides a detection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The file format; `None` detects it from the extension (or sniffs stdin).
    pub format: Option<InputFormat>,
    /// A text encoding label encoding_rs knows (`gbk`, `gb18030`, `utf-8`, `big5`, `utf-16le`...);
    /// `None` detects it (CSV only: BOM, then valid UTF-8, else GB18030).
    pub encoding: Option<String>,
    /// The CSV delimiter; `None` sniffs `,` `\t` `;` `|` from the header line.
    pub delimiter: Option<u8>,
    /// The spreadsheet sheet name (or 1-based index); `None` is the first sheet.
    pub sheet: Option<String>,
    /// `encoding` is what an earlier read of the same file detected (`tier run` reads a file
    /// twice for relative grades), not the user's `--encoding`: it is used without detecting
    /// again, and messages call it detected.
    pub encoding_detected: bool,
}

/// A stream of data rows with the file's headers.
pub trait RowSource: Iterator<Item = Result<RawRow, RowError>> {
    /// Column headers, trimmed, in file order.
    fn headers(&self) -> &[String];
    /// The file name as given (`-` shown as `<stdin>`).
    fn source_name(&self) -> &str;
    /// The text encoding used (`UTF-8`, `GB18030`, ...; `xlsx` for spreadsheets).
    fn encoding(&self) -> &str;
    /// How many wholly empty rows were skipped so far (they are not customers, and are neither
    /// graded nor rejected). Every row read is yielded (as a row or a [`RowError`]) or counted
    /// here.
    fn skipped_blank(&self) -> usize {
        0
    }
    /// The row numbers of the skipped rows, in file order: the first [`SKIPPED_LISTED`].
    fn skipped_rows(&self) -> &[usize] {
        &[]
    }
    /// Why reading stopped before the end of the input, if it did (an I/O error, a line too
    /// long to find the next one). The row at that point was yielded as a [`RowError`]; the rows
    /// after it were never read, so the rows yielded are not the whole file.
    fn stopped(&self) -> Option<&Diagnostic> {
        None
    }
}

/// Skipped rows: how many, and the first [`SKIPPED_LISTED`] row numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    count: usize,
    rows: Vec<usize>,
}

impl Skipped {
    pub fn push(&mut self, row: usize) {
        self.count += 1;
        if self.rows.len() < SKIPPED_LISTED {
            self.rows.push(row);
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Forgets everything (lines counted before the header turned out to be further down).
    pub fn clear(&mut self) {
        *self = Skipped::default();
    }
}

/// A row-level problem, one line of the rejects report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The data file's name (`<stdin>` for stdin).
    pub file: String,
    /// The row number as in [`RawRow::row`].
    pub row: usize,
    /// The column header, when one cell is at fault.
    pub column: Option<String>,
    /// The raw cell text, when one cell is at fault.
    pub raw: Option<String>,
    /// Why, in words.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: row {}", self.file, self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(r) = &self.raw {
            write!(f, " (`{r}`)")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RowError {}

/// Finds a column among `headers` by any of `names`: exact match first, then ignoring case,
/// surrounding spaces and full-width forms (`回款率（%）` matches `回款率(%)`).
pub fn find_column(headers: &[String], names: &[&str]) -> Option<usize> {
    for name in names {
        if let Some(i) = headers.iter().position(|h| h == name) {
            return Some(i);
        }
    }
    let key = |s: &str| normalize_width(s.trim()).to_lowercase();
    for name in names {
        let want = key(name);
        if let Some(i) = headers.iter().position(|h| key(h) == want) {
            return Some(i);
        }
    }
    None
}

/// Opens a data file (`-` is stdin) and reads its headers.
///
/// The format comes from `opts.format`, else the extension, else (stdin, unknown extension) a
/// sniff of the first bytes. Errors that make the whole file unreadable are a [`Diagnostic`]
/// with code [`Code::DataRead`]; errors in single rows come later, from the iterator.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Box<dyn RowSource>, Diagnostic> {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    check_encoding(opts)?;
    if is_stdin {
        return open_stream(Box::new(std::io::stdin().lock()), &name, opts);
    }
    let mut file = std::fs::File::open(path).map_err(|e| io_error(&name, &e))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Diagnostic::error(
            Code::DataRead,
            format!("{name} is a directory, not a data file"),
        ));
    }
    if file.metadata().is_ok_and(|m| !m.is_file()) {
        // A device or a pipe (`/dev/stdin`, `<(…)`, `/dev/zero`): it can be read only once, and
        // may never end. Read as a stream, its size bounded like stdin's.
        let opts = ReadOptions {
            format: opts.format.or_else(|| InputFormat::from_path(path)),
            ..opts.clone()
        };
        return open_stream(Box::new(file), &name, &opts);
    }
    let format = match opts.format.or_else(|| InputFormat::from_path(path)) {
        Some(f) => f,
        None => {
            let mut prefix = Vec::new();
            (&mut file)
                .take(encoding::SNIFF_LEN as u64)
                .read_to_end(&mut prefix)
                .map_err(|e| io_error(&name, &e))?;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| io_error(&name, &e))?;
            if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"\xD0\xCF\x11\xE0") {
                InputFormat::Xlsx
            } else {
                InputFormat::sniff(&prefix)
            }
        }
    };
    open_input(Input::File(file), path, name, format, opts)
}

/// Opens a one-pass stream (what [`open`] does for `-`, stdin). Without `opts.format` the
/// format is sniffed: JSON if the text starts with `[`, NDJSON if `{`, else CSV. Encoding
/// detection sees only the first 64 KiB; JSON, NDJSON and non-UTF-8 CSV are read into memory.
pub fn open_stream(
    mut input: Box<dyn Read>,
    name: &str,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    check_encoding(opts)?;
    let mut prefix = Vec::new();
    (&mut input)
        .take(encoding::SNIFF_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(|e| io_error(name, &e))?;
    let format = opts.format.unwrap_or_else(|| InputFormat::sniff(&prefix));
    let rest: Box<dyn Read> = Box::new(std::io::Cursor::new(prefix).chain(input));
    open_input(
        Input::Stream(rest),
        Path::new(name),
        name.to_string(),
        format,
        opts,
    )
}

/// Whether `label` names an encoding `--encoding` accepts (what [`RowSource::encoding`] reports
/// for a text file; not `xlsx`).
pub fn is_encoding_label(label: &str) -> bool {
    encoding::lookup(label).is_some()
}

/// An unknown `--encoding` label is an error before anything is read.
fn check_encoding(opts: &ReadOptions) -> Result<(), Diagnostic> {
    match &opts.encoding {
        Some(label) if encoding::lookup(label).is_none() => Err(Diagnostic::error(
            Code::DataRead,
            format!("unknown encoding `{label}`"),
        )
        .with_help("use an encoding label such as utf-8, gbk, gb18030, big5, utf-16le")),
        _ => Ok(()),
    }
}

/// Opens an input in a known format.
fn open_input(
    input: Input,
    path: &Path,
    name: String,
    format: InputFormat,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    match format {
        InputFormat::Csv => read_csv::open(input, name, opts),
        InputFormat::Json => read_json::open_array(input, name, opts),
        InputFormat::Ndjson => read_json::open_lines(input, name, opts),
        InputFormat::Xlsx => match input {
            Input::File(_) => read_xlsx::open(path, name, opts),
            Input::Stream(_) => Err(Diagnostic::error(
                Code::DataRead,
                format!("{name}: spreadsheets cannot be read from a stream (stdin, a pipe)"),
            )
            .with_help("save the spreadsheet to a file, or export it as CSV")),
        },
    }
}

/// A [`RowSource`] over rows already split into cells; used by tests and by callers that build
/// records in memory.
pub struct VecSource {
    headers: Vec<String>,
    name: String,
    rows: std::vec::IntoIter<Result<RawRow, RowError>>,
}

impl VecSource {
    /// Rows are numbered 2, 3, ... as if the headers were row 1.
    pub fn new(name: impl Into<String>, headers: Vec<String>, rows: Vec<Vec<Cell>>) -> Self {
        let rows: Vec<_> = rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| Ok(RawRow { row: i + 2, cells }))
            .collect();
        VecSource {
            headers,
            name: name.into(),
            rows: rows.into_iter(),
        }
    }
}

impl Iterator for VecSource {
    type Item = Result<RawRow, RowError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

impl RowSource for VecSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn source_name(&self) -> &str {
        &self.name
    }
    fn encoding(&self) -> &str {
        "UTF-8"
    }
}

/// A diagnostic for an I/O error on a data file.
pub(crate) fn io_error(name: &str, e: &std::io::Error) -> Diagnostic {
    let d = Diagnostic::error(Code::DataRead, format!("cannot read {name}: {e}"));
    if e.kind() == std::io::ErrorKind::NotFound {
        d.with_help("check the path; `-` reads from stdin")
    } else {
        d
    }
}

/// Whether a row has nothing in it: such rows are skipped (Excel exports often end with some).
pub(crate) fn is_blank_row(cells: &[Cell]) -> bool {
    cells.iter().all(|c| match c {
        Cell::Empty => true,
        Cell::Text(t) => t.trim().is_empty(),
        _ => false,
    })
}
