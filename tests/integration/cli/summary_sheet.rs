//! An XLSX output's summary sheet: the grade table holds the numbers of the JSON summary, the
//! native charts reference the table's cells, the names follow the ruleset's language, and the
//! rejected rows get a sheet of their own unless `--rejects` takes them.

use super::{run, tmp};
use calamine::{Data, Reader};
use std::io::Read;
use std::path::Path;

const PARETO: &str = "rulesets/pareto_abc.tier";
const PARETO_CSV: &str = "rulesets/samples/pareto_abc.csv";
const SHOP_EN: &str = "tests/fixtures/cli/shop_en.tier";
const SHOP_EN_CSV: &str = "tests/fixtures/cli/shop_en.csv";

/// Grades into `xlsx` with a JSON summary next to it; returns the summary.
fn grade(ruleset: &str, data: &Path, xlsx: &Path, extra: &[&str]) -> serde_json::Value {
    let summary = xlsx.with_extension("json");
    let mut args = vec![
        "run",
        ruleset,
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-q",
        "-o",
        xlsx.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap()
}

/// The workbook's part `name` (a chart's XML), or None.
fn part(xlsx: &Path, name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    Some(text)
}

/// The `<c:f>` formulas of a chart: each series' name, categories and values.
fn formulas(chart: &str) -> Vec<&str> {
    chart
        .split("<c:f>")
        .skip(1)
        .map(|s| s.split("</c:f>").next().unwrap())
        .collect()
}

fn number(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::String(s) => s.parse().unwrap(),
        other => other.as_f64().unwrap(),
    }
}

/// The summary sheet's grade table equals the JSON summary's grades, column by column.
fn assert_table(rows: &[&[Data]], summary: &serde_json::Value, keys: &[&str]) {
    let grades = summary["grades"].as_array().unwrap();
    for (i, g) in grades.iter().enumerate() {
        let row = rows[i + 1];
        assert_eq!(row[0], Data::String(g["label"].as_str().unwrap().into()));
        for (c, key) in keys.iter().enumerate() {
            let Data::Float(cell) = row[c + 1] else {
                panic!("{key} of {} is no number: {:?}", g["label"], row[c + 1])
            };
            assert!(
                (cell - number(&g[*key])).abs() < 1e-9,
                "{key}: {cell} ≠ {}",
                g[*key]
            );
        }
    }
}

/// The label column's value in a facts row of the summary sheet.
fn fact<'a>(rows: &'a [&[Data]], label: &str) -> &'a Data {
    let row = rows
        .iter()
        .find(|r| r[0] == Data::String(label.into()))
        .unwrap_or_else(|| panic!("no {label} row"));
    &row[1]
}

#[test]
fn chinese_summary_sheet_holds_the_summary_and_charts_its_cells() {
    let dir = tmp();
    let xlsx = dir.path().join("out.xlsx");
    let summary = grade(PARETO, Path::new(PARETO_CSV), &xlsx, &[]);
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["分级结果", "汇总"]);
    let range = book.worksheet_range("汇总").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "ABC",
            "客户数",
            "客户占比",
            "年度销售额",
            "收入占比",
            "逾期",
            "转公海"
        ]
    );
    let keys = [
        "customers",
        "share",
        "revenue",
        "revenue_share",
        "overdue",
        "reassign",
    ];
    assert_table(&rows, &summary, &keys);
    assert_eq!(
        fact(&rows, "读取行数"),
        &Data::Float(summary["rows_read"].as_f64().unwrap())
    );
    assert_eq!(
        fact(&rows, "规则集"),
        &Data::String(summary["ruleset"].as_str().unwrap().into())
    );
    assert_eq!(fact(&rows, "评估日期"), &Data::String("2026-11-23".into()));

    // Three column charts: customers (B), revenue (D), overdue and reassign (F, G) per grade,
    // each over the table's rows, the grades (A) as categories.
    let last = summary["grades"].as_array().unwrap().len() + 1;
    let grades = format!("汇总!$A$2:$A${last}");
    let expected = [
        vec![
            "汇总!$B$1".to_string(),
            grades.clone(),
            format!("汇总!$B$2:$B${last}"),
        ],
        vec![
            "汇总!$D$1".to_string(),
            grades.clone(),
            format!("汇总!$D$2:$D${last}"),
        ],
        vec![
            "汇总!$F$1".to_string(),
            grades.clone(),
            format!("汇总!$F$2:$F${last}"),
            "汇总!$G$1".to_string(),
            grades,
            format!("汇总!$G$2:$G${last}"),
        ],
    ];
    for (i, want) in expected.iter().enumerate() {
        let chart = part(&xlsx, &format!("xl/charts/chart{}.xml", i + 1)).expect("a chart");
        assert!(chart.contains("<c:barChart>"), "a column chart");
        assert_eq!(formulas(&chart), *want);
    }
    // The Pareto curve (no owners in this ruleset): a scatter chart with straight lines over
    // the curve's table, and ABC's two cut lines.
    let pareto = part(&xlsx, "xl/charts/chart4.xml").expect("the Pareto chart");
    assert!(pareto.contains("<c:scatterChart>") && pareto.contains("帕累托曲线"));
    let f = formulas(&pareto);
    assert_eq!(f.len(), 9, "{f:?}");
    assert!(part(&xlsx, "xl/charts/chart5.xml").is_none());
    let cell = |reference: &str| -> (u32, u32) {
        let (_, cell) = reference.split_once('!').unwrap();
        let cell = cell.replace('$', "");
        let col = cell.chars().next().unwrap() as u32 - 'A' as u32;
        (cell[1..].parse::<u32>().unwrap() - 1, col)
    };
    let value = |(row, col): (u32, u32)| range.get_value((row, col)).cloned();
    let (first, last) = f[1].split_once(':').unwrap();
    assert_eq!(value(cell(first)), Some(Data::Float(0.0)));
    assert!(
        matches!(value(cell(&format!("汇总!{last}"))), Some(Data::Float(x)) if (x - 1.0).abs() < 1e-9)
    );
    assert_eq!(value(cell(f[0])), Some(Data::String("收入累计占比".into())));
    // Each cut line: its name, then (0, share) and (1, share).
    for (k, share) in [(3, 0.65), (6, 0.85)] {
        let (ends, _) = f[k + 2].split_once(':').unwrap();
        assert_eq!(value(cell(ends)), Some(Data::Float(share)), "{f:?}");
        let name = value(cell(f[k])).unwrap().to_string();
        assert!(name.starts_with("ABC "), "{name}");
    }
    let titles = part(&xlsx, "xl/charts/chart1.xml").unwrap();
    assert!(titles.contains("各等级客户数") && titles.contains("ABC"));
}

#[test]
fn english_summary_sheet_and_rejects_sheet() {
    let dir = tmp();
    // shop_en's rows and one that cannot be graded (sales is no number).
    let data = dir.path().join("shop.csv");
    let mut text = std::fs::read_to_string(SHOP_EN_CSV).unwrap();
    text.push_str("Echo,north,lots,90%,2026-11-01\n");
    std::fs::write(&data, text).unwrap();

    let xlsx = dir.path().join("out.xlsx");
    let summary = grade(SHOP_EN, &data, &xlsx, &[]);
    assert_eq!(summary["rows_rejected"], 1);
    // Per grade, the follow-up counts add up to the totals.
    for key in ["overdue", "reassign"] {
        let per_grade: u64 = summary["grades"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g[key].as_u64().unwrap())
            .sum();
        assert_eq!(per_grade, summary[key].as_u64().unwrap(), "{key}");
    }
    assert_eq!(summary["overdue"], 2);
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["graded", "summary", "rejects"]);
    let range = book.worksheet_range("summary").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "level",
            "customers",
            "customer_share",
            "sales",
            "revenue_share",
            "overdue",
            "reassign"
        ]
    );
    assert_table(&rows, &summary, &["customers", "share", "revenue"]);
    assert_eq!(fact(&rows, "rows_rejected"), &Data::Float(1.0));
    let chart = part(&xlsx, "xl/charts/chart1.xml").unwrap();
    assert!(chart.contains("Customers by grade") && chart.contains("level"));
    assert_eq!(formulas(&chart)[2], "summary!$B$2:$B$4");
    let overdue = part(&xlsx, "xl/charts/chart3.xml").unwrap();
    assert!(overdue.contains("Overdue follow-ups by grade"));

    let rejects = book.worksheet_range("rejects").unwrap();
    let rows: Vec<&[Data]> = rejects.rows().collect();
    assert_eq!(
        rows[0][..3],
        ["file", "row", "column"].map(|s| Data::String(s.into()))
    );
    assert_eq!(rows[1][1], Data::Float(6.0));
    assert_eq!(rows[1][2], Data::String("sales".into()));

    // With --rejects, the rejected rows go to that file only.
    let other = dir.path().join("other.xlsx");
    let rejects = dir.path().join("rejects.csv");
    grade(
        SHOP_EN,
        &data,
        &other,
        &["--rejects", rejects.to_str().unwrap()],
    );
    let book = calamine::open_workbook_auto(&other).unwrap();
    assert_eq!(book.sheet_names(), ["graded", "summary"]);
}

#[test]
fn owners_table_and_chart() {
    let dir = tmp();
    let xlsx = dir.path().join("out.xlsx");
    let summary = grade(
        "tests/fixtures/report/shop.tier",
        Path::new("tests/fixtures/report/shop.csv"),
        &xlsx,
        &[],
    );
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    let range = book.worksheet_range("summary").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows
        .iter()
        .position(|r| r[0] == Data::String("owner".into()))
        .expect("an owner table");
    let owners: Vec<(String, f64)> = rows[header + 1..]
        .iter()
        .take_while(|r| r[0] != Data::Empty)
        .map(|r| match r[2] {
            Data::Float(n) => (r[0].to_string(), n),
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("key accounts".to_string(), 2.0),
            ("sales team".to_string(), 1.0),
            ("collections".to_string(), 2.0),
            ("(no owner)".to_string(), 1.0),
        ]
    );
    assert_eq!(summary["overdue"], 5);
    // The chart reads the owner table: owners as categories, overdue and reassign as series.
    let chart = part(&xlsx, "xl/charts/chart4.xml").expect("the owners' chart");
    assert!(chart.contains("Overdue follow-ups by owner"));
    let (first, last) = (header + 2, header + 5);
    assert_eq!(
        formulas(&chart),
        [
            format!("summary!$C${}", header + 1),
            format!("summary!$A${first}:$A${last}"),
            format!("summary!$C${first}:$C${last}"),
            format!("summary!$D${}", header + 1),
            format!("summary!$A${first}:$A${last}"),
            format!("summary!$D${first}:$D${last}"),
        ]
    );
    let pareto = part(&xlsx, "xl/charts/chart5.xml").expect("the Pareto chart");
    assert!(pareto.contains("<c:scatterChart>"));
}
