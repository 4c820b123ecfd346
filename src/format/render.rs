//! Printing a [`Document`]: rows and aligned columns, indentation, kept breaks and comments.
//!
//! Lines are built in a list so a comment can still be added to a line after the printer has
//! moved on (a comment that ended a line in the source goes to the line of the token before it,
//! wherever that token ended up). Trailing comments are lined up at the end.

use super::doc::{has_block, Block, BreakTo, Cell, Doc, Document, Row, Table, Token};
use super::{display_width, COMMENT_GAP, FOLD_WIDTH};
use std::collections::BTreeMap;

/// Prints a document of `text` (whose spans it holds) as lines without line terminators.
pub(super) fn render(doc: &Document, text: &str) -> Vec<String> {
    let mut p = Printer::new(text);
    p.table(&doc.items, 0, true);
    p.newline(0);
    p.blank_ok = true;
    p.comments(&doc.end);
    p.finish()
}

/// One output line under construction.
#[derive(Debug, Default)]
struct Line {
    indent: usize,
    /// Where comments on lines of their own above the line's first token go: its indentation,
    /// but a row's for a row that starts in a later column (a matrix's header) and the inside
    /// of the block for a `}`.
    lead: usize,
    /// The text after the indentation: tokens, or a comment on a line of its own.
    code: String,
    /// Display width of indentation and code.
    width: usize,
    /// Comments that end this line.
    comments: Vec<String>,
    /// The line is a comment on a line of its own.
    comment_only: bool,
}

impl Line {
    fn at(indent: usize) -> Self {
        Line {
            indent,
            lead: indent,
            width: indent,
            ..Line::default()
        }
    }

    fn is_blank(&self) -> bool {
        self.code.is_empty() && self.comments.is_empty()
    }

    fn comment(indent: usize, text: &str) -> Self {
        Line {
            indent,
            lead: indent,
            code: text.to_string(),
            width: indent + display_width(text),
            comments: Vec::new(),
            comment_only: true,
        }
    }
}

/// What the docs being printed stand in.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    /// The column a kept break continues at ([`BreakTo::Hang`]).
    hang: usize,
    /// The indentation of the row ([`BreakTo::Row`]).
    row: usize,
    /// Inside a condition joined onto one line: every break is a blank.
    fold: bool,
}

struct Printer<'t> {
    text: &'t str,
    lines: Vec<Line>,
    /// The line holding the last token printed: a comment that ended that token's line goes there.
    last: usize,
    /// The current line has no token yet, only its indentation.
    fresh: bool,
    /// A blank line of the source may be kept here: at the start of a row that is not the first
    /// of its block, or before the comments above a closing brace.
    blank_ok: bool,
}

impl<'t> Printer<'t> {
    fn new(text: &'t str) -> Self {
        Printer {
            text,
            lines: vec![Line::at(0)],
            last: 0,
            fresh: true,
            blank_ok: false,
        }
    }

    fn current(&mut self) -> &mut Line {
        if self.lines.is_empty() {
            self.lines.push(Line::at(0));
        }
        let n = self.lines.len() - 1;
        &mut self.lines[n]
    }

    fn col(&self) -> usize {
        self.lines.last().map_or(0, |l| l.width)
    }

    fn indent(&self) -> usize {
        self.lines.last().map_or(0, |l| l.indent)
    }

    /// Starts a new line at `indent` (or moves the current line there if it has no token yet).
    fn newline(&mut self, indent: usize) {
        if self.fresh {
            let line = self.current();
            line.indent = indent;
            line.lead = indent;
            line.width = indent;
        } else {
            self.lines.push(Line::at(indent));
            self.fresh = true;
        }
    }

    fn space(&mut self, n: usize) {
        if !self.fresh {
            let line = self.current();
            line.code.extend(std::iter::repeat_n(' ', n));
            line.width += n;
        }
    }

    /// Moves to column `col` (a cell's column); nothing if the line is already past it.
    fn pad_to(&mut self, col: usize) {
        if self.fresh {
            let line = self.current();
            line.indent = col;
            line.width = col;
        } else if col > self.col() {
            let n = col - self.col();
            self.space(n);
        }
    }

    /// Keeps one blank line before the current (fresh) line, unless it would start the file or
    /// follow another blank line.
    fn blank(&mut self) {
        let n = self.lines.len();
        if self.fresh && n >= 2 && !self.lines[n - 2].is_blank() {
            self.lines.insert(n - 1, Line::default());
        }
    }

    /// The comments before a token: one that ended the line of the token before goes back to
    /// that line; one on a line of its own is printed on a line of its own above the token if
    /// the token starts a line, or else ends the token's line.
    fn comments(&mut self, t: &Token) {
        for c in &t.comments {
            if !c.own_line {
                let last = self.last.min(self.lines.len() - 1);
                self.lines[last].comments.push(c.text.clone());
            } else if self.fresh {
                if c.blank_before && self.blank_ok {
                    self.blank();
                }
                let line = self.current();
                let (indent, lead) = (line.indent, line.lead);
                *line = Line::comment(lead, &c.text);
                self.lines.push(Line {
                    lead,
                    ..Line::at(indent)
                });
            } else {
                self.current().comments.push(c.text.clone());
            }
        }
    }

    /// Prints a token's text.
    fn put(&mut self, t: &Token) {
        if self.fresh && t.blank_before && self.blank_ok {
            self.blank();
        }
        let text = self.text.get(t.span.start..t.span.end).unwrap_or("");
        let line = self.current();
        line.code.push_str(text);
        line.width += display_width(text);
        self.last = self.lines.len() - 1;
        self.fresh = false;
        self.blank_ok = false;
    }

    fn token(&mut self, t: &Token) {
        self.comments(t);
        self.put(t);
    }

    fn docs(&mut self, docs: &[Doc], ctx: Ctx) {
        for d in docs {
            match d {
                Doc::Token(t) => self.token(t),
                Doc::Space => self.space(1),
                Doc::Break { kept, to } => {
                    if *kept && !ctx.fold {
                        let col = match to {
                            BreakTo::Hang => ctx.hang,
                            BreakTo::Row => ctx.row,
                        };
                        self.newline(col);
                    } else {
                        self.space(1);
                    }
                }
                Doc::Hang(h) => {
                    let fold = ctx.fold || (h.fold && h.flat.is_some_and(|w| w <= FOLD_WIDTH));
                    let hang = self.col();
                    self.docs(&h.docs, Ctx { hang, fold, ..ctx });
                }
                Doc::Block(b) => self.block(b, ctx),
            }
        }
    }

    fn block(&mut self, b: &Block, ctx: Ctx) {
        if b.inline {
            self.token(&b.open);
            if !b.rows.rows.is_empty() {
                self.space(1);
                for (i, row) in b.rows.rows.iter().enumerate() {
                    if i > 0 {
                        self.space(2);
                    }
                    let cells = row.lines.iter().flatten().filter(|c| !c.is_empty());
                    for (j, cell) in cells.enumerate() {
                        if j > 0 {
                            self.space(1);
                        }
                        let hang = self.col();
                        self.docs(cell, Ctx { hang, ..ctx });
                    }
                }
                self.space(1);
            }
            self.token(&b.close);
            return;
        }
        let outer = self.indent();
        self.token(&b.open);
        if b.rows.rows.is_empty() && b.close.comments.is_empty() {
            self.token(&b.close);
            return;
        }
        let inner = outer + 2;
        self.table(&b.rows, inner, false);
        // Comments after the last row stay inside the block; a blank line before the `}` goes.
        self.newline(inner);
        self.blank_ok = true;
        self.comments(&b.close);
        self.blank_ok = false;
        self.newline(outer);
        self.current().lead = inner;
        self.put(&b.close);
    }

    /// Prints the rows of a table at `indent`, one (or more) lines each, cells in columns.
    fn table(&mut self, t: &Table, indent: usize, top: bool) {
        let columns = self.columns(t);
        for (i, row) in t.rows.iter().enumerate() {
            self.newline(indent);
            self.blank_ok = top || i > 0;
            let Some(cols) = columns.get(&row.group) else {
                continue;
            };
            self.cells(&cols.slots(row), indent, &cols.main);
            for line in row.lines.iter().skip(1) {
                let start = indent + cols.main.pos.get(row.cont).copied().unwrap_or(0);
                self.newline(start);
                let slots: Vec<Option<&Cell>> = line.iter().map(Some).collect();
                self.cells(&slots, start, &cols.cont);
            }
        }
    }

    /// Prints cells from `start` in the columns of `cols`; a cell whose column is taken (by a
    /// block or an unaligned cell before it) follows after the gap.
    fn cells(&mut self, slots: &[Option<&Cell>], start: usize, cols: &Columns) {
        let mut placed = false;
        for (j, cell) in slots.iter().enumerate() {
            let Some(cell) = cell.filter(|c| !c.is_empty()) else {
                continue;
            };
            let target = start + cols.pos.get(j).copied().unwrap_or(0);
            let at = if placed {
                let gap = cols.gap.get(j).copied().unwrap_or(2);
                target.max(self.col() + gap)
            } else {
                target
            };
            self.pad_to(at);
            let hang = self.col();
            self.docs(
                cell,
                Ctx {
                    hang,
                    row: start,
                    fold: false,
                },
            );
            placed = true;
        }
    }

    /// The columns of each group of a table: the first lines of its rows, and their
    /// continuation lines.
    fn columns(&self, t: &Table) -> BTreeMap<usize, Group> {
        let mut rows: BTreeMap<usize, Vec<&Row>> = BTreeMap::new();
        for row in &t.rows {
            rows.entry(row.group).or_default().push(row);
        }
        rows.into_iter()
            .map(|(g, rows)| (g, self.group(&rows)))
            .collect()
    }

    fn group(&self, rows: &[&Row]) -> Group {
        let mut group = Group {
            keys: key_order(rows),
            main: Columns::default(),
            cont: Columns::default(),
        };
        let mut main = Widths::default();
        let mut cont = Widths::default();
        for row in rows {
            main.add(&group.slots(row), |c| self.measure(c));
            for line in row.lines.iter().skip(1) {
                let slots: Vec<Option<&Cell>> = line.iter().map(Some).collect();
                cont.add(&slots, |c| self.measure(c));
            }
        }
        group.main = main.columns(1);
        group.cont = cont.columns(2);
        group
    }

    /// The width of a cell's last line, from where the cell starts; `None` if it holds a block
    /// (which ends on a line of its own: nothing after it can line up).
    fn measure(&self, cell: &Cell) -> Option<usize> {
        if has_block(cell) {
            return None;
        }
        let mut p = Printer::new(self.text);
        let ctx = Ctx {
            hang: 0,
            row: 0,
            fold: false,
        };
        p.docs(cell, ctx);
        Some(p.col())
    }

    /// The finished lines: extra trailing comments on lines of their own, trailing comments
    /// lined up, no trailing blanks, no blank lines at the end.
    fn finish(mut self) -> Vec<String> {
        while self.lines.last().is_some_and(Line::is_blank) {
            self.lines.pop();
        }
        // A line can end in one comment only; the others follow on lines of their own, where
        // formatting again would put them: above the next line's first token.
        let mut lines: Vec<Line> = Vec::with_capacity(self.lines.len());
        let mut lead = 0;
        for mut line in self.lines.into_iter().rev() {
            if line.comments.len() > 1 {
                for text in line.comments.split_off(1).iter().rev() {
                    lines.push(Line::comment(lead, text));
                }
            }
            if !line.comment_only && !line.is_blank() {
                lead = line.lead;
            }
            lines.push(line);
        }
        lines.reverse();
        // Trailing comments line up within a run of lines of code (between blank lines and
        // comments on lines of their own).
        let mut out = Vec::with_capacity(lines.len());
        for run in lines.chunk_by(|a, b| is_code(a) && is_code(b)) {
            let col = run
                .iter()
                .filter(|l| !l.comments.is_empty())
                .map(|l| l.width)
                .max();
            let col = col.unwrap_or(0) + COMMENT_GAP;
            for line in run {
                let mut s = plain(line);
                if let Some(comment) = line.comments.first() {
                    s.extend(std::iter::repeat_n(' ', col.saturating_sub(line.width)));
                    s.push_str(comment);
                }
                out.push(s);
            }
        }
        out
    }
}

/// A line with tokens on it.
fn is_code(line: &Line) -> bool {
    !line.comment_only && !line.code.is_empty()
}

/// A line's indentation and code, without trailing blanks.
fn plain(line: &Line) -> String {
    if line.code.is_empty() {
        return String::new();
    }
    let mut s: String = std::iter::repeat_n(' ', line.indent).collect();
    s.push_str(line.code.trim_end());
    s
}

/// The columns of a group of rows.
#[derive(Debug, Default)]
struct Group {
    /// The order of the attribute kinds, if every row writes its attributes in one order.
    keys: Option<(usize, Vec<u8>)>,
    main: Columns,
    cont: Columns,
}

impl Group {
    /// The cells of a row's first line by column: attributes go to the column of their kind.
    fn slots<'r>(&self, row: &'r Row) -> Vec<Option<&'r Cell>> {
        let Some(first) = row.lines.first() else {
            return Vec::new();
        };
        let fixed = first.len() - row.keys.len().min(first.len());
        match &self.keys {
            Some((prefix, order)) if !row.keys.is_empty() && *prefix == fixed => {
                let mut slots: Vec<Option<&Cell>> = vec![None; prefix + order.len()];
                for (j, cell) in first.iter().enumerate().take(fixed) {
                    slots[j] = Some(cell);
                }
                for (key, cell) in row.keys.iter().zip(&first[fixed..]) {
                    if let Some(k) = order.iter().position(|o| o == key) {
                        slots[prefix + k] = Some(cell);
                    }
                }
                slots
            }
            _ => first.iter().map(Some).collect(),
        }
    }
}

/// One order of attribute kinds in which every row's attributes appear (kinds first seen first
/// when there is a choice), with the number of cells before the attributes; `None` (attributes
/// line up by position) if the rows disagree, or if a kind appears in one row only (a column of
/// its own would push it far out for nothing to line up with).
fn key_order(rows: &[&Row]) -> Option<(usize, Vec<u8>)> {
    let keyed: Vec<&&Row> = rows.iter().filter(|r| !r.keys.is_empty()).collect();
    let first = keyed.first()?;
    let prefix = first.lines[0].len() - first.keys.len();
    let mut kinds: Vec<u8> = Vec::new();
    for row in &keyed {
        if row.lines[0].len() - row.keys.len() != prefix {
            return None;
        }
        for k in &row.keys {
            if !kinds.contains(k) {
                kinds.push(*k);
            }
        }
    }
    let rows_with = |k: u8| keyed.iter().filter(|r| r.keys.contains(&k)).count();
    if keyed.len() > 1 && kinds.iter().any(|&k| rows_with(k) < 2) {
        return None;
    }
    // Topological order of "a before b in some row", ties to the kind seen first.
    let before = |a: u8, b: u8| {
        keyed.iter().any(|r| {
            let pa = r.keys.iter().position(|k| *k == a);
            let pb = r.keys.iter().position(|k| *k == b);
            matches!((pa, pb), (Some(x), Some(y)) if x < y)
        })
    };
    let mut order = Vec::with_capacity(kinds.len());
    let mut left = kinds;
    while !left.is_empty() {
        let next = left
            .iter()
            .position(|&k| !left.iter().any(|&o| o != k && before(o, k)))?;
        order.push(left.remove(next));
    }
    Some((prefix, order))
}

/// Column widths being collected.
#[derive(Debug, Default)]
struct Widths {
    width: Vec<usize>,
    present: Vec<bool>,
}

impl Widths {
    /// Counts a line's cells: every non-empty cell makes its column present; a cell that has
    /// another after it on the line sets the column's width (the last one sets none: nothing
    /// lines up after it).
    fn add(&mut self, slots: &[Option<&Cell>], measure: impl Fn(&Cell) -> Option<usize>) {
        if self.width.len() < slots.len() {
            self.width.resize(slots.len(), 0);
            self.present.resize(slots.len(), false);
        }
        let filled = |c: &Option<&Cell>| c.is_some_and(|c| !c.is_empty());
        let Some(last) = slots.iter().rposition(filled) else {
            return;
        };
        for (j, cell) in slots.iter().enumerate() {
            let Some(cell) = cell.filter(|c| !c.is_empty()) else {
                continue;
            };
            self.present[j] = true;
            if j < last {
                if let Some(w) = measure(cell) {
                    self.width[j] = self.width[j].max(w);
                }
            }
        }
    }

    /// Where each column starts: `first` blanks after the first column present (the name),
    /// two after the others; absent columns take no room.
    fn columns(&self, first: usize) -> Columns {
        let n = self.width.len();
        let mut pos = vec![0; n];
        let mut gap = vec![2; n];
        let mut at = 0;
        let mut seen = 0;
        for j in 0..n {
            pos[j] = at;
            gap[j] = if seen == 1 { first } else { 2 };
            if self.present[j] {
                seen += 1;
                at += self.width[j] + if seen == 1 { first } else { 2 };
            }
        }
        Columns { pos, gap }
    }
}

/// Where the columns of a group start, from the start of the row, and the least gap before
/// each.
#[derive(Debug, Default)]
struct Columns {
    pos: Vec<usize>,
    gap: Vec<usize>,
}
