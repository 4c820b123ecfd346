//! The README cannot lie: its ruleset passes `tier check` and `tier test`, and every concrete
//! `tier …` / `cargo run … -- …` command in its shell blocks runs with the documented exit code
//! (up to a redirection or pipe, which is the shell's).

use assert_cmd::Command;

fn readme() -> String {
    std::fs::read_to_string("README.md").expect("README.md")
}

/// The fenced blocks of a language, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{lang}") => current = Some(String::new()),
            Some(b) if line.trim_start() == "```" => {
                out.push(std::mem::take(b));
                current = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Splits a shell line into words, honouring single quotes (the README quotes JSON that way).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            '#' if !quoted && cur.is_empty() => break,
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_ruleset_checks_and_passes_its_test() {
    let text = readme();
    let tier_blocks = blocks(&text, "tier");
    assert!(!tier_blocks.is_empty());
    for block in tier_blocks {
        let source = tier::source::SourceFile::new("README.md", block);
        let loaded = tier::load(source).unwrap_or_else(|d| {
            panic!(
                "{}",
                tier::diagnostic::render(&d, tier::diagnostic::RenderOptions::default())
            )
        });
        let report = tier::eval::testing::run_tests(
            &loaded.ruleset,
            &loaded.source,
            &loaded.program,
            "2026-11-23".parse().unwrap(),
        );
        assert!(report.passed() > 0 && report.failed() == 0);
    }
}

#[test]
fn readme_commands_run() {
    let text = readme();
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for block in blocks(&text, "sh") {
        for line in block.lines() {
            let mut w = words(line);
            if w.first().map(String::as_str) == Some("cargo") {
                // `cargo run --release -- ARGS` is the binary with ARGS; `cargo test` is this suite.
                match w.iter().position(|x| x == "--") {
                    Some(i) => {
                        w = std::iter::once("tier".to_string())
                            .chain(w.drain(i + 1..))
                            .collect()
                    }
                    None => continue,
                }
            }
            if w.first().map(String::as_str) != Some("tier") {
                continue;
            }
            // `tier completions bash > FILE`, `tier man > tier.1 && man ./tier.1`: the redirection
            // and what follows are the shell's; the tier command before them is what runs.
            if let Some(i) = w
                .iter()
                .position(|x| matches!(x.as_str(), ">" | ">>" | "|" | "&&"))
            {
                w.truncate(i);
            }
            // Placeholders like RULESET or DATA are documentation, not commands.
            if w.iter()
                .any(|x| x.chars().all(|c| c.is_ascii_uppercase() || c == '_') && x.len() > 2)
                || w.iter().any(|x| x.starts_with('[') || x.contains('*'))
                || w.iter().any(|x| x.starts_with("my."))
            {
                continue;
            }
            // Keep outputs and in-place rewrites out of the work tree.
            let args: Vec<String> = w[1..]
                .iter()
                .map(|a| {
                    let output = [".csv", ".html"].iter().any(|e| a.ends_with(e));
                    if output && !a.starts_with("rulesets/") {
                        dir.path().join(a).to_string_lossy().into_owned()
                    } else {
                        a.clone()
                    }
                })
                .collect();
            if args.first().map(String::as_str) == Some("fmt")
                && !args.iter().any(|a| a == "--check")
            {
                continue;
            }
            let out = Command::cargo_bin("tier")
                .unwrap()
                .env("NO_COLOR", "1")
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "README command failed: {line}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(
        ran >= 4,
        "expected the README's concrete commands, ran {ran}"
    );
}
