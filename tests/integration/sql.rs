//! `tier sql` against real engines: every shipped ruleset that lowers, on its sample, gives the
//! same graded rows, values and rejects in the engine as `tier run` (the differential test of
//! issue 15). Each engine is started by the project's own scripts (scripts/sql/): PostgreSQL as
//! a cluster in a temporary directory, DuckDB from its Python wheel. Without an engine the test
//! says which one it skipped; with `TIER_SQL_ENGINES=required` (set by .ci/run) a missing engine
//! fails the test instead.

use crate::cli::tier;
use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-11-23";

fn required() -> bool {
    std::env::var("TIER_SQL_ENGINES").is_ok_and(|v| v == "required")
}

fn skip(engine: &str, why: &str) {
    assert!(
        !required(),
        "TIER_SQL_ENGINES=required but {engine} is not available: {why}"
    );
    eprintln!("SKIPPED the {engine} differential test: {why}");
}

/// A SQL engine the test can load a table into and query.
trait Engine {
    fn name(&self) -> &'static str;
    fn dialect(&self) -> &'static str;
    /// Runs the load script, then `query`; returns the query's result as CSV with a header.
    fn run(&self, load: &str, query: &str) -> Result<String, String>;
    /// Rulesets this engine is not run on, and why (docs/SQL.md says the same).
    fn not_run(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

// -------------------------------------------------------------------------------------------------
// PostgreSQL: a cluster in a temporary directory (scripts/sql/postgres.sh)
// -------------------------------------------------------------------------------------------------

struct Postgres {
    dir: tempfile::TempDir,
    conn: Vec<String>,
}

impl Postgres {
    fn start() -> Result<Postgres, String> {
        if std::process::Command::new("psql")
            .arg("--version")
            .output()
            .is_err()
        {
            return Err("psql is not installed".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = std::process::Command::new("bash")
            .arg("scripts/sql/postgres.sh")
            .arg("start")
            .arg(dir.path())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "scripts/sql/postgres.sh start failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let conn = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        Ok(Postgres { dir, conn })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg("scripts/sql/postgres.sh")
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

impl Engine for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn dialect(&self) -> &'static str {
        "postgres"
    }
    fn run(&self, load: &str, query: &str) -> Result<String, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let setup = dir.path().join("setup.sql");
        let select = dir.path().join("query.sql");
        std::fs::write(&setup, format!("DROP TABLE IF EXISTS customers;\n{load}"))
            .map_err(|e| e.to_string())?;
        std::fs::write(&select, format!("{query};\n")).map_err(|e| e.to_string())?;
        let psql = |file: &Path, csv: bool| {
            let mut c = std::process::Command::new("psql");
            c.args(&self.conn)
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
                .arg("-f")
                .arg(file);
            if csv {
                c.arg("--csv");
            }
            c.output()
        };
        let out = psql(&setup, false).map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let out = psql(&select, true).map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

// -------------------------------------------------------------------------------------------------
// DuckDB: the Python wheel in .cache/py (scripts/sql/setup.sh), run by scripts/sql/duckdb.py
// -------------------------------------------------------------------------------------------------

struct Duckdb;

impl Duckdb {
    fn check() -> Result<Duckdb, String> {
        let out = std::process::Command::new("python3")
            .args(["scripts/sql/duckdb.py", "--check"])
            .output()
            .map_err(|e| format!("python3: {e}"))?;
        if out.status.success() {
            Ok(Duckdb)
        } else {
            Err("the duckdb wheel is not installed (run scripts/sql/setup.sh)".into())
        }
    }
}

impl Engine for Duckdb {
    fn name(&self) -> &'static str {
        "DuckDB"
    }
    fn dialect(&self) -> &'static str {
        "duckdb"
    }
    fn run(&self, load: &str, query: &str) -> Result<String, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (l, q) = (dir.path().join("load.sql"), dir.path().join("query.sql"));
        std::fs::write(&l, load).map_err(|e| e.to_string())?;
        std::fs::write(&q, query).map_err(|e| e.to_string())?;
        let out = std::process::Command::new("python3")
            .arg("scripts/sql/duckdb.py")
            .arg(&l)
            .arg(&q)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

// -------------------------------------------------------------------------------------------------
// Spark (local mode): the pyspark wheel in .cache/py, one session served by scripts/sql/spark.py
// -------------------------------------------------------------------------------------------------

struct Spark {
    child: std::cell::RefCell<std::process::Child>,
    replies: std::cell::RefCell<std::io::BufReader<std::process::ChildStdout>>,
}

impl Spark {
    fn start() -> Result<Spark, String> {
        if std::process::Command::new("java")
            .arg("-version")
            .output()
            .is_err()
        {
            return Err("no Java runtime".into());
        }
        let check = std::process::Command::new("python3")
            .args(["scripts/sql/spark.py", "--check"])
            .output()
            .map_err(|e| format!("python3: {e}"))?;
        if !check.status.success() {
            return Err("pyspark is not installed (run scripts/sql/setup.sh)".into());
        }
        let mut child = std::process::Command::new("python3")
            .args(["scripts/sql/spark.py", "--serve"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let out = child.stdout.take().ok_or("no stdout")?;
        Ok(Spark {
            child: std::cell::RefCell::new(child),
            replies: std::cell::RefCell::new(std::io::BufReader::new(out)),
        })
    }
}

impl Drop for Spark {
    fn drop(&mut self) {
        let mut child = self.child.borrow_mut();
        drop(child.stdin.take());
        let _ = child.wait();
    }
}

impl Engine for Spark {
    fn name(&self) -> &'static str {
        "Spark"
    }
    fn dialect(&self) -> &'static str {
        "spark"
    }
    fn not_run(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn run(&self, load: &str, query: &str) -> Result<String, String> {
        use std::io::{BufRead, Write};
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (l, q, o) = (
            dir.path().join("load.sql"),
            dir.path().join("query.sql"),
            dir.path().join("out.csv"),
        );
        std::fs::write(&l, load).map_err(|e| e.to_string())?;
        std::fs::write(&q, query).map_err(|e| e.to_string())?;
        {
            let mut child = self.child.borrow_mut();
            let stdin = child.stdin.as_mut().ok_or("spark.py has no stdin")?;
            writeln!(stdin, "{}\t{}\t{}", l.display(), q.display(), o.display())
                .map_err(|e| e.to_string())?;
            stdin.flush().map_err(|e| e.to_string())?;
        }
        let mut reply = String::new();
        self.replies
            .borrow_mut()
            .read_line(&mut reply)
            .map_err(|e| e.to_string())?;
        match reply.trim_end().strip_prefix("error ") {
            Some(e) => Err(e.to_string()),
            None if reply.trim_end() == "ok" => {
                std::fs::read_to_string(&o).map_err(|e| e.to_string())
            }
            None => Err(format!("spark.py stopped: {reply:?}")),
        }
    }
}

// -------------------------------------------------------------------------------------------------
// The comparison
// -------------------------------------------------------------------------------------------------

fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("a record").iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

/// A cell as both sides mean it: numbers by value, yes/no as booleans, empty as nothing.
fn norm(cell: &str) -> String {
    let t = cell.trim();
    match t {
        "" => return String::new(),
        "是" | "yes" | "true" | "t" => return "true".into(),
        "否" | "no" | "false" | "f" => return "false".into(),
        _ => {}
    }
    match t.parse::<rust_decimal::Decimal>() {
        Ok(d) => d.normalize().to_string(),
        Err(_) => t.to_string(),
    }
}

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Compares one ruleset on one engine; returns the number of rows compared, or `None` when the
/// ruleset does not lower (with the diagnostic printed).
fn compare(engine: &dyn Engine, ruleset: &Path, sample: &Path) -> Option<usize> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.csv");
    let rejects = dir.path().join("rejects.csv");
    let ran = tier()
        .arg("run")
        .arg(ruleset)
        .arg(sample)
        .args(["--as-of", AS_OF, "-q", "--no-reasons"])
        .arg("-o")
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .output()
        .expect("tier run");
    assert!(
        ran.status.success(),
        "tier run {}: {}",
        ruleset.display(),
        String::from_utf8_lossy(&ran.stderr)
    );
    let query = tier()
        .arg("sql")
        .arg(ruleset)
        .args([
            "--dialect",
            engine.dialect(),
            "--as-of",
            AS_OF,
            "--keep",
            "tier_row",
        ])
        .output()
        .expect("tier sql");
    if !query.status.success() {
        let err = String::from_utf8_lossy(&query.stderr);
        assert!(
            err.contains("tier::sql::unsupported"),
            "tier sql {} failed without a tier::sql diagnostic: {err}",
            ruleset.display()
        );
        eprintln!("{}: does not lower yet:\n{err}", ruleset.display());
        return None;
    }
    let query = String::from_utf8(query.stdout).expect("UTF-8");
    let reject_query = sh(tier().arg("sql").arg(ruleset).args([
        "--dialect",
        engine.dialect(),
        "--as-of",
        AS_OF,
        "--rejects",
        "--keep",
        "tier_row",
    ]));
    let load = tier()
        .arg("sql")
        .arg(ruleset)
        .args(["--dialect", engine.dialect(), "--load"])
        .arg(sample)
        .output()
        .expect("tier sql --load");
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    let left_out: BTreeSet<String> = String::from_utf8_lossy(&load.stderr)
        .lines()
        .filter_map(|l| l.split(": row ").nth(1))
        .filter_map(|r| r.split(',').next())
        .map(str::to_string)
        .collect();
    let load = String::from_utf8(load.stdout).expect("UTF-8");

    // Ordered by row; statements before the query (Spark's SETs) stay in front of it.
    let ordered = |q: &str| {
        // Spark's script ends its last statement with `;`.
        let q = q.strip_suffix(";\n").unwrap_or(q);
        let (settings, query) = match q.rfind(";\n") {
            Some(i) => q.split_at(i + 2),
            None => ("", q),
        };
        format!("{settings}SELECT * FROM (\n{query}) AS tier_result ORDER BY tier_row")
    };
    let graded = engine
        .run(&load, &ordered(&query))
        .unwrap_or_else(|e| panic!("{} on {}: {e}", engine.name(), ruleset.display()));
    let failed = engine
        .run(&load, &ordered(&reject_query))
        .unwrap_or_else(|e| panic!("{} rejects on {}: {e}", engine.name(), ruleset.display()));

    // Rejects: the engine's, plus the rows a typed table cannot hold, are tier run's.
    let (_, tier_rejects) = read_csv(&std::fs::read_to_string(&rejects).expect("rejects"));
    let tier_rejected: BTreeSet<String> = tier_rejects.iter().map(|r| r[1].clone()).collect();
    let (fh, frows) = read_csv(&failed);
    let row_col = fh.iter().position(|h| h == "tier_row").expect("tier_row");
    let mut sql_rejected: BTreeSet<String> = frows.iter().map(|r| r[row_col].clone()).collect();
    sql_rejected.extend(left_out);
    assert_eq!(
        sql_rejected,
        tier_rejected,
        "{}: {} rejects other rows than tier run (engine's reasons: {frows:?})",
        ruleset.display(),
        engine.name()
    );

    // Graded rows: the same rows in the same order, every result column equal.
    let (th, trows) = read_csv(&std::fs::read_to_string(&out).expect("output"));
    let (sh_, srows) = read_csv(&graded);
    assert_eq!(
        trows.len(),
        srows.len(),
        "{}: {} graded another number of rows",
        ruleset.display(),
        engine.name()
    );
    // The query keeps only `tier_row`: every other column is a result.
    let mut compared = 0;
    for (ci, header) in sh_.iter().enumerate() {
        if header == "tier_row" {
            continue;
        }
        let renamed = format!("tier:{header}");
        let Some(ti) = th
            .iter()
            .position(|h| *h == renamed)
            .or_else(|| th.iter().position(|h| h == header))
        else {
            panic!(
                "{}: {header} is not a column of tier run's output {th:?}",
                ruleset.display()
            );
        };
        compared += 1;
        for (k, (t, s)) in trows.iter().zip(&srows).enumerate() {
            assert_eq!(
                norm(&t[ti]),
                norm(&s[ci]),
                "{}: {} differs from tier run in column {header}, graded row {} (tier_row {})",
                ruleset.display(),
                engine.name(),
                k + 1,
                s[row_col.min(s.len() - 1)]
            );
        }
    }
    assert!(
        compared > 0,
        "{}: no result column compared",
        ruleset.display()
    );
    // And every result column of tier run's (from its grade column on) is one of the query's,
    // except the reasons and the as-of date, which the query does not produce (docs/SQL.md).
    let grade = sh_
        .iter()
        .find(|h| *h != "tier_row")
        .expect("a result column");
    let first = th
        .iter()
        .position(|h| *h == format!("tier:{grade}"))
        .or_else(|| th.iter().position(|h| h == grade))
        .expect("tier run's grade column");
    for h in &th[first..] {
        let plain = h.strip_prefix("tier:").unwrap_or(h);
        if ["原因", "评估日期", "reasons", "as_of"].contains(&plain) {
            continue;
        }
        assert!(
            sh_.iter().any(|s| s == plain),
            "{}: tier run writes the column {h}, the {} query has none ({sh_:?})",
            ruleset.display(),
            engine.name()
        );
    }
    Some(trows.len())
}

/// Generated data at the edges: every band and threshold boundary of the distributor scorecard,
/// missing and out-of-range cells, month ends; Pareto and top classes with ties, zeros and a
/// negative amount. Deterministic: field `k` of row `i` takes value `(i · p_k) mod n_k`.
fn edge_files(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    fn table(header: &str, columns: &[&[&str]], rows: usize, path: &Path) {
        const PRIMES: [usize; 12] = [1, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
        let mut text = format!("{header}\n");
        for i in 0..rows {
            let cells: Vec<&str> = columns
                .iter()
                .enumerate()
                .map(|(k, values)| values[(i * PRIMES[k % PRIMES.len()] + i / 7) % values.len()])
                .collect();
            text.push_str(&format!("E{i:04},{}\n", cells.join(",")));
        }
        std::fs::write(path, text).expect("write generated data");
    }
    let distributor = dir.join("distributor_edges.csv");
    table(
        "客户编号,年度销售额(万元),上年销售额(万元),销售批次,欠款(万元),回款率,上年回款率,退货率,本年新增,经理评分,最近拜访日期",
        &[
            &["0", "1.5", "2", "9.99", "10", "10.01", "110", "200", "209.99", "210", "300"],
            &["", "0", "8", "100", "160", "200", "12"],
            &["0", "1", "2", "3", "4", "12"],
            &["0", "2", "2.01", "6"],
            &["", "40%", "90%", "92%", "94.99%", "95%", "99.995%", "100%"],
            &["", "85%", "98%", "90%"],
            &["", "0%", "0.5%", "1%", "2%", "5%", "5.01%", "6%"],
            &["是", "否"],
            &["0", "30", "70.5", "80", "100", "", "101"],
            &["", "2026-01-31", "2026-02-28", "2025-11-30", "2026-11-23", "2026-08-31", "2026-11-09"],
        ],
        400,
        &distributor,
    );
    let pareto = dir.join("pareto_edges.csv");
    table(
        "客户编号,年度销售额(万元),回款率,最近拜访日期",
        &[
            &[
                "100", "100", "50", "50", "50", "0", "25.5", "12", "12", "7", "300", "-3",
            ],
            &["", "100%", "50%", "97.5%"],
            &["", "2026-10-31", "2026-02-28", "2024-02-29"],
        ],
        240,
        &pareto,
    );
    // Every day from mid-December 2023 (a leap year) to March 2025, and around the as-of date.
    let calendar = dir.join("calendar_edges.csv");
    let start = jiff::civil::date(2023, 12, 20);
    let mut days: Vec<String> = (0..470)
        .chain(1050..1080)
        .map(|i| (start + jiff::Span::new().days(i)).to_string())
        .collect();
    days.push(String::new());
    let days: Vec<&str> = days.iter().map(String::as_str).collect();
    table(
        "客户编号,类,上次",
        &[&["甲", "乙", "丙", "丁", "戊"], &days],
        2500,
        &calendar,
    );
    let keys = dir.join("schedule_keys_edges.csv");
    table(
        "客户编号,得分,重点客户,已开盘,拜访次数,最近联系",
        &[
            &["95", "80", "79.99", "70", "60", "59", "10", "0"],
            &["是", "否", "", "否"],
            &["", "是", "否", "是", "否"],
            &["0", "1", "7", "", "20", "3"],
            &[
                "2026-11-20",
                "2026-11-16",
                "",
                "2026-10-01",
                "2026-11-22",
                "2026-11-12",
                "2026-11-21",
            ],
        ],
        400,
        &keys,
    );
    vec![
        (PathBuf::from("tests/fixtures/sql/calendar.tier"), calendar),
        (PathBuf::from("tests/fixtures/sql/schedule_keys.tier"), keys),
        (
            PathBuf::from("rulesets/distributor_composite.tier"),
            distributor,
        ),
        (PathBuf::from("rulesets/pareto_abc.tier"), pareto),
        (
            PathBuf::from("tests/fixtures/sql/hostile.tier"),
            PathBuf::from("tests/fixtures/sql/hostile.csv"),
        ),
    ]
}

fn differential(engine: &dyn Engine) {
    let mut lowered = 0;
    let mut rows = 0;
    let mut not_lowered = Vec::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases: Vec<(PathBuf, PathBuf)> = crate::rulesets::shipped();
    assert_eq!(
        cases.len(),
        crate::rulesets::rulesets().len(),
        "every ruleset has a sample"
    );
    cases.extend(edge_files(dir.path()));
    for (ruleset, sample) in cases {
        if let Some((_, why)) = engine
            .not_run()
            .iter()
            .find(|(r, _)| Path::new(r) == ruleset)
        {
            eprintln!("{}: not run on {}: {why}", engine.name(), ruleset.display());
            continue;
        }
        match compare(engine, &ruleset, &sample) {
            Some(n) => {
                lowered += 1;
                rows += n;
            }
            None => not_lowered.push(ruleset.display().to_string()),
        }
    }
    eprintln!(
        "{}: {lowered} files ({rows} graded rows) agree with tier run; not lowered: {not_lowered:?}",
        engine.name()
    );
    assert!(
        not_lowered.is_empty(),
        "every shipped ruleset lowers; these do not: {not_lowered:?}"
    );
}

#[test]
fn postgres_agrees_with_tier_run_on_every_sample() {
    match Postgres::start() {
        Ok(pg) => differential(&pg),
        Err(why) => skip("PostgreSQL", &why),
    }
}

#[test]
fn duckdb_agrees_with_tier_run_on_every_sample() {
    match Duckdb::check() {
        Ok(duck) => differential(&duck),
        Err(why) => skip("DuckDB", &why),
    }
}

#[test]
fn spark_agrees_with_tier_run_on_every_sample() {
    match Spark::start() {
        Ok(spark) => differential(&spark),
        Err(why) => skip("Spark", &why),
    }
}

// -------------------------------------------------------------------------------------------------
// Events: aggregates in SQL (`--events NAME=TABLE`) against `tier run --events`
// -------------------------------------------------------------------------------------------------

/// One ruleset with events, its files and its as-of date.
pub(crate) struct EventCase {
    pub(crate) ruleset: PathBuf,
    /// The customers; `None`: an event-only run (the customers are the events' keys).
    pub(crate) customers: Option<PathBuf>,
    pub(crate) events: Vec<(String, PathBuf)>,
    pub(crate) as_of: String,
}

/// The SQL statement dropping a table, in the engine's quoting.
fn drop_table(dialect: &str, name: &str) -> String {
    match dialect {
        "spark" => format!("DROP TABLE IF EXISTS `{}`;\n", name.replace('`', "``")),
        _ => format!("DROP TABLE IF EXISTS \"{}\";\n", name.replace('"', "\"\"")),
    }
}

/// Rows left out of a `--load` (`FILE: row N, …`), as row numbers.
fn left_out(stderr: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| l.split(": row ").nth(1))
        .filter_map(|r| r.split(',').next())
        .map(str::to_string)
        .collect()
}

/// Compares one event case on one engine: graded rows and every result column, the rejected
/// customers, and the rejected events (file and row). Returns the number of graded rows.
fn compare_events(engine: &dyn Engine, case: &EventCase) -> usize {
    let d = engine.dialect();
    let name = case.ruleset.display().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, rejects) = (dir.path().join("out.csv"), dir.path().join("rejects.csv"));
    let mut run = tier();
    run.arg("run").arg(&case.ruleset);
    if let Some(c) = &case.customers {
        run.arg(c);
    }
    for (n, f) in &case.events {
        run.arg("--events").arg(format!("{n}={}", f.display()));
    }
    sh(run
        .args(["--as-of", &case.as_of, "-q", "--no-reasons", "-o"])
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects));

    // The typed tables: the customers (as `customers`) and each events file (as its name).
    let mut load = String::new();
    let mut customers_left_out = BTreeSet::new();
    if let Some(c) = &case.customers {
        let l = tier()
            .arg("sql")
            .arg(&case.ruleset)
            .args(["--dialect", d, "--load"])
            .arg(c)
            .output()
            .expect("tier sql --load");
        assert!(l.status.success(), "{}", String::from_utf8_lossy(&l.stderr));
        customers_left_out = left_out(&l.stderr);
        load.push_str(&String::from_utf8(l.stdout).expect("UTF-8"));
    }
    // Spark's catalog takes ASCII table names only: the events tables are `tier_events_N`.
    let tables: Vec<String> = (0..case.events.len())
        .map(|i| format!("tier_events_{i}"))
        .collect();
    let mut events_left_out: BTreeSet<(String, String)> = BTreeSet::new();
    for ((n, f), table) in case.events.iter().zip(&tables) {
        let l = tier()
            .arg("sql")
            .arg(&case.ruleset)
            .args(["--dialect", d, "--events", &format!("{n}={table}")])
            .arg("--load-events")
            .arg(format!("{n}={}", f.display()))
            .output()
            .expect("tier sql --load-events");
        assert!(l.status.success(), "{}", String::from_utf8_lossy(&l.stderr));
        for row in left_out(&l.stderr) {
            events_left_out.insert((f.display().to_string(), row));
        }
        load.push_str(&drop_table(d, table));
        load.push_str(&String::from_utf8(l.stdout).expect("UTF-8"));
    }

    let key = if case.customers.is_some() {
        "tier_row".to_string()
    } else {
        // The key's column: the first of tier run's output.
        let (th, _) = read_csv(&std::fs::read_to_string(&out).expect("output"));
        th[0].clone()
    };
    let sql = |extra: &[&str]| {
        let mut c = tier();
        c.arg("sql")
            .arg(&case.ruleset)
            .args(["--dialect", d, "--as-of", &case.as_of]);
        if case.customers.is_some() {
            c.args(["--table", "customers"]);
        }
        // `--load-events` numbers the rows as the file does: the order of one day's events.
        for ((n, _), table) in case.events.iter().zip(&tables) {
            c.args(["--events", &format!("{n}={table}")]);
            c.args(["--events-order", &format!("{n}=tier_row")]);
        }
        c.args(extra);
        sh(&mut c)
    };
    let ordered = |q: &str, by: &str| {
        let q = q.strip_suffix(";\n").unwrap_or(q);
        let (settings, query) = match q.rfind(";\n") {
            Some(i) => q.split_at(i + 2),
            None => ("", q),
        };
        let by = if d == "spark" {
            format!("`{by}`")
        } else {
            format!("\"{by}\"")
        };
        format!("{settings}SELECT * FROM (\n{query}) AS tier_result ORDER BY {by}")
    };
    let run_sql = |q: &str, by: &str| {
        engine
            .run(&load, &ordered(q, by))
            .unwrap_or_else(|e| panic!("{} on {name}: {e}", engine.name()))
    };
    let graded = run_sql(&sql(&["--keep", &key]), &key);

    // tier run's rejects: customers' rows, and events' (file, row).
    let (_, tier_rejects) = read_csv(&std::fs::read_to_string(&rejects).expect("rejects"));
    let customers_file = case.customers.as_ref().map(|c| c.display().to_string());
    let tier_customer_rejects: BTreeSet<String> = tier_rejects
        .iter()
        .filter(|r| Some(&r[0]) == customers_file.as_ref())
        .map(|r| r[1].clone())
        .collect();
    let tier_event_rejects: BTreeSet<(String, String)> = tier_rejects
        .iter()
        .filter(|r| Some(&r[0]) != customers_file.as_ref())
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    if case.customers.is_some() {
        let failed = run_sql(&sql(&["--rejects", "--keep", "tier_row"]), "tier_row");
        let (fh, frows) = read_csv(&failed);
        let col = fh.iter().position(|h| h == "tier_row").expect("tier_row");
        let mut rows: BTreeSet<String> = frows.iter().map(|r| r[col].clone()).collect();
        rows.extend(customers_left_out);
        assert_eq!(
            rows,
            tier_customer_rejects,
            "{name}: {} rejects other customers than tier run ({frows:?})",
            engine.name()
        );
    }
    let failed = run_sql(&sql(&["--event-rejects", "--keep", "tier_row"]), "tier_row");
    let (fh, frows) = read_csv(&failed);
    let at = |h: &str| fh.iter().position(|x| x == h).expect(h);
    let (ev, row) = (at("tier_events"), at("tier_row"));
    let mut sql_event_rejects = events_left_out;
    for r in &frows {
        let file = case
            .events
            .iter()
            .find(|(n, _)| *n == r[ev])
            .map(|(_, f)| f.display().to_string())
            .expect("an events name");
        sql_event_rejects.insert((file, r[row].clone()));
    }
    assert_eq!(
        sql_event_rejects,
        tier_event_rejects,
        "{name}: {} rejects other events than tier run ({frows:?})",
        engine.name()
    );

    // Graded rows: the same customers, every result column equal.
    let (th, mut trows) = read_csv(&std::fs::read_to_string(&out).expect("output"));
    let (sh_, mut srows) = read_csv(&graded);
    let k = sh_.iter().position(|h| *h == key).expect("the key column");
    if case.customers.is_none() {
        trows.sort_by(|a, b| a[0].cmp(&b[0]));
        srows.sort_by(|a, b| a[k].cmp(&b[k]));
    }
    assert_eq!(
        trows.len(),
        srows.len(),
        "{name}: {} graded another number of rows",
        engine.name()
    );
    let mut compared = 0;
    for (ci, header) in sh_.iter().enumerate() {
        let renamed = format!("tier:{header}");
        let Some(ti) = th
            .iter()
            .position(|h| *h == renamed)
            .or_else(|| th.iter().position(|h| h == header))
        else {
            assert_eq!(
                *header, key,
                "{name}: {header} is not a column of tier run's"
            );
            continue;
        };
        compared += 1;
        for (t, s) in trows.iter().zip(&srows) {
            assert_eq!(
                norm(&t[ti]),
                norm(&s[ci]),
                "{name} (as of {}): {} differs from tier run in column {header}, {key} {}",
                case.as_of,
                engine.name(),
                s[k]
            );
        }
    }
    assert!(compared > 1, "{name}: no result column compared");
    trows.len()
}

/// Generated events around `as_of`: days on both sides of every window's edge (month ends,
/// 29 February, exactly 1 month / 12 months / 30 days back), several events on one day, empty
/// and bad cells; keys of customers with and without events, and keys of no customer.
fn event_edge_files(dir: &Path, as_of: jiff::civil::Date) -> (PathBuf, PathBuf) {
    const OFFSETS: [i64; 26] = [
        -400, -367, -366, -365, -364, -200, -93, -92, -91, -90, -62, -61, -60, -59, -45, -42, -31,
        -30, -29, -28, -7, -6, -1, 0, 1, 5,
    ];
    let tag = as_of.to_string();
    let customers = dir.join(format!("customers_{tag}.csv"));
    let mut text = String::from("客户\n");
    for i in 0..40 {
        text.push_str(&format!("C{i:02}\n"));
    }
    text.push_str("  \n"); // an empty key: rejected
    std::fs::write(&customers, text).expect("write customers");
    let amounts = ["1.5", "0", "12.3456", "-2", "", "100", "0.0001", "3"];
    let counts = ["", "1", "3", "0", "7"];
    let discounts = ["", "0%", "10%", "50%", "75%", "49.99%"];
    let channels = ["线上", "线下", "", "线上"];
    let events = dir.join(format!("events_{tag}.csv"));
    let mut text = String::from("客户,日期,金额(万元),件数,折扣,渠道\n");
    for i in 0..420usize {
        // Customers C00–C29 have events (C30–C39 none); C40–C44 name no customer.
        let key = format!(
            "C{:02}",
            (i * 7) % 30 + if i % 37 == 0 { 40 + i % 5 } else { 0 }
        );
        let date = match i % 53 {
            0 => String::new(),
            1 => "2026-02-30".to_string(),
            _ => (as_of + jiff::Span::new().days(OFFSETS[(i * 11 + i / 26) % OFFSETS.len()]))
                .to_string(),
        };
        text.push_str(&format!(
            "{key},{date},{},{},{},{}\n",
            amounts[(i * 3) % amounts.len()],
            counts[(i * 5 + i / 9) % counts.len()],
            discounts[(i * 7 + i / 4) % discounts.len()],
            channels[(i * 3 + i / 11) % channels.len()],
        ));
    }
    // Ties: three events of one customer on one day, with different values (first/last take
    // the first/last in the file among them).
    for c in 0..12 {
        for back in [0i64, 20, 27, 31] {
            for t in 0..3 {
                text.push_str(&format!(
                    "C{c:02},{},{}.5,{},,线上\n",
                    as_of - jiff::Span::new().days(back),
                    t * 4 + c % 3,
                    (t * 2 + c) % 7
                ));
            }
        }
    }
    std::fs::write(&events, text).expect("write events");
    (customers, events)
}

/// The event rulesets with their samples, and the edge fixture on generated files at four
/// as-of dates (also the column engine's differential test, tests/integration/paths.rs).
pub(crate) fn event_cases(dir: &Path) -> Vec<EventCase> {
    let s = |p: &str| PathBuf::from(format!("rulesets/events/samples/{p}"));
    let mut cases = vec![
        EventCase {
            ruleset: "rulesets/events/contract_rolling_events.tier".into(),
            customers: Some(s("contract_rolling_events.csv")),
            events: vec![("交易".into(), s("contract_rolling_events.交易.csv"))],
            as_of: AS_OF.into(),
        },
        EventCase {
            ruleset: "rulesets/events/bank_wealth_events.tier".into(),
            customers: Some(s("bank_wealth_events.csv")),
            events: vec![("日终余额".into(), s("bank_wealth_events.日终余额.csv"))],
            as_of: "2026-11-30".into(),
        },
        EventCase {
            ruleset: "rulesets/events/rfm_events.tier".into(),
            customers: None,
            events: vec![("订单".into(), s("rfm_events.订单.csv"))],
            as_of: AS_OF.into(),
        },
    ];
    let edges = PathBuf::from("tests/fixtures/sql/events_edges.tier");
    for (as_of, event_only) in [
        ("2028-02-29", false),
        ("2026-03-31", false),
        ("2026-11-23", false),
        ("2027-03-01", true),
    ] {
        let date: jiff::civil::Date = as_of.parse().expect("a date");
        let (customers, events) = event_edge_files(dir, date);
        cases.push(EventCase {
            ruleset: edges.clone(),
            customers: (!event_only).then_some(customers),
            events: vec![("流水".into(), events)],
            as_of: as_of.into(),
        });
    }
    cases
}

fn events_differential(engine: &dyn Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = event_cases(dir.path());
    let mut rows = 0;
    for case in &cases {
        rows += compare_events(engine, case);
    }
    eprintln!(
        "{}: {} event cases ({rows} graded rows) agree with tier run --events",
        engine.name(),
        cases.len()
    );
}

#[test]
fn postgres_agrees_with_tier_run_on_events() {
    match Postgres::start() {
        Ok(pg) => events_differential(&pg),
        Err(why) => skip("PostgreSQL", &why),
    }
}

#[test]
fn duckdb_agrees_with_tier_run_on_events() {
    match Duckdb::check() {
        Ok(duck) => events_differential(&duck),
        Err(why) => skip("DuckDB", &why),
    }
}

#[test]
fn spark_agrees_with_tier_run_on_events() {
    match Spark::start() {
        Ok(spark) => events_differential(&spark),
        Err(why) => skip("Spark", &why),
    }
}

#[test]
fn first_and_last_need_the_events_order() {
    let out = tier()
        .args([
            "sql",
            "tests/fixtures/sql/events_order.tier",
            "--dialect",
            "duckdb",
        ])
        .output()
        .expect("tier sql");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tier::sql::unsupported"), "{err}");
    assert!(err.contains("a table has no order"), "{err}");
    assert!(err.contains("events_order.tier:14:12"), "located: {err}");
    assert!(err.contains("--events-order 订单=COLUMN"), "{err}");
    assert!(out.stdout.is_empty(), "no SQL is printed");
    // With the events' order named, it lowers.
    let out = tier()
        .args([
            "sql",
            "tests/fixtures/sql/events_order.tier",
            "--dialect",
            "duckdb",
            "--events-order",
            "订单=订单号",
        ])
        .output()
        .expect("tier sql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"订单号\" AS tier_eord"));
    // An `--events` name that is no declaration is a usage error.
    let out = tier()
        .args([
            "sql",
            "rulesets/events/rfm_events.tier",
            "--dialect",
            "duckdb",
            "--events",
            "订购=orders",
        ])
        .output()
        .expect("tier sql");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tier::usage::events"), "{err}");
    assert!(err.contains("订单"), "names the declarations: {err}");
}
