//! Where the time of `tier run` goes, stage by stage, on one core (benchmark helper).
//!
//! ```text
//! cargo run --release --example stages -- MODE RULESET DATA.csv [AS_OF]
//! ```
//!
//! Each mode does one more stage than the previous one and prints `rows seconds`:
//!
//! | mode | does |
//! |---|---|
//! | `split` | the baseline "merely read and split the CSV": the `csv` crate's `ByteRecord` reader, every field touched (its bytes summed), nothing else |
//! | `reader` | tier's own reader (`data::open`): encoding check, `RawRow`s of `Cell`s |
//! | `record` | + typing the cells into `Value`s (`ColumnMap::record`) |
//! | `keys` | + the relative keys (`Program::relative_keys`), the first pass of a Pareto run |
//! | `eval` | + `Program::evaluate_untraced` on every record (relatives given as Missing-free labels from a real first pass) |
//! | `engine` | + the column engine's values, grades and tags only (`Engine::compute_only`, batches of 256 rows as in `tier run`); a row it hands to the interpreter counts as failed |
//! | `engine-bare` | + the outcomes built from them (`Engine::grade` without reasons, what `tier run --no-reasons` calls) |
//! | `engine-reasons` | + the reasons column's sentences (`Engine::grade` with reasons, what `tier run` calls) |
//! | `eval-bare` | + `Program::evaluate_bare` (no reason text at all) |
//! | `eval-traced` | the same with `Program::evaluate` (what `tier explain` calls) |
//!
//! The differences between consecutive modes are the cost of each stage; `tier run` adds the
//! second read of the file, the writer and rayon on top.

/// The allocator `tier` itself uses (src/main.rs), so the stages cost what they cost there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::Instant;
use tier::batch::ColumnMap;
use tier::data::{self, ReadOptions, RowSource};
use tier::eval::RelKey;
use tier::value::Value;

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("stages: {msg}");
    std::process::exit(2)
}

fn open(path: &Path) -> Box<dyn RowSource> {
    data::open(path, &ReadOptions::default()).unwrap_or_else(|d| fail(d.message))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        fail("usage: stages split|reader|record|keys|eval|eval-traced RULESET DATA.csv [AS_OF]");
    }
    let (mode, ruleset, data_path) = (args[1].as_str(), &args[2], Path::new(&args[3]));
    let as_of: jiff::civil::Date = args
        .get(4)
        .map(String::as_str)
        .unwrap_or("2026-11-23")
        .parse()
        .unwrap_or_else(|e| fail(e));

    let (rows, secs) = match mode {
        "split" => {
            let start = Instant::now();
            let rows = split(data_path);
            (rows, start.elapsed().as_secs_f64())
        }
        _ => staged(mode, Path::new(ruleset), data_path, as_of),
    };
    println!("{mode} {rows} {secs:.3}");
}

/// The baseline: read and split every record, touching every field.
fn split(path: &Path) -> usize {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(e));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(file);
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    let mut bytes = 0usize;
    while reader
        .read_byte_record(&mut record)
        .unwrap_or_else(|e| fail(e))
    {
        rows += 1;
        bytes += record.iter().map(<[u8]>::len).sum::<usize>();
    }
    // Keeps the field loop from being optimised away.
    if bytes == usize::MAX {
        println!("{bytes}");
    }
    rows
}

/// Runs the stages of `mode` over the file; returns (rows, seconds of the row loop). Loading the
/// ruleset and, for the eval modes, the first pass that computes the relative labels are not
/// timed.
fn staged(mode: &str, ruleset: &Path, data_path: &Path, as_of: jiff::civil::Date) -> (usize, f64) {
    let source = tier::source::read_source(ruleset).unwrap_or_else(|d| fail(d.message));
    let loaded = tier::load(source).unwrap_or_else(|d| {
        fail(
            d.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    });
    let program = &loaded.program;
    let file = data_path.display().to_string();
    let headers = open(data_path).headers().to_vec();
    let (map, _) = ColumnMap::new(program, &headers, None, &file).unwrap_or_else(|d| {
        fail(
            d.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )
    });

    // For eval modes: a real first pass, so every record gets its true relative labels.
    let relatives: Vec<Vec<Value>> =
        if matches!(mode, "eval" | "eval-bare" | "eval-traced" | "fast") {
            let missing = || -> Vec<RelKey> {
                program
                    .relatives()
                    .iter()
                    .map(|_| RelKey {
                        value: Value::Missing,
                        group: Value::Missing,
                    })
                    .collect()
            };
            // A row that fails keeps Missing keys, so positions stay aligned (as in `tier run`).
            let keys: Vec<Vec<RelKey>> = open(data_path)
                .map(|item| {
                    item.ok()
                        .and_then(|row| map.record(&file, &row).ok())
                        .and_then(|r| program.relative_keys(&r, as_of).ok())
                        .unwrap_or_else(missing)
                })
                .collect();
            program
                .relatives()
                .iter()
                .enumerate()
                .map(|(k, spec)| {
                    let column: Vec<_> = keys.iter().map(|row| row[k].clone()).collect();
                    tier::eval::relative::assign(spec, &column)
                })
                .collect()
        } else {
            Vec::new()
        };

    // Opening is timed: for a UTF-8 file it includes tier's full-file encoding check.
    let start = Instant::now();
    let source = open(data_path);
    let mut rows = 0usize;
    let mut failed = 0usize;
    let engine = mode
        .starts_with("engine")
        .then(|| tier::engine::Engine::new(program).unwrap_or_else(|d| fail(format!("{d:?}"))));
    let mut pending: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    let flush = |pending: &mut Vec<(Vec<Value>, Vec<Value>)>, failed: &mut usize| {
        let Some(engine) = &engine else { return };
        let records: Vec<&[Value]> = pending.iter().map(|(r, _)| r.as_slice()).collect();
        let rels: Vec<&[Value]> = pending.iter().map(|(_, r)| r.as_slice()).collect();
        if mode == "engine" {
            *failed += engine
                .compute_only(program, &records, &rels, as_of)
                .fallback;
        } else {
            let (out, _) = engine.grade(program, &records, &rels, as_of, mode == "engine-reasons");
            *failed += out.iter().filter(|o| o.is_err()).count();
        }
        pending.clear();
    };
    for (i, item) in source.enumerate() {
        rows += 1;
        let Ok(row) = item else {
            failed += 1;
            continue;
        };
        if mode == "reader" {
            continue;
        }
        let Ok(record) = map.record(&file, &row) else {
            failed += 1;
            continue;
        };
        match mode {
            "record" => {}
            "keys" => {
                if program.relative_keys(&record, as_of).is_err() {
                    failed += 1;
                }
            }
            "engine" | "engine-bare" | "engine-reasons" => {
                let rel: Vec<Value> = relatives.iter().map(|c| c[i].clone()).collect();
                pending.push((record, rel));
                if pending.len() == 256 {
                    flush(&mut pending, &mut failed);
                }
            }
            "eval" | "eval-bare" | "eval-traced" => {
                let rel: Vec<Value> = relatives.iter().map(|c| c[i].clone()).collect();
                let result = match mode {
                    "eval" => program.evaluate_untraced(&record, &rel, as_of),
                    "eval-bare" => program.evaluate_bare(&record, &rel, as_of),
                    _ => program.evaluate(&record, &rel, as_of),
                };
                if result.is_err() {
                    failed += 1;
                }
            }
            other => fail(format!("unknown mode `{other}`")),
        }
    }
    flush(&mut pending, &mut failed);
    let secs = start.elapsed().as_secs_f64();
    if failed > 0 {
        eprintln!("stages: {failed} rows failed");
    }
    (rows, secs)
}
