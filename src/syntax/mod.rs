//! The only code that sees pest: the parser and the lowering of pest pairs into the AST.
//! (Placeholder: replaced by the syntax work.)

use crate::ast::{Expr, Item, Ruleset};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

fn unavailable(source: &SourceFile) -> Vec<Diagnostic> {
    vec![Diagnostic::error("tier::internal", "the parser is not built yet").in_source(source)]
}

/// Parses a whole ruleset file.
pub fn parse(source: &SourceFile) -> Result<Ruleset, Vec<Diagnostic>> {
    Err(unavailable(source))
}

/// Parses declarations without the `ruleset "…"` header (REPL input).
pub fn parse_items(source: &SourceFile) -> Result<Vec<Item>, Vec<Diagnostic>> {
    Err(unavailable(source))
}

/// Parses one expression (REPL input).
pub fn parse_expr(source: &SourceFile) -> Result<Expr, Vec<Diagnostic>> {
    Err(unavailable(source))
}
