//! One function per subcommand; each returns the process exit code.

use super::stdio::{errln, outln, outp};
use super::*;
use std::path::Path;
use tier::data::Cell;
use tier::source::read_source;

/// `tier check FILE...`
pub fn check(args: &CheckArgs, ui: &Ui) -> u8 {
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut io_failed = false;
    for path in &args.files {
        match read_source(path) {
            Ok(source) => all.extend(tier::diagnose(&source)),
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
fn load(path: &Path, ui: &Ui) -> Result<tier::Loaded, u8> {
    let source = read_source(path).map_err(|d| {
        ui.report(&[d]);
        EXIT_IO
    })?;
    match tier::load(source) {
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
        let report =
            tier::eval::testing::run_tests(&loaded.ruleset, &loaded.source, &loaded.program, as_of);
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
    let record = match loaded.program.record(pairs) {
        Ok(r) => r,
        Err(d) => {
            // The values are command-line arguments: a wrong name or value is a usage error.
            ui.report(&d);
            return EXIT_USAGE;
        }
    };
    let program = &loaded.program;
    // Events: the rows of each file whose key is this record's.
    let mut events = Vec::new();
    if !args.events.is_empty() {
        let files = match super::run::event_flags(&args.events) {
            Ok(f) => f,
            Err(d) => {
                ui.report(&[d]);
                return EXIT_USAGE;
            }
        };
        let key = program
            .events()
            .first()
            .and_then(|e| record.inputs.get(e.key_input).cloned())
            .unwrap_or(tier::value::Value::Missing);
        match tier::batch::customer_events(program, &files, &key) {
            Ok((list, rejects)) => {
                for r in rejects {
                    super::stdio::err(&format!("rejected event: {r}\n"));
                }
                events = list;
            }
            Err(e) => {
                ui.report(&e.diagnostics);
                return match e.kind {
                    tier::batch::ErrorKind::Usage => EXIT_USAGE,
                    tier::batch::ErrorKind::Io => EXIT_IO,
                    tier::batch::ErrorKind::Failed => EXIT_FAILED,
                };
            }
        }
    }
    let graded = program
        .record_with_events(&record.inputs, &events, as_of)
        .and_then(|full| program.evaluate(&full, &record.relatives, as_of));
    match graded {
        Ok(outcome) => {
            outln!("as of {as_of}");
            if explain {
                outp!("{}", tier::eval::explain::render_trace(&outcome));
                if !events.is_empty() {
                    if let Ok(traces) = program.explain_events(&events, as_of) {
                        outln!("events:");
                        outp!("{}", tier::eval::events::render_events(&traces, as_of));
                    }
                }
            } else {
                outp!("{}", tier::eval::explain::render_outcome(&outcome));
            }
            EXIT_OK
        }
        Err(e) => {
            ui.report(&[*e.diagnostic]);
            EXIT_FAILED
        }
    }
}

/// `tier run`
pub fn run(args: &RunArgs, ui: &Ui) -> u8 {
    super::run::command(args, ui)
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
    super::terminal::run_interactive(args.ruleset.as_deref(), as_of, ui)
}

/// `tier fmt`: files in place, `-` (or no file) from standard input to standard output;
/// `--check` lists what would change, `--diff` shows how.
pub fn fmt(args: &FmtArgs, ui: &Ui) -> u8 {
    let stdin = Path::new("-");
    let files: Vec<&Path> = if args.files.is_empty() {
        vec![stdin]
    } else {
        args.files.iter().map(|p| p.as_path()).collect()
    };
    let mut code = EXIT_OK;
    for path in files {
        let from_stdin = path == stdin;
        let source = if from_stdin {
            tier::source::read_stdin_source()
        } else {
            read_source(path)
        };
        let source = match source {
            Ok(s) => s,
            Err(d) => {
                ui.report(&[d]);
                code = code.max(EXIT_IO);
                continue;
            }
        };
        let text = match tier::format::format_source(&source) {
            Ok(text) => text,
            Err(d) => {
                ui.report(&d);
                code = code.max(EXIT_FAILED);
                continue;
            }
        };
        let changed = text != *source.text;
        if args.diff && changed {
            outp!("{}", unified_diff(&source.text, &text, &source.name));
        }
        if args.check {
            if changed {
                if !args.diff {
                    outln!("{} is not formatted", source.name);
                }
                code = code.max(EXIT_FAILED);
            }
        } else if args.diff {
            // Nothing written.
        } else if from_stdin {
            outp!("{text}");
        } else if changed {
            if let Err(d) = tier::data::write::write_file_atomic(path, text.as_bytes()) {
                ui.report(&[d]);
                code = code.max(EXIT_IO);
            } else {
                outln!("formatted {}", path.display());
            }
        }
    }
    code
}

/// A unified diff from `old` to `new` (three lines of context), both sides named `name`.
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}
