//! The display unit of every named number (money, percent, …), known before any row is read.
//!
//! The interpreter carries a unit with each number ([`Value::Number`]) and the reasons quote
//! numbers in it (`200万`, `92%`). The plan has no units: its numbers are base units. The unit
//! of a named value follows from the units of what it is computed from (`eval/number.rs`'s
//! rules), so it is worked out once here; a value whose unit depends on the row (`if … then
//! money else percent`) is `None`, and the engine leaves such rulesets to the interpreter.

use crate::ast::TypeKind;
use crate::eval::program::*;
use crate::value::{Unit, Value};

/// What an expression's unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum U {
    /// A number in this unit.
    Num(Unit),
    /// Not a number (or `missing`): takes no part.
    None,
    /// Depends on the row.
    Varies,
}

fn join(a: U, b: U) -> U {
    match (a, b) {
        (U::None, x) | (x, U::None) => x,
        (U::Num(x), U::Num(y)) if x == y => U::Num(x),
        _ => U::Varies,
    }
}

/// Per node: the unit of its number (`Plain` for a node that is not a number), or `None`
/// when some node's unit depends on the row.
pub(super) fn node_units(prog: &Program) -> Option<Vec<Unit>> {
    let mut units = vec![U::None; prog.nodes.len()];
    for &n in &prog.order {
        let u = match &prog.nodes[n].kind {
            NodeKind::Let(e) => unit(prog, &units, e),
            NodeKind::Scorecard(_) => U::Num(Unit::Plain),
            NodeKind::Grade(_) | NodeKind::Adjust(_) => U::None,
        };
        if u == U::Varies {
            return None;
        }
        units[n] = u;
    }
    Some(
        units
            .into_iter()
            .map(|u| match u {
                U::Num(u) => u,
                _ => Unit::Plain,
            })
            .collect(),
    )
}

fn input_unit(prog: &Program, i: usize) -> U {
    match prog.inputs.get(i).map(|s| &s.field.ty.kind) {
        Some(TypeKind::Number | TypeKind::Integer) => U::Num(Unit::Plain),
        Some(TypeKind::Percent { .. }) => U::Num(Unit::Percent),
        Some(TypeKind::Money(_)) => U::Num(Unit::Money),
        Some(TypeKind::Quantity { unit, .. }) => U::Num(*unit),
        _ => U::None,
    }
}

fn unit(prog: &Program, nodes: &[U], e: &CExpr) -> U {
    let u = |e: &CExpr| unit(prog, nodes, e);
    let all = |xs: &mut dyn Iterator<Item = &CExpr>| xs.map(u).fold(U::None, join);
    match &e.kind {
        CKind::Const(Value::Number(_, unit)) => U::Num(*unit),
        CKind::Const(_) => U::None,
        CKind::Slot(Slot::Input(i)) => input_unit(prog, *i),
        CKind::Slot(Slot::Node(n)) => nodes.get(*n).copied().unwrap_or(U::Varies),
        CKind::Slot(Slot::Rel(_)) => U::None,
        // An aggregate's unit is its field's (`eval::events`), known per program.
        CKind::Slot(Slot::Agg(k)) => prog.aggregates.get(*k).map_or(U::Varies, |a| {
            use crate::ast::AggFunc as F;
            match a.func {
                F::FirstDate | F::LastDate => U::None,
                F::Count | F::DistinctDays | F::DistinctMonths | F::DaysSinceLast => {
                    U::Num(Unit::Plain)
                }
                F::Sum | F::Average | F::DailyAverage => U::Num(a.unit),
                // The field's own value: a number in its unit, or a date, label or text.
                F::Min | F::Max | F::First | F::Last => match prog
                    .events
                    .get(a.events)
                    .and_then(|e| a.field.and_then(|f| e.decl.fields.get(f)))
                    .map(|f| &f.ty.kind)
                {
                    Some(TypeKind::Date | TypeKind::Text | TypeKind::Bool) => U::None,
                    _ => U::Num(a.unit),
                },
            }
        }),
        CKind::Comp(_) => U::Num(Unit::Plain),
        CKind::AsOf
        | CKind::Not(_)
        | CKind::And(..)
        | CKind::Or(..)
        | CKind::Cmp(..)
        | CKind::IsMissing(..)
        | CKind::In(..)
        | CKind::AtLeast(..) => U::None,
        CKind::Neg(a) => u(a),
        CKind::Arith(op, a, b) => match (u(a), u(b)) {
            (U::Varies, _) | (_, U::Varies) => U::Varies,
            (U::Num(x), U::Num(y)) => U::Num(crate::eval::arith_unit(*op, x, y)),
            // A date ± duration, or missing.
            (U::None, _) | (_, U::None) => U::None,
        },
        CKind::Coalesce(a, b) => join(u(a), u(b)),
        CKind::If(_, a, b) => join(u(a), u(b)),
        CKind::Call(f, args) => match f {
            Func::Min | Func::Max => all(&mut args.iter()),
            Func::Abs | Func::Floor | Func::Ceil | Func::Round => {
                args.first().map(u).unwrap_or(U::None)
            }
            Func::Concat => U::None,
            Func::DaysSince
            | Func::DaysBetween
            | Func::MonthsSince
            | Func::CountOf
            | Func::Year
            | Func::Month => U::Num(Unit::Plain),
        },
        CKind::Linear(_) => U::Num(Unit::Plain),
        CKind::Bands(b) => all(&mut b.arms.iter().map(|a| &a.value)),
        CKind::Match(m) => all(&mut m.arms.iter().map(|(_, v, _)| v)),
        CKind::Matrix(m) => all(&mut m.rows.iter().flat_map(|(_, vs, _)| vs.iter())),
    }
}
