//! The analysis on shipped rulesets and small broken texts.

use super::*;
use crate::diagnostic::Code;

fn analyse(path: &str) -> Analysis {
    let text = std::fs::read_to_string(path).unwrap();
    Analysis::new(path, &text, None)
}

/// The byte offset just inside the `nth` occurrence of `needle`.
fn at(a: &Analysis, needle: &str, nth: usize) -> usize {
    a.text().match_indices(needle).nth(nth).expect(needle).0 + 1
}

fn texts(a: &Analysis, spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| a.source.slice(*s).to_string())
        .collect()
}

#[test]
fn a_component_is_renamed_in_its_scorecard_and_in_tests_not_the_input_of_the_same_name() {
    let a = analyse("rulesets/distributor_composite.tier");
    let decl = at(&a, "销售额   30%", 0);
    let spans = a.rename(decl, "规模").unwrap();
    assert!(spans.len() >= 3, "{spans:?}");
    assert!(texts(&a, &spans).iter().all(|t| t == "销售额"));
    // The input `销售额` is used by the component's formula; that use is not renamed.
    let formula = at(&a, "linear 销售额", 0) + "linear ".len() - 1;
    assert!(!spans.iter().any(|s| s.start <= formula && formula <= s.end));
    // Every `综合得分.销售额` in the tests is.
    let paths = a.text().matches("综合得分.销售额").count();
    assert_eq!(spans.len(), paths + 1);
    // A component name taken in the same scorecard is refused.
    assert!(a.rename(decl, "增长率").is_err());
}

#[test]
fn an_input_is_renamed_in_rules_and_in_given_lines() {
    let a = analyse("rulesets/distributor_composite.tier");
    let decl = a.text().find("\n  欠款 ").unwrap() + 3;
    let spans = a.rename(decl, "应收欠款").unwrap();
    let in_tests = spans
        .iter()
        .filter(|s| a.text()[..s.start].contains("test \""))
        .count();
    assert!(in_tests >= 3, "{spans:?}");
    assert_eq!(a.definition(spans[spans.len() - 1].start), Some(spans[0]));
}

#[test]
fn hover_describes_a_scorecard_and_a_grade() {
    let a = analyse("rulesets/distributor_composite.tier");
    let (_, card) = a.hover(at(&a, "综合得分 round", 0)).unwrap();
    assert!(
        card.contains("scorecard") && card.contains("`增长率` 30%"),
        "{card}"
    );
    let (_, grade) = a.hover(at(&a, "等级 by", 0)).unwrap();
    assert!(
        grade.contains("A > B > C > D") && grade.contains("D otherwise"),
        "{grade}"
    );
}

#[test]
fn quick_fixes_replace_a_misspelt_name_full_width_punctuation_and_add_otherwise() {
    let text = "ruleset \"t\"\ninput {\n  销售额 money\n}\ngrade 等级 by 销售额 {\n  A >= 100\n  B >= 50\n}\nlet x = 销售颜 + 1\n";
    let a = Analysis::new("t.tier", text, None);
    let fixes = a.fixes();
    let unknown = fixes
        .iter()
        .find(|f| f.replacement == "销售额")
        .expect("did you mean");
    assert_eq!(a.source.slice(unknown.span), "销售颜");
    let otherwise = fixes
        .iter()
        .find(|f| f.replacement.contains("otherwise"))
        .expect("otherwise");
    assert_eq!(otherwise.replacement, "  B otherwise\n");
    let mut fixed = text.to_string();
    fixed.replace_range(
        otherwise.span.start..otherwise.span.end,
        &otherwise.replacement,
    );
    let b = Analysis::new("t.tier", &fixed, None);
    assert!(!b.diagnostics.iter().any(|d| d.code == Code::GradeUncovered));

    let wide = Analysis::new(
        "w.tier",
        "ruleset \"t\"\ninput {\n  a number\n}\nlet x = max(a， 1)\n",
        None,
    );
    let fix = wide.fixes().into_iter().next().expect("full-width fix");
    assert_eq!(
        (wide.source.slice(fix.span), fix.replacement.as_str()),
        ("，", ",")
    );
}

#[test]
fn quick_fix_gives_a_plain_number_on_a_scaled_field_its_suffix() {
    let text = "ruleset \"t\"\ninput {\n  销售额 money(万) 0..1000\n}\ngrade 等级 by 销售额 {\n  A >= 100万\n  B otherwise\n}\n";
    let a = Analysis::new("t.tier", text, None);
    assert!(a
        .diagnostics
        .iter()
        .any(|d| d.code == Code::InputScaledLiteral));
    let fixes: Vec<(String, String)> = a
        .fixes()
        .into_iter()
        .map(|f| (a.source.slice(f.span).to_string(), f.replacement))
        .collect();
    assert_eq!(
        fixes,
        [
            ("1000".to_string(), "1000万".to_string()),
            ("1000".to_string(), "1000元".to_string())
        ]
    );
    let fixed = text.replace("0..1000", "0..1000万");
    let b = Analysis::new("t.tier", &fixed, None);
    assert!(!b
        .diagnostics
        .iter()
        .any(|d| d.code == Code::InputScaledLiteral));
}

#[test]
fn a_half_typed_file_keeps_the_last_names_for_completion() {
    let good = analyse("rulesets/rfm.tier");
    let broken = format!("{}\nlet 新 = 消费 +", good.text());
    let a = Analysis::new("rfm.tier", &broken, Some(&good));
    assert!(a.ruleset.is_none());
    assert!(a.diagnostics.iter().all(|d| d.code == Code::Syntax));
    let names: Vec<String> = a
        .completions(broken.len())
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(names.contains(&"消费金额".to_string()));
    assert!(
        a.definition(at(&a, "消费金额", 1)).is_none(),
        "no navigation on stale spans"
    );
}

#[test]
fn completion_after_a_number_offers_duration_units() {
    let a = analyse("rulesets/rfm.tier");
    let text = format!("{}\nlet d = 3 ", a.text());
    let b = Analysis::new("rfm.tier", &text, Some(&a));
    let units: Vec<String> = b
        .completions(text.len())
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(units.contains(&"天".to_string()) && units.contains(&"workdays".to_string()));
}

#[test]
fn tokens_give_names_their_kind_and_never_overlap() {
    let a = analyse("rulesets/rfm.tier");
    let tokens = a.tokens();
    let kind = |needle: &str, nth: usize| {
        let start = a.text().match_indices(needle).nth(nth).expect(needle).0;
        tokens
            .iter()
            .find(|t| t.span.start == start)
            .map(|t| (t.kind, t.declaration))
    };
    assert_eq!(
        kind("消费金额     money", 0),
        Some((TokenKind::Input, true))
    );
    assert_eq!(kind("R高 and F高", 0), Some((TokenKind::Let, false)));
    assert_eq!(kind("客户类型 {", 0), Some((TokenKind::Grade, true)));
    assert_eq!(kind("重要价值客户\n", 0), Some((TokenKind::Label, false)));
    assert_eq!(
        kind("重要价值客户 when", 0),
        Some((TokenKind::Label, false))
    );
    assert_eq!(kind("when R高", 0), Some((TokenKind::Keyword, false)));
    assert_eq!(
        kind("\"545\", 客户类型", 0),
        Some((TokenKind::String, false))
    );
    assert_eq!(kind("2026-11-16", 0), Some((TokenKind::Number, false)));
    assert_eq!(kind("days_since(", 0), Some((TokenKind::Function, false)));
    assert_eq!(kind("# decision 2", 0), Some((TokenKind::Comment, false)));
    for pair in tokens.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start, "{pair:?}");
    }
    assert!(tokens
        .iter()
        .all(|t| !a.source.slice(t.span).contains('\n')));
}

#[test]
fn completion_in_an_input_block_offers_types_and_in_a_test_its_words() {
    let a = analyse("rulesets/rfm.tier");
    let labels = |text: &str| -> Vec<String> {
        let b = Analysis::new("rfm.tier", text, Some(&a));
        b.completions(text.len())
            .into_iter()
            .map(|c| c.label)
            .collect()
    };
    let types = labels("ruleset \"t\"\ninput {\n  销售额 ");
    assert!(types.contains(&"money".to_string()) && !types.contains(&"grade".to_string()));
    let words = labels("ruleset \"t\"\ntest \"a\" {\n  given x = 1\n  ");
    assert_eq!(words, ["given", "expect", "as_of"]);
    // Unindented: a new declaration.
    let top = labels("ruleset \"t\"\ntest \"a\" {\n}\n");
    assert!(top.contains(&"scorecard".to_string()));
}
