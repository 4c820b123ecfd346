//! Ranking by hand, and the compact columns against the reference algorithm on random files.

use super::*;
use crate::ast::{Cut, Expr, ExprKind, Ident, LitKind, Literal, RelativeDecl};
use crate::eval::columns::KeyColumn;
use crate::source::Span;
use crate::value::{Label, Unit};
use std::sync::Arc;

fn ident(n: &str) -> Ident {
    Ident {
        name: n.into(),
        span: Span::default(),
    }
}

fn x() -> Expr {
    Expr {
        kind: ExprKind::Name(ident("x")),
        span: Span::default(),
    }
}

fn cuts(spec: &[(&str, Option<u32>)]) -> Vec<Cut> {
    spec.iter()
        .map(|(l, s)| Cut {
            label: ident(l),
            share: s.map(|p| Literal {
                kind: LitKind::Number {
                    value: Decimal::from(p) / Decimal::ONE_HUNDRED,
                    unit: Unit::Percent,
                },
                text: format!("{p}%"),
                span: Span::default(),
            }),
            span: Span::default(),
        })
        .collect()
}

fn spec(method: RelMethod, ties: TiePolicy, per: bool, missing: Option<&str>) -> RelativeSpec {
    let mut labels: Vec<Arc<str>> = match &method {
        RelMethod::Pareto(c) | RelMethod::Top(c) => {
            c.iter().map(|c| c.label.name.as_str().into()).collect()
        }
        RelMethod::Quantiles { n, .. } => (1..=*n).rev().map(|k| k.to_string().into()).collect(),
        RelMethod::Split {
            above, otherwise, ..
        } => vec![above.name.as_str().into(), otherwise.name.as_str().into()],
    };
    if let Some(m) = missing {
        if !labels.iter().any(|l| &**l == m) {
            labels.push(m.into());
        }
    }
    RelativeSpec {
        name: "r".into(),
        decl: RelativeDecl {
            name: ident("r"),
            method,
            input: x(),
            per: per.then(x),
            ties,
            on_missing: missing.map(ident),
            span: Span::default(),
        },
        labels,
    }
}

fn keys(values: &[Option<i64>]) -> Vec<RelKey> {
    values
        .iter()
        .map(|v| RelKey {
            value: v.map_or(Value::Missing, |v| {
                Value::Number(Decimal::from(v), Unit::Money)
            }),
            group: Value::Missing,
        })
        .collect()
}

fn names(vs: &[Value]) -> Vec<String> {
    vs.iter().map(|v| v.to_string()).collect()
}

fn abc() -> RelMethod {
    RelMethod::Pareto(cuts(&[("A", Some(65)), ("B", Some(85)), ("C", None)]))
}

#[test]
fn pareto_crosser_stays_in_the_upper_class() {
    // Sorted: 50 (0% before → A), 30 (50% before → A, crosses 65%), 10 (80% → B),
    // 5 (90% → C), 5 (95% → C).
    let s = spec(abc(), TiePolicy::InputOrder, false, None);
    let out = assign(&s, &keys(&[Some(10), Some(50), Some(5), Some(30), Some(5)]));
    assert_eq!(names(&out), ["B", "A", "C", "A", "C"]);
    // Ranks follow the labels, best first.
    assert_eq!(
        out[1],
        Value::Label(Label {
            name: "A".into(),
            rank: 0
        })
    );
    assert_eq!(
        out[2],
        Value::Label(Label {
            name: "C".into(),
            rank: 2
        })
    );
}

#[test]
fn pareto_does_not_rank_negative_amounts() {
    // Counted, -200 made the total -50 and everyone A; and any negative amount shrinks
    // the total, pushing the others into lower classes. Not ranked, it is classed as a
    // missing value (its record is rejected when graded).
    let k = keys(&[Some(100), Some(-200), Some(50)]);
    let out = assign(&spec(abc(), TiePolicy::Same, false, None), &k);
    assert_eq!(names(&out), ["A", "missing", "B"]);
    let out = assign(&spec(abc(), TiePolicy::Same, false, Some("C")), &k);
    assert_eq!(names(&out), ["A", "C", "B"]);
    // Other methods rank by position: a negative value is just the smallest.
    let top = RelMethod::Top(cuts(&[("A", Some(34)), ("B", None)]));
    let out = assign(&spec(top, TiePolicy::Same, false, None), &k);
    assert_eq!(names(&out), ["A", "B", "B"]);
}

#[test]
fn pareto_largest_is_always_first_class() {
    let s = spec(abc(), TiePolicy::Same, false, None);
    let out = assign(&s, &keys(&[Some(1), Some(99)]));
    assert_eq!(names(&out), ["C", "A"]);
}

#[test]
fn pareto_ties_same_vs_input_order() {
    let m = || RelMethod::Pareto(cuts(&[("A", Some(50)), ("B", None)]));
    // 40 (0 → A), 30 (40% → A), 30 (70% → B unless tied with the previous one).
    let k = keys(&[Some(30), Some(40), Some(30)]);
    assert_eq!(
        names(&assign(&spec(m(), TiePolicy::Same, false, None), &k)),
        ["A", "A", "A"]
    );
    assert_eq!(
        names(&assign(&spec(m(), TiePolicy::InputOrder, false, None), &k)),
        ["A", "A", "B"]
    );
}

#[test]
fn pareto_total_is_exact() {
    // Three equal thirds: 1/3 + 1/3 must not drift past 2/3.
    let m = RelMethod::Pareto(cuts(&[("A", Some(50)), ("B", None)]));
    let out = assign(
        &spec(m, TiePolicy::InputOrder, false, None),
        &keys(&[Some(1), Some(1), Some(1)]),
    );
    // before: 0 → A, 1/3 → A, 2/3 → B
    assert_eq!(names(&out), ["A", "A", "B"]);
}

#[test]
fn top_by_count_with_ties() {
    let m = || {
        RelMethod::Top(cuts(&[
            ("头部", Some(20)),
            ("腰部", Some(50)),
            ("尾部", None),
        ]))
    };
    let vals: Vec<Option<i64>> = (1..=10).rev().map(Some).collect();
    let out = assign(&spec(m(), TiePolicy::Same, false, None), &keys(&vals));
    assert_eq!(
        names(&out),
        [
            "头部", "头部", "腰部", "腰部", "腰部", "尾部", "尾部", "尾部", "尾部", "尾部"
        ]
    );
    // Position 3 ties with position 2: same → 头部, input_order → 腰部.
    let tied = keys(&[
        Some(10),
        Some(9),
        Some(9),
        Some(8),
        Some(7),
        Some(6),
        Some(5),
        Some(4),
        Some(3),
        Some(2),
    ]);
    assert_eq!(
        names(&assign(&spec(m(), TiePolicy::Same, false, None), &tied))[2],
        "头部"
    );
    assert_eq!(
        names(&assign(
            &spec(m(), TiePolicy::InputOrder, false, None),
            &tied
        ))[2],
        "腰部"
    );
}

#[test]
fn quintiles_by_rank() {
    let q = |hib| RelMethod::Quantiles {
        n: 5,
        higher_is_better: hib,
    };
    let vals: Vec<Option<i64>> = (1..=10).map(Some).collect();
    let out = assign(&spec(q(true), TiePolicy::Same, false, None), &keys(&vals));
    assert_eq!(
        names(&out),
        ["1", "1", "2", "2", "3", "3", "4", "4", "5", "5"]
    );
    // Class 5 is the best: rank 0.
    assert_eq!(
        out[9],
        Value::Label(Label {
            name: "5".into(),
            rank: 0
        })
    );
    let out = assign(&spec(q(false), TiePolicy::Same, false, None), &keys(&vals));
    assert_eq!(
        names(&out),
        ["5", "5", "4", "4", "3", "3", "2", "2", "1", "1"]
    );
}

#[test]
fn quintiles_ties_same_vs_input_order() {
    let q = || RelMethod::Quantiles {
        n: 5,
        higher_is_better: true,
    };
    // Worst first: 1 (p1 → 1), 2 (p2 → 2), 2 (p3 → 3, or 2 when tied), 3 (p4 → 4), 4 (p5 → 5).
    let k = keys(&[Some(2), Some(1), Some(3), Some(2), Some(4)]);
    assert_eq!(
        names(&assign(&spec(q(), TiePolicy::Same, false, None), &k)),
        ["2", "1", "4", "2", "5"]
    );
    assert_eq!(
        names(&assign(&spec(q(), TiePolicy::InputOrder, false, None), &k)),
        ["2", "1", "4", "3", "5"]
    );
}

#[test]
fn mean_and_median_split_strictly_above() {
    let split = |stat| RelMethod::Split {
        stat,
        above: ident("高"),
        otherwise: ident("低"),
    };
    let k = keys(&[Some(1), Some(1), Some(1), Some(9)]);
    // mean 3: only 9 is above.
    assert_eq!(
        names(&assign(
            &spec(split(SplitStat::Mean), TiePolicy::Same, false, None),
            &k
        )),
        ["低", "低", "低", "高"]
    );
    // median of 1,2,3,4 is 2.5.
    let k = keys(&[Some(4), Some(1), Some(3), Some(2)]);
    assert_eq!(
        names(&assign(
            &spec(split(SplitStat::Median), TiePolicy::Same, false, None),
            &k
        )),
        ["高", "低", "高", "低"]
    );
    // median of 1,2,3 is 2: 2 is not strictly above.
    let k = keys(&[Some(2), Some(1), Some(3)]);
    assert_eq!(
        names(&assign(
            &spec(split(SplitStat::Median), TiePolicy::Same, false, None),
            &k
        )),
        ["低", "低", "高"]
    );
}

#[test]
fn per_group_ranks_within_each_group() {
    let m = RelMethod::Top(cuts(&[("头部", Some(50)), ("尾部", None)]));
    let s = spec(m, TiePolicy::Same, true, None);
    let g = |v: i64, region: &str| RelKey {
        value: Value::Number(Decimal::from(v), Unit::Plain),
        group: Value::Text(region.into()),
    };
    let k = vec![g(1, "华东"), g(100, "华北"), g(2, "华东"), g(50, "华北")];
    assert_eq!(names(&assign(&s, &k)), ["尾部", "头部", "头部", "尾部"]);
}

#[test]
fn missing_values_get_the_missing_label_or_stay_missing() {
    let k = keys(&[Some(10), None, Some(5)]);
    let out = assign(&spec(abc(), TiePolicy::Same, false, Some("C")), &k);
    assert_eq!(names(&out), ["A", "C", "B"]);
    let out = assign(&spec(abc(), TiePolicy::Same, false, None), &k);
    assert_eq!(out[1], Value::Missing);
    // A missing row does not count in the total: 10 of 15 → before 0 → A; 5 → before 66.7% → B.
    assert_eq!(names(&out)[2], "B");
}

/// A deterministic pseudo-random sequence (Knuth's MMIX LCG): no crate, same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A value from a small pool (so there are ties) of mixed scales, signs and forms; `wide`
/// adds values that do not fit an `i64` mantissa at the column's scale.
fn random_value(r: &mut Lcg, wide: bool) -> Value {
    let k = r.below(12) as i64 - 3;
    let d = match r.below(if wide { 13 } else { 11 }) {
        0 => return Value::Missing,
        1 => return Value::Text("n/a".into()),
        2 => Decimal::from(k),
        3 => Decimal::new(k * 10 + 5, 1),     // 3.5
        4 => Decimal::new(k * 1000 + 125, 3), // 3.125
        5 => Decimal::new(k * 100, 2),        // 3.00: trailing zeros
        6 => Decimal::from(k) * Decimal::from(1_000_000_000_000_000i64), // 1e15
        7 => Decimal::new(1_000_000_000_000_000_125, 3), // 1e15 + 0.125
        8 => Decimal::ZERO,
        9 => Decimal::new(-(k * 7 + 1), 2),
        10 => Decimal::from(r.below(4)),
        11 => "1234567890123456789012345678".parse().unwrap(),
        _ => Decimal::new(1234567890123456789, 19),
    };
    Value::Number(d, Unit::Plain)
}

fn random_group(r: &mut Lcg) -> Value {
    match r.below(7) {
        0 => Value::Missing,
        1 => Value::Number(Decimal::from(3), Unit::Plain),
        2 => Value::Number(Decimal::new(30, 1), Unit::Plain), // 3.0: the same group as 3
        3 => Value::Text("华东".into()),
        4 => Value::Label(Label {
            name: "华东".into(),
            rank: 1,
        }), // the same group as the text
        5 => Value::Text("华北".into()),
        _ => Value::Bool(true),
    }
}

fn methods() -> Vec<RelMethod> {
    let split = |stat| RelMethod::Split {
        stat,
        above: ident("高"),
        otherwise: ident("低"),
    };
    let mut m = vec![
        abc(),
        RelMethod::Pareto(cuts(&[("A", Some(50)), ("B", None)])),
        RelMethod::Pareto(cuts(&[
            ("A", Some(20)),
            ("B", Some(50)),
            ("C", Some(80)),
            ("D", None),
        ])),
        RelMethod::Top(cuts(&[("A", Some(20)), ("B", Some(50)), ("C", None)])),
        RelMethod::Top(cuts(&[("A", Some(33)), ("B", None)])),
        split(SplitStat::Mean),
        split(SplitStat::Median),
    ];
    for n in [1, 3, 5, 10] {
        for higher_is_better in [true, false] {
            m.push(RelMethod::Quantiles {
                n,
                higher_is_better,
            });
        }
    }
    m
}

#[test]
fn columns_equal_the_reference_on_random_files() {
    let mut r = Lcg(20240611);
    let mut compared = 0;
    let mut widened = 0;
    for case in 0..200 {
        let wide = case % 5 == 4;
        let rows = r.below(if case % 10 == 0 { 400 } else { 40 }) as usize;
        let keys: Vec<RelKey> = (0..rows)
            .map(|_| RelKey {
                value: random_value(&mut r, wide),
                group: random_group(&mut r),
            })
            .collect();
        for method in methods() {
            for ties in [TiePolicy::Same, TiePolicy::InputOrder] {
                for per in [false, true] {
                    for missing in [None, Some("A"), Some("缺失")] {
                        let s = spec(method.clone(), ties, per, missing);
                        let mut column = KeyColumn::new(&s);
                        for k in &keys {
                            column.push(&k.value, &k.group);
                        }
                        widened += usize::from(column.scale().is_none());
                        let got = assign_column(&s, &column);
                        let want = reference::assign(&s, &keys);
                        assert_eq!(got.len(), want.len());
                        for (row, w) in want.iter().enumerate() {
                            assert_eq!(
                                &got.get(row),
                                w,
                                "case {case} row {row} {method:?} {ties:?} per {per} \
                                 missing {missing:?}: {keys:?}"
                            );
                        }
                        assert_eq!(assign(&s, &keys), want);
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 10_000 && widened > 1_000, "{compared} {widened}");
}

/// The algorithm before the compact columns (a `Value` per row, a `(usize, Decimal)` copy per
/// ranked row), kept verbatim as the reference the columns must equal.
mod reference {
    use crate::ast::{RelMethod, SplitStat, TiePolicy};
    use crate::eval::{RelKey, RelativeSpec};
    use crate::value::{Label, Value};
    use rust_decimal::Decimal;
    use std::collections::HashMap;

    fn label(spec: &RelativeSpec, i: usize) -> Value {
        match spec.labels.get(i) {
            Some(name) => Value::Label(Label {
                name: name.clone(),
                rank: i as u32,
            }),
            None => Value::Missing,
        }
    }

    /// The value of a group key, as a string that is equal for equal values.
    fn group_key(v: &Value) -> Option<String> {
        match v {
            Value::Missing => None,
            Value::Number(d, _) => Some(format!("n:{}", d.normalize())),
            Value::Label(l) => Some(format!("t:{}", l.name)),
            Value::Text(t) => Some(format!("t:{t}")),
            other => Some(format!("o:{other}")),
        }
    }

    /// Assigns every row its class (one value per key, same order): a label of `spec.labels`, the
    /// `missing -> L` label for a row whose value (or group) is missing, else `Value::Missing`.
    pub(super) fn assign(spec: &RelativeSpec, keys: &[RelKey]) -> Vec<Value> {
        let missing = match &spec.decl.on_missing {
            Some(l) => spec
                .labels
                .iter()
                .position(|x| **x == *l.name)
                .map(|i| label(spec, i))
                .unwrap_or(Value::Missing),
            None => Value::Missing,
        };
        let mut out = vec![missing.clone(); keys.len()];
        // Rows with a number, grouped by `per` in order of first appearance.
        let mut group_of: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<Vec<(usize, Decimal)>> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let Value::Number(d, _) = k.value else {
                continue;
            };
            // A Pareto share of a negative amount does not exist: not ranked (the record
            // is rejected when graded).
            if matches!(spec.decl.method, RelMethod::Pareto(_)) && d < Decimal::ZERO {
                continue;
            }
            let g = if spec.decl.per.is_some() {
                match group_key(&k.group) {
                    Some(g) => g,
                    None => continue,
                }
            } else {
                String::new()
            };
            let next = groups.len();
            let gi = *group_of.entry(g).or_insert(next);
            if gi == groups.len() {
                groups.push(Vec::new());
            }
            groups[gi].push((i, d));
        }
        for rows in groups {
            for (row, class) in classes(spec, rows) {
                out[row] = label(spec, class);
            }
        }
        out
    }

    /// (row, index into `spec.labels`) for one group.
    fn classes(spec: &RelativeSpec, mut rows: Vec<(usize, Decimal)>) -> Vec<(usize, usize)> {
        let n = rows.len();
        let same = spec.decl.ties == TiePolicy::Same;
        let mut out = Vec::with_capacity(n);
        // Walks rows in ranking order; with `ties same`, a row equal to the previous one gets the
        // previous one's class (so the class of the first of the tied rows).
        let mut assign_in_order =
            |rows: &[(usize, Decimal)], class_at: &mut dyn FnMut(usize) -> usize| {
                let mut prev: Option<(Decimal, usize)> = None;
                for (pos, (row, v)) in rows.iter().enumerate() {
                    let class = match prev {
                        Some((pv, pc)) if same && pv == *v => pc,
                        _ => class_at(pos),
                    };
                    prev = Some((*v, class));
                    out.push((*row, class));
                }
            };
        match &spec.decl.method {
            RelMethod::Pareto(cuts) => {
                // Largest first; the sort is stable, so ties keep input order.
                rows.sort_by_key(|r| std::cmp::Reverse(r.1));
                let total = rows
                    .iter()
                    .try_fold(Decimal::ZERO, |acc, (_, v)| acc.checked_add(*v));
                let shares = cut_shares(cuts);
                let mut before = Decimal::ZERO;
                let values: Vec<Decimal> = rows.iter().map(|r| r.1).collect();
                let mut cum_before = Vec::with_capacity(n);
                for v in &values {
                    cum_before.push(before);
                    before = before.checked_add(*v).unwrap_or(before);
                }
                assign_in_order(&rows, &mut |pos| {
                    // The share of the customers before this one; the first cut whose share is
                    // greater than it is the class (the crosser stays in the upper class).
                    let share_before = match total {
                        Some(t) if t > Decimal::ZERO => {
                            cum_before[pos].checked_div(t).unwrap_or(Decimal::ONE)
                        }
                        _ => Decimal::ZERO,
                    };
                    first_cut(&shares, |s| s > share_before)
                });
            }
            RelMethod::Top(cuts) => {
                rows.sort_by_key(|r| std::cmp::Reverse(r.1));
                let shares = cut_shares(cuts);
                let count = Decimal::from(n as u64);
                assign_in_order(&rows, &mut |pos| {
                    let p = Decimal::from(pos as u64 + 1);
                    // p / n ≤ share, without dividing: p ≤ share × n.
                    first_cut(&shares, |s| match s.checked_mul(count) {
                        Some(limit) => p <= limit,
                        None => true,
                    })
                });
            }
            RelMethod::Quantiles {
                n: classes_n,
                higher_is_better,
            } => {
                // Counted from the worst: ascending when higher is better.
                if *higher_is_better {
                    rows.sort_by_key(|r| r.1);
                } else {
                    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
                }
                let big_n = u128::from((*classes_n).max(1));
                let count = n.max(1) as u128;
                assign_in_order(&rows, &mut |pos| {
                    let k = (pos as u128) * big_n / count + 1; // 1..=N, N the best
                                                               // Labels are N … 1, best first.
                    (big_n - k.min(big_n)) as usize
                });
            }
            RelMethod::Split { stat, .. } => {
                let values: Vec<Decimal> = rows.iter().map(|r| r.1).collect();
                let pivot = match stat {
                    SplitStat::Mean => mean(&values),
                    SplitStat::Median => median(values),
                };
                for (row, v) in rows {
                    let above = pivot.is_some_and(|p| v > p);
                    out.push((row, if above { 0 } else { 1 }));
                }
            }
        }
        out
    }

    /// Each cut's cumulative share; `None` for `rest`.
    fn cut_shares(cuts: &[crate::ast::Cut]) -> Vec<Option<Decimal>> {
        cuts.iter()
            .map(|c| {
                c.share.as_ref().map(|l| match &l.kind {
                    crate::ast::LitKind::Number { value, .. } => *value,
                    _ => Decimal::ONE,
                })
            })
            .collect()
    }

    /// The first cut whose share passes `ok` (`rest` always does); past every cut, the last one.
    fn first_cut(shares: &[Option<Decimal>], ok: impl Fn(Decimal) -> bool) -> usize {
        shares
            .iter()
            .position(|s| match s {
                Some(s) => ok(*s),
                None => true,
            })
            .unwrap_or(shares.len().saturating_sub(1))
    }

    fn mean(values: &[Decimal]) -> Option<Decimal> {
        if values.is_empty() {
            return None;
        }
        let total = values
            .iter()
            .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v))?;
        total.checked_div(Decimal::from(values.len() as u64))
    }

    fn median(mut values: Vec<Decimal>) -> Option<Decimal> {
        values.sort();
        let n = values.len();
        if n == 0 {
            return None;
        }
        if n % 2 == 1 {
            Some(values[n / 2])
        } else {
            let sum = values[n / 2 - 1].checked_add(values[n / 2])?;
            sum.checked_div(Decimal::TWO)
        }
    }
}
