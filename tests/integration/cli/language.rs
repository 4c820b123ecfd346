//! The output's language: named values are headed by their names; the fixed columns, the
//! booleans and the rejects report's headers follow the ruleset's language, or `--lang zh|en`.

use super::{graded, run, tmp, SHOP, SHOP_CSV};
use std::path::Path;

const SHOP_EN: &str = "tests/fixtures/cli/shop_en.tier";
const SHOP_EN_CSV: &str = "tests/fixtures/cli/shop_en.csv";
const AS_OF: &str = "2026-11-23";

/// The English fixed columns of the shop rulesets, after the score components.
const EN_FIXED: [&str; 8] = [
    "tags",
    "next_follow_up",
    "overdue",
    "reassign",
    "action",
    "owner",
    "reasons",
    "as_of",
];
const ZH_FIXED: [&str; 8] = [
    "标签",
    "下次跟进",
    "逾期",
    "转公海",
    "行动",
    "负责人",
    "原因",
    "评估日期",
];

/// Grades `data` with `ruleset` into `out` (format from its extension), quietly.
fn grade(ruleset: &str, data: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        ruleset,
        data,
        "--as-of",
        AS_OF,
        "-q",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

/// A CSV output's header and the column named `name`, as text.
fn csv_column(text: &str, name: &str) -> (Vec<String>, Vec<String>) {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let i = header.iter().position(|h| h == name).expect(name);
    let cells = lines
        .map(|l| l.split(',').nth(i).unwrap().to_string())
        .collect();
    (header, cells)
}

#[test]
fn english_ruleset_writes_english_csv_xlsx_and_json() {
    use calamine::{Data, Reader};
    let dir = tmp();

    // CSV: the grade and the score under their own names, the rest in English, yes/no.
    let out = run(&["run", SHOP_EN, SHOP_EN_CSV, "--as-of", AS_OF, "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| insta::assert_snapshot!("run_shop_en_stdout", out.stdout));
    let (header, overdue) = csv_column(&out.stdout, "overdue");
    assert_eq!(
        header[5..9],
        ["level", "rating", "rating.size", "rating.payments"].map(String::from)
    );
    assert_eq!(header[9..], EN_FIXED.map(String::from));
    assert_eq!(overdue, ["no", "yes", "no", "yes"]);

    // XLSX: the same header, an English sheet name and yes/no cells.
    let xlsx = dir.path().join("out.xlsx");
    grade(SHOP_EN, SHOP_EN_CSV, &xlsx, &[]);
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    assert_eq!(book.sheet_names(), ["graded", "summary"]);
    let range = book.worksheet_range("graded").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let xlsx_header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(xlsx_header, header);
    let col = header.iter().position(|h| h == "overdue").unwrap();
    assert_eq!(rows[2][col], Data::String("yes".into()));

    // JSON: the headers are the keys; booleans are JSON's.
    let json = dir.path().join("out.json");
    grade(SHOP_EN, SHOP_EN_CSV, &json, &[]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("a JSON array");
    let keys: Vec<&String> = v[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, header.iter().collect::<Vec<_>>());
    assert_eq!(v[1]["overdue"], serde_json::Value::Bool(true));
    assert_eq!(v[0]["level"], "A");
    assert_eq!(v[0]["rating"], serde_json::json!(100));
}

#[test]
fn lang_flag_overrides_the_rulesets_language() {
    let dir = tmp();
    // An English ruleset in Chinese: the fixed words and the booleans change, its names do not.
    let zh = dir.path().join("zh.csv");
    grade(SHOP_EN, SHOP_EN_CSV, &zh, &["--lang", "zh"]);
    let (header, overdue) = csv_column(&graded(&zh), "逾期");
    assert_eq!(header[5..7], ["level", "rating"].map(String::from));
    assert_eq!(header[9..], ZH_FIXED.map(String::from));
    assert_eq!(overdue, ["否", "是", "否", "是"]);

    // A Chinese ruleset in English; its default stays Chinese.
    let en = dir.path().join("en.csv");
    grade(SHOP, SHOP_CSV, &en, &["--lang", "en"]);
    let (header, overdue) = csv_column(&graded(&en), "overdue");
    let named = ["等级", "得分", "得分.规模", "得分.回款", "贡献"];
    assert_eq!(header[5..10], named.map(String::from));
    assert_eq!(header[10..], EN_FIXED.map(String::from));
    assert!(
        overdue.iter().all(|c| c == "yes" || c == "no"),
        "{overdue:?}"
    );
    let default = dir.path().join("default.csv");
    grade(SHOP, SHOP_CSV, &default, &[]);
    let (header, _) = csv_column(&graded(&default), "逾期");
    assert_eq!(header[10..], ZH_FIXED.map(String::from));

    // The rejects report's headers follow too.
    let rejects = dir.path().join("rejects.csv");
    let out = dir.path().join("dirty.csv");
    let o = run(&[
        "run",
        SHOP,
        super::DIRTY_CSV,
        "--as-of",
        AS_OF,
        "-q",
        "-o",
        out.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        graded(&rejects).starts_with("file,row,column,raw,reason\n"),
        "{}",
        graded(&rejects)
    );

    let bad = run(&["run", SHOP, SHOP_CSV, "--lang", "fr"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn an_english_input_column_named_like_a_fixed_column_keeps_its_name() {
    let dir = tmp();
    let data = dir.path().join("clash.csv");
    let text = std::fs::read_to_string(SHOP_EN_CSV)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let extra = if i == 0 { "overdue" } else { "from the CRM" };
            format!("{l},{extra}\n")
        })
        .collect::<String>();
    std::fs::write(&data, text).unwrap();
    let out = run(&["run", SHOP_EN, data.to_str().unwrap(), "--as-of", AS_OF]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (header, input) = csv_column(&out.stdout, "overdue");
    assert_eq!(input, ["from the CRM"; 4]);
    let (_, tiers) = csv_column(&out.stdout, "tier:overdue");
    assert_eq!(tiers, ["no", "yes", "no", "yes"]);
    assert_eq!(header.iter().filter(|h| h.ends_with("overdue")).count(), 2);
    assert!(
        out.stderr.contains("tier::data::column_clash"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`overdue` → `tier:overdue`"),
        "{}",
        out.stderr
    );

    // In Chinese, nothing clashes: the input's `overdue` is beside tier's 逾期.
    let zh = run(&[
        "run",
        SHOP_EN,
        data.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--lang",
        "zh",
    ]);
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(!zh.stderr.contains("column_clash"), "{}", zh.stderr);
    assert!(zh
        .stdout
        .lines()
        .next()
        .unwrap()
        .contains(",overdue,level,"));
}
