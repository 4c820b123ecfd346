//! The rejects report: every row that could not be graded, with file, row, column, the raw
//! value and the reason.

use super::{
    commit_buffered, csv_text, write_error, FixedWords, OutputFormat, Target, WriteOptions,
};
use crate::data::RowError;
use crate::diagnostic::Diagnostic;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Excel's limit on the characters of one cell.
const XLSX_CELL_MAX: usize = 32_767;

/// Writes the rejects report, atomically, in the format of the file's extension: `.json` an
/// array of objects with keys `file`, `row`, `column`, `raw`, `reason`; `.ndjson`/`.jsonl` one
/// such object per line; `.xlsx` a workbook with one sheet, `拒绝行` / `rejects`; anything else a
/// CSV file (with a UTF-8 BOM when `opts.bom`, so Excel shows the Chinese right) with columns
/// 文件, 行, 列, 原值, 原因 / file, row, column, raw, reason ([`FixedWords::rejects`], in
/// `opts.lang`).
/// CSV cells go through [`formula_safe`](super::formula_safe) unless `opts.raw_csv`.
pub fn write_rejects(
    path: &Path,
    rejects: &[RowError],
    opts: &WriteOptions,
) -> Result<(), Diagnostic> {
    let target = Target::new(Some(path))?;
    let err = |e: &dyn std::fmt::Display| write_error(path, e);
    let format = OutputFormat::from_path(path);
    let words = FixedWords::of(opts.lang);
    match format {
        Some(OutputFormat::Json) | Some(OutputFormat::Ndjson) => {
            let mut out = BufWriter::new(target);
            let lines = format == Some(OutputFormat::Ndjson);
            if !lines {
                out.write_all(b"[").map_err(|e| err(&e))?;
            }
            for (i, r) in rejects.iter().enumerate() {
                let obj = serde_json::json!({
                    "file": r.file,
                    "row": r.row,
                    "column": r.column,
                    "raw": r.raw,
                    "reason": r.reason,
                });
                let sep = match (lines, i) {
                    (true, _) => "",
                    (false, 0) => "\n",
                    (false, _) => ",\n",
                };
                write!(out, "{sep}{obj}").map_err(|e| err(&e))?;
                if lines {
                    out.write_all(b"\n").map_err(|e| err(&e))?;
                }
            }
            if !lines {
                let end = if rejects.is_empty() { "]\n" } else { "\n]\n" };
                out.write_all(end.as_bytes()).map_err(|e| err(&e))?;
            }
            commit_buffered(out)
        }
        Some(OutputFormat::Xlsx) => write_xlsx(target, path, rejects, words),
        _ => {
            let mut out = BufWriter::new(target);
            if opts.bom {
                out.write_all(b"\xEF\xBB\xBF").map_err(|e| err(&e))?;
            }
            let mut w = csv::Writer::from_writer(out);
            let safe = |s: &str| csv_text(opts.raw_csv, s).into_owned();
            w.write_record(words.rejects).map_err(|e| err(&e))?;
            for r in rejects {
                let row = r.row.to_string();
                w.write_record([
                    safe(&r.file),
                    row,
                    safe(r.column.as_deref().unwrap_or("")),
                    safe(r.raw.as_deref().unwrap_or("")),
                    safe(&r.reason),
                ])
                .map_err(|e| err(&e))?;
            }
            let out = w.into_inner().map_err(|e| err(e.error()))?;
            commit_buffered(out)
        }
    }
}

/// The rejects as a workbook: text cells only (never formulas), the row number as a number.
fn write_xlsx(
    mut target: Target,
    path: &Path,
    rejects: &[RowError],
    words: &FixedWords,
) -> Result<(), Diagnostic> {
    use rust_xlsxwriter::{Workbook, XlsxError};
    let err = |e: XlsxError| write_error(path, &e);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    rejects_sheet(sheet, rejects, words).map_err(err)?;
    let bytes = book.save_to_buffer().map_err(err)?;
    target
        .write_all(&bytes)
        .map_err(|e| write_error(path, &e))?;
    target.commit()
}

/// Fills `sheet` with the rejects: named `拒绝行` / `rejects`, a bold frozen header, text cells
/// only (never formulas), the row number as a number. Also the rejects sheet of a graded
/// workbook.
pub(super) fn rejects_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    rejects: &[RowError],
    words: &FixedWords,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    sheet.set_name(words.rejects_sheet)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in words.rejects.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    // A sheet holds 1,048,576 rows; the rest of a larger report would not fit: the last row
    // says so instead of failing the whole report.
    const LAST: usize = 1_048_574;
    for (i, r) in rejects.iter().take(LAST).enumerate() {
        let row = (i + 1) as u32;
        sheet.write_string(row, 0, clip(&r.file))?;
        sheet.write_number(row, 1, r.row as f64)?;
        for (c, text) in [(2u16, r.column.as_deref()), (3, r.raw.as_deref())] {
            if let Some(t) = text {
                sheet.write_string(row, c, clip(t))?;
            }
        }
        sheet.write_string(row, 4, clip(&r.reason))?;
    }
    if rejects.len() > LAST {
        let more = format!(
            "{} more rejected rows do not fit in one sheet; write the rejects as CSV or JSON",
            rejects.len() - LAST
        );
        sheet.write_string((LAST + 1) as u32, 4, &more)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Text cut to Excel's cell limit, marked when cut.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= XLSX_CELL_MAX {
        return text.into();
    }
    let marker = "…[truncated]";
    let keep = XLSX_CELL_MAX - marker.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(marker);
    out.into()
}
