//! `tier run`: a data file in, a graded file and a summary out, nothing lost.
//!
//! Rows stream through in chunks: read a chunk, grade it in parallel (rayon keeps the order),
//! write it, forget it. Relative grades (Pareto, quantiles) need the whole column first: a first
//! pass keeps only the ranking keys, not the rows, and the file is read again for grading.
//! Every row ends up either in the output or in the rejects, with its row number and reason.

//! Grading a whole file: a data file in, a graded file, its rejects and a summary out, nothing
//! lost. What `tier run` does, without its flags, terminal or progress bar: [`FileRun`] takes
//! plain [`RunOptions`], reports progress through a callback and returns a [`Report`]
//! (counts, summary, rejects, warnings) or a [`RunError`].
//!
//! Rows stream through in chunks: read a chunk, grade it in parallel (rayon keeps the order;
//! run inside a `rayon::ThreadPool::install` to choose the threads), write it, forget it.
//! Relative grades (Pareto, quantiles) need the whole column first: a first pass keeps only the
//! ranking keys, not the rows, and the file is read again for grading
//! ([`crate::eval::relative::rank_in_rounds`]). Every row ends up either in the output or in the
//! rejects, with its row number and reason.

use crate::data::{self, Cell, InputFormat, OutputColumns, RawRow};
use crate::data::{ReadOptions, RowError, RowSource, WriteOptions};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::columns::{ClassColumn, KeyColumn};
use crate::eval::{Program, RelKey};
use crate::figures::FigureBuilder;
use crate::outcome::Outcome;
use crate::summary::SummaryBuilder;
use crate::value::Value;
use crate::Loaded;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

mod columns;
mod events;
mod options;
mod outputs;

pub use columns::{cell_text, ColumnMap};
pub use events::{customer_events, EventsRead};
pub use options::{Bom, ErrorKind, Input, Report, RunError, RunOptions};
use outputs::check_outputs;

/// A file run whose outputs are checked: create it before loading the ruleset, grade with it
/// after.
pub struct FileRun {
    opts: RunOptions,
    warnings: Vec<Diagnostic>,
}

impl FileRun {
    /// Checks the outputs before anything is read: no two of them (and none of them and an
    /// input) may be the same file, since one would overwrite the other (`ErrorKind::Usage`).
    /// Partial outputs of killed earlier runs found next to them are warnings.
    pub fn new(opts: RunOptions) -> Result<FileRun, RunError> {
        let warnings = check_outputs(&opts)?;
        Ok(FileRun { opts, warnings })
    }

    /// The warnings found so far, taken (to show them before the run); those not taken are
    /// the first of [`Report::warnings`].
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
    }

    /// Grades the file with `loaded`'s ruleset and writes the outputs. `progress`, if given, is
    /// called (from another thread) with the number of rows done so far, after every chunk.
    pub fn grade(
        mut self,
        loaded: &Loaded,
        progress: Option<&(dyn Fn(usize) + Sync)>,
    ) -> Result<Report, RunError> {
        let mut warnings = self.take_warnings();
        match execute(loaded, self.opts, progress, &mut warnings) {
            Ok(mut report) => {
                warnings.append(&mut report.warnings);
                report.warnings = warnings;
                Ok(report)
            }
            Err(mut e) => {
                warnings.append(&mut e.diagnostics);
                e.diagnostics = warnings;
                Err(e)
            }
        }
    }
}

/// [`FileRun::new`] then [`FileRun::grade`]: the warnings of both are in the report.
pub fn grade_file(
    loaded: &Loaded,
    opts: RunOptions,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<Report, RunError> {
    FileRun::new(opts)?.grade(loaded, progress)
}

/// Rows read per batch (what the channels between reader, grader and writer carry).
const CHUNK: usize = 4096;

/// Rows per parallel task within a chunk.
const PART: usize = 256;

/// A graded part of a chunk: rendered bytes (CSV, NDJSON) or the graded rows (other formats),
/// its rejects and its summary counts.
struct Part {
    bytes: Vec<u8>,
    graded: Vec<(Vec<Cell>, Outcome)>,
    rows_graded: usize,
    rejects: Vec<RowError>,
    rows_rejected: usize,
    summary: SummaryBuilder,
    /// With a report or a workbook: what their charts draw beyond the summary.
    figures: Option<FigureBuilder>,
}

/// What the writer thread hands back.
struct Written {
    sink: Box<dyn crate::data::RowSink>,
    summary: SummaryBuilder,
    figures: Option<FigureBuilder>,
    rejects: Vec<RowError>,
    rows_rejected: usize,
    rows_written: usize,
}

pub(crate) fn row_error_for(
    program: &Program,
    map: &ColumnMap,
    headers: &[String],
    file: &str,
    row: &RawRow,
    err: crate::eval::EvalError,
) -> RowError {
    let (column, raw) = match &err.field {
        Some(field) => {
            let i = program.inputs().iter().position(|s| &s.name == field);
            let col = i.and_then(|i| map.inputs[i]);
            (
                Some(
                    col.and_then(|c| headers.get(c).cloned())
                        .unwrap_or_else(|| field.to_string()),
                ),
                col.and_then(|c| row.cells.get(c)).and_then(cell_text),
            )
        }
        None => (None, None),
    };
    let mut reason = err.diagnostic.message.clone();
    if let Some((_, line, col)) = err.diagnostic.location() {
        reason.push_str(&format!(" (ruleset line {line}:{col})"));
    }
    RowError {
        file: file.to_string(),
        row: row.row,
        column,
        raw,
        reason,
    }
}

/// A stream (standard input) is spooled to a temporary file so it can be read twice (relative
/// grading) and its format sniffed; the temp file is removed when the run ends.
pub(crate) fn spool(
    mut stdin: impl Read,
    name: &str,
    opts: &mut ReadOptions,
) -> Result<tempfile::NamedTempFile, Diagnostic> {
    let what = if name == "<stdin>" {
        "standard input".to_string()
    } else {
        name.to_string()
    };
    let io_err =
        |e: std::io::Error| Diagnostic::error(Code::Io, format!("cannot read {what}: {e}"));
    let mut tmp = tempfile::NamedTempFile::new().map_err(io_err)?;
    let mut head = [0u8; 4];
    let n = stdin.read(&mut head).map_err(io_err)?;
    if opts.format.is_none() {
        let start = head[..n].iter().copied().find(|b| !b.is_ascii_whitespace());
        opts.format = Some(match (start, &head[..n.min(2)]) {
            (_, b"PK") => InputFormat::Xlsx,
            (Some(b'['), _) => InputFormat::Json,
            (Some(b'{'), _) => InputFormat::Ndjson,
            _ => InputFormat::Csv,
        });
    }
    // Bounded as the reader would bound it: an endless stream ends in an error, not a full disk.
    let format = opts.format.unwrap_or(InputFormat::Csv);
    let mut input = data::bounded(
        std::io::Cursor::new(head[..n].to_vec()).chain(stdin),
        format,
    );
    std::io::copy(&mut input, &mut tmp).map_err(io_err)?;
    Ok(tmp)
}

/// One row's result: the kept cells and the outcome, or every problem of the row.
type Graded = Result<(Vec<Cell>, Outcome), Vec<RowError>>;

fn io(d: Diagnostic) -> RunError {
    RunError::new(ErrorKind::Io, vec![d])
}

fn execute(
    loaded: &Loaded,
    mut args: RunOptions,
    progress: Option<&(dyn Fn(usize) + Sync)>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Report, RunError> {
    let program = &loaded.program;
    let as_of = args.as_of;
    let mut opts = args.read.clone();
    let input = std::mem::replace(&mut args.input, Input::Path(PathBuf::new()));
    let event_files = if program.has_aggregates() || !args.events.is_empty() {
        events::resolve(program, &args.events)?
    } else {
        Vec::new()
    };
    let (_spooled, data_path, display_name) = match input {
        Input::EventKeys => {
            let tmp = events::customers_from_events(program, &event_files)?;
            let path = tmp.path().to_path_buf();
            opts = ReadOptions {
                format: Some(InputFormat::Csv),
                encoding: Some("utf-8".into()),
                ..ReadOptions::default()
            };
            let names: Vec<String> = event_files
                .iter()
                .map(|(_, p)| p.display().to_string())
                .collect();
            (
                Some(tmp),
                path,
                format!("customers of {}", names.join(", ")),
            )
        }
        Input::Path(path) => {
            let name = path.display().to_string();
            (None, path, name)
        }
        Input::Reader { name, reader } => {
            let tmp = spool(reader, &name, &mut opts).map_err(io)?;
            let path = tmp.path().to_path_buf();
            (Some(tmp), path, name)
        }
    };
    let source = data::open(&data_path, &opts).map_err(io)?;
    // A second pass reads the file in the encoding the first one detected: the detection
    // (a full-file UTF-8 scan) runs once.
    let mut again = opts.clone();
    if again.encoding.is_none() && data::is_encoding_label(source.encoding()) {
        again.encoding = Some(source.encoding().to_string());
        again.encoding_detected = true;
    }
    let open = |p: &Path| data::open(p, &again).map_err(io);
    let headers: Vec<String> = source.headers().to_vec();
    let (map, column_warnings) =
        ColumnMap::new(program, &headers, args.keep.as_deref(), &display_name)
            .map_err(|d| RunError::new(ErrorKind::Failed, d))?;
    warnings.extend(column_warnings);

    // Events: the customers' keys, then every event file folded into per-customer aggregates
    // (customers × aggregates in memory, whatever the number of events).
    let (folder, event_rejects, events_read) = if event_files.is_empty() {
        (None, Vec::new(), Vec::new())
    } else {
        let (folder, rejects, read, w) = events::fold(
            program,
            &map,
            open(&data_path)?,
            &display_name,
            &event_files,
            as_of,
        )?;
        warnings.extend(w);
        (Some(folder), rejects, read)
    };

    // Relative grades need whole columns: one key-only pass per round of relatives (usually
    // one), then the file is read again for grading. Rows are never held, only the keys.
    // One class per row and relative, compactly (a byte per row): a 10M-row Pareto run stays
    // far under 200 MB.
    let mut unread = Some(source);
    let relative_columns = crate::eval::relative::rank_in_rounds(program, |known, round| {
        let source = match unread.take() {
            Some(source) => source,
            None => open(&data_path)?,
        };
        Ok(collect_relative_keys(
            program,
            &map,
            &display_name,
            as_of,
            source,
            known,
            round,
            folder.as_ref(),
        ))
    })?;
    let source = match unread.take() {
        Some(source) => source,
        None => open(&data_path)?,
    };

    let info = program.output();
    let lang = args.lang.unwrap_or(program.lang());
    // A score or sub-grade is headed by its name, unless it is an input (`score 星点值`): the
    // input's column already carries that name, so tier's gets the fixed word (得分 / score)
    // rather than a `tier:` copy.
    let own_name = |name: &str| -> String {
        if program.inputs().iter().any(|i| &*i.name == name) {
            String::new()
        } else {
            name.to_string()
        }
    };
    let columns = OutputColumns {
        keep: map.keep.iter().map(|&i| headers[i].clone()).collect(),
        components: info.components.iter().map(|c| c.to_string()).collect(),
        subgrade: info.subgrade.as_deref().map(own_name),
        score: info.score.as_deref().map(own_name),
        follow_up: info.has_follow_up,
        review: info.has_review,
        schedules: info
            .schedules
            .iter()
            .map(|(n, r)| (n.to_string(), *r))
            .collect(),
        values: extra_columns(&loaded.ruleset, &info),
        as_of: Some(as_of),
        grade_name: info
            .grade
            .as_deref()
            .map(str::to_string)
            .unwrap_or_default(),
        lang,
    };
    let renamed = columns.renamed_results();
    if !renamed.is_empty() {
        let list: Vec<String> = renamed
            .iter()
            .map(|(name, new)| format!("`{name}` → `{new}`"))
            .collect();
        warnings.push(Diagnostic::warning(
            Code::DataColumnClash,
            format!(
                "{display_name} has columns named like tier's result columns: the input's keep their names, tier's are renamed ({})",
                list.join(", ")
            ),
        )
        .with_help("to leave the input's columns out, choose the kept ones with --keep"));
    }
    let sink = data::create_sink(
        args.output.as_deref(),
        args.output_format,
        &columns,
        &WriteOptions {
            bom: args.csv_bom(args.output.as_deref()),
            raw_csv: args.raw_csv,
            lang,
        },
    )
    .map_err(io)?;

    let reasons = args.reasons;
    let summary = SummaryBuilder::new(
        info.grade.as_deref().map(str::to_string),
        info.revenue.as_deref().map(str::to_string),
    )
    .order_tags(
        loaded
            .ruleset
            .items
            .iter()
            .filter_map(|item| match item {
                crate::ast::Item::Tag(t) => Some(t.name.name.clone()),
                _ => None,
            })
            .collect(),
    );
    let blank_summary = summary.empty_like();
    // The Pareto curve, owners and overdue customers: for the HTML report and the workbook's
    // summary sheet only (bounded memory, but a little time per row).
    let figures = (args.report.is_some() || args.output_format == data::OutputFormat::Xlsx)
        .then(|| FigureBuilder::new(loaded, &headers, as_of));
    let blank_figures = figures.as_ref().map(FigureBuilder::empty_like);
    let renderer = sink.renderer();

    // The column engine, unless the ruleset does not lower (the interpreter grades it alone).
    let engine = args
        .engine
        .then(|| crate::engine::Engine::new(program).ok())
        .flatten();
    // Grades a part of a chunk on a worker: the rows are typed, evaluated as one batch by the
    // column engine (the interpreter taking the rows it leaves), counted and, for CSV and
    // NDJSON, rendered to bytes there; the writer only appends the bytes in order.
    // A row the evaluator could not grade, as the rejects list it.
    let row_error = |row: &RawRow, e| {
        vec![row_error_for(
            program,
            &map,
            &headers,
            &display_name,
            row,
            e,
        )]
    };
    let grade_part = |rows: &[(usize, Result<RawRow, RowError>)]| -> Part {
        let mut part = Part {
            bytes: Vec::new(),
            graded: Vec::new(),
            rows_graded: 0,
            rejects: Vec::new(),
            rows_rejected: 0,
            summary: blank_summary.empty_like(),
            figures: blank_figures.as_ref().map(FigureBuilder::empty_like),
        };
        let typed: Vec<Result<Vec<Value>, Vec<RowError>>> = rows
            .iter()
            .map(|(i, item)| {
                let row = item.as_ref().map_err(|e| vec![e.clone()])?;
                let mut record = map.record(&display_name, row)?;
                // The customer's aggregates over its events follow the input columns.
                if let Some(folder) = &folder {
                    let values = folder.values(*i).map_err(|e| row_error(row, e))?;
                    record.extend(values);
                }
                Ok(record)
            })
            .collect();
        let rels: Vec<Vec<Value>> = rows
            .iter()
            .map(|(i, _)| relative_columns.iter().map(|c| c.get(*i)).collect())
            .collect();
        let (records, rel_refs): (Vec<&[Value]>, Vec<&[Value]>) = typed
            .iter()
            .zip(&rels)
            .filter_map(|(t, r)| t.as_ref().ok().map(|t| (t.as_slice(), r.as_slice())))
            .unzip();
        let outcomes = match &engine {
            Some(e) => e.grade(program, &records, &rel_refs, as_of, reasons).0,
            None => records
                .iter()
                .zip(&rel_refs)
                .map(|(record, rel)| {
                    if reasons {
                        program.evaluate_untraced(record, rel, as_of)
                    } else {
                        program.evaluate_bare(record, rel, as_of)
                    }
                })
                .collect(),
        };
        let mut outcomes = outcomes.into_iter();
        let mut done: Vec<(Vec<Cell>, Outcome)> = Vec::with_capacity(rows.len());
        for ((_, item), t) in rows.iter().zip(typed) {
            // One outcome per typed row, in order. (Were one missing, the row would be neither
            // graded nor rejected, and the run's count check would fail the run loudly.)
            let outcome = match &t {
                Ok(_) => match outcomes.next() {
                    Some(o) => Some(o),
                    None => continue,
                },
                Err(_) => None,
            };
            let graded: Graded = t.and_then(|_| {
                let row = item.as_ref().map_err(|e| vec![e.clone()])?;
                let Some(outcome) = outcome else {
                    return Err(Vec::new());
                };
                let outcome = outcome.map_err(|e| row_error(row, e))?;
                let kept = map
                    .keep
                    .iter()
                    .map(|&c| row.cells.get(c).cloned().unwrap_or(Cell::Empty))
                    .collect();
                Ok((kept, outcome))
            });
            match graded {
                Ok(graded) => {
                    part.summary.add(&graded.1);
                    if let (Some(f), Ok(row)) = (&mut part.figures, item) {
                        f.add(row, &graded.1);
                    }
                    done.push(graded);
                }
                Err(e) => {
                    part.rows_rejected += 1;
                    part.rejects.extend(e);
                }
            }
        }
        part.rows_graded = done.len();
        match &renderer {
            Some(r) => r.render(done.iter().map(|(k, o)| (k.as_slice(), o)), &mut part.bytes),
            None => part.graded = done,
        }
        part
    };

    // Three stages overlap: this thread reads chunks, a grader thread grades each chunk in
    // parallel parts (rayon, order kept), a writer thread writes the parts in order. The
    // channels hold two chunks each, so memory stays bounded whatever the file's size.
    let mut rows_read = 0usize;
    let mut chunks = Chunks::new(source);
    let written = std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
        let (part_tx, part_rx) = std::sync::mpsc::sync_channel::<Vec<Part>>(2);
        scope.spawn(move || {
            for chunk in chunk_rx {
                let parts: Vec<Part> = chunk.par_chunks(PART).map(&grade_part).collect();
                if part_tx.send(parts).is_err() {
                    break; // the writer failed
                }
            }
        });
        let writer = scope.spawn(move || -> Result<Written, RunError> {
            let mut w = Written {
                sink,
                summary,
                figures,
                rejects: Vec::new(),
                rows_rejected: 0,
                rows_written: 0,
            };
            for parts in part_rx {
                for part in parts {
                    if part.graded.is_empty() {
                        w.sink
                            .write_rendered(&part.bytes, part.rows_graded)
                            .map_err(io)?;
                    } else {
                        for (kept, outcome) in &part.graded {
                            w.sink.write_row(kept, outcome).map_err(io)?;
                        }
                    }
                    w.rows_written += part.rows_graded + part.rows_rejected;
                    w.summary.merge(part.summary);
                    if let (Some(all), Some(f)) = (&mut w.figures, part.figures) {
                        all.merge(f);
                    }
                    w.rows_rejected += part.rows_rejected;
                    w.rejects.extend(part.rejects);
                }
                if let Some(progress) = progress {
                    progress(w.rows_written);
                }
            }
            Ok(w)
        });
        for chunk in chunks.by_ref() {
            rows_read += chunk.len();
            if chunk_tx.send(chunk).is_err() {
                break; // the writer failed: its error is reported below
            }
        }
        drop(chunk_tx);
        writer.join()
    });
    let Written {
        sink,
        summary,
        figures,
        mut rejects,
        rows_rejected,
        ..
    } = match written {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    // Rejected events are listed after the customers' rejects, file by file.
    rejects.extend(event_rejects);

    // Blank rows are rows read too: skipped, counted and listed by the reader.
    let source = chunks.source;
    let rows_skipped = source.skipped_blank();
    rows_read += rows_skipped;
    // Reading that stopped early (an I/O error, a line too long) leaves rows unread: no output.
    let stopped = source.stopped().cloned();
    let result = summary.finish(
        program.name(),
        program.version(),
        as_of,
        &display_name,
        rows_read,
        rows_rejected,
        (rows_skipped, source.skipped_rows()),
        &rejects,
    );
    let mut result = result;
    result.events = events_read;
    if result.rows_read != result.rows_graded + result.rows_rejected + result.rows_skipped {
        // Counted independently on purpose: a row lost by a bug must fail the run loudly,
        // before any output is made visible (the sink is dropped: its target is untouched).
        drop(sink);
        return Err(RunError::new(
            ErrorKind::Failed,
            vec![Diagnostic::error(
                Code::InternalRowsLost,
                format!(
                    "{} rows read but {} graded + {} rejected + {} skipped: a row was lost; no \
                     output was written",
                    result.rows_read, result.rows_graded, result.rows_rejected, result.rows_skipped
                ),
            )
            .with_help("please report this with the ruleset and data file")],
        ));
    }
    let too_many = args.max_rejects.is_some_and(|max| rows_rejected > max);
    let figures = figures.map(FigureBuilder::finish);
    if !too_many && stopped.is_none() {
        // A workbook takes the summary (a sheet with charts) and, unless a --rejects file
        // takes them, the rejected rows.
        let mut sink = sink;
        sink.summarize(
            &result,
            args.rejects.is_none().then_some(rejects.as_slice()),
            figures.as_ref(),
        );
        // Reported once the file is complete: a cell cut to fit, and where.
        let sink_warnings = sink.warnings();
        sink.finish().map_err(io)?;
        warnings.extend(sink_warnings);
    } else {
        drop(sink); // atomic: the target file is left untouched
    }
    if let Some(path) = &args.rejects {
        data::write_rejects(
            path,
            &rejects,
            &WriteOptions {
                bom: args.csv_bom(Some(path)),
                raw_csv: args.raw_csv,
                lang,
            },
        )
        .map_err(io)?;
    }
    if let Some(path) = &args.summary {
        let json = serde_json::to_string_pretty(&result).unwrap_or_default();
        data::write::write_file_atomic(path, json.as_bytes()).map_err(io)?;
    }
    // Like the summary, the report covers what was read, even when the graded file is not
    // written.
    if let (Some(path), Some(figures)) = (&args.report, &figures) {
        data::write::write_report(path, &result, figures, lang).map_err(io)?;
    }
    let failure = match stopped {
        Some(d) => Some(io(d)),
        None if too_many => Some(RunError::new(
            ErrorKind::Failed,
            vec![Diagnostic::error(
                Code::RunMaxRejects,
                format!(
                    "{} rows were rejected, more than --max-rejects {}; no output was written",
                    rows_rejected,
                    args.max_rejects.unwrap_or(0)
                ),
            )
            .with_help(
                "fix the rows listed above (or write them with --rejects FILE), or raise \
                 --max-rejects",
            )],
        )),
        None => None,
    };
    Ok(Report {
        summary: result,
        rejects,
        warnings: Vec::new(),
        failure,
    })
}

/// Data rows in batches of [`CHUNK`], each with its position among the data rows (the index
/// into the relative columns). Reader errors keep their position so both passes stay aligned.
pub(crate) struct Chunks {
    pub(crate) source: Box<dyn RowSource>,
    index: usize,
    done: bool,
}

pub(crate) type Chunk = Vec<(usize, Result<RawRow, RowError>)>;

impl Chunks {
    pub(crate) fn new(source: Box<dyn RowSource>) -> Self {
        Chunks {
            source,
            index: 0,
            done: false,
        }
    }
}

impl Iterator for Chunks {
    type Item = Chunk;
    fn next(&mut self) -> Option<Chunk> {
        if self.done {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        for item in self.source.by_ref() {
            chunk.push((self.index, item));
            self.index += 1;
            if chunk.len() == CHUNK {
                return Some(chunk);
            }
        }
        self.done = true;
        (!chunk.is_empty()).then_some(chunk)
    }
}

/// A key-only pass: for the relatives of one round, the ranking key of every row (one column
/// per relative). A row that fails here gets Missing keys (it is rejected, with its reason, in
/// the grading pass), so positions stay aligned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn collect_relative_keys(
    program: &Program,
    map: &ColumnMap,
    file: &str,
    as_of: jiff::civil::Date,
    source: Box<dyn RowSource>,
    known: &[ClassColumn],
    round: &[usize],
    folder: Option<&crate::eval::events::Folder<'_>>,
) -> Vec<KeyColumn> {
    let mut columns: Vec<KeyColumn> = round
        .iter()
        .map(|&k| KeyColumn::new(&program.relatives()[k]))
        .collect();
    let columns_ref = &mut columns;
    // As in the grading pass, reading overlaps with typing and keying (a second thread).
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
        let keyer = scope.spawn(move || {
            let columns = columns_ref;
            for chunk in chunk_rx {
                let keys: Vec<Option<Vec<RelKey>>> = chunk
                    .par_iter()
                    .map(|(i, item)| {
                        let row = item.as_ref().ok()?;
                        let mut record = map.record(file, row).ok()?;
                        if let Some(folder) = folder {
                            record.extend(folder.values(*i).ok()?);
                        }
                        let classes: Vec<Value> = known.iter().map(|c| c.get(*i)).collect();
                        program.relative_keys_with(&record, &classes, as_of).ok()
                    })
                    .collect();
                for row_keys in keys {
                    for (column, &k) in columns.iter_mut().zip(round) {
                        match row_keys.as_ref().and_then(|all| all.get(k)) {
                            Some(key) => column.push(&key.value, &key.group),
                            None => column.push(&Value::Missing, &Value::Missing),
                        }
                    }
                }
            }
        });
        for chunk in Chunks::new(source) {
            if chunk_tx.send(chunk).is_err() {
                break;
            }
        }
        drop(chunk_tx);
        if let Err(panic) = keyer.join() {
            std::panic::resume_unwind(panic);
        }
    });
    columns
}

/// Grade-like values written as columns of their own besides the output grade: per-dimension
/// grades, adjusted grades and relative grades, in declaration order.
fn extra_columns(ruleset: &crate::ast::Ruleset, info: &crate::eval::OutputInfo) -> Vec<String> {
    use crate::ast::Item;
    let shown: Vec<&str> = [&info.grade, &info.subgrade, &info.score]
        .into_iter()
        .filter_map(|n| n.as_deref())
        .collect();
    ruleset
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Grade(g) => Some(g.name.name.as_str()),
            Item::Adjust(a) => Some(a.name.name.as_str()),
            Item::Relative(r) => Some(r.name.name.as_str()),
            _ => None,
        })
        .filter(|n| !shown.contains(n))
        .map(str::to_string)
        .collect()
}
