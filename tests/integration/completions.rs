//! `tier completions SHELL` and `tier man [--dir DIR]`: the scripts and pages name every command
//! (the list read from `tier --help`, so a new command cannot be forgotten), the scripts parse in
//! the shells installed here, and the pages render without troff warnings.

use assert_cmd::Command;
use std::path::Path;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = Command::cargo_bin("tier")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The subcommands `tier --help` lists (without `help`, which the man pages leave out).
fn subcommands() -> Vec<String> {
    let help = run(&["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    let names: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect();
    for expected in ["check", "run", "test", "fmt", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

/// How each script names a subcommand, in the form only a subcommand takes there.
fn names_subcommand(shell: &str, script: &str, sub: &str) -> bool {
    match shell {
        "bash" => script.contains(&format!("tier,{sub})")),
        "zsh" => script.contains(&format!("'{sub}:")),
        "fish" => script.contains(&format!("-f -a \"{sub}\"")),
        "elvish" => script.contains(&format!("&'tier;{sub}'=")),
        "powershell" => script.contains(&format!("'tier;{sub}'")),
        _ => unreachable!(),
    }
}

/// How each script offers a long flag of `tier run`.
fn offers_run_flag(shell: &str, script: &str, flag: &str) -> bool {
    match shell {
        "fish" => script.lines().any(|line| {
            line.contains("__fish_tier_using_subcommand run\"")
                && line.contains(&format!(" -l {} ", flag.trim_start_matches('-')))
        }),
        _ => script.contains(flag),
    }
}

#[test]
fn every_completion_script_names_every_command_and_runs_flags() {
    let subs = subcommands();
    for shell in SHELLS {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{shell}: {}", out.stderr);
        for sub in &subs {
            assert!(
                names_subcommand(shell, &out.stdout, sub),
                "the {shell} script does not name `{sub}`"
            );
        }
        for flag in ["--as-of", "--rejects", "--max-rejects", "--output"] {
            assert!(
                offers_run_flag(shell, &out.stdout, flag),
                "the {shell} script does not offer `run {flag}`"
            );
        }
    }
}

/// Whether a program can be started here (`SHELL --version` answers).
fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn completion_scripts_parse_in_the_installed_shells() {
    let dir = tempfile::tempdir().unwrap();
    let checks: [(&str, &[&str]); 3] = [
        ("bash", &["-n"]),
        ("zsh", &["-n"]),
        ("fish", &["--no-execute"]),
    ];
    for (shell, flags) in checks {
        if !installed(shell) {
            // bash is everywhere tier is built; the others are optional on CI machines.
            assert_ne!(
                shell, "bash",
                "bash must be installed to check the bash script"
            );
            println!(
                "note: {shell} is not installed; its completion script was not syntax-checked"
            );
            continue;
        }
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        let script = dir.path().join(format!("tier.{shell}"));
        std::fs::write(&script, &out.stdout).unwrap();
        let check = std::process::Command::new(shell)
            .args(flags)
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            check.status.success() && check.stderr.is_empty(),
            "{shell} {flags:?} rejects the script: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("possible values"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn completions_help_says_how_to_install_each_script() {
    let out = run(&["completions", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for place in [
        "~/.local/share/bash-completion/completions/tier",
        "fpath=(~/.zfunc $fpath)",
        "~/.config/fish/completions/tier.fish",
        "tier completions elvish",
        "tier completions powershell",
    ] {
        assert!(out.stdout.contains(place), "{place}: {}", out.stdout);
    }
    let man = run(&["man", "--help"]);
    assert!(man.stdout.contains("man ./tier.1"), "{}", man.stdout);
    assert!(man.stdout.contains("MANPATH"), "{}", man.stdout);
}

#[test]
fn man_prints_tier_1_with_every_command() {
    let out = run(&["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = &out.stdout;
    assert!(page.contains("\n.TH tier 1 "), "{page}");
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS"] {
        assert!(
            page.contains(&format!("\n.SH {section}\n")),
            "{section}: {page}"
        );
    }
    assert!(page.contains("\n.SH \"EXIT STATUS\"\n"), "{page}");
    for sub in subcommands() {
        assert!(page.contains(&format!("tier\\-{sub}(1)")), "{sub}: {page}");
    }
    assert!(!page.contains("tier\\-help(1)"), "{page}");
    // The Chinese of the help texts reaches troff as named characters, not raw UTF-8.
    assert!(page.is_ascii());
    assert!(page.contains("\\[u5BA2]\\[u6237]"), "客户: {page}");
}

#[test]
fn man_dir_writes_one_page_per_command_and_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let mut expected = vec!["tier.1".to_string()];
    expected.extend(subcommands().iter().map(|s| format!("tier-{s}.1")));
    expected.sort();
    for round in 0..2 {
        let out = run(&["man", "--dir", path]);
        assert_eq!(out.code, 0, "round {round}: {}", out.stderr);
        let mut written: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written, expected,
            "round {round}: no other files, no temporaries"
        );
        assert_eq!(out.stdout.lines().count(), expected.len(), "{}", out.stdout);
    }
    let run_page = std::fs::read_to_string(dir.path().join("tier-run.1")).unwrap();
    assert!(run_page.contains("\n.TH tier-run 1 "), "{run_page}");
    for flag in ["\\-\\-as\\-of", "\\-\\-rejects", "\\-\\-max\\-rejects"] {
        assert!(run_page.contains(flag), "{flag}: {run_page}");
    }
    let completions_page = std::fs::read_to_string(dir.path().join("tier-completions.1")).unwrap();
    assert!(
        completions_page.contains("\n.SH NOTES\n.nf\n"),
        "{completions_page}"
    );
}

#[test]
fn man_dir_must_be_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pages");
    std::fs::write(&file, "keep me").unwrap();
    let out = run(&["man", "--dir", file.to_str().unwrap()]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("is not a directory"), "{}", out.stderr);
    assert!(out.stderr.contains("tier::data::write"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let missing = dir.path().join("no-such-dir");
    let out = run(&["man", "--dir", missing.to_str().unwrap()]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("no such directory"), "{}", out.stderr);
    assert!(out.stderr.contains("mkdir -p"), "{}", out.stderr);
    assert!(!missing.exists());
}

#[test]
fn man_dir_never_replaces_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where tier-run.1 would go stays a directory; the other pages are written.
    std::fs::create_dir(dir.path().join("tier-run.1")).unwrap();
    std::fs::write(dir.path().join("tier-run.1/inside"), "x").unwrap();
    let out = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("tier-run.1"), "{}", out.stderr);
    assert!(dir.path().join("tier-run.1/inside").is_file());
    assert!(dir.path().join("tier.1").is_file());
    assert!(dir.path().join("tier-check.1").is_file());
}

/// Renders a page with groff (all warnings on) and with `man -l` (as a reader would), each if
/// installed; returns each renderer's warnings.
fn render_warnings(page: &Path) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    if installed("groff") {
        let out = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(page)
            .output()
            .unwrap();
        assert!(out.status.success(), "groff failed on {}", page.display());
        found.push(("groff", String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    if installed("man") {
        let out = std::process::Command::new("man")
            .args(["--warnings", "-l"])
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(out.status.success(), "man -l failed on {}", page.display());
        assert!(!out.stdout.is_empty(), "man -l rendered nothing");
        found.push(("man", String::from_utf8_lossy(&out.stderr).into_owned()));
    }
    found
}

#[test]
fn man_pages_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let page = entry.unwrap().path();
        let rendered = render_warnings(&page);
        if rendered.is_empty() {
            println!("note: neither groff nor man is installed; the man pages were not rendered");
            return;
        }
        for (renderer, warnings) in rendered {
            assert!(
                warnings.is_empty(),
                "{renderer}: {} renders with warnings:\n{warnings}",
                page.display()
            );
        }
    }
}

/// Completes `words` (the last one being typed) with the bash script, as bash-completion would
/// call it; returns the candidates.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let cword = words.len() - 1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; _tier tier '{}' '{}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn bash_script_completes_commands_flags_and_shells() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("tier.bash");
    let out = run(&["completions", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(&script, &out.stdout).unwrap();
    assert_eq!(bash_complete(&script, &["tier", "ru"]), ["run"]);
    assert_eq!(bash_complete(&script, &["tier", "com"]), ["completions"]);
    assert_eq!(
        bash_complete(&script, &["tier", "run", "--as"]),
        ["--as-of"]
    );
    assert_eq!(
        bash_complete(&script, &["tier", "run", "--rej"]),
        ["--rejects"]
    );
    let shells = bash_complete(&script, &["tier", "completions", ""]);
    for shell in SHELLS {
        assert!(shells.iter().any(|s| s == shell), "{shell} in {shells:?}");
    }
}
