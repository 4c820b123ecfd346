//! Counting a comparison as the rows go by: per version, per pair of gradings, per reject. Pure:
//! no I/O; memory is per grade, tag, week and owner, plus one entry per changed customer and
//! per reject.

use super::{
    Changed, Customer, Diff, GradeShift, Matrix, MatrixCell, OwnerLoad, RejectChange, RowCounts,
    Side, StepChange, TagShift, VersionInfo, WeekLoad, Workload, UNGRADED,
};
use crate::diagnostic::Diagnostic;
use crate::outcome::Outcome;
use crate::value::{Unit, Value};
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the comparison needs of one grading of one customer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct View {
    /// The grade label, or [`UNGRADED`].
    pub grade: String,
    /// The label's rank on its scale (0 is best); `u32::MAX` when unknown.
    pub rank: u32,
    pub tags: Vec<String>,
    pub next_due: Option<Date>,
    pub overdue: bool,
    /// The grade's owner, then the tags' owners, each once.
    pub owners: Vec<String>,
    /// The revenue value, with its unit.
    pub revenue: Option<(Decimal, Unit)>,
}

impl View {
    /// The view of an outcome; `revenue` names the value summed as revenue.
    pub fn of(outcome: &Outcome, revenue: Option<&str>) -> View {
        let grade = outcome.grade.as_ref();
        let label = grade.and_then(|g| g.label.as_deref());
        let rank = grade
            .and_then(|g| outcome.value(&g.name))
            .and_then(|v| match v {
                Value::Label(l) if Some(&*l.name) == label => Some(l.rank),
                _ => None,
            })
            .unwrap_or(u32::MAX);
        let mut owners: Vec<String> = Vec::new();
        let all = grade
            .and_then(|g| g.owner.as_deref())
            .into_iter()
            .chain(outcome.tags.iter().filter_map(|t| t.owner.as_deref()));
        for o in all {
            if !owners.iter().any(|x| x == o) {
                owners.push(o.to_string());
            }
        }
        View {
            grade: label.unwrap_or(UNGRADED).to_string(),
            rank,
            tags: outcome.tags.iter().map(|t| t.name.to_string()).collect(),
            next_due: outcome.follow_up.as_ref().and_then(|f| f.next_due),
            overdue: outcome.follow_up.as_ref().is_some_and(|f| f.overdue),
            owners,
            revenue: revenue
                .and_then(|r| outcome.value(r))
                .and_then(|v| match v {
                    Value::Number(d, u) => Some((*d, *u)),
                    _ => None,
                }),
        }
    }

    /// Whether a customer's grade or tags differ between two views (it is then listed).
    pub fn changed(&self, other: &View) -> bool {
        self.grade != other.grade || self.tags != other.tags
    }
}

/// The ISO week of a date, as `2026-W48`.
pub(crate) fn iso_week(date: Date) -> String {
    let w = date.iso_week_date();
    format!("{}-W{:02}", w.year(), w.week())
}

#[derive(Debug, Default, Clone, Copy)]
struct Pair {
    old: usize,
    new: usize,
}

impl Pair {
    fn add(&mut self, side: Side) {
        match side {
            Side::Old => self.old += 1,
            Side::New => self.new += 1,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct TagCount {
    held: Pair,
    gained: usize,
    lost: usize,
}

#[derive(Debug, Default, Clone, Copy)]
struct Cell {
    customers: usize,
    revenue: Decimal,
}

/// The running counts of a comparison.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// grade → (best rank seen, customers per version)
    grades: BTreeMap<String, (u32, Pair)>,
    tags: BTreeMap<String, TagCount>,
    /// Tag names in the order the report lists them.
    tag_order: Vec<String>,
    weeks: BTreeMap<String, Pair>,
    owners: BTreeMap<(String, String), Pair>,
    any_owner: bool,
    overdue: Pair,
    cells: BTreeMap<(String, String), Cell>,
    revenue_total: Decimal,
    revenue_unit: Option<Unit>,
    moved: usize,
    moved_revenue: Decimal,
    changed: Vec<Changed>,
    rejects: Vec<RejectChange>,
    pub rows: RowCounts,
    new_customers: Vec<Customer>,
    vanished: Vec<Customer>,
    pub warnings: Vec<Diagnostic>,
}

impl Tally {
    /// Lists tags in this order (declaration order), any others after them by name.
    pub fn order_tags(&mut self, names: Vec<String>) {
        for n in names {
            if !self.tag_order.contains(&n) {
                self.tag_order.push(n);
            }
        }
    }

    /// One customer graded by one version: its grade, tags and follow-up count for that side.
    pub fn graded(&mut self, side: Side, v: &View) {
        let (rank, count) = self
            .grades
            .entry(v.grade.clone())
            .or_insert((u32::MAX, Pair::default()));
        *rank = (*rank).min(v.rank);
        count.add(side);
        for t in &v.tags {
            self.tags.entry(t.clone()).or_default().held.add(side);
        }
        if v.overdue {
            self.overdue.add(side);
        }
        if let Some(due) = v.next_due {
            let week = iso_week(due);
            self.weeks.entry(week.clone()).or_default().add(side);
            self.any_owner |= !v.owners.is_empty();
            if v.owners.is_empty() {
                self.owners
                    .entry((String::new(), week))
                    .or_default()
                    .add(side);
            } else {
                for o in &v.owners {
                    self.owners
                        .entry((o.clone(), week.clone()))
                        .or_default()
                        .add(side);
                }
            }
        }
    }

    /// One customer graded by both sides (each also given to [`Tally::graded`]); `step` is the
    /// first difference of a changed customer.
    pub fn pair(
        &mut self,
        row: usize,
        key: &str,
        old: &View,
        new: &View,
        step: Option<StepChange>,
    ) {
        self.rows.compared += 1;
        let revenue = new.revenue.or(old.revenue);
        if let Some((_, unit)) = revenue {
            self.revenue_unit.get_or_insert(unit);
        }
        let revenue = revenue.map_or(Decimal::ZERO, |(d, _)| d);
        self.revenue_total += revenue;
        let cell = self
            .cells
            .entry((old.grade.clone(), new.grade.clone()))
            .or_default();
        cell.customers += 1;
        cell.revenue += revenue;
        if old.grade != new.grade {
            self.moved += 1;
            self.moved_revenue += revenue;
        }
        let gained: Vec<String> = new
            .tags
            .iter()
            .filter(|t| !old.tags.contains(t))
            .cloned()
            .collect();
        let lost: Vec<String> = old
            .tags
            .iter()
            .filter(|t| !new.tags.contains(t))
            .cloned()
            .collect();
        for t in &gained {
            self.tags.entry(t.clone()).or_default().gained += 1;
        }
        for t in &lost {
            self.tags.entry(t.clone()).or_default().lost += 1;
        }
        if old.changed(new) {
            self.changed.push(Changed {
                row,
                key: key.to_string(),
                old_grade: old.grade.clone(),
                new_grade: new.grade.clone(),
                tags_gained: gained,
                tags_lost: lost,
                step,
            });
        }
    }

    /// A row one side rejects: its problems.
    pub fn reject(&mut self, problems: Vec<RejectChange>) {
        self.rejects.extend(problems);
    }

    /// A new customer (against a graded file).
    pub fn new_customer(&mut self, c: Customer) {
        self.rows.new_customers += 1;
        self.new_customers.push(c);
    }

    /// A vanished customer (against a graded file).
    pub fn vanished(&mut self, c: Customer) {
        self.rows.vanished += 1;
        self.vanished.push(c);
    }

    /// The report. `revenue_field` is the value [`View::revenue`] was read from.
    pub fn finish(
        self,
        (old, new): (VersionInfo, VersionInfo),
        input: String,
        key: String,
        grade_name: Option<String>,
        revenue_field: Option<String>,
    ) -> Diff {
        let share = |n: Decimal, d: Decimal| {
            if d.is_zero() {
                Decimal::ZERO
            } else {
                (n / d).round_dp(4)
            }
        };
        let rank = |g: &String| {
            (
                g == UNGRADED,
                self.grades.get(g).map_or(u32::MAX, |(r, _)| *r),
                g.clone(),
            )
        };
        let mut grades: Vec<(&String, Pair)> =
            self.grades.iter().map(|(g, (_, p))| (g, *p)).collect();
        grades.sort_by_key(|(g, _)| rank(g));
        let axis = |pick: fn(&(String, String)) -> &String| {
            let mut labels: Vec<String> = Vec::new();
            for k in self.cells.keys() {
                if !labels.contains(pick(k)) {
                    labels.push(pick(k).clone());
                }
            }
            labels.sort_by_key(|g| rank(g));
            labels
        };
        let old_axis = axis(|k| &k.0);
        let new_axis = axis(|k| &k.1);
        let has_revenue = revenue_field.is_some();
        let compared = Decimal::from(self.rows.compared);
        let mut cells: Vec<MatrixCell> = Vec::new();
        for o in &old_axis {
            for n in &new_axis {
                if let Some(c) = self.cells.get(&(o.clone(), n.clone())) {
                    cells.push(MatrixCell {
                        old: o.clone(),
                        new: n.clone(),
                        customers: c.customers,
                        share: share(Decimal::from(c.customers), compared),
                        revenue: has_revenue.then_some(c.revenue),
                        revenue_share: has_revenue.then(|| share(c.revenue, self.revenue_total)),
                    });
                }
            }
        }
        let mut tag_names: Vec<String> = self.tag_order.clone();
        tag_names.extend(
            self.tags
                .keys()
                .filter(|t| !self.tag_order.contains(t))
                .cloned(),
        );
        let tags = tag_names
            .into_iter()
            .map(|t| {
                let c = self.tags.get(&t).copied().unwrap_or_default();
                TagShift {
                    tag: t,
                    old: c.held.old,
                    new: c.held.new,
                    gained: c.gained,
                    lost: c.lost,
                }
            })
            .collect();
        let workload = Workload {
            weeks: self
                .weeks
                .iter()
                .map(|(w, p)| WeekLoad {
                    week: w.clone(),
                    old: p.old,
                    new: p.new,
                })
                .collect(),
            owners: if self.any_owner {
                self.owners
                    .iter()
                    .map(|((o, w), p)| OwnerLoad {
                        owner: o.clone(),
                        week: w.clone(),
                        old: p.old,
                        new: p.new,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            old_overdue: self.overdue.old,
            new_overdue: self.overdue.new,
        };
        Diff {
            old,
            new,
            input,
            key,
            grade_name,
            revenue_total: has_revenue.then_some(self.revenue_total),
            moved_revenue: has_revenue.then_some(self.moved_revenue),
            moved_revenue_share: has_revenue.then(|| share(self.moved_revenue, self.revenue_total)),
            revenue_field,
            rows: self.rows,
            moved: self.moved,
            matrix: Matrix {
                old: old_axis,
                new: new_axis,
                cells,
            },
            grades: grades
                .into_iter()
                .map(|(g, p)| GradeShift {
                    grade: g.clone(),
                    old: p.old,
                    new: p.new,
                })
                .collect(),
            changed: self.changed,
            tags,
            workload,
            rejects: self.rejects,
            new_customers: self.new_customers,
            vanished: self.vanished,
            revenue_unit: self.revenue_unit.unwrap_or_default(),
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(grade: &str, rank: u32, tags: &[&str], due: Option<Date>) -> View {
        View {
            grade: grade.into(),
            rank,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            next_due: due,
            overdue: false,
            owners: Vec::new(),
            revenue: Some((Decimal::from(10), Unit::Money)),
        }
    }

    #[test]
    fn counts_a_move_and_the_tags_it_changes() {
        let mut t = Tally::default();
        let d = jiff::civil::date(2026, 11, 23);
        let (a, b) = (view("A", 0, &["x"], Some(d)), view("B", 1, &["y"], None));
        t.graded(Side::Old, &a);
        t.graded(Side::New, &b);
        t.pair(2, "k", &a, &b, None);
        let same = view("A", 0, &[], None);
        t.graded(Side::Old, &same);
        t.graded(Side::New, &same);
        t.pair(3, "j", &same, &same, None);
        let info = VersionInfo {
            source: "x".into(),
            ruleset: None,
            version: None,
            as_of: None,
        };
        let diff = t.finish(
            (info.clone(), info),
            "data".into(),
            "id".into(),
            None,
            Some("r".into()),
        );
        assert_eq!(diff.moved, 1);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(diff.changed[0].tags_gained, ["y"]);
        assert_eq!(diff.matrix.old, ["A"]);
        assert_eq!(diff.matrix.new, ["A", "B"]);
        assert_eq!(diff.moved_revenue_share, Some(Decimal::new(5, 1)));
        assert_eq!(diff.workload.weeks[0].week, "2026-W48");
        assert_eq!(
            (diff.workload.weeks[0].old, diff.workload.weeks[0].new),
            (1, 0)
        );
        let x = diff.tags.iter().find(|t| t.tag == "x").unwrap();
        assert_eq!((x.old, x.new, x.gained, x.lost), (1, 0, 0, 1));
    }
}
