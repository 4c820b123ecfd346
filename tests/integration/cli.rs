//! CLI tests: the real `tier` binary on small files in every input format and encoding.
//! Outputs, summaries and rejects are pinned with insta; exit codes are asserted.

use assert_cmd::Command;
use std::path::Path;

const SHOP: &str = "tests/fixtures/cli/shop.tier";
const SHOP_CSV: &str = "tests/fixtures/cli/shop.csv";
const DIRTY_CSV: &str = "tests/fixtures/cli/dirty.csv";

/// The `tier` binary, colours off (shared by the test modules that run it).
pub(crate) fn tier() -> Command {
    let mut cmd = Command::cargo_bin("tier").expect("binary builds");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = tier().args(args).output().expect("runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_stdin(args: &[&str], stdin: Vec<u8>) -> Output {
    let out = tier().args(args).write_stdin(stdin).output().expect("runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn shop_rows() -> Vec<Vec<&'static str>> {
    std::fs::read_to_string(SHOP_CSV)
        .expect("fixture")
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|v| {
            v.into_iter()
                .map(|s| &*Box::leak(s.to_string().into_boxed_str()))
                .collect()
        })
        .collect()
}

/// The CSV body of a graded output, for comparing runs across input formats.
fn graded(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("output written")
        .trim_start_matches('\u{feff}')
        .to_string()
}

#[test]
fn run_csv_to_stdout_and_summary() {
    let out = run(&["run", SHOP, SHOP_CSV, "--as-of", "2026-11-23"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("run_shop_stdout", out.stdout);
    insta::assert_snapshot!("run_shop_summary", out.stderr);
}

#[test]
fn every_input_format_and_encoding_grades_the_same() {
    let dir = tmp();
    let reference = dir.path().join("ref.csv");
    let out = run(&[
        "run",
        SHOP,
        SHOP_CSV,
        "--as-of",
        "2026-11-23",
        "-o",
        reference.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want = graded(&reference);

    let text = std::fs::read_to_string(SHOP_CSV).unwrap();
    let rows = shop_rows();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    // UTF-8 with BOM
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    inputs.push(("bom.csv".into(), bom));
    // GBK, as Excel on a Chinese Windows saves it
    let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
    assert!(!bad);
    inputs.push(("gbk.csv".into(), gbk.into_owned()));
    // tab- and semicolon-separated
    inputs.push(("tab.csv".into(), text.replace(',', "\t").into_bytes()));
    inputs.push(("semi.csv".into(), text.replace(',', ";").into_bytes()));
    // JSON array and NDJSON
    let headers = &rows[0];
    let objects: Vec<serde_json::Value> = rows[1..]
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (h, v) in headers.iter().zip(r) {
                let v = if v.is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::String(v.to_string())
                };
                m.insert(h.to_string(), v);
            }
            serde_json::Value::Object(m)
        })
        .collect();
    inputs.push((
        "data.json".into(),
        serde_json::to_vec(&serde_json::Value::Array(objects.clone())).unwrap(),
    ));
    let ndjson: String = objects.iter().map(|o| format!("{o}\n")).collect();
    inputs.push(("data.ndjson".into(), ndjson.into_bytes()));
    // XLSX with real numbers and a real date cell
    let xlsx = dir.path().join("data.xlsx");
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows[1..].iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, row[0]).unwrap();
            sheet.write_string(r, 1, row[1]).unwrap();
            sheet
                .write_number(r, 2, row[2].parse::<f64>().unwrap())
                .unwrap();
            sheet.write_string(r, 3, row[3]).unwrap();
            if !row[4].is_empty() {
                let d = row[4].replace('/', "-");
                let parts: Vec<u16> = d.split('-').map(|p| p.parse().unwrap()).collect();
                let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    parts[0],
                    parts[1] as u8,
                    parts[2] as u8,
                )
                .unwrap();
                sheet
                    .write_datetime_with_format(r, 4, &date, &date_format)
                    .unwrap();
            }
        }
        book.save(&xlsx).unwrap();
    }

    for (name, bytes) in &inputs {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let output = dir.path().join(format!("{name}.out.csv"));
        let out = run(&[
            "run",
            SHOP,
            input.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "-o",
            output.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let got = graded(&output);
        // The kept input columns are copied as read; compare the graded columns.
        let tail = |s: &str| -> Vec<String> {
            s.lines()
                .map(|l| l.splitn(6, ',').nth(5).unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(tail(&got), tail(&want), "{name} grades differently");
    }
    let output = dir.path().join("xlsx.out.csv");
    let out = run(&[
        "run",
        SHOP,
        xlsx.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "xlsx: {}", out.stderr);
    let tail = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.splitn(6, ',').nth(5).unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        tail(&graded(&output)),
        tail(&want),
        "xlsx grades differently"
    );
}

#[test]
fn stdin_is_sniffed() {
    let csv = std::fs::read(SHOP_CSV).unwrap();
    let from_file = run(&["run", SHOP, SHOP_CSV, "--as-of", "2026-11-23", "-q"]);
    let from_stdin = run_stdin(&["run", SHOP, "-", "--as-of", "2026-11-23", "-q"], csv);
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert!(
        from_stdin.stderr.is_empty(),
        "-q prints nothing: {}",
        from_stdin.stderr
    );
}

#[test]
fn dirty_rows_are_rejected_with_row_column_and_reason() {
    let dir = tmp();
    let rejects = dir.path().join("rejects.csv");
    let summary = dir.path().join("summary.json");
    let out = run(&[
        "run",
        SHOP,
        DIRTY_CSV,
        "--as-of",
        "2026-11-23",
        "--rejects",
        rejects.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("dirty_stdout", out.stdout);
    insta::assert_snapshot!("dirty_rejects", graded(&rejects));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let read = s["rows_read"].as_u64().unwrap();
    let ok = s["rows_graded"].as_u64().unwrap();
    let rejected = s["rows_rejected"].as_u64().unwrap();
    assert_eq!(read, 5);
    assert_eq!(read, ok + rejected, "rows in = graded + rejected");
    assert_eq!(rejected, 3);
    assert_eq!(s["as_of"], "2026-11-23");
    assert_eq!(s["ruleset"], "门店客户分级");
    // The graded rows are exactly the data rows not in the rejects file.
    let data_rows = out.stdout.lines().count() - 1;
    assert_eq!(data_rows as u64, ok);
}

#[test]
fn max_rejects_fails_and_leaves_no_output() {
    let dir = tmp();
    let output = dir.path().join("out.csv");
    let out = run(&[
        "run",
        SHOP,
        DIRTY_CSV,
        "--as-of",
        "2026-11-23",
        "--max-rejects",
        "2",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(!output.exists(), "a failed run writes no output file");
    assert!(
        out.stderr.contains("tier::run::max_rejects"),
        "{}",
        out.stderr
    );
    // An existing file is left untouched.
    std::fs::write(&output, "previous").unwrap();
    let out = run(&[
        "run",
        SHOP,
        DIRTY_CSV,
        "--as-of",
        "2026-11-23",
        "--max-rejects",
        "0",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous");
}

#[test]
fn missing_column_is_reported_before_any_row_with_did_you_mean() {
    let dir = tmp();
    let input = dir.path().join("renamed.csv");
    let text = std::fs::read_to_string(SHOP_CSV)
        .unwrap()
        .replacen("回款率", "回款比率", 1);
    std::fs::write(&input, text).unwrap();
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty(), "no row is graded");
    assert!(
        out.stderr.contains("tier::data::column_missing"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("回款比率"),
        "suggests the close column: {}",
        out.stderr
    );
}

#[test]
fn output_formats_by_extension() {
    let dir = tmp();
    for ext in ["csv", "json", "ndjson", "xlsx"] {
        let output = dir.path().join(format!("out.{ext}"));
        let out = run(&[
            "run",
            SHOP,
            SHOP_CSV,
            "--as-of",
            "2026-11-23",
            "-q",
            "-o",
            output.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{ext}: {}", out.stderr);
        let bytes = std::fs::read(&output).unwrap();
        match ext {
            "json" => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let rows = v.as_array().unwrap();
                assert_eq!(rows.len(), 5);
                assert_eq!(rows[0]["等级"], "A");
            }
            "ndjson" => {
                let text = String::from_utf8(bytes).unwrap();
                assert_eq!(text.lines().count(), 5);
                for l in text.lines() {
                    serde_json::from_str::<serde_json::Value>(l).unwrap();
                }
            }
            "xlsx" => assert_eq!(&bytes[..2], b"PK"),
            _ => assert!(String::from_utf8(bytes)
                .unwrap()
                .starts_with("\u{feff}客户名称,")),
        }
    }
    // --bom for Excel
    let output = dir.path().join("bom.csv");
    run(&[
        "run",
        SHOP,
        SHOP_CSV,
        "--as-of",
        "2026-11-23",
        "-q",
        "--bom",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(&std::fs::read(&output).unwrap()[..3], &[0xEF, 0xBB, 0xBF]);
}

#[test]
fn output_is_deterministic_and_in_input_order() {
    let a = run(&["run", SHOP, SHOP_CSV, "--as-of", "2026-11-23", "-q"]);
    let b = run(&[
        "run",
        SHOP,
        SHOP_CSV,
        "--as-of",
        "2026-11-23",
        "-q",
        "--threads",
        "1",
    ]);
    assert_eq!(a.stdout, b.stdout);
    let names: Vec<&str> = a
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(names, ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司"]);
}

#[test]
fn check_reports_all_errors_at_once_and_exits_1() {
    let out = run(&["check", "tests/fixtures/cli/broken.tier", SHOP]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("check_broken", out.stderr);
}

#[test]
fn check_json_format() {
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/cli/broken.tier",
    ]);
    assert_eq!(out.code, 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"tier::scorecard::weights"), "{codes:?}");
    assert!(codes.contains(&"tier::name::unknown"), "{codes:?}");
    let unknown = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "tier::name::unknown")
        .unwrap();
    assert_eq!(unknown["line"], 10);
    assert_eq!(unknown["file"], "tests/fixtures/cli/broken.tier");
    assert!(unknown["help"].as_str().unwrap().contains("回款率"));
}

#[test]
fn exit_codes() {
    assert_eq!(run(&["check", SHOP]).code, 0);
    assert_eq!(run(&["check", "no/such/file.tier"]).code, 3);
    assert_eq!(
        run(&["run", SHOP]).code,
        2,
        "missing DATA argument is a usage error"
    );
    assert_eq!(run(&["frobnicate"]).code, 2);
    assert_eq!(
        run(&["run", SHOP, SHOP_CSV, "--as-of", "2026-13-45"]).code,
        2,
        "a bad --as-of is a usage error"
    );
    assert_eq!(run(&["run", SHOP, "no/such/data.csv"]).code, 3);
    assert_eq!(run(&["test", SHOP]).code, 0);
}

#[test]
fn eval_and_explain_one_record() {
    let out = run(&[
        "eval",
        SHOP,
        "--as-of",
        "2026-11-23",
        "--set",
        "销售额=80万",
        "--set",
        "回款率=95%",
        "--set",
        "区域=华东",
        "--set",
        "最近联系=2026/11/1",
        "--set",
        "贡献=头部",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("eval_shop", out.stdout);
    let out = run(&[
        "explain",
        SHOP,
        "--as-of",
        "2026-11-23",
        "--json",
        r#"{"年度销售额(万元)": 80, "回款率": "95%", "区域": "华东", "最近联系": "2026-11-01"}"#,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("explain_shop", out.stdout);
    // An unknown field gets a did-you-mean; it is a usage error (exit 2).
    let out = run(&["eval", SHOP, "--set", "销售=1"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("销售额"), "{}", out.stderr);
}

#[test]
fn fmt_check_and_rewrite() {
    let dir = tmp();
    let file = dir.path().join("messy.tier");
    let messy = std::fs::read_to_string(SHOP)
        .unwrap()
        .replace("\n  ", "\n      ")
        .replace("}\n\n", "}\n\n\n\n");
    std::fs::write(&file, &messy).unwrap();
    let out = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        messy,
        "--check writes nothing"
    );
    let out = run(&["fmt", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(SHOP).unwrap(),
        "formatting restores the canonical layout"
    );
    assert_eq!(run(&["fmt", "--check", file.to_str().unwrap()]).code, 0);
}

#[test]
fn relative_grading_per_group_by_hand() {
    // Per 区域: 华东 = {甲 100, 乙 50}: 甲 first (nothing before it) → 头部; before 乙 the share is
    // 100/150 = 66.7% ≥ 65% and < 85% → 腰部. 华南 = {丙 50, 丁 20}: 丙 → 头部; before 丁: 50/70 =
    // 71.4% → 腰部. 华北 = {戊}: 头部.
    let dir = tmp();
    let output = dir.path().join("out.json");
    let out = run(&[
        "run",
        SHOP,
        SHOP_CSV,
        "--as-of",
        "2026-11-23",
        "-q",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let text = serde_json::to_string(&v).unwrap();
    for label in ["头部", "腰部"] {
        assert!(
            text.contains(label),
            "relative grade {label} in the output: {text}"
        );
    }
    let got: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["贡献"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(got, ["头部", "腰部", "头部", "腰部", "头部"]);
}

#[test]
fn xlsx_cell_over_excel_limit_is_truncated_with_a_warning() {
    // Excel holds at most 32,767 characters (UTF-16 units) in a cell: a longer kept cell is
    // cut with a visible marker and a warning naming the row and column; the rest is written.
    let dir = tmp();
    let input = dir.path().join("long.csv");
    let long = "乙".repeat(40_000);
    let text = std::fs::read_to_string(SHOP_CSV)
        .unwrap()
        .replacen("乙公司", &long, 1);
    std::fs::write(&input, text).unwrap();
    let output = dir.path().join("out.xlsx");
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-q",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("tier::data::truncated"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("row 3") && out.stderr.contains("客户名称"),
        "the warning names the row and the column: {}",
        out.stderr
    );
    let source = tier::data::open(&output, &tier::data::ReadOptions::default()).unwrap();
    let rows: Vec<tier::data::RawRow> = source.map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 5, "every row is written");
    let cut = rows[1].cells[0].to_text();
    let (kept, marker) = cut.split_once('…').expect("a visible marker");
    let removed: usize = marker
        .strip_prefix("[truncated ")
        .and_then(|m| m.strip_suffix(" chars]"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("marker {marker}"));
    assert_eq!(kept, "乙".repeat(40_000 - removed), "cut at a character");
    let units = cut.encode_utf16().count();
    assert!((32_700..=32_767).contains(&units), "{units} UTF-16 units");
    assert_eq!(rows[2].cells[0].to_text(), "丙公司");
}

#[test]
fn xlsx_output_writes_formula_like_text_as_text() {
    // Text a spreadsheet would run (`=`, `+`, `-`, `@`) is written as a string cell, never a
    // formula: opening a graded file cannot call out or compute. Numbers stay numbers.
    use calamine::{Data, Reader};
    let dir = tmp();
    let input = dir.path().join("inject.csv");
    let names = [
        "=1+1",
        "+A1",
        "-2+3",
        "@SUM(A1)",
        "=HYPERLINK(\"http://x\",\"y\")",
    ];
    let mut csv = String::from("客户名称,区域,年度销售额(万元),回款率,最近联系日期,调整额\n");
    for (i, name) in names.iter().enumerate() {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        csv.push_str(&format!("{quoted},华东,{},95%,2026-11-01,-12.5\n", 10 + i));
    }
    std::fs::write(&input, csv).unwrap();
    let output = dir.path().join("out.xlsx");
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-q",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut book = calamine::open_workbook_auto(&output).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let formulas = book.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula in the workbook: {formulas:?}"
    );
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], Data::String("客户名称".into()));
    assert_eq!(rows[0][5], Data::String("调整额".into()));
    assert_eq!(rows.len(), names.len() + 1);
    for (row, name) in rows[1..].iter().zip(names) {
        assert_eq!(row[0], Data::String(name.to_string()), "kept as text");
        assert_eq!(
            row[5],
            Data::Float(-12.5),
            "a negative number stays a number"
        );
    }
}

/// shop.csv with a customer whose sales are negative (a net refund), in 华东.
fn shop_with_refund(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("refund.csv");
    let text = std::fs::read_to_string(SHOP_CSV).unwrap().replacen(
        "丙公司",
        "退货公司,华东,-200,90%,2026-11-01\n丙公司",
        1,
    );
    std::fs::write(&input, text).unwrap();
    input
}

#[test]
fn pareto_rejects_a_negative_amount_and_grades_the_others() {
    // 贡献 is a Pareto class per 区域 by 销售额: a share of a total. 退货公司's -200 has no
    // share; counted, it made 华东's total negative and every customer there 头部. It is
    // rejected with its row, column, value and reason; the others are classed without it.
    let dir = tmp();
    let input = shop_with_refund(dir.path());
    let output = dir.path().join("out.json");
    let rejects = dir.path().join("rejects.csv");
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-o",
        output.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("6 read = 5 graded + 1 rejected"),
        "{}",
        out.stderr
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let got: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (s("客户名称"), s("贡献"))
        })
        .collect();
    let want = [
        ("甲公司", "头部"),
        ("乙公司", "腰部"),
        ("丙公司", "头部"),
        ("丁公司", "腰部"),
        ("戊公司", "头部"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    let report = graded(&rejects);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    let prefix = format!("{},4,年度销售额(万元),-200,", input.display());
    assert!(lines[1].starts_with(&prefix), "{}", lines[1]);
    assert!(
        lines[1].contains("negative") && lines[1].contains("贡献"),
        "{}",
        lines[1]
    );
}

#[test]
fn eval_rejects_a_negative_pareto_amount_as_run_does() {
    // The same customer through `tier eval`, its class given or not: rejected, saying why.
    for given in [&["--set", "贡献=头部"][..], &[]] {
        let mut args = vec![
            "eval",
            SHOP,
            "--as-of",
            "2026-11-23",
            "--set",
            "销售额=-200万",
            "--set",
            "回款率=90%",
            "--set",
            "区域=华东",
        ];
        args.extend_from_slice(given);
        let out = run(&args);
        assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("tier::eval::negative_share") && out.stderr.contains("贡献"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn pareto_missing_amount_is_rejected_naming_the_data_column() {
    // Without `missing -> L`, a customer with no amount has no Pareto class; where that class
    // decides, the row is rejected naming the amount's column, not the class.
    let dir = tmp();
    let data = dir.path().join("m.csv");
    std::fs::write(&data, "客户,销售额\n甲,100\n乙,\n丙,20\n").unwrap();
    let head = "ruleset \"m\"\ninput {\n  客户 text column \"客户\"\n  销售额 money(万)? column \"销售额\"\n}\nrelative ABC = pareto 销售额 { A 65%  B 85%  C rest }\n";
    let rulesets = [
        format!("{head}output {{ grade ABC }}\ntag 无名 when 客户 = \"\"\n"),
        format!("{head}grade 等级 {{\n  重点 when ABC in {{A, B}}\n  普通 otherwise\n}}\ntag 无名 when 客户 = \"\"\n"),
    ];
    for (i, text) in rulesets.iter().enumerate() {
        let ruleset = dir.path().join(format!("m{i}.tier"));
        std::fs::write(&ruleset, text).unwrap();
        let rejects = dir.path().join("rejects.json");
        let out = run(&[
            "run",
            ruleset.to_str().unwrap(),
            data.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "-q",
            "--rejects",
            rejects.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&rejects).unwrap()).unwrap();
        let r = &r.as_array().unwrap()[..];
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0]["row"], 3);
        assert_eq!(r[0]["column"], "销售额", "{r:?}");
        let reason = r[0]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("销售额 is missing") && reason.contains("ABC has no class"),
            "{reason}"
        );
    }
}

/// Reading a ruleset is bounded: a device that never ends is refused after the size limit
/// (16 MiB), quickly and with a clear error, by every command that reads rulesets.
#[test]
fn endless_rulesets_are_refused_quickly() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    for args in [
        &["check", "/dev/zero"][..],
        &["fmt", "/dev/zero"],
        &["fmt", "--check", "/dev/zero"],
        &["test", "/dev/zero"],
        &["eval", "/dev/zero"],
    ] {
        let out = tier()
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("tier::limit::size") && stderr.contains("larger than 16 MiB"),
            "{args:?}: {stderr}"
        );
        assert!(
            matches!(out.status.code(), Some(1 | 3)),
            "{args:?}: {stderr}"
        );
    }
}

/// Reads a `--summary` file.
fn summary_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("summary written")).unwrap()
}

/// Blank rows (a CSV row of empty cells, an empty line, a JSON record of nulls) are neither
/// graded nor rejected: they are counted and listed as skipped, so rows read = graded + rejected
/// + skipped, and nothing vanishes from the count.
#[test]
fn blank_rows_are_counted_and_listed_as_skipped() {
    let dir = tmp();
    let rows = shop_rows();
    let line = |i: usize| rows[i].join(",");
    let csv = [
        line(0),
        line(1),
        ",,,,".into(),
        line(2),
        String::new(),
        line(3),
    ]
    .join("\n")
        + "\n";
    let headers = &rows[0];
    let object = |i: usize| -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (h, v) in headers.iter().zip(&rows[i]) {
            m.insert(h.to_string(), serde_json::Value::String(v.to_string()));
        }
        serde_json::Value::Object(m)
    };
    let nulls: serde_json::Value = serde_json::json!({"客户名称": null, "区域": null});
    let json = serde_json::Value::Array(vec![
        object(1),
        nulls.clone(),
        object(2),
        serde_json::json!({}),
        object(3),
    ]);
    let ndjson = format!("{}\n{nulls}\n\n{}\n{}\n", object(1), object(2), object(3));
    for (name, body, skipped) in [
        ("blank.csv", csv, [3, 5]),
        ("blank.json", json.to_string(), [2, 4]),
        ("blank.ndjson", ndjson, [2, 3]),
    ] {
        let input = dir.path().join(name);
        std::fs::write(&input, body).unwrap();
        let summary = dir.path().join(format!("{name}.summary.json"));
        let out = run(&[
            "run",
            SHOP,
            input.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "--summary",
            summary.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let s = summary_json(&summary);
        let n = |k: &str| {
            s[k].as_u64()
                .unwrap_or_else(|| panic!("{name}: no {k} in {s}"))
        };
        assert_eq!(n("rows_graded"), 3, "{name}");
        assert_eq!(n("rows_skipped"), 2, "{name}");
        assert_eq!(n("rows_read"), 5, "{name}");
        assert_eq!(
            n("rows_read"),
            n("rows_graded") + n("rows_rejected") + n("rows_skipped")
        );
        assert_eq!(s["skipped_rows"], serde_json::json!(skipped), "{name}");
        let shown = format!("2 blank rows skipped (rows {}, {})", skipped[0], skipped[1]);
        assert!(out.stderr.contains(&shown), "{name}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("5 read = 3 graded + 0 rejected + 2 skipped"),
            "{}",
            out.stderr
        );
    }
}

/// `1e400` in a JSON file is one bad cell: its row is rejected with file, row, column and
/// reason; the other rows are graded.
#[test]
fn a_json_number_beyond_floats_rejects_one_row() {
    let dir = tmp();
    let rows = shop_rows();
    for (name, sep, start, end) in [("big.json", ",", "[", "]"), ("big.ndjson", "\n", "", "\n")] {
        let records: Vec<String> = rows[1..]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let amount = if i == 1 { "1e400".to_string() } else { r[2].to_string() };
                format!(
                    r#"{{"客户名称": "{}", "区域": "{}", "年度销售额(万元)": {amount}, "回款率": "{}", "最近联系日期": "{}"}}"#,
                    r[0], r[1], r[3], r[4]
                )
            })
            .collect();
        let input = dir.path().join(name);
        std::fs::write(&input, format!("{start}{}{end}", records.join(sep))).unwrap();
        let rejects = dir.path().join(format!("{name}.rejects.csv"));
        let out = run(&[
            "run",
            SHOP,
            input.to_str().unwrap(),
            "--as-of",
            "2026-11-23",
            "--rejects",
            rejects.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(
            out.stdout.lines().count(),
            1 + 4,
            "{name}: four rows graded"
        );
        let rejected = graded(&rejects);
        let line = rejected.lines().nth(1).unwrap_or_default().to_string();
        assert!(
            line.contains(",2,") && line.contains("年度销售额(万元)") && line.contains("1e+400"),
            "{name}: {rejected}"
        );
    }
}

/// A file mixing encodings: the error or the rejected rows say which encoding was detected,
/// that the bytes are not valid in it, and how to choose one with `--encoding`.
#[test]
fn mixed_encodings_are_named_with_the_encoding_flag() {
    let dir = tmp();
    let text = std::fs::read_to_string(SHOP_CSV).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    // A UTF-8 header (a script wrote it) over rows from a GBK export.
    let mut bytes = format!("{}\n", lines[0]).into_bytes();
    bytes.extend(gbk(&(lines[1..].join("\n") + "\n")));
    let input = dir.path().join("utf8_header.csv");
    std::fs::write(&input, &bytes).unwrap();
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    // miette wraps lines anywhere: words are looked for without the wrapping and the spaces.
    let squeezed: String = out
        .stderr
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    for word in ["UTF-8", "gb18030", "--encodingutf-8"] {
        assert!(squeezed.contains(word), "`{word}` missing: {}", out.stderr);
    }
    // Read as UTF-8, as the help says: the GBK rows are rejected, each saying why.
    let rejects = dir.path().join("rejects.csv");
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--encoding",
        "utf-8",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rejected = graded(&rejects);
    assert_eq!(rejected.lines().count(), 1 + 5, "{rejected}");
    assert!(
        rejected.contains("not valid UTF-8") && rejected.contains("--encoding"),
        "{rejected}"
    );

    // A GBK header over UTF-8 rows: detected as GB18030, the UTF-8 rows are rejected.
    let mut bytes = gbk(&(lines[..3].join("\n") + "\n"));
    bytes.extend((lines[3..].join("\n") + "\n").into_bytes());
    let input = dir.path().join("gbk_header.csv");
    std::fs::write(&input, &bytes).unwrap();
    let out = run(&[
        "run",
        SHOP,
        input.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rejected = graded(&rejects);
    assert!(rejected.lines().count() > 1, "{rejected}");
    for word in ["gb18030", "detected", "--encoding"] {
        assert!(rejected.contains(word), "`{word}` missing: {rejected}");
    }
}

/// An endless input (`/dev/zero`) ends quickly with a clear error, in bounded memory.
#[cfg(unix)]
#[test]
fn an_endless_input_ends_with_an_error() {
    for extra in [
        &[][..],
        &["--input-format", "ndjson"][..],
        &["--input-format", "json"][..],
    ] {
        let mut args = vec!["run", SHOP, "/dev/zero", "--as-of", "2026-11-23"];
        args.extend_from_slice(extra);
        let out = tier()
            .args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{extra:?}: {stderr}");
        assert!(stderr.contains("tier::data::read"), "{extra:?}: {stderr}");
    }
    // The same stream on standard input: spooled within the same bounds, not to a full disk.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tier"))
        .args(["run", SHOP, "-", "--as-of", "2026-11-23"])
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open("/dev/zero").expect("/dev/zero"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("tier run - < /dev/zero did not end within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert_eq!(status.code(), Some(3), "stdin: {stderr}");
    assert!(stderr.contains("16 MiB"), "stdin: {stderr}");
}

/// No command ever panics (exit 101) on the fuzz corpus (fuzz/corpus/{parse,check,fmt}, the
/// shipped rulesets, fixtures and the crashes fuzzing found) or on hostile files: a line past
/// 65,535 columns with an error, nesting far past the limit, an empty file, bytes that are not
/// UTF-8. `check`, `test` and `fmt --check` take every file in one run; `eval` one at a time.
#[test]
fn no_command_panics_on_the_fuzz_corpus() {
    let dir = tmp();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for target in ["parse", "check", "fmt"] {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        let mut entries: Vec<_> = std::fs::read_dir(&corpus)
            .expect("the fuzz corpus exists")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).expect("readable");
            // The targets share most of their seeds: each text once.
            if seen.insert(bytes.clone()) {
                let copy = dir.path().join(format!("{}.tier", files.len()));
                std::fs::write(&copy, bytes).expect("write copy");
                files.push(copy);
            }
        }
    }
    assert!(files.len() > 50, "only {} corpus files", files.len());
    let hostile = [
        format!(
            "ruleset \"x\"\ninput {{\n  a number\n}}\nlet b = a {}+ zz\n",
            "\t".repeat(35_000)
        ),
        format!("let b = a {}+ zz\n", " ".repeat(70_000)),
        format!("let x = {}1{}\n", "(".repeat(30_000), ")".repeat(30_000)),
        format!("ruleset \"x\"\nlet x = {}yes\n", "not\n".repeat(20_000)),
        format!("ruleset \"x\"\nlet x = {}\n", vec!["1"; 5_000].join(" + ")),
    ];
    for text in &hostile {
        let path = dir.path().join(format!("{}.tier", files.len()));
        std::fs::write(&path, text).expect("write hostile file");
        files.push(path);
    }
    let not_utf8 = dir.path().join("not_utf8.tier");
    std::fs::write(&not_utf8, b"ruleset \"\xff\xfe\"\n").expect("write");
    files.push(not_utf8);
    files.push("/dev/null".into());

    let check = |args: &[&str], paths: &[std::path::PathBuf]| {
        let out = tier()
            .args(args)
            .args(paths)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {stderr}");
        assert!(out.status.code().is_some(), "{args:?} was killed: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    };
    let paths: Vec<_> = files.iter().filter(|p| p.exists()).cloned().collect();
    check(&["check"], &paths);
    check(&["check", "--format", "json"], &paths);
    check(&["test", "--as-of", "2026-11-23"], &paths);
    check(&["fmt", "--check"], &paths);
    for path in &paths {
        check(
            &["eval", "--as-of", "2026-11-23"],
            std::slice::from_ref(path),
        );
    }
}

#[path = "cli/exit_codes.rs"]
mod exit_codes;
#[path = "cli/language.rs"]
mod language;
#[path = "cli/report.rs"]
pub(crate) mod report;
#[path = "cli/safety.rs"]
mod safety;
#[path = "cli/summary_sheet.rs"]
mod summary_sheet;

/// `--no-reasons` leaves the reasons column empty, also for rows with tags (it once wrote the
/// separators of the empty sentences: `; `).
#[test]
fn no_reasons_leaves_the_reasons_column_empty() {
    let out = run(&[
        "run",
        "rulesets/distributor_composite.tier",
        "rulesets/samples/distributor_composite.gbk.csv",
        "--as-of",
        "2026-11-23",
        "-q",
        "--no-reasons",
        "--format",
        "ndjson",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut tagged = 0;
    for line in out.stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("an NDJSON row");
        if row["标签"].as_str().is_some_and(|t| !t.is_empty()) {
            tagged += 1;
        }
        assert!(
            row["原因"].is_null() || row["原因"] == "",
            "reasons written with --no-reasons: {line}"
        );
    }
    assert!(tagged > 10, "the sample has tagged rows ({tagged})");
}
