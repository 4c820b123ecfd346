//! Writers: every output format, atomic writes, the rejects report.

use super::*;

use tier::data::{create_sink, write_rejects, OutputColumns, OutputFormat, RowError, WriteOptions};
use tier::eval::words::Lang;
use tier::outcome::{ComponentOutcome, GradeOutcome, Outcome, ScheduleOutcome, TagOutcome};

/// Snapshots live in `tests/integration/snapshots/` with the other snapshots.
fn snapshot(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| insta::assert_snapshot!(name, value));
}

fn columns() -> OutputColumns {
    OutputColumns {
        keep: vec![
            "客户名称".into(),
            "年度销售额".into(),
            "最近联系日期".into(),
        ],
        components: vec!["销售额".into(), "回款率".into()],
        subgrade: None,
        score: Some("得分".into()),
        follow_up: true,
        review: false,
        schedules: vec![],
        grade_name: "等级".into(),
        values: vec!["贡献".into()],
        as_of: Some("2026-11-23".parse().unwrap()),
        lang: Lang::Zh,
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
        values: vec![
            (
                Arc::from("销售额"),
                Value::Number(d("2000000"), Unit::Money),
            ),
            (
                Arc::from("贡献"),
                Value::Label(Label {
                    name: Arc::from("头部"),
                    rank: 0,
                }),
            ),
        ],
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
    write_file(
        &path,
        OutputFormat::Csv,
        &WriteOptions {
            bom: true,
            ..Default::default()
        },
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text_out = String::from_utf8(bytes[3..].to_vec()).unwrap();
    snapshot("csv_output", &text_out);

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
    assert_eq!(
        first["贡献"], "头部",
        "a relative grade as a column of its own"
    );
    assert_eq!(first["行动"], "专人服务；季度拜访");
    assert_eq!(first["负责人"], "大客户经理");
    assert_eq!(v[1]["年度销售额"].to_string(), "12.5");
    assert_eq!(v[2]["等级"], serde_json::Value::Null);
    assert_eq!(v[2]["标签"], serde_json::Value::Null, "empty is null");

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
    assert_eq!(
        rows[0].cells[2],
        Cell::Date(date(2026, 11, 1)),
        "an ISO date in a text cell becomes a date"
    );
    assert_eq!(rows[1].cells[2], Cell::Date(date(2026, 9, 1)));
    assert_eq!(rows[0].cells[3], text("B"));
    assert_eq!(rows[0].cells[4], Cell::Number(70.5));
    assert_eq!(rows[0].cells[7], text("头部"));
    assert_eq!(rows[0].cells[8], text("正常、重点"));
    assert_eq!(rows[0].cells[9], Cell::Date(date(2026, 11, 8)));
    assert_eq!(rows[1].cells[10], text("是"));
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
    snapshot("table_output", &table);
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
    assert_eq!(e.code, Code::DataWrite);
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
    let zh = WriteOptions {
        lang: Lang::Zh,
        ..WriteOptions::default()
    };
    write_rejects(&csv_path, &rejects, &WriteOptions::default()).unwrap();
    let (headers, _, _) = read_all(open(&csv_path, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["file", "row", "column", "raw", "reason"]);
    write_rejects(&csv_path, &rejects, &zh).unwrap();
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
    write_rejects(&json_path, &rejects, &WriteOptions::default()).unwrap();
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
fn kept_columns_never_collide_with_results() {
    let cols = OutputColumns {
        keep: vec![
            "客户".into(),
            "等级".into(),
            "得分".into(),
            "tier:等级".into(),
            "负责人".into(),
        ],
        score: Some("得分".into()),
        grade_name: "等级".into(),
        lang: Lang::Zh,
        ..OutputColumns::default()
    };
    let h = cols.headers();
    assert_eq!(
        h[..7],
        [
            "客户",
            "等级",
            "得分",
            "tier:等级",
            "负责人",
            "tier:等级2",
            "tier:得分"
        ]
        .map(String::from),
        "input columns keep their names; tier's clashing result columns are prefixed"
    );
    assert!(h.contains(&"tier:负责人".to_string()));
    assert_eq!(
        cols.renamed_results(),
        [
            ("等级", "tier:等级2"),
            ("得分", "tier:得分"),
            ("负责人", "tier:负责人")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let cols = OutputColumns {
        values: vec!["ABC".into(), "贡献".into(), "ABC".into(), "贡献".into()],
        grade_name: "ABC".into(),
        ..OutputColumns::default()
    };
    assert_eq!(
        cols.headers()[..2],
        ["ABC", "贡献"].map(String::from),
        "a relative that is the output grade, or named twice, gets one column"
    );
    let mut unique = h.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), h.len());
}

#[test]
fn xlsx_cuts_cells_over_excel_limit_and_warns() {
    // Excel counts UTF-16 units: 20,000 emoji are 40,000 of them. A header, a kept cell and
    // the reasons column over the limit are cut at a character, each with a marker and a
    // warning; past ten, one warning counts the rest. The file is complete.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let columns = OutputColumns {
        keep: vec!["列".repeat(33_000), "备注".into()],
        grade_name: "等级".into(),
        ..OutputColumns::default()
    };
    let mut sink = create_sink(
        Some(&path),
        OutputFormat::Xlsx,
        &columns,
        &WriteOptions::default(),
    )
    .unwrap();
    let long_reason = Outcome {
        grade: Some(GradeOutcome {
            name: Arc::from("等级"),
            label: Some(Arc::from("A")),
            color: None,
            action: None,
            owner: None,
            reason: "x".repeat(40_000),
            overridden: None,
        }),
        ..Outcome::default()
    };
    sink.write_row(&[text("甲"), text(&"😀".repeat(20_000))], &long_reason)
        .unwrap();
    for i in 0..10 {
        let kept = [text(&format!("客户{i}")), text(&"长".repeat(32_768))];
        sink.write_row(&kept, &Outcome::default()).unwrap();
    }
    let warnings = sink.warnings();
    sink.finish().unwrap();
    assert!(warnings
        .iter()
        .all(|w| w.code == Code::DataTruncated && !w.is_error()));
    assert_eq!(warnings.len(), 11, "ten listed, then a count");
    assert!(
        warnings[0].message.contains("row 1, column A"),
        "{}",
        warnings[0].message
    );
    assert!(
        warnings[1].message.contains("row 2, column B (备注)"),
        "{}",
        warnings[1].message
    );
    assert!(
        warnings[10].message.contains("3 more cells"),
        "{}",
        warnings[10].message
    );

    let (headers, rows, errors) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 11);
    let fits = |s: &str| s.encode_utf16().count() <= 32_767;
    let cut = |s: &str| -> (String, usize) {
        let (kept, marker) = s.rsplit_once('…').expect("a marker");
        let n = marker
            .strip_prefix("[truncated ")
            .and_then(|m| m.strip_suffix(" chars]"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("marker {marker}"));
        (kept.to_string(), n)
    };
    assert!(fits(&headers[0]));
    let (kept, n) = cut(&headers[0]);
    assert_eq!(kept, "列".repeat(33_000 - n));
    let emoji = rows[0].cells[1].to_text();
    assert!(fits(&emoji));
    let (kept, n) = cut(&emoji);
    assert_eq!(kept, "😀".repeat(20_000 - n), "no emoji is split");
    assert!(n < 4_000, "{n}");
    let reasons = rows[0].cells[columns.headers().len() - 1].to_text();
    assert!(
        fits(&reasons) && reasons.starts_with("xxx"),
        "{}",
        reasons.len()
    );
    assert_eq!(rows[10].cells[0], text("客户9"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Whatever text the cells hold (quotes, delimiters, CR, LF, CRLF, any Unicode), the CSV
    /// tier writes is CSV that tier reads back to the same cells. A row whose cells are all
    /// blank is a skipped row on the way back, as any blank row.
    #[test]
    fn csv_output_reads_back_to_the_same_cells(
        rows in proptest::collection::vec(
            proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<String>(),
                    "[a,\"\r\n ;\t中]{0,8}",
                ],
                3,
            ),
            1..8,
        )
    ) {
        // Raw (`--raw-csv`): exactly the same cells. Default: the same cells, except that text
        // a spreadsheet would run as a formula comes back with its leading `'`.
        for raw in [true, false] {
        let shown = |t: &String| -> String {
            if raw { t.clone() } else { tier::data::write::formula_safe(t).into_owned() }
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let columns = OutputColumns {
            keep: vec!["a".into(), "b".into(), "c".into()],
            components: vec![],
            subgrade: None,
            score: None,
            follow_up: false,
            review: false,
            schedules: vec![],
            grade_name: "等级".into(),
            values: vec![],
            as_of: None,
            lang: Lang::Zh,
        };
        let mut sink = create_sink(Some(&path), OutputFormat::Csv, &columns, &WriteOptions { raw_csv: raw, ..WriteOptions::default() }).unwrap();
        let cell = |t: &String| if t.is_empty() { Cell::Empty } else { text(t) };
        for row in &rows {
            let kept: Vec<Cell> = row.iter().map(cell).collect();
            sink.write_row(&kept, &Outcome::default()).unwrap();
        }
        sink.finish().unwrap();
        // tier writes UTF-8; read it as such (detection is not what is tested here).
        let opts = tier::data::ReadOptions {
            encoding: Some("utf-8".into()),
            ..tier::data::ReadOptions::default()
        };
        let (headers, read, errors) = read_all(tier::data::open(&path, &opts).unwrap());
        proptest::prop_assert!(errors.is_empty(), "{:?}", errors);
        proptest::prop_assert_eq!(&headers[..3], ["a", "b", "c"]);
        let want: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| r.iter().map(shown).collect::<Vec<String>>())
            .filter(|r| r.iter().any(|t| !t.trim().is_empty()))
            .map(|r| r.iter().map(cell).collect())
            .collect();
        let got: Vec<Vec<Cell>> = read.iter().map(|r| r.cells[..3].to_vec()).collect();
        proptest::prop_assert_eq!(got, want);
        }
    }
}

#[test]
fn named_schedules_have_columns_of_their_own() {
    let columns = OutputColumns {
        schedules: vec![("致电".into(), false), ("年检".into(), true)],
        ..columns()
    };
    let headers = columns.headers();
    let at = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}: {headers:?}"))
    };
    // After the main follow-up's columns, in declaration order.
    assert!(at("转公海") < at("致电.下次跟进"));
    assert_eq!(at("致电.下次跟进") + 1, at("致电.逾期"));
    assert_eq!(at("致电.逾期") + 1, at("致电.转公海"));
    assert_eq!(at("致电.转公海") + 1, at("年检.复评日期"));
    let call = ScheduleOutcome {
        last: None,
        next_due: Some("2026-11-27".parse().unwrap()),
        deadline: Some("2026-11-27".parse().unwrap()),
        overdue: false,
        reassign: true,
        reason: String::new(),
    };
    let mut o = outcome("A", "80", true);
    o.schedules = vec![("致电".into(), call)];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let mut sink = create_sink(
        Some(&path),
        OutputFormat::Csv,
        &columns,
        &WriteOptions::default(),
    )
    .unwrap();
    let (kept, _) = kept_rows().remove(0);
    sink.write_row(&kept, &o).unwrap();
    sink.finish().unwrap();
    let (read_headers, rows, errors) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty());
    assert_eq!(read_headers, headers);
    let cells = texts(&rows[0]);
    assert_eq!(cells[at("致电.下次跟进")], "2026-11-27");
    assert_eq!(cells[at("致电.逾期")], "否");
    assert_eq!(cells[at("致电.转公海")], "是");
    // A named review the outcome does not have: an empty cell.
    assert_eq!(cells[at("年检.复评日期")], "");
}
