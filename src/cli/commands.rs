//! One function per subcommand; each returns the process exit code.

use super::stdio::{errln, outln, outp};
use super::*;
use crate::data::{Cell, CellParser};
use crate::eval::Program;
use crate::value::Value;

/// `tier check FILE...`
pub fn check(args: &CheckArgs, ui: &Ui) -> u8 {
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut io_failed = false;
    for path in &args.files {
        match read_source(path) {
            Ok(source) => all.extend(crate::diagnose(&source)),
            Err(d) => {
                io_failed = true;
                all.push(d);
            }
        }
    }
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    match args.format {
        DiagFormat::Json => {
            let json: Vec<_> = all.iter().map(Diagnostic::to_json).collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into())
            );
        }
        DiagFormat::Human => {
            ui.report(&all);
            errln!(
                "checked {} file{}: {} error{}, {} warning{}",
                args.files.len(),
                plural(args.files.len()),
                errors,
                plural(errors),
                warnings,
                plural(warnings)
            );
        }
    }
    if io_failed {
        EXIT_IO
    } else if errors > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Loads a ruleset for running: prints warnings, or errors and returns the exit code.
fn load(path: &Path, ui: &Ui) -> Result<crate::Loaded, u8> {
    let source = read_source(path).map_err(|d| {
        ui.report(&[d]);
        EXIT_IO
    })?;
    match crate::load(source) {
        Ok(loaded) => {
            ui.report(&loaded.warnings);
            Ok(loaded)
        }
        Err(diags) => {
            ui.report(&diags);
            Err(EXIT_FAILED)
        }
    }
}

/// `tier test FILE...`
pub fn test(args: &TestArgs, ui: &Ui) -> u8 {
    let as_of = match parse_as_of(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(d) => {
            ui.report(&[d]);
            return EXIT_USAGE;
        }
    };
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    let mut unreadable = false;
    for path in &args.files {
        let loaded = match load(path, ui) {
            Ok(l) => l,
            Err(code) => {
                unreadable |= code == EXIT_IO;
                broken += 1;
                continue;
            }
        };
        let report = crate::eval::testing::run_tests(
            &loaded.ruleset,
            &loaded.source,
            &loaded.program,
            as_of,
        );
        outp!("{}", report.render(ui.render_options()));
        passed += report.passed();
        failed += report.failed();
    }
    if args.files.len() > 1 {
        outln!("total: {passed} passed, {failed} failed");
    }
    if broken > 0 {
        errln!("{broken} ruleset(s) could not be loaded");
    }
    if unreadable {
        EXIT_IO
    } else if failed > 0 || broken > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// `tier eval` / `tier explain`
pub fn eval(args: &EvalArgs, ui: &Ui, explain: bool) -> u8 {
    let as_of = match parse_as_of(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(d) => {
            ui.report(&[d]);
            return EXIT_USAGE;
        }
    };
    let loaded = match load(&args.ruleset, ui) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut pairs: Vec<(String, Cell)> = Vec::new();
    for s in &args.set {
        let Some((k, v)) = s.split_once('=') else {
            ui.report(&[
                Diagnostic::error(Code::UsageSet, format!("`--set {s}` has no `=`"))
                    .with_help("write --set 字段=值, e.g. --set 销售额=200万"),
            ]);
            return EXIT_USAGE;
        };
        pairs.push((k.trim().to_string(), Cell::Text(v.trim().to_string())));
    }
    if let Some(json) = &args.json {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
            Ok(map) => {
                for (k, v) in map {
                    let cell = match v {
                        serde_json::Value::Null => Cell::Empty,
                        serde_json::Value::Bool(b) => Cell::Bool(b),
                        serde_json::Value::String(s) => Cell::Text(s),
                        other => Cell::Text(other.to_string()),
                    };
                    pairs.push((k, cell));
                }
            }
            Err(e) => {
                ui.report(&[Diagnostic::error(
                    Code::UsageJson,
                    format!("`--json` is not a JSON object: {e}"),
                )
                .with_help(r#"write --json '{"销售额": "200万", "回款率": "92%"}'"#)]);
                return EXIT_USAGE;
            }
        }
    }
    let record = match build_record(&loaded.program, &pairs) {
        Ok(r) => r,
        Err(d) => {
            // The values are command-line arguments: a wrong name or value is a usage error.
            ui.report(&d);
            return EXIT_USAGE;
        }
    };
    match loaded
        .program
        .evaluate(&record.inputs, &record.relatives, as_of)
    {
        Ok(outcome) => {
            outln!("as of {as_of}");
            if explain {
                outp!("{}", crate::eval::explain::render_trace(&outcome));
            } else {
                outp!("{}", crate::eval::explain::render_outcome(&outcome));
            }
            EXIT_OK
        }
        Err(e) => {
            ui.report(&[*e.diagnostic]);
            EXIT_FAILED
        }
    }
}

/// A record assembled from `name = text` pairs.
pub struct GivenRecord {
    pub inputs: Vec<Value>,
    pub relatives: Vec<Value>,
}

/// Builds a record from field names (or column names) and cells, parsing each cell exactly as a
/// data-file cell (`200万`, `92%`, `2026/11/1`). Unknown names are errors with did-you-mean.
pub fn build_record(
    program: &Program,
    pairs: &[(String, Cell)],
) -> Result<GivenRecord, Vec<Diagnostic>> {
    let inputs = program.inputs();
    let relatives = program.relatives();
    let mut cells: Vec<Cell> = vec![Cell::Empty; inputs.len()];
    let mut rel_values: Vec<Value> = vec![Value::Missing; relatives.len()];
    let mut errors = Vec::new();
    for (name, cell) in pairs {
        let input_pos = inputs.iter().position(|i| {
            &*i.name == name.as_str()
                || i.field
                    .columns
                    .iter()
                    .any(|c| c.value.trim() == name.trim())
        });
        if let Some(i) = input_pos {
            cells[i] = cell.clone();
            continue;
        }
        if let Some(r) = relatives.iter().position(|r| &*r.name == name.as_str()) {
            let text = match cell {
                Cell::Text(t) => t.trim().to_string(),
                _ => String::new(),
            };
            match relatives[r].labels.iter().find(|l| &***l == text.as_str()) {
                Some(label) => {
                    rel_values[r] = Value::Label(crate::value::Label {
                        name: label.clone(),
                        rank: relatives[r]
                            .labels
                            .iter()
                            .position(|l| l == label)
                            .unwrap_or(0) as u32,
                    })
                }
                None => errors.push(
                    Diagnostic::error(
                        Code::UsageSet,
                        format!("`{text}` is not a label of the relative grade {name}"),
                    )
                    .with_help(format!(
                        "use one of: {}",
                        relatives[r]
                            .labels
                            .iter()
                            .map(|l| l.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
            }
            continue;
        }
        let candidates: Vec<&str> = inputs
            .iter()
            .map(|i| &*i.name)
            .chain(relatives.iter().map(|r| &*r.name))
            .collect();
        let mut d = Diagnostic::error(
            Code::UsageUnknownField,
            format!("the ruleset has no input named `{name}`"),
        );
        d = match diagnostic::suggest(name, candidates.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!("inputs are: {}", candidates.join(", "))),
        };
        errors.push(d);
    }
    let mut values = Vec::with_capacity(inputs.len());
    for (spec, cell) in inputs.iter().zip(&cells) {
        let parser = CellParser::new(&spec.field, spec.grade_labels.as_deref());
        match parser.parse(cell) {
            Ok(v) => values.push(v),
            Err(reason) => {
                errors.push(Diagnostic::error(
                    Code::UsageValue,
                    format!("{}: {reason}", spec.name),
                ));
                values.push(Value::Missing);
            }
        }
    }
    if errors.is_empty() {
        Ok(GivenRecord {
            inputs: values,
            relatives: rel_values,
        })
    } else {
        Err(errors)
    }
}

/// `tier run`
pub fn run(args: &RunArgs, ui: &Ui) -> u8 {
    crate::run::command(args, ui)
}

/// `tier repl`
pub fn repl(args: &ReplArgs, ui: &Ui) -> u8 {
    let as_of = match parse_as_of(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(d) => {
            ui.report(&[d]);
            return EXIT_USAGE;
        }
    };
    crate::repl::run_interactive(args.ruleset.as_deref(), as_of, ui)
}

/// `tier fmt`
pub fn fmt(args: &FmtArgs, ui: &Ui) -> u8 {
    let mut code = EXIT_OK;
    for path in &args.files {
        let source = match read_source(path) {
            Ok(s) => s,
            Err(d) => {
                ui.report(&[d]);
                code = EXIT_IO;
                continue;
            }
        };
        match crate::format::format_source(&source) {
            Ok(text) if text == *source.text => {}
            Ok(text) => {
                if args.check {
                    outln!("{} is not formatted", path.display());
                    code = code.max(EXIT_FAILED);
                } else if let Err(d) = crate::data::write::write_file_atomic(path, text.as_bytes())
                {
                    ui.report(&[d]);
                    code = EXIT_IO;
                } else {
                    outln!("formatted {}", path.display());
                }
            }
            Err(d) => {
                ui.report(&d);
                code = code.max(EXIT_FAILED);
            }
        }
    }
    code
}
