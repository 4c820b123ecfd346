//! `tier diff`: the rulesets read (from files, or from git for `FILE@REV`), the library's
//! [`tier::diff`] comparison run, the report rendered as a table or written as a file.

use super::stdio;
use super::{parse_as_of, DiffArgs, DiffFormat, Ui, EXIT_FAILED, EXIT_IO, EXIT_OK, EXIT_USAGE};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tier::batch::{ErrorKind, Input, RunError};
use tier::data::write::{same_file, Destination};
use tier::diagnostic::{Code, Diagnostic};
use tier::diff::write::Format;
use tier::diff::DiffOptions;
use tier::source::SourceFile;

/// Shown after `tier diff --help`.
pub const HELP: &str = "\
Examples:
  tier diff old.tier new.tier customers.csv
  tier diff rulesets/x.tier@HEAD~1 rulesets/x.tier customers.csv -o changes.xlsx
  tier diff --against last_month_graded.csv rulesets/x.tier customers.csv
  tier diff old.tier new.tier customers.csv --report changes.html

FILE@REV reads the ruleset as git has it at revision REV (`git show REV:FILE`, run in the
file's directory); a path containing @ that exists as a file is that file.";

type Failure = (u8, Vec<Diagnostic>);

/// `tier diff` end to end; returns the exit code.
pub fn command(args: &DiffArgs, ui: &Ui) -> u8 {
    match execute(args, ui) {
        Ok(code) => code,
        Err(_) if tier::data::write::stdout_closed() => stdio::EXIT_BROKEN_PIPE,
        Err((code, diags)) => {
            ui.report(&diags);
            code
        }
    }
}

fn usage(d: Diagnostic) -> Failure {
    (EXIT_USAGE, vec![d])
}

fn failure(e: RunError) -> Failure {
    let code = match e.kind {
        ErrorKind::Usage => EXIT_USAGE,
        ErrorKind::Io => EXIT_IO,
        ErrorKind::Failed => EXIT_FAILED,
    };
    (code, e.diagnostics)
}

fn execute(args: &DiffArgs, ui: &Ui) -> Result<u8, Failure> {
    let as_of = parse_as_of(args.as_of.as_deref()).map_err(usage)?;
    let read = super::run::read_flags(
        args.input_format,
        args.encoding.as_ref(),
        args.delimiter.as_deref(),
        args.sheet.as_ref(),
    )
    .map_err(usage)?;
    // What the new ruleset is compared with: an old ruleset, or a graded file.
    enum Base<'a> {
        Ruleset(&'a Path),
        Graded(&'a Path),
    }
    let (base, new, data) = match (&args.against, args.files.as_slice()) {
        (None, [old, new, data]) => (Base::Ruleset(old), new, data),
        (Some(graded), [new, data]) => (Base::Graded(graded), new, data),
        (None, _) => {
            return Ok(wrong_count(
                "OLD NEW DATA: the old ruleset, the new one and the data file",
            ))
        }
        (Some(_), _) => {
            return Ok(wrong_count(
                "with --against, RULESET DATA: the ruleset and the data file",
            ))
        }
    };
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(p)) => match Format::from_path(p) {
            Format::Csv => DiffFormat::Csv,
            Format::Json => DiffFormat::Json,
            Format::Xlsx => DiffFormat::Xlsx,
        },
        (None, None) => DiffFormat::Table,
    };
    check_output(args)?;

    let load = |path: &Path| -> Result<tier::Loaded, Failure> {
        let source = read_version(path).map_err(|d| (EXIT_IO, vec![d]))?;
        let loaded = tier::load(source).map_err(|d| (EXIT_FAILED, d))?;
        ui.report(&loaded.warnings);
        Ok(loaded)
    };
    let new = load(new)?;
    let options = DiffOptions {
        input: if data.as_os_str() == "-" {
            Input::Reader {
                name: "<stdin>".into(),
                reader: Box::new(std::io::stdin()),
            }
        } else {
            Input::Path(data.clone())
        },
        read,
        as_of,
        key: args.key.clone(),
    };
    let diff = match base {
        Base::Ruleset(old) => {
            let old = load(old)?;
            tier::diff::compare(&old.program, &new.program, options)
        }
        Base::Graded(graded) => tier::diff::compare_against(graded, &new.program, options),
    }
    .map_err(failure)?;
    ui.report(&diff.warnings);

    let table = super::diff_table::render(&diff);
    let lang = args
        .lang
        .map(Into::into)
        .unwrap_or_else(|| new.program.lang());
    let to_file = |f: Format| {
        let bom = args.output.is_some();
        tier::diff::write::write(&diff, args.output.as_deref(), f, lang, bom)
            .map_err(|d| (EXIT_IO, vec![d]))
    };
    if let Some(report) = &args.report {
        tier::data::write::write_diff_report(report, &diff, lang)
            .map_err(|d| (EXIT_IO, vec![d]))?;
    }
    match format {
        DiffFormat::Table => match &args.output {
            None => stdio::out(&table),
            Some(path) => tier::data::write::write_file_atomic(path, table.as_bytes())
                .map_err(|d| (EXIT_IO, vec![d]))?,
        },
        DiffFormat::Csv => to_file(Format::Csv)?,
        DiffFormat::Json => to_file(Format::Json)?,
        DiffFormat::Xlsx => to_file(Format::Xlsx)?,
    }
    if format != DiffFormat::Table && args.output.is_some() && !args.quiet {
        stdio::err(&table);
    }
    Ok(EXIT_OK)
}

/// Too few or too many files: a usage error as clap reports its own (exit 2).
fn wrong_count(expected: &str) -> u8 {
    use clap::CommandFactory;
    let mut cli = super::Cli::command();
    // Built, so that the subcommand's usage says `tier diff`.
    cli.build();
    let diff = cli.find_subcommand_mut("diff").cloned();
    let mut cmd = diff.unwrap_or(cli);
    let _ = cmd
        .error(
            clap::error::ErrorKind::WrongNumberOfValues,
            format!("tier diff takes {expected}"),
        )
        .print();
    EXIT_USAGE
}

/// `-o` and `--report` must not be one of the inputs (tier never writes over its input), nor
/// the same file as each other.
fn check_output(args: &DiffArgs) -> Result<(), Failure> {
    let mut outputs: Vec<(&str, &Path, Destination)> = Vec::new();
    // Without -o the table goes to standard output: `--report -` would be mixed into it.
    let table = args.output.as_deref().unwrap_or(Path::new("-"));
    for (flag, path) in [("-o", Some(table)), ("--report", args.report.as_deref())] {
        if let Some(path) = path {
            let dest = Destination::resolve(path).map_err(|d| (EXIT_IO, vec![d]))?;
            outputs.push((flag, path, dest));
        }
    }
    if let [(flag, path, dest), (other_flag, other, other_dest)] = outputs.as_slice() {
        if dest.clashes_with(other_dest) {
            return Err(usage(
                Diagnostic::error(
                    Code::UsageSameOutput,
                    format!(
                        "{} and {} {}: one would overwrite the other",
                        shown(flag, path),
                        shown(other_flag, other),
                        if *dest == Destination::Stdout {
                            "both write to standard output"
                        } else {
                            "are the same file"
                        }
                    ),
                )
                .with_help("give each output its own file"),
            ));
        }
    }
    for (flag, out, dest) in &outputs {
        let Destination::File { path: real, .. } = dest else {
            continue;
        };
        let inputs = args
            .files
            .iter()
            .chain(args.against.iter())
            .filter(|p| p.as_os_str() != "-");
        for input in inputs {
            if same_file(real, input) {
                return Err(usage(
                    Diagnostic::error(
                        Code::UsageOutputIsInput,
                        format!(
                            "{flag} {} is an input ({}): tier never writes over its input",
                            out.display(),
                            input.display()
                        ),
                    )
                    .with_help("write the report under another name"),
                ));
            }
        }
    }
    Ok(())
}

/// An output as the user named it: `-o x.html`, `--report (standard output)`.
fn shown(flag: &str, path: &Path) -> String {
    if path.as_os_str() == "-" {
        format!("{flag} (standard output)")
    } else {
        format!("{flag} {}", path.display())
    }
}

/// A ruleset argument: the file, or for `FILE@REV` (when no file has that name) the file as git
/// has it at revision REV.
fn read_version(spec: &Path) -> Result<SourceFile, Diagnostic> {
    match split_revision(spec) {
        Some((path, rev)) => git_show(spec, &path, &rev),
        None => tier::source::read_source(spec),
    }
}

/// `x.tier@HEAD~1` → (`x.tier`, `HEAD~1`), unless the whole path is a file. The `@` is looked
/// for in the file name only (a directory may hold one); the first one that leaves an existing
/// file wins, else the first (a file deleted since that revision).
fn split_revision(spec: &Path) -> Option<(PathBuf, String)> {
    if spec.is_file() {
        return None;
    }
    let text = spec.to_str()?;
    let name_start = text.rfind('/').map_or(0, |i| i + 1);
    let splits: Vec<(PathBuf, String)> = text[name_start..]
        .match_indices('@')
        .map(|(i, _)| {
            let at = name_start + i;
            (PathBuf::from(&text[..at]), text[at + 1..].to_string())
        })
        .filter(|(path, _)| path.file_name().is_some())
        .collect();
    let exists = splits.iter().position(|(p, _)| p.is_file());
    let chosen = exists.unwrap_or(0);
    splits.into_iter().nth(chosen)
}

fn git_error(spec: &Path, what: String) -> Diagnostic {
    Diagnostic::error(
        Code::DiffGit,
        format!("cannot read `{}` from git: {what}", spec.display()),
    )
}

/// `git show REV:./NAME`, run in the file's directory, as a ruleset named `spec`.
fn git_show(spec: &Path, path: &Path, rev: &str) -> Result<SourceFile, Diagnostic> {
    let help = "write FILE@REV with a revision git knows (HEAD~1, a tag, a commit) of a file in \
                a git repository";
    if rev.is_empty() {
        return Err(git_error(spec, "no revision after `@`".into()).with_help(help));
    }
    // `x.tier@--output=f` would be an option to git, not a revision.
    if rev.starts_with('-') {
        return Err(git_error(spec, format!("`{rev}` is not a revision")).with_help(help));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(git_error(
            spec,
            format!("the directory {} does not exist", dir.display()),
        ));
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut child = Command::new("git")
        .arg("show")
        .arg(format!("{rev}:./{name}"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                "git is not installed (or not on PATH)".to_string()
            } else {
                format!("git could not be started: {e}")
            };
            git_error(spec, what).with_help("install git, or check the old version out into a file")
        })?;
    let label = spec.display().to_string();
    let read = match child.stdout.take() {
        Some(out) => tier::source::read_source_from(out, &label),
        None => Err(git_error(spec, "no output from git".into())),
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.by_ref().take(64 * 1024).read_to_string(&mut stderr);
    }
    if read.is_err() {
        // Too large: git may still be writing.
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| git_error(spec, e.to_string()))?;
    if !status.success() {
        let first = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("git show failed")
            .to_string();
        return Err(git_error(spec, first).with_help(help));
    }
    read
}
