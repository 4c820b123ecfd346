//! CSV records from a stream of UTF-8 bytes: line ends, quotes, line numbers and size limits.
//!
//! csv_core splits the records; this layer feeds it and keeps each record's raw bytes until the
//! record ends. With them a record that goes wrong can be located (the quote that never closes,
//! by line and character) and the lines it took in read again as rows of their own. Lines end
//! at CR, LF or CRLF, each counted once, so row numbers are line numbers whatever the file's
//! line endings. Memory is the record being read: at most [`MAX_RECORD_BYTES`] of raw bytes.

use super::{Skipped, MAX_COLUMNS, MAX_RECORD_BYTES};
use csv_core::{ReadRecordResult, Reader, ReaderBuilder, Terminator};
use std::io::Read;
use std::ops::Range;

/// The buffer a record starts in; it grows (up to [`MAX_RECORD_BYTES`]) only for a longer one.
const BUFFER: usize = 1 << 16;

/// What reading the next record found.
#[derive(Debug)]
pub(crate) enum Event {
    /// A record, now in [`Records::record`], starting on this line.
    Record(usize),
    /// A record that cannot be a row: rejected at the line it starts on; reading goes on after
    /// it. `field` is the 0-based cell at fault, when one is; `short` is the reason without
    /// what happens next (for a header, which is not read on from).
    Broken {
        row: usize,
        field: Option<usize>,
        reason: String,
        short: String,
    },
    /// Reading cannot go on: an I/O error, or a line too long to find the next one.
    Stop { row: usize, reason: String },
    /// The end of the input.
    End,
}

/// One record's cells, back to back in one buffer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    fields: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
}

impl Record {
    /// The number of cells.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Where cell `i` lies in [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        if i >= self.len {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..self.ends[i])
    }

    /// Cell `i`'s bytes.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).map(|r| &self.fields[r])
    }

    /// Every cell's bytes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len).filter_map(|i| self.get(i))
    }

    /// All cells back to back.
    pub fn as_slice(&self) -> &[u8] {
        match self.len {
            0 => &[],
            n => &self.fields[..self.ends[n - 1]],
        }
    }
}

/// Why the buffer could not be refilled.
enum Fill {
    /// The record holds [`MAX_RECORD_BYTES`] and has not ended.
    TooLong,
    Io(std::io::Error),
}

/// Why a quoted cell is taken for a quote out of place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Still open at the end of the input.
    AtEnd,
    /// Still open after [`MAX_RECORD_BYTES`].
    TooLong,
    /// Closed, but a line inside it, starting at this offset of the record, looks like a row.
    TakesRows(usize),
}

/// A quote that opens a cell and is still open at the end of the bytes looked at.
struct OpenQuote {
    /// Its offset in those bytes.
    offset: usize,
    /// The 0-based cell it opens.
    field: usize,
}

/// Reads CSV records one at a time from UTF-8 bytes.
pub(crate) struct Records {
    inner: Box<dyn Read>,
    core: Reader,
    delimiter: u8,
    /// Raw bytes: `buf[rec..pos]` is the record being read, `buf[pos..end]` not yet parsed.
    buf: Vec<u8>,
    rec: usize,
    pos: usize,
    end: usize,
    /// The input has no more bytes (those in `buf` may still be unparsed).
    eof: bool,
    /// A [`Event::Stop`] was returned: nothing more is read.
    stopped: bool,
    /// The line `buf[rec]` is on (1-based).
    line: usize,
    /// The byte before `buf[rec]` was a CR: an LF there ends no line of its own.
    prev_cr: bool,
    /// The last record read.
    pub record: Record,
    /// Empty lines met (not counted before [`Records::count_blank`] is set: above the header
    /// they are not rows).
    pub skipped: Skipped,
    pub count_blank: bool,
    /// The header's width, once known: a quoted cell holding a line with as many delimiters
    /// (`row_width - 1`, and at least three) is a quote out of place. 0: no such check.
    pub row_width: usize,
}

impl Records {
    pub fn new(inner: Box<dyn Read>, delimiter: u8) -> Self {
        let core = ReaderBuilder::new()
            .delimiter(delimiter)
            // CR, LF and CRLF each end a record (outside quotes).
            .terminator(Terminator::CRLF)
            .build();
        let mut records = Records {
            inner,
            core,
            delimiter,
            buf: vec![0; BUFFER],
            rec: 0,
            pos: 0,
            end: 0,
            eof: false,
            stopped: false,
            line: 1,
            prev_cr: false,
            record: Record {
                fields: vec![0; 1024],
                ends: vec![0; 64],
                len: 0,
            },
            skipped: Skipped::default(),
            count_blank: false,
            row_width: 0,
        };
        records.prime();
        records
    }

    /// csv_core drops a UTF-8 BOM at the start of its first input. Encoding detection has
    /// already dropped the file's own; one anywhere else (at a line read again after a broken
    /// record) is data, and the quote scan below must see the bytes csv_core sees. A first
    /// call that cannot consume anything (no room for output) marks the parser as started.
    fn prime(&mut self) {
        let _ = self.core.read_record(b"x", &mut [], &mut []);
    }

    /// Reads the next record.
    pub fn next(&mut self) -> Event {
        if self.stopped {
            return Event::End;
        }
        self.rec = self.pos;
        let (mut outlen, mut endlen) = (0, 0);
        let mut too_wide = false;
        loop {
            if self.pos == self.end && !self.eof {
                match self.refill() {
                    Ok(()) => continue,
                    Err(Fill::TooLong) => return self.too_long(),
                    Err(Fill::Io(e)) => {
                        self.stopped = true;
                        return Event::Stop {
                            row: self.line,
                            reason: format!("cannot read the file: {e}; reading stopped here"),
                        };
                    }
                }
            }
            let (res, nin, nout, nend) = self.core.read_record(
                &self.buf[self.pos..self.end],
                &mut self.record.fields[outlen..],
                &mut self.record.ends[endlen..],
            );
            self.pos += nin;
            outlen += nout;
            endlen += nend;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    // Cells are never longer than the raw record, which is bounded.
                    let n = self.record.fields.len() * 2;
                    self.record.fields.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.record.ends.len() > MAX_COLUMNS {
                        // Too many cells: read on to the record's end, forgetting where they end.
                        too_wide = true;
                        endlen = 0;
                    } else {
                        let n = (self.record.ends.len() * 2).min(MAX_COLUMNS + 1);
                        self.record.ends.resize(n, 0);
                    }
                }
                ReadRecordResult::Record => {
                    self.record.len = endlen;
                    return self.finish(too_wide);
                }
                ReadRecordResult::End => {
                    self.blank_lines(self.rec, self.pos);
                    return Event::End;
                }
            }
        }
    }

    /// Moves the record read so far to the front of the buffer and reads more input after it.
    fn refill(&mut self) -> Result<(), Fill> {
        // Nothing but line ends so far: those are empty lines, and the record has not begun.
        if self.buf[self.rec..self.pos]
            .iter()
            .all(|&b| b == b'\r' || b == b'\n')
        {
            self.blank_lines(self.rec, self.pos);
            self.rec = self.pos;
        }
        if self.rec > 0 {
            self.buf.copy_within(self.rec..self.end, 0);
            self.pos -= self.rec;
            self.end -= self.rec;
            self.rec = 0;
        }
        if self.end == self.buf.len() {
            if self.end >= MAX_RECORD_BYTES {
                return Err(Fill::TooLong);
            }
            let n = (self.buf.len() * 2).min(MAX_RECORD_BYTES);
            self.buf.resize(n, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fill::Io(e)),
            }
        }
    }

    /// Counts the empty lines in `buf[from..to]`, which holds only line ends.
    fn blank_lines(&mut self, from: usize, to: usize) {
        for i in from..to {
            let b = self.buf[i];
            if b == b'\n' && self.prev_cr {
                // The LF of a CRLF whose CR ended the line before.
                self.prev_cr = false;
                continue;
            }
            if self.count_blank {
                self.skipped.push(self.line);
            }
            self.line += 1;
            self.prev_cr = b == b'\r';
        }
    }

    /// Counts the empty lines before the current record; returns where its first cell begins.
    fn content_start(&mut self) -> usize {
        let n = self.buf[self.rec..self.pos]
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(self.pos - self.rec);
        self.blank_lines(self.rec, self.rec + n);
        self.rec + n
    }

    /// A record has been parsed: numbers it and checks how it ended.
    fn finish(&mut self, too_wide: bool) -> Event {
        let start = self.content_start();
        let row = self.line;
        // The last record ends with the input; if a quote is still open there, the record is
        // everything from that quote on, not what the file meant.
        if self.eof && self.pos == self.end {
            if let Some(open) = open_quote(&self.buf[start..self.pos], self.delimiter) {
                return self.unclosed(row, start, open, Why::AtEnd);
            }
        }
        let breaks = count_breaks(&self.buf[start..self.pos], false);
        // Only a record with a line break inside a quoted cell can have taken in other rows.
        if breaks > 0 && self.row_width > 0 {
            let min = (self.row_width - 1).max(3);
            if let Some((open, at)) = row_in_quotes(&self.buf[start..self.pos], self.delimiter, min)
            {
                return self.unclosed(row, start, open, Why::TakesRows(at));
            }
        }
        self.line += breaks;
        self.prev_cr = self.pos > start && self.buf[self.pos - 1] == b'\r';
        if too_wide || self.record.len > MAX_COLUMNS {
            let reason = format!(
                "the row has more than {MAX_COLUMNS} cells (the most tier reads, as Excel)"
            );
            return Event::Broken {
                row,
                field: None,
                short: reason.clone(),
                reason,
            };
        }
        Event::Record(row)
    }

    /// The record being read holds [`MAX_RECORD_BYTES`] and has not ended.
    fn too_long(&mut self) -> Event {
        let start = self.content_start();
        let row = self.line;
        if let Some(open) = open_quote(&self.buf[start..self.end], self.delimiter) {
            return self.unclosed(row, start, open, Why::TooLong);
        }
        self.stopped = true;
        let breaks = count_breaks(&self.buf[start..self.end], false);
        let reason = if breaks == 0 {
            format!(
                "line {row} is over {} long with no line break; reading stopped there \
                 (is this a text file?)",
                mib(MAX_RECORD_BYTES)
            )
        } else {
            format!(
                "the row starting at line {row} is over {} long; reading stopped there",
                mib(MAX_RECORD_BYTES)
            )
        };
        Event::Stop { row, reason }
    }

    /// A quote opened at `open` (in the record starting at `start`, on line `row`) is out of
    /// place: not closed by the end of the input, nor within [`MAX_RECORD_BYTES`], or closed
    /// only after taking in lines that look like rows. The row is rejected; the lines after the
    /// quote's line are read again as rows of their own.
    fn unclosed(&mut self, row: usize, start: usize, open: OpenQuote, why: Why) -> Event {
        let too_long = why == Why::TooLong;
        let end = self.pos;
        let quote = start + open.offset;
        let before = &self.buf[start..quote];
        let quote_line = row + count_breaks(before, false);
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\r' || b == b'\n')
            .map_or(0, |i| i + 1);
        let character = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        let at = format!("a quote opened at line {quote_line}, character {character}");
        let Some(j) = memchr::memchr2(b'\r', b'\n', &self.buf[quote + 1..end]) else {
            // The quote's line is the last one read.
            if too_long {
                self.stopped = true;
                return Event::Stop {
                    row,
                    reason: format!(
                        "{at} is not closed, and no line break follows it within {}; reading \
                         stopped there",
                        mib(MAX_RECORD_BYTES)
                    ),
                };
            }
            self.line = quote_line + 1;
            return Event::Broken {
                row,
                field: Some(open.field),
                reason: format!("{at} is never closed"),
                short: format!("{at} is never closed"),
            };
        };
        let line_end = quote + 1 + j;
        let resume = line_end + 1;
        let cr = self.buf[line_end] == b'\r';
        let rest = &self.buf[resume..end];
        let lines = count_breaks(rest, cr)
            + usize::from(rest.last().is_some_and(|&b| b != b'\r' && b != b'\n'));
        self.pos = resume;
        self.line = quote_line + 1;
        self.prev_cr = cr;
        self.core.reset();
        self.prime();
        let short = match why {
            Why::TooLong => format!("{at} is not closed within {}", mib(MAX_RECORD_BYTES)),
            Why::AtEnd => format!("{at} is never closed"),
            Why::TakesRows(offset) => {
                let line = row + count_breaks(&self.buf[start..start + offset], false);
                format!(
                    "{at} opens a cell that runs over the lines after it, and line {line} in it \
                     looks like a row (it has as many delimiters): the quote is out of place"
                )
            }
        };
        let reason = if too_long {
            format!("{short}; the lines after it are read again as rows of their own")
        } else if let Why::TakesRows(_) = why {
            let s = if lines == 1 {
                "that line is"
            } else {
                "they are"
            };
            format!("{short}; {s} read again as rows of their own")
        } else if lines == 0 {
            short.clone()
        } else if lines == 1 {
            format!(
                "{short}, so it took in the line after it; that line is read again as a row of \
                 its own"
            )
        } else {
            format!(
                "{short}, so it took in the {lines} lines after it; they are read again as rows \
                 of their own"
            )
        };
        Event::Broken {
            row,
            field: Some(open.field),
            reason,
            short,
        }
    }
}

/// `n` bytes in MiB, as the limits are written.
pub(crate) fn mib(n: usize) -> String {
    format!("{} MiB", n >> 20)
}

/// Counts line ends (CR, LF, CRLF each once) in `bytes`; `prev_cr`: the byte before was CR.
fn count_breaks(bytes: &[u8], prev_cr: bool) -> usize {
    memchr::memchr2_iter(b'\r', b'\n', bytes)
        .filter(|&i| {
            bytes[i] == b'\r'
                || match i {
                    0 => !prev_cr,
                    _ => bytes[i - 1] != b'\r',
                }
        })
        .count()
}

/// Finds a quoted cell (in one record's raw bytes, from its first cell) with a line inside it
/// that has at least `min` delimiters before the cell closes: rows taken in by a quote out of
/// place. Returns the quote and where that line starts.
fn row_in_quotes(bytes: &[u8], delimiter: u8, min: usize) -> Option<(OpenQuote, usize)> {
    let many = |line: usize| quoted_delimiters(&bytes[line..], delimiter) >= min;
    match walk_quotes(bytes, delimiter, many) {
        QuoteWalk::Stopped(open, line) => Some((open, line)),
        _ => None,
    }
}

/// Delimiters on the line `bytes` starts with, inside a quoted cell: up to the line's end or the
/// quote closing the cell, whichever comes first (`""` is a quote inside the cell).
fn quoted_delimiters(bytes: &[u8], delimiter: u8) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes.get(i + 1) == Some(&b'"') => i += 1,
            b'"' | b'\r' | b'\n' => break,
            b if b == delimiter => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

/// Follows csv_core's quoting over one record's raw bytes (from its first cell): a quote opens
/// a cell only at the cell's start; inside, `""` is a quote and a lone `"` closes the cell.
/// Returns the quote still open at the end, if one is.
fn open_quote(bytes: &[u8], delimiter: u8) -> Option<OpenQuote> {
    match walk_quotes(bytes, delimiter, |_| false) {
        QuoteWalk::Open(open) => Some(open),
        _ => None,
    }
}

/// Where [`walk_quotes`] ended.
enum QuoteWalk {
    /// The record ended (or the bytes did) with no quote open.
    Closed,
    /// The bytes ended inside this quoted cell.
    Open(OpenQuote),
    /// `stop` held for the line starting at this offset, inside this quoted cell.
    Stopped(OpenQuote, usize),
}

/// The one walk over csv_core's quoting that [`open_quote`] and [`row_in_quotes`] share: a
/// quote opens a cell only at the cell's start; inside, `""` is a quote and a lone `"` closes
/// it. At each line break inside a quoted cell (a CRLF counts once), `stop` is asked about the
/// line that follows; an unquoted line break ends the record.
fn walk_quotes(bytes: &[u8], delimiter: u8, mut stop: impl FnMut(usize) -> bool) -> QuoteWalk {
    #[derive(PartialEq)]
    enum State {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::Start;
    let mut field = 0;
    let mut offset = 0;
    for (i, &b) in bytes.iter().enumerate() {
        state = match state {
            State::Start if b == b'"' => {
                offset = i;
                State::Quoted
            }
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted if b == b'\n' || b == b'\r' => {
                // The LF of a CRLF comes next and is looked at then.
                let crlf = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
                if !crlf && stop(i + 1) {
                    return QuoteWalk::Stopped(OpenQuote { offset, field }, i + 1);
                }
                State::Quoted
            }
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            _ if b == delimiter => {
                field += 1;
                State::Start
            }
            // The record ended: nothing is open.
            _ if b == b'\r' || b == b'\n' => return QuoteWalk::Closed,
            _ => State::Unquoted,
        };
    }
    if state == State::Quoted {
        QuoteWalk::Open(OpenQuote { offset, field })
    } else {
        QuoteWalk::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<String> {
        let mut r = Records::new(Box::new(std::io::Cursor::new(bytes.to_vec())), b',');
        r.count_blank = true;
        let mut out = Vec::new();
        loop {
            match r.next() {
                Event::Record(row) => {
                    let cells: Vec<String> = r
                        .record
                        .iter()
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    out.push(format!("{row}:{}", cells.join("|")));
                }
                Event::Broken { row, field, .. } => out.push(format!("{row}:broken {field:?}")),
                Event::Stop { row, .. } => out.push(format!("{row}:stop")),
                Event::End => break,
            }
        }
        for row in r.skipped.rows() {
            out.push(format!("{row}:blank"));
        }
        out
    }

    #[test]
    fn line_ends_and_blank_lines() {
        assert_eq!(read(b"a\rb\r\nc\nd"), ["1:a", "2:b", "3:c", "4:d"]);
        assert_eq!(
            read(b"a\n\n\r\n\r\rb\r\n\r\n"),
            ["1:a", "6:b", "2:blank", "3:blank", "4:blank", "5:blank", "7:blank"]
        );
        assert_eq!(read(b"\"x\r\ny\",1\r\nz"), ["1:x\r\ny|1", "3:z"]);
        assert_eq!(read(b""), Vec::<String>::new());
    }

    #[test]
    fn an_open_quote_is_found_and_the_lines_after_it_read_again() {
        assert_eq!(read(b"a,\"b\nc,d\ne"), ["1:broken Some(1)", "2:c|d", "3:e"]);
        assert_eq!(read(b"a,\"b\"\"\n"), ["1:broken Some(1)"]);
        assert_eq!(read(b"a,\"b\"c\"\n"), ["1:a|bc\""]);
        // The CR of a CRLF ends the quote's line; the LF is no empty line.
        assert_eq!(read(b"\"x\r\ny\r\n"), ["1:broken Some(0)", "2:y"]);
    }

    #[test]
    fn a_quoted_cell_holding_a_row_is_found() {
        let find = |s: &str| row_in_quotes(s.as_bytes(), b',', 3).map(|(o, at)| (o.offset, at));
        assert_eq!(find("1,\"a\n2,3,4,5\n\""), Some((2, 5)));
        assert_eq!(find("1,\"a\r\n2,3,4,5\""), Some((2, 6)));
        // Delimiters after the closing quote are the record's own, not the cell's.
        assert_eq!(find("1,\"a\nb\",3,4,5"), None);
        assert_eq!(find("1,\"a\nb, c\",3"), None);
        assert_eq!(find("1,\"a\nb\"\",,,\""), Some((2, 5)));
    }

    #[test]
    fn quote_scan_follows_csv_core() {
        let open = |s: &str| open_quote(s.as_bytes(), b',').map(|o| (o.offset, o.field));
        assert_eq!(open("a,\"b"), Some((2, 1)));
        assert_eq!(open("a,b\"c"), None);
        assert_eq!(open("\"a\"\"b"), Some((0, 0)));
        assert_eq!(open("\"a\"b,\"c"), Some((5, 1)));
        assert_eq!(open("\"a\""), None);
    }
}
