//! The only code that sees pest: the parser and the lowering of pest pairs into the AST, and
//! into the formatter's layout document (`layout.rs`, `layout_expr.rs`; see `crate::format`).
//!
//! Parsing is one pest pass over the whole text. When it fails, the text is cut into top-level
//! declarations (at lines that start with a declaration keyword) and each piece is parsed on
//! its own, so a file with two broken declarations reports two errors (see `recover.rs`).

mod error;
mod expr;
mod keywords;
mod layout;
mod layout_expr;
mod literal;
mod lower;
mod lower_items;
mod pairs;
mod recover;

use crate::ast::{Expr, Item, Ruleset};
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use lower::Lower;
use pest::Parser as _;

pub use keywords::{DECLARATION_KEYWORDS, KEYWORDS, RESERVED};
pub(crate) use layout::layout;

/// The generated parser. pest makes `Rule` public; the private module keeps it inside
/// `syntax`, so the rest of the crate never sees pest's vocabulary.
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/tier.pest"]
    pub(super) struct TierParser;
}

use grammar::{Rule, TierParser};

type Pair<'i> = pest::iterators::Pair<'i, Rule>;

/// Which entry point is being parsed: decides the top rule and how recovery splits the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ruleset,
    Items,
    Expr,
}

/// Parses a whole ruleset file.
pub fn parse(source: &SourceFile) -> Result<Ruleset, Vec<Diagnostic>> {
    within_limits(source)?;
    let text: &str = &source.text;
    match TierParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut lower = Lower::new(source, 0);
            let ruleset = match pairs.next() {
                Some(file) => lower.ruleset(file),
                None => return Err(recover::recover(source, Mode::Ruleset, None)),
            };
            finish(lower, ruleset)
        }
        Err(e) => Err(recover::recover(source, Mode::Ruleset, Some(e))),
    }
}

/// Parses declarations without the `ruleset "…"` header (REPL input). Blank or comment-only
/// input gives no items.
pub fn parse_items(source: &SourceFile) -> Result<Vec<Item>, Vec<Diagnostic>> {
    within_limits(source)?;
    let text: &str = &source.text;
    match TierParser::parse(Rule::items_file, text) {
        Ok(mut pairs) => {
            let mut lower = Lower::new(source, 0);
            let items = match pairs.next() {
                Some(file) => lower.items(file),
                None => Vec::new(),
            };
            finish(lower, items)
        }
        Err(e) => Err(recover::recover(source, Mode::Items, Some(e))),
    }
}

/// Parses one expression (REPL input); the whole input must be the expression.
pub fn parse_expr(source: &SourceFile) -> Result<Expr, Vec<Diagnostic>> {
    within_limits(source)?;
    let text: &str = &source.text;
    match TierParser::parse(Rule::expr_file, text) {
        Ok(mut pairs) => {
            let mut lower = Lower::new(source, 0);
            let expr = pairs
                .next()
                .and_then(|file| lower::kids(file).into_iter().next())
                .map(|e| lower.expr(e));
            match expr {
                Some(e) => finish(lower, e),
                None => Err(recover::recover(source, Mode::Expr, None)),
            }
        }
        Err(e) => Err(recover::recover(source, Mode::Expr, Some(e))),
    }
}

/// The limits seen in the text (size, line length, bracket nesting), checked before pest runs:
/// pest parses by recursion, so nesting is bounded before it can exhaust the stack.
fn within_limits(source: &SourceFile) -> Result<(), Vec<Diagnostic>> {
    let errors = crate::limits::check_text(source);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The lowered value, unless lowering found errors (bad dates, overflowing numbers, ...).
fn finish<T>(lower: Lower<'_>, value: T) -> Result<T, Vec<Diagnostic>> {
    if lower.errors.is_empty() {
        Ok(value)
    } else {
        Err(lower.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Item, TypeKind};

    /// `boolean` is the long spelling of `bool` (docs/LANGUAGE.md); `bool` matched its first four
    /// letters and the ordered choice never tried `boolean`.
    #[test]
    fn boolean_is_a_type() {
        for ty in ["bool", "boolean"] {
            let src = format!("ruleset \"r\"\ninput {{\n  新客 {ty}\n}}\n");
            let ruleset = parse(&SourceFile::new("r.tier", src.as_str()))
                .unwrap_or_else(|e| panic!("{ty}: {e:?}"));
            let Some(Item::Input(block)) = ruleset.items.first() else {
                panic!("{ty}: no input block");
            };
            assert_eq!(block.fields[0].ty.kind, TypeKind::Bool, "{ty}");
        }
    }
}
