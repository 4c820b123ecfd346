//! Grades a data file through tier's public API only, as a CRM or a wrapper would embed it:
//! load the ruleset, grade the file (relative grades ranked over all of it), then print each
//! customer's grade and the summary.
//!
//! ```text
//! cargo run --example grade_file                      # rulesets/pareto_abc.tier on its sample
//! cargo run --example grade_file -- RULESET DATA [AS_OF]
//! ```
//!
//! The integration tests include this file and call [`grade_file`] (tests/integration/library.rs).

use std::path::Path;
use std::process::ExitCode;
use tier::batch::{self, RunOptions};
use tier::data::OutputFormat;
use tier::diagnostic::{Diagnostic, RenderOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ruleset = args
        .first()
        .map_or("rulesets/pareto_abc.tier", String::as_str);
    let data = args
        .get(1)
        .map_or("rulesets/samples/pareto_abc.csv", String::as_str);
    let as_of = match args.get(2).map(|d| d.parse()) {
        None => jiff::civil::date(2026, 11, 23),
        Some(Ok(date)) => date,
        Some(Err(e)) => {
            eprintln!("grade_file: the date is not YYYY-MM-DD: {e}");
            return ExitCode::from(2);
        }
    };
    match grade_file(Path::new(ruleset), Path::new(data), as_of) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(text) => {
            eprint!("{text}");
            ExitCode::FAILURE
        }
    }
}

/// Grades `data` with `ruleset` as of `as_of`: one line per customer (the file's first column
/// and the grade), then the summary. Errors come back rendered, as text.
pub fn grade_file(ruleset: &Path, data: &Path, as_of: jiff::civil::Date) -> Result<String, String> {
    let render = |d: &[Diagnostic]| {
        tier::diagnostic::render(
            d,
            RenderOptions {
                color: false,
                width: 100,
            },
        )
    };
    // 1. Load: parse, check, compile. Warnings do not stop it.
    let source = tier::source::read_source(ruleset).map_err(|d| render(&[d]))?;
    let loaded = tier::load(source).map_err(|d| render(&d))?;

    // 2. Grade the whole file into NDJSON, one object per customer, in a scratch directory.
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let graded = dir.path().join("graded.ndjson");
    let mut options = RunOptions::new(data, as_of);
    options.output = Some(graded.clone());
    options.output_format = OutputFormat::Ndjson;
    options.ruleset = Some(ruleset.to_path_buf());
    let rows_done = |_rows: usize| {}; // a progress bar would move here
    let report = batch::grade_file(&loaded, options, Some(&rows_done))
        .map_err(|e| render(&e.diagnostics))?;
    if let Some(failure) = report.failure {
        return Err(render(&failure.diagnostics));
    }

    // 3. Each customer's grade, read back from the graded file.
    let grade_column = loaded
        .program
        .output()
        .grade
        .map_or("等级".into(), |g| g.to_string());
    let mut text = String::new();
    let lines = std::fs::read_to_string(&graded).map_err(|e| e.to_string())?;
    for line in lines.lines() {
        let row: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| e.to_string())?;
        let shown = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => "-".into(),
            Some(other) => other.to_string(),
        };
        let customer = shown(row.values().next());
        let grade = shown(row.get(&grade_column));
        text.push_str(&format!("{customer}\t{grade}\n"));
    }

    // 4. The summary, and every row that could not be graded.
    text.push_str(&report.summary.render());
    for reject in &report.rejects {
        text.push_str(&format!("rejected: {reject}\n"));
    }
    Ok(text)
}
