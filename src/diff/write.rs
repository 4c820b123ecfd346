//! A [`Diff`] written out: CSV (one row per changed, new or vanished customer), JSON (the whole
//! report, the field names of [`Diff`]) or XLSX (sheets: matrix, changed customers, tags,
//! workload, rejects). Files are written atomically, as every output of tier; CSV cells are
//! formula-safe and XLSX cells are text or numbers, never formulas. Fixed headers and sheet
//! names speak the ruleset's language ([`Lang`]); JSON keys are always the English field names.

use super::{Diff, Side};
use crate::data::write::{csv_text, write_error, Target};
use crate::diagnostic::Diagnostic;
use crate::eval::words::Lang;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format as CellFormat, Workbook, Worksheet, XlsxError};
use std::io::Write;
use std::path::Path;

/// The format of a written report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
}

impl Format {
    /// From a file's extension: `.json`, `.xlsx`, anything else CSV.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("xlsx") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

/// The fixed words of the CSV and XLSX reports.
struct Words {
    /// The changed customers' columns after the key.
    changed: [&'static str; 10],
    sheets: [&'static str; 5],
    /// Old, new, change; customers, revenue, revenue share.
    old_new: [&'static str; 3],
    matrix: [&'static str; 3],
    tags: [&'static str; 5],
    week: &'static str,
    owner: &'static str,
    overdue: &'static str,
    /// Row, key, rejected by, the other version's grade, column, value, reason.
    rejects: [&'static str; 7],
    old: &'static str,
    new: &'static str,
}

const ZH: Words = Words {
    changed: [
        "行",
        "原等级",
        "新等级",
        "新增标签",
        "失去标签",
        "首个不同步骤",
        "原值",
        "新值",
        "原说明",
        "新说明",
    ],
    sheets: ["迁移矩阵", "变动客户", "标签", "跟进工作量", "拒绝行"],
    old_new: ["原", "新", "变化"],
    matrix: ["客户数", "收入", "收入占比"],
    tags: ["标签", "原客户数", "新客户数", "新增", "失去"],
    week: "周",
    owner: "负责人",
    overdue: "逾期",
    rejects: ["行", "键", "拒绝方", "另一方等级", "列", "原值", "原因"],
    old: "原规则",
    new: "新规则",
};

const EN: Words = Words {
    changed: [
        "row",
        "old_grade",
        "new_grade",
        "tags_gained",
        "tags_lost",
        "first_difference",
        "old_value",
        "new_value",
        "old_explanation",
        "new_explanation",
    ],
    sheets: ["matrix", "moved", "tags", "workload", "rejects"],
    old_new: ["old", "new", "change"],
    matrix: ["customers", "revenue", "revenue_share"],
    tags: ["tag", "old", "new", "gained", "lost"],
    week: "week",
    owner: "owner",
    overdue: "overdue",
    rejects: [
        "row",
        "key",
        "rejected_by",
        "other_grade",
        "column",
        "value",
        "reason",
    ],
    old: "old",
    new: "new",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

impl Words {
    fn side(&self, s: Side) -> &'static str {
        match s {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }
}

/// Writes the report to `path` (`None`: standard output) in `format`. A CSV file starts with a
/// UTF-8 BOM (for Excel) unless `bom` is false.
pub fn write(
    diff: &Diff,
    path: Option<&Path>,
    format: Format,
    lang: Lang,
    bom: bool,
) -> Result<(), Diagnostic> {
    let shown = path.unwrap_or(Path::new("<stdout>"));
    let bytes = match format {
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(diff).map_err(|e| write_error(shown, &e))?;
            text.push('\n');
            text.into_bytes()
        }
        Format::Csv => csv(diff, lang, bom).map_err(|e| write_error(shown, &e))?,
        Format::Xlsx => xlsx(diff, lang).map_err(|e| write_error(shown, &e))?,
    };
    let mut target = Target::new(path)?;
    target
        .write_all(&bytes)
        .map_err(|e| write_error(shown, &e))?;
    target.commit()
}

/// One row per changed customer, then the new and the vanished ones (against a graded file):
/// key, row, old and new grade (empty on the side a customer is missing from), tags gained and
/// lost, and the first difference.
fn rows(diff: &Diff) -> Vec<[String; 11]> {
    let mut out = Vec::new();
    for c in &diff.changed {
        let s = c.step.as_ref();
        let field = |f: fn(&super::StepChange) -> &Option<String>| {
            s.and_then(|s| f(s).clone()).unwrap_or_default()
        };
        out.push([
            c.key.clone(),
            c.row.to_string(),
            c.old_grade.clone(),
            c.new_grade.clone(),
            c.tags_gained.join("、"),
            c.tags_lost.join("、"),
            s.map(|s| s.name.clone()).unwrap_or_default(),
            field(|s| &s.old_value),
            field(|s| &s.new_value),
            field(|s| &s.old),
            field(|s| &s.new),
        ]);
    }
    let one_side = |c: &super::Customer, old: bool| {
        let mut r: [String; 11] = Default::default();
        r[0] = c.key.clone();
        r[1] = c.row.to_string();
        r[if old { 2 } else { 3 }] = c.grade.clone();
        r
    };
    out.extend(diff.new_customers.iter().map(|c| one_side(c, false)));
    out.extend(diff.vanished.iter().map(|c| one_side(c, true)));
    out
}

fn csv(diff: &Diff, lang: Lang, bom: bool) -> Result<Vec<u8>, csv::Error> {
    let w = words(lang);
    let mut buf = Vec::new();
    if bom {
        buf.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut out = csv::Writer::from_writer(buf);
    let mut header = vec![diff.key.as_str()];
    header.extend(w.changed);
    out.write_record(header)?;
    for r in rows(diff) {
        out.write_record(r.iter().map(|c| csv_text(false, c).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Text cut to what a cell holds.
fn clip(text: &str) -> String {
    const MAX: usize = 32_000;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        text.chars().take(MAX).chain("…".chars()).collect()
    }
}

fn xlsx(diff: &Diff, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let w = words(lang);
    let bold = CellFormat::new().set_bold();
    let pct = CellFormat::new().set_num_format("0.0%");
    let mut book = Workbook::new();
    let header = |sheet: &mut Worksheet, row: u32, cells: &[&str]| -> Result<(), XlsxError> {
        for (c, h) in cells.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, clip(h), &bold)?;
        }
        Ok(())
    };

    // The matrix: old grades down, new grades across, customers; then revenue shares.
    let sheet = book.add_worksheet().set_name(w.sheets[0])?;
    let grade = diff.grade_name.clone().unwrap_or_default();
    let grids: &[(&str, bool)] = if diff.revenue_field.is_some() {
        &[(w.matrix[0], false), (w.matrix[2], true)]
    } else {
        &[(w.matrix[0], false)]
    };
    let mut top = 0u32;
    for (title, revenue) in grids {
        sheet.write_string_with_format(
            top,
            0,
            format!("{grade} {} ↓ / {} →  {title}", w.old, w.new),
            &bold,
        )?;
        for (j, n) in diff.matrix.new.iter().enumerate() {
            sheet.write_string_with_format(top + 1, (j + 1) as u16, clip(n), &bold)?;
        }
        for (i, o) in diff.matrix.old.iter().enumerate() {
            let row = top + 2 + i as u32;
            sheet.write_string_with_format(row, 0, clip(o), &bold)?;
            for (j, n) in diff.matrix.new.iter().enumerate() {
                let cell = diff
                    .matrix
                    .cells
                    .iter()
                    .find(|c| &c.old == o && &c.new == n);
                let col = (j + 1) as u16;
                match (cell, revenue) {
                    (Some(c), false) => {
                        sheet.write_number(row, col, c.customers as f64)?;
                    }
                    (Some(c), true) => {
                        sheet.write_number_with_format(
                            row,
                            col,
                            num(c.revenue_share.unwrap_or_default()),
                            &pct,
                        )?;
                    }
                    (None, false) => {
                        sheet.write_number(row, col, 0.0)?;
                    }
                    (None, true) => {
                        sheet.write_number_with_format(row, col, 0.0, &pct)?;
                    }
                }
            }
        }
        top += diff.matrix.old.len() as u32 + 3;
    }
    sheet.set_column_width(0, 16)?;

    // The changed customers, as in CSV.
    let sheet = book.add_worksheet().set_name(w.sheets[1])?;
    let mut head = vec![diff.key.as_str()];
    head.extend(w.changed);
    header(sheet, 0, &head)?;
    for (i, r) in rows(diff).iter().enumerate() {
        let row = (i + 1) as u32;
        for (c, text) in r.iter().enumerate() {
            match (c, text.parse::<f64>()) {
                (1, Ok(n)) => sheet.write_number(row, 1, n)?,
                _ => sheet.write_string(row, c as u16, clip(text))?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;

    // Tags.
    let sheet = book.add_worksheet().set_name(w.sheets[2])?;
    header(sheet, 0, &w.tags)?;
    for (i, t) in diff.tags.iter().enumerate() {
        let row = (i + 1) as u32;
        sheet.write_string(row, 0, clip(&t.tag))?;
        for (c, n) in [t.old, t.new, t.gained, t.lost].into_iter().enumerate() {
            sheet.write_number(row, (c + 1) as u16, n as f64)?;
        }
    }

    // Workload: per week, then per owner and week.
    let sheet = book.add_worksheet().set_name(w.sheets[3])?;
    header(
        sheet,
        0,
        &[w.week, w.old_new[0], w.old_new[1], w.old_new[2]],
    )?;
    let mut row = 1u32;
    for l in &diff.workload.weeks {
        sheet.write_string(row, 0, &l.week)?;
        sheet.write_number(row, 1, l.old as f64)?;
        sheet.write_number(row, 2, l.new as f64)?;
        sheet.write_number(row, 3, l.new as f64 - l.old as f64)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, w.overdue, &bold)?;
    sheet.write_number(row, 1, diff.workload.old_overdue as f64)?;
    sheet.write_number(row, 2, diff.workload.new_overdue as f64)?;
    row += 2;
    if !diff.workload.owners.is_empty() {
        header(
            sheet,
            row,
            &[w.owner, w.week, w.old_new[0], w.old_new[1], w.old_new[2]],
        )?;
        for l in &diff.workload.owners {
            row += 1;
            sheet.write_string(row, 0, clip(&l.owner))?;
            sheet.write_string(row, 1, &l.week)?;
            sheet.write_number(row, 2, l.old as f64)?;
            sheet.write_number(row, 3, l.new as f64)?;
            sheet.write_number(row, 4, l.new as f64 - l.old as f64)?;
        }
    }

    // Rejects.
    let sheet = book.add_worksheet().set_name(w.sheets[4])?;
    header(sheet, 0, &w.rejects)?;
    for (i, r) in diff.rejects.iter().enumerate() {
        let row = (i + 1) as u32;
        sheet.write_number(row, 0, r.row as f64)?;
        sheet.write_string(row, 1, clip(&r.key))?;
        sheet.write_string(row, 2, w.side(r.rejected_by))?;
        for (c, text) in [(3u16, &r.other_grade), (4, &r.column), (5, &r.value)] {
            if let Some(t) = text {
                sheet.write_string(row, c, clip(t))?;
            }
        }
        sheet.write_string(row, 6, clip(&r.reason))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
