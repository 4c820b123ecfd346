//! Any text that parses: `tier fmt` succeeds, its output parses, and formatting it again changes
//! nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tier::source::SourceFile;

fuzz_target!(|text: &str| {
    let source = SourceFile::new("fuzz.tier", text);
    if tier::syntax::parse(&source).is_err() {
        // Not a ruleset: fmt refuses it (and must not panic doing so).
        assert!(tier::format::format_source(&source).is_err());
        return;
    }
    let once = match tier::format::format_source(&source) {
        Ok(t) => t,
        Err(d) => panic!("a ruleset that parses does not format: {}", d[0].message),
    };
    let again = SourceFile::new("fuzz.tier", once.as_str());
    assert!(
        tier::syntax::parse(&again).is_ok(),
        "the formatted text does not parse"
    );
    let twice = tier::format::format_source(&again).expect("the formatted text formats");
    assert_eq!(once, twice, "formatting is not idempotent");
});
