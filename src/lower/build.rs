//! Lowering a compiled [`Program`] into a [`Plan`]: every construct's semantics, as the
//! interpreter has them (`eval/interpret.rs`, `table.rs`, `decide.rs`, `schedule.rs`), written
//! once as column expressions. Each function names the interpreter code it mirrors.

use super::*;
use crate::ast::{Scale, TypeKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::interpret::text;
use crate::eval::program::*;
use crate::eval::Program;
use crate::source::Span;
use crate::value::Value;

mod events;
mod exprs;
mod outputs;
mod relatives;
mod tables;
mod values;

/// A lowered expression: its value, type, the constant duration it stands for (durations
/// only appear added to dates) and why a row fails in it (`None`: never).
#[derive(Debug, Clone)]
struct L {
    e: PExpr,
    ty: Ty,
    dur: Option<Duration>,
    fail: Option<PExpr>,
}

impl L {
    fn new(e: PExpr, ty: Ty) -> L {
        L {
            e,
            ty,
            dur: None,
            fail: None,
        }
    }

    fn failing(mut self, fail: Option<PExpr>) -> L {
        self.fail = fail;
        self
    }
}

/// The first failure of several evaluated in order.
fn first(fails: impl IntoIterator<Item = Option<PExpr>>) -> Option<PExpr> {
    let v: Vec<PExpr> = fails.into_iter().flatten().collect();
    match v.len() {
        0 => None,
        1 => v.into_iter().next(),
        _ => Some(PExpr::Coalesce(v)),
    }
}

/// `fail` only where `cond` is true.
fn only_if(cond: PExpr, fail: Option<PExpr>) -> Option<PExpr> {
    fail.map(|f| PExpr::Case(vec![(cond, f)], PExpr::Null.b()))
}

fn reason(code: Code, message: String) -> PExpr {
    PExpr::Text(format!("{code}: {message}").into())
}

fn not(e: PExpr) -> PExpr {
    PExpr::Not(e.b())
}

fn is_null(e: &PExpr) -> PExpr {
    PExpr::IsNull(e.clone().b())
}

fn and(a: PExpr, b: PExpr) -> PExpr {
    PExpr::And(a.b(), b.b())
}

fn or_all(xs: Vec<PExpr>) -> PExpr {
    xs.into_iter()
        .reduce(|a, b| PExpr::Or(a.b(), b.b()))
        .unwrap_or(PExpr::Bool(false))
}

/// A condition that is false where it would be missing.
fn holds(e: PExpr) -> PExpr {
    PExpr::Coalesce(vec![e, PExpr::Bool(false)])
}

fn int_eq(e: &PExpr, i: usize) -> PExpr {
    PExpr::Cmp(
        CmpOp::Eq,
        e.clone().b(),
        PExpr::Int(i as i64).b(),
        CmpKind::Num { settle: false },
    )
}

/// Settled to [`SETTLE_PLACES`] when the type may carry more places.
fn settled(e: PExpr, ty: Ty) -> PExpr {
    if ty.scale() > SETTLE_PLACES {
        PExpr::Round(e.b(), SETTLE_PLACES)
    } else {
        e
    }
}

/// The common type of several values of one place (arms of a decision).
fn merge(tys: impl IntoIterator<Item = Ty>) -> Ty {
    let mut out = Ty::Null;
    for t in tys {
        out = match (out, t) {
            (Ty::Null, t) | (t, Ty::Null) => t,
            (Ty::Num { scale: a }, Ty::Num { scale: b }) => Ty::Num { scale: a.max(b) },
            (Ty::Label(None), Ty::Label(s)) => Ty::Label(s),
            (a, _) => a,
        };
    }
    out
}

/// A grade's arm column, and each arm's attributes and label.
type GradeArms = (usize, Vec<AttrsC>, Vec<Arc<str>>);

struct Lowerer<'p> {
    prog: &'p Program,
    plan: Plan,
    node_col: Vec<Option<usize>>,
    comp_col: Vec<Option<usize>>,
    rel_col: Vec<Option<usize>>,
    /// Per grade node: its arm column and its arms' attributes.
    arms: Vec<Option<GradeArms>>,
    /// While lowering an aggregate's `where`: its events (a `Slot::Input(i)` is field `i`).
    event_scope: Option<usize>,
    errors: Vec<Diagnostic>,
}

/// Lowers a program; a construct the plan cannot express is a `tier::sql::unsupported`
/// diagnostic at its span, every one of them.
pub fn lower(prog: &Program) -> Result<Plan, Vec<Diagnostic>> {
    let scales = prog
        .scales
        .iter()
        .map(|s| PlanScale {
            name: s.name.clone(),
            labels: s.labels.clone(),
        })
        .collect();
    let mut l = Lowerer {
        prog,
        plan: Plan {
            name: prog.name.clone(),
            version: prog.version.clone(),
            inputs: Vec::new(),
            scales,
            columns: Vec::new(),
            outputs: Outputs::default(),
            sources: Sources::default(),
            events: Vec::new(),
            aggregates: Vec::new(),
        },
        node_col: vec![None; prog.nodes.len()],
        comp_col: vec![None; prog.comp_count],
        rel_col: vec![None; prog.relatives.len()],
        arms: vec![None; prog.nodes.len()],
        event_scope: None,
        errors: Vec::new(),
    };
    l.inputs();
    l.events();
    l.relatives();
    if l.errors.is_empty() {
        for &n in &prog.order {
            if l.node_col[n].is_none() {
                l.node(n);
            }
        }
        l.outputs();
    }
    if l.errors.is_empty() {
        l.plan.sources.nodes = l.node_col.clone();
        l.plan.sources.comps = l.comp_col.clone();
        l.plan.sources.arms = l.arms.iter().map(|a| a.as_ref().map(|a| a.0)).collect();
        l.plan.sources.relatives = l.rel_col.clone();
        l.plan.hoist_quotients();
        Ok(l.plan)
    } else {
        Err(l.errors)
    }
}

impl<'p> Lowerer<'p> {
    fn unsupported(&mut self, span: Span, what: String) {
        self.errors.push(
            Diagnostic::error(Code::SqlUnsupported, what)
                .in_source(&self.prog.source)
                .with_label(span, "not expressible in the set-oriented plan yet")
                .with_help("grade this ruleset with `tier run`; docs/SQL.md lists what lowers"),
        );
    }

    fn text(&self, span: Span) -> String {
        text(&self.prog.source, span).into_owned()
    }

    fn push(&mut self, name: String, l: L) -> usize {
        self.plan.columns.push(Column {
            name,
            ty: l.ty,
            expr: l.e,
            fail: l.fail,
        });
        self.plan.columns.len() - 1
    }

    fn col(&self, i: usize) -> L {
        L::new(PExpr::Col(i), self.plan.columns[i].ty)
    }

    /// The scale a label is ranked on: the one whose `rank` is this name.
    fn label_scale(&self, name: &str, rank: u32, hint: Option<usize>) -> Option<usize> {
        let on =
            |s: usize| self.plan.scales[s].labels.get(rank as usize).map(|l| &**l) == Some(name);
        if let Some(h) = hint.filter(|h| on(*h)) {
            return Some(h);
        }
        (0..self.plan.scales.len()).find(|s| on(*s))
    }

    // -----------------------------------------------------------------------------------------
    // Inputs (data/number.rs and batch/columns.rs type the cells)
    // -----------------------------------------------------------------------------------------

    fn inputs(&mut self) {
        for (i, spec) in self.prog.inputs.iter().enumerate() {
            let default = spec
                .field
                .default
                .as_ref()
                .map(|e| (e.span, self.prog.literal_value(i, e)));
            let input = self.plan_input(
                &spec.field,
                &spec.name,
                spec.grade_labels.as_deref(),
                default,
            );
            self.plan.inputs.push(input);
        }
    }

    /// An input field (of `input`, or of an `events` declaration) as a warehouse column.
    fn plan_input(
        &mut self,
        f: &crate::ast::InputField,
        name: &Arc<str>,
        grade_labels: Option<&[Arc<str>]>,
        default: Option<(Span, Result<Value, String>)>,
    ) -> PlanInput {
        let factor = |s: Scale| match s {
            Scale::One => Decimal::ONE,
            Scale::Wan => Decimal::from(10_000),
            Scale::Yi => Decimal::from(100_000_000),
        };
        let kind = match &f.ty.kind {
            TypeKind::Number => InputKind::Number {
                factor: Decimal::ONE,
                integer: false,
            },
            TypeKind::Integer => InputKind::Number {
                factor: Decimal::ONE,
                integer: true,
            },
            TypeKind::Percent { .. } => InputKind::Percent,
            TypeKind::Money(s) | TypeKind::Quantity { scale: s, .. } => InputKind::Number {
                factor: factor(*s),
                integer: false,
            },
            TypeKind::Date => InputKind::Date,
            TypeKind::Text => InputKind::Text,
            TypeKind::Bool => InputKind::Bool,
            TypeKind::Enum(variants) => InputKind::Labels {
                scale: self.prog.scales.iter().position(|s| {
                    s.labels.len() == variants.len()
                        && s.labels
                            .iter()
                            .zip(variants)
                            .all(|(l, v)| **l == *v.name.name)
                }),
                names: variants
                    .iter()
                    .flat_map(|v| {
                        let name: Arc<str> = v.name.name.as_str().into();
                        std::iter::once((name.clone(), name.clone())).chain(
                            v.synonyms
                                .iter()
                                .map(move |s| (Arc::from(s.value.as_str()), name.clone())),
                        )
                    })
                    .collect(),
            },
            TypeKind::Grade(_) => {
                let labels = grade_labels.map(<[_]>::to_vec).unwrap_or_default();
                InputKind::Labels {
                    scale: self.prog.scales.iter().position(|s| s.labels == labels),
                    names: labels.iter().map(|l| (l.clone(), l.clone())).collect(),
                }
            }
        };
        let default = match default {
            Some((span, Ok(v))) => match self.constant(&v) {
                Some(c) => Some(c.e),
                None => {
                    self.unsupported(span, "this default has no column form".into());
                    None
                }
            },
            _ => None,
        };
        let num = |lit: &Option<crate::ast::Literal>| match lit.as_ref().map(|l| &l.kind) {
            Some(crate::ast::LitKind::Number { value, .. }) => Some(*value),
            _ => None,
        };
        let range = match &f.range {
            Some(r) => (num(&r.lo), num(&r.hi)),
            None => (None, None),
        };
        let column = f
            .columns
            .first()
            .map(|c| c.value.clone())
            .unwrap_or_else(|| name.to_string());
        PlanInput {
            name: name.clone(),
            column,
            kind,
            optional: f.optional,
            default,
            range,
        }
    }

    fn input_ty(&self, i: usize) -> Ty {
        kind_ty(&self.plan.inputs[i].kind)
    }
}

/// The type a typed input (or event field) has in a plan.
fn kind_ty(kind: &InputKind) -> Ty {
    {
        match kind {
            InputKind::Number { integer: true, .. } => Ty::num(0),
            // A warehouse decimal column: up to 6 places in its unit (docs/SQL.md).
            InputKind::Number { .. } => Ty::num(INPUT_PLACES),
            InputKind::Percent => Ty::num(PERCENT_PLACES),
            InputKind::Date => Ty::Date,
            InputKind::Bool => Ty::Bool,
            InputKind::Text => Ty::Text,
            InputKind::Labels { scale, .. } => Ty::Label(*scale),
        }
    }
}

impl Lowerer<'_> {
    fn constant(&self, v: &Value) -> Option<L> {
        Some(match v {
            Value::Missing => L::new(PExpr::Null, Ty::Null),
            Value::Number(d, _) => L::new(PExpr::Num(*d), Ty::num(d.scale())),
            Value::Date(d) => L::new(PExpr::Date(*d), Ty::Date),
            Value::Bool(b) => L::new(PExpr::Bool(*b), Ty::Bool),
            Value::Text(t) => L::new(PExpr::Text(t.clone()), Ty::Text),
            Value::Label(l) => L::new(
                PExpr::Text(l.name.clone()),
                Ty::Label(self.label_scale(&l.name, l.rank, None)),
            ),
            Value::Duration(d) => L {
                e: PExpr::Null,
                ty: Ty::Duration,
                dur: Some(*d),
                fail: None,
            },
        })
    }
}
