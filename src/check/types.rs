//! The types the checker infers, and the rules that combine them (LANGUAGE.md "Types and units").

use super::{Ctx, ScaleId};
use crate::diagnostic::Code;
use crate::value::Unit;

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A number with a unit. `lit` marks a plain literal (`80`, `100万`) that adopts the unit of
    /// whatever it is compared or combined with.
    Num {
        unit: Unit,
        lit: bool,
    },
    Date,
    Duration,
    Text,
    Bool,
    /// A label of a grade scale, or an enum variant.
    Label(ScaleId),
    /// The `missing` literal: fits anywhere.
    Missing,
    /// Not known because of an earlier error: fits anywhere, so errors do not cascade.
    Unknown,
}

impl Ty {
    pub const PLAIN: Ty = Ty::Num {
        unit: Unit::Plain,
        lit: false,
    };

    pub fn num(unit: Unit) -> Ty {
        Ty::Num { unit, lit: false }
    }

    /// Fits anywhere (an earlier error, or `missing`).
    pub fn is_open(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Missing)
    }

    pub fn is_num(&self) -> bool {
        matches!(self, Ty::Num { .. })
    }

    pub fn scale(&self) -> Option<ScaleId> {
        match self {
            Ty::Label(s) => Some(*s),
            _ => None,
        }
    }

    pub fn unit(&self) -> Option<Unit> {
        match self {
            Ty::Num { unit, .. } => Some(*unit),
            _ => None,
        }
    }
}

/// "money", "a percent", ... for messages.
pub(crate) fn unit_word(unit: Unit) -> &'static str {
    match unit {
        Unit::Plain => "a plain number",
        Unit::Percent => "a percent",
        Unit::Money => "money",
        Unit::Mass => "a mass (吨)",
        Unit::Area => "an area (㎡)",
    }
}

/// Why two types do not fit together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clash {
    /// Two numbers with incompatible units: `tier::type::unit_mismatch`.
    Unit,
    /// Anything else: `tier::type::mismatch`.
    Type,
}

impl Clash {
    pub fn code(self) -> Code {
        match self {
            Clash::Unit => Code::TypeUnitMismatch,
            Clash::Type => Code::TypeMismatch,
        }
    }
}

/// Units for `+`, `-`, comparisons, `??`, branches: a plain literal adopts the other side's unit;
/// percent and plain numbers mix freely; otherwise the units must be equal.
pub(crate) fn unify_units(a: (Unit, bool), b: (Unit, bool)) -> Option<(Unit, bool)> {
    let ((ua, la), (ub, lb)) = (a, b);
    if la && ua == Unit::Plain {
        return Some((ub, lb));
    }
    if lb && ub == Unit::Plain {
        return Some((ua, la));
    }
    if ua == ub {
        return Some((ua, la && lb));
    }
    let ratio = |u: Unit| matches!(u, Unit::Plain | Unit::Percent);
    if ratio(ua) && ratio(ub) {
        return Some((Unit::Percent, false));
    }
    None
}

/// `a * b`: a dimension (money, mass, area) times a ratio keeps the dimension; two dimensions
/// cannot be multiplied.
pub(crate) fn mul_units(a: (Unit, bool), b: (Unit, bool)) -> Option<(Unit, bool)> {
    let ratio = |u: Unit| matches!(u, Unit::Plain | Unit::Percent);
    let lit = a.1 && b.1;
    match (ratio(a.0), ratio(b.0)) {
        (true, true) => {
            let unit = if a.0 == Unit::Percent && b.0 == Unit::Percent {
                Unit::Percent
            } else {
                Unit::Plain
            };
            Some((unit, lit))
        }
        (false, true) => Some((a.0, lit)),
        (true, false) => Some((b.0, lit)),
        (false, false) => None,
    }
}

/// `a / b`: anything divided by a ratio keeps its unit; a dimension divided by the same dimension
/// is a plain ratio (money ÷ money); a ratio divided by a dimension has no unit tier knows.
pub(crate) fn div_units(a: (Unit, bool), b: (Unit, bool)) -> Option<(Unit, bool)> {
    let ratio = |u: Unit| matches!(u, Unit::Plain | Unit::Percent);
    let lit = a.1 && b.1;
    if ratio(b.0) {
        // A percent of a percent is a plain ratio; otherwise dividing by a ratio keeps the unit.
        let unit = if b.0 == Unit::Percent && ratio(a.0) {
            Unit::Plain
        } else {
            a.0
        };
        return Some((unit, lit));
    }
    if a.0 == b.0 {
        return Some((Unit::Plain, lit));
    }
    None
}

impl Ctx<'_> {
    /// "money", "a date", "a label of 等级 (A > B > C)" for messages.
    pub fn describe(&self, ty: Ty) -> String {
        match ty {
            Ty::Num { unit, .. } => unit_word(unit).to_string(),
            Ty::Date => "a date".into(),
            Ty::Duration => "a duration".into(),
            Ty::Text => "text".into(),
            Ty::Bool => "yes/no".into(),
            Ty::Label(s) => {
                let sc = &self.scales[s];
                match sc.kind {
                    super::ScaleKind::Enum => format!("a variant of {}", sc.describe()),
                    _ => format!("a label of {}", sc.describe()),
                }
            }
            Ty::Missing => "missing".into(),
            Ty::Unknown => "unknown".into(),
        }
    }

    /// Two label sets fit when they are the same, or list the same labels in the same order
    /// (two grades declared with the same A > B > C scale compare naturally).
    ///
    /// Labels produced by a `match`/`bands`/`if` (no declared scale) fit any scale that has
    /// them all: `let 关系 = match 来源 { .. -> 甲 }` compares with grades on `甲 > 乙 > 丙`.
    pub fn same_labels(&self, a: ScaleId, b: ScaleId) -> bool {
        let (x, y) = (&self.scales[a], &self.scales[b]);
        let within = |p: &super::ScaleInfo, q: &super::ScaleInfo| {
            p.kind == super::ScaleKind::Adhoc && p.labels.iter().all(|l| q.contains(l))
        };
        a == b || x.labels == y.labels || within(x, y) || within(y, x)
    }

    /// The common type of two values that meet in `=`, `??`, `if` branches, `in`, match keys.
    pub fn unify(&self, a: Ty, b: Ty) -> Result<Ty, Clash> {
        match (a, b) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => Ok(Ty::Unknown),
            (Ty::Missing, t) | (t, Ty::Missing) => Ok(t),
            (Ty::Num { unit: ua, lit: la }, Ty::Num { unit: ub, lit: lb }) => {
                unify_units((ua, la), (ub, lb))
                    .map(|(unit, lit)| Ty::Num { unit, lit })
                    .ok_or(Clash::Unit)
            }
            (Ty::Label(x), Ty::Label(y)) if self.same_labels(x, y) => Ok(Ty::Label(x)),
            (x, y) if x == y => Ok(x),
            _ => Err(Clash::Type),
        }
    }

    /// A value of a type as a user writes it, for help lines: "an amount such as `100万`".
    pub fn example(&self, ty: Ty) -> String {
        match ty {
            Ty::Num { unit, .. } => match unit {
                Unit::Money => "an amount such as `100万`".into(),
                Unit::Percent => "a percent such as `95%`".into(),
                Unit::Mass => "a mass such as `500吨`".into(),
                Unit::Area => "an area such as `3万㎡`".into(),
                Unit::Plain => "a plain number such as `80`".into(),
            },
            Ty::Date => "a date such as `2026-06-30`".into(),
            Ty::Duration => "a duration such as `7 days`".into(),
            Ty::Text => "a text such as `\"华东\"`".into(),
            Ty::Bool => "`yes` or `no`".into(),
            Ty::Label(s) => match self.scales[s].labels.first() {
                Some(l) => format!("a label such as `{l}`"),
                None => "a label".into(),
            },
            Ty::Missing | Ty::Unknown => "a value".into(),
        }
    }

    /// A help line for two types that do not fit.
    pub fn clash_help(&self, a: Ty, b: Ty) -> String {
        match (a, b) {
            (Ty::Num { unit: ua, .. }, Ty::Num { unit: ub, .. }) => format!(
                "{} cannot meet {}: compare each with a value of its own unit ({} / {}), or \
                 divide to get a ratio",
                unit_word(ua),
                unit_word(ub),
                self.example(a),
                self.example(b)
            ),
            (Ty::Label(x), Ty::Label(y)) => format!(
                "labels of {} and of {} are different scales; compare each with its own labels",
                self.scales[x].name, self.scales[y].name
            ),
            (Ty::Label(_), Ty::Text) | (Ty::Text, Ty::Label(_)) => {
                "write the label without quotes (`A`, not `\"A\"`)".into()
            }
            (Ty::Duration, Ty::Num { .. }) | (Ty::Num { .. }, Ty::Duration) => {
                "a number of days (from `days_since`, `days_between`) compares with a plain number \
                 such as `7`; a duration such as `7 days` is added to a date"
                    .into()
            }
            (Ty::Date, Ty::Text) | (Ty::Text, Ty::Date) => {
                "write the date without quotes: `2026-06-30`".into()
            }
            (Ty::Date, Ty::Num { .. }) | (Ty::Num { .. }, Ty::Date) => {
                "a date meets a date or a duration: write `+ 7 days`, or `days_since(d)` for a number"
                    .into()
            }
            _ => format!(
                "both sides must be of one type; here they are {} and {}",
                self.describe(a),
                self.describe(b)
            ),
        }
    }
}
