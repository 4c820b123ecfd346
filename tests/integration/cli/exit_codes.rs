//! README's exit-code table, command by command: every row of the table is produced by every
//! command it applies to.

use super::{run, run_stdin, tmp, DIRTY_CSV, SHOP, SHOP_CSV};

const BROKEN: &str = "tests/fixtures/cli/broken.tier";
const FAILING_TESTS: &str = "tests/fixtures/eval/fail_report.tier";
const MISSING: &str = "tests/fixtures/no-such-file.tier";
const AS_OF: &str = "2026-11-23";

fn code(args: &[&str]) -> i32 {
    let out = run(args);
    assert_ne!(out.code, 101, "{args:?} panicked: {}", out.stderr);
    out.code
}

#[track_caller]
fn expect(expected: i32, args: &[&str]) {
    let out = run(args);
    assert_eq!(
        out.code, expected,
        "{args:?}\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
}

#[track_caller]
fn expect_owned(expected: i32, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    expect(expected, &args);
}

#[test]
fn check() {
    expect(0, &["check", SHOP]);
    expect(1, &["check", BROKEN]);
    expect(2, &["check"]);
    expect(2, &["check", "--format", "yaml", SHOP]);
    expect(3, &["check", MISSING]);
    expect(3, &["check", SHOP, MISSING]);
}

#[test]
fn run_command() {
    let dir = tmp();
    let out = dir.path().join("graded.csv");
    let out = out.to_str().unwrap();
    let base = |extra: &[&str]| {
        let mut v = vec!["run", SHOP, SHOP_CSV, "--as-of", AS_OF, "-q", "-o", out];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    expect_owned(0, &base(&[]));
    expect(1, &["run", BROKEN, SHOP_CSV, "-q", "-o", out]);
    expect(
        1,
        &[
            "run",
            SHOP,
            DIRTY_CSV,
            "--as-of",
            AS_OF,
            "-q",
            "--max-rejects",
            "0",
            "-o",
            out,
        ],
    );
    expect_owned(2, &base(&["--as-of", "yesterday"]));
    expect_owned(2, &base(&["--encoding", "klingon"]));
    expect_owned(2, &base(&["--delimiter", "::"]));
    expect_owned(2, &base(&["--rejects", out]));
    expect_owned(2, &base(&["--no-such-flag"]));
    expect(2, &["run", SHOP]);
    expect(3, &["run", MISSING, SHOP_CSV, "-q", "-o", out]);
    expect(3, &["run", SHOP, "no-such-data.csv", "-q", "-o", out]);
    expect(
        3,
        &[
            "run",
            SHOP,
            SHOP_CSV,
            "--as-of",
            AS_OF,
            "-q",
            "-o",
            "no-such-dir/graded.csv",
        ],
    );
    expect(
        3,
        &["run", SHOP, SHOP_CSV, "--as-of", AS_OF, "-q", "-o", "tests"],
    );
}

#[test]
fn test_command() {
    expect(0, &["test", SHOP]);
    expect(1, &["test", FAILING_TESTS, "--as-of", AS_OF]);
    expect(1, &["test", BROKEN]);
    expect(2, &["test", SHOP, "--as-of", "31/12/2026"]);
    expect(2, &["test"]);
    expect(3, &["test", MISSING]);
    expect(3, &["test", SHOP, MISSING]);
}

#[test]
fn eval_and_explain() {
    for cmd in ["eval", "explain"] {
        let ok = [
            cmd,
            SHOP,
            "--as-of",
            AS_OF,
            "--set",
            "区域=华东",
            "--set",
            "销售额=100万",
            "--set",
            "回款率=95%",
        ];
        expect(0, &ok);
        expect(1, &[cmd, BROKEN, "--set", "a=1"]);
        expect(2, &[cmd, SHOP, "--as-of", AS_OF, "--set", "销售=1"]);
        expect(2, &[cmd, SHOP, "--as-of", AS_OF, "--set", "销售额"]);
        expect(2, &[cmd, SHOP, "--as-of", AS_OF, "--set", "回款率=很高"]);
        expect(2, &[cmd, SHOP, "--as-of", AS_OF, "--json", "[1"]);
        expect(2, &[cmd, SHOP, "--as-of", "soon"]);
        expect(3, &[cmd, MISSING, "--set", "a=1"]);
    }
}

#[test]
fn repl_script() {
    let ok = run_stdin(&["repl", SHOP, "--as-of", AS_OF], b"1 + 1\n".to_vec());
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let failed = run_stdin(&["repl", SHOP, "--as-of", AS_OF], b"1 + 1\n1 +\n".to_vec());
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let broken = run_stdin(&["repl", BROKEN], b"1\n".to_vec());
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let usage = run_stdin(&["repl", SHOP, "--as-of", "never"], Vec::new());
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    let missing = run_stdin(&["repl", MISSING], b"1\n".to_vec());
    assert_eq!(missing.code, 3, "{}", missing.stderr);
}

#[test]
fn fmt() {
    let dir = tmp();
    let messy = dir.path().join("messy.tier");
    std::fs::write(
        &messy,
        "ruleset \"x\"\ninput {\n        a number column \"a\"\n}\ngrade g by a { A >= 1  B otherwise }\n",
    )
    .unwrap();
    let messy = messy.to_str().unwrap();
    let syntax_error = dir.path().join("syntax.tier");
    std::fs::write(&syntax_error, "ruleset \"x\"\ninput {\n").unwrap();
    expect(1, &["fmt", "--check", messy]);
    expect(0, &["fmt", messy]);
    expect(0, &["fmt", "--check", messy]);
    expect(1, &["fmt", syntax_error.to_str().unwrap()]);
    // Without a file, fmt reads standard input (empty here: not a ruleset).
    expect(1, &["fmt"]);
    expect(2, &["fmt", "--no-such-flag"]);
    expect(3, &["fmt", MISSING]);
}

#[test]
fn diff() {
    let base = ["diff", SHOP, SHOP, SHOP_CSV, "--as-of", AS_OF];
    expect(0, &base);
    expect(0, &["diff", SHOP, SHOP, DIRTY_CSV, "--as-of", AS_OF]);
    expect(1, &["diff", SHOP, BROKEN, SHOP_CSV]);
    expect(2, &["diff", SHOP, SHOP_CSV]);
    expect(2, &["diff", SHOP, SHOP, SHOP_CSV, "--as-of", "never"]);
    expect(3, &["diff", MISSING, SHOP, SHOP_CSV]);
    expect(3, &["diff", SHOP, SHOP, "tests/fixtures/no-such-data.csv"]);
}

#[test]
fn completions_and_man() {
    expect(0, &["completions", "zsh"]);
    expect(2, &["completions"]);
    expect(2, &["completions", "tcsh"]);
    expect(0, &["man"]);
    expect(2, &["man", "--dir"]);
    let dir = tmp();
    let pages = dir.path().to_str().unwrap();
    expect(0, &["man", "--dir", pages]);
    let file = dir.path().join("tier.1");
    expect(3, &["man", "--dir", file.to_str().unwrap()]);
    expect(3, &["man", "--dir", MISSING]);
}

#[test]
fn usage_errors_outside_commands() {
    expect(2, &["no-such-command"]);
    expect(2, &[]);
    expect(0, &["--help"]);
    expect(0, &["--version"]);
    assert_eq!(code(&["--color", "sometimes", "check", SHOP]), 2);
}
