//! The set-oriented form of a compiled ruleset: a [`Plan`], the one place where the language
//! becomes operations over whole columns (docs/design/LOWERING.md).
//!
//! A plan is a list of [`Column`]s in dependency order. Each column is an expression
//! ([`PExpr`]) over the typed inputs and the columns before it, with a static type ([`Ty`]) and a
//! **fail** expression: the reason (a `tier::eval::…` code and message) when this row cannot be
//! graded because of this column, `NULL` otherwise. Decisions are first-match `Case`s, missing is
//! `NULL` with three-valued logic, numbers are exact decimals whose scale is known here, labels
//! are their names (ordered through [`PExpr::Rank`] where the language orders them).
//!
//! The SQL back end ([`crate::sql`]) prints a plan; the plan never sees the AST and the printer
//! never sees the [`Program`]. Lowering fails only with a located `tier::sql::unsupported`
//! diagnostic for a construct the plan cannot express yet: never with silently different
//! semantics.

mod build;

use crate::ast::CmpOp;
use crate::value::Duration;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::sync::Arc;

pub use build::lower;

/// Decimal places a quotient is rounded to (half away from zero) in a plan. The interpreter
/// keeps 28 significant digits; both settle to [`SETTLE_PLACES`] before deciding, so the 4 guard
/// digits keep `1 / 3 × 3` deciding as `1` and `(3.86 − 3.84) / 3.84 × 400 × 30%` as `0.625`.
pub const QUOTIENT_PLACES: u32 = 24;

/// Decimal places a number is settled to before it is compared, rounded, floored or ceiled (the
/// language's rule, docs/LANGUAGE.md *Numbers*).
pub const SETTLE_PLACES: u32 = 20;

/// A value's static type in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// An exact decimal with at most `scale` decimal places (saturating at 255).
    Num {
        scale: u8,
    },
    Date,
    Bool,
    Text,
    /// A label: its name; ranked on scale `Some(i)` of [`Plan::scales`] when known.
    Label(Option<usize>),
    /// A constant calendar duration (only added to dates).
    Duration,
    /// `missing` written as a literal: takes the type of the other side.
    Null,
}

impl Ty {
    pub fn num(scale: u32) -> Ty {
        Ty::Num {
            scale: scale.min(255) as u8,
        }
    }

    /// The decimal places of a number type (0 otherwise).
    pub fn scale(self) -> u32 {
        match self {
            Ty::Num { scale } => u32::from(scale),
            _ => 0,
        }
    }
}

/// One row-wise expression of a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PExpr {
    Num(Decimal),
    Date(Date),
    Bool(bool),
    Text(Arc<str>),
    /// `missing`.
    Null,
    /// Input `i` of [`Plan::inputs`], typed and in base units (元, fractions for percents).
    Input(usize),
    /// Column `i` of [`Plan::columns`] (always an earlier one).
    Col(usize),
    /// The evaluation date.
    AsOf,
    Neg(Box<PExpr>),
    Add(Box<PExpr>, Box<PExpr>),
    Sub(Box<PExpr>, Box<PExpr>),
    Mul(Box<PExpr>, Box<PExpr>),
    /// The quotient rounded half away from zero to [`QUOTIENT_PLACES`]; `NULL` for a zero
    /// divisor (the column's fail says why).
    Div(Box<PExpr>, Box<PExpr>),
    /// `date + duration` (months first, clamped to the month's end, then days, then workdays).
    DateAdd(Box<PExpr>, Duration),
    /// The first day of the calendar strictly after the date (eval/date.rs
    /// `next_calendar_day`).
    NextDay(Box<PExpr>, crate::value::Calendar),
    /// A comparison; numbers compare settled, labels by rank (better is greater).
    Cmp(CmpOp, Box<PExpr>, Box<PExpr>, CmpKind),
    Not(Box<PExpr>),
    And(Box<PExpr>, Box<PExpr>),
    Or(Box<PExpr>, Box<PExpr>),
    IsNull(Box<PExpr>),
    /// The first arm whose condition is true (not `NULL`), else `otherwise`.
    Case(Vec<(PExpr, PExpr)>, Box<PExpr>),
    /// The first non-`NULL`.
    Coalesce(Vec<PExpr>),
    /// Settled, then rounded half away from zero to `places`.
    Round(Box<PExpr>, u32),
    Floor(Box<PExpr>),
    Ceil(Box<PExpr>),
    Abs(Box<PExpr>),
    /// The least / greatest; `NULL` when any is `NULL`.
    Least(Vec<PExpr>),
    Greatest(Vec<PExpr>),
    /// Whole days from the first date to the second.
    DaysBetween(Box<PExpr>, Box<PExpr>),
    /// Whole calendar months from the first date to the second (months_since's rule).
    MonthsBetween(Box<PExpr>, Box<PExpr>),
    Year(Box<PExpr>),
    Month(Box<PExpr>),
    /// How many are true; `NULL` when any is `NULL`.
    CountTrue(Vec<PExpr>),
    /// Text joined (all parts text).
    Concat(Vec<PExpr>),
    /// The names of the true conditions joined with `sep` (`NULL` when none): tags, actions.
    JoinTrue(Vec<(PExpr, Arc<str>)>, Arc<str>),
    /// A label's rank on scale `scale` (0 = best); `NULL` for a name not on it.
    Rank(Box<PExpr>, usize),
    /// The label of `rank` on scale `scale`.
    LabelOf(Box<PExpr>, usize),
    /// An integer.
    Int(i64),
    /// True when every input of the row typed (required cells present, ranges and labels
    /// kept): the rows a relative ranks.
    InputsOk,
    /// A label whose name is a number (`5` of a quantile), as that number.
    LabelNumber(Box<PExpr>),
    /// A relative class over the whole table (window functions in SQL).
    Relative(Box<RelativeOp>),
    /// A whole number written as its digits (text).
    IntText(Box<PExpr>),
    /// Aggregate `k` of [`Plan::aggregates`]: one value per customer, folded from its events.
    /// A row-at-a-time consumer reads it from the record after the inputs (as
    /// `Program::record_with_events` puts it); SQL joins it by the key.
    Agg(usize),
    /// Field `i` of events `e` of [`Plan::events`]: only inside an aggregate's `filter`.
    EventField(usize, usize),
    /// The first day of the date's calendar month, ISO week (Monday) or year.
    PeriodStart(Box<PExpr>, crate::ast::Period),
}

/// One `events` declaration, as a warehouse table of events holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEvents {
    pub name: Arc<str>,
    /// The fields, typed and checked like inputs (a bad cell rejects the event).
    pub fields: Vec<PlanInput>,
    /// The field that names the customer (index into `fields`).
    pub key: usize,
    /// The field that dates each event.
    pub date: usize,
    /// The customer's input the key matches (index into [`Plan::inputs`]).
    pub key_input: usize,
}

/// One aggregate over events (eval/events.rs is the reference): the events of a customer that
/// count (dated on or before the as-of date, after `start`, `filter` true) folded by `func`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateOp {
    pub func: crate::ast::AggFunc,
    /// Index into [`Plan::events`].
    pub events: usize,
    /// The folded field (index into the events' fields); `None` for `count(E)` and the dates.
    pub field: Option<usize>,
    /// The day before the window's first day, over [`PExpr::AsOf`]: an event counts when dated
    /// after it. `None`: no window.
    pub start: Option<PExpr>,
    /// Over [`PExpr::EventField`]s; `NULL` does not hold.
    pub filter: Option<PExpr>,
    /// The value's type (its scale for numbers).
    pub ty: Ty,
    /// As written: `sum(订单.金额 within 12 months)`.
    pub text: Arc<str>,
    /// Where it is written in the ruleset.
    pub span: crate::source::Span,
}

/// A relative grade: each ranked row's class among the ranked rows of its group.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeOp {
    pub method: RelativeMethod,
    /// What rows are ranked by (a column).
    pub key: PExpr,
    /// `per`: the group (a column); `None` ranks the whole table as one group.
    pub group: Option<PExpr>,
    /// Whether the row is ranked (a column): its inputs typed, its key computed and present.
    pub ranked: PExpr,
    /// The class labels, best first.
    pub labels: Vec<Arc<str>>,
    /// The label of a row that is not ranked (`missing -> L`), else `NULL`.
    pub on_missing: Option<Arc<str>>,
}

/// How a relative classes its rows (eval/relative.rs, with `ties same`: tied rows share the
/// class of the first of them, so no row order is needed).
#[derive(Debug, Clone, PartialEq)]
pub enum RelativeMethod {
    /// The first cut whose share of the group's total is greater than the share of the rows
    /// strictly before (largest first); `None` is `rest`.
    Pareto(Vec<Option<Decimal>>),
    /// The first cut with (rank ≤ share × count), largest first.
    Top(Vec<Option<Decimal>>),
    /// Class ⌊(rank − 1) · n / count⌋ + 1 of `n` (labels `n` … `1`), in the given order.
    Quantiles { n: u32, higher_is_better: bool },
    /// Strictly above the mean: the first label, else the second.
    AboveMean,
}

/// How a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpKind {
    /// Exact decimals settled to [`SETTLE_PLACES`] (only when a side may have more places).
    Num {
        settle: bool,
    },
    Date,
    Text,
    Bool,
    /// Labels: equal by name; ordered by rank on the scale, better is greater.
    Label(Option<usize>),
}

/// One column of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// A readable name for the SQL (`综合得分`, `综合得分.销售额`, `等级#arm`).
    pub name: String,
    pub ty: Ty,
    pub expr: PExpr,
    /// Why this row fails here (a `Text`), `NULL` when it does not. `None`: never fails.
    pub fail: Option<PExpr>,
}

/// One typed input, as a warehouse column holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    /// The ruleset's name for it.
    pub name: Arc<str>,
    /// The column the query reads: the first `column "…"` name, else the input's name.
    pub column: String,
    pub kind: InputKind,
    /// `?` after the type: the cell may be empty.
    pub optional: bool,
    /// The value of an empty cell, in base units.
    pub default: Option<PExpr>,
    /// Inclusive bounds in base units; a value outside rejects the row.
    pub range: (Option<Decimal>, Option<Decimal>),
}

/// What a warehouse column of an input holds.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// Exact decimal in the column's unit; `factor` turns it into base units (10⁴ for 万).
    Number {
        factor: Decimal,
        integer: bool,
    },
    /// A fraction (`0.92` for 92%).
    Percent,
    Date,
    Bool,
    Text,
    /// Text that must be one of the names (variants and their synonyms → the variant).
    Labels {
        scale: Option<usize>,
        names: Vec<(Arc<str>, Arc<str>)>,
    },
}

/// A label scale: names best first.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanScale {
    pub name: Arc<str>,
    pub labels: Vec<Arc<str>>,
}

/// What the graded output holds, as columns of the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outputs {
    /// (header, column) in `tier run`'s order after the kept inputs: grade, sub-grade, score,
    /// components, other values, tags, follow-up, review, action, owner.
    pub columns: Vec<(String, usize)>,
}

/// A ruleset lowered to columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub version: Option<String>,
    pub inputs: Vec<PlanInput>,
    pub scales: Vec<PlanScale>,
    pub columns: Vec<Column>,
    pub outputs: Outputs,
    /// Where the program's named values live among the columns (for the column engine; the SQL
    /// printer does not read it).
    pub sources: Sources,
    /// The `events` declarations (empty for a ruleset without events).
    pub events: Vec<PlanEvents>,
    /// The aggregates, in `Program::aggregates` order ([`PExpr::Agg`] indexes them).
    pub aggregates: Vec<AggregateOp>,
}

/// The columns behind the [`Program`]'s named values, so that the column engine can hand the
/// interpreter's outcome builder the values it computed (indices into [`Plan::columns`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sources {
    /// Per program node: its value's column.
    pub nodes: Vec<Option<usize>>,
    /// Per scorecard component (flat): its points' column.
    pub comps: Vec<Option<usize>>,
    /// Per grade node: the column of the arm that decided it.
    pub arms: Vec<Option<usize>>,
    /// Per tag: the column of whether it holds.
    pub tags: Vec<usize>,
    /// Per relative: its class column.
    pub relatives: Vec<Option<usize>>,
}

impl Sources {
    fn remap(&mut self, map: &[usize]) {
        for c in self
            .nodes
            .iter_mut()
            .chain(self.comps.iter_mut())
            .chain(self.arms.iter_mut())
            .chain(self.relatives.iter_mut())
            .flatten()
            .chain(self.tags.iter_mut())
        {
            *c = map[*c];
        }
    }
}

impl PExpr {
    pub fn b(self) -> Box<PExpr> {
        Box::new(self)
    }

    /// Calls `f` on every direct child.
    pub fn children(&self, f: &mut dyn FnMut(&PExpr)) {
        use PExpr::*;
        match self {
            Num(_) | Date(_) | Bool(_) | Text(_) | Null | Input(_) | Col(_) | AsOf | Int(_)
            | InputsOk | Agg(_) | EventField(..) => {}
            Relative(r) => {
                f(&r.key);
                f(&r.ranked);
                if let Some(g) = &r.group {
                    f(g)
                }
            }
            Neg(a)
            | Not(a)
            | IsNull(a)
            | Round(a, _)
            | Floor(a)
            | Ceil(a)
            | Abs(a)
            | Year(a)
            | Month(a)
            | DateAdd(a, _)
            | NextDay(a, _)
            | Rank(a, _)
            | LabelOf(a, _)
            | IntText(a)
            | PeriodStart(a, _)
            | LabelNumber(a) => f(a),
            Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | Cmp(_, a, b, _)
            | And(a, b)
            | Or(a, b)
            | DaysBetween(a, b)
            | MonthsBetween(a, b) => {
                f(a);
                f(b)
            }
            Case(arms, e) => {
                for (c, v) in arms {
                    f(c);
                    f(v);
                }
                f(e)
            }
            Coalesce(xs) | Least(xs) | Greatest(xs) | CountTrue(xs) | Concat(xs) => {
                xs.iter().for_each(f)
            }
            JoinTrue(xs, _) => xs.iter().for_each(|(c, _)| f(c)),
        }
    }
}

impl Plan {
    /// Rewrites the plan so that every quotient divides a column (or input, or constant) by
    /// another: an operand that is an expression becomes a column of its own, just before its
    /// user. A back end then divides exactly with each operand written once (the SQL printer
    /// repeats the operands of its integer long division).
    pub(crate) fn hoist_quotients(&mut self) {
        let old = std::mem::take(&mut self.columns);
        let mut map: Vec<usize> = Vec::with_capacity(old.len());
        for c in old {
            let mut expr = c.expr;
            let mut fail = c.fail;
            remap(&mut expr, &map);
            if let Some(f) = fail.as_mut() {
                remap(f, &map);
            }
            let mut n = 0;
            self.hoist(&mut expr, &c.name, &mut n);
            self.columns.push(Column {
                name: c.name,
                ty: c.ty,
                expr,
                fail,
            });
            map.push(self.columns.len() - 1);
        }
        for (_, col) in &mut self.outputs.columns {
            *col = map[*col];
        }
        self.sources.remap(&map);
    }

    fn hoist(&mut self, e: &mut PExpr, name: &str, n: &mut usize) {
        if let PExpr::Div(a, b) = e {
            for side in [a, b] {
                self.hoist(side, name, n);
                if !matches!(
                    **side,
                    PExpr::Col(_) | PExpr::Input(_) | PExpr::Num(_) | PExpr::Int(_)
                ) {
                    *n += 1;
                    let scale = self.scale_of(side).unwrap_or(QUOTIENT_PLACES);
                    let expr = std::mem::replace(&mut **side, PExpr::Null);
                    self.columns.push(Column {
                        name: format!("{name}#quotient{n}"),
                        ty: Ty::num(scale),
                        expr,
                        fail: None,
                    });
                    **side = PExpr::Col(self.columns.len() - 1);
                }
            }
            return;
        }
        e.children_mut(&mut |c| self.hoist(c, name, n));
    }
}

/// Renumbers column references after columns were inserted.
fn remap(e: &mut PExpr, map: &[usize]) {
    if let PExpr::Col(i) = e {
        *i = map[*i];
        return;
    }
    e.children_mut(&mut |c| remap(c, map));
}

impl PExpr {
    /// Calls `f` on every direct child, mutably.
    pub fn children_mut(&mut self, f: &mut dyn FnMut(&mut PExpr)) {
        use PExpr::*;
        match self {
            Num(_) | Date(_) | Bool(_) | Text(_) | Null | Input(_) | Col(_) | AsOf | Int(_)
            | InputsOk | Agg(_) | EventField(..) => {}
            Relative(r) => {
                f(&mut r.key);
                f(&mut r.ranked);
                if let Some(g) = &mut r.group {
                    f(g)
                }
            }
            Neg(a)
            | Not(a)
            | IsNull(a)
            | Round(a, _)
            | Floor(a)
            | Ceil(a)
            | Abs(a)
            | Year(a)
            | Month(a)
            | DateAdd(a, _)
            | NextDay(a, _)
            | Rank(a, _)
            | LabelOf(a, _)
            | IntText(a)
            | PeriodStart(a, _)
            | LabelNumber(a) => f(a),
            Add(a, b)
            | Sub(a, b)
            | Mul(a, b)
            | Div(a, b)
            | Cmp(_, a, b, _)
            | And(a, b)
            | Or(a, b)
            | DaysBetween(a, b)
            | MonthsBetween(a, b) => {
                f(a);
                f(b)
            }
            Case(arms, e) => {
                for (c, v) in arms {
                    f(c);
                    f(v);
                }
                f(e)
            }
            Coalesce(xs) | Least(xs) | Greatest(xs) | CountTrue(xs) | Concat(xs) => {
                xs.iter_mut().for_each(f)
            }
            JoinTrue(xs, _) => xs.iter_mut().for_each(|(c, _)| f(c)),
        }
    }
}

impl Plan {
    /// The decimal places of a numeric expression (`None` when it is not a number): the scale
    /// analysis of docs/design/LOWERING.md. Inputs have their column's places, `+`/`-` the
    /// larger, `*` the sum (at most [`QUOTIENT_PLACES`]: a back end rounds a product there), a
    /// quotient [`QUOTIENT_PLACES`], a decision the largest of its values.
    pub fn scale_of(&self, e: &PExpr) -> Option<u32> {
        use PExpr::*;
        let max = |xs: &mut dyn Iterator<Item = &PExpr>| -> Option<u32> {
            xs.filter_map(|x| self.scale_of(x)).max()
        };
        match e {
            Num(d) => Some(d.scale()),
            Int(_) | Floor(_) | Ceil(_) | DaysBetween(..) | MonthsBetween(..) | Year(_)
            | Month(_) | CountTrue(_) | Rank(..) => Some(0),
            LabelNumber(_) => Some(INPUT_PLACES),
            Input(i) => self.inputs.get(*i).and_then(|inp| inp.scale()),
            EventField(e, i) => self
                .events
                .get(*e)
                .and_then(|ev| ev.fields.get(*i))
                .and_then(|f| f.scale()),
            Agg(k) => match self.aggregates.get(*k).map(|a| a.ty) {
                Some(Ty::Num { scale }) => Some(u32::from(scale).min(QUOTIENT_PLACES)),
                _ => None,
            },
            Col(i) => match self.columns.get(*i).map(|c| c.ty) {
                Some(Ty::Num { scale }) => Some(u32::from(scale).min(QUOTIENT_PLACES)),
                _ => None,
            },
            Neg(a) | Abs(a) => self.scale_of(a),
            Add(a, b) | Sub(a, b) => match (self.scale_of(a), self.scale_of(b)) {
                (Some(x), Some(y)) => Some(x.max(y)),
                (x, y) => x.or(y),
            },
            Mul(a, b) => Some(
                (self.scale_of(a).unwrap_or(0) + self.scale_of(b).unwrap_or(0))
                    .min(QUOTIENT_PLACES),
            ),
            Div(..) => Some(QUOTIENT_PLACES),
            Round(a, p) => Some(self.scale_of(a).unwrap_or(0).min(*p)),
            Case(arms, other) => max(&mut arms.iter().map(|(_, v)| v).chain([&**other])),
            Coalesce(xs) | Least(xs) | Greatest(xs) => max(&mut xs.iter()),
            _ => None,
        }
    }
}

impl PlanInput {
    /// The decimal places of a numeric input as the query reads it: 6 in the column's unit
    /// (fewer in base units are never more: ×10⁴ adds none), 8 for a fraction, 0 for integers.
    pub fn scale(&self) -> Option<u32> {
        match self.kind {
            InputKind::Number { integer: true, .. } => Some(0),
            InputKind::Number { .. } => Some(INPUT_PLACES),
            InputKind::Percent => Some(PERCENT_PLACES),
            _ => None,
        }
    }
}

/// Decimal places of a number column in a warehouse table (in the column's own unit).
pub const INPUT_PLACES: u32 = 6;
/// Decimal places of a percent column (a fraction: `0.12345678` is 12.345678%).
pub const PERCENT_PLACES: u32 = 8;
