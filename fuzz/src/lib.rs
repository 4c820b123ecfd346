//! What the data targets share: a data file read and graded as `tier run` does, through the
//! library (`data::open`, `batch::ColumnMap`, the relative pass, `Program::evaluate`).

use std::io::Write;
use tier::batch::ColumnMap;
use tier::data::{self, ReadOptions};

/// The CLI tests' shop ruleset: text, money, percent and date inputs, a scorecard, a grade, a
/// relative grade per region, a tag, a follow-up schedule.
const RULESET: &str = include_str!("../../tests/fixtures/cli/shop.tier");

thread_local! {
    static LOADED: tier::Loaded = tier::load(tier::source::SourceFile::new("shop.tier", RULESET))
        .unwrap_or_else(|d| panic!("the shop ruleset loads: {}", d[0].message));
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temporary directory");
}

/// Writes `bytes` to a file with the extension `ext` and grades every row: no panic, whatever
/// the bytes; a row is graded or rejected with a reason, never dropped quietly.
pub fn grade_file(bytes: &[u8], ext: &str) {
    let path = DIR.with(|d| d.path().join(format!("data.{ext}")));
    let mut file = std::fs::File::create(&path).expect("create the data file");
    file.write_all(bytes).expect("write the data file");
    drop(file);
    let Ok(source) = data::open(&path, &ReadOptions::default()) else {
        return;
    };
    LOADED.with(|loaded| {
        let program = &loaded.program;
        let name = path.display().to_string();
        let headers = source.headers().to_vec();
        let Ok((map, _)) = ColumnMap::new(program, &headers, None, &name) else {
            return;
        };
        let as_of = jiff::civil::date(2026, 11, 23);
        let mut records = Vec::new();
        let mut rejected = 0usize;
        for row in source {
            match row {
                Ok(row) => match map.record(&name, &row) {
                    Ok(record) => records.push(record),
                    Err(errors) => {
                        assert!(!errors.is_empty(), "a rejected row says why");
                        rejected += 1;
                    }
                },
                Err(e) => {
                    assert!(!e.to_string().is_empty(), "a rejected row says why");
                    rejected += 1;
                }
            }
        }
        // The relative grades over the whole file, as `tier run` ranks them.
        let relatives = program.relative_classes(&records, as_of);
        for (record, rel) in records.iter().zip(&relatives) {
            let traced = program.evaluate(record, rel, as_of);
            let untraced = program.evaluate_untraced(record, rel, as_of);
            assert_eq!(
                traced.is_ok(),
                untraced.is_ok(),
                "the two evaluations agree"
            );
        }
        let _ = rejected;
    });
}
