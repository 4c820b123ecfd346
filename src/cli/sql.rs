//! `tier sql`: print a ruleset as SQL, or a data file as the table it reads.

use super::stdio::{errln, outp};
use super::{parse_as_of, SqlArgs, SqlDialect, Ui, EXIT_FAILED, EXIT_IO, EXIT_OK, EXIT_USAGE};
use tier::source::read_source;
use tier::sql::{Dialect, Options};

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
    let text = match &args.load {
        Some(data) => {
            let table = args.table.as_deref().unwrap_or("customers");
            match tier::sql::load_statements(
                &loaded.program,
                &plan,
                data,
                &Default::default(),
                table,
                dialect,
            ) {
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
        None => tier::sql::query(
            &plan,
            &Options {
                dialect,
                table: args.table.clone(),
                from_query: args.from_query.clone(),
                as_of,
                rejects: args.rejects,
                keep: args.keep.clone(),
            },
        ),
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
