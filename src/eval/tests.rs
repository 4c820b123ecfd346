//! Semantics tests on hand-built syntax trees (independent of the parser).

use super::*;
use crate::ast::*;
use crate::value::{Duration, Unit};
use jiff::civil::date;
use rust_decimal::Decimal;
use std::str::FromStr;

pub(super) fn sp() -> Span {
    Span::default()
}

pub(super) fn id(n: &str) -> Ident {
    Ident {
        name: n.into(),
        span: sp(),
    }
}

pub(super) fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(super) fn lit(kind: LitKind) -> Literal {
    Literal {
        kind,
        text: String::new(),
        span: sp(),
    }
}

pub(super) fn num(s: &str) -> Expr {
    e(ExprKind::Lit(lit(LitKind::Number {
        value: d(s),
        unit: Unit::Plain,
    })))
}

pub(super) fn pct(s: &str) -> Expr {
    e(ExprKind::Lit(lit(LitKind::Number {
        value: d(s) / Decimal::ONE_HUNDRED,
        unit: Unit::Percent,
    })))
}

pub(super) fn pct_lit(s: &str) -> Literal {
    lit(LitKind::Number {
        value: d(s) / Decimal::ONE_HUNDRED,
        unit: Unit::Percent,
    })
}

pub(super) fn wan(s: &str) -> Expr {
    num(&(d(s) * Decimal::from(10_000)).to_string())
}

pub(super) fn name(n: &str) -> Expr {
    e(ExprKind::Name(id(n)))
}

pub(super) fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)))
}

pub(super) fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    bin(BinOp::Cmp(op), a, b)
}

pub(super) fn field(n: &str, kind: TypeKind, optional: bool, default: Option<Expr>) -> InputField {
    InputField {
        name: id(n),
        ty: TypeExpr { kind, span: sp() },
        optional,
        range: None,
        columns: vec![],
        default,
        span: sp(),
    }
}

pub(super) fn linear(x: Expr, from: Expr, to: Expr) -> Expr {
    e(ExprKind::Linear(Linear {
        input: Box::new(x),
        from: Box::new(from),
        to: Box::new(to),
        points: None,
    }))
}

pub(super) fn comp(n: &str, w: &str, expr: Expr, on_missing: Option<Expr>) -> Component {
    Component {
        name: id(n),
        weight: Some(pct_lit(w)),
        expr,
        on_missing,
        span: sp(),
    }
}

pub(super) fn tarm(l: &str, test: ThresholdTest) -> ThresholdArm {
    ThresholdArm {
        label: id(l),
        test,
        attrs: Attrs::default(),
        span: sp(),
    }
}

pub(super) fn ruleset(items: Vec<Item>) -> Ruleset {
    Ruleset {
        name: StrLit {
            value: "t".into(),
            span: sp(),
        },
        version: None,
        description: None,
        items,
        span: sp(),
    }
}

/// The S1 composite example of the brief.
pub(super) fn s1() -> Ruleset {
    let inputs = InputBlock {
        fields: vec![
            field("销售额", TypeKind::Money(Scale::Wan), false, None),
            field(
                "上年销售额",
                TypeKind::Money(Scale::Wan),
                false,
                Some(num("0")),
            ),
            field("回款率", TypeKind::Percent { fraction: false }, false, None),
            field("退货率", TypeKind::Percent { fraction: false }, false, None),
            field("经理评分", TypeKind::Number, false, None),
            field("最近联系", TypeKind::Date, true, None),
        ],
        span: sp(),
    };
    let growth = e(ExprKind::If {
        cond: Box::new(cmp(CmpOp::Gt, name("上年销售额"), num("0"))),
        then: Box::new(bin(
            BinOp::Div,
            bin(BinOp::Sub, name("销售额"), name("上年销售额")),
            name("上年销售额"),
        )),
        otherwise: Box::new(e(ExprKind::Lit(lit(LitKind::Missing)))),
    });
    let sc = Scorecard {
        name: id("综合得分"),
        round: None,
        components: vec![
            comp(
                "销售额",
                "30",
                linear(name("销售额"), wan("10"), wan("210")),
                None,
            ),
            comp(
                "增长率",
                "30",
                linear(name("增长率"), pct("0"), pct("25")),
                Some(num("0")),
            ),
            comp(
                "回款率",
                "20",
                linear(name("回款率"), pct("90"), pct("100")),
                None,
            ),
            comp(
                "退货率",
                "10",
                linear(name("退货率"), pct("5"), pct("1")),
                None,
            ),
            comp("经理评分", "10", name("经理评分"), None),
        ],
        span: sp(),
    };
    let grade = GradeDecl {
        name: id("等级"),
        scale: None,
        body: GradeBody::Thresholds {
            input: name("综合得分"),
            arms: vec![
                tarm("A", ThresholdTest::Cmp(CmpOp::Ge, num("80"))),
                tarm("B", ThresholdTest::Cmp(CmpOp::Ge, num("60"))),
                tarm("C", ThresholdTest::Cmp(CmpOp::Ge, num("40"))),
                tarm("D", ThresholdTest::Otherwise),
            ],
        },
        span: sp(),
    };
    let every = |n: i32| {
        Cadence::Every(lit(LitKind::Duration(Duration {
            days: n,
            ..Duration::default()
        })))
    };
    let sched = ScheduleDecl {
        kind: ScheduleKind::FollowUp,
        name: None,
        grade: id("等级"),
        from: name("最近联系"),
        arms: [("A", 3), ("B", 7), ("C", 30), ("D", 90)]
            .into_iter()
            .map(|(l, n)| ScheduleArm {
                label: Some(id(l)),
                tag: None,
                when: None,
                cadence: every(n),
                reassign_after: None,
                span: sp(),
            })
            .collect(),
        span: sp(),
    };
    ruleset(vec![
        Item::Input(inputs),
        // Declared before use on purpose: evaluation order is by dependency.
        Item::Scorecard(sc),
        Item::Let(LetDecl {
            name: id("增长率"),
            value: growth,
            span: sp(),
        }),
        Item::Grade(grade),
        Item::Schedule(sched),
    ])
}

fn money(s: &str) -> Value {
    Value::Number(d(s), Unit::Money)
}

fn percent(s: &str) -> Value {
    Value::Number(d(s), Unit::Percent)
}

#[test]
fn s1_composite_scores_70_5_and_grades_b() {
    let src = SourceFile::new("s1.tier", "");
    let prog = Program::compile(&s1(), &src).expect("compiles");
    let record = vec![
        money("2000000"),
        money("1600000"),
        percent("0.92"),
        percent("0.06"),
        Value::Number(d("80"), Unit::Plain),
        Value::Date(date(2026, 11, 20)),
    ];
    let o = prog
        .evaluate(&record, &[], date(2026, 11, 23))
        .expect("grades");
    assert_eq!(o.score, Some(Value::Number(d("70.5"), Unit::Plain)));
    let g = o.grade.as_ref().unwrap();
    assert_eq!(g.label.as_deref(), Some("B"));
    let points: Vec<Decimal> = o.components.iter().map(|c| c.points).collect();
    assert_eq!(points, vec![d("95"), d("100"), d("20"), d("0"), d("80")]);
    let weighted: Vec<Decimal> = o.components.iter().map(|c| c.weighted).collect();
    assert_eq!(weighted, vec![d("28.5"), d("30"), d("4"), d("0"), d("8")]);
    let f = o.follow_up.as_ref().unwrap();
    assert_eq!(f.next_due, Some(date(2026, 11, 27)));
    assert!(!f.overdue);
    assert_eq!(
        o.value("增长率"),
        Some(&Value::Number(d("0.25"), Unit::Plain))
    );
}

#[test]
fn s1_missing_required_percent_is_rejected_naming_the_field() {
    let src = SourceFile::new("s1.tier", "");
    let prog = Program::compile(&s1(), &src).unwrap();
    let record = vec![
        money("2000000"),
        money("0"),
        Value::Missing,
        percent("0.06"),
        Value::Number(d("80"), Unit::Plain),
        Value::Missing,
    ];
    let err = prog.evaluate(&record, &[], date(2026, 11, 23)).unwrap_err();
    assert_eq!(err.diagnostic.code, Code::EvalMissing);
    assert_eq!(err.field.as_deref(), Some("回款率"));
    assert!(
        err.diagnostic.message.contains("回款率 is missing"),
        "{}",
        err.diagnostic.message
    );
}

#[test]
fn s1_growth_missing_scores_zero_and_never_contacted_is_due_now() {
    let src = SourceFile::new("s1.tier", "");
    let prog = Program::compile(&s1(), &src).unwrap();
    let record = vec![
        money("2000000"),
        money("0"),
        percent("0.92"),
        percent("0.06"),
        Value::Number(d("80"), Unit::Plain),
        Value::Missing,
    ];
    let o = prog.evaluate(&record, &[], date(2026, 11, 23)).unwrap();
    assert_eq!(o.score, Some(Value::Number(d("40.5"), Unit::Plain)));
    assert_eq!(o.grade.unwrap().label.as_deref(), Some("C"));
    let f = o.follow_up.unwrap();
    assert_eq!(f.next_due, Some(date(2026, 11, 23)));
    assert!(!f.overdue && !f.reassign);
}

#[test]
fn let_cycle_is_reported_by_the_checker_before_compiling() {
    let src = SourceFile::new("c.tier", "");
    let rs = ruleset(vec![
        Item::Let(LetDecl {
            name: id("a"),
            value: bin(BinOp::Add, name("b"), num("1")),
            span: sp(),
        }),
        Item::Let(LetDecl {
            name: id("b"),
            value: bin(BinOp::Add, name("a"), num("1")),
            span: sp(),
        }),
    ]);
    let errs = Program::compile(&rs, &src).unwrap_err();
    let cycle = errs
        .iter()
        .find(|d| d.code == Code::LetCycle)
        .expect("a cycle error");
    assert!(cycle.message.contains("a → b → a"), "{}", cycle.message);
}

#[test]
fn program_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Program>();
    check::<EvalError>();
}
