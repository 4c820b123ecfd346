//! `tier sql --load DATA`: a data file as the typed warehouse table the query reads.
//!
//! Each input becomes a column of its declared type, in the column's own unit (`money(万)` is a
//! decimal in 万, a percent a fraction), named as the query reads it. Cells are typed exactly as
//! `tier run` types them; a cell that does not type (text in a number column) cannot be held by
//! a typed column, so its row is left out and listed in the report. Empty cells are `NULL`, also
//! in required columns: the query's rejects find those rows, as `tier run` does.

use super::Dialect;
use crate::data::{self, InputMapping, ReadOptions};
use crate::diagnostic::Diagnostic;
use crate::eval::Program;
use crate::lower::{InputKind, Plan};
use crate::value::Value;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::path::Path;

/// What a load left out.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Rows written to the table.
    pub rows: usize,
    /// Rows left out: (row number, column, reason), for cells a typed column cannot hold.
    pub left_out: Vec<(usize, String, String)>,
}

/// `CREATE TABLE` and `INSERT` statements for `path`'s rows: one extra column, `tier_row`, has
/// each row's number as `tier run` reports it.
pub fn load_statements(
    program: &Program,
    plan: &Plan,
    path: &Path,
    opts: &ReadOptions,
    table: &str,
    dialect: Dialect,
) -> Result<(String, LoadReport), Diagnostic> {
    let fields: Vec<crate::ast::InputField> =
        program.inputs().iter().map(|i| i.field.clone()).collect();
    load_table(&fields, &plan.inputs, path, opts, table, dialect)
}

/// The statements that load an events file of declaration `events` as its typed table, as
/// [`load_statements`] loads the customers.
pub fn load_event_statements(
    program: &Program,
    plan: &Plan,
    events: usize,
    path: &Path,
    opts: &ReadOptions,
    table: &str,
    dialect: Dialect,
) -> Result<(String, LoadReport), Diagnostic> {
    let fields = program.events()[events].decl.fields.clone();
    load_table(
        &fields,
        &plan.events[events].fields,
        path,
        opts,
        table,
        dialect,
    )
}

fn load_table(
    fields: &[crate::ast::InputField],
    inputs: &[crate::lower::PlanInput],
    path: &Path,
    opts: &ReadOptions,
    table: &str,
    dialect: Dialect,
) -> Result<(String, LoadReport), Diagnostic> {
    let d = dialect;
    // Every field optional, without defaults or ranges: the table holds the cells as they are.
    let fields: Vec<crate::ast::InputField> = fields
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.optional = true;
            f.default = None;
            f.range = None;
            if let crate::ast::TypeKind::Enum(_) | crate::ast::TypeKind::Grade(_) = f.ty.kind {
                f.ty.kind = crate::ast::TypeKind::Text;
            }
            f
        })
        .collect();
    let mut source = data::open(path, opts)?;
    let headers = source.headers().to_vec();
    let file = source.source_name().to_string();
    let (mapping, _) =
        InputMapping::new(&fields, &headers, &|_| None, &file).map_err(|mut e| e.remove(0))?;
    let mut out = String::new();
    let table_sql = table
        .split('.')
        .map(|p| d.ident(p))
        .collect::<Vec<_>>()
        .join(".");
    let mut cols = vec![format!("{} INTEGER", d.ident("tier_row"))];
    for input in inputs {
        let ty = match &input.kind {
            InputKind::Number { integer: true, .. } => "BIGINT",
            InputKind::Number { .. } | InputKind::Percent => match d {
                Dialect::Postgres => "NUMERIC",
                _ => "DECIMAL(38, 10)",
            },
            InputKind::Date => "DATE",
            InputKind::Bool => "BOOLEAN",
            InputKind::Text | InputKind::Labels { .. } => d.ty(crate::lower::Ty::Text),
        };
        cols.push(format!("{} {ty}", d.ident(&input.column)));
    }
    let using = if d == Dialect::Spark {
        " USING parquet"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "CREATE TABLE {table_sql} (\n  {}\n){using};",
        cols.join(",\n  ")
    );
    let mut report = LoadReport::default();
    let mut batch: Vec<String> = Vec::new();
    let flush = |out: &mut String, batch: &mut Vec<String>| {
        if !batch.is_empty() {
            let _ = writeln!(
                out,
                "INSERT INTO {table_sql} VALUES\n  {};",
                batch.join(",\n  ")
            );
            batch.clear();
        }
    };
    for row in source.by_ref() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                report
                    .left_out
                    .push((e.row, e.column.unwrap_or_default(), e.reason));
                continue;
            }
        };
        match mapping.parse_row(&row, &file) {
            Ok(values) => {
                let mut cells = vec![row.row.to_string()];
                for (v, input) in values.iter().zip(inputs) {
                    cells.push(literal(d, v, &input.kind));
                }
                batch.push(format!("({})", cells.join(", ")));
                report.rows += 1;
                if batch.len() >= 500 {
                    flush(&mut out, &mut batch);
                }
            }
            Err(errors) => {
                for e in errors {
                    report
                        .left_out
                        .push((e.row, e.column.unwrap_or_default(), e.reason));
                }
            }
        }
    }
    flush(&mut out, &mut batch);
    if let Some(stop) = source.stopped() {
        return Err(stop.clone());
    }
    Ok((out, report))
}

/// A typed value as a literal of its warehouse column (in the column's unit).
fn literal(d: Dialect, v: &Value, kind: &InputKind) -> String {
    match v {
        Value::Missing => "NULL".into(),
        Value::Number(n, _) => {
            let n = match kind {
                InputKind::Number { factor, .. } if *factor != Decimal::ONE => {
                    n.checked_div(*factor).unwrap_or(*n)
                }
                _ => *n,
            };
            n.normalize().to_string()
        }
        Value::Date(x) => format!("DATE '{x}'"),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::Text(t) => d.text(t),
        Value::Label(l) => d.text(&l.name),
        Value::Duration(_) => "NULL".into(),
    }
}
