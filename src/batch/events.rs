//! `tier run --events 订单=orders.csv`: event files folded into each customer's aggregates.
//!
//! The customers' keys are read first (one pass over the customer file, keeping only the keys),
//! then each event file streams through a [`Folder`]: an event adds to its customer's running
//! aggregates and is forgotten, so memory is bounded by customers × aggregates, not by events.
//! An event whose cells are bad, whose key names no customer, or whose `where` cannot be decided
//! is a rejected row of its file, with the row, column, value and reason.

use super::{io, ColumnMap, ErrorKind, RunError};
use crate::data::{self, InputMapping, RawRow, ReadOptions, RowError};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::events::Folder;
use crate::eval::Program;
use crate::value::Value;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many events of one file were read and rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EventsRead {
    /// The `events` declaration's name.
    pub events: String,
    pub file: String,
    pub rows_read: usize,
    pub rows_rejected: usize,
}

/// Which `events` declaration each `--events NAME=FILE` feeds; every declaration needs a file.
pub(super) fn resolve(
    program: &Program,
    files: &[(String, PathBuf)],
) -> Result<Vec<(usize, PathBuf)>, RunError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let names: Vec<&str> = program.events().iter().map(|e| &*e.name).collect();
    for (name, path) in files {
        if path.as_os_str() == "-" {
            errors.push(
                Diagnostic::error(
                    Code::UsageEvents,
                    format!("`--events {name}=-`: events are read from a file, not standard input"),
                )
                .with_help("the customers' keys and the events are matched in two passes: save the events to a file"),
            );
            continue;
        }
        match names.iter().position(|n| *n == name.trim()) {
            Some(i) => out.push((i, path.clone())),
            None => {
                let help = match crate::diagnostic::suggest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `--events {s}={}`?", path.display()),
                    None if names.is_empty() => {
                        "this ruleset declares no `events`: leave out --events".to_string()
                    }
                    None => format!("the ruleset's events are {}", quote(&names)),
                };
                errors.push(
                    Diagnostic::error(
                        Code::UsageEvents,
                        format!("`--events {name}=…`: the ruleset declares no events `{name}`"),
                    )
                    .with_help(help),
                );
            }
        }
    }
    for (i, name) in names.iter().enumerate() {
        if !out.iter().any(|(e, _)| *e == i) {
            errors.push(
                Diagnostic::error(
                    Code::UsageEvents,
                    format!("the ruleset folds events `{name}`, but no file gives them"),
                )
                .with_help(format!(
                    "add `--events {name}=FILE` (CSV, XLSX, JSON or NDJSON)"
                )),
            );
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(RunError::new(ErrorKind::Usage, errors))
    }
}

fn quote(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One event file, opened, with its columns mapped onto the declaration's fields.
struct EventFile {
    events: usize,
    name: String,
    source: Box<dyn data::RowSource>,
    mapping: InputMapping,
    /// The key column's header, for rejects.
    key_column: String,
}

fn open(program: &Program, events: usize, path: &Path) -> Result<EventFile, RunError> {
    let spec = &program.events()[events];
    let name = path.display().to_string();
    let source = data::open(path, &ReadOptions::default()).map_err(io)?;
    let headers: Vec<String> = source.headers().to_vec();
    let (mapping, _warnings) = InputMapping::new(&spec.decl.fields, &headers, &|_| None, &name)
        .map_err(|d| RunError::new(ErrorKind::Failed, d))?;
    let key_column = mapping
        .columns()
        .nth(spec.key)
        .flatten()
        .and_then(|c| headers.get(c).cloned())
        .unwrap_or_else(|| spec.decl.key.name.clone());
    Ok(EventFile {
        events,
        name,
        source,
        mapping,
        key_column,
    })
}

/// A key as a map key: the value's display (both sides are parsed as the same type).
fn key_text(v: &Value) -> Option<String> {
    (!v.is_missing()).then(|| v.to_string())
}

/// For an event-only run: a CSV of the distinct keys of every event file, in order of first
/// appearance, headed like the customer's key input (its first column name, else its name).
pub(super) fn customers_from_events(
    program: &Program,
    files: &[(usize, PathBuf)],
) -> Result<tempfile::NamedTempFile, RunError> {
    let Some(first) = program.events().first() else {
        return Err(RunError::new(
            ErrorKind::Usage,
            vec![Diagnostic::error(
                Code::UsageEvents,
                "no data file and no events: there are no customers to grade",
            )
            .with_help("give a data file, or `--events NAME=FILE` for a ruleset with `events`")],
        ));
    };
    let input = &program.inputs()[first.key_input];
    let header = input
        .field
        .columns
        .first()
        .map_or(input.name.to_string(), |c| c.value.clone());
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut keys: Vec<String> = Vec::new();
    for (events, path) in files {
        let mut file = open(program, *events, path)?;
        let key = program.events()[*events].key;
        for row in file.source.by_ref() {
            let Ok(row) = row else { continue };
            let Ok(values) = file.mapping.parse_row(&row, &file.name) else {
                continue; // rejected, with its reason, when the events are folded
            };
            if let Some(k) = values.get(key).and_then(key_text) {
                if seen.insert(k.clone()) {
                    keys.push(k);
                }
            }
        }
        if let Some(d) = file.source.stopped() {
            return Err(io(d.clone()));
        }
    }
    let err = |e: std::io::Error| {
        io(Diagnostic::error(
            Code::Io,
            format!("cannot write the customers' keys to a temporary file: {e}"),
        ))
    };
    let mut tmp = tempfile::NamedTempFile::new().map_err(err)?;
    {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(tmp.as_file_mut()));
        let io_csv = |e: csv::Error| {
            io(Diagnostic::error(
                Code::Io,
                format!("cannot write the customers' keys: {e}"),
            ))
        };
        w.write_record([header.as_str()]).map_err(io_csv)?;
        for k in &keys {
            w.write_record([k.as_str()]).map_err(io_csv)?;
        }
        w.flush().map_err(err)?;
    }
    tmp.as_file_mut().flush().map_err(err)?;
    Ok(tmp)
}

/// What folding the event files gives: the folder, the rejected events, the counts per file
/// and the warnings.
pub(super) type Folded<'p> = (Folder<'p>, Vec<RowError>, Vec<EventsRead>, Vec<Diagnostic>);

/// Reads the customers' keys (position of each data row → its key), then folds every event
/// file. Returns the folder, the rejected events and the counts per file.
pub(super) fn fold<'p>(
    program: &'p Program,
    map: &ColumnMap,
    customers: Box<dyn data::RowSource>,
    display_name: &str,
    files: &[(usize, PathBuf)],
    as_of: jiff::civil::Date,
) -> Result<Folded<'p>, RunError> {
    // Customer keys: the first row with a key gets its events; a later row with the same key
    // is graded without events and named in a warning (its events cannot be told apart).
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut rows = 0usize;
    let mut duplicates: Vec<(usize, String)> = Vec::new();
    let key_inputs: Vec<usize> = program.events().iter().map(|e| e.key_input).collect();
    for (i, row) in customers.enumerate() {
        rows = i + 1;
        let Ok(row) = row else { continue };
        // A row rejected for another cell still owns its events (it is listed as rejected).
        let values = map.record(display_name, &row).ok();
        for &k in &key_inputs {
            let key = match &values {
                Some(values) => values.get(k).and_then(key_text),
                None => map.inputs[k]
                    .and_then(|c| row.cells.get(c))
                    .and_then(super::cell_text)
                    .map(|t| t.trim().to_string()),
            };
            if let Some(key) = key {
                match by_key.entry(key) {
                    std::collections::hash_map::Entry::Occupied(e) => {
                        if !duplicates.iter().any(|(_, d)| d == e.key()) {
                            duplicates.push((row.row, e.key().clone()));
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(i);
                    }
                }
            }
        }
    }
    let mut warnings = Vec::new();
    if let Some((row, key)) = duplicates.first() {
        warnings.push(
            Diagnostic::warning(
                Code::DataDuplicateKey,
                format!(
                    "{display_name}: {} customer key(s) appear on more than one row (first: `{key}` \
                     again on row {row}); events go to the first row with the key",
                    duplicates.len()
                ),
            )
            .with_help("give each customer one row, or its events are counted once only"),
        );
    }
    let mut folder = Folder::new(program, rows, as_of);
    let mut rejects = Vec::new();
    let mut counts = Vec::new();
    for (events, path) in files {
        let mut file = open(program, *events, path)?;
        let spec = &program.events()[*events];
        let mut read = EventsRead {
            events: spec.name.to_string(),
            file: file.name.clone(),
            ..EventsRead::default()
        };
        while let Some(row) = file.source.next() {
            read.rows_read += 1;
            let problem = match row {
                Err(e) => Some(vec![e]),
                Ok(row) => add_event(program, &mut folder, &file, &by_key, &row).err(),
            };
            if let Some(p) = problem {
                read.rows_rejected += 1;
                rejects.extend(p);
            }
        }
        if let Some(d) = file.source.stopped() {
            return Err(io(d.clone()));
        }
        counts.push(read);
    }
    Ok((folder, rejects, counts, warnings))
}

fn add_event(
    program: &Program,
    folder: &mut Folder<'_>,
    file: &EventFile,
    by_key: &HashMap<String, usize>,
    row: &RawRow,
) -> Result<(), Vec<RowError>> {
    let spec = &program.events()[file.events];
    let values = file.mapping.parse_row(row, &file.name)?;
    let key = values.get(spec.key).and_then(key_text).unwrap_or_default();
    let Some(&customer) = by_key.get(&key) else {
        return Err(vec![RowError {
            file: file.name.clone(),
            row: row.row,
            column: Some(file.key_column.clone()),
            raw: Some(key),
            reason: "no customer has this key: the event belongs to no one".to_string(),
        }]);
    };
    folder.add(customer, file.events, &values).map_err(|e| {
        let mut reason = e.diagnostic.message.clone();
        if let Some((_, line, col)) = e.diagnostic.location() {
            reason.push_str(&format!(" (ruleset line {line}:{col})"));
        }
        vec![RowError {
            file: file.name.clone(),
            row: row.row,
            column: None,
            raw: None,
            reason,
        }]
    })
}

/// One customer's events from event files (`tier eval --events 订单=orders.csv`): the rows whose
/// key is `key` (every row when `key` is missing), and the rows that could not be read.
pub fn customer_events(
    program: &Program,
    files: &[(String, PathBuf)],
    key: &Value,
) -> Result<(crate::eval::events::EventList, Vec<RowError>), RunError> {
    let files = resolve(program, files)?;
    let wanted = key_text(key);
    let mut list = Vec::new();
    let mut rejects = Vec::new();
    for (events, path) in &files {
        let mut file = open(program, *events, path)?;
        let key_field = program.events()[*events].key;
        for row in file.source.by_ref() {
            let row = match row {
                Ok(row) => row,
                Err(e) => {
                    rejects.push(e);
                    continue;
                }
            };
            match file.mapping.parse_row(&row, &file.name) {
                Ok(values) => {
                    let k = values.get(key_field).and_then(key_text);
                    if wanted.is_none() || k == wanted {
                        list.push((*events, values));
                    }
                }
                Err(e) => rejects.extend(e),
            }
        }
        if let Some(d) = file.source.stopped() {
            return Err(io(d.clone()));
        }
    }
    Ok((list, rejects))
}
