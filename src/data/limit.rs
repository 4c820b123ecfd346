//! Bounds on input read before it is parsed: standard input spooled to a file, NDJSON from a
//! stream, a JSON document read whole. An endless stream (`/dev/zero`, `yes`) ends in an error
//! after at most [`MAX_RECORD_BYTES`] without a line break, or [`MAX_JSON_BYTES`] in all.

use super::{InputFormat, MAX_JSON_BYTES, MAX_RECORD_BYTES};
use crate::data::csv_records::mib;
use std::io::{Error, ErrorKind, Read};

/// A reader that fails once its input breaks a limit: a line longer than `max_line` (lines end
/// at `LF`, or also at `CR` for CSV), or more than `max_total` bytes in all.
pub struct Bounded<R> {
    inner: R,
    max_line: Option<usize>,
    max_total: Option<usize>,
    cr_ends_lines: bool,
    total: usize,
    /// Bytes since the last line end.
    line_len: usize,
    /// Lines ended so far.
    lines: usize,
}

/// Bounds `inner` as the reader of `format` would: CSV and NDJSON by line length, JSON and
/// spreadsheets (read whole) by total size. The error names the limit and the line.
pub fn bounded<R: Read>(inner: R, format: InputFormat) -> Bounded<R> {
    let lines = matches!(format, InputFormat::Csv | InputFormat::Ndjson);
    Bounded {
        inner,
        max_line: lines.then_some(MAX_RECORD_BYTES),
        max_total: (!lines).then_some(MAX_JSON_BYTES),
        cr_ends_lines: format == InputFormat::Csv,
        total: 0,
        line_len: 0,
        lines: 0,
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.total += n;
        if let Some(max) = self.max_total {
            if self.total > max {
                return Err(Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "the input is over {}, the most read whole (use NDJSON, one record per \
                         line, for more)",
                        mib(max)
                    ),
                ));
            }
        }
        if let Some(max) = self.max_line {
            let cr = if self.cr_ends_lines { b'\r' } else { b'\n' };
            match memchr::memrchr2(b'\n', cr, bytes) {
                Some(i) => {
                    // CR, LF and CRLF each end one line (only in the message's line number).
                    self.lines += memchr::memchr2_iter(b'\n', cr, bytes)
                        .filter(|&j| bytes[j] == b'\n' || bytes.get(j + 1) != Some(&b'\n'))
                        .count();
                    self.line_len = n - i - 1;
                }
                None => self.line_len += n,
            }
            if self.line_len > max {
                return Err(Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "line {} is over {} long with no line break (is this a text file?)",
                        self.lines + 1,
                        mib(max)
                    ),
                ));
            }
        }
        Ok(n)
    }
}
