//! Evaluator fixtures: every `tests/fixtures/eval/*.tier` ruleset's `test` blocks run (and pass,
//! unless the file name starts with `fail_`, whose report is snapshotted), and every
//! `X.records.json` next to a ruleset is graded and explained into a snapshot.

use std::path::Path;
use tier::diagnostic::{render, RenderOptions};
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
    insta::glob!("fixtures/eval/*.tier", |path| {
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
    insta::glob!("fixtures/eval/*.tier", |path| {
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
                    out.push_str(&render(&[e.diagnostic], RenderOptions::default()));
                }
            }
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    });
}
