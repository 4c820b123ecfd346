//! The dependency graph between declarations: cycles, and names nothing uses.

use super::{Ctx, SymKind};
use crate::source::Span;
use std::collections::{HashMap, HashSet, VecDeque};

/// `tier::let::cycle`: a let, grade, scorecard, relative or adjustment that depends on itself.
pub(crate) fn check_cycles(cx: &mut Ctx<'_>) {
    // First reference per (from, to) pair, in source order.
    let edges = std::mem::take(&mut cx.edges);
    let mut succ: HashMap<&str, Vec<(&str, Span)>> = HashMap::new();
    for e in &edges {
        let list = succ.entry(e.from.as_str()).or_default();
        if !list.iter().any(|(t, _)| *t == e.to) {
            list.push((e.to.as_str(), e.span));
        }
    }
    for list in succ.values_mut() {
        list.sort_by_key(|(_, s)| s.start);
    }
    let mut reported: HashSet<String> = HashSet::new();
    let mut found = Vec::new();
    let symbols = cx.symbols.clone();
    for sym in &symbols {
        let v = sym.ident.name.as_str();
        if matches!(sym.kind, SymKind::Input(_)) || reported.contains(v) {
            continue;
        }
        let Some(path) = shortest_cycle(&succ, v) else {
            continue;
        };
        for (n, _) in &path {
            reported.insert(n.to_string());
        }
        found.push((sym.ident.span, v.to_string(), path));
    }
    for (decl_span, v, path) in found {
        let mut names: Vec<&str> = vec![v.as_str()];
        names.extend(path.iter().map(|(n, _)| *n));
        let chain = names.join(" → ");
        let mut d = cx
            .error(
                "tier::let::cycle",
                format!("`{v}` depends on itself: {chain}"),
            )
            .with_label(decl_span, format!("`{v}` is defined here"));
        let mut from = v.as_str();
        for (to, span) in &path {
            d = d.with_label(*span, format!("`{from}` uses `{to}`"));
            from = to;
        }
        let d =
            d.with_help("break the cycle: one of these values must be computed without the others");
        cx.push(d);
    }
}

/// The shortest path `start → ... → start`, as (node, span of the reference) steps.
fn shortest_cycle<'s>(
    succ: &HashMap<&'s str, Vec<(&'s str, Span)>>,
    start: &'s str,
) -> Option<Vec<(&'s str, Span)>> {
    let mut prev: HashMap<&str, (&str, Span)> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    queue.push_back(start);
    while let Some(n) = queue.pop_front() {
        for &(m, span) in succ.get(n).map(Vec::as_slice).unwrap_or(&[]) {
            if m == start {
                // Walk back from n to start.
                let mut path = vec![(m, span)];
                let mut cur = n;
                while cur != start {
                    let &(p, s) = prev.get(cur)?;
                    path.push((cur, s));
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            if m != start && !prev.contains_key(m) {
                prev.insert(m, (n, span));
                queue.push_back(m);
            }
        }
    }
    None
}

/// `tier::name::unused` (warning): inputs and lets nothing in the rules uses. A `text` input is
/// exempt: names, hospitals and customer numbers are declared to identify a customer and carry
/// it to the output, not to grade it.
pub(crate) fn check_unused(cx: &mut Ctx<'_>) {
    let unused: Vec<(String, Span, &'static str)> = cx
        .symbols
        .iter()
        .filter(|s| !cx.used.contains(&s.ident.name))
        .filter_map(|s| match s.kind {
            SymKind::Input(f) if f.ty.kind == crate::ast::TypeKind::Text => None,
            SymKind::Input(_) => Some((s.ident.name.clone(), s.ident.span, "input")),
            SymKind::Let(_) => Some((s.ident.name.clone(), s.ident.span, "let")),
            _ => None,
        })
        .collect();
    for (name, span, word) in unused {
        let help = if word == "input" {
            "remove the field, or use it in a rule"
        } else {
            "remove it, or use it in a rule (or name it in `output { subgrade ... }`)"
        };
        let d = cx
            .warning(
                "tier::name::unused",
                format!("{word} `{name}` is never used"),
            )
            .with_label(span, "declared here, never used")
            .with_help(help);
        cx.push(d);
    }
}
