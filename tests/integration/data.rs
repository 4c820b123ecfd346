//! Data readers, cell parsing, column mapping and writers.
//!
//! Shared helpers live here; the tests are in `tests/integration/data/`.

use jiff::civil::date;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use tier::ast::{
    EnumVariant, Expr, ExprKind, Ident, InputField, LitKind, Literal, Scale, StrLit, TypeExpr,
    TypeKind,
};
use tier::data::{open, Cell, CellParser, InputFormat, RawRow, ReadOptions, RowSource};
use tier::diagnostic::Code;
use tier::source::Span;
use tier::value::{Label, Unit, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) fn ident(s: &str) -> Ident {
    Ident {
        name: s.into(),
        span: Span::default(),
    }
}

pub(crate) fn num_lit(text: &str, value: &str) -> Literal {
    Literal {
        kind: LitKind::Number {
            value: d(value),
            unit: Unit::Plain,
        },
        text: text.into(),
        span: Span::default(),
    }
}

pub(crate) fn field(kind: TypeKind) -> InputField {
    InputField {
        name: ident("f"),
        ty: TypeExpr {
            kind,
            span: Span::default(),
        },
        optional: false,
        range: None,
        columns: vec![],
        default: None,
        span: Span::default(),
    }
}

pub(crate) fn parser(kind: TypeKind) -> CellParser {
    CellParser::new(&field(kind), None)
}

pub(crate) fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

pub(crate) fn parse(kind: TypeKind, cell: &str) -> Result<Value, String> {
    parser(kind).parse(&text(cell))
}

pub(crate) fn money(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Money))
}

pub(crate) fn pct(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Percent))
}

pub(crate) fn plain(v: &str) -> Result<Value, String> {
    Ok(Value::Number(d(v), Unit::Plain))
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data")
        .join(name)
}

/// Reads a whole source: headers, rows (as text) and row errors.
pub(crate) fn read_all(
    src: Box<dyn RowSource>,
) -> (Vec<String>, Vec<RawRow>, Vec<tier::data::RowError>) {
    let headers = src.headers().to_vec();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for r in src {
        match r {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    (headers, rows, errors)
}

pub(crate) fn texts(row: &RawRow) -> Vec<String> {
    row.cells.iter().map(Cell::to_text).collect()
}

pub(crate) fn customer_type() -> TypeKind {
    let v = |name: &str, syn: &[&str]| EnumVariant {
        name: ident(name),
        synonyms: syn
            .iter()
            .map(|s| StrLit {
                value: s.to_string(),
                span: Span::default(),
            })
            .collect(),
        span: Span::default(),
    };
    TypeKind::Enum(vec![
        v("加盟商", &["加盟", "加盟店"]),
        v("OEM商", &["OEM"]),
        v("普通商", &[]),
    ])
}

#[path = "data/cells.rs"]
mod cells;
#[path = "data/mapping.rs"]
mod mapping;
#[path = "data/readers.rs"]
mod readers;
#[path = "data/rulesets.rs"]
mod rulesets;
#[path = "data/writers.rs"]
mod writers;
