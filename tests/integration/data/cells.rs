//! Typed parsing of cells: the cell table of `docs/LANGUAGE.md`.

use super::*;
use tier::ast::InputRange;

#[test]
fn numbers_as_users_write_them() {
    let n = || TypeKind::Number;
    assert_eq!(parse(n(), "12.5"), plain("12.5"));
    assert_eq!(parse(n(), " 1,234.5 "), plain("1234.5"));
    assert_eq!(parse(n(), "１２．５"), plain("12.5"));
    assert_eq!(parse(n(), "１，２３４"), plain("1234"));
    assert_eq!(parse(n(), "12.5万"), plain("125000"));
    assert_eq!(parse(n(), "1.2亿"), plain("120000000"));
    assert_eq!(parse(n(), "-3"), plain("-3"));
    assert_eq!(
        parse(n(), "(1,234.5)"),
        plain("-1234.5"),
        "accounting negative"
    );
    assert_eq!(parse(n(), "12%"), plain("0.12"));
    assert_eq!(parse(n(), "1.5e3"), plain("1500"));
    assert_eq!(
        parser(n()).parse(&Cell::Number(0.1)),
        plain("0.1"),
        "a float from Excel keeps its shortest text"
    );
    assert_eq!(
        parse(n(), "9x"),
        Err("expected a number like 12.5 or 1,234.5, found `9x`".into())
    );
    assert_eq!(
        parse(TypeKind::Money(Scale::Wan), "12.5O"),
        Err("expected an amount in 万 like 12.5 (or with its own unit: 12.5万, 3500元), found `12.5O` (a letter for a digit? `12.50` would be a number)".into())
    );
    assert_eq!(
        parse(n(), "12,5"),
        Err("expected a number like 12.5 or 1,234.5, found `12,5`".into())
    );
}

#[test]
fn integers_are_whole() {
    assert_eq!(parse(TypeKind::Integer, "3"), plain("3"));
    assert_eq!(parse(TypeKind::Integer, "3.0"), plain("3"));
    assert_eq!(parse(TypeKind::Integer, "1.2万"), plain("12000"));
    assert_eq!(
        parse(TypeKind::Integer, "3.5"),
        Err("expected a whole number, found `3.5`".into())
    );
    assert_eq!(
        parser(TypeKind::Integer).parse(&Cell::Number(3.5)),
        Err("expected a whole number, found `3.5`".into())
    );
}

#[test]
fn money_in_its_scale_or_the_cells_own() {
    let yuan = || TypeKind::Money(Scale::One);
    let wan = || TypeKind::Money(Scale::Wan);
    let yi = || TypeKind::Money(Scale::Yi);
    assert_eq!(parse(yuan(), "12.5万"), money("125000"));
    assert_eq!(parse(yuan(), "3500"), money("3500"));
    assert_eq!(parse(yuan(), "¥3,500"), money("3500"));
    assert_eq!(parse(yuan(), "￥３，５００"), money("3500"));
    assert_eq!(parse(yuan(), "3500元"), money("3500"));
    assert_eq!(parse(yuan(), "1.2亿"), money("120000000"));
    assert_eq!(parse(yuan(), "12.5万元"), money("125000"));
    assert_eq!(parse(wan(), "12.5"), money("125000"));
    assert_eq!(parse(wan(), " 12.5 "), money("125000"));
    assert_eq!(parse(wan(), "12.5万"), money("125000"));
    assert_eq!(parse(wan(), "3500元"), money("3500"));
    assert_eq!(parse(wan(), "1.2亿"), money("120000000"));
    assert_eq!(parser(wan()).parse(&Cell::Number(12.5)), money("125000"));
    assert_eq!(parse(yi(), "1.2"), money("120000000"));
    assert_eq!(
        parse(wan(), "12%"),
        Err("expected an amount in 万 like 12.5 (or with its own unit: 12.5万, 3500元), found `12%`".into())
    );
}

#[test]
fn percentages() {
    let p = || TypeKind::Percent { fraction: false };
    let f = || TypeKind::Percent { fraction: true };
    assert_eq!(parse(p(), "92%"), pct("0.92"));
    assert_eq!(parse(p(), "92"), pct("0.92"));
    assert_eq!(parse(p(), "１２．５％"), pct("0.125"));
    assert_eq!(parse(p(), "0.5%"), pct("0.005"));
    assert_eq!(parse(f(), "0.92"), pct("0.92"));
    assert_eq!(parse(f(), "92%"), pct("0.92"));
    assert_eq!(
        parse(p(), "9x%"),
        Err("expected a percentage like 92% or 92, found `9x%`".into())
    );
    assert_eq!(
        parse(f(), "9x%"),
        Err("expected a percentage like 92% or 0.92, found `9x%`".into())
    );
}

#[test]
fn quantities() {
    let t = || TypeKind::Quantity {
        unit: Unit::Mass,
        scale: Scale::One,
    };
    let wan_sqm = || TypeKind::Quantity {
        unit: Unit::Area,
        scale: Scale::Wan,
    };
    assert_eq!(parse(t(), "500"), Ok(Value::Number(d("500"), Unit::Mass)));
    assert_eq!(parse(t(), "500吨"), Ok(Value::Number(d("500"), Unit::Mass)));
    assert_eq!(
        parse(wan_sqm(), "3"),
        Ok(Value::Number(d("30000"), Unit::Area))
    );
    assert_eq!(
        parse(wan_sqm(), "3万㎡"),
        Ok(Value::Number(d("30000"), Unit::Area))
    );
    assert_eq!(
        parse(wan_sqm(), "1500㎡"),
        Ok(Value::Number(d("1500"), Unit::Area))
    );
    assert!(parse(t(), "500㎡").is_err());
}

#[test]
fn ranges_are_inclusive() {
    let mut f = field(TypeKind::Number);
    f.range = Some(range(Some(num_lit("0", "0")), Some(num_lit("100", "100"))));
    let p = CellParser::new(&f, None);
    assert_eq!(p.parse(&text("0")), plain("0"));
    assert_eq!(p.parse(&text("100")), plain("100"));
    assert_eq!(
        p.parse(&text("101")),
        Err("101 is outside the allowed range 0..100".into())
    );
    assert_eq!(
        p.parse(&Cell::Number(-0.5)),
        Err("-0.5 is outside the allowed range 0..100".into())
    );
}

fn range(lo: Option<Literal>, hi: Option<Literal>) -> InputRange {
    InputRange {
        lo,
        hi,
        span: tier::source::Span::default(),
    }
}

#[test]
fn open_ranges_check_only_the_written_end() {
    let mut f = field(TypeKind::Number);
    f.range = Some(range(Some(num_lit("0", "0")), None));
    let p = CellParser::new(&f, None);
    assert_eq!(p.parse(&text("0")), plain("0"));
    assert_eq!(p.parse(&text("100000000000")), plain("100000000000"));
    assert_eq!(
        p.parse(&text("-1")),
        Err("-1 is outside the allowed range 0..".into())
    );
    f.range = Some(range(None, Some(num_lit("100", "100"))));
    let p = CellParser::new(&f, None);
    assert_eq!(p.parse(&text("-5000")), plain("-5000"));
    assert_eq!(
        p.parse(&text("100.5")),
        Err("100.5 is outside the allowed range ..100".into())
    );
}

#[test]
fn dates() {
    let p = parser(TypeKind::Date);
    let nov1 = Ok(Value::Date(date(2026, 11, 1)));
    for s in [
        "2026-11-01",
        "2026/11/1",
        "2026.11.1",
        "2026年11月1日",
        "２０２６年１１月１日",
        "20261101",
        "2026-11-01 14:30",
        "2026-11-01 14:30:00",
    ] {
        assert_eq!(p.parse(&text(s)), nov1, "{s}");
    }
    assert_eq!(
        p.parse(&Cell::Number(45658.0)),
        Ok(Value::Date(date(2025, 1, 1)))
    );
    assert_eq!(p.parse(&Cell::Date(date(2026, 11, 1))), nov1);
    assert_eq!(
        p.parse(&Cell::Number(20261101.0)),
        nov1,
        "YYYYMMDD typed as a number"
    );
    assert_eq!(p.parse(&Cell::Number(46327.0)), nov1);
    assert_eq!(
        p.parse(&text("46327")),
        nov1,
        "an unformatted serial exported to CSV"
    );
    assert_eq!(
        p.parse(&text("2026/2/30")),
        Err("2026-2-30 is not a valid date: day 30 does not exist in that month".into())
    );
    assert!(p.parse(&text("2026-02-30")).is_err());
    assert!(
        p.parse(&Cell::Number(60.0)).is_err(),
        "1900-02-29 does not exist"
    );
    assert!(p.parse(&text("next week")).is_err());
}

#[test]
fn booleans() {
    let p = parser(TypeKind::Bool);
    for s in [
        "是",
        "yes",
        "YES",
        "true",
        "True",
        "y",
        "1",
        "√",
        "有",
        "T",
        "ｙｅｓ",
    ] {
        assert_eq!(p.parse(&text(s)), Ok(Value::Bool(true)), "{s}");
    }
    for s in ["否", "no", "FALSE", "n", "0", "×", "无", "f"] {
        assert_eq!(p.parse(&text(s)), Ok(Value::Bool(false)), "{s}");
    }
    assert_eq!(p.parse(&Cell::Bool(true)), Ok(Value::Bool(true)));
    assert_eq!(p.parse(&Cell::Number(0.0)), Ok(Value::Bool(false)));
    assert!(p.parse(&text("maybe")).is_err());
}

#[test]
fn enums_with_synonyms() {
    let p = parser(customer_type());
    let label = |name: &str, rank| {
        Ok(Value::Label(Label {
            name: Arc::from(name),
            rank,
        }))
    };
    assert_eq!(p.parse(&text("加盟商")), label("加盟商", 0));
    assert_eq!(p.parse(&text(" 加盟店 ")), label("加盟商", 0));
    assert_eq!(p.parse(&text("oem")), label("OEM商", 1));
    assert_eq!(p.parse(&text("ＯＥＭ")), label("OEM商", 1));
    assert_eq!(p.parse(&text("oem商")), label("OEM商", 1));
    assert_eq!(p.parse(&text("普通商")), label("普通商", 2));
    assert_eq!(
        p.parse(&text("普通")),
        Err(
            "expected one of 加盟商 (加盟, 加盟店), OEM商 (OEM), 普通商, found `普通`; did you mean `普通商`?"
                .into()
        )
    );
}

#[test]
fn grades_of_a_scale() {
    let labels: Vec<Arc<str>> = ["正常", "关注", "次级"]
        .iter()
        .map(|s| Arc::from(*s))
        .collect();
    let p = CellParser::new(&field(TypeKind::Grade(ident("风险分类"))), Some(&labels));
    assert_eq!(
        p.parse(&text("关注")),
        Ok(Value::Label(Label {
            name: Arc::from("关注"),
            rank: 1
        }))
    );
    let err = p.parse(&text("损失")).unwrap_err();
    assert!(
        err.starts_with("expected a grade of 正常, 关注, 次级, found `损失`"),
        "{err}"
    );
}

#[test]
fn text_is_trimmed() {
    assert_eq!(
        parse(TypeKind::Text, "  华东区 "),
        Ok(Value::Text(Arc::from("华东区")))
    );
    assert_eq!(
        parser(TypeKind::Text).parse(&Cell::Number(13800138000.0)),
        Ok(Value::Text(Arc::from("13800138000")))
    );
}

#[test]
fn empty_cells_required_optional_default() {
    let required = parser(TypeKind::Number);
    for c in [
        Cell::Empty,
        text(""),
        text("   "),
        text("-"),
        text("—"),
        text("N/A"),
        text("#N/A"),
        text("null"),
        text("NULL"),
    ] {
        assert_eq!(
            required.parse(&c),
            Err("required value is empty".into()),
            "{c:?}"
        );
    }
    let mut f = field(TypeKind::Date);
    f.optional = true;
    assert_eq!(
        CellParser::new(&f, None).parse(&text("")),
        Ok(Value::Missing)
    );
    assert_eq!(
        CellParser::new(&f, None).parse(&text("-")),
        Ok(Value::Missing)
    );

    let mut f = field(TypeKind::Money(Scale::Wan));
    f.default = Some(Expr {
        kind: ExprKind::Lit(num_lit("0", "0")),
        span: Span::default(),
    });
    let p = CellParser::new(&f, None);
    assert_eq!(p.parse(&Cell::Empty), money("0"));
    assert_eq!(p.parse(&text("12.5")), money("125000"));

    let mut f = field(customer_type());
    f.default = Some(Expr {
        kind: ExprKind::Name(ident("普通商")),
        span: Span::default(),
    });
    assert_eq!(
        CellParser::new(&f, None).parse(&Cell::Empty),
        Ok(Value::Label(Label {
            name: Arc::from("普通商"),
            rank: 2
        }))
    );
}

/// Garbage in, reasons out: no type panics on any mix of the characters cells are made of.
#[test]
fn no_panic_on_garbage() {
    let alphabet: Vec<char> = "0123456789.,-+eE%¥￥万亿千元吨㎡wk年月日号/: T()（）１２．％，—NnAaUuLl#是否√×\u{3000} \t\n\"'"
        .chars()
        .collect();
    let kinds = [
        TypeKind::Number,
        TypeKind::Integer,
        TypeKind::Money(Scale::One),
        TypeKind::Money(Scale::Wan),
        TypeKind::Money(Scale::Yi),
        TypeKind::Percent { fraction: false },
        TypeKind::Percent { fraction: true },
        TypeKind::Quantity {
            unit: Unit::Area,
            scale: Scale::Wan,
        },
        TypeKind::Date,
        TypeKind::Text,
        TypeKind::Bool,
        customer_type(),
    ];
    let parsers: Vec<CellParser> = kinds.into_iter().map(parser).collect();
    // A fixed xorshift sequence: the test is deterministic.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5_000 {
        let len = (next() % 12) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        for p in &parsers {
            let _ = p.parse(&Cell::Text(s.clone()));
        }
    }
    for f in [
        f64::NAN,
        f64::INFINITY,
        -1e300,
        1e300,
        -0.0,
        5e-324,
        2958466.0,
        60.5,
    ] {
        for p in &parsers {
            let _ = p.parse(&Cell::Number(f));
        }
    }
    for s in [
        "99999999999999999999999999999999",
        "1e28",
        "1e-28",
        "0.0000000000000000000000000001%",
        "79228162514264337593543950335亿",
        "9999-12-31",
        "99999999",
        "2958465",
        "-1",
    ] {
        for p in &parsers {
            let _ = p.parse(&Cell::Text(s.into()));
        }
    }
}
