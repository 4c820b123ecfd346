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

pub use load::{load_event_statements, load_statements, LoadReport};

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
    /// Where each `events` declaration's rows are: (declaration name, source). A declaration
    /// not listed reads the table of its own name.
    pub events: Vec<(String, EventSource)>,
    /// The events that `tier run` would reject (a cell that does not type, a key that names no
    /// customer), instead of the graded customers.
    pub event_rejects: bool,
    /// (declaration name, column): the column that orders the events of one day as the file
    /// would (`tier run` breaks `first`/`last` ties by file order; a table has none).
    pub events_order: Vec<(String, String)>,
}

/// What a query for these options cannot express, as located `tier::sql::unsupported`
/// diagnostics: `first`/`last` of a value over events without `--events-order`.
pub fn check(
    program: &crate::eval::Program,
    plan: &Plan,
    opts: &Options,
) -> Result<(), Vec<crate::diagnostic::Diagnostic>> {
    use crate::ast::AggFunc;
    use crate::diagnostic::{Code, Diagnostic};
    let errors: Vec<Diagnostic> = plan
        .aggregates
        .iter()
        .filter(|a| matches!(a.func, AggFunc::First | AggFunc::Last))
        .filter(|a| {
            let name = &plan.events[a.events].name;
            !opts.events_order.iter().any(|(n, _)| **n == **name)
        })
        .map(|a| {
            let name = &plan.events[a.events].name;
            Diagnostic::error(
                Code::SqlUnsupported,
                format!(
                    "`{}`: among events of one day `tier run` takes the first or last in the \
                     file, and a table has no order",
                    a.text
                ),
            )
            .in_source(&program.source)
            .with_label(a.span, "needs the events' order")
            .with_help(format!(
                "name a column that orders one day's events as the file does: \
                 --events-order {name}=COLUMN"
            ))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The rows of an `events` declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSource {
    /// A table or view (`schema.table` allowed).
    Table(String),
    /// A query whose result has the events' columns.
    Query(String),
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
        if opts.event_rejects {
            "events that `tier run` would reject, with the reason"
        } else if opts.rejects {
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
    let p = expr::Printer {
        d,
        as_of: opts.as_of,
        plan,
    };
    // Events first: the customers of an event-only query are their keys.
    let mut step = Step::First;
    for (e, ev) in plan.events.iter().enumerate() {
        let from = match opts
            .events
            .iter()
            .find(|(n, _)| **n == *ev.name)
            .map(|(_, s)| s)
        {
            Some(EventSource::Query(sql)) => format!("({sql})"),
            Some(EventSource::Table(t)) => table_name(d, t),
            None => d.ident(&ev.name),
        };
        begin(&mut q, d, &event_table(e), step);
        step = Step::View;
        let _ = write!(q, "  SELECT {} AS tier_erow", d.whole_row("tier_evsrc"));
        let mut fails = Vec::new();
        for (i, field) in ev.fields.iter().enumerate() {
            let (value, fail) = p.input(field);
            let _ = write!(q, ",\n    {value} AS {}", expr::event_field_name(e, i));
            fails.extend(fail);
        }
        if let Some((_, col)) = opts.events_order.iter().find(|(n, _)| **n == *ev.name) {
            let _ = write!(q, ",\n    {} AS tier_eord", d.ident(col));
        }
        let fail = if fails.is_empty() {
            "NULL".to_string()
        } else {
            format!("COALESCE({})", fails.join(", "))
        };
        let _ = write!(
            q,
            ",\n    CAST({fail} AS {}) AS tier_efail\n  FROM {from} AS tier_evsrc",
            d.ty(Ty::Text)
        );
        end(&mut q, d);
    }
    let event_only = !plan.events.is_empty() && opts.table.is_none() && opts.from_query.is_none();
    let source = match (&opts.from_query, &opts.table) {
        (Some(sql), _) => format!("SELECT * FROM ({sql}) AS tier_source"),
        (None, Some(t)) => format!("SELECT * FROM {}", table_name(d, t)),
        (None, None) if event_only => event_only_source(&p, plan),
        (None, None) => format!("SELECT * FROM {}", d.ident("customers")),
    };
    begin(&mut q, d, "tier_source", step);
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
    if opts.event_rejects {
        event_rejects(&mut q, &p, opts);
        return finish(q, d);
    }
    let mut prev = "tier_typed".to_string();
    if !plan.aggregates.is_empty() {
        aggregates(&mut q, &p);
        prev = "tier_joined".to_string();
    }
    // Columns by dependency level.
    let levels = levels(plan, &operands);
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
    let mut select: Vec<String> = match (&opts.keep, event_only) {
        (Some(cols), _) => cols
            .iter()
            .map(|c| format!("{} AS {}", d.row_field("tier_row", c), d.ident(c)))
            .collect(),
        // The customers of an event-only query have their key only, as in `tier run`.
        (None, true) => {
            let key = &plan.inputs[plan.events[0].key_input].column;
            vec![format!(
                "{} AS {}",
                d.row_field("tier_row", key),
                d.ident(key)
            )]
        }
        (None, false) => vec![d.row_star("tier_row")],
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
    finish(q, d)
}

fn finish(mut q: String, d: Dialect) -> String {
    if d == Dialect::Spark {
        // The last of the script's statements (`spark-sql -f` runs them all).
        q.insert(q.len() - 1, ';');
    }
    q
}

fn event_table(e: usize) -> String {
    format!("tier_ev{e}")
}

/// The customers of an event-only query: the distinct keys of the events whose cells type, as
/// `tier run RULESET --events …` grades them; the other inputs are empty.
fn event_only_source(p: &expr::Printer, plan: &Plan) -> String {
    let d = p.d;
    let key_input = &plan.inputs[plan.events[0].key_input];
    let keys: Vec<String> = plan
        .events
        .iter()
        .enumerate()
        .map(|(e, ev)| {
            format!(
                "SELECT {} AS tier_key FROM {} WHERE tier_efail IS NULL",
                expr::event_field_name(e, ev.key),
                event_table(e)
            )
        })
        .collect();
    let mut cols = vec![format!(
        "tier_keys.tier_key AS {}",
        d.ident(&key_input.column)
    )];
    let mut seen = vec![&key_input.column];
    for input in &plan.inputs {
        if !seen.contains(&&input.column) {
            seen.push(&input.column);
            cols.push(format!(
                "CAST(NULL AS {}) AS {}",
                d.ty(Ty::Text),
                d.ident(&input.column)
            ));
        }
    }
    format!(
        "SELECT {}\n  FROM (SELECT DISTINCT tier_key FROM ({}) AS tier_all_keys) AS tier_keys",
        cols.join(", "),
        keys.join(" UNION ALL ")
    )
}

/// The aggregates: per events declaration, one `GROUP BY` of its events by key (only the events
/// whose cells type), then `tier_joined`, the typed customers with every aggregate, joined by
/// key (eval/events.rs is the reference).
fn aggregates(q: &mut String, p: &expr::Printer) {
    use crate::ast::AggFunc;
    let (d, plan) = (p.d, p.plan);
    let as_of = p.expr(&PExpr::AsOf);
    for (e, ev) in plan.events.iter().enumerate() {
        let mine: Vec<(usize, &AggregateOp)> = plan
            .aggregates
            .iter()
            .enumerate()
            .filter(|(_, a)| a.events == e)
            .collect();
        if mine.is_empty() {
            continue;
        }
        begin(q, d, &format!("tier_agg{e}"), Step::View);
        let key = expr::event_field_name(e, ev.key);
        let date = PExpr::EventField(e, ev.date);
        let date_sql = p.expr(&date);
        let _ = write!(q, "  SELECT {key} AS tier_key");
        for (k, a) in mine {
            let c = counted(p, a, &date_sql, &as_of);
            let field = a.field.map(|f| expr::event_field_name(e, f));
            let field = field.as_deref().unwrap_or("NULL");
            let agg = |f: &str, v: &str| format!("{f}(CASE WHEN {c} THEN {v} END)");
            let (value, n) = match a.func {
                AggFunc::Sum | AggFunc::DailyAverage => (agg("SUM", field), None),
                AggFunc::Average => (agg("SUM", field), Some(agg("COUNT", field))),
                AggFunc::Count => (agg("COUNT", "1"), None),
                AggFunc::DistinctDays => (
                    format!("COUNT(DISTINCT CASE WHEN {c} THEN {date_sql} END)"),
                    None,
                ),
                AggFunc::DistinctMonths => {
                    let month = format!(
                        "({} * 12 + {})",
                        p.expr(&PExpr::Year(date.clone().b())),
                        p.expr(&PExpr::Month(date.clone().b()))
                    );
                    (
                        format!("COUNT(DISTINCT CASE WHEN {c} THEN {month} END)"),
                        None,
                    )
                }
                AggFunc::Min => (agg("MIN", field), None),
                AggFunc::Max => (agg("MAX", field), None),
                AggFunc::FirstDate => (agg("MIN", &date_sql), None),
                AggFunc::LastDate | AggFunc::DaysSinceLast => (agg("MAX", &date_sql), None),
                // Their own CTE below (`tier_edge{k}`).
                AggFunc::First | AggFunc::Last => continue,
            };
            let _ = write!(q, ",\n    {value} AS {}", expr::agg_name(k));
            if let Some(n) = n {
                let _ = write!(q, ",\n    {n} AS tier_n{k}");
            }
        }
        let _ = write!(
            q,
            "\n  FROM {}\n  WHERE tier_efail IS NULL\n  GROUP BY {key}",
            event_table(e)
        );
        end(q, d);
        // `first`/`last`: the value of the earliest (latest) counted event, ties broken by the
        // events' order as the file's (eval/events.rs `fold`: the first / the last among ties).
        for (k, a) in plan.aggregates.iter().enumerate() {
            if a.events != e || !matches!(a.func, AggFunc::First | AggFunc::Last) {
                continue;
            }
            let dir = if a.func == AggFunc::First {
                "ASC"
            } else {
                "DESC"
            };
            let field = a.field.map(|f| expr::event_field_name(e, f));
            begin(q, d, &format!("tier_edge{k}"), Step::View);
            let _ = write!(
                q,
                "  SELECT tier_key, tier_v AS {}\n  FROM (SELECT {key} AS tier_key, {} AS tier_v,\n    \
                 ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {date_sql} {dir}, tier_eord {dir}) AS tier_rn\n    \
                 FROM {}\n    WHERE tier_efail IS NULL AND {}) AS tier_ranked\n  WHERE tier_rn = 1",
                expr::agg_name(k),
                field.as_deref().unwrap_or("NULL"),
                event_table(e),
                counted(p, a, &date_sql, &as_of),
            );
            end(q, d);
        }
    }
    begin(q, d, "tier_joined", Step::View);
    let _ = write!(q, "  SELECT tier_typed.*");
    for (k, a) in plan.aggregates.iter().enumerate() {
        let g = match a.func {
            AggFunc::First | AggFunc::Last => format!("tier_edge{k}"),
            _ => format!("tier_g{}", a.events),
        };
        let v = format!("{g}.{}", expr::agg_name(k));
        let zero = |v: &str| format!("COALESCE({v}, 0)");
        let field_scale = a
            .field
            .and_then(|f| plan.events[a.events].fields[f].scale())
            .unwrap_or(0);
        let value = match a.func {
            AggFunc::Sum | AggFunc::Count | AggFunc::DistinctDays | AggFunc::DistinctMonths => {
                zero(&v)
            }
            AggFunc::Average => p.div_sql(&v, &format!("{g}.tier_n{k}"), field_scale, 0),
            AggFunc::DailyAverage => {
                let days = match &a.start {
                    Some(start) => format!("GREATEST({}, 1)", p.days_from(&p.expr(start), &as_of)),
                    None => "1".to_string(),
                };
                p.div_sql(&zero(&v), &days, field_scale, 0)
            }
            AggFunc::DaysSinceLast => p.days_from(&v, &as_of),
            _ => v,
        };
        let value = match a.ty {
            Ty::Num { .. } => format!("CAST({value} AS {})", p.column_type(a.ty)),
            _ => value,
        };
        let _ = write!(q, ",\n    {value} AS {}", expr::agg_name(k));
    }
    let _ = write!(q, "\n  FROM tier_typed");
    for (e, ev) in plan.events.iter().enumerate() {
        if !plan.aggregates.iter().any(|a| a.events == e) {
            continue;
        }
        let _ = write!(
            q,
            "\n  LEFT JOIN tier_agg{e} AS tier_g{e} ON tier_g{e}.tier_key = tier_typed.{}",
            p.input_name(ev.key_input)
        );
    }
    for (k, a) in plan.aggregates.iter().enumerate() {
        if matches!(a.func, AggFunc::First | AggFunc::Last) {
            let _ = write!(
                q,
                "\n  LEFT JOIN tier_edge{k} ON tier_edge{k}.tier_key = tier_typed.{}",
                p.input_name(plan.events[a.events].key_input)
            );
        }
    }
    end(q, d);
}

/// Whether an event counts for aggregate `a`: dated on or before the as-of date, after the
/// window's start, and its `where` true (missing does not hold).
fn counted(p: &expr::Printer, a: &AggregateOp, date: &str, as_of: &str) -> String {
    let mut counts = vec![format!("{date} <= {as_of}")];
    if let Some(start) = &a.start {
        counts.push(format!("{date} > {}", p.expr(start)));
    }
    if let Some(f) = &a.filter {
        counts.push(format!("COALESCE({}, FALSE)", p.expr(f)));
    }
    counts.join(" AND ")
}

/// The events that `tier run` rejects: a cell that does not type (the reason names the column),
/// or a key that names no customer (`tier_column` is the key's column). One row per event, with
/// the declaration's name, the kept columns of the event's row, the key and the reason.
fn event_rejects(q: &mut String, p: &expr::Printer, opts: &Options) {
    let (d, plan) = (p.d, p.plan);
    let mut parts = Vec::new();
    let mut key_inputs: Vec<usize> = plan.events.iter().map(|e| e.key_input).collect();
    key_inputs.dedup();
    for ki in &key_inputs {
        begin(q, d, &format!("tier_ckeys{ki}"), Step::View);
        let _ = write!(
            q,
            "  SELECT DISTINCT {0} AS tier_ckey FROM tier_typed WHERE {0} IS NOT NULL",
            p.input_name(*ki)
        );
        end(q, d);
    }
    let text = d.ty(Ty::Text);
    for (e, ev) in plan.events.iter().enumerate() {
        let key = expr::event_field_name(e, ev.key);
        let mut cols = vec![format!("{} AS tier_events", d.text(&ev.name))];
        for c in opts.keep.iter().flatten() {
            cols.push(format!(
                "CAST({} AS {text}) AS {}",
                d.row_field("tier_erow", c),
                d.ident(c)
            ));
        }
        let key_column = d.text(&ev.fields[ev.key].column);
        cols.push(format!(
            "CASE WHEN tier_efail IS NULL THEN {key_column} END AS tier_column"
        ));
        cols.push(format!("CAST({key} AS {text}) AS tier_value"));
        cols.push(format!(
            "COALESCE(tier_efail, {}) AS tier_reason",
            d.text("no customer has this key: the event belongs to no one")
        ));
        parts.push(format!(
            "SELECT {}\nFROM {} LEFT JOIN tier_ckeys{ki} ON tier_ckeys{ki}.tier_ckey = {key}\n\
             WHERE tier_efail IS NOT NULL OR tier_ckeys{ki}.tier_ckey IS NULL",
            cols.join(",\n       "),
            event_table(e),
            ki = ev.key_input
        ));
    }
    q.push('\n');
    q.push_str(&parts.join("\nUNION ALL\n"));
    q.push('\n');
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
