//! The outputs of a run, checked before anything is read: no two of them may be one file, and
//! none may be an input.

use super::ErrorKind;
use super::{io, Input, RunError, RunOptions};
use crate::data::{self, write::Destination};
use crate::diagnostic::{Code, Diagnostic};
use std::path::Path;

/// The outputs of a run, checked before anything is read: no two of them (and none of them and
/// an input) may be the same file, since one would overwrite the other.
pub(super) fn check_outputs(args: &RunOptions) -> Result<Vec<Diagnostic>, RunError> {
    let mut outputs: Vec<(&str, &Path, Destination)> = Vec::new();
    let graded = args.output.as_deref().unwrap_or(Path::new("-"));
    for (flag, path) in [
        ("-o", Some(graded)),
        ("--rejects", args.rejects.as_deref()),
        ("--summary", args.summary.as_deref()),
        ("--report", args.report.as_deref()),
    ] {
        if let Some(path) = path {
            let dest = Destination::resolve(path).map_err(io)?;
            outputs.push((flag, path, dest));
        }
    }
    let mut errors = Vec::new();
    let shown = |flag: &str, path: &Path| {
        if path.as_os_str() == "-" {
            format!("{flag} (standard output)")
        } else {
            format!("{flag} {}", path.display())
        }
    };
    for (i, (flag, path, dest)) in outputs.iter().enumerate() {
        for (other_flag, other, other_dest) in &outputs[..i] {
            if dest.clashes_with(other_dest) {
                let what = if *dest == Destination::Stdout {
                    "both write to standard output"
                } else {
                    "are the same file"
                };
                errors.push(
                    Diagnostic::error(
                        Code::UsageSameOutput,
                        format!(
                            "{} and {} {what}: one would overwrite the other",
                            shown(other_flag, other),
                            shown(flag, path)
                        ),
                    )
                    .with_help("give each output its own file"),
                );
            }
        }
        if let Destination::File { path: real, .. } = dest {
            let data = match &args.input {
                Input::Path(p) => Some(p),
                Input::Reader { .. } | Input::EventKeys => None,
            };
            let events = args.events.iter().map(|(_, p)| ("an events file", Some(p)));
            for (what, input) in [
                ("the data file", data),
                ("the ruleset", args.ruleset.as_ref()),
            ]
            .into_iter()
            .chain(events)
            {
                let Some(input) = input else { continue };
                if input.as_os_str() != "-" && data::write::same_file(real, input) {
                    errors.push(
                        Diagnostic::error(
                            Code::UsageOutputIsInput,
                            format!(
                                "{} is {what} ({}): tier never writes over its input",
                                shown(flag, path),
                                input.display()
                            ),
                        )
                        .with_help("write the graded file under another name"),
                    );
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(RunError::new(ErrorKind::Usage, errors));
    }
    // Partial outputs of earlier runs that were killed (SIGKILL cannot be caught).
    let mut warnings = Vec::new();
    for (_, _, dest) in &outputs {
        for stale in data::write::stale_temporaries(dest) {
            warnings.push(
                Diagnostic::warning(
                    Code::DataStaleTemp,
                    format!(
                        "{} is a partial output of a tier run (process {}) that was killed",
                        stale.path.display(),
                        stale.pid
                    ),
                )
                .with_help("it is safe to delete; tier leaves it alone"),
            );
        }
    }
    Ok(warnings)
}
