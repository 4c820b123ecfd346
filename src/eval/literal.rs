//! `given`/`:set` literals → an input's value, with the input's type and unit.

use super::program::Program;
use crate::ast::{Expr, ExprKind, LitKind, TypeKind, UnOp};
use crate::value::{Label, Unit, Value};
use rust_decimal::Decimal;

/// Why a literal cannot be an input's value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LitError {
    /// Not a value of this type at all (a typo in a test).
    Invalid(String),
    /// A value the data reader would reject the row for (out of range, `3.5` for an integer).
    Rejected(String),
}

impl LitError {
    pub fn message(self) -> String {
        match self {
            LitError::Invalid(m) | LitError::Rejected(m) => m,
        }
    }
}

pub(crate) fn literal_value(prog: &Program, input: usize, expr: &Expr) -> Result<Value, String> {
    checked(prog, input, expr).map_err(LitError::message)
}

enum Raw<'e> {
    Value(Value),
    Name(&'e str),
}

fn raw(expr: &Expr) -> Option<Raw<'_>> {
    match &expr.kind {
        ExprKind::Lit(l) => Some(Raw::Value(super::compile::lit_value(l))),
        ExprKind::Name(id) => Some(Raw::Name(&id.name)),
        ExprKind::Unary(UnOp::Neg, inner) => match &inner.kind {
            ExprKind::Lit(l) => match &l.kind {
                LitKind::Number { value, unit } => Some(Raw::Value(Value::Number(-*value, *unit))),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn checked(prog: &Program, input: usize, expr: &Expr) -> Result<Value, LitError> {
    let spec = prog
        .inputs
        .get(input)
        .ok_or_else(|| LitError::Invalid(format!("there is no input number {input}")))?;
    checked_field(spec, expr)
}

/// A field of events `events` (a `given` event's cell): checked as an input of that type.
pub(crate) fn checked_event(
    prog: &Program,
    events: usize,
    field: usize,
    expr: &Expr,
) -> Result<Value, LitError> {
    let spec = prog
        .events
        .get(events)
        .and_then(|e| e.decl.fields.get(field))
        .ok_or_else(|| LitError::Invalid(format!("there is no field number {field}")))?;
    let input = super::InputSpec {
        name: spec.name.name.as_str().into(),
        field: spec.clone(),
        grade_labels: None,
    };
    checked_field(&input, expr)
}

fn checked_field(spec: &super::InputSpec, expr: &Expr) -> Result<Value, LitError> {
    let name = &spec.name;
    let text = prog_text(expr);
    let Some(raw) = raw(expr) else {
        return Err(LitError::Invalid(format!(
            "{name} = {text}: give a literal value (a number, date, text, label)"
        )));
    };
    if matches!(raw, Raw::Value(Value::Missing)) {
        return Ok(Value::Missing);
    }
    let wrong = |what: &str| LitError::Invalid(format!("{name} = {text}: expected {what}"));
    let number = |v: &Raw, want: Unit, accept: &[Unit]| -> Result<Value, LitError> {
        match v {
            Raw::Value(Value::Number(d, u))
                if *u == Unit::Plain || *u == want || accept.contains(u) =>
            {
                Ok(Value::Number(*d, want))
            }
            _ => Err(wrong(match want {
                Unit::Money => "an amount of money (200万, 3500元)",
                Unit::Percent => "a percent (92%)",
                Unit::Mass => "a mass (500吨)",
                Unit::Area => "an area (1500㎡)",
                Unit::Plain => "a number",
            })),
        }
    };
    let value = match &spec.field.ty.kind {
        TypeKind::Number => number(&raw, Unit::Plain, &[Unit::Percent])?,
        TypeKind::Integer => {
            let v = number(&raw, Unit::Plain, &[])?;
            if let Value::Number(d, _) = &v {
                if !d.fract().is_zero() {
                    return Err(LitError::Rejected(format!(
                        "{name} = {text} is not a whole number"
                    )));
                }
            }
            v
        }
        TypeKind::Percent { .. } => number(&raw, Unit::Percent, &[])?,
        TypeKind::Money(_) => number(&raw, Unit::Money, &[])?,
        TypeKind::Quantity { unit, .. } => number(&raw, *unit, &[])?,
        TypeKind::Date => match raw {
            Raw::Value(v @ Value::Date(_)) => v,
            _ => return Err(wrong("a date (2026-11-20)")),
        },
        TypeKind::Text => match raw {
            Raw::Value(v @ Value::Text(_)) => v,
            Raw::Name(n) => Value::Text(n.into()),
            Raw::Value(v) => Value::Text(v.to_string().into()),
        },
        TypeKind::Bool => match raw {
            Raw::Value(v @ Value::Bool(_)) => v,
            _ => return Err(wrong("yes or no")),
        },
        TypeKind::Enum(variants) => {
            let s = match &raw {
                Raw::Name(n) => n.to_string(),
                Raw::Value(Value::Text(t)) => t.trim().to_string(),
                _ => String::new(),
            };
            let found = variants.iter().position(|v| {
                v.name.name == s
                    || v.name.name.to_lowercase() == s.to_lowercase()
                    || v.synonyms
                        .iter()
                        .any(|syn| syn.value.trim().to_lowercase() == s.to_lowercase())
            });
            match found {
                Some(i) => Value::Label(Label {
                    name: variants[i].name.name.as_str().into(),
                    rank: i as u32,
                }),
                None => {
                    let names: Vec<&str> = variants.iter().map(|v| v.name.name.as_str()).collect();
                    return Err(LitError::Invalid(format!(
                        "{name} = {text}: not one of {}",
                        names.join(", ")
                    )));
                }
            }
        }
        TypeKind::Grade(_) => {
            let s = match &raw {
                Raw::Name(n) => n.to_string(),
                Raw::Value(Value::Text(t)) => t.trim().to_string(),
                _ => String::new(),
            };
            let labels = spec.grade_labels.clone().unwrap_or_default();
            match labels.iter().position(|l| **l == *s) {
                Some(i) => Value::Label(Label {
                    name: labels[i].clone(),
                    rank: i as u32,
                }),
                None => {
                    return Err(LitError::Invalid(format!(
                        "{name} = {text}: not one of {}",
                        labels.join(", ")
                    )))
                }
            }
        }
    };
    if let (Some(range), Value::Number(d, _)) = (&spec.field.range, &value) {
        let bound = |l: &Option<crate::ast::Literal>| match l.as_ref().map(|l| &l.kind) {
            Some(LitKind::Number { value, .. }) => Some(*value),
            _ => None,
        };
        // A missing end (`0..`) never rejects.
        let out_lo = bound(&range.lo).is_some_and(|lo: Decimal| *d < lo);
        let out_hi = bound(&range.hi).is_some_and(|hi: Decimal| *d > hi);
        if out_lo || out_hi {
            return Err(LitError::Rejected(format!(
                "{name} = {text} is outside the allowed range {}",
                range.text()
            )));
        }
    }
    Ok(value)
}

/// A readable form of the literal for messages (no source at hand: rebuilt from the AST).
fn prog_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Lit(l) => l.text.clone(),
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::Unary(UnOp::Neg, inner) => format!("-{}", prog_text(inner)),
        _ => "this expression".to_string(),
    }
}
