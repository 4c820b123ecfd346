//! Relatives: window classes over the rows `tier run`'s key pass ranks.

use super::*;

impl Lowerer<'_> {
    // -----------------------------------------------------------------------------------------
    // Relatives (eval/relative.rs; the key pass of batch.rs)
    // -----------------------------------------------------------------------------------------

    /// The relatives, round by round, after the values their keys need. A row is ranked when
    /// its inputs typed, every value the key pass computes did not fail, and its key (and
    /// group) are present, a Pareto key not negative; as `tier run`'s key pass decides.
    pub(super) fn relatives(&mut self) {
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

    pub(super) fn relative(&mut self, k: usize, ok_col: usize) {
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
        // The cuts' shares exactly as eval/relative.rs reads them.
        let shares = crate::eval::relative::cut_shares;
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
}
