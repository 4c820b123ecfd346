//! The compiled form of a ruleset: expressions with every name resolved to a slot, the named
//! values in dependency order, and the decisions (grades, tags, schedules) ready to run.

use super::{InputSpec, OutputInfo, RelativeSpec};
use crate::ast::CmpOp;
use crate::source::{SourceFile, Span};
use crate::value::{Label, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled, immutable ruleset: `Send + Sync`, shared by every worker of a run.
#[derive(Debug, Clone)]
pub struct Program {
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) source: SourceFile,
    pub(crate) inputs: Vec<InputSpec>,
    /// The `events` declarations, in declaration order.
    pub(crate) events: Vec<super::EventsSpec>,
    /// Every aggregate written in the ruleset: its value follows the inputs in a record.
    pub(crate) aggregates: Vec<super::events::AggregateC>,
    pub(crate) relatives: Vec<RelativeSpec>,
    /// Compiled `relative` inputs/groups: (value, per).
    pub(crate) rel_exprs: Vec<(CExpr, Option<CExpr>)>,
    /// The nodes each relative's key needs, in evaluation order.
    pub(crate) rel_deps: Vec<usize>,
    /// Relatives by round: a key may use the classes of earlier rounds.
    pub(crate) rel_rounds: Vec<Vec<usize>>,
    pub(crate) scales: Vec<ScaleInfo>,
    /// Named values other than inputs and relatives.
    pub(crate) nodes: Vec<Node>,
    /// Node indices in dependency order.
    pub(crate) order: Vec<usize>,
    /// How many scorecard components there are (their points live in a flat array).
    pub(crate) comp_count: usize,
    pub(crate) tags: Vec<TagC>,
    pub(crate) follow_up: Option<ScheduleC>,
    pub(crate) review: Option<ScheduleC>,
    /// Named schedules (`follow_up 致电 by …`), in declaration order: columns of their own.
    pub(crate) named_schedules: Vec<ScheduleC>,
    pub(crate) out: OutputC,
    /// Every named value in declaration order, for `Outcome::values`.
    pub(crate) value_order: Vec<(Arc<str>, Slot)>,
    /// Name resolution, kept for expressions compiled later (REPL input, test expectations).
    pub(crate) names: HashMap<String, Slot>,
    pub(crate) comp_index: HashMap<(String, String), usize>,
    /// The checker's rank of every bare label in the ruleset, by span (test expectations are
    /// compiled after the rest).
    pub(crate) label_rank: HashMap<Span, u32>,
    /// The language of the reasons' own words ([`super::words::Lang`]).
    pub(crate) lang: super::words::Lang,
}

/// Where a named value lives during one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Input(usize),
    Rel(usize),
    Node(usize),
    /// An aggregate over events (`sum(订单.金额 within 12 months)`), by index into
    /// `Program::aggregates`; its value is in the record after the inputs.
    Agg(usize),
}

/// An ordered scale: labels best first.
#[derive(Debug, Clone)]
pub(crate) struct ScaleInfo {
    pub name: Arc<str>,
    pub labels: Vec<Arc<str>>,
}

impl ScaleInfo {
    pub fn label(&self, name: &str) -> Option<Label> {
        self.labels
            .iter()
            .position(|l| &**l == name)
            .map(|i| Label {
                name: self.labels[i].clone(),
                rank: i as u32,
            })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: Arc<str>,
    pub span: Span,
    /// The scale of a label-valued node (grades, adjustments).
    pub scale: Option<usize>,
    pub kind: NodeKind,
    /// `override NAME with X reason Y`: (with input, reason input, span).
    pub override_by: Option<(usize, usize, Span)>,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Let(CExpr),
    Scorecard(ScorecardC),
    Grade(GradeC),
    Adjust(AdjustC),
}

#[derive(Debug, Clone)]
pub(crate) struct ScorecardC {
    pub round: Option<u32>,
    /// The flat index of the first component.
    pub first_comp: usize,
    pub components: Vec<ComponentC>,
}

#[derive(Debug, Clone)]
pub(crate) struct ComponentC {
    pub name: Arc<str>,
    pub weight: Option<(rust_decimal::Decimal, String)>,
    pub expr: CExpr,
    pub on_missing: Option<CExpr>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct AttrsC {
    pub color: Option<Arc<str>>,
    pub action: Option<Arc<str>>,
    pub owner: Option<Arc<str>>,
}

#[derive(Debug, Clone)]
pub(crate) enum GradeC {
    Thresholds {
        input: CExpr,
        arms: Vec<ThresholdArmC>,
    },
    Rules {
        arms: Vec<RuleArmC>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum ThresholdTestC {
    Cmp(CmpOp, CExpr),
    Otherwise,
    Missing,
}

#[derive(Debug, Clone)]
pub(crate) struct ThresholdArmC {
    pub label: Label,
    pub test: ThresholdTestC,
    pub attrs: AttrsC,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleArmC {
    pub label: Label,
    /// `None` for `otherwise`.
    pub when: Option<CExpr>,
    pub attrs: AttrsC,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) struct AdjustC {
    /// A grade, an adjustment, or a `grade(SCALE)` input.
    pub base: Slot,
    pub arms: Vec<AdjustArmC>,
}

#[derive(Debug, Clone)]
pub(crate) enum AdjustActionC {
    Up(u32),
    Down(u32),
    To(Label),
    /// `up to L`: at least L.
    UpTo(Label),
    /// `down to L`: at most L.
    DownTo(Label),
}

impl AdjustActionC {
    /// The position (0 = best) after this arm applies to position `cur` of a scale of
    /// `len` labels: `up`/`down` clamp at the ends; `up to L` takes the better of the two,
    /// `down to L` the worse. Both evaluators call this, so they cannot disagree.
    pub fn apply(&self, cur: usize, len: usize) -> usize {
        let last = len.saturating_sub(1);
        match self {
            AdjustActionC::Up(k) => cur.saturating_sub(*k as usize),
            AdjustActionC::Down(k) => cur.saturating_add(*k as usize).min(last),
            AdjustActionC::To(l) => l.rank as usize,
            AdjustActionC::UpTo(l) => cur.min(l.rank as usize),
            AdjustActionC::DownTo(l) => cur.max(l.rank as usize),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AdjustArmC {
    pub action: AdjustActionC,
    pub when: CExpr,
}

#[derive(Debug, Clone)]
pub(crate) struct TagC {
    pub name: Arc<str>,
    pub when: CExpr,
    pub attrs: AttrsC,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) struct ScheduleC {
    /// `follow_up 致电 …`: `None` for the main follow-up or review.
    pub name: Option<Arc<str>>,
    pub grade: Slot,
    pub grade_name: Arc<str>,
    pub from: CExpr,
    pub arms: Vec<ScheduleArmC>,
    pub span: Span,
    pub is_review: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ScheduleArmC {
    /// The grade's label; `None` for `tag`, a bare `when` and `otherwise`.
    pub label: Option<Arc<str>>,
    /// `tag NAME`: holds when the customer has that tag.
    pub tag: Option<Arc<str>>,
    /// `when COND`: holds when the condition is yes (missing: the arm does not hold).
    pub when: Option<CExpr>,
    pub cadence: CadenceC,
    pub cadence_text: String,
    pub reassign_after: Option<crate::value::Duration>,
}

#[derive(Debug, Clone)]
pub(crate) enum CadenceC {
    Every(crate::value::Duration),
    Within(crate::value::Duration, crate::value::Duration),
    /// Interval in whole days.
    PerPeriod(i32),
    /// Due on the first of these days after the last date.
    Calendar(crate::value::Calendar),
    None,
}

/// The output names, resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutputC {
    pub grade: Option<(Arc<str>, Slot)>,
    pub subgrade: Option<(Arc<str>, Slot)>,
    pub score: Option<(Arc<str>, Slot)>,
    pub revenue: Option<(Arc<str>, Slot)>,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) struct CExpr {
    pub kind: CKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    /// `x / 1万`: dividing by a scaled literal (`万`, `亿`, `千`) counts in that unit, so the
    /// result is a plain number (200万 / 1万 = 200), while `x / 12` stays money.
    DivScaled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    DaysSince,
    DaysBetween,
    MonthsSince,
    Min,
    Max,
    Abs,
    Floor,
    Ceil,
    Round,
    Concat,
    CountOf,
    Year,
    Month,
}

impl Func {
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "days_since" => Func::DaysSince,
            "days_between" => Func::DaysBetween,
            "months_since" => Func::MonthsSince,
            "min" => Func::Min,
            "max" => Func::Max,
            "abs" => Func::Abs,
            "floor" => Func::Floor,
            "ceil" => Func::Ceil,
            "round" => Func::Round,
            "concat" => Func::Concat,
            "count_of" => Func::CountOf,
            "year" => Func::Year,
            "month" => Func::Month,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) enum CKind {
    Const(Value),
    Slot(Slot),
    /// A scorecard component's points (flat index).
    Comp(usize),
    AsOf,
    Neg(Box<CExpr>),
    Not(Box<CExpr>),
    Arith(Arith, Box<CExpr>, Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Coalesce(Box<CExpr>, Box<CExpr>),
    Cmp(CmpOp, Box<CExpr>, Box<CExpr>),
    IsMissing(Box<CExpr>, bool),
    In(Box<CExpr>, Vec<CExpr>, bool),
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    Call(Func, Vec<CExpr>),
    AtLeast(u32, Vec<CExpr>),
    Linear(Box<LinearC>),
    Bands(Box<BandsC>),
    Match(Box<MatchC>),
    Matrix(Box<MatrixC>),
}

#[derive(Debug, Clone)]
pub(crate) struct LinearC {
    pub input: CExpr,
    pub from: CExpr,
    pub to: CExpr,
    pub points: Option<(CExpr, CExpr)>,
    /// Bounds and points folded at compile time when they are all number literals.
    pub fixed: Option<LinearFixed>,
}

/// A `linear` with literal bounds and points: `from a to b (points p→q)`.
#[derive(Debug, Clone)]
pub(crate) struct LinearFixed {
    pub a: rust_decimal::Decimal,
    pub b: rust_decimal::Decimal,
    pub p: rust_decimal::Decimal,
    pub q: rust_decimal::Decimal,
    /// `(q − p) / (b − a)` when it is a finite decimal (checked exactly), so that a record
    /// costs a multiplication instead of a division; `None` otherwise.
    pub slope: Option<rust_decimal::Decimal>,
}

impl LinearC {
    /// The points for `x` (bounds `a ≠ b`, points `p`→`q`), as the interpreter computes them
    /// (the plan lowers the same formula for the column engine and SQL): clamped outside [from, to] (either direction); inside, multiplied before
    /// dividing so a result that is a finite decimal comes out exact:
    /// p + (x − a)·(q − p) / (b − a), or (x − a)·k + p with a folded finite-decimal slope `k`.
    /// Returns `(points, clamped)`; `None` on overflow.
    pub fn points(
        &self,
        x: rust_decimal::Decimal,
        (a, b, p, q): (
            rust_decimal::Decimal,
            rust_decimal::Decimal,
            rust_decimal::Decimal,
            rust_decimal::Decimal,
        ),
    ) -> Option<(rust_decimal::Decimal, bool)> {
        let below = if a < b { x <= a } else { x >= a };
        let above = if a < b { x >= b } else { x <= b };
        let clamped = (below && x != a) || (above && x != b);
        let points = if below {
            p
        } else if above {
            q
        } else if let Some(k) = self.fixed.as_ref().and_then(|f| f.slope) {
            x.checked_sub(a)?.checked_mul(k)?.checked_add(p)?
        } else {
            x.checked_sub(a)?
                .checked_mul(q.checked_sub(p)?)?
                .checked_div(b.checked_sub(a)?)?
                .checked_add(p)?
        };
        Some((points, clamped))
    }
}

impl LinearFixed {
    /// Folds literal bounds; `None` unless all four are numbers and `a ≠ b`.
    pub fn fold(from: &CExpr, to: &CExpr, points: Option<&(CExpr, CExpr)>) -> Option<Self> {
        use rust_decimal::Decimal;
        let num = |e: &CExpr| match &e.kind {
            CKind::Const(Value::Number(d, _)) => Some(*d),
            _ => None,
        };
        let (a, b) = (num(from)?, num(to)?);
        let (p, q) = match points {
            Some((p, q)) => (num(p)?, num(q)?),
            None => (Decimal::ZERO, Decimal::ONE_HUNDRED),
        };
        if a == b {
            return None;
        }
        let (rise, run) = (q.checked_sub(p)?, b.checked_sub(a)?);
        let slope = rise
            .checked_div(run)
            .filter(|k| k.checked_mul(run) == Some(rise));
        Some(LinearFixed { a, b, p, q, slope })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct BandsC {
    pub input: CExpr,
    pub arms: Vec<BandArmC>,
}

#[derive(Debug, Clone)]
pub(crate) enum BandGuardC {
    Interval {
        lo: Option<(CExpr, bool)>,
        hi: Option<(CExpr, bool)>,
    },
    Missing,
    Otherwise,
}

#[derive(Debug, Clone)]
pub(crate) struct BandArmC {
    pub guard: BandGuardC,
    pub value: CExpr,
}

#[derive(Debug, Clone)]
pub(crate) enum MatchKeysC {
    Values(Vec<CExpr>),
    Missing,
    Otherwise,
}

#[derive(Debug, Clone)]
pub(crate) struct MatchC {
    pub input: CExpr,
    pub arms: Vec<(MatchKeysC, CExpr, Span)>,
}

#[derive(Debug, Clone)]
pub(crate) struct MatrixC {
    pub row: CExpr,
    pub col: CExpr,
    /// `None` = `otherwise`.
    pub columns: Vec<Option<CExpr>>,
    pub rows: Vec<(Option<CExpr>, Vec<CExpr>, Span)>,
}

impl Program {
    /// A compiler over this program's names, for expressions written after compilation (test
    /// expectations, REPL input); `labels` are the checker's ranks of their bare labels.
    pub(crate) fn resolver<'s>(
        &'s self,
        source: &'s SourceFile,
        labels: &'s HashMap<Span, u32>,
    ) -> super::compile::Compiler<'s> {
        super::compile::Compiler {
            source,
            names: self.names.clone(),
            scales: &self.scales,
            labels,
            components: self.comp_index.clone(),
            events: self.events.clone(),
            aggregates: None,
            errors: Vec::new(),
        }
    }

    pub(crate) fn slot_name(&self, slot: Slot) -> Arc<str> {
        match slot {
            Slot::Input(i) => self.inputs[i].name.clone(),
            Slot::Rel(i) => self.relatives[i].name.clone(),
            Slot::Node(i) => self.nodes[i].name.clone(),
            Slot::Agg(i) => self.aggregates[i].text.clone(),
        }
    }

    pub(crate) fn output_info(&self) -> OutputInfo {
        let name = |o: &Option<(Arc<str>, Slot)>| o.as_ref().map(|(n, _)| n.clone());
        let components = match &self.out.score {
            Some((_, Slot::Node(i))) => match &self.nodes[*i].kind {
                NodeKind::Scorecard(sc) => sc.components.iter().map(|c| c.name.clone()).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        OutputInfo {
            grade: name(&self.out.grade),
            subgrade: name(&self.out.subgrade),
            score: name(&self.out.score),
            revenue: name(&self.out.revenue),
            components,
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            relatives: self.relatives.iter().map(|r| r.name.clone()).collect(),
            has_follow_up: self.follow_up.is_some(),
            has_review: self.review.is_some(),
            schedules: self
                .named_schedules
                .iter()
                .filter_map(|s| Some((s.name.clone()?, s.is_review)))
                .collect(),
        }
    }
}
