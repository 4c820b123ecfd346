//! Compact columns for whole-file relative grading: the ranking keys of every row
//! ([`KeyColumn`], 8 bytes a row, 12 with `per`) and the classes they get ([`ClassColumn`], one
//! byte a row). [`super::relative::assign_column`] ranks one against the other exactly as
//! [`super::relative::assign`] does, without a `Value` per row.

use super::RelativeSpec;
use crate::value::{Label, Value};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// A missing value in the compact form: no number stored there has this mantissa, since every
/// stored mantissa is at most `i64::MAX` in magnitude.
const MISSING: i64 = i64::MIN;
/// A row without a group (its value or its `per` group is missing).
const NO_GROUP: u32 = u32::MAX;

/// The ranking keys of all rows for one relative, pushed one row at a time.
///
/// Numbers are kept as `i64` mantissas at one scale common to the column while they fit (the
/// scale grows, rescaling the stored mantissas, when a value with more decimal places arrives);
/// a value that cannot fit switches the column to plain decimals. A row whose value is not a
/// number is missing; so is a negative number for a Pareto relative (a share of a total: a
/// negative amount has none, and such a record is rejected, see `Program::evaluate`). With
/// `per`, each row's group is an id into a dictionary of the group values, equal values (`3`
/// and `3.0`) sharing one id.
#[derive(Debug, Clone)]
pub struct KeyColumn {
    numbers: Numbers,
    /// Pareto: negative values are not ranked.
    nonnegative: bool,
    /// `Some` when the relative has `per`.
    groups: Option<Groups>,
}

#[derive(Debug, Clone)]
enum Numbers {
    /// `value = mantissa × 10^-scale`; `MISSING` for a missing row. `max_abs` is the largest
    /// magnitude stored, to know whether a rescale fits without looking at every row.
    Compact {
        mantissas: Vec<i64>,
        scale: u32,
        max_abs: u64,
    },
    /// The fallback: the decimals as given; bit `i` of `missing` set for a missing row.
    Wide {
        values: Vec<Decimal>,
        missing: Vec<u64>,
    },
}

#[derive(Debug, Clone, Default)]
struct Groups {
    /// One id a row; `NO_GROUP` for a row that is not ranked.
    ids: Vec<u32>,
    dictionary: HashMap<GroupKey, u32>,
}

/// A group value up to equality: numbers by their normalized form, text and labels by their
/// text (a label and a text with the same name are one group), anything else by its display.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Number(i128, u32),
    Text(Arc<str>),
    Other(String),
}

impl GroupKey {
    fn of(v: &Value) -> Option<GroupKey> {
        Some(match v {
            Value::Missing => return None,
            Value::Number(d, _) => {
                let n = d.normalize();
                GroupKey::Number(n.mantissa(), n.scale())
            }
            Value::Label(l) => GroupKey::Text(l.name.clone()),
            Value::Text(t) => GroupKey::Text(t.clone()),
            other => GroupKey::Other(other.to_string()),
        })
    }
}

fn pow10(k: u32) -> i128 {
    10i128.pow(k)
}

impl KeyColumn {
    /// An empty column for `spec`: groups are kept only when it ranks `per` group.
    pub fn new(spec: &RelativeSpec) -> KeyColumn {
        KeyColumn::with_capacity(spec, 0)
    }

    /// An empty column with room for `rows` rows.
    pub fn with_capacity(spec: &RelativeSpec, rows: usize) -> KeyColumn {
        KeyColumn {
            numbers: Numbers::Compact {
                mantissas: Vec::with_capacity(rows),
                scale: 0,
                max_abs: 0,
            },
            nonnegative: matches!(spec.decl.method, crate::ast::RelMethod::Pareto(_)),
            groups: spec.decl.per.is_some().then(|| Groups {
                ids: Vec::with_capacity(rows),
                dictionary: HashMap::new(),
            }),
        }
    }

    /// Appends one row: what it ranks by (a number, else the row is missing; for Pareto a
    /// negative number too) and its `per` group (ignored without `per`; a missing group makes
    /// the row missing).
    pub fn push(&mut self, value: &Value, group: &Value) {
        let number = match value {
            Value::Number(d, _) if !(self.nonnegative && *d < Decimal::ZERO) => Some(*d),
            _ => None,
        };
        let mut number = number;
        if let Some(groups) = &mut self.groups {
            let id = match (number, GroupKey::of(group)) {
                (Some(_), Some(key)) => {
                    let next = groups.dictionary.len() as u32;
                    assert!(next < NO_GROUP, "too many groups for one relative");
                    *groups.dictionary.entry(key).or_insert(next)
                }
                _ => {
                    number = None;
                    NO_GROUP
                }
            };
            groups.ids.push(id);
        }
        self.push_number(number);
    }

    fn push_number(&mut self, number: Option<Decimal>) {
        if let Numbers::Compact {
            mantissas,
            scale,
            max_abs,
        } = &mut self.numbers
        {
            let Some(d) = number else {
                mantissas.push(MISSING);
                return;
            };
            let n = d.normalize();
            if n.scale() > *scale {
                // Every stored mantissa gains the new places, if the largest still fits.
                let factor = pow10(n.scale() - *scale);
                let fits = (*max_abs as i128)
                    .checked_mul(factor)
                    .is_some_and(|m| m <= i64::MAX as i128);
                if fits {
                    let factor = factor as i64;
                    for m in mantissas.iter_mut().filter(|m| **m != MISSING) {
                        *m *= factor;
                    }
                    *max_abs = (*max_abs as i128 * factor as i128) as u64;
                    *scale = n.scale();
                }
            }
            if n.scale() <= *scale {
                let m = n.mantissa().checked_mul(pow10(*scale - n.scale()));
                if let Some(m) = m.filter(|m| m.unsigned_abs() <= i64::MAX as u128) {
                    mantissas.push(m as i64);
                    *max_abs = (*max_abs).max(m.unsigned_abs() as u64);
                    return;
                }
            }
            self.widen();
        }
        let Numbers::Wide { values, missing } = &mut self.numbers else {
            unreachable!("widened above");
        };
        let row = values.len();
        if row / 64 >= missing.len() {
            missing.push(0);
        }
        match number {
            Some(d) => values.push(d),
            None => {
                values.push(Decimal::ZERO);
                missing[row / 64] |= 1 << (row % 64);
            }
        }
    }

    /// Switches to the decimal fallback, keeping the rows so far.
    fn widen(&mut self) {
        let Numbers::Compact {
            mantissas, scale, ..
        } = &self.numbers
        else {
            return;
        };
        let mut values = Vec::with_capacity(mantissas.capacity().max(mantissas.len() + 1));
        let mut missing = vec![0u64; mantissas.len().div_ceil(64)];
        for (row, &m) in mantissas.iter().enumerate() {
            if m == MISSING {
                values.push(Decimal::ZERO);
                missing[row / 64] |= 1 << (row % 64);
            } else {
                values.push(Decimal::from_i128_with_scale(m as i128, *scale));
            }
        }
        self.numbers = Numbers::Wide { values, missing };
    }

    /// The number of rows pushed.
    pub fn len(&self) -> usize {
        match &self.numbers {
            Numbers::Compact { mantissas, .. } => mantissas.len(),
            Numbers::Wide { values, .. } => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s value, `None` when it is not ranked (missing value or missing group).
    pub fn value(&self, row: usize) -> Option<Decimal> {
        match &self.numbers {
            Numbers::Compact {
                mantissas, scale, ..
            } => (mantissas[row] != MISSING)
                .then(|| Decimal::from_i128_with_scale(mantissas[row] as i128, *scale)),
            Numbers::Wide { values, missing } => {
                (missing[row / 64] >> (row % 64) & 1 == 0).then_some(values[row])
            }
        }
    }

    /// Row `row`'s group id (ids count from 0 in order of first appearance), `None` without
    /// `per` or when the row is not ranked.
    pub fn group(&self, row: usize) -> Option<u32> {
        let id = *self.groups.as_ref()?.ids.get(row)?;
        (id != NO_GROUP).then_some(id)
    }

    /// How many distinct groups (0 without `per`).
    pub fn group_count(&self) -> usize {
        self.groups.as_ref().map_or(0, |g| g.dictionary.len())
    }

    /// The common scale of the compact form; `None` once the column fell back to decimals.
    pub fn scale(&self) -> Option<u32> {
        match &self.numbers {
            Numbers::Compact { scale, .. } => Some(*scale),
            Numbers::Wide { .. } => None,
        }
    }

    /// The heap the column holds (by capacity; the group dictionary's entries approximately).
    pub fn heap_bytes(&self) -> usize {
        let numbers = match &self.numbers {
            Numbers::Compact { mantissas, .. } => mantissas.capacity() * size_of::<i64>(),
            Numbers::Wide { values, missing } => {
                values.capacity() * size_of::<Decimal>() + missing.capacity() * size_of::<u64>()
            }
        };
        let groups = self.groups.as_ref().map_or(0, |g| {
            g.ids.capacity() * size_of::<u32>()
                + g.dictionary.capacity() * (size_of::<GroupKey>() + size_of::<u32>() + 1)
        });
        numbers + groups
    }

    pub(crate) fn keys(&self) -> Keys<'_> {
        match &self.numbers {
            Numbers::Compact {
                mantissas, scale, ..
            } => Keys::Compact {
                mantissas,
                scale: *scale,
            },
            Numbers::Wide { values, missing } => Keys::Wide { values, missing },
        }
    }

    pub(crate) fn group_ids(&self) -> Option<&[u32]> {
        self.groups.as_ref().map(|g| g.ids.as_slice())
    }
}

/// A borrowed view of the numbers of a [`KeyColumn`], for ranking.
#[derive(Clone, Copy)]
pub(crate) enum Keys<'a> {
    Compact {
        mantissas: &'a [i64],
        scale: u32,
    },
    Wide {
        values: &'a [Decimal],
        missing: &'a [u64],
    },
}

impl Keys<'_> {
    pub(crate) fn is_present(&self, row: usize) -> bool {
        match self {
            Keys::Compact { mantissas, .. } => mantissas[row] != MISSING,
            Keys::Wide { missing, .. } => missing[row / 64] >> (row % 64) & 1 == 0,
        }
    }
}

/// The classes of every row for one relative: an index into the spec's labels per row.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassColumn {
    labels: Vec<Arc<str>>,
    codes: Codes,
}

/// One code a row, as narrow as the labels allow; the type's maximum (and any code past the
/// labels) is `Value::Missing`.
#[derive(Debug, Clone, PartialEq)]
enum Codes {
    Narrow(Vec<u8>),
    Medium(Vec<u16>),
    Wide(Vec<u32>),
}

impl ClassColumn {
    /// `rows` rows, each with class `fill` (an index into `labels`; `None` or an index past
    /// the labels is `Value::Missing`).
    pub fn new(labels: Vec<Arc<str>>, rows: usize, fill: Option<usize>) -> ClassColumn {
        let codes = if labels.len() < u8::MAX as usize {
            Codes::Narrow(vec![Self::code(fill, u8::MAX as usize) as u8; rows])
        } else if labels.len() < u16::MAX as usize {
            Codes::Medium(vec![Self::code(fill, u16::MAX as usize) as u16; rows])
        } else {
            Codes::Wide(vec![Self::code(fill, u32::MAX as usize) as u32; rows])
        };
        ClassColumn { labels, codes }
    }

    fn code(class: Option<usize>, sentinel: usize) -> usize {
        class.map_or(sentinel, |c| c.min(sentinel))
    }

    /// Sets row `row` to class `class` (an index into the labels).
    pub fn set(&mut self, row: usize, class: usize) {
        match &mut self.codes {
            Codes::Narrow(c) => c[row] = Self::code(Some(class), u8::MAX as usize) as u8,
            Codes::Medium(c) => c[row] = Self::code(Some(class), u16::MAX as usize) as u16,
            Codes::Wide(c) => c[row] = Self::code(Some(class), u32::MAX as usize) as u32,
        }
    }

    /// Row `row`'s class: its index into [`ClassColumn::labels`], `None` for `Value::Missing`.
    pub fn class(&self, row: usize) -> Option<usize> {
        // A row past the end (a column not assigned yet) has no class.
        let code = match &self.codes {
            Codes::Narrow(c) => *c.get(row)? as usize,
            Codes::Medium(c) => *c.get(row)? as usize,
            Codes::Wide(c) => *c.get(row)? as usize,
        };
        (code < self.labels.len()).then_some(code)
    }

    /// Row `row`'s class as a value: `Value::Label { name, rank }` (rank = index into the
    /// labels, best first) or `Value::Missing`.
    pub fn get(&self, row: usize) -> Value {
        match self.class(row) {
            Some(i) => Value::Label(Label {
                name: self.labels[i].clone(),
                rank: i as u32,
            }),
            None => Value::Missing,
        }
    }

    /// The labels, best first (the spec's).
    pub fn labels(&self) -> &[Arc<str>] {
        &self.labels
    }

    pub fn len(&self) -> usize {
        match &self.codes {
            Codes::Narrow(c) => c.len(),
            Codes::Medium(c) => c.len(),
            Codes::Wide(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row's class as a value (the form [`super::relative::assign`] returns).
    pub fn to_values(&self) -> Vec<Value> {
        (0..self.len()).map(|row| self.get(row)).collect()
    }

    /// The heap the column holds (by capacity, labels excluded).
    pub fn heap_bytes(&self) -> usize {
        match &self.codes {
            Codes::Narrow(c) => c.capacity(),
            Codes::Medium(c) => c.capacity() * 2,
            Codes::Wide(c) => c.capacity() * 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Cut, Expr, ExprKind, Ident, RelMethod, RelativeDecl, TiePolicy};
    use crate::source::Span;
    use crate::value::Unit;

    fn ident(n: &str) -> Ident {
        Ident {
            name: n.into(),
            span: Span::default(),
        }
    }

    fn spec(per: bool, labels: usize) -> RelativeSpec {
        let x = || Expr {
            kind: ExprKind::Name(ident("x")),
            span: Span::default(),
        };
        let labels: Vec<Arc<str>> = (0..labels).map(|i| i.to_string().into()).collect();
        RelativeSpec {
            name: "r".into(),
            decl: RelativeDecl {
                name: ident("r"),
                // Not Pareto, which leaves negative values unranked: these tests store them.
                method: RelMethod::Top(
                    labels
                        .iter()
                        .map(|l| Cut {
                            label: ident(l),
                            share: None,
                            span: Span::default(),
                        })
                        .collect(),
                ),
                input: x(),
                per: per.then(x),
                ties: TiePolicy::Same,
                on_missing: None,
                span: Span::default(),
            },
            labels,
        }
    }

    fn num(s: &str) -> Value {
        Value::Number(s.parse().unwrap(), Unit::Plain)
    }

    #[test]
    fn rescales_to_the_most_decimal_places() {
        let mut c = KeyColumn::new(&spec(false, 3));
        for v in ["3", "-2", "0", "3.50", "3.125", "1000000000000000"] {
            c.push(&num(v), &Value::Missing);
        }
        c.push(&Value::Missing, &Value::Missing);
        c.push(&Value::Text("x".into()), &Value::Missing);
        // 3.50 has two places but is 3.5: the scale is the most *significant* places.
        assert_eq!(c.scale(), Some(3));
        let got: Vec<Option<String>> = (0..c.len())
            .map(|r| c.value(r).map(|d| d.normalize().to_string()))
            .collect();
        let want = ["3", "-2", "0", "3.5", "3.125", "1000000000000000"];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.as_deref(), Some(w));
        }
        assert_eq!(got[6..], [None, None]);
    }

    #[test]
    fn falls_back_to_decimals_when_a_value_does_not_fit() {
        let mut c = KeyColumn::new(&spec(false, 3));
        c.push(&num("1.5"), &Value::Missing);
        c.push(&Value::Missing, &Value::Missing);
        c.push(&num("1000000000000000.125"), &Value::Missing);
        assert_eq!(c.scale(), Some(3)); // 1e18 + 125 still fits
        c.push(&num("1234567890123456789012345678"), &Value::Missing);
        assert_eq!(c.scale(), None);
        c.push(&num("0.25"), &Value::Missing);
        c.push(&Value::Missing, &Value::Missing);
        let got: Vec<Option<Decimal>> = (0..c.len()).map(|r| c.value(r)).collect();
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert_eq!(
            got,
            [
                d("1.5"),
                None,
                d("1000000000000000.125"),
                d("1234567890123456789012345678"),
                d("0.25"),
                None
            ]
        );
        // More places than the stored mantissas can take also falls back: 9e18 × 10.
        let mut c = KeyColumn::new(&spec(false, 3));
        c.push(&num("9000000000000000000"), &Value::Missing);
        assert_eq!(c.scale(), Some(0));
        c.push(&num("0.5"), &Value::Missing);
        assert_eq!(c.scale(), None);
        assert_eq!(c.value(0), d("9000000000000000000"));
        assert_eq!(c.value(1), d("0.5"));
        // i64::MIN is the missing mark, so it cannot be stored compactly.
        let mut c = KeyColumn::new(&spec(false, 3));
        c.push(&num("-9223372036854775808"), &Value::Missing);
        assert_eq!(c.scale(), None);
        assert_eq!(c.value(0), d("-9223372036854775808"));
    }

    #[test]
    fn equal_group_values_share_one_id() {
        let mut c = KeyColumn::new(&spec(true, 3));
        let one = num("1");
        let groups = [
            num("3"),
            num("3.0"),
            Value::Text("华东".into()),
            Value::Label(Label {
                name: "华东".into(),
                rank: 0,
            }),
            num("-0"),
            num("0.00"),
            Value::Missing,
            Value::Bool(true),
        ];
        for g in &groups {
            c.push(&one, g);
        }
        // A row without a value gets no group (it is not ranked).
        c.push(&Value::Missing, &num("4"));
        let ids: Vec<Option<u32>> = (0..c.len()).map(|r| c.group(r)).collect();
        assert_eq!(
            ids,
            [
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                None,
                Some(3),
                None
            ]
        );
        assert_eq!(c.group_count(), 4);
        assert_eq!(c.value(6), None, "a missing group makes the row missing");
        // Without `per` the groups are not kept.
        let mut c = KeyColumn::new(&spec(false, 3));
        c.push(&one, &num("3"));
        assert_eq!((c.group(0), c.group_count()), (None, 0));
    }

    #[test]
    fn class_column_widens_past_255_labels() {
        let mut small = ClassColumn::new(spec(false, 3).labels, 3, Some(2));
        small.set(0, 0);
        small.set(1, 7); // past the labels: missing
        assert_eq!(small.get(0).to_string(), "0");
        assert_eq!(small.get(1), Value::Missing);
        assert_eq!(
            small.get(2),
            Value::Label(Label {
                name: "2".into(),
                rank: 2
            })
        );
        assert_eq!(small.heap_bytes(), 3);
        let mut big = ClassColumn::new(spec(false, 300).labels, 2, None);
        big.set(0, 299);
        assert_eq!(big.class(0), Some(299));
        assert_eq!(big.get(1), Value::Missing);
        assert_eq!(big.heap_bytes(), 4);
    }

    /// The memory of the columns for a file, from their capacities (run with `--nocapture`).
    #[test]
    fn bytes_per_row() {
        let rows = 1_000_000;
        for per in [false, true] {
            let s = spec(per, 3);
            let mut c = KeyColumn::with_capacity(&s, rows);
            for i in 0..rows {
                let v = Value::Number(Decimal::new(i as i64 * 37 % 100_003, 2), Unit::Money);
                let g = Value::Text(if i % 3 == 0 { "华东" } else { "华北" }.into());
                c.push(&v, &g);
            }
            let classes = ClassColumn::new(s.labels.clone(), rows, None);
            let key = c.heap_bytes() as f64 / rows as f64;
            let class = classes.heap_bytes() as f64 / rows as f64;
            println!(
                "per {per}: KeyColumn {key:.3} B/row, ClassColumn {class:.3} B/row, \
                 sort index 4 B/ranked row; structs {} + {} B",
                size_of::<KeyColumn>(),
                size_of::<ClassColumn>()
            );
            assert!(key <= if per { 12.01 } else { 8.0 } && class <= 1.0);
        }
    }
}
