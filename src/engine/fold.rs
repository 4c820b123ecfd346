//! Constant conditions folded once, when the engine is made, instead of once per batch.
//!
//! The lowering writes some decisions whose conditions do not depend on the row (a `linear`
//! score asks whether its `from` is below its `to`: `CASE WHEN 10万 < 210万 THEN … ELSE …`).
//! Such a condition (a comparison, `and`, `or`, `not`, `IS NULL` of literals only) is
//! evaluated here by the engine itself, on one row, and replaced by its truth value; a
//! decision then drops the arms that can never be taken, and an arm that is always taken
//! becomes its `otherwise`. Nothing else changes: the arms kept are taken by the same rows and
//! give the same values, so the results are the same (the differential test checks it).

use super::eval::Batch;
use super::vector::{NULL, T};
use crate::lower::{PExpr, Plan};
use crate::value::Value;

/// Folds the constant conditions of every column and fail expression of `plan`.
pub(super) fn fold_plan(plan: &mut Plan) {
    let mut columns = std::mem::take(&mut plan.columns);
    for col in &mut columns {
        fold(plan, &mut col.expr);
        if let Some(fail) = &mut col.fail {
            fold(plan, fail);
        }
    }
    plan.columns = columns;
}

fn fold(plan: &Plan, e: &mut PExpr) {
    e.children_mut(&mut |c| fold(plan, c));
    use PExpr::*;
    match e {
        Cmp(..) | And(..) | Or(..) | Not(..) | IsNull(..) if row_free(e) => {
            if let Some(b) = constant_bool(plan, e) {
                *e = Bool(b);
            }
        }
        Case(arms, otherwise) => {
            let mut kept = Vec::with_capacity(arms.len());
            let mut always = None;
            for (c, v) in arms.iter() {
                match c {
                    Bool(false) => {}
                    Bool(true) => {
                        always = Some(v.clone());
                        break;
                    }
                    _ => kept.push((c.clone(), v.clone())),
                }
            }
            let otherwise = always.unwrap_or_else(|| (**otherwise).clone());
            // A decision no row may take an arm of keeps its arms: they give its result's type.
            if otherwise == Null {
                return;
            }
            *e = if kept.is_empty() {
                otherwise
            } else {
                Case(kept, Box::new(otherwise))
            };
        }
        _ => {}
    }
}

/// Whether `e` is the same for every row (literals only).
fn row_free(e: &PExpr) -> bool {
    use PExpr::*;
    match e {
        Input(_) | Col(_) | AsOf | InputsOk | Relative(_) => false,
        Num(_) | Date(_) | Bool(_) | Text(_) | Null | Int(_) => true,
        _ => {
            let mut free = true;
            e.children(&mut |c| free &= row_free(c));
            free
        }
    }
}

/// The truth value of a row-free condition, evaluated by the engine on one row; `None` when it
/// is `NULL`, not a truth value, or would need the interpreter.
fn constant_bool(plan: &Plan, e: &PExpr) -> Option<bool> {
    let record: &[Value] = &[];
    let records = [record];
    let mut batch = Batch {
        plan,
        records: &records,
        rels: &records,
        rel_of_col: &[],
        as_of: jiff::civil::date(2000, 1, 1),
        n: 1,
        fallback: vec![false],
        cols: Vec::new(),
        inputs: Vec::new(),
    };
    let v = batch.eval(e);
    if batch.fallback[0] {
        return None;
    }
    match v {
        super::vector::Vector::Bool(b) if b[0] != NULL => Some(b[0] == T),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::CmpOp;
    use crate::lower::CmpKind;
    use rust_decimal::Decimal;

    /// Any plan: folding reads only its scales, and these expressions use none.
    fn plan() -> Plan {
        let text = include_str!("../../rulesets/bench/distributor_bench.tier");
        let source = crate::source::SourceFile::new("distributor_bench.tier", text);
        let program = crate::load(source)
            .expect("the benchmark ruleset loads")
            .program;
        crate::lower::lower(&program).expect("it lowers")
    }

    fn num(v: i64) -> Box<PExpr> {
        Box::new(PExpr::Num(Decimal::from(v)))
    }

    #[test]
    fn a_constant_condition_keeps_only_the_arm_it_takes() {
        let plan = plan();
        let lt = PExpr::Cmp(CmpOp::Lt, num(1), num(2), CmpKind::Num { settle: true });
        let gt = PExpr::Cmp(CmpOp::Gt, num(1), num(2), CmpKind::Num { settle: true });
        let mut e = PExpr::Case(
            vec![(gt, PExpr::Input(0)), (lt, PExpr::Input(1))],
            Box::new(PExpr::Input(2)),
        );
        fold(&plan, &mut e);
        assert_eq!(e, PExpr::Input(1));
    }

    #[test]
    fn a_decision_that_may_take_no_arm_is_kept() {
        let plan = plan();
        let gt = PExpr::Cmp(CmpOp::Gt, num(1), num(2), CmpKind::Num { settle: true });
        let mut e = PExpr::Case(vec![(gt, PExpr::Input(0))], Box::new(PExpr::Null));
        let before = e.clone();
        fold(&plan, &mut e);
        // The condition is folded, the arm stays (it gives the result's type).
        let PExpr::Case(arms, _) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(arms[0].0, PExpr::Bool(false));
        assert_ne!(e, before);
    }

    #[test]
    fn a_condition_on_the_row_is_not_folded() {
        let plan = plan();
        let c = PExpr::Cmp(
            CmpOp::Lt,
            Box::new(PExpr::Input(0)),
            num(2),
            CmpKind::Num { settle: true },
        );
        let mut e = PExpr::Case(vec![(c, PExpr::Input(1))], Box::new(PExpr::Input(2)));
        let before = e.clone();
        fold(&plan, &mut e);
        assert_eq!(e, before);
    }
}
