//! Any text: parsing (a whole ruleset, declarations, one expression) never panics, and every
//! error it reports renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tier::diagnostic::{render, RenderOptions};
use tier::source::SourceFile;

fuzz_target!(|text: &str| {
    let source = SourceFile::new("fuzz.tier", text);
    for errors in [
        tier::syntax::parse(&source).err(),
        tier::syntax::parse_items(&source).err(),
        tier::syntax::parse_expr(&source).err(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!errors.is_empty(), "a failed parse says why");
        let _ = render(&errors, RenderOptions::default());
        for d in &errors {
            let _ = d.to_json();
        }
    }
});
