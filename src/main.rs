//! The `tier` binary: parse arguments, call the library, map the outcome to an exit code.
#![forbid(unsafe_code)]
// As in the library: a Diagnostic is large by nature and only built on the failing path.
#![allow(clippy::result_large_err)]

/// mimalloc instead of the system allocator: a graded row still allocates a few dozen small
/// strings and vectors (cells, outcome, reasons), and glibc's malloc/free were ~17% of a
/// whole-file run's time, more with several worker threads (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
