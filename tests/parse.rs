//! Parser tests: fixtures (AST snapshots and error snapshots), the examples of
//! docs/LANGUAGE.md, and direct checks of literals and precedence.

use tier::ast::*;
use tier::source::SourceFile;
use tier::syntax::{parse, parse_expr, parse_items};

fn src(text: &str) -> SourceFile {
    SourceFile::new("test.tier", text)
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
