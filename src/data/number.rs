//! Numbers as users write them in cells: `1,234.5`, `¥3,500`, `12.5万`, `1.2亿元`, `92%`,
//! `3万㎡`, `500吨`, `-3`, `1.5e3`. Parsed exactly (rust_decimal), never through a float.

use rust_decimal::Decimal;
use std::str::FromStr;

/// The unit a cell wrote after its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    None,
    /// `%`
    Percent,
    /// `元`
    Yuan,
    /// `吨`
    Ton,
    /// `㎡`, `平方米`, `平米`, `m²`, `m2`
    SquareMetre,
}

/// A number cell taken apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumText {
    /// The number with its scale word applied (`12.5万` → 125000), before `%` (`92%` → 92).
    pub value: Decimal,
    /// Whether a scale word (`千` `万` `亿`, `k`, `w`) was written.
    pub scaled: bool,
    pub suffix: Suffix,
    /// Whether a currency sign (`¥`, `￥`) was written.
    pub currency: bool,
}

/// Why a text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumError {
    NotANumber,
    TooLarge,
}

const UNIT_SUFFIXES: &[(&str, Suffix)] = &[
    ("元", Suffix::Yuan),
    ("吨", Suffix::Ton),
    ("㎡", Suffix::SquareMetre),
    ("平方米", Suffix::SquareMetre),
    ("平米", Suffix::SquareMetre),
    ("m²", Suffix::SquareMetre),
    ("m2", Suffix::SquareMetre),
    ("%", Suffix::Percent),
];

/// Scale words; `w`/`W` (万) and `k`/`K` (千) are how people type them in a hurry.
const SCALE_WORDS: &[(&str, i64)] = &[
    ("亿", 100_000_000),
    ("万", 10_000),
    ("千", 1_000),
    ("w", 10_000),
    ("W", 10_000),
    ("k", 1_000),
    ("K", 1_000),
];

/// Parses a cell's text, already width-normalised and trimmed.
pub(crate) fn parse(s: &str) -> Result<NumText, NumError> {
    let mut rest = s;
    let mut negative = false;
    let mut currency = false;
    // Accounting negatives: `(1,234.00)`.
    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        if !inner.trim_start().starts_with(['-', '+']) {
            negative = true;
            rest = inner;
        }
    }
    // Sign and currency sign, in either order: `-¥3,500`, `¥-3,500`.
    for _ in 0..2 {
        rest = rest.trim_start();
        if !negative {
            if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_prefix('−')) {
                negative = true;
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix('+') {
                rest = r;
                continue;
            }
        }
        if !currency {
            if let Some(r) = rest.strip_prefix('¥') {
                currency = true;
                rest = r;
                continue;
            }
        }
    }
    rest = rest.trim();

    let mut suffix = Suffix::None;
    for (word, s) in UNIT_SUFFIXES {
        if let Some(r) = rest.strip_suffix(word) {
            suffix = *s;
            rest = r.trim_end();
            break;
        }
    }
    let mut scale = None;
    if suffix != Suffix::Percent {
        for (word, factor) in SCALE_WORDS {
            if let Some(r) = rest.strip_suffix(word) {
                scale = Some(Decimal::from(*factor));
                rest = r.trim_end();
                break;
            }
        }
    }
    let mut value = parse_plain(rest)?;
    if let Some(f) = scale {
        value = value.checked_mul(f).ok_or(NumError::TooLarge)?;
    }
    if negative {
        value = -value;
    }
    Ok(NumText {
        value,
        scaled: scale.is_some(),
        suffix,
        currency,
    })
}

/// The common cell, read without [`parse`]'s search for signs, units and scale words: an
/// optional `-` or `+`, ASCII digits with at most one `.`, an optional `%` right after them, and
/// nothing else (no spaces, separators, words or full-width forms), at most 18 digits. The
/// result is exactly [`parse`]'s, built the same way (the same mantissa and scale, negated the
/// same way, so `-0` is the same decimal); `None` for any other text, which [`parse`] then reads.
pub(crate) fn parse_simple(s: &[u8]) -> Option<NumText> {
    let (negative, body) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let (body, suffix) = match body {
        [rest @ .., b'%'] => (rest, Suffix::Percent),
        _ => (body, Suffix::None),
    };
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    let mut scale = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if digits > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
            }
            b'.' if scale.is_none() => scale = Some(body.len() - i - 1),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let mut value = Decimal::new(mantissa, scale.unwrap_or(0) as u32);
    if negative {
        value = -value;
    }
    Some(NumText {
        value,
        scaled: false,
        suffix,
        currency: false,
    })
}

/// A plain decimal: digits, optional thousands separators in groups of three, an optional
/// fraction, an optional exponent (`1.5e3`, as JSON writers print large floats).
pub(crate) fn parse_plain(s: &str) -> Result<Decimal, NumError> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return Err(NumError::NotANumber);
    }
    if let Some(f) = frac_part {
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumError::NotANumber);
        }
    }
    let digits: std::borrow::Cow<'_, str> = if int_part.contains(',') {
        // `1,234,567`: the first group has 1-3 digits, every other group exactly 3. A decimal
        // comma (`12,5`) is rejected rather than misread as 125.
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        let ok = (1..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(NumError::NotANumber);
        }
        let mut m = int_part.replace(',', "");
        if let Some(f) = frac_part {
            m.push('.');
            m.push_str(f);
        }
        m.into()
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumError::NotANumber);
        }
        mantissa.into()
    };
    let digits: &str = &digits;
    let mut value = match fast_decimal(digits) {
        Some(v) => v,
        None => {
            let padded = if digits.starts_with('.') {
                std::borrow::Cow::Owned(format!("0{digits}"))
            } else {
                std::borrow::Cow::Borrowed(digits)
            };
            match Decimal::from_str(&padded) {
                Ok(v) => v,
                Err(_) => {
                    return Err(if padded.len() > 20 {
                        NumError::TooLarge
                    } else {
                        NumError::NotANumber
                    })
                }
            }
        }
    };
    if let Some(exp) = exponent {
        let e: i64 = exp
            .strip_prefix('+')
            .unwrap_or(exp)
            .parse()
            .map_err(|_| NumError::NotANumber)?;
        if e.abs() > 28 {
            return Err(NumError::TooLarge);
        }
        let factor = Decimal::from_i128_with_scale(10i128.pow(e.unsigned_abs() as u32), 0);
        value = if e >= 0 {
            value.checked_mul(factor).ok_or(NumError::TooLarge)?
        } else {
            value.checked_div(factor).ok_or(NumError::TooLarge)?
        };
    }
    Ok(value)
}

/// Digits with at most one `.` and up to 18 digits in all: built directly from an integer
/// mantissa, which is exact and much cheaper than the general parser.
fn fast_decimal(s: &str) -> Option<Decimal> {
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    let mut scale = None;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if digits > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
            }
            b'.' if scale.is_none() => scale = Some(s.len() - i - 1),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Some(Decimal::new(mantissa, scale.unwrap_or(0) as u32))
}

/// The exact decimal of a float read from a spreadsheet, through its shortest round-trip text:
/// the cell Excel shows as `0.1` is 0.1, not 0.1000000000000000055511151231257827.
pub(crate) fn from_f64(f: f64) -> Result<Decimal, NumError> {
    if !f.is_finite() {
        return Err(NumError::NotANumber);
    }
    let text = format!("{}", f.abs());
    let magnitude = parse_plain(&text).map(|d| if f < 0.0 { -d } else { d });
    magnitude.or_else(|_| {
        // Beyond 28 digits (e.g. 1e30) the text form does not fit; the float form may still.
        Decimal::from_f64_retain(f).ok_or(NumError::TooLarge)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(parse_plain("1,234.5"), Ok(d("1234.5")));
        assert_eq!(parse_plain("1,234,567"), Ok(d("1234567")));
        assert_eq!(parse_plain(".5"), Ok(d("0.5")));
        assert_eq!(parse_plain("1.5e3"), Ok(d("1500")));
        assert_eq!(parse_plain("1e-2"), Ok(d("0.01")));
        assert_eq!(parse_plain("12,5"), Err(NumError::NotANumber));
        assert_eq!(parse_plain("1,23,456"), Err(NumError::NotANumber));
        assert_eq!(parse_plain("9x"), Err(NumError::NotANumber));
        assert_eq!(parse_plain(""), Err(NumError::NotANumber));
        assert_eq!(parse_plain("."), Err(NumError::NotANumber));
        assert_eq!(parse_plain("1e99"), Err(NumError::TooLarge));
        assert_eq!(parse_plain("0.50"), Ok(d("0.50")));
        assert_eq!(
            parse_plain("123456789012345678.5"),
            Ok(d("123456789012345678.5"))
        );
        assert_eq!(
            parse_plain("12345678901234567890123456789012"),
            Err(NumError::TooLarge)
        );
    }

    #[test]
    fn suffixes_and_signs() {
        let n = parse("12.5万元").unwrap();
        assert_eq!(
            (n.value, n.scaled, n.suffix),
            (d("125000"), true, Suffix::Yuan)
        );
        let n = parse("-¥3,500").unwrap();
        assert_eq!((n.value, n.currency), (d("-3500"), true));
        assert_eq!(parse("92 %").unwrap().value, d("92"));
        assert_eq!(parse("3万㎡").unwrap().value, d("30000"));
        assert_eq!(parse("50w").unwrap().value, d("500000"));
        assert_eq!(parse("12万%"), Err(NumError::NotANumber));
        assert_eq!(parse("(1,234.5)").unwrap().value, d("-1234.5"));
        assert_eq!(parse("(¥3,500)").unwrap().value, d("-3500"));
        assert_eq!(parse("(-3)"), Err(NumError::NotANumber));
    }

    /// Every string over the characters of plain numbers up to five long, and longer random
    /// ones: whatever the shortcut reads, [`parse`] reads the same, to the bit (`-0`, `0.50`).
    #[test]
    fn the_shortcut_agrees_with_the_parser() {
        let same = |s: &str| {
            if let Some(fast) = parse_simple(s.as_bytes()) {
                let full = parse(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"));
                assert_eq!(fast, full, "{s:?}");
                assert_eq!(fast.value.serialize(), full.value.serialize(), "{s:?}");
                true
            } else {
                false
            }
        };
        let alphabet = ["0", "5", "9", ".", "-", "+", "%", "e", ",", " "];
        let mut strings = vec![String::new()];
        let mut taken = 0;
        for _ in 0..5 {
            strings = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            taken += strings.iter().filter(|s| same(s)).count();
        }
        assert!(taken > 1_000, "{taken}");
        for s in [
            "-0",
            "+1",
            ".5",
            "5.",
            "-.5",
            "00012",
            "12.30%",
            "-12.30%",
            "123456789012345678",
            "-123456789012345678",
            "12345678901234567.8",
            "0.00000000000000001",
        ] {
            assert!(same(s), "{s}");
        }
        for s in [
            "1e3",
            " 12",
            "12 ",
            "１２",
            "1,234.5",
            "12万",
            "",
            "-",
            "N/A",
            "+-5",
            "-+5",
            "1234567890123456789",
            "0.0000000000000000001",
            "99999999999999999999999999999",
            "(5)",
            "¥5",
            "5%%",
        ] {
            assert!(!same(s), "{s}");
        }
    }

    #[test]
    fn floats_stay_as_shown() {
        assert_eq!(from_f64(0.1), Ok(d("0.1")));
        assert_eq!(from_f64(-0.1), Ok(d("-0.1")));
        assert_eq!(from_f64(-0.0), Ok(d("0")));
        assert_eq!(from_f64(45658.0), Ok(d("45658")));
        assert_eq!(from_f64(f64::NAN), Err(NumError::NotANumber));
    }
}
