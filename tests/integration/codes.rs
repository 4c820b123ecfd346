//! Every diagnostic code (`Code::ALL`) is documented in docs/DIAGNOSTICS.md, and every code has
//! a fixture that makes the real binary emit it ([`trigger`], an exhaustive `match`: a new code
//! without a trigger does not compile). The few that no input can reach say why.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tier::diagnostic::Code;

const SHOP: &str = "tests/fixtures/cli/shop.tier";
const SHOP_CSV: &str = "tests/fixtures/cli/shop.csv";
const DIRTY_CSV: &str = "tests/fixtures/cli/dirty.csv";

/// How to make `tier` emit a code.
enum Trigger {
    /// `tier check --format json FILE`: a checker fixture (`tests/fixtures/check/`) or a parser
    /// one; the code must be in the JSON.
    Check(&'static str),
    /// `tier ARGS` (paths relative to the crate root; `{dir}` is a fresh temporary folder); the
    /// code must be on standard error or output.
    Cli(&'static [&'static str]),
    /// Files written at test time (too large, or placed beside an output), then `tier ARGS`.
    Prepared(fn(&Path) -> Vec<String>),
    /// No input reaches it: an internal invariant, or a check that an earlier phase always
    /// makes first. The text says which.
    Internal(&'static str),
}

fn trigger(code: Code) -> Trigger {
    use Trigger::*;
    match code {
        Code::Syntax => Check("tests/fixtures/parse/errors/bad_arrow.tier"),
        Code::LimitExpression => Prepared(|dir| {
            let path = dir.join("limit_expression.tier");
            let chain = vec!["1"; 1_500].join(" + ");
            std::fs::write(&path, format!("ruleset \"x\"\nlet x = {chain}\n")).unwrap();
            args(&["check", path_str(&path)])
        }),
        Code::LimitLineLength => Prepared(|dir| {
            let path = dir.join("limit_line_length.tier");
            let text = format!("ruleset \"x\"\nlet x = 1 {}+ 1\n", " ".repeat(70_000));
            std::fs::write(&path, text).unwrap();
            args(&["check", path_str(&path)])
        }),
        Code::LimitNesting => Check("tests/fixtures/parse/errors/nested_too_deep.tier"),
        Code::LimitSize => Prepared(|dir| {
            let path = dir.join("limit_size.tier");
            let file = std::fs::File::create(&path).unwrap();
            file.set_len(16 * 1024 * 1024 + 1).unwrap();
            args(&["check", path_str(&path)])
        }),
        Code::NameDuplicate => Check("tests/fixtures/check/names_duplicate.tier"),
        Code::NameUnknown => Check("tests/fixtures/check/names_unknown.tier"),
        Code::NameUnknownFunction => Check("tests/fixtures/check/names_unknown.tier"),
        Code::NameUnknownLabel => Check("tests/fixtures/check/names_unknown.tier"),
        Code::NameUnknownScale => Check("tests/fixtures/check/names_unknown.tier"),
        Code::NameUnused => Check("tests/fixtures/check/warnings.tier"),
        Code::InputColumnTwice => Check("tests/fixtures/check/input_columns.tier"),
        Code::InputDefaultRange => Check("tests/fixtures/check/input_columns.tier"),
        Code::InputDefaultType => Check("tests/fixtures/check/input_columns.tier"),
        Code::InputRange => Check("tests/fixtures/check/input_columns.tier"),
        Code::InputScaledLiteral => Check("tests/fixtures/check/input_scaled.tier"),
        Code::TypeArity => Check("tests/fixtures/check/types_units.tier"),
        Code::TypeCompareMissing => Check("tests/fixtures/check/types_units.tier"),
        Code::TypeMismatch => Check("tests/fixtures/check/types_units.tier"),
        Code::TypePercentLiteral => Check("tests/fixtures/check/types_units.tier"),
        Code::TypeUnitMismatch => Check("tests/fixtures/check/types_units.tier"),
        Code::TypeUnrankedLabel => Check("tests/fixtures/check/labels_unranked.tier"),
        Code::AtLeastCount => Check("tests/fixtures/check/types_units.tier"),
        Code::LetCycle => Check("tests/fixtures/check/let_cycle.tier"),
        Code::EventsAggregate
        | Code::EventsDate
        | Code::EventsFilter
        | Code::EventsKey
        | Code::EventsUnknown
        | Code::EventsWindow => Check("tests/fixtures/check/events.tier"),
        Code::RelativeCuts => Check("tests/fixtures/check/adjust_relative.tier"),
        Code::RelativeQuantiles => Check("tests/fixtures/check/adjust_relative.tier"),
        Code::RelativeRest => Check("tests/fixtures/check/adjust_relative.tier"),
        Code::ScorecardWeights => Check("tests/fixtures/check/scorecard_weights.tier"),
        Code::LinearEmptyRange => Check("tests/fixtures/check/types_units.tier"),
        Code::BandsBound => Check("tests/fixtures/check/bands_overlap.tier"),
        Code::BandsEmpty => Check("tests/fixtures/check/bands_overlap.tier"),
        Code::BandsGap => Check("tests/fixtures/check/bands_gap.tier"),
        Code::BandsNonMonotonic => Check("tests/fixtures/check/bands_monotonic.tier"),
        Code::BandsOverlap => Check("tests/fixtures/check/bands_overlap.tier"),
        Code::BandsUnreachable => Check("tests/fixtures/check/bands_overlap.tier"),
        Code::GradeDirection => Check("tests/fixtures/check/grade_thresholds.tier"),
        Code::GradeThreshold => Check("tests/fixtures/check/grade_thresholds.tier"),
        Code::GradeUncovered => Check("tests/fixtures/check/grade_rules.tier"),
        Code::GradeUnreachable => Check("tests/fixtures/check/grade_rules.tier"),
        Code::ConditionNeverHolds => Check("tests/fixtures/check/grade_rules.tier"),
        Code::MatchUncovered => Check("tests/fixtures/check/match_matrix.tier"),
        Code::MatchUnreachable => Check("tests/fixtures/check/match_matrix.tier"),
        Code::MatrixShape => Check("tests/fixtures/check/match_matrix.tier"),
        Code::AdjustBase => Check("tests/fixtures/check/adjust_relative.tier"),
        Code::AdjustZero => Check("tests/fixtures/check/adjust_relative.tier"),
        Code::AdjustNoEffect => Check("tests/fixtures/check/adjust_bounds.tier"),
        Code::ScheduleCadence => Internal(
            "the grammar accepts only a positive whole count before `per` (`0 per month` and \
             `1.5 per month` are tier::syntax); the checker's test stays for ASTs built another way",
        ),
        Code::ScheduleCalendar => Check("tests/fixtures/check/schedules_calendar.tier"),
        Code::ScheduleDuplicate => Check("tests/fixtures/check/schedules.tier"),
        Code::ScheduleNotGrade => Check("tests/fixtures/check/schedules.tier"),
        Code::ScheduleUncovered => Check("tests/fixtures/check/schedules.tier"),
        Code::ScheduleWithin => Check("tests/fixtures/check/schedules.tier"),
        Code::OverrideField => Check("tests/fixtures/check/override_output.tier"),
        Code::OverrideTarget => Check("tests/fixtures/check/override_output.tier"),
        Code::OutputDuplicate => Check("tests/fixtures/check/override_output.tier"),
        Code::OutputKind => Check("tests/fixtures/check/override_output.tier"),
        Code::RulesetNoGrade => Check("tests/fixtures/check/warnings.tier"),
        Code::TestDuplicateGiven => Check("tests/fixtures/check/tests_block.tier"),
        Code::TestFailed => Cli(&["test", "tests/fixtures/codes/test_failed.tier"]),
        Code::TestMissingGiven => Check("tests/fixtures/check/tests_block.tier"),
        Code::TestNoSchedule => Check("tests/fixtures/check/tests_block.tier"),
        Code::TestNotInput => Check("tests/fixtures/check/tests_block.tier"),
        Code::TestUnknownName => Check("tests/fixtures/check/tests_block.tier"),
        Code::TestValueType => Check("tests/fixtures/check/tests_block.tier"),
        Code::EvalDivisionByZero => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_division_by_zero.tier",
            "--set",
            "销售额=200万",
            "--set",
            "上年=0",
        ]),
        Code::EvalLinearEmpty => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_linear_empty.tier",
            "--set",
            "销售额=50万",
            "--set",
            "目标=100万",
            "--set",
            "底线=100万",
        ]),
        Code::EvalMissing => Cli(&["eval", "tests/fixtures/codes/eval_missing.tier"]),
        Code::EvalNegativeShare => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_negative_share.tier",
            "--set",
            "销售额=-200万",
        ]),
        Code::EvalOverflow => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_overflow.tier",
            "--set",
            "数量=10000000000000000",
        ]),
        Code::EvalOverrideLabel => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_override_label.tier",
            "--set",
            "得分=90",
            "--set",
            "人工等级=Z",
            "--set",
            "调整原因=复核",
        ]),
        Code::EvalOverrideReason => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_override_reason.tier",
            "--set",
            "得分=90",
            "--set",
            "人工等级=B",
        ]),
        Code::EvalType => Internal(
            "a value of the wrong type during evaluation; the checker rejects every type \
             error (tier::type::…) before any record is graded",
        ),
        Code::EvalUncovered => Cli(&[
            "eval",
            "tests/fixtures/codes/eval_uncovered.tier",
            "--set",
            "来源=展会",
        ]),
        Code::DataColumnAmbiguous => Cli(&[
            "run",
            SHOP,
            "tests/fixtures/codes/data_column_ambiguous.csv",
            "--as-of",
            "2026-11-23",
        ]),
        Code::DataColumnClash => Cli(&[
            "run",
            SHOP,
            "tests/fixtures/codes/data_column_clash.csv",
            "--as-of",
            "2026-11-23",
            "-q",
            "-o",
            "{dir}/graded.csv",
        ]),
        Code::DataColumnMissing => Cli(&[
            "run",
            SHOP,
            SHOP_CSV,
            "--as-of",
            "2026-11-23",
            "--keep",
            "无此列",
        ]),
        Code::DataDuplicateKey => Cli(&[
            "run",
            "tests/fixtures/events/trades.tier",
            "tests/fixtures/events/duplicate.csv",
            "--events",
            "交易=tests/fixtures/events/trades.csv",
            "--as-of",
            "2026-11-23",
            "-o",
            "{dir}/graded.csv",
        ]),
        Code::DataRead => Cli(&["run", SHOP, "{dir}/no_such_file.csv"]),
        Code::DataStaleTemp => Prepared(|dir| {
            // Process 0 is never a tier run that is still going.
            std::fs::write(dir.join(".graded.csv.tier-0-Ab12Cd.tmp"), "partial").unwrap();
            let out = dir.join("graded.csv");
            args(&["run", SHOP, SHOP_CSV, "--as-of", "2026-11-23", "-q", "-o", path_str(&out)])
        }),
        Code::DataTruncated => Prepared(|dir| {
            let input = dir.join("long.csv");
            let text = std::fs::read_to_string(SHOP_CSV)
                .unwrap()
                .replacen("乙公司", &"乙".repeat(40_000), 1);
            std::fs::write(&input, text).unwrap();
            let out = dir.join("out.xlsx");
            args(&[
                "run",
                SHOP,
                path_str(&input),
                "--as-of",
                "2026-11-23",
                "-q",
                "-o",
                path_str(&out),
            ])
        }),
        Code::DataWrite => Cli(&["run", SHOP, SHOP_CSV, "-o", "{dir}/no/such/folder/out.csv"]),
        Code::UsageAsOf => Cli(&["eval", SHOP, "--as-of", "2026-13-45"]),
        Code::UsageDelimiter => Cli(&["run", SHOP, SHOP_CSV, "--delimiter", ",;"]),
        Code::UsageEncoding => Cli(&["run", SHOP, SHOP_CSV, "--encoding", "klingon"]),
        Code::UsageEvents => Cli(&["run", SHOP, SHOP_CSV, "--events", "订单=orders.csv"]),
        Code::UsageJson => Cli(&["eval", SHOP, "--json", "[1, 2]"]),
        Code::UsageOutputIsInput => Prepared(|dir| {
            let data = dir.join("data.csv");
            std::fs::copy(SHOP_CSV, &data).unwrap();
            args(&["run", SHOP, path_str(&data), "-o", path_str(&data)])
        }),
        Code::UsageSameOutput => Cli(&[
            "run",
            SHOP,
            SHOP_CSV,
            "-o",
            "{dir}/x.csv",
            "--rejects",
            "{dir}/x.csv",
        ]),
        Code::UsageSet => Cli(&["eval", SHOP, "--set", "销售额"]),
        Code::UsageThreads => Cli(&[
            "run",
            SHOP,
            SHOP_CSV,
            "--as-of",
            "2026-11-23",
            "-q",
            "--threads",
            "100000",
        ]),
        Code::UsageUnknownField => Cli(&["eval", SHOP, "--set", "销售=1"]),
        Code::UsageValue => Cli(&["eval", SHOP, "--set", "销售额=abc"]),
        Code::Io => Cli(&["check", "{dir}/no_such_ruleset.tier"]),
        Code::RunMaxRejects => Cli(&[
            "run",
            SHOP,
            DIRTY_CSV,
            "--as-of",
            "2026-11-23",
            "--max-rejects",
            "0",
        ]),
        Code::SqlUnsupported => Cli(&[
            "sql",
            "tests/fixtures/sql/unsupported.tier",
            "--dialect",
            "postgres",
        ]),
        Code::DiffGit => Cli(&[
            "diff",
            "tests/fixtures/cli/shop.tier@no-such-revision",
            SHOP,
            SHOP_CSV,
        ]),
        Code::DiffDuplicateKey => Prepared(|dir| {
            let graded = dir.join("graded.csv");
            std::fs::write(&graded, "客户名称,等级\n甲公司,A\n甲公司,B\n").unwrap();
            args(&["diff", "--against", path_str(&graded), SHOP, SHOP_CSV])
        }),
        Code::FmtChangedMeaning => Internal(
            "`tier fmt` changes only blanks and comment positions, re-parses its result and \
             compares the comments; this reports a bug in the formatter if the trees or the \
             comments ever differ",
        ),
        Code::InternalCompile => Internal(
            "the compiler takes names, scales and label ranks from the checker's resolution and \
             `tier` compiles only rulesets without errors; this reports a bug if a lookup fails",
        ),
        Code::InternalRowsLost => Internal(
            "`tier run` counts rows read, graded, rejected and skipped independently; this \
             reports a bug if they ever disagree",
        ),
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `tier::…` codes written in backquotes in a document; `tier::eval::…` names a family.
/// (Rust paths such as `tier::diagnostic::Code` have capitals; codes never do.)
fn codes_in(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|piece| {
            piece.starts_with("tier::")
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == ':' || c == '…')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let doc = read("docs/DIAGNOSTICS.md");
    let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    // Each code has its own row in one of the tables: `| `tier::…` | meaning | example |`.
    let rows: BTreeSet<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .collect();
    let undocumented: Vec<&str> = known.difference(&rows).copied().collect();
    assert!(
        undocumented.is_empty(),
        "codes without a row in docs/DIAGNOSTICS.md: {undocumented:?}"
    );
    let mut unknown = Vec::new();
    for path in ["docs/DIAGNOSTICS.md", "docs/LANGUAGE.md", "README.md"] {
        for code in codes_in(&read(path)) {
            let exists = match code.strip_suffix('…') {
                Some(family) => known.iter().any(|k| k.starts_with(family)),
                None => known.contains(code.as_str()),
            };
            if !exists {
                unknown.push(format!("{path}: {code}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "documented codes that do not exist: {unknown:?}"
    );
}

/// The limits are documented in the language reference too ("Limits").
#[test]
fn every_limit_code_is_in_the_language_reference() {
    let language = read("docs/LANGUAGE.md");
    let limits: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .filter(|c| c.as_str().starts_with("tier::limit::"))
        .collect();
    assert_eq!(limits.len(), 4, "{limits:?}");
    for code in limits {
        assert!(
            language.contains(&format!("`{code}`")),
            "{code} is not in the Limits of docs/LANGUAGE.md"
        );
    }
}

/// `code` occurs in `text` as a whole code (`tier::name::unknown` is not in
/// `tier::name::unknown_label`).
fn mentions(text: &str, code: Code) -> bool {
    let code = code.as_str();
    text.match_indices(code).any(|(i, _)| {
        !text[i + code.len()..]
            .starts_with(|c: char| c.is_ascii_lowercase() || c == '_' || c == ':')
    })
}

fn tier() -> Command {
    let mut cmd = Command::cargo_bin("tier").expect("binary builds");
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// What the binary printed (standard error, then output) for one trigger; `None` if internal.
fn fire(code: Code) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = path_str(dir.path()).to_string();
    let argv: Vec<String> = match trigger(code) {
        Trigger::Internal(why) => {
            assert!(!why.is_empty());
            return None;
        }
        Trigger::Check(path) => {
            assert!(root().join(path).is_file(), "{code}: no fixture {path}");
            args(&["check", "--format", "json", path])
        }
        Trigger::Cli(list) => list.iter().map(|a| a.replace("{dir}", &dir_text)).collect(),
        Trigger::Prepared(prepare) => prepare(dir.path()),
    };
    let out = tier().args(&argv).output().expect("tier runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Trigger::Check(_) = trigger(code) {
        let json: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{code}: `tier {argv:?}` is not JSON ({e}): {stdout}"));
        let codes: Vec<String> = json
            .as_array()
            .expect("an array of diagnostics")
            .iter()
            .filter_map(|d| Some(d.get("code")?.as_str()?.to_string()))
            .collect();
        return Some(codes.join("\n"));
    }
    Some(format!("{stderr}\n{stdout}"))
}

#[test]
fn every_code_has_a_trigger_that_emits_it() {
    let mut missed = Vec::new();
    let mut internal = Vec::new();
    for &code in Code::ALL {
        match fire(code) {
            None => internal.push(code),
            Some(output) if mentions(&output, code) => {}
            Some(output) => missed.push(format!("{code}:\n{output}")),
        }
    }
    assert!(
        missed.is_empty(),
        "triggers that do not emit their code:\n{}",
        missed.join("\n\n")
    );
    // Few codes are out of reach; a new one needs a reason, not a shrug.
    assert!(internal.len() <= 8, "internal codes: {internal:?}");
}

/// The checker's fixtures list the codes they expect on their first line (see check.rs): a
/// checker code triggered by one must be listed there too.
#[test]
fn checker_triggers_are_listed_in_their_fixture() {
    for &code in Code::ALL {
        if let Trigger::Check(path) = trigger(code) {
            if !path.starts_with("tests/fixtures/check/") {
                continue;
            }
            let first = read(path).lines().next().unwrap_or("").to_string();
            let listed = first
                .strip_prefix("# expect:")
                .is_some_and(|l| l.split(',').any(|c| c.trim() == code.as_str()));
            assert!(listed, "{path} does not expect {code}");
        }
    }
}
