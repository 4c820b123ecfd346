//! The few words of tier's own that reasons and explanations put between the ruleset's names,
//! in the ruleset's language: a ruleset that names things in Chinese gets Chinese words, so a
//! reasons column reads `得分 35: 其余 → D`, not `得分 35: otherwise → D`.

use crate::ast::{Item, Ruleset};

/// The language of a ruleset's reasons, and by default of its output files' fixed words
/// ([`crate::data::write::FixedWords`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese: the ruleset's name or any declared name has a Han character.
    Zh,
    /// English (and any other language without Han characters).
    #[default]
    En,
}

impl Lang {
    /// Detects the language from the ruleset's name and declared names.
    pub fn of(ruleset: &Ruleset) -> Lang {
        let han = |s: &str| s.chars().any(is_han);
        let mut names = std::iter::once(ruleset.name.value.as_str()).chain(
            ruleset.items.iter().filter_map(|item| match item {
                Item::Input(block) => block.fields.first().map(|f| f.name.name.as_str()),
                Item::Let(l) => Some(l.name.name.as_str()),
                Item::Grade(g) => Some(g.name.name.as_str()),
                Item::Scorecard(s) => Some(s.name.name.as_str()),
                Item::Tag(t) => Some(t.name.name.as_str()),
                _ => None,
            }),
        );
        if names.any(han) {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The arm that takes any other value: `otherwise` / `其余`.
    pub fn otherwise(self) -> &'static str {
        match self {
            Lang::Zh => "其余",
            Lang::En => "otherwise",
        }
    }

    /// `X is missing` / `X 缺失`.
    pub fn is_missing(self) -> &'static str {
        match self {
            Lang::Zh => "缺失",
            Lang::En => "is missing",
        }
    }

    /// The reason of a first-match grade's fallback rule.
    pub fn no_rule_holds(self, label: &str) -> String {
        match self {
            Lang::Zh => format!("以上规则都不成立 → {label}（其余）"),
            Lang::En => format!("no rule above holds → {label} (otherwise)"),
        }
    }

    /// Why `up to L` left a grade as it was: it is L or better (follows the label, so English
    /// starts with a space).
    pub fn already_at_least(self, label: &str) -> String {
        match self {
            Lang::Zh => format!("（已不低于 {label}）"),
            Lang::En => format!(" (already at least {label})"),
        }
    }

    /// Why `down to L` left a grade as it was: it is L or worse.
    pub fn already_at_most(self, label: &str) -> String {
        match self {
            Lang::Zh => format!("（已不高于 {label}）"),
            Lang::En => format!(" (already at most {label})"),
        }
    }

    /// A tag's verdict: it applies, it does not, or its condition is missing.
    pub fn tag_verdict(self, held: Option<bool>) -> &'static str {
        match (self, held) {
            (Lang::Zh, Some(true)) => "适用",
            (Lang::Zh, Some(false)) => "不适用",
            (Lang::Zh, None) => "不适用：条件缺失",
            (Lang::En, Some(true)) => "applies",
            (Lang::En, Some(false)) => "does not apply",
            (Lang::En, None) => "does not apply: its condition is missing",
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}
