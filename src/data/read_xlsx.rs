//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) through calamine.
//!
//! calamine loads a whole sheet at once (Excel caps a sheet at about a million rows); rows are
//! converted to cells one at a time. A title row above the header (one filled cell, then a wider
//! row) is skipped. The header is the first non-empty row; rows keep their sheet row numbers, so a rejected
//! row can be found in Excel as it is reported.

use super::date::parse_date_text;
use super::number;
use super::read_csv::{is_title, TITLE_NEXT_MIN};
use super::{is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource, Skipped};
use crate::diagnostic::{suggest, Code, Diagnostic};
use calamine::{open_workbook_auto, Data, Reader, StyleRange};
use std::path::Path;

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
    let mut book = open_workbook_auto(path).map_err(|e| broken(&e))?;
    let sheets = book.sheet_names();
    let sheet = match &opts.sheet {
        None => sheets.first().cloned().ok_or_else(|| {
            Diagnostic::error(Code::DataRead, format!("{name} has no worksheets"))
        })?,
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
        })?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| broken(&e))?;
    // Styles tell which numbers are shown as percentages; if they cannot be read, numbers stay
    // plain numbers.
    let styles = book
        .worksheet_style(&sheet)
        .unwrap_or_else(|_| StyleRange::empty());
    let mut src = XlsxSource {
        headers: Vec::new(),
        name,
        origin: range.start().unwrap_or((0, 0)),
        range,
        styles,
        next: 0,
        skipped: Skipped::default(),
    };
    let Some(header_at) = (0..src.range.height()).find(|&i| !is_blank_row(&src.row(i))) else {
        return Err(Diagnostic::error(
            Code::DataRead,
            format!("sheet `{sheet}` of {} is empty", src.name),
        )
        .with_help("the first non-empty row must name the columns"));
    };
    let filled = |cells: &[Cell]| {
        cells
            .iter()
            .filter(|c| !is_blank_row(std::slice::from_ref(*c)))
            .count()
    };
    // A title above the header (a merged cell `2026年客户清单`): one filled cell, then a row with
    // several. The title is skipped.
    let mut header_at = header_at;
    let texts = |cells: Vec<Cell>| -> Vec<String> {
        cells
            .iter()
            .map(|c| c.to_text().trim().to_string())
            .collect()
    };
    if is_title(&texts(src.row(header_at))) {
        let next = (header_at + 1..src.range.height()).find(|&i| !is_blank_row(&src.row(i)));
        if let Some(n) = next.filter(|&n| filled(&src.row(n)) >= TITLE_NEXT_MIN) {
            header_at = n;
        }
    }
    src.headers = src
        .row(header_at)
        .iter()
        .map(|c| c.to_text().trim().to_string())
        .collect();
    while src.headers.last().is_some_and(|h| h.is_empty()) && src.headers.len() > 1 {
        src.headers.pop();
    }
    src.next = header_at + 1;
    Ok(Box::new(src))
}

/// A sheet by exact name, then ignoring case and spaces, then by 1-based position (`2`).
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
    let Some(fmt) = styles
        .get((row, col))
        .and_then(|s| s.number_format.as_ref())
    else {
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
struct XlsxSource {
    headers: Vec<String>,
    name: String,
    range: calamine::Range<Data>,
    styles: StyleRange,
    /// The sheet position of the range's first cell (0-based row, column).
    origin: (u32, u32),
    /// The next row, relative to the range.
    next: usize,
    skipped: Skipped,
}

impl XlsxSource {
    fn row(&self, i: usize) -> Vec<Cell> {
        let (row0, col0) = self.origin;
        (0..self.range.width())
            .map(|j| {
                let d = self.range.get((i, j)).unwrap_or(&Data::Empty);
                to_cell(
                    d,
                    is_percent(&self.styles, row0 + i as u32, col0 + j as u32),
                )
            })
            .collect()
    }
}

impl Iterator for XlsxSource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.next >= self.range.height() {
                return None;
            }
            let i = self.next;
            self.next += 1;
            let mut cells = self.row(i);
            // Rows keep their sheet numbers (1-based), whatever row the data starts on.
            let row = self.origin.0 as usize + i + 1;
            let width = self.headers.len();
            if cells.len() > width {
                let extra = &cells[width..];
                if let Some(c) = extra
                    .iter()
                    .find(|c| !is_blank_row(std::slice::from_ref(*c)))
                {
                    let n = cells
                        .iter()
                        .rposition(|c| !is_blank_row(std::slice::from_ref(c)))
                        .map_or(0, |i| i + 1);
                    return Some(Err(RowError {
                        file: self.name.clone(),
                        row,
                        column: None,
                        raw: Some(c.to_text()),
                        reason: format!("row has {n} cells, the header has {width}"),
                    }));
                }
                cells.truncate(width);
            }
            cells.resize(width, Cell::Empty);
            if is_blank_row(&cells) {
                self.skipped.push(row);
                continue;
            }
            return Some(Ok(RawRow { row, cells }));
        }
    }
}

impl RowSource for XlsxSource {
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
}
