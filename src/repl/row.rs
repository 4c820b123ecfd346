//! `:row DATA_FILE N|ID`: one customer from a data file, with its relative grades ranked over the
//! whole file as `tier run` would.

use super::inputs::{user_path, NO_RULESET};
use super::{Reply, Session};
use crate::batch::ColumnMap;
use crate::data::{self, Cell, RawRow, ReadOptions};
use crate::eval::columns::KeyColumn;
use crate::eval::Program;
use crate::value::Value;

const USAGE: &str = "write :row DATA_FILE N (the row number as in the file; the header is row 1) or :row DATA_FILE ID";

/// The row found, and its position among the file's data rows (for the relative columns).
struct Found {
    row: RawRow,
    index: usize,
}

impl Session {
    /// `:row DATA_FILE N|ID`: replaces the inputs with one customer's row.
    pub(super) fn row(&mut self, rest: &str) -> Reply {
        let rest = rest.trim();
        let Some((file, key)) = rest.rsplit_once(char::is_whitespace) else {
            return Reply::error(USAGE);
        };
        let (path, key) = (user_path(file), key.trim());
        let file = file.trim();
        let Some(l) = &self.loaded else {
            return Reply::error(NO_RULESET);
        };
        let open = || data::open(&path, &ReadOptions::default());
        let source = match open() {
            Ok(s) => s,
            Err(d) => return Reply::error(self.rendered(&[d])),
        };
        let headers = source.headers().to_vec();
        let map = match ColumnMap::new(&l.program, &headers, None, file) {
            Ok((map, _warnings)) => map,
            Err(d) => return Reply::error(self.rendered(&d)),
        };
        let number: Option<usize> = key.parse().ok();
        // An ID is looked for in the columns that are not inputs (ID, name, region), so that
        // `:row FILE 1` does not pick a customer with 1 batch.
        let used: Vec<usize> = map.inputs.iter().flatten().copied().collect();
        let id_columns: Vec<usize> = (0..headers.len()).filter(|c| !used.contains(c)).collect();
        let mut by_id = None;
        let mut by_number = None;
        let mut first_row = None;
        // Positions count every data row, readable or not, as `tier run` does.
        for (index, item) in source.enumerate() {
            let Ok(row) = item else { continue };
            first_row.get_or_insert(row.row);
            if number == Some(row.row) {
                by_number = Some(Found { row, index });
                break;
            }
            let has_id = id_columns
                .iter()
                .any(|&c| row.cells.get(c).is_some_and(|v| v.to_text().trim() == key));
            if by_id.is_none() && has_id {
                by_id = Some(Found { row, index });
                if number.is_none() {
                    break;
                }
            }
        }
        let Some(Found { row, index }) = by_number.or(by_id) else {
            let msg = match (number, first_row) {
                (Some(n), Some(f)) if n < f => format!(
                    "{file} has no row {key} (row {key} is the header; the first customer is row {f})"
                ),
                (Some(_), _) => format!("{file} has no row {key}"),
                (None, _) => {
                    format!("no cell in {file} is `{key}` (give a customer ID or a row number)")
                }
            };
            return Reply::error(msg);
        };
        // Relative grades rank the whole file: read it again, once per round of relatives.
        let relatives = if l.program.relatives().is_empty() {
            Ok(Vec::new())
        } else {
            relative_classes(&l.program, &map, file, self.as_of, index, &open)
        };
        // Say whose row this is: the first columns that are not inputs (ID, name).
        let who: Vec<String> = id_columns
            .iter()
            .filter_map(|&c| row.cells.get(c).map(|v| v.to_text()))
            .filter(|t| !t.trim().is_empty())
            .take(2)
            .collect();
        self.inputs.clear();
        for (spec, col) in l.program.inputs().iter().zip(&map.inputs) {
            if let Some(cell) = col.and_then(|c| row.cells.get(c)) {
                if !matches!(cell, Cell::Empty) {
                    self.inputs.insert(spec.name.to_string(), cell.clone());
                }
            }
        }
        let mut note = None;
        match relatives {
            Ok(classes) => {
                for (rel, class) in l.program.relatives().iter().zip(classes) {
                    if let Value::Label(label) = class {
                        self.inputs
                            .insert(rel.name.to_string(), Cell::Text(label.name.to_string()));
                    }
                }
            }
            Err(e) => note = Some(e),
        }
        let mut out = format!("row {} of {file}", row.row);
        if !who.is_empty() {
            out.push_str(&format!(" ({})", who.join(" ")));
        }
        out.push_str(":\n");
        // The inputs part of :show, without the date line and the typed definitions.
        for line in self.show().lines().skip(1) {
            if !line.starts_with("  ") {
                break;
            }
            out.push_str(line);
            out.push('\n');
        }
        if let Some(n) = note {
            out.push_str(&format!("({n})\n"));
        }
        out.push_str(&self.one_line_result());
        Reply::ok(out)
    }

    /// `→ 等级 = B, 综合得分 = 70.5, tags 非正常` or why the customer cannot be graded.
    fn one_line_result(&self) -> String {
        let Some(l) = &self.loaded else {
            return String::new();
        };
        match self.evaluate_current() {
            None => {
                let rec = self.record();
                let why = self.not_gradable(&rec).map(|r| r.text).unwrap_or_default();
                format!("→ {}", why.lines().next().unwrap_or_default())
            }
            Some(Ok(o)) => {
                let mut parts = Vec::new();
                if let Some(g) = &o.grade {
                    parts.push(format!(
                        "{} = {}",
                        g.name,
                        g.label.as_deref().unwrap_or("missing")
                    ));
                }
                if let (Some(name), Some(s)) = (l.program.output().score, &o.score) {
                    parts.push(format!("{name} = {s}"));
                }
                if let Some(s) = &o.subgrade {
                    parts.push(format!("sub-grade {s}"));
                }
                if !o.tags.is_empty() {
                    let names: Vec<&str> = o.tags.iter().map(|t| &*t.name).collect();
                    parts.push(format!("tags {}", names.join(", ")));
                }
                format!(
                    "→ {}   (:grade for details, :explain for the steps)",
                    parts.join(", ")
                )
            }
            Some(Err(e)) => format!(
                "→ this customer would be rejected: {}",
                e.diagnostic.message
            ),
        }
    }
}

/// The relative classes of the data row at `index`, ranked over the whole file exactly as
/// `tier run` ranks them (one key pass per round of relatives).
fn relative_classes(
    program: &Program,
    map: &ColumnMap,
    file: &str,
    as_of: jiff::civil::Date,
    index: usize,
    open: &dyn Fn() -> Result<Box<dyn data::RowSource>, crate::diagnostic::Diagnostic>,
) -> Result<Vec<Value>, String> {
    let columns = crate::eval::relative::rank_in_rounds(program, |known, round| {
        let source = open().map_err(|d| d.message)?;
        let mut keys: Vec<KeyColumn> = round
            .iter()
            .map(|&k| KeyColumn::new(&program.relatives()[k]))
            .collect();
        for (i, item) in source.enumerate() {
            let classes: Vec<Value> = known.iter().map(|c| c.get(i)).collect();
            let row_keys = item
                .ok()
                .and_then(|row| map.record(file, &row).ok())
                .and_then(|record| program.relative_keys_with(&record, &classes, as_of).ok());
            for (column, &k) in keys.iter_mut().zip(round) {
                match row_keys.as_ref().and_then(|all| all.get(k)) {
                    Some(key) => column.push(&key.value, &key.group),
                    None => column.push(&Value::Missing, &Value::Missing),
                }
            }
        }
        Ok::<_, String>(keys)
    })?;
    Ok(columns.iter().map(|c| c.get(index)).collect())
}
