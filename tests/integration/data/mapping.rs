//! Column mapping.

use super::*;

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
    assert_eq!(warnings[0].code, Code::DataColumnMissing);
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
    assert_eq!(errs[0].code, Code::DataColumnMissing);
    assert_eq!(
        errs[0].message,
        "c.csv has no column `回款` for input `回款`"
    );
    assert!(errs[0].help.as_deref().unwrap().contains("回款率"));

    // A column that appears twice is ambiguous.
    let dup: Vec<String> = ["回款率", "回款率"].iter().map(|s| s.to_string()).collect();
    let fields = vec![named("回款率", TypeKind::Percent { fraction: false }, &[])];
    let errs = InputMapping::new(&fields, &dup, &scales, "c.csv").unwrap_err();
    assert_eq!(errs[0].code, Code::DataColumnAmbiguous);
}

/// From `.tier` text to typed values: the parser's input block, the GBK fixture, the cells.
#[test]
fn a_real_input_block_reads_the_gbk_fixture() {
    use tier::ast::Item;
    use tier::data::InputMapping;
    let tier_text = r#"ruleset "t"
input {
  客户     text        column "客户名称"
  销售额   money(万)   column "年度销售额"
  回款率   percent 0%..100%  column "回款率"
  最近联系 date?       column "最近联系日期"
  类型     enum { 加盟商 "加盟" "加盟店", OEM商 "OEM", 普通商 }  column "客户类型"  default 普通商
}
"#;
    let src = tier::source::SourceFile::new("t.tier", tier_text);
    let ruleset = tier::syntax::parse(&src).unwrap();
    let fields: Vec<InputField> = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Input(b) => Some(b.fields.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let rows = open(&fixture("customers_gbk.csv"), &ReadOptions::default()).unwrap();
    let headers = rows.headers().to_vec();
    let (mapping, warnings) = InputMapping::new(&fields, &headers, &|_| None, "c.csv").unwrap();
    assert!(warnings.is_empty());
    let values: Vec<Vec<Value>> = rows
        .map(|r| mapping.parse_row(&r.unwrap(), "c.csv").unwrap())
        .collect();
    let label = |name: &str, rank| {
        Value::Label(Label {
            name: Arc::from(name),
            rank,
        })
    };
    assert_eq!(
        values[0],
        [
            Value::Text(Arc::from("华东贸易有限公司")),
            Value::Number(d("125000"), Unit::Money),
            Value::Number(d("0.92"), Unit::Percent),
            Value::Date(date(2026, 11, 1)),
            label("加盟商", 0),
        ]
    );
    assert_eq!(values[1][1], Value::Number(d("12345000"), Unit::Money));
    assert_eq!(values[1][3], Value::Date(date(2026, 10, 8)));
    assert_eq!(values[1][4], label("OEM商", 1));

    let row = RawRow {
        row: 9,
        cells: vec![
            text("丙"),
            text("1"),
            text("120%"),
            Cell::Empty,
            Cell::Empty,
        ],
    };
    let errors = mapping.parse_row(&row, "c.csv").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].reason,
        "120% is outside the allowed range 0%..100%"
    );
    assert_eq!(
        mapping
            .parse_row(
                &RawRow {
                    row: 10,
                    cells: vec![text("丁"), text("1"), text("50"), Cell::Empty, Cell::Empty]
                },
                "c.csv"
            )
            .unwrap()[4],
        label("普通商", 2),
        "the default"
    );
}
