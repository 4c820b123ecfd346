//! The syntax tree of a `.tier` ruleset.
//!
//! Every node carries the [`Span`] of the source text it came from, so the checker and the
//! evaluator can point back at the ruleset. Each variant documents its surface syntax; the full
//! language is described in `docs/LANGUAGE.md`.

use crate::source::Span;
use crate::value::{Duration, Unit};
use rust_decimal::Decimal;

/// A whole ruleset file.
///
/// ```text
/// ruleset "经销商综合评价" version "2026.1"
/// description "..."
/// <items>
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ruleset {
    pub name: StrLit,
    pub version: Option<StrLit>,
    pub description: Option<StrLit>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// A name written by the author: Chinese or English (`销售额`, `sales`, `A1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A double-quoted string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// One top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `input { 销售额 money(万) column "年度销售额" ... }`
    Input(InputBlock),
    /// `events 订单 key 客户编号 date 下单日期 { 金额 money column "订单金额" ... }`
    Events(EventsDecl),
    /// `scale 风险分类 { 正常 > 关注 > 次级 > 可疑 > 损失 }`
    Scale(ScaleDecl),
    /// `let 增长率 = (销售额 - 上年销售额) / 上年销售额`
    Let(LetDecl),
    /// `scorecard 综合得分 { 销售额 30% linear 销售额 from 10万 to 210万 ... }`
    Scorecard(Scorecard),
    /// `grade 等级 by 综合得分 { A >= 80 ... }` or `grade 等级 { A when ... }`
    Grade(GradeDecl),
    /// `adjust 最终分类 from 初始分类 { up 1 when ... }`
    Adjust(AdjustDecl),
    /// `tag 呆滞 when 欠款 > 2万 color "grey"`
    Tag(TagDecl),
    /// `relative 贡献等级 = pareto 销售额 { A 65%  B 85%  C rest }`
    Relative(RelativeDecl),
    /// `follow_up by 等级 from 最近联系 { ... }` and `review by 等级 from 上次评估 { ... }`
    Schedule(ScheduleDecl),
    /// `override 等级 with 人工等级 reason 调整原因`
    Override(OverrideDecl),
    /// `output { grade 等级  subgrade 分级  score 综合得分  revenue 销售额 }`
    Output(OutputDecl),
    /// `test "name" { as_of 2026-11-23  given ...  expect ... }`
    Test(TestCase),
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// `input { <field>* }`
#[derive(Debug, Clone, PartialEq)]
pub struct InputBlock {
    pub fields: Vec<InputField>,
    pub span: Span,
}

/// `events NAME key FIELD date FIELD { <field>* }`: rows of orders, visits or payments, each
/// tied to a customer by the key field (also an input of the customer) and dated by the date
/// field. Aggregates (`sum(订单.金额 within 12 months)`) fold a customer's events into values.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsDecl {
    pub name: Ident,
    /// The field that names the customer: also declared, with the same name, in `input`.
    pub key: Ident,
    /// The field that dates each event (a `date` field): windows count back from the as-of date.
    pub date: Ident,
    pub fields: Vec<InputField>,
    pub span: Span,
}

impl EventsDecl {
    /// The index of the field called `name`.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name.name == name)
    }
}

/// `NAME TYPE[?] [RANGE] [column "列名"[, "别名"]*] [default LITERAL]`
///
/// e.g. `经理评分 number 0..100 column "经理评分"`, `最近联系 date? column "最近联系日期"`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputField {
    pub name: Ident,
    pub ty: TypeExpr,
    /// Written `?` after the type: the cell may be empty, the value is then `missing`.
    pub optional: bool,
    /// `a..b`, `a..` or `..b`, ends inclusive; a value outside rejects the row.
    pub range: Option<InputRange>,
    /// Column names in the data file; empty means "the field's own name".
    pub columns: Vec<StrLit>,
    /// Value used when the cell is empty.
    pub default: Option<Expr>,
    pub span: Span,
}

/// `0..100`, `0..` or `..100`: the values a field accepts, both written ends inclusive; a missing
/// end is unbounded (`星点值 number 0..`).
#[derive(Debug, Clone, PartialEq)]
pub struct InputRange {
    /// The low end; `None` in `..100`.
    pub lo: Option<Literal>,
    /// The high end; `None` in `0..`.
    pub hi: Option<Literal>,
    pub span: Span,
}

impl InputRange {
    /// The written ends, low first.
    pub fn ends(&self) -> impl Iterator<Item = &Literal> {
        self.lo.iter().chain(self.hi.iter())
    }

    /// The range as written, for messages: `0..100`, `0..`, `..100`.
    pub fn text(&self) -> String {
        let end = |l: &Option<Literal>| l.as_ref().map_or("", |l| l.text.as_str()).to_string();
        format!("{}..{}", end(&self.lo), end(&self.hi))
    }
}

/// A field's declared type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

/// Multiplier in which a data column writes its numbers: `money(万)` data `12.5` is 125000 元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// ×1 (`元`, `㎡`, `吨`)
    One,
    /// ×10⁴ (`万`, `万元`, `万㎡`)
    Wan,
    /// ×10⁸ (`亿`, `亿元`)
    Yi,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `number`: a plain decimal.
    Number,
    /// `integer` (also `count`): a whole number.
    Integer,
    /// `percent`: data `92%` or `92` is 0.92; `percent(fraction)`: data `0.92` is 0.92.
    Percent { fraction: bool },
    /// `money`, `money(元)`, `money(万)`, `money(万元)`, `money(亿)`; stored in 元.
    Money(Scale),
    /// `quantity(吨)`, `quantity(㎡)`, `quantity(万㎡)`: `unit` is `Unit::Mass` or `Unit::Area`.
    Quantity { unit: Unit, scale: Scale },
    /// `date`: `2026-11-01`, `2026/11/1`, `2026年11月1日`, Excel serials.
    Date,
    /// `text`
    Text,
    /// `bool`: 是/否, yes/no, true/false, y/n, 1/0, √/×.
    Bool,
    /// `enum { 加盟商 "加盟" "加盟店", OEM商 "OEM", 普通商 }`: variants with synonyms.
    Enum(Vec<EnumVariant>),
    /// `grade(风险分类)`: a label of a declared scale (e.g. last period's class).
    Grade(Ident),
}

/// `加盟商 "加盟" "加盟店"`: the variant and the other spellings a data file may use.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    pub name: Ident,
    pub synonyms: Vec<StrLit>,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

/// `scale NAME { L1 > L2 > ... }`: an ordered grade scale, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleDecl {
    pub name: Ident,
    pub labels: Vec<Ident>,
    pub span: Span,
}

/// `let NAME = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `scorecard NAME [round N] { <component>* }`
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub name: Ident,
    /// `round 1`: round the total half away from zero to N decimals.
    pub round: Option<u32>,
    pub components: Vec<Component>,
    pub span: Span,
}

/// `NAME [WEIGHT] EXPR [, missing -> POINTS]`
///
/// e.g. `回款率 20% linear 回款率 from 90% to 100%`, `增长率 30% linear 增长率 from 0% to 25%, missing -> 0`.
/// Without weights (all components), the scorecard is a plain sum of points.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub name: Ident,
    pub weight: Option<Literal>,
    pub expr: Expr,
    pub on_missing: Option<Expr>,
    pub span: Span,
}

/// `grade NAME [on SCALE] <body>`
#[derive(Debug, Clone, PartialEq)]
pub struct GradeDecl {
    pub name: Ident,
    /// `on 风险分类`; without it the scale is the arms' labels in order of first appearance.
    pub scale: Option<Ident>,
    pub body: GradeBody,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GradeBody {
    /// `by EXPR { A >= 80  B >= 60  C otherwise }`: the first arm whose test holds.
    Thresholds {
        input: Expr,
        arms: Vec<ThresholdArm>,
    },
    /// `{ A when COND  B when COND  C otherwise }`: first match wins.
    Rules { arms: Vec<RuleArm> },
}

/// `LABEL (CMP EXPR | otherwise | missing) [ATTRS]`, e.g. `A >= 80 color "green"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdArm {
    pub label: Ident,
    pub test: ThresholdTest,
    pub attrs: Attrs,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ThresholdTest {
    /// `>= 80`, `< 7`: compares the grade's input with the expression.
    Cmp(CmpOp, Expr),
    /// `otherwise`: any non-missing value not matched above.
    Otherwise,
    /// `missing`: the input is missing.
    Missing,
}

/// `LABEL when COND [ATTRS]`, `LABEL otherwise [ATTRS]`, `LABEL missing [ATTRS]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleArm {
    pub label: Ident,
    pub test: RuleTest,
    pub attrs: Attrs,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleTest {
    When(Expr),
    Otherwise,
}

/// Per-grade or per-tag attributes: `color "yellow" action "24小时内电话" owner "销售经理"`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attrs {
    pub color: Option<StrLit>,
    pub action: Option<StrLit>,
    pub owner: Option<StrLit>,
}

/// `adjust NAME from GRADE { (up N | down N | up to LABEL | down to LABEL | to LABEL) when COND ... }`
///
/// Arms apply in order, every arm whose condition holds, each clamped to the scale.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustDecl {
    pub name: Ident,
    pub base: Ident,
    pub arms: Vec<AdjustArm>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdjustArm {
    pub action: AdjustAction,
    pub when: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdjustAction {
    /// `up N`: N steps towards the best label.
    Up(u32),
    /// `down N`: N steps towards the worst label.
    Down(u32),
    /// `to LABEL`: set, e.g. `to 关注 when 未付比例 <= 25%`.
    To(Ident),
    /// `up to LABEL`: raise to at least LABEL; a better grade stays (never lowers).
    UpTo(Ident),
    /// `down to LABEL`: lower to at most LABEL; a worse grade stays (never raises).
    DownTo(Ident),
}

/// `tag NAME when COND [ATTRS]`: one of several labels a customer may carry.
#[derive(Debug, Clone, PartialEq)]
pub struct TagDecl {
    pub name: Ident,
    pub when: Expr,
    pub attrs: Attrs,
    pub span: Span,
}

/// `relative NAME = METHOD EXPR ... [per EXPR] [ties same|input_order] [missing -> LABEL]`
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeDecl {
    pub name: Ident,
    pub method: RelMethod,
    /// The value customers are ranked by.
    pub input: Expr,
    /// `per 区域`: rank within each group.
    pub per: Option<Expr>,
    pub ties: TiePolicy,
    /// `missing -> C`: the label for customers whose value is missing (else the row is rejected).
    pub on_missing: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RelMethod {
    /// `pareto EXPR { A 65%  B 85%  C rest }`: cumulative share of the column total, largest first.
    Pareto(Vec<Cut>),
    /// `top EXPR { A 20%  B 50%  C rest }`: cumulative share of the customer count, largest first.
    Top(Vec<Cut>),
    /// `quantiles EXPR into 5 [higher is better | lower is better]`: classes 1..=N, N best.
    Quantiles { n: u32, higher_is_better: bool },
    /// `mean EXPR { 高 above  低 otherwise }` / `median EXPR { ... }`: strictly above vs the rest.
    Split {
        stat: SplitStat,
        above: Ident,
        otherwise: Ident,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitStat {
    Mean,
    Median,
}

/// `A 65%` (up to that cumulative share) or `C rest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    pub label: Ident,
    /// `None` for `rest`.
    pub share: Option<Literal>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TiePolicy {
    /// `ties same` (default): equal values get the same class, the one of the first of them.
    #[default]
    Same,
    /// `ties input_order`: equal values are ordered by input row, as pandas' `rank(method='first')`.
    InputOrder,
}

/// `follow_up by GRADE from DATE_EXPR { <arm>* }` or `review by GRADE from DATE_EXPR { <arm>* }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleDecl {
    pub kind: ScheduleKind,
    /// `follow_up 致电 by …`: a further schedule of the same kind, with columns of its own
    /// (`致电.下次跟进`); `None` for the ruleset's main one.
    pub name: Option<Ident>,
    pub grade: Ident,
    pub from: Expr,
    pub arms: Vec<ScheduleArm>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    FollowUp,
    Review,
}

/// `LABEL [when COND] CADENCE [reassign after DURATION]`, `tag NAME [when COND] CADENCE ...`,
/// `when COND CADENCE ...`, or `otherwise CADENCE ...`. The arms are tried in order; the
/// first that holds gives the cadence, else `otherwise`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleArm {
    /// The grade's label this arm is for; `None` for `tag`, a bare `when` and `otherwise`.
    pub label: Option<Ident>,
    /// `tag NAME`: the arm holds when the customer has this tag.
    pub tag: Option<Ident>,
    /// `when COND` (alone, or after the label or tag): the condition must hold too.
    pub when: Option<Expr>,
    pub cadence: Cadence,
    pub reassign_after: Option<Literal>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cadence {
    /// `every 3 days`: due at last + 3 days; overdue after that.
    Every(Literal),
    /// `within 48h` or `within 48h..72h`: due at last + 48h; overdue after last + 72h.
    Within(Literal, Option<Literal>),
    /// `8 per month`: interval = period / count, in whole days (month = 30 days, week = 7, year = 365).
    PerPeriod { count: Literal, period: Period },
    /// `on 06-30, 12-31`, `on day 15`, `on quarter_end`, `every wednesday`: due on the first
    /// of these calendar days after the last date.
    Calendar(Vec<CalendarDay>),
    /// `none`: no follow-up for this grade.
    None,
}

/// One day of a calendar cadence, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarDay {
    pub kind: CalendarDayKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarDayKind {
    /// `06-30` or `6月30日`: that day every year (the checker keeps month and day in range).
    YearDay { month: u8, day: u8 },
    /// `day 15`: that day every month (the month's last day where it is shorter).
    MonthDay(u8),
    /// `month_end`: the last day of every month.
    MonthEnd,
    /// `quarter_end`: 31 Mar, 30 Jun, 30 Sep, 31 Dec.
    QuarterEnd,
    /// `wednesday`, `周三`, `星期三` after `every`: 1 = Monday … 7 = Sunday.
    Weekday(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Year,
}

/// `override GRADE with FIELD reason FIELD`: a manual grade with a required reason.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideDecl {
    pub grade: Ident,
    pub with: Ident,
    pub reason: Ident,
    pub span: Span,
}

/// `output { grade X  subgrade Y  score Z  revenue W }`: which names fill the result columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputDecl {
    pub grade: Option<Ident>,
    pub subgrade: Option<Ident>,
    pub score: Option<Ident>,
    pub revenue: Option<Ident>,
    pub span: Span,
}

/// `test "name" { [as_of DATE] given N = V, ... expect N = V, ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    pub name: StrLit,
    pub as_of: Option<Literal>,
    pub given: Vec<Given>,
    /// `given 订单 = {下单日期 = 2026-11-01, 金额 = 3000}, {...}`: the customer's events.
    pub events: Vec<GivenEvents>,
    pub expects: Vec<Expect>,
    pub span: Span,
}

/// `销售额 = 200万` inside `given`; the value is a literal or a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `订单 = {下单日期 = 2026-11-01, 金额 = 3000}, {下单日期 = 2026-10-02, 金额 = 200}` inside
/// `given`: the events of one `events` declaration, each a list of `FIELD = VALUE` (the key
/// field may be left out: the events are the test customer's).
#[derive(Debug, Clone, PartialEq)]
pub struct GivenEvents {
    pub name: Ident,
    pub rows: Vec<GivenEvent>,
    pub span: Span,
}

/// `{下单日期 = 2026-11-01, 金额 = 3000}`: one event of a test.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenEvent {
    pub cells: Vec<Given>,
    pub span: Span,
}

/// One expectation: `综合得分 = 70.5`, `综合得分.销售额 = 28.5`, `tags include 正常`,
/// `next_due = 2026-11-26`, `overdue = no`, `rejected`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub target: ExpectTarget,
    pub check: ExpectCheck,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectTarget {
    /// A named value: input, let, grade, scorecard, relative, adjust.
    Name(Ident),
    /// `scorecard.component`: the component's points (before weighting); also
    /// `schedule.next_due` (`overdue`, `reassign`, `review_due`) for a named schedule, which
    /// the checker tells apart by the first name.
    Component(Ident, Ident),
    /// `tags`
    Tags,
    /// `next_due`
    NextDue,
    /// `overdue`
    Overdue,
    /// `reassign`
    Reassign,
    /// `review_due`
    ReviewDue,
    /// `rejected`: the record cannot be graded (a runtime error is expected).
    Rejected,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectCheck {
    /// `= VALUE`
    Equals(Expr),
    /// `include X, Y` (tags only)
    Includes(Vec<Ident>),
    /// `exclude X, Y` (tags only)
    Excludes(Vec<Ident>),
    /// `rejected` has no value.
    Holds,
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// The names this expression mentions (`Name` nodes, at any depth, in no particular order):
    /// the declarations it may depend on. Walked with an explicit stack.
    pub fn names(&self) -> Vec<&Ident> {
        let mut out = Vec::new();
        let mut todo = vec![self];
        while let Some(e) = todo.pop() {
            if let ExprKind::Name(id) = &e.kind {
                out.push(id);
            }
            e.children(&mut todo);
        }
        out
    }

    /// Pushes the direct sub-expressions.
    fn children<'e>(&'e self, out: &mut Vec<&'e Expr>) {
        match &self.kind {
            // An aggregate's filter names fields of its events, not declarations: not a child.
            ExprKind::Lit(_)
            | ExprKind::Name(_)
            | ExprKind::Path(..)
            | ExprKind::AsOf
            | ExprKind::Aggregate(_) => {}
            ExprKind::Unary(_, a) | ExprKind::IsMissing { expr: a, .. } => out.push(a),
            ExprKind::Binary(_, a, b) => out.extend([&**a, &**b]),
            ExprKind::In { expr, set, .. } => {
                out.push(expr);
                out.extend(set);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => out.extend([&**cond, &**then, &**otherwise]),
            ExprKind::Call { args, .. } => out.extend(args),
            ExprKind::AtLeast { items, .. } => out.extend(items),
            ExprKind::Linear(l) => {
                out.extend([&*l.input, &*l.from, &*l.to]);
                if let Some((p, q)) = &l.points {
                    out.extend([&**p, &**q]);
                }
            }
            ExprKind::Bands(b) => {
                out.push(&b.input);
                for arm in &b.arms {
                    out.push(&arm.value);
                    if let BandGuard::Interval { lo, hi } = &arm.guard {
                        out.extend(lo.iter().chain(hi).map(|b| &b.value));
                    }
                }
            }
            ExprKind::Match(m) => {
                out.push(&m.input);
                for arm in &m.arms {
                    out.push(&arm.value);
                    if let MatchKeys::Values(keys) = &arm.keys {
                        out.extend(keys);
                    }
                }
            }
            ExprKind::Matrix(m) => {
                out.extend([&*m.row, &*m.col]);
                let key = |k: &'e MatrixKey| match k {
                    MatrixKey::Value(e) => Some(e),
                    MatrixKey::Otherwise(_) => None,
                };
                out.extend(m.columns.iter().filter_map(key));
                for row in &m.rows {
                    out.extend(key(&row.key));
                    out.extend(&row.cells);
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `200万`, `92%`, `7 days`, `2026-06-30`, `"text"`, `yes`, `missing`
    Lit(Literal),
    /// A declared name, or a bare label/enum variant (`A`, `加盟商`) when no name matches.
    Name(Ident),
    /// `综合得分.销售额`: a scorecard component's points.
    Path(Ident, Ident),
    /// `as_of`: the evaluation date.
    AsOf,
    /// `-x`, `not x`
    Unary(UnOp, Box<Expr>),
    /// `a + b`, `a and b`, `a >= b`, `a ?? b`, ...
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is missing`, `x is not missing`
    IsMissing { expr: Box<Expr>, negated: bool },
    /// `x in {A, B}`, `x not in {"a", "b"}`
    In {
        expr: Box<Expr>,
        set: Vec<Expr>,
        negated: bool,
    },
    /// `if C then A else B`
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `days_since(d)`, `min(a, b)`, `round(x, 2)`, `concat(a, b)`, ...
    Call { func: Ident, args: Vec<Expr> },
    /// `at_least 2 of (a, b, c)`: at least K of the conditions hold.
    AtLeast { k: u32, items: Vec<Expr> },
    /// `linear X from A to B [points P to Q]`
    Linear(Linear),
    /// `bands X [increasing|decreasing|unordered] { [a, b) -> v  >= c -> w  missing -> m  otherwise -> o }`
    Bands(Bands),
    /// `match X { A, B -> v  "x" -> w  missing -> m  otherwise -> o }`
    Match(MatchExpr),
    /// `matrix ROW, COL { c1 c2 c3  r1: v v v  r2: v v v }`
    Matrix(Matrix),
    /// `sum(订单.金额 within 12 months where 状态 = 已完成)`, `count(订单)`: a customer's events
    /// folded into one value.
    Aggregate(Box<Aggregate>),
}

/// `FUNC(EVENTS[.FIELD] [within DURATION] [where COND])`
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub func: AggFunc,
    /// The function's name as written.
    pub func_span: Span,
    pub events: Ident,
    /// `订单.金额`: the field folded; `None` in `count(订单)`.
    pub field: Option<Ident>,
    /// `within 12 months` or `within this month`.
    pub window: Option<Window>,
    /// `where 金额 >= 1000`: names fields of the events only.
    pub filter: Option<Box<Expr>>,
}

/// Which events an aggregate looks at, by date; always up to the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    /// `within 12 months`: dated after `as_of - 12 months`.
    Last(Literal),
    /// `within this month` (`week`, `year`): dated in the as-of date's calendar month (week from
    /// Monday, year), up to the as-of date.
    This(Period, Span),
}

impl Window {
    pub fn span(&self) -> Span {
        match self {
            Window::Last(l) => l.span,
            Window::This(_, s) => *s,
        }
    }
}

/// What an aggregate computes over the events that count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    /// `sum(E.f)`: 0 without events.
    Sum,
    /// `count(E)`: how many events; 0 without events.
    Count,
    /// `distinct_days(E)`: on how many different days; 0 without events.
    DistinctDays,
    /// `distinct_months(E)`: in how many different calendar months; 0 without events.
    DistinctMonths,
    /// `min(E.f)`: missing without events.
    Min,
    /// `max(E.f)`: missing without events.
    Max,
    /// `average(E.f)`: the mean per event; missing without events.
    Average,
    /// `first(E.f)`: the field of the earliest event; missing without events.
    First,
    /// `last(E.f)`: the field of the latest event; missing without events.
    Last,
    /// `first_date(E)`: the earliest event's date.
    FirstDate,
    /// `last_date(E)`: the latest event's date.
    LastDate,
    /// `days_since_last(E)`: whole days from the latest event to the as-of date.
    DaysSinceLast,
    /// `daily_average(E.f within D)`: the sum over the window ÷ its days (a day without an
    /// event counts 0), for balance-style data (月日均).
    DailyAverage,
}

impl AggFunc {
    /// Every aggregate function with its name, as written.
    pub const ALL: &'static [(AggFunc, &'static str)] = &[
        (AggFunc::Sum, "sum"),
        (AggFunc::Count, "count"),
        (AggFunc::DistinctDays, "distinct_days"),
        (AggFunc::DistinctMonths, "distinct_months"),
        (AggFunc::Min, "min"),
        (AggFunc::Max, "max"),
        (AggFunc::Average, "average"),
        (AggFunc::First, "first"),
        (AggFunc::Last, "last"),
        (AggFunc::FirstDate, "first_date"),
        (AggFunc::LastDate, "last_date"),
        (AggFunc::DaysSinceLast, "days_since_last"),
        (AggFunc::DailyAverage, "daily_average"),
    ];

    /// The function called `name`.
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }

    /// Whether it folds a field (`sum(E.f)`) rather than the events themselves (`count(E)`).
    pub fn takes_field(self) -> bool {
        matches!(
            self,
            AggFunc::Sum
                | AggFunc::Min
                | AggFunc::Max
                | AggFunc::Average
                | AggFunc::First
                | AggFunc::Last
                | AggFunc::DailyAverage
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    And,
    Or,
    /// `??`: the left value, or the right one when the left is missing.
    Coalesce,
    Cmp(CmpOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=` (also `==`)
    Eq,
    /// `!=` (also `≠`)
    Ne,
    Lt,
    /// `<=` (also `≤`)
    Le,
    Gt,
    /// `>=` (also `≥`)
    Ge,
}

/// Clamped linear interpolation. `from`/`to` may be reversed (`from 5% to 1%`): the value at
/// `from` scores `points.0` (default 0), at `to` scores `points.1` (default 100).
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub input: Box<Expr>,
    pub from: Box<Expr>,
    pub to: Box<Expr>,
    pub points: Option<(Box<Expr>, Box<Expr>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BandOrder {
    /// Nothing declared: results must be monotonic in either direction.
    #[default]
    Unspecified,
    /// `increasing`: a higher value never gives a lower result.
    Increasing,
    /// `decreasing`: a higher value never gives a higher result.
    Decreasing,
    /// `unordered`: no monotonicity check.
    Unordered,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bands {
    pub input: Box<Expr>,
    pub order: BandOrder,
    pub arms: Vec<BandArm>,
}

/// `GUARD -> EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct BandArm {
    pub guard: BandGuard,
    pub value: Expr,
    pub span: Span,
}

// Syntax-tree nodes are few and short-lived; boxing the interval buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum BandGuard {
    /// `[a, b)`, `(a, b]`, `>= a` (hi = None), `< b` (lo = None).
    Interval {
        lo: Option<Bound>,
        hi: Option<Bound>,
    },
    Missing,
    Otherwise,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Expr,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchExpr {
    pub input: Box<Expr>,
    pub arms: Vec<MatchArm>,
}

/// `KEY[, KEY]* -> EXPR`, `missing -> EXPR`, `otherwise -> EXPR`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchArm {
    pub keys: MatchKeys,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MatchKeys {
    /// Labels, enum variants, strings or booleans.
    Values(Vec<Expr>),
    Missing,
    Otherwise,
}

/// A 2-D lookup table; `otherwise` may stand as a row or column key.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub row: Box<Expr>,
    pub col: Box<Expr>,
    pub columns: Vec<MatrixKey>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MatrixKey {
    Value(Expr),
    Otherwise(Span),
}

/// `r1: v v v`
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub key: MatrixKey,
    pub cells: Vec<Expr>,
    pub span: Span,
}

/// A literal as the author wrote it; `text` is the original spelling, kept for explanations.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LitKind,
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LitKind {
    /// A number in base units: `200万` → 2000000 (unit Plain: adopts the other side's unit),
    /// `200万元` → 2000000 Money, `92%` → 0.92 Percent, `3万㎡` → 30000 Area, `500吨` → 500 Mass.
    Number { value: Decimal, unit: Unit },
    /// `2026-06-30`
    Date(jiff::civil::Date),
    /// `48h`, `7 days`, `7天`, `2 weeks`, `3 months`, `3个月`, `1 year`, `5 workdays`
    Duration(Duration),
    /// `"文本"`
    Text(String),
    /// `yes`/`no`/`true`/`false`/`是`/`否`
    Bool(bool),
    /// `missing`
    Missing,
}
