//! The REPL: scripted sessions through the `Session` API (transcripts snapshotted with insta),
//! the real binary in a real terminal (tmux), and piped stdin as a script runner.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tier::repl::{Reply, ReplyKind, ScriptInput, ScriptReader, Session};

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

/// Appends one input and its reply to a transcript: `>>> ` before the first line of the input,
/// `... ` before continuation lines, `!! ` before the lines of an error reply.
fn record(out: &mut String, input: &str, reply: &Reply) {
    for (i, line) in input.trim_end().lines().enumerate() {
        out.push_str(if i == 0 { ">>> " } else { "... " });
        out.push_str(line);
        out.push('\n');
    }
    let prefix = match reply.kind {
        ReplyKind::Ok => "",
        ReplyKind::Error => "!! ",
        ReplyKind::Quit => "(quit) ",
    };
    for line in reply.text.lines() {
        out.push_str(prefix);
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}

/// Runs a script as piped input runs (one input per line; an open brace continues onto the
/// next lines, an unclosed `(` is an error at its line) and returns the transcript.
fn transcript(session: &mut Session, script: &str) -> String {
    let mut out = String::new();
    let mut reader = ScriptReader::new();
    let mut inputs: Vec<ScriptInput> = script.lines().filter_map(|l| reader.push(l)).collect();
    assert!(
        reader.finish().is_none(),
        "script ends inside an open brace"
    );
    for input in inputs.drain(..) {
        let reply = session.eval_script_input(&input);
        record(&mut out, input.text(), &reply);
    }
    out
}

#[test]
fn transcripts() {
    insta::glob!("../fixtures/repl", "*.txt", |path| {
        let script = std::fs::read_to_string(path).expect("fixture is readable");
        let mut session = Session::new(as_of());
        let out = transcript(&mut session, &script);
        insta::assert_snapshot!(out);
    });
}

/// Nothing a user types crashes the session, and an error is an `Error` reply.
#[test]
fn weird_input_never_panics() {
    let mut s = Session::new(as_of());
    let inputs = [
        "",
        "   ",
        ":",
        "::",
        ":set",
        ":set =",
        ":set 销售额 = 1",
        "}",
        ")))",
        "{{{",
        "grade {",
        "let = 3",
        "let x = ",
        "1 / 0",
        "99999999999999999999999999999999999999 * 99999999999999999999999999999",
        "200万 * 1.2亿 * 1.2亿 * 1.2亿",
        "\"unterminated",
        "销售额 ≥ ",
        ":row",
        ":row x",
        ":as-of 2026-02-30",
        ":load",
        ":load /nonexistent.tier",
        ":test",
        ":grade",
        ":explain",
        ":unset 不存在",
        "\u{0}",
        "🙂",
        "# just a comment",
    ];
    for input in inputs {
        let _ = s.eval_line(input);
    }
    let r = s.eval_line(":load rulesets/distributor_composite.tier");
    assert_eq!(r.kind, ReplyKind::Ok, "{}", r.text);
    for input in inputs {
        let _ = s.eval_line(input);
    }
    // Errors past column 65,535 render clipped (the renderer panicked on them).
    let wide = "\t".repeat(35_000);
    for input in [
        format!("1 {wide}+ 不存在"),
        format!("let 宽 = 1 {wide}+ 不存在"),
        format!("{} + 1", "x".repeat(70_000)),
    ] {
        let r = s.eval_line(&input);
        assert_eq!(r.kind, ReplyKind::Error, "{input:.40}");
        assert!(
            r.text.lines().all(|l| l.chars().count() < 1_000),
            "{:.400}",
            r.text
        );
    }
    // (The reply quotes the cell as typed, long as it is.)
    let r = s.eval_line(&format!(":set 销售额 = 1{wide}x"));
    assert_eq!(r.kind, ReplyKind::Error);
    for input in [
        ":set 销售额 = 999999999999999999999999999999999999亿",
        ":set 经理评分 = 1e400",
        ":set 回款率 = %%",
        ":set 最近拜访 = 2026-13-45",
        ":set 销售额 = -5",
        "销售额 / 0",
        "days_since(最近拜访)",
        "let 销售额 = 3",
        "grade 等级 by 综合得分 { A >= 80 }",
        ":row rulesets/samples/distributor_composite.gbk.csv 999999",
        ":row rulesets/samples/distributor_composite.gbk.csv 0",
    ] {
        let _ = s.eval_line(input);
    }
}

/// `:load` reads at most the size limit: a device that never ends is refused quickly.
#[test]
fn load_of_an_endless_file_is_refused() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let started = Instant::now();
    let out = run_piped(":load /dev/zero\n1 + 1\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tier::limit::size"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains('2'));
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn reload_when_the_file_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s1.tier");
    let original =
        std::fs::read_to_string("rulesets/distributor_composite.tier").expect("shipped ruleset");
    std::fs::write(&path, &original).expect("write copy");
    let mut s = Session::new(as_of());
    let mut out = String::new();
    let shown = path.display().to_string();
    let step = |s: &mut Session, input: &str, out: &mut String| {
        let reply = s.eval_line(input);
        let reply = Reply {
            kind: reply.kind,
            text: reply.text.replace(&shown, "$TMP/s1.tier"),
        };
        record(out, &input.replace(&shown, "$TMP/s1.tier"), &reply);
        reply
    };
    step(&mut s, &format!(":load {shown}"), &mut out);
    step(
        &mut s,
        ":set 销售额 = 200万, 上年销售额 = 160万, 批次 = 12, 回款率 = 92%, 退货率 = 6%, 经理评分 = 80",
        &mut out,
    );
    step(&mut s, "等级", &mut out);
    step(&mut s, "let 大客户 = 销售额 >= 100万", &mut out);

    // The author edits the file: B now starts at 75, so 70.5 is a C.
    let edited = original.replace("B >= 60", "B >= 75");
    assert_ne!(edited, original);
    touch_write(&path, &edited);
    let r = step(&mut s, "等级", &mut out);
    assert!(r.text.contains("changed on disk"), "{}", r.text);
    assert!(r.text.ends_with("\nC"), "{}", r.text);
    // The definition typed before the reload survives it.
    let r = step(&mut s, "大客户", &mut out);
    assert_eq!(r.text, "yes");

    // A broken edit is reported once; the previous ruleset stays loaded.
    touch_write(
        &path,
        &edited.replace("grade 等级 by 综合得分 {", "grade 等级 by {"),
    );
    let r = step(&mut s, "等级", &mut out);
    assert_eq!(r.kind, ReplyKind::Error);
    assert!(r.text.contains("still using"), "{}", r.text);
    let r = step(&mut s, "等级", &mut out);
    assert_eq!((r.kind, r.text.as_str()), (ReplyKind::Ok, "C"));
    touch_write(&path, &original);
    step(&mut s, ":reload", &mut out);
    let r = step(&mut s, "等级", &mut out);
    assert_eq!(r.text, "B");
    insta::assert_snapshot!(out);
}

/// A fresh session given a broken file remembers it: once fixed, it loads by itself.
#[test]
fn a_broken_file_loads_once_fixed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s1.tier");
    let original =
        std::fs::read_to_string("rulesets/distributor_composite.tier").expect("shipped ruleset");
    std::fs::write(&path, original.replace("B >= 60", "B >=")).expect("write broken copy");
    let mut s = Session::new(as_of());
    let r = s.load(&path);
    assert_eq!(r.kind, ReplyKind::Error);
    assert!(r.text.contains("nothing loaded"), "{}", r.text);
    assert_eq!(s.prompt(), "tier(s1: not loaded)> ");
    touch_write(&path, &original);
    let r = s.eval_line(":set 销售额 = 200万");
    assert_eq!(r.kind, ReplyKind::Ok, "{}", r.text);
    assert!(r.text.contains("reloaded"), "{}", r.text);
    assert!(r.text.ends_with("销售额 = 200万"), "{}", r.text);
    assert_eq!(s.prompt(), "tier(s1)> ");
}

/// Writes the file and moves its modification time forward, so the change is seen even on file
/// systems with coarse timestamps.
fn touch_write(path: &Path, text: &str) {
    let before = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::fs::write(path, text).expect("write");
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(before + Duration::from_secs(2))
        .expect("set mtime");
}

#[test]
fn piped_stdin_runs_a_script() {
    let script = "\
:set 销售额 = 200万, 上年销售额 = 160万, 批次 = 12
:set 回款率 = 92%, 退货率 = 6%, 经理评分 = 80
综合得分
grade 等级 by 综合得分 {
  A >= 70
  B >= 60
  C >= 40
  D otherwise
}
等级
";
    let out = run_piped(script);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("综合得分 = 70.5") || stdout.contains("70.5"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("A"), "{stdout}");

    // An unclosed `(` is reported at its line and column; the lines after it still run.
    let out = run_piped(
        ":set 经理评分 = 80\n(经理评分 * 2\n经理评分 + 1\n:set 经理评分 = 70\n经理评分\n",
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2: the `(` at column 1 is not closed on its line"),
        "{stderr}"
    );
    assert!(stdout.contains("81") && stdout.contains("70"), "{stdout}");

    // Any error reply makes the script fail (exit 1), after running every line.
    let out = run_piped("销售额 +\n:set 经理评分 = 80\n经理评分\n");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("80"));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

fn run_piped(script: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
        .args([
            "repl",
            "rulesets/distributor_composite.tier",
            "--as-of",
            "2026-11-23",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tier");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write script");
    child.wait_with_output().expect("tier finishes")
}

/// The real binary in a real terminal: tab completion of a command and of a Chinese name, and a
/// multi-line `grade` block. Skipped (with a message) where tmux is not installed.
#[test]
fn terminal_completion_and_multiline() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED terminal_completion_and_multiline: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let socket = format!("tier-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .expect("run tmux")
    };
    let cmd = format!(
        "env TIER_HISTORY={} NO_COLOR=1 {} repl rulesets/distributor_composite.tier --as-of 2026-11-23",
        dir.path().join("history").display(),
        env!("CARGO_BIN_EXE_tier")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "t",
        &cmd,
    ]);
    assert!(started.status.success(), "{started:?}");
    let _cleanup = KillOnDrop(socket.clone());
    let screen =
        || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout).to_string();
    let wait_until = |done: &dyn Fn(&str) -> bool| -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = screen();
            if done(&s) || Instant::now() > deadline {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let wait_for = |what: &str| wait_until(&|s: &str| s.contains(what));
    let s = wait_for("tier(distributor_composite)>");
    assert!(
        s.contains("tier(distributor_composite)>"),
        "no prompt:\n{s}"
    );

    // `:se` + Tab completes to `:set ` (capture-pane drops the trailing space).
    tmux(&["send-keys", "-t", "t", ":se", "Tab"]);
    let s = wait_for("> :set");
    assert!(s.contains("> :set"), "command not completed:\n{s}");
    // A Chinese prefix + Tab: `经理` completes to `经理评分`.
    tmux(&["send-keys", "-t", "t", "经理", "Tab"]);
    let s = wait_for(":set 经理评分");
    assert!(
        s.contains(":set 经理评分"),
        "Chinese name not completed:\n{s}"
    );
    tmux(&["send-keys", "-t", "t", " = 80", "Enter"]);
    let s = wait_for("经理评分 = 80\n");
    assert!(s.contains("经理评分 = 80\n"), "{s}");

    // A multi-line grade block: Enter inside the braces continues the input.
    tmux(&["send-keys", "-t", "t", "grade 档次 by 经理评分 {", "Enter"]);
    // The next line shows a continuation prompt that ends where the main prompt ends.
    // (capture-pane drops trailing blanks: wait for the prompt without its space.)
    let continued = |s: &str| s.lines().any(|l| l == format!("{}...>", " ".repeat(24)));
    let s = wait_until(&continued);
    assert!(continued(&s), "no continuation prompt:\n{s}");
    // One line at a time, each echoed before the next is typed (a loaded machine may
    // otherwise deliver keys while the editor is still redrawing the previous line).
    tmux(&["send-keys", "-t", "t", "高 >= 60", "Enter"]);
    let s = wait_until(&|s: &str| s.contains("高 >= 60") && s.matches("...>").count() >= 2);
    assert!(s.contains("高 >= 60"), "{s}");
    tmux(&["send-keys", "-t", "t", "低 otherwise", "Enter"]);
    let s = wait_until(&|s: &str| s.contains("低 otherwise") && s.matches("...>").count() >= 3);
    assert!(s.contains("低 otherwise"), "{s}");
    tmux(&["send-keys", "-t", "t", "}", "Enter"]);
    let s = wait_for("档次 = 高");
    assert!(
        s.contains("defined grade 档次"),
        "multi-line block not defined:\n{s}"
    );
    assert!(s.contains("档次 = 高"), "{s}");

    // The new name completes too, and evaluates.
    tmux(&["send-keys", "-t", "t", "档", "Tab"]);
    let s = wait_for("> 档次");
    assert!(s.contains("> 档次"), "{s}");
    tmux(&["send-keys", "-t", "t", " = 高", "Enter"]);
    // The reply's own line (the word may occur earlier on the screen).
    let s = wait_until(&|s: &str| s.lines().any(|l| l.trim() == "yes"));
    assert!(s.lines().any(|l| l.trim() == "yes"), "{s}");
    tmux(&["send-keys", "-t", "t", ":quit", "Enter"]);
}

#[test]
fn continuation_prompt_lines_up_with_the_prompt() {
    let mut s = Session::new(as_of());
    assert_eq!(s.prompt_for(""), "tier> ");
    assert_eq!(s.prompt_for("grade 档次 by 1 {"), " ...> ");
    s.load(Path::new("rulesets/distributor_composite.tier"));
    assert_eq!(s.prompt_for(""), "tier(distributor_composite)> ");
    assert_eq!(
        s.prompt_for("grade 等级 by 综合得分 {\n  A >= 80"),
        format!("{}...> ", " ".repeat(24))
    );
    // Chinese in the prompt takes two columns per character.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("经销商.tier");
    std::fs::copy("rulesets/distributor_composite.tier", &file).expect("copy");
    s.load(&file);
    assert_eq!(s.prompt_for(""), "tier(经销商)> ");
    assert_eq!(s.prompt_for("{"), format!("{}...> ", " ".repeat(14 - 5)));
}

#[test]
fn save_writes_the_accepted_definitions_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("试算.tier");
    let arg = file.display().to_string();
    let mut s = Session::new(as_of());
    assert_eq!(s.eval_line(&format!(":save {arg}")).kind, ReplyKind::Error);
    s.load(Path::new("rulesets/distributor_composite.tier"));
    let nothing = s.eval_line(&format!(":save {arg}"));
    assert_eq!(nothing.kind, ReplyKind::Error);
    assert!(nothing.text.contains("nothing to save"), "{}", nothing.text);
    assert!(!file.exists());

    for (input, ok) in [
        ("let 双倍  =  经理评分 * 2", true),
        ("let 坏 = 没有这个名字 + 1", false),
        (
            "grade 档次 by 经理评分 {\n  高 >= 60\n  低 otherwise\n}",
            true,
        ),
        ("let 三倍 = 经理评分 * 3", true),
        ("let 双倍 = 经理评分 * 4", true),
    ] {
        let r = s.eval_line(input);
        assert_eq!(r.kind == ReplyKind::Ok, ok, "{input}: {}", r.text);
    }
    assert_eq!(s.unsaved(), 3);
    let r = s.eval_line(&format!(":save {arg}"));
    assert_eq!(r.kind, ReplyKind::Ok, "{}", r.text);
    assert_eq!(r.text, format!("saved 3 definitions to {arg}"));
    // As typed, in the order accepted (a replaced definition moves to where it was replaced);
    // the rejected one is not there.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "grade 档次 by 经理评分 {\n  高 >= 60\n  低 otherwise\n}\n\n\
         let 三倍 = 经理评分 * 3\n\n\
         let 双倍 = 经理评分 * 4\n"
    );
    assert_eq!(s.unsaved(), 0);

    // An existing file is replaced only with `!`.
    s.eval_line("let 四倍 = 经理评分 * 4");
    let r = s.eval_line(&format!(":save {arg}"));
    assert_eq!(r.kind, ReplyKind::Error);
    assert!(r.text.contains(":save! "), "{}", r.text);
    assert!(!std::fs::read_to_string(&file).unwrap().contains("四倍"));
    let r = s.eval_line(&format!(":save! {arg}"));
    assert_eq!(r.kind, ReplyKind::Ok, "{}", r.text);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .ends_with("let 四倍 = 经理评分 * 4\n"));

    // Never a device, a directory or the loaded ruleset, even with `!`.
    for target in ["/dev/null", dir.path().to_str().unwrap()] {
        let r = s.eval_line(&format!(":save! {target}"));
        assert_eq!(r.kind, ReplyKind::Error, "{target}: {}", r.text);
    }
    let ruleset = dir.path().join("r.tier");
    std::fs::copy("rulesets/distributor_composite.tier", &ruleset).unwrap();
    s.load(&ruleset);
    s.eval_line("let 双倍 = 经理评分 * 2");
    let r = s.eval_line(&format!(":save! {}", ruleset.display()));
    assert_eq!(r.kind, ReplyKind::Error);
    assert!(r.text.contains("is the loaded ruleset"), "{}", r.text);
    assert_eq!(
        std::fs::read_to_string(&ruleset).unwrap(),
        std::fs::read_to_string("rulesets/distributor_composite.tier").unwrap()
    );
    // Only :save takes `!`.
    assert!(s.eval_line(":show!").text.contains("takes no `!`"));
}

#[test]
fn ctrl_d_warns_once_about_unsaved_definitions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = Session::new(as_of());
    s.load(Path::new("rulesets/distributor_composite.tier"));
    // Nothing typed: Ctrl-D leaves.
    assert_eq!(s.end_of_input().kind, ReplyKind::Quit);

    s.eval_line("let 双倍 = 经理评分 * 2");
    let first = s.end_of_input();
    assert_eq!(first.kind, ReplyKind::Ok);
    assert_eq!(
        first.text,
        "1 definition not saved; :save FILE to keep them, Ctrl-D again to quit"
    );
    // Other inputs in between do not warn again; the second Ctrl-D leaves.
    s.eval_line(":show");
    assert_eq!(s.end_of_input().kind, ReplyKind::Quit);

    // A definition typed after the warning is worth another one.
    s.eval_line("let 三倍 = 经理评分 * 3");
    let again = s.end_of_input();
    assert_eq!(again.kind, ReplyKind::Ok);
    assert!(
        again.text.starts_with("2 definitions not saved"),
        "{}",
        again.text
    );

    // After :save there is nothing to warn about.
    let file = dir.path().join("saved.tier");
    s.eval_line(&format!(":save {}", file.display()));
    assert_eq!(s.end_of_input().kind, ReplyKind::Quit);

    // One new definition after the save: warned about again, though it is again "1".
    s.eval_line("let 四倍 = 经理评分 * 4");
    s.eval_line(":save! /dev/null");
    let after_save = s.end_of_input();
    assert_eq!(after_save.kind, ReplyKind::Ok);
    assert!(
        after_save.text.starts_with("1 definition not saved"),
        "{}",
        after_save.text
    );
    assert_eq!(s.end_of_input().kind, ReplyKind::Quit);
}

struct KillOnDrop(String);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.0, "kill-server"])
            .output();
    }
}

#[test]
fn row_with_a_negative_pareto_amount_says_why_it_is_rejected() {
    // `:row` ranks the file as `tier run` does, and rejects the same customer for the same
    // reason; so does `:grade` after `:set`.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("refund.csv");
    let text = std::fs::read_to_string("tests/fixtures/cli/shop.csv")
        .unwrap()
        .replacen("丙公司", "退货公司,华东,-200,90%,2026-11-01\n丙公司", 1);
    std::fs::write(&data, text).unwrap();
    let mut s = Session::new(as_of());
    let r = s.eval_line(":load tests/fixtures/cli/shop.tier");
    assert_eq!(r.kind, ReplyKind::Ok, "{}", r.text);
    let r = s.eval_line(&format!(":row {} 4", data.display()));
    assert!(
        r.text.contains("rejected") && r.text.contains("negative"),
        "{}",
        r.text
    );
    let r = s.eval_line(":grade");
    assert_eq!(r.kind, ReplyKind::Error, "{}", r.text);
    assert!(r.text.contains("tier::eval::negative_share"), "{}", r.text);
    // Another customer of 华东 is classed without the refund: 乙 is 腰部 (100 of 150 before it).
    let r = s.eval_line(&format!(":row {} 3", data.display()));
    assert!(r.text.contains("贡献     = 腰部"), "{}", r.text);
}
