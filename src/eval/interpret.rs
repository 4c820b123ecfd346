//! Evaluating compiled expressions for one record.

use super::number::{self, kind_name, OpError};
use super::program::*;
use super::{date, EvalError, RelKey};
use crate::diagnostic::Code;
use crate::source::{SourceFile, Span};
use crate::value::{Unit, Value};
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::Arc;

/// The state of one evaluation: the record, the relatives, and the named values computed so far.
pub(crate) struct Env<'a> {
    pub prog: &'a Program,
    pub record: &'a [Value],
    pub rels: &'a [Value],
    pub as_of: Date,
    pub nodes: Vec<Value>,
    pub comps: Vec<Value>,
    /// Whether to write the reasons (grade, component, tag, schedule sentences).
    pub words: bool,
}

pub(crate) type R<T> = Result<T, EvalError>;

/// The text of a span in `src` (empty when out of range), as one line: an expression written
/// over several lines has its comments removed and its line breaks collapsed, so a reason in the
/// output's reasons column reads `a and (b or c)`, never raw source with `# comments`.
pub(crate) fn text(src: &SourceFile, span: Span) -> std::borrow::Cow<'_, str> {
    let t = tight(src, span);
    let raw = src.text.get(t.start..t.end).unwrap_or("");
    if !raw.contains('\n') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let lines: Vec<&str> = raw
        .lines()
        .map(|l| strip_comment(l).trim())
        .filter(|l| !l.is_empty())
        .collect();
    std::borrow::Cow::Owned(lines.join(" "))
}

/// The text of a span, written only when displayed: [`text`] costs a scan of the span, and
/// most evaluations never show it.
#[derive(Clone, Copy)]
pub(crate) struct SpanText<'a>(pub &'a SourceFile, pub Span);

impl std::fmt::Display for SpanText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&text(self.0, self.1))
    }
}

/// A line without its `# comment` (a `#` inside a string literal is kept).
fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if in_str && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => in_str = !in_str,
            '#' if !in_str => return &line[..i],
            _ => {}
        }
        escaped = false;
    }
    line
}

/// `span` without the whitespace and trailing comment lines a parser span may carry, so a
/// diagnostic underlines the expression only.
pub(crate) fn tight(src: &SourceFile, span: Span) -> Span {
    let Some(raw) = src.text.get(span.start..span.end) else {
        return span;
    };
    // Spans may carry the whitespace (and comments) after an expression: keep the words only.
    let mut t = raw.trim();
    // A trailing `# comment` line picked up by the span.
    while let Some((head, last)) = t.rsplit_once('\n') {
        if !last.trim_start().starts_with('#') {
            break;
        }
        t = head.trim_end();
    }
    let lead = raw.len() - raw.trim_start().len();
    Span::new(span.start + lead, span.start + lead + t.len())
}

impl<'a> Env<'a> {
    pub fn new(prog: &'a Program, record: &'a [Value], rels: &'a [Value], as_of: Date) -> Self {
        Env {
            prog,
            record,
            rels,
            as_of,
            nodes: vec![Value::Missing; prog.nodes.len()],
            comps: vec![Value::Missing; prog.comp_count],
            words: true,
        }
    }

    pub fn slot(&self, s: Slot) -> &Value {
        const MISSING: &Value = &Value::Missing;
        match s {
            Slot::Input(i) => self.record.get(i).unwrap_or(MISSING),
            Slot::Rel(i) => self.rels.get(i).unwrap_or(MISSING),
            Slot::Node(i) => self.nodes.get(i).unwrap_or(MISSING),
            Slot::Agg(i) => self
                .record
                .get(self.prog.inputs.len() + i)
                .unwrap_or(MISSING),
        }
    }

    pub fn op_error(
        &self,
        err: OpError,
        e: &CExpr,
        src: &SourceFile,
        operands: &[(&CExpr, &Value)],
    ) -> EvalError {
        let show = operands
            .iter()
            .map(|(x, v)| format!("{} is {}", text(src, x.span), v))
            .collect::<Vec<_>>()
            .join(", ");
        match err {
            OpError::DivisionByZero => EvalError::new(
                Code::EvalDivisionByZero,
                format!("division by zero in `{}`: {show}", text(src, e.span)),
                src,
                e.span,
                "the divisor is 0",
            )
            .help("guard it: `if X > 0 then … / X else missing`, and say what missing means"),
            OpError::Overflow => EvalError::new(
                Code::EvalOverflow,
                format!(
                    "`{}` is too large to compute exactly: {show}",
                    text(src, e.span)
                ),
                src,
                e.span,
                "overflows 28 significant digits (or the calendar)",
            )
            .help("check the data for an absurd value"),
            OpError::Type(msg) => EvalError::new(
                Code::EvalType,
                format!("{msg} in `{}`: {show}", text(src, e.span)),
                src,
                e.span,
                "these values do not combine",
            )
            .help("`tier check` reports type and unit mismatches before any data is read"),
        }
    }

    /// The inputs (and unavailable relatives) whose missing value makes `e` missing, and the
    /// relatives without a class that were followed to the inputs their key needs (`ABC` when
    /// `销售额` is missing for `pareto 销售额`); a relative whose key is there (not computed, not
    /// given) is itself one of the fields.
    pub fn missing_behind(&self, e: &CExpr) -> (Vec<Arc<str>>, Vec<Arc<str>>) {
        let mut out: Vec<Arc<str>> = Vec::new();
        let mut via: Vec<Arc<str>> = Vec::new();
        let mut rels: Vec<usize> = Vec::new();
        let mut stack: Vec<&CExpr> = vec![e];
        let mut seen_nodes: Vec<usize> = Vec::new();
        while let Some(x) = stack.pop() {
            super::compile_order::walk(x, &mut |k| {
                if let CKind::Slot(slot) = k {
                    if !self.slot(*slot).is_missing() {
                        return;
                    }
                    match slot {
                        Slot::Input(_) | Slot::Agg(_) => {
                            let n = self.prog.slot_name(*slot);
                            if !out.contains(&n) {
                                out.push(n);
                            }
                        }
                        Slot::Rel(i) => {
                            if !rels.contains(i) {
                                rels.push(*i);
                            }
                        }
                        Slot::Node(n) => {
                            if !seen_nodes.contains(n) {
                                seen_nodes.push(*n);
                            }
                        }
                    }
                }
            });
            // Follow missing lets to the inputs behind them.
            while let Some(n) = seen_nodes.pop() {
                if let Some(NodeKind::Let(body)) = self.prog.nodes.get(n).map(|n| &n.kind) {
                    stack.push(body);
                } else if let Some(node) = self.prog.nodes.get(n) {
                    if !out.contains(&node.name) {
                        out.push(node.name.clone());
                    }
                }
            }
        }
        for i in rels {
            let name = self.prog.slot_name(Slot::Rel(i));
            let mut behind = Vec::new();
            if let Some((value, per)) = self.prog.rel_exprs.get(i) {
                for key in std::iter::once(value).chain(per) {
                    behind.extend(self.missing_behind(key).0);
                }
            }
            if behind.is_empty() {
                behind.push(name);
            } else if !via.contains(&name) {
                via.push(name);
            }
            for f in behind {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        (out, via)
    }

    /// `tier::eval::missing`: a decision needs `e` and it is missing.
    pub fn missing_error(&self, e: &CExpr, src: &SourceFile, what: &str, help: &str) -> EvalError {
        let (fields, via) = self.missing_behind(e);
        let subject = if fields.is_empty() {
            format!("`{}`", text(src, e.span))
        } else {
            fields
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let verb = if fields.len() > 1 { "are" } else { "is" };
        let why = match via.len() {
            0 => String::new(),
            1 => format!(" (so {} has no class)", via[0]),
            _ => format!(" (so {} have no class)", via.join(", ")),
        };
        EvalError::new(
            Code::EvalMissing,
            format!(
                "{subject} {verb} missing{why} and this {what} does not say what missing means"
            ),
            src,
            e.span,
            "missing here",
        )
        .help(help.to_string())
        .field(fields.first().cloned())
    }

    /// `tier::eval::missing` for the output grade when it is a relative without a class:
    /// naming the inputs its key needs when they are what is missing (the rejects' column).
    pub fn missing_relative(&self, slot: Slot) -> EvalError {
        let prog = self.prog;
        let name = prog.slot_name(slot);
        let span = match slot {
            Slot::Rel(i) => prog.relatives[i].decl.span,
            _ => Span::default(),
        };
        let (fields, _) = self.missing_behind(&CExpr {
            kind: CKind::Slot(slot),
            span,
        });
        let message = match fields.first() {
            Some(f) if *f != name => format!(
                "{} {} missing, so relative grade {name} has no class for this record",
                fields
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                if fields.len() > 1 { "are" } else { "is" }
            ),
            _ => format!("relative grade {name} is not available for this record"),
        };
        EvalError::new(
            Code::EvalMissing,
            message,
            &prog.source,
            span,
            "its value is missing, or it was not computed over a whole file",
        )
        .help("add `missing -> LABEL` to the relative, or give it (`given`, `:set`)")
        .field(fields.into_iter().next().or(Some(name)))
    }

    /// A yes/no; `None` when missing.
    pub fn truth(&self, v: &Value, e: &CExpr, src: &SourceFile) -> R<Option<bool>> {
        match v {
            Value::Bool(b) => Ok(Some(*b)),
            Value::Missing => Ok(None),
            other => Err(self.op_error(
                OpError::Type(format!(
                    "a condition must be yes or no, not {}",
                    kind_name(other)
                )),
                e,
                src,
                &[(e, other)],
            )),
        }
    }

    pub fn eval(&self, e: &CExpr, src: &SourceFile) -> R<Value> {
        match &e.kind {
            CKind::Const(v) => Ok(v.clone()),
            CKind::Slot(s) => Ok(self.slot(*s).clone()),
            CKind::Comp(i) => Ok(self.comps.get(*i).cloned().unwrap_or(Value::Missing)),
            CKind::AsOf => Ok(Value::Date(self.as_of)),
            CKind::Neg(x) => {
                let v = self.eval(x, src)?;
                number::neg(&v).map_err(|err| self.op_error(err, e, src, &[(x, &v)]))
            }
            CKind::Not(x) => {
                let v = self.eval(x, src)?;
                Ok(match self.truth(&v, x, src)? {
                    Some(b) => Value::Bool(!b),
                    None => Value::Missing,
                })
            }
            CKind::Arith(op, a, b) => {
                let va = self.eval(a, src)?;
                let vb = self.eval(b, src)?;
                number::arith(*op, &va, &vb)
                    .map_err(|err| self.op_error(err, e, src, &[(a, &va), (b, &vb)]))
            }
            CKind::And(a, b) | CKind::Or(a, b) => {
                let is_and = matches!(e.kind, CKind::And(..));
                let va = self.eval(a, src)?;
                let ta = self.truth(&va, a, src)?;
                // `no and …` is no, `yes or …` is yes, whatever the right side is.
                if ta == Some(!is_and) {
                    return Ok(Value::Bool(!is_and));
                }
                let vb = self.eval(b, src)?;
                let tb = self.truth(&vb, b, src)?;
                Ok(match (ta, tb) {
                    (_, Some(x)) if x != is_and => Value::Bool(x),
                    (Some(_), Some(_)) => Value::Bool(is_and),
                    _ => Value::Missing,
                })
            }
            CKind::Coalesce(a, b) => {
                let va = self.eval(a, src)?;
                if va.is_missing() {
                    self.eval(b, src)
                } else {
                    Ok(va)
                }
            }
            CKind::Cmp(op, a, b) => {
                let va = self.eval(a, src)?;
                let vb = self.eval(b, src)?;
                match number::compare(*op, &va, &vb) {
                    Ok(Some(r)) => Ok(Value::Bool(r)),
                    Ok(None) => Ok(Value::Missing),
                    Err(err) => Err(self.op_error(err, e, src, &[(a, &va), (b, &vb)])),
                }
            }
            CKind::IsMissing(x, negated) => {
                let v = self.eval(x, src)?;
                Ok(Value::Bool(v.is_missing() != *negated))
            }
            CKind::In(x, set, negated) => {
                let v = self.eval(x, src)?;
                if v.is_missing() {
                    return Ok(Value::Missing);
                }
                for s in set {
                    let sv = self.eval(s, src)?;
                    if sv.is_missing() {
                        continue;
                    }
                    if number::equal(&v, &sv)
                        .map_err(|err| self.op_error(err, e, src, &[(x, &v), (s, &sv)]))?
                    {
                        return Ok(Value::Bool(!negated));
                    }
                }
                Ok(Value::Bool(*negated))
            }
            CKind::If(c, a, b) => {
                let vc = self.eval(c, src)?;
                match self.truth(&vc, c, src)? {
                    Some(true) => self.eval(a, src),
                    Some(false) => self.eval(b, src),
                    None => Ok(Value::Missing),
                }
            }
            CKind::Call(f, args) => self.call(*f, args, e, src),
            CKind::AtLeast(..)
            | CKind::Linear(_)
            | CKind::Bands(_)
            | CKind::Match(_)
            | CKind::Matrix(_) => self.form(e, src, false).map(|(v, _)| v),
        }
    }

    fn call(&self, f: Func, args: &[CExpr], e: &CExpr, src: &SourceFile) -> R<Value> {
        let vals = args
            .iter()
            .map(|a| self.eval(a, src))
            .collect::<R<Vec<Value>>>()?;
        let arity = |n: usize| -> R<()> {
            if vals.len() == n {
                Ok(())
            } else {
                Err(self.op_error(
                    OpError::Type(format!(
                        "this function takes {n} argument(s), not {}",
                        vals.len()
                    )),
                    e,
                    src,
                    &[],
                ))
            }
        };
        let bad = |v: &Value| {
            self.op_error(
                OpError::Type(format!("this function cannot take {}", kind_name(v))),
                e,
                src,
                &args.iter().zip(&vals).collect::<Vec<_>>(),
            )
        };
        let num = |d: i64| Value::Number(Decimal::from(d), Unit::Plain);
        if !matches!(f, Func::CountOf) && vals.iter().any(Value::is_missing) {
            return Ok(Value::Missing);
        }
        match f {
            Func::DaysSince | Func::MonthsSince | Func::Year | Func::Month => {
                arity(1)?;
                let Value::Date(d) = vals[0] else {
                    return Err(bad(&vals[0]));
                };
                let r = match f {
                    Func::DaysSince => date::days_between(d, self.as_of),
                    Func::MonthsSince => date::months_between(d, self.as_of),
                    Func::Year => Some(i64::from(d.year())),
                    _ => Some(i64::from(d.month())),
                };
                r.map(num)
                    .ok_or_else(|| self.op_error(OpError::Overflow, e, src, &[]))
            }
            Func::DaysBetween => {
                arity(2)?;
                match (&vals[0], &vals[1]) {
                    (Value::Date(a), Value::Date(b)) => date::days_between(*a, *b)
                        .map(num)
                        .ok_or_else(|| self.op_error(OpError::Overflow, e, src, &[])),
                    (Value::Date(_), other) | (other, _) => Err(bad(other)),
                }
            }
            Func::Min | Func::Max => {
                let mut best: Option<&Value> = None;
                for (v, a) in vals.iter().zip(args) {
                    best = Some(match best {
                        None => v,
                        Some(b) => {
                            let o = number::order(v, b)
                                .map_err(|err| self.op_error(err, e, src, &[(a, v)]))?;
                            let take = if f == Func::Min { o.is_lt() } else { o.is_gt() };
                            if take {
                                v
                            } else {
                                b
                            }
                        }
                    });
                }
                best.cloned().ok_or_else(|| bad(&Value::Missing))
            }
            Func::Abs | Func::Floor | Func::Ceil => {
                arity(1)?;
                let Value::Number(d, u) = vals[0] else {
                    return Err(bad(&vals[0]));
                };
                let r = match f {
                    Func::Abs => d.abs(),
                    Func::Floor => number::settle(d).floor(),
                    _ => number::settle(d).ceil(),
                };
                Ok(Value::Number(r, u))
            }
            Func::Round => {
                let places = match vals.get(1) {
                    None => 0,
                    Some(Value::Number(n, _)) if *n >= Decimal::ZERO && n.fract().is_zero() => {
                        n.to_u32().unwrap_or(28).min(28)
                    }
                    Some(other) => return Err(bad(other)),
                };
                match vals.first() {
                    Some(Value::Number(d, u)) => Ok(Value::Number(number::round(*d, places), *u)),
                    Some(other) => Err(bad(other)),
                    None => Err(bad(&Value::Missing)),
                }
            }
            Func::Concat => Ok(Value::Text(
                vals.iter()
                    .map(|v| v.to_string())
                    .collect::<String>()
                    .into(),
            )),
            Func::CountOf => {
                let mut n = 0i64;
                for (v, a) in vals.iter().zip(args) {
                    match self.truth(v, a, src)? {
                        Some(true) => n += 1,
                        Some(false) => {}
                        None => return Ok(Value::Missing),
                    }
                }
                Ok(num(n))
            }
        }
    }
}

/// What each relative ranks this record by: evaluates only the values the keys need.
pub(crate) fn relative_keys(
    prog: &Program,
    record: &[Value],
    known: &[Value],
    as_of: Date,
) -> R<Vec<RelKey>> {
    let record = &*prog.complete(record, as_of)?;
    let mut env = Env::new(prog, record, known, as_of);
    for &n in &prog.rel_deps {
        let (v, _) = super::decide::eval_node(&mut env, n, false)?;
        env.nodes[n] = v;
    }
    prog.rel_exprs
        .iter()
        .map(|(v, per)| {
            Ok(RelKey {
                value: env.eval(v, &prog.source)?,
                group: match per {
                    Some(p) => env.eval(p, &prog.source)?,
                    None => Value::Missing,
                },
            })
        })
        .collect()
}

/// `tier::eval::negative_share`: a Pareto class is a share of the file's total, and a negative
/// amount has none (counted, it shrinks the total and moves everyone else's class; with a
/// negative total everyone was in the first class). A record whose amount for a Pareto relative
/// is negative is rejected, whether its class is known or given; whole-file ranking leaves it
/// out ([`super::columns::KeyColumn`]). An amount that cannot be computed is left to the
/// evaluation to report.
pub(crate) fn check_shares(prog: &Program, record: &[Value], rels: &[Value], as_of: Date) -> R<()> {
    // Built only for a computed amount (`销售额 * 回款率`), once per record.
    let mut env: Option<Env> = None;
    for (i, spec) in prog.relatives.iter().enumerate() {
        if !matches!(spec.decl.method, crate::ast::RelMethod::Pareto(_)) {
            continue;
        }
        let Some((key, _)) = prog.rel_exprs.get(i) else {
            continue;
        };
        let computed;
        let value = match &key.kind {
            CKind::Slot(Slot::Input(k)) => record.get(*k),
            _ => {
                let env = env.get_or_insert_with(|| {
                    let mut env = Env::new(prog, record, rels, as_of);
                    env.words = false;
                    for &n in &prog.rel_deps {
                        if let Ok((v, _)) = super::decide::eval_node(&mut env, n, false) {
                            env.nodes[n] = v;
                        }
                    }
                    env
                });
                computed = env.eval(key, &prog.source).ok();
                computed.as_ref()
            }
        };
        if let Some(v @ Value::Number(d, _)) = value {
            if *d < Decimal::ZERO {
                return Err(negative_share(prog, record, i, key, v));
            }
        }
    }
    Ok(())
}

fn negative_share(
    prog: &Program,
    record: &[Value],
    rel: usize,
    key: &CExpr,
    v: &Value,
) -> EvalError {
    let src = &prog.source;
    let name = &prog.relatives[rel].name;
    let inputs = negative_inputs(prog, record, key);
    let amount = text(src, key.span);
    let subject = match &key.kind {
        CKind::Slot(Slot::Input(_)) => format!("{amount} is {v}"),
        _ if inputs.is_empty() => format!("`{amount}` is {v}"),
        _ => {
            let behind: Vec<String> = inputs
                .iter()
                .map(|i| {
                    let value = prog
                        .inputs
                        .iter()
                        .position(|s| s.name == *i)
                        .and_then(|k| record.get(k))
                        .map_or_else(String::new, |v| format!(" = {v}"));
                    format!("{i}{value}")
                })
                .collect();
            format!("`{amount}` is {v} ({})", behind.join(", "))
        }
    };
    EvalError::new(
        Code::EvalNegativeShare,
        format!(
            "{subject}: the Pareto class {name} is a share of the total, and a negative amount \
             has no share"
        ),
        src,
        key.span,
        "negative for this record",
    )
    .help(format!(
        "correct the amount in the data; to class such customers last instead, rank by \
         `max({amount}, 0)`"
    ))
    .field(inputs.into_iter().next())
}

/// The inputs behind `e` (following `let`s) whose value is a negative number.
fn negative_inputs(prog: &Program, record: &[Value], e: &CExpr) -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = Vec::new();
    let mut stack: Vec<&CExpr> = vec![e];
    let mut seen: Vec<usize> = Vec::new();
    while let Some(x) = stack.pop() {
        let mut lets: Vec<usize> = Vec::new();
        super::compile_order::walk(x, &mut |k| match k {
            CKind::Slot(Slot::Input(i)) => {
                if let Some(Value::Number(d, _)) = record.get(*i) {
                    let name = &prog.inputs[*i].name;
                    if *d < Decimal::ZERO && !out.contains(name) {
                        out.push(name.clone());
                    }
                }
            }
            CKind::Slot(Slot::Node(n)) if !seen.contains(n) => lets.push(*n),
            _ => {}
        });
        for n in lets {
            seen.push(n);
            if let Some(NodeKind::Let(body)) = prog.nodes.get(n).map(|n| &n.kind) {
                stack.push(body);
            }
        }
    }
    out
}
