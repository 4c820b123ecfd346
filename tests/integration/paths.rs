//! The fast paths give the reference's results, row for row.
//!
//! `tier run` grades with [`Program::evaluate_untraced`] (only the reasons the output shows are
//! written) or [`Program::evaluate_bare`] (`--no-reasons`), in parallel, rendering rows on the
//! workers. `tier explain`, `tier test` and the REPL use [`Program::evaluate`], which writes
//! every sentence. Here every shipped ruleset's sample, and a generated file of
//! distributor customers for the benchmark ruleset, go through all three, and `tier run` with one
//! thread and with several must write the same bytes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tier::batch::ColumnMap;
use tier::data::{self, ReadOptions};
use tier::eval::Program;
use tier::outcome::Outcome;
use tier::value::Value;

const AS_OF: &str = "2026-11-23";

fn as_of() -> jiff::civil::Date {
    AS_OF.parse().expect("date")
}

fn load(ruleset: &Path) -> Program {
    let source = tier::source::read_source(ruleset).expect("ruleset reads");
    tier::load(source).expect("ruleset loads").program
}

/// Every record of `data` with its relative classes, as `tier run` computes them.
fn records(program: &Program, data: &Path) -> Vec<(Vec<Value>, Vec<Value>)> {
    let file = data.display().to_string();
    let open = || data::open(data, &ReadOptions::default()).expect("data opens");
    let headers = open().headers().to_vec();
    let (map, _) = ColumnMap::new(program, &headers, None, &file).expect("columns map");
    let rows: Vec<Vec<Value>> = open()
        .filter_map(|r| r.ok())
        .filter_map(|row| map.record(&file, &row).ok())
        .collect();
    let classes = program.relative_classes(&rows, as_of());
    rows.into_iter().zip(classes).collect()
}

/// Everything an outcome decides, without the sentences.
fn facts(o: &Outcome) -> String {
    let grade = o.grade.as_ref().map(|g| {
        (
            g.label.clone(),
            g.color.clone(),
            g.action.clone(),
            g.owner.clone(),
            g.overridden.clone(),
        )
    });
    let comps: Vec<_> = o
        .components
        .iter()
        .map(|c| (c.name.clone(), c.points, c.weight, c.weighted))
        .collect();
    let tags: Vec<_> = o
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.color.clone(), t.action.clone()))
        .collect();
    let sched = |s: &Option<tier::outcome::ScheduleOutcome>| {
        s.as_ref()
            .map(|s| (s.last, s.next_due, s.deadline, s.overdue, s.reassign))
    };
    format!(
        "{grade:?} {:?} {:?} {comps:?} {tags:?} {:?} {:?} {:?}",
        o.subgrade,
        o.score,
        sched(&o.follow_up),
        sched(&o.review),
        o.values
    )
}

/// Grades every record three ways and compares: the same facts from all three, the same
/// reasons column from the traced and the untraced path. Returns how many rows were compared.
fn compare_paths(program: &Program, data: &Path) -> (usize, usize) {
    let records = records(program, data);
    assert!(!records.is_empty(), "{} has rows", data.display());
    let mut fast = 0;
    for (i, (record, rel)) in records.iter().enumerate() {
        fast += usize::from(program.fast_path_grades(record, rel, as_of()));
        let full = program.evaluate(record, rel, as_of());
        let untraced = program.evaluate_untraced(record, rel, as_of());
        let bare = program.evaluate_bare(record, rel, as_of());
        match (full, untraced, bare) {
            (Ok(f), Ok(u), Ok(b)) => {
                let ff = facts(&f);
                assert_eq!(
                    ff,
                    facts(&u),
                    "{} row {i}: untraced differs",
                    data.display()
                );
                assert_eq!(ff, facts(&b), "{} row {i}: bare differs", data.display());
                assert_eq!(
                    f.reasons(),
                    u.reasons(),
                    "{} row {i}: reasons differ",
                    data.display()
                );
            }
            (Err(f), Err(u), Err(b)) => {
                assert_eq!(f.diagnostic.message, u.diagnostic.message);
                assert_eq!(f.diagnostic.message, b.diagnostic.message);
            }
            (f, u, b) => panic!(
                "{} row {i}: paths disagree on rejecting: {:?} {:?} {:?}",
                data.display(),
                f.is_ok(),
                u.is_ok(),
                b.is_ok()
            ),
        }
    }
    (records.len(), fast)
}

#[test]
fn every_shipped_sample_grades_the_same_on_every_path() {
    let (mut compared, mut fast) = (0, 0);
    for entry in std::fs::read_dir("rulesets/samples").expect("samples") {
        let data = entry.expect("entry").path();
        let name = data.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let stem = name.split('.').next().unwrap_or("");
        let ruleset = PathBuf::from(format!("rulesets/{stem}.tier"));
        if !ruleset.exists() {
            continue; // a dirty sample shared by several rulesets' tests
        }
        let (n, f) = compare_paths(&load(&ruleset), &data);
        compared += n;
        fast += f;
    }
    assert!(compared > 100, "only {compared} rows compared");
    // Most sample rows grade on the fast path (the rest are the samples' deliberate errors,
    // manual overrides and missing values a decision needs).
    assert!(
        fast * 10 >= compared * 7,
        "the fast path graded only {fast} of {compared} sample rows"
    );
}

/// A deterministic distributor export (the columns of `examples/gen_customers.rs`), with the
/// awkward cases mixed in: empty last-year sales and visits, ties, zero sales, 3-decimal cells.
fn generate(rows: usize, path: &Path) {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut out = String::from(
        "客户编号,年度销售额(万元),上年销售额(万元),回款率,退货率,经理评分,订单数,最近拜访日期\n",
    );
    let start: jiff::civil::Date = "2025-06-01".parse().expect("date");
    for i in 0..rows {
        let sales = match next(10) {
            0 => "0".to_string(),
            1 => format!("{}", next(50) * 10),
            _ => format!("{}.{:02}", next(3000), next(100)),
        };
        let last = match next(12) {
            0 => String::new(),
            1 => format!("{}.{:03}", next(3000), next(1000)),
            _ => format!("{}.{:02}", next(3000), next(100)),
        };
        let visit = match next(20) {
            0 => String::new(),
            _ => start
                .checked_add(jiff::Span::new().days(next(540) as i64))
                .expect("date")
                .to_string(),
        };
        out.push_str(&format!(
            "C{i:07},{sales},{last},{}.{}%,{}.{}%,{},{},{visit}\n",
            80 + next(21),
            next(10),
            next(10),
            next(10),
            next(101),
            next(400),
        ));
    }
    std::fs::write(path, out).expect("write data");
}

#[test]
fn a_generated_file_grades_the_same_on_every_path_and_every_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("customers.csv");
    // More than two of `tier run`'s 4,096-row chunks, so order across chunks is exercised.
    let rows = 12_000;
    generate(rows, &data);
    let ruleset = Path::new("rulesets/bench/distributor_bench.tier");
    // Every generated row grades, all of them on the fast path.
    assert_eq!(compare_paths(&load(ruleset), &data), (rows, rows));

    let run = |threads: &str, out: &Path| {
        Command::cargo_bin("tier")
            .expect("binary")
            .args(["run", "--as-of", AS_OF, "-q", "--threads", threads, "-o"])
            .arg(out)
            .arg(ruleset)
            .arg(&data)
            .assert()
            .success();
        std::fs::read_to_string(out).expect("output")
    };
    let one = run("1", &dir.path().join("one.csv"));
    let two = run("2", &dir.path().join("two.csv"));
    assert_eq!(one, two, "one thread and two threads wrote different files");
    // Every row, in input order.
    let ids: Vec<&str> = one
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or(""))
        .collect();
    let expected: Vec<String> = (0..rows).map(|i| format!("C{i:07}")).collect();
    assert_eq!(ids, expected);
}

/// `up to L` / `down to L` mixed with `up`/`down`: every base class and every combination of the
/// conditions grades the same on every path, and all of them on the fast path.
#[test]
fn adjust_bounds_grade_the_same_on_every_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("bounds.csv");
    let mut out = String::from("上期分类,还款正常,未偿比例,重大风险,担保失效\n");
    let mut rows = 0;
    for class in ["正常", "关注", "次级", "可疑", "损失"] {
        for bits in 0..16u32 {
            let yes = |b: u32| if bits & b != 0 { "是" } else { "否" };
            let ratio = if bits & 2 != 0 { "20%" } else { "40%" };
            out.push_str(&format!(
                "{class},{},{ratio},{},{}\n",
                yes(1),
                yes(4),
                yes(8)
            ));
            rows += 1;
        }
    }
    std::fs::write(&data, out).expect("write data");
    let program = load(Path::new("tests/fixtures/eval/adjust_bounds.tier"));
    assert_eq!(compare_paths(&program, &data), (rows, rows));
}
