//! Plan expressions printed as SQL for one dialect.

use super::Dialect;
use crate::ast::CmpOp;
use crate::lower::*;
use crate::value::Duration;
use rust_decimal::Decimal;

/// Decimal places a DuckDB or Spark product may need before its operands are rounded: 8
/// integer digits stay (38 − 30).
const PRODUCT_PLACES: u32 = 30;

pub(super) struct Printer<'p> {
    pub d: Dialect,
    pub as_of: Option<jiff::civil::Date>,
    pub plan: &'p Plan,
}

impl Printer<'_> {
    pub fn input_name(&self, i: usize) -> String {
        format!("tier_i{i}")
    }

    pub fn col_name(&self, i: usize) -> String {
        format!("tier_c{i}")
    }

    pub fn fail_name(&self, i: usize) -> String {
        format!("tier_f{i}")
    }

    /// The type a computed column is kept in.
    pub fn column_type(&self, ty: Ty) -> String {
        match (self.d, ty) {
            (Dialect::Postgres, Ty::Num { .. }) => "NUMERIC".into(),
            (_, Ty::Num { scale }) => format!("DECIMAL(38, {})", scale.min(QUOTIENT_PLACES as u8)),
            (d, ty) => d.ty(ty).into(),
        }
    }

    fn num(&self, d: Decimal) -> String {
        let s = d.to_string();
        let lit = match self.d {
            // A literal keeps its exact digits as a decimal.
            Dialect::Postgres => format!("CAST('{s}' AS NUMERIC)"),
            _ => {
                let scale = d.scale();
                let digits = s.trim_start_matches('-').replace('.', "").len() as u32;
                let precision = digits.max(scale + 1).clamp(1, 38);
                format!("CAST('{s}' AS DECIMAL({precision}, {scale}))")
            }
        };
        lit
    }

    fn date(&self, d: jiff::civil::Date) -> String {
        format!("DATE '{d}'")
    }

    fn as_of(&self) -> String {
        match self.as_of {
            Some(d) => self.date(d),
            None => "CURRENT_DATE".into(),
        }
    }

    /// An input read from its warehouse column into base units, and why its cell does not type.
    pub fn input(&self, input: &PlanInput) -> (String, Option<String>) {
        let d = self.d;
        let col = d.ident(&input.column);
        let text = d.ty(Ty::Text);
        let raw = match &input.kind {
            InputKind::Number { factor, .. } if *factor != Decimal::ONE => {
                format!(
                    "(CAST({col} AS {}) * {})",
                    self.column_type(Ty::num(6)),
                    self.num(*factor)
                )
            }
            InputKind::Number { integer: true, .. } => {
                format!("CAST({col} AS {})", self.column_type(Ty::num(0)))
            }
            InputKind::Number { .. } => format!("CAST({col} AS {})", self.column_type(Ty::num(6))),
            InputKind::Percent => format!("CAST({col} AS {})", self.column_type(Ty::num(8))),
            InputKind::Date => format!("CAST({col} AS DATE)"),
            InputKind::Bool => format!("CAST({col} AS BOOLEAN)"),
            InputKind::Text => format!("NULLIF(TRIM(CAST({col} AS {text})), '')"),
            InputKind::Labels { names, .. } => {
                let mut s = format!("CASE TRIM(CAST({col} AS {text}))");
                for (spelling, name) in names {
                    s.push_str(&format!(" WHEN {} THEN {}", d.text(spelling), d.text(name)));
                }
                s.push_str(" END");
                s
            }
        };
        let value = match (&input.default, input.scale()) {
            // Both at the input's scale: DuckDB would give the COALESCE the default's type.
            (Some(def), Some(s)) if self.d != Dialect::Postgres => format!(
                "COALESCE({raw}, CAST({} AS {}))",
                self.expr(def),
                self.dec(s)
            ),
            (Some(def), _) => format!("COALESCE({raw}, {})", self.expr(def)),
            (None, _) => raw.clone(),
        };
        let mut checks: Vec<(String, String)> = Vec::new();
        let name = &input.column;
        if let InputKind::Labels { names, .. } = &input.kind {
            let allowed: Vec<&str> = names.iter().map(|(s, _)| &**s).collect();
            checks.push((
                format!(
                    "{col} IS NOT NULL AND TRIM(CAST({col} AS {text})) <> '' AND {raw} IS NULL"
                ),
                format!("{name}: not one of {}", allowed.join(", ")),
            ));
        }
        if !input.optional && input.default.is_none() {
            checks.push((
                format!("{value} IS NULL"),
                format!("{name}: empty, and {} has no default", input.name),
            ));
        }
        if let Some(lo) = input.range.0 {
            checks.push((
                format!("{value} < {}", self.num(lo)),
                format!("{name}: below {lo}, the lowest {} accepts", input.name),
            ));
        }
        if let Some(hi) = input.range.1 {
            checks.push((
                format!("{value} > {}", self.num(hi)),
                format!("{name}: above {hi}, the highest {} accepts", input.name),
            ));
        }
        let fail = (!checks.is_empty()).then(|| {
            let arms: Vec<String> = checks
                .iter()
                .map(|(c, why)| {
                    format!(
                        "WHEN {c} THEN {}",
                        d.text(&format!("tier::data::cell: {why}"))
                    )
                })
                .collect();
            format!("CASE {} END", arms.join(" "))
        });
        (value, fail)
    }

    /// An output column as `tier run` writes it: numbers at most 4 places (half away from zero).
    pub fn output(&self, col: usize, ty: Ty) -> String {
        let c = self.col_name(col);
        match ty {
            Ty::Num { scale } if u32::from(scale) > 4 => {
                format!("CAST(ROUND({c}, 4) AS {})", self.column_type(Ty::num(4)))
            }
            _ => c,
        }
    }

    pub fn expr(&self, e: &PExpr) -> String {
        use PExpr::*;
        let d = self.d;
        match e {
            Num(n) => self.num(*n),
            Int(i) => i.to_string(),
            Date(x) => self.date(*x),
            Bool(true) => "TRUE".into(),
            Bool(false) => "FALSE".into(),
            Text(t) => d.text(t),
            Null => "NULL".into(),
            Input(i) => self.input_name(*i),
            Col(i) => self.col_name(*i),
            Agg(k) => agg_name(*k),
            EventField(e, i) => event_field_name(*e, *i),
            PeriodStart(x, period) => self.period_start(&self.expr(x), *period),
            AsOf => self.as_of(),
            Neg(a) => format!("(-{})", self.expr(a)),
            Add(a, b) => format!("({} + {})", self.expr(a), self.expr(b)),
            Sub(a, b) => format!("({} - {})", self.expr(a), self.expr(b)),
            Mul(a, b) => self.mul(a, b),
            Div(a, b) => self.div(a, b),
            DateAdd(x, dur) => self.date_add(&self.expr(x), dur),
            NextDay(x, cal) => self.next_day(&self.expr(x), cal),
            Cmp(op, a, b, kind) => self.cmp(*op, a, b, *kind),
            Not(a) => format!("(NOT {})", self.expr(a)),
            And(a, b) => format!("({} AND {})", self.expr(a), self.expr(b)),
            Or(a, b) => format!("({} OR {})", self.expr(a), self.expr(b)),
            IsNull(a) => format!("({} IS NULL)", self.expr(a)),
            Case(arms, otherwise) => {
                if arms.is_empty() {
                    return self.expr(otherwise);
                }
                let to = self.plan.scale_of(e);
                let mut s = String::from("CASE");
                for (c, v) in arms {
                    s.push_str(&format!(
                        " WHEN {} THEN {}",
                        self.expr(c),
                        self.branch(v, to)
                    ));
                }
                if **otherwise != Null {
                    s.push_str(&format!(" ELSE {}", self.branch(otherwise, to)));
                }
                s.push_str(" END");
                s
            }
            Coalesce(xs) => match xs.len() {
                1 => self.expr(&xs[0]),
                _ => format!("COALESCE({})", self.branches(xs, self.plan.scale_of(e))),
            },
            Round(a, p) => format!("ROUND({}, {p})", self.expr(a)),
            Floor(a) => format!("FLOOR({})", self.expr(a)),
            Ceil(a) => format!("CEIL({})", self.expr(a)),
            Abs(a) => format!("ABS({})", self.expr(a)),
            Least(xs) | Greatest(xs) => {
                let f = if matches!(e, Least(_)) {
                    "LEAST"
                } else {
                    "GREATEST"
                };
                let any_null: Vec<String> = xs
                    .iter()
                    .map(|x| format!("{} IS NULL", self.expr(x)))
                    .collect();
                format!(
                    "CASE WHEN {} THEN NULL ELSE {f}({}) END",
                    any_null.join(" OR "),
                    self.branches(xs, self.plan.scale_of(e))
                )
            }
            DaysBetween(a, b) => self.days_between(&self.expr(a), &self.expr(b)),
            MonthsBetween(a, b) => self.months_between(&self.expr(a), &self.expr(b)),
            Year(a) => format!("CAST(EXTRACT(YEAR FROM {}) AS INTEGER)", self.expr(a)),
            Month(a) => format!("CAST(EXTRACT(MONTH FROM {}) AS INTEGER)", self.expr(a)),
            CountTrue(xs) => {
                let any_null: Vec<String> = xs
                    .iter()
                    .map(|x| format!("{} IS NULL", self.expr(x)))
                    .collect();
                let ones: Vec<String> = xs
                    .iter()
                    .map(|x| format!("CASE WHEN {} THEN 1 ELSE 0 END", self.expr(x)))
                    .collect();
                format!(
                    "CASE WHEN {} THEN NULL ELSE ({}) END",
                    any_null.join(" OR "),
                    ones.join(" + ")
                )
            }
            InputsOk => "(tier_fail_0 IS NULL)".into(),
            LabelNumber(a) => format!(
                "CAST({} AS {})",
                self.expr(a),
                self.column_type(Ty::num(INPUT_PLACES))
            ),
            Relative(r) => self.relative(r),
            IntText(a) => format!(
                "CAST(CAST({} AS BIGINT) AS {})",
                self.expr(a),
                d.ty(Ty::Text)
            ),
            Concat(xs) => format!(
                "({})",
                xs.iter()
                    .map(|x| self.expr(x))
                    .collect::<Vec<_>>()
                    .join(" || ")
            ),
            JoinTrue(parts, sep) => {
                if parts.is_empty() {
                    return "NULL".into();
                }
                let items: Vec<String> = parts
                    .iter()
                    .map(|(c, t)| format!("CASE WHEN {} THEN {} END", self.expr(c), d.text(t)))
                    .collect();
                format!(
                    "NULLIF(CONCAT_WS({}, {}), '')",
                    d.text(sep),
                    items.join(", ")
                )
            }
            Rank(x, s) => {
                let mut out = format!("CASE {}", self.expr(x));
                for (i, l) in self.plan.scales[*s].labels.iter().enumerate() {
                    out.push_str(&format!(" WHEN {} THEN {i}", d.text(l)));
                }
                out.push_str(" END");
                out
            }
            LabelOf(x, s) => {
                let mut out = format!("CASE {}", self.expr(x));
                for (i, l) in self.plan.scales[*s].labels.iter().enumerate() {
                    out.push_str(&format!(" WHEN {i} THEN {}", d.text(l)));
                }
                out.push_str(" END");
                out
            }
        }
    }

    /// One value of a decision at the decision's scale: DuckDB and Spark give a `CASE` of
    /// decimals of different scales the first one's type, rounding the others (1.5 → 2).
    fn branch(&self, v: &PExpr, scale: Option<u32>) -> String {
        match (self.d, scale, v) {
            (Dialect::Postgres, _, _) | (_, None, _) | (_, _, PExpr::Null) => self.expr(v),
            (_, Some(s), _) => format!("CAST({} AS {})", self.expr(v), self.dec(s)),
        }
    }

    fn branches(&self, xs: &[PExpr], scale: Option<u32>) -> String {
        xs.iter()
            .map(|x| self.branch(x, scale))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn dec(&self, scale: u32) -> String {
        format!("DECIMAL(38, {})", scale.min(QUOTIENT_PLACES))
    }

    fn mul(&self, a: &PExpr, b: &PExpr) -> String {
        if self.d == Dialect::Postgres {
            return format!("({} * {})", self.expr(a), self.expr(b));
        }
        // DECIMAL(38, s) × DECIMAL(38, t) is exact with s + t places and 38 − s − t integer
        // digits; operands whose places add up to more than PRODUCT_PLACES are rounded first
        // (docs/SQL.md), and the product is brought back to at most 24 places.
        let (mut sa, mut sb) = (
            self.plan.scale_of(a).unwrap_or(0),
            self.plan.scale_of(b).unwrap_or(0),
        );
        let (mut x, mut y) = (self.expr(a), self.expr(b));
        while sa + sb > PRODUCT_PLACES {
            if sa >= sb {
                sa = (PRODUCT_PLACES - sb).max(PRODUCT_PLACES / 2);
                x = format!("CAST({x} AS {})", self.dec(sa));
            } else {
                sb = (PRODUCT_PLACES - sa).max(PRODUCT_PLACES / 2);
                y = format!("CAST({y} AS {})", self.dec(sb));
            }
        }
        format!("CAST(({x} * {y}) AS {})", self.dec(sa + sb))
    }

    /// A 128-bit integer type: DuckDB's HUGEINT, Spark's DECIMAL(38, 0).
    fn int128(&self) -> &'static str {
        match self.d {
            Dialect::Spark => "DECIMAL(38, 0)",
            _ => "HUGEINT",
        }
    }

    /// ⌊a / b⌋ of non-negative 128-bit integers. Spark's `div` returns a 64-bit LONG, and its
    /// decimal quotient is rounded, so there it is (a − a mod b) / b, an exact multiple.
    fn idiv128(&self, a: &str, b: &str) -> String {
        match self.d {
            Dialect::Spark => format!("CAST(({a} - {a} % {b}) / {b} AS DECIMAL(38, 0))"),
            _ => format!("({a} // {b})"),
        }
    }

    /// ⌊a / b⌋ of non-negative 128-bit integers whose quotient may have up to 38 digits.
    /// Spark types a quotient of two `DECIMAL(38, 0)` as `DECIMAL(38, 18)`: 20 integer digits,
    /// so a dividend with 24 places over a small divisor overflowed. There `a` is split at
    /// 10¹⁹ (`a = a₁·10¹⁹ + a₀`) and divided in two steps whose quotients stay under 10¹⁹:
    /// ⌊a/b⌋ = ⌊a₁/b⌋·10¹⁹ + ⌊((a₁ mod b)·10¹⁹ + a₀)/b⌋, where (a₁ mod b)·10¹⁹ + a₀ < b·10¹⁹
    /// and < 10³⁸. The later steps of a long division divide a remainder times at most 10¹²
    /// by `b`, which [`Printer::idiv128`] does.
    fn idiv128_wide(&self, a: &str, b: &str) -> String {
        if self.d != Dialect::Spark {
            return self.idiv128(a, b);
        }
        let int = self.int128();
        let e19 = format!("CAST(10000000000000000000 AS {int})");
        let a1 = self.idiv128(a, &e19);
        let a0 = format!("({a} % {e19})");
        let q1 = self.idiv128(&a1, b);
        let rest = format!("CAST((({a1} % {b}) * {e19} + {a0}) AS {int})");
        let q0 = self.idiv128(&rest, b);
        format!("CAST(({q1} * {e19} + {q0}) AS {int})")
    }

    /// An operand of a quotient as an integer mantissa at `scale` places.
    fn mantissa(&self, e: &PExpr, scale: u32) -> String {
        match e {
            // Computed once, in a column of its own (see `quotient_operands`).
            PExpr::Col(i) => return mantissa_name(false, *i, scale),
            PExpr::Input(i) => return mantissa_name(true, *i, scale),
            _ => {}
        }
        self.mantissa_expr(e, scale)
    }

    /// The mantissa of a quotient's operand, written out.
    pub fn mantissa_expr(&self, e: &PExpr, scale: u32) -> String {
        let int = self.int128();
        let text = self.d.ty(Ty::Text);
        match e {
            PExpr::Int(i) => format!("CAST({} AS {int})", i128::from(*i) * 10i128.pow(scale)),
            PExpr::Num(n) => {
                let mut n = *n;
                n.rescale(scale);
                format!("CAST({} AS {int})", n.mantissa())
            }
            _ => format!(
                "CAST(replace(CAST(CAST({} AS {}) AS {text}), '.', '') AS {int})",
                self.expr(e),
                self.dec(scale)
            ),
        }
    }

    /// `a / b` rounded half away from zero to [`QUOTIENT_PLACES`], exactly:
    /// sign · ⌊(2|a|·10^Q + |b|) / 2|b|⌋ · 10^-Q. `NULL` for b = 0.
    fn div(&self, a: &PExpr, b: &PExpr) -> String {
        if self.d == Dialect::Postgres {
            return self.div_values(&self.expr(a), &self.expr(b));
        }
        let q = QUOTIENT_PLACES;
        let sx = self.plan.scale_of(a).unwrap_or(0).min(q);
        let sy = self.plan.scale_of(b).unwrap_or(0).min(q);
        self.div_mantissas(&self.mantissa(a, sx), &self.mantissa(b, sy), sx, sy)
    }

    /// `x / y` of two SQL values with `sx` and `sy` places, as [`Printer::div`] divides.
    pub fn div_sql(&self, x: &str, y: &str, sx: u32, sy: u32) -> String {
        if self.d == Dialect::Postgres {
            return self.div_values(x, y);
        }
        let m = |v: &str, s: u32| {
            format!(
                "CAST(replace(CAST(CAST({v} AS {}) AS {}), '.', '') AS {})",
                self.dec(s),
                self.d.ty(Ty::Text),
                self.int128()
            )
        };
        self.div_mantissas(&m(x, sx), &m(y, sy), sx, sy)
    }

    /// PostgreSQL: exact `NUMERIC` arithmetic with `DIV`.
    fn div_values(&self, x: &str, y: &str) -> String {
        let q = QUOTIENT_PLACES;
        format!(
            "CASE WHEN {y} = 0 THEN NULL ELSE SIGN({x}) * SIGN({y}) * \
             DIV(2 * ABS({x}) * CAST('1e{q}' AS NUMERIC) + ABS({y}), 2 * ABS({y})) \
             * CAST('1e-{q}' AS NUMERIC) END"
        )
    }

    /// DuckDB and Spark: integer long division on 128-bit mantissas (`x` with `sx` places, `y`
    /// with `sy`), 12 digits at a time so that no step overflows.
    fn div_mantissas(&self, x: &str, y: &str, sx: u32, sy: u32) -> String {
        let q = QUOTIENT_PLACES;
        let int = self.int128();
        let (abs_x, abs_y) = (format!("ABS({x})"), format!("ABS({y})"));
        let mut digits = q + sy - sx;
        let mut m = self.idiv128_wide(&abs_x, &abs_y);
        let mut r = format!("({abs_x} % {abs_y})");
        while digits > 0 {
            let c = digits.min(12);
            digits -= c;
            let p = format!("CAST({} AS {int})", 10i128.pow(c));
            let t = format!("CAST(({r} * {p}) AS {int})");
            m = format!("CAST(({m} * {p} + {}) AS {int})", self.idiv128(&t, &abs_y));
            r = format!("({t} % {abs_y})");
        }
        m = format!("({m} + CASE WHEN 2 * {r} >= {abs_y} THEN 1 ELSE 0 END)");
        // The sign without SIGN(): Spark's returns a DOUBLE.
        format!(
            "CASE WHEN {y} = 0 THEN NULL ELSE CAST(CAST(CASE WHEN ({x} < 0) <> ({y} < 0) THEN -{m} ELSE {m} END \
             AS DECIMAL(38, 0)) * CAST('1e-{q}' AS DECIMAL(38, {q})) AS DECIMAL(38, {q})) END"
        )
    }

    /// The first day of `x`'s calendar month, ISO week (Monday) or year.
    pub fn period_start(&self, x: &str, period: crate::ast::Period) -> String {
        use crate::ast::Period;
        let year = format!("CAST(EXTRACT(YEAR FROM {x}) AS INTEGER)");
        match period {
            Period::Year => format!("make_date({year}, 1, 1)"),
            Period::Month => {
                format!("make_date({year}, CAST(EXTRACT(MONTH FROM {x}) AS INTEGER), 1)")
            }
            Period::Week => {
                self.add_days_by(x, &format!("CAST((1 - {}) AS INTEGER)", self.isodow(x)))
            }
        }
    }

    /// Whole days from date `a` to date `b`.
    pub fn days_from(&self, a: &str, b: &str) -> String {
        self.days_between(a, b)
    }

    fn cmp(&self, op: CmpOp, a: &PExpr, b: &PExpr, kind: CmpKind) -> String {
        let (mut x, mut y) = (self.expr(a), self.expr(b));
        let mut op = op;
        match kind {
            CmpKind::Num { settle: true } => {
                x = format!("ROUND({x}, {SETTLE_PLACES})");
                y = format!("ROUND({y}, {SETTLE_PLACES})");
            }
            CmpKind::Label(Some(s)) if !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                // Better labels have smaller ranks: `a > b` is rank(a) < rank(b).
                x = self.expr(&PExpr::Rank(a.clone().b(), s));
                y = self.expr(&PExpr::Rank(b.clone().b(), s));
                op = match op {
                    CmpOp::Lt => CmpOp::Gt,
                    CmpOp::Le => CmpOp::Ge,
                    CmpOp::Gt => CmpOp::Lt,
                    CmpOp::Ge => CmpOp::Le,
                    other => other,
                };
            }
            _ => {}
        }
        let sym = match op {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        };
        format!("({x} {sym} {y})")
    }

    fn add_days(&self, x: &str, n: i64) -> String {
        if n == 0 {
            return x.to_string();
        }
        match self.d {
            Dialect::Spark => format!("date_add({x}, {n})"),
            _ => format!("CAST({x} + {n} AS DATE)"),
        }
    }

    fn add_months(&self, x: &str, n: i32) -> String {
        if n == 0 {
            return x.to_string();
        }
        match self.d {
            Dialect::Spark => format!("add_months({x}, {n})"),
            Dialect::Postgres => format!("CAST({x} + INTERVAL '{n} months' AS DATE)"),
            Dialect::Duckdb => format!("CAST({x} + INTERVAL ({n}) MONTH AS DATE)"),
        }
    }

    /// `x` plus a number of days that is itself an expression.
    fn add_days_by(&self, x: &str, n: &str) -> String {
        match self.d {
            Dialect::Spark => format!("date_add({x}, {n})"),
            _ => format!("CAST({x} + {n} AS DATE)"),
        }
    }

    /// eval/date.rs `next_calendar_day`: the first day of `cal` strictly after `x`, the least
    /// of one candidate per listed day. A day of the month (or of the year) is tried in `x`'s
    /// month (year) and, when that is not after `x`, in the next; a day past the month's end
    /// falls on its last day.
    fn next_day(&self, x: &str, cal: &crate::value::Calendar) -> String {
        let mut parts = Vec::new();
        let dow = self.isodow(x);
        for w in &cal.weekdays {
            parts.push(
                self.add_days_by(x, &format!("CAST((({w} - {dow} + 6) % 7 + 1) AS INTEGER)")),
            );
        }
        // Day `k` of the month that starts on `first`.
        let in_month = |first: &str, k: u8| {
            let day = self.add_days(first, i64::from(k) - 1);
            if k <= 28 {
                day
            } else {
                let last = self.add_days(&self.add_months(first, 1), -1);
                format!("LEAST({day}, {last})")
            }
        };
        let year = format!("CAST(EXTRACT(YEAR FROM {x}) AS INTEGER)");
        let month = format!("CAST(EXTRACT(MONTH FROM {x}) AS INTEGER)");
        let after = |this: String, next: String| {
            format!("CASE WHEN {this} > {x} THEN {this} ELSE {next} END")
        };
        for &k in &cal.month_days {
            let first = format!("make_date({year}, {month}, 1)");
            parts.push(after(
                in_month(&first, k),
                in_month(&self.add_months(&first, 1), k),
            ));
        }
        for &(m, k) in &cal.year_days {
            parts.push(after(
                in_month(&format!("make_date({year}, {m}, 1)"), k),
                in_month(&format!("make_date({year} + 1, {m}, 1)"), k),
            ));
        }
        match parts.len() {
            0 => "CAST(NULL AS DATE)".into(),
            1 => parts.remove(0),
            _ => format!("LEAST({})", parts.join(", ")),
        }
    }

    fn isodow(&self, x: &str) -> String {
        match self.d {
            Dialect::Postgres => format!("CAST(EXTRACT(ISODOW FROM {x}) AS INTEGER)"),
            Dialect::Duckdb => format!("isodow({x})"),
            Dialect::Spark => format!("(((dayofweek({x}) + 5) % 7) + 1)"),
        }
    }

    /// eval/date.rs `add`: months (clamped to the month's end), days (hours as whole days
    /// rounded up), then workdays.
    fn date_add(&self, x: &str, dur: &Duration) -> String {
        let mut s = self.add_months(x, dur.months);
        let hours = i64::from(dur.hours);
        let hour_days = if hours >= 0 {
            (hours + 23) / 24
        } else {
            -((-hours + 23) / 24)
        };
        s = self.add_days(&s, i64::from(dur.days) + hour_days);
        if dur.workdays != 0 {
            s = self.add_workdays(&s, dur.workdays);
        }
        s
    }

    /// eval/date.rs `add_workdays` in closed form. Forward: from a weekend day, start at the
    /// Friday before; from weekday w (Monday 1), k workdays are k + 2·⌊(w − 1 + k) / 5⌋ days.
    /// Backward: from a weekend day, start at the Monday after; k + 2·⌊(5 − w + k) / 5⌋ back.
    fn add_workdays(&self, x: &str, n: i32) -> String {
        let k = i64::from(n).abs();
        let dow = self.isodow(x);
        let (start, w) = if n > 0 {
            (
                format!(
                    "CASE {dow} WHEN 6 THEN {} WHEN 7 THEN {} ELSE {x} END",
                    self.add_days(x, -1),
                    self.add_days(x, -2)
                ),
                format!("CASE WHEN {dow} > 5 THEN 5 ELSE {dow} END"),
            )
        } else {
            (
                format!(
                    "CASE {dow} WHEN 6 THEN {} WHEN 7 THEN {} ELSE {x} END",
                    self.add_days(x, 2),
                    self.add_days(x, 1)
                ),
                format!("CASE WHEN {dow} > 5 THEN 1 ELSE {dow} END"),
            )
        };
        let days = if n > 0 {
            format!("({k} + 2 * CAST(FLOOR(({w} - 1 + {k}) / 5.0) AS INTEGER))")
        } else {
            format!("(-({k} + 2 * CAST(FLOOR((5 - ({w}) + {k}) / 5.0) AS INTEGER)))")
        };
        match self.d {
            Dialect::Spark => format!("date_add({start}, {days})"),
            _ => format!("CAST(({start}) + {days} AS DATE)"),
        }
    }

    fn days_between(&self, a: &str, b: &str) -> String {
        match self.d {
            Dialect::Spark => format!("datediff({b}, {a})"),
            Dialect::Duckdb => format!("datediff('day', {a}, {b})"),
            Dialect::Postgres => format!("({b} - {a})"),
        }
    }

    /// eval/date.rs `months_between`: the largest m with a + m months ≤ b.
    fn months_between(&self, a: &str, b: &str) -> String {
        let m = format!(
            "((CAST(EXTRACT(YEAR FROM {b}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {a}) AS INTEGER)) * 12 \
             + CAST(EXTRACT(MONTH FROM {b}) AS INTEGER) - CAST(EXTRACT(MONTH FROM {a}) AS INTEGER))"
        );
        let plus = |m: &str| match self.d {
            Dialect::Spark => format!("add_months({a}, {m})"),
            Dialect::Postgres => format!("CAST({a} + make_interval(months => {m}) AS DATE)"),
            Dialect::Duckdb => format!("CAST({a} + to_months({m}) AS DATE)"),
        };
        format!(
            "CASE WHEN {m} > 0 AND {} > {b} THEN {m} - 1 WHEN {m} < 0 AND {} < {b} THEN {m} + 1 ELSE {m} END",
            plus(&m),
            plus(&m)
        )
    }

    /// eval/relative.rs with `ties same`, as window functions over the ranked rows of each
    /// group (rows that are not ranked form partitions of their own and get no class).
    fn relative(&self, r: &RelativeOp) -> String {
        let d = self.d;
        let key = self.expr(&r.key);
        let ranked = self.expr(&r.ranked);
        let mut part = vec![ranked.clone()];
        if let Some(g) = &r.group {
            part.push(self.expr(g));
        }
        let p = format!("PARTITION BY {}", part.join(", "));
        let count = format!("COUNT(*) OVER ({p})");
        let label = |i: usize| d.text(&r.labels[i]);
        let cuts = |shares: &[Option<Decimal>], test: &dyn Fn(&str) -> String| {
            let mut s = String::from("CASE");
            for (i, share) in shares.iter().enumerate() {
                match share {
                    Some(x) => {
                        s.push_str(&format!(" WHEN {} THEN {}", test(&self.num(*x)), label(i)))
                    }
                    None => {
                        s.push_str(&format!(" ELSE {}", label(i)));
                        break;
                    }
                }
            }
            if !shares.iter().any(Option::is_none) {
                s.push_str(&format!(" ELSE {}", label(shares.len().saturating_sub(1))));
            }
            s.push_str(" END");
            s
        };
        let class = match &r.method {
            RelativeMethod::Pareto(shares) => {
                let total = format!("SUM({key}) OVER ({p})");
                // The rows strictly before the first of a tie: everything up to and including
                // the tie (the default frame), less the tie itself.
                let before = format!(
                    "(SUM({key}) OVER ({p} ORDER BY {key} DESC) - {key} * COUNT(*) OVER ({p}, {key}))"
                );
                cuts(shares, &|share| {
                    format!(
                        "(CASE WHEN {total} > 0 THEN {share} * {total} > {before} ELSE {share} > 0 END)"
                    )
                })
            }
            RelativeMethod::Top(shares) => {
                let rank = format!("RANK() OVER ({p} ORDER BY {key} DESC)");
                cuts(shares, &|share| format!("{rank} <= {share} * {count}"))
            }
            RelativeMethod::Quantiles {
                n,
                higher_is_better,
            } => {
                let order = if *higher_is_better { "ASC" } else { "DESC" };
                let rank = format!("RANK() OVER ({p} ORDER BY {key} {order})");
                let k = format!(
                    "({} + 1)",
                    self.int_div(&format!("(({rank} - 1) * {n})"), &count)
                );
                format!(
                    "CAST(CASE WHEN {k} > {n} THEN {n} ELSE {k} END AS {})",
                    d.ty(Ty::Text)
                )
            }
            RelativeMethod::AboveMean => format!(
                "CASE WHEN {key} * {count} > SUM({key}) OVER ({p}) THEN {} ELSE {} END",
                label(0),
                label(1)
            ),
        };
        let missing = r
            .on_missing
            .as_ref()
            .map_or("NULL".to_string(), |l| d.text(l));
        format!("CASE WHEN {ranked} THEN {class} ELSE {missing} END")
    }

    fn int_div(&self, a: &str, b: &str) -> String {
        match self.d {
            Dialect::Postgres => format!("(CAST({a} AS BIGINT) / CAST({b} AS BIGINT))"),
            Dialect::Duckdb => format!("({a} // {b})"),
            Dialect::Spark => format!("({a} div {b})"),
        }
    }

    /// Every (operand, scale) whose mantissa a quotient reads: DuckDB and Spark compute each
    /// once, as a column, so the long division refers to it by name (written out at every use,
    /// Spark's optimizer spent minutes on the repeated text).
    pub fn quotient_operands(&self) -> Vec<(PExpr, u32)> {
        let mut out: Vec<(PExpr, u32)> = Vec::new();
        if self.d == Dialect::Postgres {
            return out;
        }
        for c in &self.plan.columns {
            for e in std::iter::once(&c.expr).chain(c.fail.as_ref()) {
                super::walk(e, &mut |x| {
                    if let PExpr::Div(a, b) = x {
                        for side in [a, b] {
                            if matches!(**side, PExpr::Col(_) | PExpr::Input(_)) {
                                let scale =
                                    self.plan.scale_of(side).unwrap_or(0).min(QUOTIENT_PLACES);
                                let key = ((**side).clone(), scale);
                                if !out.contains(&key) {
                                    out.push(key);
                                }
                            }
                        }
                    }
                });
            }
        }
        out
    }
}

/// The column holding aggregate `k`'s value.
pub(super) fn agg_name(k: usize) -> String {
    format!("tier_a{k}")
}

/// The column holding field `i` of events `e`, typed.
pub(super) fn event_field_name(e: usize, i: usize) -> String {
    format!("tier_e{e}_f{i}")
}

/// The column holding an operand's mantissa at `scale` places.
pub(super) fn mantissa_name(input: bool, i: usize, scale: u32) -> String {
    if input {
        format!("tier_mi{i}_{scale}")
    } else {
        format!("tier_mc{i}_{scale}")
    }
}
