//! `tier diff`'s report on a terminal: the rows accounted for, the migration matrix, the moves
//! with their revenue, the changed customers with the first step that differs, tags, follow-up
//! workload and rejects. Long lists show their first entries and say how to get all of them.

use rust_decimal::Decimal;
use std::fmt::Write;
use tier::diff::{Diff, Side, VersionInfo};
use tier::value::format_number;

/// Changed customers listed on screen (all of them are in `-o FILE`).
const CHANGED_SHOWN: usize = 30;
/// Rejects, new and vanished customers listed on screen.
const LIST_SHOWN: usize = 10;

fn pct(d: Decimal) -> String {
    format!("{:.1}%", (d * Decimal::ONE_HUNDRED).round_dp(1))
}

fn share(n: usize, of: usize) -> String {
    if of == 0 {
        return pct(Decimal::ZERO);
    }
    pct(Decimal::from(n) / Decimal::from(of))
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

fn version(v: &VersionInfo) -> String {
    match (&v.ruleset, &v.version) {
        (Some(r), Some(ver)) => format!("{r} {ver} ({})", v.source),
        (Some(r), None) => format!("{r} ({})", v.source),
        _ => match &v.as_of {
            Some(d) => format!("graded file {} (as of {d})", v.source),
            None => format!("graded file {}", v.source),
        },
    }
}

fn table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t
}

/// Numbers line up on the right: every column but the first.
fn numbers_right(t: &mut comfy_table::Table) {
    for column in t.column_iter_mut().skip(1) {
        column.set_cell_alignment(comfy_table::CellAlignment::Right);
    }
}

fn more(out: &mut String, total: usize, shown: usize, how: &str) {
    if total > shown {
        let _ = writeln!(out, "  … and {} more ({how})", total - shown);
    }
}

/// The whole report as text.
pub fn render(d: &Diff) -> String {
    let mut out = String::new();
    let as_of = d.new.as_of.as_deref().unwrap_or("");
    let _ = writeln!(out, "old: {}", version(&d.old));
    let _ = writeln!(out, "new: {}", version(&d.new));
    let _ = writeln!(out, "as of {as_of} · {} · key {}", d.input, d.key);
    rows(&mut out, d);
    out.push('\n');
    matrix(&mut out, d);
    changed(&mut out, d);
    tags(&mut out, d);
    workload(&mut out, d);
    rejects(&mut out, d);
    customers(&mut out, d);
    out
}

fn rows(out: &mut String, d: &Diff) {
    let r = &d.rows;
    let mut parts = vec![format!("{} compared", r.compared)];
    let against = !d.new_customers.is_empty() || !d.vanished.is_empty() || d.old.ruleset.is_none();
    if against {
        parts.push(format!("{} new", r.new_customers));
        parts.push(format!("{} rejected", r.rejected_new_only));
    } else {
        parts.push(format!("{} rejected by old only", r.rejected_old_only));
        parts.push(format!("{} rejected by new only", r.rejected_new_only));
        parts.push(format!("{} rejected by both", r.rejected_both));
    }
    if r.skipped > 0 {
        parts.push(format!("{} skipped", r.skipped));
    }
    let _ = writeln!(out, "rows: {} read = {}", r.read, parts.join(" + "));
    if against {
        let _ = writeln!(
            out,
            "vanished: {} in the graded file, not in the data",
            r.vanished
        );
    }
    let grade = d.grade_name.as_deref().unwrap_or("grade");
    let mut moved = format!(
        "moved: {} of {} customers ({}) changed {grade}",
        d.moved,
        r.compared,
        share(d.moved, r.compared)
    );
    match (&d.revenue_field, d.moved_revenue, d.moved_revenue_share) {
        (Some(f), Some(rev), Some(s)) => {
            let _ = write!(
                moved,
                ", {} of {f} ({})",
                format_number(rev, d.revenue_unit),
                pct(s)
            );
        }
        _ => moved.push_str("; no revenue shares: neither ruleset declares output { revenue X }"),
    }
    let _ = writeln!(out, "{moved}");
}

fn matrix(out: &mut String, d: &Diff) {
    let m = &d.matrix;
    if m.cells.is_empty() {
        let _ = writeln!(out, "no customer graded by both\n");
        return;
    }
    let grade = d.grade_name.as_deref().unwrap_or("grade");
    let _ = writeln!(out, "{grade}: old ↓ new →");
    let mut t = table();
    let mut header = vec![String::new()];
    header.extend(m.new.iter().cloned());
    header.push("total".into());
    t.set_header(header);
    let count = |o: &str, n: &str| {
        m.cells
            .iter()
            .find(|c| c.old == o && c.new == n)
            .map_or(0, |c| c.customers)
    };
    for o in &m.old {
        let mut row = vec![o.clone()];
        let mut total = 0;
        for n in &m.new {
            let c = count(o, n);
            total += c;
            row.push(if c == 0 { ".".into() } else { c.to_string() });
        }
        row.push(total.to_string());
        t.add_row(row);
    }
    let mut totals = vec!["total".to_string()];
    for n in &m.new {
        totals.push(m.old.iter().map(|o| count(o, n)).sum::<usize>().to_string());
    }
    totals.push(d.rows.compared.to_string());
    t.add_row(totals);
    numbers_right(&mut t);
    let _ = writeln!(out, "{t}");
    let moves: Vec<_> = m.cells.iter().filter(|c| c.old != c.new).collect();
    if !moves.is_empty() {
        let _ = writeln!(out, "moves:");
        for c in moves {
            let revenue = match (&d.revenue_field, c.revenue_share) {
                (Some(f), Some(s)) => format!(", {} of {f}", pct(s)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} → {}  {} customer{} ({}){revenue}",
                c.old,
                c.new,
                c.customers,
                if c.customers == 1 { "" } else { "s" },
                pct(c.share)
            );
        }
    }
    out.push('\n');
}

fn changed(out: &mut String, d: &Diff) {
    if d.changed.is_empty() {
        let _ = writeln!(out, "changed customers: none\n");
        return;
    }
    let _ = writeln!(
        out,
        "changed customers: {} ({} moved, {} with other tags only)",
        d.changed.len(),
        d.moved,
        d.changed.len() - d.changed.iter().filter(|c| c.moved()).count()
    );
    for c in d.changed.iter().take(CHANGED_SHOWN) {
        let grade = if c.moved() {
            format!("{} → {}", c.old_grade, c.new_grade)
        } else {
            c.new_grade.clone()
        };
        let mut tags: Vec<String> = c.tags_gained.iter().map(|t| format!("+{t}")).collect();
        tags.extend(c.tags_lost.iter().map(|t| format!("−{t}")));
        let key = if c.key.is_empty() { "(no key)" } else { &c.key };
        let _ = writeln!(
            out,
            "  {key} (row {})  {grade}{}{}",
            c.row,
            if tags.is_empty() { "" } else { "  " },
            tags.join(" ")
        );
        if let Some(s) = &c.step {
            let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                s.name,
                value(&s.old_value),
                value(&s.new_value)
            );
            if let Some(e) = &s.old {
                let _ = writeln!(out, "      was: {e}");
            }
            if let Some(e) = &s.new {
                let _ = writeln!(out, "      now: {e}");
            }
        }
    }
    more(
        out,
        d.changed.len(),
        CHANGED_SHOWN,
        "write them all with -o changed.csv",
    );
    out.push('\n');
}

fn tags(out: &mut String, d: &Diff) {
    let shifted: Vec<_> = d
        .tags
        .iter()
        .filter(|t| t.old != t.new || t.gained > 0 || t.lost > 0)
        .collect();
    if d.tags.is_empty() {
        return;
    }
    if shifted.is_empty() {
        let _ = writeln!(out, "tags: unchanged\n");
        return;
    }
    let _ = writeln!(
        out,
        "tags (customers old → new; gained/lost by compared customers):"
    );
    let mut t = table();
    t.set_header(vec!["tag", "old", "new", "gained", "lost"]);
    for s in &shifted {
        t.add_row(vec![
            s.tag.clone(),
            s.old.to_string(),
            s.new.to_string(),
            s.gained.to_string(),
            s.lost.to_string(),
        ]);
    }
    numbers_right(&mut t);
    let _ = writeln!(out, "{t}");
    let same = d.tags.len() - shifted.len();
    if same > 0 {
        let _ = writeln!(
            out,
            "  ({same} other tag{} unchanged)",
            if same == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
}

fn workload(out: &mut String, d: &Diff) {
    let w = &d.workload;
    if w.weeks.is_empty() {
        return;
    }
    let changed: Vec<_> = w.weeks.iter().filter(|l| l.old != l.new).collect();
    let (old, new): (usize, usize) = (
        w.weeks.iter().map(|l| l.old).sum(),
        w.weeks.iter().map(|l| l.new).sum(),
    );
    let _ = writeln!(out, "follow-up workload (contacts due per ISO week):");
    if changed.is_empty() {
        let _ = writeln!(out, "  unchanged in all {} weeks", w.weeks.len());
    } else {
        let mut t = table();
        t.set_header(vec!["week", "old", "new", "change"]);
        for l in &changed {
            t.add_row(vec![
                l.week.clone(),
                l.old.to_string(),
                l.new.to_string(),
                signed(l.new as i64 - l.old as i64),
            ]);
        }
        t.add_row(vec![
            "total".into(),
            old.to_string(),
            new.to_string(),
            signed(new as i64 - old as i64),
        ]);
        numbers_right(&mut t);
        let _ = writeln!(out, "{t}");
        let same = w.weeks.len() - changed.len();
        if same > 0 {
            let _ = writeln!(
                out,
                "  ({same} other week{} unchanged)",
                if same == 1 { "" } else { "s" }
            );
        }
    }
    let _ = writeln!(out, "overdue: {} → {}", w.old_overdue, w.new_overdue);
    if !w.owners.is_empty() {
        let mut owners: Vec<(String, usize, usize)> = Vec::new();
        for l in &w.owners {
            match owners.iter_mut().find(|(o, ..)| *o == l.owner) {
                Some((_, a, b)) => {
                    *a += l.old;
                    *b += l.new;
                }
                None => owners.push((l.owner.clone(), l.old, l.new)),
            }
        }
        let _ = writeln!(out, "per owner (contacts due, all weeks):");
        let mut t = table();
        t.set_header(vec!["owner", "old", "new", "change"]);
        for (o, a, b) in owners {
            let o = if o.is_empty() { "(no owner)".into() } else { o };
            t.add_row(vec![
                o,
                a.to_string(),
                b.to_string(),
                signed(b as i64 - a as i64),
            ]);
        }
        numbers_right(&mut t);
        let _ = writeln!(out, "{t}");
    }
    out.push('\n');
}

fn rejects(out: &mut String, d: &Diff) {
    if !d.rejects.is_empty() {
        let against = d.old.ruleset.is_none();
        let _ = writeln!(
            out,
            "{}:",
            if against {
                "rejected rows"
            } else {
                "rejected by one version only"
            }
        );
        for r in d.rejects.iter().take(LIST_SHOWN) {
            let by = match r.rejected_by {
                Side::Old => "old",
                Side::New => "new",
            };
            let other = match (&r.other_grade, against) {
                (Some(g), true) => format!(" (graded {g} before)"),
                (None, true) => " (not in the graded file)".into(),
                (Some(g), false) => format!(
                    " ({} grades it {g})",
                    if by == "old" { "new" } else { "old" }
                ),
                (None, false) => String::new(),
            };
            let key = if r.key.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.key)
            };
            let col = r
                .column
                .as_deref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default();
            let val = r
                .value
                .as_deref()
                .map(|v| format!(" `{v}`"))
                .unwrap_or_default();
            let by = if against {
                String::new()
            } else {
                format!(" by {by}")
            };
            let _ = writeln!(
                out,
                "  row {}{key}: rejected{by}{other}{col}{val}: {}",
                r.row, r.reason
            );
        }
        more(
            out,
            d.rejects.len(),
            LIST_SHOWN,
            "write them all with -o report.xlsx",
        );
    }
    if d.rows.rejected_both > 0 {
        let _ = writeln!(out, "rows rejected by both: {}", d.rows.rejected_both);
    }
}

fn customers(out: &mut String, d: &Diff) {
    for (title, list) in [
        ("new customers", &d.new_customers),
        ("vanished customers", &d.vanished),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}: {}", list.len());
        for c in list.iter().take(LIST_SHOWN) {
            let _ = writeln!(out, "  {} (row {}): {}", c.key, c.row, c.grade);
        }
        more(
            out,
            list.len(),
            LIST_SHOWN,
            "write them all with -o changed.csv",
        );
    }
}
