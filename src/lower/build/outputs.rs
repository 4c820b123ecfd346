//! Outputs: tags, schedules, actions and owners (decide.rs `evaluate`, schedule.rs, data/write.rs).

use super::*;

impl Lowerer<'_> {
    // -----------------------------------------------------------------------------------------
    // Outputs: tags, schedules, actions (decide.rs `evaluate`, schedule.rs, data/write.rs)
    // -----------------------------------------------------------------------------------------

    /// The attributes a label of grade node `n` has: the first arm with that label.
    pub(super) fn attrs_by_label(
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
    pub(super) fn attr_parts(
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

    /// A schedule's columns (next due, overdue, reassign); `tag_cols` are the tags' columns, in
    /// the order of `prog.tags`.
    pub(super) fn schedule(&mut self, s: &ScheduleC, tag_cols: &[usize]) -> (usize, usize, usize) {
        let kind = match (&s.name, s.is_review) {
            (Some(n), _) => format!("schedule {n}"),
            (None, true) => "review".to_string(),
            (None, false) => "follow_up".to_string(),
        };
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
        // schedule.rs `run`: the first arm whose key (label, tag) and condition hold; a
        // missing condition does not hold; a condition that fails (evaluated only when the key
        // holds and no earlier arm did) fails the row.
        let mut arm_conds = Vec::new();
        let mut fails = Vec::new();
        let mut otherwise = None;
        for (i, arm) in s.arms.iter().enumerate() {
            let key = match (&arm.label, &arm.tag) {
                (Some(l), _) => Some(holds(PExpr::Cmp(
                    CmpOp::Eq,
                    grade.e.clone().b(),
                    PExpr::Text(l.clone()).b(),
                    CmpKind::Text,
                ))),
                (None, Some(t)) => {
                    let at = self.prog.tags.iter().position(|x| x.name == *t);
                    Some(at.map_or(PExpr::Bool(false), |at| PExpr::Col(tag_cols[at])))
                }
                (None, None) if arm.when.is_some() => None,
                (None, None) => {
                    otherwise.get_or_insert(i);
                    continue;
                }
            };
            let cond = match &arm.when {
                Some(w) => {
                    let wl = self.expr(w);
                    if let Some(f) = wl.fail {
                        let evaluated = key.clone().unwrap_or(PExpr::Bool(true));
                        fails.push((and(evaluated, not(is_null(&f))), f));
                    }
                    match key {
                        Some(k) => and(k, holds(wl.e)),
                        None => holds(wl.e),
                    }
                }
                None => key.unwrap_or(PExpr::Bool(true)),
            };
            fails.push((cond.clone(), PExpr::Null));
            arm_conds.push((cond, PExpr::Int(i as i64)));
        }
        let fail = (!fails.is_empty()).then(|| PExpr::Case(fails, PExpr::Null.b()));
        let else_arm = otherwise.map_or(PExpr::Null, |i| PExpr::Int(i as i64));
        let arm = self.push(
            format!("{kind}#arm"),
            L::new(PExpr::Case(arm_conds, else_arm.b()), Ty::num(0)).failing(fail),
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
            let (due, deadline) = match &a.cadence {
                CadenceC::Every(d) => (*d, *d),
                CadenceC::Within(lo, hi) => (*lo, *hi),
                CadenceC::PerPeriod(n) => (days(*n), days(*n)),
                CadenceC::Calendar(cal) => {
                    // The first such day after the last date; never reviewed: from the as-of
                    // date on (the first after the day before it).
                    let due = PExpr::NextDay(last.clone().b(), cal.clone());
                    let first =
                        PExpr::NextDay(PExpr::DateAdd(PExpr::AsOf.b(), days(-1)).b(), cal.clone());
                    next.push((this.clone(), PExpr::Coalesce(vec![due.clone(), first])));
                    overdue.push((
                        this.clone(),
                        holds(PExpr::Cmp(
                            CmpOp::Gt,
                            PExpr::AsOf.b(),
                            due.b(),
                            CmpKind::Date,
                        )),
                    ));
                    if let Some(r) = a.reassign_after {
                        let at = PExpr::DateAdd(last.clone().b(), r);
                        reassign.push((
                            this,
                            holds(PExpr::Cmp(
                                CmpOp::Gt,
                                PExpr::AsOf.b(),
                                at.b(),
                                CmpKind::Date,
                            )),
                        ));
                    }
                    continue;
                }
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

    pub(super) fn outputs(&mut self) {
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
                // A sub-grade or score that is an input is written under the fixed word (the
                // input keeps its own column), as `tier run` does.
                let input = matches!(slot, Slot::Input(_)) && fixed != words.grade;
                let header = if name.is_empty() || input {
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
        // The other grades, adjustments and relative classes, in the ruleset's order (as
        // `tier run` writes them).
        let mut extra: Vec<(usize, String, usize)> = Vec::new();
        for (i, node) in prog.nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Grade(_) | NodeKind::Adjust(_)) {
                if let Some(c) = self.node_col[i] {
                    extra.push((node.span.start, node.name.to_string(), c));
                }
            }
        }
        for (k, r) in prog.relatives.iter().enumerate() {
            if let Some(c) = self.rel_col[k] {
                extra.push((r.decl.span.start, r.name.to_string(), c));
            }
        }
        extra.sort_by_key(|(start, _, _)| *start);
        for (_, name, c) in extra {
            if !shown.contains(&name) && !out.iter().any(|(h, _)| *h == name) {
                out.push((name, c));
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
        self.plan.sources.tags = tag_cols.clone();
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
            let (next, overdue, reassign) = self.schedule(f, &tag_cols);
            out.push((words.next_due.to_string(), next));
            out.push((words.overdue.to_string(), overdue));
            out.push((words.reassign.to_string(), reassign));
        }
        if let Some(r) = &prog.review {
            let (next, _, _) = self.schedule(r, &tag_cols);
            out.push((words.review_due.to_string(), next));
        }
        for s in &prog.named_schedules {
            let name = s.name.as_deref().unwrap_or_default();
            let (next, overdue, reassign) = self.schedule(s, &tag_cols);
            if s.is_review {
                out.push((format!("{name}.{}", words.review_due), next));
            } else {
                out.push((format!("{name}.{}", words.next_due), next));
                out.push((format!("{name}.{}", words.overdue), overdue));
                out.push((format!("{name}.{}", words.reassign), reassign));
            }
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
