//! `tier fmt` on every ruleset text the project ships: the shipped rulesets, the ```tier blocks
//! of docs/LANGUAGE.md and the fixtures. Each formats to a text that parses to the same syntax
//! tree, keeps every comment, and formats to itself again. The layout of a few tricky inputs
//! (`tests/fixtures/fmt/`) is pinned by snapshots; the command line by CLI tests.

use assert_cmd::Command;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tier::format::{comments, format_source};
use tier::source::SourceFile;

/// The syntax tree of a text, spans left out, for comparing two layouts of one ruleset.
fn tree(name: &str, text: &str) -> String {
    let ruleset = tier::syntax::parse(&SourceFile::new(name, text))
        .unwrap_or_else(|d| panic!("{name} does not parse: {}", d[0].message));
    let debug = format!("{ruleset:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

/// Formats `text` and checks the three properties; returns the formatted text.
fn check_formats(name: &str, text: &str) -> String {
    let once = format_source(&SourceFile::new(name, text))
        .unwrap_or_else(|d| panic!("{name}: {}: {}", d[0].code.as_str(), d[0].message));
    assert_eq!(
        tree(name, &once),
        tree(name, text),
        "{name}: the tree changed"
    );
    assert_eq!(
        comments(&once),
        comments(text),
        "{name}: a comment was lost"
    );
    let twice = format_source(&SourceFile::new(name, once.as_str())).expect("formats again");
    assert_eq!(twice, once, "{name}: formatting twice changed it");
    once
}

/// Every `.tier` file under `dir`, at any depth.
fn tier_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::from(dir)];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "tier") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn parses(text: &str) -> bool {
    tier::syntax::parse(&SourceFile::new("t.tier", text)).is_ok()
}

#[test]
fn shipped_rulesets_are_formatted() {
    let files = tier_files("rulesets");
    assert!(files.len() >= 18, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        assert_eq!(check_formats(&name, &text), text, "run `tier fmt {name}`");
    }
}

/// Every shipped ruleset with its layout thrown away (indentation and runs of blanks
/// collapsed, trailing comments pulled in) formats back to itself: the layout depends on the
/// tokens, comments and line breaks only.
#[test]
fn shipped_rulesets_come_back_from_a_lost_layout() {
    for path in tier_files("rulesets") {
        let text = std::fs::read_to_string(&path).unwrap();
        let flat: String = text.lines().map(|l| squeeze(l) + "\n").collect();
        assert_ne!(flat, text);
        let name = path.display().to_string();
        assert_eq!(check_formats(&name, &flat), text, "{name}");
    }
}

/// A line without its indentation, runs of blanks outside strings and comments made one.
fn squeeze(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut blank = false;
    let line = line.trim();
    for (i, c) in line.char_indices() {
        if c == ' ' && !in_string {
            blank = true;
            continue;
        }
        if blank {
            out.push(' ');
            blank = false;
        }
        if c == '#' && !in_string {
            out.push_str(&line[i..]);
            break;
        }
        if c == '"' {
            in_string = !in_string;
        }
        out.push(c);
    }
    out
}

#[test]
fn the_language_guide_examples_format() {
    let guide = std::fs::read_to_string("docs/LANGUAGE.md").unwrap();
    let mut formatted = 0;
    for (n, block) in guide.split("```tier\n").skip(1).enumerate() {
        let code = block.split("```").next().unwrap_or("");
        // Examples of declarations alone format under a header of their own.
        let text = if parses(code) {
            code.to_string()
        } else {
            format!("ruleset \"guide\"\n{code}")
        };
        if parses(&text) {
            check_formats(&format!("LANGUAGE.md block {}", n + 1), &text);
            formatted += 1;
        }
    }
    assert!(
        formatted >= 12,
        "only {formatted} examples of the guide parse"
    );
}

#[test]
fn every_fixture_that_parses_formats() {
    let mut formatted = 0;
    for path in tier_files("tests/fixtures") {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if parses(&text) {
            check_formats(&path.display().to_string(), &text);
            formatted += 1;
        }
    }
    assert!(formatted >= 55, "only {formatted} fixtures parse");
}

#[test]
fn tricky_layouts() {
    insta::glob!("../fixtures/fmt", "*.tier", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let formatted = check_formats(&name, &text);
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_snapshot!(formatted);
        });
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Comments added at the end of random lines and on lines of their own, blanks added and
    /// lines joined where no comment is in the way: formatting keeps every comment, keeps the
    /// tree, and is a fixed point.
    #[test]
    fn comments_and_blanks_anywhere(
        file in 0usize..18,
        edits in proptest::collection::vec((0usize..400, 0u8..4), 1..24),
    ) {
        let files = tier_files("rulesets");
        let text = std::fs::read_to_string(&files[file % files.len()]).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (k, (at, what)) in edits.into_iter().enumerate() {
            let i = at % lines.len();
            match what {
                0 => lines[i].push_str(&format!("   # c{k}")),
                1 => lines.insert(i, format!("      # own {k}")),
                2 => lines[i].insert_str(0, "   "),
                _ => {
                    // Join with the next line unless a comment would swallow it.
                    if i + 1 < lines.len() && !lines[i].contains('#') && !lines[i + 1].trim().is_empty() {
                        let next = lines.remove(i + 1);
                        lines[i] = format!("{} {}", lines[i], next.trim());
                    }
                }
            }
        }
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        prop_assume!(parses(&text));
        check_formats("mutated.tier", &text);
    }
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

const MESSY: &str = "ruleset \"x\"\ninput {\n      a number column \"a\"\n}\ngrade g by a { A >= 1  B otherwise }\n";
const TIDY: &str =
    "ruleset \"x\"\ninput {\n  a number  column \"a\"\n}\ngrade g by a {\n  A >= 1\n  B otherwise\n}\n";

fn tier(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("tier")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn check_lists_the_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "messy.tier", MESSY);
    let tidy = write(dir.path(), "tidy.tier", TIDY);
    let (code, stdout, _) = tier(&["fmt", "--check", &messy, &tidy], "");
    assert_eq!(code, 1);
    assert_eq!(stdout, format!("{messy} is not formatted\n"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);
    assert_eq!(tier(&["fmt", "--check", &tidy], "").0, 0);
    // In place: the messy file is rewritten, the tidy one left alone.
    let (code, stdout, _) = tier(&["fmt", &messy, &tidy], "");
    assert_eq!((code, stdout), (0, format!("formatted {messy}\n")));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
}

#[test]
fn diff_prints_the_changes_as_a_unified_diff() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "messy.tier", MESSY);
    let (code, stdout, stderr) = tier(&["fmt", "--diff", &messy], "");
    assert_eq!(code, 0, "{stderr}");
    let want = format!(
        "--- {messy}\n+++ {messy}\n@@ -1,5 +1,8 @@\n ruleset \"x\"\n input {{\n-      a number column \"a\"\n+  a number  column \"a\"\n }}\n-grade g by a {{ A >= 1  B otherwise }}\n+grade g by a {{\n+  A >= 1\n+  B otherwise\n+}}\n"
    );
    assert_eq!(stdout, want);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        MESSY,
        "nothing written"
    );
    // With --check as well: the same diff, and exit 1.
    let (code, again, _) = tier(&["fmt", "--check", "--diff", &messy], "");
    assert_eq!((code, again), (1, want));
    // Nothing to change: no output.
    let tidy = write(dir.path(), "tidy.tier", TIDY);
    assert_eq!(
        tier(&["fmt", "--diff", &tidy], ""),
        (0, String::new(), String::new())
    );
}

#[test]
fn standard_input_goes_to_standard_output() {
    for args in [&["fmt"][..], &["fmt", "-"]] {
        let (code, stdout, stderr) = tier(args, MESSY);
        assert_eq!((code, stdout.as_str()), (0, TIDY), "{args:?}: {stderr}");
    }
    let (code, stdout, _) = tier(&["fmt", "--check", "-"], MESSY);
    assert_eq!((code, stdout.as_str()), (1, "<stdin> is not formatted\n"));
    assert_eq!(tier(&["fmt", "--check"], TIDY).0, 0);
    let (code, stdout, _) = tier(&["fmt", "--diff", "-"], MESSY);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("--- <stdin>\n+++ <stdin>\n"), "{stdout}");
}

#[test]
fn a_broken_ruleset_gives_its_errors_and_stays_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let half = "ruleset \"x\"\ninput {\n  a number\n";
    let path = write(dir.path(), "half.tier", half);
    let (code, stdout, stderr) = tier(&["fmt", &path], "");
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("tier::syntax"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), half);
    let (code, stdout, stderr) = tier(&["fmt"], half);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("<stdin>"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = tier(&["fmt", dir.path().to_str().unwrap()], "");
    assert_eq!(code, 3, "a folder is not a ruleset: {stderr}");
}
