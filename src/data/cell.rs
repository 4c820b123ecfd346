//! Typed parsing of one cell for one declared input field: the cell table of `docs/LANGUAGE.md`
//! ("Inputs") made executable.

use super::date::{excel_serial_to_date, parse_date_text, parse_iso_date};
use super::number::{self, NumError, NumText, Suffix};
use super::text::{normalize_width, trim};
use super::Cell;
use crate::ast::{ExprKind, InputField, InputRange, LitKind, Literal, Scale, TypeKind, UnOp};
use crate::value::{Label, Unit, Value};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// Cell texts that mean "no value", compared after trimming and ignoring case: `-`, `--`, `—`,
/// `——`, `N/A`, `#N/A`, `NA`, `NULL`, `None`, `nan`. CRM exports and Excel write these for
/// blanks; they count as an empty cell for every type, text included, except where the marker is
/// itself a declared enum variant or grade label (`NA` for North America).
pub const EMPTY_MARKERS: &[&str] = &[
    "-", "--", "—", "——", "n/a", "#n/a", "na", "null", "none", "nan",
];

/// How a field's cells are read; numeric kinds carry their column scale (×1, ×10⁴, ×10⁸).
#[derive(Debug, Clone)]
enum Kind {
    Number,
    Integer,
    Money(Decimal),
    Percent {
        fraction: bool,
    },
    Quantity {
        unit: Unit,
        scale: Decimal,
    },
    Date,
    Text,
    Bool,
    /// Lower-cased spellings (names and synonyms) → the label; plus the display list for errors.
    Labels {
        lookup: HashMap<String, Label>,
        allowed: Vec<String>,
        what: &'static str,
    },
}

/// Parses cells for one declared input field.
#[derive(Debug, Clone)]
pub struct CellParser {
    kind: Kind,
    optional: bool,
    /// The `default`, already a value (or why it could not become one).
    default: Option<Result<Value, String>>,
    range: Option<InputRange>,
}

impl CellParser {
    /// Builds the parser for `field`. `grade_labels` are the labels of the scale of a
    /// `grade(SCALE)` field, best first (ignored for other types; a grade field without them
    /// accepts nothing).
    pub fn new(field: &InputField, grade_labels: Option<&[Arc<str>]>) -> Self {
        let kind = match &field.ty.kind {
            TypeKind::Number => Kind::Number,
            TypeKind::Integer => Kind::Integer,
            TypeKind::Percent { fraction } => Kind::Percent {
                fraction: *fraction,
            },
            TypeKind::Money(scale) => Kind::Money(scale_factor(*scale)),
            TypeKind::Quantity { unit, scale } => Kind::Quantity {
                unit: *unit,
                scale: scale_factor(*scale),
            },
            TypeKind::Date => Kind::Date,
            TypeKind::Text => Kind::Text,
            TypeKind::Bool => Kind::Bool,
            TypeKind::Enum(variants) => {
                let mut lookup = HashMap::new();
                let mut allowed = Vec::new();
                for (i, v) in variants.iter().enumerate() {
                    let label = Label {
                        name: Arc::from(v.name.name.as_str()),
                        rank: i as u32,
                    };
                    let mut shown = v.name.name.clone();
                    if !v.synonyms.is_empty() {
                        let syn: Vec<&str> = v.synonyms.iter().map(|s| s.value.as_str()).collect();
                        shown.push_str(&format!(" ({})", syn.join(", ")));
                    }
                    allowed.push(shown);
                    // Synonyms first, so that a variant's own name wins over another's synonym.
                    for s in &v.synonyms {
                        lookup.insert(label_key(&s.value), label.clone());
                    }
                }
                for (i, v) in variants.iter().enumerate() {
                    let label = Label {
                        name: Arc::from(v.name.name.as_str()),
                        rank: i as u32,
                    };
                    lookup.insert(label_key(&v.name.name), label);
                }
                Kind::Labels {
                    lookup,
                    allowed,
                    what: "one of",
                }
            }
            TypeKind::Grade(_) => {
                let labels = grade_labels.unwrap_or(&[]);
                let lookup = labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let label = Label {
                            name: l.clone(),
                            rank: i as u32,
                        };
                        (label_key(l), label)
                    })
                    .collect();
                Kind::Labels {
                    lookup,
                    allowed: labels.iter().map(|l| l.to_string()).collect(),
                    what: "a grade of",
                }
            }
        };
        let mut parser = CellParser {
            kind,
            optional: field.optional,
            default: None,
            range: field.range.clone(),
        };
        parser.default = field
            .default
            .as_ref()
            .map(|e| parser.default_value(&e.kind));
        parser
    }

    /// Parses one cell. `Err` is the reason in words, for the rejects report, e.g.
    /// ``expected a percentage like 92% or 0.92, found `9x%` ``.
    pub fn parse(&self, cell: &Cell) -> Result<Value, String> {
        if let Some(value) = self.parse_common(cell) {
            let value = value?;
            self.check_range(&value, cell)?;
            return Ok(value);
        }
        self.parse_general(cell)
    }

    /// [`CellParser::parse`] without its shortcut for common cells.
    fn parse_general(&self, cell: &Cell) -> Result<Value, String> {
        if is_empty(cell) && !self.is_label(cell) {
            return match &self.default {
                Some(d) => d.clone(),
                None if self.optional => Ok(Value::Missing),
                None => Err("required value is empty".into()),
            };
        }
        let value = self.parse_present(cell)?;
        self.check_range(&value, cell)?;
        Ok(value)
    }

    /// The cells most files are made of, read without the general parsers: a plain number
    /// (`-12.30`, `92%`) in a numeric field, an ISO date (`2026-11-01`) in a date field. Such a
    /// cell holds a digit, so it is neither empty nor an empty marker, and it has no spaces or
    /// full-width forms, so trimming and width mapping leave it alone: the result is the one
    /// [`CellParser::parse_present`] gives (tested on many inputs). `None` for any other cell.
    fn parse_common(&self, cell: &Cell) -> Option<Result<Value, String>> {
        let Cell::Text(t) = cell else {
            return None;
        };
        match &self.kind {
            Kind::Number
            | Kind::Integer
            | Kind::Money(_)
            | Kind::Percent { .. }
            | Kind::Quantity { .. } => {
                let n = number::parse_simple(t.as_bytes())?;
                Some(self.number_value(n, cell))
            }
            Kind::Date => parse_iso_date(t.as_bytes()).map(|d| Ok(Value::Date(d))),
            _ => None,
        }
    }

    /// Whether the cell spells a label of this enum or grade field: an enum may have a variant
    /// `NA` (North America), which is then not an empty marker.
    fn is_label(&self, cell: &Cell) -> bool {
        match (&self.kind, cell) {
            (Kind::Labels { lookup, .. }, Cell::Text(t)) => lookup.contains_key(&label_key(t)),
            _ => false,
        }
    }

    /// Whether an empty cell is allowed (the field is optional or has a default).
    pub fn accepts_empty(&self) -> bool {
        self.optional || self.default.is_some()
    }

    fn parse_present(&self, cell: &Cell) -> Result<Value, String> {
        match &self.kind {
            Kind::Number | Kind::Integer | Kind::Money(_) | Kind::Percent { .. } => {
                self.parse_number(cell)
            }
            Kind::Quantity { .. } => self.parse_number(cell),
            Kind::Date => parse_date(cell).map(Value::Date),
            Kind::Text => Ok(Value::Text(Arc::from(trim(&cell_text(cell))))),
            Kind::Bool => parse_bool(cell).map(Value::Bool),
            Kind::Labels {
                lookup,
                allowed,
                what,
            } => {
                let text = cell_text(cell);
                let raw = trim(&text);
                // Most cells are spelled exactly as declared: try that before normalising.
                if let Some(l) = lookup.get(raw).or_else(|| lookup.get(&label_key(raw))) {
                    return Ok(Value::Label(l.clone()));
                }
                let mut msg = format!("expected {what} {}, found `{raw}`", allowed.join(", "));
                let names: Vec<&str> = allowed
                    .iter()
                    .map(|a| a.split(" (").next().unwrap_or(a))
                    .collect();
                if let Some(s) = crate::diagnostic::suggest(raw, names.iter().copied()) {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                }
                Err(msg)
            }
        }
    }

    fn parse_number(&self, cell: &Cell) -> Result<Value, String> {
        // The raw text is only built for an error message.
        let raw = || raw_number_text(cell);
        let n = match cell {
            Cell::Number(f) => NumText {
                value: number::from_f64(*f).map_err(|e| self.number_error(&raw(), e))?,
                scaled: false,
                suffix: Suffix::None,
                currency: false,
            },
            Cell::Text(t) => {
                let norm = normalize_width(trim(t));
                let s = trim(&norm);
                number::parse(s).map_err(|e| self.number_error(s, e))?
            }
            Cell::Bool(_) | Cell::Date(_) | Cell::Empty => {
                return Err(self.number_error(&raw(), NumError::NotANumber))
            }
        };
        self.number_value(n, cell)
    }

    /// A number taken apart, as this field's value: its unit and scale checked and applied.
    fn number_value(&self, n: NumText, cell: &Cell) -> Result<Value, String> {
        // The raw text is only built for an error message.
        let raw = || raw_number_text(cell);
        let wrong_unit = || self.number_error(&raw(), NumError::NotANumber);
        let value = match &self.kind {
            Kind::Number => match n.suffix {
                Suffix::None if !n.currency => Value::Number(n.value, Unit::Plain),
                Suffix::Percent if !n.currency => Value::Number(percent(n.value), Unit::Plain),
                _ => return Err(wrong_unit()),
            },
            Kind::Integer => {
                if n.suffix != Suffix::None || n.currency {
                    return Err(wrong_unit());
                }
                if !n.value.fract().is_zero() {
                    return Err(format!("expected a whole number, found `{}`", raw()));
                }
                Value::Number(n.value.normalize(), Unit::Plain)
            }
            Kind::Money(scale) => {
                let v = match n.suffix {
                    // The cell's own scale word or 元 wins over the column's scale.
                    Suffix::Yuan => n.value,
                    Suffix::None if n.scaled => n.value,
                    Suffix::None => n.value.checked_mul(*scale).ok_or_else(too_large)?,
                    _ => return Err(wrong_unit()),
                };
                Value::Number(v, Unit::Money)
            }
            Kind::Percent { fraction } => {
                if n.currency || n.scaled {
                    return Err(wrong_unit());
                }
                let v = match n.suffix {
                    Suffix::Percent => percent(n.value),
                    Suffix::None if *fraction => n.value,
                    Suffix::None => percent(n.value),
                    _ => return Err(wrong_unit()),
                };
                Value::Number(v, Unit::Percent)
            }
            Kind::Quantity { unit, scale } => {
                let own_unit = match (n.suffix, unit) {
                    (Suffix::None, _) => false,
                    (Suffix::Ton, Unit::Mass) | (Suffix::SquareMetre, Unit::Area) => true,
                    _ => return Err(wrong_unit()),
                };
                if n.currency {
                    return Err(wrong_unit());
                }
                let v = if own_unit || n.scaled {
                    n.value
                } else {
                    n.value.checked_mul(*scale).ok_or_else(too_large)?
                };
                Value::Number(v, *unit)
            }
            _ => return Err(wrong_unit()),
        };
        Ok(value)
    }

    /// "expected a percentage like 92% or 0.92, found `9x%`"
    fn number_error(&self, raw: &str, e: NumError) -> String {
        if e == NumError::TooLarge {
            return format!("`{raw}` is too large (at most 28 significant digits)");
        }
        let like = match &self.kind {
            Kind::Integer => "a whole number like 3",
            Kind::Money(s) if *s == Decimal::ONE => "an amount like 3500, ¥3,500 or 12.5万",
            Kind::Money(s) if *s == Decimal::from(10_000) => {
                "an amount in 万 like 12.5 (or with its own unit: 12.5万, 3500元)"
            }
            Kind::Money(_) => "an amount in 亿 like 1.2 (or with its own unit: 1.2亿, 3500万)",
            Kind::Percent { fraction: false } => "a percentage like 92% or 92",
            Kind::Percent { fraction: true } => "a percentage like 92% or 0.92",
            Kind::Quantity {
                unit: Unit::Mass, ..
            } => "a mass like 500 or 500吨",
            Kind::Quantity { .. } => "an area like 1500, 1500㎡ or 3万㎡",
            _ => "a number like 12.5 or 1,234.5",
        };
        let mut msg = format!("expected {like}, found `{raw}`");
        // Letters typed for digits are a classic of hand-kept sheets: `12.5O`, `l00`.
        let fixed: String = raw
            .chars()
            .map(|c| match c {
                'O' | 'o' => '0',
                'l' | 'I' => '1',
                c => c,
            })
            .collect();
        if fixed != raw && number::parse(&fixed).is_ok() {
            msg.push_str(&format!(
                " (a letter for a digit? `{fixed}` would be a number)"
            ));
        }
        msg
    }

    fn check_range(&self, value: &Value, cell: &Cell) -> Result<(), String> {
        let Some(range) = &self.range else {
            return Ok(());
        };
        // Each written end is checked on its own: `0..` has no high end.
        let below = |l: &Literal| match (value, &l.kind) {
            (Value::Number(v, _), LitKind::Number { value: a, .. }) => v < a,
            (Value::Date(v), LitKind::Date(a)) => v < a,
            _ => false,
        };
        let above = |l: &Literal| match (value, &l.kind) {
            (Value::Number(v, _), LitKind::Number { value: b, .. }) => v > b,
            (Value::Date(v), LitKind::Date(b)) => v > b,
            _ => false,
        };
        let outside = range.lo.as_ref().is_some_and(below) || range.hi.as_ref().is_some_and(above);
        if outside {
            let raw = match cell {
                Cell::Text(t) => trim(t).to_string(),
                other => other.to_text(),
            };
            return Err(format!(
                "{raw} is outside the allowed range {}",
                range.text()
            ));
        }
        Ok(())
    }

    /// The field's `default`: a literal (in base units, as everywhere in the language: `default 0`
    /// on `money(万)` is 0 元), a negated number, a bare label or enum variant, or a string, which
    /// is parsed like a cell (`default "12.5万"`).
    fn default_value(&self, expr: &ExprKind) -> Result<Value, String> {
        let unit = self.unit();
        match expr {
            ExprKind::Lit(lit) => match &lit.kind {
                LitKind::Number { value, .. } => match unit {
                    Some(u) => Ok(Value::Number(*value, u)),
                    None => self.parse_present(&Cell::Text(lit.text.clone())),
                },
                LitKind::Date(d) => Ok(Value::Date(*d)),
                LitKind::Bool(b) => Ok(Value::Bool(*b)),
                LitKind::Missing => Ok(Value::Missing),
                LitKind::Text(t) => self.parse_present(&Cell::Text(t.clone())),
                LitKind::Duration(_) => Err(format!(
                    "the default `{}` is a duration, which no input can hold",
                    lit.text
                )),
            },
            ExprKind::Unary(UnOp::Neg, inner) => match self.default_value(&inner.kind)? {
                Value::Number(v, u) => Ok(Value::Number(-v, u)),
                _ => Err("the default is not a number".into()),
            },
            ExprKind::Name(id) => self.parse_present(&Cell::Text(id.name.clone())),
            _ => Err("the default must be a literal value".into()),
        }
    }

    /// The unit of the field's numbers, `None` for non-numeric fields.
    fn unit(&self) -> Option<Unit> {
        match &self.kind {
            Kind::Number | Kind::Integer => Some(Unit::Plain),
            Kind::Money(_) => Some(Unit::Money),
            Kind::Percent { .. } => Some(Unit::Percent),
            Kind::Quantity { unit, .. } => Some(*unit),
            _ => None,
        }
    }
}

/// `92` → `0.92`, exactly: moving the decimal point is cheaper than dividing.
fn percent(v: Decimal) -> Decimal {
    let mut r = v;
    if r.set_scale(v.scale() + 2).is_ok() {
        r
    } else {
        v / Decimal::ONE_HUNDRED
    }
}

/// A number cell's text as error messages quote it: trimmed, full-width forms mapped.
fn raw_number_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => trim(&normalize_width(trim(t))).to_string(),
        other => other.to_text(),
    }
}

fn too_large() -> String {
    "the amount is too large (at most 28 significant digits)".into()
}

fn scale_factor(scale: Scale) -> Decimal {
    match scale {
        Scale::One => Decimal::ONE,
        Scale::Wan => Decimal::from(10_000),
        Scale::Yi => Decimal::from(100_000_000),
    }
}

/// Whether a cell counts as empty: nothing, only whitespace, or one of [`EMPTY_MARKERS`].
pub(crate) fn is_empty(cell: &Cell) -> bool {
    match cell {
        Cell::Empty => true,
        Cell::Text(t) => {
            let t = trim(t);
            t.is_empty()
                || (t.len() <= 6 && EMPTY_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m)))
        }
        Cell::Number(f) => f.is_nan(),
        _ => false,
    }
}

/// A cell as text for text, enum and grade fields: numbers in their shortest form (`3`, not `3.0`).
fn cell_text(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(t) => std::borrow::Cow::Borrowed(t.as_str()),
        other => std::borrow::Cow::Owned(other.to_text()),
    }
}

/// The lookup key of a label or synonym: trimmed, full-width mapped, lower-cased.
fn label_key(s: &str) -> String {
    normalize_width(trim(s)).trim().to_lowercase()
}

fn parse_date(cell: &Cell) -> Result<jiff::civil::Date, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        // `20261101` typed into a number cell: no Excel serial is that large (9999-12-31 is
        // 2958465), so an eight-digit whole number can only be YYYYMMDD.
        Cell::Number(f) if f.fract() == 0.0 && (10_000_000.0..100_000_000.0).contains(f) => {
            parse_date_text(&format!("{f}"))
        }
        Cell::Number(f) => excel_serial_to_date(*f),
        Cell::Text(t) => parse_date_text(trim(&normalize_width(trim(t)))),
        Cell::Bool(b) => Err(format!("expected a date like 2026-11-01, found `{b}`")),
        Cell::Empty => Err("required value is empty".into()),
    }
}

/// 是/否, yes/no, true/false, y/n, 1/0, √/×, 有/无, 对/错, T/F, ✓/✗, case-insensitive.
fn parse_bool(cell: &Cell) -> Result<bool, String> {
    let text = match cell {
        Cell::Bool(b) => return Ok(*b),
        Cell::Number(f) if *f == 1.0 => return Ok(true),
        Cell::Number(f) if *f == 0.0 => return Ok(false),
        other => cell_text(other),
    };
    let norm = normalize_width(trim(&text));
    let s = trim(&norm).to_lowercase();
    match s.as_str() {
        "是" | "yes" | "true" | "y" | "1" | "√" | "✓" | "✔" | "有" | "对" | "t" => {
            Ok(true)
        }
        "否" | "no" | "false" | "n" | "0" | "×" | "✗" | "✘" | "无" | "错" | "f" => {
            Ok(false)
        }
        _ => Err(format!(
            "expected yes or no (是/否, yes/no, true/false, y/n, 1/0, √/×, 有/无), found `{}`",
            trim(&text)
        )),
    }
}

#[cfg(test)]
mod tests;
