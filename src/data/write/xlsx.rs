//! The XLSX writer: a bold, frozen, filterable header row; numbers as numbers; dates as dates;
//! the grade cell filled with the grade's colour; column widths fitted to CJK text.
//!
//! The workbook is built in memory (rust_xlsxwriter's constant-memory mode is not enabled) and
//! written on `finish`; a sheet holds at most 1,048,575 data rows anyway.
//!
//! Text is only ever written with `write_string`: a kept cell such as `=HYPERLINK(…)` or
//! `@SUM(A1)` stays text, so opening a graded file cannot run what a CRM export smuggled in
//! (tests/integration/cli.rs checks the workbook has no formula).
//!
//! A text longer than a cell holds (32,767 characters) is cut to fit, ending in a visible
//! `…[truncated N chars]`, and reported as a warning ([`RowSink::warnings`]): one long remark
//! should not cost the whole file.
//!
//! Given the run's summary ([`RowSink::summarize`]), the workbook gains a summary sheet with
//! charts and a rejects sheet (src/data/write/xlsx_summary.rs).

use super::{row_values, write_error, Out, OutputColumns, RowSink, Target};
use crate::data::Cell;
use crate::data::RowError;
use crate::diagnostic::{Code, Diagnostic};
use crate::figures::Figures;
use crate::outcome::Outcome;
use crate::summary::Summary;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// The last data row Excel can hold (the header is row 0).
const MAX_ROW: u32 = 1_048_575;
/// Column widths are capped: a long reasons column should not push the rest off screen.
const MAX_WIDTH: usize = 60;
/// The most text a cell holds, in UTF-16 units (as Excel, and rust_xlsxwriter, count).
const MAX_CELL_TEXT: usize = 32_767;
/// Cut cells reported one by one; past this, one warning counts the rest.
const LISTED_CUTS: usize = 10;

/// A cell cut to fit: where, and how many characters it had and lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    /// 0-based sheet row (0 is the header).
    row: u32,
    col: u16,
    chars: usize,
    removed: usize,
}

pub(crate) struct XlsxSink {
    target: Target,
    sheet: Worksheet,
    columns: OutputColumns,
    ncols: u16,
    row: u32,
    widths: Vec<usize>,
    headers: Vec<String>,
    /// Cells cut to fit, in the order written.
    cuts: Vec<Cut>,
    date: Format,
    plain: Format,
    /// `0%`, `0.0%`, ... `0.0000%`.
    percents: Vec<Format>,
    /// Grade colour text → fill format (None: not a colour we know).
    fills: HashMap<String, Option<Format>>,
    /// The run's summary, the rejects and the figures for their own sheets
    /// ([`RowSink::summarize`]).
    summary: Option<(Summary, Option<Vec<RowError>>, Option<Figures>)>,
}

impl XlsxSink {
    pub(crate) fn new(
        target: Target,
        columns: OutputColumns,
        headers: Vec<String>,
    ) -> Result<Self, Diagnostic> {
        let name = target.name();
        let err = |e: XlsxError| write_error(Path::new(&name), &e);
        let mut sheet = Worksheet::new();
        sheet.set_name(columns.words().graded_sheet).map_err(err)?;
        let bold = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2));
        let mut cuts = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = fit_text(h, 0, i as u16, &mut cuts);
            sheet
                .write_string_with_format(0, i as u16, h, &bold)
                .map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        Ok(XlsxSink {
            widths: headers.iter().map(|h| display_width(h)).collect(),
            ncols: headers.len().min(u16::MAX as usize) as u16,
            headers,
            cuts,
            target,
            sheet,
            columns,
            row: 0,
            date: Format::new().set_num_format("yyyy-mm-dd"),
            plain: Format::new(),
            percents: (0..=PERCENT_DECIMALS)
                .map(|d| {
                    let code = if d == 0 {
                        "0%".to_string()
                    } else {
                        format!("0.{}%", "0".repeat(d))
                    };
                    Format::new().set_num_format(code)
                })
                .collect(),
            fills: HashMap::new(),
            summary: None,
        })
    }

    fn fill(&mut self, color: &str) -> Option<Format> {
        self.fills
            .entry(color.to_string())
            .or_insert_with(|| parse_color(color).map(|c| Format::new().set_background_color(c)))
            .clone()
    }

    fn write_cell(&mut self, col: u16, v: &Out, fill: Option<&Format>) -> Result<(), XlsxError> {
        let (r, s, cuts) = (self.row, &mut self.sheet, &mut self.cuts);
        let fmt = fill.unwrap_or(&self.plain);
        match v {
            Out::Empty => {
                if let Some(f) = fill {
                    s.write_blank(r, col, f)?;
                }
            }
            Out::Text(t) => {
                s.write_string_with_format(r, col, fit_text(t, r, col, cuts), fmt)?;
            }
            Out::Number(d) => {
                s.write_number_with_format(r, col, d.to_f64().unwrap_or(0.0), fmt)?;
            }
            Out::Date(d) => write_date(s, r, col, *d, &self.date)?,
            Out::YesNo(b) => {
                s.write_string_with_format(r, col, self.columns.words().yes_no(*b), fmt)?;
            }
            Out::Kept(c) => match c {
                Cell::Empty => {}
                Cell::Text(t) => match typed_text(t) {
                    Typed::Number(n) => {
                        s.write_number(r, col, n)?;
                    }
                    Typed::Percent(n, decimals) => {
                        let f = &self.percents[decimals.min(PERCENT_DECIMALS)];
                        s.write_number_with_format(r, col, n, f)?;
                    }
                    Typed::Date(d) => write_date(s, r, col, d, &self.date)?,
                    Typed::Text => {
                        s.write_string(r, col, fit_text(t, r, col, cuts))?;
                    }
                },
                Cell::Number(n) if n.is_finite() => {
                    s.write_number(r, col, *n)?;
                }
                Cell::Number(_) => {}
                Cell::Bool(b) => {
                    s.write_boolean(r, col, *b)?;
                }
                Cell::Date(d) => write_date(s, r, col, *d, &self.date)?,
            },
        }
        Ok(())
    }
}

fn write_date(
    s: &mut Worksheet,
    r: u32,
    col: u16,
    d: jiff::civil::Date,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8) {
        Ok(x) => s.write_date_with_format(r, col, &x, fmt).map(|_| ()),
        // Before 1900 Excel has no dates: write the text.
        Err(_) => s.write_string(r, col, d.to_string()).map(|_| ()),
    }
}

impl RowSink for XlsxSink {
    fn write_row(&mut self, kept: &[Cell], outcome: &Outcome) -> Result<(), Diagnostic> {
        let name = self.target.name();
        if self.row >= MAX_ROW {
            return Err(Diagnostic::error(
                Code::DataWrite,
                format!("cannot write {name}: an XLSX sheet holds at most {MAX_ROW} rows"),
            )
            .with_help("write CSV or NDJSON for larger files"));
        }
        self.row += 1;
        let values = row_values(&self.columns, kept, outcome);
        let grade_col = self.columns.grade_index();
        let fill = outcome
            .grade
            .as_ref()
            .and_then(|g| g.color.as_deref())
            .and_then(|c| self.fill(c));
        for (i, v) in values.iter().enumerate().take(self.ncols as usize) {
            let f = if i == grade_col { fill.as_ref() } else { None };
            self.write_cell(i as u16, v, f)
                .map_err(|e| write_error(Path::new(&name), &e))?;
            let w = display_width(&v.text(self.columns.words()));
            if let Some(slot) = self.widths.get_mut(i) {
                *slot = (*slot).max(w);
            }
        }
        Ok(())
    }

    fn warnings(&self) -> Vec<Diagnostic> {
        let name = self.target.name();
        let mut out: Vec<Diagnostic> = self
            .cuts
            .iter()
            .take(LISTED_CUTS)
            .map(|c| {
                let letter = rust_xlsxwriter::utility::column_number_to_name(c.col);
                let header = self.headers.get(c.col as usize).map_or("", String::as_str);
                Diagnostic::warning(
                    Code::DataTruncated,
                    format!(
                        "{name}: row {}, column {letter} ({}): {} characters, more than an \
                         Excel cell holds; cut to fit, ending in `…[truncated {} chars]`",
                        c.row + 1,
                        shorten(header),
                        c.chars,
                        c.removed
                    ),
                )
                .with_help("write CSV or JSON (-o FILE.csv) to keep the whole text")
            })
            .collect();
        if self.cuts.len() > LISTED_CUTS {
            out.push(Diagnostic::warning(
                Code::DataTruncated,
                format!(
                    "{name}: {} more cells were cut to fit Excel's limit of 32,767 characters",
                    self.cuts.len() - LISTED_CUTS
                ),
            ));
        }
        out
    }

    fn summarize(
        &mut self,
        summary: &Summary,
        rejects: Option<&[RowError]>,
        figures: Option<&Figures>,
    ) {
        self.summary = Some((
            summary.clone(),
            rejects.map(<[RowError]>::to_vec),
            figures.cloned(),
        ));
    }

    fn finish(self: Box<Self>) -> Result<(), Diagnostic> {
        let XlsxSink {
            mut target,
            mut sheet,
            widths,
            row,
            ncols,
            columns,
            summary,
            ..
        } = *self;
        let name = target.name();
        let err = |e: XlsxError| write_error(Path::new(&name), &e);
        for (i, w) in widths.iter().enumerate() {
            let width = (*w).clamp(4, MAX_WIDTH) + 2;
            sheet
                .set_column_width(i as u16, width as f64)
                .map_err(err)?;
        }
        if ncols > 0 {
            sheet.autofilter(0, 0, row, ncols - 1).map_err(err)?;
        }
        let mut book = Workbook::new();
        book.push_worksheet(sheet);
        if let Some((summary, rejects, figures)) = summary {
            super::xlsx_summary::add_summary_sheets(
                &mut book,
                &summary,
                rejects.as_deref(),
                figures.as_ref(),
                columns.words(),
                columns.follow_up,
            )
            .map_err(err)?;
        }
        let bytes = book.save_to_buffer().map_err(err)?;
        target
            .write_all(&bytes)
            .map_err(|e| write_error(Path::new(&name), &e))?;
        target.commit()
    }
}

/// `t` as a cell can hold it: unchanged when it fits, else cut at a character boundary and
/// ended with `…[truncated N chars]` (N the characters cut), the marker inside the limit; the
/// cut is recorded in `cuts`.
fn fit_text<'t>(t: &'t str, row: u32, col: u16, cuts: &mut Vec<Cut>) -> Cow<'t, str> {
    // A UTF-8 string has at least as many bytes as UTF-16 units: most texts stop here.
    if t.len() <= MAX_CELL_TEXT || t.encode_utf16().count() <= MAX_CELL_TEXT {
        return Cow::Borrowed(t);
    }
    let chars = t.chars().count();
    // Room for the longest marker this text can need (N < chars).
    let room = MAX_CELL_TEXT - marker(chars).encode_utf16().count();
    let (mut units, mut end, mut kept) = (0, 0, 0);
    for (i, c) in t.char_indices() {
        if units + c.len_utf16() > room {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
        kept += 1;
    }
    let removed = chars - kept;
    cuts.push(Cut {
        row,
        col,
        chars,
        removed,
    });
    Cow::Owned(format!("{}{}", &t[..end], marker(removed)))
}

fn marker(removed: usize) -> String {
    format!("…[truncated {removed} chars]")
}

/// A header as a warning shows it: at most 40 characters.
fn shorten(h: &str) -> Cow<'_, str> {
    match h.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", &h[..i])),
        None => Cow::Borrowed(h),
    }
}

/// Display width in a fixed-width font: CJK and other wide characters count two.
pub(crate) fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// A kept text cell, as Excel should hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Typed {
    Number(f64),
    /// The fraction and the decimals shown (`95.5%` → 0.955, 1).
    Percent(f64, usize),
    Date(jiff::civil::Date),
    Text,
}

/// Percent formats exist for 0..=4 decimals.
const PERCENT_DECIMALS: usize = 4;

/// Kept text cells that are plainly numbers (`12.5`, `-3`), percentages (`95.5%`) or ISO dates
/// (`2026-09-22`) are written as numbers and dates, shown as before, so Excel can sum, sort and
/// filter them. Codes with leading zeros (`007`) and long digit strings (IDs: beyond 15 digits
/// Excel rounds) stay text; so does anything else.
fn typed_text(t: &str) -> Typed {
    if let Some(n) = numeric_text(t) {
        return Typed::Number(n);
    }
    if let Some(p) = t.strip_suffix('%') {
        if let Some(n) = numeric_text(p) {
            let decimals = p.split_once('.').map_or(0, |(_, f)| f.len());
            return Typed::Percent(n / 100.0, decimals);
        }
    }
    let b = t.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let Ok(d) = t.parse::<jiff::civil::Date>() {
            return Typed::Date(d);
        }
    }
    Typed::Text
}

fn numeric_text(t: &str) -> Option<f64> {
    let s = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = int.len() + frac.len();
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && digits <= 15
        && !(s.contains('.') && frac.is_empty());
    if ok {
        t.parse().ok()
    } else {
        None
    }
}

/// A cell fill for a grade colour: CSS-like names, Chinese names, or `#RRGGBB`. Named colours
/// are the pale fills Excel's conditional formats use, so black text stays readable.
pub(crate) fn parse_color(c: &str) -> Option<Color> {
    let c = c.trim();
    if let Some(hex) = c.strip_prefix('#') {
        if hex.len() == 6 {
            return u32::from_str_radix(hex, 16).ok().map(Color::RGB);
        }
        return None;
    }
    let rgb = match c.to_ascii_lowercase().as_str() {
        "green" | "绿" | "绿色" => 0xC6EFCE,
        "yellow" | "黄" | "黄色" => 0xFFEB9C,
        "red" | "红" | "红色" => 0xFFC7CE,
        "grey" | "gray" | "灰" | "灰色" => 0xD9D9D9,
        "blue" | "蓝" | "蓝色" => 0xBDD7EE,
        "orange" | "橙" | "橙色" => 0xF8CBAD,
        "purple" | "紫" | "紫色" => 0xE4DFEC,
        "white" | "白" | "白色" => 0xFFFFFF,
        _ => return None,
    };
    Some(Color::RGB(rgb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_text_cells() {
        assert_eq!(numeric_text("12.5"), Some(12.5));
        assert_eq!(numeric_text("-3"), Some(-3.0));
        assert_eq!(numeric_text("0.92"), Some(0.92));
        assert_eq!(numeric_text("007"), None);
        assert_eq!(numeric_text("12."), None);
        assert_eq!(numeric_text("1234567890123456"), None);
        assert_eq!(numeric_text("92%"), None);
        assert_eq!(numeric_text(""), None);
        assert_eq!(typed_text("95.5%"), Typed::Percent(0.955, 1));
        assert_eq!(typed_text("92%"), Typed::Percent(0.92, 0));
        assert_eq!(
            typed_text("2026-09-22"),
            Typed::Date(jiff::civil::date(2026, 9, 22))
        );
        assert_eq!(typed_text("2026-02-30"), Typed::Text);
        assert_eq!(typed_text("2026/9/22"), Typed::Text);
        assert_eq!(typed_text("华东"), Typed::Text);
    }

    #[test]
    fn colours() {
        assert_eq!(parse_color("#FF0000"), Some(Color::RGB(0xFF0000)));
        assert_eq!(parse_color("绿"), Some(Color::RGB(0xC6EFCE)));
        assert_eq!(parse_color("Green"), Some(Color::RGB(0xC6EFCE)));
        assert_eq!(parse_color("chartreuse"), None);
        assert_eq!(parse_color("#FFF"), None);
    }

    #[test]
    fn cells_cut_to_fit() {
        let mut cuts = Vec::new();
        let full = "a".repeat(MAX_CELL_TEXT);
        assert!(matches!(fit_text(&full, 1, 0, &mut cuts), Cow::Borrowed(_)));
        // 16,384 emoji are 32,768 UTF-16 units: one too many.
        let emoji = "😀".repeat(16_384);
        let cut = fit_text(&emoji, 3, 2, &mut cuts);
        assert!(cut.encode_utf16().count() <= MAX_CELL_TEXT);
        let removed = cuts[0].removed;
        assert_eq!(
            cut,
            format!(
                "{}…[truncated {removed} chars]",
                "😀".repeat(16_384 - removed)
            )
        );
        assert_eq!(
            cuts,
            [Cut {
                row: 3,
                col: 2,
                chars: 16_384,
                removed
            }]
        );
        assert_eq!(shorten(&"长".repeat(50)), format!("{}…", "长".repeat(40)));
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("华东"), 4);
        assert_eq!(display_width("a\n华东贸易"), 8);
    }
}
