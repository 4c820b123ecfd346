//! Standard output and error for the commands, and the process's signals.
//!
//! - A closed standard output (`tier check *.tier | head`) ends the process quietly with exit
//!   code [`EXIT_BROKEN_PIPE`] (141, as a shell reports a process killed by SIGPIPE), never a
//!   panic: Rust ignores SIGPIPE, so `println!` would panic on EPIPE.
//! - A closed or failing standard error is ignored (there is nowhere left to report to).
//! - SIGINT, SIGTERM and SIGHUP remove the partial output files of a run
//!   ([`tier::data::write::remove_temporary_files`]) before the process exits with 128 + the
//!   signal's number, as a shell reports a process killed by it.

use std::io::Write;

/// Exit code when standard output was closed before everything was written.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Writes to standard output; a closed pipe ends the process quietly.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if tier::data::write::note_stdout_error(&e) {
            exit_broken_pipe();
        }
    }
}

/// Writes to standard error; errors are ignored.
pub fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Ends the process after standard output was closed: partial outputs are removed first.
pub fn exit_broken_pipe() -> ! {
    tier::data::write::remove_temporary_files();
    std::process::exit(EXIT_BROKEN_PIPE.into())
}

/// `println!` that never panics: see [`out`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::stdio::out(&format!("{}\n", format_args!($($arg)*))) };
}
/// `print!` that never panics: see [`out`].
macro_rules! outp {
    ($($arg:tt)*) => { $crate::cli::stdio::out(&format!($($arg)*)) };
}
/// `eprintln!` that never panics: see [`err`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::stdio::err(&format!("{}\n", format_args!($($arg)*))) };
}
pub(crate) use {errln, outln, outp};

/// Installs the handler that removes partial outputs on SIGINT, SIGTERM and SIGHUP and exits.
/// Failing to install it (no signal support) leaves the default behaviour.
pub fn handle_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("tier-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    tier::data::write::remove_temporary_files();
                    std::process::exit(128 + signal);
                }
            });
        drop(spawned);
    }
}
