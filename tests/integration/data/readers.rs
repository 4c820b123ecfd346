//! Readers: every input format and encoding.

use super::*;

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
    assert_eq!(missing.code, Code::DataRead);
    assert!(missing.message.contains("nope.csv"), "{}", missing.message);

    let empty = write_temp(&dir, "empty.csv", b"");
    let e = open(&empty, &opts).err().unwrap();
    assert_eq!(e.code, Code::DataRead);

    let json = write_temp(&dir, "bad.json", b"[\n  {\"a\": 1},\n  {\"a\": }\n]");
    let e = open(&json, &opts).err().unwrap();
    assert_eq!(e.code, Code::DataRead);
    assert!(e.message.contains("line 3, column 9"), "{}", e.message);

    let xlsx = write_temp(&dir, "broken.xlsx", b"PK\x03\x04 not really a zip");
    let e = open(&xlsx, &opts).err().unwrap();
    assert_eq!(e.code, Code::DataRead);

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
    // The number's own text (serde_json writes the exponent as `e+3`), read exactly.
    assert_eq!(rows[2].cells, [Cell::Empty, text("1e+3")]);
    assert_eq!(
        parser(TypeKind::Money(Scale::One)).parse(&rows[2].cells[1]),
        money("1000")
    );
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
    assert_eq!(e.code, Code::DataRead);
    assert_eq!(e.help.as_deref(), Some("did you mean `客户清单`?"));
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

/// Garbage files give diagnostics or row errors, never a panic.
#[test]
fn no_panic_on_garbage_files() {
    let pieces: [&[u8]; 16] = [
        b",",
        b"\t",
        b";",
        b"\"",
        b"\n",
        b"\r\n",
        b"[",
        b"]",
        b"{",
        b"}",
        b":",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xC4\xE3",
        "客户".as_bytes(),
        b"null",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let len = (next() % 40) as usize;
        let mut bytes = Vec::new();
        for _ in 0..len {
            bytes.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let format = [
            InputFormat::Csv,
            InputFormat::Json,
            InputFormat::Ndjson,
            InputFormat::Xlsx,
        ][i % 4];
        let opts = ReadOptions {
            format: Some(format),
            ..ReadOptions::default()
        };
        let p = write_temp(&dir, "g.dat", &bytes);
        if let Ok(src) = open(&p, &opts) {
            for _ in src {}
        }
        let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(bytes));
        if let Ok(src) = tier::data::open_stream(stream, "<stdin>", &opts) {
            for _ in src {}
        }
    }
}

#[test]
fn json_tables_of_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"[["客户", "金额", "日期"], ["甲", 12.5, "2026-11-01"], ["乙"], ["丙", 1, null, 9], ["丁", 2, null, null]]"#;
    let p = write_temp(&dir, "t.json", json.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["客户", "金额", "日期"]);
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3, 5]);
    assert_eq!(texts(&rows[0]), ["甲", "12.5", "2026-11-01"]);
    assert_eq!(rows[1].cells, [text("乙"), Cell::Empty, Cell::Empty]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 4);
    assert_eq!(
        errors[0].reason,
        "record 4: row has 4 cells, the header has 3"
    );
}

#[test]
fn utf16_without_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = sample_csv("\t")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let p = write_temp(&dir, "unicode.txt", &bytes);
    assert_sample(open(&p, &ReadOptions::default()).unwrap(), "UTF-16LE");
}

#[test]
fn a_title_above_the_header_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let body = "客户档案（导出于2026-11-23）,,,\n客户名称,年度销售额,回款率,最近联系日期\n甲,1,2%,2026-11-01\n";
    let p = write_temp(&dir, "titled.csv", body.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, SAMPLE_HEADERS);
    assert!(errors.is_empty());
    assert_eq!(rows[0].row, 3);
    // A one-column file has no title: its header stays.
    let p = write_temp(&dir, "one.csv", "客户\n甲\n乙\n".as_bytes());
    let (headers, rows, _) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["客户"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row, 2);
    // Nor has a two-column file whose second column is unnamed: no row is taken for a header.
    let p = write_temp(&dir, "two.csv", "客户,\n甲,1\n乙,2\n".as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["客户"]);
    assert_eq!(rows.len() + errors.len(), 2);

    use rust_xlsxwriter::Workbook;
    let path = dir.path().join("titled.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "2026年客户清单").unwrap();
    for (i, h) in SAMPLE_HEADERS.iter().enumerate() {
        sheet.write_string(2, i as u16, *h).unwrap();
    }
    sheet.write_string(3, 0, "甲").unwrap();
    book.save(&path).unwrap();
    let (headers, rows, _) = read_all(open(&path, &ReadOptions::default()).unwrap());
    assert_eq!(headers, SAMPLE_HEADERS);
    assert_eq!(rows[0].row, 4);
}

#[test]
fn ndjson_named_json_is_read_as_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "export.json", b"{\"a\": 1}\n{\"a\": 2}\n");
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["a"]);
    assert_eq!(rows.len(), 2);
    assert!(errors.is_empty());
}

#[test]
fn gbk_streams_across_buffer_boundaries_and_rejects_only_broken_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::from("客户名称,区域,备注\n");
    for i in 0..6000 {
        body.push_str(&format!("华东贸易有限公司{i},华东,“重点”客户——第{i}号\n"));
    }
    let (gbk, _, _) = encoding_rs::GBK.encode(&body);
    let mut bytes = gbk.into_owned();
    assert!(bytes.len() > 3 * 65536);
    // One broken row at the end: a lead byte with an impossible trail byte.
    bytes.extend_from_slice(b"\xB1\x20\xC4,x,y\n");
    bytes.extend_from_slice(&encoding_rs::GBK.encode("最后一行,华北,无\n").0);
    let p = write_temp(&dir, "big_gbk.csv", &bytes);
    for stdin in [false, true] {
        let src = if stdin {
            let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(bytes.clone()));
            tier::data::open_stream(stream, "<stdin>", &ReadOptions::default()).unwrap()
        } else {
            open(&p, &ReadOptions::default()).unwrap()
        };
        assert_eq!(src.encoding(), "gb18030");
        let (headers, rows, errors) = read_all(src);
        assert_eq!(headers, ["客户名称", "区域", "备注"]);
        assert_eq!(rows.len(), 6001);
        assert_eq!(texts(&rows[5999])[0], "华东贸易有限公司5999");
        assert_eq!(texts(&rows[5999])[2], "“重点”客户——第5999号");
        assert_eq!(texts(&rows[6000]), ["最后一行", "华北", "无"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].row, 6002);
        assert!(
            errors[0]
                .reason
                .starts_with("the row's bytes are not valid gb18030 text (the encoding detected"),
            "{}",
            errors[0].reason
        );
    }
}

#[test]
fn rows_built_in_memory() {
    let src = tier::data::VecSource::new(
        "given",
        vec!["a".into(), "b".into()],
        vec![
            vec![text("1"), Cell::Empty],
            vec![Cell::Number(2.0), text("x")],
        ],
    );
    assert_eq!(src.source_name(), "given");
    let (headers, rows, errors) = read_all(Box::new(src));
    assert_eq!(headers, ["a", "b"]);
    assert!(errors.is_empty());
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 3]);
}

/// Old Mac exports end their lines with CR alone. CR, LF and CRLF are each one line end, even
/// mixed in one file; a CR inside a quoted cell stays in the cell.
#[test]
fn cr_lf_and_crlf_all_end_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut mac = "客户,金额\r".to_string();
    for i in 0..100 {
        mac.push_str(&format!("客户{i},{i}\r"));
    }
    let p = write_temp(&dir, "mac.csv", mac.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["客户", "金额"]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), 100, "a hundred customers, not one giant header");
    assert_eq!((rows[0].row, rows[99].row), (2, 101));
    assert_eq!(texts(&rows[99]), ["客户99", "99"]);

    let mixed = "a,b,c\r1,2,3\r4,5,6\r\n7,8,9\n\"x\ry\",10,11\r12,13,14";
    let p = write_temp(&dir, "mixed.csv", mixed.as_bytes());
    let (headers, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(headers, ["a", "b", "c"]);
    assert!(errors.is_empty(), "{errors:?}");
    let numbers: Vec<usize> = rows.iter().map(|r| r.row).collect();
    assert_eq!(numbers, [2, 3, 4, 5, 7]);
    assert_eq!(texts(&rows[3]), ["x\ry", "10", "11"]);
    assert_eq!(texts(&rows[4]), ["12", "13", "14"]);
}

/// A quote that never closes would take the rest of the file into one cell. The row where it
/// opens is rejected, naming the line and character of the quote; the lines it took in are read
/// again as rows of their own.
#[test]
fn an_unclosed_quote_is_located_and_the_lines_after_it_are_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let body = "客户,金额,备注\n甲,1,\"two\nlines\"\n乙,2,\"broken\n丙,3,x\n丁,4,y\n";
    let p = write_temp(&dir, "quote.csv", body.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 5, 6]);
    assert_eq!(texts(&rows[0]), ["甲", "1", "two\nlines"]);
    assert_eq!(texts(&rows[1]), ["丙", "3", "x"]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!((e.row, e.column.as_deref()), (4, Some("备注")));
    assert!(
        e.reason.contains("line 4, character 5")
            && e.reason.contains("never closed")
            && e.reason.contains("the 2 lines after it"),
        "{}",
        e.reason
    );

    // The quote opens on the last line: only that row is rejected.
    let p = write_temp(&dir, "last.csv", "a,b\n1,2\n3,\"4\n".as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].row, errors[0].column.as_deref()), (3, Some("b")));

    // An unclosed quote in the header is a located error for the file.
    let p = write_temp(&dir, "header.csv", "a,\"b,c\n1,2,3\n4,5,6\n".as_bytes());
    let e = open(&p, &ReadOptions::default()).err().unwrap();
    assert_eq!(e.code, Code::DataRead);
    assert!(e.message.contains("line 1, character 3"), "{}", e.message);
}

/// Cells, records and lines have size limits (documented in `tier::data`): a cell over 1 MiB
/// and a quoted cell running past 16 MiB cost their row; a line over 16 MiB with no line break
/// stops the reading with an error, instead of reading an endless stream into memory.
#[test]
fn oversized_cells_records_and_lines_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let big_cell = "x".repeat((1 << 20) + 1);
    let body = format!("a,b\n1,{big_cell}\n2,3\n");
    let p = write_temp(&dir, "cell.csv", body.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [3]);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].row, errors[0].column.as_deref()), (2, Some("b")));
    assert!(errors[0].reason.contains("1 MiB"), "{}", errors[0].reason);

    // A quote opened on row 2 and not closed within 16 MiB: row 2 is rejected, the 17,000 lines
    // after it are read as rows.
    let mut body = String::from("a,b\n1,\"open\n");
    let line = format!("{},y\n", "z".repeat(1021));
    for _ in 0..17_000 {
        body.push_str(&line);
    }
    let p = write_temp(&dir, "record.csv", body.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(errors.len(), 1, "{:?}", errors.first());
    assert_eq!(errors[0].row, 2);
    assert!(
        errors[0].reason.contains("not closed within 16 MiB"),
        "{}",
        errors[0].reason
    );
    assert_eq!(rows.len(), 17_000);
    assert_eq!((rows[0].row, rows[16_999].row), (3, 17_002));

    // A line of 17 MiB without a line break: reading stops there, with a row error saying why.
    let mut body = b"a,b\n1,2\n".to_vec();
    body.resize(body.len() + (17 << 20), b'x');
    body.extend_from_slice(b"\n3,4\n");
    let p = write_temp(&dir, "line.csv", &body);
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 3);
    assert!(errors[0].reason.contains("16 MiB"), "{}", errors[0].reason);
}

/// A JSON number too large for a float (`1e400`) is one bad cell, not a broken file: the cell
/// keeps the number's text, and the cell parser rejects that one row.
#[test]
fn json_numbers_beyond_floats_are_cells_not_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"[{"a": 1e400, "b": 0.1}, {"a": 12.50, "b": -0}]"#;
    let p = write_temp(&dir, "big.json", json.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&rows[0]), ["1e+400", "0.1"]);
    assert_eq!(
        texts(&rows[1]),
        ["12.50", "-0"],
        "numbers keep their own digits"
    );
    let nd = "{\"a\": 1e400}\n{\"a\": 2}\n";
    let p = write_temp(&dir, "big.ndjson", nd.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(texts(&rows[0]), ["1e+400"]);
    let e = parser(TypeKind::Money(Scale::One)).parse(&rows[0].cells[0]);
    assert!(e.is_err());
}

// ---------------------------------------------------------------------------------------------
// Properties: every row read is accounted for, whatever the bytes
// ---------------------------------------------------------------------------------------------

/// Bytes that make CSV and JSON interesting, plus any byte at all.
fn bytes_strategy() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let pieces: Vec<&'static [u8]> = vec![
        b",",
        b"\"",
        b"\"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"a",
        b"1",
        b"{}",
        b"{\"a\":1}",
        b"{\"a\":null}",
        b"[",
        b"]",
        b":",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\xC4\xE3",
        b"\xE4\xB8\xAD",
        b"1e400",
        b";",
        b"\t",
        b",,,",
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        proptest::collection::vec(proptest::sample::select(pieces), 0..64).prop_map(|p| p.concat()),
    ]
}

/// Reads a whole source: the row numbers of rows, of row errors and of skipped rows.
fn row_numbers(mut src: Box<dyn RowSource>) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let (mut ok, mut err) = (Vec::new(), Vec::new());
    for item in src.by_ref() {
        match item {
            Ok(r) => ok.push(r.row),
            Err(e) => err.push(e.row),
        }
    }
    assert_eq!(src.skipped_blank(), src.skipped_rows().len());
    (ok, err, src.skipped_rows().to_vec())
}

/// The rows of CSV text after a header line of `width` cells, as the `tier::data` docs define
/// them: every record and every empty line is one row, numbered by the line it starts on; CR,
/// LF and CRLF each end a line; a quote still open at the end of the input, or one whose cell
/// holds a line with a row's delimiters (`width - 1`, at least 3), rejects its record, and the
/// lines after the quote's line are read again. A reference written apart from the reader.
fn reference_csv_rows(data: &[u8], delimiter: u8, width: usize) -> Vec<usize> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let brk = |i: usize| -> usize {
        if data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        }
    };
    let mut rows = Vec::new();
    let (mut i, mut line) = (0, 2);
    'records: while i < data.len() {
        if matches!(data[i], b'\r' | b'\n') {
            rows.push(line);
            line += 1;
            i += brk(i);
            continue;
        }
        let first = line;
        let mut state = S::Start;
        let (mut quote, mut quote_line) = (0, 0);
        // The first quote whose cell holds a line that looks like a row.
        let mut out_of_place: Option<(usize, usize)> = None;
        let mut j = i;
        while j < data.len() {
            let b = data[j];
            let end_of_line = matches!(b, b'\r' | b'\n');
            state = match state {
                S::Start if b == b'"' => {
                    quote = j;
                    quote_line = line;
                    S::Quoted
                }
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => {
                    if end_of_line {
                        line += 1;
                        j += brk(j);
                        // Delimiters on the next line, before the cell's closing quote.
                        let mut n = 0;
                        let mut k = j;
                        while k < data.len() {
                            match data[k] {
                                b'"' if data.get(k + 1) == Some(&b'"') => k += 1,
                                b'"' | b'\r' | b'\n' => break,
                                b if b == delimiter => n += 1,
                                _ => {}
                            }
                            k += 1;
                        }
                        if n >= (width - 1).max(3) && out_of_place.is_none() {
                            out_of_place = Some((quote, quote_line));
                        }
                        continue;
                    }
                    S::Quoted
                }
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                _ if b == delimiter => S::Start,
                _ if end_of_line => {
                    rows.push(first);
                    line += 1;
                    i = j + brk(j);
                    if let Some(q) = out_of_place {
                        (quote, quote_line) = q;
                        break;
                    }
                    continue 'records;
                }
                _ => S::Unquoted,
            };
            j += 1;
        }
        if j >= data.len() {
            rows.push(first);
            if state != S::Quoted {
                match out_of_place {
                    Some(q) => (quote, quote_line) = q,
                    None => break,
                }
            }
        }
        // Unclosed: read again from the line after the quote's.
        match data[quote + 1..]
            .iter()
            .position(|b| matches!(b, b'\r' | b'\n'))
        {
            Some(k) => {
                i = quote + 1 + k + brk(quote + 1 + k);
                line = quote_line + 1;
            }
            None => break,
        }
    }
    rows
}

#[test]
fn reference_rows_follow_the_documented_rules() {
    assert_eq!(
        reference_csv_rows(b"1\r2\r\n\n\"x\ny\"\r\n3", b',', 3),
        [2, 3, 4, 5, 7]
    );
    assert_eq!(reference_csv_rows(b"1,\"a\n2\r\n3", b',', 3), [2, 3, 4]);
    // A quoted cell holding a line with a row's delimiters: lines 3 and 4 are read again.
    assert_eq!(
        reference_csv_rows(b"1,\"a\n2,3,4,5\n6,\"\n7", b',', 3),
        [2, 3, 4, 5]
    );
    assert_eq!(reference_csv_rows(b"1,\"a\n2,3\"\n4", b',', 3), [2, 4]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any bytes under a header, read as CSV: every row is yielded, rejected or skipped, once,
    /// with the row number the documented rules give; nothing panics.
    #[test]
    fn any_bytes_as_csv_account_for_every_row(data in bytes_strategy()) {
        let mut bytes = b"a,b,c\n".to_vec();
        bytes.extend_from_slice(&data);
        let opts = ReadOptions {
            format: Some(InputFormat::Csv),
            delimiter: Some(b','),
            ..ReadOptions::default()
        };
        let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(bytes));
        let src = match tier::data::open_stream(stream, "<stdin>", &opts) {
            Ok(src) => src,
            Err(d) => {
                // Only an encoding detected as UTF-16 can garble the fixed header.
                proptest::prop_assert_eq!(d.code, Code::DataRead);
                return Ok(());
            }
        };
        let encoding = src.encoding().to_string();
        proptest::prop_assert!(src.stopped().is_none());
        let (ok, err, skipped) = row_numbers(src);
        let text = match encoding.as_str() {
            "UTF-8" => data.clone(),
            "gb18030" => encoding_rs::GB18030.decode_without_bom_handling(&data).0.into_owned().into_bytes(),
            _ => return Ok(()), // UTF-16: another file altogether
        };
        let mut got: Vec<usize> = ok.iter().chain(&err).chain(&skipped).copied().collect();
        got.sort_unstable();
        proptest::prop_assert_eq!(got, reference_csv_rows(&text, b',', 3));
    }

    /// Any bytes read as NDJSON: every line is a row (yielded, rejected or skipped), once.
    #[test]
    fn any_bytes_as_ndjson_account_for_every_line(data in bytes_strategy()) {
        let opts = ReadOptions {
            format: Some(InputFormat::Ndjson),
            ..ReadOptions::default()
        };
        let lines = data.split(|&b| b == b'\n').count() - usize::from(data.last().is_none_or(|&b| b == b'\n'));
        let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(data));
        let src = tier::data::open_stream(stream, "<stdin>", &opts).unwrap();
        let (ok, err, skipped) = row_numbers(src);
        let mut got: Vec<usize> = ok.iter().chain(&err).chain(&skipped).copied().collect();
        got.sort_unstable();
        proptest::prop_assert_eq!(got, (1..=lines).collect::<Vec<_>>());
    }
}

/// The cell limit holds for JSON and NDJSON too: the row is rejected, naming its column.
#[test]
fn oversized_json_cells_reject_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat((1 << 20) + 1);
    let nd = format!("{{\"a\": 1, \"b\": \"{big}\"}}\n{{\"a\": 2, \"b\": \"y\"}}\n");
    let json = format!("[{}]", nd.trim_end().replace('\n', ","));
    for (name, body) in [("big.ndjson", nd), ("big.json", json)] {
        let p = write_temp(&dir, name, body.as_bytes());
        let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
        assert_eq!(
            rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            [2],
            "{name}"
        );
        assert_eq!(errors.len(), 1, "{name}");
        assert_eq!((errors[0].row, errors[0].column.as_deref()), (1, Some("b")));
        assert!(errors[0].reason.contains("1 MiB"), "{}", errors[0].reason);
    }
}

/// A stray quote in a file with quoted cells pairs up with the next quoted cell's opening quote
/// and takes the lines between into one cell, without reaching the end of the file. A quoted
/// cell with a line inside it that looks like a row of the file (as many delimiters as a row
/// has, and at least three) rejects its row, and the lines after the quote are read again. A
/// multi-line note with a comma or two is left alone.
#[test]
fn a_stray_quote_is_found_by_the_rows_it_took_in() {
    let dir = tempfile::tempdir().unwrap();
    let body = "客户,区域,金额,备注\n甲,华东,1,\"第一行\n第二行, 有逗号\"\n乙,华东,\"2,x\n丙,华南,3,y\n丁,华北,4,\"好,的\"\n戊,华北,5,z\n";
    let p = write_temp(&dir, "stray.csv", body.as_bytes());
    let (_, rows, errors) = read_all(open(&p, &ReadOptions::default()).unwrap());
    assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 5, 6, 7]);
    assert_eq!(texts(&rows[0])[3], "第一行\n第二行, 有逗号");
    assert_eq!(texts(&rows[2]), ["丁", "华北", "4", "好,的"]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!((e.row, e.column.as_deref()), (4, Some("金额")));
    assert!(e.reason.contains("line 4, character 6"), "{}", e.reason);
    assert!(e.reason.contains("line 5"), "{}", e.reason);
}

/// A 6 KB workbook whose two cells span A1:XFD1048576: read cell by cell, it costs what its
/// cells cost. (Loaded whole, calamine allocated the whole 17-billion-cell range: 15 GB and
/// minutes for this file.) The far cell is outside the header, so its row is rejected; the rows
/// in between are blank.
#[test]
fn xlsx_with_a_cell_at_the_far_corner_streams() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "客户").unwrap();
    sheet.write_string(1, 0, "华东贸易").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    book.save(&path).unwrap();

    let mut src = open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(src.headers(), ["客户"]);
    let rows: Vec<Result<RawRow, tier::data::RowError>> = src.by_ref().collect();
    assert_eq!(rows.len(), 2);
    let first = rows[0].as_ref().unwrap();
    assert_eq!(
        (first.row, first.cells.clone()),
        (2, vec![text("华东贸易")])
    );
    let far = rows[1].as_ref().unwrap_err();
    assert_eq!(far.row, 1_048_576);
    assert_eq!(far.reason, "row has 16384 cells, the header has 1");
    assert_eq!(src.skipped_blank(), 1_048_576 - 3);
}

/// The header's first filled cell is the first column: a value left of it is not silently
/// read under the wrong header.
#[test]
fn xlsx_cell_left_of_the_header_is_a_row_error() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("left.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (i, h) in ["客户", "销售额"].iter().enumerate() {
        sheet.write_string(0, 2 + i as u16, *h).unwrap();
    }
    sheet.write_string(1, 2, "甲").unwrap();
    sheet.write_number(1, 3, 5.0).unwrap();
    sheet.write_string(2, 0, "备注").unwrap();
    sheet.write_string(2, 2, "乙").unwrap();
    book.save(&path).unwrap();

    let mut src = open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(src.headers(), ["客户", "销售额"]);
    let rows: Vec<Result<RawRow, tier::data::RowError>> = src.by_ref().collect();
    assert_eq!(
        rows[0].as_ref().unwrap().cells,
        [text("甲"), Cell::Number(5.0)]
    );
    let e = rows[1].as_ref().unwrap_err();
    assert_eq!(e.row, 3);
    assert_eq!(e.raw.as_deref(), Some("备注"));
    assert!(e.reason.contains("left of the header"), "{}", e.reason);
}

/// A sheet whose XML breaks after its first customer: the row where reading stopped is an
/// error and the source says it stopped, so `tier run` writes nothing instead of a file that
/// silently lacks the rows after it.
#[test]
fn xlsx_broken_mid_sheet_stops_reading() {
    use rust_xlsxwriter::Workbook;
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "客户").unwrap();
    for r in 1..=3u32 {
        sheet.write_string(r, 0, format!("客户{r}")).unwrap();
    }
    book.save(&good).unwrap();

    // The same workbook, its sheet cut in the middle of the third row.
    let broken = dir.path().join("broken.xlsx");
    let mut zin = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&broken).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(bytes).unwrap();
            let cut = text.find("<row r=\"3\"").expect("row 3");
            bytes = text.as_bytes()[..cut + 20].to_vec();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();

    let mut src = open(&broken, &ReadOptions::default()).unwrap();
    let rows: Vec<Result<RawRow, tier::data::RowError>> = src.by_ref().collect();
    assert_eq!(rows[0].as_ref().unwrap().cells, [text("客户1")]);
    let last = rows.last().unwrap().as_ref().unwrap_err();
    assert!(
        last.reason.contains("cannot be read from here on"),
        "{}",
        last.reason
    );
    assert!(src.stopped().is_some(), "the source must say it stopped");

    let out = dir.path().join("graded.csv");
    let ruleset = dir.path().join("r.tier");
    std::fs::write(
        &ruleset,
        "ruleset \"r\"\ninput { 客户 text }\ngrade 等级 { A when 客户 = \"客户1\"  B otherwise }\n",
    )
    .unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tier"))
        .args(["run", "--as-of", "2026-11-23", "-o"])
        .arg(&out)
        .arg(&ruleset)
        .arg(&broken)
        .output()
        .unwrap();
    assert_ne!(run.status.code(), Some(0), "{run:?}");
    assert_ne!(run.status.code(), Some(101), "{run:?}");
    assert!(!out.exists(), "no output for a file read in part");
}
