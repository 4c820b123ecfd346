//! Lowering of pest pairs for the ruleset header and the declarations into the AST.
//!
//! The grammar guarantees the shape of every pair, so lowering walks children in order. Checks
//! that are purely syntactic but awkward in a PEG (a whole number after `round`, an attribute
//! given twice, a weight that is not a percentage) report errors here and carry on, so one run
//! shows them all.

pub(super) use super::pairs::{content_len, kids};
use super::{Pair, Rule};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::value::Unit;

/// Lowering state: where the parsed text starts in the file and the errors found so far.
pub(super) struct Lower<'a> {
    pub(super) source: &'a SourceFile,
    /// Byte offset of the parsed text in the file (non-zero when a single item is re-parsed
    /// during error recovery).
    pub(super) base: usize,
    pub(super) errors: Vec<Diagnostic>,
    /// Expression nesting, to refuse absurdly deep input instead of overflowing the stack.
    pub(super) depth: usize,
    /// Depth of the tree being built (chains of operators nest without recursing).
    pub(super) tree_depth: usize,
}

impl<'a> Lower<'a> {
    pub(super) fn new(source: &'a SourceFile, base: usize) -> Self {
        Lower {
            source,
            base,
            errors: Vec::new(),
            depth: 0,
            tree_depth: 0,
        }
    }

    /// The span of a pair without the blanks and comments pest lets a rule swallow at its end
    /// (before an optional part that is absent), so labels stop at the last token.
    pub(super) fn span(&self, p: &Pair<'_>) -> Span {
        let start = self.base + p.as_span().start();
        Span::new(start, start + content_len(p.as_str()))
    }

    /// Records a syntax error over `span`.
    pub(super) fn error(&mut self, span: Span, message: impl Into<String>, label: &str) {
        let d = Diagnostic::error(Code::Syntax, message)
            .in_source(self.source)
            .with_label(span, label);
        self.errors.push(d);
    }

    pub(super) fn ident(&self, p: &Pair<'_>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    pub(super) fn string(&mut self, p: Pair<'_>) -> StrLit {
        let span = self.span(&p);
        let body = p.into_inner().next().map(|b| b.as_str()).unwrap_or("");
        let value = match super::literal::string(body) {
            Ok(v) => v,
            Err(msg) => {
                self.error(span, msg, "in this text");
                String::new()
            }
        };
        StrLit { value, span }
    }

    /// A whole number (`round 2`, `up 1`, `into 5`).
    pub(super) fn whole(&mut self, p: Pair<'_>, what: &str) -> u32 {
        let lit = self.literal(p);
        match &lit.kind {
            LitKind::Number { value, unit } => {
                match super::literal::whole(*value, *unit, &lit.text, what) {
                    Ok(n) => n,
                    Err(msg) => {
                        self.error(lit.span, msg, "a whole number is needed here");
                        0
                    }
                }
            }
            // Already reported by `literal`.
            _ => 0,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Ruleset and items
    // -----------------------------------------------------------------------------------------

    pub(super) fn ruleset(&mut self, file: Pair<'_>) -> Ruleset {
        let span = self.span(&file);
        let mut header = None;
        let mut items = Vec::new();
        for p in kids(file) {
            match p.as_rule() {
                Rule::header => header = Some(self.header(p)),
                _ => items.push(self.item(p)),
            }
        }
        let (name, version, description) = header.unwrap_or_else(|| {
            let empty = StrLit {
                value: String::new(),
                span: Span::new(self.base, self.base),
            };
            (empty, None, None)
        });
        Ruleset {
            name,
            version,
            description,
            items,
            span,
        }
    }

    /// `ruleset "name" [version "v"] [description "d"]`
    pub(super) fn header(&mut self, p: Pair<'_>) -> (StrLit, Option<StrLit>, Option<StrLit>) {
        let mut name = None;
        let mut version = None;
        let mut description = None;
        let mut last_kw = Rule::kw_ruleset;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::string => {
                    let s = Some(self.string(c));
                    match last_kw {
                        Rule::kw_version => version = s,
                        Rule::kw_description => description = s,
                        _ => name = s,
                    }
                }
                other => last_kw = other,
            }
        }
        let name = name.unwrap_or(StrLit {
            value: String::new(),
            span: Span::new(self.base, self.base),
        });
        (name, version, description)
    }

    /// Lowers a list of top-level items (the children of `items_file`/`item_file`).
    pub(super) fn items(&mut self, file: Pair<'_>) -> Vec<Item> {
        kids(file).into_iter().map(|p| self.item(p)).collect()
    }

    pub(super) fn item(&mut self, p: Pair<'_>) -> Item {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::input_block => Item::Input(self.input_block(p)),
            Rule::events_decl => {
                let mut name = None;
                let mut key = None;
                let mut date = None;
                let mut fields = Vec::new();
                for c in kids(p) {
                    match c.as_rule() {
                        Rule::ident if name.is_none() => name = Some(self.ident(&c)),
                        Rule::ident if key.is_none() => key = Some(self.ident(&c)),
                        Rule::ident => date = Some(self.ident(&c)),
                        Rule::field => fields.push(self.field(c)),
                        _ => {}
                    }
                }
                Item::Events(EventsDecl {
                    name: name.unwrap_or_else(|| self.dummy_ident(span)),
                    key: key.unwrap_or_else(|| self.dummy_ident(span)),
                    date: date.unwrap_or_else(|| self.dummy_ident(span)),
                    fields,
                    span,
                })
            }
            Rule::scale_decl => {
                let mut k = kids(p).into_iter();
                let name = k.next().map(|n| self.ident(&n));
                let labels = k.map(|l| self.ident(&l)).collect();
                Item::Scale(ScaleDecl {
                    name: name.unwrap_or_else(|| self.dummy_ident(span)),
                    labels,
                    span,
                })
            }
            Rule::let_decl => {
                let mut k = kids(p).into_iter();
                let name = k.next().map(|n| self.ident(&n));
                let value = k.next().map(|e| self.expr(e));
                Item::Let(LetDecl {
                    name: name.unwrap_or_else(|| self.dummy_ident(span)),
                    value: value.unwrap_or_else(|| dummy_expr(span)),
                    span,
                })
            }
            Rule::scorecard => Item::Scorecard(self.scorecard(p)),
            Rule::grade_decl => Item::Grade(self.grade(p)),
            Rule::adjust_decl => Item::Adjust(self.adjust(p)),
            Rule::tag_decl => {
                let mut k = kids(p).into_iter();
                let name = k.next().map(|n| self.ident(&n));
                let when = k.next().map(|e| self.expr(e));
                let attrs = self.attrs(k);
                Item::Tag(TagDecl {
                    name: name.unwrap_or_else(|| self.dummy_ident(span)),
                    when: when.unwrap_or_else(|| dummy_expr(span)),
                    attrs,
                    span,
                })
            }
            Rule::relative_decl => Item::Relative(self.relative(p)),
            Rule::schedule_decl => Item::Schedule(self.schedule(p)),
            Rule::override_decl => {
                let mut k = kids(p).into_iter().map(|n| self.ident(&n));
                let mut next = || {
                    k.next().unwrap_or(Ident {
                        name: String::new(),
                        span,
                    })
                };
                Item::Override(OverrideDecl {
                    grade: next(),
                    with: next(),
                    reason: next(),
                    span,
                })
            }
            Rule::output_decl => Item::Output(self.output(p)),
            Rule::test_decl => Item::Test(self.test(p)),
            other => {
                // Unreachable for a successful parse; reported rather than panicking.
                self.error(span, format!("unexpected construct ({other:?})"), "here");
                Item::Output(OutputDecl {
                    span,
                    ..OutputDecl::default()
                })
            }
        }
    }

    pub(super) fn dummy_ident(&self, span: Span) -> Ident {
        Ident {
            name: String::new(),
            span,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Inputs
    // -----------------------------------------------------------------------------------------

    fn input_block(&mut self, p: Pair<'_>) -> InputBlock {
        let span = self.span(&p);
        let fields = kids(p).into_iter().map(|f| self.field(f)).collect();
        InputBlock { fields, span }
    }

    fn field(&mut self, p: Pair<'_>) -> InputField {
        let span = self.span(&p);
        let mut k = kids(p).into_iter();
        let name = k.next().map(|n| self.ident(&n));
        let mut field = InputField {
            name: name.unwrap_or_else(|| self.dummy_ident(span)),
            ty: TypeExpr {
                kind: TypeKind::Text,
                span,
            },
            optional: false,
            range: None,
            columns: Vec::new(),
            default: None,
            span,
        };
        for c in k {
            match c.as_rule() {
                Rule::type_expr => field.ty = self.type_expr(c),
                Rule::optional_mark => field.optional = true,
                Rule::range => {
                    // An end before the `..` is the low one, after it the high one.
                    let mut range = InputRange {
                        lo: None,
                        hi: None,
                        span: self.span(&c),
                    };
                    let mut after_dots = false;
                    for b in c.into_inner() {
                        match b.as_rule() {
                            Rule::range_bound if after_dots => range.hi = Some(self.range_bound(b)),
                            Rule::range_bound => range.lo = Some(self.range_bound(b)),
                            _ => after_dots = true,
                        }
                    }
                    field.range = Some(range);
                }
                Rule::columns => {
                    field.columns = kids(c).into_iter().map(|s| self.string(s)).collect();
                }
                Rule::default_value => {
                    if let Some(e) = kids(c).into_iter().next() {
                        field.default = Some(self.expr(e));
                    }
                }
                _ => {}
            }
        }
        field
    }

    /// `-5`, `100`, `2026-01-01` as one end of a range.
    fn range_bound(&mut self, p: Pair<'_>) -> Literal {
        let span = self.span(&p);
        let text = p.as_str().to_string();
        let mut negative = false;
        let mut lit = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::neg_sign => negative = true,
                _ => lit = Some(self.literal_of(c)),
            }
        }
        let mut lit = lit.unwrap_or_else(|| missing_literal(span));
        if negative {
            if let LitKind::Number { value, .. } = &mut lit.kind {
                *value = -*value;
            }
        }
        lit.text = text;
        lit.span = span;
        lit
    }

    fn type_expr(&mut self, p: Pair<'_>) -> TypeExpr {
        let span = self.span(&p);
        let Some(t) = p.into_inner().next() else {
            return TypeExpr {
                kind: TypeKind::Text,
                span,
            };
        };
        let kind = match t.as_rule() {
            Rule::ty_number => TypeKind::Number,
            Rule::ty_integer => TypeKind::Integer,
            Rule::ty_percent => TypeKind::Percent {
                fraction: t.into_inner().any(|c| c.as_rule() == Rule::kw_fraction),
            },
            Rule::ty_money => {
                let unit = kids(t).into_iter().next();
                TypeKind::Money(match unit.as_ref().map(|u| u.as_str()) {
                    Some("万") | Some("万元") => Scale::Wan,
                    Some("亿") | Some("亿元") => Scale::Yi,
                    _ => Scale::One,
                })
            }
            Rule::ty_quantity => {
                let unit = kids(t).into_iter().next();
                let text = unit.as_ref().map(|u| u.as_str()).unwrap_or("");
                let scale = if text.starts_with('万') {
                    Scale::Wan
                } else {
                    Scale::One
                };
                let unit = if text.ends_with('吨') {
                    Unit::Mass
                } else {
                    Unit::Area
                };
                TypeKind::Quantity { unit, scale }
            }
            Rule::ty_date => TypeKind::Date,
            Rule::ty_text => TypeKind::Text,
            Rule::ty_bool => TypeKind::Bool,
            Rule::ty_enum => {
                let variants = kids(t)
                    .into_iter()
                    .map(|v| {
                        let vspan = self.span(&v);
                        let mut k = kids(v).into_iter();
                        let name = k.next().map(|n| self.ident(&n));
                        EnumVariant {
                            name: name.unwrap_or_else(|| self.dummy_ident(vspan)),
                            synonyms: k.map(|s| self.string(s)).collect(),
                            span: vspan,
                        }
                    })
                    .collect();
                TypeKind::Enum(variants)
            }
            Rule::ty_grade => {
                let scale = kids(t).into_iter().next();
                TypeKind::Grade(match scale {
                    Some(s) => self.ident(&s),
                    None => self.dummy_ident(span),
                })
            }
            _ => TypeKind::Text,
        };
        TypeExpr { kind, span }
    }

    // -----------------------------------------------------------------------------------------
    // Scorecards, grades, adjustments
    // -----------------------------------------------------------------------------------------

    fn scorecard(&mut self, p: Pair<'_>) -> Scorecard {
        let span = self.span(&p);
        let mut sc = Scorecard {
            name: self.dummy_ident(span),
            round: None,
            components: Vec::new(),
            span,
        };
        for c in kids(p) {
            match c.as_rule() {
                Rule::ident => sc.name = self.ident(&c),
                Rule::number_lit => sc.round = Some(self.whole(c, "`round`")),
                Rule::component => {
                    let comp = self.component(c);
                    sc.components.push(comp);
                }
                _ => {}
            }
        }
        sc
    }

    fn component(&mut self, p: Pair<'_>) -> Component {
        let span = self.span(&p);
        let mut name = None;
        let mut weight = None;
        let mut exprs = Vec::new();
        for c in kids(p) {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::weight => {
                    if let Some(n) = c.into_inner().next() {
                        let lit = self.literal_of(n);
                        if matches!(lit.kind, LitKind::Number { unit, .. } if unit != Unit::Percent)
                        {
                            let msg = format!(
                                "a component's weight is a percentage like `30%`, found `{}`",
                                lit.text
                            );
                            self.error(lit.span, msg, "not a percentage");
                        }
                        weight = Some(lit);
                    }
                }
                _ => exprs.push(self.expr(c)),
            }
        }
        let mut exprs = exprs.into_iter();
        Component {
            name: name.unwrap_or_else(|| self.dummy_ident(span)),
            weight,
            expr: exprs.next().unwrap_or_else(|| dummy_expr(span)),
            on_missing: exprs.next(),
            span,
        }
    }

    fn grade(&mut self, p: Pair<'_>) -> GradeDecl {
        let span = self.span(&p);
        let mut name = None;
        let mut scale = None;
        let mut input = None;
        let mut thresholds = Vec::new();
        let mut rules = Vec::new();
        let mut after_on = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_on => after_on = true,
                Rule::ident if after_on => {
                    scale = Some(self.ident(&c));
                    after_on = false;
                }
                Rule::ident => name = Some(self.ident(&c)),
                Rule::expr => input = Some(self.expr(c)),
                Rule::threshold_arm => {
                    let arm = self.threshold_arm(c);
                    thresholds.push(arm);
                }
                Rule::rule_arm => {
                    let arm = self.rule_arm(c);
                    rules.push(arm);
                }
                _ => {}
            }
        }
        let body = match input {
            Some(input) => GradeBody::Thresholds {
                input,
                arms: thresholds,
            },
            None => GradeBody::Rules { arms: rules },
        };
        GradeDecl {
            name: name.unwrap_or_else(|| self.dummy_ident(span)),
            scale,
            body,
            span,
        }
    }

    fn threshold_arm(&mut self, p: Pair<'_>) -> ThresholdArm {
        let span = self.span(&p);
        let mut label = None;
        let mut test = ThresholdTest::Otherwise;
        let mut op = None;
        let mut attrs = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => label = Some(self.ident(&c)),
                Rule::cmp_op => op = Some(cmp_op(c.as_str())),
                Rule::expr => {
                    let e = self.expr(c);
                    test = ThresholdTest::Cmp(op.unwrap_or(CmpOp::Ge), e);
                }
                Rule::kw_otherwise => test = ThresholdTest::Otherwise,
                Rule::kw_missing => test = ThresholdTest::Missing,
                Rule::attr => attrs.push(c),
                _ => {}
            }
        }
        ThresholdArm {
            label: label.unwrap_or_else(|| self.dummy_ident(span)),
            test,
            attrs: self.attrs(attrs.into_iter()),
            span,
        }
    }

    fn rule_arm(&mut self, p: Pair<'_>) -> RuleArm {
        let span = self.span(&p);
        let mut label = None;
        let mut test = RuleTest::Otherwise;
        let mut attrs = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => label = Some(self.ident(&c)),
                Rule::expr => test = RuleTest::When(self.expr(c)),
                Rule::attr => attrs.push(c),
                _ => {}
            }
        }
        RuleArm {
            label: label.unwrap_or_else(|| self.dummy_ident(span)),
            test,
            attrs: self.attrs(attrs.into_iter()),
            span,
        }
    }

    /// `color "…" action "…" owner "…"`, each at most once.
    fn attrs<'i>(&mut self, pairs: impl Iterator<Item = Pair<'i>>) -> Attrs {
        let mut attrs = Attrs::default();
        for a in pairs {
            let span = self.span(&a);
            let mut inner = a.into_inner();
            let (Some(kw), Some(s)) = (inner.next(), inner.next()) else {
                continue;
            };
            let value = Some(self.string(s));
            let slot = match kw.as_rule() {
                Rule::kw_color => &mut attrs.color,
                Rule::kw_action => &mut attrs.action,
                _ => &mut attrs.owner,
            };
            if slot.is_some() {
                let msg = format!("`{}` is given twice", kw.as_str());
                self.error(span, msg, "second one here");
            }
            *slot = value;
        }
        attrs
    }

    fn adjust(&mut self, p: Pair<'_>) -> AdjustDecl {
        let span = self.span(&p);
        let mut idents = Vec::new();
        let mut arms = Vec::new();
        for c in kids(p) {
            match c.as_rule() {
                Rule::ident => idents.push(self.ident(&c)),
                Rule::adjust_arm => {
                    let arm = self.adjust_arm(c);
                    arms.push(arm);
                }
                _ => {}
            }
        }
        let mut idents = idents.into_iter();
        AdjustDecl {
            name: idents.next().unwrap_or_else(|| self.dummy_ident(span)),
            base: idents.next().unwrap_or_else(|| self.dummy_ident(span)),
            arms,
            span,
        }
    }

    fn adjust_arm(&mut self, p: Pair<'_>) -> AdjustArm {
        let span = self.span(&p);
        // The direction word (`up`/`down`), if any, then whether `to` followed it.
        let mut dir = None;
        let mut action = AdjustAction::Up(0);
        let mut when = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_up | Rule::kw_down => dir = Some(c.as_rule()),
                Rule::kw_to => {}
                Rule::number_lit if dir == Some(Rule::kw_up) => {
                    action = AdjustAction::Up(self.whole(c, "`up`"))
                }
                Rule::number_lit => action = AdjustAction::Down(self.whole(c, "`down`")),
                Rule::ident => {
                    let label = self.ident(&c);
                    action = match dir {
                        Some(Rule::kw_up) => AdjustAction::UpTo(label),
                        Some(_) => AdjustAction::DownTo(label),
                        None => AdjustAction::To(label),
                    };
                }
                Rule::expr => when = Some(self.expr(c)),
                _ => {}
            }
        }
        AdjustArm {
            action,
            when: when.unwrap_or_else(|| dummy_expr(span)),
            span,
        }
    }
}

/// The operator of a `cmp_op` pair.
pub(super) fn cmp_op(text: &str) -> CmpOp {
    match text {
        "!=" | "≠" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" | "≤" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" | "≥" => CmpOp::Ge,
        _ => CmpOp::Eq,
    }
}

/// Placeholder for a node whose pieces failed to lower; an error has been recorded already, so
/// it never reaches a caller.
pub(super) fn dummy_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Lit(missing_literal(span)),
        span,
    }
}

pub(super) fn missing_literal(span: Span) -> Literal {
    Literal {
        kind: LitKind::Missing,
        text: String::new(),
        span,
    }
}
