//! The layout rules, one small ruleset each; every case is also formatted twice (idempotence) and
//! checked to keep its comments. The shipped rulesets, the docs' examples and the fixtures are
//! formatted by `tests/integration/fmt.rs`.

use super::{comments, format_source};
use crate::diagnostic::Code;
use crate::source::SourceFile;

/// Formats `src`, checks it formats to itself and kept every comment, and returns it.
fn fmt(src: &str) -> String {
    let once = format_source(&SourceFile::new("t.tier", src)).unwrap_or_else(|d| {
        panic!("{}: {}", d[0].code.as_str(), d[0].message);
    });
    let twice = format_source(&SourceFile::new("t.tier", once.as_str())).expect("formats again");
    assert_eq!(twice, once, "formatting twice changes nothing");
    assert_eq!(
        comments(&once),
        comments(src),
        "every comment kept, in order"
    );
    once
}

#[test]
fn indents_blocks_and_collapses_blank_lines() {
    let src = "ruleset \"x\"\ninput {\n销售额 money(万)   # 年度\n      回款率 percent\n}\n\n\n\ngrade 等级 by 销售额 {\n A >= 100万\n  B otherwise }\n\n\n";
    let want = "ruleset \"x\"\ninput {\n  销售额 money(万)  # 年度\n  回款率 percent\n}\n\ngrade 等级 by 销售额 {\n  A >= 100万\n  B otherwise\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn columns_line_up_by_display_width() {
    // 销售额 is six columns wide, x one: the types start in the same column.
    let src = "ruleset \"x\"\ninput {\n  x number column \"x\" default 0\n  销售额 money(万) column \"年度销售额\"\n}\n";
    let want = "ruleset \"x\"\ninput {\n  x      number     column \"x\"  default 0\n  销售额 money(万)  column \"年度销售额\"\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn spacing_around_operators_and_punctuation() {
    let src = "ruleset \"x\"\ninput { a number  b  enum{x,y,} }\nlet c=(a+1)*2>=max( a ,3 )and b in{ x , y }\nlet d = - - a\nlet e = bands a { [ 0 , 10 ) -> 1  >=10->2 }\n";
    let want = "ruleset \"x\"\ninput {\n  a number\n  b enum { x, y, }\n}\nlet c = (a + 1) * 2 >= max(a, 3) and b in {x, y}\nlet d = - -a\nlet e = bands a { [0, 10) -> 1  >= 10 -> 2 }\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn tokens_are_never_respelled() {
    let src = "ruleset \"x\"\ninput { a count  b bool }\nlet c = a ≥ 1 and a × 2 ≠ 3\nlet d = match b { yes → 1  no => 0 }\n";
    let out = fmt(src);
    for token in ["count", "≥", "×", "≠", "→", "=>"] {
        assert!(out.contains(token), "{token} kept in\n{out}");
    }
}

#[test]
fn short_conditions_join_long_ones_keep_the_authors_breaks() {
    let src = "ruleset \"x\"\ninput { a bool  b bool  甲乙丙丁戊己庚辛 bool  子丑寅卯辰巳午未 bool  申酉戌亥 bool }\ngrade g {\n  A when a and\n    b\n  B when 甲乙丙丁戊己庚辛 and 子丑寅卯辰巳午未 and 申酉戌亥 and 甲乙丙丁戊己庚辛\n  or 子丑寅卯辰巳午未 and not 申酉戌亥\n  C otherwise\n}\n";
    let want = "ruleset \"x\"\ninput {\n  a                bool\n  b                bool\n  甲乙丙丁戊己庚辛 bool\n  子丑寅卯辰巳午未 bool\n  申酉戌亥         bool\n}\ngrade g {\n  A when a and b\n  B when 甲乙丙丁戊己庚辛 and 子丑寅卯辰巳午未 and 申酉戌亥 and 甲乙丙丁戊己庚辛\n         or 子丑寅卯辰巳午未 and not 申酉戌亥\n  C otherwise\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn else_continues_under_its_if() {
    let src = "ruleset \"x\"\ninput { 月均处方量 number  竞品处方量 number? }\nlet 行为码 = if 月均处方量 = 0 then 3\n  else if 月均处方量 >= (竞品处方量 ?? 0) then 1\n  else 2\n";
    let want = "ruleset \"x\"\ninput {\n  月均处方量 number\n  竞品处方量 number?\n}\nlet 行为码 = if 月均处方量 = 0 then 3\n             else if 月均处方量 >= (竞品处方量 ?? 0) then 1\n             else 2\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn lists_keep_the_authors_breaks_under_their_first_item() {
    let src = "ruleset \"x\"\ninput { a number  b number }\ntest \"a { b\" {\ngiven a = 1,\nb = 2\nexpect a = 1, b = 2\n}\n";
    let want = "ruleset \"x\"\ninput {\n  a number\n  b number\n}\ntest \"a { b\" {\n  given a = 1,\n        b = 2\n  expect a = 1, b = 2\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn attributes_line_up_by_kind_and_continue_under_the_test() {
    let src = "ruleset \"x\"\ninput { s number }\ngrade g by s {\n  A >= 80 color \"green\" action \"a\"\n  B >= 60 action \"b\"\n  C >= 10 color \"grey\"   action \"c\"\n  D otherwise\n color \"red\"\n}\n";
    // `otherwise` is the last cell of its line: it does not widen the column of the tests.
    let want = "ruleset \"x\"\ninput {\n  s number\n}\ngrade g by s {\n  A >= 80  color \"green\"  action \"a\"\n  B >= 60                 action \"b\"\n  C >= 10  color \"grey\"   action \"c\"\n  D otherwise\n    color \"red\"\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn consecutive_lets_and_tags_line_up_until_a_blank_line() {
    let src = "ruleset \"x\"\ninput { a number }\nlet b = a\nlet 长名字 = a\n\nlet c = a\ntag t when a > 1\ntag 长标签 when a > 2 color \"red\"\n";
    let want = "ruleset \"x\"\ninput {\n  a number\n}\nlet b      = a\nlet 长名字 = a\n\nlet c = a\ntag t      when a > 1\ntag 长标签 when a > 2  color \"red\"\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn adjust_bounds_round_trip() {
    let src = "ruleset \"x\"\nscale 风险 { 正常 > 关注 > 次级 }\ninput { 上期 grade(风险)  a bool  b bool }\nadjust 本期 from 上期 {\nup 1 when a\n      up to 关注   when a and\nb\n down to 次级 when b\n}\n";
    let want = "ruleset \"x\"\nscale 风险 { 正常 > 关注 > 次级 }\ninput {\n  上期 grade(风险)\n  a    bool\n  b    bool\n}\nadjust 本期 from 上期 {\n  up 1         when a\n  up to 关注   when a and b\n  down to 次级 when b\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn a_matrix_lines_up_under_its_column_keys() {
    let src = "ruleset \"x\"\ninput { 级 enum { 三级, 二级 }  职称 enum { 副主任及以上, 主治 } }\nlet 分 = matrix 级, 职称 {\n副主任及以上 主治\n三级: 9 8\n二级: 10 5\n}\n";
    let want = "ruleset \"x\"\ninput {\n  级   enum { 三级, 二级 }\n  职称 enum { 副主任及以上, 主治 }\n}\nlet 分 = matrix 级, 职称 {\n        副主任及以上  主治\n  三级: 9             8\n  二级: 10            5\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn comments_stay_where_they_were() {
    let src = "# head\n\nruleset \"x\"  # after header\ninput {  # after brace\n  # before a\n  a number   # after a\n  # last\n\n}\n\n\n# before let\nlet b = a +   # mid\n  1\n# end\n";
    // Trailing comments line up over lines of code (the header and `input {`), not across a
    // comment on a line of its own.
    let want = "# head\n\nruleset \"x\"  # after header\ninput {      # after brace\n  # before a\n  a number  # after a\n  # last\n}\n\n# before let\nlet b = a + 1  # mid\n# end\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn crlf_and_byte_order_mark_are_kept() {
    let src = "\u{FEFF}ruleset \"x\"\r\ninput {\r\n a  number  # c\r\n}\r\n";
    assert_eq!(
        fmt(src),
        "\u{FEFF}ruleset \"x\"\r\ninput {\r\n  a number  # c\r\n}\r\n"
    );
}

#[test]
fn a_half_typed_file_gives_its_parse_errors() {
    for src in [
        "ruleset \"x\"\ninput {\n  a number\n",
        "ruleset",
        "",
        "grade g by {",
    ] {
        let errors = format_source(&SourceFile::new("t.tier", src)).unwrap_err();
        assert!(!errors.is_empty());
        assert!(
            errors.iter().all(|d| d.code != Code::FmtChangedMeaning),
            "{src:?}"
        );
    }
}

#[test]
fn comments_skip_strings() {
    assert_eq!(
        comments("a \"#x\\\"#\" # one\n# two  \nb"),
        vec!["# one", "# two"]
    );
}
