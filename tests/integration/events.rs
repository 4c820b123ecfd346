//! Event inputs (`events … key … date …`) and aggregates, end to end through the real binary:
//! the shipped event rulesets (rulesets/events/) check clean, pass their tests and run on their
//! samples with `--events`; rejected events are listed; a run on events alone grades the
//! distinct keys; a ruleset with events does not lower to SQL.

use crate::cli::tier;

fn event_rulesets() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir("rulesets/events")
        .expect("rulesets/events/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tier"))
        .collect();
    v.sort();
    v
}

#[test]
fn event_rulesets_check_clean_pass_their_tests_and_are_formatted() {
    let rulesets = event_rulesets();
    assert!(!rulesets.is_empty());
    for path in rulesets {
        let p = path.to_str().unwrap();
        let out = tier().args(["check", p]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && err.contains("0 errors, 0 warnings"),
            "{p}: {err}"
        );
        tier().args(["test", p]).assert().success();
        tier().args(["fmt", "--check", p]).assert().success();
    }
}

#[test]
fn s8_on_trade_rows_grades_every_customer_and_lists_rejected_events() {
    let dir = tempfile::tempdir().unwrap();
    let graded = dir.path().join("graded.csv");
    let rejects = dir.path().join("rejects.csv");
    let summary = dir.path().join("summary.json");
    let report = dir.path().join("report.html");
    tier()
        .args([
            "run",
            "rulesets/events/contract_rolling_events.tier",
            "rulesets/events/samples/contract_rolling_events.csv",
            "--events",
            "交易=rulesets/events/samples/contract_rolling_events.交易.csv",
            "--as-of",
            "2026-11-23",
            "-q",
            "-o",
        ])
        .arg(&graded)
        .arg("--rejects")
        .arg(&rejects)
        .arg("--summary")
        .arg(&summary)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    // The report names the events file of a rejected event beside its row.
    let page = std::fs::read_to_string(&report).unwrap();
    assert!(
        page.contains(">contract_rolling_events.交易.csv 98<"),
        "{page}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(json["rows_read"], 30);
    assert_eq!(json["rows_graded"], 30);
    assert_eq!(json["events"][0]["rows_read"], 98);
    assert_eq!(json["events"][0]["rows_rejected"], 2);
    let rejects = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        rejects.contains("J999") && rejects.contains("no customer has this key"),
        "{rejects}"
    );
    assert!(rejects.contains("2026-13-01"), "{rejects}");
    let graded = std::fs::read_to_string(&graded).unwrap();
    assert_eq!(graded.lines().count(), 31);
    // J003's only trades are older than a year: C and 流失老客.
    let j003 = graded.lines().find(|l| l.starts_with("J003,")).unwrap();
    assert!(j003.contains(",C,流失老客,"), "{j003}");
}

#[test]
fn a_run_on_events_alone_grades_the_distinct_keys() {
    let out = tier()
        .args([
            "run",
            "tests/fixtures/events/members.tier",
            "--events",
            "消费=tests/fixtures/events/purchases.csv",
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    // Customers in the order their keys first appear; M1 has 11000 in two recent purchases.
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].starts_with("M1,A,"), "{text}");
    assert!(rows[1].starts_with("M2,B,"), "{text}");
    assert!(rows[2].starts_with("M3,C,"), "{text}");
}

#[test]
fn event_files_are_read_in_any_format_and_encoding() {
    let grade = |file: &str| {
        let out = tier()
            .args([
                "run",
                "tests/fixtures/events/members.tier",
                "--events",
                &format!("消费=tests/fixtures/events/{file}"),
                "--as-of",
                "2026-11-23",
                "--format",
                "csv",
                "-q",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let utf8 = grade("purchases.csv");
    assert_eq!(grade("purchases.gbk.csv"), utf8);
    assert_eq!(grade("purchases.ndjson"), utf8);
    // One declaration fed by two files (say, two months' exports) is the same as one file.
    let out = tier()
        .args([
            "run",
            "tests/fixtures/events/members.tier",
            "--events",
            "消费=tests/fixtures/events/purchases.part1.csv",
            "--events",
            "消费=tests/fixtures/events/purchases.part2.csv",
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), utf8);
}

#[test]
fn diff_refuses_a_ruleset_with_events_rather_than_grading_without_them() {
    let out = tier()
        .args([
            "diff",
            "tests/fixtures/events/trades.tier",
            "tests/fixtures/events/trades.tier",
            "tests/fixtures/events/customers.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tier::usage::events"));
}

#[test]
fn an_events_ruleset_without_its_file_is_a_usage_error() {
    let out = tier()
        .args([
            "run",
            "tests/fixtures/events/trades.tier",
            "tests/fixtures/events/customers.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tier::usage::events") && err.contains("--events 交易=FILE"),
        "{err}"
    );
}

#[test]
fn aggregates_lower_to_sql_as_group_bys_joined_by_key() {
    // tests/integration/sql.rs runs such queries on real engines; here, their shape.
    let out = tier()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "tests/fixtures/events/trades.tier",
            "--table",
            "customers",
            "--events",
            "交易=erp.trades",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("FROM \"erp\".\"trades\" AS tier_evsrc"),
        "{sql}"
    );
    assert!(sql.contains("GROUP BY tier_e0_f"), "{sql}");
    assert!(sql.contains("LEFT JOIN tier_agg0 AS tier_g0"), "{sql}");
}

#[test]
fn s11_on_an_order_export_alone_ranks_the_members_by_their_orders() {
    let out = tier()
        .args([
            "run",
            "rulesets/events/rfm_events.tier",
            "--events",
            "订单=rulesets/events/samples/rfm_events.订单.csv",
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rows: 60 read = 60 graded + 0 rejected"),
        "{err}"
    );
    assert!(err.contains("228 read = 227 folded + 1 rejected"), "{err}");
    assert!(err.contains("2026-02-30"), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    // Every member gets a three-digit code of quintiles.
    for line in text.lines().skip(1) {
        let code = line.split(',').nth(2).unwrap();
        assert!(
            code.len() == 3 && code.chars().all(|c| ('1'..='5').contains(&c)),
            "{line}"
        );
    }
}

#[test]
fn explain_lists_the_events_each_aggregate_counted_and_left_out() {
    let out = tier()
        .args([
            "explain",
            "tests/fixtures/events/trades.tier",
            "--set",
            "客户编号=J1",
            "--set",
            "所属方=甲方",
            "--events",
            "交易=tests/fixtures/events/trades.csv",
            "--as-of",
            "2026-11-23",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("sum(交易.金额 within 12 months where 状态 = 完成) = 55万"),
        "{text}"
    );
    assert!(
        text.contains("✓ 2026-11-01 (金额 = 30万, 状态 = 完成): counted"),
        "{text}"
    );
    assert!(
        text.contains("✗ 2025-06-01 (金额 = 100万, 状态 = 完成): left out by the window: on or before 2025-11-23"),
        "{text}"
    );
    assert!(text.contains("=> 客户分类 = A"), "{text}");
    // The bad row of the file is reported, not silently dropped.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rejected event") && err.contains("bad"),
        "{err}"
    );
}

/// The aggregates of one customer's events through the library: each function, window and
/// filter against values worked out by hand.
mod semantics {
    use tier::value::Value;

    const RULESET: &str = r#"
ruleset "aggregates"

input {
  会员号 text
}

events 消费 key 会员号 date 日期 {
  会员号 text
  日期   date
  金额   money?
  渠道   enum { 门店, 线上 }
}

let 总额     = sum(消费.金额)
let 近30天   = sum(消费.金额 within 30 days)
let 线上次数 = count(消费 where 渠道 = 线上)
let 次数     = count(消费)
let 天数     = distinct_days(消费)
let 月数     = distinct_months(消费)
let 最低     = min(消费.金额)
let 最高     = max(消费.金额)
let 平均     = average(消费.金额)
let 首笔     = first(消费.金额)
let 末笔     = last(消费.金额)
let 首日     = first_date(消费)
let 末日     = last_date(消费)
let 间隔     = days_since_last(消费)
let 日均     = daily_average(消费.金额 within 10 days)
let 本月     = sum(消费.金额 within this month)
let 本年     = sum(消费.金额 within this year)
let 本周     = sum(消费.金额 within this week)
let 月日均   = daily_average(消费.金额 within this month)

grade 等级 { A when 次数 > 0  B otherwise }
"#;

    fn values(events: &[(&str, Option<&str>, &str)]) -> Vec<(String, Value)> {
        let source = tier::source::SourceFile::new("aggregates.tier", RULESET);
        let loaded = tier::load(source).expect("the ruleset checks");
        let program = &loaded.program;
        let as_of = jiff::civil::date(2026, 11, 23);
        let list: tier::eval::events::EventList = events
            .iter()
            .map(|(day, amount, channel)| {
                let day: jiff::civil::Date = day.parse().unwrap();
                let amount = amount.map_or(Value::Missing, |a| {
                    Value::Number(a.parse().unwrap(), tier::value::Unit::Money)
                });
                let rank = u32::from(*channel == "线上");
                let channel = Value::Label(tier::value::Label {
                    name: (*channel).into(),
                    rank,
                });
                (
                    0,
                    vec![Value::Text("M1".into()), Value::Date(day), amount, channel],
                )
            })
            .collect();
        let record = program.record([("会员号", "M1")]).unwrap();
        let full = program
            .record_with_events(&record.inputs, &list, as_of)
            .unwrap();
        let outcome = program.evaluate(&full, &[], as_of).unwrap();
        outcome
            .values
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }

    fn get(values: &[(String, Value)], name: &str) -> String {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| panic!("no value {name}"))
    }

    #[test]
    fn every_aggregate_over_a_few_events() {
        let v = values(&[
            ("2026-11-20", Some("300"), "线上"),
            ("2026-11-20", Some("100"), "门店"),
            ("2026-10-01", Some("500"), "门店"),
            ("2026-11-15", None, "线上"),
            ("2025-01-05", Some("50"), "门店"),
            ("2026-12-01", Some("9999"), "线上"), // after the as-of date: never counts
        ]);
        assert_eq!(get(&v, "总额"), "950元");
        assert_eq!(get(&v, "近30天"), "400元"); // 2026-10-24 .. 2026-11-23
        assert_eq!(get(&v, "线上次数"), "2");
        assert_eq!(get(&v, "次数"), "5");
        assert_eq!(get(&v, "天数"), "4");
        assert_eq!(get(&v, "月数"), "3");
        assert_eq!(get(&v, "最低"), "50元");
        assert_eq!(get(&v, "最高"), "500元");
        // The empty 金额 is no amount: 950 / 4.
        assert_eq!(get(&v, "平均"), "237.5元");
        assert_eq!(get(&v, "首笔"), "50元");
        // Two events on the last day: the later in the list wins.
        assert_eq!(get(&v, "末笔"), "100元");
        assert_eq!(get(&v, "首日"), "2025-01-05");
        assert_eq!(get(&v, "末日"), "2026-11-20");
        assert_eq!(get(&v, "间隔"), "3");
        // 2026-11-14 .. 2026-11-23 is 10 days: (300 + 100) / 10.
        assert_eq!(get(&v, "日均"), "40元");
        // Calendar windows up to the as-of date (Monday 2026-11-23): November, 2026, and a
        // week that starts that Monday (the Friday before is last week).
        assert_eq!(get(&v, "本月"), "400元");
        assert_eq!(get(&v, "本年"), "900元");
        assert_eq!(get(&v, "本周"), "0元");
        // Month to date: 23 days.
        assert_eq!(get(&v, "月日均"), "17.3913元");
        assert_eq!(get(&v, "等级"), "A");
    }

    #[test]
    fn a_customer_without_events_gets_the_empty_aggregates() {
        let v = values(&[]);
        assert_eq!(get(&v, "总额"), "0元");
        assert_eq!(get(&v, "次数"), "0");
        assert_eq!(get(&v, "天数"), "0");
        assert_eq!(get(&v, "日均"), "0元");
        for name in [
            "最低", "最高", "平均", "首笔", "末笔", "首日", "末日", "间隔",
        ] {
            assert_eq!(get(&v, name), "missing", "{name}");
        }
        assert_eq!(get(&v, "等级"), "B");
    }

    #[test]
    fn the_window_excludes_its_first_day() {
        // within 30 days of 2026-11-23 starts after 2026-10-24.
        let v = values(&[
            ("2026-10-24", Some("7"), "门店"),
            ("2026-10-25", Some("11"), "门店"),
        ]);
        assert_eq!(get(&v, "近30天"), "11元");
    }
}

#[test]
fn s13_computes_the_monthly_daily_average_from_day_end_balances() {
    let out = tier()
        .args([
            "run",
            "rulesets/events/bank_wealth_events.tier",
            "rulesets/events/samples/bank_wealth_events.csv",
            "--events",
            "日终余额=rulesets/events/samples/bank_wealth_events.日终余额.csv",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rows: 40 read = 40 graded + 0 rejected"),
        "{err}"
    );
    assert!(
        err.contains("1160 read = 1158 folded + 2 rejected"),
        "{err}"
    );
    assert!(err.contains("6299999999") && err.contains("`多`"), "{err}");
}

#[test]
fn the_repl_grades_the_events_typed_with_event() {
    let script = ":event 交易 交易日期 = 2026-11-01, 金额 = 30, 状态 = 完成\n\
                  :event 交易 交易日期 = 2026-01-05, 金额 = 25, 状态 = 完成\n\
                  :event 交易 交易日期 = 2025-01-01, 金额 = 80, 状态 = 完成\n\
                  :set 所属方 = 甲方\n\
                  近一年交易额\n\
                  :grade\n\
                  :explain\n\
                  :event 交易 金额 = x\n\
                  :event clear\n\
                  近一年交易额\n";
    let out = tier()
        .args([
            "repl",
            "tests/fixtures/events/trades.tier",
            "--as-of",
            "2026-11-23",
        ])
        .write_stdin(script)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("交易 2026-11-01 (金额 = 30万, 状态 = 完成) (1 event(s))"),
        "{text}"
    );
    // 30万 + 25万 in the window; the 2025 trade is outside it.
    assert!(text.contains("55万"), "{text}");
    assert!(text.contains("客户分类 = A"), "{text}");
    assert!(
        text.contains("✗ 2025-01-01 (金额 = 80万, 状态 = 完成): left out by the window"),
        "{text}"
    );
    assert!(text.contains("金额 = x: expected an amount"), "{text}");
    assert!(text.contains("3 event(s) removed"), "{text}");
    assert!(text.contains("0元"), "{text}");
}

#[test]
fn a_where_cannot_read_the_customers_values() {
    let text = r#"
ruleset "x"
input {
  会员号 text
}
events 消费 key 会员号 date 日期 {
  会员号 text
  日期   date
  金额   money
}
scorecard 分 { 金额 linear sum(消费.金额) from 0 to 1万 }
let 大单 = count(消费 where 金额 > 分.金额)
let 近单 = count(消费 where days_between(日期, as_of) <= 7)
grade 等级 { A when 大单 + 近单 > 0  B otherwise }
"#;
    let source = tier::source::SourceFile::new("x.tier", text);
    let codes: Vec<&str> = tier::diagnose(&source)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["tier::events::filter"]);
}

#[test]
fn the_repl_completes_events_their_fields_and_event() {
    let mut session = tier::repl::Session::new(jiff::civil::date(2026, 11, 23));
    session.load(std::path::Path::new("tests/fixtures/events/trades.tier"));
    let names = session.completions();
    for want in [
        ":event",
        "交易",
        "交易.金额",
        "交易日期",
        "完成",
        "sum",
        "daily_average",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
}
