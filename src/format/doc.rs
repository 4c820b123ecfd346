//! The formatter's document: what `syntax::layout` builds from the parse and [`super::render`]
//! prints.
//!
//! A document holds every token of the source in source order, each with the comments and blank
//! lines that came before it, arranged in the shapes the layout cares about: tables of rows and
//! cells (aligned), blocks (`{ … }`), hangs (where a broken line continues) and break points
//! (where the author's line break is kept). It never holds text of its own: a token is a span of
//! the source, so printing cannot change a token.

use crate::source::Span;

/// A whole ruleset: the header and the declarations, one row each, then what follows the last
/// token (comments at the end of the file).
#[derive(Debug)]
pub struct Document {
    pub items: Table,
    pub end: Token,
}

/// A comment, `#` to the end of its line, as written (without trailing blanks).
#[derive(Debug, Clone)]
pub struct Comment {
    pub text: String,
    /// It stood on a line of its own; otherwise it ended a line of code (a trailing comment).
    pub own_line: bool,
    /// A blank line came between it and what was before.
    pub blank_before: bool,
}

/// One token of the source, printed as written, with the comments met since the token before.
#[derive(Debug, Clone)]
pub struct Token {
    pub span: Span,
    pub comments: Vec<Comment>,
    /// A blank line came between the token (or its last comment) and what was before.
    pub blank_before: bool,
}

/// A piece of a line.
#[derive(Debug)]
pub enum Doc {
    Token(Token),
    /// One blank.
    Space,
    /// A break point: a new line if the author broke the line here (`kept`), else one blank.
    Break {
        kept: bool,
        to: BreakTo,
    },
    Hang(Hang),
    Block(Block),
}

/// Where the line after a kept break starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakTo {
    /// At the column of the innermost [`Hang`] (under the first operand or list entry).
    Hang,
    /// At the indentation of the row (`description` under `ruleset`).
    Row,
}

/// A run whose continuation lines start at the column where the run starts: an `and`/`or`
/// chain, an `if … else …`, a list after `given`, the variants of an `enum`.
#[derive(Debug)]
pub struct Hang {
    pub docs: Vec<Doc>,
    /// A condition: joined onto one line when its one-line form is at most
    /// [`super::FOLD_WIDTH`] columns wide. A list (`fold` false) keeps the author's breaks.
    pub fold: bool,
    /// The width of the one-line form; `None` when it cannot be one line (a comment or a block
    /// inside).
    pub flat: Option<usize>,
}

/// `{ … }` with rows inside.
#[derive(Debug)]
pub struct Block {
    pub open: Token,
    pub rows: Table,
    pub close: Token,
    /// On one line (`{ A 65%  B 85%  C rest }`), rows apart by two blanks; otherwise one row
    /// a line, two spaces in.
    pub inline: bool,
}

/// Rows whose cells line up in columns.
#[derive(Debug, Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

/// A row of a table: a declaration, a field, an arm, a matrix row.
#[derive(Debug)]
pub struct Row {
    /// Rows align with the other rows of their group only (all the rows of a block are one
    /// group; at the top level, a run of `let`s, `tag`s or `relative`s).
    pub group: usize,
    /// The row's lines: the first, then continuation lines (attributes the author put on a
    /// line of their own), which start at the column of cell `cont` of the first.
    pub lines: Vec<Vec<Cell>>,
    pub cont: usize,
    /// Attributes (`color`, `action`, `owner`): the kinds of the last `keys.len()` cells of
    /// the first line, so that the same kind lines up in the same column.
    pub keys: Vec<u8>,
}

/// One cell: a run of docs, empty when the row has nothing in that column.
pub type Cell = Vec<Doc>;

impl Row {
    /// A row of one line.
    pub fn new(group: usize, cells: Vec<Cell>) -> Self {
        Row {
            group,
            lines: vec![cells],
            cont: 0,
            keys: Vec::new(),
        }
    }

    /// The first token of the row: where its leading comments and blank line are.
    pub fn first_token(&self) -> Option<&Token> {
        self.lines.iter().flatten().find_map(|c| first_token(c))
    }
}

/// The first token of a run of docs.
pub fn first_token(docs: &[Doc]) -> Option<&Token> {
    docs.iter().find_map(|d| match d {
        Doc::Token(t) => Some(t),
        Doc::Hang(h) => first_token(&h.docs),
        Doc::Block(b) => Some(&b.open),
        _ => None,
    })
}

/// Whether a run of docs holds a block (which ends on a line of its own, so nothing can line up
/// after it).
pub fn has_block(docs: &[Doc]) -> bool {
    docs.iter().any(|d| match d {
        Doc::Block(_) => true,
        Doc::Hang(h) => has_block(&h.docs),
        _ => false,
    })
}

/// Whether a run of docs holds a block of one row a line (so it takes more than one line).
pub fn has_lines_block(docs: &[Doc]) -> bool {
    docs.iter().any(|d| match d {
        Doc::Block(b) => {
            !b.inline
                || b.rows
                    .rows
                    .iter()
                    .any(|r| r.lines.iter().flatten().any(|c| has_lines_block(c)))
        }
        Doc::Hang(h) => has_lines_block(&h.docs),
        _ => false,
    })
}
