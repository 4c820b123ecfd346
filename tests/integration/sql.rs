//! `tier sql` against real engines: every shipped ruleset that lowers, on its sample, gives the
//! same graded rows, values and rejects in the engine as `tier run` (the differential test of
//! issue 15). Each engine is started by the project's own scripts (scripts/sql/): PostgreSQL as
//! a cluster in a temporary directory, DuckDB from its Python wheel. Without an engine the test
//! says which one it skipped; with `TIER_SQL_ENGINES=required` (set by .ci/run) a missing engine
//! fails the test instead.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-11-23";

fn tier() -> Command {
    let mut cmd = Command::cargo_bin("tier").expect("binary builds");
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

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
