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
