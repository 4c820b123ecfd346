//! A compact, readable dump of the AST for snapshots: S-expressions for expressions, one line per
//! declaration part, literals as `text=value`, and the span of every declaration.

use tier::ast::*;

pub fn dump_ruleset(rs: &Ruleset) -> String {
    let mut out = format!("ruleset {}", s(&rs.name));
    if let Some(v) = &rs.version {
        out += &format!(" version {}", s(v));
    }
    if let Some(d) = &rs.description {
        out += &format!(" description {}", s(d));
    }
    out.push('\n');
    out + &dump_items(&rs.items)
}

pub fn dump_items(items: &[Item]) -> String {
    items.iter().map(dump_item).collect()
}

fn s(x: &StrLit) -> String {
    format!("{:?}", x.value)
}

fn at(span: tier::source::Span) -> String {
    format!("@{}..{}", span.start, span.end)
}

fn attrs(a: &Attrs) -> String {
    let mut out = String::new();
    for (k, v) in [
        ("color", &a.color),
        ("action", &a.action),
        ("owner", &a.owner),
    ] {
        if let Some(v) = v {
            out += &format!(" {k} {}", s(v));
        }
    }
    out
}

/// A field of an `input` or `events` block, on its own line.
fn dump_field(f: &tier::ast::InputField) -> String {
    let mut o = format!("  {} {}", f.name.name, ty(&f.ty.kind));
    if f.optional {
        o += "?";
    }
    if let Some(r) = &f.range {
        let end = |l: &Option<tier::ast::Literal>| l.as_ref().map_or(String::new(), lit);
        o += &format!(" range {}..{}", end(&r.lo), end(&r.hi));
    }
    if !f.columns.is_empty() {
        let cols: Vec<_> = f.columns.iter().map(s).collect();
        o += &format!(" column {}", cols.join(", "));
    }
    if let Some(d) = &f.default {
        o += &format!(" default {}", e(d));
    }
    o += "\n";
    o
}

fn dump_item(item: &Item) -> String {
    let mut o = String::new();
    match item {
        Item::Input(b) => {
            o += &format!("input {}\n", at(b.span));
            for f in &b.fields {
                o += &dump_field(f);
            }
        }
        Item::Events(b) => {
            o += &format!(
                "events {} key {} date {} {}\n",
                b.name.name,
                b.key.name,
                b.date.name,
                at(b.span)
            );
            for f in &b.fields {
                o += &dump_field(f);
            }
        }
        Item::Scale(sc) => {
            let labels: Vec<_> = sc.labels.iter().map(|l| l.name.as_str()).collect();
            o += &format!(
                "scale {} {} {{ {} }}\n",
                sc.name.name,
                at(sc.span),
                labels.join(" > ")
            );
        }
        Item::Let(l) => o += &format!("let {} {} = {}\n", l.name.name, at(l.span), e(&l.value)),
        Item::Scorecard(sc) => {
            o += &format!("scorecard {} {}", sc.name.name, at(sc.span));
            if let Some(r) = sc.round {
                o += &format!(" round {r}");
            }
            o += "\n";
            for c in &sc.components {
                o += &format!("  {}", c.name.name);
                if let Some(w) = &c.weight {
                    o += &format!(" weight {}", lit(w));
                }
                o += &format!(" = {}", e(&c.expr));
                if let Some(m) = &c.on_missing {
                    o += &format!(", missing -> {}", e(m));
                }
                o += "\n";
            }
        }
        Item::Grade(g) => {
            o += &format!("grade {} {}", g.name.name, at(g.span));
            if let Some(sc) = &g.scale {
                o += &format!(" on {}", sc.name);
            }
            match &g.body {
                GradeBody::Thresholds { input, arms } => {
                    o += &format!(" by {}\n", e(input));
                    for a in arms {
                        let test = match &a.test {
                            ThresholdTest::Cmp(op, x) => format!("{} {}", cmp(*op), e(x)),
                            ThresholdTest::Otherwise => "otherwise".into(),
                            ThresholdTest::Missing => "missing".into(),
                        };
                        o += &format!("  {} {test}{}\n", a.label.name, attrs(&a.attrs));
                    }
                }
                GradeBody::Rules { arms } => {
                    o += " rules\n";
                    for a in arms {
                        let test = match &a.test {
                            RuleTest::When(x) => format!("when {}", e(x)),
                            RuleTest::Otherwise => "otherwise".into(),
                        };
                        o += &format!("  {} {test}{}\n", a.label.name, attrs(&a.attrs));
                    }
                }
            }
        }
        Item::Adjust(a) => {
            o += &format!(
                "adjust {} from {} {}\n",
                a.name.name,
                a.base.name,
                at(a.span)
            );
            for arm in &a.arms {
                let action = match &arm.action {
                    AdjustAction::Up(n) => format!("up {n}"),
                    AdjustAction::Down(n) => format!("down {n}"),
                    AdjustAction::To(l) => format!("to {}", l.name),
                    AdjustAction::UpTo(l) => format!("up to {}", l.name),
                    AdjustAction::DownTo(l) => format!("down to {}", l.name),
                };
                o += &format!("  {action} when {}\n", e(&arm.when));
            }
        }
        Item::Tag(t) => {
            o += &format!(
                "tag {} {} when {}{}\n",
                t.name.name,
                at(t.span),
                e(&t.when),
                attrs(&t.attrs)
            )
        }
        Item::Relative(r) => {
            let method = match &r.method {
                RelMethod::Pareto(c) => format!("pareto {}", cuts(c)),
                RelMethod::Top(c) => format!("top {}", cuts(c)),
                RelMethod::Quantiles {
                    n,
                    higher_is_better,
                } => {
                    format!("quantiles into {n} higher_is_better={higher_is_better}")
                }
                RelMethod::Split {
                    stat,
                    above,
                    otherwise,
                } => {
                    format!(
                        "{stat:?} {{ {} above {} otherwise }}",
                        above.name, otherwise.name
                    )
                }
            };
            o += &format!(
                "relative {} {} = {method} of {}",
                r.name.name,
                at(r.span),
                e(&r.input)
            );
            if let Some(p) = &r.per {
                o += &format!(" per {}", e(p));
            }
            o += &format!(" ties {:?}", r.ties);
            if let Some(m) = &r.on_missing {
                o += &format!(" missing -> {}", m.name);
            }
            o += "\n";
        }
        Item::Schedule(sd) => {
            o += &format!(
                "{:?}{} by {} from {} {}\n",
                sd.kind,
                sd.name
                    .as_ref()
                    .map(|n| format!(" {}", n.name))
                    .unwrap_or_default(),
                sd.grade.name,
                e(&sd.from),
                at(sd.span)
            );
            for a in &sd.arms {
                let mut label = match (&a.label, &a.tag) {
                    (Some(l), _) => l.name.clone(),
                    (None, Some(t)) => format!("tag {}", t.name),
                    (None, None) if a.when.is_some() => String::new(),
                    (None, None) => "otherwise".into(),
                };
                if let Some(w) = &a.when {
                    label = format!("{label} when {}", e(w)).trim_start().to_string();
                }
                let cadence = match &a.cadence {
                    Cadence::Every(d) => format!("every {}", lit(d)),
                    Cadence::Within(d, None) => format!("within {}", lit(d)),
                    Cadence::Within(d, Some(d2)) => format!("within {}..{}", lit(d), lit(d2)),
                    Cadence::PerPeriod { count, period } => {
                        format!("{} per {period:?}", lit(count))
                    }
                    Cadence::Calendar(days) => format!(
                        "calendar {:?}",
                        days.iter().map(|d| d.kind).collect::<Vec<_>>()
                    ),
                    Cadence::None => "none".into(),
                };
                o += &format!("  {label} {cadence}");
                if let Some(r) = &a.reassign_after {
                    o += &format!(" reassign after {}", lit(r));
                }
                o += "\n";
            }
        }
        Item::Override(ov) => {
            o += &format!(
                "override {} with {} reason {} {}\n",
                ov.grade.name,
                ov.with.name,
                ov.reason.name,
                at(ov.span)
            )
        }
        Item::Output(out) => {
            o += &format!("output {}", at(out.span));
            for (k, v) in [
                ("grade", &out.grade),
                ("subgrade", &out.subgrade),
                ("score", &out.score),
                ("revenue", &out.revenue),
            ] {
                if let Some(v) = v {
                    o += &format!(" {k} {}", v.name);
                }
            }
            o += "\n";
        }
        Item::Test(t) => {
            o += &format!("test {} {}\n", s(&t.name), at(t.span));
            if let Some(d) = &t.as_of {
                o += &format!("  as_of {}\n", lit(d));
            }
            for g in &t.given {
                o += &format!("  given {} = {}\n", g.name.name, e(&g.value));
            }
            for g in &t.events {
                for row in &g.rows {
                    let cells: Vec<String> = row
                        .cells
                        .iter()
                        .map(|c| format!("{} = {}", c.name.name, e(&c.value)))
                        .collect();
                    o += &format!("  given {} {{{}}}\n", g.name.name, cells.join(", "));
                }
            }
            for x in &t.expects {
                let target = match &x.target {
                    ExpectTarget::Name(n) => n.name.clone(),
                    ExpectTarget::Component(a, b) => format!("{}.{}", a.name, b.name),
                    other => format!("{other:?}"),
                };
                let names = |v: &[Ident]| {
                    v.iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let check = match &x.check {
                    ExpectCheck::Equals(v) => format!(" = {}", e(v)),
                    ExpectCheck::Includes(v) => format!(" include {}", names(v)),
                    ExpectCheck::Excludes(v) => format!(" exclude {}", names(v)),
                    ExpectCheck::Holds => String::new(),
                };
                o += &format!("  expect {target}{check}\n");
            }
        }
    }
    o
}

fn cuts(c: &[Cut]) -> String {
    let parts: Vec<_> = c
        .iter()
        .map(|c| match &c.share {
            Some(sh) => format!("{} {}", c.label.name, lit(sh)),
            None => format!("{} rest", c.label.name),
        })
        .collect();
    format!("{{ {} }}", parts.join("  "))
}

fn ty(t: &TypeKind) -> String {
    match t {
        TypeKind::Enum(vs) => {
            let vs: Vec<_> = vs
                .iter()
                .map(|v| {
                    let syn: Vec<_> = v.synonyms.iter().map(s).collect();
                    format!(
                        "{}{}",
                        v.name.name,
                        if syn.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", syn.join(" "))
                        }
                    )
                })
                .collect();
            format!("enum {{ {} }}", vs.join(", "))
        }
        TypeKind::Grade(sc) => format!("grade({})", sc.name),
        other => format!("{other:?}"),
    }
}

fn cmp(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

/// `text=value`: the literal as written and what it means.
fn lit(l: &Literal) -> String {
    let value = match &l.kind {
        LitKind::Number { value, unit } => format!(
            "{value}{}",
            match unit {
                tier::value::Unit::Plain => "",
                tier::value::Unit::Percent => " frac",
                tier::value::Unit::Money => "元",
                tier::value::Unit::Mass => "吨",
                tier::value::Unit::Area => "㎡",
            }
        ),
        LitKind::Date(d) => format!("date {d}"),
        LitKind::Duration(d) => format!("{}mo{}d{}h{}wd", d.months, d.days, d.hours, d.workdays),
        LitKind::Text(t) => return format!("{t:?}"),
        LitKind::Bool(b) => format!("{b}"),
        LitKind::Missing => return "missing".into(),
    };
    if value == l.text {
        value
    } else {
        format!("{}={value}", l.text)
    }
}

fn es(v: &[Expr]) -> String {
    v.iter().map(e).collect::<Vec<_>>().join(" ")
}

/// An expression as an S-expression.
fn e(x: &Expr) -> String {
    match &x.kind {
        ExprKind::Lit(l) => lit(l),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Path(a, b) => format!("{}.{}", a.name, b.name),
        ExprKind::AsOf => "as_of".into(),
        ExprKind::Unary(UnOp::Neg, a) => format!("(neg {})", e(a)),
        ExprKind::Unary(UnOp::Not, a) => format!("(not {})", e(a)),
        ExprKind::Binary(op, a, b) => {
            let op = match op {
                BinOp::Add => "+",
                BinOp::Sub => "-",
                BinOp::Mul => "*",
                BinOp::Div => "/",
                BinOp::And => "and",
                BinOp::Or => "or",
                BinOp::Coalesce => "??",
                BinOp::Cmp(c) => cmp(*c),
            };
            format!("({op} {} {})", e(a), e(b))
        }
        ExprKind::IsMissing { expr, negated } => {
            format!(
                "({} {})",
                if *negated {
                    "is-not-missing"
                } else {
                    "is-missing"
                },
                e(expr)
            )
        }
        ExprKind::In { expr, set, negated } => {
            format!(
                "({} {} {{{}}})",
                if *negated { "not-in" } else { "in" },
                e(expr),
                es(set)
            )
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            format!("(if {} {} {})", e(cond), e(then), e(otherwise))
        }
        ExprKind::Call { func, args } => format!("({} {})", func.name, es(args)),
        ExprKind::AtLeast { k, items } => format!("(at_least {k} {})", es(items)),
        ExprKind::Linear(l) => {
            let mut out = format!(
                "(linear {} from {} to {}",
                e(&l.input),
                e(&l.from),
                e(&l.to)
            );
            if let Some((p, q)) = &l.points {
                out += &format!(" points {} to {}", e(p), e(q));
            }
            out + ")"
        }
        ExprKind::Bands(b) => {
            let arms: Vec<_> = b
                .arms
                .iter()
                .map(|a| {
                    let guard = match &a.guard {
                        BandGuard::Missing => "missing".to_string(),
                        BandGuard::Otherwise => "otherwise".to_string(),
                        BandGuard::Interval { lo, hi } => {
                            let lo = lo
                                .as_ref()
                                .map(|b| {
                                    format!(
                                        "{}{}",
                                        if b.inclusive { "[" } else { "(" },
                                        e(&b.value)
                                    )
                                })
                                .unwrap_or("(-inf".into());
                            let hi = hi
                                .as_ref()
                                .map(|b| {
                                    format!(
                                        "{}{}",
                                        e(&b.value),
                                        if b.inclusive { "]" } else { ")" }
                                    )
                                })
                                .unwrap_or("+inf)".into());
                            format!("{lo}, {hi}")
                        }
                    };
                    format!("{guard} -> {}", e(&a.value))
                })
                .collect();
            format!(
                "(bands {} {:?} {{ {} }})",
                e(&b.input),
                b.order,
                arms.join("; ")
            )
        }
        ExprKind::Match(m) => {
            let arms: Vec<_> = m
                .arms
                .iter()
                .map(|a| {
                    let keys = match &a.keys {
                        MatchKeys::Values(v) => v.iter().map(e).collect::<Vec<_>>().join(", "),
                        MatchKeys::Missing => "missing".into(),
                        MatchKeys::Otherwise => "otherwise".into(),
                    };
                    format!("{keys} -> {}", e(&a.value))
                })
                .collect();
            format!("(match {} {{ {} }})", e(&m.input), arms.join("; "))
        }
        ExprKind::Matrix(m) => {
            let key = |k: &MatrixKey| match k {
                MatrixKey::Value(v) => e(v),
                MatrixKey::Otherwise(_) => "otherwise".into(),
            };
            let cols: Vec<_> = m.columns.iter().map(key).collect();
            let rows: Vec<_> = m
                .rows
                .iter()
                .map(|r| format!("{}: {}", key(&r.key), es(&r.cells)))
                .collect();
            format!(
                "(matrix {}, {} {{ {} | {} }})",
                e(&m.row),
                e(&m.col),
                cols.join(" "),
                rows.join("; ")
            )
        }
        ExprKind::Aggregate(a) => {
            let mut out = format!("({} {}", a.func.name(), a.events.name);
            if let Some(f) = &a.field {
                out += &format!(".{}", f.name);
            }
            match &a.window {
                Some(Window::Last(w)) => out += &format!(" within {}", lit(w)),
                Some(Window::This(p, _)) => out += &format!(" within this {p:?}"),
                None => {}
            }
            if let Some(f) = &a.filter {
                out += &format!(" where {}", e(f));
            }
            out + ")"
        }
    }
}
