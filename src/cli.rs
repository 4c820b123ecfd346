//! The command line: clap definitions and one function per subcommand.
//!
//! Exit codes (documented in the README):
//! 0 success (warnings allowed) · 1 the ruleset has errors, a test failed, or `--max-rejects` was
//! exceeded · 2 usage error · 3 a file could not be read or written · 130/143/129 interrupted by
//! SIGINT/SIGTERM/SIGHUP (partial outputs removed) · 141 standard output was closed early.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use tier::diagnostic::{self, Code, Diagnostic, RenderOptions};

pub mod commands;
mod completions;
mod diff;
mod diff_table;
mod lsp;
mod man;
mod run;
mod sql;
pub mod stdio;
mod terminal;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: ruleset errors, failed tests, too many rejected rows.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad command-line usage (clap's own code).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: a file could not be read or written.
pub const EXIT_IO: u8 = 3;

/// The exit codes as `tier(1)` lists them in EXIT STATUS (the README's table says the same).
pub const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "success (warnings allowed)"),
    (
        "1",
        "the ruleset has errors, a test failed, --max-rejects was exceeded, fmt --check found \
         unformatted files, eval/explain could not grade the customer, or a piped repl script \
         had an error",
    ),
    ("2", "usage error (bad flags or arguments)"),
    ("3", "a file could not be read or written"),
    (
        "130, 143, 129",
        "interrupted by SIGINT, SIGTERM or SIGHUP; partial output files are removed",
    ),
    (
        "141",
        "standard output was closed before everything was written; nothing is reported",
    ),
];

#[derive(Debug, Parser)]
#[command(
    name = "tier",
    version,
    about = "Customer-grading rules (客户分级) as code: check, test and run rulesets on CRM exports",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colours: auto follows the terminal and NO_COLOR.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per process: the size of its largest variant (`run`'s flags) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every error and warning of one or more rulesets.
    Check(CheckArgs),
    /// Grade a data file (CSV, XLSX, JSON, NDJSON) and write the graded file and a summary.
    Run(RunArgs),
    /// Run the `test` blocks of rulesets.
    Test(TestArgs),
    /// Grade one record given on the command line and print the result.
    Eval(EvalArgs),
    /// Grade one record and explain every step.
    Explain(EvalArgs),
    /// Interactive session: try rules on one customer.
    Repl(ReplArgs),
    /// Format rulesets in the canonical layout (columns aligned, comments kept).
    Fmt(FmtArgs),
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = completions::INSTALL)]
    Completions(CompletionsArgs),
    /// Print the man page tier(1), or write it and one page per command into a directory.
    #[command(after_help = man::INSTALL)]
    Man(ManArgs),
    /// Language server for editors, over standard input and output (docs/LSP.md).
    Lsp,
    /// Print a ruleset as one SQL query for DuckDB, PostgreSQL or Spark (docs/SQL.md).
    Sql(SqlArgs),
    /// Compare two versions of a ruleset on a data file: who changes grade, tags, workload.
    #[command(after_help = diff::HELP)]
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
#[command(
    override_usage = "tier diff [OPTIONS] OLD NEW DATA\n       tier diff [OPTIONS] --against GRADED RULESET DATA"
)]
pub struct DiffArgs {
    /// OLD NEW DATA: the old and the new ruleset (a file, or FILE@REV for a git revision of
    /// it) and the data file; with --against, RULESET DATA.
    #[arg(value_name = "FILES", num_args = 2..=3, required = true)]
    pub files: Vec<PathBuf>,
    /// Compare with a file graded earlier by `tier run` (CSV, XLSX, JSON) instead of an old
    /// ruleset; customers are matched by the key column.
    #[arg(long, value_name = "GRADED")]
    pub against: Option<PathBuf>,
    /// The column naming a customer in the report (and matching them with --against); default
    /// the data file's first column.
    #[arg(long, value_name = "COLUMN")]
    pub key: Option<String>,
    /// Write the report to this file: .csv (the changed customers), .json (everything), .xlsx
    /// (a sheet per part). The table then goes to standard error.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Report format, overriding the extension; default: from -o's extension, else a table.
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Write a report to this HTML file: one self-contained page with the migration matrix,
    /// customers per grade, the changed customers, tags, follow-up workload and rejected rows.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Data file format, overriding the extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InFormat>,
    /// Data file encoding (utf-8, gbk, gb18030, big5, ...); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Data file CSV delimiter (`,` `;` `tab`); default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Data file XLSX sheet name; default the first sheet.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Language of the report files' fixed headers and sheet names; default: the ruleset's.
    #[arg(long, value_enum)]
    pub lang: Option<OutLang>,
    /// Do not print the table when writing the report to a file.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Duckdb,
    Postgres,
    Spark,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The ruleset.
    pub ruleset: PathBuf,
    /// The SQL dialect.
    #[arg(long, value_enum)]
    pub dialect: SqlDialect,
    /// The table (or view) with the customers, `schema.table` allowed; default `customers`.
    #[arg(long, conflicts_with = "from_query")]
    pub table: Option<String>,
    /// A query whose result has the customers, instead of a table.
    #[arg(long, value_name = "SQL")]
    pub from_query: Option<String>,
    /// Evaluation date (YYYY-MM-DD); default the engine's current date when the query runs.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print the query for the rows `tier run` would reject (with the reason) instead.
    #[arg(long)]
    pub rejects: bool,
    /// Source columns to copy to the output (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    pub keep: Option<Vec<String>>,
    /// Where an `events` declaration's rows are: NAME=TABLE (`schema.table` allowed); one per
    /// declaration, default the table named like the declaration. Without --table and
    /// --from-query, the customers are the distinct keys of the events.
    #[arg(long, value_name = "NAME=TABLE")]
    pub events: Vec<String>,
    /// An `events` declaration's rows as a query: NAME=SQL.
    #[arg(long, value_name = "NAME=SQL")]
    pub events_query: Vec<String>,
    /// The column that orders one day's events as the file would (`first`/`last` of a value
    /// take the first/last in the file among events of one day): NAME=COLUMN.
    #[arg(long, value_name = "NAME=COLUMN")]
    pub events_order: Vec<String>,
    /// Print the query for the events `tier run` would reject (a bad cell, a key that names no
    /// customer) instead.
    #[arg(long, conflicts_with = "rejects")]
    pub event_rejects: bool,
    /// Print `CREATE TABLE` and `INSERT` statements that load this data file (CSV, XLSX, JSON)
    /// as the typed table the query reads, instead of the query.
    #[arg(long, value_name = "DATA")]
    pub load: Option<PathBuf>,
    /// Print `CREATE TABLE` and `INSERT` statements that load an events file as the typed
    /// table the query reads (named as --events says, else like the declaration): NAME=FILE.
    #[arg(long, value_name = "NAME=FILE", conflicts_with = "load")]
    pub load_events: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write tier.1 and tier-<command>.1 for every command into this existing directory
    /// instead of printing tier(1).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Ruleset files, rewritten in place. `-`, or no file at all: read standard input and
    /// write the formatted ruleset to standard output.
    pub files: Vec<PathBuf>,
    /// Do not write; exit 1 and list the files that are not formatted.
    #[arg(long)]
    pub check: bool,
    /// Do not write; print the changes formatting would make as a unified diff (with --check,
    /// also exit 1 if there are any).
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Ruleset files (`*.tier`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// `human` (miette) or `json` (one array of diagnostics, for editors and CI).
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub format: DiagFormat,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The ruleset.
    pub ruleset: PathBuf,
    /// The data file; `-` reads standard input. Leave it out with --events to grade the
    /// customers the events name (their distinct keys).
    #[arg(required_unless_present = "events")]
    pub data: Option<PathBuf>,
    /// Event rows for an `events` declaration: NAME=FILE (CSV, XLSX, JSON, NDJSON; any
    /// encoding). Repeat it for each declaration, or for several files of one.
    #[arg(long, value_name = "NAME=FILE")]
    pub events: Vec<String>,
    /// Output file (format from its extension: .csv .xlsx .json .ndjson); default standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Output format, overriding the extension (`table` prints an aligned table).
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Input format, overriding the extension.
    #[arg(long, value_enum)]
    pub input_format: Option<InFormat>,
    /// Input encoding (utf-8, gbk, gb18030, big5, ...); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// CSV delimiter (`,` `;` `tab`); default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// XLSX sheet name; default the first sheet.
    #[arg(long)]
    pub sheet: Option<String>,
    /// Input columns to copy to the output (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    pub keep: Option<Vec<String>>,
    /// Start CSV written to standard output with a UTF-8 BOM too (CSV files always get one).
    #[arg(long, conflicts_with = "no_bom")]
    pub bom: bool,
    /// Write CSV files without the UTF-8 BOM (for programs that do not expect one).
    #[arg(long)]
    pub no_bom: bool,
    /// Write CSV cells as they are: do not put a `'` before text starting with = + - @ (which
    /// spreadsheets would run as a formula).
    #[arg(long)]
    pub raw_csv: bool,
    /// Write rejected rows (file, row, column, value, reason) to this file (.csv, .xlsx, .json,
    /// .ndjson).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Fail (exit 1, no output written) when more than N rows are rejected.
    #[arg(long)]
    pub max_rejects: Option<usize>,
    /// Write the summary as JSON to this file.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Write a report to this HTML file: one self-contained page with charts (grades, Pareto
    /// curve, overdue follow-ups), the overdue customers and the rejected rows.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Do not print the summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Leave the reasons column empty (faster on very large files).
    #[arg(long)]
    pub no_reasons: bool,
    /// Worker threads (default: all cores; at most 8 per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Which evaluator grades the rows: the column engine (the default; the rows it cannot
    /// compute exactly go to the interpreter) or the interpreter alone (the reference, slower).
    /// Both write the same bytes: use it to cross-check a result.
    #[arg(long, value_enum, default_value_t = Evaluator::Engine)]
    pub evaluator: Evaluator,
    /// Language of the output's fixed column names, of yes/no and of the rejects report's
    /// headers; default: the ruleset's (Chinese when it names things in Chinese).
    #[arg(long, value_enum)]
    pub lang: Option<OutLang>,
}

/// `--evaluator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Evaluator {
    /// The column engine, with the interpreter for the rows it leaves.
    Engine,
    /// The interpreter alone.
    Interpreter,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutLang {
    /// Chinese: 标签, 逾期, 是/否.
    Zh,
    /// English: tags, overdue, yes/no.
    En,
}

impl From<OutLang> for tier::eval::words::Lang {
    fn from(l: OutLang) -> Self {
        match l {
            OutLang::Zh => tier::eval::words::Lang::Zh,
            OutLang::En => tier::eval::words::Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    Csv,
    Xlsx,
    Json,
    Ndjson,
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InFormat {
    Csv,
    Xlsx,
    Json,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Ruleset files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Default evaluation date for tests without `as_of`; default today.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The ruleset.
    pub ruleset: PathBuf,
    /// A field value as users write it: `--set 销售额=200万 --set 回款率=92%`.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// The record as a JSON object: `--json '{"销售额": "200万"}'`.
    #[arg(long)]
    pub json: Option<String>,
    /// This customer's events, from a file of an `events` declaration: NAME=FILE (the rows
    /// whose key is the record's). Repeat it for each declaration.
    #[arg(long, value_name = "NAME=FILE")]
    pub events: Vec<String>,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// A ruleset to load.
    pub ruleset: Option<PathBuf>,
    /// Evaluation date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
}

/// Output settings derived from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub color: bool,
    pub stderr_is_terminal: bool,
}

impl Ui {
    fn new(choice: ColorChoice) -> Self {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stderr_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Ui {
            color,
            stderr_is_terminal,
        }
    }

    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            color: self.color,
            width: 100,
        }
    }

    /// Prints diagnostics to stderr.
    pub fn report(&self, diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        let text = diagnostic::render(diagnostics, self.render_options());
        stdio::err(&text);
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let ui = Ui::new(cli.color);
    stdio::handle_signals();
    let code = match cli.command {
        Command::Check(args) => commands::check(&args, &ui),
        Command::Run(args) => commands::run(&args, &ui),
        Command::Test(args) => commands::test(&args, &ui),
        Command::Eval(args) => commands::eval(&args, &ui, false),
        Command::Explain(args) => commands::eval(&args, &ui, true),
        Command::Repl(args) => commands::repl(&args, &ui),
        Command::Fmt(args) => commands::fmt(&args, &ui),
        Command::Completions(args) => completions::command(&args),
        Command::Man(args) => man::command(&args, &ui),
        Command::Lsp => lsp::serve(),
        Command::Sql(args) => sql::command(&args, &ui),
        Command::Diff(args) => diff::command(&args, &ui),
    };
    if tier::data::write::stdout_closed() {
        // `tier run ... | head`: the reader has what it wanted; nothing to report.
        stdio::exit_broken_pipe();
    }
    ExitCode::from(code)
}

/// Parses `--as-of`, defaulting to today (local time zone).
pub fn parse_as_of(text: Option<&str>) -> Result<jiff::civil::Date, Diagnostic> {
    match text {
        None => Ok(jiff::Zoned::now().date()),
        Some(t) => t.trim().parse::<jiff::civil::Date>().map_err(|e| {
            Diagnostic::error(Code::UsageAsOf, format!("`--as-of {t}` is not a date: {e}"))
                .with_help("write the date as YYYY-MM-DD, e.g. --as-of 2026-11-23")
        }),
    }
}
