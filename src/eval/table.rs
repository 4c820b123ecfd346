//! The special forms (`linear`, `bands`, `match`, `matrix`, `at_least`), each with its sentence
//! for the explanation: `回款率 92%: 90%→100% linear → 20`.

use super::interpret::{text, Env, SpanText, R};
use super::number::{self, show_dec, OpError};
use super::program::*;
use super::EvalError;
use crate::diagnostic::Code;
use crate::source::SourceFile;
use crate::value::{Unit, Value};
use rust_decimal::Decimal;

impl<'a> Env<'a> {
    /// Evaluates `e`; with `explain`, also says how the value came about (for special forms
    /// their own sentence, else `EXPR = VALUE`).
    pub fn form(&self, e: &CExpr, src: &SourceFile, explain: bool) -> R<(Value, Option<String>)> {
        match &e.kind {
            CKind::Linear(l) => self.linear(l, e, src, explain),
            CKind::Bands(b) => self.bands(b, e, src, explain),
            CKind::Match(m) => self.matches(m, e, src, explain),
            CKind::Matrix(m) => self.matrix(m, e, src, explain),
            CKind::AtLeast(k, items) => self.at_least(*k, items, src, explain),
            _ => {
                let v = self.eval(e, src)?;
                let why = explain.then(|| self.generic(e, &v, src));
                Ok((v, why))
            }
        }
    }

    /// `EXPR = VALUE (NAME = V, …)`, or just the value when the expression is a literal.
    pub fn generic(&self, e: &CExpr, v: &Value, src: &SourceFile) -> String {
        let t = text(src, e.span);
        match &e.kind {
            CKind::Const(_) => v.to_string(),
            CKind::Slot(_) => format!("{t} = {v}"),
            _ => match self.refs(e) {
                Some(r) => format!("{t} = {v} ({r})"),
                None => format!("{t} = {v}"),
            },
        }
    }

    /// The named values an expression reads, with their values: `销售额 = 200万, 欠款 = 0元`.
    pub fn refs(&self, e: &CExpr) -> Option<String> {
        self.refs_skipping(e, false)
    }

    /// [`Env::refs`], without the yes/no values when `skip_bools`. Every value shows in its own
    /// unit, as it does in its own step: a ratio computed as 0.25 reads `0.25` here too, even
    /// beside a `20%` (one display per value in an explanation).
    fn refs_skipping(&self, e: &CExpr, skip_bools: bool) -> Option<String> {
        let mut refs: Vec<String> = Vec::new();
        super::compile_order::walk(e, &mut |k| {
            if let CKind::Slot(s) = k {
                if skip_bools && matches!(self.slot(*s), Value::Bool(_)) {
                    return;
                }
                let shown = self.slot(*s).to_string();
                let item = format!("{} = {shown}", self.prog.slot_name(*s));
                if !refs.contains(&item) && refs.len() < 8 {
                    refs.push(item);
                }
            }
        });
        (!refs.is_empty()).then(|| refs.join(", "))
    }

    /// A compound condition part by part, each marked: `回款率 >= 90% ✓ and 退货率 <= 8% ✗`;
    /// an `at_least` inside says how many held. `None` for a simple condition.
    fn parts(&self, e: &CExpr, src: &SourceFile) -> Option<String> {
        fn go(env: &Env, e: &CExpr, src: &SourceFile, out: &mut String, top: bool) {
            let paren = |out: &mut String, x: &CExpr, parent_and: bool| {
                let wrap = parent_and && matches!(x.kind, CKind::Or(..));
                if wrap {
                    out.push('(');
                }
                go(env, x, src, out, false);
                if wrap {
                    out.push(')');
                }
            };
            match &e.kind {
                CKind::And(a, b) | CKind::Or(a, b) => {
                    let is_and = matches!(e.kind, CKind::And(..));
                    paren(out, a, is_and);
                    out.push_str(if is_and { " and " } else { " or " });
                    paren(out, b, is_and);
                }
                CKind::AtLeast(..) => match env.form(e, src, true) {
                    Ok((_, Some(w))) => out.push_str(&w),
                    _ => out.push_str(&text(src, e.span)),
                },
                _ => {
                    out.push_str(&text(src, e.span));
                    if !top {
                        out.push_str(match env.eval(e, src) {
                            Ok(Value::Bool(true)) => " ✓",
                            Ok(Value::Bool(false)) => " ✗",
                            _ => " ?",
                        });
                    }
                }
            }
        }
        if !matches!(e.kind, CKind::And(..) | CKind::Or(..)) {
            return None;
        }
        let mut out = String::new();
        go(self, e, src, &mut out, true);
        Some(out)
    }

    /// A condition as written (part by part when compound), followed by the values it read
    /// unless the text already says them: `回款率 >= 90% (回款率 = 92%)`, `客户类型 = 加盟商`.
    pub fn with_refs(&self, e: &CExpr, src: &SourceFile) -> String {
        let written = text(src, e.span);
        let parts = self.parts(e, src);
        let t = parts.as_deref().unwrap_or(&written);
        // Yes/no values are already shown by the parts' ✓ and ✗.
        match self.refs_skipping(e, parts.is_some()) {
            Some(r) if !r.split(", ").all(|item| t.contains(item)) => format!("{t} ({r})"),
            _ => t.to_string(),
        }
    }

    fn num(&self, e: &CExpr, src: &SourceFile, what: &str) -> R<Decimal> {
        match self.eval(e, src)? {
            Value::Number(d, _) => Ok(d),
            Value::Missing => {
                Err(self.missing_error(e, src, what, "give it a value, or a default on the input"))
            }
            other => Err(self.op_error(
                OpError::Type(format!(
                    "{what} needs a number, not {}",
                    number::kind_name(&other)
                )),
                e,
                src,
                &[(e, &other)],
            )),
        }
    }

    fn linear(
        &self,
        l: &LinearC,
        e: &CExpr,
        src: &SourceFile,
        explain: bool,
    ) -> R<(Value, Option<String>)> {
        let x = self.eval(&l.input, src)?;
        let input_text = SpanText(src, l.input.span);
        let Value::Number(x, xu) = x else {
            if x.is_missing() {
                return Ok((
                    Value::Missing,
                    explain.then(|| format!("{input_text} is missing")),
                ));
            }
            return Err(self.op_error(
                OpError::Type(format!(
                    "linear needs a number, not {}",
                    number::kind_name(&x)
                )),
                e,
                src,
                &[(&l.input, &x)],
            ));
        };
        let (a, b, p, q) = match &l.fixed {
            Some(f) => (f.a, f.b, f.p, f.q),
            None => {
                let a = self.num(&l.from, src, "linear bound")?;
                let b = self.num(&l.to, src, "linear bound")?;
                let (p, q) = match &l.points {
                    Some((p, q)) => (
                        self.num(p, src, "linear points")?,
                        self.num(q, src, "linear points")?,
                    ),
                    None => (Decimal::ZERO, Decimal::ONE_HUNDRED),
                };
                (a, b, p, q)
            }
        };
        if a == b {
            return Err(EvalError::new(
                Code::EvalLinearEmpty,
                format!("`{}` has the same value at both ends", text(src, e.span)),
                src,
                e.span,
                "from = to",
            )
            .help("`from A to B` needs A ≠ B"));
        }
        let (points, clamped) = l
            .points(x, (a, b, p, q))
            .ok_or(OpError::Overflow)
            .map_err(|err| self.op_error(err, e, src, &[(&l.input, &Value::Number(x, xu))]))?;
        let why = explain.then(|| {
            let shown = Value::Number(x, xu);
            let pts = match &l.points {
                Some((pp, qq)) => {
                    format!(" (points {}→{})", text(src, pp.span), text(src, qq.span))
                }
                None => String::new(),
            };
            format!(
                "{input_text} {shown}: {}→{} linear{pts}{} → {}",
                text(src, l.from.span),
                text(src, l.to.span),
                if clamped { ", clamped" } else { "" },
                show_dec(points),
            )
        });
        Ok((Value::Number(points, Unit::Plain), why))
    }

    fn bands(
        &self,
        b: &BandsC,
        e: &CExpr,
        src: &SourceFile,
        explain: bool,
    ) -> R<(Value, Option<String>)> {
        let x = self.eval(&b.input, src)?;
        let input_text = SpanText(src, b.input.span);
        for arm in &b.arms {
            let (hit, guard) = match &arm.guard {
                BandGuardC::Missing => (x.is_missing(), "missing".to_string()),
                BandGuardC::Otherwise => (!x.is_missing(), "otherwise".to_string()),
                BandGuardC::Interval { lo, hi } => {
                    if x.is_missing() {
                        continue;
                    }
                    let mut ok = true;
                    let mut shown_lo = None;
                    if let Some((lo, incl)) = lo {
                        let v = self.eval(lo, src)?;
                        let op = if *incl {
                            crate::ast::CmpOp::Ge
                        } else {
                            crate::ast::CmpOp::Gt
                        };
                        ok &= number::compare(op, &x, &v)
                            .map_err(|err| self.op_error(err, e, src, &[(&b.input, &x), (lo, &v)]))?
                            .unwrap_or(false);
                        shown_lo = Some((text(src, lo.span), *incl));
                    }
                    let mut shown_hi = None;
                    if let Some((hi, incl)) = hi {
                        let v = self.eval(hi, src)?;
                        let op = if *incl {
                            crate::ast::CmpOp::Le
                        } else {
                            crate::ast::CmpOp::Lt
                        };
                        ok &= number::compare(op, &x, &v)
                            .map_err(|err| self.op_error(err, e, src, &[(&b.input, &x), (hi, &v)]))?
                            .unwrap_or(false);
                        shown_hi = Some((text(src, hi.span), *incl));
                    }
                    let guard = match (shown_lo, shown_hi) {
                        (Some((l, li)), Some((h, hi))) => format!(
                            "{}{l}, {h}{}",
                            if li { "[" } else { "(" },
                            if hi { "]" } else { ")" }
                        ),
                        (Some((l, true)), None) => format!("≥ {l}"),
                        (Some((l, false)), None) => format!("> {l}"),
                        (None, Some((h, true))) => format!("≤ {h}"),
                        (None, Some((h, false))) => format!("< {h}"),
                        (None, None) => "any".to_string(),
                    };
                    (ok, guard)
                }
            };
            if hit {
                let v = self.eval(&arm.value, src)?;
                let why = explain.then(|| format!("{input_text} {x}: {guard} → {v}"));
                return Ok((v, why));
            }
        }
        if x.is_missing() {
            return Err(self.missing_error(
                &b.input,
                src,
                "band lookup",
                "add a `missing -> POINTS` arm to the bands, or a default on the input",
            ));
        }
        Err(EvalError::new(
            Code::EvalUncovered,
            format!("no band holds for {input_text} = {x}"),
            src,
            e.span,
            "no arm covers this value",
        )
        .help("add an `otherwise -> …` arm or close the gap between the bands"))
    }

    fn matches(
        &self,
        m: &MatchC,
        e: &CExpr,
        src: &SourceFile,
        explain: bool,
    ) -> R<(Value, Option<String>)> {
        let x = self.eval(&m.input, src)?;
        let input_text = SpanText(src, m.input.span);
        for (keys, value, _) in &m.arms {
            let hit = match keys {
                MatchKeysC::Missing => x.is_missing(),
                MatchKeysC::Otherwise => !x.is_missing(),
                MatchKeysC::Values(ks) => {
                    let mut hit = false;
                    if !x.is_missing() {
                        for k in ks {
                            let kv = self.eval(k, src)?;
                            if !kv.is_missing()
                                && number::equal(&x, &kv).map_err(|err| {
                                    self.op_error(err, e, src, &[(&m.input, &x), (k, &kv)])
                                })?
                            {
                                hit = true;
                                break;
                            }
                        }
                    }
                    hit
                }
            };
            if hit {
                let v = self.eval(value, src)?;
                let why = explain.then(|| {
                    let how = match keys {
                        MatchKeysC::Otherwise => " (otherwise)",
                        _ => "",
                    };
                    format!("{input_text} = {x}{how} → {v}")
                });
                return Ok((v, why));
            }
        }
        if x.is_missing() {
            return Err(self.missing_error(
                &m.input,
                src,
                "match",
                "add a `missing -> …` arm to the match, or a default on the input",
            ));
        }
        Err(EvalError::new(
            Code::EvalUncovered,
            format!("no arm of the match covers {input_text} = {x}"),
            src,
            e.span,
            "no arm for this value",
        )
        .help("add an arm for it or an `otherwise -> …` arm"))
    }

    fn key_index(
        &self,
        keys: &[Option<CExpr>],
        x: &Value,
        xe: &CExpr,
        e: &CExpr,
        src: &SourceFile,
    ) -> R<Option<usize>> {
        let mut otherwise = None;
        for (i, k) in keys.iter().enumerate() {
            match k {
                None => {
                    if otherwise.is_none() {
                        otherwise = Some(i);
                    }
                }
                Some(k) => {
                    let kv = self.eval(k, src)?;
                    if number::equal(x, &kv)
                        .map_err(|err| self.op_error(err, e, src, &[(xe, x), (k, &kv)]))?
                    {
                        return Ok(Some(i));
                    }
                }
            }
        }
        Ok(otherwise)
    }

    fn matrix(
        &self,
        m: &MatrixC,
        e: &CExpr,
        src: &SourceFile,
        explain: bool,
    ) -> R<(Value, Option<String>)> {
        let r = self.eval(&m.row, src)?;
        let c = self.eval(&m.col, src)?;
        for (x, xe) in [(&r, &m.row), (&c, &m.col)] {
            if x.is_missing() {
                return Err(self.missing_error(
                    xe,
                    src,
                    "matrix lookup",
                    "give the input a default, or write `(X ?? KEY)` as the matrix key",
                ));
            }
        }
        let row_keys: Vec<Option<CExpr>> = m.rows.iter().map(|(k, _, _)| k.clone()).collect();
        let ri = self.key_index(&row_keys, &r, &m.row, e, src)?;
        let ci = self.key_index(&m.columns, &c, &m.col, e, src)?;
        let cell = match (ri, ci) {
            (Some(ri), Some(ci)) => m.rows.get(ri).and_then(|(_, cells, _)| cells.get(ci)),
            _ => None,
        };
        let Some(cell) = cell else {
            return Err(EvalError::new(
                Code::EvalUncovered,
                format!(
                    "the matrix has no cell for {} = {r}, {} = {c}",
                    text(src, m.row.span),
                    text(src, m.col.span)
                ),
                src,
                e.span,
                "no row/column for these keys",
            )
            .help("add the row/column, or an `otherwise` row or column"));
        };
        let v = self.eval(cell, src)?;
        let why = explain.then(|| {
            format!(
                "matrix {}={r} × {}={c} → {v}",
                text(src, m.row.span),
                text(src, m.col.span)
            )
        });
        Ok((v, why))
    }

    fn at_least(
        &self,
        k: u32,
        items: &[CExpr],
        src: &SourceFile,
        explain: bool,
    ) -> R<(Value, Option<String>)> {
        let mut yes = 0u32;
        let mut unknown = 0u32;
        let mut marks = Vec::new();
        for it in items {
            let v = self.eval(it, src)?;
            let t = self.truth(&v, it, src)?;
            match t {
                Some(true) => yes += 1,
                Some(false) => {}
                None => unknown += 1,
            }
            if explain {
                let m = match t {
                    Some(true) => "✓",
                    Some(false) => "✗",
                    None => "? (missing)",
                };
                marks.push(format!("{} {m}", text(src, it.span)));
            }
        }
        // Three-valued: decided once enough hold, or once too few can.
        let v = if yes >= k {
            Value::Bool(true)
        } else if yes + unknown < k {
            Value::Bool(false)
        } else {
            Value::Missing
        };
        let why = explain.then(|| {
            let verdict = match &v {
                Value::Bool(true) => "✓",
                Value::Bool(false) => "✗",
                _ => "? (missing)",
            };
            format!(
                "at_least {k} of ({}) → {yes} {} {k} {verdict}",
                marks.join(", "),
                if yes >= k { "≥" } else { "<" }
            )
        });
        Ok((v, why))
    }
}
