//! The checker, driven from fixture text.
//!
//! Every `tests/fixtures/check/*.tier` file starts with `# expect: code, code, ...`: the test
//! fails when the set of codes produced differs (so a check that stops firing is caught), and
//! the rendered diagnostics are pinned in a snapshot whose header holds the source.
//! Every `tests/fixtures/check/clean/*.tier` file must produce no diagnostic at all.

use std::collections::BTreeSet;
use std::path::Path;
use tier::diagnostic::{render, Code, Diagnostic, RenderOptions};
use tier::source::SourceFile;

fn diagnostics(path: &Path) -> (String, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let source = SourceFile::new(name, text.clone());
    let diags = match tier::syntax::parse(&source) {
        Ok(ruleset) => tier::check::check(&ruleset, &source),
        Err(errors) => errors,
    };
    (text, diags)
}

/// The codes listed on the fixture's first line: `# expect: a, b`.
fn expected_codes(text: &str) -> BTreeSet<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# expect:")
        .expect("a fixture starts with `# expect: code, ...`");
    list.split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn failing_fixtures() {
    insta::glob!("../fixtures/check", "*.tier", |path| {
        let (text, diags) = diagnostics(path);
        let rendered = render(
            &diags,
            RenderOptions {
                color: false,
                width: 100,
            },
        );
        let got: BTreeSet<String> = diags.iter().map(|d| d.code.to_string()).collect();
        assert_eq!(
            got,
            expected_codes(&text),
            "codes of {}:\n{rendered}",
            path.display()
        );
        insta::with_settings!({ description => text, omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

#[test]
fn diagnostics_are_sorted_by_position() {
    for path in fixtures("tests/fixtures/check") {
        let (_, diags) = diagnostics(&path);
        let starts: Vec<usize> = diags
            .iter()
            .filter_map(|d| d.span())
            .map(|s| s.start)
            .collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        assert_eq!(starts, sorted, "{} is not in source order", path.display());
    }
}

/// The `.tier` files of a fixture folder.
fn fixtures(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tier"))
        .collect();
    out.sort();
    out
}

#[test]
fn clean_fixtures_have_no_diagnostics() {
    let mut count = 0;
    for path in fixtures("tests/fixtures/check/clean") {
        count += 1;
        let (_, diags) = diagnostics(&path);
        assert!(
            diags.is_empty(),
            "{} should be clean:\n{}",
            path.display(),
            render(
                &diags,
                RenderOptions {
                    color: false,
                    width: 100
                }
            )
        );
    }
    assert!(count >= 3, "expected the clean fixtures, found {count}");
}

#[test]
fn the_language_spec_example_is_clean() {
    // The first ```tier block of docs/LANGUAGE.md is the S1 example.
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/LANGUAGE.md"))
            .expect("LANGUAGE.md is readable");
    let start = spec.find("```tier\n").expect("a tier block") + "```tier\n".len();
    let end = start + spec[start..].find("```").expect("the block ends");
    let source = SourceFile::new("LANGUAGE.md", &spec[start..end]);
    let ruleset = tier::syntax::parse(&source).expect("the S1 example parses");
    let diags = tier::check::check(&ruleset, &source);
    assert!(
        diags.is_empty(),
        "{}",
        render(
            &diags,
            RenderOptions {
                color: false,
                width: 100
            }
        )
    );
}

#[test]
fn the_checker_never_panics_on_damaged_rulesets() {
    // Rulesets with one line removed: half-written rulesets that the parser accepts must still
    // be checked without a panic. (The clean fixtures cover every construct; parsing dominates
    // the time, so the error fixtures are left out.)
    let mut paths = fixtures("tests/fixtures/check/clean");
    paths.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/many_errors.tier"));
    let mut checked = 0;
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable");
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            let mut copy = lines.clone();
            copy.remove(i);
            let source = SourceFile::new("variant.tier", copy.join("\n"));
            if let Ok(ruleset) = tier::syntax::parse(&source) {
                let _ = tier::check::check(&ruleset, &source);
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} variants parsed");
}

/// A line wider than miette can lay out (65,535 columns: 35,000 tabs are 140,000) is shown as
/// a window around the error, with `…` where text was cut; the header and the JSON form keep
/// the true position. So is the error about a line that is too long.
#[test]
fn long_lines_render_clipped_without_panic() {
    let opts = RenderOptions {
        color: false,
        width: 100,
    };
    let tabs = "\t".repeat(35_000);
    let text = format!("ruleset \"x\"\ninput {{\n  a number\n}}\nlet b = a {tabs}+ zz\n");
    let source = SourceFile::new("long.tier", text);
    let diags = tier::diagnose(&source);
    let unknown = diags
        .iter()
        .find(|d| d.code == Code::NameUnknown)
        .expect("`zz` is unknown");
    let rendered = render(std::slice::from_ref(unknown), opts);
    assert!(rendered.contains("unknown name `zz`"), "{rendered}");
    assert!(rendered.contains('…'), "the line is clipped:\n{rendered}");
    assert!(
        rendered.contains("+ zz"),
        "the window shows the error:\n{rendered}"
    );
    assert!(
        rendered.contains("[long.tier:5:35013]"),
        "the header keeps the true line and column:\n{rendered}"
    );
    assert!(
        rendered.lines().all(|l| l.chars().count() < 400),
        "no rendered line is long:\n{rendered}"
    );
    let json = unknown.to_json();
    assert_eq!((json.line, json.column), (Some(5), Some(35_013)));

    let spaces = " ".repeat(70_000);
    let source = SourceFile::new("long.tier", format!("let b = a {spaces}+ zz\n"));
    let diags = tier::diagnose(&source);
    assert_eq!(diags[0].code, Code::LimitLineLength);
    let rendered = render(&diags, opts);
    assert!(rendered.contains("[long.tier:1:65537]"), "{rendered}");
    assert!(rendered.contains('…'), "{rendered}");
    let json = diags[0].to_json();
    assert_eq!((json.line, json.column), (Some(1), Some(65_537)));
}

/// `n` lets in a chain written last-first (`let a1 = a2`, `let a2 = a3`, …, `let aN = LAST`):
/// inferring `a1` meets every other let before its own type is known.
fn reverse_chain(n: usize, last: &str) -> String {
    let mut s = String::from("ruleset \"chain\"\ninput {\n  a number\n}\n");
    for i in 1..n {
        s.push_str(&format!("let a{i} = a{}\n", i + 1));
    }
    s.push_str(&format!(
        "let a{n} = {last}\ngrade g by a1 {{ A >= 1  B otherwise }}\n"
    ));
    s
}

/// Long chains of lets are checked and compiled in linear time and without recursion along the
/// chain (which overflowed the stack), and a long cycle is one short diagnostic.
#[test]
fn long_let_chains_check_and_compile() {
    let source = SourceFile::new("chain.tier", reverse_chain(20_000, "a + 1"));
    let loaded = tier::load(source).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert!(loaded.warnings.is_empty(), "{}", loaded.warnings[0].message);
    assert_eq!(loaded.program.name(), "chain");

    let source = SourceFile::new("cycle.tier", reverse_chain(5_000, "a1"));
    let diags = tier::diagnose(&source);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    let codes: Vec<Code> = errors.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::LetCycle]);
    assert!(errors[0].labels.len() <= 20, "{}", errors[0].labels.len());
    assert!(
        errors[0].message.contains("(5000 declarations)"),
        "{}",
        errors[0].message
    );
    let rendered = render(&diags, RenderOptions::default());
    assert!(
        rendered.lines().count() < 200,
        "{}",
        rendered.lines().count()
    );
}

/// `tier::input::scaled_literal` fires on a plain number on a scaled field, and on nothing else:
/// not on a number with its own suffix, not on 0, not on a field without a scale.
#[test]
fn scaled_literal_only_for_plain_numbers_on_scaled_fields() {
    let warned = |field: &str| -> Vec<String> {
        let text = format!(
            "ruleset \"x\"\ninput {{\n  销售额 {field}\n}}\ngrade 等级 by 销售额 {{ A >= 100万  B otherwise }}\n"
        );
        let source = SourceFile::new("scaled.tier", text.clone());
        let ruleset = tier::syntax::parse(&source).expect("parses");
        tier::check::check(&ruleset, &source)
            .iter()
            .filter(|d| d.code == Code::InputScaledLiteral)
            .filter_map(|d| d.span().map(|s| text[s.start..s.end].to_string()))
            .collect()
    };
    assert_eq!(warned("money(万) 0..1000 default 50"), ["1000", "50"]);
    assert_eq!(warned("money(亿) ..-2"), ["-2"]);
    assert_eq!(warned("quantity(万㎡) 0..3"), ["3"]);
    for quiet in [
        "money(万) 0..1000万 default 50万",
        "money(万元) 0..5000元 default 5000元",
        "money(万) 0.. default 0",
        "money 0..1000 default 500",
        "money(元) 0..1000",
        "quantity(吨) 0..5000 default 10",
    ] {
        assert_eq!(warned(quiet), Vec::<String>::new(), "{quiet}");
    }
}
