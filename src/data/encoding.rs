//! Text encodings of customer files: UTF-8 (with or without BOM), GBK/GB18030 (what Chinese
//! Excel and most CRMs export), UTF-16 (Excel's "Unicode text"), or any label encoding_rs knows.

use super::{io_error, READ_CODE};
use crate::diagnostic::Diagnostic;
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
    /// Anything else: decoded up front into UTF-8 bytes.
    Text(Vec<u8>),
}

/// The result of detection: the text stream, the encoding's display name and the first bytes
/// of the UTF-8 text (for delimiter sniffing).
pub(crate) struct TextInput {
    pub decoded: Decoded,
    pub encoding: &'static str,
    pub prefix: Vec<u8>,
}

/// The input of a reader: a file (which can be read twice) or a one-pass stream (stdin).
pub(crate) enum Input {
    File(std::fs::File),
    Stream(Box<dyn Read>),
}

impl Input {
    /// Reads everything (for formats and encodings that are not streamed).
    pub fn read_all(self, name: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut bytes = Vec::new();
        match self {
            Input::File(mut f) => f.read_to_end(&mut bytes),
            Input::Stream(mut s) => s.read_to_end(&mut bytes),
        }
        .map_err(|e| io_error(name, &e))?;
        Ok(bytes)
    }
}

/// Detects the encoding (unless `label` is given) and returns the text. Order: a BOM (UTF-8,
/// UTF-16LE/BE); then UTF-8 if the bytes are valid UTF-8 (a file is checked in full, in a
/// streaming pass; stdin only in its first 64 KiB); else GB18030, which decodes GBK and GB2312.
pub(crate) fn detect(
    input: Input,
    name: &str,
    label: Option<&str>,
) -> Result<TextInput, Diagnostic> {
    let forced = label.and_then(lookup);
    let (mut input, prefix) = read_prefix(input, name)?;
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Diagnostic::error(
            READ_CODE,
            format!("{name} looks like a spreadsheet, not a text file"),
        )
        .with_help("give it an .xlsx/.xls extension, or pass --format xlsx"));
    }
    let bom: Option<(&'static Encoding, usize)> = Encoding::for_bom(&prefix);
    let encoding = match (forced, bom) {
        (Some(e), _) => e,
        (None, Some((e, _))) => e,
        (None, None) => {
            let utf8 = match &mut input {
                Input::File(f) => utf8_file(f, name)?,
                Input::Stream(_) => prefix_is_utf8(&prefix),
            };
            if utf8 {
                encoding_rs::UTF_8
            } else {
                encoding_rs::GB18030
            }
        }
    };
    // The BOM is skipped whatever the encoding, if it matches.
    let skip = match bom {
        Some((e, n)) if e == encoding => n,
        _ => 0,
    };
    if encoding == encoding_rs::UTF_8 {
        let body = prefix[skip..].to_vec();
        let stream: Box<dyn Read> = match input {
            Input::File(mut f) => {
                f.seek(SeekFrom::Start(skip as u64))
                    .map_err(|e| io_error(name, &e))?;
                Box::new(f)
            }
            Input::Stream(s) => Box::new(std::io::Cursor::new(body.clone()).chain(s)),
        };
        return Ok(TextInput {
            decoded: Decoded::Utf8Stream(stream),
            encoding: "UTF-8",
            prefix: body,
        });
    }
    // Not UTF-8: decode it whole (encoding_rs has no streaming `Read` adapter without extra
    // dependencies). The whole file is then in memory, once as bytes and once as text.
    let all = match input {
        Input::File(mut f) => {
            f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
            Input::File(f).read_all(name)?
        }
        Input::Stream(s) => {
            let mut all = prefix;
            Input::Stream(s).read_all(name).map(|rest| {
                all.extend_from_slice(&rest);
                all
            })?
        }
    };
    let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(&all[skip..])
    else {
        return Err(Diagnostic::error(
            READ_CODE,
            format!(
                "{name} is not valid {} text",
                if forced.is_some() {
                    encoding.name()
                } else {
                    "UTF-8 or GBK/GB18030"
                }
            ),
        )
        .with_help("pass the file's encoding with --encoding (e.g. gbk, big5, utf-16le)"));
    };
    let bytes = text.into_owned().into_bytes();
    let prefix = bytes[..bytes.len().min(SNIFF_LEN)].to_vec();
    Ok(TextInput {
        decoded: Decoded::Text(bytes),
        encoding: encoding.name(),
        prefix,
    })
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

/// Whether the prefix is valid UTF-8, allowing a character cut off at its end.
fn prefix_is_utf8(prefix: &[u8]) -> bool {
    match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// Whether the whole file is valid UTF-8, checked in 1 MiB chunks; the file is rewound.
fn utf8_file(f: &mut std::fs::File, name: &str) -> Result<bool, Diagnostic> {
    f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a character split across two chunks, carried to the next.
    let mut carry = 0usize;
    let result = loop {
        let n = match f.read(&mut buf[carry..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(name, &e)),
        };
        let len = carry + n;
        match std::str::from_utf8(&buf[..len]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..len, 0);
                carry = len - valid;
            }
            Err(_) => break false,
        }
        if n == 0 {
            break carry == 0;
        }
    };
    f.seek(SeekFrom::Start(0)).map_err(|e| io_error(name, &e))?;
    Ok(result)
}

/// Strips a UTF-8 BOM from bytes (JSON readers accept one).
pub(crate) fn strip_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}
