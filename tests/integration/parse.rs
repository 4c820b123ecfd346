//! Parser tests: fixtures (AST snapshots and error snapshots), the examples of
//! docs/LANGUAGE.md, and direct checks of literals and precedence.

use tier::ast::*;
use tier::diagnostic::{Code, RenderOptions};
use tier::source::SourceFile;
use tier::syntax::{parse, parse_expr, parse_items};

#[path = "parse/dump.rs"]
mod dump;
use dump::{dump_items, dump_ruleset};

fn src(text: &str) -> SourceFile {
    SourceFile::new("test.tier", text)
}

fn render(d: &[tier::diagnostic::Diagnostic]) -> String {
    tier::diagnostic::render(
        d,
        RenderOptions {
            color: false,
            width: 100,
        },
    )
}

/// A file with a `ruleset` header parses with `parse`, any other with `parse_items`.
fn parse_fixture(name: &str, text: &str) -> Result<String, Vec<tier::diagnostic::Diagnostic>> {
    let source = SourceFile::new(name, text);
    let whole_file = text.contains("\nruleset") || text.starts_with("# parse: ruleset");
    if text.trim_start().starts_with("ruleset") || whole_file {
        parse(&source).map(|rs| dump_ruleset(&rs))
    } else {
        parse_items(&source).map(|items| dump_items(&items))
    }
}

#[test]
fn fixtures_parse() {
    insta::glob!("../fixtures/parse", "*.tier", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let dump = parse_fixture(&name, &text)
            .unwrap_or_else(|d| panic!("{name} should parse:\n{}", render(&d)));
        insta::with_settings!({ description => text.as_str(), omit_expression => true }, {
            insta::assert_snapshot!(dump);
        });
    });
}

#[test]
fn fixtures_errors() {
    insta::glob!("../fixtures/parse/errors", "*.tier", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!("errors/{}", path.file_name().unwrap().to_string_lossy());
        let diags = match parse_fixture(&name, &text) {
            Ok(dump) => panic!("{name} should not parse, got:\n{dump}"),
            Err(d) => d,
        };
        assert!(diags
            .iter()
            .all(|d| d.code == Code::Syntax || d.code.as_str().starts_with("tier::limit::")));
        insta::with_settings!({ description => text.as_str(), omit_expression => true }, {
            insta::assert_snapshot!(render(&diags));
        });
    });
}

#[test]
fn s1_parses() {
    let text = std::fs::read_to_string("tests/fixtures/parse/s1_distributors.tier").unwrap();
    let rs = parse(&src(&text))
        .unwrap_or_else(|d| panic!("{}", tier::diagnostic::render(&d, Default::default())));
    assert_eq!(rs.name.value, "经销商综合评价");
    assert_eq!(rs.items.len(), 6);
}

/// Every ```tier block of docs/LANGUAGE.md parses: a whole ruleset, declarations, or (for the
/// expression examples) one expression per unindented line group.
#[test]
fn docs_examples_parse() {
    let doc = std::fs::read_to_string("docs/LANGUAGE.md").unwrap();
    let mut blocks = Vec::new();
    let mut rest = doc.as_str();
    while let Some(i) = rest.find("```tier\n") {
        let body = &rest[i + 8..];
        let end = body.find("```").expect("closed block");
        blocks.push(&body[..end]);
        rest = &body[end..];
    }
    assert!(blocks.len() >= 15, "found {} blocks", blocks.len());
    let render = |d: &[tier::diagnostic::Diagnostic]| {
        tier::diagnostic::render(
            d,
            tier::diagnostic::RenderOptions {
                color: false,
                width: 100,
            },
        )
    };
    for block in blocks {
        if block.trim_start().starts_with("ruleset") {
            parse(&src(block)).unwrap_or_else(|d| panic!("{block}\n{}", render(&d)));
            continue;
        }
        if parse_items(&src(block)).is_ok() {
            continue;
        }
        // Expression examples: each statement starts at the left margin (a `}` continues it).
        let mut stmts: Vec<String> = Vec::new();
        for line in block.lines() {
            let continues = line.starts_with([' ', '}']) || line.trim().is_empty();
            match stmts.last_mut() {
                Some(s) if continues => {
                    s.push('\n');
                    s.push_str(line);
                }
                _ => stmts.push(line.to_string()),
            }
        }
        for stmt in stmts {
            parse_expr(&src(&stmt)).unwrap_or_else(|d| panic!("{stmt}\n{}", render(&d)));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Direct checks
// ---------------------------------------------------------------------------------------------

fn expr(text: &str) -> Expr {
    parse_expr(&src(text)).unwrap_or_else(|d| panic!("{text}\n{}", render(&d)))
}

fn num(text: &str) -> (rust_decimal::Decimal, tier::value::Unit) {
    match expr(text).kind {
        ExprKind::Lit(Literal {
            kind: LitKind::Number { value, unit },
            text: t,
            ..
        }) => {
            assert_eq!(t, text, "Literal.text is the source text");
            (value, unit)
        }
        other => panic!("{text}: not a number literal: {other:?}"),
    }
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn syntax_error(text: &str) -> String {
    let diags = parse_expr(&src(text)).expect_err(text);
    assert!(diags.iter().all(|d| d.code == Code::Syntax), "{text}");
    diags
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn number_literals() {
    use tier::value::Unit;
    assert_eq!(num("200万"), (dec("2000000"), Unit::Plain));
    assert_eq!(num("1.2亿"), (dec("120000000"), Unit::Plain));
    assert_eq!(num("5千"), (dec("5000"), Unit::Plain));
    assert_eq!(num("12.5"), (dec("12.5"), Unit::Plain));
    assert_eq!(num("200万元"), (dec("2000000"), Unit::Money));
    assert_eq!(num("3500元"), (dec("3500"), Unit::Money));
    assert_eq!(num("92%"), (dec("0.92"), Unit::Percent));
    assert_eq!(num("0.5%"), (dec("0.005"), Unit::Percent));
    assert_eq!(num("3万㎡"), (dec("30000"), Unit::Area));
    assert_eq!(num("1500平方米"), (dec("1500"), Unit::Area));
    assert_eq!(num("500吨"), (dec("500"), Unit::Mass));
    assert_eq!(num("92%").0.to_string(), "0.92");
}

#[test]
fn duration_and_date_literals() {
    let dur = |text: &str| match expr(text).kind {
        ExprKind::Lit(Literal {
            kind: LitKind::Duration(d),
            ..
        }) => (d.months, d.days, d.hours, d.workdays),
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(dur("48h"), (0, 0, 48, 0));
    assert_eq!(dur("48 hours"), (0, 0, 48, 0));
    assert_eq!(dur("7 days"), (0, 7, 0, 0));
    assert_eq!(dur("7天"), (0, 7, 0, 0));
    assert_eq!(dur("2 weeks"), (0, 14, 0, 0));
    assert_eq!(dur("2周"), (0, 14, 0, 0));
    assert_eq!(dur("3 months"), (3, 0, 0, 0));
    assert_eq!(dur("3个月"), (3, 0, 0, 0));
    assert_eq!(dur("1 year"), (12, 0, 0, 0));
    assert_eq!(dur("1年"), (12, 0, 0, 0));
    assert_eq!(dur("5 workdays"), (0, 0, 0, 5));
    assert_eq!(dur("5工作日"), (0, 0, 0, 5));
    match expr("2026-06-30").kind {
        ExprKind::Lit(Literal {
            kind: LitKind::Date(d),
            ..
        }) => assert_eq!(d, jiff::civil::date(2026, 6, 30)),
        other => panic!("{other:?}"),
    }
    assert!(syntax_error("2026-02-30").contains("2026-02 has only 28 days"));
    assert!(syntax_error("1.5 days").contains("whole number"));
    assert!(syntax_error(&"9".repeat(40)).contains("too large"));
    assert!(syntax_error("99999999999999999999999999亿").contains("too large"));
}

#[test]
fn strings_and_booleans() {
    match expr(r#""a\"b\\c""#).kind {
        ExprKind::Lit(Literal {
            kind: LitKind::Text(t),
            ..
        }) => assert_eq!(t, "a\"b\\c"),
        other => panic!("{other:?}"),
    }
    for (text, value) in [
        ("yes", true),
        ("no", false),
        ("true", true),
        ("false", false),
        ("是", true),
        ("否", false),
    ] {
        assert!(
            matches!(expr(text).kind, ExprKind::Lit(Literal { kind: LitKind::Bool(b), .. }) if b == value),
            "{text}"
        );
    }
    assert!(matches!(
        expr("missing").kind,
        ExprKind::Lit(Literal {
            kind: LitKind::Missing,
            ..
        })
    ));
}

#[test]
fn keywords_respect_word_boundaries() {
    for name in [
        "是否新客",
        "否决",
        "android",
        "order",
        "island",
        "nothing",
        "tomorrow",
        "fromage",
        "into_x",
        "yes_no",
        "missing1",
        "score",
        "date",
        "grade",
        "week",
    ] {
        match expr(name).kind {
            ExprKind::Name(i) => assert_eq!(i.name, name),
            other => panic!("{name} should be a name, got {other:?}"),
        }
    }
    // `and` inside `android` is not an operator; the whole is one conjunction of two names.
    assert!(matches!(
        expr("android and order").kind,
        ExprKind::Binary(BinOp::And, _, _)
    ));
    let msg = syntax_error("from");
    assert!(msg.contains("found `from`"), "{msg}");
}

#[test]
fn precedence_follows_the_spec() {
    // not binds looser than comparisons: `not a = b` is `not (a = b)`.
    let e = expr("not a = b");
    let ExprKind::Unary(UnOp::Not, inner) = e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(
        inner.kind,
        ExprKind::Binary(BinOp::Cmp(CmpOp::Eq), _, _)
    ));
    // ?? is looser than + and tighter than comparisons.
    let e = expr("a ?? b + 1 >= 3");
    let ExprKind::Binary(BinOp::Cmp(CmpOp::Ge), l, _) = e.kind else {
        panic!()
    };
    let ExprKind::Binary(BinOp::Coalesce, _, r) = l.kind else {
        panic!()
    };
    assert!(matches!(r.kind, ExprKind::Binary(BinOp::Add, _, _)));
    // or is looser than and.
    assert!(matches!(
        expr("a and b or c").kind,
        ExprKind::Binary(BinOp::Or, _, _)
    ));
    // Subtraction is left-associative.
    let ExprKind::Binary(BinOp::Sub, l, _) = expr("5 - 2 - 1").kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Binary(BinOp::Sub, _, _)));
    assert!(matches!(expr("-3").kind, ExprKind::Unary(UnOp::Neg, _)));
}

#[test]
fn spans_are_byte_offsets_of_the_whole_file() {
    let text = "ruleset \"x\"\n# 注释\nlet 增长 = (销售额 - 上年) / 上年   # trailing\nlet b = 1\n";
    let rs = parse(&src(text)).unwrap();
    let Item::Let(l) = &rs.items[0] else { panic!() };
    assert_eq!(
        &text[l.span.start..l.span.end],
        "let 增长 = (销售额 - 上年) / 上年"
    );
    assert_eq!(&text[l.name.span.start..l.name.span.end], "增长");
    assert_eq!(
        &text[l.value.span.start..l.value.span.end],
        "(销售额 - 上年) / 上年"
    );
    let ExprKind::Binary(BinOp::Div, lhs, _) = &l.value.kind else {
        panic!()
    };
    assert_eq!(&text[lhs.span.start..lhs.span.end], "(销售额 - 上年)");
    assert_eq!(&text[rs.name.span.start..rs.name.span.end], "\"x\"");
}

#[test]
fn error_spans_cover_the_token_in_later_items() {
    let text = "ruleset \"x\"\nlet a = 1\nlet b = 1 +\ngrade g by a { A >= 1  B 2 }\n";
    let diags = parse(&src(text)).unwrap_err();
    assert_eq!(diags.len(), 2, "{}", render(&diags));
    let spans: Vec<&str> = diags
        .iter()
        .map(|d| {
            let s = d.span().unwrap();
            &text[s.start..s.end]
        })
        .collect();
    assert_eq!(spans, vec!["grade", "2"]);
    assert!(
        diags[0]
            .message
            .contains("found the next declaration `grade`"),
        "{}",
        diags[0].message
    );
}

#[test]
fn items_and_expressions_entry_points() {
    assert_eq!(parse_items(&src("")).unwrap(), vec![]);
    assert_eq!(
        parse_items(&src("  \n# only a comment\n\n")).unwrap(),
        vec![]
    );
    assert_eq!(parse_items(&src("let a = 1 let b = 2")).unwrap().len(), 2);
    assert!(parse_expr(&src("1 + 2 3")).is_err());
    assert!(parse_expr(&src("")).is_err());
    assert!(parse(&src("")).is_err());
    assert!(parse(&src("ruleset \"only header\""))
        .unwrap()
        .items
        .is_empty());
}

#[test]
fn matrix_cells_and_negative_bounds() {
    let ExprKind::Matrix(m) = expr("matrix a, b { x y  r1: 9 -3  r2: (1 + 2) -0.5 }").kind else {
        panic!()
    };
    assert_eq!(m.columns.len(), 2);
    assert_eq!(m.rows.len(), 2);
    assert_eq!(m.rows[0].cells.len(), 2, "`9 -3` is two cells");
    assert!(matches!(
        m.rows[0].cells[1].kind,
        ExprKind::Unary(UnOp::Neg, _)
    ));
    let ExprKind::Bands(b) = expr("bands x { [-5%, 0) -> 1  otherwise -> 0 }").kind else {
        panic!()
    };
    let BandGuard::Interval {
        lo: Some(lo),
        hi: Some(hi),
    } = &b.arms[0].guard
    else {
        panic!()
    };
    assert!(lo.inclusive && !hi.inclusive);
    assert!(matches!(lo.value.kind, ExprKind::Unary(UnOp::Neg, _)));
}

#[test]
fn whole_numbers_are_checked() {
    let bad = [
        (
            "scorecard s round 2.5 { a x }",
            "`round` needs a whole number",
        ),
        (
            "adjust a from b { up 1.5 when x }",
            "`up` needs a whole number",
        ),
        (
            "relative r = quantiles x into 5%",
            "`into` needs a whole number",
        ),
        (
            "let k = at_least 1.5 of (a, b)",
            "`at_least` needs a whole number",
        ),
        ("scorecard s { a 30 x  b 0.7 y }", "expected"),
        (
            "relative r = top x { A 20 B rest }",
            "a cut is a cumulative share",
        ),
        (
            "follow_up by g from d { A 2.5 per week }",
            "`per` needs a whole number",
        ),
    ];
    for (text, want) in bad {
        let diags = parse_items(&src(text)).expect_err(text);
        let all = render(&diags);
        assert!(all.contains(want), "{text}: {all}");
    }
}

/// Odd inputs and every truncation of every fixture: always a result, never a panic.
#[test]
fn never_panics() {
    let mut inputs: Vec<String> = [
        "",
        " ",
        "#",
        "\"",
        "\"\\",
        "ruleset",
        "ruleset \"",
        "ruleset \"x\" input {",
        "{{{{",
        "}}}}",
        "let = ",
        "let x = (((((",
        "let x = ))))",
        "let x = 1e40",
        "let x = 1..2",
        "let x = --",
        "let x = 2026-99-99",
        "let x = 9999-12-31 + 99999999999 years",
        "\u{FEFF}ruleset \"bom\"",
        "let x = 1\r\nlet y = 2\r\n",
        "let 变量 = \"未闭合",
        "let x = 0.",
        "let x = .5",
        "matrix",
        "bands x { [1, 2 -> 3 }",
        "match x { -> 1 }",
        "test \"t\" { expect }",
        "input { a enum { } }",
        "let x = 100000000000000000000000000000%",
        "let x = 7 days days",
        "grade g { }",
        "let x = 是否",
        "let x = 是 否",
        "relative r = pareto x {",
        "follow_up by g from d { A every }",
        "let x = a.b.c",
        "let x = f(",
        "let x = f(,)",
        "let x = ((1)",
        "１２",
        "let x = ¥3,500",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push(format!("let x = {}", "-".repeat(5000) + "1"));
    inputs.push(format!("let x = {}", "not ".repeat(5000) + "a"));
    inputs.push(format!("let x = {}1{}", "(".repeat(3000), ")".repeat(3000)));
    inputs.push(format!("let x = {}", vec!["1"; 2000].join(" + ")));
    inputs.push(format!("let x = {}", "9".repeat(100_000)));
    for entry in std::fs::read_dir("tests/fixtures/parse").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tier") {
            let text = std::fs::read_to_string(&path).unwrap();
            // The parser is slow in unoptimized test builds: sample cuts rather than take all.
            let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(47).collect();
            for (n, cut) in cuts.into_iter().enumerate() {
                inputs.push(text[..cut].to_string());
                // And the same text with a stray quote, brace or arrow at the cut.
                let stray = ["\"", "{", "}", "->", "(", "#"][n % 6];
                inputs.push(format!("{}{stray}{}", &text[..cut], &text[cut..]));
            }
        }
    }
    for input in &inputs {
        let source = src(input);
        for result in [
            parse(&source).err(),
            parse_items(&source).err(),
            parse_expr(&source).err(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(
                !result.is_empty(),
                "an error result carries diagnostics: {input:?}"
            );
            for d in &result {
                assert!(
                    d.code == Code::Syntax || d.code.as_str().starts_with("tier::limit::"),
                    "{}: {input:?}",
                    d.code
                );
                let span = d.span().expect("every syntax error has a span");
                assert!(
                    span.start <= span.end && span.end <= input.len(),
                    "{input:?}"
                );
                assert!(input.is_char_boundary(span.start) && input.is_char_boundary(span.end));
            }
            let _ = render(&result);
        }
    }
}

#[test]
fn help_for_common_slips() {
    let help = |text: &str| {
        let diags = parse_items(&src(text)).expect_err(text);
        diags[0].help.clone().unwrap_or_default()
    };
    assert!(help("let x = days_since (d)").contains("right after the name"));
    assert!(help("let x = max(a，b)").contains("half-width `,`"));
    assert!(help("let x = １２").contains("half-width digits"));
    assert!(help("let x = match y { A = > 1 }").contains("`->`"));
    assert!(help("input { in number }").contains("reserved word"));
}

/// The shipped industry rulesets (rulesets/*.tier) all parse.
#[test]
fn shipped_rulesets_parse() {
    let Ok(dir) = std::fs::read_dir("rulesets") else {
        return;
    };
    let mut failures = String::new();
    for entry in dir {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tier") {
            let source = SourceFile::read(&path).unwrap();
            if let Err(d) = parse(&source) {
                failures += &render(&d);
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn chained_comparisons_get_help() {
    let diags = parse_items(&src("let x = a >= 1 >= 2")).unwrap_err();
    assert!(diags[0]
        .help
        .as_deref()
        .unwrap_or("")
        .contains("do not chain"));
}

#[test]
fn byte_order_mark_and_crlf() {
    assert!(parse(&src(
        "\u{FEFF}ruleset \"bom\"\r\nlet a = 1\r\n# c\r\nlet b = \"x\"\r\n"
    ))
    .is_ok());
}

#[test]
fn misspelled_keywords_get_a_suggestion() {
    let help = |text: &str| {
        let diags = parse_items(&src(text)).expect_err(text);
        diags[0].help.clone().unwrap_or_default()
    };
    assert!(help("scorcard s { }").contains("`scorecard`"));
    let diags = parse(&src("rulset \"x\"")).unwrap_err();
    assert!(diags[0].help.as_deref().unwrap_or("").contains("`ruleset`"));
    assert!(help("input { a numbr }").contains("`number`"));
    assert!(help("follow_up by g from d { A evry 7 days }").contains("`every`"));
    assert!(help("grade g by x { A >= 1 B otherwize }").contains("`otherwise`"));
}

#[test]
fn very_long_or_deep_expressions_are_errors() {
    let codes = |text: &str| -> Vec<Code> {
        match parse_items(&src(text)) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(|d| d.code).collect(),
        }
    };
    let long = format!("let x = {}", vec!["1"; 1500].join(" + "));
    assert_eq!(codes(&long), [Code::LimitExpression]);
    // Chains inside chains add up.
    let inner = vec!["1"; 400].join(" + ");
    let nested = format!("let x = (({inner}) + {inner}) + {inner}");
    assert_eq!(codes(&nested), [Code::LimitExpression]);
    let chain = |n: usize| format!("let x = {}", vec!["1"; n].join(" + "));
    assert!(parse_items(&src(&chain(1_000))).is_ok());
    assert_eq!(codes(&chain(1_001)), [Code::LimitExpression]);
}

/// The limits of docs/LANGUAGE.md ("Limits"), each a located error with its own code, never a
/// crash: 100 levels of nesting, 65,536 characters a line, 16 MiB a ruleset.
#[test]
fn limits_are_located_errors() {
    let first = |text: &str| {
        let diags = parse_items(&src(text)).expect_err("over the limit");
        let d = diags[0].clone();
        let (_, line, column) = d.location().expect("located");
        (d.code, line, column, d.help.is_some())
    };
    let parens = |n: usize| format!("let x = {}1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse_items(&src(&parens(100))).is_ok());
    assert_eq!(first(&parens(101)), (Code::LimitNesting, 1, 109, true));
    // Far too deep for pest's recursion: refused before pest runs, at the same bracket.
    assert_eq!(first(&parens(30_000)), (Code::LimitNesting, 1, 109, true));
    let nots = |n: usize| format!("let x = {}yes", "not ".repeat(n));
    assert!(parse_items(&src(&nots(100))).is_ok());
    assert_eq!(first(&nots(101)).0, Code::LimitNesting);
    // Nesting without brackets, on many lines (no line is long): still an error, not a crash.
    assert_eq!(
        first(&format!("let x = {}yes", "not\n".repeat(50_000))).0,
        Code::LimitNesting
    );
    let line = |n: usize| format!("let x = 1\nlet y = 1 # {}\n", "x".repeat(n - 12));
    assert!(parse_items(&src(&line(65_536))).is_ok());
    assert_eq!(
        first(&line(65_537)),
        (Code::LimitLineLength, 2, 65_537, true)
    );
    let huge = format!("let x = 1\n{}", "# filler\n".repeat(2_000_000));
    assert_eq!(first(&huge).0, Code::LimitSize);
}
