//! Decisions: scorecards, grades, adjustments, overrides, tags; and the [`Outcome`] of a record.

use super::interpret::{text, Env, R};
use super::number::{self, op_symbol, show_dec};
use super::program::*;
use super::EvalError;
use crate::ast::{CmpOp, Expr};
use crate::diagnostic::Code;
use crate::outcome::{ComponentOutcome, GradeOutcome, Outcome, TagOutcome, TraceStep};
use crate::source::SourceFile;
use crate::value::{Label, Unit, Value};
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::sync::Arc;

/// What evaluating a node says besides its value.
pub(crate) enum Info {
    Let(Option<String>),
    Score {
        components: Vec<ComponentOutcome>,
        reason: String,
    },
    /// The outcome and the span of the arm that decided it.
    Grade(GradeOutcome, crate::source::Span),
}

/// The outcome plus what `tier test` also checks: every scorecard component's points.
pub(crate) struct Full {
    pub outcome: Outcome,
    pub comps: Vec<Value>,
}

fn missing_help() -> &'static str {
    "say what missing means: `X ?? value`, `X is missing`, a `missing` arm, or a default on the input"
}

/// Evaluates node `n` (its dependencies are already in `env`).
pub(crate) fn eval_node(env: &mut Env, n: usize, explain: bool) -> R<(Value, Info)> {
    let prog = env.prog;
    let src = &prog.source;
    let node = &prog.nodes[n];
    let (value, info) = match &node.kind {
        NodeKind::Let(e) => {
            let (v, why) = env.form(e, src, explain)?;
            (v, Info::Let(why))
        }
        NodeKind::Scorecard(sc) => scorecard(env, node, sc)?,
        NodeKind::Grade(g) => grade(env, node, g)?,
        NodeKind::Adjust(a) => adjust(env, node, a)?,
    };
    match (&node.override_by, info) {
        (Some(o), Info::Grade(g, span)) => apply_override(env, node, o, value, g, span),
        (_, info) => Ok((value, info)),
    }
}

fn scorecard(env: &mut Env, node: &Node, sc: &ScorecardC) -> R<(Value, Info)> {
    let src = &env.prog.source;
    let mut total = Decimal::ZERO;
    let mut outs = Vec::with_capacity(sc.components.len());
    for (i, c) in sc.components.iter().enumerate() {
        let (v, why) = env.form(&c.expr, src, env.words)?;
        let (points, why) = match v {
            Value::Number(d, _) => (d, why.unwrap_or_default()),
            Value::Missing => match &c.on_missing {
                Some(m) => match env.eval(m, src)? {
                    Value::Number(d, _) if env.words => (
                        d,
                        format!(
                            "{} is missing → missing -> {}",
                            text(src, c.expr.span),
                            text(src, m.span)
                        ),
                    ),
                    Value::Number(d, _) => (d, String::new()),
                    other => return Err(bad_points(env, m, &other)),
                },
                None => {
                    return Err(env.missing_error(
                        &c.expr,
                        src,
                        "score component",
                        "add `, missing -> POINTS` to the component, or a default on the input",
                    ))
                }
            },
            other => return Err(bad_points(env, &c.expr, &other)),
        };
        let weighted = match &c.weight {
            Some((w, _)) => points.checked_mul(*w),
            None => Some(points),
        }
        .ok_or_else(|| env.op_error(number::OpError::Overflow, &c.expr, src, &[]))?;
        total = total
            .checked_add(weighted)
            .ok_or_else(|| env.op_error(number::OpError::Overflow, &c.expr, src, &[]))?;
        if let Some(slot) = env.comps.get_mut(sc.first_comp + i) {
            *slot = Value::Number(points, Unit::Plain);
        }
        let reason = if env.words {
            component_reason(&c.name, why, points, weighted, c.weight.as_ref())
        } else {
            String::new()
        };
        outs.push(ComponentOutcome {
            name: c.name.clone(),
            points,
            weight: c.weight.as_ref().map(|(w, _)| *w),
            weighted,
            reason,
        });
    }
    let raw = total;
    if let Some(places) = sc.round {
        total = number::round(total, places);
    }
    let mut reason = String::new();
    if env.words {
        let parts: Vec<String> = outs.iter().map(|c| show_dec(c.weighted)).collect();
        reason = format!("{} = {} = {}", node.name, parts.join(" + "), show_dec(raw));
        if let Some(p) = sc.round {
            reason.push_str(&format!(", round {p} → {}", show_dec(total)));
        }
    }
    Ok((
        Value::Number(total, Unit::Plain),
        Info::Score {
            components: outs,
            reason,
        },
    ))
}

/// `回款率 92%: 90%→100% linear → 20 points × 20% = 4`
fn component_reason(
    name: &str,
    why: String,
    points: Decimal,
    weighted: Decimal,
    weight: Option<&(Decimal, String)>,
) -> String {
    let mut reason = if why.starts_with(name) {
        why
    } else {
        format!("{name}: {why}")
    };
    let shown = show_dec(points);
    if !reason.ends_with(&format!("→ {shown}")) {
        reason.push_str(&format!(" → {shown}"));
    }
    reason.push_str(" points");
    if let Some((_, wt)) = weight {
        reason.push_str(&format!(" × {wt} = {}", show_dec(weighted)));
    }
    reason
}

fn bad_points(env: &Env, e: &CExpr, v: &Value) -> EvalError {
    env.op_error(
        number::OpError::Type(format!(
            "points must be a number, not {}",
            number::kind_name(v)
        )),
        e,
        &env.prog.source,
        &[(e, v)],
    )
}

fn grade_outcome(node: &Node, label: &Label, attrs: &AttrsC, reason: String) -> GradeOutcome {
    GradeOutcome {
        name: node.name.clone(),
        label: Some(label.name.clone()),
        color: attrs.color.clone(),
        action: attrs.action.clone(),
        owner: attrs.owner.clone(),
        reason,
        overridden: None,
    }
}

fn uncovered(env: &Env, node: &Node, what: String) -> EvalError {
    EvalError::new(
        Code::EvalUncovered,
        format!("no arm of grade {} holds: {what}", node.name),
        &env.prog.source,
        node.span,
        "no arm for this record",
    )
    .help("add an `otherwise` arm")
}

fn grade(env: &mut Env, node: &Node, g: &GradeC) -> R<(Value, Info)> {
    let src = &env.prog.source;
    match g {
        GradeC::Thresholds { input, arms } => {
            let x = env.eval(input, src)?;
            let it = super::interpret::SpanText(src, input.span);
            for arm in arms {
                // `None`: the arm does not hold; `Some(cmp)`: it does, with the comparison.
                let hit: Option<Option<(CmpOp, &CExpr, Value)>> = match &arm.test {
                    ThresholdTestC::Missing => x.is_missing().then_some(None),
                    ThresholdTestC::Otherwise => (!x.is_missing()).then_some(None),
                    ThresholdTestC::Cmp(_, _) if x.is_missing() => None,
                    ThresholdTestC::Cmp(op, e) => {
                        let v = env.eval(e, src)?;
                        let held = number::compare(*op, &x, &v)
                            .map_err(|err| env.op_error(err, e, src, &[(input, &x), (e, &v)]))?;
                        (held == Some(true)).then_some(Some((*op, e, v)))
                    }
                };
                let Some(cmp) = hit else {
                    continue;
                };
                let reason = match (env.words, cmp) {
                    (false, _) => String::new(),
                    (true, Some((op, e, _))) => format!(
                        "{it} {x} {} {} → {}",
                        op_symbol(op),
                        text(src, e.span),
                        arm.label.name
                    ),
                    (true, None) if x.is_missing() => {
                        format!("{it} {} → {}", env.prog.lang.is_missing(), arm.label.name)
                    }
                    (true, None) => format!(
                        "{it} {x}: {} → {}",
                        env.prog.lang.otherwise(),
                        arm.label.name
                    ),
                };
                let out = grade_outcome(node, &arm.label, &arm.attrs, reason);
                return Ok((Value::Label(arm.label.clone()), Info::Grade(out, arm.span)));
            }
            if x.is_missing() {
                let name = arms
                    .first()
                    .map(|a| a.label.name.to_string())
                    .unwrap_or_default();
                return Err(env.missing_error(
                    input,
                    src,
                    "grade",
                    &format!(
                        "add an arm like `{name} missing` to grade {}, or a default on the input",
                        node.name
                    ),
                ));
            }
            Err(uncovered(env, node, format!("{it} = {x}")))
        }
        GradeC::Rules { arms } => {
            for arm in arms {
                let reason = match &arm.when {
                    None if !env.words => String::new(),
                    None => env.prog.lang.no_rule_holds(&arm.label.name),
                    Some(w) => {
                        let (v, why) =
                            env.form(w, src, env.words && matches!(w.kind, CKind::AtLeast(..)))?;
                        match env.truth(&v, w, src)? {
                            Some(true) => {}
                            Some(false) => continue,
                            None => {
                                return Err(env.missing_error(w, src, "grade rule", missing_help()))
                            }
                        }
                        if !env.words {
                            String::new()
                        } else {
                            let why = why.unwrap_or_else(|| env.with_refs(w, src));
                            format!("{why} → {}", arm.label.name)
                        }
                    }
                };
                let out = grade_outcome(node, &arm.label, &arm.attrs, reason);
                return Ok((Value::Label(arm.label.clone()), Info::Grade(out, arm.span)));
            }
            Err(uncovered(env, node, "no rule matches".into()))
        }
    }
}

/// The attributes the base grade gives a label (its first arm with that label).
fn label_attrs(prog: &Program, mut node: usize, label: &str) -> AttrsC {
    // Follow adjustments down to the grade they start from.
    for _ in 0..prog.nodes.len() {
        match &prog.nodes[node].kind {
            NodeKind::Adjust(a) => match a.base {
                Slot::Node(b) => node = b,
                _ => break,
            },
            NodeKind::Grade(GradeC::Thresholds { arms, .. }) => {
                return arms
                    .iter()
                    .find(|a| &*a.label.name == label)
                    .map(|a| a.attrs.clone())
                    .unwrap_or_default()
            }
            NodeKind::Grade(GradeC::Rules { arms }) => {
                return arms
                    .iter()
                    .find(|a| &*a.label.name == label)
                    .map(|a| a.attrs.clone())
                    .unwrap_or_default()
            }
            _ => break,
        }
    }
    AttrsC::default()
}

fn adjust(env: &mut Env, node: &Node, a: &AdjustC) -> R<(Value, Info)> {
    let prog = env.prog;
    let src = &prog.source;
    let base_name = &prog.slot_name(a.base);
    let labels: &[Arc<str>] = node
        .scale
        .and_then(|s| prog.scales.get(s))
        .map(|s| s.labels.as_slice())
        .unwrap_or(&[]);
    let mut cur = match env.slot(a.base) {
        Value::Label(l) => match labels.iter().position(|x| *x == l.name) {
            Some(i) => i,
            None => {
                return Err(EvalError::new(
                    Code::EvalType,
                    format!(
                        "{base_name} = {} is not a label of the scale of {}",
                        l.name, node.name
                    ),
                    src,
                    node.span,
                    "cannot move on the scale",
                )
                .help("adjust starts from a grade of the same scale"))
            }
        },
        _ => {
            return Err(EvalError::new(
                Code::EvalMissing,
                format!(
                    "{base_name} is missing and this adjustment does not say what missing means"
                ),
                src,
                node.span,
                "nothing to adjust",
            )
            .help(format!(
                "give {base_name} a value (a default, or a `missing` arm)"
            ))
            .field(Some(base_name.clone())))
        }
    };
    let start = labels.get(cur).cloned().unwrap_or_else(|| "?".into());
    let mut steps = Vec::new();
    for arm in &a.arms {
        let v = env.eval(&arm.when, src)?;
        match env.truth(&v, &arm.when, src)? {
            Some(true) => {}
            Some(false) => continue,
            None => return Err(env.missing_error(&arm.when, src, "adjustment", missing_help())),
        }
        let next = arm.action.apply(cur, labels.len());
        let unchanged = next == cur;
        cur = next;
        if !env.words {
            continue;
        }
        let what = match &arm.action {
            AdjustActionC::Up(k) => format!("up {k}"),
            AdjustActionC::Down(k) => format!("down {k}"),
            AdjustActionC::To(l) => format!("to {}", l.name),
            AdjustActionC::UpTo(l) => format!("up to {}", l.name),
            AdjustActionC::DownTo(l) => format!("down to {}", l.name),
        };
        let now = labels.get(cur).map(|s| &**s).unwrap_or("?");
        // A bound that holds already says so, rather than looking like a move that did nothing.
        let already = match &arm.action {
            AdjustActionC::UpTo(l) if unchanged => Some(prog.lang.already_at_least(&l.name)),
            AdjustActionC::DownTo(l) if unchanged => Some(prog.lang.already_at_most(&l.name)),
            _ => None,
        };
        let cond = text(src, arm.when.span);
        steps.push(match already {
            Some(why) => format!("{what} when {cond} → {now}{why}"),
            None => format!("{what} when {cond} → {now}"),
        });
    }
    let label = Label {
        name: labels.get(cur).cloned().unwrap_or_else(|| start.clone()),
        rank: cur as u32,
    };
    let reason = if !env.words {
        String::new()
    } else if steps.is_empty() {
        format!(
            "{base_name} {start}, no adjustment applies → {}",
            label.name
        )
    } else {
        format!("{base_name} {start}; {}", steps.join("; "))
    };
    let attrs = match a.base {
        Slot::Node(b) => label_attrs(prog, b, &label.name),
        _ => AttrsC::default(),
    };
    let out = grade_outcome(node, &label, &attrs, reason);
    Ok((Value::Label(label), Info::Grade(out, node.span)))
}

fn apply_override(
    env: &Env,
    node: &Node,
    (with, why, span): &(usize, usize, crate::source::Span),
    value: Value,
    mut g: GradeOutcome,
    arm_span: crate::source::Span,
) -> R<(Value, Info)> {
    let prog = env.prog;
    let src = &prog.source;
    let manual = env.record.get(*with).cloned().unwrap_or(Value::Missing);
    let name = match &manual {
        Value::Missing => return Ok((value, Info::Grade(g, arm_span))),
        Value::Label(l) => l.name.clone(),
        Value::Text(t) => t.clone(),
        other => Arc::from(other.to_string()),
    };
    let with_name = prog.inputs[*with].name.clone();
    let scale = node.scale.and_then(|s| prog.scales.get(s));
    let Some(label) = scale.and_then(|s| s.label(&name)) else {
        let labels = scale.map(|s| s.labels.join(", ")).unwrap_or_default();
        let scale_name = scale.map(|s| s.name.to_string()).unwrap_or_default();
        return Err(EvalError::new(
            Code::EvalOverrideLabel,
            format!("{with_name} = {name} is not a label of {scale_name} ({labels})"),
            src,
            *span,
            "the manual grade must be a label of the scale",
        )
        .help(format!("fill {with_name} with one of: {labels}"))
        .field(Some(with_name)));
    };
    let reason_name = prog.inputs[*why].name.clone();
    let reason = match env.record.get(*why) {
        Some(Value::Missing) | None => {
            return Err(EvalError::new(
                Code::EvalOverrideReason,
                format!(
                    "{with_name} overrides {} to {name} but {reason_name} is empty",
                    node.name
                ),
                src,
                *span,
                "a manual grade needs a reason",
            )
            .help(format!("fill {reason_name}, or clear {with_name}"))
            .field(Some(reason_name)))
        }
        Some(v) => v.to_string(),
    };
    let computed = g.label.clone().unwrap_or_else(|| "missing".into());
    let attrs = label_attrs(
        prog,
        prog.nodes
            .iter()
            .position(|n| n.name == node.name)
            .unwrap_or(0),
        &label.name,
    );
    g.reason = if computed == label.name {
        format!("{}; confirmed by {with_name} (reason: {reason})", g.reason)
    } else {
        format!(
            "{}; overridden to {} by {with_name} (reason: {reason})",
            g.reason, label.name
        )
    };
    g.label = Some(label.name.clone());
    g.color = attrs.color;
    g.action = attrs.action;
    g.owner = attrs.owner;
    g.overridden = Some(reason);
    Ok((Value::Label(label), Info::Grade(g, *span)))
}

/// Grades one record. `unavailable[i]` marks relative `i` as not computed at all (a `test`
/// that does not give it), as opposed to missing for this record: an unavailable output grade
/// is left empty instead of rejecting the row.
// The evaluation's inputs and its three switches, each from a different caller.
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate(
    prog: &Program,
    record: &[Value],
    rels: &[Value],
    as_of: Date,
    trace: bool,
    unavailable: &[bool],
    words: bool,
    pre: Option<super::Computed>,
) -> R<Full> {
    let record = &*prog.complete(record, as_of)?;
    // The column engine checked the shares (a negative Pareto amount fails its class column,
    // and such a row comes here without `pre`).
    if trace || pre.is_none() {
        super::interpret::check_shares(prog, record, rels, as_of)?;
    }
    let src = &prog.source;
    let mut env = Env::new(prog, record, rels, as_of);
    // Untraced with words: only the sentences the reasons column shows are written (the output
    // grade's and the held tags'), after the values are known; nothing else builds text.
    env.words = trace;
    let mut out = Outcome::default();
    // Filled on demand (the column engine fills only the output's): no per-row block of empty
    // outcomes to allocate and clear.
    let mut grades: Vec<Option<GradeOutcome>> = Vec::new();
    let mut comps: Vec<Option<Vec<ComponentOutcome>>> = Vec::new();
    if trace {
        for (i, spec) in prog.inputs.iter().enumerate() {
            let v = record.get(i).cloned().unwrap_or(Value::Missing);
            out.trace.push(TraceStep {
                name: spec.name.clone(),
                explanation: format!("input {} = {v}", spec.name),
                value: v,
                span: spec.field.span,
            });
        }
        for (k, agg) in prog.aggregates.iter().enumerate() {
            let v = record
                .get(prog.inputs.len() + k)
                .cloned()
                .unwrap_or(Value::Missing);
            out.trace.push(TraceStep {
                name: agg.text.clone(),
                explanation: format!("{} = {v}", agg.text),
                value: v,
                span: agg.span,
            });
        }
        for (i, spec) in prog.relatives.iter().enumerate() {
            let v = rels.get(i).cloned().unwrap_or(Value::Missing);
            out.trace.push(TraceStep {
                name: spec.name.clone(),
                explanation: format!("relative {} = {v} (ranked over the whole file)", spec.name),
                value: v,
                span: spec.decl.span,
            });
        }
    }
    // Untraced: the column engine computed the values, grades and tags (`pre`); a record it
    // left to the interpreter (any error, a manual override, …) is evaluated below.
    let mut tag_truths: Option<Vec<Option<bool>>> = None;
    if let (false, Some(c)) = (trace, pre) {
        // Moved in: the values are the row's own.
        for (slot, v) in env.nodes.iter_mut().zip(c.nodes) {
            *slot = v;
        }
        for (slot, d) in env.comps.iter_mut().zip(&c.comps) {
            *slot = Value::Number(*d, Unit::Plain);
        }
        if let Some((_, Slot::Node(n))) = &prog.out.grade {
            put(&mut grades, *n, fast_grade(&env, *n, c.arms[*n]));
        }
        if let Some((_, Slot::Node(n))) = &prog.out.score {
            put(&mut comps, *n, fast_components(&env, *n));
        }
        tag_truths = Some(c.tags);
    }
    for &n in &prog.order {
        if tag_truths.is_some() {
            break; // computed by the column engine
        }
        let (v, info) = eval_node(&mut env, n, trace)?;
        let node = &prog.nodes[n];
        match info {
            Info::Let(why) => {
                if trace {
                    out.trace.push(TraceStep {
                        name: node.name.clone(),
                        explanation: format!(
                            "{} = {}",
                            node.name,
                            why.unwrap_or_else(|| v.to_string())
                        ),
                        value: v.clone(),
                        span: node.span,
                    });
                }
            }
            Info::Score { components, reason } => {
                if trace {
                    if let NodeKind::Scorecard(sc) = &node.kind {
                        for (c, co) in sc.components.iter().zip(&components) {
                            out.trace.push(TraceStep {
                                name: format!("{}.{}", node.name, c.name).into(),
                                value: Value::Number(co.points, Unit::Plain),
                                explanation: co.reason.clone(),
                                span: c.span,
                            });
                        }
                    }
                    out.trace.push(TraceStep {
                        name: node.name.clone(),
                        value: v.clone(),
                        explanation: reason,
                        span: node.span,
                    });
                }
                put(&mut comps, n, Some(components));
            }
            Info::Grade(g, span) => {
                if trace {
                    out.trace.push(TraceStep {
                        name: node.name.clone(),
                        value: v.clone(),
                        explanation: format!("{}: {}", node.name, g.reason),
                        span,
                    });
                }
                put(&mut grades, n, Some(g));
            }
        }
        env.nodes[n] = v;
    }

    if words && !trace {
        env.words = true;
        if let Some((_, Slot::Node(n))) = &prog.out.grade {
            if let (_, Info::Grade(g, _)) = eval_node(&mut env, *n, false)? {
                put(&mut grades, *n, Some(g));
            }
        }
    }
    for (ti, t) in prog.tags.iter().enumerate() {
        let (v, held) = match tag_truths.as_ref().and_then(|tt| tt.get(ti)) {
            Some(held) => (Value::Missing, *held),
            None => {
                let v = env.eval(&t.when, src)?;
                let held = env.truth(&v, &t.when, src)?;
                (v, held)
            }
        };
        // The sentence is only built when it is shown: most tags do not apply to most rows.
        if !trace && held != Some(true) {
            continue;
        }
        if !trace && !env.words {
            out.tags.push(TagOutcome {
                name: t.name.clone(),
                color: t.attrs.color.clone(),
                action: t.attrs.action.clone(),
                owner: t.attrs.owner.clone(),
                reason: String::new(),
            });
            continue;
        }
        let why = match &t.when.kind {
            CKind::AtLeast(..) => env.form(&t.when, src, true)?.1.unwrap_or_default(),
            _ => env.with_refs(&t.when, src),
        };
        if trace {
            let verdict = env.prog.lang.tag_verdict(held);
            out.trace.push(TraceStep {
                name: format!("tag {}", t.name).into(),
                value: v.clone(),
                explanation: format!("tag {}: {why} → {verdict}", t.name),
                span: t.span,
            });
        }
        if held == Some(true) {
            out.tags.push(TagOutcome {
                name: t.name.clone(),
                color: t.attrs.color.clone(),
                action: t.attrs.action.clone(),
                owner: t.attrs.owner.clone(),
                reason: format!("{}: {why}", t.name),
            });
        }
    }

    env.words = trace;
    for (sched, slot) in [
        (&prog.follow_up, &mut out.follow_up),
        (&prog.review, &mut out.review),
    ] {
        if let Some(s) = sched {
            let o = super::schedule::run(&env, s, &out.tags)?;
            if trace {
                out.trace.push(TraceStep {
                    name: (if s.is_review { "review" } else { "follow_up" }).into(),
                    value: o.next_due.map(Value::Date).unwrap_or(Value::Missing),
                    explanation: o.reason.clone(),
                    span: s.span,
                });
            }
            *slot = Some(o);
        }
    }
    for s in &prog.named_schedules {
        let o = super::schedule::run(&env, s, &out.tags)?;
        let name = s.name.clone().unwrap_or_default();
        if trace {
            let kind = if s.is_review { "review" } else { "follow_up" };
            out.trace.push(TraceStep {
                name: format!("{kind} {name}").into(),
                value: o.next_due.map(Value::Date).unwrap_or(Value::Missing),
                explanation: o.reason.clone(),
                span: s.span,
            });
        }
        out.schedules.push((name, o));
    }

    out.values = prog
        .value_order
        .iter()
        .map(|(name, slot)| (name.clone(), env.slot(*slot).clone()))
        .collect();
    if let Some((name, slot)) = &prog.out.grade {
        out.grade = Some(match slot {
            Slot::Node(n) if grades.get(*n).is_some_and(Option::is_some) => {
                take(&mut grades, *n).unwrap_or_else(|| unreachable_grade(name))
            }
            other => {
                let v = env.slot(*other);
                if let (true, Slot::Rel(i)) = (v.is_missing(), other) {
                    if !unavailable.get(*i).copied().unwrap_or(false) {
                        return Err(env.missing_relative(*other));
                    }
                }
                GradeOutcome {
                    name: name.clone(),
                    label: (!v.is_missing()).then(|| Arc::from(v.to_string())),
                    color: None,
                    action: None,
                    owner: None,
                    reason: format!("{name} = {v}"),
                    overridden: None,
                }
            }
        });
    }
    out.subgrade = prog
        .out
        .subgrade
        .as_ref()
        .map(|(_, s)| env.slot(*s).clone());
    if let Some((_, slot)) = &prog.out.score {
        out.score = Some(env.slot(*slot).clone());
        if let Slot::Node(n) = slot {
            out.components = take(&mut comps, *n).unwrap_or_default();
        }
    }
    Ok(Full {
        outcome: out,
        comps: env.comps,
    })
}

/// The outcome of grade node `n` as the column engine decided it (arm `arm`), without a
/// sentence.
fn fast_grade(env: &Env, n: usize, arm: u32) -> Option<GradeOutcome> {
    let prog = env.prog;
    let node = prog.nodes.get(n)?;
    match &node.kind {
        NodeKind::Grade(GradeC::Thresholds { arms, .. }) => {
            let a = arms.get(arm as usize)?;
            Some(grade_outcome(node, &a.label, &a.attrs, String::new()))
        }
        NodeKind::Grade(GradeC::Rules { arms }) => {
            let a = arms.get(arm as usize)?;
            Some(grade_outcome(node, &a.label, &a.attrs, String::new()))
        }
        NodeKind::Adjust(a) => {
            let Value::Label(label) = env.nodes.get(n)? else {
                return None;
            };
            let attrs = match a.base {
                Slot::Node(b) => label_attrs(prog, b, &label.name),
                _ => AttrsC::default(),
            };
            Some(grade_outcome(node, label, &attrs, String::new()))
        }
        _ => None,
    }
}

/// The components of scorecard node `n` from the points the column engine computed.
fn fast_components(env: &Env, n: usize) -> Option<Vec<ComponentOutcome>> {
    let NodeKind::Scorecard(sc) = &env.prog.nodes.get(n)?.kind else {
        return None;
    };
    sc.components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let Some(Value::Number(points, _)) = env.comps.get(sc.first_comp + i) else {
                return None;
            };
            let weight = c.weight.as_ref().map(|(w, _)| *w);
            Some(ComponentOutcome {
                name: c.name.clone(),
                points: *points,
                weight,
                weighted: match weight {
                    Some(w) => points.checked_mul(w)?,
                    None => *points,
                },
                reason: String::new(),
            })
        })
        .collect()
}

/// Sets entry `n`, growing the vector as needed.
fn put<T>(v: &mut Vec<Option<T>>, n: usize, x: Option<T>) {
    if v.len() <= n {
        v.resize_with(n + 1, || None);
    }
    v[n] = x;
}

/// Takes entry `n`, if there is one.
fn take<T>(v: &mut [Option<T>], n: usize) -> Option<T> {
    v.get_mut(n).and_then(Option::take)
}

fn unreachable_grade(name: &Arc<str>) -> GradeOutcome {
    GradeOutcome {
        name: name.clone(),
        label: None,
        color: None,
        action: None,
        owner: None,
        reason: String::new(),
        overridden: None,
    }
}

/// An expression of the REPL: compiled against the program's names, evaluated after the
/// values it needs.
pub(crate) fn eval_expr(
    prog: &Program,
    expr: &Expr,
    source: &SourceFile,
    labels: &std::collections::HashMap<crate::source::Span, u32>,
    record: &[Value],
    rels: &[Value],
    as_of: Date,
) -> R<Value> {
    let record = &*prog.complete(record, as_of)?;
    let mut c = prog.resolver(source, labels);
    let compiled = c.expr(expr);
    if let Some(d) = c.errors.into_iter().next() {
        return Err(EvalError {
            diagnostic: Box::new(d),
            field: None,
        });
    }
    let mut env = Env::new(prog, record, rels, as_of);
    for n in super::compile_order::needed(prog, &[&compiled]) {
        let (v, _) = eval_node(&mut env, n, false)?;
        env.nodes[n] = v;
    }
    env.eval(&compiled, source)
}
