//! Name resolution and type inference for expressions.
//!
//! Resolution rule (the evaluator uses it too): a bare name is a declared name (input, let,
//! grade, scorecard, relative, adjust) if one exists; otherwise it must be a label valid in its
//! position (compared with, matched against or listed with a value of a grade scale or enum),
//! else it is unknown. Every expression is inferred exactly once, so each problem is reported once.

use super::types::{div_units, mul_units, unify_units, Clash};
use super::{bands, grades, quote_list, Ctx, LetState, ScaleId, ScaleKind, SymKind, Ty};
use crate::ast::{BinOp, CmpOp, Expr, ExprKind, Ident, Item, LitKind, Literal, UnOp};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::value::Unit;

/// Infers every declaration body: lets, scorecards, grades, tags, adjustments, relatives and
/// schedules. (Inputs' defaults and tests are checked by their own passes.)
pub(crate) fn check_bodies(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    for item in &rs.items {
        match item {
            Item::Let(decl) => {
                cx.let_type(&decl.name.name);
            }
            Item::Scorecard(sc) => {
                cx.current = Some(sc.name.name.clone());
                for c in &sc.components {
                    let t = cx.infer(&c.expr, None);
                    cx.expect_points(&c.expr, t, "a component's points");
                    if let Some(m) = &c.on_missing {
                        let t = cx.infer(m, None);
                        cx.expect_points(m, t, "the points for a missing value");
                    }
                }
                cx.current = None;
            }
            Item::Grade(g) => {
                cx.current = Some(g.name.name.clone());
                grades::check_grade(cx, g);
                cx.current = None;
            }
            Item::Tag(t) => {
                let ty = cx.infer(&t.when, None);
                cx.expect_bool(&t.when, ty, "a tag's condition");
                cx.never_holds(&t.when, "this tag is never attached");
            }
            Item::Adjust(a) => {
                cx.current = Some(a.name.name.clone());
                for arm in &a.arms {
                    let ty = cx.infer(&arm.when, None);
                    cx.expect_bool(&arm.when, ty, "an adjustment's condition");
                    cx.never_holds(&arm.when, "this adjustment never applies");
                }
                cx.current = None;
            }
            Item::Relative(r) => {
                cx.current = Some(r.name.name.clone());
                let t = cx.infer(&r.input, None);
                if !t.is_num() && !t.is_open() {
                    let d = cx
                        .type_error(&r.input, t, "a relative grade ranks by a number")
                        .with_help(
                            "rank by a number, e.g. `pareto 销售额 { A 65%  B 85%  C rest }`",
                        );
                    cx.push(d);
                }
                if let Some(per) = &r.per {
                    cx.infer(per, None);
                }
                cx.current = None;
            }
            Item::Schedule(s) => {
                let t = cx.infer(&s.from, None);
                if t != Ty::Date && !t.is_open() {
                    let d = cx
                        .type_error(&s.from, t, "`from` must be a date (the last contact)")
                        .with_help("name a date field, e.g. `from 最近联系` with `最近联系 date?`");
                    cx.push(d);
                }
                for arm in &s.arms {
                    if let Some(w) = &arm.when {
                        let ty = cx.infer(w, None);
                        cx.expect_bool(w, ty, "a cadence's condition");
                        cx.never_holds(w, "this cadence is never used");
                    }
                }
            }
            _ => {}
        }
    }
}

/// The type of a literal as written.
pub(crate) fn lit_type(l: &Literal) -> Ty {
    match &l.kind {
        LitKind::Number { unit, .. } => Ty::Num {
            unit: *unit,
            lit: *unit == Unit::Plain,
        },
        LitKind::Date(_) => Ty::Date,
        LitKind::Duration(_) => Ty::Duration,
        LitKind::Text(_) => Ty::Text,
        LitKind::Bool(_) => Ty::Bool,
        LitKind::Missing => Ty::Missing,
    }
}

fn is_missing_lit(e: &Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Lit(Literal {
            kind: LitKind::Missing,
            ..
        })
    )
}

impl<'a> Ctx<'a> {
    /// The type of a `let`, inferring its body on first use (a `let` may use one declared later).
    pub fn let_type(&mut self, name: &str) -> Ty {
        match self.lets.get(name) {
            Some(LetState::Done(t)) => *t,
            // A cycle: reported by the cycle pass.
            Some(LetState::Busy) | None => Ty::Unknown,
            Some(LetState::Todo) => {
                let Some(SymKind::Let(decl)) = self.symbol(name).map(|s| s.kind) else {
                    return Ty::Unknown;
                };
                self.lets.insert(name.to_string(), LetState::Busy);
                let saved = self.current.replace(name.to_string());
                let t = self.infer(&decl.value, None);
                self.current = saved;
                self.lets.insert(name.to_string(), LetState::Done(t));
                t
            }
        }
    }

    /// The type of a declared name's value.
    pub fn symbol_type(&mut self, name: &str) -> Ty {
        let Some(sym) = self.symbol(name) else {
            return Ty::Unknown;
        };
        let label = |cx: &Self| {
            cx.value_scale
                .get(name)
                .map_or(Ty::Unknown, |&s| Ty::Label(s))
        };
        match sym.kind {
            SymKind::Input(f) => field_type(&f.ty.kind).unwrap_or_else(|| label(self)),
            SymKind::Let(_) => self.let_type(name),
            SymKind::Scorecard(_) => Ty::PLAIN,
            SymKind::Grade | SymKind::Adjust => label(self),
            SymKind::Relative(r) => match r.method {
                crate::ast::RelMethod::Quantiles { .. } => Ty::PLAIN,
                _ => label(self),
            },
        }
    }

    /// Resolves a name to a declaration: marks it used and records the reference for cycles.
    pub fn resolve(&mut self, id: &Ident) -> Option<Ty> {
        self.symbol(&id.name)?;
        self.refer(id);
        self.used.insert(id.name.clone());
        if let Some(from) = &self.current {
            self.edges.push(super::Edge {
                from: from.clone(),
                to: id.name.clone(),
                span: id.span,
            });
        }
        Some(self.symbol_type(&id.name))
    }

    /// A bare name that is not declared: it can only be a label.
    pub fn is_bare_label(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Name(id) if self.symbol(&id.name).is_none())
    }

    /// Infers a value that meets another of type `other`: a bare label resolves against its
    /// labels, and is not reported when `other` is unknown (its error is already reported).
    pub fn infer_against(&mut self, e: &'a Expr, other: Ty) -> Ty {
        if other == Ty::Unknown && self.is_bare_label(e) {
            return Ty::Unknown;
        }
        self.infer(e, other.scale())
    }

    /// Infers an expression. `hint` is the label set valid at this position: a bare name that is
    /// not declared resolves to one of its labels.
    pub fn infer(&mut self, e: &'a Expr, hint: Option<ScaleId>) -> Ty {
        match &e.kind {
            ExprKind::Lit(l) => lit_type(l),
            ExprKind::Name(id) => self.infer_name(id, hint),
            ExprKind::Path(sc, comp) if self.event_scope.is_some() => {
                // A `where` sees one event's fields; a scorecard's points are the customer's.
                let d = self
                    .error(
                        Code::EventsFilter,
                        format!(
                            "`{}.{}` is not a field of these events: a `where` looks at one event at a time",
                            sc.name, comp.name
                        ),
                    )
                    .with_label(e.span, "a value of the customer")
                    .with_help("compare the aggregate with it outside the aggregate");
                self.push(d);
                Ty::Unknown
            }
            ExprKind::Path(sc, comp) => self.infer_path(sc, comp),
            ExprKind::AsOf => Ty::Date,
            ExprKind::Unary(UnOp::Neg, x) => {
                let t = self.infer(x, None);
                match t {
                    Ty::Num { .. } | Ty::Duration | Ty::Unknown | Ty::Missing => t,
                    _ => {
                        let d = self
                            .type_error(x, t, "only a number can be negated")
                            .with_help("`-` applies to numbers and durations");
                        self.push(d);
                        Ty::Unknown
                    }
                }
            }
            ExprKind::Unary(UnOp::Not, x) => {
                let t = self.infer(x, None);
                self.expect_bool(x, t, "the operand of `not`");
                Ty::Bool
            }
            ExprKind::Binary(op, l, r) => self.infer_binary(e, *op, l, r, hint),
            ExprKind::IsMissing { expr, .. } => {
                self.infer(expr, None);
                Ty::Bool
            }
            ExprKind::In { expr, set, .. } => {
                let t = self.infer(expr, None);
                for item in set {
                    let it = self.infer_against(item, t);
                    if let Err(clash) = self.unify(t, it) {
                        let d = self.clash(
                            clash,
                            "a value in `in { .. }` does not fit",
                            item,
                            it,
                            expr,
                            t,
                        );
                        self.push(d);
                    }
                }
                Ty::Bool
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                // `if a then X else if b then Y else Z` is one choice among X, Y and Z: the
                // branches of the whole chain meet as one set (bare labels make one scale).
                let mut values: Vec<&'a Expr> = vec![then];
                let t = self.infer(cond, None);
                self.expect_bool(cond, t, "the condition of `if`");
                let mut rest: &'a Expr = otherwise;
                while let ExprKind::If {
                    cond,
                    then,
                    otherwise,
                } = &rest.kind
                {
                    let t = self.infer(cond, None);
                    self.expect_bool(cond, t, "the condition of `if`");
                    values.push(then);
                    rest = otherwise;
                }
                values.push(rest);
                self.infer_values(&values, hint, "the branches of this `if`")
            }
            ExprKind::Call { func, args } => self.infer_call(e.span, func, args),
            ExprKind::AtLeast { k, items } => {
                for it in items {
                    let t = self.infer(it, None);
                    self.expect_bool(it, t, "each condition of `at_least`");
                }
                let n = items.len();
                let k = *k as usize;
                if k == 0 || k > n {
                    let what = if k == 0 {
                        "always holds"
                    } else {
                        "can never hold"
                    };
                    let d = self
                        .error(
                            Code::AtLeastCount,
                            format!("`at_least {k} of` {n} conditions {what}"),
                        )
                        .with_label(e.span, format!("{k} of {n}"))
                        .with_help(format!(
                            "K must be between 1 and {n}, the number of conditions"
                        ));
                    self.push(d);
                }
                Ty::Bool
            }
            ExprKind::Linear(l) => bands::infer_linear(self, l),
            ExprKind::Bands(b) => bands::infer_bands(self, b, hint),
            ExprKind::Match(m) => grades::infer_match(self, m, hint),
            ExprKind::Matrix(m) => grades::infer_matrix(self, m, hint),
            ExprKind::Aggregate(a) => self.infer_aggregate(e.span, a),
        }
    }

    fn infer_name(&mut self, id: &Ident, hint: Option<ScaleId>) -> Ty {
        if let Some(ev) = self.event_scope {
            return self.infer_event_name(ev, id, hint);
        }
        if let Some(t) = self.resolve(id) {
            return t;
        }
        if let Some(s) = hint {
            return self.label_of(id, s);
        }
        self.unknown_name(id);
        Ty::Unknown
    }

    /// `tier::name::unknown`, with a did-you-mean over the declared names.
    pub fn unknown_name(&mut self, id: &Ident) {
        let help = if let Some(s) = self.suggest_name(&id.name, None) {
            format!("did you mean `{s}`?")
        } else if let Some(sc) = self.scales.iter().find(|s| s.contains(&id.name)) {
            format!(
                "`{}` is a label of {}; a label needs a value to compare with, e.g. `{} = {}`",
                id.name, sc.name, sc.name, id.name
            )
        } else {
            "declare it as an input field, or define it with `let`".to_string()
        };
        let d = self
            .error(Code::NameUnknown, format!("unknown name `{}`", id.name))
            .with_label(id.span, "not declared")
            .with_help(help);
        self.push(d);
    }

    /// `tier::name::unknown_label`: a bare name that is not a label of the set it is compared with.
    /// `id` as a label of scale `s` (recorded for the editor), or `tier::name::unknown` with the
    /// scale's labels when it is not one.
    pub(crate) fn label_of(&mut self, id: &Ident, s: ScaleId) -> Ty {
        if self.scales[s].contains(&id.name) {
            self.label_scale.insert(id.span, s);
            return Ty::Label(s);
        }
        self.unknown_label(id, s);
        Ty::Unknown
    }

    pub fn unknown_label(&mut self, id: &Ident, scale: ScaleId) {
        let sc = &self.scales[scale];
        let what = if sc.kind == ScaleKind::Enum {
            format!("a variant of `{}`", sc.name)
        } else {
            format!("a label of `{}`", sc.name)
        };
        let mut help = match self.suggest_name(&id.name, Some(scale)) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        let word = if sc.kind == ScaleKind::Enum {
            "variants"
        } else {
            "labels"
        };
        help.push_str(&format!("the {word} are {}", quote_list(&sc.labels)));
        let d = self
            .error(
                Code::NameUnknownLabel,
                format!("`{}` is not {what}", id.name),
            )
            .with_label(id.span, format!("not in {}", sc.describe()))
            .with_help(help);
        self.push(d);
    }

    fn infer_path(&mut self, sc: &Ident, comp: &Ident) -> Ty {
        let Some(sym) = self.symbol(&sc.name) else {
            self.unknown_name(sc);
            return Ty::Unknown;
        };
        self.resolve(sc);
        let SymKind::Scorecard(card) = sym.kind else {
            let d = self
                .error(
                    Code::TypeMismatch,
                    format!("`{}` is {}, not a scorecard", sc.name, sym.kind.a_word()),
                )
                .with_label(sc.span, "only a scorecard has components")
                .with_help(
                    "`scorecard.component` gives a component's points, e.g. `综合得分.销售额`",
                );
            self.push(d);
            return Ty::Unknown;
        };
        if card.components.iter().any(|c| c.name.name == comp.name) {
            self.refer_component(sc, comp);
        } else {
            let names: Vec<&str> = card
                .components
                .iter()
                .map(|c| c.name.name.as_str())
                .collect();
            let help = match crate::diagnostic::suggest(&comp.name, names.iter().copied()) {
                Some(s) => format!("did you mean `{}.{s}`?", sc.name),
                None => format!("the components of `{}` are {}", sc.name, quote_list(&names)),
            };
            let d = self
                .error(
                    Code::NameUnknown,
                    format!("scorecard `{}` has no component `{}`", sc.name, comp.name),
                )
                .with_label(comp.span, "no such component")
                .with_help(help);
            self.push(d);
            return Ty::Unknown;
        }
        Ty::PLAIN
    }

    /// Infers two sides that meet: a bare label is inferred after the other side, so it can
    /// resolve against that side's labels.
    pub fn infer_pair(&mut self, l: &'a Expr, r: &'a Expr) -> (Ty, Ty) {
        if self.is_bare_label(l) && !self.is_bare_label(r) {
            let rt = self.infer(r, None);
            let lt = self.infer_against(l, rt);
            (lt, rt)
        } else {
            let lt = self.infer(l, None);
            let rt = self.infer_against(r, lt);
            (lt, rt)
        }
    }

    fn infer_binary(
        &mut self,
        e: &'a Expr,
        op: BinOp,
        l: &'a Expr,
        r: &'a Expr,
        hint: Option<ScaleId>,
    ) -> Ty {
        match op {
            BinOp::And | BinOp::Or => {
                let word = if op == BinOp::And { "`and`" } else { "`or`" };
                let lt = self.infer(l, None);
                self.expect_bool(l, lt, &format!("each side of {word}"));
                let rt = self.infer(r, None);
                self.expect_bool(r, rt, &format!("each side of {word}"));
                Ty::Bool
            }
            BinOp::Cmp(cmp) => {
                self.infer_cmp(e, cmp, l, r);
                Ty::Bool
            }
            BinOp::Coalesce => {
                let lt = self.infer(l, hint);
                let rt = self.infer(r, hint.or(lt.scale()));
                match self.unify(lt, rt) {
                    Ok(t) => t,
                    Err(clash) => {
                        let d = self.clash(clash, "the two sides of `??` do not fit", l, lt, r, rt);
                        self.push(d);
                        Ty::Unknown
                    }
                }
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => self.infer_arith(op, l, r),
        }
    }

    fn infer_cmp(&mut self, e: &'a Expr, op: CmpOp, l: &'a Expr, r: &'a Expr) {
        let (lt, rt) = self.infer_pair(l, r);
        self.percent_literal(l, lt, r, rt);
        if is_missing_lit(l) || is_missing_lit(r) {
            let d = self
                .error(
                    Code::TypeCompareMissing,
                    "comparing with `missing` never holds: the result is always missing",
                )
                .with_label(e.span, "always missing")
                .with_help("write `x is missing` or `x is not missing`");
            self.push(d);
            return;
        }
        let t = match self.unify(lt, rt) {
            Ok(t) => t,
            Err(clash) => {
                let mut d = self.clash(clash, "cannot compare these values", l, lt, r, rt);
                if let (Some(s), ExprKind::Name(id)) = (lt.scale(), &r.kind) {
                    if self.scales[s].contains(&id.name) {
                        d = d.with_help(format!(
                            "`{}` is a label of {}, but a declared {} of the same name hides it: \
                             rename the {}",
                            id.name,
                            self.scales[s].name,
                            self.symbol(&id.name).map_or("name", |s| s.kind.word()),
                            self.symbol(&id.name).map_or("name", |s| s.kind.word()),
                        ));
                    }
                }
                self.push(d);
                return;
            }
        };
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            return;
        }
        if let Ty::Label(s) = t {
            if self.unranked_labels(s) {
                let d = self.unranked_error(s, e.span, "`<`, `<=`, `>`, `>=` need an order");
                self.push(d);
                return;
            }
        }
        let problem = match t {
            Ty::Label(s) if !self.scales[s].ordered() => Some((
                format!("the variants of `{}` have no order", self.scales[s].name),
                "use `=`, `!=` or `in { .. }`; to rank variants, declare a `scale`".to_string(),
            )),
            Ty::Text | Ty::Bool => Some((
                format!("{} has no order", self.describe(t)),
                "use `=`, `!=` or `in { .. }`".to_string(),
            )),
            _ => None,
        };
        if let Some((msg, help)) = problem {
            let d = self
                .error(Code::TypeMismatch, msg)
                .with_label(e.span, "`<`, `<=`, `>`, `>=` need an order")
                .with_help(help);
            self.push(d);
        }
    }

    /// Labels made by a `bands`/`match`/`matrix`/`if` that no declared scale or grade ranks:
    /// they are equal or not, but neither is better. (Their ranks come from
    /// [`Ctx::ranking_scale`]; without a ranked scale that holds them all, `max(a, b)` or `a > b`
    /// would have no meaning.)
    pub fn unranked_labels(&self, s: ScaleId) -> bool {
        self.scales[s].kind == super::ScaleKind::Adhoc && self.ranking_scale(s) == s
    }

    /// `tier::type::unranked_label`: ordering labels that have no declared order.
    pub fn unranked_error(&self, s: ScaleId, span: Span, label: &str) -> Diagnostic {
        let sc = &self.scales[s];
        let example = sc.labels.join(" > ");
        self.error(
            Code::TypeUnrankedLabel,
            format!(
                "the labels {} have no declared order, so none of them is better",
                quote_list(&sc.labels)
            ),
        )
        .with_label(span, label)
        .with_help(format!(
            "declare their order once, best first: `scale 档次 {{ {example} }}`; `=`, `!=` and `in` work without one"
        ))
    }

    fn infer_arith(&mut self, op: BinOp, l: &'a Expr, r: &'a Expr) -> Ty {
        let lt = self.infer(l, None);
        let rt = self.infer(r, None);
        let sym = match op {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            _ => "/",
        };
        match (lt, rt) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => return Ty::Unknown,
            (Ty::Missing, t) | (t, Ty::Missing) if t.is_num() || t == Ty::Missing => return t,
            _ => {}
        }
        let add = matches!(op, BinOp::Add | BinOp::Sub);
        match (op, lt, rt) {
            (BinOp::Add, Ty::Date, Ty::Duration)
            | (BinOp::Add, Ty::Duration, Ty::Date)
            | (BinOp::Sub, Ty::Date, Ty::Duration) => return Ty::Date,
            (BinOp::Add | BinOp::Sub, Ty::Duration, Ty::Duration) => return Ty::Duration,
            (BinOp::Add | BinOp::Sub, Ty::Date, Ty::Num { .. })
            | (BinOp::Add, Ty::Num { .. }, Ty::Date) => {
                let (date, num) = if lt == Ty::Date { (l, r) } else { (r, l) };
                let d = self
                    .error(
                        Code::TypeMismatch,
                        format!(
                            "cannot {} a number and a date",
                            if op == BinOp::Add { "add" } else { "subtract" }
                        ),
                    )
                    .with_label(num.span, "a plain number, not a duration")
                    .with_label(date.span, "a date")
                    .with_help(format!(
                        "write a duration: `{} {sym} {} days`",
                        self.text(date.span),
                        self.text(num.span)
                    ));
                self.push(d);
                return Ty::Unknown;
            }
            (BinOp::Sub, Ty::Date, Ty::Date) => {
                let d = self
                    .error(Code::TypeMismatch, "cannot subtract two dates")
                    .with_label(l.span.to(r.span), "date - date")
                    .with_help(format!(
                        "use `days_between({}, {})`, which gives whole days",
                        self.text(r.span),
                        self.text(l.span)
                    ));
                self.push(d);
                return Ty::Unknown;
            }
            (_, Ty::Num { unit: ua, lit: la }, Ty::Num { unit: ub, lit: lb }) => {
                let res = match op {
                    BinOp::Add | BinOp::Sub => unify_units((ua, la), (ub, lb)),
                    BinOp::Mul => mul_units((ua, la), (ub, lb)),
                    _ => div_units((ua, la), (ub, lb)),
                };
                if let Some((unit, lit)) = res {
                    return Ty::Num { unit, lit };
                }
                let d = self.clash(
                    Clash::Unit,
                    &format!(
                        "cannot compute {} {sym} {}",
                        super::types::unit_word(ua),
                        super::types::unit_word(ub)
                    ),
                    l,
                    lt,
                    r,
                    rt,
                );
                self.push(d);
                return Ty::Unknown;
            }
            _ => {}
        }
        // Arithmetic on something that is not a number.
        let (bad, bt) = if lt.is_num() || (add && lt == Ty::Date) {
            (r, rt)
        } else {
            (l, lt)
        };
        let help = match bt {
            Ty::Text => "text has no arithmetic: use `concat(a, b)` to join text".to_string(),
            Ty::Label(_) => {
                "labels have no arithmetic: use `min`/`max`, or `up`/`down` in an `adjust`"
                    .to_string()
            }
            Ty::Bool => {
                "yes/no has no arithmetic: `count_of(a, b, ..)` counts conditions".to_string()
            }
            _ => format!("`{sym}` needs numbers (or a date and a duration)"),
        };
        let d = self
            .type_error(bad, bt, &format!("`{sym}` needs numbers"))
            .with_help(help);
        self.push(d);
        Ty::Unknown
    }

    /// Infers the results of a table or branches, which must fit together. When there is no
    /// label set from the context and every result is a bare undeclared name (`-> A`), the
    /// results are labels of a new set, in order of first appearance.
    pub fn infer_values(&mut self, exprs: &[&'a Expr], hint: Option<ScaleId>, what: &str) -> Ty {
        let all_bare = exprs.iter().any(|e| self.is_bare_label(e))
            && exprs
                .iter()
                .all(|e| self.is_bare_label(e) || is_missing_lit(e));
        if hint.is_none() && all_bare {
            let mut labels: Vec<String> = Vec::new();
            for e in exprs {
                if let ExprKind::Name(id) = &e.kind {
                    if !labels.contains(&id.name) {
                        labels.push(id.name.clone());
                    }
                }
            }
            let name = self
                .current
                .clone()
                .unwrap_or_else(|| "these labels".to_string());
            let id = self.add_scale(&name, ScaleKind::Adhoc, labels);
            for e in exprs {
                if let ExprKind::Name(label) = &e.kind {
                    self.label_scale.insert(label.span, id);
                }
            }
            return Ty::Label(id);
        }
        let mut acc = Ty::Missing;
        let mut first: Option<&Expr> = None;
        for e in exprs {
            let t = self.infer(e, hint.or(acc.scale()));
            match self.unify(acc, t) {
                Ok(u) => {
                    if first.is_none() && !t.is_open() {
                        first = Some(e);
                    }
                    acc = u;
                }
                Err(clash) => {
                    let mut d = self
                        .error(clash.code(), format!("{what} do not fit together"))
                        .with_label(e.span, format!("this is {}", self.describe(t)));
                    if let Some(f) = first {
                        d = d.with_label(f.span, format!("this is {}", self.describe(acc)));
                    }
                    let d = d.with_help(self.clash_help(acc, t));
                    self.push(d);
                    return Ty::Unknown;
                }
            }
        }
        acc
    }

    /// `tier::type::percent_literal` (warning): a plain literal above 1 that meets a percent
    /// field means more than 100% (`回款率 >= 95` is 9500%); the author almost surely meant `95%`.
    pub fn percent_literal(&mut self, a: &Expr, at: Ty, b: &Expr, bt: Ty) {
        for (lit, other, ot) in [(a, b, bt), (b, a, at)] {
            let Ty::Num {
                unit: Unit::Percent,
                lit: false,
            } = ot
            else {
                continue;
            };
            let Some((v, Unit::Plain)) = super::bands::const_num(lit) else {
                continue;
            };
            let text = self.text(lit.span);
            self.percent_literal_at(lit.span, &text, v, other.span);
        }
    }

    /// The `tier::type::percent_literal` warning on the number `text` (value `v`) at `at`, which
    /// meets the percent at `percent`.
    pub fn percent_literal_at(
        &mut self,
        at: Span,
        text: &str,
        v: rust_decimal::Decimal,
        percent: Span,
    ) {
        if v.abs() <= rust_decimal::Decimal::ONE {
            return;
        }
        let pct = super::bands::show(v, Unit::Percent);
        let d = self
            .warning(
                Code::TypePercentLiteral,
                format!("`{text}` meets a percent, so it means {pct}"),
            )
            .with_label(at, format!("{text} = {pct}"))
            .with_label(percent, "a percent")
            .with_help(format!(
                "write `{text}%`; a plain number next to a percent is a fraction (`0.95` = 95%)"
            ));
        self.push(d);
    }

    /// `tier::condition::never_holds` (warning): a tag or adjustment whose condition is a
    /// contradiction (`规模 = A and 规模 = B`, `x > 10 and x < 5`).
    pub fn never_holds(&mut self, cond: &Expr, what: &str) {
        if !super::logic::never_holds(self, cond) {
            return;
        }
        let d = self
            .warning(
                Code::ConditionNeverHolds,
                format!("{what}: its condition never holds"),
            )
            .with_label(cond.span, "never holds")
            .with_help("one value cannot meet both tests: did you mean `or` (or `in { .. }`)?");
        self.push(d);
    }

    /// A condition must be yes/no.
    pub fn expect_bool(&mut self, e: &Expr, t: Ty, what: &str) {
        if t == Ty::Bool || t.is_open() {
            return;
        }
        let text = self.text(e.span);
        let help = match t {
            Ty::Num { .. } => format!("compare it, e.g. `{text} > 0`"),
            Ty::Label(s) => format!(
                "compare it with a label, e.g. `{text} = {}`",
                self.scales[s].labels.first().map_or("A", String::as_str)
            ),
            Ty::Date => format!("compare it, e.g. `{text} < as_of`, or test `{text} is missing`"),
            _ => {
                "a condition is a comparison, `is missing`, `in {..}`, or a bool field".to_string()
            }
        };
        let d = self
            .type_error(e, t, &format!("{what} must be yes/no"))
            .with_help(help);
        self.push(d);
    }

    /// A score component's points must be a plain number (or a percent).
    pub fn expect_points(&mut self, e: &Expr, t: Ty, what: &str) {
        let unit = match t {
            Ty::Num { unit, .. } => unit,
            t if t.is_open() => return,
            _ => {
                let d = self
                    .type_error(e, t, &format!("{what} must be a number"))
                    .with_help("score it with `linear`, `bands` or `match`");
                self.push(d);
                return;
            }
        };
        if matches!(unit, Unit::Money | Unit::Mass | Unit::Area) {
            let d = self
                .error(
                    Code::TypeUnitMismatch,
                    format!(
                        "{what} must be plain points, but this is {}",
                        super::types::unit_word(unit)
                    ),
                )
                .with_label(e.span, format!("this is {}", super::types::unit_word(unit)))
                .with_help(format!(
                    "turn it into points, e.g. `linear {} from 10万 to 210万` or a `bands` table",
                    self.text(e.span)
                ));
            self.push(d);
        }
    }

    /// "`what`, but this is money" at an expression.
    pub fn type_error(&self, e: &Expr, t: Ty, what: &str) -> Diagnostic {
        self.error(
            Code::TypeMismatch,
            format!("{what}, but this is {}", self.describe(t)),
        )
        .with_label(e.span, format!("this is {}", self.describe(t)))
    }

    /// Two sides that do not fit, with a label on each.
    pub fn clash(&self, clash: Clash, msg: &str, l: &Expr, lt: Ty, r: &Expr, rt: Ty) -> Diagnostic {
        self.error(clash.code(), msg.to_string())
            .with_label(l.span, format!("this is {}", self.describe(lt)))
            .with_label(r.span, format!("this is {}", self.describe(rt)))
            .with_help(self.clash_help(lt, rt))
    }
}

/// The type of a field (an input's or an event's) of type `kind`; `None` for an enum or a
/// grade, whose label scale the caller knows.
pub(crate) fn field_type(kind: &crate::ast::TypeKind) -> Option<Ty> {
    use crate::ast::TypeKind as K;
    Some(match kind {
        K::Number | K::Integer => Ty::PLAIN,
        K::Percent { .. } => Ty::num(Unit::Percent),
        K::Money(_) => Ty::num(Unit::Money),
        K::Quantity { unit, .. } => Ty::num(*unit),
        K::Date => Ty::Date,
        K::Text => Ty::Text,
        K::Bool => Ty::Bool,
        K::Enum(_) | K::Grade(_) => return None,
    })
}
