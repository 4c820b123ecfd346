//! Expressions: interpret.rs `eval`, one column expression at a time.

use super::*;

impl Lowerer<'_> {
    // -----------------------------------------------------------------------------------------
    // Expressions (interpret.rs `eval`, table.rs `form`)
    // -----------------------------------------------------------------------------------------

    pub(super) fn expr(&mut self, e: &CExpr) -> L {
        let bad = L::new(PExpr::Null, Ty::Null);
        match &e.kind {
            CKind::Const(v) => self.constant(v).unwrap_or(bad),
            CKind::Slot(Slot::Input(i)) => match self.event_scope {
                Some(ev) => self.event_field(ev, *i),
                None => L::new(PExpr::Input(*i), self.input_ty(*i)),
            },
            CKind::Slot(Slot::Node(n)) => match self.node_col[*n] {
                Some(c) => self.col(c),
                None => {
                    self.unsupported(e.span, "a value used before it is computed".into());
                    bad
                }
            },
            CKind::Slot(Slot::Agg(k)) => match self.plan.aggregates.get(*k) {
                Some(a) => L::new(PExpr::Agg(*k), a.ty),
                None => bad, // reported at the aggregate
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

    pub(super) fn cmp_kind(&mut self, a: Ty, b: Ty, span: Span) -> CmpKind {
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
    pub(super) fn compare(&mut self, op: CmpOp, a: L, b: L, span: Span) -> PExpr {
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

    pub(super) fn arith(&mut self, op: Arith, a: &CExpr, b: &CExpr, e: &CExpr) -> L {
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

    pub(super) fn call(&mut self, f: Func, args: &[CExpr], e: &CExpr) -> L {
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

    pub(super) fn missing(&self, span: Span, what: &str) -> PExpr {
        reason(
            Code::EvalMissing,
            format!(
                "`{}` is missing and this {what} does not say what missing means",
                self.text(span)
            ),
        )
    }

    pub(super) fn uncovered(&self, span: Span, what: String) -> PExpr {
        reason(
            Code::EvalUncovered,
            format!("{what}: `{}`", self.text(span)),
        )
    }
}
