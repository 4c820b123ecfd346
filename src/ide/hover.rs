//! Hover: what a name is, where it is declared and where it is used.

use super::Analysis;
use crate::ast::{GradeBody, Item, RuleTest, ThresholdTest};
use crate::check::Target;
use crate::source::Span;

impl Analysis {
    /// Markdown describing the name at `offset`, and the span it describes.
    pub fn hover(&self, offset: usize) -> Option<(Span, String)> {
        let rs = self.ruleset.as_ref()?;
        let Some((span, target)) = self.target_at(offset) else {
            let (span, set, labels) = self.resolution.label_at(offset)?;
            let label = self.source.slice(span);
            let rank = labels.iter().position(|l| l == label).map_or(0, |r| r + 1);
            return Some((
                span,
                format!(
                    "**label** `{label}` of `{set}`: {} (#{rank} of {})",
                    labels.join(" > "),
                    labels.len()
                ),
            ));
        };
        let decl = self.declaration(&target)?;
        let mut out = match &target {
            Target::Name(name) => self.describe_name(rs, name)?,
            Target::Component(card, comp) => {
                let c = rs.items.iter().find_map(|i| match i {
                    Item::Scorecard(s) if &s.name.name == card => {
                        s.components.iter().find(|c| &c.name.name == comp)
                    }
                    _ => None,
                })?;
                let weight = c.weight.as_ref().map_or("no weight", |w| w.text.as_str());
                format!(
                    "**component** `{card}.{comp}`, weight {weight}\n\n```tier\n{}\n```",
                    self.snippet(c.span)
                )
            }
        };
        let (line, _) = self.lines.position(decl.start);
        let uses = self.references(decl.start, false);
        let (in_tests, in_rules): (Vec<Span>, Vec<Span>) =
            uses.iter().partition(|s| self.in_test(rs, **s));
        let lines = |spans: &[Span]| {
            let mut ls: Vec<u32> = spans
                .iter()
                .map(|s| self.lines.position(s.start).0 + 1)
                .collect();
            ls.dedup();
            ls.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!("\n\ndeclared on line {}", line + 1));
        if uses.is_empty() {
            out.push_str("; not used");
        } else {
            if !in_rules.is_empty() {
                out.push_str(&format!("; used on line(s) {}", lines(&in_rules)));
            }
            if !in_tests.is_empty() {
                out.push_str(&format!("; in tests on line(s) {}", lines(&in_tests)));
            }
        }
        Some((span, out))
    }

    fn in_test(&self, rs: &crate::ast::Ruleset, span: Span) -> bool {
        rs.items.iter().any(
            |i| matches!(i, Item::Test(t) if t.span.start <= span.start && span.end <= t.span.end),
        )
    }

    /// A declaration's first line (its whole text when short).
    fn snippet(&self, span: Span) -> String {
        let text = self.text().get(span.start..span.end).unwrap_or("");
        let mut lines: Vec<&str> = text.lines().collect();
        if lines.len() > 12 {
            lines.truncate(12);
            lines.push("  ...");
        }
        lines.join("\n")
    }

    fn describe_name(&self, rs: &crate::ast::Ruleset, name: &str) -> Option<String> {
        let ty = self.resolution.type_of(name).unwrap_or("unknown");
        for item in &rs.items {
            match item {
                Item::Input(b) => {
                    if let Some(f) = b.fields.iter().find(|f| f.name.name == name) {
                        let mut s = format!(
                            "**input** `{name}`: `{}`{} ({ty})",
                            self.text()
                                .get(f.ty.span.start..f.ty.span.end)
                                .unwrap_or(""),
                            if f.optional { "?" } else { "" }
                        );
                        if let Some(r) = &f.range {
                            s.push_str(&format!("\n\nrange `{}`", r.text()));
                        }
                        if !f.columns.is_empty() {
                            let cols: Vec<String> = f
                                .columns
                                .iter()
                                .map(|c| format!("\"{}\"", c.value))
                                .collect();
                            s.push_str(&format!("\n\ncolumn {}", cols.join(", ")));
                        }
                        if let Some(d) = &f.default {
                            s.push_str(&format!("\n\ndefault `{}`", self.snippet(d.span)));
                        }
                        return Some(s);
                    }
                }
                Item::Let(l) if l.name.name == name => {
                    return Some(format!(
                        "**let** `{name}`: {ty}\n\n```tier\n{}\n```",
                        self.snippet(l.span)
                    ));
                }
                Item::Grade(g) if g.name.name == name => {
                    let arms: Vec<String> = match &g.body {
                        GradeBody::Thresholds { arms, .. } => arms
                            .iter()
                            .map(|a| match &a.test {
                                ThresholdTest::Cmp(..) | ThresholdTest::Missing => {
                                    self.snippet(a.span).trim().to_string()
                                }
                                ThresholdTest::Otherwise => format!("{} otherwise", a.label.name),
                            })
                            .collect(),
                        GradeBody::Rules { arms } => arms
                            .iter()
                            .map(|a| match &a.test {
                                RuleTest::When(e) => {
                                    format!("{} when {}", a.label.name, self.snippet(e.span))
                                }
                                RuleTest::Otherwise => format!("{} otherwise", a.label.name),
                            })
                            .collect(),
                    };
                    let labels = self
                        .resolution
                        .scale_of(name)
                        .map(|(_, l)| l.join(" > "))
                        .unwrap_or_default();
                    return Some(format!(
                        "**grade** `{name}`: {labels}\n\n```tier\n{}\n```",
                        arms.join("\n")
                    ));
                }
                Item::Scorecard(s) if s.name.name == name => {
                    let comps: Vec<String> = s
                        .components
                        .iter()
                        .map(|c| {
                            let w = c.weight.as_ref().map_or("", |w| w.text.as_str());
                            format!("- `{}` {w}", c.name.name)
                        })
                        .collect();
                    return Some(format!(
                        "**scorecard** `{name}`: points\n\n{}",
                        comps.join("\n")
                    ));
                }
                Item::Relative(r) if r.name.name == name => {
                    return Some(format!(
                        "**relative grade** `{name}`: {ty}\n\n```tier\n{}\n```",
                        self.snippet(r.span)
                    ));
                }
                Item::Adjust(a) if a.name.name == name => {
                    return Some(format!(
                        "**adjusted grade** `{name}` of `{}`: {ty}",
                        a.base.name
                    ));
                }
                _ => {}
            }
        }
        None
    }
}
