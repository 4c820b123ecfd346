//! JSON (an array of objects, or an array of arrays whose first names the columns) and NDJSON
//! (one object per line).
//!
//! Headers are the union of the records' keys in first-seen order, so a key that only later
//! records carry (exports often leave out null fields) is still a column. For NDJSON files this
//! takes a first pass over the file that collects keys only; the rows are then streamed. A JSON
//! array, and NDJSON from stdin, are read into memory whole.
//!
//! JSON numbers become [`Cell::Text`] holding the number's own text (`0.1`, `12.50`), so the cell
//! parser reads them exactly; they never pass through a float.

use super::encoding::{lookup, strip_utf8_bom, Input};
use super::{io_error, is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource, READ_CODE};
use crate::diagnostic::Diagnostic;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Seek, SeekFrom};

/// Opens a JSON array of objects.
pub(crate) fn open_array(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let bytes = decode(input.read_all(&name)?, &name, opts)?;
    // One object per line in a `.json` file: it is NDJSON whatever its name says.
    let first = strip_utf8_bom(&bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        let utf8 = ReadOptions {
            encoding: None,
            ..opts.clone()
        };
        return open_lines(Input::Stream(Box::new(Cursor::new(bytes))), name, &utf8);
    }
    let value: Value = serde_json::from_slice(strip_utf8_bom(&bytes)).map_err(|e| {
        Diagnostic::error(
            READ_CODE,
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
                READ_CODE,
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
                skipped: 0,
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
        skipped: 0,
    }))
}

/// Opens NDJSON: one object per line; blank lines are skipped.
pub(crate) fn open_lines(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let needs_decoding = opts
        .encoding
        .as_deref()
        .and_then(lookup)
        .is_some_and(|e| e != encoding_rs::UTF_8);
    let mut keys = KeyUnion::default();
    let lines: Box<dyn BufRead> = match input {
        Input::File(mut f) if !needs_decoding => {
            collect_keys(BufReader::new(&mut f), &mut keys, &name)?;
            f.seek(SeekFrom::Start(0))
                .map_err(|e| io_error(&name, &e))?;
            Box::new(BufReader::with_capacity(1 << 16, f))
        }
        other => {
            let bytes = decode(other.read_all(&name)?, &name, opts)?;
            collect_keys(Cursor::new(&bytes), &mut keys, &name)?;
            Box::new(Cursor::new(bytes))
        }
    };
    Ok(Box::new(NdjsonSource {
        columns: keys.index(),
        headers: keys.names,
        name,
        lines,
        line_no: 0,
        buf: Vec::new(),
        skipped: 0,
        done: false,
    }))
}

/// Decodes a non-UTF-8 JSON file when `--encoding` says so.
fn decode(bytes: Vec<u8>, name: &str, opts: &ReadOptions) -> Result<Vec<u8>, Diagnostic> {
    let Some(enc) = opts.encoding.as_deref().and_then(lookup) else {
        return Ok(bytes);
    };
    if enc == encoding_rs::UTF_8 {
        return Ok(bytes);
    }
    match enc.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => Ok(text.into_owned().into_bytes()),
        None => Err(Diagnostic::error(
            READ_CODE,
            format!("{name} is not valid {} text", enc.name()),
        )),
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
    loop {
        buf.clear();
        let n = r
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_error(name, &e))?;
        if n == 0 {
            return Ok(());
        }
        // Bad lines are reported as rows in the second pass; here they are skipped.
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(strip_utf8_bom(&buf)) {
            keys.add(&map);
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

struct JsonArraySource {
    headers: Vec<String>,
    columns: HashMap<String, usize>,
    name: String,
    records: std::iter::Enumerate<std::vec::IntoIter<Value>>,
    /// Records are arrays, matched to the headers by position.
    table: bool,
    skipped: usize,
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
                Ok(cells) if is_blank_row(&cells) => self.skipped += 1,
                Ok(cells) => return Some(Ok(RawRow { row, cells })),
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
        "UTF-8"
    }
    fn skipped_blank(&self) -> usize {
        self.skipped
    }
}

struct NdjsonSource {
    headers: Vec<String>,
    columns: HashMap<String, usize>,
    name: String,
    lines: Box<dyn BufRead>,
    line_no: usize,
    buf: Vec<u8>,
    skipped: usize,
    done: bool,
}

impl Iterator for NdjsonSource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            self.line_no += 1;
            let row = self.line_no;
            let error = |reason: String| RowError {
                file: self.name.clone(),
                row,
                column: None,
                raw: None,
                reason,
            };
            match self.lines.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(error(format!("cannot read the file: {e}"))));
                }
            }
            let line = strip_utf8_bom(&self.buf);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let value = match serde_json::from_slice::<Value>(line) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Err(error(format!(
                        "invalid JSON at column {}: {e}",
                        e.column()
                    ))))
                }
            };
            match record_cells(value, &self.columns, self.headers.len()) {
                Ok(cells) if is_blank_row(&cells) => self.skipped += 1,
                Ok(cells) => return Some(Ok(RawRow { row, cells })),
                Err(reason) => return Some(Err(error(reason))),
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
        "UTF-8"
    }
    fn skipped_blank(&self) -> usize {
        self.skipped
    }
}
