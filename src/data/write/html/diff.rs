//! The diff report (`tier diff --report FILE.html`): what a rule change does, on one
//! self-contained page in the style of the run report, fed by a [`Diff`]. The comparison's
//! header and counts, the migration matrix as a table (old grade down, new grade across; the
//! diagonal, where nobody moved, set apart), customers per grade under each version as bars,
//! the changed customers with their first differing step, the tags gained and lost, the
//! follow-up workload per week (and per owner) before and after, and the rows one version
//! rejects. Against a graded file, the new and the vanished customers too.
//!
//! The same safety as the run report: no script, nothing fetched, a CSP of
//! `default-src 'none'`, every text HTML-escaped ([`escape`]). Lists are capped at
//! [`LISTED`] entries, then a line says how many more there are. Every number a test checks is
//! in a `data-*` attribute (`data-old`, `data-new`, `data-customers`, ...).

use super::svg::{Linear, WIDTH};
use super::{count, escape, fill, more, share, write_file_atomic, REASON_CHARS, STYLE};
use crate::data::write::{DiffReportWords as DiffWords, FixedWords};
use crate::diagnostic::Diagnostic;
use crate::diff::{Diff, Side, StepChange};
use crate::eval::words::Lang;
use crate::figures::{shorten, CELL_CHARS};
use rust_decimal::Decimal;
use std::fmt::Write;
use std::path::Path;

/// Changed customers, rejects, new and vanished customers listed each; the rest are counted.
pub const LISTED: usize = 100;

/// Writes the diff report to `path`, atomically, as every output.
pub fn write_diff_report(path: &Path, diff: &Diff, lang: Lang) -> Result<(), Diagnostic> {
    let html = render_diff_report(diff, lang);
    write_file_atomic(path, html.as_bytes())
}

/// A version as a title: `name version`, else its source.
fn version_title(v: &crate::diff::VersionInfo) -> String {
    match (&v.ruleset, &v.version) {
        (Some(r), Some(ver)) => format!("{r} {ver}"),
        (Some(r), None) => r.clone(),
        _ => v.source.clone(),
    }
}

/// The whole page.
pub fn render_diff_report(diff: &Diff, lang: Lang) -> String {
    let fixed = FixedWords::of(lang);
    let (r, w) = (&fixed.report, &fixed.diff_report);
    let mut page = String::with_capacity(32 * 1024);
    let (old, new) = (version_title(&diff.old), version_title(&diff.new));
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{} · {} → {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        r.html_lang,
        escape(w.title),
        escape(&old),
        escape(&new)
    );
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"versions\"><span data-old=\"{}\">{}</span> → <span data-new=\"{}\">{}</span></p>\n\
         <p class=\"sub\">{} <span data-input=\"{}\">{}</span>",
        escape(w.title),
        escape(&diff.old.source),
        escape(&old),
        escape(&diff.new.source),
        escape(&new),
        escape(w.data),
        escape(&diff.input),
        escape(&diff.input),
    );
    // One date when both gradings share it (two rulesets), else each side's.
    let dates: Vec<(&str, &String)> = [(w.old, &diff.old.as_of), (w.new, &diff.new.as_of)]
        .into_iter()
        .filter_map(|(side, d)| d.as_ref().map(|d| (side, d)))
        .collect();
    let same = dates.windows(2).all(|p| p[0].1 == p[1].1);
    for (i, (side, date)) in dates.iter().enumerate() {
        if same && i > 0 {
            break;
        }
        let side = if same {
            String::new()
        } else {
            format!("{} ", escape(side))
        };
        let _ = write!(
            page,
            " · {side}{} <span data-as-of=\"{}\">{}</span>",
            escape(r.as_of),
            escape(date),
            escape(date)
        );
    }
    page.push_str("</p>\n</header>\n");
    overview(&mut page, diff, w);
    matrix(&mut page, diff, fixed, w);
    grades(&mut page, diff, w);
    changed(&mut page, diff, fixed, w);
    tags(&mut page, diff, w);
    workload(&mut page, diff, fixed, w);
    rejects(&mut page, diff, fixed, w);
    if !diff.new_customers.is_empty() || !diff.vanished.is_empty() {
        one_side(&mut page, diff, fixed, w);
    }
    super::end_page(&mut page, r.made_by);
    page
}

fn section(page: &mut String, id: &str, title: &str) {
    let _ = write!(page, "<section id=\"{id}\">\n<h2>{}</h2>\n", escape(title));
}

fn overview(page: &mut String, diff: &Diff, w: &DiffWords) {
    section(page, "overview", w.sections[0]);
    page.push_str("<dl class=\"facts\">\n");
    let n = &diff.rows;
    let mut facts = vec![
        ("rows_read", n.read),
        ("compared", n.compared),
        ("moved", diff.moved),
        ("changed", diff.changed.len()),
        ("rejected_old_only", n.rejected_old_only),
        ("rejected_new_only", n.rejected_new_only),
        ("rejected_both", n.rejected_both),
        ("skipped", n.skipped),
    ];
    if n.new_customers > 0 || n.vanished > 0 {
        facts.push(("new_customers", n.new_customers));
        facts.push(("vanished", n.vanished));
    }
    for ((key, n), label) in facts.into_iter().zip(w.facts) {
        let _ = writeln!(
            page,
            "<div data-fact=\"{key}\" data-value=\"{n}\"><dt>{}</dt><dd>{}</dd></div>",
            escape(label),
            count(n)
        );
    }
    if let (Some(field), Some(s)) = (&diff.revenue_field, diff.moved_revenue_share) {
        let label = fill(w.moved_revenue, &[("field", field)]);
        let _ = writeln!(
            page,
            "<div data-fact=\"moved_revenue_share\" data-value=\"{s}\"><dt>{}</dt><dd>{}</dd></div>",
            escape(&label),
            share(s)
        );
    }
    page.push_str("</dl>\n</section>\n");
}

fn matrix(page: &mut String, diff: &Diff, fixed: &FixedWords, w: &DiffWords) {
    section(page, "matrix", w.sections[1]);
    let m = &diff.matrix;
    if m.cells.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_changes)
        );
        return;
    }
    let grade = diff.grade_name.as_deref().unwrap_or(fixed.grade);
    let _ = write!(
        page,
        "<p class=\"note\">{}</p>\n<div class=\"table-wrap\"><table id=\"matrix-table\" data-compared=\"{}\">\n<thead><tr><th class=\"corner\">{}<br>{}</th>",
        escape(w.matrix_note),
        diff.rows.compared,
        escape(grade),
        escape(w.corner)
    );
    for n in &m.new {
        let _ = write!(page, "<th class=\"n\">{}</th>", escape(n));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for o in &m.old {
        let _ = write!(page, "<tr><th>{}</th>", escape(o));
        for n in &m.new {
            let cell = m.cells.iter().find(|c| &c.old == o && &c.new == n);
            let class = if o == n { "n diag" } else { "n" };
            let (customers, cell_share) =
                cell.map_or((0, Decimal::ZERO), |c| (c.customers, c.share));
            let _ = write!(
                page,
                "<td class=\"{class}\" data-old=\"{}\" data-new=\"{}\" data-customers=\"{customers}\" data-share=\"{cell_share}\"",
                escape(o),
                escape(n)
            );
            let revenue_share = cell.and_then(|c| c.revenue_share);
            if let Some(rs) = revenue_share {
                let _ = write!(page, " data-revenue-share=\"{rs}\"");
            }
            if customers == 0 {
                page.push_str("><span class=\"zero\">·</span></td>");
                continue;
            }
            let _ = write!(page, ">{} · {}", count(customers), share(cell_share));
            if let (Some(field), Some(rs)) = (&diff.revenue_field, revenue_share) {
                let text = fill(w.revenue_share, &[("field", field), ("share", &share(rs))]);
                let _ = write!(page, "<br><span class=\"sub\">{}</span>", escape(&text));
            }
            page.push_str("</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// Customers per grade, two bars each: old (muted) above new.
fn grades(page: &mut String, diff: &Diff, w: &DiffWords) {
    section(page, "grades", w.sections[2]);
    const ROW: f64 = 34.0;
    const BAR: f64 = 12.0;
    let left = diff
        .grades
        .iter()
        .map(|g| g.grade.chars().count() as f64 * 9.0 + 10.0)
        .fold(40.0, f64::max)
        .min(150.0);
    let right = WIDTH - 70.0;
    let high = diff
        .grades
        .iter()
        .map(|g| g.old.max(g.new) as f64)
        .fold(0.0, f64::max);
    let x = Linear::new((0.0, high), (left, right));
    let height = diff.grades.len().max(1) as f64 * ROW + 24.0;
    let _ = write!(
        page,
        "<div class=\"charts\">\n<figure><figcaption>{}</figcaption><svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\" data-chart=\"grades\">",
        escape(w.chart),
        escape(w.chart)
    );
    for (i, g) in diff.grades.iter().enumerate() {
        let top = i as f64 * ROW + 4.0;
        let label = shorten(&g.grade, 16);
        let _ = write!(
            page,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            top + BAR + 4.0,
            escape(&label)
        );
        for (j, (side, n)) in [("old", g.old), ("new", g.new)].into_iter().enumerate() {
            let y = top + j as f64 * (BAR + 2.0);
            let width = x.at(n as f64) - left;
            let _ = write!(
                page,
                r#"<rect class="bar {side}" x="{left:.1}" y="{y:.1}" width="{width:.1}" height="{BAR:.1}" data-label="{}" data-side="{side}" data-value="{n}"><title>{}: {}</title></rect><text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
                escape(&g.grade),
                escape(&g.grade),
                count(n),
                left + width + 4.0,
                y + BAR - 2.0,
                count(n)
            );
        }
    }
    let legend = diff.grades.len() as f64 * ROW + 16.0;
    let _ = write!(
        page,
        r#"<rect class="bar old" x="{left:.1}" y="{:.1}" width="10" height="10"/><text x="{:.1}" y="{legend:.1}">{}</text><rect class="bar new" x="{:.1}" y="{:.1}" width="10" height="10"/><text x="{:.1}" y="{legend:.1}">{}</text>"#,
        legend - 9.0,
        left + 14.0,
        escape(w.old),
        left + 74.0,
        legend - 9.0,
        left + 88.0,
        escape(w.new)
    );
    page.push_str("</svg></figure>\n</div>\n</section>\n");
}

/// A step's value and explanation under one version.
fn step_side(value: &Option<String>, explanation: &Option<String>) -> String {
    match (value, explanation) {
        (Some(v), Some(e)) if !e.is_empty() => format!("{v} — {e}"),
        (Some(v), _) => v.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => "—".to_string(),
    }
}

fn step_cell(step: Option<&StepChange>, w: &DiffWords) -> String {
    let Some(s) = step else {
        return String::new();
    };
    format!(
        "<b>{}</b><br>{}: {}<br>{}: {}",
        escape(&s.name),
        escape(w.old),
        escape(&shorten(&step_side(&s.old_value, &s.old), REASON_CHARS)),
        escape(w.new),
        escape(&shorten(&step_side(&s.new_value, &s.new), REASON_CHARS)),
    )
}

fn sep(fixed: &FixedWords) -> &'static str {
    if fixed.report.html_lang == "en" {
        ", "
    } else {
        "、"
    }
}

fn changed(page: &mut String, diff: &Diff, fixed: &FixedWords, w: &DiffWords) {
    section(page, "changed", w.sections[3]);
    if diff.changed.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_changes)
        );
        return;
    }
    let [row, grade, gained, lost, step] = w.changed;
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"changed-table\" data-total=\"{}\">\n<thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        diff.changed.len(),
        escape(row),
        escape(&diff.key),
        escape(grade),
        escape(gained),
        escape(lost),
        escape(step)
    );
    for c in diff.changed.iter().take(LISTED) {
        let key = shorten(&c.key, CELL_CHARS);
        let class = if c.moved() { " class=\"moved\"" } else { "" };
        let _ = writeln!(
            page,
            "<tr{class} data-row=\"{}\" data-key=\"{}\" data-old=\"{}\" data-new=\"{}\"><td class=\"n\">{}</td><td>{}</td><td class=\"date\">{} → {}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            c.row,
            escape(&key),
            escape(&c.old_grade),
            escape(&c.new_grade),
            c.row,
            escape(&key),
            escape(&c.old_grade),
            escape(&c.new_grade),
            escape(&c.tags_gained.join(sep(fixed))),
            escape(&c.tags_lost.join(sep(fixed))),
            step_cell(c.step.as_ref(), w)
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
    more(
        page,
        diff.changed.len().saturating_sub(LISTED),
        &fixed.report,
    );
    page.push_str("</section>\n");
}

fn tags(page: &mut String, diff: &Diff, w: &DiffWords) {
    section(page, "tags", w.sections[4]);
    if diff.tags.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_tags)
        );
        return;
    }
    let [tag, old, new, gained, lost] = w.tags;
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"tags-table\">\n<thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>\n",
        escape(tag),
        escape(old),
        escape(new),
        escape(gained),
        escape(lost)
    );
    for t in &diff.tags {
        let _ = writeln!(
            page,
            "<tr data-tag=\"{}\" data-old=\"{}\" data-new=\"{}\" data-gained=\"{}\" data-lost=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.tag),
            t.old,
            t.new,
            t.gained,
            t.lost,
            escape(&t.tag),
            count(t.old),
            count(t.new),
            count(t.gained),
            count(t.lost)
        );
    }
    page.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// `+3`, `−2`, `0`.
fn change(old: usize, new: usize) -> String {
    match new.cmp(&old) {
        std::cmp::Ordering::Greater => format!("+{}", count(new - old)),
        std::cmp::Ordering::Less => format!("−{}", count(old - new)),
        std::cmp::Ordering::Equal => "0".to_string(),
    }
}

fn workload(page: &mut String, diff: &Diff, fixed: &FixedWords, w: &DiffWords) {
    section(page, "workload", w.sections[5]);
    let load = &diff.workload;
    if load.weeks.is_empty() && load.old_overdue == 0 && load.new_overdue == 0 {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_workload)
        );
        return;
    }
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"weeks-table\">\n<thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>\n",
        escape(w.week),
        escape(w.old),
        escape(w.new),
        escape(w.change)
    );
    let rows = load
        .weeks
        .iter()
        .map(|l| (l.week.as_str(), l.old, l.new, "week"))
        .chain([(w.overdue, load.old_overdue, load.new_overdue, "overdue")]);
    for (label, old, new, kind) in rows {
        let _ = writeln!(
            page,
            "<tr data-{kind}=\"{}\" data-old=\"{old}\" data-new=\"{new}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(label),
            escape(label),
            count(old),
            count(new),
            change(old, new)
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
    if !load.owners.is_empty() {
        let _ = write!(
            page,
            "<h3>{}</h3>\n<div class=\"table-wrap\"><table id=\"owners-table\">\n<thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>\n",
            escape(w.owner),
            escape(w.owner),
            escape(w.week),
            escape(w.old),
            escape(w.new),
            escape(w.change)
        );
        for l in &load.owners {
            let owner = if l.owner.is_empty() {
                fixed.no_owner
            } else {
                &l.owner
            };
            let _ = writeln!(
                page,
                "<tr data-owner=\"{}\" data-week=\"{}\" data-old=\"{}\" data-new=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&l.owner),
                escape(&l.week),
                l.old,
                l.new,
                escape(owner),
                escape(&l.week),
                count(l.old),
                count(l.new),
                change(l.old, l.new)
            );
        }
        page.push_str("</tbody>\n</table></div>\n");
    }
    page.push_str("</section>\n");
}

fn rejects(page: &mut String, diff: &Diff, fixed: &FixedWords, w: &DiffWords) {
    section(page, "rejects", w.sections[6]);
    if diff.rejects.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</section>",
            escape(w.no_rejects)
        );
        return;
    }
    let [row, by, other, column, value, reason] = w.rejects;
    let _ = write!(
        page,
        "<div class=\"table-wrap\"><table id=\"rejects-table\" data-problems=\"{}\">\n<thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        diff.rejects.len(),
        escape(row),
        escape(&diff.key),
        escape(by),
        escape(other),
        escape(column),
        escape(value),
        escape(reason)
    );
    for r in diff.rejects.iter().take(LISTED) {
        let (side, word) = match r.rejected_by {
            Side::Old => ("old", w.old),
            Side::New => ("new", w.new),
        };
        let key = shorten(&r.key, CELL_CHARS);
        let _ = writeln!(
            page,
            "<tr data-row=\"{}\" data-key=\"{}\" data-rejected-by=\"{side}\"><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>",
            r.row,
            escape(&key),
            r.row,
            escape(&key),
            escape(word),
            escape(r.other_grade.as_deref().unwrap_or("")),
            escape(r.column.as_deref().unwrap_or("")),
            escape(&shorten(r.value.as_deref().unwrap_or(""), CELL_CHARS)),
            escape(&shorten(&r.reason, REASON_CHARS))
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
    more(
        page,
        diff.rejects.len().saturating_sub(LISTED),
        &fixed.report,
    );
    page.push_str("</section>\n");
}

/// Against a graded file: the customers on one side only.
fn one_side(page: &mut String, diff: &Diff, fixed: &FixedWords, w: &DiffWords) {
    section(page, "one-side", w.sections[7]);
    let grade = diff.grade_name.as_deref().unwrap_or(fixed.grade);
    for (id, title, list) in [
        ("new-customers", w.one_side[0], &diff.new_customers),
        ("vanished", w.one_side[1], &diff.vanished),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            page,
            "<h3>{}</h3>\n<div class=\"table-wrap\"><table id=\"{id}-table\" data-total=\"{}\">\n<thead><tr><th class=\"n\">{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            escape(title),
            list.len(),
            escape(w.one_side[2]),
            escape(&diff.key),
            escape(grade)
        );
        for c in list.iter().take(LISTED) {
            let key = shorten(&c.key, CELL_CHARS);
            let _ = writeln!(
                page,
                "<tr data-row=\"{}\" data-key=\"{}\"><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                c.row,
                escape(&key),
                c.row,
                escape(&key),
                escape(&c.grade)
            );
        }
        page.push_str("</tbody>\n</table></div>\n");
        more(page, list.len().saturating_sub(LISTED), &fixed.report);
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Changed, Customer, Matrix, RejectChange, RowCounts, VersionInfo, Workload};

    fn version(source: &str) -> VersionInfo {
        VersionInfo {
            source: source.into(),
            ruleset: None,
            version: None,
            as_of: None,
        }
    }

    fn empty() -> Diff {
        Diff {
            old: version("old.tier"),
            new: version("new.tier"),
            input: "data.csv".into(),
            key: "id".into(),
            grade_name: None,
            revenue_field: None,
            revenue_total: None,
            rows: RowCounts::default(),
            moved: 0,
            moved_revenue: None,
            moved_revenue_share: None,
            matrix: Matrix::default(),
            grades: Vec::new(),
            changed: Vec::new(),
            tags: Vec::new(),
            workload: Workload::default(),
            rejects: Vec::new(),
            new_customers: Vec::new(),
            vanished: Vec::new(),
            revenue_unit: Default::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn an_empty_comparison_is_a_page() {
        for lang in [Lang::Zh, Lang::En] {
            let page = render_diff_report(&empty(), lang);
            assert!(page.ends_with("</html>\n"));
            assert!(page.contains("default-src 'none'"));
        }
    }

    #[test]
    fn long_lists_are_capped_and_every_text_escaped() {
        let mut diff = empty();
        let hostile = "<i>\"x\" & 'y'</i>";
        diff.changed = (0..150)
            .map(|i| Changed {
                row: i + 2,
                key: format!("{hostile}{i}"),
                old_grade: "<A>".into(),
                new_grade: "B".into(),
                tags_gained: vec!["<t>".into()],
                tags_lost: Vec::new(),
                step: Some(StepChange {
                    name: "<step>".into(),
                    old_value: Some("1".into()),
                    new_value: None,
                    old: Some("<why>".into()),
                    new: None,
                }),
            })
            .collect();
        diff.rejects = (0..101)
            .map(|i| RejectChange {
                row: i,
                key: hostile.into(),
                rejected_by: Side::New,
                other_grade: Some("<A>".into()),
                column: Some("<c>".into()),
                value: Some("v".repeat(10_000)),
                reason: "r".repeat(100_000),
            })
            .collect();
        diff.vanished = vec![Customer {
            row: 9,
            key: hostile.into(),
            grade: "<A>".into(),
        }];
        let page = render_diff_report(&diff, Lang::En);
        assert_eq!(page.matches(" data-row=").count(), 100 + 100 + 1);
        assert!(page.contains("data-more=\"50\""));
        assert!(page.contains("data-more=\"1\""));
        assert!(!page.contains("<i>") && !page.contains("<A>") && !page.contains("<t>"));
        assert!(page.contains("&lt;i&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/i&gt;"));
        assert!(page.len() < 1_000_000, "long cells are cut: {}", page.len());
    }
}
