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
