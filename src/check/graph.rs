//! The dependency graph between declarations: the order `let`s are inferred in, cycles, and
//! names nothing uses.

use super::{Ctx, Edge, LetState, SymKind};
use crate::diagnostic::Code;
use crate::source::Span;
use std::collections::{HashMap, HashSet, VecDeque};

/// A step of [`depth_first`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visit {
    /// The node is entered: its dependencies come next.
    Enter(usize),
    /// Every dependency of the node has been finished (or is being visited: a cycle).
    Finish(usize),
}

/// A depth-first walk over `deps` (node → the nodes it depends on), every node once, roots in
/// index order: dependencies finish before the nodes that use them. With an explicit stack, so
/// a chain of 100,000 declarations cannot overflow the call stack.
pub(crate) fn depth_first(deps: &[Vec<usize>], mut visit: impl FnMut(Visit)) {
    let mut seen = vec![false; deps.len()];
    for root in 0..deps.len() {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        visit(Visit::Enter(root));
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            match deps[v].get(*next) {
                Some(&w) => {
                    *next += 1;
                    if !seen[w] {
                        seen[w] = true;
                        visit(Visit::Enter(w));
                        stack.push((w, 0));
                    }
                }
                None => {
                    stack.pop();
                    visit(Visit::Finish(v));
                }
            }
        }
    }
}

/// Infers every `let` before the passes that use them, dependencies first. Inference is lazy
/// (a `let` may use one declared later), and following a chain of `let`s by recursion overflowed
/// the stack on a chain of 20,000 written last-first; in this order each body only meets `let`s
/// already inferred. A `let` being visited is marked busy, so a cycle meets a busy `let` (typed
/// unknown; the cycle pass reports it) instead of recursing around the cycle.
pub(crate) fn infer_lets(cx: &mut Ctx<'_>) {
    let lets: Vec<&crate::ast::LetDecl> = cx
        .symbols
        .iter()
        .filter_map(|s| match s.kind {
            SymKind::Let(d) => Some(d),
            _ => None,
        })
        .collect();
    let index: HashMap<&str, usize> = lets
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.name.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = lets
        .iter()
        .map(|d| {
            let mut names = d.value.names();
            // In source order, as lazy inference would meet them.
            names.sort_by_key(|id| id.span.start);
            names
                .into_iter()
                .filter_map(|id| index.get(id.name.as_str()).copied())
                .collect()
        })
        .collect();
    depth_first(&deps, |step| match step {
        Visit::Enter(v) => {
            if matches!(cx.lets.get(&lets[v].name.name), Some(LetState::Todo)) {
                cx.lets.insert(lets[v].name.name.clone(), LetState::Busy);
            }
        }
        Visit::Finish(v) => {
            let name = &lets[v].name.name;
            if matches!(cx.lets.get(name), Some(LetState::Busy)) {
                cx.lets.insert(name.clone(), LetState::Todo);
                cx.let_type(name);
            }
        }
    });
}

/// The references of a cycle that are labelled (and named in the message, half from each end).
const CYCLE_SHOWN: usize = 16;

/// `tier::let::cycle`: a let, grade, scorecard, relative or adjustment that depends on itself.
///
/// Linear in the size of the graph when there is no cycle: strongly connected components are
/// found first, and the shortest cycle is searched only from a declaration that lies on one,
/// within its component. (A breadth-first search from every declaration made a chain of 10,000
/// `let`s take seconds.)
pub(crate) fn check_cycles(cx: &mut Ctx<'_>) {
    let edges = std::mem::take(&mut cx.edges);
    let graph = Graph::new(&edges);
    let component = graph.components();
    let mut size = vec![0usize; graph.names.len()];
    for &c in &component {
        size[c] += 1;
    }
    let on_a_cycle =
        |v: usize| size[component[v]] > 1 || graph.succ[v].iter().any(|&(w, _)| w == v);
    let mut reported = vec![false; graph.names.len()];
    let mut found = Vec::new();
    for sym in &cx.symbols {
        if matches!(sym.kind, SymKind::Input(_)) {
            continue;
        }
        let Some(&v) = graph.index.get(sym.ident.name.as_str()) else {
            continue;
        };
        if reported[v] || !on_a_cycle(v) {
            continue;
        }
        let Some(path) = graph.shortest_cycle(v, &component) else {
            continue;
        };
        for &(n, _) in &path {
            reported[n] = true;
        }
        found.push((sym.ident.span, v, path));
    }
    for (decl_span, v, path) in found {
        let name = |n: usize| graph.names[n];
        let mut names: Vec<&str> = vec![name(v)];
        names.extend(path.iter().map(|&(n, _)| name(n)));
        // A long cycle is shown by its ends, and its first references labelled: a report with
        // 20,000 labels helps nobody and takes long to print.
        let chain = if names.len() > CYCLE_SHOWN + 1 {
            format!(
                "{} → … → {} ({} declarations)",
                names[..CYCLE_SHOWN / 2].join(" → "),
                names[names.len() - CYCLE_SHOWN / 2..].join(" → "),
                path.len()
            )
        } else {
            names.join(" → ")
        };
        let mut d = cx
            .error(
                Code::LetCycle,
                format!("`{}` depends on itself: {chain}", name(v)),
            )
            .with_label(decl_span, format!("`{}` is defined here", name(v)));
        let mut from = v;
        for &(to, span) in path.iter().take(CYCLE_SHOWN) {
            d = d.with_label(span, format!("`{}` uses `{}`", name(from), name(to)));
            from = to;
        }
        let d =
            d.with_help("break the cycle: one of these values must be computed without the others");
        cx.push(d);
    }
}

/// The references between declarations, by index: the first reference per (from, to) pair, in
/// source order.
struct Graph<'e> {
    names: Vec<&'e str>,
    index: HashMap<&'e str, usize>,
    succ: Vec<Vec<(usize, Span)>>,
}

impl<'e> Graph<'e> {
    fn new(edges: &'e [Edge]) -> Self {
        let mut g = Graph {
            names: Vec::new(),
            index: HashMap::new(),
            succ: Vec::new(),
        };
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        for e in edges {
            let from = g.node(&e.from);
            let to = g.node(&e.to);
            if seen.insert((from, to)) {
                g.succ[from].push((to, e.span));
            }
        }
        for list in &mut g.succ {
            list.sort_by_key(|(_, s)| s.start);
        }
        g
    }

    fn node(&mut self, name: &'e str) -> usize {
        *self.index.entry(name).or_insert_with(|| {
            self.names.push(name);
            self.succ.push(Vec::new());
            self.names.len() - 1
        })
    }

    /// The strongly connected component of every node (Tarjan's algorithm, with an explicit
    /// stack so that a chain of 100,000 declarations cannot overflow the call stack).
    fn components(&self) -> Vec<usize> {
        const UNSEEN: usize = usize::MAX;
        let n = self.names.len();
        let mut order = vec![UNSEEN; n];
        let mut low = vec![0; n];
        let mut component = vec![UNSEEN; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next_order = 0;
        let mut components = 0;
        for root in 0..n {
            if order[root] != UNSEEN {
                continue;
            }
            // (node, index of the next successor to visit)
            let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
            order[root] = next_order;
            low[root] = next_order;
            next_order += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut i)) = calls.last_mut() {
                if let Some(&(w, _)) = self.succ[v].get(*i) {
                    *i += 1;
                    if order[w] == UNSEEN {
                        order[w] = next_order;
                        low[w] = next_order;
                        next_order += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        calls.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(order[w]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == order[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component[w] = components;
                        if w == v {
                            break;
                        }
                    }
                    components += 1;
                }
            }
        }
        component
    }

    /// The shortest path `start → ... → start` within `start`'s component, as (node, span of
    /// the reference) steps.
    fn shortest_cycle(&self, start: usize, component: &[usize]) -> Option<Vec<(usize, Span)>> {
        let home = component[start];
        let mut prev: HashMap<usize, (usize, Span)> = HashMap::new();
        let mut queue: VecDeque<usize> = VecDeque::new();
        queue.push_back(start);
        while let Some(n) = queue.pop_front() {
            for &(m, span) in &self.succ[n] {
                if m == start {
                    // Walk back from n to start.
                    let mut path = vec![(m, span)];
                    let mut cur = n;
                    while cur != start {
                        let &(p, s) = prev.get(&cur)?;
                        path.push((cur, s));
                        cur = p;
                    }
                    path.reverse();
                    return Some(path);
                }
                if component[m] == home && !prev.contains_key(&m) {
                    prev.insert(m, (n, span));
                    queue.push_back(m);
                }
            }
        }
        None
    }
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
            .warning(Code::NameUnused, format!("{word} `{name}` is never used"))
            .with_label(span, "declared here, never used")
            .with_help(help);
        cx.push(d);
    }
}
