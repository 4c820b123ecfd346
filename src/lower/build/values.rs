//! Named values: decide.rs scorecards, grades, adjustments and overrides.

use super::*;

impl Lowerer<'_> {
    // -----------------------------------------------------------------------------------------
    // Named values (decide.rs)
    // -----------------------------------------------------------------------------------------

    pub(super) fn node(&mut self, n: usize) {
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
    pub(super) fn scorecard(&mut self, node: &Node, sc: &ScorecardC) -> usize {
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
    pub(super) fn grade(&mut self, n: usize, g: &GradeC) -> usize {
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
    pub(super) fn adjust(&mut self, n: usize, a: &AdjustC) -> usize {
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
    pub(super) fn override_grade(
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
}
