//! CSV (and TSV, semicolon-separated) files: encoding detection, delimiter sniffing, streaming.

use super::encoding::{detect, Decoded, Input};
use super::text::trim;
use super::{is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource, READ_CODE};
use crate::diagnostic::Diagnostic;
use std::io::Read;

/// Delimiters tried when none is given, in order of preference on a tie.
const DELIMITERS: &[u8] = b",\t;|";

pub(crate) fn open(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let text = detect(input, &name, opts.encoding.as_deref())?;
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&text.prefix));
    let (reader, strict_utf8): (Box<dyn Read>, bool) = match text.decoded {
        Decoded::Utf8Stream(r) => (r, true),
        Decoded::Transcoded(r) => (r, false),
    };
    // Records end at `\n` (a `\r` before it is stripped from the last cell), and the stream
    // always ends with one: then every record consumes its own line end, and the reader's line
    // count after a record tells the record's first line exactly, whatever the line endings,
    // blank lines or cells spanning lines.
    let reader: Box<dyn Read> = Box::new(reader.chain(&b"\n"[..]));
    let csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 16)
        .from_reader(reader);
    let mut src = CsvSource {
        reader: csv,
        headers: Vec::new(),
        name,
        encoding: text.encoding,
        record: csv::ByteRecord::new(),
        pending: None,
        strict_utf8,
        skipped: 0,
        done: false,
    };
    let header_error = |src: &CsvSource, e: RowError| {
        Diagnostic::error(READ_CODE, format!("{}: {}", src.name, e.reason))
            .with_help("pass the file's encoding with --encoding (e.g. gbk)")
    };
    let mut headers = loop {
        match src.read_record() {
            None => {
                return Err(Diagnostic::error(
                    READ_CODE,
                    format!("{} has no header row (the file is empty)", src.name),
                )
                .with_help("the first line of a CSV file must name its columns"))
            }
            Some(Err(e)) => return Err(header_error(&src, e)),
            Some(Ok(row)) => {
                let fields = src.fields(row).map_err(|e| header_error(&src, e))?;
                if fields.iter().any(|f| !f.is_empty()) {
                    break fields;
                }
            }
        }
    };
    // A title line above the header (`客户档案,,,,`), as CRM exports write: one filled cell,
    // then a line with several. The title is skipped; the rows keep their line numbers. A
    // one-column file stays as it is: its second line has a single cell.
    if is_title(&headers) {
        match src.read_record() {
            Some(Ok(row)) => {
                let next = src.fields(row).map_err(|e| header_error(&src, e))?;
                if next.iter().filter(|h| !h.is_empty()).count() >= TITLE_NEXT_MIN {
                    headers = next;
                } else {
                    src.pending = Some((row, src.record.clone()));
                }
            }
            Some(Err(e)) => return Err(header_error(&src, e)),
            None => {}
        }
    }
    // Excel leaves empty header cells after the last column when a sheet had formatting there.
    while headers.last().is_some_and(|h| h.is_empty()) && headers.len() > 1 {
        headers.pop();
    }
    src.headers = headers;
    Ok(Box::new(src))
}

/// A title line has its one filled cell first; the header under it at least this many.
/// Requiring three keeps a two-column file with an unnamed second column (`客户,`) intact.
pub(crate) const TITLE_NEXT_MIN: usize = 3;

/// Whether a first line looks like a title: one filled cell, the first.
pub(crate) fn is_title(cells: &[String]) -> bool {
    cells.first().is_some_and(|c| !c.is_empty()) && cells.iter().skip(1).all(|c| c.is_empty())
}

struct CsvSource {
    reader: csv::Reader<Box<dyn Read>>,
    headers: Vec<String>,
    name: String,
    encoding: &'static str,
    record: csv::ByteRecord,
    /// A record read ahead while looking for the header, with its row number.
    pending: Option<(usize, csv::ByteRecord)>,
    /// The bytes are the file's own UTF-8, not transcoded: a row may hold invalid UTF-8.
    strict_utf8: bool,
    skipped: usize,
    done: bool,
}

impl CsvSource {
    fn row_error(&self, row: usize, reason: String) -> RowError {
        RowError {
            file: self.name.clone(),
            row,
            column: None,
            raw: None,
            reason,
        }
    }

    /// Reads the next record that is not a blank line into `self.record`; returns its row
    /// number (the line it starts on).
    fn read_record(&mut self) -> Option<Result<usize, RowError>> {
        loop {
            if self.done {
                return None;
            }
            let before = self.reader.position().line() as usize;
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {}
                Err(e) => {
                    // With flexible rows and byte records only I/O fails; it will not recover.
                    self.done = true;
                    return Some(Err(
                        self.row_error(before, format!("cannot read the file: {e}"))
                    ));
                }
            }
            // The record ended with the `\n` of its last line; it started as many lines earlier
            // as its cells hold line breaks.
            let after = self.reader.position().line() as usize;
            let breaks = self
                .record
                .as_slice()
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let row = after.saturating_sub(1 + breaks).max(1);
            // A blank line (`\r\n`) is not a row at all.
            if !(self.record.len() == 1 && matches!(&self.record[0], b"" | b"\r")) {
                return Some(Ok(row));
            }
        }
    }

    /// The current record's cells as trimmed text (for the header).
    fn fields(&self, row: usize) -> Result<Vec<String>, RowError> {
        let mut out = Vec::with_capacity(self.record.len());
        for field in self.record.iter() {
            match std::str::from_utf8(field) {
                Ok(t) => out.push(trim(t).to_string()),
                Err(_) => {
                    return Err(self.row_error(row, "the header row is not valid UTF-8 text".into()))
                }
            }
        }
        Ok(out)
    }

    /// Whether decoded text is acceptable: transcoded text marks undecodable bytes with U+FFFD.
    fn decodes(&self, text: &str) -> bool {
        self.strict_utf8 || !text.contains('\u{FFFD}')
    }

    fn cells(&self, row: usize) -> Result<Vec<Cell>, RowError> {
        let width = self.headers.len();
        let mut cells = Vec::with_capacity(width);
        let last = self.record.len().saturating_sub(1);
        // The record's fields lie back to back in one buffer: validating it once is cheaper
        // than validating each field. A field whose ends fall on character boundaries of valid
        // text is valid text itself; any other field (a broken row) is checked on its own below,
        // as before, to name the column at fault.
        let whole = std::str::from_utf8(self.record.as_slice())
            .ok()
            .filter(|t| self.decodes(t));
        for (i, field) in self.record.iter().enumerate() {
            // The `\r` of a CRLF line end stays in the last cell (records end at `\n`).
            let field = match field {
                [rest @ .., b'\r'] if i == last => rest,
                f => f,
            };
            let in_whole = whole.zip(self.record.range(i)).and_then(|(w, r)| {
                // `field` is a prefix of the record's field (the `\r` dropped).
                w.get(r.start..r.start + field.len())
            });
            let decoded =
                in_whole.or_else(|| std::str::from_utf8(field).ok().filter(|t| self.decodes(t)));
            let text = match decoded {
                Some(t) => t,
                None => {
                    let reason = if self.strict_utf8 {
                        "the row is not valid UTF-8 text; if the file is GBK, pass --encoding gbk"
                            .to_string()
                    } else {
                        format!("the row holds bytes that are not {} text", self.encoding)
                    };
                    return Err(RowError {
                        column: self.headers.get(i).cloned(),
                        ..self.row_error(row, reason)
                    });
                }
            };
            if i >= width {
                // Extra cells are fine when empty (a trailing delimiter); data there is not.
                if !trim(text).is_empty() {
                    let n = self.record.len();
                    return Err(RowError {
                        raw: Some(text.to_string()),
                        ..self.row_error(row, format!("row has {n} cells, the header has {width}"))
                    });
                }
                continue;
            }
            cells.push(if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.to_string())
            });
        }
        cells.resize(width, Cell::Empty);
        Ok(cells)
    }
}

impl Iterator for CsvSource {
    type Item = Result<RawRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let row = match self.pending.take() {
                Some((row, record)) => {
                    self.record = record;
                    row
                }
                None => match self.read_record()? {
                    Ok(row) => row,
                    Err(e) => return Some(Err(e)),
                },
            };
            match self.cells(row) {
                Ok(cells) if is_blank_row(&cells) => self.skipped += 1,
                Ok(cells) => return Some(Ok(RawRow { row, cells })),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl RowSource for CsvSource {
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
        self.skipped
    }
}

/// Picks the delimiter that occurs most often in the header line, outside quotes; `,` when none
/// occurs. Only the first line is looked at: data cells may hold any of them.
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut started = false;
    for &b in text {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => {
                if started {
                    break;
                }
            }
            _ if !in_quotes => {
                started = true;
                if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                    counts[i] += 1;
                }
            }
            _ => started = true,
        }
    }
    let mut best = 0;
    for i in 1..DELIMITERS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\"\n"), b';');
        assert_eq!(sniff_delimiter("\n\n客户|销售额|回款率".as_bytes()), b'|');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    /// A record is validated as a whole; a character split across two fields makes valid text
    /// of the whole record but not of either field, and the row is still rejected, at its first
    /// broken cell.
    #[test]
    fn a_character_split_across_fields_is_rejected() {
        let mut bytes = "客户,区域,备注\n甲公司,华东,好\n".as_bytes().to_vec();
        // `中` is E4 B8 AD: its first two bytes end the second cell, its last begins the third.
        bytes.extend_from_slice(b"\xE6\xB5\xB7,\xE4\xB8,\xAD\n\xE4\xB9\x99,\xE5\x8D\x8E,\r\n");
        let opts = ReadOptions {
            encoding: Some("utf-8".into()),
            ..ReadOptions::default()
        };
        let src = crate::data::open_stream(Box::new(std::io::Cursor::new(bytes)), "t.csv", &opts)
            .unwrap_or_else(|d| panic!("{}", d.message));
        let rows: Vec<_> = src.collect();
        assert_eq!(rows.len(), 3);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(
            first.cells,
            ["甲公司", "华东", "好"].map(|t| Cell::Text(t.into()))
        );
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!((err.row, err.column.as_deref()), (3, Some("区域")));
        assert!(err.reason.starts_with("the row is not valid UTF-8 text"));
        let last = rows[2].as_ref().unwrap();
        assert_eq!(
            last.cells,
            [
                Cell::Text("乙".into()),
                Cell::Text("华".into()),
                Cell::Empty
            ]
        );
    }
}
