//! The HTML report (`tier run --report FILE.html`): one self-contained page a sales manager can
//! read on a phone or print. The run's figures, the grade distribution (customers and revenue
//! per grade, as bars and a table), the Pareto curve with the ruleset's cut lines, overdue
//! follow-ups per grade and per owner, the overdue customers and the rejected rows.
//!
//! Self-contained: no script, no font, no image, nothing fetched. The charts are inline SVG
//! drawn by tier ([`svg`]); the styles are inline, with a layout for phones and one for print.
//! A Content-Security-Policy (`default-src 'none'`) makes the browser refuse anything else,
//! should a page ever reference it. Every text from the data, the ruleset or the file names is
//! HTML-escaped ([`escape`]): a cell `<script>` is shown as text, never run.
//!
//! The words are the run's language ([`ReportWords`]). Lists are capped: the first
//! [`OVERDUE_LISTED`](crate::figures::OVERDUE_LISTED) overdue customers and the first
//! [`REJECTS_LISTED`] problems of rejected rows, then a line saying how many more there are.

mod diff;
mod svg;

pub use diff::{render_diff_report, write_diff_report, LISTED as DIFF_LISTED};

use super::{write_file_atomic, FixedWords, ReportWords};
use crate::diagnostic::Diagnostic;
use crate::eval::words::Lang;
use crate::figures::{shorten, Figures, CELL_CHARS};
use crate::summary::Summary;
use crate::value::{format_number, Unit};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::fmt::Write;
use std::path::Path;
use svg::{bar_chart, pareto_chart, percent, Bar};

/// Problems of rejected rows listed in the report; the rest are counted.
pub const REJECTS_LISTED: usize = 100;

/// A reason longer than this (in characters: it may quote a huge cell) is cut, with `…`.
const REASON_CHARS: usize = 400;

/// Writes the report to `path`, atomically (as every output: see
/// [`Destination`](super::Destination)).
pub fn write_report(
    path: &Path,
    summary: &Summary,
    figures: &Figures,
    lang: Lang,
) -> Result<(), Diagnostic> {
    let html = render_report(summary, figures, FixedWords::of(lang));
    write_file_atomic(path, html.as_bytes())
}

/// Text made safe for HTML, in element content and in quoted attributes alike.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// A count with thousands separators: `12,345`.
fn count(n: usize) -> String {
    grouped(&n.to_string())
}

/// An amount as people read it: money in 元, 万 or 亿 with at most two decimals there.
fn amount(d: Decimal, unit: Unit) -> String {
    let step = match unit {
        Unit::Money if d.abs() >= Decimal::from(100_000_000) => Decimal::from(1_000_000),
        Unit::Money | Unit::Area if d.abs() >= Decimal::from(10_000) => Decimal::ONE_HUNDRED,
        _ => Decimal::new(1, 2),
    };
    let rounded = (d / step)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        * step;
    grouped(&format_number(rounded.normalize(), unit))
}

/// Thousands separators in a number's first run of digits: `2100000元` → `2,100,000元`.
fn grouped(text: &str) -> String {
    let start = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let end = text[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |e| start + e);
    let digits = &text[start..end];
    let mut out = String::from(&text[..start]);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&text[end..]);
    out
}

/// A share of the summary's, written as the summary prints it.
fn share(d: Decimal) -> String {
    crate::summary::pct(d)
}

/// Fills `{key}` in a sentence.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (key, value) in pairs {
        s = s.replace(&format!("{{{key}}}"), value);
    }
    s
}

const STYLE: &str = include_str!("html/report.css");

/// The whole page.
pub fn render_report(summary: &Summary, figures: &Figures, words: &FixedWords) -> String {
    let w = &words.report;
    let mut page = String::with_capacity(32 * 1024);
    let title = match &summary.version {
        Some(v) => format!("{} {v}", summary.ruleset),
        None => summary.ruleset.clone(),
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{} · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        w.html_lang,
        escape(&title),
        escape(&summary.as_of)
    );
    let _ = write!(
        page,
        "<header>\n<h1 data-ruleset=\"{}\">{}</h1>\n<p class=\"sub\">{} <span data-as-of=\"{}\">{}</span> · {}</p>\n</header>\n",
        escape(&summary.ruleset),
        escape(&title),
        escape(w.as_of),
        escape(&summary.as_of),
        escape(&summary.as_of),
        escape(&summary.input),
    );
    overview(&mut page, summary, w);
    grades(&mut page, summary, words);
    pareto(&mut page, summary, figures, w);
    follow_ups(&mut page, summary, figures, words);
    rejects(&mut page, summary, w);
    end_page(&mut page, w.made_by);
    page
}

/// The footer (made by tier, with its version) and the end of the document.
fn end_page(page: &mut String, made_by: &str) {
    let _ = write!(
        page,
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        escape(&fill(made_by, &[("version", env!("CARGO_PKG_VERSION"))]))
    );
}

fn overview(page: &mut String, summary: &Summary, w: &ReportWords) {
    let _ = write!(
        page,
        "<section id=\"overview\">\n<h2>{}</h2>\n<dl class=\"facts\">\n",
        escape(w.sections[0])
    );
    let facts = [
        ("rows_read", summary.rows_read),
        ("rows_graded", summary.rows_graded),
        ("rows_rejected", summary.rows_rejected),
        ("rows_skipped", summary.rows_skipped),
    ];
    for ((key, n), label) in facts.into_iter().zip(w.counts) {
        let _ = writeln!(
            page,
            "<div data-fact=\"{key}\" data-value=\"{n}\"><dt>{}</dt><dd>{}</dd></div>",
            escape(label),
            count(n)
        );
    }
    if let (Some(field), Some(total)) = (&summary.revenue_field, summary.revenue_total) {
        let _ = writeln!(
            page,
            "<div data-fact=\"revenue_total\" data-value=\"{total}\"><dt>{}</dt><dd>{}</dd></div>",
            escape(field),
            escape(&amount(total, summary.revenue_unit))
        );
    }
    page.push_str("</dl>\n</section>\n");
}

fn grades(page: &mut String, summary: &Summary, words: &FixedWords) {
    let w = &words.report;
    let field = summary.revenue_field.as_deref().unwrap_or("");
    let _ = write!(
        page,
        "<section id=\"grades\">\n<h2>{}</h2>\n<div class=\"charts\">\n",
        escape(w.sections[1])
    );
    let bars: Vec<Bar> = summary
        .grades
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            value: g.customers as f64,
            shown: format!("{} · {}", count(g.customers), share(g.share)),
        })
        .collect();
    figure(page, "customers", w.charts[0], "customers", &bars);
    if summary.revenue_field.is_some() {
        let bars: Vec<Bar> = summary
            .grades
            .iter()
            .map(|g| {
                let revenue = g.revenue.unwrap_or_default();
                Bar {
                    label: g.label.clone(),
                    value: revenue.to_f64().unwrap_or(0.0),
                    shown: format!(
                        "{} · {}",
                        amount(revenue, summary.revenue_unit),
                        share(g.revenue_share.unwrap_or_default())
                    ),
                }
            })
            .collect();
        let title = fill(w.charts[1], &[("field", field)]);
        figure(page, "revenue", &title, "revenue", &bars);
    }
    page.push_str("</div>\n");

    // The same numbers as a table.
    let grade = summary.grade_name.as_deref().unwrap_or(words.grade);
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"grade-table\">\n<thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th>",
        escape(grade),
        escape(w.table[0]),
        escape(w.table[1])
    );
    if !field.is_empty() {
        let _ = write!(
            page,
            "<th class=\"n\">{}</th><th class=\"n\">{}</th>",
            escape(field),
            escape(w.table[2])
        );
    }
    let _ = write!(
        page,
        "<th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>\n",
        escape(w.table[3]),
        escape(w.table[4])
    );
    for g in &summary.grades {
        let _ = write!(
            page,
            "<tr data-grade=\"{}\" data-customers=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            escape(&g.label),
            g.customers,
            escape(&g.label),
            count(g.customers),
            share(g.share)
        );
        if !field.is_empty() {
            let _ = write!(
                page,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                escape(&amount(g.revenue.unwrap_or_default(), summary.revenue_unit)),
                share(g.revenue_share.unwrap_or_default())
            );
        }
        let _ = writeln!(
            page,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            count(g.overdue),
            count(g.reassign)
        );
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// A chart in a `<figure>` with its title as the caption.
fn figure(page: &mut String, chart: &str, title: &str, class: &str, bars: &[Bar]) {
    let _ = writeln!(
        page,
        "<figure><figcaption>{}</figcaption>{}</figure>",
        escape(title),
        bar_chart(chart, title, class, bars)
    );
}

fn pareto(page: &mut String, summary: &Summary, figures: &Figures, w: &ReportWords) {
    let field = summary.revenue_field.as_deref().unwrap_or("");
    let _ = write!(
        page,
        "<section id=\"pareto\">\n<h2>{}</h2>\n",
        escape(w.sections[2])
    );
    let Some(curve) = &figures.pareto else {
        let _ = writeln!(
            page,
            "<p class=\"note\">{}</p>\n</section>",
            escape(w.no_pareto)
        );
        return;
    };
    let title = fill(w.charts[3], &[("field", field)]);
    let _ = write!(
        page,
        "<figure class=\"wide\"><figcaption>{}</figcaption>{}<p class=\"note\">{}<br>{}</p>",
        escape(&title),
        pareto_chart(&title, curve, &figures.cut_lines),
        escape(&fill(w.pareto_axes[0], &[("field", field)])),
        escape(&fill(w.pareto_axes[1], &[("field", field)])),
    );
    for line in &figures.cut_lines {
        let cuts: Vec<String> = line
            .cuts
            .iter()
            .map(|(label, s)| format!("{label} {}", percent(*s)))
            .collect();
        let by = fill(w.cut_by, &[("relative", &line.relative), ("by", &line.by)]);
        let _ = write!(
            page,
            "<p class=\"note cut-legend\">{}: {}</p>",
            escape(&by),
            escape(&cuts.join(", "))
        );
    }
    let top = percent(curve.revenue_share_at(0.2));
    let _ = write!(
        page,
        "<p class=\"check\" data-top20=\"{:.4}\">{}</p></figure>\n</section>\n",
        curve.revenue_share_at(0.2),
        escape(&fill(w.pareto_check, &[("share", &top), ("field", field)]))
    );
}

fn follow_ups(page: &mut String, summary: &Summary, figures: &Figures, words: &FixedWords) {
    let w = &words.report;
    let _ = write!(
        page,
        "<section id=\"follow-up\">\n<h2>{}</h2>\n",
        escape(w.sections[3])
    );
    if !figures.follow_up {
        let _ = writeln!(
            page,
            "<p class=\"note\">{}</p>\n</section>",
            escape(w.no_follow_up)
        );
        return;
    }
    page.push_str("<div class=\"charts\">\n");
    let bars: Vec<Bar> = summary
        .grades
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            value: g.overdue as f64,
            shown: format!("{} / {}", count(g.overdue), count(g.customers)),
        })
        .collect();
    figure(page, "overdue", w.charts[2], "overdue", &bars);
    if let Some(owners) = &figures.owners {
        let bars: Vec<Bar> = owners
            .iter()
            .map(|o| Bar {
                label: if o.owner.is_empty() {
                    words.no_owner.to_string()
                } else {
                    o.owner.clone()
                },
                value: o.overdue as f64,
                shown: format!("{} / {}", count(o.overdue), count(o.customers)),
            })
            .collect();
        figure(page, "overdue-by-owner", w.charts[4], "owner", &bars);
    }
    page.push_str("</div>\n");
    overdue_list(page, summary, figures, words);
    page.push_str("</section>\n");
}

fn overdue_list(page: &mut String, summary: &Summary, figures: &Figures, words: &FixedWords) {
    let w = &words.report;
    let _ = writeln!(
        page,
        "<h3>{}</h3>\n<p class=\"note\">{}</p>",
        escape(w.overdue_list),
        escape(w.overdue_order)
    );
    if figures.overdue_total == 0 {
        let _ = writeln!(page, "<p class=\"none\">{}</p>", escape(w.none_overdue));
        return;
    }
    let [row, due, days, owner] = w.overdue_headers;
    let owners = figures.owners.is_some();
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"overdue-table\" data-total=\"{}\">\n<thead><tr><th class=\"n\">{}</th>",
        figures.overdue_total,
        escape(row)
    );
    for h in &figures.id_columns {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    let grade = summary.grade_name.as_deref().unwrap_or(words.grade);
    let _ = write!(
        page,
        "<th>{}</th><th>{}</th><th class=\"n\">{}</th>",
        escape(grade),
        escape(due),
        escape(days)
    );
    if owners {
        let _ = write!(page, "<th>{}</th>", escape(owner));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for c in &figures.overdue {
        let _ = write!(
            page,
            "<tr data-row=\"{}\"><td class=\"n\">{}</td>",
            c.row, c.row
        );
        for i in 0..figures.id_columns.len() {
            let cell = c.id.get(i).map_or("", String::as_str);
            let _ = write!(page, "<td>{}</td>", escape(cell));
        }
        let due = c.next_due.map(|d| d.to_string()).unwrap_or_default();
        let _ = write!(
            page,
            "<td>{}</td><td class=\"date\">{due}</td><td class=\"n\">{}</td>",
            escape(&c.grade),
            c.days_overdue
        );
        if owners {
            let sep = if words.report.html_lang == "en" {
                ", "
            } else {
                "、"
            };
            let _ = write!(page, "<td>{}</td>", escape(&c.owners.join(sep)));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n");
    more(
        page,
        figures.overdue_total.saturating_sub(figures.overdue.len()),
        w,
    );
}

/// The "N more" line of a capped list (nothing when it is complete).
fn more(page: &mut String, n: usize, w: &ReportWords) {
    if n > 0 {
        let _ = writeln!(
            page,
            "<p class=\"more\" data-more=\"{n}\">{}</p>",
            escape(&fill(w.more, &[("n", &count(n))]))
        );
    }
}

fn rejects(page: &mut String, summary: &Summary, w: &ReportWords) {
    let _ = write!(
        page,
        "<section id=\"rejects\">\n<h2>{}</h2>\n",
        escape(w.sections[4])
    );
    if summary.rejects.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_rejects)
        );
        return;
    }
    let [row, column, value, reason] = w.rejects_headers;
    let _ = write!(
        page,
        "<p class=\"note\">{}</p>\n<div class=\"table-wrap\"><table id=\"rejects-table\" data-rows=\"{}\" data-problems=\"{}\">\n<thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        escape(w.rejects_note),
        summary.rows_rejected,
        summary.rejects.len(),
        escape(row),
        escape(column),
        escape(value),
        escape(reason)
    );
    for r in summary.rejects.iter().take(REJECTS_LISTED) {
        // A rejected event (`tier run --events`) is a row of its own file: named before the row.
        let at = if r.file == summary.input {
            r.row.to_string()
        } else {
            let name = std::path::Path::new(&r.file)
                .file_name()
                .map_or(r.file.clone(), |n| n.to_string_lossy().into_owned());
            format!("{name} {}", r.row)
        };
        let _ = writeln!(
            page,
            "<tr data-row=\"{}\"><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            r.row,
            escape(&at),
            escape(r.column.as_deref().unwrap_or("")),
            escape(&shorten(r.value.as_deref().unwrap_or(""), CELL_CHARS)),
            escape(&shorten(&r.reason, REASON_CHARS))
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
    more(
        page,
        summary.rejects.len().saturating_sub(REJECTS_LISTED),
        w,
    );
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">O'Brien & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
        assert!(matches!(escape("plain 文本"), Cow::Borrowed(_)));
    }

    #[test]
    fn counts_and_amounts_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(amount(Decimal::new(123456789, 2), Unit::Money), "123.46万");
        assert_eq!(amount(Decimal::from(523_456_789), Unit::Money), "5.23亿");
        assert_eq!(amount(Decimal::new(12345, 3), Unit::Plain), "12.35");
        assert_eq!(amount(Decimal::from(-2_100_000), Unit::Plain), "-2,100,000");
        assert_eq!(
            amount(Decimal::new(-123456789, 2), Unit::Money),
            "-123.46万"
        );
    }
}
