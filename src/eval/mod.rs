//! Evaluation: a checked [`Ruleset`] is compiled once into an immutable [`Program`] (every name
//! resolved to a slot, `let`s in dependency order), which then grades records: a pure function of
//! (program, record, whole-file relative labels, as-of date) giving an [`Outcome`] with the
//! reasons in the ruleset's own words.
//!
//! Layout: `program` (the compiled form), `compile` (AST → program), `number`/`date` (decimal and
//! calendar semantics), `run` (expressions), `table` (linear/bands/match/matrix/at_least),
//! `decide` (scorecards, grades, adjustments, tags, the outcome), `schedule` (follow-up/review),
//! [`relative`] (whole-file classes), `literal` (given/`:set` values), [`explain`], [`testing`].

// Errors are the rejection path and `EvalError` is the shared contract type: its size is
// accepted rather than boxing every internal result.
#![allow(clippy::result_large_err)]

pub mod columns;
mod compile;
mod compile_expr;
pub(crate) mod compile_order;
mod date;
mod decide;
pub mod events;
pub mod explain;
pub(crate) mod interpret;
mod literal;
mod number;
pub(crate) mod program;
pub mod relative;
mod schedule;
mod table;
pub mod testing;
pub mod words;

use crate::ast::{Expr, Ruleset};
use crate::diagnostic::{Code, Diagnostic};
use crate::outcome::Outcome;
use crate::source::{SourceFile, Span};
use crate::value::Value;
use jiff::civil::Date;
use std::sync::Arc;

pub use program::Program;

/// What the column engine computed for one record: the interpreter's outcome builder
/// ([`Program::evaluate_computed`]) takes these instead of evaluating.
#[derive(Debug, Clone)]
pub(crate) struct Computed {
    /// One value per node (`Program::nodes`).
    pub nodes: Vec<Value>,
    /// Every scorecard component's points (flat, `Program::comp_count`).
    pub comps: Vec<rust_decimal::Decimal>,
    /// Per node: for a grade, the index of the arm that decided it.
    pub arms: Vec<u32>,
    /// Per tag: whether its condition holds (`None`: missing).
    pub tags: Vec<Option<bool>>,
}

pub(crate) use date::{add as date_add, days_between, months_between, next_calendar_day};
pub(crate) use number::arith_unit;

/// One declared input field, in declaration order: a record is `&[Value]` in this order.
#[derive(Debug, Clone)]
pub struct InputSpec {
    pub name: Arc<str>,
    pub field: crate::ast::InputField,
    /// For a `grade(SCALE)` field: the scale's labels, best first (a label's rank is its index).
    pub grade_labels: Option<Vec<Arc<str>>>,
}

/// One `events` declaration: the fields of its rows, which one is the customer's key and which
/// the date.
#[derive(Debug, Clone)]
pub struct EventsSpec {
    pub name: Arc<str>,
    pub decl: crate::ast::EventsDecl,
    /// The key field (index into `decl.fields`).
    pub key: usize,
    /// The date field (index into `decl.fields`).
    pub date: usize,
    /// The customer's input of the same name as the key (index into [`Program::inputs`]).
    pub key_input: usize,
}

/// One `relative` declaration: its classes need the whole file (see [`relative::assign`]).
#[derive(Debug, Clone)]
pub struct RelativeSpec {
    pub name: Arc<str>,
    pub decl: crate::ast::RelativeDecl,
    /// The class labels, best first (a label's rank is its index). Quantiles are `N` … `1`; the
    /// `missing -> L` label comes last when it is not one of the classes.
    pub labels: Vec<Arc<str>>,
}

/// What a relative ranks one record by: its value and its `per` group (`Missing` without `per`).
#[derive(Debug, Clone, PartialEq)]
pub struct RelKey {
    pub value: Value,
    pub group: Value,
}

/// A record that cannot be graded: the diagnostic points at the ruleset expression.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub diagnostic: Box<Diagnostic>,
    /// The input the failure is about (for the rejects report), when there is one.
    pub field: Option<Arc<str>>,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.diagnostic)
    }
}

impl std::error::Error for EvalError {}

impl EvalError {
    pub(crate) fn new(
        code: Code,
        message: impl Into<String>,
        source: &SourceFile,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        EvalError {
            diagnostic: Box::new(
                Diagnostic::error(code, message)
                    .in_source(source)
                    .with_label(interpret::tight(source, span), label),
            ),
            field: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }

    pub(crate) fn field(mut self, field: Option<Arc<str>>) -> Self {
        self.field = field;
        self
    }
}

/// The names behind the result columns, for the writers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputInfo {
    /// The output grade (`output { grade X }`, else the last grade/adjust declared).
    pub grade: Option<Arc<str>>,
    pub subgrade: Option<Arc<str>>,
    /// The output score (`output { score Z }`, else the first scorecard).
    pub score: Option<Arc<str>>,
    /// The value the summary's share-of-revenue sums (`output { revenue W }`).
    pub revenue: Option<Arc<str>>,
    /// The output scorecard's component names, in declaration order.
    pub components: Vec<Arc<str>>,
    /// Every tag name, in declaration order.
    pub tags: Vec<Arc<str>>,
    /// Every relative grade's name, in declaration order (their labels are in
    /// `Outcome::values`), for writers that show the whole-file classes.
    pub relatives: Vec<Arc<str>>,
    pub has_follow_up: bool,
    pub has_review: bool,
    /// The named schedules (`follow_up 致电 by …`) in declaration order: name, and whether it
    /// is a `review`.
    pub schedules: Vec<(Arc<str>, bool)>,
}

impl Program {
    /// Checks and compiles a ruleset: fails with the checker's diagnostics when any is an
    /// error. (Use [`crate::load`] to keep the warnings as well.)
    pub fn compile(ruleset: &Ruleset, source: &SourceFile) -> Result<Program, Vec<Diagnostic>> {
        let (diagnostics, resolved) = crate::check::check_resolved(ruleset, source);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(diagnostics);
        }
        Program::from_checked(ruleset, source, &resolved)
    }

    /// Compiles a ruleset the checker passed without errors, from what it resolved: names,
    /// scales and label ranks are the checker's, so compiling adds no user error of its own.
    /// (An `Err` is `tier::internal::compile`: a bug in tier.)
    pub fn from_checked(
        ruleset: &Ruleset,
        source: &SourceFile,
        resolved: &crate::check::Resolution,
    ) -> Result<Program, Vec<Diagnostic>> {
        compile::compile(ruleset, source, resolved)
    }

    /// The ruleset's name (`ruleset "…"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The ruleset's version, if declared.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The declared inputs, in declaration order.
    pub fn inputs(&self) -> &[InputSpec] {
        &self.inputs
    }

    /// The relatives, in declaration order; empty means no whole-file pass is needed.
    pub fn relatives(&self) -> &[RelativeSpec] {
        &self.relatives
    }

    /// The language of the ruleset's names ([`words::Lang::of`]): the reasons' own words are
    /// in it, and by default the output files' fixed words too.
    pub fn lang(&self) -> words::Lang {
        self.lang
    }

    /// The names behind the result columns.
    pub fn output(&self) -> OutputInfo {
        self.output_info()
    }

    /// What each relative ranks this record by (one key per relative, same order). Exact for
    /// the relatives of the first round; see [`Program::relative_rounds`].
    pub fn relative_keys(&self, record: &[Value], as_of: Date) -> Result<Vec<RelKey>, EvalError> {
        let none = vec![Value::Missing; self.relatives.len()];
        interpret::relative_keys(self, record, &none, as_of)
    }

    /// The relatives (indices into [`Program::relatives`]) in rounds: the keys of a relative may
    /// use the classes of relatives of earlier rounds (`relative X = top 销售额 {..} per ABC`).
    /// Usually a single round. [`relative::rank_in_rounds`] assigns them round by round (keys
    /// with [`Program::relative_keys_with`] given the classes of the earlier rounds, then
    /// [`relative::assign_column`]); [`Program::relative_classes`] does it for records in memory.
    pub fn relative_rounds(&self) -> &[Vec<usize>] {
        &self.rel_rounds
    }

    /// Like [`Program::relative_keys`], with the classes known so far (one value per relative,
    /// `Missing` for those not assigned yet).
    pub fn relative_keys_with(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<Vec<RelKey>, EvalError> {
        interpret::relative_keys(self, record, relatives, as_of)
    }

    /// Whether the record has a share in every Pareto relative: an error
    /// (`tier::eval::negative_share`) when its amount is negative. [`Program::evaluate`] and
    /// its siblings check this first, with the classes known or not; this is for callers that
    /// want the reason before the classes are there (the REPL's `:row`).
    pub fn check_shares(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<(), EvalError> {
        interpret::check_shares(self, record, relatives, as_of)
    }

    /// Grades one record, with the full explanation trace.
    pub fn evaluate(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<Outcome, EvalError> {
        decide::evaluate(self, record, relatives, as_of, true, &[], true, None)
            .map(|full| full.outcome)
    }

    /// Grades one record without the trace: only the reasons a graded file shows are written
    /// (the output grade's and the held tags', see [`Outcome::reasons`]); the component and
    /// schedule reasons are empty. (Whole-file runs grade through [`crate::engine::Engine`].)
    pub fn evaluate_untraced(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<Outcome, EvalError> {
        decide::evaluate(self, record, relatives, as_of, false, &[], true, None)
            .map(|full| full.outcome)
    }

    /// Grades one record from the values the column engine computed for it (`None`: the
    /// interpreter evaluates it alone), untraced; `words` writes the reasons column's sentences
    /// ([`Program::evaluate_untraced`]), else none ([`Program::evaluate_bare`]).
    pub(crate) fn evaluate_computed(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
        words: bool,
        computed: Option<Computed>,
    ) -> Result<Outcome, EvalError> {
        decide::evaluate(self, record, relatives, as_of, false, &[], words, computed)
            .map(|full| full.outcome)
    }

    /// Grades one record without any sentence: the reasons of the grade, components, tags and
    /// schedules are empty and there is no trace. For whole-file runs that do not write the
    /// reasons (and benchmarks): the values, labels, attributes and dates are the same.
    pub fn evaluate_bare(
        &self,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<Outcome, EvalError> {
        decide::evaluate(self, record, relatives, as_of, false, &[], false, None)
            .map(|full| full.outcome)
    }

    /// Evaluates an expression (REPL input, spans into `source`) in the context of the ruleset:
    /// its names are the ruleset's named values for this record. `labels` are the ranks the
    /// checker gave its bare labels ([`crate::check::Resolution::labels_within`]); an expression
    /// without labels may pass an empty map.
    pub fn eval_expr(
        &self,
        expr: &Expr,
        source: &SourceFile,
        labels: &std::collections::HashMap<crate::source::Span, u32>,
        record: &[Value],
        relatives: &[Value],
        as_of: Date,
    ) -> Result<Value, EvalError> {
        decide::eval_expr(self, expr, source, labels, record, relatives, as_of)
    }

    /// A `given`/`:set` literal for input `input_index` as that input's value: an enum variant
    /// name becomes its label, `200万` a money amount for a money field, `0.92` a percent for a
    /// percent field. The error is a sentence for the user.
    pub fn literal_value(&self, input_index: usize, expr: &Expr) -> Result<Value, String> {
        literal::literal_value(self, input_index, expr)
    }

    /// A literal (a `default`) as the value of field `field` of events `events`.
    pub fn event_literal_value(
        &self,
        events: usize,
        field: usize,
        expr: &Expr,
    ) -> Result<Value, String> {
        literal::checked_event(self, events, field, expr).map_err(literal::LitError::message)
    }
}

#[cfg(test)]
mod tests;
