//! The column engine gives the reference's results, row for row and byte for byte.
//!
//! `tier run` grades through the column engine ([`tier::engine::Engine`]), which hands the rows
//! it cannot compute exactly to the interpreter; `tier explain`, `tier test` and the REPL use
//! [`Program::evaluate`], which writes every sentence. Here:
//! - every shipped ruleset's sample, the eval fixtures with records, and generated files go
//!   through `tier run` with the engine and with the interpreter alone: the graded file, the
//!   rejects and the summary must be the same bytes, with and without reasons;
//! - the generated files put every number the ruleset writes (its band edges and thresholds)
//!   into the cells, with neighbours a cent apart, ties at x.xx5, empty cells, cells with more
//!   places than the engine's scale and numbers too large for its 128-bit integers;
//! - outcome by outcome, the engine, the untraced and the bare interpreter agree with the
//!   traced one, and most rows are really computed by the engine;
//! - `tier run` with one thread and with several writes the same bytes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tier::batch::{ColumnMap, RunOptions};
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

/// A number as both evaluators mean it: rounded to 16 places (the interpreter keeps 28
/// significant digits of a quotient, the plan 24 places; both decide on 20, and a product of
/// a quotient moves the difference a few places up), without trailing zeros (the engine keeps
/// its columns' scales). `tier run` writes at most 4 places.
fn settle(d: rust_decimal::Decimal) -> rust_decimal::Decimal {
    d.round_dp_with_strategy(16, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn settle_value(v: &Value) -> Value {
    match v {
        Value::Number(d, u) => Value::Number(settle(*d), *u),
        other => other.clone(),
    }
}

/// Everything an outcome decides, without the sentences.
fn facts(o: &Outcome) -> String {
    let mut o = o.clone();
    for (_, v) in &mut o.values {
        *v = settle_value(v);
    }
    o.score = o.score.as_ref().map(settle_value);
    o.subgrade = o.subgrade.as_ref().map(settle_value);
    for c in &mut o.components {
        c.points = settle(c.points);
        c.weighted = settle(c.weighted);
    }
    let o = &o;
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
    let named: Vec<_> = o
        .schedules
        .iter()
        .map(|(name, s)| (name.clone(), sched(&Some(s.clone()))))
        .collect();
    format!(
        "{grade:?} {:?} {:?} {comps:?} {tags:?} {:?} {:?} {named:?} {:?}",
        o.subgrade,
        o.score,
        sched(&o.follow_up),
        sched(&o.review),
        o.values
    )
}

/// Grades every record four ways and compares: the same facts from all of them, the same
/// reasons column from the traced path, the untraced one and the engine. Returns how many rows
/// were compared and how many the engine computed itself.
fn compare_paths(program: &Program, data: &Path) -> (usize, usize) {
    let records = records(program, data);
    assert!(!records.is_empty(), "{} has rows", data.display());
    let engine = tier::engine::Engine::new(program).unwrap_or_else(|d| {
        panic!("{} does not lower: {d:?}", data.display());
    });
    let recs: Vec<&[Value]> = records.iter().map(|(r, _)| r.as_slice()).collect();
    let rels: Vec<&[Value]> = records.iter().map(|(_, r)| r.as_slice()).collect();
    let (with_words, stats) = engine.grade(program, &recs, &rels, as_of(), true);
    let (without, _) = engine.grade(program, &recs, &rels, as_of(), false);
    for (i, (record, rel)) in records.iter().enumerate() {
        let full = program.evaluate(record, rel, as_of());
        let untraced = program.evaluate_untraced(record, rel, as_of());
        let bare = program.evaluate_bare(record, rel, as_of());
        let (e, eb) = (&with_words[i], &without[i]);
        match (full, untraced, bare, e, eb) {
            (Ok(f), Ok(u), Ok(b), Ok(e), Ok(eb)) => {
                let ff = facts(&f);
                let at = |what: &str| format!("{} row {i}: {what} differs", data.display());
                assert_eq!(ff, facts(&u), "{}", at("untraced"));
                assert_eq!(ff, facts(&b), "{}", at("bare"));
                assert_eq!(ff, facts(e), "{}", at("the engine"));
                assert_eq!(ff, facts(eb), "{}", at("the engine without reasons"));
                assert_eq!(f.reasons(), u.reasons(), "{}", at("untraced reasons"));
                assert_eq!(f.reasons(), e.reasons(), "{}", at("the engine's reasons"));
            }
            (Err(f), Err(u), Err(b), Err(e), Err(eb)) => {
                assert_eq!(f.diagnostic.message, u.diagnostic.message);
                assert_eq!(f.diagnostic.message, b.diagnostic.message);
                assert_eq!(f.diagnostic.message, e.diagnostic.message);
                assert_eq!(f.diagnostic.message, eb.diagnostic.message);
            }
            (f, u, b, e, eb) => panic!(
                "{} row {i}: paths disagree on rejecting: {:?} {:?} {:?} {:?} {:?}",
                data.display(),
                f.is_ok(),
                u.is_ok(),
                b.is_ok(),
                e.is_ok(),
                eb.is_ok()
            ),
        }
    }
    (records.len(), stats.computed)
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
    // Every generated row grades, all of them computed by the engine.
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
/// conditions grades the same on every path, and all of them in the engine.
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

#[test]
fn every_shipped_sample_grades_the_same_on_every_path() {
    let (mut compared, mut computed) = (0, 0);
    for (ruleset, sample) in crate::rulesets::shipped() {
        let (n, c) = compare_paths(&load(&ruleset), &sample);
        compared += n;
        computed += c;
    }
    assert!(compared > 100, "only {compared} rows compared");
    // Most sample rows are computed by the engine (the rest are the samples' deliberate
    // errors and manual overrides).
    assert!(
        computed * 10 >= compared * 7,
        "the engine computed only {computed} of {compared} sample rows"
    );
}

/// What `tier run` writes (graded file, rejects, summary), through the library, with the
/// column engine or with the interpreter alone.
fn run_files(ruleset: &Path, data: &Path, engine: bool, reasons: bool) -> Vec<(String, Vec<u8>)> {
    written(ruleset, RunOptions::new(data, as_of()), engine, reasons)
}

/// What `tier run` writes with `options` (graded file, rejects, summary, and how the run
/// ended), through the library, with the column engine or with the interpreter alone.
fn written(
    ruleset: &Path,
    options: RunOptions,
    engine: bool,
    reasons: bool,
) -> Vec<(String, Vec<u8>)> {
    let loaded = tier::load(tier::source::read_source(ruleset).expect("reads")).expect("loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, rejects, summary) = (
        dir.path().join("graded.csv"),
        dir.path().join("rejects.csv"),
        dir.path().join("summary.json"),
    );
    let report = tier::batch::grade_file(
        &loaded,
        RunOptions {
            output: Some(out.clone()),
            rejects: Some(rejects.clone()),
            summary: Some(summary.clone()),
            reasons,
            engine,
            ..options
        },
        None,
    );
    let mut files: Vec<(String, Vec<u8>)> = [("graded", &out), ("rejects", &rejects)]
        .into_iter()
        .chain([("summary", &summary)])
        .map(|(what, p)| (what.to_string(), std::fs::read(p).unwrap_or_default()))
        .collect();
    let outcome = match report {
        Ok(r) => format!("ok, failure: {:?}", r.failure.map(|f| f.diagnostics)),
        Err(e) => format!("error: {:?}", e.diagnostics),
    };
    files.push(("outcome".into(), outcome.into_bytes()));
    files
}

/// What `tier run --events` writes for one event case, with the column engine or without.
fn run_event_files(
    case: &crate::sql::EventCase,
    engine: bool,
    reasons: bool,
) -> Vec<(String, Vec<u8>)> {
    let as_of: jiff::civil::Date = case.as_of.parse().expect("a date");
    let mut options = RunOptions::new(case.customers.clone().unwrap_or_default(), as_of);
    if case.customers.is_none() {
        options.input = tier::batch::Input::EventKeys;
    }
    options.events = case.events.clone();
    written(&case.ruleset, options, engine, reasons)
}

/// Rulesets with events: the engine reads each aggregate as one more input column (the
/// interpreter's folder computes it), and writes the same bytes as the interpreter on the
/// event samples and the SQL test's edge files (window edges, leap day, ties, bad events).
#[test]
fn event_rulesets_write_the_same_bytes_with_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = crate::sql::event_cases(dir.path());
    let mut computed = 0;
    for case in &cases {
        let program = load(&case.ruleset);
        let engine = tier::engine::Engine::new(&program)
            .unwrap_or_else(|d| panic!("{} does not lower: {d:?}", case.ruleset.display()));
        assert!(!engine.plan().aggregates.is_empty());
        for reasons in [true, false] {
            let e = run_event_files(case, true, reasons);
            let r = run_event_files(case, false, reasons);
            for ((what, e), (_, r)) in e.iter().zip(&r) {
                assert_eq!(
                    String::from_utf8_lossy(e),
                    String::from_utf8_lossy(r),
                    "{} as of {} (reasons: {reasons}): the engine's {what} differs",
                    case.ruleset.display(),
                    case.as_of
                );
            }
            assert!(
                e[0].1.len() > 100,
                "{} graded nothing",
                case.ruleset.display()
            );
        }
        computed += 1;
    }
    assert!(computed >= 7, "only {computed} event cases");
}

/// The engine and the interpreter write the same bytes for `data`, with and without reasons.
fn assert_same_bytes(ruleset: &Path, data: &Path) {
    for reasons in [true, false] {
        let engine = run_files(ruleset, data, true, reasons);
        let reference = run_files(ruleset, data, false, reasons);
        for ((what, e), (_, r)) in engine.iter().zip(&reference) {
            if e != r {
                let (e, r) = (String::from_utf8_lossy(e), String::from_utf8_lossy(r));
                let line = e
                    .lines()
                    .zip(r.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{} on {} (reasons: {reasons}): the engine's {what} differs from the \
                     interpreter's at line {}:\n  engine:      {}\n  interpreter: {}",
                    ruleset.display(),
                    data.display(),
                    line + 1,
                    e.lines().nth(line).unwrap_or("<none>"),
                    r.lines().nth(line).unwrap_or("<none>"),
                );
            }
        }
        let graded = &engine[0].1;
        assert!(
            !graded.is_empty() || !engine[1].1.is_empty(),
            "{} wrote nothing: {}",
            data.display(),
            String::from_utf8_lossy(&engine[3].1)
        );
    }
}

#[test]
fn every_shipped_sample_writes_the_same_bytes_with_the_engine() {
    for (ruleset, sample) in crate::rulesets::shipped() {
        assert_same_bytes(&ruleset, &sample);
    }
}

#[test]
fn the_eval_fixtures_write_the_same_bytes_with_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    for entry in std::fs::read_dir("tests/fixtures/eval").expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = name.strip_suffix(".records.json") else {
            continue;
        };
        let ruleset = path.with_file_name(format!("{stem}.tier"));
        let data = dir.path().join(format!("{stem}.csv"));
        records_to_csv(&load(&ruleset), &path, &data);
        assert_same_bytes(&ruleset, &data);
        n += 1;
    }
    assert!(n >= 5, "only {n} fixtures");
}

/// The column header of every input: its first `column "…"`, else its name.
fn input_headers(program: &Program) -> Vec<String> {
    program
        .inputs()
        .iter()
        .map(|spec| {
            spec.field
                .columns
                .first()
                .map(|c| c.value.clone())
                .unwrap_or_else(|| spec.name.to_string())
        })
        .collect()
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// An eval fixture's records (objects keyed by input name) as a CSV export with the inputs'
/// column headers.
fn records_to_csv(program: &Program, json: &Path, out: &Path) {
    let text = std::fs::read_to_string(json).expect("records");
    let records: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&text).expect("records are objects");
    let mut csv = input_headers(program)
        .iter()
        .map(|h| csv_cell(h))
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for r in &records {
        let cells: Vec<String> = program
            .inputs()
            .iter()
            .map(|spec| match r.get(&*spec.name) {
                Some(serde_json::Value::String(s)) => csv_cell(s),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => csv_cell(&other.to_string()),
            })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    std::fs::write(out, csv).expect("write data");
}

/// Every number written in a ruleset (`100万`, `92%`, `60`, `0.5`), as a data cell would
/// write it: its band edges and thresholds.
fn literals(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
            j += 1;
        }
        let mut lit: String = chars[i..j].iter().collect();
        if j < chars.len() && matches!(chars[j], '万' | '亿' | '%') {
            lit.push(chars[j]);
        }
        // Dates and versions are not numbers.
        if !(j < chars.len() && chars[j] == '-') && lit.matches('.').count() <= 1 {
            out.push(lit);
        }
        i = j;
    }
    out.sort();
    out.dedup();
    out
}

/// A number cell near `lit`: itself, a cent either side, half a cent above (a tie at x.xx5).
fn near(lit: &str, k: u64) -> String {
    let (digits, suffix) = match lit.char_indices().last() {
        Some((i, c)) if !c.is_ascii_digit() => (&lit[..i], &lit[i..]),
        _ => (lit, ""),
    };
    let Ok(d) = digits.parse::<rust_decimal::Decimal>() else {
        return lit.to_string();
    };
    let step = rust_decimal::Decimal::new(1, 2);
    let v = match k % 5 {
        0 => d,
        1 => d + step,
        2 => d - step,
        3 => d + step / rust_decimal::Decimal::TWO,
        _ => d - step / rust_decimal::Decimal::TWO,
    };
    format!("{v}{suffix}")
}

/// A file for `ruleset` whose cells sit on its band edges and thresholds (and a cent either
/// side, and ties at x.xx5), with empty cells, labels and synonyms, dates around the as-of
/// date and month ends, and numbers with too many places or too large for 128 bits.
fn edge_file(ruleset: &Path, rows: usize, path: &Path) {
    let program = load(ruleset);
    let source = std::fs::read_to_string(ruleset).expect("ruleset");
    let lits = literals(&source);
    let quoted: Vec<String> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.contains(',') && s.chars().count() <= 12)
        .map(str::to_string)
        .collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n.max(1)
    };
    let huge = [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "12345678901234567890123.5",
        "99999999999999999999",
        "1.123456789012345",
        "0.000000001",
        "-0.005",
        "0",
    ];
    let as_of = as_of();
    let day_offsets = [
        0i64, 1, 2, 3, 6, 7, 8, 13, 14, 29, 30, 31, 45, 89, 90, 91, 180, 365, 366, 400,
    ];
    let fixed_dates = [
        "2026-01-31",
        "2026-02-28",
        "2024-02-29",
        "2026-11-21",
        "2026-11-22",
        "2025-12-31",
    ];
    let mut headers: Vec<String> = vec!["编号".to_string()];
    headers.extend(input_headers(&program));
    let mut out = String::new();
    out.push_str(
        &headers
            .iter()
            .map(|h| csv_cell(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    for r in 0..rows {
        let mut cells = vec![format!("R{r:05}")];
        for spec in program.inputs() {
            use tier::ast::TypeKind::*;
            let empty = next(12) == 0;
            let cell = if empty {
                String::new()
            } else {
                match &spec.field.ty.kind {
                    Number | Integer | Money(_) | Percent { .. } | Quantity { .. } => {
                        match next(20) {
                            0 => huge[next(huge.len() as u64) as usize].to_string(),
                            1..=13 if !lits.is_empty() => {
                                let lit = &lits[next(lits.len() as u64) as usize];
                                near(lit, next(5))
                            }
                            _ => format!("{}.{:02}", next(300), next(100)),
                        }
                    }
                    Date => match next(4) {
                        0 => fixed_dates[next(fixed_dates.len() as u64) as usize].to_string(),
                        _ => {
                            let k = day_offsets[next(day_offsets.len() as u64) as usize];
                            let sign = if next(6) == 0 { 1 } else { -1 };
                            as_of
                                .checked_add(jiff::Span::new().days(sign * k))
                                .expect("date")
                                .to_string()
                        }
                    },
                    Bool => ["是", "否", "yes", "no"][next(4) as usize].to_string(),
                    Enum(variants) => {
                        let mut names: Vec<String> = Vec::new();
                        for v in variants {
                            names.push(v.name.name.clone());
                            names.extend(v.synonyms.iter().map(|s| s.value.clone()));
                        }
                        names.push("未知".into());
                        names[next(names.len() as u64) as usize].clone()
                    }
                    Grade(_) => {
                        let labels = spec.grade_labels.clone().unwrap_or_default();
                        match labels.get(next(labels.len() as u64 + 1) as usize) {
                            Some(l) => l.to_string(),
                            None => "未知".into(),
                        }
                    }
                    Text => {
                        if !quoted.is_empty() && next(2) == 0 {
                            quoted[next(quoted.len() as u64) as usize].clone()
                        } else {
                            ["甲", "乙", "丙"][next(3) as usize].to_string()
                        }
                    }
                }
            };
            cells.push(csv_cell(&cell));
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(path, out).expect("write data");
}

/// Generated files at every edge, for every shipped ruleset and the eval fixtures: the same
/// bytes from the engine and the interpreter.
#[test]
fn edge_data_writes_the_same_bytes_with_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rulesets: Vec<PathBuf> = crate::rulesets::rulesets();
    rulesets.push(PathBuf::from("rulesets/bench/distributor_bench.tier"));
    for entry in std::fs::read_dir("tests/fixtures/eval").expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "tier") {
            rulesets.push(path);
        }
    }
    let (mut rows, mut computed) = (0, 0);
    for (i, ruleset) in rulesets.iter().enumerate() {
        let data = dir.path().join(format!("edges{i}.csv"));
        edge_file(ruleset, 600, &data);
        assert_same_bytes(ruleset, &data);
        let program = load(ruleset);
        if tier::engine::Engine::new(&program).is_ok() {
            let (n, c) = compare_paths(&program, &data);
            rows += n;
            computed += c;
        }
    }
    // Edge cells reject many rows and send some to the interpreter (too many places, too
    // large), but the engine computes a good part of them: the comparison is not vacuous.
    assert!(
        computed * 3 >= rows,
        "the engine computed only {computed} of {rows} typed edge rows"
    );
    assert!(rows > 3000, "only {rows} typed edge rows");
}

/// `tier run --evaluator interpreter` grades with the interpreter alone; the default (the
/// engine) writes the same bytes: the graded file, the rejects and the summary.
#[test]
fn the_evaluator_flag_chooses_the_interpreter_and_both_write_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |evaluator: Option<&str>| {
        let tag = evaluator.unwrap_or("default");
        let out = dir.path().join(format!("{tag}.csv"));
        let rejects = dir.path().join(format!("{tag}.rejects.csv"));
        let summary = dir.path().join(format!("{tag}.json"));
        let mut cmd = Command::cargo_bin("tier").expect("binary");
        cmd.args(["run", "rulesets/distributor_composite.tier"])
            .arg("rulesets/samples/distributor_composite.gbk.csv")
            .args(["--as-of", AS_OF, "-q", "-o"])
            .arg(&out)
            .arg("--rejects")
            .arg(&rejects)
            .arg("--summary")
            .arg(&summary);
        if let Some(e) = evaluator {
            cmd.args(["--evaluator", e]);
        }
        // The sample has two dirty rows: the run succeeds with rejects (exit 0 or the
        // rejects' code), the same for both evaluators.
        let status = cmd.output().expect("runs").status.code();
        let read = |p: &Path| std::fs::read(p).expect("written");
        (status, read(&out), read(&rejects), read(&summary))
    };
    let engine = run(None);
    assert_eq!(engine, run(Some("engine")));
    assert_eq!(engine, run(Some("interpreter")));
    assert!(engine.1.len() > 1000 && !engine.2.is_empty());
    let bad = Command::cargo_bin("tier")
        .expect("binary")
        .args(["run", "rulesets/distributor_composite.tier", "x.csv"])
        .args(["--evaluator", "fast"])
        .output()
        .expect("runs");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown evaluator is a usage error"
    );
}
