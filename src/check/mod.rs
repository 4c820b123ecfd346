//! The checker: everything wrong with a ruleset, found before any data is read.
//!
//! [`check`] resolves names, infers a type (and unit) for every expression, and runs the lints
//! the language promises: band gaps and overlaps, unreachable or uncovered grade rules, weights
//! that do not sum to 100%, cycles between `let`s, tests naming unknown fields, and more. Every
//! problem is collected (never first-fail) and returned sorted by source position; each has a
//! stable code (documented in `docs/DIAGNOSTICS.md`) and a help line.
//!
//! [`check_resolved`] also returns what it resolved ([`Resolution`]): the compiler builds the
//! program from it and resolves nothing again, so a ruleset the checker passed cannot be graded
//! by different rules than the ones it checked.
//!
//! The passes, one file each:
//! - `scope`: declarations, scales, duplicates, column mapping;
//! - `infer` (with `types`, `calls`): name resolution and types/units of expressions;
//! - `bands`: `bands` and `linear` tables;
//! - `grades` (with `logic`): grade thresholds and rules, `match`, `matrix`;
//! - `inputs`: input ranges and defaults;
//! - `decls`: scorecards, adjustments, relatives, schedules, override, output;
//! - `cases`: `test` blocks;
//! - `graph`: the order `let`s are inferred in, cycles between declarations, unused names.

mod bands;
mod calls;
mod cases;
mod decls;
mod events;
mod grades;
mod graph;
mod infer;
mod inputs;
mod logic;
mod scope;
mod types;

use crate::ast::{Ident, InputField, LetDecl, RelativeDecl, Ruleset, Scorecard};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
pub(crate) use calls::function_names;
use std::collections::{HashMap, HashSet};
pub(crate) use types::Ty;

/// Every error and warning of a ruleset, sorted by source position.
///
/// Nothing stops at the first problem: a ruleset with ten mistakes gets ten diagnostics. An empty
/// vector means the ruleset is clean (no errors and no warnings).
pub fn check(ruleset: &Ruleset, source: &SourceFile) -> Vec<Diagnostic> {
    check_resolved(ruleset, source).0
}

/// What the checker resolved, handed to the compiler so that nothing is resolved twice: the
/// label sets (scales) with their order, the scale of every label-valued named value, and the
/// rank of every bare label written in the ruleset (its value is a label of which scale).
///
/// Only meaningful when the diagnostics that came with it hold no error.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Every label set, indexed by [`ScaleId`]: declared scales, grades, enums, relatives and
    /// the ad-hoc sets of `match`/`bands`/`if` results.
    pub(crate) scales: Vec<ScaleInfo>,
    /// The scale of each label-valued named value (inputs, lets, grades, adjustments,
    /// relatives), by name.
    pub(crate) value_scale: HashMap<String, ScaleId>,
    /// The rank of each bare label, by the span of its identifier: its position in the scale
    /// the checker resolved it on (for ad-hoc labels: in the ranked scale that holds them all).
    pub(crate) label_rank: HashMap<Span, u32>,
    /// The scale each bare label was resolved on, by the span of its identifier.
    pub(crate) label_scale: HashMap<Span, ScaleId>,
    /// Every declared name (the first declaration of each), in declaration order.
    pub(crate) declarations: Vec<Declaration>,
    /// What each name written in the ruleset refers to, by the span of its identifier: uses in
    /// rules, in `test` blocks (`given X`, `expect X`, `expect card.component`) and in paths.
    /// Editors build go-to-definition, references and rename on this, not on a second lookup.
    pub(crate) references: HashMap<Span, Target>,
    /// The type of every declared value as messages describe it (`money`, `a label of 等级
    /// (A > B > C)`), by name: what an editor shows on hover.
    pub(crate) types: HashMap<String, String>,
}

/// What a name written in a ruleset refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A declared value: an input, let, grade, scorecard, relative or adjusted grade.
    Name(String),
    /// A scorecard's component, `综合得分.销售额`: (scorecard, component).
    Component(String, String),
}

/// A declared name: what it is and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub name: String,
    /// `input`, `let`, `grade`, `scorecard`, `relative grade`, `adjusted grade`.
    pub kind: &'static str,
    /// The span of the declaring identifier.
    pub span: Span,
}

impl Resolution {
    /// The bare labels within `range` of the source, moved by `-shift`: for an expression that
    /// was checked inside a larger composed source (the REPL's probe).
    pub fn labels_within(&self, range: std::ops::Range<usize>, shift: usize) -> HashMap<Span, u32> {
        self.label_rank
            .iter()
            .filter(|(s, _)| s.start >= range.start && s.end <= range.end)
            .map(|(s, &r)| (Span::new(s.start - shift, s.end - shift), r))
            .collect()
    }

    /// The type of a declared value as messages describe it: `money`, `a label of 等级 (A > B)`.
    pub fn type_of(&self, name: &str) -> Option<&str> {
        self.types.get(name).map(String::as_str)
    }

    /// The bare label at `offset`: its span, and the name and labels of the set it was resolved
    /// on (`等级`, `[A, B, C, D]`).
    pub fn label_at(&self, offset: usize) -> Option<(Span, &str, &[String])> {
        let (span, &s) = self
            .label_scale
            .iter()
            .find(|(s, _)| s.start <= offset && offset <= s.end)?;
        let scale = &self.scales[s];
        Some((*span, scale.name.as_str(), scale.labels.as_slice()))
    }

    /// Every declared value name (first declarations), in declaration order.
    pub fn declarations(&self) -> &[Declaration] {
        &self.declarations
    }

    /// What the name at `span` refers to, if it is a resolved reference.
    pub fn reference_at(&self, offset: usize) -> Option<(Span, &Target)> {
        self.references
            .iter()
            .find(|(s, _)| s.start <= offset && offset <= s.end)
            .map(|(s, t)| (*s, t))
    }

    /// Every resolved reference, in source order.
    pub fn references(&self) -> Vec<(Span, &Target)> {
        let mut refs: Vec<(Span, &Target)> = self.references.iter().map(|(s, t)| (*s, t)).collect();
        refs.sort_by_key(|(s, _)| *s);
        refs
    }

    /// The scale of a named label-valued value (its labels best first), if it has one.
    pub fn scale_of(&self, name: &str) -> Option<(&str, &[String])> {
        let s = &self.scales[*self.value_scale.get(name)?];
        Some((s.name.as_str(), s.labels.as_slice()))
    }

    /// Every label set's labels (for completion).
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.scales
            .iter()
            .flat_map(|s| s.labels.iter().map(String::as_str))
    }
}

/// [`check`], and what it resolved (see [`Resolution`]).
pub fn check_resolved(ruleset: &Ruleset, source: &SourceFile) -> (Vec<Diagnostic>, Resolution) {
    let mut cx = Ctx::new(ruleset, source);
    scope::collect(&mut cx);
    events::collect(&mut cx);
    inputs::check_inputs(&mut cx);
    graph::infer_lets(&mut cx);
    infer::check_bodies(&mut cx);
    decls::check_declarations(&mut cx);
    cases::check_tests(&mut cx);
    graph::check_cycles(&mut cx);
    graph::check_unused(&mut cx);
    events::check_unused(&mut cx);
    let mut resolution = cx.resolution();
    let names: Vec<&str> = cx.symbols.iter().map(|s| s.ident.name.as_str()).collect();
    for name in names {
        let ty = cx.symbol_type(name);
        resolution.types.insert(name.to_string(), cx.describe(ty));
    }
    let mut diags = std::mem::take(&mut cx.diags);
    // Labels underline text, not the blanks around it.
    for d in &mut diags {
        for label in &mut d.labels {
            label.span = trim_span(source, label.span);
        }
    }
    // Source order; diagnostics without a span (none today) go last. The sort is stable, so
    // diagnostics at one position keep the order the passes produced them in.
    diags.sort_by_key(|d| {
        d.span()
            .map_or((usize::MAX, usize::MAX), |s| (s.start, s.end))
    });
    (diags, resolution)
}

/// A span without leading and trailing whitespace (an empty or blank span is kept as it is).
fn trim_span(source: &SourceFile, span: Span) -> Span {
    let Some(text) = source.text.get(span.start..span.end) else {
        return span;
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return span;
    }
    let start = span.start + (text.len() - text.trim_start().len());
    Span::new(start, start + trimmed.len())
}

/// Index into [`Ctx::scales`].
pub(crate) type ScaleId = usize;

/// Where a set of labels comes from; decides how it is named in messages and whether `<` works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScaleKind {
    /// `scale 风险分类 { ... }`
    Declared,
    /// The labels of a grade without `on SCALE`, in order of first appearance.
    Grade,
    /// `enum { ... }` of an input field: no order.
    Enum,
    /// The classes of a `relative` declaration.
    Relative,
    /// Bare labels produced by a `match`/`bands`/`matrix`/`if` whose results are all labels.
    Adhoc,
}

/// A set of labels: a grade scale (best first) or an enum's variants.
#[derive(Debug, Clone)]
pub(crate) struct ScaleInfo {
    /// The name used in messages: the scale's, grade's or field's name.
    pub name: String,
    pub kind: ScaleKind,
    pub labels: Vec<String>,
}

impl ScaleInfo {
    /// Grade scales are ordered (best first); enum variants are not.
    pub fn ordered(&self) -> bool {
        self.kind != ScaleKind::Enum
    }

    pub fn contains(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }

    /// 0 is the best label.
    pub fn rank(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// `等级 (A > B > C)` or `客户类型 (加盟商, OEM商)`.
    pub fn describe(&self) -> String {
        let sep = if self.ordered() { " > " } else { ", " };
        format!("{} ({})", self.name, self.labels.join(sep))
    }
}

/// What a declared name is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SymKind<'a> {
    Input(&'a InputField),
    Let(&'a LetDecl),
    Grade,
    Scorecard(&'a Scorecard),
    Relative(&'a RelativeDecl),
    Adjust,
}

impl SymKind<'_> {
    /// `an input`, `a let`, ... for messages.
    pub fn a_word(&self) -> String {
        let w = self.word();
        let an = w.starts_with(['a', 'e', 'i', 'o', 'u']);
        format!("{} {w}", if an { "an" } else { "a" })
    }

    /// `input`, `let`, ... as a word for messages.
    pub fn word(&self) -> &'static str {
        match self {
            SymKind::Input(_) => "input",
            SymKind::Let(_) => "let",
            SymKind::Grade => "grade",
            SymKind::Scorecard(_) => "scorecard",
            SymKind::Relative(_) => "relative grade",
            SymKind::Adjust => "adjusted grade",
        }
    }
}

/// A declared name (the first declaration when there are duplicates).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Symbol<'a> {
    pub ident: &'a Ident,
    pub kind: SymKind<'a>,
}

/// Inference state of one `let`: inferred lazily, because a `let` may use one declared later.
#[derive(Debug, Clone)]
pub(crate) enum LetState {
    Todo,
    Busy,
    Done(Ty),
}

/// A reference from one declaration to another, for cycle detection.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    pub from: String,
    pub to: String,
    pub span: Span,
}

/// The checker's state: the symbol table, the scales, and the diagnostics found so far.
pub(crate) struct Ctx<'a> {
    pub src: &'a SourceFile,
    pub rs: &'a Ruleset,
    pub diags: Vec<Diagnostic>,
    /// Declared names in declaration order (first declaration of each name).
    pub symbols: Vec<Symbol<'a>>,
    pub by_name: HashMap<String, usize>,
    pub scales: Vec<ScaleInfo>,
    /// `scale` declarations by name.
    pub scale_names: HashMap<String, ScaleId>,
    /// The label set of each grade, adjust, relative (label-valued) and enum/grade input.
    pub value_scale: HashMap<String, ScaleId>,
    pub lets: HashMap<String, LetState>,
    /// Tag names (their own namespace: tags are referenced only by `expect tags include`).
    pub tags: Vec<&'a Ident>,
    /// Names referenced from rules (tests do not count): for `tier::name::unused`.
    pub used: HashSet<String>,
    /// The `events` declarations by name (the first of each name).
    pub events: HashMap<String, &'a crate::ast::EventsDecl>,
    /// Events some aggregate folds.
    pub used_events: HashSet<String>,
    /// The events whose fields the names of a `where` refer to, while one is inferred.
    pub event_scope: Option<&'a crate::ast::EventsDecl>,
    /// The declaration whose body is being inferred, for cycle edges.
    pub current: Option<String>,
    pub edges: Vec<Edge>,
    /// Scales already reported as unknown, so a bad `on X` is reported once.
    pub reported_scales: HashSet<Span>,
    /// The scale each bare label was resolved on, by the span of its identifier.
    pub label_scale: HashMap<Span, ScaleId>,
    /// What each resolved name refers to, by the span of its identifier (see [`Resolution`]).
    pub references: HashMap<Span, Target>,
}

impl<'a> Ctx<'a> {
    fn new(rs: &'a Ruleset, src: &'a SourceFile) -> Self {
        Ctx {
            src,
            rs,
            diags: Vec::new(),
            symbols: Vec::new(),
            by_name: HashMap::new(),
            scales: Vec::new(),
            scale_names: HashMap::new(),
            value_scale: HashMap::new(),
            lets: HashMap::new(),
            tags: Vec::new(),
            used: HashSet::new(),
            events: HashMap::new(),
            used_events: HashSet::new(),
            event_scope: None,
            current: None,
            edges: Vec::new(),
            reported_scales: HashSet::new(),
            label_scale: HashMap::new(),
            references: HashMap::new(),
        }
    }

    /// The scale whose order ranks the labels of `s`: `s` itself, or for an ad-hoc set (the
    /// results of a `match`, `bands` or `if`) the first ordered declared scale, grade or relative
    /// that holds every one of its labels. Without one, the labels have no order (the checker
    /// rejects `<` and `max` on them, see `unranked_labels`), and their position is their rank.
    pub fn ranking_scale(&self, s: ScaleId) -> ScaleId {
        let sc = &self.scales[s];
        if sc.kind != ScaleKind::Adhoc {
            return s;
        }
        self.scales
            .iter()
            .position(|o| {
                o.kind != ScaleKind::Adhoc && o.ordered() && sc.labels.iter().all(|l| o.contains(l))
            })
            .unwrap_or(s)
    }

    /// What the compiler needs from this check (see [`Resolution`]).
    fn resolution(&self) -> Resolution {
        let mut value_scale = self.value_scale.clone();
        for (name, state) in &self.lets {
            if let LetState::Done(Ty::Label(s)) = state {
                value_scale.insert(name.clone(), *s);
            }
        }
        let label_rank = self
            .label_scale
            .iter()
            .filter_map(|(span, &s)| {
                let name = self.src.text.get(span.start..span.end)?;
                let rank = self.scales[self.ranking_scale(s)].rank(name.trim())?;
                Some((*span, rank as u32))
            })
            .collect();
        let declarations = self
            .symbols
            .iter()
            .map(|s| Declaration {
                name: s.ident.name.clone(),
                kind: s.kind.word(),
                span: s.ident.span,
            })
            .collect();
        Resolution {
            scales: self.scales.clone(),
            value_scale,
            label_rank,
            label_scale: self.label_scale.clone(),
            declarations,
            references: self.references.clone(),
            types: HashMap::new(),
        }
    }

    /// A new error diagnostic in this ruleset's source.
    pub fn error(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, message).in_source(self.src)
    }

    /// A new warning diagnostic in this ruleset's source.
    pub fn warning(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, message).in_source(self.src)
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The source text of a span with runs of whitespace collapsed: used to quote expressions.
    pub fn text(&self, span: Span) -> String {
        let raw = self.src.text.get(span.start..span.end).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Records that the identifier `id` names a declared value (when it does).
    pub fn refer(&mut self, id: &Ident) {
        if self.by_name.contains_key(&id.name) {
            self.references
                .insert(id.span, Target::Name(id.name.clone()));
        }
    }

    /// Records that `comp` names a component of the scorecard `card`.
    pub fn refer_component(&mut self, card: &Ident, comp: &Ident) {
        self.references.insert(
            comp.span,
            Target::Component(card.name.clone(), comp.name.clone()),
        );
    }

    pub fn symbol(&self, name: &str) -> Option<Symbol<'a>> {
        self.by_name.get(name).map(|&i| self.symbols[i])
    }

    pub fn add_scale(&mut self, name: &str, kind: ScaleKind, labels: Vec<String>) -> ScaleId {
        self.scales.push(ScaleInfo {
            name: name.to_string(),
            kind,
            labels,
        });
        self.scales.len() - 1
    }

    /// Names a did-you-mean may offer: declared names, plus the labels valid in this position.
    pub fn suggest_name(&self, name: &str, labels: Option<ScaleId>) -> Option<String> {
        let mut candidates: Vec<&str> =
            self.symbols.iter().map(|s| s.ident.name.as_str()).collect();
        if let Some(s) = labels {
            candidates.extend(self.scales[s].labels.iter().map(String::as_str));
        }
        crate::diagnostic::suggest(name, candidates).map(str::to_string)
    }
}

/// `a`, `b` and `c` → "`a`, `b`, `c`" for messages.
pub(crate) fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
