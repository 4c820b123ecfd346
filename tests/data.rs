//! Data readers, cell parsing and writers.

use jiff::civil::date;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use tier::ast::{
    EnumVariant, Expr, ExprKind, Ident, InputField, LitKind, Literal, Scale, StrLit, TypeExpr,
    TypeKind,
};
use tier::data::{open, Cell, CellParser, InputFormat, RawRow, ReadOptions, RowSource};
use tier::source::Span;
use tier::value::{Label, Unit, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn ident(s: &str) -> Ident {
    Ident {
        name: s.into(),
        span: Span::default(),
    }
}

fn num_lit(text: &str, value: &str) -> Literal {
    Literal {
        kind: LitKind::Number {
            value: d(value),
            unit: Unit::Plain,
        },
        text: text.into(),
        span: Span::default(),
    }
}

fn field(kind: TypeKind) -> InputField {
    InputField {
        name: ident("f"),
        ty: TypeExpr {
            kind,
            span: Span::default(),
        },
        optional: false,
        range: None,
        columns: vec![],
        default: None,
        span: Span::default(),
    }
}

fn parser(kind: TypeKind) -> CellParser {
    CellParser::new(&field(kind), None)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn parse(kind: TypeKind, cell: &str) -> Result<Value, String> {
    parser(kind).parse(&text(cell))
}

fn money(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Money))
}

fn pct(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Percent))
}

fn plain(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Plain))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data")
        .join(name)
}

/// Reads a whole source: headers, rows (as text) and row errors.
fn read_all(src: Box<dyn RowSource>) -> (Vec<String>, Vec<RawRow>, Vec<tier::data::RowError>) {
    let headers = src.headers().to_vec();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for r in src {
        match r {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    (headers, rows, errors)
}

fn texts(row: &RawRow) -> Vec<String> {
    row.cells.iter().map(Cell::to_text).collect()
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

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
        parser(n()).parse(&Cell::Number(0.1)),
        plain("0.1"),
        "a float from Excel keeps its shortest text"
    );
    assert_eq!(
        parse(n(), "9x"),
        Err("expected a number like 12.5 or 1,234.5, found `9x`".into())
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
    f.range = Some((num_lit("0", "0"), num_lit("100", "100")));
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

fn customer_type() -> TypeKind {
    let v = |name: &str, syn: &[&str]| EnumVariant {
        name: ident(name),
        synonyms: syn
            .iter()
            .map(|s| StrLit {
                value: s.to_string(),
                span: Span::default(),
            })
            .collect(),
        span: Span::default(),
    };
    TypeKind::Enum(vec![
        v("加盟商", &["加盟", "加盟店"]),
        v("OEM商", &["OEM"]),
        v("普通商", &[]),
    ])
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

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

const SAMPLE_HEADERS: [&str; 4] = ["客户名称", "年度销售额", "回款率", "最近联系日期"];

fn assert_sample(src: Box<dyn RowSource>, encoding: &str) {
    assert_eq!(src.encoding(), encoding);
    let (headers, rows, errors) = read_all(src);
    assert_eq!(headers, SAMPLE_HEADERS);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 2);
    assert_eq!(texts(&rows[0]), ["华东贸易", "12.5", "92%", "2026-11-01"]);
    assert_eq!(rows[1].row, 3);
    assert_eq!(texts(&rows[1]), ["北方建材", "1,234.5", "", "2026/11/1"]);
}

fn sample_csv(delim: &str) -> String {
    let rows = [
        SAMPLE_HEADERS.join(delim),
        ["华东贸易", "12.5", "92%", "2026-11-01"].join(delim),
        ["北方建材", "\"1,234.5\"", "", "2026/11/1"].join(delim),
    ];
    rows.join("\r\n") + "\r\n"
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn csv_utf8_bom_gbk_tab_semicolon() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions::default();
    let utf8 = write_temp(&dir, "utf8.csv", sample_csv(",").as_bytes());
    assert_sample(open(&utf8, &opts).unwrap(), "UTF-8");

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(sample_csv(",").as_bytes());
    let bom = write_temp(&dir, "bom.csv", &bom);
    assert_sample(open(&bom, &opts).unwrap(), "UTF-8");

    let sample = sample_csv(",");
    let (gbk, _, _) = encoding_rs::GBK.encode(&sample);
    let gbk = write_temp(&dir, "gbk.csv", &gbk);
    assert_sample(open(&gbk, &opts).unwrap(), "gb18030");
    let forced = ReadOptions {
        encoding: Some("gbk".into()),
        ..ReadOptions::default()
    };
    assert_sample(open(&gbk, &forced).unwrap(), "GBK");

    let tab = write_temp(&dir, "tab.tsv", sample_csv("\t").as_bytes());
    assert_sample(open(&tab, &opts).unwrap(), "UTF-8");
    let semi = write_temp(&dir, "semi.csv", sample_csv(";").as_bytes());
    assert_sample(open(&semi, &opts).unwrap(), "UTF-8");

    // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in sample_csv("\t").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let utf16 = write_temp(&dir, "unicode.txt", &utf16);
    assert_sample(open(&utf16, &opts).unwrap(), "UTF-16LE");
}

#[test]
fn committed_gbk_fixture() {
    let src = open(&fixture("customers_gbk.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(src.encoding(), "gb18030");
    let (headers, rows, errors) = read_all(src);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(headers[0], "客户名称");
    assert_eq!(texts(&rows[0])[0], "华东贸易有限公司");
}

#[test]
fn csv_short_long_and_blank_rows() {
    let dir = tempfile::tempdir().unwrap();
    let body = "a,b,c\n1,2\n1,2,3,4\n,,\n1,2,3,,\n\"multi\nline\",5,6\n7,8,9\n";
    let p = write_temp(&dir, "rows.csv", body.as_bytes());
    let mut src = open(&p, &ReadOptions::default()).unwrap();
    let items: Vec<_> = src.by_ref().collect();
    assert_eq!(src.skipped_blank(), 1);
    let (rows, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(|r| r.is_ok());
    let rows: Vec<RawRow> = rows.into_iter().map(Result::unwrap).collect();
    let errors: Vec<_> = errors.into_iter().map(|e| e.unwrap_err()).collect();
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].cells, [text("1"), text("2"), Cell::Empty]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 3);
    assert_eq!(errors[0].reason, "row has 4 cells, the header has 3");
    assert_eq!(errors[0].raw.as_deref(), Some("4"));
    // A trailing empty cell is not an error.
    assert_eq!(rows[1].row, 5);
    assert_eq!(texts(&rows[1]), ["1", "2", "3"]);
    // A record spanning two lines is numbered by its first line.
    assert_eq!(rows[2].row, 6);
    assert_eq!(texts(&rows[2]), ["multi\nline", "5", "6"]);
    assert_eq!(rows[3].row, 8);
}

#[test]
fn bad_files_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions::default();
    let missing = open(&dir.path().join("nope.csv"), &opts).err().unwrap();
    assert_eq!(missing.code, "tier::data::read");
    assert!(missing.message.contains("nope.csv"), "{}", missing.message);

    let empty = write_temp(&dir, "empty.csv", b"");
    let e = open(&empty, &opts).err().unwrap();
    assert_eq!(e.code, "tier::data::read");

    let json = write_temp(&dir, "bad.json", b"[\n  {\"a\": 1},\n  {\"a\": }\n]");
    let e = open(&json, &opts).err().unwrap();
    assert_eq!(e.code, "tier::data::read");
    assert!(e.message.contains("line 3, column 9"), "{}", e.message);

    let xlsx = write_temp(&dir, "broken.xlsx", b"PK\x03\x04 not really a zip");
    let e = open(&xlsx, &opts).err().unwrap();
    assert_eq!(e.code, "tier::data::read");

    let bad_enc = ReadOptions {
        encoding: Some("klingon".into()),
        ..ReadOptions::default()
    };
    assert!(open(&dir.path().join("x.csv"), &bad_enc).is_err());
}

#[test]
fn json_and_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions::default();
    let json = r#"[
        {"客户名称": "华东贸易", "年度销售额": 12.5, "回款率": "92%"},
        {"客户名称": "北方建材", "年度销售额": 0.1, "最近联系日期": "2026-11-01", "VIP": true},
        {"客户名称": null},
        [1, 2]
    ]"#;
    let p = write_temp(&dir, "c.json", json.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &opts).unwrap());
    assert_eq!(
        headers,
        ["客户名称", "年度销售额", "回款率", "最近联系日期", "VIP"]
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 1);
    assert_eq!(rows[0].cells[1], text("12.5"));
    assert_eq!(rows[0].cells[3], Cell::Empty);
    assert_eq!(rows[1].cells[1], text("0.1"));
    assert_eq!(rows[1].cells[4], Cell::Bool(true));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 4);

    let nd = "{\"a\": 1}\n\n{\"a\": 2, \"b\": \"x\"}\nnot json\n{\"b\": 1e3}\n";
    let p = write_temp(&dir, "c.ndjson", nd.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &opts).unwrap());
    assert_eq!(headers, ["a", "b"], "keys of later lines are columns too");
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [1, 3, 5]);
    assert_eq!(rows[0].cells, [text("1"), Cell::Empty]);
    assert_eq!(rows[2].cells, [Cell::Empty, text("1000.0")]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 4);
}

#[test]
fn formats_from_extensions_and_sniffing() {
    assert_eq!(
        InputFormat::from_path(Path::new("a.CSV")),
        Some(InputFormat::Csv)
    );
    assert_eq!(
        InputFormat::from_path(Path::new("a.tsv")),
        Some(InputFormat::Csv)
    );
    assert_eq!(
        InputFormat::from_path(Path::new("a.xlsx")),
        Some(InputFormat::Xlsx)
    );
    assert_eq!(
        InputFormat::from_path(Path::new("a.jsonl")),
        Some(InputFormat::Ndjson)
    );
    assert_eq!(InputFormat::from_path(Path::new("a")), None);
    assert_eq!(InputFormat::sniff(b"  [{\"a\":1}]"), InputFormat::Json);
    assert_eq!(
        InputFormat::sniff(b"\xEF\xBB\xBF{\"a\":1}"),
        InputFormat::Ndjson
    );
    assert_eq!(InputFormat::sniff("客户,金额".as_bytes()), InputFormat::Csv);
    // A file without a known extension is sniffed too.
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "export.dat", b"[{\"a\": 1}]");
    let (headers, rows, _) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["a"]);
    assert_eq!(rows.len(), 1);
}
