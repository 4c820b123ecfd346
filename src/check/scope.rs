//! Declarations: the symbol table, the label sets (scales, enums, grades), duplicates, and the
//! mapping of inputs to data-file columns.

use super::{quote_list, Ctx, LetState, ScaleKind, SymKind, Symbol};
use crate::ast::{GradeBody, Ident, Item, RelMethod, TypeKind};
use crate::diagnostic::Code;
use crate::source::Span;
use std::collections::HashMap;

/// Fills the symbol table and the scales; reports duplicates and columns mapped twice.
pub(crate) fn collect(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    // `scale` declarations first: grades and inputs refer to them by name.
    for item in &rs.items {
        if let Item::Scale(decl) = item {
            if let Some(&first) = cx.scale_names.get(&decl.name.name) {
                let first_span = first_scale_span(cx, first);
                duplicate(cx, "scale", &decl.name, first_span);
                continue;
            }
            let owner = format!("scale `{}`", decl.name.name);
            let labels = unique_labels(cx, &decl.labels, &owner);
            let id = cx.add_scale(&decl.name.name, ScaleKind::Declared, labels);
            cx.scale_names.insert(decl.name.name.clone(), id);
        }
    }

    let mut tag_first: HashMap<&str, Span> = HashMap::new();
    let mut test_first: HashMap<&str, Span> = HashMap::new();
    for item in &rs.items {
        match item {
            Item::Input(block) => {
                for field in &block.fields {
                    declare(cx, &field.name, SymKind::Input(field));
                }
            }
            Item::Let(decl) => {
                if declare(cx, &decl.name, SymKind::Let(decl)) {
                    cx.lets.insert(decl.name.name.clone(), LetState::Todo);
                }
            }
            Item::Scorecard(sc) => {
                declare(cx, &sc.name, SymKind::Scorecard(sc));
                let mut seen: HashMap<&str, Span> = HashMap::new();
                for c in &sc.components {
                    if let Some(&first) = seen.get(c.name.name.as_str()) {
                        duplicate(cx, "component", &c.name, first);
                    } else {
                        seen.insert(&c.name.name, c.name.span);
                    }
                }
            }
            Item::Grade(g) => {
                declare(cx, &g.name, SymKind::Grade);
            }
            Item::Relative(r) => {
                declare(cx, &r.name, SymKind::Relative(r));
            }
            Item::Adjust(a) => {
                declare(cx, &a.name, SymKind::Adjust);
            }
            Item::Tag(t) => {
                if let Some(&first) = tag_first.get(t.name.name.as_str()) {
                    duplicate(cx, "tag", &t.name, first);
                } else {
                    tag_first.insert(&t.name.name, t.name.span);
                    cx.tags.push(&t.name);
                }
            }
            Item::Test(t) => {
                if let Some(&first) = test_first.get(t.name.value.as_str()) {
                    let d = cx
                        .error(
                            Code::NameDuplicate,
                            format!("test \"{}\" is declared twice", t.name.value),
                        )
                        .with_label(t.name.span, "second test with this name")
                        .with_label(first, "first declared here")
                        .with_help("give each test its own name, so `tier test` can report it");
                    cx.push(d);
                } else {
                    test_first.insert(&t.name.value, t.name.span);
                }
            }
            Item::Scale(_)
            | Item::Events(_)
            | Item::Schedule(_)
            | Item::Override(_)
            | Item::Output(_) => {}
        }
    }

    collect_scales(cx);
    check_columns(cx);
}

fn first_scale_span(cx: &Ctx<'_>, id: usize) -> Span {
    cx.rs
        .items
        .iter()
        .find_map(|i| match i {
            Item::Scale(s) if s.name.name == cx.scales[id].name => Some(s.name.span),
            _ => None,
        })
        .unwrap_or_default()
}

/// Registers a value name; reports a duplicate and returns false when the name is taken.
fn declare<'a>(cx: &mut Ctx<'a>, ident: &'a Ident, kind: SymKind<'a>) -> bool {
    if let Some(first) = cx.symbol(&ident.name) {
        let (a, b) = (first.kind.word(), kind.word());
        let msg = if a == b {
            format!("{a} `{}` is declared twice", ident.name)
        } else {
            format!(
                "`{}` is declared twice (as {} and as {})",
                ident.name,
                article(a),
                article(b)
            )
        };
        let d = cx
            .error(Code::NameDuplicate, msg)
            .with_label(ident.span, "declared again here")
            .with_label(first.ident.span, "first declared here")
            .with_help(
                "inputs, lets, grades, scorecards, relative grades and adjustments share one \
                 namespace: rename one of them",
            );
        cx.push(d);
        return false;
    }
    cx.by_name.insert(ident.name.clone(), cx.symbols.len());
    cx.symbols.push(Symbol { ident, kind });
    true
}

fn article(word: &str) -> String {
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if vowel { "an" } else { "a" })
}

fn duplicate(cx: &mut Ctx<'_>, what: &str, ident: &Ident, first: Span) {
    let d = cx
        .error(
            Code::NameDuplicate,
            format!("{what} `{}` is declared twice", ident.name),
        )
        .with_label(ident.span, "declared again here")
        .with_label(first, "first declared here")
        .with_help("remove one of them, or rename it");
    cx.push(d);
}

/// The labels in order, each once; a repeated label is reported.
fn unique_labels(cx: &mut Ctx<'_>, labels: &[Ident], owner: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut first: HashMap<&str, Span> = HashMap::new();
    for l in labels {
        if let Some(&f) = first.get(l.name.as_str()) {
            let d = cx
                .error(
                    Code::NameDuplicate,
                    format!("label `{}` appears twice in {owner}", l.name),
                )
                .with_label(l.span, "listed again here")
                .with_label(f, "first listed here")
                .with_help("each label appears once: remove one of them");
            cx.push(d);
        } else {
            first.insert(&l.name, l.span);
            out.push(l.name.clone());
        }
    }
    out
}

/// Creates the label sets of enums, grades, relatives and adjustments.
fn collect_scales(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    // Enum inputs: the variants, each with its synonyms; all spellings must be distinct.
    for item in &rs.items {
        let Item::Input(block) = item else { continue };
        for field in &block.fields {
            let TypeKind::Enum(variants) = &field.ty.kind else {
                continue;
            };
            let mut spellings: HashMap<String, (Span, String)> = HashMap::new();
            let mut labels = Vec::new();
            for v in variants {
                let key = v.name.name.trim().to_lowercase();
                if let Some((first, owner)) = spellings.get(&key) {
                    let d = cx
                        .error(
                            Code::NameDuplicate,
                            format!("enum variant `{}` is listed twice", v.name.name),
                        )
                        .with_label(v.name.span, "listed again here")
                        .with_label(*first, format!("already a spelling of `{owner}`"))
                        .with_help("each variant and synonym must be distinct (case-insensitive)");
                    cx.push(d);
                    continue;
                }
                spellings.insert(key, (v.name.span, v.name.name.clone()));
                labels.push(v.name.name.clone());
                for syn in &v.synonyms {
                    let key = syn.value.trim().to_lowercase();
                    if let Some((first, owner)) = spellings.get(&key) {
                        let d = cx
                            .error(
                                Code::NameDuplicate,
                                format!(
                                    "synonym \"{}\" of `{}` is already a spelling of `{owner}`",
                                    syn.value, v.name.name
                                ),
                            )
                            .with_label(syn.span, "this synonym")
                            .with_label(*first, format!("already a spelling of `{owner}`"))
                            .with_help(
                                "a cell must map to one variant: remove the synonym from one of them",
                            );
                        cx.push(d);
                        continue;
                    }
                    spellings.insert(key, (syn.span, v.name.name.clone()));
                }
            }
            let id = cx.add_scale(&field.name.name, ScaleKind::Enum, labels);
            cx.value_scale.entry(field.name.name.clone()).or_insert(id);
        }
    }

    // Grades without `on`: the arms' labels in order of first appearance.
    for item in &rs.items {
        let Item::Grade(g) = item else { continue };
        if g.scale.is_some() || cx.value_scale.contains_key(&g.name.name) {
            continue;
        }
        let labels = arm_labels(&g.body);
        let id = cx.add_scale(&g.name.name, ScaleKind::Grade, labels);
        cx.value_scale.insert(g.name.name.clone(), id);
    }

    // Relatives with named classes.
    for item in &rs.items {
        let Item::Relative(r) = item else { continue };
        if cx.value_scale.contains_key(&r.name.name) {
            continue;
        }
        let labels: Vec<Ident> = match &r.method {
            RelMethod::Pareto(cuts) | RelMethod::Top(cuts) => {
                cuts.iter().map(|c| c.label.clone()).collect()
            }
            RelMethod::Split {
                above, otherwise, ..
            } => vec![above.clone(), otherwise.clone()],
            RelMethod::Quantiles { .. } => continue,
        };
        let owner = format!("relative grade `{}`", r.name.name);
        let labels = unique_labels(cx, &labels, &owner);
        let id = cx.add_scale(&r.name.name, ScaleKind::Relative, labels);
        cx.value_scale.insert(r.name.name.clone(), id);
    }

    // Grades `on SCALE` and adjustments `from GRADE` may chain (a grade on another grade's scale,
    // an adjustment of an adjustment): resolve until nothing changes.
    loop {
        let mut changed = false;
        for item in &rs.items {
            match item {
                Item::Grade(g) => {
                    let Some(on) = &g.scale else { continue };
                    if cx.value_scale.contains_key(&g.name.name) {
                        continue;
                    }
                    if let Some(id) = resolve_scale(cx, &on.name) {
                        cx.value_scale.insert(g.name.name.clone(), id);
                        changed = true;
                    }
                }
                Item::Input(block) => {
                    for field in &block.fields {
                        let TypeKind::Grade(scale) = &field.ty.kind else {
                            continue;
                        };
                        if cx.value_scale.contains_key(&field.name.name) {
                            continue;
                        }
                        if let Some(id) = resolve_scale(cx, &scale.name) {
                            cx.value_scale.insert(field.name.name.clone(), id);
                            changed = true;
                        }
                    }
                }
                Item::Adjust(a) => {
                    if cx.value_scale.contains_key(&a.name.name) {
                        continue;
                    }
                    // A grade, an adjustment, a relative grade, or an input holding a grade
                    // (`上期分类 grade(风险分类)`: this period starts from last period's class).
                    let base_ok = matches!(
                        cx.symbol(&a.base.name).map(|s| s.kind),
                        Some(
                            SymKind::Grade
                                | SymKind::Adjust
                                | SymKind::Relative(_)
                                | SymKind::Input(_)
                        )
                    );
                    if let (true, Some(&id)) = (base_ok, cx.value_scale.get(&a.base.name)) {
                        if cx.scales[id].kind != ScaleKind::Enum {
                            cx.value_scale.insert(a.name.name.clone(), id);
                            changed = true;
                        }
                    }
                }
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }

    // A grade whose `on` scale is unknown: report it, and use its arms' labels so the rest of
    // the ruleset is still checked.
    for item in &rs.items {
        let Item::Grade(g) = item else { continue };
        let Some(on) = &g.scale else { continue };
        if cx.value_scale.contains_key(&g.name.name) {
            continue;
        }
        unknown_scale(cx, on);
        let labels = arm_labels(&g.body);
        let id = cx.add_scale(&g.name.name, ScaleKind::Grade, labels);
        cx.value_scale.insert(g.name.name.clone(), id);
    }

    // Inputs of type `grade(SCALE)` whose scale is unknown.
    for item in &rs.items {
        let Item::Input(block) = item else { continue };
        for field in &block.fields {
            let TypeKind::Grade(scale) = &field.ty.kind else {
                continue;
            };
            if !cx.value_scale.contains_key(&field.name.name) {
                unknown_scale(cx, scale);
            }
        }
    }
}

/// The labels a grade's arms name, in order of first appearance.
fn arm_labels(body: &GradeBody) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    let names: Vec<&str> = match body {
        GradeBody::Thresholds { arms, .. } => arms.iter().map(|a| a.label.name.as_str()).collect(),
        GradeBody::Rules { arms } => arms.iter().map(|a| a.label.name.as_str()).collect(),
    };
    for n in names {
        if !labels.iter().any(|l| l == n) {
            labels.push(n.to_string());
        }
    }
    labels
}

/// A scale by name: a `scale` declaration, or the scale of a grade (or adjustment, relative).
pub(crate) fn resolve_scale(cx: &Ctx<'_>, name: &str) -> Option<usize> {
    if let Some(&id) = cx.scale_names.get(name) {
        return Some(id);
    }
    match cx.symbol(name)?.kind {
        SymKind::Grade | SymKind::Adjust | SymKind::Relative(_) => {
            cx.value_scale.get(name).copied()
        }
        _ => None,
    }
}

fn unknown_scale(cx: &mut Ctx<'_>, ident: &Ident) {
    if !cx.reported_scales.insert(ident.span) {
        return;
    }
    let mut candidates: Vec<&str> = cx.scale_names.keys().map(String::as_str).collect();
    candidates.extend(cx.symbols.iter().filter_map(|s| match s.kind {
        SymKind::Grade | SymKind::Adjust => Some(s.ident.name.as_str()),
        _ => None,
    }));
    candidates.sort_unstable();
    let help = match crate::diagnostic::suggest(&ident.name, candidates.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if candidates.is_empty() => {
            format!("declare it: `scale {} {{ A > B > C }}`", ident.name)
        }
        None => format!("known scales and grades: {}", quote_list(&candidates)),
    };
    let d = cx
        .error(
            Code::NameUnknownScale,
            format!("unknown scale `{}`", ident.name),
        )
        .with_label(ident.span, "no scale or grade has this name")
        .with_help(help);
    cx.push(d);
}

/// Two fields read from one column (names compared trimmed and case-insensitively).
fn check_columns(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    let mut seen: HashMap<String, (Span, String)> = HashMap::new();
    for item in &rs.items {
        let Item::Input(block) = item else { continue };
        for field in &block.fields {
            let cols: Vec<(String, Span)> = if field.columns.is_empty() {
                vec![(field.name.name.clone(), field.name.span)]
            } else {
                field
                    .columns
                    .iter()
                    .map(|c| (c.value.clone(), c.span))
                    .collect()
            };
            for (col, span) in cols {
                let key = col.trim().to_lowercase();
                match seen.get(&key) {
                    Some((first, owner)) if *owner != field.name.name => {
                        let d = cx
                            .error(
                                Code::InputColumnTwice,
                                format!(
                                    "column \"{}\" is mapped to two fields: `{owner}` and `{}`",
                                    col.trim(),
                                    field.name.name
                                ),
                            )
                            .with_label(span, format!("`{}` reads it here", field.name.name))
                            .with_label(*first, format!("`{owner}` already reads it"))
                            .with_help(
                                "each column feeds one field: remove one mapping, or derive the \
                                 second value with `let`",
                            );
                        cx.push(d);
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(key, (span, field.name.name.clone()));
                    }
                }
            }
        }
    }
}
