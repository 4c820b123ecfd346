//! The table forms: table.rs `linear`, `bands`, `matches`, `matrix`.

use super::*;

impl Lowerer<'_> {
    /// table.rs `linear` and `LinearC::points`.
    pub(super) fn linear(&mut self, lin: &LinearC, e: &CExpr) -> L {
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
    pub(super) fn bands(&mut self, b: &BandsC, e: &CExpr) -> L {
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
    pub(super) fn matches(&mut self, m: &MatchC, e: &CExpr) -> L {
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
    pub(super) fn matrix(&mut self, m: &MatrixC, e: &CExpr) -> L {
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
}
