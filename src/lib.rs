//! tier: a declarative language for customer-grading rules (客户分级), and its interpreter.
//!
//! The pipeline reads off the modules: [`syntax`] parses a `.tier` file into an [`ast`],
//! [`check`] reports everything wrong with it, [`eval`] compiles it into a [`eval::Program`] and
//! grades records, [`data`] reads and writes customer files, [`batch`] grades a whole file;
//! [`ide`] answers an editor's questions (`tier lsp`) from the parser's and checker's results.
//! The library never prints and knows no command-line flags: the `tier` binary renders what it
//! returns (diagnostics with [`diagnostic::render`], outcomes with [`eval::explain`]).
//!
//! # Using tier as a library
//!
//! 1. **Load**: [`load`] parses, checks and compiles a ruleset ([`source::read_source`] reads
//!    one from a file; [`source::SourceFile::new`] takes text). Errors come back as
//!    [`diagnostic::Diagnostic`]s, every one of them; warnings are in [`Loaded::warnings`].
//! 2. **Record**: [`eval::Program::record`] builds a customer from `(name, value)` pairs, each
//!    value parsed exactly as a cell of a data file (`200万`, `92%`, `2026/11/1`).
//! 3. **Grade**: [`eval::Program::grade`] grades one record into an [`outcome::Outcome`]
//!    (grade, score, tags, follow-up, reasons); [`eval::Program::grade_all`] grades many,
//!    ranking relative grades (Pareto, quantiles) over all of them first.
//! 4. **Explain**: [`eval::explain::render_trace`] writes every step, in the ruleset's words;
//!    [`eval::explain::render_outcome`] the result with its reasons.
//! 5. **A whole file**: [`batch::grade_file`] (or [`batch::FileRun`]) reads a CSV, XLSX, JSON
//!    or NDJSON file, grades it in parallel and writes the graded file, the rejects, a summary
//!    and, with [`batch::RunOptions::report`], an HTML report whose charts [`figures`] collects,
//!    reporting progress through a callback. `examples/grade_file.rs` does it.
//!
//! ```
//! let ruleset = r#"
//! ruleset "门店客户"
//!
//! input {
//!   销售额 money(万)  column "年度销售额"
//!   回款率 percent
//! }
//!
//! grade 等级 {
//!   A when 销售额 >= 100万 and 回款率 >= 90%
//!   B when 销售额 >= 20万
//!   C otherwise
//! }
//! "#;
//! let source = tier::source::SourceFile::new("shop.tier", ruleset);
//! let loaded = tier::load(source).expect("the ruleset has no errors");
//! let program = &loaded.program;
//!
//! // A column name works as well as the input's name; values are written as in a data file.
//! let record = program
//!     .record([("年度销售额", "120"), ("回款率", "95%")])
//!     .expect("names and values are right");
//! let as_of = jiff::civil::date(2026, 11, 23);
//! let outcome = program.grade(&record, as_of).expect("the record grades");
//!
//! let grade = outcome.grade.as_ref().and_then(|g| g.label.as_deref());
//! assert_eq!(grade, Some("A"));
//! let explanation = tier::eval::explain::render_trace(&outcome);
//! assert!(explanation.contains("销售额 >= 100万 ✓ and 回款率 >= 90% ✓"));
//!
//! // An unknown name is a diagnostic, with a did-you-mean.
//! let errors = program.record([("销售", "1")]).unwrap_err();
//! assert_eq!(errors[0].code.as_str(), "tier::usage::unknown_field");
//! ```
#![forbid(unsafe_code)]
// A Diagnostic (spans, labels, help, source) is large by nature and only ever built on the cold,
// failing path; boxing it everywhere would cost clarity for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod ast;
pub mod batch;
pub mod check;
pub mod data;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod eval;
pub mod figures;
/// `tier fmt` (the binary's).
#[doc(hidden)]
pub mod format;
/// What an editor asks of a ruleset (the analysis behind `tier lsp`).
pub mod ide;
pub(crate) mod limits;
pub mod lower;
pub mod outcome;
pub mod record;
/// The REPL's session: computes replies and never prints (the terminal loop is the binary's).
#[doc(hidden)]
pub mod repl;
pub mod source;
pub mod sql;
pub mod summary;
pub mod syntax;
pub mod value;

use diagnostic::Diagnostic;
use source::SourceFile;

/// A ruleset ready to evaluate: parsed, checked (no errors) and compiled.
pub struct Loaded {
    pub source: SourceFile,
    pub ruleset: ast::Ruleset,
    pub program: eval::Program,
    /// Warnings of the checker (errors make [`load`] fail).
    pub warnings: Vec<Diagnostic>,
}

/// Every diagnostic of a ruleset: syntax errors, or else the checker's errors and warnings.
pub fn diagnose(source: &SourceFile) -> Vec<Diagnostic> {
    match syntax::parse(source) {
        Ok(ruleset) => check::check(&ruleset, source),
        Err(diags) => diags,
    }
}

/// parse → check → compile. Fails with every diagnostic (warnings included) when any is an error.
pub fn load(source: SourceFile) -> Result<Loaded, Vec<Diagnostic>> {
    let ruleset = syntax::parse(&source)?;
    let (diagnostics, resolved) = check::check_resolved(&ruleset, &source);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let program = eval::Program::from_checked(&ruleset, &source, &resolved)?;
    Ok(Loaded {
        source,
        ruleset,
        program,
        warnings: diagnostics,
    })
}
