//! Events and aggregates: eval/events.rs (the reference), as a plan's [`PlanEvents`] and
//! [`AggregateOp`]s. An aggregate is read as [`PExpr::Agg`] wherever the ruleset uses it.

use super::*;
use crate::ast::AggFunc;
use crate::eval::events::WindowC;

impl Lowerer<'_> {
    /// The `events` declarations' fields, then every aggregate.
    pub(super) fn events(&mut self) {
        let prog = self.prog;
        for (e, spec) in prog.events.iter().enumerate() {
            let mut fields = Vec::new();
            for (i, f) in spec.decl.fields.iter().enumerate() {
                let name: Arc<str> = f.name.name.as_str().into();
                let default = f
                    .default
                    .as_ref()
                    .map(|x| (x.span, prog.event_literal_value(e, i, x)));
                fields.push(self.plan_input(f, &name, None, default));
            }
            self.plan.events.push(PlanEvents {
                name: spec.name.clone(),
                fields,
                key: spec.key,
                date: spec.date,
                key_input: spec.key_input,
            });
        }
        for a in &prog.aggregates {
            let agg = self.aggregate(a);
            self.plan.aggregates.push(agg);
        }
    }

    fn aggregate(&mut self, a: &crate::eval::events::AggregateC) -> AggregateOp {
        let field_ty = a
            .field
            .and_then(|f| self.plan.events[a.events].fields.get(f))
            .map(|f| kind_ty(&f.kind));
        let ty = match a.func {
            AggFunc::Sum | AggFunc::Min | AggFunc::Max => field_ty.unwrap_or(Ty::num(0)),
            AggFunc::Count
            | AggFunc::DistinctDays
            | AggFunc::DistinctMonths
            | AggFunc::DaysSinceLast => Ty::num(0),
            AggFunc::Average | AggFunc::DailyAverage => Ty::num(QUOTIENT_PLACES),
            AggFunc::FirstDate | AggFunc::LastDate => Ty::Date,
            AggFunc::First | AggFunc::Last => field_ty.unwrap_or(Ty::Null),
        };
        match a.func {
            AggFunc::Min | AggFunc::Max if !matches!(ty, Ty::Num { .. } | Ty::Date) => self
                .unsupported(
                    a.span,
                    format!("`{}`: min/max of events' text or labels", a.text),
                ),
            _ => {}
        }
        let start = a.window.map(|w| match w {
            WindowC::Last(d) => PExpr::DateAdd(
                PExpr::AsOf.b(),
                Duration {
                    months: -d.months,
                    days: -d.days,
                    hours: -d.hours,
                    workdays: -d.workdays,
                },
            ),
            WindowC::This(p) => day_before(PExpr::PeriodStart(PExpr::AsOf.b(), p)),
        });
        let filter = a.filter.as_ref().map(|f| {
            self.event_scope = Some(a.events);
            let l = self.expr(f);
            self.event_scope = None;
            if l.fail.is_some() {
                self.unsupported(
                    a.span,
                    format!(
                        "`{}`: a `where` that can fail on an event (`tier run` rejects the event)",
                        a.text
                    ),
                );
            }
            l.e
        });
        AggregateOp {
            func: a.func,
            events: a.events,
            field: a.field,
            start,
            filter,
            ty,
            text: a.text.clone(),
            span: a.span,
        }
    }

    /// Field `i` of the events whose `where` is being lowered.
    pub(super) fn event_field(&self, e: usize, i: usize) -> L {
        let ty = self.plan.events[e]
            .fields
            .get(i)
            .map_or(Ty::Null, |f| kind_ty(&f.kind));
        L::new(PExpr::EventField(e, i), ty)
    }
}

fn day_before(e: PExpr) -> PExpr {
    PExpr::DateAdd(
        e.b(),
        Duration {
            days: -1,
            ..Duration::default()
        },
    )
}
