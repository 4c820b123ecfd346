//! The shortcut for common cells against the general parsers.

use super::*;
use crate::ast::{Ident, TypeExpr};
use crate::source::Span;
use rust_decimal::Decimal;
use std::str::FromStr;

fn field(kind: TypeKind, optional: bool, range: Option<(&str, &str)>) -> InputField {
    let lit = |t: &str| Literal {
        kind: LitKind::Number {
            value: Decimal::from_str(t).unwrap(),
            unit: Unit::Plain,
        },
        text: t.into(),
        span: Span::default(),
    };
    InputField {
        name: Ident {
            name: "f".into(),
            span: Span::default(),
        },
        ty: TypeExpr {
            kind,
            span: Span::default(),
        },
        optional,
        range: range.map(|(a, b)| crate::ast::InputRange {
            lo: Some(lit(a)),
            hi: Some(lit(b)),
            span: Span::default(),
        }),
        columns: vec![],
        default: None,
        span: Span::default(),
    }
}

/// Every numeric and date kind, required and optional, with and without a range.
fn parsers() -> Vec<CellParser> {
    let kinds = [
        TypeKind::Number,
        TypeKind::Integer,
        TypeKind::Money(Scale::One),
        TypeKind::Money(Scale::Wan),
        TypeKind::Money(Scale::Yi),
        TypeKind::Percent { fraction: false },
        TypeKind::Percent { fraction: true },
        TypeKind::Quantity {
            unit: Unit::Mass,
            scale: Scale::One,
        },
        TypeKind::Quantity {
            unit: Unit::Area,
            scale: Scale::Wan,
        },
        TypeKind::Date,
        TypeKind::Text,
    ];
    let mut out = Vec::new();
    for kind in kinds {
        for optional in [false, true] {
            out.push(CellParser::new(&field(kind.clone(), optional, None), None));
        }
        out.push(CellParser::new(
            &field(kind.clone(), false, Some(("0", "100"))),
            None,
        ));
        out.push(CellParser::new(
            &field(kind, false, Some(("-0.5", "0.5"))),
            None,
        ));
    }
    out
}

/// Cells to try: the edge cases by hand, every short string over the characters of plain
/// numbers and dates, and pseudo-random longer ones.
fn cells() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        " ",
        "-",
        "--",
        "+",
        ".",
        "%",
        "-0",
        "+0",
        "-0.0",
        "0",
        "+1",
        "-1",
        ".5",
        "5.",
        "-.5",
        "+.5",
        "-5.",
        "1e3",
        "1E3",
        "1.5e3",
        "00012",
        "0.50",
        "12.30%",
        "-12.30%",
        "+12.30%",
        "12.3.4",
        "12%%",
        "%12",
        "1%2",
        "-+5",
        "+-5",
        "--5",
        "(5)",
        "12 ",
        " 12",
        " 12 ",
        "12\t",
        "１２",
        "１２．５％",
        "1,234.5",
        "1,234",
        "12,5",
        "12万",
        "12.5万元",
        "¥3,500",
        "￥3500",
        "50w",
        "3k",
        "500吨",
        "3万㎡",
        "N/A",
        "NA",
        "null",
        "nan",
        "—",
        "9x",
        "l00",
        "12.5O",
        "123456789012345678",
        "-123456789012345678",
        "1234567890123456789",
        "12345678901234567.8",
        "1234567890123456789.5",
        "99999999999999999999999999999",
        "0.000000000000000001",
        ".000000000000000001",
        "0.0000000000000000001",
        "92",
        "92%",
        "0.92",
        "100",
        "100.0",
        "100.00001",
        "-0.5",
        "0.5",
        "0.50000000",
        "2026-11-01",
        "2026-2-3",
        "2026/02/03",
        "2026.02.03",
        "20260203",
        "2026-02-29",
        "2028-02-29",
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "0000-01-01",
        "9999-12-31",
        "2026-11-01 14:30",
        "2026年11月1日",
        "46327",
        "45658.5",
        "60",
        "0",
        "2026-1１-01",
        "２０２６-11-01",
        "2026-11-0a",
        "2026_11_01",
        "2026-11-011",
        "226-11-01",
        "-2026-11-01",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet = ["0", "1", "9", ".", "-", "+", "%", "e", " ", ","];
    let mut short = vec![String::new()];
    for _ in 0..3 {
        short = short
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        out.extend(short.iter().cloned());
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let chars = b"0123456789012345678901234567890123456789.-+%-";
    for _ in 0..3_000 {
        let len = 1 + (next() % 24) as usize;
        let s: String = (0..len)
            .map(|_| chars[(next() % chars.len() as u64) as usize] as char)
            .collect();
        out.push(s);
    }
    for _ in 0..1_000 {
        let (y, m, d) = (next() % 10_000, next() % 14, next() % 33);
        out.push(format!("{y:04}-{m:02}-{d:02}"));
    }
    out
}

#[test]
fn common_cells_parse_as_the_general_parser_does() {
    let parsers = parsers();
    let mut fast = 0;
    for s in cells() {
        let cell = Cell::Text(s.clone());
        for p in &parsers {
            if p.parse_common(&cell).is_some() {
                fast += 1;
            }
            assert_eq!(
                p.parse(&cell),
                p.parse_general(&cell),
                "{s:?} as {:?}",
                p.kind
            );
            // The same decimal, not merely an equal one: `-0` stays `-0`, `0.50` keeps its
            // scale.
            if let (Ok(Value::Number(a, _)), Ok(Value::Number(b, _))) =
                (p.parse(&cell), p.parse_general(&cell))
            {
                assert_eq!(a.serialize(), b.serialize(), "{s:?} as {:?}", p.kind);
            }
        }
    }
    assert!(fast > 20_000, "the shortcut is taken ({fast})");
}

#[test]
fn the_shortcut_takes_plain_numbers_and_iso_dates() {
    let number = CellParser::new(&field(TypeKind::Number, false, None), None);
    let date = CellParser::new(&field(TypeKind::Date, false, None), None);
    let text = |s: &str| Cell::Text(s.into());
    for s in [
        "-0",
        "+1",
        ".5",
        "5.",
        "00012",
        "12.30%",
        "123456789012345678",
    ] {
        assert!(number.parse_common(&text(s)).is_some(), "{s}");
    }
    for s in [
        "1e3",
        " 12",
        "１２",
        "1,234.5",
        "12万",
        "-",
        "N/A",
        "1234567890123456789",
    ] {
        assert!(number.parse_common(&text(s)).is_none(), "{s}");
    }
    assert!(date.parse_common(&text("2026-02-03")).is_some());
    for s in [
        "2026-2-3",
        "2026/02/03",
        "20260203",
        "46327",
        "2026-02-30",
        "2026-13-01",
    ] {
        assert!(date.parse_common(&text(s)).is_none(), "{s}");
    }
}
