//! `tier check` of a large ruleset (issue 7 target: a 5,000-line ruleset in < 50 ms), and of a
//! chain of 10,000 `let`s, each using the one before (was 4.75 s: a search from every `let` in
//! the cycle pass and a pass over all declarations per declaration in the compiler; now linear).
//! `cargo bench --bench check`.
//!
//! The ruleset is generated: 100 money/percent inputs, then blocks of a growth `let`, a
//! 5-component weighted scorecard, threshold grade bands, a first-match status with `at_least`,
//! a banded `let`, two tags and a test, repeated until the file has 5,000 lines. It checks clean
//! (the bench asserts no error), so the checker runs every pass: names, types and units, weights,
//! band gaps and overlaps, grade reachability, tests.

use criterion::{criterion_group, criterion_main, Criterion};
use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;
use tier::source::SourceFile;

const INPUTS: usize = 100;

/// A clean ruleset of at least `lines` lines.
pub fn generate(lines: usize) -> String {
    let mut s = String::new();
    s.push_str("ruleset \"大规则集\" version \"bench\"\n");
    s.push_str("description \"generated for the check benchmark\"\n\ninput {\n");
    for i in 0..INPUTS {
        let _ = writeln!(
            s,
            "  销售额{i} money(万) column \"年度销售额{i}\" default 0"
        );
        let _ = writeln!(s, "  回款率{i} percent column \"回款率{i}\" default 0");
    }
    s.push_str("  经理评分 number 0..100 column \"经理评分\"\n}\n\n");
    let mut k = 0;
    while s.lines().count() < lines {
        let (a, b, c) = (k % INPUTS, (k + 1) % INPUTS, (k + 2) % INPUTS);
        let _ = write!(
            s,
            "\
# block {k}
let 增长率{k} = if 销售额{b} > 0 then (销售额{a} - 销售额{b}) / 销售额{b} else missing
let 档位{k} = bands 销售额{a} {{
  >= 100万       -> 100
  [50万, 100万)  -> 70
  [20万, 50万)   -> 40
  < 20万         -> 10
}}

scorecard 得分{k} round 2 {{
  销售额   30%  linear 销售额{a} from 10万 to 210万
  增长率   30%  linear 增长率{k} from 0% to 25%, missing -> 0
  回款率   20%  linear 回款率{a} from 90% to 100%
  档位     10%  档位{k}
  经理评分 10%  经理评分
}}

grade 等级{k} by 得分{k} {{
  A >= 80  color \"green\"  action \"重点维护\"
  B >= 60
  C >= 40
  D otherwise
}}

scale 状态尺{k} {{ 优 > 良 > 差 }}
grade 状态{k} on 状态尺{k} {{
  差 when 销售额{a} = 0 or 回款率{a} < 80%
  优 when at_least 2 of (销售额{a} >= 100万, 回款率{a} >= 95%, (增长率{k} ?? 0) >= 10%)
  良 otherwise
}}

tag 大客户{k} when 销售额{a} >= 500万 and 回款率{c} >= 90%  color \"green\"
tag 预警{k}   when 等级{k} = D or 状态{k} = 差  action \"一周内走访\"

test \"block {k}\" {{
  given 销售额{a} = 200万, 销售额{b} = 160万, 回款率{a} = 92%, 回款率{c} = 95%, 经理评分 = 80
  expect 得分{k}.销售额 = 95, 等级{k} = A
}}

"
        );
        k += 1;
    }
    s
}

fn bench_check(c: &mut Criterion) {
    let text = generate(5000);
    let lines = text.lines().count();
    let source = SourceFile::new("big.tier", text.as_str());
    let diags = tier::diagnose(&source);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "generated ruleset has errors: {:?}",
        errors
            .iter()
            .take(3)
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    eprintln!(
        "generated ruleset: {lines} lines, {} bytes, {} warnings",
        text.len(),
        diags.len()
    );

    let mut g = c.benchmark_group(format!("check {lines} lines"));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("parse", |b| {
        b.iter(|| tier::syntax::parse(black_box(&source)).map(|r| r.items.len()))
    });
    g.bench_function("parse + check (tier check)", |b| {
        b.iter(|| tier::diagnose(black_box(&source)).len())
    });
    g.bench_function("parse + check + compile (tier::load)", |b| {
        b.iter(|| tier::load(black_box(source.clone())).is_ok())
    });
    g.finish();
}

/// `let a1 = a + 1`, `let a2 = a1 + 1`, …: `n` lets, each using the one before.
pub fn let_chain(n: usize) -> String {
    let mut s = String::from("ruleset \"chain\"\ninput {\n  a number\n}\nlet a1 = a + 1\n");
    for i in 2..=n {
        let _ = writeln!(s, "let a{i} = a{} + 1", i - 1);
    }
    let _ = writeln!(s, "grade g by a{n} {{ A >= 1  B otherwise }}");
    s
}

fn bench_chain(c: &mut Criterion) {
    let source = SourceFile::new("chain.tier", let_chain(10_000));
    assert!(tier::diagnose(&source).iter().all(|d| !d.is_error()));
    let mut g = c.benchmark_group("chain of 10,000 lets");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    g.bench_function("parse + check (tier check)", |b| {
        b.iter(|| tier::diagnose(black_box(&source)).len())
    });
    g.bench_function("parse + check + compile (tier::load)", |b| {
        b.iter(|| tier::load(black_box(source.clone())).is_ok())
    });
    g.finish();
}

criterion_group!(benches, bench_check, bench_chain);
criterion_main!(benches);
