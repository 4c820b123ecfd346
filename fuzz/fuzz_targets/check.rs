//! Any text: parse, check and (when clean) compile and run the ruleset's own tests, never a
//! panic; every diagnostic renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tier::diagnostic::{render, RenderOptions};
use tier::source::SourceFile;

fuzz_target!(|text: &str| {
    let source = SourceFile::new("fuzz.tier", text);
    let diags = tier::diagnose(&source);
    let _ = render(&diags, RenderOptions::default());
    for d in &diags {
        let _ = d.to_json();
    }
    if let Ok(loaded) = tier::load(source) {
        let as_of = jiff::civil::date(2026, 11, 23);
        let report =
            tier::eval::testing::run_tests(&loaded.ruleset, &loaded.source, &loaded.program, as_of);
        let _ = report.render(RenderOptions::default());
    }
});
