//! Semantic tokens: what each word of the text is, for highlighting. Names take their kind from
//! the checker's resolution (an input, a let, a grade, ...), labels from the labels it resolved;
//! keywords, numbers, strings and comments are read off the text.

use super::Analysis;
use crate::ast::{GradeBody, Item};
use crate::check::Target;
use crate::source::Span;
use crate::syntax::KEYWORDS;
use std::collections::HashMap;

/// What a highlighted token is. The order is the legend's (`TokenKind::ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Keyword,
    Comment,
    String,
    Number,
    /// A label of a scale, grade, enum or relative.
    Label,
    Input,
    Let,
    /// A grade, adjusted grade or relative grade.
    Grade,
    Scorecard,
    Component,
    Function,
}

impl TokenKind {
    pub const ALL: [TokenKind; 11] = [
        TokenKind::Keyword,
        TokenKind::Comment,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Label,
        TokenKind::Input,
        TokenKind::Let,
        TokenKind::Grade,
        TokenKind::Scorecard,
        TokenKind::Component,
        TokenKind::Function,
    ];
}

/// A highlighted token: where, what, and whether it is the name's declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    pub declaration: bool,
}

impl Analysis {
    /// The tokens of the text, in order; none spans two lines.
    pub fn tokens(&self) -> Vec<Token> {
        let kind_of_decl: HashMap<&str, TokenKind> = self
            .resolution
            .declarations()
            .iter()
            .map(|d| {
                let kind = match d.kind {
                    "input" => TokenKind::Input,
                    "let" => TokenKind::Let,
                    "scorecard" => TokenKind::Scorecard,
                    _ => TokenKind::Grade,
                };
                (d.name.as_str(), kind)
            })
            .collect();
        let mut names: HashMap<Span, (TokenKind, bool)> = HashMap::new();
        if self.ruleset.is_some() {
            for (span, target) in self.resolution.references() {
                let kind = match target {
                    Target::Name(n) => kind_of_decl.get(n.as_str()).copied(),
                    Target::Component(..) => Some(TokenKind::Component),
                };
                if let Some(k) = kind {
                    names.insert(span, (k, false));
                }
            }
            for d in self.resolution.declarations() {
                if let Some(&k) = kind_of_decl.get(d.name.as_str()) {
                    names.insert(d.span, (k, true));
                }
            }
            for sym in self.symbols() {
                for c in sym.children {
                    names.insert(c.name_span, (TokenKind::Component, true));
                }
            }
        }
        // Labels: those the checker resolved, and those grades and scales declare.
        let mut labels: std::collections::HashSet<Span> =
            self.resolution.label_rank.keys().copied().collect();
        for item in self.ruleset.iter().flat_map(|r| &r.items) {
            match item {
                Item::Grade(g) => match &g.body {
                    GradeBody::Thresholds { arms, .. } => {
                        labels.extend(arms.iter().map(|a| a.label.span))
                    }
                    GradeBody::Rules { arms } => labels.extend(arms.iter().map(|a| a.label.span)),
                },
                Item::Scale(s) => labels.extend(s.labels.iter().map(|l| l.span)),
                _ => {}
            }
        }
        let text = self.text();
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let mut end_while = |stop: &dyn Fn(char) -> bool| {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if stop(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                end
            };
            let (end, kind, declaration) = if c == '#' {
                (
                    end_while(&|d| d == '\n' || d == '\r'),
                    TokenKind::Comment,
                    false,
                )
            } else if c == '"' {
                let mut end = i + 1;
                let mut escaped = false;
                while let Some(&(j, d)) = chars.peek() {
                    if d == '\n' {
                        break;
                    }
                    chars.next();
                    end = j + d.len_utf8();
                    if d == '"' && !escaped {
                        break;
                    }
                    escaped = d == '\\' && !escaped;
                }
                (end, TokenKind::String, false)
            } else if c.is_ascii_digit() {
                let end =
                    end_while(&|d| !(d.is_alphanumeric() || d == '.' || d == '%' || d == '-'));
                (end, TokenKind::Number, false)
            } else if c.is_alphabetic() || c == '_' {
                let end = end_while(&|d| !(d.is_alphanumeric() || d == '_'));
                let span = Span::new(i, end);
                let word = &text[i..end];
                if let Some(&(k, decl)) = names.get(&span) {
                    (end, k, decl)
                } else if labels.contains(&span) {
                    (end, TokenKind::Label, false)
                } else if KEYWORDS.contains(&word) {
                    (end, TokenKind::Keyword, false)
                } else if crate::check::function_names().any(|f| f == word)
                    && text[end..].trim_start().starts_with('(')
                {
                    (end, TokenKind::Function, false)
                } else {
                    continue;
                }
            } else {
                continue;
            };
            // A number's trailing `-` belongs to the expression (`3-1`), not the literal.
            let end = if kind == TokenKind::Number && bytes[end - 1] == b'-' {
                end - 1
            } else {
                end
            };
            out.push(Token {
                span: Span::new(i, end),
                kind,
                declaration,
            });
        }
        out
    }
}
