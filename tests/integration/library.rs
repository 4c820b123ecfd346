//! tier as a library: the example program outside the crate grades a shipped sample through
//! the public API only, and gets what `tier run` gets.

use std::path::Path;

// The example, compiled into this test binary so its logic runs without `cargo run`.
#[allow(dead_code)]
#[path = "../../examples/grade_file.rs"]
mod example;

#[test]
fn the_example_grades_a_shipped_sample_through_the_public_api() {
    let as_of = jiff::civil::date(2026, 11, 23);
    let text = example::grade_file(
        Path::new("rulesets/pareto_abc.tier"),
        Path::new("rulesets/samples/pareto_abc.csv"),
        as_of,
    )
    .expect("the sample grades");
    // Relative grades ranked over the whole file, as `tier run --format ndjson` writes them.
    assert!(
        text.starts_with("C0001\tB\nC0002\tB\nC0003\tC\nC0004\tA\n"),
        "{text}"
    );
    // The summary `tier run` prints, word for word.
    let run = assert_cmd::Command::cargo_bin("tier")
        .expect("the binary is built")
        .args([
            "run",
            "rulesets/pareto_abc.tier",
            "rulesets/samples/pareto_abc.csv",
            "--as-of",
            "2026-11-23",
            "--format",
            "csv",
        ])
        .output()
        .expect("tier runs");
    assert!(run.status.success());
    let summary = String::from_utf8(run.stderr).expect("UTF-8");
    assert!(!summary.is_empty());
    assert!(text.ends_with(&summary), "{text}\n---\n{summary}");
}

#[test]
fn the_example_reports_a_broken_ruleset_as_rendered_diagnostics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ruleset = dir.path().join("bad.tier");
    std::fs::write(
        &ruleset,
        "ruleset \"r\"\ninput { 销售额 money }\ngrade 等级 by 得分 { A >= 1 }\n",
    )
    .expect("writes");
    let err = example::grade_file(
        &ruleset,
        Path::new("rulesets/samples/pareto_abc.csv"),
        jiff::civil::date(2026, 11, 23),
    )
    .expect_err("the ruleset has errors");
    assert!(err.contains("tier::"), "{err}");
}

/// A stream of CSV (as a CRM would hand it over) graded with `batch::FileRun`: progress is
/// reported, every row is accounted for, and too many rejects leave the graded file unwritten.
#[test]
fn a_stream_is_graded_with_progress_rejects_and_a_limit() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tier::batch::{ErrorKind, FileRun, RunOptions};

    let source = tier::source::read_source(Path::new("tests/fixtures/cli/shop.tier"))
        .expect("the ruleset reads");
    let loaded = tier::load(source).expect("the ruleset loads");
    let as_of = jiff::civil::date(2026, 11, 23);
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "客户名称,区域,年度销售额(万元),回款率,最近联系日期\n\
               甲公司,华东,100,100%,2026-11-20\n\
               乙公司,华东,abc,95%,2026-10-01\n\
               丙公司,华南,50,85%,\n";
    let options = |max_rejects: Option<usize>| {
        let mut o = RunOptions::stream("crm", std::io::Cursor::new(csv.as_bytes().to_vec()), as_of);
        o.output = Some(dir.path().join("graded.csv"));
        o.max_rejects = max_rejects;
        o
    };

    let rows_done = AtomicUsize::new(0);
    let progress = |rows: usize| {
        rows_done.fetch_max(rows, Ordering::Relaxed);
    };
    let report = FileRun::new(options(None))
        .expect("the outputs are fine")
        .grade(&loaded, Some(&progress))
        .expect("the run ends");
    assert!(report.failure.is_none());
    assert_eq!(rows_done.load(Ordering::Relaxed), 3);
    let s = &report.summary;
    assert_eq!((s.rows_read, s.rows_graded, s.rows_rejected), (3, 2, 1));
    assert_eq!(report.rejects.len(), 1);
    assert_eq!(report.rejects[0].row, 3);
    let graded = std::fs::read_to_string(dir.path().join("graded.csv")).expect("written");
    assert_eq!(graded.lines().count(), 3, "{graded}");

    std::fs::remove_file(dir.path().join("graded.csv")).expect("removed");
    let report = tier::batch::grade_file(&loaded, options(Some(0)), None).expect("the run ends");
    let failure = report.failure.expect("one reject is too many");
    assert_eq!(failure.kind, ErrorKind::Failed);
    assert_eq!(
        failure.diagnostics[0].code.as_str(),
        "tier::run::max_rejects"
    );
    assert!(!dir.path().join("graded.csv").exists());
}
