//! Relative grading over the whole file: Pareto/ABC, top-N%, quantiles, above mean/median.
//! A pure function of the column of keys: no I/O, deterministic, exact decimals.
//!
//! The keys live in a [`KeyColumn`] (8 bytes a row) and the classes in a [`ClassColumn`] (one
//! byte a row); ranking sorts one `u32` row index per ranked row and never copies the keys.

use super::columns::{ClassColumn, KeyColumn, Keys};
use super::{EvalError, Program, RelKey, RelativeSpec};
use crate::ast::{RelMethod, SplitStat, TiePolicy};
use crate::outcome::Outcome;
use crate::value::Value;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Assigns every row its class (one value per key, same order): a label of `spec.labels`, the
/// `missing -> L` label for a row whose value (or group) is missing, else `Value::Missing`.
/// A Pareto relative does not rank negative values (they have no share of the total): such a
/// row is classed as a missing one, and [`super::Program::evaluate`] rejects its record.
/// The row-of-values form of [`assign_column`].
pub fn assign(spec: &RelativeSpec, keys: &[RelKey]) -> Vec<Value> {
    let mut column = KeyColumn::with_capacity(spec, keys.len());
    for k in keys {
        column.push(&k.value, &k.group);
    }
    assign_column(spec, &column).to_values()
}

/// Assigns every row of `keys` its class: the index of a label of `spec.labels`, the
/// `missing -> L` label for a row whose value (or group) is missing, else missing. Ranks within
/// each `per` group; the working memory is one `u32` row index per ranked row.
pub fn assign_column(spec: &RelativeSpec, keys: &KeyColumn) -> ClassColumn {
    let missing = spec
        .decl
        .on_missing
        .as_ref()
        .and_then(|l| spec.labels.iter().position(|x| **x == *l.name));
    let mut out = ClassColumn::new(spec.labels.clone(), keys.len(), missing);
    assert!(
        keys.len() <= u32::MAX as usize + 1,
        "a relative ranks at most 2^32 rows"
    );
    match keys.keys() {
        Keys::Compact { mantissas, scale } => {
            rank(spec, Compact { mantissas, scale }, keys, &mut out)
        }
        Keys::Wide { values, .. } => rank(spec, Wide { values }, keys, &mut out),
    }
    out
}

/// The classes of every relative over a whole file, round by round (see
/// [`Program::relative_rounds`]): the one place the rounds are written. `key_pass` reads the
/// records once for one round: given the classes known so far (one column per relative, empty
/// for those not assigned yet) and the round's relatives, it returns one [`KeyColumn`] per
/// relative of the round, a row for every record in file order (a record that cannot be keyed
/// pushes missing keys, so rows stay aligned). `tier run` streams the file in each pass; the
/// REPL's `:row` and [`Program::relative_classes`] pass over rows they hold.
pub fn rank_in_rounds<E>(
    program: &Program,
    mut key_pass: impl FnMut(&[ClassColumn], &[usize]) -> Result<Vec<KeyColumn>, E>,
) -> Result<Vec<ClassColumn>, E> {
    let mut classes: Vec<ClassColumn> = program
        .relatives()
        .iter()
        .map(|spec| ClassColumn::new(spec.labels.clone(), 0, None))
        .collect();
    for round in program.relative_rounds() {
        let keys = key_pass(&classes, round)?;
        for (column, &k) in keys.iter().zip(round) {
            classes[k] = assign_column(&program.relatives()[k], column);
        }
    }
    Ok(classes)
}

/// The key pass of one round over records held in memory: a record that cannot be keyed (an
/// evaluation error) gets missing keys, and is rejected when graded.
fn key_pass_over(
    program: &Program,
    records: &[Vec<Value>],
    as_of: Date,
    known: &[ClassColumn],
    round: &[usize],
) -> Vec<KeyColumn> {
    let mut columns: Vec<KeyColumn> = round
        .iter()
        .map(|&k| KeyColumn::with_capacity(&program.relatives()[k], records.len()))
        .collect();
    for (i, record) in records.iter().enumerate() {
        let classes: Vec<Value> = known.iter().map(|c| c.get(i)).collect();
        let keys = program.relative_keys_with(record, &classes, as_of).ok();
        for (column, &k) in columns.iter_mut().zip(round) {
            match keys.as_ref().and_then(|all| all.get(k)) {
                Some(key) => column.push(&key.value, &key.group),
                None => column.push(&Value::Missing, &Value::Missing),
            }
        }
    }
    columns
}

impl Program {
    /// The relative classes (Pareto, quantiles, ...) of every record of a whole file held in
    /// memory, ranked as `tier run` ranks them: one row per record, one value per relative
    /// ([`Program::relatives`]), `Value::Missing` for a record without a class.
    pub fn relative_classes(&self, records: &[Vec<Value>], as_of: Date) -> Vec<Vec<Value>> {
        let columns = rank_in_rounds(self, |known, round| {
            Ok::<_, std::convert::Infallible>(key_pass_over(self, records, as_of, known, round))
        })
        .unwrap_or_else(|never| match never {});
        (0..records.len())
            .map(|i| columns.iter().map(|c| c.get(i)).collect())
            .collect()
    }

    /// Grades every record of a whole file held in memory, relative classes included (see
    /// [`Program::relative_classes`]), with the full explanation ([`Program::evaluate`]). One
    /// result per record, in order; a record that cannot be graded is its error.
    pub fn grade_all(
        &self,
        records: &[Vec<Value>],
        as_of: Date,
    ) -> Vec<Result<Outcome, EvalError>> {
        let classes = self.relative_classes(records, as_of);
        records
            .iter()
            .zip(&classes)
            .map(|(record, relatives)| self.evaluate(record, relatives, as_of))
            .collect()
    }
}

/// The numbers of the ranked rows, compared and summed exactly.
trait Ranked: Copy {
    /// A running sum of values.
    type Sum: Copy;
    fn cmp(self, a: u32, b: u32) -> Ordering;
    fn decimal(self, row: u32) -> Decimal;
    fn zero(self) -> Self::Sum;
    /// `acc + value(row)`, `None` on overflow.
    fn add(self, acc: Self::Sum, row: u32) -> Option<Self::Sum>;
    fn sum_decimal(self, sum: Self::Sum) -> Decimal;
}

/// Mantissas at one scale: sums in `i128` are exact, and below 2^95 for up to 2^32 rows, so
/// they convert to a decimal without loss (a decimal holds 96 bits).
#[derive(Clone, Copy)]
struct Compact<'a> {
    mantissas: &'a [i64],
    scale: u32,
}

impl Ranked for Compact<'_> {
    type Sum = i128;
    fn cmp(self, a: u32, b: u32) -> Ordering {
        self.mantissas[a as usize].cmp(&self.mantissas[b as usize])
    }
    fn decimal(self, row: u32) -> Decimal {
        Decimal::from_i128_with_scale(self.mantissas[row as usize] as i128, self.scale)
    }
    fn zero(self) -> i128 {
        0
    }
    fn add(self, acc: i128, row: u32) -> Option<i128> {
        acc.checked_add(self.mantissas[row as usize] as i128)
    }
    fn sum_decimal(self, sum: i128) -> Decimal {
        Decimal::from_i128_with_scale(sum, self.scale)
    }
}

/// The decimal fallback: sums are decimal sums, as the language's arithmetic.
#[derive(Clone, Copy)]
struct Wide<'a> {
    values: &'a [Decimal],
}

impl Ranked for Wide<'_> {
    type Sum = Decimal;
    fn cmp(self, a: u32, b: u32) -> Ordering {
        self.values[a as usize].cmp(&self.values[b as usize])
    }
    fn decimal(self, row: u32) -> Decimal {
        self.values[row as usize]
    }
    fn zero(self) -> Decimal {
        Decimal::ZERO
    }
    fn add(self, acc: Decimal, row: u32) -> Option<Decimal> {
        acc.checked_add(self.values[row as usize])
    }
    fn sum_decimal(self, sum: Decimal) -> Decimal {
        sum
    }
}

/// How a group's rows are walked.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    Descending,
    Ascending,
    Input,
}

fn rank<K: Ranked>(spec: &RelativeSpec, k: K, column: &KeyColumn, out: &mut ClassColumn) {
    let present = column.keys();
    let count = (0..column.len()).filter(|&r| present.is_present(r)).count();
    let mut rows: Vec<u32> = Vec::with_capacity(count);
    rows.extend(
        (0..column.len())
            .filter(|&r| present.is_present(r))
            .map(|r| r as u32),
    );
    let order = match &spec.decl.method {
        RelMethod::Pareto(_) | RelMethod::Top(_) => Order::Descending,
        RelMethod::Quantiles {
            higher_is_better: true,
            ..
        } => Order::Ascending,
        RelMethod::Quantiles { .. } => Order::Descending,
        RelMethod::Split {
            stat: SplitStat::Mean,
            ..
        } => Order::Input,
        RelMethod::Split {
            stat: SplitStat::Median,
            ..
        } => Order::Ascending,
    };
    let groups = column.group_ids();
    // By group, then value, then row: the row breaks ties as a stable sort would, so an
    // unstable (in-place) sort gives the same order without a buffer.
    rows.sort_unstable_by(|&a, &b| {
        let by_group = match groups {
            Some(g) => g[a as usize].cmp(&g[b as usize]),
            None => Ordering::Equal,
        };
        let by_value = match order {
            Order::Descending => k.cmp(b, a),
            Order::Ascending => k.cmp(a, b),
            Order::Input => Ordering::Equal,
        };
        by_group.then(by_value).then(a.cmp(&b))
    });
    match groups {
        Some(g) => {
            for group in rows.chunk_by(|&a, &b| g[a as usize] == g[b as usize]) {
                classes(spec, k, group, out);
            }
        }
        None if !rows.is_empty() => classes(spec, k, &rows, out),
        None => {}
    }
}

/// Walks one group's rows in ranking order; with `ties same`, a row equal to the previous one
/// gets the previous one's class (so the class of the first of the tied rows).
fn in_order<K: Ranked>(
    k: K,
    rows: &[u32],
    same: bool,
    out: &mut ClassColumn,
    mut class_at: impl FnMut(usize) -> usize,
) {
    let mut prev: Option<(u32, usize)> = None;
    for (pos, &row) in rows.iter().enumerate() {
        let class = match prev {
            Some((p, c)) if same && k.cmp(p, row) == Ordering::Equal => c,
            _ => class_at(pos),
        };
        prev = Some((row, class));
        out.set(row as usize, class);
    }
}

/// Classes one (non-empty) group, its rows sorted as [`rank`] orders them for the method.
fn classes<K: Ranked>(spec: &RelativeSpec, k: K, rows: &[u32], out: &mut ClassColumn) {
    let n = rows.len();
    let same = spec.decl.ties == TiePolicy::Same;
    match &spec.decl.method {
        RelMethod::Pareto(cuts) => {
            // Largest first, ties in input order. No value is negative (the key column leaves
            // them out), so the share before a row only grows and stays within the total.
            let total = rows
                .iter()
                .try_fold(k.zero(), |acc, &r| k.add(acc, r))
                .map(|t| k.sum_decimal(t));
            let shares = cut_shares(cuts);
            // The sum of the values before the current row (an overflowing row is not added).
            let mut before = k.zero();
            let mut prev: Option<(u32, usize)> = None;
            for &row in rows {
                let class = match prev {
                    Some((p, c)) if same && k.cmp(p, row) == Ordering::Equal => c,
                    _ => {
                        // The share of the customers before this one; the first cut whose share
                        // is greater than it is the class (the crosser stays in the upper class).
                        let share_before = match total {
                            Some(t) if t > Decimal::ZERO => {
                                k.sum_decimal(before).checked_div(t).unwrap_or(Decimal::ONE)
                            }
                            _ => Decimal::ZERO,
                        };
                        first_cut(&shares, |s| s > share_before)
                    }
                };
                before = k.add(before, row).unwrap_or(before);
                prev = Some((row, class));
                out.set(row as usize, class);
            }
        }
        RelMethod::Top(cuts) => {
            // p / n ≤ share, without dividing: p ≤ share × n (`None`: always).
            let count = Decimal::from(n as u64);
            let limits: Vec<Option<Option<Decimal>>> = cut_shares(cuts)
                .into_iter()
                .map(|s| s.map(|s| s.checked_mul(count)))
                .collect();
            in_order(k, rows, same, out, |pos| {
                let p = Decimal::from(pos as u64 + 1);
                limits
                    .iter()
                    .position(|l| match l {
                        Some(Some(limit)) => p <= *limit,
                        _ => true,
                    })
                    .unwrap_or(limits.len().saturating_sub(1))
            });
        }
        RelMethod::Quantiles { n: classes_n, .. } => {
            // Counted from the worst (the sort is ascending when higher is better).
            let big_n = u128::from((*classes_n).max(1));
            let count = n.max(1) as u128;
            in_order(k, rows, same, out, |pos| {
                let k = (pos as u128) * big_n / count + 1; // 1..=N, N the best
                                                           // Labels are N … 1, best first.
                (big_n - k.min(big_n)) as usize
            });
        }
        RelMethod::Split { stat, .. } => {
            let pivot = match stat {
                // Summed in input order (the rows are in input order for the mean).
                SplitStat::Mean => rows
                    .iter()
                    .try_fold(k.zero(), |acc, &r| k.add(acc, r))
                    .and_then(|t| k.sum_decimal(t).checked_div(Decimal::from(n as u64))),
                // Sorted ascending.
                SplitStat::Median if n % 2 == 1 => Some(k.decimal(rows[n / 2])),
                SplitStat::Median => k
                    .decimal(rows[n / 2 - 1])
                    .checked_add(k.decimal(rows[n / 2]))
                    .and_then(|s| s.checked_div(Decimal::TWO)),
            };
            for &row in rows {
                let above = pivot.is_some_and(|p| k.decimal(row) > p);
                out.set(row as usize, if above { 0 } else { 1 });
            }
        }
    }
}

/// Each cut's cumulative share; `None` for `rest`.
pub(crate) fn cut_shares(cuts: &[crate::ast::Cut]) -> Vec<Option<Decimal>> {
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

#[cfg(test)]
mod tests;
