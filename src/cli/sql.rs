//! `tier sql`: print a ruleset as SQL, or a data file as the table it reads.

use super::stdio::{errln, outp};
use super::{parse_as_of, SqlArgs, SqlDialect, Ui, EXIT_FAILED, EXIT_IO, EXIT_OK, EXIT_USAGE};
use tier::diagnostic::{Code, Diagnostic};
use tier::source::read_source;
use tier::sql::{Dialect, EventSource, Options};

pub fn command(args: &SqlArgs, ui: &Ui) -> u8 {
    let dialect = match args.dialect {
        SqlDialect::Duckdb => Dialect::Duckdb,
        SqlDialect::Postgres => Dialect::Postgres,
        SqlDialect::Spark => Dialect::Spark,
    };
    let as_of = match args
        .as_of
        .as_deref()
        .map(|a| parse_as_of(Some(a)))
        .transpose()
    {
        Ok(d) => d,
        Err(d) => {
            ui.report(&[d]);
            return EXIT_USAGE;
        }
    };
    let source = match read_source(&args.ruleset) {
        Ok(s) => s,
        Err(d) => {
            ui.report(&[d]);
            return EXIT_IO;
        }
    };
    let loaded = match tier::load(source) {
        Ok(l) => l,
        Err(diags) => {
            ui.report(&diags);
            return EXIT_FAILED;
        }
    };
    let plan = match tier::lower::lower(&loaded.program) {
        Ok(p) => p,
        Err(diags) => {
            ui.report(&diags);
            return EXIT_FAILED;
        }
    };
    // `--events NAME=TABLE`, `--events-query NAME=SQL` and `--events-order NAME=COLUMN`, each
    // NAME an `events` declaration.
    let mut events: Vec<(String, EventSource)> = Vec::new();
    let mut events_order: Vec<(String, String)> = Vec::new();
    let pairs = args
        .events
        .iter()
        .map(|a| (a, "--events", 0))
        .chain(args.events_query.iter().map(|a| (a, "--events-query", 1)))
        .chain(args.events_order.iter().map(|a| (a, "--events-order", 2)));
    for (arg, flag, which) in pairs {
        let Some((name, value)) = arg.split_once('=') else {
            ui.report(&[Diagnostic::error(
                Code::UsageEvents,
                format!("`{flag} {arg}`: expected NAME=…"),
            )
            .with_help("name the `events` declaration: --events 订单=sales.orders")]);
            return EXIT_USAGE;
        };
        let name = name.trim();
        if !plan.events.iter().any(|e| &*e.name == name) {
            let known: Vec<&str> = plan.events.iter().map(|e| &*e.name).collect();
            ui.report(&[Diagnostic::error(
                Code::UsageEvents,
                format!("`{flag} {arg}`: the ruleset declares no events `{name}`"),
            )
            .with_help(if known.is_empty() {
                "this ruleset has no `events` declaration".to_string()
            } else {
                format!("its events: {}", known.join(", "))
            })]);
            return EXIT_USAGE;
        }
        match which {
            0 => events.push((
                name.to_string(),
                EventSource::Table(value.trim().to_string()),
            )),
            1 => events.push((name.to_string(), EventSource::Query(value.to_string()))),
            _ => events_order.push((name.to_string(), value.trim().to_string())),
        }
    }
    let loading = match (&args.load, &args.load_events) {
        (Some(data), _) => Some((None, data.clone())),
        (None, Some(arg)) => {
            let found = arg.split_once('=').and_then(|(name, file)| {
                plan.events
                    .iter()
                    .position(|e| &*e.name == name.trim())
                    .map(|e| (e, std::path::PathBuf::from(file)))
            });
            match found {
                Some((e, file)) => Some((Some(e), file)),
                None => {
                    ui.report(&[Diagnostic::error(
                        Code::UsageEvents,
                        format!("`--load-events {arg}`: expected NAME=FILE, NAME an `events` declaration"),
                    )]);
                    return EXIT_USAGE;
                }
            }
        }
        (None, None) => None,
    };
    let text = match &loading {
        Some((which, data)) => {
            let loaded_sql = match which {
                None => tier::sql::load_statements(
                    &loaded.program,
                    &plan,
                    data,
                    &Default::default(),
                    args.table.as_deref().unwrap_or("customers"),
                    dialect,
                ),
                Some(e) => {
                    let name = &plan.events[*e].name;
                    let table = match events.iter().find(|(n, _)| **n == **name) {
                        Some((_, EventSource::Table(t))) => t.clone(),
                        _ => name.to_string(),
                    };
                    tier::sql::load_event_statements(
                        &loaded.program,
                        &plan,
                        *e,
                        data,
                        &Default::default(),
                        &table,
                        dialect,
                    )
                }
            };
            match loaded_sql {
                Ok((sql, report)) => {
                    for (row, column, reason) in &report.left_out {
                        errln!(
                            "{}: row {row}, column {column}: {reason} (left out of the table)",
                            data.display()
                        );
                    }
                    errln!(
                        "{} rows loaded, {} left out",
                        report.rows,
                        report.left_out.len()
                    );
                    sql
                }
                Err(d) => {
                    ui.report(&[d]);
                    return EXIT_IO;
                }
            }
        }
        None => {
            let opts = Options {
                dialect,
                table: args.table.clone(),
                from_query: args.from_query.clone(),
                as_of,
                rejects: args.rejects,
                keep: args.keep.clone(),
                events,
                event_rejects: args.event_rejects,
                events_order,
            };
            // The rejected events' query folds nothing: it needs no order.
            let checked = if opts.event_rejects {
                Ok(())
            } else {
                tier::sql::check(&loaded.program, &plan, &opts)
            };
            if let Err(diags) = checked {
                ui.report(&diags);
                return EXIT_FAILED;
            }
            tier::sql::query(&plan, &opts)
        }
    };
    match &args.output {
        Some(path) => match tier::data::write::write_file_atomic(path, text.as_bytes()) {
            Ok(()) => EXIT_OK,
            Err(d) => {
                ui.report(&[d]);
                EXIT_IO
            }
        },
        None => {
            outp!("{text}");
            EXIT_OK
        }
    }
}
