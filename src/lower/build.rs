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
        },
        node_col: vec![None; prog.nodes.len()],
        comp_col: vec![None; prog.comp_count],
        rel_col: vec![None; prog.relatives.len()],
        arms: vec![None; prog.nodes.len()],
        errors: Vec::new(),
    };
    l.inputs();
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
    // Relatives (eval/relative.rs; the key pass of batch.rs)
    // -----------------------------------------------------------------------------------------

    /// The relatives, round by round, after the values their keys need. A row is ranked when
    /// its inputs typed, every value the key pass computes did not fail, and its key (and
    /// group) are present, a Pareto key not negative; as `tier run`'s key pass decides.
    fn relatives(&mut self) {
        let prog = self.prog;
        if prog.relatives.is_empty() {
            return;
        }
        for r in &prog.relatives {
            let why = match &r.decl.method {
                crate::ast::RelMethod::Split {
                    stat: crate::ast::SplitStat::Median,
                    ..
                } => Some("a median split"),
                _ if r.decl.ties == crate::ast::TiePolicy::InputOrder => {
                    Some("`ties input_order` (a table has no input order)")
                }
                _ => None,
            };
            if let Some(why) = why {
                self.unsupported(r.decl.span, format!("relative grade {}: {why}", r.name));
            }
        }
        // The key pass computes every value any key needs; one that itself reads a relative's
        // class would be computed with the classes of earlier rounds only.
        for &n in &prog.rel_deps {
            let mut deps = Vec::new();
            let mut rels = Vec::new();
            for e in crate::eval::compile_order::node_exprs(&prog.nodes[n]) {
                crate::eval::compile_order::expr_deps(&prog.nodes, e, &mut deps, &mut rels);
            }
            if !rels.is_empty() {
                self.unsupported(
                    prog.nodes[n].span,
                    format!(
                        "{}: a relative ranked by a value that reads another relative's class",
                        prog.nodes[n].name
                    ),
                );
            }
        }
        if !self.errors.is_empty() {
            return;
        }
        let first_dep_col = self.plan.columns.len();
        for &n in &prog.rel_deps {
            if self.node_col[n].is_none() {
                self.node(n);
            }
        }
        let dep_fails: Vec<PExpr> = self.plan.columns[first_dep_col..]
            .iter()
            .filter_map(|c| c.fail.clone())
            .collect();
        // Every key and group (the key pass evaluates them all each round).
        let mut key_fails = Vec::new();
        for (key, per) in &prog.rel_exprs {
            key_fails.extend(self.expr(key).fail);
            if let Some(p) = per {
                key_fails.extend(self.expr(p).fail);
            }
        }
        let mut ok = PExpr::InputsOk;
        for f in dep_fails.into_iter().chain(key_fails) {
            ok = and(ok, is_null(&f));
        }
        let ok_col = self.push("relative#keyed".into(), L::new(ok, Ty::Bool));
        for round in &prog.rel_rounds {
            for &k in round {
                self.relative(k, ok_col);
            }
        }
    }

    fn relative(&mut self, k: usize, ok_col: usize) {
        use crate::ast::RelMethod;
        let prog = self.prog;
        let spec = &prog.relatives[k];
        let (key_e, per_e) = &prog.rel_exprs[k];
        let key = self.expr(key_e);
        let key_col = self.push(format!("{}#key", spec.name), L::new(key.e, key.ty));
        let group = per_e.as_ref().map(|p| {
            let g = self.expr(p);
            self.push(format!("{}#group", spec.name), L::new(g.e, g.ty))
        });
        let pareto = matches!(spec.decl.method, RelMethod::Pareto(_));
        let mut ranked = and(PExpr::Col(ok_col), not(is_null(&PExpr::Col(key_col))));
        if let Some(g) = group {
            ranked = and(ranked, not(is_null(&PExpr::Col(g))));
        }
        if pareto {
            ranked = and(
                ranked,
                PExpr::Cmp(
                    CmpOp::Ge,
                    PExpr::Col(key_col).b(),
                    PExpr::Int(0).b(),
                    CmpKind::Num { settle: false },
                ),
            );
        }
        let ranked_col = self.push(
            format!("{}#ranked", spec.name),
            L::new(holds(ranked), Ty::Bool),
        );
        let shares = |cuts: &[crate::ast::Cut]| -> Vec<Option<Decimal>> {
            cuts.iter()
                .map(|c| {
                    c.share.as_ref().map(|l| match &l.kind {
                        crate::ast::LitKind::Number { value, .. } => *value,
                        _ => Decimal::ONE,
                    })
                })
                .collect()
        };
        let method = match &spec.decl.method {
            RelMethod::Pareto(cuts) => RelativeMethod::Pareto(shares(cuts)),
            RelMethod::Top(cuts) => RelativeMethod::Top(shares(cuts)),
            RelMethod::Quantiles {
                n,
                higher_is_better,
            } => RelativeMethod::Quantiles {
                n: *n,
                higher_is_better: *higher_is_better,
            },
            RelMethod::Split { .. } => RelativeMethod::AboveMean,
        };
        // Negative Pareto amounts reject the row (eval/interpret.rs `check_shares`); an output
        // grade that is a relative without a class too (`missing_relative`).
        let mut fails = Vec::new();
        if pareto {
            fails.push((
                PExpr::Cmp(
                    CmpOp::Lt,
                    PExpr::Col(key_col).b(),
                    PExpr::Int(0).b(),
                    CmpKind::Num { settle: false },
                ),
                reason(
                    Code::EvalNegativeShare,
                    format!(
                        "`{}` is negative: the Pareto class {} is a share of the total",
                        self.text(key_e.span),
                        spec.name
                    ),
                ),
            ));
        }
        let output = matches!(&prog.out.grade, Some((_, Slot::Rel(r))) if *r == k);
        let labels = spec.labels.clone();
        self.plan.scales.push(PlanScale {
            name: spec.name.clone(),
            labels: labels.clone(),
        });
        let scale = self.plan.scales.len() - 1;
        let op = RelativeOp {
            method,
            key: PExpr::Col(key_col),
            group: group.map(PExpr::Col),
            ranked: PExpr::Col(ranked_col),
            labels,
            on_missing: spec
                .decl
                .on_missing
                .as_ref()
                .map(|l| l.name.as_str().into()),
        };
        let class = PExpr::Relative(Box::new(op));
        let col = if output {
            let c = self.push(
                format!("{}#class", spec.name),
                L::new(class, Ty::Label(Some(scale))),
            );
            fails.push((
                is_null(&PExpr::Col(c)),
                reason(
                    Code::EvalMissing,
                    format!("relative grade {} has no class for this record", spec.name),
                ),
            ));
            self.push(
                spec.name.to_string(),
                L::new(PExpr::Col(c), Ty::Label(Some(scale)))
                    .failing(Some(PExpr::Case(fails, PExpr::Null.b()))),
            )
        } else {
            let fail = (!fails.is_empty()).then(|| PExpr::Case(fails, PExpr::Null.b()));
            self.push(
                spec.name.to_string(),
                L::new(class, Ty::Label(Some(scale))).failing(fail),
            )
        };
        self.rel_col[k] = Some(col);
    }

    // -----------------------------------------------------------------------------------------
    // Inputs (data/number.rs and batch/columns.rs type the cells)
    // -----------------------------------------------------------------------------------------

    fn inputs(&mut self) {
        for (i, spec) in self.prog.inputs.iter().enumerate() {
            let f = &spec.field;
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
                    let labels = spec.grade_labels.clone().unwrap_or_default();
                    InputKind::Labels {
                        scale: self.prog.scales.iter().position(|s| s.labels == labels),
                        names: labels.iter().map(|l| (l.clone(), l.clone())).collect(),
                    }
                }
            };
            let default = match &f.default {
                Some(e) => match self.prog.literal_value(i, e) {
                    Ok(v) => match self.constant(&v) {
                        Some(c) => Some(c.e),
                        None => {
                            self.unsupported(e.span, "this default has no column form".into());
                            None
                        }
                    },
                    Err(_) => None,
                },
                None => None,
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
                .unwrap_or_else(|| spec.name.to_string());
            self.plan.inputs.push(PlanInput {
                name: spec.name.clone(),
                column,
                kind,
                optional: f.optional,
                default,
                range,
            });
        }
    }

    fn input_ty(&self, i: usize) -> Ty {
        match &self.plan.inputs[i].kind {
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

    // -----------------------------------------------------------------------------------------
    // Expressions (interpret.rs `eval`, table.rs `form`)
    // -----------------------------------------------------------------------------------------

    fn expr(&mut self, e: &CExpr) -> L {
        let bad = L::new(PExpr::Null, Ty::Null);
        match &e.kind {
            CKind::Const(v) => self.constant(v).unwrap_or(bad),
            CKind::Slot(Slot::Input(i)) => L::new(PExpr::Input(*i), self.input_ty(*i)),
            CKind::Slot(Slot::Node(n)) => match self.node_col[*n] {
                Some(c) => self.col(c),
                None => {
                    self.unsupported(e.span, "a value used before it is computed".into());
                    bad
                }
            },
            CKind::Slot(Slot::Rel(r)) => match self.rel_col.get(*r).copied().flatten() {
                Some(c) => self.col(c),
                None => bad, // reported once, at the relative
            },
            CKind::Comp(i) => match self.comp_col.get(*i).copied().flatten() {
                Some(c) => self.col(c),
                None => bad,
            },
            CKind::AsOf => L::new(PExpr::AsOf, Ty::Date),
            CKind::Neg(x) => {
                let x = self.expr(x);
                if x.ty == Ty::Duration {
                    self.unsupported(e.span, "a negated duration".into());
                }
                L::new(PExpr::Neg(x.e.b()), x.ty).failing(x.fail)
            }
            CKind::Not(x) => {
                let x = self.expr(x);
                L::new(not(x.e), Ty::Bool).failing(x.fail)
            }
            CKind::Arith(op, a, b) => self.arith(*op, a, b, e),
            CKind::And(a, b) | CKind::Or(a, b) => {
                let is_and = matches!(e.kind, CKind::And(..));
                let (a, b) = (self.expr(a), self.expr(b));
                // `b` is only evaluated when `a` does not decide (false for and, true for or).
                let decided = if is_and {
                    not(a.e.clone())
                } else {
                    a.e.clone()
                };
                let fail = first([
                    a.fail,
                    b.fail
                        .map(|f| PExpr::Case(vec![(decided, PExpr::Null)], f.b())),
                ]);
                let v = if is_and {
                    PExpr::And(a.e.b(), b.e.b())
                } else {
                    PExpr::Or(a.e.b(), b.e.b())
                };
                L::new(v, Ty::Bool).failing(fail)
            }
            CKind::Coalesce(a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                let fail = first([a.fail, only_if(is_null(&a.e), b.fail)]);
                let ty = merge([a.ty, b.ty]);
                L::new(PExpr::Coalesce(vec![a.e, b.e]), ty).failing(fail)
            }
            CKind::Cmp(op, a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                let fail = first([a.fail.clone(), b.fail.clone()]);
                L::new(self.compare(*op, a, b, e.span), Ty::Bool).failing(fail)
            }
            CKind::IsMissing(x, negated) => {
                let x = self.expr(x);
                let v = if *negated {
                    not(is_null(&x.e))
                } else {
                    is_null(&x.e)
                };
                L::new(v, Ty::Bool).failing(x.fail)
            }
            CKind::In(x, set, negated) => {
                let x = self.expr(x);
                let mut fails = vec![x.fail.clone()];
                let mut hits = Vec::new();
                for s in set {
                    let s = self.expr(s);
                    let kind = self.cmp_kind(x.ty, s.ty, e.span);
                    fails.push(s.fail.clone());
                    hits.push(holds(PExpr::Cmp(CmpOp::Eq, x.e.clone().b(), s.e.b(), kind)));
                }
                let v = PExpr::Case(
                    vec![
                        (is_null(&x.e), PExpr::Null),
                        (or_all(hits), PExpr::Bool(!negated)),
                    ],
                    PExpr::Bool(*negated).b(),
                );
                L::new(v, Ty::Bool).failing(first(fails))
            }
            CKind::If(c, a, b) => {
                let (c, a, b) = (self.expr(c), self.expr(a), self.expr(b));
                let fail = first([
                    c.fail,
                    a.fail
                        .map(|f| PExpr::Case(vec![(c.e.clone(), f)], PExpr::Null.b())),
                    b.fail
                        .map(|f| PExpr::Case(vec![(not(c.e.clone()), f)], PExpr::Null.b())),
                ]);
                let ty = merge([a.ty, b.ty]);
                let v = PExpr::Case(vec![(c.e.clone(), a.e), (not(c.e), b.e)], PExpr::Null.b());
                L::new(v, ty).failing(fail)
            }
            CKind::Call(f, args) => self.call(*f, args, e),
            CKind::AtLeast(k, items) => {
                let items: Vec<L> = items.iter().map(|i| self.expr(i)).collect();
                let count = |f: &dyn Fn(&PExpr) -> PExpr| {
                    items
                        .iter()
                        .map(|i| PExpr::Case(vec![(f(&i.e), PExpr::Int(1))], PExpr::Int(0).b()))
                        .reduce(|a, b| PExpr::Add(a.b(), b.b()))
                        .unwrap_or(PExpr::Int(0))
                };
                let yes = count(&|e| e.clone());
                let unknown = count(&|e| is_null(e));
                let ge = |a: PExpr, op| {
                    PExpr::Cmp(
                        op,
                        a.b(),
                        PExpr::Int(i64::from(*k)).b(),
                        CmpKind::Num { settle: false },
                    )
                };
                let v = PExpr::Case(
                    vec![
                        (ge(yes.clone(), CmpOp::Ge), PExpr::Bool(true)),
                        (
                            ge(PExpr::Add(yes.b(), unknown.b()), CmpOp::Lt),
                            PExpr::Bool(false),
                        ),
                    ],
                    PExpr::Null.b(),
                );
                let fail = first(items.into_iter().map(|i| i.fail));
                L::new(v, Ty::Bool).failing(fail)
            }
            CKind::Linear(lin) => self.linear(lin, e),
            CKind::Bands(b) => self.bands(b, e),
            CKind::Match(m) => self.matches(m, e),
            CKind::Matrix(m) => self.matrix(m, e),
        }
    }

    fn cmp_kind(&mut self, a: Ty, b: Ty, span: Span) -> CmpKind {
        match (a, b) {
            (Ty::Num { .. }, Ty::Num { .. })
            | (Ty::Num { .. }, Ty::Null)
            | (Ty::Null, Ty::Num { .. }) => CmpKind::Num {
                settle: a.scale() > SETTLE_PLACES || b.scale() > SETTLE_PLACES,
            },
            (Ty::Date, _) | (_, Ty::Date) => CmpKind::Date,
            (Ty::Bool, _) | (_, Ty::Bool) => CmpKind::Bool,
            (Ty::Label(x), Ty::Label(y)) => CmpKind::Label(x.or(y)),
            (Ty::Label(_), Ty::Text) | (Ty::Text, Ty::Label(_)) | (Ty::Text, Ty::Text) => {
                CmpKind::Text
            }
            (Ty::Label(s), Ty::Null) | (Ty::Null, Ty::Label(s)) => CmpKind::Label(s),
            (Ty::Text, Ty::Null) | (Ty::Null, Ty::Text) | (Ty::Null, Ty::Null) => CmpKind::Text,
            _ => {
                self.unsupported(span, "this comparison".into());
                CmpKind::Text
            }
        }
    }

    /// A comparison; a label named by a number (`R >= 4` on a quantile) compares as that number,
    /// as eval/number.rs `order` does.
    fn compare(&mut self, op: CmpOp, a: L, b: L, span: Span) -> PExpr {
        let as_number = |l: L| match l.ty {
            Ty::Label(_) => L::new(PExpr::LabelNumber(l.e.b()), Ty::num(INPUT_PLACES)),
            _ => l,
        };
        let (a, b) = match (a.ty, b.ty) {
            (Ty::Label(_), Ty::Num { .. }) | (Ty::Num { .. }, Ty::Label(_)) => {
                (as_number(a), as_number(b))
            }
            _ => (a, b),
        };
        let kind = self.cmp_kind(a.ty, b.ty, span);
        PExpr::Cmp(op, a.e.b(), b.e.b(), kind)
    }

    fn arith(&mut self, op: Arith, a: &CExpr, b: &CExpr, e: &CExpr) -> L {
        let (la, lb) = (self.expr(a), self.expr(b));
        let fail = first([la.fail.clone(), lb.fail.clone()]);
        match (la.ty, lb.ty, op) {
            (Ty::Duration, Ty::Duration, Arith::Add | Arith::Sub) => {
                let (x, y) = (la.dur.unwrap_or_default(), lb.dur.unwrap_or_default());
                let s = if op == Arith::Sub { -1 } else { 1 };
                L {
                    e: PExpr::Null,
                    ty: Ty::Duration,
                    dur: Some(Duration {
                        months: x.months + s * y.months,
                        days: x.days + s * y.days,
                        hours: x.hours + s * y.hours,
                        workdays: x.workdays + s * y.workdays,
                    }),
                    fail: None,
                }
            }
            (Ty::Date | Ty::Null, Ty::Duration, Arith::Add | Arith::Sub)
            | (Ty::Duration, Ty::Date, Arith::Add) => {
                let (date, dur) = if la.ty == Ty::Duration {
                    (lb.e, la.dur)
                } else {
                    (la.e, lb.dur)
                };
                let mut d = dur.unwrap_or_default();
                if op == Arith::Sub {
                    d = Duration {
                        months: -d.months,
                        days: -d.days,
                        hours: -d.hours,
                        workdays: -d.workdays,
                    };
                }
                L::new(PExpr::DateAdd(date.b(), d), Ty::Date).failing(fail)
            }
            (Ty::Duration, Ty::Num { .. }, Arith::Mul)
            | (Ty::Num { .. }, Ty::Duration, Arith::Mul) => {
                let (d, n) = if la.ty == Ty::Duration {
                    (la.dur, &lb.e)
                } else {
                    (lb.dur, &la.e)
                };
                let k = match n {
                    PExpr::Num(k) if k.fract().is_zero() => {
                        i32::try_from(k.mantissa() / 10i128.pow(k.scale())).ok()
                    }
                    _ => None,
                };
                match (d, k) {
                    (Some(d), Some(k)) => L {
                        e: PExpr::Null,
                        ty: Ty::Duration,
                        dur: Some(Duration {
                            months: d.months * k,
                            days: d.days * k,
                            hours: d.hours * k,
                            workdays: d.workdays * k,
                        }),
                        fail: None,
                    },
                    _ => {
                        self.unsupported(e.span, "a duration times a computed number".into());
                        L::new(PExpr::Null, Ty::Null)
                    }
                }
            }
            (Ty::Num { .. } | Ty::Null, Ty::Num { .. } | Ty::Null, _) => {
                let (sa, sb) = (la.ty.scale(), lb.ty.scale());
                match op {
                    Arith::Add => L::new(PExpr::Add(la.e.b(), lb.e.b()), Ty::num(sa.max(sb))),
                    Arith::Sub => L::new(PExpr::Sub(la.e.b(), lb.e.b()), Ty::num(sa.max(sb))),
                    Arith::Mul => L::new(PExpr::Mul(la.e.b(), lb.e.b()), Ty::num(sa + sb)),
                    Arith::Div | Arith::DivScaled => {
                        let zero = PExpr::Cmp(
                            CmpOp::Eq,
                            lb.e.clone().b(),
                            PExpr::Int(0).b(),
                            CmpKind::Num { settle: false },
                        );
                        let why = reason(
                            Code::EvalDivisionByZero,
                            format!("division by zero in `{}`", self.text(e.span)),
                        );
                        let fail = first([
                            fail,
                            Some(PExpr::Case(
                                vec![(and(not(is_null(&la.e)), zero), why)],
                                PExpr::Null.b(),
                            )),
                        ]);
                        return L::new(PExpr::Div(la.e.b(), lb.e.b()), Ty::num(QUOTIENT_PLACES))
                            .failing(fail);
                    }
                }
                .failing(fail)
            }
            _ => {
                self.unsupported(e.span, "this arithmetic on dates or durations".into());
                L::new(PExpr::Null, Ty::Null)
            }
        }
    }

    fn call(&mut self, f: Func, args: &[CExpr], e: &CExpr) -> L {
        let ls: Vec<L> = args.iter().map(|a| self.expr(a)).collect();
        let fail = first(ls.iter().map(|l| l.fail.clone()));
        let arg = |i: usize| ls.get(i).map(|l| l.e.clone()).unwrap_or(PExpr::Null);
        let ty0 = ls.first().map(|l| l.ty).unwrap_or(Ty::Null);
        let v = match f {
            Func::DaysSince => L::new(PExpr::DaysBetween(arg(0).b(), PExpr::AsOf.b()), Ty::num(0)),
            Func::DaysBetween => L::new(PExpr::DaysBetween(arg(0).b(), arg(1).b()), Ty::num(0)),
            Func::MonthsSince => L::new(
                PExpr::MonthsBetween(arg(0).b(), PExpr::AsOf.b()),
                Ty::num(0),
            ),
            Func::Year => L::new(PExpr::Year(arg(0).b()), Ty::num(0)),
            Func::Month => L::new(PExpr::Month(arg(0).b()), Ty::num(0)),
            Func::Min | Func::Max => {
                let ty = merge(ls.iter().map(|l| l.ty));
                if let Ty::Label(Some(scale)) = ty {
                    // Labels order by rank, the better greater: max is the smallest rank.
                    let ranks = ls
                        .iter()
                        .map(|l| PExpr::Rank(l.e.clone().b(), scale))
                        .collect();
                    let best = if f == Func::Max {
                        PExpr::Least(ranks)
                    } else {
                        PExpr::Greatest(ranks)
                    };
                    L::new(PExpr::LabelOf(best.b(), scale), ty)
                } else {
                    if !matches!(ty, Ty::Num { .. } | Ty::Date) {
                        self.unsupported(e.span, "min/max of text or of labels of no scale".into());
                    }
                    let xs = ls.iter().map(|l| l.e.clone()).collect();
                    let v = if f == Func::Min {
                        PExpr::Least(xs)
                    } else {
                        PExpr::Greatest(xs)
                    };
                    L::new(v, ty)
                }
            }
            Func::Abs => L::new(PExpr::Abs(arg(0).b()), ty0),
            Func::Floor => L::new(PExpr::Floor(settled(arg(0), ty0).b()), Ty::num(0)),
            Func::Ceil => L::new(PExpr::Ceil(settled(arg(0), ty0).b()), Ty::num(0)),
            Func::Round => {
                let places = match ls.get(1).map(|l| &l.e) {
                    None => Some(0),
                    Some(PExpr::Num(n)) if n.fract().is_zero() && !n.is_sign_negative() => {
                        u32::try_from(n.mantissa() / 10i128.pow(n.scale()))
                            .ok()
                            .map(|p| p.min(28))
                    }
                    _ => None,
                };
                match places {
                    Some(p) => L::new(
                        PExpr::Round(settled(arg(0), ty0).b(), p),
                        Ty::num(p.min(ty0.scale())),
                    ),
                    None => {
                        self.unsupported(e.span, "round to a computed number of places".into());
                        L::new(PExpr::Null, Ty::Null)
                    }
                }
            }
            Func::Concat => {
                // Whole numbers are written as their digits everywhere; decimals, dates and
                // yes/no have tier's own formats, which the engines do not share.
                if ls.iter().any(|l| {
                    !matches!(
                        l.ty,
                        Ty::Text | Ty::Label(_) | Ty::Null | Ty::Num { scale: 0 }
                    )
                }) {
                    self.unsupported(
                        e.span,
                        "concat of a date, yes/no or a number with decimals".into(),
                    );
                }
                let parts = ls
                    .iter()
                    .map(|l| match l.ty {
                        Ty::Num { .. } => PExpr::IntText(l.e.clone().b()),
                        _ => l.e.clone(),
                    })
                    .collect();
                L::new(PExpr::Concat(parts), Ty::Text)
            }
            Func::CountOf => L::new(
                PExpr::CountTrue(ls.iter().map(|l| l.e.clone()).collect()),
                Ty::num(0),
            ),
        };
        v.failing(fail)
    }

    fn missing(&self, span: Span, what: &str) -> PExpr {
        reason(
            Code::EvalMissing,
            format!(
                "`{}` is missing and this {what} does not say what missing means",
                self.text(span)
            ),
        )
    }

    fn uncovered(&self, span: Span, what: String) -> PExpr {
        reason(
            Code::EvalUncovered,
            format!("{what}: `{}`", self.text(span)),
        )
    }

    /// table.rs `linear` and `LinearC::points`.
    fn linear(&mut self, lin: &LinearC, e: &CExpr) -> L {
        let x = self.expr(&lin.input);
        let num = |d: Decimal| L::new(PExpr::Num(d), Ty::num(d.scale()));
        let (a, b, p, q) = match &lin.fixed {
            Some(f) => (num(f.a), num(f.b), num(f.p), num(f.q)),
            None => {
                let a = self.expr(&lin.from);
                let b = self.expr(&lin.to);
                let (p, q) = match &lin.points {
                    Some((p, q)) => (self.expr(p), self.expr(q)),
                    None => (num(Decimal::ZERO), num(Decimal::ONE_HUNDRED)),
                };
                (a, b, p, q)
            }
        };
        let raw = CmpKind::Num { settle: false };
        let c = |op, l: &PExpr, r: &PExpr| PExpr::Cmp(op, l.clone().b(), r.clone().b(), raw);
        // Direction: from a low bound to a high one, or reversed (`from 5% to 1%`).
        let up = c(CmpOp::Lt, &a.e, &b.e);
        let below = PExpr::Case(
            vec![(up.clone(), c(CmpOp::Le, &x.e, &a.e))],
            c(CmpOp::Ge, &x.e, &a.e).b(),
        );
        let above = PExpr::Case(
            vec![(up, c(CmpOp::Ge, &x.e, &b.e))],
            c(CmpOp::Le, &x.e, &b.e).b(),
        );
        let slope = lin.fixed.as_ref().and_then(|f| f.slope);
        let (inside, inside_ty) = match slope {
            Some(k) => (
                PExpr::Add(
                    PExpr::Mul(
                        PExpr::Sub(x.e.clone().b(), a.e.clone().b()).b(),
                        PExpr::Num(k).b(),
                    )
                    .b(),
                    p.e.clone().b(),
                ),
                Ty::num((x.ty.scale().max(a.ty.scale()) + k.scale()).max(p.ty.scale())),
            ),
            None => (
                PExpr::Add(
                    PExpr::Div(
                        PExpr::Mul(
                            PExpr::Sub(x.e.clone().b(), a.e.clone().b()).b(),
                            PExpr::Sub(q.e.clone().b(), p.e.clone().b()).b(),
                        )
                        .b(),
                        PExpr::Sub(b.e.clone().b(), a.e.clone().b()).b(),
                    )
                    .b(),
                    p.e.clone().b(),
                ),
                Ty::num(QUOTIENT_PLACES.max(p.ty.scale())),
            ),
        };
        let v = PExpr::Case(
            vec![
                (is_null(&x.e), PExpr::Null),
                (below, p.e.clone()),
                (above, q.e.clone()),
            ],
            inside.b(),
        );
        let ty = merge([p.ty, q.ty, inside_ty]);
        let mut fail = first([x.fail.clone()]);
        if lin.fixed.is_none() {
            let bounds = [(&a, &lin.from), (&b, &lin.to)];
            let mut arms = vec![(is_null(&x.e), PExpr::Null)];
            for (l, src) in bounds {
                arms.push((is_null(&l.e), self.missing(src.span, "linear bound")));
            }
            if let Some((pp, qq)) = &lin.points {
                arms.push((is_null(&p.e), self.missing(pp.span, "linear points")));
                arms.push((is_null(&q.e), self.missing(qq.span, "linear points")));
            }
            arms.push((
                PExpr::Cmp(CmpOp::Eq, a.e.clone().b(), b.e.clone().b(), raw),
                reason(
                    Code::EvalLinearEmpty,
                    format!("`{}`: from = to", self.text(e.span)),
                ),
            ));
            fail = first([
                fail,
                a.fail,
                b.fail,
                p.fail,
                q.fail,
                Some(PExpr::Case(arms, PExpr::Null.b())),
            ]);
        }
        L::new(v, ty).failing(fail)
    }

    /// table.rs `bands`.
    fn bands(&mut self, b: &BandsC, e: &CExpr) -> L {
        let x = self.expr(&b.input);
        let mut arms = Vec::new();
        let mut fails = Vec::new();
        let mut tys = Vec::new();
        for arm in &b.arms {
            let cond = match &arm.guard {
                BandGuardC::Missing => is_null(&x.e),
                BandGuardC::Otherwise => not(is_null(&x.e)),
                BandGuardC::Interval { lo, hi } => {
                    let mut parts = Vec::new();
                    for (bound, low) in [(lo, true), (hi, false)] {
                        if let Some((be, incl)) = bound {
                            let bl = self.expr(be);
                            let op = match (low, incl) {
                                (true, true) => CmpOp::Ge,
                                (true, false) => CmpOp::Gt,
                                (false, true) => CmpOp::Le,
                                (false, false) => CmpOp::Lt,
                            };
                            let kind = self.cmp_kind(x.ty, bl.ty, be.span);
                            parts.push(holds(PExpr::Cmp(op, x.e.clone().b(), bl.e.b(), kind)));
                        }
                    }
                    let within = parts.into_iter().reduce(and).unwrap_or(PExpr::Bool(true));
                    and(not(is_null(&x.e)), within)
                }
            };
            let v = self.expr(&arm.value);
            tys.push(v.ty);
            fails.push((cond.clone(), v.fail.unwrap_or(PExpr::Null)));
            arms.push((cond, v.e));
        }
        let ty = merge(tys);
        let no_arm = PExpr::Case(
            vec![(is_null(&x.e), self.missing(b.input.span, "band lookup"))],
            self.uncovered(e.span, "no band covers this value".into())
                .b(),
        );
        let fail = first([x.fail, Some(PExpr::Case(fails, no_arm.b()))]);
        L::new(PExpr::Case(arms, PExpr::Null.b()), ty).failing(fail)
    }

    /// table.rs `matches`.
    fn matches(&mut self, m: &MatchC, e: &CExpr) -> L {
        let x = self.expr(&m.input);
        let mut arms = Vec::new();
        let mut fails = Vec::new();
        let mut tys = Vec::new();
        for (keys, value, _) in &m.arms {
            let cond = match keys {
                MatchKeysC::Missing => is_null(&x.e),
                MatchKeysC::Otherwise => not(is_null(&x.e)),
                MatchKeysC::Values(ks) => {
                    let mut hits = Vec::new();
                    for k in ks {
                        let kl = self.expr(k);
                        let kind = self.cmp_kind(x.ty, kl.ty, k.span);
                        hits.push(holds(PExpr::Cmp(
                            CmpOp::Eq,
                            x.e.clone().b(),
                            kl.e.b(),
                            kind,
                        )));
                    }
                    and(not(is_null(&x.e)), or_all(hits))
                }
            };
            let v = self.expr(value);
            tys.push(v.ty);
            fails.push((cond.clone(), v.fail.unwrap_or(PExpr::Null)));
            arms.push((cond, v.e));
        }
        let no_arm = PExpr::Case(
            vec![(is_null(&x.e), self.missing(m.input.span, "match"))],
            self.uncovered(e.span, "no arm matches this value".into())
                .b(),
        );
        let fail = first([x.fail, Some(PExpr::Case(fails, no_arm.b()))]);
        L::new(PExpr::Case(arms, PExpr::Null.b()), merge(tys)).failing(fail)
    }

    /// table.rs `matrix` and `key_index`: the first equal key, else the `otherwise` one.
    fn matrix(&mut self, m: &MatrixC, e: &CExpr) -> L {
        let r = self.expr(&m.row);
        let c = self.expr(&m.col);
        let keyed = |me: &mut Self,
                     keys: &[Option<CExpr>],
                     x: &L|
         -> (Vec<(PExpr, usize)>, Option<usize>) {
            let mut arms = Vec::new();
            let mut otherwise = None;
            for (i, k) in keys.iter().enumerate() {
                match k {
                    None => {
                        otherwise.get_or_insert(i);
                    }
                    Some(k) => {
                        let kl = me.expr(k);
                        let kind = me.cmp_kind(x.ty, kl.ty, k.span);
                        arms.push((
                            holds(PExpr::Cmp(CmpOp::Eq, x.e.clone().b(), kl.e.b(), kind)),
                            i,
                        ));
                    }
                }
            }
            (arms, otherwise)
        };
        let row_keys: Vec<Option<CExpr>> = m.rows.iter().map(|(k, _, _)| k.clone()).collect();
        let (row_arms, row_else) = keyed(self, &row_keys, &r);
        let (col_arms, col_else) = keyed(self, &m.columns, &c);
        let uncovered = self.uncovered(e.span, "the matrix has no cell for these keys".into());
        let mut tys = Vec::new();
        // One `Case` over the columns for a row: the cell's value and its fail.
        let mut row_case = |me: &mut Self, ri: usize| -> (PExpr, PExpr) {
            let cells = &m.rows[ri].1;
            let mut vals = Vec::new();
            let mut fails = Vec::new();
            let cell = |me: &mut Self, ci: usize, tys: &mut Vec<Ty>| match cells.get(ci) {
                Some(x) => {
                    let l = me.expr(x);
                    tys.push(l.ty);
                    (l.e, l.fail.unwrap_or(PExpr::Null))
                }
                None => (PExpr::Null, uncovered.clone()),
            };
            for (cond, ci) in &col_arms {
                let (v, f) = cell(me, *ci, &mut tys);
                vals.push((cond.clone(), v));
                fails.push((cond.clone(), f));
            }
            let (ev, ef) = match col_else {
                Some(ci) => cell(me, ci, &mut tys),
                None => (PExpr::Null, uncovered.clone()),
            };
            (PExpr::Case(vals, ev.b()), PExpr::Case(fails, ef.b()))
        };
        let mut vals = Vec::new();
        let mut fails = Vec::new();
        for (cond, ri) in &row_arms {
            let (v, f) = row_case(self, *ri);
            vals.push((cond.clone(), v));
            fails.push((cond.clone(), f));
        }
        let (ev, ef) = match row_else {
            Some(ri) => row_case(self, ri),
            None => (PExpr::Null, uncovered.clone()),
        };
        let missing = PExpr::Case(
            vec![
                (is_null(&r.e), self.missing(m.row.span, "matrix lookup")),
                (is_null(&c.e), self.missing(m.col.span, "matrix lookup")),
            ],
            PExpr::Case(fails, ef.b()).b(),
        );
        let fail = first([r.fail, c.fail, Some(missing)]);
        L::new(PExpr::Case(vals, ev.b()), merge(tys)).failing(fail)
    }

    // -----------------------------------------------------------------------------------------
    // Named values (decide.rs)
    // -----------------------------------------------------------------------------------------

    fn node(&mut self, n: usize) {
        let prog = self.prog;
        let node = &prog.nodes[n];
        let col = match &node.kind {
            NodeKind::Let(e) => {
                let mut l = self.expr(e);
                if let (Ty::Label(None), Some(s)) = (l.ty, node.scale) {
                    l.ty = Ty::Label(Some(s));
                }
                if l.ty == Ty::Duration {
                    self.unsupported(node.span, "a named duration".into());
                }
                self.push(node.name.to_string(), l)
            }
            NodeKind::Scorecard(sc) => self.scorecard(node, sc),
            NodeKind::Grade(g) => self.grade(n, g),
            NodeKind::Adjust(a) => self.adjust(n, a),
        };
        let col = match &node.override_by {
            Some(o) => self.override_grade(n, col, *o),
            None => col,
        };
        self.node_col[n] = Some(col);
    }

    /// decide.rs `scorecard`: components in order, weighted, summed, rounded.
    fn scorecard(&mut self, node: &Node, sc: &ScorecardC) -> usize {
        let mut total: Option<(PExpr, u32)> = None;
        let mut fails = Vec::new();
        for (i, c) in sc.components.iter().enumerate() {
            let v = self.expr(&c.expr);
            let (points, fail) = match &c.on_missing {
                Some(m) => {
                    let m = self.expr(m);
                    (
                        L::new(PExpr::Coalesce(vec![v.e.clone(), m.e]), merge([v.ty, m.ty])),
                        first([v.fail, only_if(is_null(&v.e), m.fail)]),
                    )
                }
                None => (
                    L::new(v.e.clone(), v.ty),
                    first([
                        v.fail,
                        Some(PExpr::Case(
                            vec![(is_null(&v.e), self.missing(c.expr.span, "score component"))],
                            PExpr::Null.b(),
                        )),
                    ]),
                ),
            };
            fails.push(fail);
            let ty = points.ty;
            let col = self.push(format!("{}.{}", node.name, c.name), points);
            self.comp_col[sc.first_comp + i] = Some(col);
            let (w, ws) = match &c.weight {
                Some((w, _)) => (
                    PExpr::Mul(PExpr::Col(col).b(), PExpr::Num(*w).b()),
                    ty.scale() + w.scale(),
                ),
                None => (PExpr::Col(col), ty.scale()),
            };
            total = Some(match total {
                None => (w, ws),
                Some((t, ts)) => (PExpr::Add(t.b(), w.b()), ts.max(ws)),
            });
        }
        let (mut sum, mut scale) = total.unwrap_or((PExpr::Int(0), 0));
        if let Some(places) = sc.round {
            sum = PExpr::Round(settled(sum, Ty::num(scale)).b(), places);
            scale = scale.min(places);
        }
        self.push(
            node.name.to_string(),
            L::new(sum, Ty::num(scale)).failing(first(fails)),
        )
    }

    /// decide.rs `grade`: an arm column (which arm fired), then the label.
    fn grade(&mut self, n: usize, g: &GradeC) -> usize {
        let node = &self.prog.nodes[n];
        let mut arms = Vec::new();
        let mut fails = Vec::new();
        let mut attrs = Vec::new();
        let mut labels = Vec::new();
        let mut input_fail = None;
        let no_arm;
        match g {
            GradeC::Thresholds { input, arms: ts } => {
                let x = self.expr(input);
                input_fail = x.fail.clone();
                for (i, arm) in ts.iter().enumerate() {
                    let cond = match &arm.test {
                        ThresholdTestC::Missing => is_null(&x.e),
                        ThresholdTestC::Otherwise => not(is_null(&x.e)),
                        ThresholdTestC::Cmp(op, b) => {
                            let bl = self.expr(b);
                            let kind = self.cmp_kind(x.ty, bl.ty, b.span);
                            if let Some(f) = bl.fail {
                                fails.push((not(is_null(&x.e)), f));
                            }
                            holds(PExpr::Cmp(*op, x.e.clone().b(), bl.e.b(), kind))
                        }
                    };
                    fails.push((cond.clone(), PExpr::Null));
                    arms.push((cond, PExpr::Int(i as i64)));
                    attrs.push(arm.attrs.clone());
                    labels.push(arm.label.name.clone());
                }
                no_arm = PExpr::Case(
                    vec![(is_null(&x.e), self.missing(input.span, "grade"))],
                    self.uncovered(node.span, format!("no arm of grade {} holds", node.name))
                        .b(),
                );
            }
            GradeC::Rules { arms: rs } => {
                for (i, arm) in rs.iter().enumerate() {
                    match &arm.when {
                        None => {
                            fails.push((PExpr::Bool(true), PExpr::Null));
                            arms.push((PExpr::Bool(true), PExpr::Int(i as i64)));
                        }
                        Some(w) => {
                            let wl = self.expr(w);
                            if let Some(f) = wl.fail {
                                fails.push((not(is_null(&f)), f));
                            }
                            fails.push((wl.e.clone(), PExpr::Null));
                            fails.push((is_null(&wl.e), self.missing(w.span, "grade rule")));
                            // A rule that is missing stops the grade (the row fails).
                            arms.push((wl.e.clone(), PExpr::Int(i as i64)));
                            arms.push((is_null(&wl.e), PExpr::Null));
                        }
                    }
                    attrs.push(arm.attrs.clone());
                    labels.push(arm.label.name.clone());
                }
                no_arm =
                    self.uncovered(node.span, format!("no rule of grade {} matches", node.name));
            }
        }
        let fail = first([input_fail, Some(PExpr::Case(fails, no_arm.b()))]);
        let arm_col = self.push(
            format!("{}#arm", node.name),
            L::new(PExpr::Case(arms, PExpr::Null.b()), Ty::num(0)).failing(fail),
        );
        let label = PExpr::Case(
            labels
                .iter()
                .enumerate()
                .map(|(i, l)| (int_eq(&PExpr::Col(arm_col), i), PExpr::Text(l.clone())))
                .collect(),
            PExpr::Null.b(),
        );
        self.arms[n] = Some((arm_col, attrs, labels));
        self.push(node.name.to_string(), L::new(label, Ty::Label(node.scale)))
    }

    /// decide.rs `adjust`: the base's rank, moved by each arm that holds, in order.
    fn adjust(&mut self, n: usize, a: &AdjustC) -> usize {
        let node = &self.prog.nodes[n];
        let Some(scale) = node.scale else {
            self.unsupported(node.span, "an adjustment without a scale".into());
            return self.push(node.name.to_string(), L::new(PExpr::Null, Ty::Null));
        };
        let last = self.plan.scales[scale].labels.len().saturating_sub(1) as i64;
        let base = self.expr(&CExpr {
            kind: CKind::Slot(a.base),
            span: node.span,
        });
        let base_name = self.prog.slot_name(a.base);
        let missing = reason(
            Code::EvalMissing,
            format!("{base_name} is missing and this adjustment does not say what missing means"),
        );
        let mut cur = self.push(
            format!("{}#0", node.name),
            L::new(PExpr::Rank(base.e.clone().b(), scale), Ty::num(0)).failing(first([
                base.fail,
                Some(PExpr::Case(
                    vec![(is_null(&base.e), missing)],
                    PExpr::Null.b(),
                )),
            ])),
        );
        for (i, arm) in a.arms.iter().enumerate() {
            let w = self.expr(&arm.when);
            let c = PExpr::Col(cur);
            let int = |k: i64| PExpr::Int(k);
            let moved = match &arm.action {
                AdjustActionC::Up(k) => PExpr::Greatest(vec![
                    PExpr::Sub(c.clone().b(), int(i64::from(*k)).b()),
                    int(0),
                ]),
                AdjustActionC::Down(k) => PExpr::Least(vec![
                    PExpr::Add(c.clone().b(), int(i64::from(*k)).b()),
                    int(last),
                ]),
                AdjustActionC::To(l) => int(i64::from(l.rank)),
                AdjustActionC::UpTo(l) => PExpr::Least(vec![c.clone(), int(i64::from(l.rank))]),
                AdjustActionC::DownTo(l) => {
                    PExpr::Greatest(vec![c.clone(), int(i64::from(l.rank))])
                }
            };
            let fail = first([
                w.fail,
                Some(PExpr::Case(
                    vec![(is_null(&w.e), self.missing(arm.when.span, "adjustment"))],
                    PExpr::Null.b(),
                )),
            ]);
            cur = self.push(
                format!("{}#{}", node.name, i + 1),
                L::new(PExpr::Case(vec![(w.e, moved)], c.b()), Ty::num(0)).failing(fail),
            );
        }
        self.push(
            node.name.to_string(),
            L::new(
                PExpr::LabelOf(PExpr::Col(cur).b(), scale),
                Ty::Label(Some(scale)),
            ),
        )
    }

    /// decide.rs `apply_override`: a manual grade (with its reason) replaces the computed one.
    fn override_grade(
        &mut self,
        n: usize,
        computed: usize,
        (with, why, _): (usize, usize, Span),
    ) -> usize {
        let node = &self.prog.nodes[n];
        let Some(scale) = node.scale else {
            return computed;
        };
        let manual = PExpr::Input(with);
        let with_name = self.prog.inputs[with].name.clone();
        let why_name = self.prog.inputs[why].name.clone();
        let fail = PExpr::Case(
            vec![
                (is_null(&manual), PExpr::Null),
                (
                    is_null(&PExpr::Rank(manual.clone().b(), scale)),
                    reason(
                        Code::EvalOverrideLabel,
                        format!(
                            "{with_name} is not a label of {}",
                            self.plan.scales[scale].name
                        ),
                    ),
                ),
                (
                    is_null(&PExpr::Input(why)),
                    reason(
                        Code::EvalOverrideReason,
                        format!(
                            "{with_name} overrides {} but {why_name} is empty",
                            node.name
                        ),
                    ),
                ),
            ],
            PExpr::Null.b(),
        );
        self.push(
            format!("{}#overridden", node.name),
            L::new(
                PExpr::Coalesce(vec![manual, PExpr::Col(computed)]),
                Ty::Label(Some(scale)),
            )
            .failing(Some(fail)),
        )
    }

    // -----------------------------------------------------------------------------------------
    // Outputs: tags, schedules, actions (decide.rs `evaluate`, schedule.rs, data/write.rs)
    // -----------------------------------------------------------------------------------------

    /// The attributes a label of grade node `n` has: the first arm with that label.
    fn attrs_by_label(
        &self,
        n: usize,
        label: &PExpr,
        pick: fn(&AttrsC) -> &Option<Arc<str>>,
    ) -> Vec<(PExpr, Arc<str>)> {
        let Some((_, attrs, labels)) = &self.arms[n] else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen: Vec<&Arc<str>> = Vec::new();
        for (a, l) in attrs.iter().zip(labels) {
            if seen.contains(&l) {
                continue;
            }
            seen.push(l);
            if let Some(t) = pick(a) {
                out.push((
                    PExpr::Cmp(
                        CmpOp::Eq,
                        label.clone().b(),
                        PExpr::Text(l.clone()).b(),
                        CmpKind::Text,
                    ),
                    t.clone(),
                ));
            }
        }
        out
    }

    /// The output grade's attribute and each held tag's, as (condition, text).
    fn attr_parts(
        &self,
        tag_cols: &[usize],
        pick: fn(&AttrsC) -> &Option<Arc<str>>,
    ) -> Vec<(PExpr, Arc<str>)> {
        let prog = self.prog;
        let mut parts = Vec::new();
        if let Some((_, Slot::Node(g))) = &prog.out.grade {
            let n = *g;
            match &prog.nodes[n].kind {
                NodeKind::Grade(_) if prog.nodes[n].override_by.is_none() => {
                    if let Some((arm_col, attrs, _)) = &self.arms[n] {
                        for (i, a) in attrs.iter().enumerate() {
                            if let Some(t) = pick(a) {
                                parts.push((int_eq(&PExpr::Col(*arm_col), i), t.clone()));
                            }
                        }
                    }
                }
                NodeKind::Grade(_) => {
                    if let Some(c) = self.node_col[n] {
                        parts.extend(self.attrs_by_label(n, &PExpr::Col(c), pick));
                    }
                }
                NodeKind::Adjust(a) => {
                    if let (Slot::Node(b), Some(c)) = (a.base, self.node_col[n]) {
                        parts.extend(self.attrs_by_label(b, &PExpr::Col(c), pick));
                    }
                }
                _ => {}
            }
        }
        for (t, col) in prog.tags.iter().zip(tag_cols) {
            if let Some(x) = pick(&t.attrs) {
                parts.push((PExpr::Col(*col), x.clone()));
            }
        }
        distinct(parts)
    }

    fn schedule(&mut self, s: &ScheduleC) -> (usize, usize, usize) {
        let kind = if s.is_review { "review" } else { "follow_up" };
        let grade = self.expr(&CExpr {
            kind: CKind::Slot(s.grade),
            span: s.span,
        });
        let from = self.expr(&s.from);
        let last = self.push(
            format!("{kind}#from"),
            L::new(from.e, Ty::Date).failing(from.fail),
        );
        let last = PExpr::Col(last);
        let mut arm_conds = Vec::new();
        let mut otherwise = None;
        for (i, arm) in s.arms.iter().enumerate() {
            match &arm.label {
                Some(l) => arm_conds.push((
                    holds(PExpr::Cmp(
                        CmpOp::Eq,
                        grade.e.clone().b(),
                        PExpr::Text(l.clone()).b(),
                        CmpKind::Text,
                    )),
                    PExpr::Int(i as i64),
                )),
                None => {
                    otherwise.get_or_insert(i);
                }
            }
        }
        let else_arm = otherwise.map_or(PExpr::Null, |i| PExpr::Int(i as i64));
        let arm = self.push(
            format!("{kind}#arm"),
            L::new(PExpr::Case(arm_conds, else_arm.b()), Ty::num(0)),
        );
        let days = |n: i32| Duration {
            days: n,
            ..Duration::default()
        };
        let mut next = Vec::new();
        let mut overdue = Vec::new();
        let mut reassign = Vec::new();
        for (i, a) in s.arms.iter().enumerate() {
            let this = int_eq(&PExpr::Col(arm), i);
            let (due, deadline) = match a.cadence {
                CadenceC::Every(d) => (d, d),
                CadenceC::Within(lo, hi) => (lo, hi),
                CadenceC::PerPeriod(n) => (days(n), days(n)),
                CadenceC::None => {
                    next.push((this, PExpr::Null));
                    continue;
                }
            };
            let add = |d: Duration| PExpr::DateAdd(last.clone().b(), d);
            next.push((this.clone(), PExpr::Coalesce(vec![add(due), PExpr::AsOf])));
            let late = |d: Duration| {
                holds(PExpr::Cmp(
                    CmpOp::Gt,
                    PExpr::AsOf.b(),
                    add(d).b(),
                    CmpKind::Date,
                ))
            };
            overdue.push((this.clone(), late(deadline)));
            if let Some(r) = a.reassign_after {
                reassign.push((this, late(r)));
            }
        }
        let next = self.push(
            format!("{kind}#next"),
            L::new(PExpr::Case(next, PExpr::Null.b()), Ty::Date),
        );
        let overdue = self.push(
            format!("{kind}#overdue"),
            L::new(PExpr::Case(overdue, PExpr::Bool(false).b()), Ty::Bool),
        );
        let reassign = self.push(
            format!("{kind}#reassign"),
            L::new(PExpr::Case(reassign, PExpr::Bool(false).b()), Ty::Bool),
        );
        (next, overdue, reassign)
    }

    fn outputs(&mut self) {
        let prog = self.prog;
        let words = crate::data::write::FixedWords::of(prog.lang);
        let mut out: Vec<(String, usize)> = Vec::new();
        let slot_col = |me: &Self, s: Slot| match s {
            Slot::Node(n) => me.node_col[n],
            _ => None,
        };
        let mut shown: Vec<String> = Vec::new();
        for (o, fixed) in [
            (&prog.out.grade, words.grade),
            (&prog.out.subgrade, words.subgrade),
            (&prog.out.score, words.score),
        ] {
            if let Some((name, slot)) = o {
                let header = if name.is_empty() {
                    fixed.to_string()
                } else {
                    name.to_string()
                };
                match (slot_col(self, *slot), slot) {
                    (Some(c), _) => out.push((header.clone(), c)),
                    (None, Slot::Input(i)) => {
                        let c = self.push(
                            format!("{header}#input"),
                            L::new(PExpr::Input(*i), self.input_ty(*i)),
                        );
                        out.push((header.clone(), c));
                    }
                    _ => {}
                }
                shown.push(name.to_string());
            }
        }
        if let Some((score, Slot::Node(n))) = &prog.out.score {
            if let NodeKind::Scorecard(sc) = &prog.nodes[*n].kind {
                for (i, c) in sc.components.iter().enumerate() {
                    if let Some(col) = self.comp_col[sc.first_comp + i] {
                        out.push((format!("{score}.{}", c.name), col));
                    }
                }
            }
        }
        for (i, node) in prog.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Grade(_) | NodeKind::Adjust(_))
                && !shown.contains(&node.name.to_string())
            {
                if let Some(c) = self.node_col[i] {
                    out.push((node.name.to_string(), c));
                }
            }
        }
        // Tags (a tag that fails rejects the row; a missing condition does not hold).
        let mut tag_cols = Vec::new();
        for t in &prog.tags {
            let w = self.expr(&t.when);
            let c = self.push(
                format!("tag#{}", t.name),
                L::new(holds(w.e), Ty::Bool).failing(w.fail),
            );
            tag_cols.push(c);
        }
        let tags: Vec<(PExpr, Arc<str>)> = prog
            .tags
            .iter()
            .zip(&tag_cols)
            .map(|(t, c)| (PExpr::Col(*c), t.name.clone()))
            .collect();
        let c = self.push(
            words.tags.to_string(),
            L::new(PExpr::JoinTrue(tags, "、".into()), Ty::Text),
        );
        out.push((words.tags.to_string(), c));
        if let Some(f) = &prog.follow_up {
            let (next, overdue, reassign) = self.schedule(f);
            out.push((words.next_due.to_string(), next));
            out.push((words.overdue.to_string(), overdue));
            out.push((words.reassign.to_string(), reassign));
        }
        if let Some(r) = &prog.review {
            let (next, _, _) = self.schedule(r);
            out.push((words.review_due.to_string(), next));
        }
        let actions = self.attr_parts(&tag_cols, |a| &a.action);
        let c = self.push(
            words.action.to_string(),
            L::new(PExpr::JoinTrue(actions, "；".into()), Ty::Text),
        );
        out.push((words.action.to_string(), c));
        let owners = self.attr_parts(&tag_cols, |a| &a.owner);
        let c = self.push(
            words.owner.to_string(),
            L::new(PExpr::JoinTrue(owners, "、".into()), Ty::Text),
        );
        out.push((words.owner.to_string(), c));
        self.plan.outputs = Outputs { columns: out };
    }
}

/// `join_distinct` of data/write.rs: a text already joined by an earlier part that holds is not
/// repeated.
fn distinct(parts: Vec<(PExpr, Arc<str>)>) -> Vec<(PExpr, Arc<str>)> {
    let mut out: Vec<(PExpr, Arc<str>)> = Vec::new();
    for (cond, text) in parts {
        let earlier: Vec<PExpr> = out
            .iter()
            .filter(|(_, t)| *t == text)
            .map(|(c, _)| c.clone())
            .collect();
        let cond = if earlier.is_empty() {
            cond
        } else {
            and(
                holds(cond),
                not(or_all(earlier.into_iter().map(holds).collect())),
            )
        };
        out.push((cond, text));
    }
    out
}
