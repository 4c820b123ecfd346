//! The column engine: a ruleset's [`Plan`] (the one lowering of the language, `src/lower/`)
//! evaluated over batches of rows, one tight loop per expression over typed arrays
//! (docs/design/LOWERING.md).
//!
//! `tier run` grades through it. Each row of a batch comes out either computed (its named
//! values, scorecard points, the arm that decided each grade, its tags) or marked for the
//! interpreter, which then grades that row on its own: a row that cannot be graded (the
//! interpreter says why, with its diagnostic), a manual override, or arithmetic that would
//! leave the exact fast form (an `i128` overflow, a cell with more places than its input's
//! scale). The engine is never wrong, only sometimes not used: the interpreter is the reference.
//!
//! The outcome of a computed row (labels' attributes, follow-up dates and, when asked for, the
//! reasons column) is assembled by the interpreter's outcome builder from the computed values,
//! as the row-at-a-time fast path it replaces did.

mod eval;
mod fold;
mod units;
mod vector;

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Computed, EvalError, Program};
use crate::lower::{PExpr, Plan, Ty};
use crate::outcome::Outcome;
use crate::value::{Label, Unit, Value};
use jiff::civil::Date;
use rust_decimal::Decimal;
use vector::Vector;

/// A program lowered for the column engine.
#[derive(Debug, Clone)]
pub struct Engine {
    plan: Plan,
    /// Per plan column: the relative whose class it holds (filled from the first pass).
    rel_of_col: Vec<Option<usize>>,
    /// Per program node: its number's display unit.
    units: Vec<Unit>,
}

/// How many rows of one batch went where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Rows the engine computed.
    pub computed: usize,
    /// Rows the interpreter graded on their own.
    pub fallback: usize,
}

impl Engine {
    /// Lowers `prog`; fails (with the reason) for a ruleset the engine cannot run, which the
    /// interpreter then grades alone.
    pub fn new(prog: &Program) -> Result<Engine, Vec<Diagnostic>> {
        let mut plan = crate::lower::lower(prog)?;
        fold::fold_plan(&mut plan);
        let units = units::node_units(prog).ok_or_else(|| {
            vec![Diagnostic::error(
                Code::SqlUnsupported,
                "a named number whose unit depends on the row",
            )]
        })?;
        let mut rel_of_col = vec![None; plan.columns.len()];
        for (k, col) in plan.sources.relatives.iter().enumerate() {
            let Some(mut c) = *col else { continue };
            // The output relative is a copy of its class column.
            if let PExpr::Col(inner) = plan.columns[c].expr {
                c = inner;
            }
            if matches!(plan.columns[c].expr, PExpr::Relative(_)) {
                rel_of_col[c] = Some(k);
            }
        }
        Ok(Engine {
            plan,
            rel_of_col,
            units,
        })
    }

    /// The plan the engine runs.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Grades a batch of typed records (`records[i]` with its relative classes `rels[i]`), in
    /// order. `words`: write the reasons column's sentences (the interpreter renders them from
    /// the computed values). Equal, row for row, to [`Program::evaluate_untraced`] (with
    /// `words`) or [`Program::evaluate_bare`].
    pub fn grade(
        &self,
        prog: &Program,
        records: &[&[Value]],
        rels: &[&[Value]],
        as_of: Date,
        words: bool,
    ) -> (Vec<Result<Outcome, EvalError>>, BatchStats) {
        let computed = self.compute(prog, records, rels, as_of);
        let mut stats = BatchStats::default();
        let out = computed
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                match c {
                    Some(_) => stats.computed += 1,
                    None => stats.fallback += 1,
                }
                prog.evaluate_computed(records[i], rels[i], as_of, words, c)
            })
            .collect();
        (out, stats)
    }

    /// Computes a batch's values without building outcomes: how many rows the engine computed
    /// and how many it leaves to the interpreter (for benchmarks and tests).
    pub fn compute_only(
        &self,
        prog: &Program,
        records: &[&[Value]],
        rels: &[&[Value]],
        as_of: Date,
    ) -> BatchStats {
        let computed = self.compute(prog, records, rels, as_of);
        let done = computed.iter().filter(|c| c.is_some()).count();
        BatchStats {
            computed: done,
            fallback: computed.len() - done,
        }
    }

    /// The engine's values for every row of a batch; `None` for a row the interpreter must
    /// grade on its own.
    pub(crate) fn compute(
        &self,
        prog: &Program,
        records: &[&[Value]],
        rels: &[&[Value]],
        as_of: Date,
    ) -> Vec<Option<Computed>> {
        let n = records.len();
        let mut batch = eval::Batch {
            plan: &self.plan,
            records,
            rels,
            rel_of_col: &self.rel_of_col,
            as_of,
            n,
            fallback: vec![false; n],
            cols: Vec::with_capacity(self.plan.columns.len()),
            inputs: vec![None; self.plan.inputs.len()],
        };
        batch.run();
        let mut fallback = std::mem::take(&mut batch.fallback);
        // A manual grade is the interpreter's business (it checks the label and the reason).
        for node in prog.nodes.iter() {
            if let Some((with, _, _)) = node.override_by {
                for (i, f) in fallback.iter_mut().enumerate() {
                    if !records[i].get(with).is_none_or(Value::is_missing) {
                        *f = true;
                    }
                }
            }
        }
        let cols = &batch.cols;
        let src = &self.plan.sources;
        (0..n)
            .map(|i| {
                if fallback[i] {
                    return None;
                }
                let mut nodes = Vec::with_capacity(prog.nodes.len());
                for (k, node) in prog.nodes.iter().enumerate() {
                    let c = (*src.nodes.get(k)?)?;
                    let ty = self.plan.columns[c].ty;
                    let v = self.value(&cols[c], i, ty, node.scale, self.units[k])?;
                    nodes.push(v);
                }
                let mut comps = Vec::with_capacity(src.comps.len());
                for c in &src.comps {
                    match &cols[(*c)?] {
                        Vector::Num(x) if x.ok[i] => comps.push(decimal(x.vals[i], x.scale)?),
                        _ => return None,
                    }
                }
                let mut arms = vec![0u32; prog.nodes.len()];
                for (k, a) in src.arms.iter().enumerate() {
                    if let Some(a) = a {
                        match &cols[*a] {
                            Vector::Num(x) if x.ok[i] && x.scale == 0 => {
                                arms[k] = u32::try_from(x.vals[i]).ok()?
                            }
                            _ => return None,
                        }
                    }
                }
                let mut tags = Vec::with_capacity(src.tags.len());
                for c in &src.tags {
                    match &cols[*c] {
                        Vector::Bool(b) if b[i] != vector::NULL => {
                            tags.push(Some(b[i] == vector::T))
                        }
                        _ => return None,
                    }
                }
                Some(Computed {
                    nodes,
                    comps,
                    arms,
                    tags,
                })
            })
            .collect()
    }

    /// Row `i` of a column as the interpreter's value; `None` when it cannot be (the row falls
    /// back).
    fn value(
        &self,
        v: &Vector,
        i: usize,
        ty: Ty,
        scale: Option<usize>,
        unit: Unit,
    ) -> Option<Value> {
        if v.is_null(i) {
            return Some(Value::Missing);
        }
        Some(match v {
            Vector::Num(x) => {
                let d = decimal(x.vals[i], x.scale)?;
                // A percent is displayed ×100: one beyond that range is a plain number.
                let unit = if unit == Unit::Percent && d.abs() >= Decimal::from(10i64.pow(18)) {
                    Unit::Plain
                } else {
                    unit
                };
                Value::Number(d, unit)
            }
            Vector::Bool(b) => Value::Bool(b[i] == vector::T),
            Vector::Date(d) => Value::Date(d[i]?),
            Vector::Text(t) => {
                let name = t[i].clone()?;
                match ty {
                    Ty::Label(s) => {
                        let s = s.or(scale)?;
                        let rank = self
                            .plan
                            .scales
                            .get(s)?
                            .labels
                            .iter()
                            .position(|l| *l == name)?;
                        Value::Label(Label {
                            name,
                            rank: rank as u32,
                        })
                    }
                    _ => Value::Text(name),
                }
            }
            Vector::Null => Value::Missing,
        })
    }
}

/// `v / 10^scale` as a decimal, rounded to fewer places when it has more digits than a
/// decimal holds (only quotients and long products do).
fn decimal(v: i128, scale: u32) -> Option<Decimal> {
    let mut s = scale;
    loop {
        let m = vector::round_to(v, scale, s)?;
        if let Ok(d) = Decimal::try_from_i128_with_scale(m, s) {
            return Some(d);
        }
        s = s.checked_sub(1)?;
    }
}
