//! AST → [`Program`]: names resolved to slots once, bare labels resolved to the rank they have
//! on the scale of what they are compared with, named values sorted by dependency.

use super::program::*;
use super::{InputSpec, RelativeSpec};
use crate::ast::{self, Expr, ExprKind, Item, LitKind, RelMethod, Ruleset, TypeKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::value::{Label, Unit, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub(crate) struct Compiler<'a> {
    pub source: &'a SourceFile,
    pub names: HashMap<String, Slot>,
    pub scales: Vec<ScaleInfo>,
    pub scale_names: HashMap<String, usize>,
    /// The scale of each input / relative / node, when label-valued.
    pub input_scales: Vec<Option<usize>>,
    pub rel_scales: Vec<Option<usize>>,
    pub node_scales: Vec<Option<usize>>,
    /// `let` bodies by node index, for scale inference.
    pub let_exprs: HashMap<usize, &'a Expr>,
    /// `let`s whose scale is being inferred (a cycle meets one of them and stops there).
    pub inferring: HashSet<usize>,
    /// (scorecard name, component name) → flat component index.
    pub components: HashMap<(String, String), usize>,
    pub errors: Vec<Diagnostic>,
}

pub(crate) fn compile(ruleset: &Ruleset, source: &SourceFile) -> Result<Program, Vec<Diagnostic>> {
    let mut c = Compiler {
        source,
        names: HashMap::new(),
        scales: Vec::new(),
        scale_names: HashMap::new(),
        input_scales: Vec::new(),
        rel_scales: Vec::new(),
        node_scales: Vec::new(),
        let_exprs: HashMap::new(),
        inferring: HashSet::new(),
        components: HashMap::new(),
        errors: Vec::new(),
    };

    // 1. Declared scales first: they win the global label lookup.
    for item in &ruleset.items {
        if let Item::Scale(s) = item {
            c.add_scale(&s.name.name, s.labels.iter().map(|l| l.name.as_str()));
        }
    }

    // 2. Inputs.
    let fields: Vec<&ast::InputField> = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Input(b) => Some(&b.fields),
            _ => None,
        })
        .flatten()
        .collect();

    // 3. Nodes (lets, scorecards, grades, adjusts) in declaration order: names and scales.
    let mut node_decls: Vec<&Item> = Vec::new();
    for item in &ruleset.items {
        let name = match item {
            Item::Let(d) => &d.name,
            Item::Scorecard(d) => &d.name,
            Item::Grade(d) => &d.name,
            Item::Adjust(d) => &d.name,
            _ => continue,
        };
        let idx = node_decls.len();
        node_decls.push(item);
        c.names.entry(name.name.clone()).or_insert(Slot::Node(idx));
    }
    c.node_scales = vec![None; node_decls.len()];
    // Grade scales: `on SCALE`, else the arms' labels in order of first appearance.
    for (idx, item) in node_decls.iter().enumerate() {
        if let Item::Grade(g) = item {
            let scale = match &g.scale {
                Some(on) => c.scale_by_name(&on.name, on.span),
                None => {
                    let labels: Vec<&str> = match &g.body {
                        ast::GradeBody::Thresholds { arms, .. } => {
                            arms.iter().map(|a| a.label.name.as_str()).collect()
                        }
                        ast::GradeBody::Rules { arms } => {
                            arms.iter().map(|a| a.label.name.as_str()).collect()
                        }
                    };
                    Some(c.add_scale(&g.name.name, labels.into_iter()))
                }
            };
            c.node_scales[idx] = scale;
        }
    }
    for (idx, item) in node_decls.iter().enumerate() {
        if let Item::Let(l) = item {
            c.let_exprs.insert(idx, &l.value);
        }
    }

    // Inputs: enum variants and grade(SCALE) fields have scales too.
    let mut inputs = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let (scale, grade_labels) = match &f.ty.kind {
            TypeKind::Enum(vs) => (
                Some(c.add_scale(&f.name.name, vs.iter().map(|v| v.name.name.as_str()))),
                None,
            ),
            TypeKind::Grade(s) => {
                let sc = c.scale_by_name(&s.name, s.span);
                (sc, sc.map(|sc| c.scales[sc].labels.clone()))
            }
            _ => (None, None),
        };
        c.input_scales.push(scale);
        inputs.push(InputSpec {
            name: f.name.name.as_str().into(),
            field: (*f).clone(),
            grade_labels,
        });
        // Inputs win over other declarations of the same name.
        c.names.insert(f.name.name.clone(), Slot::Input(i));
    }

    // Adjustments take their base's scale (a grade, an adjustment, or a `grade(SCALE)` input):
    // follow each chain of bases once, down to what is not an adjustment. (This was a pass over
    // all declarations repeated once per declaration: seconds for 20,000 `let`s.)
    let mut settled = vec![false; node_decls.len()];
    for start in 0..node_decls.len() {
        let mut chain = Vec::new();
        let mut at = start;
        let scale = loop {
            let Item::Adjust(a) = node_decls[at] else {
                break c.node_scales[at];
            };
            if settled[at] || c.node_scales[at].is_some() || chain.contains(&at) {
                break c.node_scales[at];
            }
            chain.push(at);
            match c.names.get(&a.base.name) {
                Some(Slot::Node(b)) => at = *b,
                Some(Slot::Input(i)) => break c.input_scales.get(*i).copied().flatten(),
                _ => break None,
            }
        };
        for idx in chain {
            settled[idx] = true;
            c.node_scales[idx] = scale;
        }
    }

    // Relatives.
    let mut relatives = Vec::new();
    for item in &ruleset.items {
        if let Item::Relative(r) = item {
            let mut labels: Vec<Arc<str>> = match &r.method {
                RelMethod::Pareto(cuts) | RelMethod::Top(cuts) => {
                    cuts.iter().map(|c| c.label.name.as_str().into()).collect()
                }
                RelMethod::Quantiles { n, .. } => {
                    (1..=*n).rev().map(|k| k.to_string().into()).collect()
                }
                RelMethod::Split {
                    above, otherwise, ..
                } => vec![above.name.as_str().into(), otherwise.name.as_str().into()],
            };
            if let Some(m) = &r.on_missing {
                if !labels.iter().any(|l| **l == *m.name) {
                    labels.push(m.name.as_str().into());
                }
            }
            let sc = c.add_scale(&r.name.name, labels.iter().map(|l| &**l));
            c.rel_scales.push(Some(sc));
            c.names
                .entry(r.name.name.clone())
                .or_insert(Slot::Rel(relatives.len()));
            relatives.push(RelativeSpec {
                name: r.name.name.as_str().into(),
                decl: r.clone(),
                labels,
            });
        }
    }

    // Scorecard components get flat indices.
    let mut comp_count = 0;
    for item in &node_decls {
        if let Item::Scorecard(s) = item {
            for comp in &s.components {
                c.components
                    .entry((s.name.name.clone(), comp.name.name.clone()))
                    .or_insert(comp_count);
                comp_count += 1;
            }
        }
    }
    c.infer_lets(node_decls.len());

    // 4. Compile the node bodies.
    let mut nodes = Vec::new();
    let mut first_comp = 0;
    for (idx, item) in node_decls.iter().enumerate() {
        let node = match item {
            Item::Let(l) => Node {
                name: l.name.name.as_str().into(),
                span: l.span,
                scale: c.node_scales[idx],
                kind: NodeKind::Let(c.expr(&l.value, c.node_scales[idx])),
                override_by: None,
            },
            Item::Scorecard(s) => {
                let sc = c.scorecard(s, first_comp);
                first_comp += s.components.len();
                Node {
                    name: s.name.name.as_str().into(),
                    span: s.span,
                    scale: None,
                    kind: NodeKind::Scorecard(sc),
                    override_by: None,
                }
            }
            Item::Grade(g) => Node {
                name: g.name.name.as_str().into(),
                span: g.span,
                scale: c.node_scales[idx],
                kind: NodeKind::Grade(c.grade(g, c.node_scales[idx])),
                override_by: None,
            },
            Item::Adjust(a) => Node {
                name: a.name.name.as_str().into(),
                span: a.span,
                scale: c.node_scales[idx],
                kind: NodeKind::Adjust(c.adjust(a, c.node_scales[idx])),
                override_by: None,
            },
            _ => continue,
        };
        nodes.push(node);
    }

    // Overrides attach to the grade they replace.
    for item in &ruleset.items {
        if let Item::Override(o) = item {
            let with = c.input_index(&o.with);
            let reason = c.input_index(&o.reason);
            match (c.names.get(&o.grade.name), with, reason) {
                (Some(Slot::Node(n)), Some(w), Some(r)) => {
                    nodes[*n].override_by = Some((w, r, o.span));
                }
                (Some(Slot::Node(_)), _, _) => {}
                _ => c.errors.push(
                    Diagnostic::error(
                        Code::OverrideTarget,
                        format!("`{}` is not a grade that can be overridden", o.grade.name),
                    )
                    .in_source(source)
                    .with_label(o.grade.span, "not a grade or adjustment")
                    .with_help("override names a `grade` or `adjust` declared in this ruleset"),
                ),
            }
        }
    }

    let rel_exprs: Vec<(CExpr, Option<CExpr>)> = relatives
        .iter()
        .map(|r| {
            (
                c.expr(&r.decl.input, None),
                r.decl.per.as_ref().map(|p| c.expr(p, None)),
            )
        })
        .collect();

    let tags: Vec<TagC> = ruleset
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Tag(t) => Some(TagC {
                name: t.name.name.as_str().into(),
                when: c.expr(&t.when, None),
                attrs: attrs(&t.attrs),
                span: t.span,
            }),
            _ => None,
        })
        .collect();

    let mut follow_up = None;
    let mut review = None;
    for item in &ruleset.items {
        if let Item::Schedule(s) = item {
            let sched = c.schedule(s);
            let slot = match s.kind {
                ast::ScheduleKind::FollowUp => &mut follow_up,
                ast::ScheduleKind::Review => &mut review,
            };
            if slot.is_none() {
                *slot = sched;
            }
        }
    }

    let out = c.output(ruleset, &nodes, &node_decls);

    let mut value_order: Vec<(Arc<str>, Slot)> = inputs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), Slot::Input(i)))
        .collect();
    let mut rel_i = 0;
    let mut node_i = 0;
    for item in &ruleset.items {
        match item {
            Item::Let(_) | Item::Scorecard(_) | Item::Grade(_) | Item::Adjust(_) => {
                value_order.push((nodes[node_i].name.clone(), Slot::Node(node_i)));
                node_i += 1;
            }
            Item::Relative(_) => {
                value_order.push((relatives[rel_i].name.clone(), Slot::Rel(rel_i)));
                rel_i += 1;
            }
            _ => {}
        }
    }

    let order = super::compile_order::order(&nodes, source, &mut c.errors);
    let (rel_deps, rel_rounds) = super::compile_order::relative_deps(
        &nodes,
        &order,
        &rel_exprs,
        &relatives,
        source,
        &mut c.errors,
    );

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(Program {
        name: ruleset.name.value.clone(),
        version: ruleset.version.as_ref().map(|v| v.value.clone()),
        source: source.clone(),
        inputs,
        relatives,
        rel_exprs,
        rel_deps,
        rel_rounds,
        scales: c.scales,
        nodes,
        order,
        comp_count,
        tags,
        follow_up,
        review,
        out,
        value_order,
        names: c.names,
        comp_index: c.components,
        input_scales: c.input_scales,
        rel_scales: c.rel_scales,
        node_scales: c.node_scales,
        lang: super::words::Lang::of(ruleset),
    })
}

pub(crate) fn attrs(a: &ast::Attrs) -> AttrsC {
    AttrsC {
        color: a.color.as_ref().map(|s| Arc::from(s.value.as_str())),
        action: a.action.as_ref().map(|s| Arc::from(s.value.as_str())),
        owner: a.owner.as_ref().map(|s| Arc::from(s.value.as_str())),
    }
}

pub(crate) fn lit_value(l: &ast::Literal) -> Value {
    match &l.kind {
        LitKind::Number { value, unit } => Value::Number(*value, *unit),
        LitKind::Date(d) => Value::Date(*d),
        LitKind::Duration(d) => Value::Duration(*d),
        LitKind::Text(t) => Value::Text(t.as_str().into()),
        LitKind::Bool(b) => Value::Bool(*b),
        LitKind::Missing => Value::Missing,
    }
}

impl<'a> Compiler<'a> {
    fn add_scale<'s>(&mut self, name: &str, labels: impl Iterator<Item = &'s str>) -> usize {
        let mut ls: Vec<Arc<str>> = Vec::new();
        for l in labels {
            if !ls.iter().any(|x| &**x == l) {
                ls.push(l.into());
            }
        }
        let idx = self.scales.len();
        self.scales.push(ScaleInfo {
            name: name.into(),
            labels: ls,
        });
        self.scale_names.entry(name.to_string()).or_insert(idx);
        idx
    }

    /// `on SCALE` / `grade(SCALE)`: a declared scale, or the scale of a grade of that name.
    fn scale_by_name(&mut self, name: &str, span: Span) -> Option<usize> {
        if let Some(i) = self.scale_names.get(name) {
            return Some(*i);
        }
        if let Some(Slot::Node(n)) = self.names.get(name) {
            if let Some(s) = self.node_scales.get(*n).copied().flatten() {
                return Some(s);
            }
        }
        self.errors.push(
            Diagnostic::error(Code::ScaleUnknown, format!("unknown scale `{name}`"))
                .in_source(self.source)
                .with_label(span, "no `scale` or `grade` of this name")
                .with_help("declare it: scale NAME { A > B > C }"),
        );
        None
    }

    fn input_index(&mut self, id: &ast::Ident) -> Option<usize> {
        match self.names.get(&id.name) {
            Some(Slot::Input(i)) => Some(*i),
            _ => {
                self.errors.push(
                    Diagnostic::error(
                        Code::OverrideInput,
                        format!("`{}` is not an input", id.name),
                    )
                    .in_source(self.source)
                    .with_label(id.span, "expected an input field")
                    .with_help("override's `with` and `reason` name input fields"),
                );
                None
            }
        }
    }

    pub(crate) fn slot_scale(&mut self, slot: Slot) -> Option<usize> {
        match slot {
            Slot::Input(i) => self.input_scales.get(i).copied().flatten(),
            Slot::Rel(i) => self.rel_scales.get(i).copied().flatten(),
            Slot::Node(i) => {
                if self.let_exprs.contains_key(&i) {
                    self.infer_node(i)
                } else {
                    self.node_scales.get(i).copied().flatten()
                }
            }
        }
    }

    fn infer_node(&mut self, idx: usize) -> Option<usize> {
        if let Some(s) = self.node_scales.get(idx).copied().flatten() {
            return Some(s);
        }
        if self.inferring.contains(&idx) {
            return None;
        }
        let e = *self.let_exprs.get(&idx)?;
        self.inferring.insert(idx);
        let s = self.scale_of(e);
        self.inferring.remove(&idx);
        if let Some(slot) = self.node_scales.get_mut(idx) {
            *slot = s;
        }
        // Inferred once: from now on its scale (even none) is read from `node_scales`.
        self.let_exprs.remove(&idx);
        s
    }

    /// The scales of the `let`s (out of `nodes` declarations), dependencies first, so that no
    /// inference follows a chain of `let`s by recursion (see `check::graph::infer_lets`).
    fn infer_lets(&mut self, nodes: usize) {
        let deps: Vec<Vec<usize>> = (0..nodes)
            .map(|idx| match self.let_exprs.get(&idx) {
                Some(e) => e
                    .names()
                    .into_iter()
                    .filter_map(|id| match self.names.get(&id.name) {
                        Some(Slot::Node(n)) if self.let_exprs.contains_key(n) => Some(*n),
                        _ => None,
                    })
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        crate::check::depth_first(&deps, |step| match step {
            crate::check::Visit::Enter(v) => {
                self.inferring.insert(v);
            }
            crate::check::Visit::Finish(v) => {
                self.inferring.remove(&v);
                if self.let_exprs.contains_key(&v) {
                    self.infer_node(v);
                }
            }
        });
    }

    /// The scale of a label-valued expression, when it can be known before evaluation.
    pub(crate) fn scale_of(&mut self, e: &Expr) -> Option<usize> {
        match &e.kind {
            ExprKind::Name(id) => match self.names.get(&id.name).copied() {
                Some(slot) => self.slot_scale(slot),
                None => None,
            },
            ExprKind::If {
                then, otherwise, ..
            } => self.scale_of(then).or_else(|| self.scale_of(otherwise)),
            ExprKind::Binary(ast::BinOp::Coalesce, a, b) => {
                self.scale_of(a).or_else(|| self.scale_of(b))
            }
            ExprKind::Call { func, args } if func.name == "min" || func.name == "max" => {
                args.iter().find_map(|a| self.scale_of(a))
            }
            ExprKind::Match(m) => m.arms.iter().find_map(|a| self.scale_of(&a.value)),
            ExprKind::Bands(b) => b.arms.iter().find_map(|a| self.scale_of(&a.value)),
            ExprKind::Matrix(m) => m
                .rows
                .iter()
                .flat_map(|r| r.cells.iter())
                .find_map(|c| self.scale_of(c)),
            _ => None,
        }
    }

    /// A bare name that is no declared value: a label, ranked on `hint`'s scale if it is one of
    /// its labels, else on the first scale that has it.
    pub(crate) fn bare_label(&self, name: &str, hint: Option<usize>) -> Label {
        if let Some(l) = hint
            .and_then(|h| self.scales.get(h))
            .and_then(|s| s.label(name))
        {
            return l;
        }
        self.scales
            .iter()
            .find_map(|s| s.label(name))
            .unwrap_or(Label {
                name: name.into(),
                rank: 0,
            })
    }

    fn scorecard(&mut self, s: &ast::Scorecard, first_comp: usize) -> ScorecardC {
        let components = s
            .components
            .iter()
            .map(|comp| ComponentC {
                name: comp.name.name.as_str().into(),
                weight: comp.weight.as_ref().map(|w| {
                    let v = match &w.kind {
                        LitKind::Number { value, unit } => {
                            // `30` without `%` in a weight column still means 30%.
                            if *unit == Unit::Percent || *value <= rust_decimal::Decimal::ONE {
                                *value
                            } else {
                                *value / rust_decimal::Decimal::ONE_HUNDRED
                            }
                        }
                        _ => rust_decimal::Decimal::ZERO,
                    };
                    (v, w.text.clone())
                }),
                expr: self.expr(&comp.expr, None),
                on_missing: comp.on_missing.as_ref().map(|e| self.expr(e, None)),
                span: comp.span,
            })
            .collect();
        ScorecardC {
            round: s.round,
            first_comp,
            components,
        }
    }

    fn grade(&mut self, g: &ast::GradeDecl, scale: Option<usize>) -> GradeC {
        let label = |c: &Self, id: &ast::Ident| c.bare_label(&id.name, scale);
        match &g.body {
            ast::GradeBody::Thresholds { input, arms } => {
                let hint = self.scale_of(input);
                let input = self.expr(input, hint);
                let arms = arms
                    .iter()
                    .map(|a| ThresholdArmC {
                        label: label(self, &a.label),
                        test: match &a.test {
                            ast::ThresholdTest::Cmp(op, e) => {
                                ThresholdTestC::Cmp(*op, self.expr(e, hint))
                            }
                            ast::ThresholdTest::Otherwise => ThresholdTestC::Otherwise,
                            ast::ThresholdTest::Missing => ThresholdTestC::Missing,
                        },
                        attrs: attrs(&a.attrs),
                        span: a.span,
                    })
                    .collect();
                GradeC::Thresholds { input, arms }
            }
            ast::GradeBody::Rules { arms } => GradeC::Rules {
                arms: arms
                    .iter()
                    .map(|a| RuleArmC {
                        label: label(self, &a.label),
                        when: match &a.test {
                            ast::RuleTest::When(e) => Some(self.expr(e, None)),
                            ast::RuleTest::Otherwise => None,
                        },
                        attrs: attrs(&a.attrs),
                        span: a.span,
                    })
                    .collect(),
            },
        }
    }

    fn adjust(&mut self, a: &ast::AdjustDecl, scale: Option<usize>) -> AdjustC {
        let base = match self.names.get(&a.base.name) {
            Some(slot @ (Slot::Node(_) | Slot::Input(_))) => *slot,
            _ => {
                self.errors.push(
                    Diagnostic::error(
                        Code::AdjustBase,
                        format!("`{}` is not a grade", a.base.name),
                    )
                    .in_source(self.source)
                    .with_label(a.base.span, "adjust starts from a grade")
                    .with_help("write `adjust NAME from GRADE { ... }` with a declared grade"),
                );
                Slot::Node(0)
            }
        };
        let arms = a
            .arms
            .iter()
            .map(|arm| AdjustArmC {
                action: match &arm.action {
                    ast::AdjustAction::Up(n) => AdjustActionC::Up(*n),
                    ast::AdjustAction::Down(n) => AdjustActionC::Down(*n),
                    ast::AdjustAction::To(l) => AdjustActionC::To(self.bare_label(&l.name, scale)),
                },
                when: self.expr(&arm.when, None),
            })
            .collect();
        AdjustC { base, arms }
    }

    fn duration(&mut self, l: &ast::Literal) -> crate::value::Duration {
        match &l.kind {
            LitKind::Duration(d) => *d,
            _ => {
                self.errors.push(
                    Diagnostic::error(
                        Code::ScheduleDuration,
                        format!("`{}` is not a duration", l.text),
                    )
                    .in_source(self.source)
                    .with_label(l.span, "expected a duration")
                    .with_help("write e.g. `3 days`, `48h`, `2 weeks`, `1 month`, `5 workdays`"),
                );
                crate::value::Duration::default()
            }
        }
    }

    fn schedule(&mut self, s: &ast::ScheduleDecl) -> Option<ScheduleC> {
        let grade = match self.names.get(&s.grade.name) {
            Some(slot) => *slot,
            None => {
                self.errors.push(
                    Diagnostic::error(
                        Code::NameUnknown,
                        format!("unknown grade `{}`", s.grade.name),
                    )
                    .in_source(self.source)
                    .with_label(s.grade.span, "not declared")
                    .with_help("`by` names a grade declared in this ruleset"),
                );
                return None;
            }
        };
        let from = self.expr(&s.from, None);
        let arms = s
            .arms
            .iter()
            .map(|a| {
                let (cadence, text) = match &a.cadence {
                    ast::Cadence::Every(d) => (
                        CadenceC::Every(self.duration(d)),
                        format!("every {}", d.text),
                    ),
                    ast::Cadence::Within(d1, d2) => {
                        let lo = self.duration(d1);
                        let hi = d2.as_ref().map(|d| self.duration(d)).unwrap_or(lo);
                        let text = match d2 {
                            Some(d2) => format!("within {}..{}", d1.text, d2.text),
                            None => format!("within {}", d1.text),
                        };
                        (CadenceC::Within(lo, hi), text)
                    }
                    ast::Cadence::PerPeriod { count, period } => {
                        let n = match &count.kind {
                            LitKind::Number { value, .. } => *value,
                            _ => rust_decimal::Decimal::ONE,
                        };
                        let (days, word) = match period {
                            ast::Period::Week => (7, "week"),
                            ast::Period::Month => (30, "month"),
                            ast::Period::Year => (365, "year"),
                        };
                        let interval = if n <= rust_decimal::Decimal::ZERO {
                            1
                        } else {
                            (rust_decimal::Decimal::from(days) / n)
                                .floor()
                                .try_into()
                                .unwrap_or(1i32)
                                .max(1)
                        };
                        (
                            CadenceC::PerPeriod(interval),
                            format!("{} per {word}", count.text),
                        )
                    }
                    ast::Cadence::None => (CadenceC::None, "none".to_string()),
                };
                ScheduleArmC {
                    label: a.label.as_ref().map(|l| l.name.as_str().into()),
                    cadence,
                    cadence_text: text,
                    reassign_after: a.reassign_after.as_ref().map(|d| self.duration(d)),
                }
            })
            .collect();
        Some(ScheduleC {
            grade,
            grade_name: s.grade.name.as_str().into(),
            from,
            arms,
            span: s.span,
            is_review: s.kind == ast::ScheduleKind::Review,
        })
    }

    fn output(&mut self, ruleset: &Ruleset, nodes: &[Node], decls: &[&Item]) -> OutputC {
        let decl = ruleset.items.iter().rev().find_map(|i| match i {
            Item::Output(o) => Some(o),
            _ => None,
        });
        let mut resolve = |id: &Option<ast::Ident>, what: &str| -> Option<(Arc<str>, Slot)> {
            let id = id.as_ref()?;
            match self.names.get(&id.name) {
                Some(slot) => Some((id.name.as_str().into(), *slot)),
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            Code::NameUnknown,
                            format!("unknown {what} `{}`", id.name),
                        )
                        .in_source(self.source)
                        .with_label(id.span, "not declared")
                        .with_help("output names a value declared in this ruleset"),
                    );
                    None
                }
            }
        };
        let mut out = OutputC::default();
        if let Some(d) = decl {
            out.grade = resolve(&d.grade, "grade");
            out.subgrade = resolve(&d.subgrade, "sub-grade");
            out.score = resolve(&d.score, "score");
            out.revenue = resolve(&d.revenue, "revenue");
        }
        if out.grade.is_none() {
            out.grade = decls
                .iter()
                .enumerate()
                .rev()
                .find(|(_, d)| matches!(d, Item::Grade(_) | Item::Adjust(_)))
                .map(|(i, _)| (nodes[i].name.clone(), Slot::Node(i)));
        }
        if out.score.is_none() {
            out.score = decls
                .iter()
                .enumerate()
                .find(|(_, d)| matches!(d, Item::Scorecard(_)))
                .map(|(i, _)| (nodes[i].name.clone(), Slot::Node(i)));
        }
        out
    }
}
