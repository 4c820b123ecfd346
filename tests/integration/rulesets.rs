//! Every shipped ruleset: `tier check` is clean (no warnings either), its `test` blocks pass, and
//! `tier run` on its sample is pinned by a snapshot (graded rows and the summary).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub(crate) fn rulesets() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("rulesets")
        .expect("rulesets/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tier"))
        .collect();
    v.sort();
    v
}

/// The sample of `rulesets/x.tier`: `rulesets/samples/x.*` (csv, gbk.csv, xlsx, json).
pub(crate) fn sample_of(ruleset: &Path) -> Option<PathBuf> {
    let stem = ruleset.file_stem()?.to_str()?.to_string();
    let mut found: Vec<PathBuf> = std::fs::read_dir("rulesets/samples")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.split('.').next() == Some(stem.as_str()))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Every shipped ruleset with its sample, in file-name order.
pub(crate) fn shipped() -> Vec<(PathBuf, PathBuf)> {
    rulesets()
        .into_iter()
        .filter_map(|r| {
            let sample = sample_of(&r)?;
            Some((r, sample))
        })
        .collect()
}

#[test]
fn there_is_a_ruleset_per_catalogue_scheme() {
    let n = rulesets().len();
    assert!(
        n >= 17,
        "expected the 17 precise catalogue schemes, found {n}"
    );
}

#[test]
fn every_ruleset_checks_clean() {
    let mut problems = String::new();
    for path in rulesets() {
        let source = tier::source::SourceFile::read(&path).expect("readable");
        let diags = tier::diagnose(&source);
        if !diags.is_empty() {
            problems.push_str(&tier::diagnostic::render(
                &diags,
                tier::diagnostic::RenderOptions::default(),
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "shipped rulesets must check clean:\n{problems}"
    );
}

#[test]
fn every_ruleset_passes_its_own_tests() {
    let as_of: jiff::civil::Date = "2026-11-23".parse().unwrap();
    let mut failures = String::new();
    for path in rulesets() {
        let source = tier::source::SourceFile::read(&path).expect("readable");
        let loaded = match tier::load(source) {
            Ok(l) => l,
            Err(d) => {
                failures.push_str(&tier::diagnostic::render(
                    &d,
                    tier::diagnostic::RenderOptions::default(),
                ));
                continue;
            }
        };
        let report =
            tier::eval::testing::run_tests(&loaded.ruleset, &loaded.source, &loaded.program, as_of);
        assert!(report.passed() > 0, "{} has no test blocks", path.display());
        if report.failed() > 0 {
            failures.push_str(&format!(
                "{}:\n{}",
                path.display(),
                report.render(tier::diagnostic::RenderOptions::default())
            ));
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn every_ruleset_runs_on_its_sample() {
    for path in rulesets() {
        let sample = sample_of(&path)
            .unwrap_or_else(|| panic!("{} has no sample in rulesets/samples/", path.display()));
        let out = Command::cargo_bin("tier")
            .unwrap()
            .env("NO_COLOR", "1")
            .args([
                "run",
                path.to_str().unwrap(),
                sample.to_str().unwrap(),
                "--as-of",
                "2026-11-23",
                "--format",
                "csv",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        insta::with_settings!({
            snapshot_suffix => name.clone(),
            description => format!("tier run {} {} --as-of 2026-11-23", path.display(), sample.display()),
        }, {
            insta::assert_snapshot!("run", format!("{stdout}\n--- summary (stderr) ---\n{stderr}"));
        });
    }
}

#[test]
fn every_ruleset_is_formatted() {
    for path in rulesets() {
        let source = tier::source::SourceFile::read(&path).expect("readable");
        let formatted = tier::format::format_source(&source).unwrap_or_else(|d| {
            panic!(
                "{}",
                tier::diagnostic::render(&d, tier::diagnostic::RenderOptions::default())
            )
        });
        assert_eq!(
            formatted,
            *source.text,
            "{} is not formatted: run `tier fmt {}`",
            path.display(),
            path.display()
        );
    }
}

/// `tier diff` of every shipped ruleset with itself on its sample, and against the file
/// `tier run` graded from it, finds nothing: no move, no tag or follow-up change, no reject of
/// one side only; every row is accounted for as `tier run` counts it.
#[test]
fn every_ruleset_diffs_clean_with_itself() {
    let as_of: jiff::civil::Date = "2026-11-23".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for path in rulesets() {
        let sample = sample_of(&path).expect("a sample");
        let loaded = tier::load(tier::source::SourceFile::read(&path).unwrap()).unwrap();
        let graded = dir.path().join("graded.csv");
        let run = tier::batch::grade_file(
            &loaded,
            tier::batch::RunOptions {
                output: Some(graded.clone()),
                ..tier::batch::RunOptions::new(&sample, as_of)
            },
            None,
        )
        .unwrap();
        let program = &loaded.program;
        let same = tier::diff::compare(
            program,
            program,
            tier::diff::DiffOptions::new(&sample, as_of),
        )
        .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e.diagnostics));
        let against = tier::diff::compare_against(
            &graded,
            program,
            tier::diff::DiffOptions::new(&sample, as_of),
        )
        .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e.diagnostics));
        for (how, d) in [("itself", &same), ("its graded file", &against)] {
            let what = format!("{} against {how}", path.display());
            assert_eq!(d.moved, 0, "{what}");
            assert!(d.changed.is_empty(), "{what}: {:?}", d.changed);
            assert_eq!(d.rows.compared, run.summary.rows_graded, "{what}");
            assert_eq!(d.rows.read, run.summary.rows_read, "{what}");
            assert!(
                d.new_customers.is_empty() && d.vanished.is_empty(),
                "{what}"
            );
            assert!(
                d.tags
                    .iter()
                    .all(|t| t.old == t.new && t.gained + t.lost == 0),
                "{what}"
            );
            assert!(d.workload.weeks.iter().all(|w| w.old == w.new), "{what}");
            assert_eq!(d.workload.old_overdue, d.workload.new_overdue, "{what}");
            for g in &d.grades {
                assert_eq!(g.old, g.new, "{what}: {}", g.grade);
            }
        }
        assert!(same.rejects.is_empty(), "{}", path.display());
        assert_eq!(same.rows.rejected_both, run.summary.rows_rejected);
        // The graded file holds no rejects: those rows are listed as the ruleset's rejects.
        assert_eq!(against.rows.rejected_new_only, run.summary.rows_rejected);
    }
}
