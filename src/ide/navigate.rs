//! Definition, references, rename, the outline, and the quick fixes of diagnostics.

use super::Analysis;
use crate::ast::{Item, Scorecard};
use crate::check::Target;
use crate::source::Span;

/// What an outline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Input,
    Scale,
    Let,
    Scorecard,
    Component,
    Grade,
    Adjust,
    Tag,
    Relative,
    Schedule,
    Override,
    Output,
    Test,
}

/// An entry of the document's outline.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// Its name.
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

/// An edit that fixes a diagnostic: replace `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub span: Span,
    pub replacement: String,
    /// Index of the diagnostic it fixes in [`Analysis::diagnostics`].
    pub diagnostic: usize,
}

impl Analysis {
    /// The name at `offset` (a reference or a declaration) and its span.
    pub fn target_at(&self, offset: usize) -> Option<(Span, Target)> {
        if let Some((span, t)) = self.resolution.reference_at(offset) {
            return Some((span, t.clone()));
        }
        let within = |s: Span| s.start <= offset && offset <= s.end;
        if let Some(d) = self
            .resolution
            .declarations()
            .iter()
            .find(|d| within(d.span))
        {
            return Some((d.span, Target::Name(d.name.clone())));
        }
        for card in self.scorecards() {
            if let Some(c) = card.components.iter().find(|c| within(c.name.span)) {
                let t = Target::Component(card.name.name.clone(), c.name.name.clone());
                return Some((c.name.span, t));
            }
        }
        None
    }

    fn scorecards(&self) -> impl Iterator<Item = &Scorecard> {
        self.ruleset.iter().flat_map(|r| {
            r.items.iter().filter_map(|i| match i {
                Item::Scorecard(s) => Some(s),
                _ => None,
            })
        })
    }

    /// Where a target is declared.
    pub fn declaration(&self, target: &Target) -> Option<Span> {
        match target {
            Target::Name(name) => self
                .resolution
                .declarations()
                .iter()
                .find(|d| &d.name == name)
                .map(|d| d.span),
            Target::Component(card, comp) => self
                .scorecards()
                .find(|s| &s.name.name == card)?
                .components
                .iter()
                .find(|c| &c.name.name == comp)
                .map(|c| c.name.span),
        }
    }

    /// The declaration of the name at `offset`.
    pub fn definition(&self, offset: usize) -> Option<Span> {
        self.ruleset.as_ref()?;
        let (_, target) = self.target_at(offset)?;
        self.declaration(&target)
    }

    /// Every occurrence of the name at `offset`, in source order: its uses in rules and in
    /// `test` blocks, and (when `with_declaration`) its declaration.
    pub fn references(&self, offset: usize, with_declaration: bool) -> Vec<Span> {
        if self.ruleset.is_none() {
            return Vec::new();
        }
        let Some((_, target)) = self.target_at(offset) else {
            return Vec::new();
        };
        let mut spans: Vec<Span> = self
            .resolution
            .references()
            .into_iter()
            .filter(|(_, t)| **t == target)
            .map(|(s, _)| s)
            .collect();
        if with_declaration {
            spans.extend(self.declaration(&target));
        }
        spans.sort();
        spans.dedup();
        spans
    }

    /// The edits that rename the name at `offset` to `new_name` (every occurrence, `test`
    /// blocks included), or why it cannot be renamed.
    pub fn rename(&self, offset: usize, new_name: &str) -> Result<Vec<Span>, String> {
        if self.ruleset.is_none() {
            return Err("the ruleset has syntax errors: fix them before renaming".into());
        }
        let Some((_, target)) = self.target_at(offset) else {
            return Err("no declared name here".into());
        };
        if !super::is_identifier(new_name) {
            return Err(format!(
                "`{new_name}` is not a name (a keyword, or not an identifier)"
            ));
        }
        let clash = match &target {
            Target::Name(old) => {
                new_name != old
                    && (self.declaration(&Target::Name(new_name.into())).is_some()
                        || self.resolution.labels().any(|l| l == new_name))
            }
            Target::Component(card, old) => {
                new_name != old
                    && self
                        .declaration(&Target::Component(card.clone(), new_name.into()))
                        .is_some()
            }
        };
        if clash {
            return Err(format!(
                "`{new_name}` is already declared (or is a label): pick another name"
            ));
        }
        Ok(self.references(offset, true))
    }

    /// The outline: inputs, scales, lets, scorecards (with their components), grades, tags,
    /// relatives, schedules and tests, in source order.
    pub fn symbols(&self) -> Vec<Symbol> {
        let Some(rs) = &self.ruleset else {
            return Vec::new();
        };
        let leaf = |name: &str, kind, span, name_span| Symbol {
            name: name.to_string(),
            kind,
            span,
            name_span,
            children: Vec::new(),
        };
        let mut out = Vec::new();
        for item in &rs.items {
            match item {
                Item::Input(b) => out.extend(
                    b.fields
                        .iter()
                        .map(|f| leaf(&f.name.name, SymbolKind::Input, f.span, f.name.span)),
                ),
                Item::Scale(s) => {
                    out.push(leaf(&s.name.name, SymbolKind::Scale, s.span, s.name.span))
                }
                Item::Events(e) => out.extend(
                    e.fields
                        .iter()
                        .map(|f| leaf(&f.name.name, SymbolKind::Input, f.span, f.name.span)),
                ),
                Item::Let(l) => out.push(leaf(&l.name.name, SymbolKind::Let, l.span, l.name.span)),
                Item::Scorecard(s) => {
                    let mut card = leaf(&s.name.name, SymbolKind::Scorecard, s.span, s.name.span);
                    card.children = s
                        .components
                        .iter()
                        .map(|c| leaf(&c.name.name, SymbolKind::Component, c.span, c.name.span))
                        .collect();
                    out.push(card);
                }
                Item::Grade(g) => {
                    out.push(leaf(&g.name.name, SymbolKind::Grade, g.span, g.name.span))
                }
                Item::Adjust(a) => {
                    out.push(leaf(&a.name.name, SymbolKind::Adjust, a.span, a.name.span))
                }
                Item::Tag(t) => out.push(leaf(&t.name.name, SymbolKind::Tag, t.span, t.name.span)),
                Item::Relative(r) => out.push(leaf(
                    &r.name.name,
                    SymbolKind::Relative,
                    r.span,
                    r.name.span,
                )),
                Item::Schedule(s) => {
                    let word = match s.kind {
                        crate::ast::ScheduleKind::FollowUp => "follow_up",
                        crate::ast::ScheduleKind::Review => "review",
                    };
                    let name = match &s.name {
                        Some(n) => format!("{word} {} by {}", n.name, s.grade.name),
                        None => format!("{word} by {}", s.grade.name),
                    };
                    out.push(leaf(&name, SymbolKind::Schedule, s.span, s.grade.span));
                }
                Item::Override(o) => {
                    let name = format!("override {}", o.grade.name);
                    out.push(leaf(&name, SymbolKind::Override, o.span, o.grade.span));
                }
                Item::Output(o) => out.push(leaf("output", SymbolKind::Output, o.span, o.span)),
                Item::Test(t) => {
                    out.push(leaf(&t.name.value, SymbolKind::Test, t.span, t.name.span))
                }
            }
        }
        out
    }

    /// The quick fixes of the diagnostics: a did-you-mean name replaces the unknown one; a
    /// full-width punctuation mark becomes its half-width form; a grade that leaves values
    /// without a label gets a last arm `LABEL otherwise` (its scale's last label); a plain
    /// number on a scaled field (`money(万) 0..1000`) gets its suffix, `1000万` or `1000元`.
    pub fn fixes(&self) -> Vec<Fix> {
        let mut out = Vec::new();
        for (i, d) in self.diagnostics.iter().enumerate() {
            if d.code == crate::diagnostic::Code::GradeUncovered {
                out.extend(d.span().and_then(|s| self.add_otherwise(s, i)));
                continue;
            }
            let (Some(help), Some(span)) = (&d.help, d.span()) else {
                continue;
            };
            let Some(written) = self.text().get(span.start..span.end) else {
                continue;
            };
            if d.code == crate::diagnostic::Code::InputScaledLiteral {
                // `write `1000万`, or `1000元` if you mean 元`: the literal with either suffix.
                let choices = [quoted_after(help, "write `"), quoted_after(help, ", or `")];
                for with_suffix in choices.into_iter().flatten() {
                    out.push(Fix {
                        title: format!("write `{with_suffix}`"),
                        span,
                        replacement: with_suffix.to_string(),
                        diagnostic: i,
                    });
                }
                continue;
            }
            if let Some(name) = quoted_after(help, "did you mean `") {
                // `card.comp` suggested for a component written alone: keep the component.
                let name = match name.rsplit_once('.') {
                    Some((_, comp)) if !written.contains('.') => comp,
                    _ => name,
                };
                if super::is_identifier(written.trim()) && super::is_identifier(name) {
                    out.push(Fix {
                        title: format!("replace `{}` with `{name}`", written.trim()),
                        span,
                        replacement: name.to_string(),
                        diagnostic: i,
                    });
                }
            } else if let (Some(narrow), Some(wide)) = (
                quoted_after(help, "use the half-width `"),
                quoted_after(help, "instead of the full-width `"),
            ) {
                if let Some(at) = written.find(wide) {
                    let start = span.start + at;
                    out.push(Fix {
                        title: format!("replace the full-width `{wide}` with `{narrow}`"),
                        span: Span::new(start, start + wide.len()),
                        replacement: narrow.to_string(),
                        diagnostic: i,
                    });
                }
            }
        }
        out
    }
}

impl Analysis {
    /// A last arm `LABEL otherwise` for the grade that holds `at`, before its closing `}`.
    fn add_otherwise(&self, at: Span, diagnostic: usize) -> Option<Fix> {
        let rs = self.ruleset.as_ref()?;
        let g = rs.items.iter().find_map(|i| match i {
            Item::Grade(g) if g.span.start <= at.start && at.end <= g.span.end => Some(g),
            _ => None,
        })?;
        let (_, labels) = self.resolution.scale_of(&g.name.name)?;
        let label = labels.last()?;
        let text = self.text();
        let close = text[..g.span.end].rfind('}')?;
        let last_arm_end = match &g.body {
            crate::ast::GradeBody::Thresholds { arms, .. } => arms.last().map(|a| a.span.end),
            crate::ast::GradeBody::Rules { arms } => arms.last().map(|a| a.span.end),
        }
        .unwrap_or(close);
        let between = text.get(last_arm_end..close)?;
        let (span, replacement) = if between.contains('\n') {
            // On a line of its own, indented like the last arm.
            let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
            let arm_line = text[..last_arm_end].rfind('\n').map_or(0, |i| i + 1);
            let indent: String = text[arm_line..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            (
                Span::new(line_start, line_start),
                format!("{indent}{label} otherwise\n"),
            )
        } else {
            (Span::new(close, close), format!("{label} otherwise "))
        };
        Some(Fix {
            title: format!("add a last arm `{label} otherwise`"),
            span,
            replacement,
            diagnostic,
        })
    }
}

/// The text between `prefix` and the next backquote in `help`.
fn quoted_after<'h>(help: &'h str, prefix: &str) -> Option<&'h str> {
    let rest = &help[help.find(prefix)? + prefix.len()..];
    Some(&rest[..rest.find('`')?])
}
