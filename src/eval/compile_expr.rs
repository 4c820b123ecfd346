//! Expressions: AST → [`CExpr`], names to slots, bare labels to ranked labels.

use super::compile::{lit_value, Compiler};
use super::program::*;
use crate::ast::{self, BinOp, Expr, ExprKind, UnOp};
use crate::diagnostic::{Code, Diagnostic};
use crate::value::Value;

impl<'a> Compiler<'a> {
    /// Compiles an expression; `hint` is the scale bare labels are ranked on.
    pub(crate) fn expr(&mut self, e: &Expr, hint: Option<usize>) -> CExpr {
        let span = e.span;
        let b = |x: CExpr| Box::new(x);
        let kind = match &e.kind {
            ExprKind::Lit(l) => CKind::Const(lit_value(l)),
            ExprKind::Name(id) => match self.names.get(&id.name) {
                Some(slot) => CKind::Slot(*slot),
                None => CKind::Const(Value::Label(self.bare_label(&id.name, hint))),
            },
            ExprKind::Path(sc, comp) => {
                match self.components.get(&(sc.name.clone(), comp.name.clone())) {
                    Some(i) => CKind::Comp(*i),
                    None => {
                        self.errors.push(
                            Diagnostic::error(
                                Code::NameUnknown,
                                format!("`{}` has no component `{}`", sc.name, comp.name),
                            )
                            .in_source(self.source)
                            .with_label(span, "unknown scorecard component")
                            .with_help(
                                "write SCORECARD.COMPONENT with names declared in a scorecard",
                            ),
                        );
                        CKind::Const(Value::Missing)
                    }
                }
            }
            ExprKind::AsOf => CKind::AsOf,
            ExprKind::Unary(UnOp::Neg, x) => CKind::Neg(b(self.expr(x, hint))),
            ExprKind::Unary(UnOp::Not, x) => CKind::Not(b(self.expr(x, None))),
            ExprKind::Binary(op, l, r) => match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                    let a = match op {
                        BinOp::Add => Arith::Add,
                        BinOp::Sub => Arith::Sub,
                        BinOp::Mul => Arith::Mul,
                        _ if is_scaled_literal(r) => Arith::DivScaled,
                        _ => Arith::Div,
                    };
                    CKind::Arith(a, b(self.expr(l, None)), b(self.expr(r, None)))
                }
                BinOp::And => CKind::And(b(self.expr(l, None)), b(self.expr(r, None))),
                BinOp::Or => CKind::Or(b(self.expr(l, None)), b(self.expr(r, None))),
                BinOp::Coalesce => CKind::Coalesce(b(self.expr(l, hint)), b(self.expr(r, hint))),
                BinOp::Cmp(op) => {
                    let h = self.scale_of(l).or_else(|| self.scale_of(r));
                    CKind::Cmp(*op, b(self.expr(l, h)), b(self.expr(r, h)))
                }
            },
            ExprKind::IsMissing { expr, negated } => {
                CKind::IsMissing(b(self.expr(expr, None)), *negated)
            }
            ExprKind::In { expr, set, negated } => {
                let h = self.scale_of(expr);
                let x = self.expr(expr, h);
                let set = set.iter().map(|s| self.expr(s, h)).collect();
                CKind::In(b(x), set, *negated)
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => CKind::If(
                b(self.expr(cond, None)),
                b(self.expr(then, hint)),
                b(self.expr(otherwise, hint)),
            ),
            ExprKind::Call { func, args } => match Func::from_name(&func.name) {
                Some(f) => {
                    let h = if matches!(f, Func::Min | Func::Max) {
                        args.iter().find_map(|a| self.scale_of(a)).or(hint)
                    } else {
                        None
                    };
                    CKind::Call(f, args.iter().map(|a| self.expr(a, h)).collect())
                }
                None => {
                    self.errors.push(
                        Diagnostic::error(
                            Code::NameUnknownFunction,
                            format!("unknown function `{}`", func.name),
                        )
                        .in_source(self.source)
                        .with_label(func.span, "not a function of the language")
                        .with_help(
                            "functions: days_since, days_between, months_since, min, max, abs, \
                             floor, ceil, round, concat, count_of, year, month",
                        ),
                    );
                    CKind::Const(Value::Missing)
                }
            },
            ExprKind::AtLeast { k, items } => {
                CKind::AtLeast(*k, items.iter().map(|i| self.expr(i, None)).collect())
            }
            ExprKind::Linear(l) => {
                let from = self.expr(&l.from, None);
                let to = self.expr(&l.to, None);
                let points = l
                    .points
                    .as_ref()
                    .map(|(p, q)| (self.expr(p, None), self.expr(q, None)));
                CKind::Linear(Box::new(LinearC {
                    input: self.expr(&l.input, None),
                    fixed: LinearFixed::fold(&from, &to, points.as_ref()),
                    from,
                    to,
                    points,
                }))
            }
            ExprKind::Bands(bd) => {
                let h = self.scale_of(&bd.input);
                let input = self.expr(&bd.input, h);
                let arms = bd
                    .arms
                    .iter()
                    .map(|a| BandArmC {
                        guard: match &a.guard {
                            ast::BandGuard::Interval { lo, hi } => BandGuardC::Interval {
                                lo: lo.as_ref().map(|x| (self.expr(&x.value, h), x.inclusive)),
                                hi: hi.as_ref().map(|x| (self.expr(&x.value, h), x.inclusive)),
                            },
                            ast::BandGuard::Missing => BandGuardC::Missing,
                            ast::BandGuard::Otherwise => BandGuardC::Otherwise,
                        },
                        value: self.expr(&a.value, hint),
                    })
                    .collect();
                CKind::Bands(Box::new(BandsC { input, arms }))
            }
            ExprKind::Match(m) => {
                let h = self.scale_of(&m.input);
                let input = self.expr(&m.input, h);
                let arms = m
                    .arms
                    .iter()
                    .map(|a| {
                        let keys = match &a.keys {
                            ast::MatchKeys::Values(vs) => {
                                MatchKeysC::Values(vs.iter().map(|v| self.expr(v, h)).collect())
                            }
                            ast::MatchKeys::Missing => MatchKeysC::Missing,
                            ast::MatchKeys::Otherwise => MatchKeysC::Otherwise,
                        };
                        (keys, self.expr(&a.value, hint), a.span)
                    })
                    .collect();
                CKind::Match(Box::new(MatchC { input, arms }))
            }
            ExprKind::Matrix(m) => {
                let hr = self.scale_of(&m.row);
                let hc = self.scale_of(&m.col);
                let row = self.expr(&m.row, hr);
                let col = self.expr(&m.col, hc);
                let columns = m
                    .columns
                    .iter()
                    .map(|k| match k {
                        ast::MatrixKey::Value(v) => Some(self.expr(v, hc)),
                        ast::MatrixKey::Otherwise(_) => None,
                    })
                    .collect();
                let rows = m
                    .rows
                    .iter()
                    .map(|r| {
                        let key = match &r.key {
                            ast::MatrixKey::Value(v) => Some(self.expr(v, hr)),
                            ast::MatrixKey::Otherwise(_) => None,
                        };
                        let cells = r.cells.iter().map(|c| self.expr(c, hint)).collect();
                        (key, cells, r.span)
                    })
                    .collect();
                CKind::Matrix(Box::new(MatrixC {
                    row,
                    col,
                    columns,
                    rows,
                }))
            }
        };
        CExpr { kind, span }
    }
}

/// A plain number written with a scale suffix: `1万`, `1.2亿`, `5千`.
fn is_scaled_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(l) => {
            matches!(
                l.kind,
                ast::LitKind::Number {
                    unit: crate::value::Unit::Plain,
                    ..
                }
            ) && l.text.trim_end().ends_with(['万', '亿', '千'])
        }
        _ => false,
    }
}
