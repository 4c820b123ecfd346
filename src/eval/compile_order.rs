//! Dependency order of the named values (a `let` may use a name declared later), cycles, and
//! what the relatives' keys need.

use super::program::*;
use super::RelativeSpec;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;

/// Calls `f` on every slot and component an expression reads.
pub(crate) fn walk(e: &CExpr, f: &mut dyn FnMut(&CKind)) {
    f(&e.kind);
    let mut go = |x: &CExpr| walk(x, f);
    match &e.kind {
        CKind::Const(_) | CKind::Slot(_) | CKind::Comp(_) | CKind::AsOf => {}
        CKind::Neg(x) | CKind::Not(x) | CKind::IsMissing(x, _) => go(x),
        CKind::Arith(_, a, b)
        | CKind::And(a, b)
        | CKind::Or(a, b)
        | CKind::Coalesce(a, b)
        | CKind::Cmp(_, a, b) => {
            go(a);
            go(b);
        }
        CKind::In(x, set, _) => {
            go(x);
            set.iter().for_each(go);
        }
        CKind::If(a, b, c) => {
            go(a);
            go(b);
            go(c);
        }
        CKind::Call(_, args) | CKind::AtLeast(_, args) => args.iter().for_each(go),
        CKind::Linear(l) => {
            go(&l.input);
            go(&l.from);
            go(&l.to);
            if let Some((p, q)) = &l.points {
                go(p);
                go(q);
            }
        }
        CKind::Bands(b) => {
            go(&b.input);
            for a in &b.arms {
                if let BandGuardC::Interval { lo, hi } = &a.guard {
                    if let Some((x, _)) = lo {
                        go(x);
                    }
                    if let Some((x, _)) = hi {
                        go(x);
                    }
                }
                go(&a.value);
            }
        }
        CKind::Match(m) => {
            go(&m.input);
            for (keys, v, _) in &m.arms {
                if let MatchKeysC::Values(ks) = keys {
                    ks.iter().for_each(&mut go);
                }
                go(v);
            }
        }
        CKind::Matrix(m) => {
            go(&m.row);
            go(&m.col);
            m.columns.iter().flatten().for_each(&mut go);
            for (k, cells, _) in &m.rows {
                if let Some(k) = k {
                    go(k);
                }
                cells.iter().for_each(&mut go);
            }
        }
    }
}

/// The expressions of a node.
pub(crate) fn node_exprs(n: &Node) -> Vec<&CExpr> {
    match &n.kind {
        NodeKind::Let(e) => vec![e],
        NodeKind::Scorecard(s) => s
            .components
            .iter()
            .flat_map(|c| std::iter::once(&c.expr).chain(c.on_missing.iter()))
            .collect(),
        NodeKind::Grade(GradeC::Thresholds { input, arms }) => std::iter::once(input)
            .chain(arms.iter().filter_map(|a| match &a.test {
                ThresholdTestC::Cmp(_, e) => Some(e),
                _ => None,
            }))
            .collect(),
        NodeKind::Grade(GradeC::Rules { arms }) => {
            arms.iter().filter_map(|a| a.when.as_ref()).collect()
        }
        NodeKind::Adjust(a) => a.arms.iter().map(|a| &a.when).collect(),
    }
}

fn comp_owner(nodes: &[Node], comp: usize) -> Option<usize> {
    nodes.iter().position(|n| match &n.kind {
        NodeKind::Scorecard(s) => comp >= s.first_comp && comp < s.first_comp + s.components.len(),
        _ => false,
    })
}

/// The nodes and relatives an expression reads directly.
pub(crate) fn expr_deps(nodes: &[Node], e: &CExpr, out: &mut Vec<usize>, rels: &mut Vec<usize>) {
    walk(e, &mut |k| match k {
        CKind::Slot(Slot::Node(i)) => out.push(*i),
        CKind::Slot(Slot::Rel(i)) => rels.push(*i),
        CKind::Comp(c) => {
            if let Some(o) = comp_owner(nodes, *c) {
                out.push(o)
            }
        }
        _ => {}
    });
}

fn node_deps(nodes: &[Node], i: usize) -> (Vec<usize>, Vec<usize>) {
    let mut out = Vec::new();
    let mut rels = Vec::new();
    for e in node_exprs(&nodes[i]) {
        expr_deps(nodes, e, &mut out, &mut rels);
    }
    if let NodeKind::Adjust(a) = &nodes[i].kind {
        if let Slot::Node(b) = a.base {
            out.push(b);
        }
    }
    (out, rels)
}

/// A topological order of the nodes (the checker has rejected every cycle).
pub(crate) fn order(
    nodes: &[Node],
    source: &SourceFile,
    errors: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let deps: Vec<Vec<usize>> = (0..nodes.len()).map(|i| node_deps(nodes, i).0).collect();
    let mut mark = vec![Mark::New; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    let mut reported = false;
    for root in 0..nodes.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next dependency to visit); `path` is the active chain.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Active;
        while let Some((n, next)) = stack.last_mut() {
            let n = *n;
            if let Some(&d) = deps[n].get(*next) {
                *next += 1;
                match mark.get(d).copied() {
                    Some(Mark::New) => {
                        mark[d] = Mark::Active;
                        stack.push((d, 0));
                    }
                    Some(Mark::Active) if !reported => {
                        // The checker reports every cycle (`tier::let::cycle`) before anything
                        // is compiled: one here is a bug in tier.
                        reported = true;
                        errors.push(internal(
                            source,
                            nodes[d].span,
                            format!("`{}` depends on itself", nodes[d].name),
                        ));
                    }
                    _ => {}
                }
            } else {
                mark[n] = Mark::Done;
                order.push(n);
                stack.pop();
            }
        }
    }
    order
}

/// The nodes the relatives' keys need, in evaluation order, and the relatives in rounds: a
/// relative's key may use the classes of relatives of earlier rounds (`per ABC`). A relative
/// whose key needs itself, directly or through others, is a cycle the checker rejected.
pub(crate) fn relative_deps(
    nodes: &[Node],
    order: &[usize],
    rel_exprs: &[(CExpr, Option<CExpr>)],
    relatives: &[RelativeSpec],
    source: &SourceFile,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut needed = vec![false; nodes.len()];
    let mut rel_needs: Vec<Vec<usize>> = Vec::new();
    for (v, per) in rel_exprs {
        let mut ns = Vec::new();
        let mut rels = Vec::new();
        expr_deps(nodes, v, &mut ns, &mut rels);
        if let Some(p) = per {
            expr_deps(nodes, p, &mut ns, &mut rels);
        }
        let mut seen = vec![false; nodes.len()];
        while let Some(n) = ns.pop() {
            if n >= nodes.len() || seen[n] {
                continue;
            }
            seen[n] = true;
            needed[n] = true;
            let (more, r) = node_deps(nodes, n);
            ns.extend(more);
            rels.extend(r);
        }
        rels.sort_unstable();
        rels.dedup();
        rel_needs.push(rels);
    }
    // Rounds by longest dependency chain; a relative still unplaced after n rounds is on a cycle.
    let n = relatives.len();
    let mut round: Vec<Option<usize>> = vec![None; n];
    for _ in 0..=n {
        for ri in 0..n {
            if round[ri].is_some() {
                continue;
            }
            let deps: Option<Vec<usize>> = rel_needs[ri]
                .iter()
                .map(|&d| {
                    if d == ri {
                        None
                    } else {
                        round.get(d).copied().flatten()
                    }
                })
                .collect();
            if let Some(deps) = deps {
                round[ri] = Some(deps.into_iter().map(|r| r + 1).max().unwrap_or(0));
            }
        }
    }
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for (ri, r) in round.iter().enumerate() {
        match r {
            Some(r) => {
                if rounds.len() <= *r {
                    rounds.resize(r + 1, Vec::new());
                }
                rounds[*r].push(ri);
            }
            // The checker reports a relative whose key needs its own classes as a cycle.
            None => errors.push(internal(
                source,
                relatives[ri].decl.input.span,
                format!(
                    "relative `{}` ranks by a value that needs its own classes",
                    relatives[ri].name
                ),
            )),
        }
    }
    (
        order.iter().copied().filter(|&n| needed[n]).collect(),
        rounds,
    )
}

/// The nodes the expressions need (transitively), in evaluation order.
pub(crate) fn needed(prog: &Program, exprs: &[&CExpr]) -> Vec<usize> {
    let nodes = &prog.nodes;
    let mut ns = Vec::new();
    let mut rels = Vec::new();
    for e in exprs {
        expr_deps(nodes, e, &mut ns, &mut rels);
    }
    let mut needed = vec![false; nodes.len()];
    while let Some(n) = ns.pop() {
        if n >= nodes.len() || needed[n] {
            continue;
        }
        needed[n] = true;
        ns.extend(node_deps(nodes, n).0);
    }
    prog.order.iter().copied().filter(|&n| needed[n]).collect()
}

/// `tier::internal::compile`: what the checker guarantees did not hold. A bug in tier, reported instead of
/// evaluated around.
pub(crate) fn internal(source: &SourceFile, span: crate::source::Span, what: String) -> Diagnostic {
    Diagnostic::error(Code::InternalCompile, format!("internal error: {what}"))
        .in_source(source)
        .with_label(span, "here")
        .with_help("this is a bug in tier, not in the ruleset: please report it with the ruleset")
}
