//! Relative grading over the whole file: Pareto/ABC, top-N%, quantiles, above mean/median.
//! A pure function of the column of keys: no I/O, deterministic, exact decimals.

use super::{RelKey, RelativeSpec};
use crate::ast::{RelMethod, SplitStat, TiePolicy};
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
pub fn assign(spec: &RelativeSpec, keys: &[RelKey]) -> Vec<Value> {
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
    let mut assign_in_order = |rows: &[(usize, Decimal)], class_at: &mut dyn FnMut(usize) -> usize| {
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
            rows.sort_by(|a, b| b.1.cmp(&a.1));
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
                    Some(t) if t > Decimal::ZERO => cum_before[pos].checked_div(t).unwrap_or(Decimal::ONE),
                    _ => Decimal::ZERO,
                };
                first_cut(&shares, |s| s > share_before)
            });
        }
        RelMethod::Top(cuts) => {
            rows.sort_by(|a, b| b.1.cmp(&a.1));
            let shares = cut_shares(cuts);
            let count = Decimal::from(n as u64);
            assign_in_order(&rows, &mut |pos| {
                let p = Decimal::from(pos as u64 + 1);
                // p / n ≤ share, without dividing: p ≤ share × n.
                first_cut(&shares, |s| s.checked_mul(count).is_none_or(|limit| p <= limit))
            });
        }
        RelMethod::Quantiles {
            n: classes_n,
            higher_is_better,
        } => {
            // Counted from the worst: ascending when higher is better.
            if *higher_is_better {
                rows.sort_by(|a, b| a.1.cmp(&b.1));
            } else {
                rows.sort_by(|a, b| b.1.cmp(&a.1));
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
        .position(|s| s.is_none_or(&ok))
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
