//! tier: a declarative language for customer-grading rules (客户分级), and its interpreter.
//!
//! The pipeline reads off the modules: [`syntax`] parses a `.tier` file into an [`ast`],
//! [`check`] reports everything wrong with it, [`eval`] compiles it into a [`eval::Program`] and
//! grades records, [`data`] reads and writes customer files.
#![forbid(unsafe_code)]
// A Diagnostic (spans, labels, help, source) is large by nature and only ever built on the cold,
// failing path; boxing it everywhere would cost clarity for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod ast;
pub mod check;
pub mod cli;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod limits;
pub mod outcome;
pub mod repl;
pub mod run;
pub mod source;
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
pub mod format;
