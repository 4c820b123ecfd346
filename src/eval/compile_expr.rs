//! Expressions: AST → [`CExpr`], names to slots, bare labels to ranked labels.

use super::compile::{lit_value, Compiler};
use super::program::*;
use crate::ast::{self, BinOp, Expr, ExprKind, UnOp};
use crate::value::Value;

impl<'a> Compiler<'a> {
    /// Compiles an expression. A bare label takes the rank the checker resolved for it.
    pub(crate) fn expr(&mut self, e: &Expr) -> CExpr {
        let span = e.span;
        let b = |x: CExpr| Box::new(x);
        let kind = match &e.kind {
            ExprKind::Lit(l) => CKind::Const(lit_value(l)),
            ExprKind::Name(id) => match self.names.get(&id.name) {
                Some(slot) => CKind::Slot(*slot),
                None => CKind::Const(Value::Label(self.bare_label(id))),
            },
            ExprKind::Path(sc, comp) => {
                match self.components.get(&(sc.name.clone(), comp.name.clone())) {
                    Some(i) => CKind::Comp(*i),
                    None => {
                        let what = format!("`{}` has no component `{}`", sc.name, comp.name);
                        self.internal(span, what);
                        CKind::Const(Value::Missing)
                    }
                }
            }
            ExprKind::AsOf => CKind::AsOf,
            ExprKind::Unary(UnOp::Neg, x) => CKind::Neg(b(self.expr(x))),
            ExprKind::Unary(UnOp::Not, x) => CKind::Not(b(self.expr(x))),
            ExprKind::Binary(op, l, r) => match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                    let a = match op {
                        BinOp::Add => Arith::Add,
                        BinOp::Sub => Arith::Sub,
                        BinOp::Mul => Arith::Mul,
                        _ if is_scaled_literal(r) => Arith::DivScaled,
                        _ => Arith::Div,
                    };
                    CKind::Arith(a, b(self.expr(l)), b(self.expr(r)))
                }
                BinOp::And => CKind::And(b(self.expr(l)), b(self.expr(r))),
                BinOp::Or => CKind::Or(b(self.expr(l)), b(self.expr(r))),
                BinOp::Coalesce => CKind::Coalesce(b(self.expr(l)), b(self.expr(r))),
                BinOp::Cmp(op) => CKind::Cmp(*op, b(self.expr(l)), b(self.expr(r))),
            },
            ExprKind::IsMissing { expr, negated } => CKind::IsMissing(b(self.expr(expr)), *negated),
            ExprKind::In { expr, set, negated } => {
                let x = self.expr(expr);
                let set = set.iter().map(|s| self.expr(s)).collect();
                CKind::In(b(x), set, *negated)
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => CKind::If(
                b(self.expr(cond)),
                b(self.expr(then)),
                b(self.expr(otherwise)),
            ),
            ExprKind::Call { func, args } => match Func::from_name(&func.name) {
                Some(f) => CKind::Call(f, args.iter().map(|a| self.expr(a)).collect()),
                None => {
                    self.internal(func.span, format!("unknown function `{}`", func.name));
                    CKind::Const(Value::Missing)
                }
            },
            ExprKind::Aggregate(a) => match self.aggregate(a, span) {
                Some(slot) => CKind::Slot(slot),
                None => CKind::Const(Value::Missing),
            },
            ExprKind::AtLeast { k, items } => {
                CKind::AtLeast(*k, items.iter().map(|i| self.expr(i)).collect())
            }
            ExprKind::Linear(l) => {
                let from = self.expr(&l.from);
                let to = self.expr(&l.to);
                let points = l.points.as_ref().map(|(p, q)| (self.expr(p), self.expr(q)));
                CKind::Linear(Box::new(LinearC {
                    input: self.expr(&l.input),
                    fixed: LinearFixed::fold(&from, &to, points.as_ref()),
                    from,
                    to,
                    points,
                }))
            }
            ExprKind::Bands(bd) => {
                let input = self.expr(&bd.input);
                let arms = bd
                    .arms
                    .iter()
                    .map(|a| BandArmC {
                        guard: match &a.guard {
                            ast::BandGuard::Interval { lo, hi } => BandGuardC::Interval {
                                lo: lo.as_ref().map(|x| (self.expr(&x.value), x.inclusive)),
                                hi: hi.as_ref().map(|x| (self.expr(&x.value), x.inclusive)),
                            },
                            ast::BandGuard::Missing => BandGuardC::Missing,
                            ast::BandGuard::Otherwise => BandGuardC::Otherwise,
                        },
                        value: self.expr(&a.value),
                    })
                    .collect();
                CKind::Bands(Box::new(BandsC { input, arms }))
            }
            ExprKind::Match(m) => {
                let input = self.expr(&m.input);
                let arms = m
                    .arms
                    .iter()
                    .map(|a| {
                        let keys = match &a.keys {
                            ast::MatchKeys::Values(vs) => {
                                MatchKeysC::Values(vs.iter().map(|v| self.expr(v)).collect())
                            }
                            ast::MatchKeys::Missing => MatchKeysC::Missing,
                            ast::MatchKeys::Otherwise => MatchKeysC::Otherwise,
                        };
                        (keys, self.expr(&a.value), a.span)
                    })
                    .collect();
                CKind::Match(Box::new(MatchC { input, arms }))
            }
            ExprKind::Matrix(m) => {
                let row = self.expr(&m.row);
                let col = self.expr(&m.col);
                let columns = m
                    .columns
                    .iter()
                    .map(|k| match k {
                        ast::MatrixKey::Value(v) => Some(self.expr(v)),
                        ast::MatrixKey::Otherwise(_) => None,
                    })
                    .collect();
                let rows = m
                    .rows
                    .iter()
                    .map(|r| {
                        let key = match &r.key {
                            ast::MatrixKey::Value(v) => Some(self.expr(v)),
                            ast::MatrixKey::Otherwise(_) => None,
                        };
                        let cells = r.cells.iter().map(|c| self.expr(c)).collect();
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
