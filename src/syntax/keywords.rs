//! The language's words, in one place: the parser's error messages and recovery, the formatter
//! and the REPL's completion read these lists, and a test checks them against the grammar (the
//! grammar is the source of truth; a word added there fails the test until it is listed here).

/// The keywords that start a top-level declaration. One list for the parser's error recovery
/// and hints, the formatter and the REPL.
pub const DECLARATION_KEYWORDS: &[&str] = &[
    "input",
    "events",
    "scale",
    "let",
    "scorecard",
    "grade",
    "adjust",
    "tag",
    "relative",
    "follow_up",
    "review",
    "override",
    "output",
    "test",
];

/// Words that can never be names: the grammar's `reserved` rule.
pub const RESERVED: &[&str] = &[
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "is",
    "missing",
    "otherwise",
    "when",
    "linear",
    "bands",
    "match",
    "matrix",
    "at_least",
    "of",
    "as_of",
    "yes",
    "no",
    "true",
    "false",
    "是",
    "否",
    "from",
    "to",
    "points",
    "by",
    "per",
    "into",
];

/// Every word the grammar spells as a keyword (the `kw_*` rules, type names, band orders,
/// periods, boolean literals, the reserved words), declarations first. Most are contextual:
/// only [`RESERVED`] can never be names.
pub const KEYWORDS: &[&str] = &[
    // declarations and the header
    "input",
    "events",
    "scale",
    "let",
    "scorecard",
    "grade",
    "adjust",
    "tag",
    "relative",
    "follow_up",
    "review",
    "override",
    "output",
    "test",
    "ruleset",
    "version",
    "description",
    // fields and types
    "column",
    "default",
    "number",
    "integer",
    "count",
    "percent",
    "fraction",
    "money",
    "quantity",
    "date",
    "text",
    "bool",
    "boolean",
    "enum",
    // events and aggregates
    "key",
    "where",
    "this",
    // scorecards, grades, adjustments, tags
    "round",
    "on",
    "by",
    "when",
    "otherwise",
    "missing",
    "color",
    "action",
    "owner",
    "from",
    "up",
    "down",
    "to",
    // relative grades
    "pareto",
    "top",
    "quantiles",
    "into",
    "higher",
    "lower",
    "is",
    "better",
    "mean",
    "median",
    "above",
    "rest",
    "per",
    "ties",
    "same",
    "input_order",
    // schedules
    "reassign",
    "after",
    "every",
    "within",
    "none",
    "week",
    "month",
    "year",
    "day",
    "month_end",
    "quarter_end",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
    "星期日",
    // override and output
    "with",
    "reason",
    "subgrade",
    "score",
    "revenue",
    // tests
    "as_of",
    "given",
    "expect",
    "rejected",
    "tags",
    "include",
    "exclude",
    // expressions
    "if",
    "then",
    "else",
    "or",
    "and",
    "not",
    "in",
    "at_least",
    "of",
    "linear",
    "points",
    "bands",
    "increasing",
    "decreasing",
    "unordered",
    "match",
    "matrix",
    "yes",
    "no",
    "true",
    "false",
    "是",
    "否",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const GRAMMAR: &str = include_str!("../../grammar/tier.pest");

    /// The rules of the grammar: name and body (up to the next rule or doc comment).
    fn rules() -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for line in GRAMMAR.lines() {
            let t = line.trim();
            if t.starts_with("//") || t.is_empty() {
                continue;
            }
            let starts_rule = !line.starts_with(char::is_whitespace)
                && t.split_once(" = ").is_some_and(|(name, _)| {
                    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
            if starts_rule {
                let (name, body) = t.split_once(" = ").unwrap();
                out.push((name, body.to_string()));
            } else if let Some(last) = out.last_mut() {
                last.1.push('\n');
                last.1.push_str(t);
            }
        }
        out
    }

    /// The word-like `"…"` literals of a rule body (not punctuation, units or digits).
    fn words(body: &str) -> Vec<String> {
        body.split('"')
            .skip(1)
            .step_by(2)
            .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .map(str::to_string)
            .collect()
    }

    /// The rules whose literals are keywords (and not units, numbers or punctuation).
    fn keyword_rule(name: &str) -> bool {
        name.starts_with("kw_")
            || name.starts_with("ty_")
            || matches!(
                name,
                "reserved" | "item_keyword" | "band_order" | "period" | "weekday" | "bool_lit"
            )
    }

    fn set(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn keywords_are_the_grammars_keyword_literals() {
        let rules = rules();
        assert!(
            rules.len() > 100,
            "the grammar file was not read into rules"
        );
        let in_grammar: BTreeSet<String> = rules
            .iter()
            .filter(|(name, _)| keyword_rule(name))
            .flat_map(|(_, body)| words(body))
            .collect();
        let listed = set(KEYWORDS);
        assert_eq!(listed.len(), KEYWORDS.len(), "KEYWORDS lists a word twice");
        let missing: Vec<_> = in_grammar.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&in_grammar).collect();
        assert!(
            missing.is_empty(),
            "grammar keywords not in KEYWORDS: {missing:?}"
        );
        assert!(extra.is_empty(), "KEYWORDS not in the grammar: {extra:?}");
    }

    #[test]
    fn reserved_is_the_grammars_reserved_rule() {
        let rules = rules();
        let (_, body) = rules.iter().find(|(name, _)| *name == "reserved").unwrap();
        assert_eq!(set(RESERVED), words(body).into_iter().collect());
        assert_eq!(set(RESERVED).len(), RESERVED.len());
    }

    #[test]
    fn declaration_keywords_are_the_grammars_declarations() {
        // Each declaration's rule starts with `kw_WORD`, or with a choice of them.
        let rules = rules();
        let (_, item) = rules.iter().find(|(name, _)| *name == "item").unwrap();
        let mut starts = BTreeSet::new();
        for decl in item.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            let Some((_, body)) = rules.iter().find(|(name, _)| *name == decl) else {
                continue;
            };
            let first = body
                .trim_start_matches(['{', '_', '@', '$', ' ', '(', '\n'])
                .split([' ', ')'])
                .next()
                .unwrap();
            let alternatives = body
                .trim_start_matches(['{', '_', '@', '$', ' ', '\n', '('])
                .split(')')
                .next()
                .unwrap();
            let kws: Vec<&str> = if alternatives.contains('|') {
                alternatives.split('|').map(str::trim).collect()
            } else {
                vec![first]
            };
            for kw in kws {
                let word = kw.strip_prefix("kw_").expect(kw);
                starts.insert(word.to_string());
            }
        }
        assert_eq!(starts, set(DECLARATION_KEYWORDS));
        for w in DECLARATION_KEYWORDS {
            assert!(KEYWORDS.contains(w), "{w}");
        }
    }
}
