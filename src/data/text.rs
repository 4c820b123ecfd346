//! Text normalisation shared by the cell parsers: full-width forms and spaces.

use std::borrow::Cow;

/// Maps full-width ASCII forms (`１２．５％`, `Ａ`, `，`) to their ASCII counterparts, the
/// ideographic space to a space, and `￥` to `¥`. Borrows when there is nothing to change, which
/// is the common case, so parsing ASCII cells allocates nothing.
pub fn normalize_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(needs_mapping) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(map_char).collect())
}

fn needs_mapping(c: char) -> bool {
    map_char(c) != c
}

fn map_char(c: char) -> char {
    match c {
        // U+FF01..U+FF5E mirror U+0021..U+007E.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{FFE5}' => '¥',
        // Non-breaking and thin spaces that Excel and web exports leave around numbers.
        '\u{00A0}' | '\u{2009}' | '\u{202F}' => ' ',
        _ => c,
    }
}

/// Trims ASCII and Unicode whitespace, including the ideographic space.
pub(crate) fn trim(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim, and no need to
    // decode characters to find out.
    let visible = |b: Option<&u8>| b.is_some_and(|b| (b'!'..=b'~').contains(b));
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_is_mapped() {
        assert_eq!(normalize_width("１２．５％"), "12.5%");
        assert_eq!(normalize_width("１，２３４"), "1,234");
        assert_eq!(normalize_width("￥３５００"), "¥3500");
        assert_eq!(normalize_width("ＯＥＭ"), "OEM");
        assert!(matches!(normalize_width("销售额"), Cow::Borrowed(_)));
    }
}
