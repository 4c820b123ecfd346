//! Completion: declared names, keywords, labels, functions and duration units, chosen by what
//! precedes the cursor on its line.

use super::Analysis;
use crate::syntax::{DECLARATION_KEYWORDS, KEYWORDS};

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A declared value; the detail says which kind (`input`, `let`, ...).
    Name,
    Keyword,
    Label,
    Function,
    Unit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: String,
}

/// Duration units, as the grammar spells them (`7 days`, `7天`, `48h`).
const DURATION_UNITS: &[&str] = &[
    "h",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
    "workdays",
    "小时",
    "天",
    "周",
    "个月",
    "年",
    "工作日",
];

impl Analysis {
    /// What may be typed at `offset`.
    pub fn completions(&self, offset: usize) -> Vec<Completion> {
        let text = self.text();
        let offset = offset.min(text.len());
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..offset];
        // The word being typed, and what precedes it.
        let word_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(before.len(), |(i, _)| i);
        let head = before[..word_start].trim_end();
        let mut out = Vec::new();

        // `7 `, `7d`: a duration unit.
        let word = &before[word_start..];
        let last_token = head.rsplit(char::is_whitespace).next().unwrap_or("");
        let after_number = !last_token.is_empty() && last_token.chars().all(|c| c.is_ascii_digit());
        if word.starts_with(|c: char| c.is_ascii_digit()) || (word.is_empty() && after_number) {
            return units();
        }

        // `NAME = ` or `NAME == `: the labels of NAME's scale.
        if let Some(name) = compared_name(head) {
            if let Some((scale, labels)) = self.resolution.scale_of(name) {
                return labels
                    .iter()
                    .map(|l| Completion {
                        label: l.clone(),
                        kind: CompletionKind::Label,
                        detail: format!("label of {scale}"),
                    })
                    .collect();
            }
        }

        // After `given`/`expect` (or a comma in a test line): only names.
        let last_word = head
            .rsplit(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or("");
        let names_only = matches!(last_word, "given" | "expect")
            || (head.ends_with(',') && line_is_test(before));
        out.extend(self.name_completions());
        if names_only {
            return out;
        }
        let at_line_start = head.is_empty();
        // Inside a block: an input field's type after its name; a test's own words.
        let indented = before.starts_with([' ', '\t']);
        let only = match enclosing_declaration(&text[..line_start]) {
            Some("input" | "events") if indented && is_one_word(head.trim_start()) => TYPE_WORDS,
            Some("test") if indented && at_line_start => TEST_WORDS,
            _ => &[],
        };
        if !only.is_empty() {
            return only.iter().map(|k| keyword(k)).collect();
        }
        let keywords: Vec<&str> = if at_line_start {
            DECLARATION_KEYWORDS
                .iter()
                .chain(KEYWORDS.iter())
                .copied()
                .collect()
        } else {
            KEYWORDS.to_vec()
        };
        let mut seen = std::collections::HashSet::new();
        for k in keywords {
            if seen.insert(k) {
                out.push(keyword(k));
            }
        }
        if !at_line_start {
            out.extend(crate::check::function_names().map(|f| Completion {
                label: f.to_string(),
                kind: CompletionKind::Function,
                detail: "function".into(),
            }));
            let mut labels: Vec<&str> = self.resolution.labels().collect();
            labels.sort();
            labels.dedup();
            out.extend(labels.into_iter().map(|l| Completion {
                label: l.to_string(),
                kind: CompletionKind::Label,
                detail: "label".into(),
            }));
        }
        out
    }

    fn name_completions(&self) -> Vec<Completion> {
        self.resolution
            .declarations()
            .iter()
            .map(|d| Completion {
                label: d.name.clone(),
                kind: CompletionKind::Name,
                detail: match self.resolution.type_of(&d.name) {
                    Some(ty) => format!("{}: {ty}", d.kind),
                    None => d.kind.to_string(),
                },
            })
            .collect()
    }
}

fn units() -> Vec<Completion> {
    DURATION_UNITS
        .iter()
        .map(|u| Completion {
            label: u.to_string(),
            kind: CompletionKind::Unit,
            detail: "duration unit".into(),
        })
        .collect()
}

/// The words that name an input's type.
const TYPE_WORDS: &[&str] = &[
    "number", "integer", "count", "percent", "fraction", "money", "quantity", "date", "text",
    "bool", "boolean", "enum",
];

/// The words that start a line of a `test` block.
const TEST_WORDS: &[&str] = &["given", "expect", "as_of"];

fn keyword(k: &str) -> Completion {
    Completion {
        label: k.to_string(),
        kind: CompletionKind::Keyword,
        detail: "keyword".into(),
    }
}

/// The declaration keyword of the last line before `text`'s end that starts (unindented) with
/// one: the block the next line is in, when it is indented.
fn enclosing_declaration(text: &str) -> Option<&'static str> {
    text.lines().rev().find_map(|line| {
        let word = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()?;
        DECLARATION_KEYWORDS.iter().copied().find(|k| *k == word)
    })
}

fn is_one_word(head: &str) -> bool {
    !head.is_empty() && head.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The name before a trailing `=`, `==` or `!=`: `expect 等级 =` → `等级`.
fn compared_name(head: &str) -> Option<&str> {
    let rest = head
        .strip_suffix("==")
        .or_else(|| head.strip_suffix("!="))
        .or_else(|| head.strip_suffix('='))?
        .trim_end();
    let name = rest
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    (!name.is_empty()).then_some(name)
}

/// A continuation line of `given`/`expect` lists: the line holds `=` pairs separated by commas.
fn line_is_test(before: &str) -> bool {
    let t = before.trim_start();
    t.starts_with("given") || t.starts_with("expect") || t.contains('=')
}
