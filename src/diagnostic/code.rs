//! Every diagnostic code, written once. The text (`tier::name::unknown`) is a stable interface:
//! JSON output, scripts, tests and docs/DIAGNOSTICS.md match on it, so a variant's text never
//! changes. `tests/integration/codes.rs` checks that every code is documented and has a fixture
//! that triggers it.

use std::fmt;

/// Declares [`Code`], its text and [`Code::ALL`] from one table.
macro_rules! codes {
    ($($variant:ident => $text:literal,)+) => {
        /// A diagnostic's stable code; [`Code::as_str`] is its text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = concat!("`", $text, "`")]
                $variant,
            )+
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The code's text, e.g. `tier::name::unknown`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)+
                }
            }
        }
    };
}

codes! {
    Syntax => "tier::syntax",
    LimitExpression => "tier::limit::expression",
    LimitLineLength => "tier::limit::line_length",
    LimitNesting => "tier::limit::nesting",
    LimitSize => "tier::limit::size",
    NameDuplicate => "tier::name::duplicate",
    NameUnknown => "tier::name::unknown",
    NameUnknownFunction => "tier::name::unknown_function",
    NameUnknownLabel => "tier::name::unknown_label",
    NameUnknownScale => "tier::name::unknown_scale",
    NameUnused => "tier::name::unused",
    InputColumnTwice => "tier::input::column_twice",
    InputDefaultRange => "tier::input::default_range",
    InputDefaultType => "tier::input::default_type",
    InputRange => "tier::input::range",
    InputScaledLiteral => "tier::input::scaled_literal",
    TypeArity => "tier::type::arity",
    TypeCompareMissing => "tier::type::compare_missing",
    TypeMismatch => "tier::type::mismatch",
    TypePercentLiteral => "tier::type::percent_literal",
    TypeUnitMismatch => "tier::type::unit_mismatch",
    TypeUnrankedLabel => "tier::type::unranked_label",
    AtLeastCount => "tier::at_least::count",
    LetCycle => "tier::let::cycle",
    EventsAggregate => "tier::events::aggregate",
    EventsDate => "tier::events::date",
    EventsFilter => "tier::events::filter",
    EventsKey => "tier::events::key",
    EventsUnknown => "tier::events::unknown",
    EventsWindow => "tier::events::window",
    RelativeCuts => "tier::relative::cuts",
    RelativeQuantiles => "tier::relative::quantiles",
    RelativeRest => "tier::relative::rest",
    ScorecardWeights => "tier::scorecard::weights",
    LinearEmptyRange => "tier::linear::empty_range",
    BandsBound => "tier::bands::bound",
    BandsEmpty => "tier::bands::empty",
    BandsGap => "tier::bands::gap",
    BandsNonMonotonic => "tier::bands::non_monotonic",
    BandsOverlap => "tier::bands::overlap",
    BandsUnreachable => "tier::bands::unreachable",
    GradeDirection => "tier::grade::direction",
    GradeThreshold => "tier::grade::threshold",
    GradeUncovered => "tier::grade::uncovered",
    GradeUnreachable => "tier::grade::unreachable",
    ConditionNeverHolds => "tier::condition::never_holds",
    MatchUncovered => "tier::match::uncovered",
    MatchUnreachable => "tier::match::unreachable",
    MatrixShape => "tier::matrix::shape",
    AdjustBase => "tier::adjust::base",
    AdjustZero => "tier::adjust::zero",
    AdjustNoEffect => "tier::adjust::no_effect",
    ScheduleCalendar => "tier::schedule::calendar",
    ScheduleCadence => "tier::schedule::cadence",
    ScheduleDuplicate => "tier::schedule::duplicate",
    ScheduleNotGrade => "tier::schedule::not_grade",
    ScheduleUncovered => "tier::schedule::uncovered",
    ScheduleWithin => "tier::schedule::within",
    OverrideField => "tier::override::field",
    OverrideTarget => "tier::override::target",
    OutputDuplicate => "tier::output::duplicate",
    OutputKind => "tier::output::kind",
    RulesetNoGrade => "tier::ruleset::no_grade",
    TestDuplicateGiven => "tier::test::duplicate_given",
    TestFailed => "tier::test::failed",
    TestMissingGiven => "tier::test::missing_given",
    TestNoSchedule => "tier::test::no_schedule",
    TestNotInput => "tier::test::not_input",
    TestUnknownName => "tier::test::unknown_name",
    TestValueType => "tier::test::value_type",
    EvalDivisionByZero => "tier::eval::division_by_zero",
    EvalLinearEmpty => "tier::eval::linear_empty",
    EvalMissing => "tier::eval::missing",
    EvalNegativeShare => "tier::eval::negative_share",
    EvalOverflow => "tier::eval::overflow",
    EvalOverrideLabel => "tier::eval::override_label",
    EvalOverrideReason => "tier::eval::override_reason",
    EvalType => "tier::eval::type",
    EvalUncovered => "tier::eval::uncovered",
    DataColumnAmbiguous => "tier::data::column_ambiguous",
    DataColumnClash => "tier::data::column_clash",
    DataColumnMissing => "tier::data::column_missing",
    DataDuplicateKey => "tier::data::duplicate_key",
    DataRead => "tier::data::read",
    DataStaleTemp => "tier::data::stale_temp",
    DataTruncated => "tier::data::truncated",
    DataWrite => "tier::data::write",
    UsageAsOf => "tier::usage::as_of",
    UsageDelimiter => "tier::usage::delimiter",
    UsageEncoding => "tier::usage::encoding",
    UsageEvents => "tier::usage::events",
    UsageJson => "tier::usage::json",
    UsageOutputIsInput => "tier::usage::output_is_input",
    UsageSameOutput => "tier::usage::same_output",
    UsageSet => "tier::usage::set",
    UsageThreads => "tier::usage::threads",
    UsageUnknownField => "tier::usage::unknown_field",
    UsageValue => "tier::usage::value",
    Io => "tier::io",
    RunMaxRejects => "tier::run::max_rejects",
    FmtChangedMeaning => "tier::fmt::changed_meaning",
    DiffGit => "tier::diff::git",
    DiffDuplicateKey => "tier::diff::duplicate_key",
    SqlUnsupported => "tier::sql::unsupported",
    InternalRowsLost => "tier::internal::rows_lost",
    InternalCompile => "tier::internal::compile",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;
    use std::collections::BTreeSet;

    #[test]
    fn texts_are_distinct_and_well_formed() {
        let texts: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(texts.len(), Code::ALL.len());
        for text in texts {
            assert!(text.starts_with("tier::"), "{text}");
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b':'),
                "{text}"
            );
        }
    }

    #[test]
    fn serializes_as_its_text() {
        let json = serde_json::to_string(&Code::NameUnknown).unwrap();
        assert_eq!(json, "\"tier::name::unknown\"");
        assert_eq!(Code::Syntax.to_string(), "tier::syntax");
    }
}
