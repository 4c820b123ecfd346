//! Reasoning about conditions: when one condition implies another (for unreachable rules), and
//! evaluating conditions over every combination of labels (for uncovered combinations).

use super::bands::{const_num, End, Iv};
use super::{Ctx, ScaleId, SymKind, Ty};
use crate::ast::{BinOp, CmpOp, Expr, ExprKind, LitKind, UnOp};
use rust_decimal::Decimal;

/// What an atomic condition says about one value.
#[derive(Debug, Clone, PartialEq)]
enum Constraint {
    /// A number in an interval (`x >= 80`, `x < 20万`, `x = 3`).
    Num(Iv),
    /// A label in a set (`x = A`, `x in {A, B}`, `x >= B`): one flag per label of the scale.
    Set(ScaleId, Vec<bool>),
    /// A yes/no value (`x`, `not x`, `x = yes`).
    Bool(bool),
}

impl Constraint {
    fn intersect(&self, o: &Constraint) -> Option<Constraint> {
        match (self, o) {
            (Constraint::Num(a), Constraint::Num(b)) => Some(Constraint::Num(a.intersect(b))),
            (Constraint::Set(s, a), Constraint::Set(t, b)) if s == t => Some(Constraint::Set(
                *s,
                a.iter().zip(b).map(|(x, y)| *x && *y).collect(),
            )),
            (Constraint::Bool(a), Constraint::Bool(b)) if a == b => Some(Constraint::Bool(*a)),
            _ => None,
        }
    }

    fn subset_of(&self, o: &Constraint) -> bool {
        match (self, o) {
            (Constraint::Num(a), Constraint::Num(b)) => a.subset_of(b),
            (Constraint::Set(s, a), Constraint::Set(t, b)) if s == t => {
                a.iter().zip(b).all(|(x, y)| !*x || *y)
            }
            (Constraint::Bool(a), Constraint::Bool(b)) => a == b,
            _ => false,
        }
    }
}

/// An atom: a constraint on the value of an expression (keyed by its normalised text).
type Atom = (String, Constraint);

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// The type of a declared name's value, without reporting anything.
fn name_type(cx: &mut Ctx<'_>, e: &Expr) -> Option<(String, Ty)> {
    match &e.kind {
        ExprKind::Name(id) if cx.symbol(&id.name).is_some() => {
            Some((id.name.clone(), cx.symbol_type(&id.name)))
        }
        _ => None,
    }
}

/// The label a bare name (or a declared name?) stands for in a scale: its rank.
fn label_rank(cx: &Ctx<'_>, e: &Expr, s: ScaleId) -> Option<usize> {
    match &e.kind {
        ExprKind::Name(id) if cx.symbol(&id.name).is_none() => cx.scales[s].rank(&id.name),
        _ => None,
    }
}

/// The ranks of labels that satisfy `rank(x) op rank(label)`; a better label has a lower rank.
fn label_set(n: usize, op: CmpOp, r: usize) -> Vec<bool> {
    (0..n)
        .map(|x| match op {
            CmpOp::Eq => x == r,
            CmpOp::Ne => x != r,
            // `x >= B`: x is B or better.
            CmpOp::Ge => x <= r,
            CmpOp::Gt => x < r,
            CmpOp::Le => x >= r,
            CmpOp::Lt => x > r,
        })
        .collect()
}

/// An atomic condition as a constraint, if it has one of the common shapes.
fn atom(cx: &mut Ctx<'_>, e: &Expr, positive: bool) -> Option<Atom> {
    match &e.kind {
        ExprKind::Unary(UnOp::Not, x) => atom(cx, x, !positive),
        ExprKind::Name(_) => {
            let (name, t) = name_type(cx, e)?;
            (t == Ty::Bool).then_some((name, Constraint::Bool(positive)))
        }
        ExprKind::Binary(BinOp::Cmp(op), l, r) => {
            let op = if positive { *op } else { negate(*op) };
            // Put the constrained value on the left.
            let (x, c, op) = if const_num(r).is_some() || label_like(cx, r) {
                (l.as_ref(), r.as_ref(), op)
            } else {
                (r.as_ref(), l.as_ref(), flip(op))
            };
            if let Some((v, _)) = const_num(c) {
                let iv = match op {
                    CmpOp::Eq => Iv {
                        lo: Some(End { v, inc: true }),
                        hi: Some(End { v, inc: true }),
                    },
                    CmpOp::Ne => return None,
                    CmpOp::Ge | CmpOp::Gt => Iv {
                        lo: Some(End {
                            v,
                            inc: op == CmpOp::Ge,
                        }),
                        hi: None,
                    },
                    CmpOp::Le | CmpOp::Lt => Iv {
                        lo: None,
                        hi: Some(End {
                            v,
                            inc: op == CmpOp::Le,
                        }),
                    },
                };
                return Some((cx.text(x.span), Constraint::Num(iv)));
            }
            let (name, t) = name_type(cx, x)?;
            match t {
                Ty::Label(s) => {
                    let r = label_rank(cx, c, s)?;
                    Some((
                        name,
                        Constraint::Set(s, label_set(cx.scales[s].labels.len(), op, r)),
                    ))
                }
                Ty::Bool => {
                    let ExprKind::Lit(l) = &c.kind else {
                        return None;
                    };
                    let LitKind::Bool(b) = l.kind else {
                        return None;
                    };
                    match op {
                        CmpOp::Eq => Some((name, Constraint::Bool(b))),
                        CmpOp::Ne => Some((name, Constraint::Bool(!b))),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        ExprKind::In { expr, set, negated } => {
            let (name, t) = name_type(cx, expr)?;
            let Ty::Label(s) = t else { return None };
            let n = cx.scales[s].labels.len();
            // A label outside the set satisfies `x not in {..}`, or `not (x in {..})`.
            let outside = *negated == positive;
            let mut flags = vec![outside; n];
            for item in set {
                let r = label_rank(cx, item, s)?;
                flags[r] = !outside;
            }
            Some((name, Constraint::Set(s, flags)))
        }
        _ => None,
    }
}

/// A bare label (an undeclared name): the constant side of a label comparison.
fn label_like(cx: &Ctx<'_>, e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Name(id) if cx.symbol(&id.name).is_none())
        || matches!(&e.kind, ExprKind::Lit(_))
}

/// The conjuncts of a condition (`a and b and c`).
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(BinOp::And, l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        _ => out.push(e),
    }
}

/// The constraints of a conjunction, merged per value; `None` when two contradict (the
/// conjunction never holds, so it implies anything).
fn conj_atoms(cx: &mut Ctx<'_>, parts: &[&Expr]) -> Option<Vec<Atom>> {
    let mut out: Vec<Atom> = Vec::new();
    for p in parts {
        let Some((key, c)) = atom(cx, p, true) else {
            continue;
        };
        if let Some(slot) = out.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = slot.1.intersect(&c)?;
        } else {
            out.push((key, c));
        }
    }
    Some(out)
}

/// Does `later` imply `earlier`? Sound for the shapes it understands (identical conditions,
/// conjunctions of atoms, `or` and `at_least` on the earlier side); false when unsure.
pub(crate) fn implies(cx: &mut Ctx<'_>, later: &Expr, earlier: &Expr) -> bool {
    // A disjunction on the later side: every branch must imply the earlier condition.
    if let ExprKind::Binary(BinOp::Or, l, r) = &later.kind {
        return implies(cx, l, earlier) && implies(cx, r, earlier);
    }
    let mut parts = Vec::new();
    conjuncts(later, &mut parts);
    let texts: Vec<String> = parts.iter().map(|p| cx.text(p.span)).collect();
    match conj_atoms(cx, &parts) {
        // Contradictory: the later condition never holds.
        None => true,
        Some(atoms) => implied_by(cx, &atoms, &texts, earlier),
    }
}

fn implied_by(cx: &mut Ctx<'_>, atoms: &[Atom], texts: &[String], e: &Expr) -> bool {
    if texts.contains(&cx.text(e.span)) {
        return true;
    }
    match &e.kind {
        ExprKind::Binary(BinOp::And, l, r) => {
            implied_by(cx, atoms, texts, l) && implied_by(cx, atoms, texts, r)
        }
        ExprKind::Binary(BinOp::Or, l, r) => {
            implied_by(cx, atoms, texts, l) || implied_by(cx, atoms, texts, r)
        }
        ExprKind::AtLeast { k, items } => {
            let held = items
                .iter()
                .filter(|i| implied_by(cx, atoms, texts, i))
                .count();
            held >= *k as usize
        }
        _ => match atom(cx, e, true) {
            Some((key, c)) => atoms.iter().any(|(k, a)| *k == key && a.subset_of(&c)),
            None => false,
        },
    }
}

/// Whether a condition can never hold: its conjuncts constrain one value to nothing
/// (`规模 = A and 规模 = B`, `x > 10 and x < 5`).
pub(crate) fn never_holds(cx: &mut Ctx<'_>, cond: &Expr) -> bool {
    let mut parts = Vec::new();
    conjuncts(cond, &mut parts);
    match conj_atoms(cx, &parts) {
        None => true,
        Some(atoms) => atoms.iter().any(|(_, c)| match c {
            Constraint::Num(iv) => iv.is_empty(),
            Constraint::Set(_, flags) => flags.iter().all(|f| !f),
            Constraint::Bool(_) => false,
        }),
    }
}

/// A value during enumeration.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Bool(bool),
    Label(usize),
    Num(Decimal),
}

/// The finite variables of a set of conditions: label-valued and yes/no names. A yes/no `let`
/// defined over such variables (`let 大 = 规模 = A`) is evaluated from its definition rather
/// than enumerated on its own, so combinations that cannot happen are not reported.
pub(crate) struct Space<'a> {
    pub vars: Vec<(String, Option<ScaleId>)>,
    inline: Vec<(String, &'a Expr)>,
}

/// The largest number of combinations enumerated.
const MAX_COMBINATIONS: usize = 10_000;

/// How deep inlined `let`s may nest (a cycle is reported elsewhere; this only stops recursion).
const MAX_DEPTH: usize = 32;

/// Whether a condition only uses what enumeration understands.
fn enumerable(cx: &mut Ctx<'_>, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(id) => match cx.symbol(&id.name) {
            Some(_) => matches!(cx.symbol_type(&id.name), Ty::Bool | Ty::Label(_)),
            None => true,
        },
        ExprKind::Lit(l) => matches!(l.kind, LitKind::Bool(_) | LitKind::Number { .. }),
        ExprKind::Unary(UnOp::Not, x) => enumerable(cx, x),
        ExprKind::Binary(BinOp::And | BinOp::Or | BinOp::Cmp(_), l, r) => {
            enumerable(cx, l) && enumerable(cx, r)
        }
        ExprKind::In { expr, set, .. } => {
            enumerable(cx, expr) && set.iter().all(|s| enumerable(cx, s))
        }
        ExprKind::AtLeast { items, .. } => items.iter().all(|i| enumerable(cx, i)),
        ExprKind::Call { func, args } if func.name == "count_of" => {
            args.iter().all(|a| enumerable(cx, a))
        }
        _ => false,
    }
}

impl<'a> Space<'a> {
    /// The variables of the conditions, if each condition is over labels and yes/no values only
    /// and the combinations are few enough to enumerate.
    pub fn build(cx: &mut Ctx<'a>, conds: &[&Expr]) -> Option<Space<'a>> {
        let mut names: Vec<String> = Vec::new();
        for c in conds {
            collect_names(c, &mut names);
        }
        let mut vars = Vec::new();
        let mut inline = Vec::new();
        let mut total: usize = 1;
        // `names` grows while inlined lets add the names they use.
        let mut i = 0;
        while i < names.len() {
            let n = names[i].clone();
            i += 1;
            let Some(sym) = cx.symbol(&n) else { continue };
            let ty = cx.symbol_type(&n);
            if let (SymKind::Let(decl), Ty::Bool) = (sym.kind, ty) {
                if enumerable(cx, &decl.value) {
                    collect_names(&decl.value, &mut names);
                    inline.push((n, &decl.value));
                    continue;
                }
            }
            match ty {
                Ty::Bool => {
                    vars.push((n, None));
                    total = total.saturating_mul(2);
                }
                Ty::Label(s) => {
                    total = total.saturating_mul(cx.scales[s].labels.len().max(1));
                    vars.push((n, Some(s)));
                }
                _ => return None,
            }
        }
        if total > MAX_COMBINATIONS {
            return None;
        }
        let space = Space { vars, inline };
        let probe = vec![0; space.vars.len()];
        for c in conds {
            eval(cx, &space, c, &probe, 0)?;
        }
        Some(space)
    }

    /// Every combination, as one index per variable.
    pub fn combinations(&self, cx: &Ctx<'_>) -> Vec<Vec<usize>> {
        let sizes: Vec<usize> = self
            .vars
            .iter()
            .map(|(_, s)| s.map_or(2, |s| cx.scales[s].labels.len().max(1)))
            .collect();
        let mut out = vec![Vec::new()];
        for n in sizes {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    (0..n).map(move |i| {
                        let mut v = prefix.clone();
                        v.push(i);
                        v
                    })
                })
                .collect();
        }
        out
    }

    /// `(规模 = A, 性质 = C, 是否新客 = no)`.
    pub fn describe(&self, cx: &Ctx<'_>, combo: &[usize]) -> String {
        let parts: Vec<String> = self
            .vars
            .iter()
            .zip(combo)
            .map(|((name, s), &i)| match s {
                Some(s) => format!(
                    "{name} = {}",
                    cx.scales[*s].labels.get(i).map_or("?", String::as_str)
                ),
                None => format!("{name} = {}", if i == 0 { "yes" } else { "no" }),
            })
            .collect();
        format!("({})", parts.join(", "))
    }

    /// Whether a condition holds for a combination (`None`: not understood).
    pub fn holds(&self, cx: &Ctx<'_>, cond: &Expr, combo: &[usize]) -> Option<bool> {
        match eval(cx, self, cond, combo, 0)? {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
}

fn collect_names(e: &Expr, out: &mut Vec<String>) {
    let mut push = |n: &str| {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    };
    match &e.kind {
        ExprKind::Name(id) => push(&id.name),
        ExprKind::Unary(_, x) => collect_names(x, out),
        ExprKind::Binary(_, l, r) => {
            collect_names(l, out);
            collect_names(r, out);
        }
        ExprKind::In { expr, set, .. } => {
            collect_names(expr, out);
            for s in set {
                collect_names(s, out);
            }
        }
        ExprKind::AtLeast { items, .. } => items.iter().for_each(|i| collect_names(i, out)),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_names(a, out)),
        _ => {}
    }
}

/// Evaluates a condition for one combination; no short-circuit, so an expression is either
/// understood for every combination or for none.
fn eval(cx: &Ctx<'_>, sp: &Space<'_>, e: &Expr, combo: &[usize], depth: usize) -> Option<Val> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &e.kind {
        ExprKind::Name(id) => {
            if let Some((_, body)) = sp.inline.iter().find(|(n, _)| *n == id.name) {
                return eval(cx, sp, body, combo, depth + 1);
            }
            let k = sp.vars.iter().position(|(n, _)| *n == id.name)?;
            Some(match sp.vars[k].1 {
                Some(_) => Val::Label(combo[k]),
                None => Val::Bool(combo[k] == 0),
            })
        }
        ExprKind::Lit(l) => match &l.kind {
            LitKind::Bool(b) => Some(Val::Bool(*b)),
            LitKind::Number { value, .. } => Some(Val::Num(*value)),
            _ => None,
        },
        ExprKind::Unary(UnOp::Not, x) => match eval(cx, sp, x, combo, depth)? {
            Val::Bool(b) => Some(Val::Bool(!b)),
            _ => None,
        },
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
            let (Val::Bool(a), Val::Bool(b)) = (
                eval(cx, sp, l, combo, depth)?,
                eval(cx, sp, r, combo, depth)?,
            ) else {
                return None;
            };
            Some(Val::Bool(if *op == BinOp::And { a && b } else { a || b }))
        }
        ExprKind::Binary(BinOp::Cmp(op), l, r) => {
            let (a, b) = operands(cx, sp, l, r, combo, depth)?;
            let ord = match (a, b) {
                (Val::Label(x), Val::Label(y)) => y.cmp(&x),
                (Val::Num(x), Val::Num(y)) => x.cmp(&y),
                (Val::Bool(x), Val::Bool(y)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => x.cmp(&y),
                _ => return None,
            };
            use std::cmp::Ordering::*;
            Some(Val::Bool(match op {
                CmpOp::Eq => ord == Equal,
                CmpOp::Ne => ord != Equal,
                CmpOp::Lt => ord == Less,
                CmpOp::Le => ord != Greater,
                CmpOp::Gt => ord == Greater,
                CmpOp::Ge => ord != Less,
            }))
        }
        ExprKind::In { expr, set, negated } => {
            let mut found = false;
            for item in set {
                let (a, b) = operands(cx, sp, expr, item, combo, depth)?;
                found |= a == b;
            }
            Some(Val::Bool(found != *negated))
        }
        ExprKind::AtLeast { k, items } => {
            let n = count(cx, sp, items, combo, depth)?;
            Some(Val::Bool(n >= *k as usize))
        }
        ExprKind::Call { func, args } if func.name == "count_of" => Some(Val::Num(Decimal::from(
            count(cx, sp, args, combo, depth)? as u64,
        ))),
        _ => None,
    }
}

fn count(
    cx: &Ctx<'_>,
    sp: &Space<'_>,
    items: &[Expr],
    combo: &[usize],
    depth: usize,
) -> Option<usize> {
    let mut n = 0;
    for i in items {
        match eval(cx, sp, i, combo, depth)? {
            Val::Bool(true) => n += 1,
            Val::Bool(false) => {}
            _ => return None,
        }
    }
    Some(n)
}

/// Both sides of a comparison; a bare label resolves against the other side's scale.
fn operands(
    cx: &Ctx<'_>,
    sp: &Space<'_>,
    l: &Expr,
    r: &Expr,
    combo: &[usize],
    depth: usize,
) -> Option<(Val, Val)> {
    let scale_of = |e: &Expr| match &e.kind {
        ExprKind::Name(id) => sp
            .vars
            .iter()
            .find(|(n, _)| *n == id.name)
            .and_then(|v| v.1),
        _ => None,
    };
    let side = |e: &Expr, other: &Expr| -> Option<Val> {
        if let (ExprKind::Name(id), Some(s)) = (&e.kind, scale_of(other)) {
            if cx.symbol(&id.name).is_none() {
                return cx.scales[s].rank(&id.name).map(Val::Label);
            }
        }
        eval(cx, sp, e, combo, depth)
    };
    Some((side(l, r)?, side(r, l)?))
}
