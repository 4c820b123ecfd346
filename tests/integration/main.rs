//! The integration tests, as one test binary (as `just` does): each extra binary under `tests/`
//! links the whole crate again, and nine of them made a fresh `cargo test` mostly linking.
//!
//! Fixtures live in `tests/fixtures/`; insta snapshots in `tests/integration/snapshots/`.

mod check;
mod cli;
mod codes;
mod completions;
mod data;
mod diff;
mod eval;
mod events;
mod fmt;
mod library;
mod lsp;
mod parse;
mod paths;
mod readme;
mod repl;
mod rulesets;
mod sql;
