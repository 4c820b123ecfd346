//! The fixed words of the output files — the headers of the columns that are no value of the
//! ruleset's (tags, follow-up, actions, ...), the booleans, the sheet names, the rejects
//! report's headers and the summary sheet's labels and chart titles — in each [`Lang`]. Columns
//! of named values (the grade, the sub-grade, the score, the other grades and `let`s) are headed
//! by their names, in any language.
//!
//! The English words are snake_case, as the JSON keys of the rejects report (`file`, `row`,
//! ...) and of the summary are: a graded JSON file's keys are its headers, so an English
//! ruleset's graded JSON reads `{"grade": "A", "overdue": false, ...}`.

use crate::eval::words::Lang;

/// The fixed words of one language. Get them with [`FixedWords::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWords {
    /// The grade column, when the grade has no name of its own.
    pub grade: &'static str,
    /// The sub-grade column, when the sub-grade has no name of its own.
    pub subgrade: &'static str,
    /// The score column, when the score has no name of its own.
    pub score: &'static str,
    /// Tags, joined with `、`.
    pub tags: &'static str,
    /// The next follow-up date.
    pub next_due: &'static str,
    /// Whether the follow-up is overdue (a boolean).
    pub overdue: &'static str,
    /// Whether the customer goes back to the public pool (a boolean).
    pub reassign: &'static str,
    /// The next review date.
    pub review_due: &'static str,
    /// The grade's and the tags' actions.
    pub action: &'static str,
    /// The grade's and the tags' owners.
    pub owner: &'static str,
    /// The reasons in the ruleset's words.
    pub reasons: &'static str,
    /// The evaluation date (`--as-of`).
    pub as_of: &'static str,
    /// A true boolean in CSV, XLSX and the table (JSON writes `true`).
    pub yes: &'static str,
    /// A false boolean in CSV, XLSX and the table (JSON writes `false`).
    pub no: &'static str,
    /// The graded workbook's sheet.
    pub graded_sheet: &'static str,
    /// The rejects workbook's sheet.
    pub rejects_sheet: &'static str,
    /// The rejects report's headers in CSV and XLSX: file, row, column, raw value, reason.
    pub rejects: [&'static str; 5],
    /// The graded workbook's summary sheet.
    pub summary_sheet: &'static str,
    /// The summary's grade table: customers, their share, the revenue's share (the revenue
    /// column is headed by the revenue field's name).
    pub customers: &'static str,
    pub customer_share: &'static str,
    pub revenue_share: &'static str,
    /// The summary's run facts: ruleset, version, data file, rows read, graded, rejected,
    /// skipped (the as-of date is [`FixedWords::as_of`]).
    pub facts: [&'static str; 7],
    /// The summary's chart titles: customers, revenue and overdue follow-ups per grade.
    pub charts: [&'static str; 3],
}

/// Chinese, as tier has always written them.
pub const ZH: FixedWords = FixedWords {
    grade: "等级",
    subgrade: "子级",
    score: "得分",
    tags: "标签",
    next_due: "下次跟进",
    overdue: "逾期",
    reassign: "转公海",
    review_due: "复评日期",
    action: "行动",
    owner: "负责人",
    reasons: "原因",
    as_of: "评估日期",
    yes: "是",
    no: "否",
    graded_sheet: "分级结果",
    rejects_sheet: "拒绝行",
    rejects: ["文件", "行", "列", "原值", "原因"],
    summary_sheet: "汇总",
    customers: "客户数",
    customer_share: "客户占比",
    revenue_share: "收入占比",
    facts: [
        "规则集",
        "版本",
        "数据文件",
        "读取行数",
        "分级行数",
        "拒绝行数",
        "跳过空行",
    ],
    charts: ["各等级客户数", "各等级收入", "各等级逾期跟进"],
};

/// English: snake_case, the rejects' headers as the keys of its JSON form.
pub const EN: FixedWords = FixedWords {
    grade: "grade",
    subgrade: "subgrade",
    score: "score",
    tags: "tags",
    next_due: "next_follow_up",
    overdue: "overdue",
    reassign: "reassign",
    review_due: "next_review",
    action: "action",
    owner: "owner",
    reasons: "reasons",
    as_of: "as_of",
    yes: "yes",
    no: "no",
    graded_sheet: "graded",
    rejects_sheet: "rejects",
    rejects: ["file", "row", "column", "raw", "reason"],
    summary_sheet: "summary",
    customers: "customers",
    customer_share: "customer_share",
    revenue_share: "revenue_share",
    facts: [
        "ruleset",
        "version",
        "input",
        "rows_read",
        "rows_graded",
        "rows_rejected",
        "rows_skipped",
    ],
    charts: [
        "Customers by grade",
        "Revenue by grade",
        "Overdue follow-ups by grade",
    ],
};

impl FixedWords {
    /// The words of `lang`.
    pub fn of(lang: Lang) -> &'static FixedWords {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// A boolean cell's text.
    pub fn yes_no(&self, b: bool) -> &'static str {
        if b {
            self.yes
        } else {
            self.no
        }
    }
}
