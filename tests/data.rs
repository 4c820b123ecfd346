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
fn committed_fixtures_gbk_equals_utf8() {
    let src = open(&fixture("customers_gbk.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(src.encoding(), "gb18030");
    let (headers, rows, errors) = read_all(src);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(headers[0], "客户名称");
    assert_eq!(texts(&rows[0])[0], "华东贸易有限公司");
    let (utf8_headers, utf8_rows, _) =
        read_all(open(&fixture("customers.csv"), &ReadOptions::default()).unwrap());
    assert_eq!(headers, utf8_headers);
    assert_eq!(rows, utf8_rows);
}

#[test]
fn columns_are_found_by_any_name() {
    use tier::data::find_column;
    let headers: Vec<String> = ["客户名称", "销售额（万元）", "Email "]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        find_column(&headers, &["年度销售额", "销售额(万元)"]),
        Some(1)
    );
    assert_eq!(find_column(&headers, &["email"]), Some(2));
    assert_eq!(find_column(&headers, &["客户名称"]), Some(0));
    assert_eq!(find_column(&headers, &["回款率"]), None);
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

#[test]
fn xlsx_input_with_dates_percent_and_a_title_gap() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("客户.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("客户清单").unwrap();
    let pct_fmt = Format::new().set_num_format("0%");
    let day = Format::new().set_num_format("yyyy/m/d");
    // Row 1 is left empty: the header is the first non-empty row (Excel row 2).
    for (i, h) in [
        "客户名称",
        "年度销售额",
        "回款率",
        "最近联系日期",
        "是否新客",
        "编号",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, i as u16, *h).unwrap();
    }
    sheet.write_string(2, 0, "华东贸易").unwrap();
    sheet.write_number(2, 1, 12.5).unwrap();
    sheet
        .write_number_with_format(2, 2, 0.92, &pct_fmt)
        .unwrap();
    let date_cell = ExcelDateTime::from_ymd(2026, 11, 1).unwrap();
    sheet
        .write_date_with_format(2, 3, &date_cell, &day)
        .unwrap();
    sheet.write_boolean(2, 4, true).unwrap();
    sheet.write_string(2, 5, "007").unwrap();
    // Row 4 empty (skipped), row 5 a second customer with a plain serial number as date.
    sheet.write_string(4, 0, "北方建材").unwrap();
    sheet.write_number(4, 1, 0.1).unwrap();
    sheet.write_number(4, 3, 45658.0).unwrap();
    // A second sheet, chosen by name.
    let other = book.add_worksheet();
    other.set_name("汇总").unwrap();
    other.write_string(0, 0, "合计").unwrap();
    book.save(&path).unwrap();

    let mut src = open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(src.encoding(), "xlsx");
    assert_eq!(
        src.headers(),
        [
            "客户名称",
            "年度销售额",
            "回款率",
            "最近联系日期",
            "是否新客",
            "编号"
        ]
    );
    let rows: Vec<RawRow> = src.by_ref().map(Result::unwrap).collect();
    assert_eq!(src.skipped_blank(), 1);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 3);
    assert_eq!(rows[0].cells[0], text("华东贸易"));
    assert_eq!(rows[0].cells[1], Cell::Number(12.5));
    assert_eq!(rows[0].cells[2], text("92%"), "a percent-formatted number");
    assert_eq!(rows[0].cells[3], Cell::Date(date(2026, 11, 1)));
    assert_eq!(rows[0].cells[4], Cell::Bool(true));
    assert_eq!(rows[0].cells[5], text("007"));
    assert_eq!(rows[1].row, 5);
    assert_eq!(rows[1].cells[2], Cell::Empty);

    let p = parser(TypeKind::Percent { fraction: false });
    assert_eq!(p.parse(&rows[0].cells[2]), pct("0.92"));
    let p = parser(TypeKind::Percent { fraction: true });
    assert_eq!(p.parse(&rows[0].cells[2]), pct("0.92"));
    let m = parser(TypeKind::Money(Scale::Wan));
    assert_eq!(m.parse(&rows[0].cells[1]), money("125000"));
    assert_eq!(m.parse(&rows[1].cells[1]), money("1000"));
    let dp = parser(TypeKind::Date);
    assert_eq!(
        dp.parse(&rows[1].cells[3]),
        Ok(Value::Date(date(2025, 1, 1)))
    );
    assert_eq!(
        parser(TypeKind::Bool).parse(&rows[0].cells[4]),
        Ok(Value::Bool(true))
    );

    let by_name = ReadOptions {
        sheet: Some("汇总".into()),
        ..ReadOptions::default()
    };
    assert_eq!(open(&path, &by_name).unwrap().headers(), ["合计"]);
    let by_index = ReadOptions {
        sheet: Some("2".into()),
        ..ReadOptions::default()
    };
    assert_eq!(open(&path, &by_index).unwrap().headers(), ["合计"]);
    let unknown = ReadOptions {
        sheet: Some("客户清淡".into()),
        ..ReadOptions::default()
    };
    let e = open(&path, &unknown).err().unwrap();
    assert_eq!(e.code, "tier::data::read");
    assert_eq!(e.help.as_deref(), Some("did you mean `客户清单`?"));
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

use tier::data::{create_sink, write_rejects, OutputColumns, OutputFormat, RowError, WriteOptions};
use tier::outcome::{ComponentOutcome, GradeOutcome, Outcome, ScheduleOutcome, TagOutcome};

fn columns() -> OutputColumns {
    OutputColumns {
        keep: vec![
            "客户名称".into(),
            "年度销售额".into(),
            "最近联系日期".into(),
        ],
        components: vec!["销售额".into(), "回款率".into()],
        subgrade: false,
        score: true,
        follow_up: true,
        review: false,
        grade_name: "等级".into(),
    }
}

fn outcome(label: &str, score: &str, overdue: bool) -> Outcome {
    Outcome {
        grade: Some(GradeOutcome {
            name: Arc::from("等级"),
            label: Some(Arc::from(label)),
            color: Some("green".into()),
            action: Some("专人服务".into()),
            owner: Some("大客户经理".into()),
            reason: format!("综合得分 {score} ≥ 60 → {label}"),
            overridden: None,
        }),
        score: Some(Value::Number(d(score), Unit::Plain)),
        components: vec![
            ComponentOutcome {
                name: Arc::from("销售额"),
                points: d("95"),
                weight: Some(d("0.3")),
                weighted: d("28.5"),
                reason: String::new(),
            },
            ComponentOutcome {
                name: Arc::from("回款率"),
                points: d("20.00"),
                weight: Some(d("0.2")),
                weighted: d("4"),
                reason: String::new(),
            },
        ],
        tags: vec![
            TagOutcome {
                name: Arc::from("正常"),
                color: None,
                action: None,
                owner: None,
                reason: "逾期天数 0 ≤ 30 → 正常".into(),
            },
            TagOutcome {
                name: Arc::from("重点"),
                color: Some("red".into()),
                action: Some("季度拜访".into()),
                owner: Some("大客户经理".into()),
                reason: "销售额 ≥ 100万 → 重点".into(),
            },
        ],
        follow_up: Some(ScheduleOutcome {
            last: Some(date(2026, 11, 1)),
            next_due: Some(date(2026, 11, 8)),
            deadline: Some(date(2026, 11, 8)),
            overdue,
            reassign: false,
            reason: String::new(),
        }),
        ..Outcome::default()
    }
}

fn kept_rows() -> Vec<(Vec<Cell>, Outcome)> {
    vec![
        (
            vec![text("华东贸易"), text("200"), text("2026-11-01")],
            outcome("B", "70.50", false),
        ),
        (
            vec![
                text("北方建材, \"总部\""),
                Cell::Number(12.5),
                Cell::Date(date(2026, 9, 1)),
            ],
            outcome("A", "85", true),
        ),
        (
            vec![text("空白客户"), Cell::Empty, Cell::Empty],
            Outcome::default(),
        ),
    ]
}

fn write_file(path: &Path, format: OutputFormat, opts: &WriteOptions) {
    let mut sink = create_sink(Some(path), format, &columns(), opts).unwrap();
    for (kept, o) in kept_rows() {
        sink.write_row(&kept, &o).unwrap();
    }
    sink.finish().unwrap();
}

#[test]
fn csv_output_snapshot_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    write_file(&path, OutputFormat::Csv, &WriteOptions { bom: true });
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text_out = String::from_utf8(bytes[3..].to_vec()).unwrap();
    insta::assert_snapshot!("csv_output", text_out);

    let (headers, rows, errors) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty());
    assert_eq!(headers, columns().headers());
    assert_eq!(rows.len(), 3);
    assert_eq!(texts(&rows[1])[0], "北方建材, \"总部\"");
    let score = parser(TypeKind::Number).parse(&rows[0].cells[4]);
    assert_eq!(score, plain("70.5"));
}

#[test]
fn json_and_ndjson_output_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    write_file(&path, OutputFormat::Json, &WriteOptions::default());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let first = &v[0];
    assert_eq!(first["客户名称"], "华东贸易");
    assert_eq!(first["等级"], "B");
    assert_eq!(first["得分"].to_string(), "70.5");
    assert_eq!(first["得分.回款率"].to_string(), "20");
    assert_eq!(first["逾期"], false);
    assert_eq!(first["下次跟进"], "2026-11-08");
    assert_eq!(first["标签"], "正常、重点");
    assert_eq!(first["行动"], "专人服务；季度拜访");
    assert_eq!(first["负责人"], "大客户经理");
    assert_eq!(v[1]["年度销售额"].to_string(), "12.5");
    assert_eq!(v[2]["等级"], serde_json::Value::Null);

    let (headers, rows, errors) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty());
    assert_eq!(headers, columns().headers());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].cells[4], text("85"));

    let nd = dir.path().join("out.ndjson");
    write_file(&nd, OutputFormat::Ndjson, &WriteOptions::default());
    let text_out = std::fs::read_to_string(&nd).unwrap();
    assert_eq!(text_out.lines().count(), 3);
    let (_, rows, errors) = read_all(open(&nd, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty());
    assert_eq!(rows.len(), 3);

    // No rows: still valid JSON.
    let empty = dir.path().join("empty.json");
    let sink = create_sink(
        Some(&empty),
        OutputFormat::Json,
        &columns(),
        &WriteOptions::default(),
    )
    .unwrap();
    sink.finish().unwrap();
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "[]\n");
}

#[test]
fn xlsx_output_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    write_file(&path, OutputFormat::Xlsx, &WriteOptions::default());
    let (headers, rows, errors) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(headers, columns().headers());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].cells[0], text("华东贸易"));
    // A numeric text cell is written as a number; dates as dates.
    assert_eq!(rows[0].cells[1], Cell::Number(200.0));
    assert_eq!(rows[0].cells[2], text("2026-11-01"), "text stays text");
    assert_eq!(rows[1].cells[2], Cell::Date(date(2026, 9, 1)));
    assert_eq!(rows[0].cells[3], text("B"));
    assert_eq!(rows[0].cells[4], Cell::Number(70.5));
    assert_eq!(rows[0].cells[7], text("正常、重点"));
    assert_eq!(rows[0].cells[8], Cell::Date(date(2026, 11, 8)));
    assert_eq!(rows[1].cells[9], text("是"));
}

#[test]
fn table_output_snapshot() {
    // A table written to a file is not wrapped (no terminal width).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.txt");
    let mut sink = create_sink(
        Some(&p),
        OutputFormat::Table,
        &columns(),
        &WriteOptions::default(),
    )
    .unwrap();
    for (kept, o) in kept_rows().iter().take(2) {
        sink.write_row(kept, o).unwrap();
    }
    sink.finish().unwrap();
    let table = std::fs::read_to_string(&p).unwrap();
    insta::assert_snapshot!("table_output", table);
}

#[test]
fn writes_are_atomic() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("a.csv", OutputFormat::Csv),
        ("a.json", OutputFormat::Json),
        ("a.xlsx", OutputFormat::Xlsx),
        ("a.txt", OutputFormat::Table),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, "previous result").unwrap();
        {
            let mut sink =
                create_sink(Some(&path), format, &columns(), &WriteOptions::default()).unwrap();
            let (kept, o) = &kept_rows()[0];
            sink.write_row(kept, o).unwrap();
            // Dropped without finish: the run failed half-way.
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous result");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        write_file(&path, format, &WriteOptions::default());
        assert_ne!(std::fs::read(&path).unwrap(), b"previous result");
    }
    let e = create_sink(
        Some(&dir.path().join("no/such/dir/out.csv")),
        OutputFormat::Csv,
        &columns(),
        &WriteOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(e.code, "tier::data::write");
}

#[test]
fn rejects_report() {
    let dir = tempfile::tempdir().unwrap();
    let rejects = vec![
        RowError {
            file: "客户.csv".into(),
            row: 17,
            column: Some("回款率".into()),
            raw: Some("9x%".into()),
            reason: "expected a percentage like 92% or 92, found `9x%`".into(),
        },
        RowError {
            file: "客户.csv".into(),
            row: 20,
            column: None,
            raw: None,
            reason: "row has 6 cells, the header has 5".into(),
        },
    ];
    let csv_path = dir.path().join("rejects.csv");
    write_rejects(&csv_path, &rejects).unwrap();
    let (headers, rows, _) = read_all(open(&csv_path, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["文件", "行", "列", "原值", "原因"]);
    assert_eq!(
        texts(&rows[0]),
        [
            "客户.csv",
            "17",
            "回款率",
            "9x%",
            rejects[0].reason.as_str()
        ]
    );
    assert_eq!(texts(&rows[1])[2], "");

    let json_path = dir.path().join("rejects.json");
    write_rejects(&json_path, &rejects).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(v[0]["row"], 17);
    assert_eq!(v[0]["column"], "回款率");
    assert_eq!(v[1]["column"], serde_json::Value::Null);
}

#[test]
fn output_formats_from_names() {
    assert_eq!(
        OutputFormat::from_path(Path::new("out.XLSX")),
        Some(OutputFormat::Xlsx)
    );
    assert_eq!(
        OutputFormat::from_path(Path::new("out.jsonl")),
        Some(OutputFormat::Ndjson)
    );
    assert_eq!(OutputFormat::from_name("table"), Some(OutputFormat::Table));
    assert_eq!(OutputFormat::from_name("csv"), Some(OutputFormat::Csv));
    assert_eq!(OutputFormat::from_name("pdf"), None);
}

#[test]
fn streams_are_sniffed() {
    use tier::data::open_stream;
    let opts = ReadOptions::default();
    let stream = |s: &str| -> Box<dyn std::io::Read> {
        Box::new(std::io::Cursor::new(s.as_bytes().to_vec()))
    };
    let (h, rows, _) =
        read_all(open_stream(stream("[{\"a\": 1}, {\"a\": 2}]"), "<stdin>", &opts).unwrap());
    assert_eq!((h, rows.len()), (vec!["a".to_string()], 2));
    let (h, rows, _) =
        read_all(open_stream(stream("{\"a\": 1}\n{\"b\": 2}\n"), "<stdin>", &opts).unwrap());
    assert_eq!((h.len(), rows.len()), (2, 2));
    let src = open_stream(stream("客户\t金额\n甲\t1\n"), "<stdin>", &opts).unwrap();
    assert_eq!(src.source_name(), "<stdin>");
    let (h, rows, _) = read_all(src);
    assert_eq!(h, ["客户", "金额"]);
    assert_eq!(texts(&rows[0]), ["甲", "1"]);
    // GBK on stdin: decided from the first bytes.
    let (gbk, _, _) = encoding_rs::GBK.encode("客户,金额\n甲,1\n");
    let src = open_stream(
        Box::new(std::io::Cursor::new(gbk.into_owned())),
        "<stdin>",
        &opts,
    )
    .unwrap();
    assert_eq!(src.encoding(), "gb18030");
    let (h, _, _) = read_all(src);
    assert_eq!(h, ["客户", "金额"]);
}

#[test]
fn damaged_utf8_rejects_rows_not_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = "客户名称,金额\n".to_string();
    for i in 0..20 {
        body.push_str(&format!("华东贸易有限公司{i},{i}\n"));
    }
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(&"北方".as_bytes()[..4]);
    bytes.extend_from_slice(b",3\n");
    let p = write_temp(&dir, "damaged.csv", &bytes);
    let src = open(&p, &ReadOptions::default()).unwrap();
    assert_eq!(src.encoding(), "UTF-8");
    let (_, rows, errors) = read_all(src);
    assert_eq!(rows.len(), 20);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 22);
    assert_eq!(errors[0].column.as_deref(), Some("客户名称"));
}

/// Throughput check (not a timed test): `BIG_CSV=path cargo test --test data throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let path = std::env::var("BIG_CSV").unwrap();
    let start = std::time::Instant::now();
    let src = open(Path::new(&path), &ReadOptions::default()).unwrap();
    let parsers = [
        parser(TypeKind::Text),
        parser(TypeKind::Money(Scale::Wan)),
        parser(TypeKind::Percent { fraction: false }),
        parser(TypeKind::Date),
        parser(customer_type()),
    ];
    let rows: Vec<RawRow> = src.map(Result::unwrap).collect();
    eprintln!("{} rows read in {:?}", rows.len(), start.elapsed());
    for (i, p) in parsers.iter().enumerate() {
        let start = std::time::Instant::now();
        for row in &rows {
            p.parse(&row.cells[i]).unwrap();
        }
        eprintln!("column {i} parsed in {:?}", start.elapsed());
    }
}

// ---------------------------------------------------------------------------------------------
// Column mapping
// ---------------------------------------------------------------------------------------------

fn named(name: &str, kind: TypeKind, columns: &[&str]) -> InputField {
    let mut f = field(kind);
    f.name = ident(name);
    f.columns = columns
        .iter()
        .map(|c| StrLit {
            value: c.to_string(),
            span: Span::default(),
        })
        .collect();
    f
}

#[test]
fn inputs_map_onto_columns() {
    use tier::data::InputMapping;
    let headers: Vec<String> = [
        "客户名称",
        "年度销售额(万元)",
        "回款率",
        "最近联系日期",
        "上期分类",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut recent = named("最近联系", TypeKind::Date, &["最近联系日期"]);
    recent.optional = true;
    let mut region = named("区域", TypeKind::Text, &[]);
    region.optional = true;
    let fields = vec![
        named(
            "销售额",
            TypeKind::Money(Scale::Wan),
            &["年度销售额", "年度销售额(万元)"],
        ),
        named("回款率", TypeKind::Percent { fraction: false }, &[]),
        recent,
        region,
        named("上期", TypeKind::Grade(ident("风险分类")), &["上期分类"]),
    ];
    let scales = |name: &str| -> Option<Vec<Arc<str>>> {
        (name == "风险分类").then(|| vec![Arc::from("正常"), Arc::from("关注")])
    };
    let (mapping, warnings) = InputMapping::new(&fields, &headers, &scales, "c.csv").unwrap();
    assert_eq!(warnings.len(), 1, "the optional 区域 has no column");
    assert_eq!(warnings[0].code, "tier::data::column_missing");
    assert!(!warnings[0].is_error());
    assert_eq!(
        mapping.columns().collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3), None, Some(4)]
    );
    let row = RawRow {
        row: 2,
        cells: vec![
            text("甲"),
            text("12.5"),
            text("92%"),
            Cell::Empty,
            text("关注"),
        ],
    };
    let values = mapping.parse_row(&row, "c.csv").unwrap();
    assert_eq!(values[0], Value::Number(d("125000"), Unit::Money));
    assert_eq!(values[1], Value::Number(d("0.92"), Unit::Percent));
    assert_eq!(values[2], Value::Missing);
    assert_eq!(values[3], Value::Missing);
    assert_eq!(
        values[4],
        Value::Label(Label {
            name: Arc::from("关注"),
            rank: 1
        })
    );
    // Every bad cell of a row is reported.
    let bad = RawRow {
        row: 17,
        cells: vec![
            text("乙"),
            text("abc"),
            Cell::Empty,
            text("2026-02-30"),
            text("损失"),
        ],
    };
    let errors = mapping.parse_row(&bad, "c.csv").unwrap_err();
    assert_eq!(errors.len(), 4);
    assert_eq!(errors[1].column.as_deref(), Some("回款率"));
    assert_eq!(errors[1].reason, "required value is empty");
    assert_eq!(errors[1].raw, None);
    assert_eq!(errors[0].raw.as_deref(), Some("abc"));
    assert_eq!(errors[0].row, 17);

    // A required input without a column: an error with a did-you-mean.
    let fields = vec![named(
        "回款",
        TypeKind::Percent { fraction: false },
        &["回款"],
    )];
    let errs = InputMapping::new(&fields, &headers, &scales, "c.csv").unwrap_err();
    assert_eq!(errs[0].code, "tier::data::column_missing");
    assert_eq!(
        errs[0].message,
        "c.csv has no column `回款` for input `回款`"
    );
    assert!(errs[0].help.as_deref().unwrap().contains("回款率"));

    // A column that appears twice is ambiguous.
    let dup: Vec<String> = ["回款率", "回款率"].iter().map(|s| s.to_string()).collect();
    let fields = vec![named("回款率", TypeKind::Percent { fraction: false }, &[])];
    let errs = InputMapping::new(&fields, &dup, &scales, "c.csv").unwrap_err();
    assert_eq!(errs[0].code, "tier::data::column_ambiguous");
}
