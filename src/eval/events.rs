//! Aggregates over events: `sum(订单.金额 within 12 months where 状态 = 已完成)` folds one
//! customer's events into one value.
//!
//! A [`Folder`] keeps one small state per customer and aggregate (a running sum, a count, the
//! latest date and value, the set of days seen) and takes events one at a time, in any order:
//! a file of ten million events streams through it without being held. Its values follow the
//! inputs in a record (see [`Program::record_with_events`]), where the interpreter reads them.
//!
//! An event counts for an aggregate when it is dated on or before the as-of date, after the
//! window's start (`within 12 months`: after `as_of - 12 months`), and its `where` holds (a
//! `where` that is missing, because a field it reads is empty, does not hold).

use super::interpret::Env;
use super::program::{CExpr, Program};
use super::{date, EvalError};
use crate::ast::{AggFunc, TypeKind};
use crate::diagnostic::Code;
use crate::source::Span;
use crate::value::{Duration, Unit, Value};
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One aggregate written in the ruleset, compiled.
#[derive(Debug, Clone)]
pub(crate) struct AggregateC {
    pub func: AggFunc,
    /// Index into `Program::events`.
    pub events: usize,
    /// Index into the events' fields (`None` for `count(订单)`).
    pub field: Option<usize>,
    pub window: Option<WindowC>,
    /// Over the event's fields (`Slot::Input(i)` is field `i`).
    pub filter: Option<CExpr>,
    /// The unit of the folded field (for an empty sum: `0` in that unit).
    pub unit: Unit,
    /// The aggregate as written, for explanations: `sum(订单.金额 within 12 months)`.
    pub text: Arc<str>,
    pub span: Span,
}

/// A compiled window.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WindowC {
    /// `within 12 months`
    Last(Duration),
    /// `within this month`
    This(crate::ast::Period),
}

impl WindowC {
    /// The day before the window's first day: an event counts when dated after it.
    fn start(self, as_of: Date) -> Option<Date> {
        use crate::ast::Period;
        let first = match self {
            WindowC::Last(w) => return date::add(as_of, negate(w)),
            WindowC::This(Period::Month) => as_of.first_of_month(),
            WindowC::This(Period::Year) => as_of.first_of_year(),
            WindowC::This(Period::Week) => {
                let back = i32::from(as_of.weekday().to_monday_zero_offset());
                date::add(
                    as_of,
                    Duration {
                        days: -back,
                        ..Duration::default()
                    },
                )?
            }
        };
        date::add(
            first,
            Duration {
                days: -1,
                ..Duration::default()
            },
        )
    }
}

/// Why an event does or does not count for an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Counted,
    /// Dated after the as-of date.
    Future,
    /// Dated on or before the window's start.
    BeforeWindow,
    /// The `where` does not hold (or is missing).
    Filtered,
}

/// The running state of one aggregate for one customer.
#[derive(Debug, Clone)]
enum State {
    /// Sum, count and average: the running total and how many.
    Total {
        sum: Decimal,
        n: u64,
        overflow: bool,
    },
    /// Min and max.
    Extreme(Option<Value>),
    /// First and last (value and date): the date and value of the best event so far.
    Edge(Option<(Date, Value)>),
    /// Distinct days or months: the days (or month numbers) seen.
    Distinct(BTreeSet<i32>),
}

/// Folds events into aggregate values, for many customers at once.
pub struct Folder<'p> {
    prog: &'p Program,
    as_of: Date,
    /// The window's start of each aggregate (an event counts when dated after it).
    starts: Vec<Option<Date>>,
    /// The aggregates over each `events` declaration.
    by_events: Vec<Vec<usize>>,
    /// `customers × aggregates` states, customer-major.
    states: Vec<State>,
}

impl<'p> Folder<'p> {
    /// A folder for `customers` customers, every aggregate empty.
    pub fn new(prog: &'p Program, customers: usize, as_of: Date) -> Folder<'p> {
        let aggs = &prog.aggregates;
        let starts = aggs
            .iter()
            .map(|a| a.window.and_then(|w| w.start(as_of)))
            .collect();
        let mut by_events = vec![Vec::new(); prog.events.len()];
        for (k, a) in aggs.iter().enumerate() {
            by_events[a.events].push(k);
        }
        let blank: Vec<State> = aggs.iter().map(|a| empty(a.func)).collect();
        let mut states = Vec::with_capacity(customers * aggs.len());
        for _ in 0..customers {
            states.extend(blank.iter().cloned());
        }
        Folder {
            prog,
            as_of,
            starts,
            by_events,
            states,
        }
    }

    /// Whether event `values` (of events `events`) counts for aggregate `k`, and if not why.
    /// An error is a `where` that cannot be decided (a type error the checker could not see).
    pub fn fate(&self, k: usize, values: &[Value]) -> Result<Fate, EvalError> {
        let a = &self.prog.aggregates[k];
        let spec = &self.prog.events[a.events];
        let Some(Value::Date(d)) = values.get(spec.date) else {
            return Ok(Fate::Filtered);
        };
        if *d > self.as_of {
            return Ok(Fate::Future);
        }
        if self.starts[k].is_some_and(|s| *d <= s) {
            return Ok(Fate::BeforeWindow);
        }
        if let Some(f) = &a.filter {
            let env = Env::new(self.prog, values, &[], self.as_of);
            let v = env.eval(f, &self.prog.source)?;
            if env.truth(&v, f, &self.prog.source)? != Some(true) {
                return Ok(Fate::Filtered);
            }
        }
        Ok(Fate::Counted)
    }

    /// Adds one event of events `events` (its values in field order) to customer `customer`.
    pub fn add(
        &mut self,
        customer: usize,
        events: usize,
        values: &[Value],
    ) -> Result<(), EvalError> {
        let n = self.prog.aggregates.len();
        let Some(aggs) = self.by_events.get(events) else {
            return Ok(());
        };
        for &k in aggs {
            if self.fate(k, values)? != Fate::Counted {
                continue;
            }
            let a = &self.prog.aggregates[k];
            let date_field = self.prog.events[a.events].date;
            let Some(Value::Date(day)) = values.get(date_field).cloned() else {
                continue;
            };
            let v = a.field.and_then(|f| values.get(f)).cloned();
            if let Some(state) = self.states.get_mut(customer * n + k) {
                fold(state, a.func, day, v);
            }
        }
        Ok(())
    }

    /// The aggregates' values for customer `customer`, in `Program::aggregates` order: the
    /// empty aggregate (0 for sums and counts, missing for the others) without events.
    pub fn values(&self, customer: usize) -> Result<Vec<Value>, EvalError> {
        let n = self.prog.aggregates.len();
        let states = self
            .states
            .get(customer * n..(customer + 1) * n)
            .unwrap_or(&[]);
        self.prog
            .aggregates
            .iter()
            .enumerate()
            .zip(states)
            .map(|((k, a), s)| self.finish(k, a, s))
            .collect()
    }

    fn finish(&self, k: usize, a: &AggregateC, s: &State) -> Result<Value, EvalError> {
        let overflow = || {
            EvalError::new(
                Code::EvalOverflow,
                format!("`{}` is too large to compute exactly", a.text),
                &self.prog.source,
                a.span,
                "overflows 28 significant digits",
            )
            .help("check the events for an absurd amount")
        };
        Ok(match (a.func, s) {
            (_, State::Total { overflow: true, .. }) => return Err(overflow()),
            (AggFunc::Sum, State::Total { sum, .. }) => Value::Number(*sum, a.unit),
            (AggFunc::Count, State::Total { n, .. }) => {
                Value::Number(Decimal::from(*n), Unit::Plain)
            }
            (AggFunc::Average, State::Total { n: 0, .. }) => Value::Missing,
            (AggFunc::Average, State::Total { sum, n, .. }) => Value::Number(
                sum.checked_div(Decimal::from(*n)).ok_or_else(overflow)?,
                a.unit,
            ),
            (AggFunc::DailyAverage, State::Total { sum, .. }) => {
                let days = match self.starts[k] {
                    Some(start) => date::days_between(start, self.as_of).unwrap_or(1).max(1),
                    None => 1,
                };
                Value::Number(
                    sum.checked_div(Decimal::from(days)).ok_or_else(overflow)?,
                    a.unit,
                )
            }
            (AggFunc::DistinctDays | AggFunc::DistinctMonths, State::Distinct(set)) => {
                Value::Number(Decimal::from(set.len()), Unit::Plain)
            }
            (AggFunc::Min | AggFunc::Max, State::Extreme(v)) => v.clone().unwrap_or(Value::Missing),
            (AggFunc::First | AggFunc::Last, State::Edge(e)) => {
                e.as_ref().map_or(Value::Missing, |(_, v)| v.clone())
            }
            (AggFunc::FirstDate | AggFunc::LastDate, State::Edge(e)) => {
                e.as_ref().map_or(Value::Missing, |(d, _)| Value::Date(*d))
            }
            (AggFunc::DaysSinceLast, State::Edge(Some((d, _)))) => Value::Number(
                Decimal::from(date::days_between(*d, self.as_of).unwrap_or(0)),
                Unit::Plain,
            ),
            _ => Value::Missing,
        })
    }
}

fn negate(w: Duration) -> Duration {
    Duration {
        months: -w.months,
        days: -w.days,
        hours: -w.hours,
        workdays: -w.workdays,
    }
}

fn empty(func: AggFunc) -> State {
    match func {
        AggFunc::Sum | AggFunc::Count | AggFunc::Average | AggFunc::DailyAverage => State::Total {
            sum: Decimal::ZERO,
            n: 0,
            overflow: false,
        },
        AggFunc::Min | AggFunc::Max => State::Extreme(None),
        AggFunc::DistinctDays | AggFunc::DistinctMonths => State::Distinct(BTreeSet::new()),
        AggFunc::First
        | AggFunc::Last
        | AggFunc::FirstDate
        | AggFunc::LastDate
        | AggFunc::DaysSinceLast => State::Edge(None),
    }
}

/// Adds one counted event (its date, and the folded field's value if any) to a state. A
/// missing field value is left out of sums, averages, minimums and maximums (it is no amount),
/// but an event still counts for `count`, the dates and the distinct days.
fn fold(state: &mut State, func: AggFunc, day: Date, v: Option<Value>) {
    match state {
        State::Total { sum, n, overflow } => {
            if func == AggFunc::Count {
                *n += 1;
                return;
            }
            if let Some(Value::Number(x, _)) = v {
                match sum.checked_add(x) {
                    Some(s) => *sum = s,
                    None => *overflow = true,
                }
                *n += 1;
            }
        }
        State::Extreme(best) => {
            let Some(v) = v.filter(|v| !v.is_missing()) else {
                return;
            };
            let better = match best.as_ref() {
                None => true,
                Some(b) => match super::number::order(&v, b) {
                    Ok(o) => {
                        (func == AggFunc::Min && o.is_lt()) || (func == AggFunc::Max && o.is_gt())
                    }
                    Err(_) => false,
                },
            };
            if better {
                *best = Some(v);
            }
        }
        State::Edge(edge) => {
            let first = matches!(func, AggFunc::First | AggFunc::FirstDate);
            // The earliest event wins for first (the first in the file among ties); the latest
            // for last (the last in the file among ties).
            let replace = match edge {
                None => true,
                Some((d, _)) => {
                    if first {
                        day < *d
                    } else {
                        day >= *d
                    }
                }
            };
            if replace {
                *edge = Some((day, v.unwrap_or(Value::Missing)));
            }
        }
        State::Distinct(set) => {
            let key = if func == AggFunc::DistinctMonths {
                i32::from(day.year()) * 12 + i32::from(day.month())
            } else {
                // Days since 0000-01-01 would need jiff's span; year × 400 + day of year is
                // unique per day.
                i32::from(day.year()) * 400 + i32::from(day.day_of_year())
            };
            set.insert(key);
        }
    }
}

/// The unit an aggregate's numbers have: the folded field's.
pub(crate) fn field_unit(kind: &TypeKind) -> Unit {
    match kind {
        TypeKind::Percent { .. } => Unit::Percent,
        TypeKind::Money(_) => Unit::Money,
        TypeKind::Quantity { unit, .. } => *unit,
        _ => Unit::Plain,
    }
}

/// One customer's events, given in memory (`given` in a test, `tier eval --events`, the REPL's
/// `:event`): (index into [`Program::events`], the event's values in field order).
pub type EventList = Vec<(usize, Vec<Value>)>;

impl Program {
    /// The `events` declarations, in declaration order.
    pub fn events(&self) -> &[super::EventsSpec] {
        &self.events
    }

    /// Whether the ruleset folds events (then a record is its inputs followed by the
    /// aggregates' values, which the column engine reads as input columns).
    pub fn has_aggregates(&self) -> bool {
        !self.aggregates.is_empty()
    }

    /// `record` with the aggregates after the inputs: as given when they are there, else the
    /// empty aggregates (a customer without events: 0 for sums and counts, missing for the
    /// others), so a record of inputs alone grades as a customer with no events.
    pub(crate) fn complete<'r>(
        &self,
        record: &'r [Value],
        as_of: Date,
    ) -> Result<std::borrow::Cow<'r, [Value]>, EvalError> {
        if self.aggregates.is_empty() || record.len() >= self.inputs.len() + self.aggregates.len() {
            return Ok(std::borrow::Cow::Borrowed(record));
        }
        let mut full = record.to_vec();
        full.resize(self.inputs.len(), Value::Missing);
        full.extend(Folder::new(self, 1, as_of).values(0)?);
        Ok(std::borrow::Cow::Owned(full))
    }

    /// A record of inputs followed by the aggregates of `events` (one customer's).
    pub fn record_with_events(
        &self,
        inputs: &[Value],
        events: &EventList,
        as_of: Date,
    ) -> Result<Vec<Value>, EvalError> {
        let mut folder = Folder::new(self, 1, as_of);
        for (e, values) in events {
            folder.add(0, *e, values)?;
        }
        let mut record = inputs.to_vec();
        record.truncate(self.inputs.len());
        record.extend(folder.values(0)?);
        Ok(record)
    }

    /// For each aggregate: its text, its value, and each event with whether it counted (the
    /// explanation of a customer's events).
    pub fn explain_events(
        &self,
        events: &EventList,
        as_of: Date,
    ) -> Result<Vec<AggregateTrace>, EvalError> {
        let mut folder = Folder::new(self, 1, as_of);
        for (e, values) in events {
            folder.add(0, *e, values)?;
        }
        let values = folder.values(0)?;
        let mut out = Vec::new();
        for (k, a) in self.aggregates.iter().enumerate() {
            let mut rows = Vec::new();
            for (_, vals) in events.iter().filter(|(e, _)| *e == a.events) {
                rows.push((folder.fate(k, vals)?, self.describe_event(a.events, vals)));
            }
            out.push(AggregateTrace {
                text: a.text.clone(),
                value: values.get(k).cloned().unwrap_or(Value::Missing),
                window_start: folder.starts[k],
                events: rows,
            });
        }
        Ok(out)
    }

    /// An event as `2026-11-01 (金额 = 3000元, 状态 = 已完成)` (the date first).
    pub fn describe_event(&self, events: usize, values: &[Value]) -> String {
        let Some(spec) = self.events.get(events) else {
            return String::new();
        };
        let date = values
            .get(spec.date)
            .map_or("missing".into(), |v| v.to_string());
        let mut parts = Vec::new();
        for (i, f) in spec.decl.fields.iter().enumerate() {
            if i == spec.date || i == spec.key {
                continue;
            }
            let v = values.get(i).cloned().unwrap_or(Value::Missing);
            parts.push(format!("{} = {v}", f.name.name));
        }
        if parts.is_empty() {
            date
        } else {
            format!("{date} ({})", parts.join(", "))
        }
    }
}

/// What [`Program::explain_events`] says about one aggregate.
#[derive(Debug, Clone)]
pub struct AggregateTrace {
    pub text: Arc<str>,
    pub value: Value,
    /// Events dated on or before this do not count.
    pub window_start: Option<Date>,
    /// Each event of its events, described, with whether it counted.
    pub events: Vec<(Fate, String)>,
}

/// The explanation's lines for the aggregates: which events counted and which the window or
/// the `where` left out.
pub fn render_events(traces: &[AggregateTrace], as_of: Date) -> String {
    let mut out = String::new();
    for t in traces {
        out.push_str(&format!("{} = {}\n", t.text, t.value));
        for (fate, e) in &t.events {
            let why = match fate {
                Fate::Counted => "counted".to_string(),
                Fate::Future => format!("left out: after the as-of date {as_of}"),
                Fate::BeforeWindow => format!(
                    "left out by the window: on or before {}",
                    t.window_start.map_or(String::new(), |d| d.to_string())
                ),
                Fate::Filtered => "left out by `where`".to_string(),
            };
            let mark = if *fate == Fate::Counted { "✓" } else { "✗" };
            out.push_str(&format!("  {mark} {e}: {why}\n"));
        }
    }
    out
}
