//! A [`Plan`]'s columns computed over one batch: one loop per expression over typed arrays.
//!
//! The semantics are the plan's (docs/design/LOWERING.md, printed as SQL by `src/sql/`):
//! three-valued logic, first-match `Case` evaluated arm by arm over the rows not yet decided,
//! quotients rounded to [`QUOTIENT_PLACES`], comparisons and rounding settled to
//! [`SETTLE_PLACES`]. A row whose arithmetic leaves the exact fast form is flagged in
//! [`Batch::fallback`]; what the engine computed for it is then ignored.

// The kernels walk several parallel arrays (values, validity, the fallback flags) by row.
#![allow(clippy::needless_range_loop)]

use super::vector::*;
use crate::ast::CmpOp;
use crate::lower::*;
use crate::value::Value;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::sync::Arc;

/// One batch being evaluated.
pub(super) struct Batch<'a> {
    pub plan: &'a Plan,
    /// Per row: the typed record (inputs in declaration order).
    pub records: &'a [&'a [Value]],
    /// Per row: the whole-file relative classes.
    pub rels: &'a [&'a [Value]],
    /// Per column: the relative whose class it is.
    pub rel_of_col: &'a [Option<usize>],
    pub as_of: Date,
    pub n: usize,
    /// Rows the interpreter must grade.
    pub fallback: Vec<bool>,
    pub cols: Vec<Vector>,
    /// Per input: its typed vector and the rows its cells send to the interpreter, made on
    /// first use (an input is read by many expressions of a plan).
    pub inputs: Vec<Option<(Vector, Vec<bool>)>>,
}

impl<'a> Batch<'a> {
    /// Computes every column of the plan; a row whose `fail` is not `NULL` in any column (it
    /// cannot be graded: the interpreter says why) is marked for fallback.
    pub fn run(&mut self) {
        for c in 0..self.plan.columns.len() {
            let col = &self.plan.columns[c];
            let v = match self.rel_of_col[c] {
                Some(k) => self.relative(k),
                None => self.eval(&col.expr),
            };
            self.cols.push(v);
            if let Some(fail) = &col.fail {
                let failing = self.eval(fail).valid(self.n);
                for (f, failing) in self.fallback.iter_mut().zip(failing) {
                    *f |= failing;
                }
            }
        }
    }

    fn relative(&mut self, k: usize) -> Vector {
        let mut out = vec![None; self.n];
        for (i, slot) in out.iter_mut().enumerate() {
            match self.rels[i].get(k) {
                Some(Value::Label(l)) => *slot = Some(l.name.clone()),
                Some(Value::Missing) | None => {}
                Some(_) => self.fallback[i] = true,
            }
        }
        Vector::Text(out)
    }

    fn all_bad(&mut self) -> Vector {
        self.fallback.iter_mut().for_each(|b| *b = true);
        Vector::Null
    }

    /// Input `k` as a vector, typed once per batch; every use flags its bad rows again (a use
    /// in a decision's arm a row does not take does not count for that row).
    fn input(&mut self, k: usize) -> Vector {
        if let Some(Some((v, bad))) = self.inputs.get(k) {
            for (f, b) in self.fallback.iter_mut().zip(bad) {
                *f |= *b;
            }
            return v.clone();
        }
        let mut bad = vec![false; self.n];
        std::mem::swap(&mut self.fallback, &mut bad);
        let v = self.type_input(k);
        std::mem::swap(&mut self.fallback, &mut bad);
        for (f, b) in self.fallback.iter_mut().zip(&bad) {
            *f |= *b;
        }
        if let Some(slot) = self.inputs.get_mut(k) {
            *slot = Some((v.clone(), bad));
        }
        v
    }

    fn type_input(&mut self, k: usize) -> Vector {
        let n = self.n;
        let Some(spec) = self.plan.inputs.get(k) else {
            return self.all_bad();
        };
        let empty = match spec.scale() {
            Some(scale) => Vector::Num(Nums::new(scale, n)),
            None => match &spec.kind {
                InputKind::Date => Vector::Date(vec![None; n]),
                InputKind::Bool => Vector::Bool(vec![NULL; n]),
                _ => Vector::Text(vec![None; n]),
            },
        };
        self.read_values(k, empty)
    }

    /// Aggregate `k` over the customer's events: the interpreter's folder computed it and put
    /// it after the inputs in the record (docs/design/LOWERING.md), so it is read like an
    /// input of the aggregate's type. A value with more places than that type's scale (an
    /// average's quotient), or a record without its aggregates, goes to the interpreter.
    fn aggregate(&mut self, k: usize) -> Vector {
        let n = self.n;
        let Some(ty) = self.plan.aggregates.get(k).map(|a| a.ty) else {
            return self.all_bad();
        };
        let empty = match ty {
            Ty::Num { scale } => Vector::Num(Nums::new(u32::from(scale), n)),
            Ty::Date => Vector::Date(vec![None; n]),
            Ty::Bool => Vector::Bool(vec![NULL; n]),
            _ => Vector::Text(vec![None; n]),
        };
        self.read_values(self.plan.inputs.len() + k, empty)
    }

    /// The records' values at position `at`, typed into `out` (empty, of the column's type): a
    /// number with more places than `out`'s scale, a value of another type or a record too
    /// short to have one sends its row to the interpreter.
    fn read_values(&mut self, at: usize, mut out: Vector) -> Vector {
        for i in 0..self.n {
            let Some(v) = self.records[i].get(at) else {
                self.fallback[i] = true;
                continue;
            };
            match (&mut out, v) {
                (_, Value::Missing) => {}
                (Vector::Num(o), Value::Number(d, _)) => match (d.scale() <= o.scale)
                    .then(|| up(d.mantissa(), d.scale(), o.scale))
                    .flatten()
                {
                    Some(x) => {
                        o.vals[i] = x;
                        o.ok[i] = true;
                    }
                    None => self.fallback[i] = true,
                },
                (Vector::Date(o), Value::Date(d)) => o[i] = Some(*d),
                (Vector::Bool(o), Value::Bool(b)) => o[i] = u8::from(*b),
                (Vector::Text(o), Value::Text(t)) => o[i] = Some(t.clone()),
                (Vector::Text(o), Value::Label(l)) => o[i] = Some(l.name.clone()),
                _ => self.fallback[i] = true,
            }
        }
        out
    }

    /// Evaluates `e` for the rows where `live` holds; flags raised for other rows are dropped
    /// (a decision's arm that a row does not take cannot send it to the interpreter).
    fn eval_live(&mut self, e: &PExpr, live: &[bool]) -> Vector {
        if live.iter().all(|l| *l) {
            return self.eval(e);
        }
        let before = self.fallback.clone();
        let v = self.eval(e);
        for i in 0..self.n {
            if !live[i] {
                self.fallback[i] = before[i];
            }
        }
        v
    }

    pub fn eval(&mut self, e: &PExpr) -> Vector {
        use PExpr::*;
        let n = self.n;
        match e {
            Num(d) => Vector::Num(Nums::filled(d.scale(), d.mantissa(), n)),
            Int(i) => Vector::Num(Nums::filled(0, i128::from(*i), n)),
            Date(d) => Vector::Date(vec![Some(*d); n]),
            Bool(b) => Vector::Bool(vec![u8::from(*b); n]),
            Text(t) => Vector::Text(vec![Some(t.clone()); n]),
            Null => Vector::Null,
            Input(k) => self.input(*k),
            Col(c) => match self.cols.get(*c) {
                Some(v) => v.clone(),
                None => self.all_bad(),
            },
            AsOf => Vector::Date(vec![Some(self.as_of); n]),
            InputsOk => Vector::Bool(vec![T; n]),
            Neg(a) => self.map_num(a, |v, s| Some((v.checked_neg()?, s))),
            Abs(a) => self.map_num(a, |v, s| Some((v.checked_abs()?, s))),
            Add(a, b) | Sub(a, b) => {
                let sub = matches!(e, Sub(..));
                self.arith(a, b, |x, y| {
                    if sub {
                        x.checked_sub(y)
                    } else {
                        x.checked_add(y)
                    }
                })
            }
            Mul(a, b) => self.mul(a, b),
            Div(a, b) => self.div(a, b),
            DateAdd(a, dur) => {
                let a = self.eval(a);
                let Vector::Date(ds) = a else {
                    return Vector::Date(vec![None; n]);
                };
                let mut out = vec![None; n];
                for i in 0..n {
                    if let Some(d) = ds[i] {
                        match crate::eval::date_add(d, *dur) {
                            Some(r) => out[i] = Some(r),
                            None => self.fallback[i] = true,
                        }
                    }
                }
                Vector::Date(out)
            }
            Agg(k) => self.aggregate(*k),
            // Only inside an aggregate's window and filter, which the interpreter's folder
            // evaluates: never a column of the plan.
            EventField(..) | PeriodStart(..) => self.all_bad(),
            NextDay(a, cal) => {
                let a = self.eval(a);
                let Vector::Date(ds) = a else {
                    return Vector::Date(vec![None; n]);
                };
                let mut out = vec![None; n];
                for i in 0..n {
                    if let Some(d) = ds[i] {
                        match crate::eval::next_calendar_day(d, cal) {
                            Some(r) => out[i] = Some(r),
                            None => self.fallback[i] = true,
                        }
                    }
                }
                Vector::Date(out)
            }
            Cmp(op, a, b, kind) => self.cmp(*op, a, b, *kind),
            Not(a) => {
                let a = self.eval(a).bools(n);
                Vector::Bool(
                    a.into_iter()
                        .map(|x| if x == NULL { NULL } else { 1 - x })
                        .collect(),
                )
            }
            And(a, b) | Or(a, b) => {
                let and = matches!(e, And(..));
                let a = self.eval(a).bools(n);
                let b = self.eval(b).bools(n);
                Vector::Bool(
                    a.into_iter()
                        .zip(b)
                        .map(|(x, y)| match (and, x, y) {
                            (true, F, _) | (true, _, F) => F,
                            (true, T, T) => T,
                            (false, T, _) | (false, _, T) => T,
                            (false, F, F) => F,
                            _ => NULL,
                        })
                        .collect(),
                )
            }
            IsNull(a) => Vector::Bool(
                self.eval(a)
                    .valid(n)
                    .into_iter()
                    .map(|v| u8::from(!v))
                    .collect(),
            ),
            Case(arms, otherwise) => self.case(arms, otherwise),
            Coalesce(xs) => {
                let vs: Vec<Vector> = xs.iter().map(|x| self.eval(x)).collect();
                let Some(vs) = unify(vs, n, &mut self.fallback) else {
                    return self.all_bad();
                };
                // Each value fills the rows no earlier one filled.
                let mut out = vs[0].nulls_like(n);
                let mut open = vec![true; n];
                for v in &vs {
                    let mask: Vec<bool> = v
                        .valid(n)
                        .into_iter()
                        .zip(&mut open)
                        .map(|(valid, open)| {
                            let take = valid && *open;
                            *open &= !take;
                            take
                        })
                        .collect();
                    out.copy_masked(&mask, v);
                }
                out
            }
            Round(a, p) => {
                let p = *p;
                self.map_num(a, move |v, s| {
                    let settled = round_to(v, s, s.min(SETTLE_PLACES))?;
                    let s1 = s.min(SETTLE_PLACES);
                    Some((round_to(settled, s1, s1.min(p))?, s1.min(p)))
                })
            }
            Floor(a) | Ceil(a) => {
                let ceil = matches!(e, Ceil(_));
                self.map_num(a, move |v, s| {
                    let s1 = s.min(SETTLE_PLACES);
                    let settled = round_to(v, s, s1)?;
                    Some((floor_ceil(settled, s1, ceil)?, 0))
                })
            }
            Least(xs) | Greatest(xs) => {
                let least = matches!(e, Least(_));
                let vs: Vec<Vector> = xs.iter().map(|x| self.eval(x)).collect();
                let Some(vs) = unify(vs, n, &mut self.fallback) else {
                    return self.all_bad();
                };
                let mut out = vs[0].nulls_like(n);
                for i in 0..n {
                    if vs.iter().any(|v| v.is_null(i)) {
                        continue;
                    }
                    let mut best = &vs[0];
                    for v in &vs[1..] {
                        let o = order(v, best, i);
                        if (least && o == Some(Ordering::Less))
                            || (!least && o == Some(Ordering::Greater))
                        {
                            best = v;
                        }
                    }
                    out.set_from(i, best);
                }
                out
            }
            DaysBetween(a, b) | MonthsBetween(a, b) => {
                let months = matches!(e, MonthsBetween(..));
                let (a, b) = (self.eval(a), self.eval(b));
                let (Vector::Date(a), Vector::Date(b)) = (a, b) else {
                    return Vector::Num(Nums::new(0, n));
                };
                let mut out = Nums::new(0, n);
                for i in 0..n {
                    if let (Some(x), Some(y)) = (a[i], b[i]) {
                        let r = if months {
                            crate::eval::months_between(x, y)
                        } else {
                            crate::eval::days_between(x, y)
                        };
                        match r {
                            Some(r) => {
                                out.vals[i] = i128::from(r);
                                out.ok[i] = true;
                            }
                            None => self.fallback[i] = true,
                        }
                    }
                }
                Vector::Num(out)
            }
            Year(a) | Month(a) => {
                let year = matches!(e, Year(_));
                let Vector::Date(a) = self.eval(a) else {
                    return Vector::Num(Nums::new(0, n));
                };
                let mut out = Nums::new(0, n);
                for i in 0..n {
                    if let Some(d) = a[i] {
                        out.vals[i] = if year {
                            i128::from(d.year())
                        } else {
                            i128::from(d.month())
                        };
                        out.ok[i] = true;
                    }
                }
                Vector::Num(out)
            }
            CountTrue(xs) => {
                let vs: Vec<Vec<u8>> = xs.iter().map(|x| self.eval(x).bools(n)).collect();
                let mut out = Nums::new(0, n);
                for i in 0..n {
                    if vs.iter().all(|v| v[i] != NULL) {
                        out.vals[i] = vs.iter().filter(|v| v[i] == T).count() as i128;
                        out.ok[i] = true;
                    }
                }
                Vector::Num(out)
            }
            Concat(xs) => {
                let vs: Vec<Vector> = xs.iter().map(|x| self.eval(x)).collect();
                let mut out = vec![None; n];
                for (i, slot) in out.iter_mut().enumerate() {
                    let mut s = String::new();
                    let mut all = true;
                    for v in &vs {
                        match v {
                            Vector::Text(t) => match &t[i] {
                                Some(t) => s.push_str(t),
                                None => all = false,
                            },
                            _ => all = false,
                        }
                    }
                    if all {
                        *slot = Some(Arc::from(s));
                    }
                }
                Vector::Text(out)
            }
            JoinTrue(parts, sep) => {
                let vs: Vec<Vec<u8>> = parts.iter().map(|(c, _)| self.eval(c).bools(n)).collect();
                let mut out = vec![None; n];
                for (i, slot) in out.iter_mut().enumerate() {
                    let names: Vec<&str> = parts
                        .iter()
                        .zip(&vs)
                        .filter(|(_, v)| v[i] == T)
                        .map(|((_, name), _)| &**name)
                        .collect();
                    if !names.is_empty() {
                        *slot = Some(Arc::from(names.join(sep)));
                    }
                }
                Vector::Text(out)
            }
            Rank(a, s) => {
                let a = self.eval(a);
                self.rank(&a, *s)
            }
            LabelOf(a, s) => {
                let Vector::Num(a) = self.eval(a) else {
                    return Vector::Text(vec![None; n]);
                };
                let labels = self
                    .plan
                    .scales
                    .get(*s)
                    .map(|s| &s.labels[..])
                    .unwrap_or(&[]);
                let mut out = vec![None; n];
                for i in 0..n {
                    if a.ok[i] {
                        let r = round_to(a.vals[i], a.scale, 0)
                            .filter(|r| *r >= 0)
                            .and_then(|r| labels.get(r as usize));
                        out[i] = r.cloned();
                    }
                }
                Vector::Text(out)
            }
            LabelNumber(a) => {
                let Vector::Text(a) = self.eval(a) else {
                    return Vector::Num(Nums::new(INPUT_PLACES, n));
                };
                let mut out = Nums::new(INPUT_PLACES, n);
                for i in 0..n {
                    if let Some(t) = &a[i] {
                        match t
                            .parse::<Decimal>()
                            .ok()
                            .filter(|d| d.scale() <= INPUT_PLACES)
                            .and_then(|d| up(d.mantissa(), d.scale(), INPUT_PLACES))
                        {
                            Some(v) => {
                                out.vals[i] = v;
                                out.ok[i] = true;
                            }
                            None => self.fallback[i] = true,
                        }
                    }
                }
                Vector::Num(out)
            }
            IntText(a) => {
                let Vector::Num(a) = self.eval(a) else {
                    return Vector::Text(vec![None; n]);
                };
                let mut out = vec![None; n];
                for i in 0..n {
                    if a.ok[i] {
                        match pow10(a.scale) {
                            Some(p) if a.vals[i] % p == 0 => {
                                out[i] = Some(Arc::from((a.vals[i] / p).to_string()))
                            }
                            _ => self.fallback[i] = true,
                        }
                    }
                }
                Vector::Text(out)
            }
            // A relative is its own column (`rel_of_col`); anywhere else it is not expected.
            Relative(_) => self.all_bad(),
        }
    }

    fn rank(&mut self, a: &Vector, s: usize) -> Vector {
        let n = self.n;
        let labels = self
            .plan
            .scales
            .get(s)
            .map(|s| &s.labels[..])
            .unwrap_or(&[]);
        let mut out = Nums::new(0, n);
        if let Vector::Text(a) = a {
            for i in 0..n {
                if let Some(t) = &a[i] {
                    if let Some(r) = labels.iter().position(|l| **l == **t) {
                        out.vals[i] = r as i128;
                        out.ok[i] = true;
                    }
                }
            }
        }
        Vector::Num(out)
    }

    /// A number → number map; `f` returns the value and its scale (the same for every row).
    fn map_num(&mut self, a: &PExpr, f: impl Fn(i128, u32) -> Option<(i128, u32)>) -> Vector {
        let n = self.n;
        let Vector::Num(a) = self.eval(a) else {
            return Vector::Null;
        };
        // The result's scale, from a row that does not matter.
        let scale = f(0, a.scale).map(|(_, s)| s).unwrap_or(a.scale);
        let mut out = Nums::new(scale, n);
        for i in 0..n {
            if a.ok[i] {
                match f(a.vals[i], a.scale).and_then(|(v, s)| in_range(v, s)) {
                    Some(v) => {
                        out.vals[i] = v;
                        out.ok[i] = true;
                    }
                    None => self.fallback[i] = true,
                }
            }
        }
        Vector::Num(out)
    }

    /// Two numbers at their common scale.
    fn pair(&mut self, a: &PExpr, b: &PExpr) -> Option<(Nums, Nums)> {
        let (a, b) = (self.eval(a), self.eval(b));
        let n = self.n;
        let (a, b) = match (a, b) {
            (Vector::Num(a), Vector::Num(b)) => (a, b),
            (Vector::Num(a), Vector::Null) => {
                let s = a.scale;
                (a, Nums::new(s, n))
            }
            (Vector::Null, Vector::Num(b)) => {
                let s = b.scale;
                (Nums::new(s, n), b)
            }
            _ => return None,
        };
        let s = a.scale.max(b.scale);
        Some((
            a.rescaled(s, &mut self.fallback),
            b.rescaled(s, &mut self.fallback),
        ))
    }

    fn arith(&mut self, a: &PExpr, b: &PExpr, f: impl Fn(i128, i128) -> Option<i128>) -> Vector {
        let n = self.n;
        let Some((a, b)) = self.pair(a, b) else {
            return Vector::Null;
        };
        let mut out = Nums::new(a.scale, n);
        for i in 0..n {
            if a.ok[i] && b.ok[i] {
                match f(a.vals[i], b.vals[i]).and_then(|v| in_range(v, a.scale)) {
                    Some(v) => {
                        out.vals[i] = v;
                        out.ok[i] = true;
                    }
                    None => self.fallback[i] = true,
                }
            }
        }
        Vector::Num(out)
    }

    /// A product at the sum of the scales, rounded to [`QUOTIENT_PLACES`] beyond that.
    fn mul(&mut self, a: &PExpr, b: &PExpr) -> Vector {
        let n = self.n;
        let (a, b) = (self.eval(a), self.eval(b));
        let (Vector::Num(a), Vector::Num(b)) = (a, b) else {
            return Vector::Null;
        };
        let full = a.scale + b.scale;
        let scale = full.min(QUOTIENT_PLACES);
        let mut out = Nums::new(scale, n);
        for i in 0..n {
            if a.ok[i] && b.ok[i] {
                match a.vals[i]
                    .checked_mul(b.vals[i])
                    .and_then(|p| round_to(p, full, scale))
                    .and_then(|v| in_range(v, scale))
                {
                    Some(v) => {
                        out.vals[i] = v;
                        out.ok[i] = true;
                    }
                    None => self.fallback[i] = true,
                }
            }
        }
        Vector::Num(out)
    }

    /// The quotient rounded to [`QUOTIENT_PLACES`]; `NULL` for a zero divisor.
    fn div(&mut self, a: &PExpr, b: &PExpr) -> Vector {
        let n = self.n;
        let (a, b) = (self.eval(a), self.eval(b));
        let (Vector::Num(a), Vector::Num(b)) = (a, b) else {
            return Vector::Null;
        };
        let q = QUOTIENT_PLACES;
        let mut out = Nums::new(q, n);
        for i in 0..n {
            if a.ok[i] && b.ok[i] && b.vals[i] != 0 {
                match div(a.vals[i], a.scale, b.vals[i], b.scale, q).and_then(|v| in_range(v, q)) {
                    Some(v) => {
                        out.vals[i] = v;
                        out.ok[i] = true;
                    }
                    None => self.fallback[i] = true,
                }
            }
        }
        Vector::Num(out)
    }

    fn cmp(&mut self, op: CmpOp, a: &PExpr, b: &PExpr, kind: CmpKind) -> Vector {
        let n = self.n;
        let test = |o: Ordering| match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        };
        let mut out = vec![NULL; n];
        match kind {
            CmpKind::Num { settle } => {
                let (x, y) = (self.eval(a), self.eval(b));
                let (Vector::Num(mut x), Vector::Num(mut y)) = (x, y) else {
                    return Vector::Bool(out);
                };
                if settle {
                    for v in [&mut x, &mut y] {
                        if v.scale > SETTLE_PLACES {
                            for i in 0..n {
                                if v.ok[i] {
                                    // Dropping places cannot overflow.
                                    v.vals[i] =
                                        round_to(v.vals[i], v.scale, SETTLE_PLACES).unwrap_or(0);
                                }
                            }
                            v.scale = SETTLE_PLACES;
                        }
                    }
                }
                let s = x.scale.max(y.scale);
                let x = x.rescaled(s, &mut self.fallback);
                let y = y.rescaled(s, &mut self.fallback);
                for i in 0..n {
                    if x.ok[i] && y.ok[i] {
                        out[i] = u8::from(test(x.vals[i].cmp(&y.vals[i])));
                    }
                }
            }
            CmpKind::Label(Some(s)) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                let (x, y) = (self.eval(a), self.eval(b));
                let (Vector::Num(x), Vector::Num(y)) = (self.rank(&x, s), self.rank(&y, s)) else {
                    return Vector::Bool(out);
                };
                for i in 0..n {
                    if x.ok[i] && y.ok[i] {
                        // Better is greater: a smaller rank.
                        out[i] = u8::from(test(y.vals[i].cmp(&x.vals[i])));
                    }
                }
            }
            _ => {
                let (x, y) = (self.eval(a), self.eval(b));
                for (i, slot) in out.iter_mut().enumerate() {
                    if let Some(o) = order(&x, &y, i) {
                        *slot = u8::from(test(o));
                    }
                }
            }
        }
        Vector::Bool(out)
    }

    /// First-match: each arm's condition over the rows no earlier arm decided, its value over
    /// the rows it decides.
    fn case(&mut self, arms: &[(PExpr, PExpr)], otherwise: &PExpr) -> Vector {
        let n = self.n;
        let mut live = vec![true; n];
        let mut taken: Vec<(Vec<bool>, Vector)> = Vec::with_capacity(arms.len() + 1);
        for (c, v) in arms {
            if !live.iter().any(|l| *l) {
                break;
            }
            let cond = self.eval_live(c, &live).bools(n);
            let mut takes = vec![false; n];
            for i in 0..n {
                if live[i] && cond[i] == T {
                    takes[i] = true;
                    live[i] = false;
                }
            }
            if takes.iter().any(|t| *t) {
                let val = self.eval_live(v, &takes);
                taken.push((takes, val));
            }
        }
        if live.iter().any(|l| *l) && *otherwise != PExpr::Null {
            let val = self.eval_live(otherwise, &live);
            taken.push((live, val));
        }
        let (masks, mut vals): (Vec<Vec<bool>>, Vec<Vector>) = taken.into_iter().unzip();
        if vals.is_empty() {
            return self.null_of_case(arms, otherwise);
        }
        // One arm decided every row: its values are the result.
        if let ([mask], [_]) = (&masks[..], &vals[..]) {
            if mask.iter().all(|m| *m) {
                return vals.pop().unwrap_or(Vector::Null);
            }
        }
        // All NULL values: nothing to unify.
        let vals = if vals.iter().all(|v| matches!(v, Vector::Null)) {
            vals
        } else {
            match unify(vals, n, &mut self.fallback) {
                Some(vals) => vals,
                None => return self.all_bad(),
            }
        };
        let mut out = vals
            .iter()
            .find(|v| !matches!(v, Vector::Null))
            .map(|v| v.nulls_like(n))
            .unwrap_or(Vector::Null);
        for (mask, v) in masks.iter().zip(&vals) {
            out.copy_masked(mask, v);
        }
        out
    }

    /// A `Case` no row took an arm of: `NULL` of the type its values would have.
    fn null_of_case(&self, arms: &[(PExpr, PExpr)], otherwise: &PExpr) -> Vector {
        let n = self.n;
        let values = arms.iter().map(|(_, v)| v).chain([otherwise]);
        for v in values {
            let t = match v {
                PExpr::Num(_) | PExpr::Int(_) => Some(Vector::Num(Nums::new(0, n))),
                PExpr::Text(_) => Some(Vector::Text(vec![None; n])),
                PExpr::Bool(_) => Some(Vector::Bool(vec![NULL; n])),
                PExpr::Date(_) => Some(Vector::Date(vec![None; n])),
                PExpr::Col(c) => self.cols.get(*c).map(|c| c.nulls_like(n)),
                _ => None,
            };
            if let Some(t) = t {
                return t;
            }
        }
        Vector::Null
    }
}

/// How row `i` of two vectors of one kind compare (numbers at any scales); `None` for `NULL`.
fn order(a: &Vector, b: &Vector, i: usize) -> Option<Ordering> {
    match (a, b) {
        (Vector::Num(x), Vector::Num(y)) => {
            if !x.ok[i] || !y.ok[i] {
                return None;
            }
            let s = x.scale.max(y.scale);
            let (p, q) = (up(x.vals[i], x.scale, s), up(y.vals[i], y.scale, s));
            match (p, q) {
                (Some(p), Some(q)) => Some(p.cmp(&q)),
                // Too large to align: compare as exact decimals.
                _ => {
                    let p = Decimal::try_from_i128_with_scale(x.vals[i], x.scale).ok()?;
                    let q = Decimal::try_from_i128_with_scale(y.vals[i], y.scale).ok()?;
                    Some(p.cmp(&q))
                }
            }
        }
        (Vector::Bool(x), Vector::Bool(y)) => {
            (x[i] != NULL && y[i] != NULL).then(|| x[i].cmp(&y[i]))
        }
        (Vector::Date(x), Vector::Date(y)) => Some(x[i]?.cmp(&y[i]?)),
        (Vector::Text(x), Vector::Text(y)) => Some(x[i].as_deref()?.cmp(y[i].as_deref()?)),
        _ => None,
    }
}
