//! Lowering of expressions into the formatter's document: conditions that hang (`and`/`or`,
//! `if … else …`), prefixes, comparisons, bracketed lists, intervals, enums and matrices.

use super::layout::{descend, tight, Layout};
use super::{Pair, Rule};
use crate::format::doc::{Block, BreakTo, Cell, Doc, Row, Table};

impl Layout<'_> {
    /// `a and b and c`, `a or b`: the author's line break before (or after) an operator is kept,
    /// the next line starting under the first operand, unless the whole chain is narrow.
    pub(super) fn chain(&mut self, p: Pair<'_>) -> Doc {
        let mut docs = Vec::new();
        for c in p.into_inner() {
            if matches!(c.as_rule(), Rule::kw_and | Rule::kw_or) {
                let span = c.as_span();
                let kept = self.broken_around(span.start(), span.end());
                docs.push(Doc::Break {
                    kept,
                    to: BreakTo::Hang,
                });
                docs.extend([self.tok(&c), Doc::Space]);
            } else {
                docs.extend(self.node(c));
            }
        }
        self.hang(docs, true)
    }

    /// `if C then A else if D then B else E`, as one chain: breaks before `then` and `else`
    /// are kept like those of [`Self::chain`], every `else` under the first `if`.
    pub(super) fn if_chain(&mut self, p: Pair<'_>) -> Doc {
        let mut docs = Vec::new();
        let mut current = Some(p);
        while let Some(p) = current.take() {
            let mut after_else = false;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::kw_then | Rule::kw_else => {
                        let span = c.as_span();
                        let kept = self.broken_around(span.start(), span.end());
                        docs.push(Doc::Break {
                            kept,
                            to: BreakTo::Hang,
                        });
                        docs.extend([self.tok(&c), Doc::Space]);
                        after_else = c.as_rule() == Rule::kw_else;
                    }
                    Rule::kw_if => docs.extend([self.tok(&c), Doc::Space]),
                    _ => {
                        let e = descend(c);
                        if after_else && e.as_rule() == Rule::if_expr {
                            current = Some(e);
                        } else {
                            docs.extend(self.node(e));
                        }
                    }
                }
            }
        }
        self.hang(docs, true)
    }

    /// `not not x`, `- -x`: walked without recursing.
    pub(super) fn prefixed(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut p = p;
        loop {
            let mut kids = p.clone().into_inner();
            match (kids.next(), kids.next()) {
                (Some(op), Some(operand))
                    if matches!(op.as_rule(), Rule::kw_not | Rule::neg_op) =>
                {
                    out.push(self.tok(&op));
                    let next = descend(operand);
                    // `not x`, and `- -x` rather than `--x`.
                    if op.as_rule() == Rule::kw_not || next.as_rule() == Rule::unary {
                        out.push(Doc::Space);
                    }
                    if matches!(next.as_rule(), Rule::not_expr | Rule::unary) {
                        p = next;
                        continue;
                    }
                    out.extend(self.node(next));
                }
                _ => out.extend(self.spaced(p.into_inner().collect())),
            }
            return out;
        }
    }

    /// `a >= b`, `a is not missing`, `a not in {x, y}`.
    pub(super) fn comparison(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut out = Vec::new();
        for c in p.into_inner() {
            if !out.is_empty() {
                out.push(Doc::Space);
            }
            if c.as_rule() == Rule::in_set {
                out.extend(self.braced_list(c, true));
            } else {
                out.extend(self.node(c));
            }
        }
        out
    }

    /// Words, then a bracket, a comma list, the closing bracket: `in {A, B}`, `days_since(d)`,
    /// `at_least 2 of (a, b)`. `trailing`: a comma may end the list.
    fn braced_list(&mut self, p: Pair<'_>, trailing: bool) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut items = Vec::new();
        let mut open = false;
        let mut prev: Option<Rule> = None;
        for c in p.into_inner() {
            let rule = c.as_rule();
            match rule {
                Rule::open_brace | Rule::open_paren => {
                    if prev.is_some_and(|p| !tight(p, rule)) {
                        out.push(Doc::Space);
                    }
                    out.push(self.tok(&c));
                    open = true;
                }
                Rule::close_brace | Rule::close_paren => {
                    if !items.is_empty() {
                        out.push(self.comma_list(std::mem::take(&mut items), trailing));
                    }
                    out.push(self.tok(&c));
                }
                _ if open => items.push(c),
                _ => {
                    if prev.is_some() {
                        out.push(Doc::Space);
                    }
                    out.extend(self.node(c));
                }
            }
            prev = Some(rule);
        }
        out
    }

    pub(super) fn call(&mut self, p: Pair<'_>) -> Vec<Doc> {
        self.braced_list(p, false)
    }

    pub(super) fn at_least(&mut self, p: Pair<'_>) -> Vec<Doc> {
        self.braced_list(p, true)
    }

    /// `[a, b)`
    pub(super) fn interval(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut bounds = 0;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::interval_open | Rule::interval_close => out.push(self.tok(&c)),
                _ => {
                    if bounds > 0 {
                        out.extend([self.punct(','), Doc::Space]);
                    }
                    bounds += 1;
                    out.extend(self.node(c));
                }
            }
        }
        out
    }

    /// `enum { A "a", B }`: the variants after `{ `, the author's line breaks after commas kept.
    pub(super) fn enumeration(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut variants = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_enum => out.push(self.tok(&c)),
                Rule::open_brace => out.extend([Doc::Space, self.tok(&c), Doc::Space]),
                Rule::close_brace => {
                    out.push(self.comma_list(std::mem::take(&mut variants), true));
                    out.extend([Doc::Space, self.tok(&c)]);
                }
                _ => variants.push(c),
            }
        }
        out
    }

    /// `matrix ROW, COL { c1 c2  r1: v v }`: a block whose first row holds the column keys
    /// over the cells, after an empty cell under the row keys.
    pub(super) fn matrix(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut kids = p.into_inner();
        let mut exprs = 0;
        let mut header: Vec<Cell> = vec![Vec::new()];
        let mut rows = Vec::new();
        let mut open = None;
        for c in kids.by_ref() {
            match c.as_rule() {
                Rule::kw_matrix => out.push(self.tok(&c)),
                Rule::open_brace => open = Some(self.token(c.as_span().start(), c.as_span().end())),
                Rule::matrix_col => header.push(self.node(c)),
                Rule::matrix_row => {
                    let mut cells: Vec<Cell> = Vec::new();
                    let mut key = Vec::new();
                    for k in c.into_inner() {
                        match k.as_rule() {
                            Rule::matrix_key => key = self.node(k),
                            Rule::colon => {
                                key.push(self.tok(&k));
                                cells.push(std::mem::take(&mut key));
                            }
                            _ => cells.push(self.node(k)),
                        }
                    }
                    rows.push(Row::new(0, cells));
                }
                Rule::close_brace => {
                    let close = self.token(c.as_span().start(), c.as_span().end());
                    let Some(open) = open.take() else {
                        self.lost = true;
                        return out;
                    };
                    let mut all = vec![Row::new(0, std::mem::take(&mut header))];
                    all.append(&mut rows);
                    out.extend([
                        Doc::Space,
                        Doc::Block(Block {
                            open,
                            rows: Table { rows: all },
                            close,
                            inline: false,
                        }),
                    ]);
                }
                _ => {
                    if exprs == 1 {
                        out.push(self.punct(','));
                    }
                    exprs += 1;
                    out.push(Doc::Space);
                    out.extend(self.node(c));
                }
            }
        }
        out
    }
}
