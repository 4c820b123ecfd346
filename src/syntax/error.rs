//! pest errors into [`Diagnostic`]s in words an author understands.
//!
//! pest reports the rules it tried at the furthest position. Each rule maps to a phrase ("a
//! name", "`->`", "`}` to close the `input` block"); the offending token is measured in the whole
//! file so the label covers it, and a few common slips (full-width punctuation, a reserved word
//! used as a name, a broken arrow) get a help line.

use super::{Rule, DECLARATION_KEYWORDS, RESERVED};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use pest::error::{ErrorVariant, InputLocation};

/// Phrases for the declarations, shared by all their first keywords: "a declaration (`input`,
/// `scale`, …)", from the one list of declaration keywords.
static A_DECLARATION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let words: Vec<String> = DECLARATION_KEYWORDS
        .iter()
        .map(|w| format!("`{w}`"))
        .collect();
    format!("a declaration ({})", words.join(", "))
});
const AN_EXPRESSION: &str = "a value (a number, a name, a date, `\"text\"` or `(`)";
const AN_OPERATOR: &str = "an operator";

/// A string still open at the end of its line.
pub(super) fn unterminated_string(source: &SourceFile, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Syntax, "this text has no closing `\"`")
        .in_source(source)
        .with_label(span, "the text starts here and runs to the end of the line")
        .with_help("add a `\"` where the text ends; a text cannot continue on the next line")
}

/// Converts a pest error for `source[base..end]` (a piece of the file, or all of it).
pub(super) fn convert(
    source: &SourceFile,
    base: usize,
    end: usize,
    e: &pest::error::Error<Rule>,
) -> Diagnostic {
    let text: &str = &source.text;
    let pos = match e.location {
        InputLocation::Pos(p) => base + p,
        InputLocation::Span((a, _)) => base + a,
    };
    let pos = skip_blank(text, pos.min(text.len()));
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            // pest's own guard ("stack limit reached"): nesting without brackets (`not not …`,
            // `if … then if …`) deeper than the stack allows, far past `MAX_NESTING`.
            if message.contains("limit") {
                return crate::limits::too_deep(
                    source,
                    token_span(text, pos),
                    "too deep to read from here",
                );
            }
            return Diagnostic::error(Code::Syntax, message.clone())
                .in_source(source)
                .with_label(token_span(text, pos), "here");
        }
    };

    let mut tok = token_span(text, pos);
    let tok_text = &text[tok.start..tok.end];
    let found = if tok.is_empty() {
        "the end of the file".to_string()
    } else if pos >= end && is_item_keyword(tok_text) {
        format!("the next declaration `{tok_text}`")
    } else {
        format!("`{tok_text}`")
    };

    let block = open_block(text, base, pos);
    let mut phrases: Vec<String> = Vec::new();
    for rule in &positives {
        let phrase = match rule {
            Rule::close_brace => match &block {
                Some((_, head)) => format!("`}}` to close the `{head}` block"),
                None => "`}`".to_string(),
            },
            // Alone (a grade arm like `A >= 80`), a comparison is what is missing; next to the
            // other operators it is just one way to continue an expression.
            Rule::cmp_op if !positives.contains(&Rule::add_op) => {
                "a comparison like `>= 80`".to_string()
            }
            other => match phrase(*other) {
                Some(p) => p.to_string(),
                None => continue,
            },
        };
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    // A phrase another one already lists (`as_of` beside "`as_of`, `given` or `expect`") is
    // said once.
    let all = phrases.clone();
    phrases.retain(|p| !all.iter().any(|q| q != p && q.contains(p.as_str())));
    // At the next declaration, a missing `}` is the whole story: the other possibilities
    // (another field, an option) would only bury it.
    if pos >= end && positives.contains(&Rule::close_brace) {
        phrases.retain(|p| p.starts_with("`}`"));
    }
    // After a number, "a duration like `7 days`" is always possible and almost never meant.
    if phrases.len() > 1 {
        phrases.retain(|p| !p.starts_with("a duration"));
    }
    // "the end of the file" only helps when nothing else is possible.
    if phrases.len() > 1 {
        phrases.retain(|p| p != "the end of the input");
    }
    // Operators are what could continue; name them last.
    if let Some(i) = phrases.iter().position(|p| p == AN_OPERATOR) {
        let op = phrases.remove(i);
        phrases.push(op);
    }
    let expected = if phrases.is_empty() {
        "something else".to_string()
    } else {
        join_or(&phrases)
    };
    let message = format!("expected {expected}, found {found}");
    // The label repeats the expectation in short ("a type", not the list of every type).
    let short: Vec<String> = phrases
        .iter()
        .map(|p| {
            let cut = [" (", " like ", ", with"]
                .iter()
                .filter_map(|sep| p.find(sep))
                .min()
                .unwrap_or(p.len());
            p[..cut].to_string()
        })
        .collect();
    let mut label = if !short.is_empty() && short.len() <= 3 {
        format!("expected {}", join_or(&short))
    } else {
        "not expected here".to_string()
    };
    if tok.is_empty() {
        // Nothing to underline at the end of the file: point at the last token instead.
        let end = super::lower::content_len(text);
        let start = text[..end]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| !c.is_whitespace())
            .last()
            .map(|(i, _)| i)
            .unwrap_or(end);
        tok = Span::new(start, end);
        label = format!("{label} after this");
    }
    let mut d = Diagnostic::error(Code::Syntax, message)
        .in_source(source)
        .with_label(tok, label);
    if positives.contains(&Rule::close_brace) {
        if let Some((open, _)) = block {
            d = d.with_label(Span::new(open, open + 1), "this block starts here");
        }
    }
    let spaced_call = tok_text == "(" && {
        let before = &text[..pos];
        let trimmed = before.trim_end_matches([' ', '\t']);
        let word_start = trimmed
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
            .last()
            .map(|(i, _)| i);
        let word = word_start.map(|i| &trimmed[i..]).unwrap_or("");
        trimmed.len() < before.len()
            && word.starts_with(|c: char| !c.is_ascii_digit())
            && !is_reserved(word)
    };
    let split_arrow = tok_text.starts_with('>') && text[..pos].trim_end().ends_with(['-', '=']);
    if split_arrow {
        d = d.with_help("write the arrow `->` without a space between `-` and `>`");
    } else if spaced_call {
        d = d.with_help("to call a function, write its `(` right after the name: `days_since(d)`");
    } else if let Some(word) = did_you_mean(tok_text, &positives) {
        d = d.with_help(format!("did you mean `{word}`?"));
    } else if let Some(help) = help(tok_text, &positives) {
        d = d.with_help(help);
    }
    d
}

/// The keyword closest to a misspelled word, among those that were possible here.
fn did_you_mean(tok: &str, positives: &[Rule]) -> Option<&'static str> {
    if !tok.starts_with(|c: char| c.is_alphabetic()) || is_reserved(tok) {
        return None;
    }
    let mut candidates: Vec<&'static str> = Vec::new();
    for rule in positives {
        candidates.extend_from_slice(keyword_words(*rule));
    }
    crate::diagnostic::suggest(tok, candidates.iter().copied())
}

/// The words a rule can start with, for did-you-mean.
fn keyword_words(rule: Rule) -> &'static [&'static str] {
    use Rule::*;
    match rule {
        input_block | scale_decl | let_decl | scorecard | grade_decl | adjust_decl | tag_decl
        | relative_decl | schedule_decl | override_decl | output_decl | test_decl | kw_input
        | kw_scale | kw_let | kw_scorecard | kw_adjust | kw_tag | kw_relative | kw_follow_up
        | kw_review | kw_override | kw_output | kw_test | item | item_file | items_file => {
            DECLARATION_KEYWORDS
        }
        type_expr | ty_number | ty_integer | ty_percent | ty_money | ty_quantity | ty_date
        | ty_text | ty_bool | ty_enum | ty_grade => &[
            "number", "integer", "count", "percent", "money", "quantity", "date", "text", "bool",
            "enum", "grade",
        ],
        cadence | kw_every | kw_within | kw_none => &["every", "within", "none"],
        rel_method => &["pareto", "top", "quantiles", "mean", "median"],
        rel_option => &["per", "ties", "missing"],
        band_order => &["increasing", "decreasing", "unordered"],
        attr => &["color", "action", "owner"],
        adjust_arm => &["up", "down", "to"],
        output_entry => &["grade", "subgrade", "score", "revenue"],
        test_as_of | test_given | test_expect | test_stmt | kw_given | kw_expect => {
            &["as_of", "given", "expect"]
        }
        columns => &["column"],
        default_value => &["default"],
        kw_ruleset | header | header_file => &["ruleset"],
        kw_version => &["version"],
        kw_description => &["description"],
        kw_then => &["then"],
        kw_else => &["else"],
        kw_when => &["when"],
        kw_otherwise => &["otherwise"],
        kw_missing => &["missing"],
        kw_from => &["from"],
        kw_to => &["to"],
        kw_by => &["by"],
        kw_on => &["on"],
        kw_of => &["of"],
        kw_into => &["into"],
        kw_points => &["points"],
        kw_with => &["with"],
        kw_reason => &["reason"],
        kw_reassign => &["reassign"],
        kw_after => &["after"],
        kw_include | kw_exclude => &["include", "exclude"],
        kw_rest => &["rest"],
        kw_above => &["above"],
        kw_round => &["round"],
        period => &["week", "month", "year"],
        _ => &[],
    }
}

/// A hint for the usual slips.
fn help(tok: &str, positives: &[Rule]) -> Option<String> {
    let full_width = [
        ('，', ','),
        ('（', '('),
        ('）', ')'),
        ('：', ':'),
        ('“', '"'),
        ('”', '"'),
        ('；', ';'),
        ('【', '['),
        ('】', ']'),
        ('＞', '>'),
        ('＜', '<'),
        ('＝', '='),
        ('｛', '{'),
        ('｝', '}'),
    ];
    if tok.starts_with(|c: char| ('０'..='９').contains(&c) || c == '％') {
        return Some("write numbers with half-width digits and `%`: `12.5`, `92%`".to_string());
    }
    if let Some((wide, narrow)) = full_width.iter().find(|(w, _)| tok.starts_with(*w)) {
        return Some(format!(
            "use the half-width `{narrow}` instead of the full-width `{wide}`"
        ));
    }
    let comparison = ["=", "==", "!=", "<", "<=", ">", ">=", "≠", "≤", "≥"].contains(&tok);
    let in_condition = positives.contains(&Rule::kw_and) && !positives.contains(&Rule::arrow);
    if comparison && in_condition && !positives.contains(&Rule::cmp_op) {
        return Some("comparisons do not chain: write `a < b and b < c`".to_string());
    }
    if positives.contains(&Rule::arrow) && ["-", ">", "=", "—"].iter().any(|a| tok.starts_with(a))
    {
        return Some("write the arrow as `->` (or `→`, `=>`)".to_string());
    }
    let wants_name = positives
        .iter()
        .any(|r| matches!(r, Rule::ident | Rule::field | Rule::name));
    if wants_name && is_reserved(tok) {
        return Some(format!(
            "`{tok}` is a reserved word and cannot be used as a name; see \"Reserved words\" in docs/LANGUAGE.md"
        ));
    }
    if tok == "?" {
        return Some(
            "`?` (the field may be empty) goes right after the type, before a range: `integer? 0..`"
                .to_string(),
        );
    }
    if matches!(tok, "include" | "exclude") {
        return Some(format!(
            "each `tags include …` or `tags exclude …` is an `expect` of its own: write it on a new line, `expect tags {tok} …`"
        ));
    }
    if positives.contains(&Rule::close_brace) {
        return Some("every `{` needs a matching `}`".to_string());
    }
    None
}

fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

fn is_item_keyword(word: &str) -> bool {
    DECLARATION_KEYWORDS.contains(&word)
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The first position at or after `pos` that is not blank or inside a comment.
fn skip_blank(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        let rest = &text[pos..];
        let c = match rest.chars().next() {
            Some(c) => c,
            None => return pos,
        };
        if c.is_whitespace() || c == '\u{FEFF}' {
            pos += c.len_utf8();
        } else if c == '#' {
            while pos < bytes.len() && bytes[pos] != b'\n' {
                pos += 1;
            }
        } else {
            return pos;
        }
    }
}

/// The extent of the token at `pos`: a word or number, a quoted text (to its end or the end of
/// the line), a two-character operator, or one character. Empty at the end of the file.
fn token_span(text: &str, pos: usize) -> Span {
    let rest = &text[pos..];
    let Some(first) = rest.chars().next() else {
        return Span::new(pos, pos);
    };
    let len = if first == '"' {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        rest[1..line_end]
            .find('"')
            .map(|i| i + 2)
            .unwrap_or(line_end)
    } else if first.is_alphanumeric() || first == '_' {
        rest.char_indices()
            .find(|&(i, c)| {
                let word = c.is_alphanumeric() || c == '_' || matches!(c, '%' | '㎡');
                let decimal_point = c == '.'
                    && i > 0
                    && rest[..i].chars().all(|d| d.is_ascii_digit())
                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit());
                !(word || decimal_point)
            })
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
    } else {
        const PAIRS: &[&str] = &["->", ">=", "<=", "==", "!=", "=>", "??", ".."];
        if PAIRS.iter().any(|p| rest.starts_with(p)) {
            2
        } else {
            first.len_utf8()
        }
    };
    Span::new(pos, pos + len.max(1).min(rest.len()))
}

/// The innermost `{` still open at `pos` (searching from `base`), and a short description of
/// what it opens (`input`, `scorecard 综合得分`, `match 客户类型`).
pub(super) fn open_block(text: &str, base: usize, pos: usize) -> Option<(usize, String)> {
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text[base..pos].char_indices() {
        let at = base + i;
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' || c == '\n' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '{' => stack.push(at),
            '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open = stack.pop()?;
    let line_start = text[..open].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let head = text[line_start..open].trim();
    const OPENERS: &[&str] = &[
        "input",
        "scale",
        "scorecard",
        "grade",
        "adjust",
        "pareto",
        "top",
        "mean",
        "median",
        "follow_up",
        "review",
        "output",
        "test",
        "bands",
        "match",
        "matrix",
        "enum",
        "in",
    ];
    // Start the description at the last construct keyword on the line.
    let mut best = 0;
    for (i, _) in head.char_indices() {
        let before_ok = i == 0 || head[..i].ends_with([' ', '\t', '(', '=']);
        if before_ok
            && OPENERS.iter().any(|k| {
                head[i..].starts_with(k)
                    && !head[i + k.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        {
            best = i;
        }
    }
    let mut head = head[best..].trim().to_string();
    if head.is_empty() {
        head = "{".to_string();
    }
    if head.chars().count() > 40 {
        head = head.chars().take(40).collect::<String>() + "…";
    }
    Some((open, head))
}

/// Words for what a rule stands for; `None` for rules that never start anything visible.
fn phrase(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the input",
        header | kw_ruleset | header_file => "the header `ruleset \"名称\"`",
        kw_version => "`version \"…\"`",
        kw_description => "`description \"…\"`",
        input_block | scale_decl | let_decl | scorecard | grade_decl | adjust_decl | tag_decl
        | relative_decl | schedule_decl | override_decl | output_decl | test_decl | kw_input
        | kw_scale | kw_let | kw_scorecard | kw_adjust | kw_tag | kw_relative | kw_follow_up
        | kw_review | kw_override | kw_output | kw_test | item_file | items_file | item => {
            &A_DECLARATION
        }
        events_decl | kw_events => "`events NAME key FIELD date FIELD { … }`",
        kw_key => "`key FIELD`",
        kw_date => "`date FIELD`",
        given_events | given_event | given_cell => {
            "events like `{下单日期 = 2026-11-01, 金额 = 3000}`"
        }
        aggregate | agg_of_field | agg_of_events => AN_EXPRESSION,
        agg_window | kw_this => "`within 12 months` or `within this month`",
        agg_filter | kw_where => "`where CONDITION`",
        field | item_keyword => "a field like `销售额 money(万) column \"年度销售额\"`",
        type_expr | ty_number | ty_integer | ty_percent | ty_money | ty_quantity | ty_date
        | ty_text | ty_bool | ty_enum | ty_grade | kw_percent | kw_money | kw_quantity
        | kw_enum => {
            "a type (`number`, `integer`, `percent`, `money(万)`, `quantity(吨)`, `date`, `text`, `bool`, `enum {…}`, `grade(SCALE)`)"
        }
        optional_mark => "`?`",
        range | range_bound | neg_sign => "a range like `0..100`",
        range_dots => "`..`",
        columns | kw_column => "`column \"列名\"`",
        default_value | kw_default => "`default VALUE`",
        money_unit => "a money unit (`元`, `万`, `万元`, `亿`, `亿元`)",
        quantity_unit => "a unit (`吨`, `㎡`, `万㎡`, `平方米`)",
        kw_fraction => "`fraction`",
        variant => "an enum variant like `加盟商 \"加盟\"`",
        scale_gt => "`>` between two labels",
        kw_round => "`round N`",
        component => "a component like `销售额 30% linear 销售额 from 10万 to 210万`",
        weight => "a weight like `30%`",
        threshold_arm => "a grade arm like `A >= 80` or `D otherwise`",
        rule_arm => "a rule like `A when 条件` or `C otherwise`",
        attr | kw_color | kw_action | kw_owner => "`color`, `action` or `owner`",
        adjust_arm | kw_up | kw_down => {
            "an adjustment like `up 1 when 条件`, `up to 关注 when 条件` or `to 关注 when 条件`"
        },
        rel_method | rel_pareto | rel_top | rel_quantiles | rel_split | kw_pareto | kw_top
        | kw_quantiles | kw_mean | kw_median => {
            "a ranking method (`pareto`, `top`, `quantiles`, `mean`, `median`)"
        }
        cut => "a cut like `A 65%` or `C rest`",
        kw_rest => "`rest`",
        rel_option | kw_ties => "an option (`per`, `ties`, `missing ->`)",
        kw_same | kw_input_order => "`same` or `input_order`",
        better | kw_higher | kw_lower | kw_better => "`higher is better` or `lower is better`",
        kw_above => "`above`",
        schedule_arm => "a line like `A every 7 days`",
        cadence | kw_every | kw_within | kw_none => {
            "a cadence (`every 7 days`, `within 48h..72h`, `8 per month`, `on 06-30, 12-31`, `every wednesday`, `none`)"
        }
        weekday => "a day of the week like `wednesday` or `周三`",
        calendar_day | kw_day | day_number | month_day | kw_month_end | kw_quarter_end => {
            "a calendar day (`06-30`, `6月30日`, `day 15`, `month_end`, `quarter_end`)"
        }
        period => "`week`, `month` or `year`",
        kw_reassign => "`reassign after …`",
        kw_after => "`after`",
        duration_lit | duration_unit => "a duration like `7 days` or `48h`",
        kw_with => "`with`",
        kw_reason => "`reason`",
        output_entry | kw_subgrade | kw_score | kw_revenue => {
            "an output column (`grade`, `subgrade`, `score`, `revenue`) with a name"
        }
        test_stmt | test_as_of | test_given | test_expect | kw_given | kw_expect => {
            "`as_of`, `given` or `expect`"
        }
        given => "an input value like `销售额 = 200万`",
        expect | expect_target | kw_rejected | kw_tags => {
            "an expectation like `等级 = B`, `tags include 重点` or `rejected`"
        }
        kw_include | kw_exclude => "`include` or `exclude`",
        tag_list => "a tag name",
        ident | call_name => "a name",
        kw_grade => "`grade`",
        kw_on => "`on`",
        kw_by => "`by`",
        kw_when => "`when`",
        kw_from => "`from`",
        kw_to => "`to`",
        kw_into => "`into`",
        kw_per => "`per`",
        kw_of => "`of`",
        kw_points => "`points`",
        kw_then => "`then`",
        kw_else => "`else`",
        kw_otherwise => "`otherwise`",
        kw_missing | missing_lit => "`missing`",
        kw_as_of => "`as_of`",
        expr_file | expr | if_expr | or_expr | and_expr | not_expr | cmp_expr | coalesce | sum
        | product | unary | primary | neg_op | paren | as_of | call | path | name | at_least | linear
        | bands | match_expr | matrix | literal | bool_lit | kw_if | kw_not | kw_at_least
        | kw_linear | kw_bands | kw_match | kw_matrix => AN_EXPRESSION,
        number_lit | digits => "a number",
        date_lit => "a date like `2026-06-30`",
        string | string_body => "a quoted text like `\"年度销售额\"`",
        cmp_op | is_missing | in_set | coalesce_op | add_op | mul_op | kw_and | kw_or | kw_is
        | kw_in => AN_OPERATOR,
        band_arm | band_guard | interval | interval_open => {
            "a band like `[50万, 100万) -> 70` or `>= 100万 -> 100`"
        }
        interval_close => "`]` or `)` to close the interval",
        band_order => "`increasing`, `decreasing` or `unordered`",
        match_arm | match_keys => "a match arm like `A, B -> 80`",
        matrix_col | matrix_key => "a column key",
        matrix_row => "a row like `三级: 9 8 5`",
        matrix_cell | neg_cell => "a cell value",
        arrow => "`->`",
        equals => "`=`",
        open_brace => "`{`",
        close_brace => "`}`",
        open_paren => "`(`",
        close_paren => "`)`",
        colon => "`:`",
        class_number => "a label",
        input_rest | scorecard_rest | threshold_rest | rule_rest | adjust_rest | schedule_rest
        | test_rest => "`}`",
        number_scale | number_unit | reserved | WHITESPACE | COMMENT | file | ident_char => return None,
    })
}
