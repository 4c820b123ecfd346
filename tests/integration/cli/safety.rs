//! `tier run` and `tier fmt` never harm what they write over: devices, FIFOs, symbolic and hard
//! links, inputs, each other's outputs; partial files are removed on signals and recognised
//! when a killed run left them; a closed stdout ends quietly; CSV cells never become formulas.

use super::{run, tmp, SHOP, SHOP_CSV};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const AS_OF: &str = "2026-11-23";

fn shop_run(out: &Path, extra: &[&str]) -> super::Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["run", SHOP, SHOP_CSV, "--as-of", AS_OF, "-q", "-o", out];
    args.extend_from_slice(extra);
    run(&args)
}

/// Grades `data` with the shop ruleset: `run SHOP DATA --as-of AS_OF -q EXTRA...`.
fn grade(data: &Path, extra: &[&str]) -> super::Output {
    let mut args = vec!["run", SHOP, data.to_str().unwrap(), "--as-of", AS_OF, "-q"];
    args.extend_from_slice(extra);
    run(&args)
}

/// Writes a shop data file (the header, then `rows`) into `dir`.
fn shop_data(dir: &Path, name: &str, rows: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("客户名称,区域,年度销售额(万元),回款率,最近联系日期\n{rows}"),
    )
    .unwrap();
    path
}

/// Partial outputs (`.<name>.tier-<pid>-<random>.tmp`) in a directory.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.contains(".tier-") && name.ends_with(".tmp")
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn dev_null_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    // As root, a regression would replace the machine's /dev/null (it did, before tier wrote
    // through devices): the FIFO test below proves the same rule without that risk.
    let uid = std::process::Command::new("id").arg("-u").output();
    if uid.map_or(true, |o| String::from_utf8_lossy(&o.stdout).trim() == "0") {
        eprintln!("running as root: skipped (see a_fifo_is_written_through_not_replaced)");
        return;
    }
    let out = shop_run(Path::new("/dev/null"), &["--rejects", "/dev/null"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_through_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tmp();
    let fifo = dir.path().join("graded.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let out = shop_run(&fifo, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = reader.join().unwrap();
    assert!(text.starts_with("\u{feff}客户名称,"), "{text}");
    assert_eq!(text.lines().count(), 6, "header + 5 customers");
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "the FIFO is still a FIFO");
    assert!(temporaries(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let dir = tmp();
    let real = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    std::fs::write(&real, "old\n").unwrap();
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let out = shop_run(&link, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("客户名称,"),
        "the file the link names is written"
    );
}

#[cfg(unix)]
#[test]
fn fmt_keeps_a_symbolic_link_to_a_ruleset() {
    let dir = tmp();
    let real = dir.path().join("real.tier");
    let link = dir.path().join("link.tier");
    // Badly indented: fmt rewrites it.
    std::fs::write(
        &real,
        "ruleset \"x\"\ninput {\n        a number column \"a\"\n}\ngrade g by a { A >= 1  B otherwise }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = run(&["fmt", link.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("\n  a number  column"));
}

#[cfg(unix)]
#[test]
fn a_hard_linked_output_keeps_its_links() {
    let dir = tmp();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "old\n").unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    let out = shop_run(&a, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&b).unwrap();
    assert!(text.contains("客户名称,"), "the other link sees the output");
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn two_outputs_that_are_one_file_are_refused_before_reading() {
    let dir = tmp();
    let x = dir.path().join("x.csv");
    let x_again = dir.path().join(".").join("x.csv");
    let out = run(&[
        "run",
        SHOP,
        "no-such-data.csv",
        "-o",
        x.to_str().unwrap(),
        "--rejects",
        x_again.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("tier::usage::same_output"),
        "{}",
        out.stderr
    );
    assert!(!x.exists());

    let summary = run(&["run", SHOP, SHOP_CSV, "--summary", "-"]);
    assert_eq!(summary.code, 2, "{}", summary.stderr);
    assert!(summary.stderr.contains("both write to standard output"));
}

#[cfg(unix)]
#[test]
fn an_output_through_a_link_to_another_output_is_refused() {
    let dir = tmp();
    let real = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let out = shop_run(&link, &["--rejects", real.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("tier::usage::same_output"));
}

#[test]
fn the_input_is_never_an_output() {
    let dir = tmp();
    let data = dir.path().join("data.csv");
    std::fs::copy(SHOP_CSV, &data).unwrap();
    let before = std::fs::read(&data).unwrap();
    let out = run(&[
        "run",
        SHOP,
        data.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "-o",
        data.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("tier::usage::output_is_input"));
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

/// A CSV of `rows` shop customers.
fn big_shop_file(path: &Path, rows: usize) {
    let mut text = String::from("客户名称,区域,年度销售额(万元),回款率,最近联系日期\n");
    for i in 0..rows {
        text.push_str(&format!(
            "客户{i},华东,{},{}%,2026-10-01\n",
            i % 120,
            80 + i % 20
        ));
    }
    std::fs::write(path, text).unwrap();
}

#[cfg(unix)]
fn interrupted_run_removes_its_partial_output(signal: &str, expected: i32) {
    let dir = tmp();
    let data = dir.path().join("big.csv");
    big_shop_file(&data, 300_000);
    let out = dir.path().join("graded.csv");
    std::fs::write(&out, "previous\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("tier");
    let mut child = std::process::Command::new(bin)
        .args(["run", SHOP, data.to_str().unwrap(), "--as-of", AS_OF, "-q"])
        .arg("-o")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temporaries(dir.path()).is_empty() {
        if start.elapsed() > Duration::from_secs(120) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the run ended before its partial output could be seen");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let Ok(killed) = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
    else {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("no `kill` command on this machine: skipped");
        return;
    };
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected));
    assert!(
        temporaries(dir.path()).is_empty(),
        "left behind: {:?}",
        temporaries(dir.path())
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
}

#[cfg(unix)]
#[test]
fn sigterm_removes_the_partial_output() {
    interrupted_run_removes_its_partial_output("-TERM", 143);
}

#[cfg(unix)]
#[test]
fn sigint_removes_the_partial_output() {
    interrupted_run_removes_its_partial_output("-INT", 130);
}

#[test]
fn a_partial_output_of_a_killed_run_is_named_and_reported() {
    let dir = tmp();
    let out = dir.path().join("graded.csv");
    // Process 0 is never a tier run that is still going.
    let left = dir.path().join(".graded.csv.tier-0-Ab12Cd.tmp");
    std::fs::write(&left, "partial").unwrap();
    let result = shop_run(&out, &[]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stderr.contains("tier::data::stale_temp"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains(".graded.csv.tier-0-Ab12Cd.tmp"));
    assert!(left.exists(), "reported, not deleted");
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tmp();
    let data = dir.path().join("big.csv");
    big_shop_file(&data, 2_000);
    let data = data.to_str().unwrap().to_string();
    let rulesets: Vec<String> = std::fs::read_dir("rulesets")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tier"))
        .map(|p| p.display().to_string())
        .collect();
    let mut commands: Vec<Vec<String>> = vec![
        ["run", SHOP, &data, "--as-of", AS_OF, "--format", "csv"]
            .map(String::from)
            .to_vec(),
        ["eval", SHOP, "--as-of", AS_OF, "--set", "销售额=1"]
            .map(String::from)
            .to_vec(),
        ["check", "--format", "json"].map(String::from).to_vec(),
        ["test", "--as-of", AS_OF].map(String::from).to_vec(),
        ["completions", "bash"].map(String::from).to_vec(),
        ["man"].map(String::from).to_vec(),
    ];
    commands[2].extend(rulesets.iter().cloned());
    commands[3].extend(rulesets.iter().cloned());
    for args in commands {
        let bin = assert_cmd::cargo::cargo_bin("tier");
        let mut child = std::process::Command::new(bin)
            .args(&args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is written (as `| head -0` would).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(141) | Some(0) | Some(1) | Some(2)),
            "{args:?}: {:?}",
            out.status
        );
    }
}

#[test]
fn csv_cells_never_become_formulas() {
    let dir = tmp();
    let data = dir.path().join("evil.csv");
    std::fs::write(
        &data,
        "客户名称,区域,年度销售额(万元),回款率,最近联系日期\n\
         \"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@SUM(A1),12.5,90%,2026-11-20\n\
         -2+3,\tx,+3,+95%,2026-11-20\n\
         +cmd,华东,abc,95%,2026-11-20\n\
         退款,华东,-12.5,95%,2026-11-20\n",
    )
    .unwrap();
    let out = dir.path().join("graded.csv");
    let rejects = dir.path().join("rejects.csv");
    let result = grade(
        &data,
        &[
            "-o",
            out.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let cells = |path: &Path| -> Vec<Vec<String>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap();
        r.records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let graded = cells(&out);
    assert_eq!(graded[1][0], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(graded[1][1], "'@SUM(A1)");
    assert_eq!(graded[1][2], "12.5");
    assert_eq!(graded[2][0], "'-2+3");
    assert_eq!(graded[2][1], "'\tx");
    assert_eq!(graded[2][2], "+3");
    assert_eq!(graded[2][3], "+95%");
    for row in &graded {
        for cell in row {
            let first = cell.chars().next();
            let number = cell
                .trim_start_matches(['-', '+'])
                .starts_with(|c: char| c.is_ascii_digit());
            assert!(
                number || !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "{cell:?} would be a formula"
            );
        }
    }
    let rejected = cells(&rejects);
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert_eq!(rejected[1][3], "abc");
    // A negative Pareto amount is rejected; its raw value stays a number, not `'-12.5`.
    assert_eq!(rejected[2][3], "-12.5", "a negative number stays a number");
    assert_eq!(
        rejected[1][0].trim_start_matches('\u{feff}'),
        data.to_str().unwrap()
    );

    // --raw-csv: exactly as read.
    let raw = grade(&data, &["--raw-csv", "-o", out.to_str().unwrap()]);
    assert_eq!(raw.code, 0, "{}", raw.stderr);
    let graded = cells(&out);
    assert_eq!(graded[1][0], "=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(graded[2][1], "\tx");
}

#[test]
fn a_formula_in_a_rejected_cell_is_neutralised() {
    let dir = tmp();
    let data = shop_data(dir.path(), "evil.csv", "甲,华东,=1+1,95%,2026-11-20\n");
    let rejects = dir.path().join("rejects.csv");
    let result = grade(
        &data,
        &["-o", "/dev/null", "--rejects", rejects.to_str().unwrap()],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.contains(",'=1+1,"), "{text}");
}

#[test]
fn rejects_xlsx_is_a_workbook() {
    use calamine::{Reader, Xlsx};
    let dir = tmp();
    let data = shop_data(
        dir.path(),
        "bad.csv",
        "甲,华东,abc,95%,2026-11-20\n乙,华东,@x,95%,2026-11-20\n",
    );
    let rejects = dir.path().join("rejects.xlsx");
    let result = grade(
        &data,
        &["-o", "/dev/null", "--rejects", rejects.to_str().unwrap()],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let mut book: Xlsx<_> = calamine::open_workbook(&rejects).expect("an xlsx workbook");
    let range = book.worksheet_range("拒绝行").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], ["文件", "行", "列", "原值", "原因"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][1], "2");
    assert_eq!(rows[2][3], "@x", "text in a workbook is never a formula");
    let formulas = book.worksheet_formula("拒绝行").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn input_columns_are_never_renamed() {
    let dir = tmp();
    let data = dir.path().join("crm.csv");
    std::fs::write(
        &data,
        "客户名称,区域,年度销售额(万元),回款率,最近联系日期,负责人\n甲,华东,100,95%,2026-11-20,王五\n",
    )
    .unwrap();
    let out = dir.path().join("graded.csv");
    let result = grade(&data, &["-o", out.to_str().unwrap()]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stderr.contains("tier::data::column_clash"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("`负责人` → `tier:负责人`"),
        "{}",
        result.stderr
    );
    let mut r = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let row: Vec<String> = r
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(row[at("负责人")], "王五", "the input's own column, as read");
    assert_eq!(row[at("tier:负责人")], "大客户经理", "tier's owner column");
    assert!(!headers.iter().any(|h| h == "原负责人"));
}

#[test]
fn every_csv_file_of_a_run_follows_one_bom_rule() {
    let dir = tmp();
    let graded = dir.path().join("graded.csv");
    let rejects = dir.path().join("rejects.csv");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "run",
            SHOP,
            super::DIRTY_CSV,
            "--as-of",
            AS_OF,
            "-q",
            "-o",
            graded.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        run(&v)
    };
    let bom = |p: &Path| std::fs::read(p).unwrap().starts_with(b"\xEF\xBB\xBF");
    let out = args(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        bom(&graded) && bom(&rejects),
        "files are for Excel: both have a BOM"
    );
    let out = args(&["--no-bom"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!bom(&graded) && !bom(&rejects), "--no-bom: neither has one");
    let stdout = tier_stdout(&[
        "run", SHOP, SHOP_CSV, "--as-of", AS_OF, "-q", "--format", "csv",
    ]);
    assert!(
        !stdout.starts_with(b"\xEF\xBB\xBF"),
        "standard output has none"
    );
    let stdout = tier_stdout(&[
        "run", SHOP, SHOP_CSV, "--as-of", AS_OF, "-q", "--format", "csv", "--bom",
    ]);
    assert!(
        stdout.starts_with(b"\xEF\xBB\xBF"),
        "--bom adds one on standard output"
    );
}

fn tier_stdout(args: &[&str]) -> Vec<u8> {
    let out = super::tier().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
