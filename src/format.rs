//! `tier fmt`: canonical layout of a ruleset without touching a single token.
//!
//! The formatter only changes whitespace: indentation by brace depth (two spaces), hanging
//! continuation lines (+4), no trailing spaces, at most one blank line in a row, one final
//! newline. Comments and the author's alignment inside a line (matrix columns, aligned input
//! fields) are kept. The result is checked to parse to the same tree before it is used, so a
//! format can never change a ruleset's meaning.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;

/// Formats a ruleset's text. Fails (with the parse errors) if the text does not parse.
pub fn format_source(source: &SourceFile) -> Result<String, Vec<Diagnostic>> {
    let before = crate::syntax::parse(source)?;
    let text = layout(&source.text);
    let after_src = SourceFile::new(source.name.to_string(), text.clone());
    let after = crate::syntax::parse(&after_src)?;
    if strip(&format!("{before:?}")) != strip(&format!("{after:?}")) {
        return Err(vec![Diagnostic::error(
            Code::FmtChangedMeaning,
            "formatting would change the ruleset's meaning; the file was left as it is",
        )
        .in_source(source)
        .with_help("please report this ruleset as a bug in tier fmt")]);
    }
    Ok(text)
}

/// Removes span offsets from a Debug dump so two trees compare by content only.
fn strip(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Scans one line: the net change of `{}` depth, whether it starts with a closing brace, and
/// the last code token (comments and strings excluded).
fn scan(line: &str) -> (i64, bool, String) {
    let mut depth = 0i64;
    let mut in_str = false;
    let mut escaped = false;
    let mut code = String::new();
    for c in line.chars() {
        if in_str {
            code.push(c);
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_str = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '#' => break,
            '"' => in_str = true,
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        code.push(c);
    }
    let starts_closing = line.trim_start().starts_with('}');
    (depth, starts_closing, code.trim_end().to_string())
}

fn continues(code: &str) -> bool {
    const TAIL: &[&str] = &[
        ",", "(", "+", "-", "*", "/", "=", "->", "→", "=>", "??", ">=", "<=", ">", "<",
    ];
    const WORDS: &[&str] = &["and", "or", "not", "then", "else", "if", "of", "from", "to"];
    if TAIL.iter().any(|t| code.ends_with(t)) {
        return true;
    }
    let last = code
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    WORDS.contains(&last)
}

/// The header words, which start a line at top level besides the declaration keywords.
const HEADER_WORDS: &[&str] = &["ruleset", "version", "description"];

fn starts_declaration(line: &str) -> bool {
    let word: String = line
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    HEADER_WORDS.contains(&word.as_str())
        || crate::syntax::DECLARATION_KEYWORDS.contains(&word.as_str())
}

/// Words that continue the previous line when they start one (attributes, `else`, `and`, ...).
const CONTINUATION_WORDS: &[&str] = &[
    "color", "action", "owner", "column", "default", "reassign", "then", "else", "and", "or",
    "per", "ties",
];

fn first_word(line: &str) -> String {
    line.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The whitespace-only layout: a statement line goes to its block's depth (two spaces a level);
/// a continuation line (after `,`/`and`/`->`..., or starting with an attribute like `color`)
/// keeps its hanging offset from the statement it continues (four columns in if it had none); inside a
/// `matrix` the rows go to the block's depth and the header keeps its column alignment.
pub fn layout(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let indent_of = |raw: &str| (raw.len() - raw.trim_start().len()) as i64;
    let mut out = String::with_capacity(text.len());
    let mut depth: i64 = 0;
    let mut blank_run = 0;
    let mut prev_code = String::new();
    let mut in_string_block = false;
    // Per open block: is it a matrix, and the shift of its rows (target - original indent).
    let mut matrix: Vec<Option<i64>> = vec![None];
    // The shift of the last statement line (continuations move with it).
    let mut stmt_shift: i64 = 0;
    for (n, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if in_string_block {
            // Inside a multi-line string literal: keep the line verbatim.
            out.push_str(raw);
            out.push('\n');
            in_string_block = raw.matches('"').count() % 2 == 0;
            continue;
        }
        if line.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        blank_run = 0;
        let (delta, closing, code) = scan(line);
        let level = if closing { depth - 1 } else { depth }.max(0) as usize;
        let base = (level * 2) as i64;
        let original = indent_of(raw);
        let continuation = !closing
            && !line.starts_with('#')
            && ((!prev_code.is_empty() && continues(&prev_code))
                || CONTINUATION_WORDS.contains(&first_word(line).as_str())
                || (level == 0 && !starts_declaration(line)));
        let indent = if closing {
            base
        } else if let Some(shift) = matrix.get(level).copied().flatten() {
            (original + shift).max(base)
        } else if continuation {
            // Keep the author's hanging offset; an unindented continuation goes four in.
            let moved = original + stmt_shift;
            if moved > base {
                moved
            } else {
                base + 4
            }
        } else {
            stmt_shift = base - original;
            base
        };
        out.push_str(&" ".repeat(indent as usize));
        out.push_str(line);
        out.push('\n');
        let opened = delta > 0;
        depth = (depth + delta).max(0);
        matrix.truncate(depth as usize + 1);
        while matrix.len() < depth as usize + 1 {
            matrix.push(None);
        }
        if opened && code.contains("matrix") {
            // The rows (`KEY:`) set the shift; the header moves with them.
            let row = lines[n + 1..]
                .iter()
                .find(|l| l.contains(':') && !l.trim_start().starts_with('#'));
            let shift = row
                .map(|r| (level as i64 + 1) * 2 - indent_of(r))
                .unwrap_or(0);
            if let Some(slot) = matrix.last_mut() {
                *slot = Some(shift);
            }
        }
        if !code.is_empty() {
            prev_code = code;
        }
        if line.matches('"').count() % 2 == 1 && !line.starts_with('#') {
            in_string_block = true;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::layout;
    use crate::source::SourceFile;

    #[test]
    fn indents_by_brace_depth_and_keeps_comments() {
        let src = "ruleset \"x\"\ninput {\n销售额 money(万)   # 年度\n      回款率 percent\n}\n\n\n\ngrade 等级 by 销售额 {\n A >= 100万\n  B otherwise }\n";
        let want = "ruleset \"x\"\ninput {\n  销售额 money(万)   # 年度\n  回款率 percent\n}\n\ngrade 等级 by 销售额 {\n  A >= 100万\n  B otherwise }\n";
        assert_eq!(layout(src), want);
        assert_eq!(layout(want), want, "idempotent");
    }

    #[test]
    fn top_level_continuations_keep_their_hanging_indent() {
        let src = "tag 呆滞 when 欠款 > 2万\n             color \"red\"\ntag 新 when 新客\ncolor \"green\"\n";
        let want = "tag 呆滞 when 欠款 > 2万\n             color \"red\"\ntag 新 when 新客\n    color \"green\"\n";
        assert_eq!(layout(src), want);
        assert_eq!(layout(want), want);
    }

    #[test]
    fn adjust_bounds_round_trip() {
        // `up to L` / `down to L` arms, one broken over a line: formatted once = formatted twice,
        // and the tree is unchanged (format_source checks that itself).
        let src = "ruleset \"x\"\nscale 风险 { 正常 > 关注 > 次级 }\ninput { 上期 grade(风险)  a bool  b bool }\nadjust 本期 from 上期 {\nup 1 when a\n      up to 关注   when a and\nb\n down to 次级 when b\n}\n";
        let want = "ruleset \"x\"\nscale 风险 { 正常 > 关注 > 次级 }\ninput { 上期 grade(风险)  a bool  b bool }\nadjust 本期 from 上期 {\n  up 1 when a\n  up to 关注   when a and\n      b\n  down to 次级 when b\n}\n";
        let once = super::format_source(&SourceFile::new("x.tier", src.to_string())).unwrap();
        assert_eq!(once, want);
        let twice = super::format_source(&SourceFile::new("x.tier", once.clone())).unwrap();
        assert_eq!(twice, once, "idempotent");
    }

    #[test]
    fn hanging_lines_and_braces_in_strings() {
        let src = "test \"a { b\" {\ngiven x = 1,\ny = 2\nexpect z = 3\n}\n";
        let want = "test \"a { b\" {\n  given x = 1,\n      y = 2\n  expect z = 3\n}\n";
        assert_eq!(layout(src), want);
    }
}
