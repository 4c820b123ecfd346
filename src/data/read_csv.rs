//! CSV (and TSV, semicolon-separated) files: encoding detection, delimiter sniffing, streaming.

use super::csv_records::{mib, Event, Record, Records};
use super::encoding::{detect, Chosen, Decoded, Input};
use super::text::trim;
use super::MAX_CELL_BYTES;
use super::{is_blank_row, Cell, RawRow, ReadOptions, RowError, RowSource};
use crate::diagnostic::{Code, Diagnostic};
use std::io::Read;

/// Delimiters tried when none is given, in order of preference on a tie.
const DELIMITERS: &[u8] = b",\t;|";

pub(crate) fn open(
    input: Input,
    name: String,
    opts: &ReadOptions,
) -> Result<Box<dyn RowSource>, Diagnostic> {
    let text = detect(
        input,
        &name,
        opts.encoding.as_deref(),
        opts.encoding_detected,
    )?;
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&text.prefix));
    let (reader, strict_utf8): (Box<dyn Read>, bool) = match text.decoded {
        Decoded::Utf8Stream(r) => (r, true),
        Decoded::Transcoded(r) => (r, false),
    };
    let mut src = CsvSource {
        reader: Records::new(reader, delimiter),
        headers: Vec::new(),
        name,
        encoding: text.encoding,
        chosen: text.chosen,
        pending: None,
        strict_utf8,
        stopped: None,
        done: false,
    };
    let header_error = |src: &CsvSource, reason: &str| {
        let mut d = Diagnostic::error(Code::DataRead, format!("{}: {reason}", src.name));
        if reason.contains("valid") {
            d = d.with_help("pass the file's encoding with --encoding (e.g. gbk)");
        }
        d
    };
    let mut headers = loop {
        let row = src.header_record().map_err(|r| header_error(&src, &r))?;
        let Some(row) = row else {
            return Err(Diagnostic::error(
                Code::DataRead,
                format!("{} has no header row (the file is empty)", src.name),
            )
            .with_help("the first line of a CSV file must name its columns"));
        };
        let fields = src.fields(row).map_err(|r| header_error(&src, &r))?;
        if fields.iter().any(|f| !f.is_empty()) {
            break fields;
        }
    };
    // From here on, empty lines are rows (skipped, and counted).
    src.reader.count_blank = true;
    // A title line above the header (`客户档案,,,,`), as CRM exports write: one filled cell,
    // then a line with several. The title is skipped; the rows keep their line numbers. A
    // one-column file stays as it is: its second line has a single cell.
    if is_title(&headers) {
        if let Some(row) = src.header_record().map_err(|r| header_error(&src, &r))? {
            let next = src.fields(row).map_err(|r| header_error(&src, &r))?;
            if next.iter().filter(|h| !h.is_empty()).count() >= TITLE_NEXT_MIN {
                headers = next;
                // Empty lines between the title and the header are above the header.
                src.reader.skipped.clear();
            } else {
                src.pending = Some((row, src.reader.record.clone()));
            }
        }
    }
    // Excel leaves empty header cells after the last column when a sheet had formatting there.
    while headers.last().is_some_and(|h| h.is_empty()) && headers.len() > 1 {
        headers.pop();
    }
    // A header cell holding line breaks and delimiters is the rows under it, taken in by a
    // quote that closes far below: the file would read as a header and no rows.
    let delim = char::from(delimiter);
    if let Some(h) = headers
        .iter()
        .find(|h| h.contains(['\n', '\r']) && h.contains(delim))
    {
        let preview: String = h.chars().take(40).collect();
        return Err(Diagnostic::error(
            Code::DataRead,
            format!(
                "{}: a header cell runs over several lines and holds delimiters (`{}…`): a quote \
                 in the header row opens a cell that closes only further down",
                src.name,
                preview.escape_debug()
            ),
        )
        .with_help("check the quotes in the first lines of the file"));
    }
    src.reader.row_width = headers.len();
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
    reader: Records,
    headers: Vec<String>,
    name: String,
    encoding: &'static str,
    chosen: Chosen,
    /// A record read ahead while looking for the header, with its row number.
    pending: Option<(usize, Record)>,
    /// The bytes are the file's own UTF-8, not transcoded: a row may hold invalid UTF-8.
    strict_utf8: bool,
    /// Why reading stopped early, if it did.
    stopped: Option<Diagnostic>,
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

    /// Reads a record while looking for the header: any problem is the file's.
    fn header_record(&mut self) -> Result<Option<usize>, String> {
        match self.reader.next() {
            Event::Record(row) => Ok(Some(row)),
            Event::End => Ok(None),
            Event::Broken { row, short, .. } => {
                Err(format!("the header row (line {row}): {short}"))
            }
            Event::Stop { row, reason } => Err(format!("the header row (line {row}): {reason}")),
        }
    }

    /// The current record's cells as trimmed text (for the header).
    fn fields(&self, row: usize) -> Result<Vec<String>, String> {
        let record = &self.reader.record;
        let mut out = Vec::with_capacity(record.len());
        for field in record.iter() {
            if field.len() > MAX_CELL_BYTES {
                return Err(format!(
                    "a header cell on line {row} is over {}",
                    mib(MAX_CELL_BYTES)
                ));
            }
            match std::str::from_utf8(field) {
                Ok(t) if self.decodes(t) => out.push(trim(t).to_string()),
                _ => {
                    return Err(format!(
                        "the header row (line {row}) is not valid {} text ({})",
                        self.encoding,
                        self.chosen.describe(self.encoding)
                    ))
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
        let record = &self.reader.record;
        let width = self.headers.len();
        let mut cells = Vec::with_capacity(width);
        // The record's fields lie back to back in one buffer: validating it once is cheaper
        // than validating each field. A field whose ends fall on character boundaries of valid
        // text is valid text itself; any other field (a broken row) is checked on its own below,
        // as before, to name the column at fault.
        let whole = std::str::from_utf8(record.as_slice())
            .ok()
            .filter(|t| self.decodes(t));
        for (i, field) in record.iter().enumerate() {
            if field.len() > MAX_CELL_BYTES {
                return Err(RowError {
                    column: self.headers.get(i).cloned(),
                    ..self.row_error(
                        row,
                        format!(
                            "the cell is {} bytes long; cells hold at most {}",
                            field.len(),
                            mib(MAX_CELL_BYTES)
                        ),
                    )
                });
            }
            let in_whole = whole
                .zip(record.range(i))
                .and_then(|(w, r)| w.get(r.start..r.end));
            let decoded =
                in_whole.or_else(|| std::str::from_utf8(field).ok().filter(|t| self.decodes(t)));
            let text = match decoded {
                Some(t) => t,
                None => {
                    return Err(RowError {
                        column: self.headers.get(i).cloned(),
                        ..self.row_error(row, self.chosen.invalid_row(self.encoding))
                    });
                }
            };
            if i >= width {
                // Extra cells are fine when empty (a trailing delimiter); data there is not.
                if !trim(text).is_empty() {
                    let n = record.len();
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
                    self.reader.record = record;
                    row
                }
                None if self.done => return None,
                None => match self.reader.next() {
                    Event::Record(row) => row,
                    Event::End => {
                        self.done = true;
                        return None;
                    }
                    Event::Broken {
                        row, field, reason, ..
                    } => {
                        return Some(Err(RowError {
                            column: field.and_then(|i| self.headers.get(i).cloned()),
                            ..self.row_error(row, reason)
                        }))
                    }
                    Event::Stop { row, reason } => {
                        self.done = true;
                        self.stopped = Some(
                            Diagnostic::error(
                                Code::DataRead,
                                format!("{}: row {row}: {reason}", self.name),
                            )
                            .with_help(
                                "the rows after it were not read; no output is written for a \
                                 file read in part",
                            ),
                        );
                        return Some(Err(self.row_error(row, reason)));
                    }
                },
            };
            match self.cells(row) {
                Ok(cells) if is_blank_row(&cells) => self.reader.skipped.push(row),
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
        self.reader.skipped.count()
    }
    fn skipped_rows(&self) -> &[usize] {
        self.reader.skipped.rows()
    }
    fn stopped(&self) -> Option<&Diagnostic> {
        self.stopped.as_ref()
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
        assert!(err
            .reason
            .starts_with("the row's bytes are not valid UTF-8 text (the encoding given with"));
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
