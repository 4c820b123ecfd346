//! The graded workbook's summary sheet (`汇总` / `summary`): the run's summary as a table —
//! customers, their share, revenue and its share, overdue and reassign counts per grade, the
//! same numbers as the on-screen and JSON summary ([`Summary`]) — then the run's facts, and
//! native Excel column charts beside the table. The charts reference the table's cells, not
//! copies of the numbers, so they follow any edit of the table.
//!
//! Below the facts, the figures beyond the summary (follow-ups per owner, the Pareto curve with
//! its cut lines: [`super::xlsx_figures`]), charted under the grade charts.
//!
//! The rejected rows get a sheet of their own (`拒绝行` / `rejects`) when no `--rejects` file
//! takes them.

use super::rejects::rejects_sheet;
use super::FixedWords;
use crate::data::RowError;
use crate::figures::Figures;
use crate::summary::Summary;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, Color, Format, Workbook, Worksheet, XlsxError};

/// Rows a chart takes, and the gap to the next one.
pub(super) const CHART_ROWS: u32 = 16;

/// Where the summary sheet has room left: the first free row below its tables, the column of
/// its charts and the row for the next chart there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub next_row: u32,
    pub chart_col: u16,
    pub next_chart_row: u32,
}

/// Adds the summary sheet (with its charts) and, when `rejects` holds any, the rejects sheet.
/// `follow_up`: the ruleset has a follow-up, so the table and a chart count overdue and
/// reassign per grade.
pub(super) fn add_summary_sheets(
    book: &mut Workbook,
    summary: &Summary,
    rejects: Option<&[RowError]>,
    figures: Option<&Figures>,
    words: &FixedWords,
    follow_up: bool,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    let layout = summary_sheet(sheet, summary, words, follow_up)?;
    if let Some(figures) = figures {
        super::xlsx_figures::add_figures(sheet, figures, words, layout)?;
    }
    if let Some(rejects) = rejects.filter(|r| !r.is_empty()) {
        rejects_sheet(book.add_worksheet(), rejects, words)?;
    }
    Ok(())
}

/// One numeric column of the grade table.
struct Column {
    header: String,
    values: Vec<f64>,
    format: Format,
}

fn number(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn summary_sheet(
    sheet: &mut Worksheet,
    summary: &Summary,
    words: &FixedWords,
    follow_up: bool,
) -> Result<Layout, XlsxError> {
    let name = words.summary_sheet;
    sheet.set_name(name)?;
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2));
    let count = Format::new().set_num_format("0");
    let percent = Format::new().set_num_format("0.0%");
    let money = Format::new().set_num_format("#,##0.##");
    let grades = &summary.grades;
    let grade_header = summary.grade_name.as_deref().unwrap_or(words.grade);

    let mut columns = vec![
        Column {
            header: words.customers.to_string(),
            values: grades.iter().map(|g| g.customers as f64).collect(),
            format: count.clone(),
        },
        Column {
            header: words.customer_share.to_string(),
            values: grades.iter().map(|g| number(g.share)).collect(),
            format: percent.clone(),
        },
    ];
    // Column indexes (in the sheet) of the charted counts.
    let customers_col = 1u16;
    let mut revenue_col = None;
    if let Some(field) = &summary.revenue_field {
        revenue_col = Some(columns.len() as u16 + 1);
        columns.push(Column {
            header: field.clone(),
            values: grades
                .iter()
                .map(|g| g.revenue.map_or(0.0, number))
                .collect(),
            format: money,
        });
        columns.push(Column {
            header: words.revenue_share.to_string(),
            values: grades
                .iter()
                .map(|g| g.revenue_share.map_or(0.0, number))
                .collect(),
            format: percent,
        });
    }
    let mut overdue_col = None;
    if follow_up {
        overdue_col = Some(columns.len() as u16 + 1);
        columns.push(Column {
            header: words.overdue.to_string(),
            values: grades.iter().map(|g| g.overdue as f64).collect(),
            format: count.clone(),
        });
        columns.push(Column {
            header: words.reassign.to_string(),
            values: grades.iter().map(|g| g.reassign as f64).collect(),
            format: count,
        });
    }

    // The grade table, from A1.
    sheet.write_string_with_format(0, 0, grade_header, &bold)?;
    for (i, g) in grades.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, &g.label)?;
    }
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16 + 1;
        sheet.write_string_with_format(0, c, &column.header, &bold)?;
        for (i, v) in column.values.iter().enumerate() {
            sheet.write_number_with_format(i as u32 + 1, c, *v, &column.format)?;
        }
    }

    // The run's facts, below the table.
    let facts_row = grades.len() as u32 + 2;
    let [ruleset, version, input, read, graded, rejected, skipped] = words.facts;
    let texts = [
        (ruleset, summary.ruleset.as_str()),
        (version, summary.version.as_deref().unwrap_or("")),
        (words.as_of, summary.as_of.as_str()),
        (input, summary.input.as_str()),
    ];
    let counts = [
        (read, summary.rows_read),
        (graded, summary.rows_graded),
        (rejected, summary.rows_rejected),
        (skipped, summary.rows_skipped),
    ];
    let mut row = facts_row;
    for (label, text) in texts {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_string(row, 1, text)?;
        row += 1;
    }
    for (label, n) in counts {
        sheet.write_string_with_format(row, 0, label, &bold)?;
        sheet.write_number(row, 1, n as f64)?;
        row += 1;
    }
    let width = |s: &str| (super::xlsx::display_width(s).clamp(8, 40) + 2) as f64;
    let label_width = grades
        .iter()
        .map(|g| g.label.as_str())
        .chain(words.facts)
        .chain([grade_header, words.as_of])
        .map(width)
        .fold(0.0, f64::max);
    sheet.set_column_width(0, label_width)?;
    for (c, column) in columns.iter().enumerate() {
        sheet.set_column_width(c as u16 + 1, width(&column.header))?;
    }

    // The charts, right of the table; none when nothing was graded (an empty range).
    let chart_col = columns.len() as u16 + 2;
    let mut layout = Layout {
        next_row: row + 1,
        chart_col,
        next_chart_row: 0,
    };
    if grades.is_empty() {
        return Ok(layout);
    }
    let last = grades.len() as u32;
    let mut charts: Vec<(&str, &str, Vec<u16>)> =
        vec![(words.charts[0], words.customers, vec![customers_col])];
    if let (Some(c), Some(field)) = (revenue_col, summary.revenue_field.as_deref()) {
        charts.push((words.charts[1], field, vec![c]));
    }
    if let Some(c) = overdue_col {
        charts.push((words.charts[2], words.customers, vec![c, c + 1]));
    }
    for (i, (title, axis, series)) in charts.into_iter().enumerate() {
        let mut chart = Chart::new_column();
        chart.title().set_name(title);
        chart.x_axis().set_name(grade_header);
        chart.y_axis().set_name(axis);
        if series.len() == 1 {
            chart.legend().set_hidden();
        }
        for c in series {
            chart
                .add_series()
                .set_name((name, 0, c))
                .set_categories((name, 1, 0, last, 0))
                .set_values((name, 1, c, last, c));
        }
        sheet.insert_chart(i as u32 * CHART_ROWS, chart_col, &chart)?;
        layout.next_chart_row = (i as u32 + 1) * CHART_ROWS;
    }
    Ok(layout)
}
