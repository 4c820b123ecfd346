//! The REPL's vocabulary: commands with their usage, language keywords, names to complete, and
//! the small lexical helpers (brace counting, identifiers in a text).

use super::Session;
use crate::ast::{Item, TypeKind};

/// One `:command`: its name, what it takes, and what it does (for `:help` and hints).
pub(super) struct Command {
    pub name: &'static str,
    pub args: &'static str,
    pub what: &'static str,
}

pub(super) const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        args: "",
        what: "this text",
    },
    Command {
        name: "load",
        args: "FILE",
        what: "load a ruleset (.tier)",
    },
    Command {
        name: "reload",
        args: "",
        what: "read the file again (also automatic when it changes on disk)",
    },
    Command {
        name: "set",
        args: "字段 = 值",
        what: "set an input as a data cell would say it: 200万, 92%, 2026-11-01, 是",
    },
    Command {
        name: "unset",
        args: "字段",
        what: "clear an input (:unset alone clears all)",
    },
    Command {
        name: "show",
        args: "",
        what: "the current inputs, the as-of date and the typed definitions",
    },
    Command {
        name: "grade",
        args: "",
        what: "the full result for the current inputs: grade, score, tags, follow-up",
    },
    Command {
        name: "explain",
        args: "",
        what: "the result step by step, in the ruleset's words",
    },
    Command {
        name: "row",
        args: "DATA_FILE N|ID",
        what: "load customer row N (as numbered in the file; the header is row 1) or the row containing ID",
    },
    Command {
        name: "event",
        args: "事件 字段=值",
        what: "add an event of the current customer (:event lists them, :event clear removes them)",
    },
    Command {
        name: "as-of",
        args: "DATE",
        what: "set the evaluation date (YYYY-MM-DD)",
    },
    Command {
        name: "test",
        args: "",
        what: "run the ruleset's tests (and the ones typed here)",
    },
    Command {
        name: "save",
        args: "FILE",
        what: "write the definitions typed in this session to FILE (:save! FILE replaces it)",
    },
    Command {
        name: "quit",
        args: "",
        what: "leave (also Ctrl-D)",
    },
];

/// `:help`
pub(super) fn help() -> String {
    let mut out = String::from(
        "Type an expression to evaluate it for the current customer:  销售额 * 2,  综合得分 >= 60\n\
         or a definition to add (or replace) a rule:  let 增长率 = ...,  grade 等级 by 综合得分 { ... }\n\
         or a command:\n",
    );
    for c in COMMANDS {
        let left = format!(":{} {}", c.name, c.args);
        let pad = 22usize.saturating_sub(width(&left));
        out.push_str(&format!("  {left}{}{}\n", " ".repeat(pad), c.what));
    }
    out.push_str(
        "An open brace continues the input on the next lines, after a `...>` prompt (an empty line ends\n\
         it). Tab completes.\n\
         Typical start:  :set 销售额 = 200万   then  :grade   then  :explain",
    );
    out
}

/// `:help set`
pub(super) fn help_for(name: &str) -> Option<String> {
    let c = find_command(name)?;
    Some(format!(":{} {}\n  {}", c.name, c.args, c.what).replace(" \n", "\n"))
}

/// A command by its name, an alias, or a unique prefix of its name.
pub(super) fn find_command(name: &str) -> Option<&'static Command> {
    let canonical = match name {
        "h" | "?" => "help",
        "q" | "exit" => "quit",
        "asof" | "as_of" | "date" => "as-of",
        "tests" => "test",
        "inputs" => "show",
        other => other,
    };
    if let Some(c) = COMMANDS.iter().find(|c| c.name == canonical) {
        return Some(c);
    }
    // A unique prefix is enough (`:g` grades, `:ex` explains); `:s` is ambiguous.
    let mut prefixed = COMMANDS.iter().filter(|c| c.name.starts_with(canonical));
    match (prefixed.next(), prefixed.next()) {
        (Some(c), None) if !canonical.is_empty() => Some(c),
        _ => None,
    }
}

/// Display width in a terminal: CJK characters take two columns.
pub(super) fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// The hint shown after a partly typed command: the rest of its name and its arguments.
pub fn command_hint(line: &str) -> Option<(String, Option<String>)> {
    let typed = line.strip_prefix(':')?;
    if typed.contains(char::is_whitespace) {
        return None;
    }
    let mut matches = COMMANDS.iter().filter(|c| c.name.starts_with(typed));
    let c = matches.next()?;
    if matches.next().is_some() {
        return None;
    }
    let rest = &c.name[typed.len()..];
    let args = if c.args.is_empty() {
        String::new()
    } else {
        format!(" {}", c.args)
    };
    Some((format!("{rest}{args}"), Some(rest.to_string())))
}

use crate::syntax::DECLARATION_KEYWORDS as DEFINITION_KEYWORDS;

/// Whether the input is a declaration (its first word is a declaration keyword).
pub(super) fn starts_definition(text: &str) -> bool {
    let first: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    DEFINITION_KEYWORDS.contains(&first.as_str())
}

impl Session {
    /// Everything Tab may complete: commands, keywords, and the ruleset's names (inputs, enum
    /// variants, lets, scorecards and their components, grades and their labels, tags).
    pub fn completions(&self) -> Vec<String> {
        let mut names: Vec<String> = crate::syntax::KEYWORDS
            .iter()
            .copied()
            .chain(crate::check::function_names())
            .map(str::to_string)
            .collect();
        names.extend(COMMANDS.iter().map(|c| format!(":{}", c.name)));
        if let Some(l) = &self.loaded {
            for item in &l.ruleset.items {
                match item {
                    Item::Input(b) => {
                        for f in &b.fields {
                            names.push(f.name.name.clone());
                            if let TypeKind::Enum(vs) = &f.ty.kind {
                                names.extend(vs.iter().map(|v| v.name.name.clone()));
                            }
                        }
                    }
                    // Events: the name (for `:event 订单`), its fields (for `字段 = 值` and
                    // `where`), `订单.字段` (for aggregates) and enum variants.
                    Item::Events(e) => {
                        names.push(e.name.name.clone());
                        for f in &e.fields {
                            names.push(f.name.name.clone());
                            names.push(format!("{}.{}", e.name.name, f.name.name));
                            if let TypeKind::Enum(vs) = &f.ty.kind {
                                names.extend(vs.iter().map(|v| v.name.name.clone()));
                            }
                        }
                    }
                    Item::Let(d) => names.push(d.name.name.clone()),
                    Item::Scorecard(d) => {
                        names.push(d.name.name.clone());
                        for c in &d.components {
                            names.push(format!("{}.{}", d.name.name, c.name.name));
                        }
                    }
                    Item::Grade(d) => {
                        names.push(d.name.name.clone());
                        match &d.body {
                            crate::ast::GradeBody::Thresholds { arms, .. } => {
                                names.extend(arms.iter().map(|a| a.label.name.clone()))
                            }
                            crate::ast::GradeBody::Rules { arms } => {
                                names.extend(arms.iter().map(|a| a.label.name.clone()))
                            }
                        }
                    }
                    Item::Adjust(d) => names.push(d.name.name.clone()),
                    Item::Tag(d) => names.push(d.name.name.clone()),
                    Item::Relative(d) => names.push(d.name.name.clone()),
                    Item::Scale(d) => {
                        names.push(d.name.name.clone());
                        names.extend(d.labels.iter().map(|l| l.name.clone()));
                    }
                    _ => {}
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }
}

/// What Tab does with the word before `pos` in `line`: where the word starts and its
/// replacements. One replacement is inserted at once: the only name that fits, or the longest
/// prefix all fitting names share when it is longer than the word (`合作得` → `合作得分`, not one
/// of `合作得分`'s components). Several are a list to choose from. Commands complete only at the
/// start of the line, with a space after them. The result does not depend on the line editor's
/// completion mode.
pub fn complete_word(names: &[String], line: &str, pos: usize) -> (usize, Vec<String>) {
    let before = line.get(..pos).unwrap_or(line);
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(pos);
    let word = &before[start..];
    if word.is_empty() {
        return (pos, Vec::new());
    }
    // A command is completed only at the start of the line; elsewhere `:` is not a word.
    let at_line_start = before[..start].trim().is_empty();
    let fitting: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with(word) && *n != word)
        .filter(|n| at_line_start || !n.starts_with(':'))
        .collect();
    let finish = |n: &str| {
        if n.starts_with(':') {
            format!("{n} ")
        } else {
            n.to_string()
        }
    };
    match fitting.as_slice() {
        [] => (start, Vec::new()),
        [only] => (start, vec![finish(only)]),
        [first, rest @ ..] => {
            let mut common = first.len();
            for n in rest {
                common = first
                    .char_indices()
                    .zip(n.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(common.min(n.len()), |((i, _), _)| i.min(common));
            }
            let prefix = &first[..common];
            if prefix.len() > word.len() {
                (start, vec![prefix.to_string()])
            } else {
                (start, fitting.iter().map(|n| finish(n)).collect())
            }
        }
    }
}

/// True when the input so far has more `{`, `(` or `[` open than closed (outside strings and
/// comments): the REPL then reads another line.
pub fn is_incomplete(text: &str) -> bool {
    let mut depth: i64 = 0;
    for line in text.lines() {
        for (_, _, c) in crate::source::code_chars(line) {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

/// The identifiers in a piece of ruleset text (strings and comments skipped): a cheap way to
/// know which names a declaration or a typed expression mentions.
pub(super) fn identifiers(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start: Option<usize> = None;
        let mut in_str = false;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                }
                prev = c;
                continue;
            }
            let ident = c.is_alphanumeric() || c == '_';
            match (ident, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push(&line[s..i]);
                    start = None;
                }
                _ => {}
            }
            if c == '#' {
                break;
            }
            if c == '"' {
                in_str = true;
            }
            prev = c;
        }
        if let Some(s) = start {
            if !in_str {
                out.push(&line[s..]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_continue_outside_strings_and_comments() {
        assert!(is_incomplete("grade 等级 by 综合得分 {"));
        assert!(!is_incomplete("grade 等级 by 综合得分 {\n A >= 80 }"));
        assert!(!is_incomplete("let x = \"{\""));
        assert!(!is_incomplete("let x = 1 # {"));
        assert!(!is_incomplete("}}}"));
    }

    #[test]
    fn identifiers_skip_strings_and_comments() {
        assert_eq!(
            identifiers("上年销售额 > 0 and x_1 = \"销售额\" # 回款率"),
            vec!["上年销售额", "0", "and", "x_1"]
        );
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tab_completes_a_scorecards_name_before_its_components() {
        let n = names(&[
            "合作年限",
            "合作得分",
            "合作得分.年限",
            "合作得分.潜力",
            "合作得分.频次",
            ":set",
            ":show",
        ]);
        // A unique prefix of the name: the name, not a component.
        assert_eq!(
            complete_word(&n, "合作得", "合作得".len()),
            (0, vec!["合作得分".into()])
        );
        let line = "x + 合作得";
        assert_eq!(
            complete_word(&n, line, line.len()),
            (4, vec!["合作得分".into()])
        );
        // The whole name: what its components share, then the list.
        assert_eq!(
            complete_word(&n, "合作得分", "合作得分".len()),
            (0, vec!["合作得分.".into()])
        );
        assert_eq!(
            complete_word(&n, "合作得分.", "合作得分.".len()).1,
            vec!["合作得分.年限", "合作得分.潜力", "合作得分.频次"]
        );
        // Nothing more in common: the list.
        assert_eq!(complete_word(&n, "合作", "合作".len()).1.len(), 5);
        // The only fitting component.
        assert_eq!(
            complete_word(&n, "合作得分.频", "合作得分.频".len()),
            (0, vec!["合作得分.频次".into()])
        );
        // Commands: at the start of the line only, with a space.
        assert_eq!(complete_word(&n, ":se", 3), (0, vec![":set ".into()]));
        assert_eq!(complete_word(&n, ":s", 2).1, vec![":set ", ":show "]);
        assert_eq!(complete_word(&n, "x :s", 4).1, Vec::<String>::new());
        assert_eq!(complete_word(&n, "x ", 2), (2, vec![]));
    }

    #[test]
    fn command_hints_complete_unique_prefixes() {
        assert_eq!(
            command_hint(":se"),
            Some(("t 字段 = 值".to_string(), Some("t".to_string())))
        );
        assert_eq!(command_hint(":r"), None);
        assert_eq!(command_hint(":set x"), None);
    }
}
