//! Lowering of pest pairs into the formatter's document (`crate::format::doc`): what is a row,
//! a cell, a block, a hang and a break point, construct by construct.
//!
//! Tokens are taken strictly in source order, and the blanks and comments between two tokens
//! travel with the second, so every comment reaches the printer. Anything between two tokens
//! that is neither a blank nor a comment means the walk missed a token: the layout is then
//! refused (`None`) rather than printed without it.

use super::{Pair, Rule, TierParser};
use crate::format::display_width;
use crate::format::doc::{
    has_lines_block, Block, BreakTo, Cell, Comment, Doc, Document, Hang, Row, Table, Token,
};
use crate::source::Span;
use pest::Parser as _;

/// The layout document of a ruleset; `None` if the text does not parse as one, or if the walk
/// missed a token (a bug, reported by the caller).
pub(crate) fn layout(text: &str) -> Option<Document> {
    let file = TierParser::parse(Rule::file, text).ok()?.next()?;
    let mut l = Layout {
        text,
        cursor: 0,
        started: false,
        lost: false,
        groups: 0,
    };
    let doc = l.file(file);
    (!l.lost).then_some(doc)
}

pub(super) struct Layout<'t> {
    text: &'t str,
    /// The end of the last token taken.
    cursor: usize,
    /// A token has been taken (comments before the first are on lines of their own).
    started: bool,
    /// Something between two tokens was not a blank or a comment.
    pub(super) lost: bool,
    /// The last group number given out (rows of a group align with each other).
    groups: usize,
}

/// Blanks between tokens, as the grammar's `WHITESPACE`.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}' | '\u{FEFF}')
}

/// Pairs printed as one token: atomic rules and rules without inner pairs.
fn is_leaf(p: &Pair<'_>) -> bool {
    matches!(
        p.as_rule(),
        Rule::number_lit
            | Rule::duration_lit
            | Rule::date_lit
            | Rule::string
            | Rule::range_bound
            | Rule::path
            | Rule::neg_cell
            | Rule::call_name
            | Rule::agg_of_field
            | Rule::agg_of_events
    ) || p.clone().into_inner().next().is_none()
}

/// Goes down through pairs that only wrap one other (precedence levels, `literal`, `name`).
pub(super) fn descend(p: Pair<'_>) -> Pair<'_> {
    let mut p = p;
    while !is_leaf(&p) {
        let mut inner = p.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => p = only,
            _ => break,
        }
    }
    p
}

/// No blank between two neighbours: `money(万)`, `0..100`, `percent?`, `days_since(d)`, `-x`,
/// `(x)`, `三级:`.
pub(super) fn tight(prev: Rule, next: Rule) -> bool {
    matches!(
        next,
        Rule::range_dots
            | Rule::optional_mark
            | Rule::close_paren
            | Rule::colon
            | Rule::interval_close
    ) || matches!(
        prev,
        Rule::range_dots | Rule::open_paren | Rule::interval_open | Rule::neg_op
    ) || (next == Rule::open_paren
        && matches!(
            prev,
            Rule::call_name
                | Rule::agg_of_field
                | Rule::agg_of_events
                | Rule::kw_money
                | Rule::kw_percent
                | Rule::kw_quantity
                | Rule::kw_grade
        ))
}

/// The kind of an attribute, for lining up the same kinds (`color`, `action`, `owner`).
fn attr_key(p: &Pair<'_>) -> u8 {
    match p.clone().into_inner().next().map(|k| k.as_rule()) {
        Some(Rule::kw_color) => 0,
        Some(Rule::kw_action) => 1,
        _ => 2,
    }
}

impl Layout<'_> {
    // -----------------------------------------------------------------------------------------
    // Tokens and what lies between them
    // -----------------------------------------------------------------------------------------

    /// The token `start..end`, with the comments and blank lines since the last token.
    pub(super) fn token(&mut self, start: usize, end: usize) -> Token {
        let (comments, blank_before) = self.trivia(start);
        self.cursor = end;
        self.started = true;
        Token {
            span: Span::new(start, end),
            comments,
            blank_before,
        }
    }

    pub(super) fn tok(&mut self, p: &Pair<'_>) -> Doc {
        let span = p.as_span();
        Doc::Token(self.token(span.start(), span.end()))
    }

    /// The comments between the last token and `to`, and whether a blank line ends the gap.
    fn trivia(&mut self, to: usize) -> (Vec<Comment>, bool) {
        let Some(gap) = self.text.get(self.cursor..to) else {
            self.lost = true;
            return (Vec::new(), false);
        };
        let mut comments = Vec::new();
        let mut newlines = 0;
        // The start of the file counts as a line break: a comment there is on its own line.
        let mut broken = !self.started;
        let mut i = 0;
        while let Some(c) = gap[i..].chars().next() {
            if c == '#' {
                let end = gap[i..].find('\n').map_or(gap.len(), |k| i + k);
                comments.push(Comment {
                    text: gap[i..end].trim_end().to_string(),
                    own_line: broken,
                    blank_before: newlines >= 2,
                });
                newlines = 0;
                i = end;
                continue;
            }
            if c == '\n' {
                newlines += 1;
                broken = true;
            } else if !is_blank(c) {
                self.lost = true;
            }
            i += c.len_utf8();
        }
        (comments, newlines >= 2)
    }

    /// Where the next token starts, from `from` on (past blanks and comments).
    fn next_token_at(&self, from: usize) -> usize {
        let text = self.text;
        let mut i = from;
        while let Some(c) = text.get(i..).and_then(|t| t.chars().next()) {
            if c == '#' {
                i = text[i..].find('\n').map_or(text.len(), |k| i + k);
            } else if is_blank(c) {
                i += c.len_utf8();
            } else {
                break;
            }
        }
        i
    }

    pub(super) fn next_is(&self, punct: char) -> bool {
        let at = self.next_token_at(self.cursor);
        self.text[at..].starts_with(punct)
    }

    /// A punctuation the grammar writes as a bare string (the commas), found after the last
    /// token.
    pub(super) fn punct(&mut self, punct: char) -> Doc {
        let at = self.next_token_at(self.cursor);
        if self.text[at..].starts_with(punct) {
            Doc::Token(self.token(at, at + punct.len_utf8()))
        } else {
            self.lost = true;
            Doc::Space
        }
    }

    /// Whether the author broke the line between the last token and `start`, or right after the
    /// token `start..end` (a line that ends in `and` breaks before `and`).
    pub(super) fn broken_around(&self, start: usize, end: usize) -> bool {
        let before = self.text.get(self.cursor..start).unwrap_or("");
        let after = self.text.get(end..self.next_token_at(end)).unwrap_or("");
        before.contains('\n') || after.contains('\n')
    }

    pub(super) fn broken_before(&self, start: usize) -> bool {
        self.text
            .get(self.cursor..start)
            .is_some_and(|gap| gap.contains('\n'))
    }

    fn new_group(&mut self) -> usize {
        self.groups += 1;
        self.groups
    }

    /// A hang over `docs`, with its one-line width.
    pub(super) fn hang(&self, docs: Vec<Doc>, fold: bool) -> Doc {
        let flat = self.flat(&docs);
        Doc::Hang(Hang { docs, fold, flat })
    }

    /// The one-line width of docs, tokens only; `None` if a block is inside. Comments do not
    /// count: where they go depends on the lines, and the lines on this width.
    fn flat(&self, docs: &[Doc]) -> Option<usize> {
        let mut width = 0;
        for d in docs {
            width += match d {
                Doc::Token(t) => {
                    display_width(self.text.get(t.span.start..t.span.end).unwrap_or(""))
                }
                Doc::Space | Doc::Break { .. } => 1,
                Doc::Hang(h) => h.flat?,
                Doc::Block(_) => return None,
            };
        }
        Some(width)
    }

    // -----------------------------------------------------------------------------------------
    // The file and its declarations
    // -----------------------------------------------------------------------------------------

    fn file(&mut self, file: Pair<'_>) -> Document {
        let mut rows: Vec<Row> = Vec::new();
        let mut run: Option<Rule> = None;
        for p in file.into_inner() {
            let rule = p.as_rule();
            if rule == Rule::EOI {
                continue;
            }
            let mut row = self.item(p);
            // Consecutive one-line `let`s, `tag`s, `relative`s or `scale`s line up, up to a
            // blank line or a declaration with a block of several lines.
            let tall = row.lines.iter().flatten().any(|c| has_lines_block(c));
            let aligned = !tall
                && matches!(
                    rule,
                    Rule::let_decl | Rule::tag_decl | Rule::relative_decl | Rule::scale_decl
                );
            let blank = row
                .first_token()
                .is_some_and(|t| t.blank_before || t.comments.iter().any(|c| c.blank_before));
            row.group = if aligned && run == Some(rule) && !blank {
                self.groups
            } else {
                self.new_group()
            };
            run = aligned.then_some(rule);
            rows.push(row);
        }
        let end = self.token(self.text.len(), self.text.len());
        Document {
            items: Table { rows },
            end,
        }
    }

    fn item(&mut self, p: Pair<'_>) -> Row {
        match p.as_rule() {
            Rule::header => Row::new(0, vec![self.header(p)]),
            Rule::let_decl | Rule::tag_decl | Rule::scale_decl => self.named(p),
            Rule::relative_decl => self.relative(p),
            _ => Row::new(0, vec![self.node(p)]),
        }
    }

    /// `ruleset "…" [version "…"] [description "…"]`: `version` and `description` stay on the
    /// line the author put them on.
    fn header(&mut self, p: Pair<'_>) -> Cell {
        let mut out = Vec::new();
        for c in p.into_inner() {
            if matches!(c.as_rule(), Rule::kw_version | Rule::kw_description) {
                let span = c.as_span();
                let kept = self.broken_before(span.start());
                out.push(Doc::Break {
                    kept,
                    to: BreakTo::Row,
                });
            } else if !out.is_empty() {
                out.push(Doc::Space);
            }
            out.extend(self.node(c));
        }
        out
    }

    /// `let NAME = EXPR`, `tag NAME when COND [ATTRS]`, `scale NAME { … }`: the keyword and
    /// name, then the rest.
    fn named(&mut self, p: Pair<'_>) -> Row {
        let mut kids = p.into_inner();
        let mut head = Vec::new();
        for c in kids.by_ref().take(2) {
            if !head.is_empty() {
                head.push(Doc::Space);
            }
            head.extend(self.node(c));
        }
        let mut rest = Vec::new();
        let mut attrs = Vec::new();
        for c in kids {
            if c.as_rule() == Rule::attr {
                attrs.push(c);
                continue;
            }
            if !rest.is_empty() {
                rest.push(Doc::Space);
            }
            rest.extend(self.node(c));
        }
        let mut row = Row::new(0, vec![head, rest]);
        self.attrs(&mut row, attrs);
        row
    }

    /// `relative NAME = METHOD INPUT [REST] [OPTIONS]`: name, method and input, the rest of the
    /// method, each option: in columns, so consecutive `relative`s line up.
    fn relative(&mut self, p: Pair<'_>) -> Row {
        let mut cells: Vec<Cell> = Vec::new();
        let mut head = Vec::new();
        let mut method = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_relative | Rule::ident => {
                    if !head.is_empty() {
                        head.push(Doc::Space);
                    }
                    head.extend(self.node(c));
                }
                Rule::equals => method.extend([self.tok(&c), Doc::Space]),
                Rule::rel_method => {
                    let m = descend(c);
                    let split = m.as_rule() == Rule::rel_split;
                    let mut kids: Vec<Pair<'_>> = m.into_inner().collect();
                    let rest = kids.split_off(kids.len().min(2));
                    for k in kids {
                        if !matches!(method.last(), Some(Doc::Space) | None) {
                            method.push(Doc::Space);
                        }
                        method.extend(self.node(k));
                    }
                    cells.push(std::mem::take(&mut head));
                    // The cuts `{ A 65%  C rest }` follow the input; `into 5 …` is a column.
                    if rest.first().map(|r| r.as_rule()) == Some(Rule::open_brace) {
                        method.push(Doc::Space);
                        method.extend(self.braced(rest, Some(true), split));
                        cells.push(std::mem::take(&mut method));
                    } else {
                        cells.push(std::mem::take(&mut method));
                        cells.push(self.spaced(rest));
                    }
                }
                _ => cells.push(self.node(c)),
            }
        }
        Row::new(0, cells)
    }

    /// Attributes after an arm or a tag: on the first line, one column per kind; where the
    /// author started a new line before one, a continuation line under the arm's test.
    fn attrs(&mut self, row: &mut Row, attrs: Vec<Pair<'_>>) {
        row.cont = 1;
        for a in attrs {
            let kept = self.broken_before(a.as_span().start());
            let key = attr_key(&a);
            let cell = self.node(a);
            if kept {
                row.lines.push(vec![cell]);
            } else if row.lines.len() > 1 {
                if let Some(line) = row.lines.last_mut() {
                    line.push(cell);
                }
            } else {
                row.lines[0].push(cell);
                row.keys.push(key);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Any pair
    // -----------------------------------------------------------------------------------------

    pub(super) fn node(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let p = descend(p);
        match p.as_rule() {
            _ if is_leaf(&p) => vec![self.tok(&p)],
            Rule::if_expr => vec![self.if_chain(p)],
            Rule::or_expr | Rule::and_expr => vec![self.chain(p)],
            Rule::not_expr | Rule::unary => self.prefixed(p),
            Rule::cmp_expr => self.comparison(p),
            Rule::call => self.call(p),
            Rule::at_least => self.at_least(p),
            Rule::interval => self.interval(p),
            Rule::matrix => self.matrix(p),
            Rule::ty_enum => self.enumeration(p),
            Rule::bands | Rule::match_expr => self.braced(p.into_inner().collect(), None, false),
            Rule::input_block
            | Rule::events_decl
            | Rule::scorecard
            | Rule::grade_decl
            | Rule::adjust_decl
            | Rule::schedule_decl
            | Rule::test_decl => self.braced(p.into_inner().collect(), Some(false), false),
            Rule::output_decl => self.braced(p.into_inner().collect(), Some(true), false),
            Rule::columns | Rule::test_given | Rule::test_expect => self.keyword_list(p),
            Rule::given_events => vec![self.comma_list(p.into_inner().collect(), false)],
            Rule::given_event => {
                let mut out = Vec::new();
                let mut cells = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::open_brace => out.push(self.tok(&c)),
                        Rule::close_brace => {
                            out.push(self.comma_list(std::mem::take(&mut cells), true));
                            out.push(self.tok(&c));
                        }
                        _ => cells.push(c),
                    }
                }
                out
            }
            // `on 06-30, 12-31`, `every wednesday, friday`
            Rule::cadence
                if p.clone()
                    .into_inner()
                    .any(|c| matches!(c.as_rule(), Rule::weekday | Rule::calendar_day)) =>
            {
                self.keyword_list(p)
            }
            Rule::tag_list | Rule::match_keys => {
                vec![self.comma_list(p.into_inner().collect(), false)]
            }
            _ => self.spaced(p.into_inner().collect()),
        }
    }

    /// Pairs one after the other, a blank between two unless they are [`tight`].
    pub(super) fn spaced(&mut self, kids: Vec<Pair<'_>>) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut prev: Option<Rule> = None;
        for c in kids {
            let rule = c.as_rule();
            if prev.is_some_and(|p| !tight(p, rule)) {
                out.push(Doc::Space);
            }
            prev = Some(rule);
            out.extend(self.node(c));
        }
        out
    }

    /// Items apart by commas (bare strings in the grammar); the author's line break after a
    /// comma is kept, the next line starting under the first item.
    pub(super) fn comma_list(&mut self, items: Vec<Pair<'_>>, trailing: bool) -> Doc {
        let mut docs = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                let kept = self.broken_before(item.as_span().start());
                docs.push(self.punct(','));
                docs.push(Doc::Break {
                    kept,
                    to: BreakTo::Hang,
                });
            }
            docs.extend(self.node(item));
        }
        if trailing && self.next_is(',') {
            docs.push(self.punct(','));
        }
        self.hang(docs, false)
    }

    /// `column "a", "b"`, `given a = 1, b = 2`, `expect …`: the keyword, then the list.
    fn keyword_list(&mut self, p: Pair<'_>) -> Vec<Doc> {
        let mut kids = p.into_inner();
        let mut out = Vec::new();
        if let Some(k) = kids.next() {
            out.extend([self.tok(&k), Doc::Space]);
        }
        out.push(self.comma_list(kids.collect(), false));
        out
    }

    /// `{ … }` in a declaration or an expression: what comes before the brace, then a block of
    /// one row per inner pair (a rule's two words per row for `mean X { 高 above 低 otherwise }`).
    /// `inline`: on one line, one row a line, or (`None`) as the author wrote it.
    fn braced(&mut self, kids: Vec<Pair<'_>>, inline: Option<bool>, pairs: bool) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut kids = kids.into_iter();
        let mut prev: Option<Rule> = None;
        while let Some(c) = kids.next() {
            if c.as_rule() != Rule::open_brace {
                if prev.is_some_and(|p| !tight(p, c.as_rule())) {
                    out.push(Doc::Space);
                }
                prev = Some(c.as_rule());
                out.extend(self.node(c));
                continue;
            }
            let open = self.token(c.as_span().start(), c.as_span().end());
            let mut rows = Vec::new();
            let mut close = None;
            let mut word: Option<Cell> = None;
            for k in kids.by_ref() {
                if k.as_rule() == Rule::close_brace {
                    close = Some(self.token(k.as_span().start(), k.as_span().end()));
                    break;
                }
                if pairs {
                    match word.take() {
                        None => word = Some(self.node(k)),
                        Some(mut w) => {
                            w.push(Doc::Space);
                            w.extend(self.node(k));
                            rows.push(Row::new(0, vec![w]));
                        }
                    }
                } else {
                    rows.push(self.row(k));
                }
            }
            if let Some(w) = word.take() {
                rows.push(Row::new(0, vec![w]));
            }
            let Some(close) = close else {
                self.lost = true;
                return out;
            };
            let inline = inline.unwrap_or_else(|| {
                let inside = self.text.get(open.span.end..close.span.start).unwrap_or("");
                !inside.contains('\n')
            });
            if !out.is_empty() {
                out.push(Doc::Space);
            }
            out.push(Doc::Block(Block {
                open,
                rows: Table { rows },
                close,
                inline,
            }));
            prev = Some(Rule::close_brace);
        }
        out
    }

    /// One row of a block.
    fn row(&mut self, p: Pair<'_>) -> Row {
        match p.as_rule() {
            Rule::field => self.field(p),
            Rule::component => self.component(p),
            Rule::threshold_arm | Rule::rule_arm => self.arm(p),
            Rule::adjust_arm => self.split_at(p, Rule::kw_when),
            Rule::band_arm | Rule::match_arm => self.split_at(p, Rule::arrow),
            Rule::schedule_arm => {
                // The key (`A`, `A when …`, `tag 重点`, `when …`), the cadence, `reassign …`.
                let mut key = Vec::new();
                let mut cadence = None;
                let mut rest = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::cadence if cadence.is_none() => cadence = Some(c),
                        _ if cadence.is_none() => key.push(c),
                        _ => rest.push(c),
                    }
                }
                let key = self.spaced(key);
                let cadence = cadence.map(|c| self.node(c)).unwrap_or_default();
                let reassign = self.spaced(rest);
                Row::new(0, vec![key, cadence, reassign])
            }
            _ => Row::new(0, vec![self.node(p)]),
        }
    }

    /// A row of two cells, the second starting at the first pair of rule `at` (`when …`,
    /// `-> …`).
    fn split_at(&mut self, p: Pair<'_>, at: Rule) -> Row {
        let mut kids: Vec<Pair<'_>> = p.into_inner().collect();
        let cut = kids
            .iter()
            .position(|k| k.as_rule() == at)
            .unwrap_or(kids.len());
        let rest = kids.split_off(cut);
        let head = self.spaced(kids);
        let tail = self.spaced(rest);
        Row::new(0, vec![head, tail])
    }

    /// `NAME TYPE[?] [RANGE] [column …] [default …]`: name, type, columns, default.
    fn field(&mut self, p: Pair<'_>) -> Row {
        let mut cells: Vec<Cell> = (0..4).map(|_| Vec::new()).collect();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => cells[0] = self.node(c),
                Rule::type_expr | Rule::optional_mark => {
                    let docs = self.node(c);
                    cells[1].extend(docs);
                }
                Rule::range => {
                    cells[1].push(Doc::Space);
                    let docs = self.node(c);
                    cells[1].extend(docs);
                }
                Rule::columns => cells[2] = self.node(c),
                _ => cells[3] = self.node(c),
            }
        }
        Row::new(0, cells)
    }

    /// `NAME [WEIGHT] EXPR [, missing -> POINTS]`: name, weight, expression, `missing`.
    fn component(&mut self, p: Pair<'_>) -> Row {
        let mut cells: Vec<Cell> = (0..4).map(|_| Vec::new()).collect();
        let mut missing = Vec::new();
        for (i, c) in p.into_inner().enumerate() {
            match c.as_rule() {
                _ if i == 0 => cells[0] = self.node(c),
                Rule::weight => cells[1] = self.node(c),
                Rule::kw_missing => {
                    cells[2].push(self.punct(','));
                    missing.push(c);
                }
                _ if !missing.is_empty() => missing.push(c),
                _ => cells[2] = self.node(c),
            }
        }
        cells[3] = self.spaced(missing);
        Row::new(0, cells)
    }

    /// `LABEL TEST [ATTRS]`: label, test (`>= 80`, `when …`, `otherwise`), attributes.
    fn arm(&mut self, p: Pair<'_>) -> Row {
        let mut kids = p.into_inner();
        let label = kids.next().map(|c| self.node(c)).unwrap_or_default();
        let mut test: Vec<Pair<'_>> = Vec::new();
        let mut attrs = Vec::new();
        for c in kids {
            if c.as_rule() == Rule::attr {
                attrs.push(c);
            } else {
                test.push(c);
            }
        }
        let test = self.spaced(test);
        let mut row = Row::new(0, vec![label, test]);
        self.attrs(&mut row, attrs);
        row
    }
}
