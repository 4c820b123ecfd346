//! `tier sql`: a [`Plan`] printed as one SQL query (a chain of CTEs) for a dialect; for Spark, a
//! short script of views and cached levels ending in the query (see [`begin`]).
//!
//! The printer walks the plan once: a `typed` CTE reads the warehouse columns of the inputs into
//! base units and checks them as `tier run` checks cells (required, range, labels); then one CTE
//! per dependency level of the plan's columns; then the graded rows (those that nothing failed)
//! or, with [`Options::rejects`], the rows that failed, with the reason. Semantics are the
//! language's (docs/SQL.md): exact decimals, quotients rounded half away from zero to
//! [`QUOTIENT_PLACES`], settled comparisons, three-valued logic, month-end clamping.

mod expr;
mod load;

use crate::lower::*;
use std::fmt::Write as _;

pub use load::{load_statements, LoadReport};

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Duckdb,
    Postgres,
    Spark,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
        }
    }

    /// An identifier, quoted: any text is safe (quotes doubled).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A text literal: any text is safe.
    pub fn text(self, s: &str) -> String {
        match self {
            // Spark reads backslash escapes in string literals.
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// The whole source row as one value (a record or a struct).
    pub fn whole_row(self, table: &str) -> String {
        match self {
            Dialect::Spark => format!("struct({table}.*)"),
            _ => table.to_string(),
        }
    }

    /// Every field of a whole-row value, as columns.
    pub fn row_star(self, row: &str) -> String {
        match self {
            Dialect::Postgres => format!("({row}).*"),
            _ => format!("{row}.*"),
        }
    }

    /// One field of a whole-row value.
    pub fn row_field(self, row: &str, field: &str) -> String {
        match self {
            Dialect::Postgres => format!("({row}).{}", self.ident(field)),
            _ => format!("{row}.{}", self.ident(field)),
        }
    }

    /// The SQL type of a plan type.
    pub fn ty(self, ty: Ty) -> &'static str {
        match (self, ty) {
            (Dialect::Postgres, Ty::Num { .. }) => "NUMERIC",
            (_, Ty::Num { .. }) => "DECIMAL(38, 24)",
            (_, Ty::Date) => "DATE",
            (_, Ty::Bool) => "BOOLEAN",
            (Dialect::Spark, _) => "STRING",
            (_, _) => "VARCHAR",
        }
    }
}

/// Where the rows come from and what to print.
#[derive(Debug, Clone)]
pub struct Options {
    pub dialect: Dialect,
    /// A table (or view) name, quoted as one identifier unless it has a `.`-separated schema.
    pub table: Option<String>,
    /// A query whose result has the input columns.
    pub from_query: Option<String>,
    /// The evaluation date; `None` uses the engine's current date.
    pub as_of: Option<jiff::civil::Date>,
    /// The rows that `tier run` would reject, instead of the graded ones.
    pub rejects: bool,
    /// Source columns copied to the output (`None`: all of them).
    pub keep: Option<Vec<String>>,
}

/// The query for a plan.
pub fn query(plan: &Plan, opts: &Options) -> String {
    let d = opts.dialect;
    let mut q = String::new();
    let _ = writeln!(
        q,
        "-- tier {}: ruleset {}{}; dialect {}",
        env!("CARGO_PKG_VERSION"),
        one_line(&plan.name),
        plan.version
            .as_deref()
            .map(|v| format!(" version {}", one_line(v)))
            .unwrap_or_default(),
        d.name()
    );
    let _ = writeln!(
        q,
        "-- {} (as of {})",
        if opts.rejects {
            "rows that `tier run` would reject, with the reason"
        } else {
            "graded rows, the columns `tier run` writes"
        },
        opts.as_of
            .map(|a| a.to_string())
            .unwrap_or_else(|| "the engine's current date".into())
    );
    if d == Dialect::Spark {
        // Exact decimals: without these, Spark rounds a product or quotient that needs more
        // than 38 digits (and turns an overflow into NULL) instead of failing.
        q.push_str("SET spark.sql.decimalOperations.allowPrecisionLoss=false;\n");
        q.push_str("SET spark.sql.ansi.enabled=true;\n");
    }
    let source = match (&opts.from_query, &opts.table) {
        (Some(sql), _) => format!("SELECT * FROM ({sql}) AS tier_source"),
        (None, Some(t)) => format!("SELECT * FROM {}", table_name(d, t)),
        (None, None) => format!("SELECT * FROM {}", d.ident("customers")),
    };
    let p = expr::Printer {
        d,
        as_of: opts.as_of,
        plan,
    };
    begin(&mut q, d, "tier_source", Step::First);
    let _ = write!(q, "  {source}");
    end(&mut q, d);
    // Typed inputs, and why a row's cells do not type.
    begin(&mut q, d, "tier_typed", Step::View);
    let _ = write!(q, "  SELECT {} AS tier_row", d.whole_row("tier_source"));
    let mut in_fails = Vec::new();
    for (i, input) in plan.inputs.iter().enumerate() {
        let (value, fail) = p.input(input);
        let _ = write!(q, ",\n    {value} AS {}", p.input_name(i));
        if let Some(f) = fail {
            in_fails.push(f);
        }
    }
    let operands = p.quotient_operands();
    for (e, scale) in &operands {
        if let PExpr::Input(i) = e {
            let _ = write!(
                q,
                ",\n    {} AS {}",
                p.mantissa_expr(&PExpr::Input(*i), *scale),
                expr::mantissa_name(true, *i, *scale)
            );
        }
    }
    let fail = if in_fails.is_empty() {
        "NULL".to_string()
    } else {
        format!("COALESCE({})", in_fails.join(", "))
    };
    let _ = write!(
        q,
        ",\n    CAST({fail} AS {}) AS tier_fail_0",
        d.ty(Ty::Text)
    );
    q.push_str("\n  FROM tier_source");
    end(&mut q, d);
    // Columns by dependency level.
    let levels = levels(plan, &operands);
    let mut prev = "tier_typed".to_string();
    let max = levels.iter().copied().max().unwrap_or(0);
    for level in 1..=max {
        let name = format!("tier_level_{level}");
        begin(&mut q, d, &name, Step::Level);
        let _ = write!(q, "  SELECT {prev}.*");
        for (i, c) in plan.columns.iter().enumerate() {
            if levels[i] != level {
                continue;
            }
            let v = p.expr(&c.expr);
            let v = match c.ty {
                Ty::Null | Ty::Duration | Ty::Label(_) | Ty::Text => v,
                ty => format!("CAST({v} AS {})", p.column_type(ty)),
            };
            let _ = write!(q, ",\n    {v} AS {}", p.col_name(i));
            if let Some(f) = &c.fail {
                let _ = write!(
                    q,
                    ",\n    CAST({} AS {}) AS {}",
                    p.expr(f),
                    d.ty(Ty::Text),
                    p.fail_name(i)
                );
            }
        }
        // Mantissas of quotient operands computed at the level before (see `levels`).
        for (e, scale) in &operands {
            if let PExpr::Col(i) = e {
                if levels[*i] + 1 == level {
                    let _ = write!(
                        q,
                        ",\n    {} AS {}",
                        p.mantissa_expr(e, *scale),
                        expr::mantissa_name(false, *i, *scale)
                    );
                }
            }
        }
        let _ = write!(q, "\n  FROM {prev}");
        end(&mut q, d);
        prev = name;
    }
    // The first failure in evaluation order.
    let mut fails = vec!["tier_fail_0".to_string()];
    fails.extend(
        plan.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.fail.is_some())
            .map(|(i, _)| p.fail_name(i)),
    );
    begin(&mut q, d, "tier_graded", Step::View);
    let _ = write!(
        q,
        "  SELECT {prev}.*, COALESCE({}) AS tier_fail\n  FROM {prev}",
        fails.join(", ")
    );
    end(&mut q, d);
    q.push('\n');
    let mut select: Vec<String> = match &opts.keep {
        Some(cols) => cols
            .iter()
            .map(|c| format!("{} AS {}", d.row_field("tier_row", c), d.ident(c)))
            .collect(),
        None => vec![d.row_star("tier_row")],
    };
    if opts.rejects {
        select.push(format!("tier_fail AS {}", d.ident("tier_reason")));
        let _ = write!(
            q,
            "SELECT {}\nFROM tier_graded\nWHERE tier_fail IS NOT NULL\n",
            select.join(",\n       ")
        );
    } else {
        // A result named like a source column is written as `tier:<name>`, as `tier run` does.
        let taken: Vec<String> = match &opts.keep {
            Some(cols) => cols.clone(),
            None => plan.inputs.iter().map(|i| i.column.clone()).collect(),
        };
        for (header, col) in &plan.outputs.columns {
            let mut h = header.clone();
            if taken.contains(&h) {
                h = format!("tier:{header}");
            }
            let c = &plan.columns[*col];
            let v = p.output(*col, c.ty);
            select.push(format!("{v} AS {}", d.ident(&h)));
        }
        let _ = write!(
            q,
            "SELECT {}\nFROM tier_graded\nWHERE tier_fail IS NULL\n",
            select.join(",\n       ")
        );
    }
    if d == Dialect::Spark {
        // The last of the script's statements (`spark-sql -f` runs them all).
        q.insert(q.len() - 1, ';');
    }
    q
}

/// Where a step of the query starts: the first CTE, a CTE, or a CTE computed once (a level).
#[derive(Clone, Copy, PartialEq)]
enum Step {
    First,
    View,
    Level,
}

/// Opens a step: a CTE in PostgreSQL and DuckDB (a level `MATERIALIZED`); in Spark a statement of
/// its own, a temporary view, and for a level a lazily cached one. Spark has no `MATERIALIZED`
/// CTEs: it inlines the chain of levels into one expression (repeating every column at each use),
/// and its optimizer and planner then took minutes on a wide ruleset. A cached level is a leaf
/// of the next level's plan.
fn begin(q: &mut String, d: Dialect, name: &str, step: Step) {
    match (d, step) {
        (Dialect::Spark, Step::Level) => {
            let _ = write!(
                q,
                "DROP VIEW IF EXISTS {name};\nCACHE LAZY TABLE {name} AS\n"
            );
        }
        (Dialect::Spark, _) => {
            let _ = writeln!(q, "CREATE OR REPLACE TEMPORARY VIEW {name} AS");
        }
        (_, Step::First) => {
            let _ = writeln!(q, "WITH {name} AS (");
        }
        (_, Step::View) => {
            let _ = write!(q, ",\n{name} AS (\n");
        }
        (_, Step::Level) => {
            let _ = write!(q, ",\n{name} AS MATERIALIZED (\n");
        }
    }
}

/// Closes a step opened by [`begin`].
fn end(q: &mut String, d: Dialect) {
    match d {
        Dialect::Spark => q.push_str(";\n"),
        _ => q.push_str("\n)"),
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// `schema.table` keeps its dot; each part is quoted.
fn table_name(d: Dialect, t: &str) -> String {
    t.split('.')
        .map(|p| d.ident(p))
        .collect::<Vec<_>>()
        .join(".")
}

/// Each column's dependency level: 1 + the highest level it reads (inputs are level 0). A
/// quotient reads its column operands' mantissas, computed one level after the operand.
fn levels(plan: &Plan, operands: &[(PExpr, u32)]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(plan.columns.len());
    for c in &plan.columns {
        let mut lv = 0;
        let mut visit = |e: &PExpr| {
            walk(e, &mut |x| match x {
                PExpr::Col(j) => lv = lv.max(out.get(*j).copied().unwrap_or(0)),
                PExpr::Div(a, b) if !operands.is_empty() => {
                    for side in [a, b] {
                        if let PExpr::Col(j) = **side {
                            lv = lv.max(out.get(j).copied().unwrap_or(0) + 1);
                        }
                    }
                }
                _ => {}
            })
        };
        visit(&c.expr);
        if let Some(f) = &c.fail {
            visit(f);
        }
        out.push(lv + 1);
    }
    out
}

pub(crate) fn walk(e: &PExpr, f: &mut dyn FnMut(&PExpr)) {
    f(e);
    e.children(&mut |c| walk(c, f));
}
