//! tier: a declarative language for customer-grading rules (客户分级), and its interpreter.
//!
//! The pipeline reads off the modules: [`syntax`] parses a `.tier` file into an [`ast`],
//! [`check`] reports everything wrong with it, [`eval`] compiles it into a [`eval::Program`] and
//! grades records, [`data`] reads and writes customer files.
#![forbid(unsafe_code)]

pub mod ast;
pub mod check;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod outcome;
pub mod source;
pub mod syntax;
pub mod value;
