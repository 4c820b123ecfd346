//! Helpers over pest pairs and source text shared by lowering and error reporting.

use super::{Pair, Rule};

/// Keywords and punctuation: needed by the grammar and by error messages, not by lowering.
pub(super) fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::open_brace
            | Rule::close_brace
            | Rule::open_paren
            | Rule::close_paren
            | Rule::arrow
            | Rule::equals
            | Rule::colon
            | Rule::range_dots
            | Rule::scale_gt
            | Rule::coalesce_op
            | Rule::EOI
    ) || is_keyword(rule)
}

/// The `kw_*` rules of the grammar.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_ruleset
            | Rule::kw_version
            | Rule::kw_description
            | Rule::kw_input
            | Rule::kw_events
            | Rule::kw_key
            | Rule::kw_date
            | Rule::kw_where
            | Rule::kw_this
            | Rule::kw_column
            | Rule::kw_default
            | Rule::kw_percent
            | Rule::kw_fraction
            | Rule::kw_money
            | Rule::kw_quantity
            | Rule::kw_enum
            | Rule::kw_grade
            | Rule::kw_scale
            | Rule::kw_let
            | Rule::kw_scorecard
            | Rule::kw_round
            | Rule::kw_on
            | Rule::kw_by
            | Rule::kw_when
            | Rule::kw_otherwise
            | Rule::kw_missing
            | Rule::kw_color
            | Rule::kw_action
            | Rule::kw_owner
            | Rule::kw_adjust
            | Rule::kw_from
            | Rule::kw_up
            | Rule::kw_down
            | Rule::kw_to
            | Rule::kw_tag
            | Rule::kw_relative
            | Rule::kw_pareto
            | Rule::kw_top
            | Rule::kw_quantiles
            | Rule::kw_into
            | Rule::kw_higher
            | Rule::kw_lower
            | Rule::kw_is
            | Rule::kw_better
            | Rule::kw_mean
            | Rule::kw_median
            | Rule::kw_above
            | Rule::kw_rest
            | Rule::kw_per
            | Rule::kw_ties
            | Rule::kw_same
            | Rule::kw_input_order
            | Rule::kw_follow_up
            | Rule::kw_review
            | Rule::kw_reassign
            | Rule::kw_after
            | Rule::kw_every
            | Rule::kw_within
            | Rule::kw_none
            | Rule::kw_override
            | Rule::kw_with
            | Rule::kw_reason
            | Rule::kw_output
            | Rule::kw_subgrade
            | Rule::kw_score
            | Rule::kw_revenue
            | Rule::kw_test
            | Rule::kw_as_of
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_rejected
            | Rule::kw_tags
            | Rule::kw_include
            | Rule::kw_exclude
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_or
            | Rule::kw_and
            | Rule::kw_not
            | Rule::kw_in
            | Rule::kw_at_least
            | Rule::kw_of
            | Rule::kw_linear
            | Rule::kw_points
            | Rule::kw_bands
            | Rule::kw_match
            | Rule::kw_matrix
    )
}

/// The children of a pair, without keywords and punctuation.
pub(super) fn kids(p: Pair<'_>) -> Vec<Pair<'_>> {
    p.into_inner().filter(|c| !is_token(c.as_rule())).collect()
}

/// The length of `text` up to the end of its last token (not counting trailing blanks and
/// comments).
pub(super) fn content_len(text: &str) -> usize {
    let mut end = 0;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            end = i + c.len_utf8();
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => {
                in_string = true;
                end = i + 1;
            }
            c if c.is_whitespace() || c == '\u{FEFF}' => {}
            c => end = i + c.len_utf8(),
        }
    }
    end
}
