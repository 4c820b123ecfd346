#![allow(clippy::result_large_err)]
//! Per-record evaluation of the benchmark scorecard (issue 7 target: < 1 µs per record on one
//! core). `cargo bench --bench eval`; settings are small so it finishes in about a minute.
//!
//! Records are typed from text cells by the same `CellParser`s `tier run` uses, so the values
//! (units, scales) are exactly those of a real run. Two shapes: one fixed record, and a batch of
//! 1,000 varied records (throughput per record; branches and rounding vary as in real data).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tier::data::{Cell, CellParser};
use tier::eval::Program;
use tier::value::{Label, Value};

const RULESET: &str = include_str!("../rulesets/bench/distributor_bench.tier");

fn program() -> Program {
    let source = tier::source::SourceFile::new("distributor_bench.tier", RULESET);
    match tier::load(source) {
        Ok(loaded) => loaded.program,
        Err(diags) => panic!("benchmark ruleset does not load: {diags:?}"),
    }
}

/// Types one row of cells (inputs in declaration order:
/// 销售额, 上年销售额, 回款率, 退货率, 经理评分, 订单数, 最近拜访).
fn record(program: &Program, cells: [&str; 7]) -> Vec<Value> {
    program
        .inputs()
        .iter()
        .zip(cells)
        .map(|(spec, text)| {
            let cell = if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.to_string())
            };
            CellParser::new(&spec.field, spec.grade_labels.as_deref())
                .parse(&cell)
                .unwrap_or_else(|e| panic!("cell `{text}` for {}: {e}", spec.name))
        })
        .collect()
}

fn abc(program: &Program, rank: usize) -> Vec<Value> {
    let spec = &program.relatives()[0];
    vec![Value::Label(Label {
        name: spec.labels[rank].clone(),
        rank: rank as u32,
    })]
}

/// 1,000 varied records, deterministic (a tiny LCG; no extra dependency).
fn batch(program: &Program) -> Vec<(Vec<Value>, Vec<Value>)> {
    let mut state: u64 = 42;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    (0..1000)
        .map(|_| {
            let sales = format!("{}.{:02}", next(3000), next(100));
            let prev = if next(10) == 0 {
                String::new()
            } else {
                format!("{}.{:02}", next(3000), next(100))
            };
            let coll = format!("{}.{}%", 80 + next(21), next(10));
            let ret = format!("{}.{}%", next(9), next(10));
            let mgr = format!("{}", 40 + next(61));
            let orders = format!("{}", next(300));
            let visit = if next(20) == 0 {
                String::new()
            } else {
                format!("2026-{:02}-{:02}", 1 + next(10), 1 + next(28))
            };
            let cells = [&*sales, &*prev, &*coll, &*ret, &*mgr, &*orders, &*visit];
            let rank = next(3) as usize;
            (record(program, cells), abc(program, rank))
        })
        .collect()
}

fn bench_eval(c: &mut Criterion) {
    let program = program();
    let as_of: jiff::civil::Date = jiff::civil::date(2026, 11, 23);
    let one = record(
        &program,
        ["200", "160", "92%", "6%", "80", "30", "2026-10-31"],
    );
    let rel = abc(&program, 0);
    let many = batch(&program);

    let mut g = c.benchmark_group("evaluate");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("one record, traced (evaluate)", |b| {
        b.iter(|| program.evaluate(black_box(&one), black_box(&rel), as_of))
    });
    g.bench_function("one record, untraced (evaluate_untraced)", |b| {
        b.iter(|| program.evaluate_untraced(black_box(&one), black_box(&rel), as_of))
    });
    g.throughput(Throughput::Elements(many.len() as u64));
    g.bench_function("1000 varied records, traced", |b| {
        b.iter(|| {
            for (r, rel) in &many {
                let _ = black_box(program.evaluate(r, rel, as_of));
            }
        })
    });
    g.bench_function("1000 varied records, untraced", |b| {
        b.iter(|| {
            for (r, rel) in &many {
                let _ = black_box(program.evaluate_untraced(r, rel, as_of));
            }
        })
    });
    g.bench_function("1000 varied records, bare (evaluate_bare)", |b| {
        b.iter(|| {
            for (r, rel) in &many {
                let _ = black_box(program.evaluate_bare(r, rel, as_of));
            }
        })
    });
    let engine = tier::engine::Engine::new(&program).expect("the benchmark ruleset lowers");
    let records: Vec<&[Value]> = many.iter().map(|(r, _)| r.as_slice()).collect();
    let rels: Vec<&[Value]> = many.iter().map(|(_, r)| r.as_slice()).collect();
    g.bench_function("1000 varied records, column engine values only", |b| {
        b.iter(|| black_box(engine.compute_only(&program, &records, &rels, as_of)))
    });
    g.bench_function("1000 varied records, column engine + outcomes, bare", |b| {
        b.iter(|| black_box(engine.grade(&program, &records, &rels, as_of, false)))
    });
    g.bench_function(
        "1000 varied records, column engine + outcomes, with reasons",
        |b| b.iter(|| black_box(engine.grade(&program, &records, &rels, as_of, true))),
    );
    g.bench_function("1000 varied records, relative keys only", |b| {
        b.iter(|| {
            for (r, _) in &many {
                let _ = black_box(program.relative_keys(r, as_of));
            }
        })
    });
    g.finish();

    // Typing the cells is part of the per-record cost of `tier run` too.
    let parsers: Vec<CellParser> = program
        .inputs()
        .iter()
        .map(|s| CellParser::new(&s.field, s.grade_labels.as_deref()))
        .collect();
    let cells: Vec<Cell> = [
        "1234.56",
        "987.65",
        "95.5%",
        "2.3%",
        "80",
        "42",
        "2026-10-31",
    ]
    .iter()
    .map(|t| Cell::Text(t.to_string()))
    .collect();
    let mut g = c.benchmark_group("typing");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("7 cells → values (CellParser::parse)", |b| {
        b.iter_batched(
            || cells.clone(),
            |cells| {
                parsers
                    .iter()
                    .zip(&cells)
                    .map(|(p, c)| p.parse(c))
                    .collect::<Vec<_>>()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_eval);
criterion_main!(benches);
