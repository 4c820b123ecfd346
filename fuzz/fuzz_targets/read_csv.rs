//! Any bytes as a CSV file, graded against a small ruleset: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| tier_fuzz::grade_file(bytes, "csv"));
