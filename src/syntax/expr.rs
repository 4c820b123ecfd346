//! Lowering of expressions, the special forms (`linear`, `bands`, `match`, `matrix`) and literals.

use super::literal;
use super::lower::{cmp_op, dummy_expr, kids, missing_literal, Lower};
use super::{Pair, Rule};
use crate::ast::*;
use crate::diagnostic::Code;
use crate::limits::{MAX_EXPRESSION_DEPTH, MAX_NESTING};
use crate::source::Span;

impl Lower<'_> {
    /// Lowers any expression-level pair (`expr`, `or_expr`, ..., `primary` alternatives).
    pub(super) fn expr(&mut self, p: Pair<'_>) -> Expr {
        // Descend through single-child precedence levels without recursing.
        let mut p = p;
        loop {
            let rule = p.as_rule();
            let passthrough = matches!(
                rule,
                Rule::expr
                    | Rule::or_expr
                    | Rule::and_expr
                    | Rule::not_expr
                    | Rule::cmp_expr
                    | Rule::coalesce
                    | Rule::sum
                    | Rule::product
                    | Rule::unary
            );
            if !passthrough {
                break;
            }
            let mut inner = p.clone().into_inner();
            let (Some(first), None) = (inner.next(), inner.next()) else {
                break;
            };
            if is_operator_token(first.as_rule()) {
                break;
            }
            p = first;
        }
        let span = self.span(&p);
        // Deep input is refused rather than risking the stack (limits.rs says how deep).
        let limit = if self.depth > MAX_NESTING {
            Some(Code::LimitNesting)
        } else if self.tree_depth > MAX_EXPRESSION_DEPTH {
            Some(Code::LimitExpression)
        } else {
            None
        };
        if let Some(code) = limit {
            // Once per parse: every enclosing level would say the same.
            if !self.errors.iter().any(|e| e.code == code) {
                let d = if code == Code::LimitNesting {
                    crate::limits::too_deep(
                        self.source,
                        span,
                        &format!("level {} starts here", MAX_NESTING + 1),
                    )
                } else {
                    crate::limits::too_long(self.source, span)
                };
                self.errors.push(d);
            }
            return dummy_expr(span);
        }
        self.depth += 1;
        self.tree_depth += 1;
        let kind = self.expr_kind(p, span);
        self.depth -= 1;
        self.tree_depth -= 1;
        Expr { kind, span }
    }

    fn expr_kind(&mut self, p: Pair<'_>, span: Span) -> ExprKind {
        match p.as_rule() {
            Rule::if_expr => {
                let mut k = kids(p).into_iter().map(|e| self.expr(e));
                let mut next = || Box::new(k.next().unwrap_or_else(|| dummy_expr(span)));
                ExprKind::If {
                    cond: next(),
                    then: next(),
                    otherwise: next(),
                }
            }
            Rule::or_expr => self.fold(p, |_| Some(BinOp::Or)),
            Rule::and_expr => self.fold(p, |_| Some(BinOp::And)),
            Rule::coalesce => self.fold(p, |_| Some(BinOp::Coalesce)),
            Rule::sum | Rule::product => self.fold(p, |op| match op {
                "+" => Some(BinOp::Add),
                "-" => Some(BinOp::Sub),
                "*" | "×" => Some(BinOp::Mul),
                "/" | "÷" => Some(BinOp::Div),
                _ => None,
            }),
            Rule::not_expr | Rule::unary => {
                let op = if p.as_rule() == Rule::not_expr {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                let operand = p
                    .into_inner()
                    .find(|c| !matches!(c.as_rule(), Rule::kw_not | Rule::neg_op));
                let operand = match operand {
                    Some(o) => self.expr(o),
                    None => dummy_expr(span),
                };
                ExprKind::Unary(op, Box::new(operand))
            }
            Rule::cmp_expr => self.comparison(p, span),
            Rule::literal => ExprKind::Lit(self.literal(p)),
            Rule::as_of => ExprKind::AsOf,
            Rule::paren => match kids(p).into_iter().next() {
                Some(e) => self.expr(e).kind,
                None => ExprKind::Lit(missing_literal(span)),
            },
            Rule::call => {
                let mut func = None;
                let mut args = Vec::new();
                for c in kids(p) {
                    match c.as_rule() {
                        Rule::call_name => func = Some(self.ident(&c)),
                        _ => args.push(self.expr(c)),
                    }
                }
                ExprKind::Call {
                    func: func.unwrap_or_else(|| self.dummy_ident(span)),
                    args,
                }
            }
            Rule::aggregate => ExprKind::Aggregate(Box::new(self.aggregate(p, span))),
            Rule::path => {
                let mut parts = p.into_inner().map(|i| self.ident(&i));
                let a = parts.next().unwrap_or_else(|| self.dummy_ident(span));
                let b = parts.next().unwrap_or_else(|| self.dummy_ident(span));
                ExprKind::Path(a, b)
            }
            Rule::name | Rule::ident => {
                let ident = match p.as_rule() {
                    Rule::name => p.into_inner().next().map(|i| self.ident(&i)),
                    _ => Some(self.ident(&p)),
                };
                ExprKind::Name(ident.unwrap_or_else(|| self.dummy_ident(span)))
            }
            Rule::at_least => {
                let mut k = 0;
                let mut items = Vec::new();
                for c in kids(p) {
                    match c.as_rule() {
                        Rule::number_lit => k = self.whole(c, "`at_least`"),
                        _ => items.push(self.expr(c)),
                    }
                }
                ExprKind::AtLeast { k, items }
            }
            Rule::linear => {
                let mut k = kids(p).into_iter().map(|e| Box::new(self.expr(e)));
                let mut next = || k.next().unwrap_or_else(|| Box::new(dummy_expr(span)));
                let (input, from, to) = (next(), next(), next());
                let points = match (k.next(), k.next()) {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => None,
                };
                ExprKind::Linear(Linear {
                    input,
                    from,
                    to,
                    points,
                })
            }
            Rule::bands => ExprKind::Bands(self.bands(p, span)),
            Rule::match_expr => ExprKind::Match(self.match_expr(p, span)),
            Rule::matrix => ExprKind::Matrix(self.matrix(p, span)),
            Rule::neg_cell => {
                let operand = p.into_inner().find(|c| c.as_rule() == Rule::literal);
                let operand = match operand {
                    Some(o) => self.expr(o),
                    None => dummy_expr(span),
                };
                ExprKind::Unary(UnOp::Neg, Box::new(operand))
            }
            other => {
                self.error(span, format!("unexpected expression ({other:?})"), "here");
                ExprKind::Lit(missing_literal(span))
            }
        }
    }

    /// `sum(订单.金额 within 12 months where 状态 = 已完成)`
    fn aggregate(&mut self, p: Pair<'_>, span: Span) -> Aggregate {
        let mut agg = Aggregate {
            func: AggFunc::Count,
            func_span: span,
            events: self.dummy_ident(span),
            field: None,
            window: None,
            filter: None,
        };
        for c in kids(p) {
            match c.as_rule() {
                Rule::agg_of_field | Rule::agg_of_events => {
                    agg.func_span = self.span(&c);
                    agg.func = AggFunc::from_name(c.as_str()).unwrap_or(AggFunc::Count);
                }
                Rule::path => {
                    let mut parts = c.into_inner().map(|i| self.ident(&i));
                    if let Some(e) = parts.next() {
                        agg.events = e;
                    }
                    agg.field = parts.next();
                }
                Rule::name => {
                    if let Some(i) = c.into_inner().next() {
                        agg.events = self.ident(&i);
                    }
                }
                Rule::agg_window => {
                    let wspan = self.span(&c);
                    let mut inner = c.into_inner().filter(|x| x.as_rule() != Rule::kw_within);
                    agg.window = match inner.next() {
                        Some(x) if x.as_rule() == Rule::kw_this => {
                            let period = match inner.next().map(|p| p.as_str().to_string()) {
                                Some(p) if p == "week" => Period::Week,
                                Some(p) if p == "year" => Period::Year,
                                _ => Period::Month,
                            };
                            Some(Window::This(period, wspan))
                        }
                        Some(d) => Some(Window::Last(self.literal_of(d))),
                        None => None,
                    };
                }
                Rule::agg_filter => {
                    agg.filter = kids(c).into_iter().next().map(|e| Box::new(self.expr(e)));
                }
                _ => {}
            }
        }
        agg
    }

    /// A left-associative chain `a op b op c`; `op_of` maps an operator's text to its [`BinOp`]
    /// (keyword operators are identified by the rule alone).
    fn fold(&mut self, p: Pair<'_>, op_of: impl Fn(&str) -> Option<BinOp>) -> ExprKind {
        let children: Vec<_> = p.into_inner().collect();
        // A chain of n operands nests the tree n - 1 levels deeper than its parts: count that
        // against the depth budget so later passes cannot overflow the stack.
        let operands = children
            .iter()
            .filter(|c| !is_operator_token(c.as_rule()))
            .count();
        let extra = operands.saturating_sub(1);
        self.tree_depth += extra;
        let mut acc: Option<Expr> = None;
        let mut pending: Option<BinOp> = None;
        for c in children {
            let rule = c.as_rule();
            if is_operator_token(rule) {
                pending = op_of(c.as_str());
                continue;
            }
            let rhs = self.expr(c);
            acc = Some(match acc {
                None => rhs,
                Some(lhs) => {
                    let span = lhs.span.to(rhs.span);
                    let op = pending.take().unwrap_or(BinOp::Add);
                    Expr {
                        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                        span,
                    }
                }
            });
        }
        self.tree_depth -= extra;
        match acc {
            Some(e) => e.kind,
            None => ExprKind::Lit(missing_literal(Span::default())),
        }
    }

    /// `a >= b`, `a is [not] missing`, `a [not] in {..}`.
    fn comparison(&mut self, p: Pair<'_>, span: Span) -> ExprKind {
        let mut inner = p.into_inner();
        let lhs = match inner.next() {
            Some(l) => self.expr(l),
            None => return ExprKind::Lit(missing_literal(span)),
        };
        let Some(suffix) = inner.next() else {
            return lhs.kind;
        };
        match suffix.as_rule() {
            Rule::cmp_op => {
                let op = cmp_op(suffix.as_str());
                let rhs = match inner.next() {
                    Some(r) => self.expr(r),
                    None => dummy_expr(span),
                };
                ExprKind::Binary(BinOp::Cmp(op), Box::new(lhs), Box::new(rhs))
            }
            Rule::is_missing => {
                let negated = suffix.into_inner().any(|c| c.as_rule() == Rule::kw_not);
                ExprKind::IsMissing {
                    expr: Box::new(lhs),
                    negated,
                }
            }
            _ => {
                let mut negated = false;
                let mut set = Vec::new();
                for c in suffix.into_inner() {
                    match c.as_rule() {
                        Rule::kw_not => negated = true,
                        Rule::expr => set.push(self.expr(c)),
                        _ => {}
                    }
                }
                ExprKind::In {
                    expr: Box::new(lhs),
                    set,
                    negated,
                }
            }
        }
    }

    fn bands(&mut self, p: Pair<'_>, span: Span) -> Bands {
        let mut bands = Bands {
            input: Box::new(dummy_expr(span)),
            order: BandOrder::Unspecified,
            arms: Vec::new(),
        };
        for c in kids(p) {
            match c.as_rule() {
                Rule::band_order => {
                    bands.order = match c.as_str() {
                        "increasing" => BandOrder::Increasing,
                        "decreasing" => BandOrder::Decreasing,
                        _ => BandOrder::Unordered,
                    }
                }
                Rule::band_arm => {
                    let arm = self.band_arm(c);
                    bands.arms.push(arm);
                }
                _ => bands.input = Box::new(self.expr(c)),
            }
        }
        bands
    }

    fn band_arm(&mut self, p: Pair<'_>) -> BandArm {
        let span = self.span(&p);
        let mut guard = BandGuard::Otherwise;
        let mut value = None;
        for c in kids(p) {
            match c.as_rule() {
                Rule::band_guard => guard = self.band_guard(c),
                _ => value = Some(self.expr(c)),
            }
        }
        BandArm {
            guard,
            value: value.unwrap_or_else(|| dummy_expr(span)),
            span,
        }
    }

    fn band_guard(&mut self, p: Pair<'_>) -> BandGuard {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let Some(first) = inner.next() else {
            return BandGuard::Otherwise;
        };
        match first.as_rule() {
            Rule::kw_missing => BandGuard::Missing,
            Rule::kw_otherwise => BandGuard::Otherwise,
            Rule::interval => {
                let mut lo_incl = true;
                let mut hi_incl = true;
                let mut ends = Vec::new();
                for c in first.into_inner() {
                    match c.as_rule() {
                        Rule::interval_open => lo_incl = c.as_str() == "[",
                        Rule::interval_close => hi_incl = c.as_str() == "]",
                        _ => ends.push(self.expr(c)),
                    }
                }
                let mut ends = ends.into_iter();
                let lo = ends.next().unwrap_or_else(|| dummy_expr(span));
                let hi = ends.next().unwrap_or_else(|| dummy_expr(span));
                BandGuard::Interval {
                    lo: Some(Bound {
                        value: lo,
                        inclusive: lo_incl,
                    }),
                    hi: Some(Bound {
                        value: hi,
                        inclusive: hi_incl,
                    }),
                }
            }
            _ => {
                let op = cmp_op(first.as_str());
                let value = match inner.next() {
                    Some(e) => self.expr(e),
                    None => dummy_expr(span),
                };
                let bound = |inclusive| {
                    Some(Bound {
                        value: value.clone(),
                        inclusive,
                    })
                };
                match op {
                    CmpOp::Ge => BandGuard::Interval {
                        lo: bound(true),
                        hi: None,
                    },
                    CmpOp::Gt => BandGuard::Interval {
                        lo: bound(false),
                        hi: None,
                    },
                    CmpOp::Le => BandGuard::Interval {
                        lo: None,
                        hi: bound(true),
                    },
                    CmpOp::Lt => BandGuard::Interval {
                        lo: None,
                        hi: bound(false),
                    },
                    CmpOp::Eq => BandGuard::Interval {
                        lo: bound(true),
                        hi: bound(true),
                    },
                    CmpOp::Ne => {
                        self.error(
                            span,
                            "a band cannot be `!=`; use an interval like `[a, b)` or `>= a`",
                            "not a band",
                        );
                        BandGuard::Otherwise
                    }
                }
            }
        }
    }

    fn match_expr(&mut self, p: Pair<'_>, span: Span) -> MatchExpr {
        let mut m = MatchExpr {
            input: Box::new(dummy_expr(span)),
            arms: Vec::new(),
        };
        for c in kids(p) {
            match c.as_rule() {
                Rule::match_arm => {
                    let aspan = self.span(&c);
                    let mut keys = MatchKeys::Otherwise;
                    let mut value = None;
                    for x in kids(c) {
                        match x.as_rule() {
                            Rule::match_keys => keys = self.match_keys(x),
                            _ => value = Some(self.expr(x)),
                        }
                    }
                    m.arms.push(MatchArm {
                        keys,
                        value: value.unwrap_or_else(|| dummy_expr(aspan)),
                        span: aspan,
                    });
                }
                _ => m.input = Box::new(self.expr(c)),
            }
        }
        m
    }

    fn match_keys(&mut self, p: Pair<'_>) -> MatchKeys {
        let inner: Vec<_> = p.into_inner().collect();
        match inner.first().map(|c| c.as_rule()) {
            Some(Rule::kw_missing) => MatchKeys::Missing,
            Some(Rule::kw_otherwise) => MatchKeys::Otherwise,
            _ => MatchKeys::Values(inner.into_iter().map(|e| self.expr(e)).collect()),
        }
    }

    fn matrix(&mut self, p: Pair<'_>, span: Span) -> Matrix {
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        let mut rows = Vec::new();
        for c in kids(p) {
            match c.as_rule() {
                Rule::matrix_col => {
                    if let Some(k) = c.into_inner().next() {
                        columns.push(self.matrix_key(k));
                    }
                }
                Rule::matrix_row => {
                    let rspan = self.span(&c);
                    let mut key = None;
                    let mut cells = Vec::new();
                    for x in kids(c) {
                        match x.as_rule() {
                            Rule::matrix_key => key = Some(self.matrix_key(x)),
                            _ => {
                                if let Some(cell) = x.into_inner().next() {
                                    cells.push(self.expr(cell));
                                }
                            }
                        }
                    }
                    rows.push(MatrixRow {
                        key: key.unwrap_or(MatrixKey::Otherwise(rspan)),
                        cells,
                        span: rspan,
                    });
                }
                _ => exprs.push(self.expr(c)),
            }
        }
        let mut exprs = exprs.into_iter();
        Matrix {
            row: Box::new(exprs.next().unwrap_or_else(|| dummy_expr(span))),
            col: Box::new(exprs.next().unwrap_or_else(|| dummy_expr(span))),
            columns,
            rows,
        }
    }

    fn matrix_key(&mut self, p: Pair<'_>) -> MatrixKey {
        let span = self.span(&p);
        match p.into_inner().next() {
            Some(k) if k.as_rule() == Rule::kw_otherwise => MatrixKey::Otherwise(span),
            Some(k) => MatrixKey::Value(self.expr(k)),
            None => MatrixKey::Otherwise(span),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Literals
    // -----------------------------------------------------------------------------------------

    /// A `literal` pair (or any of its alternatives) into a [`Literal`].
    pub(super) fn literal(&mut self, p: Pair<'_>) -> Literal {
        if p.as_rule() == Rule::literal {
            let span = self.span(&p);
            return match p.into_inner().next() {
                Some(inner) => self.literal_of(inner),
                None => missing_literal(span),
            };
        }
        self.literal_of(p)
    }

    /// One of `date_lit`, `duration_lit`, `number_lit`, `string`, `bool_lit`, `missing_lit`.
    pub(super) fn literal_of(&mut self, p: Pair<'_>) -> Literal {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let result: Result<LitKind, String> = match p.as_rule() {
            Rule::literal => return self.literal(p),
            Rule::date_lit => literal::date(&text).map(LitKind::Date),
            Rule::duration_lit => literal::duration(&text).map(LitKind::Duration),
            Rule::number_lit => {
                let mut digits = "";
                let mut scale = None;
                let mut unit = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::digits => digits = c.as_str(),
                        Rule::number_scale => scale = Some(c.as_str()),
                        Rule::number_unit => unit = Some(c.as_str()),
                        _ => {}
                    }
                }
                literal::number(digits, scale, unit)
                    .map(|(value, unit)| LitKind::Number { value, unit })
            }
            Rule::string => {
                let s = self.string(p);
                Ok(LitKind::Text(s.value))
            }
            Rule::bool_lit => Ok(LitKind::Bool(matches!(
                text.as_str(),
                "yes" | "true" | "是"
            ))),
            _ => Ok(LitKind::Missing),
        };
        let kind = match result {
            Ok(kind) => kind,
            Err(msg) => {
                self.error(span, msg, "this value");
                LitKind::Missing
            }
        };
        Literal { kind, text, span }
    }
}

/// Operator tokens inside a precedence level (skipped when folding operands).
fn is_operator_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_or
            | Rule::kw_and
            | Rule::kw_not
            | Rule::coalesce_op
            | Rule::add_op
            | Rule::mul_op
            | Rule::neg_op
    )
}
