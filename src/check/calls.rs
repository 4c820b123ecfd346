//! Built-in function calls: arity and argument types.

use super::{quote_list, Ctx, Ty};
use crate::ast::{Expr, ExprKind, Ident, LitKind, Literal};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::Unit;

/// The built-in functions: name, fewest and most arguments (`None`: any number).
const FUNCTIONS: &[(&str, usize, Option<usize>)] = &[
    ("days_since", 1, Some(1)),
    ("days_between", 2, Some(2)),
    ("months_since", 1, Some(1)),
    ("min", 1, None),
    ("max", 1, None),
    ("abs", 1, Some(1)),
    ("floor", 1, Some(1)),
    ("ceil", 1, Some(1)),
    ("round", 2, Some(2)),
    ("concat", 1, None),
    ("count_of", 1, None),
    ("year", 1, Some(1)),
    ("month", 1, Some(1)),
];

/// The names of the built-in functions and of the aggregates over events (the REPL and the
/// editor complete them).
pub(crate) fn function_names() -> impl Iterator<Item = &'static str> {
    let aggregates = crate::ast::AggFunc::ALL
        .iter()
        .map(|(_, name)| *name)
        .filter(|name| !FUNCTIONS.iter().any(|f| f.0 == *name));
    FUNCTIONS.iter().map(|f| f.0).chain(aggregates)
}

impl<'a> Ctx<'a> {
    /// `days_since(d)`, `round(x, 2)`, `min(a, b)`, ...: the function exists, takes this many
    /// arguments of these types; the result's type.
    pub(crate) fn infer_call(&mut self, span: Span, func: &Ident, args: &'a [Expr]) -> Ty {
        let Some(&(name, lo, hi)) = FUNCTIONS.iter().find(|f| f.0 == func.name) else {
            if let Some(agg) = crate::ast::AggFunc::from_name(&func.name) {
                // `sum(订单)`: an aggregate whose argument the grammar did not take.
                let d = self
                    .error(
                        Code::EventsAggregate,
                        format!("`{}` folds a field of events", func.name),
                    )
                    .with_label(span, "not an aggregate of a field")
                    .with_help(format!(
                        "name the events and the field: `{}(订单.金额 …)`",
                        agg.name()
                    ));
                self.push(d);
                return Ty::Unknown;
            }
            for a in args {
                self.infer(a, None);
            }
            let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
            let help = match crate::diagnostic::suggest(&func.name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the functions are {}", quote_list(&names)),
            };
            let d = self
                .error(
                    Code::NameUnknownFunction,
                    format!("unknown function `{}`", func.name),
                )
                .with_label(func.span, "no such function")
                .with_help(help);
            self.push(d);
            return Ty::Unknown;
        };
        // Infer every argument once; min/max let a bare label resolve against a graded argument.
        let mut tys = Vec::with_capacity(args.len());
        let mut hint = None;
        if matches!(name, "min" | "max") {
            let bare: Vec<bool> = args.iter().map(|a| self.is_bare_label(a)).collect();
            for (a, _) in args.iter().zip(&bare).filter(|(_, b)| !**b) {
                let t = self.infer(a, None);
                hint = hint.or(t.scale());
                tys.push((a, t));
            }
            for (a, _) in args.iter().zip(&bare).filter(|(_, b)| **b) {
                let t = self.infer(a, hint);
                tys.push((a, t));
            }
            tys.sort_by_key(|(a, _)| a.span.start);
        } else {
            for a in args {
                let t = self.infer(a, None);
                tys.push((a, t));
            }
        }
        let n = args.len();
        if n < lo || hi.is_some_and(|h| n > h) {
            let expected = match hi {
                Some(h) if h == lo => format!("{lo}"),
                Some(h) => format!("{lo} to {h}"),
                None => format!("at least {lo}"),
            };
            let example = match name {
                "round" => "`round(x, 2)`",
                "days_between" => "`days_between(签约日期, 回款日期)`",
                "min" | "max" | "concat" | "count_of" => "a list, e.g. `max(a, b)`",
                _ => "one argument, e.g. `days_since(最近联系)`",
            };
            let plural = |k: &str| if k == "1" { "argument" } else { "arguments" };
            let d = self
                .error(
                    Code::TypeArity,
                    format!("`{name}` takes {expected} {}, found {n}", plural(&expected)),
                )
                .with_label(span, format!("{n} {}", plural(&n.to_string())))
                .with_help(format!("write {example}"));
            self.push(d);
            return match name {
                "concat" => Ty::Text,
                "count_of" | "days_since" | "days_between" | "months_since" | "year" | "month" => {
                    Ty::PLAIN
                }
                _ => Ty::Unknown,
            };
        }
        match name {
            "days_since" | "days_between" | "months_since" | "year" | "month" => {
                for (a, t) in tys {
                    if t != Ty::Date && !t.is_open() {
                        let d = self
                            .type_error(a, t, &format!("`{name}` needs a date"))
                            .with_help("pass a date field or a date like `2026-06-30`");
                        self.push(d);
                    }
                }
                Ty::PLAIN
            }
            "abs" | "floor" | "ceil" | "round" => {
                let (a, t) = tys[0];
                if !t.is_num() && !t.is_open() {
                    let d = self
                        .type_error(a, t, &format!("`{name}` needs a number"))
                        .with_help(format!("`{name}` applies to numbers"));
                    self.push(d);
                    return Ty::Unknown;
                }
                if name == "round" {
                    let (digits, dt) = tys[1];
                    let ok = matches!(
                        &digits.kind,
                        ExprKind::Lit(Literal { kind: LitKind::Number { value, unit: Unit::Plain }, .. })
                            if value.fract().is_zero() && !value.is_sign_negative()
                    );
                    if !ok {
                        let d = self
                            .type_error(
                                digits,
                                dt,
                                "the decimals of `round` must be a whole number",
                            )
                            .with_help("write the number of decimals, e.g. `round(x, 2)`");
                        self.push(d);
                    }
                }
                match t {
                    Ty::Num { unit, lit } => Ty::Num { unit, lit },
                    other => other,
                }
            }
            "min" | "max" => {
                let mut acc = Ty::Missing;
                for (a, t) in tys {
                    match self.unify(acc, t) {
                        Ok(u) => acc = u,
                        Err(clash) => {
                            let d = self
                                .error(
                                    clash.code(),
                                    format!("the arguments of `{name}` do not fit together"),
                                )
                                .with_label(a.span, format!("this is {}", self.describe(t)))
                                .with_help(self.clash_help(acc, t));
                            self.push(d);
                            return Ty::Unknown;
                        }
                    }
                }
                if let Ty::Label(s) = acc {
                    if self.unranked_labels(s) {
                        let d = self.unranked_error(s, span, &format!("`{name}` needs an order"));
                        self.push(d);
                        return Ty::Unknown;
                    }
                    if !self.scales[s].ordered() {
                        let d = self
                            .error(
                                Code::TypeMismatch,
                                format!("the variants of `{}` have no order", self.scales[s].name),
                            )
                            .with_label(span, format!("`{name}` needs an order"))
                            .with_help("`min`/`max` work on numbers, dates and grade labels");
                        self.push(d);
                    }
                } else if matches!(acc, Ty::Text | Ty::Bool) {
                    let d = self
                        .error(
                            Code::TypeMismatch,
                            format!(
                                "`{name}` needs an order, but these are {}",
                                self.describe(acc)
                            ),
                        )
                        .with_label(span, format!("`{name}` of {}", self.describe(acc)))
                        .with_help("`min`/`max` work on numbers, dates and grade labels");
                    self.push(d);
                }
                acc
            }
            "concat" => Ty::Text,
            _ => {
                // count_of
                for (a, t) in tys {
                    self.expect_bool(a, t, "each argument of `count_of`");
                }
                Ty::PLAIN
            }
        }
    }
}
