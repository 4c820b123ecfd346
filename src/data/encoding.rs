//! Text encodings of customer files: UTF-8 (with or without BOM), GBK/GB18030 (what Chinese
//! Excel and most CRMs export), UTF-16 (Excel's "Unicode text"), or any label encoding_rs knows.

use super::io_error;
use crate::diagnostic::{Code, Diagnostic};
use encoding_rs::Encoding;
use std::io::{Read, Seek, SeekFrom};

/// How many bytes are read up front to sniff the format, encoding and delimiter.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Looks up an encoding by label: the WHATWG labels (`utf-8`, `gbk`, `gb18030`, `gb2312`, `big5`,
/// `utf-16le`, `shift_jis`, ...) plus the names Windows and Python use (`cp936`, `utf-8-sig`,
/// `utf8bom`).
pub(crate) fn lookup(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "cp936" | "ms936" | "windows-936" => Some(encoding_rs::GBK),
        "utf-8-sig" | "utf8-sig" | "utf8bom" | "utf-8-bom" | "utf8" => Some(encoding_rs::UTF_8),
        "cp950" => Some(encoding_rs::BIG5),
        _ => Encoding::for_label(l.as_bytes()),
    }
}

/// How the text of a file is to be decoded.
pub(crate) enum Decoded {
    /// UTF-8: stream the bytes as they are (the BOM, if any, already skipped).
    Utf8Stream(Box<dyn Read>),
    /// Anything else: UTF-8 bytes decoded on the fly; malformed input is U+FFFD.
    Transcoded(Box<dyn Read>),
}

/// How a file's encoding was chosen; messages about text that does not decode say which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chosen {
    /// `--encoding`.
    Given,
    /// The file starts with a byte-order mark.
    Bom,
    /// Detected from the bytes.
    Detected,
}

impl Chosen {
    /// Says how `encoding` was chosen, for a message: `the encoding detected for this file`.
    pub fn describe(self, encoding: &str) -> String {
        match self {
            Chosen::Given => format!("the encoding given with --encoding {encoding}"),
            Chosen::Bom => "the encoding its byte-order mark names".to_string(),
            Chosen::Detected => "the encoding detected for this file".to_string(),
        }
    }

    /// Why a row's bytes do not decode, and what to do: names the encoding used, how it was
    /// chosen, and `--encoding`.
    pub fn invalid_row(self, encoding: &str) -> String {
        let how = self.describe(encoding);
        let utf8 = encoding.eq_ignore_ascii_case("utf-8");
        let advice = match (self, utf8) {
            (Chosen::Given, _) => "pass the file's own encoding with --encoding".to_string(),
            (_, true) => "if the file mixes in GBK rows, convert it to one encoding, or pass \
                          --encoding gbk to read it as GBK"
                .to_string(),
            (_, false) => "if the file mixes encodings (rows saved as UTF-8), convert it to one \
                           encoding, or pass --encoding utf-8 to read it as UTF-8"
                .to_string(),
        };
        format!("the row's bytes are not valid {encoding} text ({how}); {advice}")
    }
}

/// The result of detection: the text stream, the encoding's display name, how it was chosen
/// and the first bytes of the UTF-8 text (for delimiter sniffing).
pub(crate) struct TextInput {
    pub decoded: Decoded,
    pub encoding: &'static str,
    pub chosen: Chosen,
    pub prefix: Vec<u8>,
}

/// The input of a reader: a file (which can be read twice) or a one-pass stream (stdin).
pub(crate) enum Input {
    File(std::fs::File),
    Stream(Box<dyn Read>),
}

impl Input {
    /// Reads everything (for formats that are not streamed), at most
    /// [`MAX_JSON_BYTES`](super::MAX_JSON_BYTES).
    pub fn read_all(self, name: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut bytes = Vec::new();
        let reader: Box<dyn Read> = match self {
            Input::File(f) => Box::new(f),
            Input::Stream(s) => s,
        };
        super::bounded(reader, super::InputFormat::Json)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(name, &e))?;
        Ok(bytes)
    }

    /// Reads the first [`SNIFF_LEN`] bytes, keeping them in the input.
    pub fn peek(self, name: &str) -> Result<(Input, Vec<u8>), Diagnostic> {
        let (input, prefix) = read_prefix(self, name)?;
        Ok(match input {
            Input::File(mut f) => {
                f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
                (Input::File(f), prefix)
            }
            Input::Stream(s) => (
                Input::Stream(Box::new(std::io::Cursor::new(prefix.clone()).chain(s))),
                prefix,
            ),
        })
    }
}

/// Detects the encoding (unless `label` is given) and returns the text. Order: a BOM (UTF-8,
/// UTF-16LE/BE); then UTF-8 if the bytes are valid UTF-8 (a file is checked in full, in a
/// streaming pass; stdin only in its first 64 KiB; see [`Utf8Scan::is_utf8`] for damaged
/// UTF-8); else GB18030, which decodes GBK and GB2312. Every encoding streams: memory stays
/// bounded whatever the file's size.
pub(crate) fn detect(
    input: Input,
    name: &str,
    label: Option<&str>,
    label_detected: bool,
) -> Result<TextInput, Diagnostic> {
    let forced = label.and_then(lookup);
    let (mut input, prefix) = read_prefix(input, name)?;
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Diagnostic::error(
            Code::DataRead,
            format!("{name} looks like a spreadsheet, not a text file"),
        )
        .with_help("give it an .xlsx/.xls extension, or pass --format xlsx"));
    }
    let bom: Option<(&'static Encoding, usize)> = Encoding::for_bom(&prefix);
    let (encoding, chosen) = match (forced, bom) {
        (Some(e), _) if label_detected => (e, Chosen::Detected),
        (Some(e), _) => (e, Chosen::Given),
        (None, Some((e, _))) => (e, Chosen::Bom),
        (None, None) if utf16_without_bom(&prefix).is_some() => (
            utf16_without_bom(&prefix).unwrap_or(encoding_rs::UTF_16LE),
            Chosen::Detected,
        ),
        (None, None) => {
            let utf8 = match &mut input {
                Input::File(f) => scan_file(f, name)?.is_utf8(),
                Input::Stream(_) => scan_prefix(&prefix).is_utf8(),
            };
            if utf8 {
                (encoding_rs::UTF_8, Chosen::Detected)
            } else {
                check_not_mixed(&prefix, name)?;
                (encoding_rs::GB18030, Chosen::Detected)
            }
        }
    };
    // The BOM is skipped whatever the encoding, if it matches.
    let skip = match bom {
        Some((e, n)) if e == encoding => n,
        _ => 0,
    };
    let body = prefix[skip..].to_vec();
    let stream: Box<dyn Read> = match input {
        Input::File(mut f) => {
            f.seek(SeekFrom::Start(skip as u64))
                .map_err(|e| io_error(name, &e))?;
            Box::new(f)
        }
        Input::Stream(s) => Box::new(std::io::Cursor::new(body.clone()).chain(s)),
    };
    if encoding == encoding_rs::UTF_8 {
        return Ok(TextInput {
            decoded: Decoded::Utf8Stream(stream),
            encoding: "UTF-8",
            chosen,
            prefix: body,
        });
    }
    // Anything else is decoded as it streams; only the prefix is decoded here, for sniffing.
    let (sniff, _) = encoding.decode_without_bom_handling(&body);
    Ok(TextInput {
        decoded: Decoded::Transcoded(Box::new(DecodeReader::new(stream, encoding))),
        encoding: encoding.name(),
        chosen,
        prefix: sniff.into_owned().into_bytes(),
    })
}

/// A file detected as GB18030 whose first line is UTF-8 text (a script wrote the header, the
/// rows came from a GBK export) would be read with a garbled header and fail for missing
/// columns. Said plainly instead. Three valid multi-byte characters and no broken one: a GBK
/// line is that by chance too rarely to matter.
fn check_not_mixed(prefix: &[u8], name: &str) -> Result<(), Diagnostic> {
    let first = prefix
        .split(|&b| b == b'\n' || b == b'\r')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or(&[]);
    let scan = scan_prefix(first);
    if scan.invalid == 0 && scan.multibyte >= 3 && first.len() < prefix.len() {
        return Err(Diagnostic::error(
            Code::DataRead,
            format!(
                "{name} mixes two encodings: its first line is UTF-8 text, but the lines after it \
                 are not valid UTF-8 (detected as {}, as GBK exports are)",
                encoding_rs::GB18030.name()
            ),
        )
        .with_help(
            "save the file again in one encoding (Excel: CSV UTF-8), or choose one with \
             --encoding utf-8 (rows that are not UTF-8 are then rejected, each saying so) or \
             --encoding gbk",
        ));
    }
    Ok(())
}

/// A `Read` of UTF-8 bytes over a stream in another encoding (encoding_rs has no such adapter
/// without an extra dependency). Malformed input becomes U+FFFD, which the CSV reader turns into
/// a rejected row, so one bad byte costs one row, not the file.
pub(crate) struct DecodeReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    input_done: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

impl<R: Read> DecodeReader<R> {
    pub(crate) fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodeReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 1 << 16],
            in_start: 0,
            in_end: 0,
            input_done: false,
            // Room for any 64 KiB of input (at most 3 bytes of UTF-8 per input byte).
            output: vec![0; 3 << 16],
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.input_done {
                let n = match self.inner.read(&mut self.input) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                self.in_start = 0;
                self.in_end = n;
                self.input_done = n == 0;
            }
            let last = self.input_done && self.in_start == self.in_end;
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                last,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

/// Reads the first [`SNIFF_LEN`] bytes. A file is rewound before it is read for real; for a
/// stream they are chained back in front.
fn read_prefix(input: Input, name: &str) -> Result<(Input, Vec<u8>), Diagnostic> {
    let mut prefix = Vec::new();
    match input {
        Input::File(mut f) => {
            (&mut f)
                .take(SNIFF_LEN as u64)
                .read_to_end(&mut prefix)
                .map_err(|e| io_error(name, &e))?;
            Ok((Input::File(f), prefix))
        }
        Input::Stream(mut s) => {
            (&mut s)
                .take(SNIFF_LEN as u64)
                .read_to_end(&mut prefix)
                .map_err(|e| io_error(name, &e))?;
            Ok((Input::Stream(s), prefix))
        }
    }
}

/// UTF-16 without a BOM: delimiters, digits and line ends are ASCII, whose UTF-16 units have a
/// NUL byte, at odd offsets for little-endian, even for big-endian. No CSV in a byte encoding
/// has NULs, so one unit in ten carrying one, all on the same side, is UTF-16.
fn utf16_without_bom(prefix: &[u8]) -> Option<&'static Encoding> {
    let n = prefix.len() / 2 * 2;
    if n < 4 {
        return None;
    }
    let odd = prefix[..n]
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let even = prefix[..n].iter().step_by(2).filter(|&&b| b == 0).count();
    let half = n / 2;
    // A few NULs on the other side are CJK characters such as 一 (U+4E00).
    if odd * 10 >= half && even * 10 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= half && odd * 10 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Counts of a UTF-8 validity scan.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf8Scan {
    /// Valid multi-byte characters (Chinese text in UTF-8).
    pub multibyte: usize,
    /// Invalid byte sequences.
    pub invalid: usize,
}

impl Utf8Scan {
    /// Whether the bytes are to be read as UTF-8: valid, or so overwhelmingly UTF-8 that the
    /// invalid bytes are damage (a cell cut mid-character), not another encoding. GBK text almost
    /// never forms valid multi-byte UTF-8, so ten valid characters per invalid sequence is a
    /// safe margin. The damaged rows are then rejected one by one instead of the whole file
    /// being misread as GBK.
    pub fn is_utf8(&self) -> bool {
        self.invalid == 0 || self.multibyte >= 10 * self.invalid
    }

    /// Scans a complete buffer; returns how many bytes at its end are an incomplete character.
    fn scan(&mut self, mut bytes: &[u8]) -> usize {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(valid) => {
                    self.multibyte += count_multibyte(valid.as_bytes());
                    return 0;
                }
                Err(e) => {
                    let (valid, rest) = bytes.split_at(e.valid_up_to());
                    self.multibyte += count_multibyte(valid);
                    match e.error_len() {
                        None => return rest.len(),
                        Some(n) => {
                            self.invalid += 1;
                            bytes = &rest[n..];
                        }
                    }
                }
            }
        }
    }
}

fn count_multibyte(valid: &[u8]) -> usize {
    valid.iter().filter(|&&b| b >= 0xC0).count()
}

/// Scans a prefix, allowing a character cut off at its end.
fn scan_prefix(prefix: &[u8]) -> Utf8Scan {
    let mut scan = Utf8Scan::default();
    scan.scan(prefix);
    scan
}

/// Scans the whole file in 1 MiB chunks; the file is rewound.
fn scan_file(f: &mut std::fs::File, name: &str) -> Result<Utf8Scan, Diagnostic> {
    f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut scan = Utf8Scan::default();
    // Bytes of a character split across two chunks, carried to the next.
    let mut carry = 0usize;
    loop {
        let n = match f.read(&mut buf[carry..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(name, &e)),
        };
        let len = carry + n;
        if n == 0 {
            if carry > 0 {
                scan.invalid += 1;
            }
            break;
        }
        let tail = scan.scan(&buf[..len]);
        buf.copy_within(len - tail..len, 0);
        carry = tail;
    }
    f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
    Ok(scan)
}

/// Strips a UTF-8 BOM from bytes (JSON readers accept one).
pub(crate) fn strip_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_scan_tells_damage_from_gbk() {
        assert!(scan_prefix("客户名称,销售额".as_bytes()).is_utf8());
        let (gbk, _, _) = encoding_rs::GBK.encode("客户名称,销售额\n华东贸易,12");
        assert!(!scan_prefix(&gbk).is_utf8());
        // Forty valid characters and one cut in half: damaged UTF-8, not GBK.
        let mut damaged = "华东贸易有限公司".repeat(5).into_bytes();
        damaged.extend_from_slice(&"公".as_bytes()[..2]);
        damaged.extend_from_slice(b",12\n");
        let scan = scan_prefix(&damaged);
        assert_eq!(scan.invalid, 1);
        assert!(scan.is_utf8());
        // UTF-16 without a BOM.
        let le: Vec<u8> = "客户,amount,rate\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&le), Some(encoding_rs::UTF_16LE));
        let be: Vec<u8> = "客户,amount,rate\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_without_bom(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_without_bom(b"a,b,c\n1,2,3\n"), None);
        // A cut character at the very end of a prefix is not damage.
        assert_eq!(scan_prefix(&"华东".as_bytes()[..5]).invalid, 0);
    }
}
