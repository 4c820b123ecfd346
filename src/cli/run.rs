//! `tier run`: the flags mapped onto [`tier::batch::RunOptions`], a progress bar on a terminal,
//! the summary and diagnostics rendered, and the exit code chosen. The grading itself is the
//! library's ([`tier::batch`]).

use super::stdio;
use super::{
    parse_as_of, InFormat, OutFormat, RunArgs, Ui, EXIT_FAILED, EXIT_IO, EXIT_OK, EXIT_USAGE,
};
use std::io::IsTerminal;
use tier::batch::{Bom, ErrorKind, FileRun, Input, RunError, RunOptions};
use tier::data::{self, InputFormat, OutputFormat, ReadOptions};
use tier::diagnostic::{Code, Diagnostic};

/// `tier run` end to end; returns the exit code.
pub fn command(args: &RunArgs, ui: &Ui) -> u8 {
    match execute(args, ui) {
        Ok(code) => code,
        // `tier run ... | head`: the reader went away; that is not an error to report.
        Err(_) if data::write::stdout_closed() => crate::cli::stdio::EXIT_BROKEN_PIPE,
        Err((code, diags)) => {
            ui.report(&diags);
            code
        }
    }
}

type Failure = (u8, Vec<Diagnostic>);

fn io(d: Diagnostic) -> Failure {
    (EXIT_IO, vec![d])
}

/// The exit code of a library failure.
fn failure(e: RunError) -> Failure {
    let code = match e.kind {
        ErrorKind::Usage => EXIT_USAGE,
        ErrorKind::Io => EXIT_IO,
        ErrorKind::Failed => EXIT_FAILED,
    };
    (code, e.diagnostics)
}

fn read_options(args: &RunArgs) -> Result<ReadOptions, Diagnostic> {
    read_flags(
        args.input_format,
        args.encoding.as_ref(),
        args.delimiter.as_deref(),
        args.sheet.as_ref(),
    )
}

/// `--input-format`, `--encoding`, `--delimiter` and `--sheet` as read options (also `tier
/// diff`'s).
pub(super) fn read_flags(
    input_format: Option<InFormat>,
    encoding: Option<&String>,
    delimiter: Option<&str>,
    sheet: Option<&String>,
) -> Result<ReadOptions, Diagnostic> {
    if let Some(label) = encoding {
        if !data::is_encoding_label(label) {
            return Err(Diagnostic::error(
                Code::UsageEncoding,
                format!("`--encoding {label}` is not an encoding tier knows"),
            )
            .with_help("use a label such as utf-8, gbk, gb18030, big5, utf-16le"));
        }
    }
    let delimiter = match delimiter {
        None => None,
        Some("tab") | Some("\\t") | Some("\t") => Some(b'\t'),
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some(d) => {
            return Err(Diagnostic::error(
                Code::UsageDelimiter,
                format!("`--delimiter {d}` is not one character"),
            )
            .with_help("use , or ; or tab"))
        }
    };
    Ok(ReadOptions {
        format: input_format.map(|f| match f {
            InFormat::Csv => InputFormat::Csv,
            InFormat::Xlsx => InputFormat::Xlsx,
            InFormat::Json => InputFormat::Json,
            InFormat::Ndjson => InputFormat::Ndjson,
        }),
        encoding: encoding.cloned(),
        delimiter,
        sheet: sheet.cloned(),
        encoding_detected: false,
    })
}

fn output_format(args: &RunArgs) -> OutputFormat {
    if let Some(f) = args.format {
        return match f {
            OutFormat::Csv => OutputFormat::Csv,
            OutFormat::Xlsx => OutputFormat::Xlsx,
            OutFormat::Json => OutputFormat::Json,
            OutFormat::Ndjson => OutputFormat::Ndjson,
            OutFormat::Table => OutputFormat::Table,
        };
    }
    match &args.output {
        Some(p) => match p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("xlsx") => OutputFormat::Xlsx,
            Some("json") => OutputFormat::Json,
            Some("ndjson") | Some("jsonl") => OutputFormat::Ndjson,
            _ => OutputFormat::Csv,
        },
        None if std::io::stdout().is_terminal() => OutputFormat::Table,
        None => OutputFormat::Csv,
    }
}

/// `--threads N`, capped at 8 per core (more only adds switching); `None` keeps rayon's default.
fn thread_count(requested: Option<usize>) -> (Option<usize>, Option<Diagnostic>) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        Some(n) if n > cores * MAX_THREADS_PER_CORE => {
            let cap = cores * MAX_THREADS_PER_CORE;
            let warning = Diagnostic::warning(
                Code::UsageThreads,
                format!("--threads {n} is more than {MAX_THREADS_PER_CORE} per core; using {cap} ({cores} cores)"),
            )
            .with_help("--threads at most the number of cores is usually fastest");
            (Some(cap), Some(warning))
        }
        Some(0) | None => (None, None),
        Some(n) => (Some(n), None),
    }
}

/// `--events NAME=FILE`, each split at its first `=`.
pub(super) fn event_flags(
    flags: &[String],
) -> Result<Vec<(String, std::path::PathBuf)>, Diagnostic> {
    flags
        .iter()
        .map(|f| match f.split_once('=') {
            Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
                Ok((name.trim().to_string(), file.into()))
            }
            _ => Err(Diagnostic::error(
                Code::UsageEvents,
                format!("`--events {f}` is not NAME=FILE"),
            )
            .with_help("name the `events` declaration and its file: `--events 订单=orders.csv`")),
        })
        .collect()
}

/// The most worker threads per core `--threads` gives.
const MAX_THREADS_PER_CORE: usize = 8;

fn execute(args: &RunArgs, ui: &Ui) -> Result<u8, Failure> {
    let as_of = parse_as_of(args.as_of.as_deref()).map_err(|d| (EXIT_USAGE, vec![d]))?;
    let read = read_options(args).map_err(|d| (EXIT_USAGE, vec![d]))?;
    let (threads, threads_warning) = thread_count(args.threads);
    ui.report(&threads_warning.into_iter().collect::<Vec<_>>());
    let input = match &args.data {
        None => Input::EventKeys,
        Some(data) if data.as_os_str() == "-" => Input::Reader {
            name: "<stdin>".into(),
            reader: Box::new(std::io::stdin()),
        },
        Some(data) => Input::Path(data.clone()),
    };
    let events = event_flags(&args.events).map_err(|d| (EXIT_USAGE, vec![d]))?;
    let options = RunOptions {
        input,
        read,
        output: args.output.clone(),
        output_format: output_format(args),
        as_of,
        events,
        keep: args.keep.clone(),
        bom: if args.no_bom {
            Bom::Never
        } else if args.bom {
            Bom::Always
        } else {
            Bom::Files
        },
        raw_csv: args.raw_csv,
        rejects: args.rejects.clone(),
        max_rejects: args.max_rejects,
        summary: args.summary.clone(),
        report: args.report.clone(),
        reasons: !args.no_reasons,
        ruleset: Some(args.ruleset.clone()),
        lang: args.lang.map(Into::into),
        engine: args.evaluator == crate::cli::Evaluator::Engine,
    };
    let mut run = FileRun::new(options).map_err(failure)?;
    ui.report(&run.take_warnings());
    let source = tier::source::read_source(&args.ruleset).map_err(io)?;
    let loaded = tier::load(source).map_err(|d| (EXIT_FAILED, d))?;
    ui.report(&loaded.warnings);
    if let Some(n) = threads {
        // A second call fails once a pool exists; the default pool is then used.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }

    let bar = (ui.stderr_is_terminal && !args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} rows graded ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let show = |rows: usize| {
        if let Some(bar) = &bar {
            bar.set_position(rows as u64);
        }
    };
    let graded = run.grade(&loaded, Some(&show));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = graded.map_err(failure)?;
    ui.report(&report.warnings);
    if !args.quiet {
        stdio::err(&report.summary.render());
    }
    match report.failure {
        None => Ok(EXIT_OK),
        Some(e) if e.kind == ErrorKind::Io => Err(failure(e)),
        Some(e) => {
            ui.report(&e.diagnostics);
            Ok(EXIT_FAILED)
        }
    }
}
