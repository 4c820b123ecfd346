//! The fast path: the named values, scorecards, grades and tags of one record, computed over
//! copyable values.
//!
//! The interpreter ([`super::interpret::Env`]) carries `Value`s, whose labels and texts are
//! reference-counted (`Arc<str>`: an atomic increment per copy, shared by every worker), returns
//! rich errors from every step and can write a sentence for each. Whole-file runs need none of
//! that for the rows that grade. This module walks the same compiled expressions ([`CExpr`],
//! names resolved to slots, `linear` bounds folded) with [`F`] values: numbers, dates and
//! booleans by value, labels and texts borrowed from the program or the record, texts built
//! by `concat` in a per-record arena. Nothing is allocated per value and nothing is written.
//!
//! The arithmetic is the interpreter's own ([`number::arith`], [`number::compare`],
//! [`number::round`]): exact decimals, settled comparisons, the same units, so a record gets
//! the same values on both paths. Whenever anything is not plain (an error of any kind, a
//! missing value where a decision needs one, a manual override, a type the fast path does not
//! carry), it gives up on the record ([`Bail`]) and the interpreter grades it, with its
//! diagnostics. `tests/integration/paths.rs` checks both paths agree on every shipped sample and on a
//! generated file.

use super::date;
use super::number;
use super::program::*;
use crate::ast::CmpOp;
use crate::value::{Duration, Label, Unit, Value};
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A value of the fast path. `'a` borrows from the program and the record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum F<'a> {
    Missing,
    Num(Decimal, Unit),
    Date(Date),
    Dur(Duration),
    Bool(bool),
    Label(&'a Arc<str>, u32),
    Text(&'a Arc<str>),
    /// A text built during this record (`concat`): an index into [`Scratch::owned`].
    Owned(u32),
}

/// The fast path gives up on this record: the interpreter grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bail;

type R<T> = Result<T, Bail>;

impl<'a> F<'a> {
    fn of(v: &'a Value) -> F<'a> {
        match v {
            Value::Missing => F::Missing,
            Value::Number(d, u) => F::Num(*d, *u),
            Value::Date(d) => F::Date(*d),
            Value::Duration(d) => F::Dur(*d),
            Value::Bool(b) => F::Bool(*b),
            Value::Label(l) => F::Label(&l.name, l.rank),
            Value::Text(t) => F::Text(t),
        }
    }

    fn is_missing(&self) -> bool {
        matches!(self, F::Missing)
    }

    /// The value, when it holds no text (no allocation, no reference count).
    fn scalar(&self) -> Option<Value> {
        Some(match *self {
            F::Missing => Value::Missing,
            F::Num(d, u) => Value::Number(d, u),
            F::Date(d) => Value::Date(d),
            F::Dur(d) => Value::Duration(d),
            F::Bool(b) => Value::Bool(b),
            _ => return None,
        })
    }

    fn from_scalar(v: Value) -> R<F<'a>> {
        Ok(match v {
            Value::Missing => F::Missing,
            Value::Number(d, u) => F::Num(d, u),
            Value::Date(d) => F::Date(d),
            Value::Duration(d) => F::Dur(d),
            Value::Bool(b) => F::Bool(b),
            _ => return Err(Bail),
        })
    }
}

/// Per-record working memory: reused across the records a worker grades.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub owned: Vec<String>,
}

/// What the fast path computed for one record.
pub(crate) struct Computed<'a> {
    /// One value per node (`Program::nodes`).
    pub nodes: Vec<F<'a>>,
    /// Every scorecard component's points (flat, `Program::comp_count`).
    pub comps: Vec<Decimal>,
    /// Per node: for a grade, the index of the arm that decided it.
    pub arms: Vec<u32>,
    /// Per tag: whether its condition holds (`None`: missing).
    pub tags: Vec<Option<bool>>,
}

/// The evaluation state of one record.
pub(crate) struct Fast<'a, 's> {
    prog: &'a Program,
    record: &'a [Value],
    rels: &'a [Value],
    as_of: Date,
    nodes: Vec<F<'a>>,
    comps: Vec<Decimal>,
    scratch: &'s mut Scratch,
}

/// Computes every node and tag of `prog` for one record, or gives up on it.
pub(crate) fn compute<'a>(
    prog: &'a Program,
    record: &'a [Value],
    rels: &'a [Value],
    as_of: Date,
    scratch: &mut Scratch,
) -> R<Computed<'a>> {
    // Aggregates over events are the interpreter's (see `eval::events`).
    if !prog.aggregates.is_empty() {
        return Err(Bail);
    }
    scratch.owned.clear();
    let mut fx = Fast {
        prog,
        record,
        rels,
        as_of,
        nodes: vec![F::Missing; prog.nodes.len()],
        comps: vec![Decimal::ZERO; prog.comp_count],
        scratch,
    };
    let mut arms = vec![0u32; prog.nodes.len()];
    for &n in &prog.order {
        let node = &prog.nodes[n];
        if let Some((with, _, _)) = node.override_by {
            // A manual grade is the interpreter's business (it checks the label and reason).
            if !record.get(with).is_none_or(Value::is_missing) {
                return Err(Bail);
            }
        }
        let v = match &node.kind {
            NodeKind::Let(e) => fx.eval(e)?,
            NodeKind::Scorecard(sc) => fx.scorecard(sc)?,
            NodeKind::Grade(g) => {
                let (label, arm) = fx.grade(g)?;
                arms[n] = arm;
                F::Label(&label.name, label.rank)
            }
            NodeKind::Adjust(a) => fx.adjust(node, a)?,
        };
        fx.nodes[n] = v;
    }
    let mut tags = Vec::with_capacity(prog.tags.len());
    for t in &prog.tags {
        let v = fx.eval(&t.when)?;
        tags.push(truth(v)?);
    }
    Ok(Computed {
        nodes: fx.nodes,
        comps: fx.comps,
        arms,
        tags,
    })
}

/// The interpreter's value of a fast value (texts and labels share the program's strings).
pub(crate) fn to_value(v: F<'_>, scratch: &Scratch) -> Value {
    match v {
        F::Missing => Value::Missing,
        F::Num(d, u) => Value::Number(d, u),
        F::Date(d) => Value::Date(d),
        F::Dur(d) => Value::Duration(d),
        F::Bool(b) => Value::Bool(b),
        F::Label(name, rank) => Value::Label(Label {
            name: name.clone(),
            rank,
        }),
        F::Text(t) => Value::Text(t.clone()),
        F::Owned(i) => Value::Text(Arc::from(
            scratch
                .owned
                .get(i as usize)
                .map(String::as_str)
                .unwrap_or(""),
        )),
    }
}

/// A yes/no; `None` when missing; anything else is a type error (the interpreter reports it).
fn truth(v: F<'_>) -> R<Option<bool>> {
    match v {
        F::Bool(b) => Ok(Some(b)),
        F::Missing => Ok(None),
        _ => Err(Bail),
    }
}

/// `a = b` as [`number::equal`] decides it, on non-missing values.
fn equal(a: F<'_>, b: F<'_>) -> R<bool> {
    match (a, b) {
        (F::Label(x, _), F::Label(y, _)) => Ok(x == y),
        (F::Label(x, _), F::Text(y)) | (F::Text(y), F::Label(x, _)) => Ok(**x == **y),
        (F::Text(x), F::Text(y)) => Ok(x == y),
        (a, b) => match (a.scalar(), b.scalar()) {
            (Some(x), Some(y)) => number::equal(&x, &y).map_err(|_| Bail),
            _ => Err(Bail),
        },
    }
}

/// A comparison as [`number::compare`] decides it; `None` when either side is missing.
fn compare(op: CmpOp, a: F<'_>, b: F<'_>) -> R<Option<bool>> {
    if a.is_missing() || b.is_missing() {
        return Ok(None);
    }
    let decide = |o: std::cmp::Ordering| match op {
        CmpOp::Eq => o.is_eq(),
        CmpOp::Ne => o.is_ne(),
        CmpOp::Lt => o.is_lt(),
        CmpOp::Le => o.is_le(),
        CmpOp::Gt => o.is_gt(),
        CmpOp::Ge => o.is_ge(),
    };
    match (a, b) {
        // The common cases, as number::order decides them (numbers settled, whatever the unit).
        (F::Num(x, _), F::Num(y, _)) => Ok(Some(decide(number::settle(x).cmp(&number::settle(y))))),
        (F::Date(x), F::Date(y)) => Ok(Some(decide(x.cmp(&y)))),
        (F::Label(_, x), F::Label(_, y)) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
            // The better label (lower rank) is greater.
            let o = y.cmp(&x);
            Ok(Some(match op {
                CmpOp::Lt => o.is_lt(),
                CmpOp::Le => o.is_le(),
                CmpOp::Gt => o.is_gt(),
                _ => o.is_ge(),
            }))
        }
        _ if matches!(op, CmpOp::Eq) => equal(a, b).map(Some),
        _ if matches!(op, CmpOp::Ne) => equal(a, b).map(|e| Some(!e)),
        _ => match (a.scalar(), b.scalar()) {
            (Some(x), Some(y)) => number::compare(op, &x, &y).map_err(|_| Bail),
            _ => Err(Bail),
        },
    }
}

impl<'a> Fast<'a, '_> {
    fn slot(&self, s: Slot) -> F<'a> {
        match s {
            Slot::Input(i) => self.record.get(i).map(F::of).unwrap_or(F::Missing),
            Slot::Rel(i) => self.rels.get(i).map(F::of).unwrap_or(F::Missing),
            Slot::Node(i) => self.nodes.get(i).copied().unwrap_or(F::Missing),
            // Unreachable: `compute` hands rulesets with events to the interpreter.
            Slot::Agg(_) => F::Missing,
        }
    }

    fn num(&mut self, e: &'a CExpr) -> R<Decimal> {
        match self.ev(e)? {
            F::Num(d, _) => Ok(d),
            _ => Err(Bail),
        }
    }

    /// A literal or a name without a call: most operands are one, and returning a value
    /// through the general case costs more than computing it.
    #[inline(always)]
    fn ev(&mut self, e: &'a CExpr) -> R<F<'a>> {
        match &e.kind {
            CKind::Const(v) => Ok(F::of(v)),
            CKind::Slot(s) => Ok(self.slot(*s)),
            _ => self.eval(e),
        }
    }

    fn eval(&mut self, e: &'a CExpr) -> R<F<'a>> {
        Ok(match &e.kind {
            CKind::Const(v) => F::of(v),
            CKind::Slot(s) => self.slot(*s),
            CKind::Comp(i) => match self.comps.get(*i) {
                Some(d) => F::Num(*d, Unit::Plain),
                None => F::Missing,
            },
            CKind::AsOf => F::Date(self.as_of),
            CKind::Neg(x) => {
                let v = self.ev(x)?.scalar().ok_or(Bail)?;
                F::from_scalar(number::neg(&v).map_err(|_| Bail)?)?
            }
            CKind::Not(x) => match truth(self.ev(x)?)? {
                Some(b) => F::Bool(!b),
                None => F::Missing,
            },
            CKind::Arith(op, a, b) => {
                let va = self.ev(a)?.scalar().ok_or(Bail)?;
                let vb = self.ev(b)?.scalar().ok_or(Bail)?;
                F::from_scalar(number::arith(*op, &va, &vb).map_err(|_| Bail)?)?
            }
            CKind::And(a, b) | CKind::Or(a, b) => {
                let is_and = matches!(e.kind, CKind::And(..));
                let ta = truth(self.ev(a)?)?;
                if ta == Some(!is_and) {
                    return Ok(F::Bool(!is_and));
                }
                let tb = truth(self.ev(b)?)?;
                match (ta, tb) {
                    (_, Some(x)) if x != is_and => F::Bool(x),
                    (Some(_), Some(_)) => F::Bool(is_and),
                    _ => F::Missing,
                }
            }
            CKind::Coalesce(a, b) => {
                let va = self.ev(a)?;
                if va.is_missing() {
                    self.ev(b)?
                } else {
                    va
                }
            }
            CKind::Cmp(op, a, b) => {
                let va = self.ev(a)?;
                let vb = self.ev(b)?;
                match compare(*op, va, vb)? {
                    Some(r) => F::Bool(r),
                    None => F::Missing,
                }
            }
            CKind::IsMissing(x, negated) => F::Bool(self.ev(x)?.is_missing() != *negated),
            CKind::In(x, set, negated) => {
                let v = self.ev(x)?;
                if v.is_missing() {
                    return Ok(F::Missing);
                }
                for s in set {
                    let sv = self.ev(s)?;
                    if !sv.is_missing() && equal(v, sv)? {
                        return Ok(F::Bool(!negated));
                    }
                }
                F::Bool(*negated)
            }
            CKind::If(c, a, b) => match truth(self.ev(c)?)? {
                Some(true) => self.ev(a)?,
                Some(false) => self.ev(b)?,
                None => F::Missing,
            },
            CKind::Call(f, args) => self.call(*f, args)?,
            CKind::AtLeast(k, items) => {
                let (mut yes, mut unknown) = (0u32, 0u32);
                for it in items {
                    match truth(self.ev(it)?)? {
                        Some(true) => yes += 1,
                        Some(false) => {}
                        None => unknown += 1,
                    }
                }
                if yes >= *k {
                    F::Bool(true)
                } else if yes + unknown < *k {
                    F::Bool(false)
                } else {
                    F::Missing
                }
            }
            CKind::Linear(l) => self.linear(l)?,
            CKind::Bands(b) => self.bands(b)?,
            CKind::Match(m) => self.matches(m)?,
            CKind::Matrix(m) => self.matrix(m)?,
        })
    }

    fn call(&mut self, f: Func, args: &'a [CExpr]) -> R<F<'a>> {
        // At most a few arguments: no allocation.
        let mut vals: [F<'a>; 8] = [F::Missing; 8];
        if args.len() > vals.len() {
            return Err(Bail);
        }
        for (slot, a) in vals.iter_mut().zip(args) {
            *slot = self.ev(a)?;
        }
        let vals = &vals[..args.len()];
        if !matches!(f, Func::CountOf) && vals.iter().any(F::is_missing) {
            return Ok(F::Missing);
        }
        let num = |d: i64| F::Num(Decimal::from(d), Unit::Plain);
        Ok(match f {
            Func::DaysSince | Func::MonthsSince | Func::Year | Func::Month => {
                let [F::Date(d)] = vals else {
                    return Err(Bail);
                };
                let r = match f {
                    Func::DaysSince => date::days_between(*d, self.as_of),
                    Func::MonthsSince => date::months_between(*d, self.as_of),
                    Func::Year => Some(i64::from(d.year())),
                    _ => Some(i64::from(d.month())),
                };
                num(r.ok_or(Bail)?)
            }
            Func::DaysBetween => match vals {
                [F::Date(a), F::Date(b)] => num(date::days_between(*a, *b).ok_or(Bail)?),
                _ => return Err(Bail),
            },
            Func::Min | Func::Max => {
                let mut best: Option<F<'a>> = None;
                for v in vals {
                    best = Some(match best {
                        None => *v,
                        Some(b) => {
                            let (x, y) = (v.scalar().ok_or(Bail)?, b.scalar().ok_or(Bail)?);
                            let o = number::order(&x, &y).map_err(|_| Bail)?;
                            let take = if f == Func::Min { o.is_lt() } else { o.is_gt() };
                            if take {
                                *v
                            } else {
                                b
                            }
                        }
                    });
                }
                best.ok_or(Bail)?
            }
            Func::Abs | Func::Floor | Func::Ceil => {
                let [F::Num(d, u)] = vals else {
                    return Err(Bail);
                };
                F::Num(
                    match f {
                        Func::Abs => d.abs(),
                        Func::Floor => number::settle(*d).floor(),
                        _ => number::settle(*d).ceil(),
                    },
                    *u,
                )
            }
            Func::Round => {
                let places = match vals.get(1) {
                    None => 0,
                    Some(F::Num(n, _)) if *n >= Decimal::ZERO && n.fract().is_zero() => {
                        n.to_u32().unwrap_or(28).min(28)
                    }
                    Some(_) => return Err(Bail),
                };
                match vals.first() {
                    Some(F::Num(d, u)) => F::Num(number::round(*d, places), *u),
                    _ => return Err(Bail),
                }
            }
            Func::Concat => {
                let mut s = String::new();
                for v in vals {
                    match v {
                        F::Label(t, _) | F::Text(t) => s.push_str(t),
                        F::Owned(i) => {
                            let t = self.scratch.owned.get(*i as usize).ok_or(Bail)?;
                            s.push_str(t)
                        }
                        other => {
                            use std::fmt::Write;
                            let v = other.scalar().ok_or(Bail)?;
                            let _ = write!(s, "{v}");
                        }
                    }
                }
                self.scratch.owned.push(s);
                F::Owned((self.scratch.owned.len() - 1) as u32)
            }
            Func::CountOf => {
                let mut n = 0i64;
                for v in vals {
                    match truth(*v)? {
                        Some(true) => n += 1,
                        Some(false) => {}
                        None => return Ok(F::Missing),
                    }
                }
                num(n)
            }
        })
    }

    fn linear(&mut self, l: &'a LinearC) -> R<F<'a>> {
        let x = self.ev(&l.input)?;
        let x = match x {
            F::Num(x, _) => x,
            F::Missing => return Ok(F::Missing),
            _ => return Err(Bail),
        };
        let (a, b, p, q) = match &l.fixed {
            Some(f) => (f.a, f.b, f.p, f.q),
            None => {
                let a = self.num(&l.from)?;
                let b = self.num(&l.to)?;
                let (p, q) = match &l.points {
                    Some((p, q)) => (self.num(p)?, self.num(q)?),
                    None => (Decimal::ZERO, Decimal::ONE_HUNDRED),
                };
                (a, b, p, q)
            }
        };
        if a == b {
            return Err(Bail);
        }
        let (points, _) = l.points(x, (a, b, p, q)).ok_or(Bail)?;
        Ok(F::Num(points, Unit::Plain))
    }

    fn bands(&mut self, b: &'a BandsC) -> R<F<'a>> {
        let x = self.ev(&b.input)?;
        for arm in &b.arms {
            let hit = match &arm.guard {
                BandGuardC::Missing => x.is_missing(),
                BandGuardC::Otherwise => !x.is_missing(),
                BandGuardC::Interval { lo, hi } => {
                    if x.is_missing() {
                        continue;
                    }
                    let mut ok = true;
                    if let Some((lo, incl)) = lo {
                        let v = self.ev(lo)?;
                        let op = if *incl { CmpOp::Ge } else { CmpOp::Gt };
                        ok &= compare(op, x, v)?.unwrap_or(false);
                    }
                    if let Some((hi, incl)) = hi {
                        let v = self.ev(hi)?;
                        let op = if *incl { CmpOp::Le } else { CmpOp::Lt };
                        ok &= compare(op, x, v)?.unwrap_or(false);
                    }
                    ok
                }
            };
            if hit {
                return self.ev(&arm.value);
            }
        }
        Err(Bail)
    }

    fn matches(&mut self, m: &'a MatchC) -> R<F<'a>> {
        let x = self.ev(&m.input)?;
        for (keys, value, _) in &m.arms {
            let hit = match keys {
                MatchKeysC::Missing => x.is_missing(),
                MatchKeysC::Otherwise => !x.is_missing(),
                MatchKeysC::Values(ks) => {
                    let mut hit = false;
                    if !x.is_missing() {
                        for k in ks {
                            let kv = self.ev(k)?;
                            if !kv.is_missing() && equal(x, kv)? {
                                hit = true;
                                break;
                            }
                        }
                    }
                    hit
                }
            };
            if hit {
                return self.ev(value);
            }
        }
        Err(Bail)
    }

    fn key_index(
        &mut self,
        keys: impl Iterator<Item = &'a Option<CExpr>>,
        x: F<'a>,
    ) -> R<Option<usize>> {
        let mut otherwise = None;
        for (i, k) in keys.enumerate() {
            match k {
                None => {
                    if otherwise.is_none() {
                        otherwise = Some(i);
                    }
                }
                Some(k) => {
                    let kv = self.ev(k)?;
                    if equal(x, kv)? {
                        return Ok(Some(i));
                    }
                }
            }
        }
        Ok(otherwise)
    }

    fn matrix(&mut self, m: &'a MatrixC) -> R<F<'a>> {
        let r = self.ev(&m.row)?;
        let c = self.ev(&m.col)?;
        if r.is_missing() || c.is_missing() {
            return Err(Bail);
        }
        let ri = self.key_index(m.rows.iter().map(|(k, _, _)| k), r)?;
        let ci = self.key_index(m.columns.iter(), c)?;
        let cell = match (ri, ci) {
            (Some(ri), Some(ci)) => m.rows.get(ri).and_then(|(_, cells, _)| cells.get(ci)),
            _ => None,
        };
        self.ev(cell.ok_or(Bail)?)
    }

    fn scorecard(&mut self, sc: &'a ScorecardC) -> R<F<'a>> {
        let mut total = Decimal::ZERO;
        for (i, c) in sc.components.iter().enumerate() {
            let points = match self.ev(&c.expr)? {
                F::Num(d, _) => d,
                F::Missing => match &c.on_missing {
                    Some(m) => match self.ev(m)? {
                        F::Num(d, _) => d,
                        _ => return Err(Bail),
                    },
                    None => return Err(Bail),
                },
                _ => return Err(Bail),
            };
            let weighted = match &c.weight {
                Some((w, _)) => points.checked_mul(*w).ok_or(Bail)?,
                None => points,
            };
            total = total.checked_add(weighted).ok_or(Bail)?;
            if let Some(slot) = self.comps.get_mut(sc.first_comp + i) {
                *slot = points;
            }
        }
        if let Some(places) = sc.round {
            total = number::round(total, places);
        }
        Ok(F::Num(total, Unit::Plain))
    }

    fn grade(&mut self, g: &'a GradeC) -> R<(&'a Label, u32)> {
        match g {
            GradeC::Thresholds { input, arms } => {
                let x = self.ev(input)?;
                for (i, arm) in arms.iter().enumerate() {
                    let hit = match &arm.test {
                        ThresholdTestC::Missing => x.is_missing(),
                        ThresholdTestC::Otherwise => !x.is_missing(),
                        ThresholdTestC::Cmp(_, _) if x.is_missing() => false,
                        ThresholdTestC::Cmp(op, e) => {
                            let v = self.ev(e)?;
                            compare(*op, x, v)? == Some(true)
                        }
                    };
                    if hit {
                        return Ok((&arm.label, i as u32));
                    }
                }
                Err(Bail)
            }
            GradeC::Rules { arms } => {
                for (i, arm) in arms.iter().enumerate() {
                    if let Some(w) = &arm.when {
                        match truth(self.ev(w)?)? {
                            Some(true) => {}
                            Some(false) => continue,
                            None => return Err(Bail),
                        }
                    }
                    return Ok((&arm.label, i as u32));
                }
                Err(Bail)
            }
        }
    }

    fn adjust(&mut self, node: &'a Node, a: &'a AdjustC) -> R<F<'a>> {
        let labels: &'a [Arc<str>] = node
            .scale
            .and_then(|s| self.prog.scales.get(s))
            .map(|s| s.labels.as_slice())
            .unwrap_or(&[]);
        let mut cur = match self.slot(a.base) {
            F::Label(name, _) => labels.iter().position(|x| x == name).ok_or(Bail)?,
            _ => return Err(Bail),
        };
        for arm in &a.arms {
            match truth(self.ev(&arm.when)?)? {
                Some(true) => {}
                Some(false) => continue,
                None => return Err(Bail),
            }
            cur = arm.action.apply(cur, labels.len());
        }
        let name = labels.get(cur).ok_or(Bail)?;
        Ok(F::Label(name, cur as u32))
    }
}
