//! `tier diff`: the real binary on a shipped ruleset and a modified copy over its sample. The
//! report must agree with two `tier run`s (grade counts, who changed, rejects); the first
//! differing step, the git and `--against` forms, every output format and bad input are checked;
//! the terminal table is pinned with insta.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const RULESET: &str = "rulesets/distributor_composite.tier";
const SAMPLE: &str = "rulesets/samples/distributor_composite.gbk.csv";
const AS_OF: &str = "2026-11-23";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `tier ARGS` run in `dir` (so that the report's file names are the short ones given).
fn tier_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::cargo_bin("tier")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    let o = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    o
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped ruleset with `edits` applied (each must apply), `tests` dropped when asked.
fn edited(edits: &[(&str, &str)], drop_tests: bool) -> String {
    let mut text = std::fs::read_to_string(root().join(RULESET)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "edit `{from}` applies");
        text = text.replacen(from, to, 1);
    }
    if drop_tests {
        let cut = text.find("# --- tests").expect("the ruleset has tests");
        text.truncate(cut);
    }
    text
}

/// Collection scored from 85% instead of 90%, and B from 58 instead of 60.
const COLLECTION_85: (&str, &str) = (
    "linear 回款率 from 90% to 100%",
    "linear 回款率 from 85% to 100%",
);
const B_58: (&str, &str) = ("B >= 60 ", "B >= 58 ");

/// A temporary folder with `old.tier` (the shipped ruleset), `new.tier` and `data.csv` (the
/// shipped sample, GBK as shipped).
fn workspace(new: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(RULESET), dir.path().join("old.tier")).unwrap();
    std::fs::write(dir.path().join("new.tier"), new).unwrap();
    std::fs::copy(root().join(SAMPLE), dir.path().join("data.csv")).unwrap();
    dir
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `tier diff ARGS -o report.json` in `dir`; the report.
fn diff_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["diff"];
    all.extend(args);
    all.extend(["--as-of", AS_OF, "-q", "-o", "report.json"]);
    let out = tier_in(dir, &all);
    assert_eq!(out.code, 0, "{}", out.stderr);
    json(&dir.join("report.json"))
}

/// `tier run RULESET data.csv` in `dir`: customers per grade (summary) and the graded CSV's
/// grade per customer key.
fn run(dir: &Path, ruleset: &str, name: &str) -> (BTreeMap<String, u64>, BTreeMap<String, String>) {
    let (graded, summary) = (format!("{name}.csv"), format!("{name}.json"));
    let out = tier_in(
        dir,
        &[
            "run",
            ruleset,
            "data.csv",
            "--as-of",
            AS_OF,
            "-q",
            "-o",
            &graded,
            "--summary",
            &summary,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = json(&dir.join(&summary));
    let counts = s["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let n = g["customers"].as_u64().unwrap();
            (g["label"].as_str().unwrap().to_string(), n)
        })
        .collect();
    let text = std::fs::read_to_string(dir.join(&graded)).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let grade = header.iter().position(|h| *h == "等级").unwrap();
    let grades = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cells[grade].to_string())
        })
        .collect();
    (counts, grades)
}

/// Matrix row and column totals: (old grade → customers, new grade → customers).
fn marginals(report: &Value) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let (mut old, mut new) = (BTreeMap::new(), BTreeMap::new());
    for c in report["matrix"]["cells"].as_array().unwrap() {
        let n = c["customers"].as_u64().unwrap();
        *old.entry(c["old"].as_str().unwrap().to_string())
            .or_default() += n;
        *new.entry(c["new"].as_str().unwrap().to_string())
            .or_default() += n;
    }
    (old, new)
}

fn changed(report: &Value) -> BTreeMap<String, &Value> {
    report["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_string(), c))
        .collect()
}

#[test]
fn the_matrix_and_the_moves_agree_with_two_runs() {
    let dir = workspace(&edited(&[COLLECTION_85, B_58], false));
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let (old_counts, old_grades) = run(dir.path(), "old.tier", "old");
    let (new_counts, new_grades) = run(dir.path(), "new.tier", "new");

    // Both versions reject the same two rows, so the matrix's totals are the two runs'.
    assert_eq!(report["rows"]["rejected_both"], 2);
    assert_eq!(report["rows"]["compared"], 98);
    assert_eq!(report["rows"]["read"], 100);
    let (old_m, new_m) = marginals(&report);
    assert_eq!(old_m, old_counts);
    assert_eq!(new_m, new_counts);
    for g in report["grades"].as_array().unwrap() {
        let label = g["grade"].as_str().unwrap();
        assert_eq!(g["old"].as_u64(), old_counts.get(label).copied());
        assert_eq!(g["new"].as_u64(), new_counts.get(label).copied());
    }

    // The customers who moved are those whose graded rows differ, and only those.
    let moved_by_runs: BTreeSet<&String> = old_grades
        .iter()
        .filter(|(k, g)| new_grades.get(*k) != Some(g))
        .map(|(k, _)| k)
        .collect();
    let listed = changed(&report);
    let moved: BTreeSet<&String> = listed
        .iter()
        .filter(|(_, c)| c["old_grade"] != c["new_grade"])
        .map(|(k, _)| k)
        .collect();
    assert_eq!(moved, moved_by_runs);
    assert_eq!(report["moved"].as_u64(), Some(moved.len() as u64));
    for key in &moved {
        let c = listed[*key];
        assert_eq!(
            c["old_grade"].as_str(),
            old_grades.get(*key).map(String::as_str)
        );
        assert_eq!(
            c["new_grade"].as_str(),
            new_grades.get(*key).map(String::as_str)
        );
    }

    // JX0001 (95.5% collected) moves C → B because collection now scores from 85%: that is
    // the first step of its explanation that differs, before the score and the grade.
    let step = &listed["JX0001"]["step"];
    assert_eq!(step["name"], "综合得分.回款率");
    assert_eq!(step["old_value"], "55");
    assert_eq!(step["new_value"], "70");
    assert!(step["old"]
        .as_str()
        .unwrap()
        .contains("90%→100% linear → 55 points"));
    assert!(step["new"]
        .as_str()
        .unwrap()
        .contains("85%→100% linear → 70 points"));

    // Revenue: the moved customers' share of 销售额.
    assert_eq!(report["revenue_field"], "销售额");
    let moved_share: f64 = report["moved_revenue_share"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(moved_share > 0.0 && moved_share < 1.0);
}

#[test]
fn a_threshold_alone_shows_the_grade_step() {
    let dir = workspace(&edited(&[B_58], false));
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let listed = changed(&report);
    assert!(!listed.is_empty());
    for c in listed.values() {
        let step = &c["step"];
        assert_eq!(step["name"], "等级", "{c}");
        assert!(step["new"].as_str().unwrap().contains("≥ 58 → B"), "{c}");
    }
}

#[test]
fn the_terminal_table() {
    // Collection, a threshold, and 非正常 from 96% collection: grades, tags and follow-ups move.
    let unhealthy = ("(回款率 < 95% or", "(回款率 < 96% or");
    let dir = workspace(&edited(&[COLLECTION_85, B_58, unhealthy], false));
    let out = tier_in(
        dir.path(),
        &["diff", "old.tier", "new.tier", "data.csv", "--as-of", AS_OF],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("diff_distributor_table", out.stdout);
}

#[test]
fn rows_one_version_rejects_are_listed() {
    // The new version accepts 经理评分 from 50 only: the rows below are rejected by it alone.
    let range = ("经理评分   number 0..100 ", "经理评分   number 50..100");
    let dir = workspace(&edited(&[range], true));
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let (old_counts, old_grades) = run(dir.path(), "old.tier", "old");
    let (_, new_grades) = run(dir.path(), "new.tier", "new");
    let rejected_now: BTreeSet<&String> = old_grades
        .keys()
        .filter(|k| !new_grades.contains_key(*k))
        .collect();
    assert!(!rejected_now.is_empty());
    let rejects = report["rejects"].as_array().unwrap();
    let listed: BTreeSet<String> = rejects
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed.iter().collect::<BTreeSet<_>>(), rejected_now);
    assert_eq!(report["rows"]["rejected_new_only"], rejected_now.len());
    assert_eq!(report["rows"]["rejected_both"], 2);
    for r in rejects {
        assert_eq!(r["rejected_by"], "new");
        assert_eq!(r["column"], "经理评分");
        assert!(r["reason"].as_str().unwrap().contains("50..100"), "{r}");
        let key = r["key"].as_str().unwrap();
        assert_eq!(
            r["other_grade"].as_str(),
            old_grades.get(key).map(String::as_str)
        );
    }
    // The old grades still count every row the old version graded.
    let old_total: u64 = old_counts.values().sum();
    let report_old: u64 = report["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["old"].as_u64().unwrap())
        .sum();
    assert_eq!(report_old, old_total);
    let out = tier_in(
        dir.path(),
        &["diff", "old.tier", "new.tier", "data.csv", "--as-of", AS_OF],
    );
    assert!(
        out.stdout
            .contains("rejected by new (old grades it D), column 经理评分"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("rows rejected by both: 2"));
}

#[test]
fn relative_grades_rank_the_whole_file_for_each_version() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(root().join("rulesets/pareto_abc.tier")).unwrap();
    let cut = "{ A 65%  B 85%  C rest }";
    assert!(shipped.contains(cut));
    std::fs::write(dir.path().join("old.tier"), &shipped).unwrap();
    std::fs::write(
        dir.path().join("new.tier"),
        shipped.replacen(cut, "{ A 70%  B 85%  C rest }", 1),
    )
    .unwrap();
    std::fs::copy(
        root().join("rulesets/samples/pareto_abc.csv"),
        dir.path().join("data.csv"),
    )
    .unwrap();
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let count = |ruleset: &str| -> BTreeMap<String, u64> {
        let out = tier_in(
            dir.path(),
            &[
                "run",
                ruleset,
                "data.csv",
                "--as-of",
                AS_OF,
                "-q",
                "-o",
                "/dev/null",
                "--summary",
                "s.json",
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        json(&dir.path().join("s.json"))["grades"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["label"].as_str().unwrap().to_string(),
                    g["customers"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let (old_m, new_m) = marginals(&report);
    assert_eq!(old_m, count("old.tier"));
    assert_eq!(new_m, count("new.tier"));
    assert!(report["moved"].as_u64().unwrap() > 0);
    for c in report["changed"].as_array().unwrap() {
        assert_eq!(c["old_grade"], "B");
        assert_eq!(c["new_grade"], "A");
        assert_eq!(c["step"]["name"], "ABC");
    }
}

fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .args(["-c", "user.name=tier", "-c", "user.email=tier@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn an_old_version_from_git() {
    let dir = workspace(&edited(&[COLLECTION_85, B_58], false));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("rules")).unwrap();
    if !git(&repo, &["init", "-q", "."]) {
        eprintln!("git is not available: the FILE@REV test is skipped");
        return;
    }
    let file = repo.join("rules/x.tier");
    std::fs::copy(dir.path().join("old.tier"), &file).unwrap();
    assert!(git(&repo, &["add", "."]));
    assert!(git(&repo, &["commit", "-qm", "old"]));
    std::fs::copy(dir.path().join("new.tier"), &file).unwrap();
    assert!(git(&repo, &["commit", "-qam", "new"]));

    let from_files = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let from_git = diff_json(
        dir.path(),
        &["repo/rules/x.tier@HEAD~1", "repo/rules/x.tier", "data.csv"],
    );
    assert_eq!(from_git["old"]["source"], "repo/rules/x.tier@HEAD~1");
    for part in ["rows", "matrix", "changed", "tags", "workload", "rejects"] {
        assert_eq!(from_git[part], from_files[part], "{part}");
    }

    // A revision git does not know, a file not in it: a clear diagnostic, exit 3.
    for old in ["repo/rules/x.tier@no-such-tag", "repo/rules/gone.tier@HEAD"] {
        let out = tier_in(dir.path(), &["diff", old, "repo/rules/x.tier", "data.csv"]);
        assert_eq!(out.code, 3, "{}", out.stderr);
        assert!(out.stderr.contains("tier::diff::git"), "{}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("cannot read `{old}` from git")),
            "{}",
            out.stderr
        );
    }

    // A file whose name has an `@` is that file, not a revision.
    std::fs::copy(dir.path().join("old.tier"), dir.path().join("v1@HEAD.tier")).unwrap();
    let at_file = diff_json(dir.path(), &["v1@HEAD.tier", "new.tier", "data.csv"]);
    assert_eq!(at_file["matrix"], from_files["matrix"]);
}

#[test]
fn against_a_file_graded_earlier() {
    let dir = workspace(&edited(&[COLLECTION_85, B_58], false));
    let two_rulesets = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    for graded in ["graded.csv", "graded.xlsx"] {
        let out = tier_in(
            dir.path(),
            &[
                "run",
                "old.tier",
                "data.csv",
                "--as-of",
                "2026-10-31",
                "-q",
                "-o",
                graded,
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let report = diff_json(dir.path(), &["--against", graded, "new.tier", "data.csv"]);
        assert_eq!(report["old"]["source"], graded);
        assert_eq!(report["old"]["as_of"], "2026-10-31");
        assert_eq!(report["matrix"], two_rulesets["matrix"], "{graded}");
        let keys = |r: &Value| changed(r).into_keys().collect::<BTreeSet<_>>();
        assert_eq!(keys(&report), keys(&two_rulesets), "{graded}");
        let step = &changed(&report)["JX0001"]["step"];
        assert_eq!(step["name"], "等级");
        assert!(step["old"].as_str().unwrap().contains("→ C"), "{step}");
        assert!(step["new"].as_str().unwrap().contains("≥ 58 → B"), "{step}");
        // The two rows tier run rejected are not in the graded file: listed, not dropped.
        assert_eq!(report["rows"]["rejected_new_only"], 2);
        assert_eq!(report["rejects"].as_array().unwrap().len(), 2);
        assert!(report["rejects"][0]["other_grade"].is_null());
    }

    // This month's data lost JX0001 and gained JX0999.
    let data = std::fs::read(dir.path().join("data.csv")).unwrap();
    let (text, _, _) = encoding_rs::GBK.decode(&data);
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("JX0001,"))
        .map(str::to_string)
        .collect();
    lines.push("JX0999,新公司,华东,300,100,12,0,99%,98%,1%,是,90,2026-11-20".into());
    std::fs::write(dir.path().join("this_month.csv"), lines.join("\n") + "\n").unwrap();
    let report = diff_json(
        dir.path(),
        &["--against", "graded.csv", "new.tier", "this_month.csv"],
    );
    assert_eq!(report["new_customers"][0]["key"], "JX0999");
    assert_eq!(report["new_customers"][0]["grade"], "A");
    assert_eq!(report["vanished"][0]["key"], "JX0001");
    assert_eq!(report["vanished"][0]["grade"], "C");
    assert_eq!(report["rows"]["new_customers"], 1);
    assert_eq!(report["rows"]["vanished"], 1);
    let out = tier_in(
        dir.path(),
        &[
            "diff",
            "--against",
            "graded.csv",
            "new.tier",
            "this_month.csv",
            "--as-of",
            AS_OF,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("new customers: 1\n  JX0999 (row 101): A"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("vanished customers: 1\n  JX0001 (row 2): C"),
        "{}",
        out.stdout
    );
}

#[test]
fn csv_json_and_xlsx_reports() {
    use calamine::{Data, Reader};
    let dir = workspace(&edited(&[COLLECTION_85, B_58], false));
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let changed_n = report["changed"].as_array().unwrap().len();
    for part in [
        "matrix", "grades", "changed", "tags", "workload", "rejects", "rows",
    ] {
        assert!(!report[part].is_null(), "{part}");
    }
    // The week counts add up to the customers with a follow-up date under each version.
    let weeks = report["workload"]["weeks"].as_array().unwrap();
    let total = |side: &str| weeks.iter().map(|w| w[side].as_u64().unwrap()).sum::<u64>();
    assert_eq!((total("old"), total("new")), (98, 98));

    let base = ["diff", "old.tier", "new.tier", "data.csv", "--as-of", AS_OF];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        let out = tier_in(dir.path(), &a);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out
    };
    // CSV: the changed customers, a BOM for Excel, the key column first.
    let out = with(&["-o", "changed.csv"]);
    assert!(
        out.stderr.contains("等级: old ↓ new →"),
        "the table goes to stderr"
    );
    let text = std::fs::read_to_string(dir.path().join("changed.csv")).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "客户编号");
    assert_eq!(&headers[2], "原等级");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), changed_n);
    assert_eq!(&rows[0][0], "JX0001");
    assert_eq!(&rows[0][6], "综合得分.回款率");
    // English headers on request.
    with(&["-q", "-o", "changed_en.csv", "--lang", "en"]);
    let text = std::fs::read_to_string(dir.path().join("changed_en.csv")).unwrap();
    assert!(
        text.contains("客户编号,row,old_grade,new_grade,tags_gained"),
        "{text}"
    );

    // XLSX: one sheet per part, numbers as numbers.
    with(&["-q", "-o", "report.xlsx"]);
    let mut book = calamine::open_workbook_auto(dir.path().join("report.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["迁移矩阵", "变动客户", "标签", "跟进工作量", "拒绝行"]
    );
    let matrix = book.worksheet_range("迁移矩阵").unwrap();
    let cells: Vec<&[Data]> = matrix.rows().collect();
    assert_eq!(cells[1][1], Data::String("A".into()));
    assert_eq!(cells[2][0], Data::String("A".into()));
    let a_a = report["matrix"]["cells"][0]["customers"].as_u64().unwrap() as f64;
    assert_eq!(cells[2][1], Data::Float(a_a));
    let moved = book.worksheet_range("变动客户").unwrap();
    assert_eq!(moved.rows().count(), changed_n + 1);
    assert_eq!(
        moved.rows().nth(1).unwrap()[0],
        Data::String("JX0001".into())
    );
    let workload = book.worksheet_range("跟进工作量").unwrap();
    assert_eq!(workload.rows().count(), weeks.len() + 2);

    // --format json on standard output is the same report.
    let out = with(&["--format", "json"]);
    let stdout: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(stdout["matrix"], report["matrix"]);
}

#[test]
fn owners_get_their_own_workload() {
    // shop.tier gives grade A an owner: lowering A's threshold moves customers to that owner.
    let dir = tempfile::tempdir().unwrap();
    let shop = std::fs::read_to_string(root().join("tests/fixtures/cli/shop.tier")).unwrap();
    std::fs::write(dir.path().join("old.tier"), &shop).unwrap();
    std::fs::write(
        dir.path().join("new.tier"),
        shop.replacen("A >= 80", "A >= 60", 1),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/cli/shop.csv"),
        dir.path().join("data.csv"),
    )
    .unwrap();
    let report = diff_json(dir.path(), &["old.tier", "new.tier", "data.csv"]);
    let owners = report["workload"]["owners"].as_array().unwrap();
    let sum = |owner: &str, side: &str| -> u64 {
        owners
            .iter()
            .filter(|o| o["owner"] == owner)
            .map(|o| o[side].as_u64().unwrap())
            .sum()
    };
    assert!(
        sum("大客户经理", "new") > sum("大客户经理", "old"),
        "{owners:?}"
    );
    let out = tier_in(
        dir.path(),
        &["diff", "old.tier", "new.tier", "data.csv", "--as-of", AS_OF],
    );
    assert!(out.stdout.contains("per owner"), "{}", out.stdout);
    assert!(out.stdout.contains("大客户经理"), "{}", out.stdout);
}

#[test]
fn bad_input_is_a_diagnostic_never_a_panic() {
    let dir = workspace(&edited(&[COLLECTION_85], false));
    let d = dir.path();
    // The new version needs a column the data lacks: which version is named.
    std::fs::write(
        d.join("wider.tier"),
        edited(
            &[(
                "  最近拜访   date?          column \"最近拜访日期\"",
                "  最近拜访   date?          column \"最近拜访日期\"\n  渠道 text column \"渠道\"",
            )],
            true,
        ),
    )
    .unwrap();
    let out = tier_in(d, &["diff", "old.tier", "wider.tier", "data.csv"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("tier::data::column_missing"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the new ruleset: wider.tier"),
        "{}",
        out.stderr
    );

    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["diff", "old.tier", "new.tier", "no_such.csv"],
            3,
            "tier::data::read",
        ),
        (
            &["diff", "no_such.tier", "new.tier", "data.csv"],
            3,
            "tier::io",
        ),
        (
            &["diff", "old.tier", "new.tier", "."],
            3,
            "tier::data::read",
        ),
        (&["diff", "old.tier", "new.tier"], 2, "takes OLD NEW DATA"),
        (
            &["diff", "old.tier@--output=x", "new.tier", "data.csv"],
            3,
            "is not a revision",
        ),
        (
            &["diff", "--against", "data.csv", "new.tier"],
            2,
            "RULESET DATA",
        ),
        (
            &["diff", "old.tier", "new.tier", "data.csv", "-o", "data.csv"],
            2,
            "tier::usage::output_is_input",
        ),
        (
            &[
                "diff",
                "old.tier",
                "new.tier",
                "data.csv",
                "--key",
                "客户编码",
            ],
            1,
            "did you mean `客户编号`?",
        ),
        (
            &[
                "diff", "old.tier", "new.tier", "data.csv", "--as-of", "someday",
            ],
            2,
            "tier::usage::as_of",
        ),
        (
            &["diff", "--against", "new.tier", "new.tier", "data.csv"],
            1,
            "tier::data::column_missing",
        ),
        (
            &["diff", "--against", "no_such.csv", "new.tier", "data.csv"],
            3,
            "tier::data::read",
        ),
        (
            &[
                "diff",
                "old.tier",
                "new.tier",
                "data.csv",
                "-o",
                "no_dir/x.json",
            ],
            3,
            "tier::data::write",
        ),
    ];
    for (args, code, expect) in cases {
        let out = tier_in(d, args);
        assert_eq!(out.code, *code, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(expect), "{args:?}: {}", out.stderr);
    }
    // A ruleset with errors is the checker's report, exit 1.
    std::fs::write(
        d.join("broken.tier"),
        "ruleset \"x\"\ngrade 等级 by 得分 {\n",
    )
    .unwrap();
    let out = tier_in(d, &["diff", "old.tier", "broken.tier", "data.csv"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("tier::syntax"), "{}", out.stderr);
    // Data on standard input is read as from a file.
    let data = std::fs::read(d.join("data.csv")).unwrap();
    let piped = Command::cargo_bin("tier")
        .unwrap()
        .current_dir(d)
        .args([
            "diff", "old.tier", "new.tier", "-", "--as-of", AS_OF, "--format", "json",
        ])
        .write_stdin(data)
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&piped.stdout).unwrap();
    assert_eq!(report["rows"]["compared"], 98);
}

#[path = "diff/report.rs"]
mod report;
