//! Typed column arrays of one batch and the exact decimal kernels on them.
//!
//! Numbers are scaled integers (`i128` mantissas at a scale the whole array shares), dates are
//! calendar dates, booleans are bytes with a third value for `NULL`, texts and labels are their
//! names. An operation that would leave the exact fast form (an overflow, a cell with more
//! places than its input's scale) returns `None` for that row: the caller marks the row for the
//! interpreter.

// The kernels walk parallel arrays (values, validity, the fallback flags) by row.
#![allow(clippy::needless_range_loop)]

use jiff::civil::Date;
use std::sync::Arc;

/// A three-valued boolean: false, true, or `NULL` (missing).
pub(super) const F: u8 = 0;
pub(super) const T: u8 = 1;
pub(super) const NULL: u8 = 2;

/// Exact decimals: `vals[i] / 10^scale`, `NULL` where `!ok[i]`.
#[derive(Debug, Clone)]
pub(super) struct Nums {
    pub scale: u32,
    pub vals: Vec<i128>,
    pub ok: Vec<bool>,
    /// Every row holds the same value (a literal): rescaling computes it once.
    pub constant: bool,
}

/// One column (or sub-expression) over the rows of a batch.
#[derive(Debug, Clone)]
pub(super) enum Vector {
    Num(Nums),
    Bool(Vec<u8>),
    Date(Vec<Option<Date>>),
    /// Texts and labels, by name.
    Text(Vec<Option<Arc<str>>>),
    /// `NULL` of no particular type (the `missing` literal).
    Null,
}

/// The largest magnitude of an exact decimal (`rust_decimal`'s: 2^96 − 1).
const DECIMAL_MAX: i128 = (1 << 96) - 1;

/// `v` (at `scale`) when the interpreter can hold it too: a value beyond its decimals' range
/// is an overflow there, so the row must go to the interpreter for its diagnostic.
pub(super) fn in_range(v: i128, scale: u32) -> Option<i128> {
    if scale >= 10 {
        return Some(v); // |v| < 1.7·10^38 means under 1.7·10^28 < 2^96
    }
    let limit = DECIMAL_MAX * pow10(scale)?;
    (v.unsigned_abs() <= limit.unsigned_abs()).then_some(v)
}

/// 10^k for k ≤ 38.
pub(super) fn pow10(k: u32) -> Option<i128> {
    10i128.checked_pow(k)
}

/// `v` at a larger scale (`to ≥ from`); `None` on overflow.
pub(super) fn up(v: i128, from: u32, to: u32) -> Option<i128> {
    if to <= from {
        return Some(v);
    }
    v.checked_mul(pow10(to - from)?)
}

/// `v` rounded half away from zero from scale `from` to a smaller scale `to`.
pub(super) fn round_to(v: i128, from: u32, to: u32) -> Option<i128> {
    if to >= from {
        return up(v, from, to);
    }
    let Some(p) = pow10(from - to) else {
        return Some(0); // more than 38 places dropped: |v| < 10^38 rounds to 0
    };
    let q = v / p;
    let r = (v % p).unsigned_abs();
    let half = p.unsigned_abs().div_ceil(2);
    Some(if r >= half {
        if v < 0 {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    })
}

/// `v` floored (or ceiled) from scale `from` to scale 0.
pub(super) fn floor_ceil(v: i128, from: u32, ceil: bool) -> Option<i128> {
    let p = pow10(from)?;
    let q = v.div_euclid(p);
    let exact = v.rem_euclid(p) == 0;
    Some(if ceil && !exact { q + 1 } else { q })
}

/// The exact quotient `a / b` (scales `sa`, `sb`) rounded half away from zero to scale `q`.
pub(super) fn div(a: i128, sa: u32, b: i128, sb: u32, q: u32) -> Option<i128> {
    if b == 0 {
        return None;
    }
    // a/10^sa ÷ b/10^sb = (a · 10^(q + sb − sa) / b) / 10^q
    let (num, den) = if q + sb >= sa {
        (a.checked_mul(pow10(q + sb - sa)?)?, b)
    } else {
        (a, b.checked_mul(pow10(sa - q - sb)?)?)
    };
    let neg = (num < 0) != (den < 0);
    let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
    let mut m = n / d;
    let r = n % d;
    // 2r ≥ d, without overflowing: r ≥ d − r.
    if r >= d - r {
        m += 1;
    }
    let m = i128::try_from(m).ok()?;
    Some(if neg { -m } else { m })
}

impl Nums {
    pub fn new(scale: u32, n: usize) -> Nums {
        Nums {
            scale,
            vals: vec![0; n],
            ok: vec![false; n],
            constant: false,
        }
    }

    pub fn filled(scale: u32, v: i128, n: usize) -> Nums {
        Nums {
            scale,
            vals: vec![v; n],
            ok: vec![true; n],
            constant: true,
        }
    }

    /// The same numbers at a larger scale; overflowing rows are flagged in `bad`.
    pub fn rescaled(mut self, to: u32, bad: &mut [bool]) -> Nums {
        if to <= self.scale {
            return self;
        }
        if let (true, Some(&v)) = (self.constant, self.vals.first()) {
            if let Some(v) = up(v, self.scale, to) {
                self.vals.fill(v);
                self.scale = to;
                return self;
            }
        }
        let Some(p) = pow10(to - self.scale) else {
            for (i, ok) in self.ok.iter_mut().enumerate() {
                if *ok {
                    bad[i] = true;
                    *ok = false;
                }
            }
            self.scale = to;
            return self;
        };
        for i in 0..self.vals.len() {
            if self.ok[i] {
                match self.vals[i].checked_mul(p) {
                    Some(v) => self.vals[i] = v,
                    None => {
                        bad[i] = true;
                        self.ok[i] = false;
                    }
                }
            }
        }
        self.scale = to;
        self
    }
}

impl Vector {
    /// A `NULL` of the same kind as `self`, `n` rows long.
    pub fn nulls_like(&self, n: usize) -> Vector {
        match self {
            Vector::Num(x) => Vector::Num(Nums::new(x.scale, n)),
            Vector::Bool(_) => Vector::Bool(vec![NULL; n]),
            Vector::Date(_) => Vector::Date(vec![None; n]),
            Vector::Text(_) => Vector::Text(vec![None; n]),
            Vector::Null => Vector::Null,
        }
    }

    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Vector::Num(x) => !x.ok[i],
            Vector::Bool(b) => b[i] == NULL,
            Vector::Date(d) => d[i].is_none(),
            Vector::Text(t) => t[i].is_none(),
            Vector::Null => true,
        }
    }

    /// Per row: whether it holds a value (one dispatch, then a tight loop).
    pub fn valid(&self, n: usize) -> Vec<bool> {
        match self {
            Vector::Num(x) => x.ok.clone(),
            Vector::Bool(b) => b.iter().map(|v| *v != NULL).collect(),
            Vector::Date(d) => d.iter().map(Option::is_some).collect(),
            Vector::Text(t) => t.iter().map(Option::is_some).collect(),
            Vector::Null => vec![false; n],
        }
    }

    /// As three-valued booleans (`NULL` for anything that is not a boolean).
    pub fn bools(self, n: usize) -> Vec<u8> {
        match self {
            Vector::Bool(b) => b,
            _ => vec![NULL; n],
        }
    }

    /// Copies row `i` of `from` (the same kind, numbers at the same scale) into row `i`.
    pub fn set_from(&mut self, i: usize, from: &Vector) {
        match (self, from) {
            (Vector::Num(a), Vector::Num(b)) => {
                a.constant = false;
                a.vals[i] = b.vals[i];
                a.ok[i] = b.ok[i];
            }
            (Vector::Bool(a), Vector::Bool(b)) => a[i] = b[i],
            (Vector::Date(a), Vector::Date(b)) => a[i] = b[i],
            (Vector::Text(a), Vector::Text(b)) => a[i] = b[i].clone(),
            (a, Vector::Null) => a.set_null(i),
            _ => {}
        }
    }

    /// Copies the rows of `from` where `mask` holds (the same kind, numbers at the same scale).
    pub fn copy_masked(&mut self, mask: &[bool], from: &Vector) {
        match (self, from) {
            (Vector::Num(a), Vector::Num(b)) => {
                a.constant = false;
                for i in 0..mask.len() {
                    if mask[i] {
                        a.vals[i] = b.vals[i];
                        a.ok[i] = b.ok[i];
                    }
                }
            }
            (Vector::Bool(a), Vector::Bool(b)) => {
                for i in 0..mask.len() {
                    if mask[i] {
                        a[i] = b[i];
                    }
                }
            }
            (Vector::Date(a), Vector::Date(b)) => {
                for i in 0..mask.len() {
                    if mask[i] {
                        a[i] = b[i];
                    }
                }
            }
            (Vector::Text(a), Vector::Text(b)) => {
                for i in 0..mask.len() {
                    if mask[i] {
                        a[i].clone_from(&b[i]);
                    }
                }
            }
            (a, Vector::Null) => {
                for i in 0..mask.len() {
                    if mask[i] {
                        a.set_null(i);
                    }
                }
            }
            _ => {}
        }
    }

    pub fn set_null(&mut self, i: usize) {
        match self {
            Vector::Num(a) => {
                a.constant = false;
                a.ok[i] = false
            }
            Vector::Bool(a) => a[i] = NULL,
            Vector::Date(a) => a[i] = None,
            Vector::Text(a) => a[i] = None,
            Vector::Null => {}
        }
    }
}

/// Brings several vectors of one place (a decision's values) to one kind and, for numbers, one
/// scale (the largest); `None` when they mix kinds.
pub(super) fn unify(vs: Vec<Vector>, n: usize, bad: &mut [bool]) -> Option<Vec<Vector>> {
    let scale = vs
        .iter()
        .filter_map(|v| match v {
            Vector::Num(x) => Some(x.scale),
            _ => None,
        })
        .max();
    let template = vs
        .iter()
        .find(|v| !matches!(v, Vector::Null))?
        .nulls_like(n);
    let mut out = Vec::with_capacity(vs.len());
    for v in vs {
        out.push(match (v, scale) {
            (Vector::Num(x), Some(s)) => Vector::Num(x.rescaled(s, bad)),
            (Vector::Null, _) => match &template {
                Vector::Num(_) => Vector::Num(Nums::new(scale.unwrap_or(0), n)),
                t => t.clone(),
            },
            (v, _) => {
                if std::mem::discriminant(&v) != std::mem::discriminant(&template) {
                    return None;
                }
                v
            }
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_to(2675, 3, 2), Some(268));
        assert_eq!(round_to(-2675, 3, 2), Some(-268));
        assert_eq!(round_to(2674, 3, 2), Some(267));
        assert_eq!(round_to(-2674, 3, 2), Some(-267));
        assert_eq!(round_to(5, 1, 0), Some(1));
        assert_eq!(round_to(4, 1, 0), Some(0));
    }

    #[test]
    fn quotients_round_at_the_last_place() {
        // 1 / 3 at 4 places, 2 / 3, −2 / 3
        assert_eq!(div(1, 0, 3, 0, 4), Some(3333));
        assert_eq!(div(2, 0, 3, 0, 4), Some(6667));
        assert_eq!(div(-2, 0, 3, 0, 4), Some(-6667));
        assert_eq!(div(2, 0, -3, 0, 4), Some(-6667));
        // 1.5 / 0.25 = 6
        assert_eq!(div(15, 1, 25, 2, 0), Some(6));
        assert_eq!(div(1, 0, 0, 0, 4), None);
        assert_eq!(div(i128::MAX, 0, 1, 0, 24), None);
    }

    #[test]
    fn floors_and_ceils_go_toward_the_right_side() {
        assert_eq!(floor_ceil(-15, 1, false), Some(-2));
        assert_eq!(floor_ceil(-15, 1, true), Some(-1));
        assert_eq!(floor_ceil(15, 1, true), Some(2));
        assert_eq!(floor_ceil(20, 1, true), Some(2));
    }
}
