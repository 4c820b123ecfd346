//! The summary sheet's figures beyond the grade table ([`Figures`]), below the run's facts:
//!
//! - with owners in the ruleset, a table of customers (and overdue and reassign, with a
//!   follow-up) per owner, and a column chart of the overdue and reassign counts per owner;
//! - with a revenue, the Pareto curve: a table of its points (cumulative share of the
//!   customers, of the revenue), the ends of each relative's cut lines beside it, and a scatter
//!   chart with straight lines over both.
//!
//! The charts go under the grade charts, and reference the cells, as those do.

use super::xlsx_summary::{Layout, CHART_ROWS};
use super::FixedWords;
use crate::figures::{CutAxis, Figures};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLine, ChartLineDashType, ChartType, Color, Format, Worksheet,
    XlsxError,
};

/// The cut lines' table starts in this column (D), right of the curve's two columns.
const CUT_COL: u16 = 3;

/// Adds the owner and Pareto tables and charts to the summary sheet.
pub(super) fn add_figures(
    sheet: &mut Worksheet,
    figures: &Figures,
    words: &FixedWords,
    layout: Layout,
) -> Result<(), XlsxError> {
    let name = words.summary_sheet;
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2));
    let count = Format::new().set_num_format("0");
    let percent = Format::new().set_num_format("0.0%");
    let mut row = layout.next_row;
    let mut chart_row = layout.next_chart_row;

    if let Some(owners) = figures.owners.as_ref().filter(|o| !o.is_empty()) {
        let mut headers = vec![words.owner, words.customers];
        if figures.follow_up {
            headers.extend([words.overdue, words.reassign]);
        }
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16, *h, &bold)?;
        }
        let first = row + 1;
        for (i, o) in owners.iter().enumerate() {
            let r = first + i as u32;
            let owner = if o.owner.is_empty() {
                words.no_owner
            } else {
                &o.owner
            };
            sheet.write_string(r, 0, owner)?;
            let mut numbers = vec![o.customers];
            if figures.follow_up {
                numbers.extend([o.overdue, o.reassign]);
            }
            for (c, n) in numbers.into_iter().enumerate() {
                sheet.write_number_with_format(r, c as u16 + 1, n as f64, &count)?;
            }
        }
        let last = first + owners.len() as u32 - 1;
        if figures.follow_up {
            let mut chart = Chart::new_column();
            chart.title().set_name(words.charts[4]);
            chart.x_axis().set_name(words.owner);
            chart.y_axis().set_name(words.customers);
            for c in [2u16, 3] {
                chart
                    .add_series()
                    .set_name((name, row, c))
                    .set_categories((name, first, 0, last, 0))
                    .set_values((name, first, c, last, c));
            }
            sheet.insert_chart(chart_row, layout.chart_col, &chart)?;
            chart_row += CHART_ROWS;
        }
        row = last + 2;
    }

    let Some(curve) = &figures.pareto else {
        return Ok(());
    };
    // The curve's points.
    let [x_header, y_header] = words.pareto;
    sheet.write_string_with_format(row, 0, x_header, &bold)?;
    sheet.write_string_with_format(row, 1, y_header, &bold)?;
    let first = row + 1;
    for (i, (x, y)) in curve.points.iter().enumerate() {
        let r = first + i as u32;
        sheet.write_number_with_format(r, 0, *x, &percent)?;
        sheet.write_number_with_format(r, 1, *y, &percent)?;
    }
    let last = first + curve.points.len() as u32 - 1;
    let mut chart = Chart::new(ChartType::ScatterStraight);
    chart.title().set_name(words.charts[3]);
    chart.x_axis().set_name(x_header);
    chart.y_axis().set_name(y_header);
    let top = ((curve.max_share() * 10.0).ceil() / 10.0).max(1.0);
    chart
        .x_axis()
        .set_min(0.0)
        .set_max(1.0)
        .set_num_format("0%");
    chart
        .y_axis()
        .set_min(0.0)
        .set_max(top)
        .set_num_format("0%");
    chart
        .add_series()
        .set_name((name, row, 1))
        .set_categories((name, first, 0, last, 0))
        .set_values((name, first, 1, last, 1));

    // Each cut line's two ends: across for a Pareto relative, down for a top one.
    let mut r = row;
    for line in &figures.cut_lines {
        for (label, share) in &line.cuts {
            let ends = match line.axis {
                CutAxis::Revenue => [(0.0, *share), (1.0, *share)],
                CutAxis::Customers => [(*share, 0.0), (*share, top)],
            };
            let shown = format!("{} {label} ({})", line.relative, line.by);
            sheet.write_string_with_format(r, CUT_COL, &shown, &bold)?;
            for (k, (x, y)) in ends.iter().enumerate() {
                let at = r + 1 + k as u32;
                sheet.write_number_with_format(at, CUT_COL + 1, *x, &percent)?;
                sheet.write_number_with_format(at, CUT_COL + 2, *y, &percent)?;
            }
            chart
                .add_series()
                .set_name((name, r, CUT_COL))
                .set_categories((name, r + 1, CUT_COL + 1, r + 2, CUT_COL + 1))
                .set_values((name, r + 1, CUT_COL + 2, r + 2, CUT_COL + 2))
                .set_format(
                    ChartFormat::new()
                        .set_line(ChartLine::new().set_dash_type(ChartLineDashType::Dash)),
                );
            r += 3;
        }
    }
    if !figures.cut_lines.is_empty() {
        sheet.set_column_width(CUT_COL, 24.0)?;
    }
    sheet.insert_chart(chart_row, layout.chart_col, &chart)?;
    Ok(())
}
