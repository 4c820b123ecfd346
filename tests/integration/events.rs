//! Event inputs (`events … key … date …`) and aggregates, end to end through the real binary:
//! the shipped event rulesets (rulesets/events/) check clean, pass their tests and run on their
//! samples with `--events`; rejected events are listed; a run on events alone grades the
//! distinct keys; a ruleset with events does not lower to SQL.

use assert_cmd::Command;

fn tier() -> Command {
    Command::cargo_bin("tier").expect("the tier binary")
}

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
        .assert()
        .success();
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
fn aggregates_do_not_lower_to_sql() {
    let out = tier()
        .args([
            "sql",
            "--dialect",
            "duckdb",
            "tests/fixtures/events/trades.tier",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tier::sql::unsupported") && err.contains("sum(交易.金额"),
        "{err}"
    );
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
