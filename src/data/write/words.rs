//! The fixed words of the output files — the headers of the columns that are no value of the
//! ruleset's (tags, follow-up, actions, ...), the booleans, the sheet names, the rejects
//! report's headers and the summary sheet's labels and chart titles — in each [`Lang`]. Columns
//! of named values (the grade, the sub-grade, the score, the other grades and `let`s) are headed
//! by their names, in any language.
//!
//! The English words are snake_case, as the JSON keys of the rejects report (`file`, `row`,
//! ...) and of the summary are: a graded JSON file's keys are its headers, so an English
//! ruleset's graded JSON reads `{"grade": "A", "overdue": false, ...}`. The HTML report's words
//! ([`ReportWords`], `tier run --report`) are sentences for people instead, in both languages.

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
    /// The summary's chart titles: customers, revenue and overdue follow-ups per grade, the
    /// Pareto curve, overdue follow-ups per owner.
    pub charts: [&'static str; 5],
    /// The Pareto table's headers on the summary sheet: the cumulative share of the customers
    /// and of the revenue.
    pub pareto: [&'static str; 2],
    /// The owner of customers no rule gives one.
    pub no_owner: &'static str,
    /// The HTML report's words (`tier run --report`).
    pub report: ReportWords,
}

/// The HTML report's words: sentences for people, in both languages (not the snake_case of
/// the English column names). `{field}`, `{n}`, `{share}`, `{version}` are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportWords {
    /// The page's `lang` attribute.
    pub html_lang: &'static str,
    /// Before the evaluation date.
    pub as_of: &'static str,
    /// The run's figures: rows read, graded, rejected, blank rows skipped.
    pub counts: [&'static str; 4],
    /// Sections: overview, grade distribution, Pareto curve, follow-ups, rejected rows.
    pub sections: [&'static str; 5],
    /// The grade table's headers: customers, share, revenue share, overdue, to reassign.
    pub table: [&'static str; 5],
    /// Chart titles: customers, `{field}` (the revenue), overdue per grade, the Pareto curve,
    /// overdue per owner.
    pub charts: [&'static str; 5],
    /// The Pareto chart's axes: customers (largest `{field}` first), cumulative `{field}`.
    pub pareto_axes: [&'static str; 2],
    /// The 80/20 check: the top 20% of customers bring `{share}` of `{field}`.
    pub pareto_check: &'static str,
    /// A cut line's legend: `{relative}` ranks by `{by}`.
    pub cut_by: &'static str,
    /// Why there is no Pareto curve.
    pub no_pareto: &'static str,
    /// Why there are no follow-up figures.
    pub no_follow_up: &'static str,
    /// The overdue list: its title, its order, and its headers (row, due, days overdue, owner).
    pub overdue_list: &'static str,
    pub overdue_order: &'static str,
    pub overdue_headers: [&'static str; 4],
    /// No customer is overdue.
    pub none_overdue: &'static str,
    /// The rejects table's headers: row, column, value, reason; and its note.
    pub rejects_headers: [&'static str; 4],
    pub rejects_note: &'static str,
    /// No row was rejected.
    pub no_rejects: &'static str,
    /// A capped list's last line: `{n}` more.
    pub more: &'static str,
    /// The page's footer.
    pub made_by: &'static str,
}

/// The report in Chinese.
pub const REPORT_ZH: ReportWords = ReportWords {
    html_lang: "zh-CN",
    as_of: "评估日期",
    counts: ["读取行数", "已分级", "拒绝", "跳过空行"],
    sections: ["概况", "等级分布", "帕累托曲线", "跟进", "拒绝的行"],
    table: ["客户数", "客户占比", "收入占比", "逾期", "转公海"],
    charts: [
        "各等级客户数",
        "各等级{field}",
        "各等级逾期跟进",
        "{field}帕累托曲线",
        "各负责人逾期跟进",
    ],
    pareto_axes: [
        "横轴：客户累计占比（按{field}从高到低）",
        "纵轴：{field}累计占比",
    ],
    pareto_check: "前 20% 的客户贡献 {share} 的{field}。",
    cut_by: "{relative} 按 {by} 切分",
    no_pareto: "没有帕累托曲线：规则集没有指定收入（output { revenue … }），或收入合计不为正。",
    no_follow_up: "规则集没有跟进节奏（follow_up）。",
    overdue_list: "逾期客户",
    overdue_order: "等级高的在前，同级按逾期天数从多到少。",
    overdue_headers: ["行", "应跟进日期", "逾期天数", "负责人"],
    none_overdue: "没有逾期的跟进。",
    rejects_headers: ["行", "列", "原值", "原因"],
    rejects_note: "每个有问题的单元格一条。",
    no_rejects: "没有拒绝的行。",
    more: "另有 {n} 条未列出。",
    made_by: "由 tier {version} 生成。",
};

/// The report in English.
pub const REPORT_EN: ReportWords = ReportWords {
    html_lang: "en",
    as_of: "As of",
    counts: ["Rows read", "Graded", "Rejected", "Blank rows skipped"],
    sections: [
        "Overview",
        "Grade distribution",
        "Pareto curve",
        "Follow-ups",
        "Rejected rows",
    ],
    table: [
        "Customers",
        "Share",
        "Revenue share",
        "Overdue",
        "To reassign",
    ],
    charts: [
        "Customers by grade",
        "{field} by grade",
        "Overdue follow-ups by grade",
        "Pareto curve of {field}",
        "Overdue follow-ups by owner",
    ],
    pareto_axes: [
        "Across: share of customers, largest {field} first",
        "Up: cumulative share of {field}",
    ],
    pareto_check: "The top 20% of customers bring {share} of {field}.",
    cut_by: "{relative} cuts by {by}",
    no_pareto: "No Pareto curve: the ruleset names no revenue (output { revenue … }), or its \
                total is not positive.",
    no_follow_up: "The ruleset has no follow-up cadence (follow_up).",
    overdue_list: "Overdue customers",
    overdue_order: "Best grade first; within a grade, the longest overdue first.",
    overdue_headers: ["Row", "Due", "Days overdue", "Owner"],
    none_overdue: "No follow-up is overdue.",
    rejects_headers: ["Row", "Column", "Value", "Reason"],
    rejects_note: "One line per bad cell.",
    no_rejects: "No row was rejected.",
    more: "{n} more not listed.",
    made_by: "Made by tier {version}.",
};

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
    charts: [
        "各等级客户数",
        "各等级收入",
        "各等级逾期跟进",
        "帕累托曲线",
        "各负责人逾期跟进",
    ],
    pareto: ["客户累计占比", "收入累计占比"],
    no_owner: "（无负责人）",
    report: REPORT_ZH,
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
        "Pareto curve",
        "Overdue follow-ups by owner",
    ],
    pareto: ["customer_share_cumulative", "revenue_share_cumulative"],
    no_owner: "(no owner)",
    report: REPORT_EN,
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
