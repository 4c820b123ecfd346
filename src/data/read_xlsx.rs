//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through calamine.
//!
//! `.xlsx`/`.xlsm` are streamed: a thread reads the sheet's XML cell by cell (calamine's cell
//! reader) and sends rows over a bounded channel, so memory holds a few rows whatever the sheet's
//! size, and a small file whose cells span A1:XFD1048576 costs what its cells cost (loaded whole,
//! such a 1.5 KB file allocated 15 GB). `.xlsb`, `.xls` and `.ods` are loaded whole by calamine.
//!
//! The header is the first non-empty row; a title row above it (one filled cell, then a wider
//! row) is skipped, and the header's first filled cell is the first column. Rows keep their sheet
//! row numbers, so a rejected row can be found in Excel as it is reported; rows a sheet leaves
//! out count as blank.

use super::date::parse_date_text;
use super::number;
use super::read_csv::{is_title, TITLE_NEXT_MIN};
use super::{is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource, Skipped};
use crate::diagnostic::{suggest, Code, Diagnostic};
use calamine::{open_workbook_auto, Data, Reader, StyleRange, Xlsx};
use std::path::Path;

/// Rows a sheet holds, in order, as (1-based sheet row number, its non-empty cells with their
/// 0-based sheet column). Rows with no cell may be left out.
type SheetRow = (usize, Vec<(u32, Cell)>);

/// Rows in flight between the thread that streams a workbook and the reader.
const STREAM_ROWS: usize = 1024;

pub(crate) fn open(
    path: &Path,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let broken = |e: &dyn std::fmt::Display| {
        Diagnostic::error(
            Code::DataRead,
            format!("cannot read {name} as a spreadsheet: {e}"),
        )
        .with_help("check that the file opens in Excel; or save it as .xlsx or CSV")
    };
    // `.xlsx`/`.xlsm` are streamed cell by cell: memory holds a few rows, not the sheet, and a
    // tiny file that declares a cell at XFD1048576 costs nothing. Other spreadsheet formats are
    // loaded whole by calamine.
    let (rows, sheet): (
        Box<dyn Iterator<Item = Result<SheetRow, String>> + Send>,
        String,
    ) = match calamine::open_workbook::<Xlsx<_>, _>(path) {
        Ok(book) => {
            let sheet = choose_sheet(&name, book.sheet_names(), opts)?;
            (stream_xlsx(book, sheet.clone()), sheet)
        }
        Err(_) => {
            let mut book = open_workbook_auto(path).map_err(|e| broken(&e))?;
            let sheet = choose_sheet(&name, book.sheet_names(), opts)?;
            let range = book.worksheet_range(&sheet).map_err(|e| broken(&e))?;
            // Styles tell which numbers are shown as percentages; if they cannot be read,
            // numbers stay plain numbers.
            let styles = book
                .worksheet_style(&sheet)
                .unwrap_or_else(|_| StyleRange::empty());
            (Box::new(range_rows(range, styles)), sheet)
        }
    };
    SheetSource::open(rows, name, &sheet)
}

/// The sheet `--sheet` names (by name, case-insensitively, or 1-based position), else the first.
fn choose_sheet(name: &str, sheets: Vec<String>, opts: &ReadOptions) -> Result<String, Diagnostic> {
    match &opts.sheet {
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| Diagnostic::error(Code::DataRead, format!("{name} has no worksheets"))),
        Some(want) => pick_sheet(&sheets, want).ok_or_else(|| {
            let mut d = Diagnostic::error(
                Code::DataRead,
                format!("{name} has no sheet named `{want}`"),
            )
            .with_note(format!("sheets: {}", sheets.join(", ")));
            if let Some(s) = suggest(want, sheets.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            d
        }),
    }
}

/// The rows of a workbook's sheet, read by a thread that owns the workbook (calamine's cell
/// reader borrows it) and sends row after row over a bounded channel.
fn stream_xlsx(
    mut book: Xlsx<std::io::BufReader<std::fs::File>>,
    sheet: String,
) -> Box<dyn Iterator<Item = Result<SheetRow, String>> + Send> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<SheetRow, String>>(STREAM_ROWS);
    let thread = std::thread::spawn(move || {
        let mut cells = match book.worksheet_cells_reader(&sheet) {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
        };
        let percent: Vec<bool> = cells.styles().iter().map(style_is_percent).collect();
        let mut row: Option<SheetRow> = None;
        loop {
            let (cell, style) = match cells.next_cell_with_style_id() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    if let Some(r) = row.take() {
                        let _ = tx.send(Ok(r));
                    }
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            let (r, c) = cell.get_position();
            let value: Data = cell.get_value().clone().into();
            let cell = to_cell(&value, percent.get(style).copied().unwrap_or(false));
            let number = r as usize + 1;
            match &mut row {
                Some((n, cs)) if *n == number => cs.push((c, cell)),
                _ => {
                    if let Some(done) = row.replace((number, vec![(c, cell)])) {
                        if tx.send(Ok(done)).is_err() {
                            return; // the reader stopped listening
                        }
                    }
                }
            }
        }
        if let Some(done) = row {
            let _ = tx.send(Ok(done));
        }
    });
    let mut thread = Some(thread);
    // The channel closes when the thread ends: after the last row, or because it panicked (a
    // calamine bug on a malformed sheet), which must stop the run like a read error, not end it
    // as if the sheet were complete.
    Box::new(std::iter::from_fn(move || match rx.recv() {
        Ok(row) => Some(row),
        Err(_) => match thread.take().map(std::thread::JoinHandle::join) {
            Some(Err(_)) => Some(Err(
                "the spreadsheet reader stopped unexpectedly".to_string()
            )),
            _ => None,
        },
    }))
}

/// The rows of a sheet calamine loaded whole.
fn range_rows(
    range: calamine::Range<Data>,
    styles: StyleRange,
) -> impl Iterator<Item = Result<SheetRow, String>> + Send {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    (0..range.height()).map(move |i| {
        let cells = (0..range.width())
            .filter_map(|j| {
                let d = range.get((i, j))?;
                let (r, c) = (row0 + i as u32, col0 + j as u32);
                let cell = to_cell(d, is_percent(&styles, r, c));
                (!is_blank_row(std::slice::from_ref(&cell))).then_some((c, cell))
            })
            .collect();
        Ok((row0 as usize + i + 1, cells))
    })
}

fn pick_sheet(sheets: &[String], want: &str) -> Option<String> {
    if let Some(s) = sheets.iter().find(|s| *s == want) {
        return Some(s.clone());
    }
    let key = |s: &str| s.trim().to_lowercase();
    if let Some(s) = sheets.iter().find(|s| key(s) == key(want)) {
        return Some(s.clone());
    }
    let n: usize = want.trim().parse().ok()?;
    sheets.get(n.checked_sub(1)?).cloned()
}

/// Whether the cell's number format shows a percentage (`0%`, `0.00%`).
fn is_percent(styles: &StyleRange, row: u32, col: u32) -> bool {
    styles.get((row, col)).is_some_and(style_is_percent)
}

/// Whether a cell style shows numbers as percentages (`0%`, `0.00%`, a custom `%` format).
fn style_is_percent(style: &calamine::Style) -> bool {
    let Some(fmt) = style.number_format.as_ref() else {
        return false;
    };
    if matches!(fmt.format_id, Some(9) | Some(10)) {
        return true;
    }
    // A `%` outside quoted literal text.
    let mut quoted = false;
    let mut escaped = false;
    for c in fmt.format_code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// Integers beyond this lose digits as floats; they are kept as text (customer IDs).
const MAX_EXACT_INT: i64 = 1 << 53;

fn to_cell(d: &Data, percent: bool) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::Int(i) if percent => percent_text(*i as f64),
        Data::Int(i) if i.unsigned_abs() <= MAX_EXACT_INT as u64 => Cell::Number(*i as f64),
        Data::Int(i) => Cell::Text(i.to_string()),
        // A number shown as `92%` is stored as 0.92; as text `92%` it reads right whatever the
        // field's percent convention.
        Data::Float(f) if percent => percent_text(*f),
        Data::Float(f) => Cell::Number(*f),
        // A time of day alone (below 1.0) is no date: the cell parser rejects it as a serial.
        Data::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            match jiff::civil::Date::new(y as i16, m as i8, day as i8) {
                Ok(date) => Cell::Date(date),
                // 1900-02-29 (Excel's phantom day): the cell parser explains it.
                Err(_) => Cell::Number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => match parse_date_text(s) {
            Ok(date) => Cell::Date(date),
            Err(_) => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

fn percent_text(f: f64) -> Cell {
    match number::from_f64(f) {
        Ok(d) => Cell::Text(format!(
            "{}%",
            (d * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        )),
        Err(_) => Cell::Number(f),
    }
}

/// Rows are converted one at a time from the sheet calamine has loaded.
/// A sheet's rows as a [`RowSource`]: the header found (a title row above it skipped), each
/// row laid out under it, blank rows counted.
struct SheetSource {
    rows: std::iter::Peekable<Box<dyn Iterator<Item = Result<SheetRow, String>> + Send>>,
    headers: Vec<String>,
    name: String,
    /// The sheet column of the first header.
    origin: u32,
    /// The row number after the last row read (rows the sheet leaves out are blank).
    next_row: usize,
    skipped: Skipped,
    /// A read error of the workbook: yielded once as a row error, after which reading stops and
    /// `tier run` writes nothing (the rows after it were never read).
    stopped: Option<Diagnostic>,
}

fn filled(cells: &[(u32, Cell)]) -> usize {
    cells
        .iter()
        .filter(|(_, c)| !is_blank_row(std::slice::from_ref(c)))
        .count()
}

impl SheetSource {
    fn open(
        rows: Box<dyn Iterator<Item = Result<SheetRow, String>> + Send>,
        name: String,
        sheet: &str,
    ) -> Result<Box<dyn RowSource>, Diagnostic> {
        let mut rows = rows.peekable();
        let broken = |e: String| {
            Diagnostic::error(
                Code::DataRead,
                format!("cannot read {name} as a spreadsheet: {e}"),
            )
            .with_help("check that the file opens in Excel; or save it as .xlsx or CSV")
        };
        // The header is the first non-empty row.
        let mut header = loop {
            match rows.next() {
                None => {
                    return Err(Diagnostic::error(
                        Code::DataRead,
                        format!("sheet `{sheet}` of {name} is empty"),
                    )
                    .with_help("the first non-empty row must name the columns"))
                }
                Some(Err(e)) => return Err(broken(e)),
                Some(Ok(r)) if filled(&r.1) > 0 => break r,
                Some(Ok(_)) => {}
            }
        };
        // A title above the header (a merged cell `2026年客户清单`): one filled cell, then a row
        // with several. The title is skipped.
        let texts = |cells: &[(u32, Cell)]| -> Vec<String> {
            let Some(first) = cells.iter().map(|(c, _)| *c).min() else {
                return Vec::new();
            };
            let last = cells.iter().map(|(c, _)| *c).max().unwrap_or(first);
            let mut out = vec![String::new(); (last - first) as usize + 1];
            for (c, cell) in cells {
                out[(c - first) as usize] = cell.to_text().trim().to_string();
            }
            out
        };
        if is_title(&texts(&header.1)) {
            while let Some(Ok(r)) = rows.peek() {
                if filled(&r.1) > 0 {
                    break;
                }
                rows.next();
            }
            if let Some(Ok(r)) = rows.peek() {
                if filled(&r.1) >= TITLE_NEXT_MIN {
                    if let Some(Ok(r)) = rows.next() {
                        header = r;
                    }
                }
            }
        }
        let origin = header
            .1
            .iter()
            .filter(|(_, c)| !is_blank_row(std::slice::from_ref(c)))
            .map(|(c, _)| *c)
            .min()
            .unwrap_or(0);
        let last = header.1.iter().map(|(c, _)| *c).max().unwrap_or(origin);
        let mut headers = vec![String::new(); (last.max(origin) - origin) as usize + 1];
        for (c, cell) in &header.1 {
            if *c >= origin {
                headers[(c - origin) as usize] = cell.to_text().trim().to_string();
            }
        }
        while headers.last().is_some_and(|h| h.is_empty()) && headers.len() > 1 {
            headers.pop();
        }
        Ok(Box::new(SheetSource {
            rows,
            headers,
            name,
            origin,
            next_row: header.0 + 1,
            skipped: Skipped::default(),
            stopped: None,
        }))
    }
}

impl Iterator for SheetSource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.stopped.is_some() {
                return None;
            }
            let (row, sparse) = match self.rows.peek()? {
                Ok((row, _)) if *row > self.next_row => {
                    // A row the sheet leaves out is blank.
                    self.skipped.push(self.next_row);
                    self.next_row += 1;
                    continue;
                }
                Ok(_) => match self.rows.next() {
                    Some(Ok(r)) => r,
                    _ => return None,
                },
                Err(e) => {
                    let reason = format!("the spreadsheet cannot be read from here on: {e}");
                    self.stopped = Some(
                        Diagnostic::error(
                            Code::DataRead,
                            format!("{}: row {}: {reason}", self.name, self.next_row),
                        )
                        .with_help(
                            "the rows after it were not read; no output is written for a file \
                             read in part",
                        ),
                    );
                    return Some(Err(RowError {
                        file: self.name.clone(),
                        row: self.next_row,
                        column: None,
                        raw: None,
                        reason,
                    }));
                }
            };
            self.next_row = self.next_row.max(row + 1);
            let width = self.headers.len();
            let mut cells = vec![Cell::Empty; width];
            let mut outside: Option<&Cell> = None;
            let mut last_filled = 0;
            for (c, cell) in &sparse {
                let blank = is_blank_row(std::slice::from_ref(cell));
                let at = c.checked_sub(self.origin).map(|i| i as usize);
                if !blank {
                    last_filled = last_filled.max(at.map_or(0, |i| i + 1));
                }
                match at {
                    Some(i) if i < width => cells[i] = cell.clone(),
                    _ if !blank => outside = outside.or(Some(cell)),
                    _ => {}
                }
            }
            if let Some(c) = outside {
                let reason = if sparse
                    .iter()
                    .any(|(c, cell)| *c < self.origin && !is_blank_row(std::slice::from_ref(cell)))
                {
                    format!(
                        "row has a cell left of the header's first column ({})",
                        self.headers[0]
                    )
                } else {
                    format!("row has {last_filled} cells, the header has {width}")
                };
                return Some(Err(RowError {
                    file: self.name.clone(),
                    row,
                    column: None,
                    raw: Some(c.to_text()),
                    reason,
                }));
            }
            if is_blank_row(&cells) {
                self.skipped.push(row);
                continue;
            }
            return Some(Ok(RawRow { row, cells }));
        }
    }
}

impl RowSource for SheetSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn source_name(&self) -> &str {
        &self.name
    }
    fn encoding(&self) -> &str {
        "xlsx"
    }
    fn skipped_blank(&self) -> usize {
        self.skipped.count()
    }
    fn skipped_rows(&self) -> &[usize] {
        self.skipped.rows()
    }
    fn stopped(&self) -> Option<&Diagnostic> {
        self.stopped.as_ref()
    }
}
