//! Event inputs (`events 订单 key 客户编号 date 下单日期 { … }`) and the aggregates over them
//! (`sum(订单.金额 within 12 months where 状态 = 已完成)`): the declaration's key and date, the
//! aggregate's events, field, window and filter, and the type of its result.

use super::{Ctx, ScaleKind, Ty};
use crate::ast::{AggFunc, Aggregate, EventsDecl, Ident, InputField, Item, LitKind, TypeKind};
use crate::diagnostic::Code;
use crate::source::Span;

/// Registers every `events` declaration: duplicate names, the key (a field here and an input of
/// the customer, of the same type) and the date (a required `date` field), enum fields' variants.
pub(crate) fn collect(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    for item in &rs.items {
        let Item::Events(ev) = item else { continue };
        if let Some(first) = cx.events.get(&ev.name.name) {
            let d = cx
                .error(
                    Code::NameDuplicate,
                    format!("events `{}` are declared twice", ev.name.name),
                )
                .with_label(ev.name.span, "declared again here")
                .with_label(first.name.span, "first declared here")
                .with_help("give each `events` declaration its own name");
            cx.push(d);
            continue;
        }
        cx.events.insert(ev.name.name.clone(), ev);
        check_fields(cx, ev);
        check_key(cx, ev);
        check_date(cx, ev);
    }
}

/// `tier::name::unused` (a warning) for events no aggregate folds: their file would be read
/// for nothing.
pub(crate) fn check_unused(cx: &mut Ctx<'_>) {
    let rs = cx.rs;
    for item in &rs.items {
        let Item::Events(ev) = item else { continue };
        if cx.used_events.contains(&ev.name.name) {
            continue;
        }
        let d = cx
            .warning(
                Code::NameUnused,
                format!("events `{}` are never aggregated", ev.name.name),
            )
            .with_label(ev.name.span, "declared here, no aggregate uses it")
            .with_help(format!(
                "fold them into a value, e.g. `let 次数 = count({})`, or remove the declaration",
                ev.name.name
            ));
        cx.push(d);
    }
}

fn check_fields(cx: &mut Ctx<'_>, ev: &EventsDecl) {
    let mut seen: Vec<&Ident> = Vec::new();
    for f in &ev.fields {
        if let Some(first) = seen.iter().find(|s| s.name == f.name.name) {
            let d = cx
                .error(
                    Code::NameDuplicate,
                    format!("events `{}` declare `{}` twice", ev.name.name, f.name.name),
                )
                .with_label(f.name.span, "declared again here")
                .with_label(first.span, "first declared here")
                .with_help("each field of an `events` declaration needs its own name");
            cx.push(d);
            continue;
        }
        seen.push(&f.name);
        if let TypeKind::Enum(variants) = &f.ty.kind {
            let labels = variants.iter().map(|v| v.name.name.clone()).collect();
            let id = cx.add_scale(
                &field_key(&ev.name.name, &f.name.name),
                ScaleKind::Enum,
                labels,
            );
            cx.value_scale
                .entry(field_key(&ev.name.name, &f.name.name))
                .or_insert(id);
        }
    }
}

/// The name an event field's label set is known by: `订单.状态`.
pub(crate) fn field_key(events: &str, field: &str) -> String {
    format!("{events}.{field}")
}

fn check_key(cx: &mut Ctx<'_>, ev: &EventsDecl) {
    let key = &ev.key;
    let Some(i) = ev.field(&key.name) else {
        let d = cx
            .error(
                Code::EventsKey,
                format!(
                    "the key `{}` is not a field of events `{}`",
                    key.name, ev.name.name
                ),
            )
            .with_label(key.span, "not declared below")
            .with_help(format!(
                "declare the customer's key among the fields, e.g. `{} text column \"客户编号\"`",
                key.name
            ));
        cx.push(d);
        return;
    };
    let field = &ev.fields[i];
    let input = cx.symbol(&key.name).and_then(|s| match s.kind {
        super::SymKind::Input(f) => Some(f),
        _ => None,
    });
    let Some(input) = input else {
        let d = cx
            .error(
                Code::EventsKey,
                format!(
                    "the key `{}` of events `{}` is not an input of the customer",
                    key.name, ev.name.name
                ),
            )
            .with_label(key.span, "no input has this name")
            .with_help(format!(
                "the key ties an event to its customer: declare `{}` in `input` too (for a run \
                 on events alone, `input {{ {} {} }}` is enough)",
                key.name,
                key.name,
                type_word(&field.ty.kind)
            ));
        cx.push(d);
        return;
    };
    if !same_kind(&input.ty.kind, &field.ty.kind) || field.optional {
        let why = if field.optional {
            "an event without its key belongs to no customer: the key cannot be optional"
                .to_string()
        } else {
            format!(
                "it is {} here and {} in `input`",
                type_word(&field.ty.kind),
                type_word(&input.ty.kind)
            )
        };
        let d = cx
            .error(
                Code::EventsKey,
                format!(
                    "the key `{}` of events `{}` does not fit: {why}",
                    key.name, ev.name.name
                ),
            )
            .with_label(field.ty.span, "the event's key")
            .with_label(input.ty.span, "the customer's key")
            .with_help("declare the key as a required field of the same type in both places");
        cx.push(d);
    }
}

fn check_date(cx: &mut Ctx<'_>, ev: &EventsDecl) {
    let date = &ev.date;
    let problem = match ev.field(&date.name).map(|i| &ev.fields[i]) {
        None => format!(
            "`{}` is not a field of events `{}`",
            date.name, ev.name.name
        ),
        Some(f) if f.ty.kind != TypeKind::Date => format!(
            "the date of events `{}` must be a `date` field, but `{}` is {}",
            ev.name.name,
            date.name,
            type_word(&f.ty.kind)
        ),
        Some(f) if f.optional => format!(
            "the date `{}` of events `{}` cannot be optional: windows place every event in time",
            date.name, ev.name.name
        ),
        Some(_) => return,
    };
    let d = cx
        .error(Code::EventsDate, problem)
        .with_label(date.span, "the events' date")
        .with_help(format!(
            "declare it as a required date field, e.g. `{} date column \"下单日期\"`",
            date.name
        ));
    cx.push(d);
}

fn same_kind(a: &TypeKind, b: &TypeKind) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn type_word(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Number => "number",
        TypeKind::Integer => "integer",
        TypeKind::Percent { .. } => "percent",
        TypeKind::Money(_) => "money",
        TypeKind::Quantity { .. } => "quantity",
        TypeKind::Date => "date",
        TypeKind::Text => "text",
        TypeKind::Bool => "bool",
        TypeKind::Enum(_) => "enum",
        TypeKind::Grade(_) => "grade",
    }
}

impl<'a> Ctx<'a> {
    /// The type of a field of events `ev`.
    pub(crate) fn event_field_type(&self, ev: &EventsDecl, f: &InputField) -> Ty {
        if let Some(t) = super::infer::field_type(&f.ty.kind) {
            return t;
        }
        match &f.ty.kind {
            TypeKind::Enum(_) => self
                .value_scale
                .get(&field_key(&ev.name.name, &f.name.name))
                .map_or(Ty::Unknown, |&s| Ty::Label(s)),
            TypeKind::Grade(scale) => self
                .scale_names
                .get(&scale.name)
                .map_or(Ty::Unknown, |&s| Ty::Label(s)),
            _ => Ty::Unknown,
        }
    }

    /// A name inside an aggregate's `where`: a field of its events, else a label of the set
    /// `hint` (a declared value of the customer is not an event's, `tier::events::filter`).
    pub(crate) fn infer_event_name(
        &mut self,
        ev: &'a EventsDecl,
        id: &Ident,
        hint: Option<super::ScaleId>,
    ) -> Ty {
        if let Some(i) = ev.field(&id.name) {
            return self.event_field_type(ev, &ev.fields[i]);
        }
        if let Some(s) = hint {
            return self.label_of(id, s);
        }
        let names: Vec<&str> = ev.fields.iter().map(|f| f.name.name.as_str()).collect();
        let (code, msg, help) = if self.symbol(&id.name).is_some() {
            (
                Code::EventsFilter,
                format!(
                    "`{}` is not a field of events `{}`: a `where` looks at one event at a time",
                    id.name, ev.name.name
                ),
                format!(
                    "the fields of `{}` are {}; to use `{}`, compare outside the aggregate",
                    ev.name.name,
                    super::quote_list(&names),
                    id.name
                ),
            )
        } else {
            let help = match crate::diagnostic::suggest(&id.name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "the fields of `{}` are {}",
                    ev.name.name,
                    super::quote_list(&names)
                ),
            };
            (
                Code::NameUnknown,
                format!("unknown name `{}`", id.name),
                help,
            )
        };
        let d = self
            .error(code, msg)
            .with_label(id.span, "not a field of these events")
            .with_help(help);
        self.push(d);
        Ty::Unknown
    }

    /// `sum(订单.金额 within 12 months where …)`: the events, the field, the window and the
    /// filter; the result's type.
    pub(crate) fn infer_aggregate(&mut self, span: Span, a: &'a Aggregate) -> Ty {
        let func = a.func.name();
        if self.event_scope.is_some() {
            let d = self
                .error(
                    Code::EventsAggregate,
                    format!("`{func}(…)` inside a `where`: aggregates cannot nest"),
                )
                .with_label(span, "an aggregate inside a filter")
                .with_help("a `where` tests one event's fields: compute the aggregate in a `let`");
            self.push(d);
            return Ty::Unknown;
        }
        let Some(&ev) = self.events.get(&a.events.name) else {
            let mut names: Vec<&str> = self.events.keys().map(String::as_str).collect();
            names.sort_unstable();
            let help = if names.is_empty() {
                format!(
                    "`{func}(…)` folds a customer's events: declare them with `events NAME key \
                     FIELD date FIELD {{ … }}`"
                )
            } else {
                match crate::diagnostic::suggest(&a.events.name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the events are {}", super::quote_list(&names)),
                }
            };
            let d = self
                .error(
                    Code::EventsUnknown,
                    format!("`{}` is not an `events` declaration", a.events.name),
                )
                .with_label(a.events.span, "no events of this name")
                .with_help(help);
            self.push(d);
            return Ty::Unknown;
        };
        self.used_events.insert(ev.name.name.clone());
        let field_ty = match &a.field {
            Some(f) => match ev.field(&f.name) {
                Some(i) => Some(self.event_field_type(ev, &ev.fields[i])),
                None => {
                    let names: Vec<&str> = ev.fields.iter().map(|f| f.name.name.as_str()).collect();
                    let help = match crate::diagnostic::suggest(&f.name, names.iter().copied()) {
                        Some(s) => format!("did you mean `{}.{s}`?", ev.name.name),
                        None => format!(
                            "the fields of `{}` are {}",
                            ev.name.name,
                            super::quote_list(&names)
                        ),
                    };
                    let d = self
                        .error(
                            Code::EventsUnknown,
                            format!("events `{}` have no field `{}`", ev.name.name, f.name),
                        )
                        .with_label(f.span, "no such field")
                        .with_help(help);
                    self.push(d);
                    Some(Ty::Unknown)
                }
            },
            None => None,
        };
        if let Some(crate::ast::Window::Last(w)) = &a.window {
            let ok = match &w.kind {
                LitKind::Duration(d) => {
                    d.hours == 0 && d.workdays == 0 && (d.days > 0 || d.months > 0)
                }
                _ => false,
            };
            if !ok {
                let d = self
                    .error(
                        Code::EventsWindow,
                        format!("`within {}` is not a window of days, weeks, months or years", w.text),
                    )
                    .with_label(w.span, "not a window")
                    .with_help("write a whole number of days, weeks, months or years, e.g. `within 90 days` or `within 12 months`");
                self.push(d);
            }
        }
        if let Some(filter) = &a.filter {
            let saved = self.event_scope.replace(ev);
            let t = self.infer(filter, None);
            self.event_scope = saved;
            self.expect_bool(filter, t, "the condition of `where`");
        }
        let misuse = |cx: &mut Self, msg: String, help: String| {
            let d = cx
                .error(Code::EventsAggregate, msg)
                .with_label(span, "this aggregate")
                .with_help(help);
            cx.push(d);
            Ty::Unknown
        };
        let ev_name = &ev.name.name;
        match (a.func.takes_field(), field_ty) {
            (true, None) => {
                return misuse(
                    self,
                    format!("`{func}` needs a field of `{ev_name}`"),
                    format!("name the field to fold: `{func}({ev_name}.FIELD …)`"),
                )
            }
            (false, Some(_)) => {
                return misuse(
                    self,
                    format!("`{func}` counts events, not a field"),
                    format!("write `{func}({ev_name} …)`"),
                )
            }
            _ => {}
        }
        if a.func == AggFunc::DailyAverage && a.window.is_none() {
            return misuse(
                self,
                "`daily_average` needs a window: the days it averages over".to_string(),
                format!("e.g. `daily_average({ev_name}.余额 within 1 month)`"),
            );
        }
        let t = field_ty.unwrap_or(Ty::Unknown);
        match a.func {
            AggFunc::Count
            | AggFunc::DistinctDays
            | AggFunc::DistinctMonths
            | AggFunc::DaysSinceLast => Ty::PLAIN,
            AggFunc::FirstDate | AggFunc::LastDate => Ty::Date,
            AggFunc::First | AggFunc::Last => t,
            AggFunc::Min | AggFunc::Max => {
                if t.is_num() || t == Ty::Date || t.is_open() {
                    t
                } else {
                    misuse(
                        self,
                        format!(
                            "`{func}` needs a number or a date, but this field is {}",
                            self.describe(t)
                        ),
                        "use `first`/`last` for other fields".to_string(),
                    )
                }
            }
            AggFunc::Sum | AggFunc::Average | AggFunc::DailyAverage => match t {
                Ty::Num { unit, .. } => Ty::num(unit),
                _ if t.is_open() => t,
                _ => misuse(
                    self,
                    format!(
                        "`{func}` adds numbers, but this field is {}",
                        self.describe(t)
                    ),
                    "sum a number, money, percent or quantity field; count events with `count`"
                        .to_string(),
                ),
            },
        }
    }
}
