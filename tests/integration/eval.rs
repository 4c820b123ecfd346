//! Evaluator fixtures: every `tests/fixtures/eval/*.tier` ruleset's `test` blocks run (and pass,
//! unless the file name starts with `fail_`, whose report is snapshotted), and every
//! `X.records.json` next to a ruleset is graded and explained into a snapshot.

use std::path::Path;
use tier::diagnostic::{render, Code, RenderOptions};
use tier::eval::{explain, testing, Program};
use tier::source::SourceFile;
use tier::value::Value;

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

fn load(path: &Path) -> (SourceFile, tier::ast::Ruleset, Program) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let source = SourceFile::new(name, text);
    let ruleset = match tier::syntax::parse(&source) {
        Ok(r) => r,
        Err(d) => panic!("{}", render(&d, RenderOptions::default())),
    };
    let program = match Program::compile(&ruleset, &source) {
        Ok(p) => p,
        Err(d) => panic!("{}", render(&d, RenderOptions::default())),
    };
    (source, ruleset, program)
}

#[test]
fn fixtures_tests_pass() {
    insta::glob!("../fixtures/eval", "*.tier", |path| {
        let (source, ruleset, program) = load(path);
        let report = testing::run_tests(&ruleset, &source, &program, as_of());
        let rendered = report.render(RenderOptions::default());
        let name = path.file_stem().unwrap().to_string_lossy();
        if name.starts_with("fail_") {
            assert!(report.failed() > 0, "{rendered}");
            insta::assert_snapshot!(rendered);
        } else {
            assert_eq!(report.failed(), 0, "{rendered}");
            assert!(report.passed() > 0, "{name} has no tests");
        }
    });
}

/// Builds a record from `{"field": "literal text"}`; `$as_of` sets the date.
fn record(
    program: &Program,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> (Vec<Value>, Vec<Value>, jiff::civil::Date, Vec<String>) {
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (i, spec) in program.inputs().iter().enumerate() {
        let text = obj.get(&*spec.name).and_then(|v| v.as_str());
        let v = match (text, &spec.field.default) {
            (Some(t), _) => {
                let src = SourceFile::new("record", t.to_string());
                let expr = tier::syntax::parse_expr(&src).unwrap();
                match program.literal_value(i, &expr) {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(e);
                        Value::Missing
                    }
                }
            }
            (None, Some(d)) => program.literal_value(i, d).unwrap(),
            (None, None) => Value::Missing,
        };
        values.push(v);
    }
    let rels = program
        .relatives()
        .iter()
        .map(|r| match obj.get(&*r.name).and_then(|v| v.as_str()) {
            Some(l) => {
                let rank = r.labels.iter().position(|x| &**x == l).unwrap() as u32;
                Value::Label(tier::value::Label {
                    name: l.into(),
                    rank,
                })
            }
            None => Value::Missing,
        })
        .collect();
    let as_of = obj
        .get("$as_of")
        .and_then(|v| v.as_str())
        .map(|s| s.parse().unwrap())
        .unwrap_or_else(as_of);
    (values, rels, as_of, errors)
}

#[test]
fn fixtures_explained() {
    insta::glob!("../fixtures/eval", "*.tier", |path| {
        let records = path.with_extension("records.json");
        if !records.exists() {
            return;
        }
        let (_, _, program) = load(path);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&records).unwrap()).unwrap();
        let mut out = String::new();
        for (i, obj) in json.as_array().unwrap().iter().enumerate() {
            let obj = obj.as_object().unwrap();
            let (values, rels, as_of, errors) = record(&program, obj);
            out.push_str(&format!(
                "=== record {} (as of {as_of}): {}\n",
                i + 1,
                serde_json::to_string(obj).unwrap()
            ));
            for e in errors {
                out.push_str(&format!("input error: {e}\n"));
            }
            match program.evaluate(&values, &rels, as_of) {
                Ok(o) => {
                    out.push_str("--- outcome\n");
                    out.push_str(&explain::render_outcome(&o));
                    out.push_str("--- trace\n");
                    out.push_str(&explain::render_trace(&o));
                }
                Err(e) => {
                    out.push_str(&format!("--- rejected (field: {:?})\n", e.field));
                    out.push_str(&render(&[*e.diagnostic], RenderOptions::default()));
                }
            }
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    });
}

/// Parses and compiles an inline ruleset.
fn program(text: &str) -> Program {
    let source = SourceFile::new("inline.tier", text.to_string());
    let ruleset = tier::syntax::parse(&source)
        .unwrap_or_else(|d| panic!("{}", render(&d, RenderOptions::default())));
    Program::compile(&ruleset, &source)
        .unwrap_or_else(|d| panic!("{}", render(&d, RenderOptions::default())))
}

/// A record from literal texts, one per input in order (`""` = missing).
fn rec(p: &Program, cells: &[&str]) -> Vec<Value> {
    cells
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.is_empty() {
                return Value::Missing;
            }
            let src = SourceFile::new("cell", t.to_string());
            p.literal_value(i, &tier::syntax::parse_expr(&src).unwrap())
                .unwrap()
        })
        .collect()
}

#[test]
fn relatives_whole_file_pipeline() {
    let p = program(
        r#"ruleset "r"
input { 客户 text  销售额 money?  区域 text }
relative ABC = pareto 销售额 { A 65%  B 85%  C rest }  missing -> C
relative 区域档 = top 销售额 { 头部 50%  其他 rest } per 区域
grade 等级 { VIP when ABC = A and 区域档 = 头部  重点 when ABC in {A, B}  普通 otherwise }
"#,
    );
    let rows = [
        rec(&p, &["\"a\"", "10万", "\"东\""]),
        rec(&p, &["\"b\"", "50万", "\"东\""]),
        rec(&p, &["\"c\"", "5万", "\"西\""]),
        rec(&p, &["\"d\"", "30万", "\"西\""]),
        rec(&p, &["\"e\"", "5万", "\"西\""]),
        rec(&p, &["\"f\"", "", "\"西\""]),
    ];
    let keys: Vec<Vec<tier::eval::RelKey>> = rows
        .iter()
        .map(|r| p.relative_keys(r, as_of()).unwrap())
        .collect();
    let columns: Vec<Vec<Value>> = p
        .relatives()
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let col: Vec<tier::eval::RelKey> = keys.iter().map(|k| k[i].clone()).collect();
            tier::eval::relative::assign(spec, &col)
        })
        .collect();
    let show = |c: &[Value]| c.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    assert_eq!(show(&columns[0]), ["B", "A", "C", "A", "C", "C"]);
    // 东: 50万 then 10万 → 头部 (1/2 ≤ 50%), 其他; 西: 30万 头部, the two 5万 tie → 其他;
    // the missing row has no class.
    assert_eq!(
        show(&columns[1]),
        ["其他", "头部", "其他", "头部", "其他", "missing"]
    );
    // The library's whole-file grading ranks the same way.
    let grades: Vec<String> = p
        .grade_all(&rows, as_of())
        .into_iter()
        .map(|graded| match graded {
            Ok(o) => o.grade.unwrap().label.unwrap().to_string(),
            Err(e) => format!("rejected: {}", e.diagnostic.code),
        })
        .collect();
    // f: ABC = C (missing -> C) decides `ABC = A` as no without needing 区域档.
    assert_eq!(grades, ["重点", "VIP", "普通", "VIP", "普通", "普通"]);
}

fn error_of(text: &str, cells: &[&str]) -> tier::eval::EvalError {
    let p = program(text);
    let r = rec(&p, cells);
    p.evaluate(&r, &[], as_of()).unwrap_err()
}

#[test]
fn division_by_zero_names_the_operands() {
    let e = error_of(
        "ruleset \"d\"\ninput { 销售额 money  上年 money }\nlet 增长 = (销售额 - 上年) / 上年\n",
        &["200万", "0"],
    );
    assert_eq!(e.diagnostic.code, Code::EvalDivisionByZero);
    let msg = &e.diagnostic.message;
    assert!(
        msg.contains("上年 is 0元") && msg.contains("销售额 - 上年"),
        "{msg}"
    );
    let span = e.diagnostic.span().unwrap();
    assert_eq!(
        &e.diagnostic.source.as_ref().unwrap().text[span.start..span.end],
        "(销售额 - 上年) / 上年"
    );
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let e = error_of(
        "ruleset \"o\"\ninput { x number }\nlet y = x * x * x * x\n",
        &["10000000000000000"],
    );
    assert_eq!(e.diagnostic.code, Code::EvalOverflow);
}

#[test]
fn linear_with_equal_ends_is_an_error() {
    // Literal equal ends are the checker's `tier::linear::empty_range`; ends read from the data
    // can only meet at evaluation.
    let e = error_of(
        "ruleset \"l\"\ninput { x number  a number  b number }\nlet y = linear x from a to b\n",
        &["3", "5", "5"],
    );
    assert_eq!(e.diagnostic.code, Code::EvalLinearEmpty);
}

#[test]
fn band_without_missing_arm_rejects_a_missing_value() {
    let e = error_of(
        "ruleset \"b\"\ninput { 回款率 percent? }\nlet p = bands 回款率 { >= 90% -> 10  < 90% -> 0 }\n",
        &[""],
    );
    assert_eq!(e.diagnostic.code, Code::EvalMissing);
    assert_eq!(e.field.as_deref(), Some("回款率"));
}

#[test]
fn uncovered_match_value_is_reported() {
    let e = error_of(
        "ruleset \"m\"\ninput { 来源 text }\nlet s = match 来源 { \"政府推荐\" -> 1  \"朋友介绍\" -> 2 }\n",
        &["\"展会\""],
    );
    assert_eq!(e.diagnostic.code, Code::EvalUncovered);
    assert!(e.diagnostic.message.contains("展会"));
}

#[test]
fn missing_through_lets_names_the_input() {
    let e = error_of(
        "ruleset \"g\"\ninput { 欠款 money?  销售额 money }\nlet 比 = 欠款 / 销售额\ngrade 等级 by 比 { 高 >= 50%  低 otherwise }\n",
        &["", "100万"],
    );
    assert_eq!(e.diagnostic.code, Code::EvalMissing);
    assert_eq!(e.field.as_deref(), Some("欠款"));
    assert!(
        e.diagnostic.message.starts_with("欠款 is missing"),
        "{}",
        e.diagnostic.message
    );
}

#[test]
fn negative_pareto_amount_is_rejected_naming_the_input_behind_it() {
    // The amount is a let over two inputs: the error names the negative input (the rejects'
    // column), whether the class is known or not. `top` ranks by position: no such rule.
    let p = program(
        r#"ruleset "n"
input { 销售额 money  回款率 percent }
let 有效 = 销售额 * 回款率
relative ABC = pareto 有效 { A 65%  B 85%  C rest }  missing -> C
relative 档 = top 销售额 { 头部 50%  其他 rest }
grade 等级 { 重点 when ABC = A and 档 = 头部  普通 otherwise }
"#,
    );
    let label = |name: &str, rank| {
        Value::Label(tier::value::Label {
            name: name.into(),
            rank,
        })
    };
    let negative = rec(&p, &["-200万", "90%"]);
    for rels in [vec![label("A", 0), label("头部", 0)], vec![]] {
        let e = p.evaluate(&negative, &rels, as_of()).unwrap_err();
        assert_eq!(e.diagnostic.code, Code::EvalNegativeShare);
        assert_eq!(e.field.as_deref(), Some("销售额"));
        let msg = &e.diagnostic.message;
        assert!(
            msg.starts_with("`有效` is -180万 (销售额 = -200万)") && msg.contains("ABC"),
            "{msg}"
        );
        assert!(p.evaluate_untraced(&negative, &rels, as_of()).is_err());
    }
    let zero = rec(&p, &["0", "90%"]);
    let o = p
        .evaluate(&zero, &[label("C", 2), label("其他", 1)], as_of())
        .unwrap();
    assert_eq!(o.grade.unwrap().label.as_deref(), Some("普通"));
}

#[test]
fn labels_compare_by_rank_and_min_max_pick_worst_best() {
    let p = program(
        r#"ruleset "s"
input { 规模 grade(尺)  性质 grade(尺) }
scale 尺 { A > B > C }
let 合并 = min(规模, 性质)
let 最好 = max(规模, 性质)
let 至少B = 规模 >= B
"#,
    );
    let o = p.evaluate(&rec(&p, &["A", "C"]), &[], as_of()).unwrap();
    assert_eq!(o.value("合并").unwrap().to_string(), "C");
    assert_eq!(o.value("最好").unwrap().to_string(), "A");
    assert_eq!(o.value("至少B"), Some(&Value::Bool(true)));
    let o = p.evaluate(&rec(&p, &["C", "B"]), &[], as_of()).unwrap();
    assert_eq!(o.value("至少B"), Some(&Value::Bool(false)));
}

#[test]
fn eval_expr_uses_the_rulesets_names() {
    let p = program("ruleset \"e\"\ninput { 销售额 money }\nlet 万数 = 销售额 / 1万\n");
    let r = rec(&p, &["200万"]);
    let src = SourceFile::new("repl", "万数 * 2 + 1".to_string());
    let expr = tier::syntax::parse_expr(&src).unwrap();
    let v = p
        .eval_expr(&expr, &src, &Default::default(), &r, &[], as_of())
        .unwrap();
    assert_eq!(v.to_string(), "401");
    let src = SourceFile::new("repl", "销售额 >= 100万".to_string());
    let expr = tier::syntax::parse_expr(&src).unwrap();
    assert_eq!(
        p.eval_expr(&expr, &src, &Default::default(), &r, &[], as_of())
            .unwrap(),
        Value::Bool(true)
    );
}

#[test]
fn literal_values_take_the_inputs_type() {
    let p = program(
        "ruleset \"t\"\ninput { 销售额 money(万)  回款率 percent  类型 enum { 加盟商 \"加盟\", OEM商 }  次数 integer 0..10 }\n",
    );
    let lv = |i: usize, t: &str| {
        let src = SourceFile::new("x", t.to_string());
        p.literal_value(i, &tier::syntax::parse_expr(&src).unwrap())
    };
    assert_eq!(
        lv(0, "200万").unwrap(),
        Value::Number(2_000_000.into(), tier::value::Unit::Money)
    );
    assert_eq!(lv(1, "0.92").unwrap().to_string(), "92%");
    assert_eq!(lv(2, "\"加盟\"").unwrap().to_string(), "加盟商");
    assert!(lv(2, "直营").is_err());
    assert!(lv(0, "92%").is_err());
    assert!(lv(3, "11").is_err());
    assert!(lv(3, "2.5").is_err());
}

#[test]
fn relatives_in_rounds_group_by_an_earlier_relative() {
    let p = program(
        r#"ruleset "r"
input { 销售额 money }
relative ABC = pareto 销售额 { A 50%  B rest }
relative 排位 = top 销售额 { 前 50%  后 rest } per ABC
"#,
    );
    assert_eq!(p.relative_rounds(), &[vec![0], vec![1]]);
    let rows: Vec<Vec<Value>> = ["60万", "30万", "6万", "4万"]
        .iter()
        .map(|t| rec(&p, &[t]))
        .collect();
    let classes = p.relative_classes(&rows, as_of());
    let show: Vec<String> = classes
        .iter()
        .map(|c| format!("{}{}", c[0], c[1]))
        .collect();
    // ABC: 60万 A (0% before), 30万 B (60% before); 6万, 4万 B.
    // Within A: 1 of 1 is not ≤ 50% → 后. Within B (3 rows): 1/3 ≤ 50% → 前; 2/3, 3/3 → 后.
    assert_eq!(show, ["A后", "B前", "B后", "B后"]);
}

#[test]
fn adjust_can_start_from_an_input_grade() {
    let p = program(
        r#"ruleset "a"
input { 上期 grade(分类)  担保失效 bool }
scale 分类 { 正常 > 关注 > 次级 }
adjust 本期 from 上期 { down 1 when 担保失效 }
"#,
    );
    let o = p
        .evaluate(&rec(&p, &["关注", "yes"]), &[], as_of())
        .unwrap();
    assert_eq!(o.grade.unwrap().label.as_deref(), Some("次级"));
    let o = p
        .evaluate(&rec(&p, &["次级", "yes"]), &[], as_of())
        .unwrap();
    assert_eq!(o.value("本期").unwrap().to_string(), "次级");
}

/// The shipped rulesets' own `test` blocks pass on the evaluator (the checker is not run here:
/// this pins evaluation only).
#[test]
fn shipped_rulesets_tests_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulesets");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("tier") {
            continue;
        }
        let (source, ruleset, program) = load(&path);
        let report = testing::run_tests(&ruleset, &source, &program, as_of());
        if report.failed() > 0 {
            failures.push(report.render(RenderOptions::default()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Absurd and edge values never panic: every fixture and shipped ruleset is evaluated on
/// pseudo-random records drawn from extremes (huge, tiny, negative, zero, missing, far dates).
#[test]
fn extreme_records_never_panic() {
    use tier::ast::TypeKind;
    use tier::value::{Label, Unit};
    let huge = rust_decimal::Decimal::MAX;
    let numbers = [
        rust_decimal::Decimal::ZERO,
        rust_decimal::Decimal::ONE,
        -rust_decimal::Decimal::ONE,
        huge,
        -huge,
        rust_decimal::Decimal::new(1, 28),
        rust_decimal::Decimal::new(7999999, 5),
    ];
    let dates = [
        jiff::civil::date(9999, 12, 31),
        jiff::civil::date(-9999, 1, 1),
        jiff::civil::date(2024, 2, 29),
    ];
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["tests/fixtures/eval", "rulesets"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        if let Ok(entries) = std::fs::read_dir(dir) {
            paths.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "tier")),
            );
        }
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    for path in paths {
        let (_, _, program) = load(&path);
        let mut rows = Vec::new();
        for _ in 0..60 {
            let record: Vec<Value> = program
                .inputs()
                .iter()
                .map(|spec| {
                    if next(5) == 0 {
                        return Value::Missing;
                    }
                    let n = numbers[next(numbers.len())];
                    match &spec.field.ty.kind {
                        TypeKind::Number | TypeKind::Integer => Value::Number(n, Unit::Plain),
                        TypeKind::Percent { .. } => Value::Number(n, Unit::Percent),
                        TypeKind::Money(_) => Value::Number(n, Unit::Money),
                        TypeKind::Quantity { unit, .. } => Value::Number(n, *unit),
                        TypeKind::Date => Value::Date(dates[next(dates.len())]),
                        TypeKind::Text => Value::Text("x".into()),
                        TypeKind::Bool => Value::Bool(next(2) == 0),
                        TypeKind::Enum(vs) => {
                            let i = next(vs.len());
                            Value::Label(Label {
                                name: vs[i].name.name.as_str().into(),
                                rank: i as u32,
                            })
                        }
                        TypeKind::Grade(_) => {
                            let ls = spec.grade_labels.clone().unwrap_or_default();
                            if ls.is_empty() {
                                return Value::Missing;
                            }
                            let i = next(ls.len());
                            Value::Label(Label {
                                name: ls[i].clone(),
                                rank: i as u32,
                            })
                        }
                    }
                })
                .collect();
            rows.push(record);
        }
        let as_of = dates[next(dates.len())];
        let keys: Vec<Vec<tier::eval::RelKey>> = rows
            .iter()
            .filter_map(|r| program.relative_keys(r, as_of).ok())
            .collect();
        let classes: Vec<Vec<Value>> = program
            .relatives()
            .iter()
            .enumerate()
            .map(|(k, spec)| {
                let col: Vec<tier::eval::RelKey> = keys.iter().map(|r| r[k].clone()).collect();
                tier::eval::relative::assign(spec, &col)
            })
            .collect();
        for (i, r) in rows.iter().enumerate() {
            let rels: Vec<Value> = classes
                .iter()
                .map(|c| c.get(i).cloned().unwrap_or(Value::Missing))
                .collect();
            let full = program.evaluate(r, &rels, as_of);
            let bare = program.evaluate_bare(r, &rels, as_of);
            // Both paths agree on everything but the sentences.
            assert_eq!(full.is_ok(), bare.is_ok(), "{}", path.display());
            if let (Ok(o), Ok(b)) = (full, bare) {
                let _ = explain::render_trace(&o);
                let _ = explain::render_outcome(&o);
                assert_eq!(o.values, b.values);
                assert_eq!(
                    o.grade.as_ref().map(|g| &g.label),
                    b.grade.as_ref().map(|g| &g.label)
                );
                assert_eq!(o.score, b.score);
                let names = |x: &tier::outcome::Outcome| {
                    x.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>()
                };
                assert_eq!(names(&o), names(&b));
                let due = |x: &tier::outcome::Outcome| {
                    x.follow_up
                        .as_ref()
                        .map(|f| (f.next_due, f.overdue, f.reassign))
                };
                assert_eq!(due(&o), due(&b));
            }
        }
    }
}

/// A rough timing of the whole-file path (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn timing_untraced() {
    let (_, _, p) = load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/s1_distributors.tier"),
    );
    let r = rec(
        &p,
        &[
            "\"甲\"",
            "200万",
            "160万",
            "92%",
            "6%",
            "80",
            "2026-11-20",
            "30万",
        ],
    );
    let n = 100_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(p.evaluate_untraced(&r, &[], as_of()).unwrap());
    }
    let per = t.elapsed() / n;
    println!("evaluate_untraced: {per:?} per record");
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(p.evaluate_bare(&r, &[], as_of()).unwrap());
    }
    println!("evaluate_bare: {:?} per record", t.elapsed() / n);
}

/// One value, one display: a ratio computed as 0.25 reads `0.25` in its own step, in the values
/// a condition read, in a `linear` line and beside a threshold, even where the ruleset compares
/// it with percents; a `percent` input reads as a percent everywhere.
#[test]
fn a_value_shows_in_its_own_unit_everywhere_in_an_explanation() {
    let p = program(
        "ruleset \"r\"\n\
         input { 销售额 money  上年销售额 money  回款率 percent }\n\
         let 增长率 = (销售额 - 上年销售额) / 上年销售额\n\
         scorecard 得分 { 增长 100% linear 增长率 from 0% to 50% }\n\
         grade 增长档 by 增长率 { 快 >= 20%  慢 otherwise }\n\
         tag 高增长 when 增长率 >= 20% and 回款率 >= 90%\n",
    );
    let r = rec(&p, &["200万", "160万", "92%"]);
    let o = p.evaluate(&r, &[], as_of()).unwrap();
    let trace = explain::render_trace(&o);
    let outcome = explain::render_outcome(&o);
    for text in [&trace, &outcome] {
        assert!(!text.contains("25%"), "a ratio shown as a percent:\n{text}");
        assert!(
            !text.contains("0.92"),
            "a percent shown as a ratio:\n{text}"
        );
    }
    assert!(
        trace.contains("增长率 = (销售额 - 上年销售额) / 上年销售额 = 0.25"),
        "{trace}"
    );
    assert!(trace.contains("增长率 0.25: 0%→50% linear"), "{trace}");
    assert!(trace.contains("增长率 0.25 ≥ 20% → 快"), "{trace}");
    assert!(trace.contains("(增长率 = 0.25, 回款率 = 92%)"), "{trace}");
}
