//! JSON (an array of objects, or an array of arrays whose first names the columns) and NDJSON
//! (one object per line).
//!
//! Headers are the union of the records' keys in first-seen order, so a key that only later
//! records carry (exports often leave out null fields) is still a column. For NDJSON files this
//! takes a first pass over the file that collects keys only; the rows are then streamed (NDJSON
//! from a stream is spooled to a temporary file first). A JSON array is read into memory whole
//! (at most [`MAX_JSON_BYTES`](super::MAX_JSON_BYTES)).
//!
//! JSON numbers become [`Cell::Text`] holding the number's own text (`0.1`, `12.50`, `1e400`;
//! serde_json's `arbitrary_precision`), so the cell parser reads them exactly; they never pass
//! through a float, and one too large for a float is one bad cell, not an unreadable file.

use super::encoding::{lookup, strip_utf8_bom, Chosen, DecodeReader, Input};
use super::{io_error, is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource};
use super::{InputFormat, Skipped, MAX_CELL_BYTES, MAX_RECORD_BYTES};
use crate::data::csv_records::mib;
use crate::diagnostic::{Code, Diagnostic};
use encoding_rs::Encoding;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};

/// Opens a JSON array of objects.
pub(crate) fn open_array(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let encoding = given_encoding(opts);
    // Anything but an array (or NDJSON's first object) is not worth reading whole.
    let (input, prefix) = input.peek(&name)?;
    let first = strip_utf8_bom(&prefix)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if encoding.is_none() && !matches!(first, Some(b'[' | b'{')) {
        let shown = match first {
            Some(&b) if b.is_ascii_graphic() => format!("`{}`", char::from(b)),
            Some(&b) => format!("the byte 0x{b:02X}"),
            None => "nothing".to_string(),
        };
        return Err(Diagnostic::error(
            Code::DataRead,
            format!("{name} is not a JSON array of records: it starts with {shown}"),
        )
        .with_help("a JSON data file is `[{...}, {...}]`, or one object per line (NDJSON)"));
    }
    let bytes = decode(input.read_all(&name)?, &name, encoding)?;
    // One object per line in a `.json` file: it is NDJSON whatever its name says.
    let first = strip_utf8_bom(&bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return open_seekable(Box::new(Cursor::new(bytes)), name, None);
    }
    let value: Value = serde_json::from_slice(strip_utf8_bom(&bytes)).map_err(|e| {
        if let Err(bad) = std::str::from_utf8(&bytes) {
            let line = bytes[..bad.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Diagnostic::error(
                Code::DataRead,
                format!("{name}: line {line} is not valid UTF-8 text (JSON is read as UTF-8)"),
            )
            .with_help("if the file is in another encoding, pass it with --encoding (e.g. gbk)");
        }
        Diagnostic::error(
            Code::DataRead,
            format!(
                "{name}: invalid JSON at line {}, column {}",
                e.line(),
                e.column()
            ),
        )
        .with_note(e.to_string())
    })?;
    let records = match value {
        Value::Array(items) => items,
        other => {
            return Err(Diagnostic::error(
                Code::DataRead,
                format!(
                    "{name}: expected an array of records, found {}",
                    kind_of(&other)
                ),
            ))
        }
    };
    // `[["客户", "金额"], ["甲", 1], ...]`: a table whose first row names the columns.
    if let Some(Value::Array(first)) = records.first() {
        if first.iter().all(Value::is_string) && records.iter().all(Value::is_array) {
            let headers: Vec<String> = first
                .iter()
                .map(|h| h.as_str().unwrap_or("").trim().to_string())
                .collect();
            let mut records = records.into_iter().enumerate();
            records.next();
            return Ok(Box::new(JsonArraySource {
                columns: HashMap::new(),
                headers,
                name,
                records,
                table: true,
                encoding: encoding_name(encoding),
                skipped: Skipped::default(),
            }));
        }
    }
    let mut keys = KeyUnion::default();
    for r in &records {
        if let Value::Object(map) = r {
            keys.add(map);
        }
    }
    Ok(Box::new(JsonArraySource {
        columns: keys.index(),
        headers: keys.names,
        name,
        records: records.into_iter().enumerate(),
        table: false,
        encoding: encoding_name(encoding),
        skipped: Skipped::default(),
    }))
}

/// Opens NDJSON: one object per line; blank lines are skipped rows. The file is read twice
/// (keys, then rows), streaming both times; a stream is first spooled to a temporary file, its
/// lines bounded ([`MAX_RECORD_BYTES`]).
pub(crate) fn open_lines(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let file = match input {
        Input::File(f) => f,
        Input::Stream(s) => {
            let mut tmp = tempfile::tempfile().map_err(|e| io_error(&name, &e))?;
            std::io::copy(&mut super::bounded(s, InputFormat::Ndjson), &mut tmp)
                .map_err(|e| io_error(&name, &e))?;
            tmp.seek(SeekFrom::Start(0))
                .map_err(|e| io_error(&name, &e))?;
            tmp
        }
    };
    open_seekable(Box::new(file), name, given_encoding(opts))
}

/// Something NDJSON can be read from twice.
trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

fn open_seekable(
    mut input: Box<dyn ReadSeek>,
    name: String,
    encoding: Option<&'static Encoding>,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let mut keys = KeyUnion::default();
    {
        let text: Box<dyn Read + '_> = match encoding {
            Some(e) => Box::new(DecodeReader::new(&mut input, e)),
            None => Box::new(&mut input),
        };
        collect_keys(BufReader::with_capacity(1 << 16, text), &mut keys, &name)?;
    }
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| io_error(&name, &e))?;
    let text: Box<dyn Read> = match encoding {
        Some(e) => Box::new(DecodeReader::new(input, e)),
        None => Box::new(input),
    };
    Ok(Box::new(NdjsonSource {
        columns: keys.index(),
        headers: keys.names,
        name,
        lines: Box::new(BufReader::with_capacity(1 << 16, text)),
        line_no: 0,
        buf: Vec::new(),
        encoding: encoding_name(encoding),
        transcoded: encoding.is_some(),
        skipped: Skipped::default(),
        stopped: None,
        done: false,
    }))
}

/// The encoding `--encoding` gives, unless it is UTF-8 (JSON's own).
fn given_encoding(opts: &ReadOptions) -> Option<&'static Encoding> {
    opts.encoding
        .as_deref()
        .and_then(lookup)
        .filter(|&e| e != encoding_rs::UTF_8)
}

fn encoding_name(encoding: Option<&'static Encoding>) -> &'static str {
    encoding.map_or("UTF-8", Encoding::name)
}

/// Decodes a non-UTF-8 JSON file when `--encoding` says so; the first bytes that do not decode
/// are located.
fn decode(
    bytes: Vec<u8>,
    name: &str,
    encoding: Option<&'static Encoding>,
) -> Result<Vec<u8>, Diagnostic> {
    let Some(enc) = encoding else {
        return Ok(bytes);
    };
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(&bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text.into_bytes()),
        _ => {
            let line = bytes[..read].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(Diagnostic::error(
                Code::DataRead,
                format!(
                    "{name}: line {line} is not valid {} text ({})",
                    enc.name(),
                    Chosen::Given.describe(enc.name())
                ),
            )
            .with_help("pass the file's own encoding with --encoding"))
        }
    }
}

/// Keys in first-seen order.
#[derive(Default)]
struct KeyUnion {
    names: Vec<String>,
    seen: HashMap<String, usize>,
}

impl KeyUnion {
    fn add(&mut self, map: &Map<String, Value>) {
        for k in map.keys() {
            if !self.seen.contains_key(k) {
                self.seen.insert(k.clone(), self.names.len());
                self.names.push(k.clone());
            }
        }
    }

    fn index(&self) -> HashMap<String, usize> {
        self.seen.clone()
    }
}

fn collect_keys(mut r: impl BufRead, keys: &mut KeyUnion, name: &str) -> Result<(), Diagnostic> {
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        line += 1;
        match read_line(&mut r, &mut buf).map_err(|e| io_error(name, &e))? {
            Line::End => return Ok(()),
            Line::TooLong => {
                return Err(Diagnostic::error(
                    Code::DataRead,
                    format!(
                        "{name}: line {line} is over {} long; NDJSON holds one record per line",
                        mib(MAX_RECORD_BYTES)
                    ),
                ))
            }
            Line::Read => {}
        }
        // Bad lines are reported as rows in the second pass; here they are skipped.
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(strip_utf8_bom(&buf)) {
            keys.add(&map);
        }
    }
}

/// What [`read_line`] found.
enum Line {
    Read,
    End,
    /// The line runs over [`MAX_RECORD_BYTES`]; `buf` holds its start.
    TooLong,
}

/// Reads one line (with its `\n`, if any) into `buf`, at most [`MAX_RECORD_BYTES`] of it.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    buf.clear();
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if buf.is_empty() {
                Line::End
            } else {
                Line::Read
            });
        }
        let (n, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if buf.len() + n > MAX_RECORD_BYTES {
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&available[..n]);
        r.consume(n);
        if done {
            return Ok(Line::Read);
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value as a cell. Nested arrays and objects are kept as their JSON text.
fn to_cell(v: Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Bool(b),
        Value::Number(n) => Cell::Text(n.to_string()),
        Value::String(s) if s.is_empty() => Cell::Empty,
        Value::String(s) => Cell::Text(s),
        other => Cell::Text(other.to_string()),
    }
}

/// Cells of one record, in header order.
fn record_cells(
    value: Value,
    columns: &HashMap<String, usize>,
    width: usize,
) -> Result<Vec<Cell>, String> {
    let Value::Object(map) = value else {
        return Err(format!("expected an object, found {}", kind_of(&value)));
    };
    let mut cells = vec![Cell::Empty; width];
    for (k, v) in map {
        if let Some(&i) = columns.get(&k) {
            cells[i] = to_cell(v);
        }
    }
    Ok(cells)
}

/// Cells of one array record in a table-form file, matched by position.
fn positional_cells(value: Value, width: usize) -> Result<Vec<Cell>, String> {
    let Value::Array(items) = value else {
        return Err(format!("expected an array, found {}", kind_of(&value)));
    };
    let n = items.len();
    let mut cells: Vec<Cell> = items.into_iter().map(to_cell).collect();
    if n > width {
        if !is_blank_row(&cells[width..]) {
            return Err(format!("row has {n} cells, the header has {width}"));
        }
        cells.truncate(width);
    }
    cells.resize(width, Cell::Empty);
    Ok(cells)
}

/// A cell over [`MAX_CELL_BYTES`]: its column and the reason its row is rejected.
fn oversized(cells: &[Cell], headers: &[String]) -> Option<(Option<String>, String)> {
    let (i, len) = cells.iter().enumerate().find_map(|(i, c)| match c {
        Cell::Text(t) if t.len() > MAX_CELL_BYTES => Some((i, t.len())),
        _ => None,
    })?;
    Some((
        headers.get(i).cloned(),
        format!(
            "the cell is {len} bytes long; cells hold at most {}",
            mib(MAX_CELL_BYTES)
        ),
    ))
}

struct JsonArraySource {
    headers: Vec<String>,
    columns: HashMap<String, usize>,
    name: String,
    records: std::iter::Enumerate<std::vec::IntoIter<Value>>,
    /// Records are arrays, matched to the headers by position.
    table: bool,
    encoding: &'static str,
    skipped: Skipped,
}

impl Iterator for JsonArraySource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (i, value) = self.records.next()?;
            let row = i + 1;
            let cells = if self.table {
                positional_cells(value, self.headers.len())
            } else {
                record_cells(value, &self.columns, self.headers.len())
            };
            match cells {
                Ok(cells) if is_blank_row(&cells) => self.skipped.push(row),
                Ok(cells) => {
                    return Some(match oversized(&cells, &self.headers) {
                        Some((column, reason)) => Err(RowError {
                            file: self.name.clone(),
                            row,
                            column,
                            raw: None,
                            reason,
                        }),
                        None => Ok(RawRow { row, cells }),
                    })
                }
                Err(reason) => {
                    return Some(Err(RowError {
                        file: self.name.clone(),
                        row,
                        column: None,
                        raw: None,
                        reason: format!("record {row}: {reason}"),
                    }))
                }
            }
        }
    }
}

impl RowSource for JsonArraySource {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn source_name(&self) -> &str {
        &self.name
    }
    fn encoding(&self) -> &str {
        self.encoding
    }
    fn skipped_blank(&self) -> usize {
        self.skipped.count()
    }
    fn skipped_rows(&self) -> &[usize] {
        self.skipped.rows()
    }
}

struct NdjsonSource {
    headers: Vec<String>,
    columns: HashMap<String, usize>,
    name: String,
    lines: Box<dyn BufRead>,
    line_no: usize,
    buf: Vec<u8>,
    encoding: &'static str,
    /// Decoded from `--encoding`: bytes that did not decode are U+FFFD.
    transcoded: bool,
    skipped: Skipped,
    stopped: Option<Diagnostic>,
    done: bool,
}

impl NdjsonSource {
    fn error(&self, row: usize, reason: String) -> RowError {
        RowError {
            file: self.name.clone(),
            row,
            column: None,
            raw: None,
            reason,
        }
    }

    /// Reading cannot go on at line `row`.
    fn stop(&mut self, row: usize, reason: String) -> RowError {
        self.done = true;
        self.stopped = Some(
            Diagnostic::error(
                Code::DataRead,
                format!("{}: line {row}: {reason}", self.name),
            )
            .with_help(
                "the lines after it were not read; no output is written for a file read in \
                     part",
            ),
        );
        self.error(row, reason)
    }
}

impl Iterator for NdjsonSource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.line_no += 1;
            let row = self.line_no;
            match read_line(&mut self.lines, &mut self.buf) {
                Ok(Line::End) => {
                    self.done = true;
                    return None;
                }
                Ok(Line::Read) => {}
                Ok(Line::TooLong) => {
                    let reason = format!("the line is over {} long", mib(MAX_RECORD_BYTES));
                    return Some(Err(self.stop(row, reason)));
                }
                Err(e) => {
                    let reason = format!("cannot read the file: {e}");
                    return Some(Err(self.stop(row, reason)));
                }
            }
            let line = strip_utf8_bom(&self.buf);
            if line.iter().all(u8::is_ascii_whitespace) {
                self.skipped.push(row);
                continue;
            }
            let undecodable = if self.transcoded {
                line.windows(3).any(|w| w == "\u{FFFD}".as_bytes())
            } else {
                std::str::from_utf8(line).is_err()
            };
            if undecodable {
                let how = if self.transcoded {
                    Chosen::Given.describe(self.encoding)
                } else {
                    "JSON is read as UTF-8".to_string()
                };
                let advice = if self.transcoded {
                    "pass the file's own encoding with --encoding"
                } else {
                    "if the file is in another encoding, pass it with --encoding (e.g. gbk)"
                };
                let reason = format!(
                    "the line's bytes are not valid {} text ({how}); {advice}",
                    self.encoding
                );
                return Some(Err(self.error(row, reason)));
            }
            let value = match serde_json::from_slice::<Value>(line) {
                Ok(v) => v,
                Err(e) => {
                    let reason = format!("invalid JSON at column {}: {e}", e.column());
                    return Some(Err(self.error(row, reason)));
                }
            };
            match record_cells(value, &self.columns, self.headers.len()) {
                Ok(cells) if is_blank_row(&cells) => self.skipped.push(row),
                Ok(cells) => {
                    return Some(match oversized(&cells, &self.headers) {
                        Some((column, reason)) => Err(RowError {
                            column,
                            ..self.error(row, reason)
                        }),
                        None => Ok(RawRow { row, cells }),
                    })
                }
                Err(reason) => return Some(Err(self.error(row, reason))),
            }
        }
    }
}

impl RowSource for NdjsonSource {
    fn headers(&self) -> &[String] {
        &self.headers
    }
    fn source_name(&self) -> &str {
        &self.name
    }
    fn encoding(&self) -> &str {
        self.encoding
    }
    fn skipped_blank(&self) -> usize {
        self.skipped.count()
    }
    fn skipped_rows(&self) -> &[usize] {
        self.skipped.rows()
    }
    fn stopped(&self) -> Option<&Diagnostic> {
        self.stopped.as_ref()
    }
}
