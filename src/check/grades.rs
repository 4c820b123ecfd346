//! Grades (thresholds and first-match rules), `match` and `matrix`: reachability and coverage.

use super::bands::show;
use super::bands::{const_num, input_domain, End, Iv};
use super::logic::{implies, never_holds, Space};
use super::{quote_list, Ctx, ScaleId, ScaleKind, Ty};
use crate::ast::{
    CmpOp, Expr, ExprKind, GradeBody, GradeDecl, LitKind, MatchExpr, MatchKeys, Matrix, MatrixKey,
    RuleTest, ThresholdTest,
};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::Unit;
use rust_decimal::Decimal;

/// Checks one grade declaration: labels, types of its test, reachability and coverage.
pub(crate) fn check_grade<'a>(cx: &mut Ctx<'a>, g: &'a GradeDecl) {
    let scale = cx.value_scale.get(&g.name.name).copied();
    // With `on SCALE`, every arm must name a label of that scale.
    if let (Some(_), Some(s)) = (&g.scale, scale) {
        if cx.scales[s].kind != ScaleKind::Grade || cx.scales[s].name != g.name.name {
            let labels: Vec<&crate::ast::Ident> = match &g.body {
                GradeBody::Thresholds { arms, .. } => arms.iter().map(|a| &a.label).collect(),
                GradeBody::Rules { arms } => arms.iter().map(|a| &a.label).collect(),
            };
            for l in labels {
                if !cx.scales[s].contains(&l.name) {
                    cx.unknown_label(l, s);
                }
            }
        }
    }
    match &g.body {
        GradeBody::Thresholds { input, arms } => check_thresholds(cx, g, input, arms),
        GradeBody::Rules { arms } => check_rules(cx, g, arms),
    }
}

/// `>=`, `<` ... as written in messages.
pub(crate) fn op_str(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

/// Reports an arm after `otherwise`.
fn after_otherwise(cx: &mut Ctx<'_>, code: Code, arm: Span, otherwise: Span) {
    let d = cx
        .error(code, "this arm comes after `otherwise` and can never match")
        .with_label(arm, "never matches")
        .with_label(otherwise, "`otherwise` takes everything left")
        .with_help("move `otherwise` to the end");
    cx.push(d);
}

/// A threshold test as written: `>= 80`.
struct Threshold {
    op: CmpOp,
    value: Option<Decimal>,
    span: Span,
    text: String,
}

fn check_thresholds<'a>(
    cx: &mut Ctx<'a>,
    g: &'a GradeDecl,
    input: &'a Expr,
    arms: &'a [crate::ast::ThresholdArm],
) {
    let it = cx.infer(input, None);
    let comparable = match it {
        Ty::Num { .. } | Ty::Date | Ty::Duration | Ty::Unknown | Ty::Missing => true,
        Ty::Label(s) => cx.scales[s].ordered(),
        _ => false,
    };
    if !comparable {
        let d = cx
            .type_error(
                input,
                it,
                "a grade `by` needs a value with an order (a number)",
            )
            .with_help(
                "grade by a score or amount; for labels, write rules: `grade X { A when ... }`",
            );
        cx.push(d);
    }
    let mut otherwise: Option<Span> = None;
    let mut missing: Option<Span> = None;
    let mut tests: Vec<Threshold> = Vec::new();
    for arm in arms {
        if let Some(o) = otherwise {
            after_otherwise(cx, Code::GradeUnreachable, arm.span, o);
        }
        match &arm.test {
            ThresholdTest::Otherwise => otherwise = otherwise.or(Some(arm.span)),
            ThresholdTest::Missing => {
                if let Some(first) = missing {
                    let d = cx
                        .error(
                            Code::GradeUnreachable,
                            "a second `missing` arm can never match",
                        )
                        .with_label(arm.span, "never matches")
                        .with_label(first, "the first `missing` arm")
                        .with_help("keep one `missing` arm");
                    cx.push(d);
                }
                missing = missing.or(Some(arm.span));
            }
            ThresholdTest::Cmp(op, e) => {
                let t = cx.infer_against(e, it);
                cx.percent_literal(input, it, e, t);
                if let Err(clash) = cx.unify(it, t) {
                    let d = cx.clash(
                        clash,
                        "a threshold must be in the unit of the graded value",
                        e,
                        t,
                        input,
                        it,
                    );
                    cx.push(d);
                }
                if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    let d = cx
                        .error(
                            Code::GradeThreshold,
                            "a threshold must be `>=`, `>`, `<=` or `<`",
                        )
                        .with_label(arm.span, "not a threshold")
                        .with_help("for exact values write rules: `grade X { A when 值 = 3 ... }`");
                    cx.push(d);
                    continue;
                }
                let value = match t {
                    Ty::Label(s) => match &e.kind {
                        // A better label ranks lower; negate so "better" is "higher".
                        ExprKind::Name(id) => cx.scales[s]
                            .rank(&id.name)
                            .map(|r| -Decimal::from(r as u64)),
                        _ => None,
                    },
                    _ => const_num(e).map(|(v, _)| v),
                };
                tests.push(Threshold {
                    op: *op,
                    value,
                    span: arm.span,
                    text: format!("{} {} {}", arm.label.name, op_str(*op), cx.text(e.span)),
                });
            }
        }
    }
    if tests.is_empty() || tests.iter().any(|t| t.value.is_none()) {
        return;
    }
    // All tests must go one way: from above (`>=`, `>`) or from below (`<=`, `<`).
    let down = |op: CmpOp| matches!(op, CmpOp::Ge | CmpOp::Gt);
    let dir = down(tests[0].op);
    if let Some(bad) = tests.iter().find(|t| down(t.op) != dir) {
        let d = cx
            .error(Code::GradeDirection, "the thresholds do not all go the same way")
            .with_label(bad.span, "goes the other way")
            .with_label(
                tests[0].span,
                if dir {
                    "sets the direction: `>=`, highest values first"
                } else {
                    "sets the direction: `<=`, lowest values first"
                },
            )
            .with_help("write every threshold with `>=`/`>` (highest first) or every one with `<=`/`<` (lowest first), and end with `otherwise`");
        cx.push(d);
        return;
    }
    let iv = |t: &Threshold| -> Iv {
        let v = t.value.unwrap_or_default();
        match t.op {
            CmpOp::Ge | CmpOp::Gt => Iv {
                lo: Some(End {
                    v,
                    inc: t.op == CmpOp::Ge,
                }),
                hi: None,
            },
            _ => Iv {
                lo: None,
                hi: Some(End {
                    v,
                    inc: t.op == CmpOp::Le,
                }),
            },
        }
    };
    // Every earlier test covers a half-line; their union is the widest one seen so far.
    let (domain, integers) = input_domain(cx, input);
    let mut widest: Option<usize> = None;
    for j in 0..tests.len() {
        // A test outside the input's declared range (`得分 number 0..100`, `A >= 120`).
        let unit = it.unit().unwrap_or(Unit::Plain);
        if iv(&tests[j])
            .intersect(&domain)
            .example(Decimal::ONE, integers)
            .is_none()
        {
            let range = match (domain.lo, domain.hi) {
                (Some(l), Some(h)) => format!("{}..{}", show(l.v, unit), show(h.v, unit)),
                _ => "its range".to_string(),
            };
            let d = cx
                .error(
                    Code::GradeUnreachable,
                    format!(
                        "`{}` can never match: `{}` is declared {range}",
                        tests[j].text,
                        cx.text(input.span)
                    ),
                )
                .with_label(tests[j].span, "never matches")
                .with_help("move the threshold inside the input's range, or widen the range");
            cx.push(d);
            continue;
        }
        if let Some(w) = widest {
            if iv(&tests[j]).subset_of(&iv(&tests[w])) {
                let (tj, tw) = (&tests[j], &tests[w]);
                let d = cx
                    .error(
                        Code::GradeUnreachable,
                        format!("`{}` can never match: `{}` comes first and takes every value it covers", tj.text, tw.text),
                    )
                    .with_label(tj.span, "never matches")
                    .with_label(tw.span, "takes all of these values first")
                    .with_help(if dir {
                        "order the thresholds from highest to lowest (`A >= 80` before `B >= 60`)"
                    } else {
                        "order the thresholds from lowest to highest (`H <= 7` before `A <= 30`)"
                    });
                cx.push(d);
                continue;
            }
        }
        let wider = widest.is_none_or(|w| iv(&tests[w]).subset_of(&iv(&tests[j])));
        if wider {
            widest = Some(j);
        }
    }
    if otherwise.is_some() {
        return;
    }
    let Some(w) = widest else { return };
    let wt = &tests[w];
    let v = wt.value.unwrap_or_default();
    if let Ty::Label(_) = it {
        return uncovered_labels(cx, g, it, &tests[w]);
    }
    let unit = it.unit().unwrap_or(Unit::Plain);
    let gap = if dir {
        Iv {
            lo: None,
            hi: Some(End {
                v,
                inc: !matches!(wt.op, CmpOp::Ge),
            }),
        }
    } else {
        Iv {
            lo: Some(End {
                v,
                inc: !matches!(wt.op, CmpOp::Le),
            }),
            hi: None,
        }
    };
    let gap = gap.intersect(&domain);
    if gap.is_empty() {
        return;
    }
    // A value just past the threshold, as a user would test it (59.99 for `>= 60`).
    let step = if integers {
        Decimal::ONE
    } else if unit == Unit::Percent {
        Decimal::new(1, 4)
    } else {
        Decimal::new(1, 2)
    };
    let near = match (dir, wt.op) {
        (_, CmpOp::Gt | CmpOp::Lt) => v,
        (true, _) => v.checked_sub(step).unwrap_or(v),
        (false, _) => v.checked_add(step).unwrap_or(v),
    };
    let example = if gap
        .intersect(&Iv {
            lo: Some(End { v: near, inc: true }),
            hi: Some(End { v: near, inc: true }),
        })
        .is_empty()
    {
        match gap.example(step, integers) {
            Some(x) => x,
            None => return,
        }
    } else {
        near
    };
    let bound = show(v, unit);
    let range = match (dir, wt.op) {
        (true, CmpOp::Ge) => format!("any value below {bound}"),
        (true, _) => format!("any value up to {bound}"),
        (false, CmpOp::Le) => format!("any value above {bound}"),
        (false, _) => format!("any value from {bound} up"),
    };
    let ex = show(example, unit);
    let d = cx
        .error(
            Code::GradeUncovered,
            format!(
                "grade `{}` gives no label to {range} (e.g. {ex})",
                g.name.name
            ),
        )
        .with_label(wt.span, format!("{ex} falls past the last threshold"))
        .with_label(g.name.span, "this grade")
        .with_help("add a last arm `LABEL otherwise` for the values past the last threshold");
    cx.push(d);
}

fn uncovered_labels(cx: &mut Ctx<'_>, g: &GradeDecl, it: Ty, last: &Threshold) {
    let Ty::Label(s) = it else { return };
    let n = cx.scales[s].labels.len();
    let v = last.value.unwrap_or_default();
    // Ranks are negated: value -r. `>= B` covers ranks <= r; the rest are uncovered.
    let r = (-v).to_string().parse::<usize>().unwrap_or(0);
    let left: Vec<String> = (0..n)
        .filter(|&x| match last.op {
            CmpOp::Ge => x > r,
            CmpOp::Gt => x >= r,
            CmpOp::Le => x < r,
            _ => x <= r,
        })
        .map(|x| cx.scales[s].labels[x].clone())
        .collect();
    if left.is_empty() {
        return;
    }
    let d = cx
        .error(
            Code::GradeUncovered,
            format!(
                "grade `{}` gives no label to {}",
                g.name.name,
                quote_list(&left)
            ),
        )
        .with_label(last.span, "the last threshold")
        .with_help("add a last arm `LABEL otherwise`");
    cx.push(d);
}

fn check_rules<'a>(cx: &mut Ctx<'a>, g: &'a GradeDecl, arms: &'a [crate::ast::RuleArm]) {
    let mut otherwise: Option<Span> = None;
    let mut conds: Vec<(usize, &'a Expr)> = Vec::new();
    for (k, arm) in arms.iter().enumerate() {
        if let Some(o) = otherwise {
            after_otherwise(cx, Code::GradeUnreachable, arm.span, o);
        }
        match &arm.test {
            RuleTest::Otherwise => otherwise = otherwise.or(Some(arm.span)),
            RuleTest::When(e) => {
                let t = cx.infer(e, None);
                cx.expect_bool(e, t, "a rule's condition");
                if otherwise.is_none() {
                    conds.push((k, e));
                }
            }
        }
    }
    let rule_text = |cx: &Ctx<'_>, k: usize| cx.text(arms[k].span);
    let mut hidden = vec![false; conds.len()];
    for (j, (k, cond)) in conds.iter().enumerate() {
        if never_holds(cx, cond) {
            hidden[j] = true;
            let d = cx
                .error(
                    Code::GradeUnreachable,
                    format!(
                        "the rule `{}` can never fire: its condition never holds",
                        rule_text(cx, *k)
                    ),
                )
                .with_label(arms[*k].span, "never holds")
                .with_help("one value cannot meet both tests: did you mean `or` (or `in { .. }`)?");
            cx.push(d);
        }
    }
    // One earlier rule implies the later one (numbers, labels, yes/no).
    for j in 0..conds.len() {
        if hidden[j] {
            continue;
        }
        for i in 0..j {
            if implies(cx, conds[j].1, conds[i].1) {
                hidden[j] = true;
                let d = cx
                    .error(
                        Code::GradeUnreachable,
                        format!("the rule `{}` can never fire: every case it matches is taken by an earlier rule", rule_text(cx, conds[j].0)),
                    )
                    .with_label(arms[conds[j].0].span, "never fires")
                    .with_label(arms[conds[i].0].span, "this earlier rule matches first")
                    .with_help("first match wins: move the narrower rule above the wider one, or remove it");
                cx.push(d);
                break;
            }
        }
    }
    // Over labels and yes/no only: enumerate every combination.
    let exprs: Vec<&Expr> = conds.iter().map(|c| c.1).collect();
    let Some(space) = Space::build(cx, &exprs) else {
        return;
    };
    let combos = space.combinations(cx);
    // first[c] = the first rule matching combination c.
    let first: Vec<Option<usize>> = combos
        .iter()
        .map(|combo| (0..conds.len()).find(|&k| space.holds(cx, conds[k].1, combo) == Some(true)))
        .collect();
    for j in 0..conds.len() {
        if hidden[j] {
            continue;
        }
        let mut matches_any = false;
        let mut takers: Vec<usize> = Vec::new();
        let mut reachable = false;
        for (c, combo) in combos.iter().enumerate() {
            if space.holds(cx, conds[j].1, combo) != Some(true) {
                continue;
            }
            matches_any = true;
            match first[c] {
                Some(f) if f == j => reachable = true,
                Some(f) if !takers.contains(&f) => takers.push(f),
                _ => {}
            }
        }
        if reachable {
            continue;
        }
        let (msg, help) = if matches_any {
            (
                format!("the rule `{}` can never fire: every combination it matches is taken by earlier rules", rule_text(cx, conds[j].0)),
                "first match wins: move this rule above the rules that take its cases, or remove it",
            )
        } else {
            (
                format!(
                    "the rule `{}` can never fire: its condition never holds",
                    rule_text(cx, conds[j].0)
                ),
                "a value cannot equal two labels at once: did you mean `or` (or `in { .. }`)?",
            )
        };
        let mut d = cx
            .error(Code::GradeUnreachable, msg)
            .with_label(arms[conds[j].0].span, "never fires");
        takers.sort_unstable();
        for t in takers.iter().take(3) {
            d = d.with_label(arms[conds[*t].0].span, "takes some of its cases first");
        }
        cx.push(d.with_help(help));
    }
    if otherwise.is_some() || space.vars.is_empty() {
        return;
    }
    let open: Vec<usize> = (0..combos.len()).filter(|&c| first[c].is_none()).collect();
    if let Some(&c) = open.first() {
        let more = match open.len() - 1 {
            0 => String::new(),
            1 => " (and 1 other combination)".to_string(),
            n => format!(" (and {n} other combinations)"),
        };
        let d = cx
            .error(
                Code::GradeUncovered,
                format!(
                    "{} matches no rule of grade `{}`{more}",
                    space.describe(cx, &combos[c]),
                    g.name.name
                ),
            )
            .with_label(g.name.span, "no rule covers this combination")
            .with_help("add a rule for it, or a last arm `LABEL otherwise`");
        cx.push(d);
    }
}

/// `match X { keys -> value ... }`: keys typed against X, duplicate keys, coverage of enums,
/// grade labels and yes/no.
pub(crate) fn infer_match<'a>(cx: &mut Ctx<'a>, m: &'a MatchExpr, hint: Option<ScaleId>) -> Ty {
    let it = cx.infer(&m.input, None);
    let mut seen: Vec<(String, Span)> = Vec::new();
    let mut otherwise: Option<Span> = None;
    for arm in &m.arms {
        if let Some(o) = otherwise {
            after_otherwise(cx, Code::MatchUnreachable, arm.span, o);
        }
        match &arm.keys {
            MatchKeys::Otherwise => otherwise = otherwise.or(Some(arm.span)),
            MatchKeys::Missing => dup_key(cx, &mut seen, "missing".into(), arm.span),
            MatchKeys::Values(keys) => {
                for k in keys {
                    let kt = cx.infer_against(k, it);
                    if let Err(clash) = cx.unify(it, kt) {
                        let d = cx.clash(
                            clash,
                            "a `match` key must be a value of the matched type",
                            k,
                            kt,
                            &m.input,
                            it,
                        );
                        cx.push(d);
                        continue;
                    }
                    dup_key(cx, &mut seen, key_text(cx, k), k.span);
                }
            }
        }
    }
    let values: Vec<&Expr> = m.arms.iter().map(|a| &a.value).collect();
    let result = cx.infer_values(&values, hint, "the results of this `match`");
    if otherwise.is_none() {
        let all: Vec<String> = match it {
            Ty::Label(s) => cx.scales[s].labels.clone(),
            Ty::Bool => vec!["yes".into(), "no".into()],
            _ => Vec::new(),
        };
        let left: Vec<String> = all
            .into_iter()
            .filter(|l| !seen.iter().any(|(k, _)| k == l))
            .collect();
        if !left.is_empty() {
            let d = cx
                .error(
                    Code::MatchUncovered,
                    format!("this `match` has no arm for {}", quote_list(&left)),
                )
                .with_label(m.input.span, format!("{} not covered", quote_list(&left)))
                .with_help(format!(
                    "add `{} -> ...`, or `otherwise -> ...`",
                    left.join(", ")
                ));
            cx.push(d);
        }
    }
    result
}

/// The canonical text of a key: a label's name, `yes`/`no`, or the literal as written.
fn key_text(cx: &Ctx<'_>, k: &Expr) -> String {
    match &k.kind {
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::Lit(l) => match &l.kind {
            LitKind::Bool(b) => {
                if *b {
                    "yes".into()
                } else {
                    "no".into()
                }
            }
            LitKind::Text(t) => format!("\"{t}\""),
            LitKind::Number { value, .. } => value.normalize().to_string(),
            _ => cx.text(k.span),
        },
        _ => cx.text(k.span),
    }
}

fn dup_key(cx: &mut Ctx<'_>, seen: &mut Vec<(String, Span)>, key: String, span: Span) {
    if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
        let d = cx
            .error(
                Code::MatchUnreachable,
                format!("the key `{key}` is listed twice"),
            )
            .with_label(span, "never used")
            .with_label(*first, "first listed here, which wins")
            .with_help("remove one of them");
        cx.push(d);
        return;
    }
    seen.push((key, span));
}

/// `matrix ROW, COL { keys  row: cells ... }`: the table's shape and coverage.
pub(crate) fn infer_matrix<'a>(cx: &mut Ctx<'a>, m: &'a Matrix, hint: Option<ScaleId>) -> Ty {
    let rt = cx.infer(&m.row, None);
    let ct = cx.infer(&m.col, None);
    let col_keys = matrix_keys(cx, &m.col, ct, m.columns.iter(), "column");
    let row_keys = matrix_keys(cx, &m.row, rt, m.rows.iter().map(|r| &r.key), "row");
    let width = m.columns.len();
    for row in &m.rows {
        if row.cells.len() != width {
            let d = cx
                .error(
                    Code::MatrixShape,
                    format!(
                        "this row has {} cells but the table has {width} columns",
                        row.cells.len()
                    ),
                )
                .with_label(row.span, format!("{} cells", row.cells.len()))
                .with_help("write one cell per column key, in the order of the first line");
            cx.push(d);
        }
    }
    let cells: Vec<&Expr> = m.rows.iter().flat_map(|r| r.cells.iter()).collect();
    let result = cx.infer_values(&cells, hint, "the cells of this `matrix`");
    for (t, keys, axis, expr) in [
        (rt, &row_keys, "row", &m.row),
        (ct, &col_keys, "column", &m.col),
    ] {
        let Ty::Label(s) = t else { continue };
        if keys.1 {
            continue;
        }
        let left: Vec<String> = cx.scales[s]
            .labels
            .iter()
            .filter(|l| !keys.0.contains(l))
            .cloned()
            .collect();
        if !left.is_empty() {
            let d = cx
                .error(
                    Code::MatrixShape,
                    format!(
                        "the matrix has no {axis} for {} of `{}`",
                        quote_list(&left),
                        cx.text(expr.span)
                    ),
                )
                .with_label(expr.span, format!("{} has no {axis}", quote_list(&left)))
                .with_help(format!("add a {axis} for each, or an `otherwise` {axis}"));
            cx.push(d);
        }
    }
    result
}

/// The keys of one axis (typed against the axis value), and whether `otherwise` is among them.
fn matrix_keys<'a>(
    cx: &mut Ctx<'a>,
    axis: &'a Expr,
    t: Ty,
    keys: impl Iterator<Item = &'a MatrixKey>,
    what: &str,
) -> (Vec<String>, bool) {
    let mut names: Vec<String> = Vec::new();
    let mut otherwise = false;
    for key in keys {
        match key {
            MatrixKey::Otherwise(_) => otherwise = true,
            MatrixKey::Value(e) => {
                let kt = cx.infer_against(e, t);
                if let Err(clash) = cx.unify(t, kt) {
                    let d = cx.clash(
                        clash,
                        &format!("a {what} key must be a value of the {what} value"),
                        e,
                        kt,
                        axis,
                        t,
                    );
                    cx.push(d);
                    continue;
                }
                let k = key_text(cx, e);
                if names.contains(&k) {
                    let d = cx
                        .error(
                            Code::MatrixShape,
                            format!("the {what} key `{k}` is listed twice"),
                        )
                        .with_label(e.span, "listed again")
                        .with_help("each key appears once");
                    cx.push(d);
                }
                names.push(k);
            }
        }
    }
    (names, otherwise)
}
