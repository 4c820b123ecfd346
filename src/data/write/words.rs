//! The fixed words of the output files — the headers of the columns that are no value of the
//! ruleset's (tags, follow-up, actions, ...), the booleans, the sheet names, the rejects
//! report's headers and the summary sheet's labels and chart titles — in each [`Lang`]. Columns
//! of named values (the grade, the sub-grade, the score, the other grades and `let`s) are headed
//! by their names, in any language.
//!
//! The English words are snake_case, as the JSON keys of the rejects report (`file`, `row`,
//! ...) and of the summary are: a graded JSON file's keys are its headers, so an English
//! ruleset's graded JSON reads `{"grade": "A", "overdue": false, ...}`. The HTML report's words
//! ([`ReportWords`], `tier run --report`; [`DiffReportWords`], `tier diff --report`) are sentences
//! for people instead, in both languages.

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
    /// The diff report's own words (`tier diff --report`).
    pub diff_report: DiffReportWords,
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

/// The diff report's words (`tier diff --report`): sentences for people, as [`ReportWords`];
/// the shared ones (as of, "N more", the footer) are the run report's. `{field}`, `{grade}`,
/// `{share}` are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffReportWords {
    /// The page's title and heading.
    pub title: &'static str,
    /// Before the data file's name.
    pub data: &'static str,
    /// Rows read, compared, moved, changed, rejected by the old version only, by the new one
    /// only, by both, blank rows skipped, new customers, vanished customers.
    pub facts: [&'static str; 10],
    /// The moved customers' share of `{field}`.
    pub moved_revenue: &'static str,
    /// Overview, migration matrix, grades, changed customers, tags, follow-up workload,
    /// rejected rows, new and vanished customers.
    pub sections: [&'static str; 8],
    /// The matrix's corner, under the grade's name: old down, new across.
    pub corner: &'static str,
    /// What a matrix cell holds.
    pub matrix_note: &'static str,
    /// `{field}` share, in a matrix cell.
    pub revenue_share: &'static str,
    /// The old and the new version, and the change from one to the other.
    pub old: &'static str,
    pub new: &'static str,
    pub change: &'static str,
    /// The grade chart's title.
    pub chart: &'static str,
    /// Row, grade, tags gained, tags lost, first differing step (the key column is headed by
    /// its own name).
    pub changed: [&'static str; 5],
    /// No customer changed.
    pub no_changes: &'static str,
    /// The tags table's headers: tag, old, new, gained, lost.
    pub tags: [&'static str; 5],
    /// Neither version has tags.
    pub no_tags: &'static str,
    /// The workload tables' headers: week, owner, and the overdue row.
    pub week: &'static str,
    pub owner: &'static str,
    pub overdue: &'static str,
    /// Neither version sets follow-up dates.
    pub no_workload: &'static str,
    /// Row, rejected by, the other version's grade, column, value, reason.
    pub rejects: [&'static str; 6],
    /// No row is rejected by one version only.
    pub no_rejects: &'static str,
    /// New customers, vanished customers, and a customer's row.
    pub one_side: [&'static str; 3],
}

/// The diff report in Chinese.
pub const DIFF_REPORT_ZH: DiffReportWords = DiffReportWords {
    title: "规则变化的影响",
    data: "数据文件",
    facts: [
        "读取行数",
        "比较的客户",
        "等级变化",
        "等级或标签变化",
        "仅原规则拒绝",
        "仅新规则拒绝",
        "两者都拒绝",
        "跳过空行",
        "新客户",
        "消失的客户",
    ],
    moved_revenue: "等级变化客户的{field}占比",
    sections: [
        "概况",
        "迁移矩阵",
        "各等级客户数",
        "变动客户",
        "标签",
        "跟进工作量",
        "只被一方拒绝的行",
        "新客户与消失的客户",
    ],
    corner: "原 ↓ / 新 →",
    matrix_note: "每格：客户数 · 占比较客户的比例。对角线上的客户等级未变。",
    revenue_share: "{field} {share}",
    old: "原",
    new: "新",
    change: "变化",
    chart: "各等级客户数：原与新",
    changed: ["行", "等级", "新增标签", "失去标签", "首个不同步骤"],
    no_changes: "没有客户的等级或标签变化。",
    tags: ["标签", "原客户数", "新客户数", "新增", "失去"],
    no_tags: "两个版本都没有标签。",
    week: "周",
    owner: "负责人",
    overdue: "逾期",
    no_workload: "两个版本都没有跟进日期。",
    rejects: ["行", "拒绝方", "另一方等级", "列", "原值", "原因"],
    no_rejects: "没有只被一方拒绝的行。",
    one_side: ["新客户", "消失的客户", "行"],
};

/// The diff report in English.
pub const DIFF_REPORT_EN: DiffReportWords = DiffReportWords {
    title: "What the rule change does",
    data: "Data file",
    facts: [
        "Rows read",
        "Customers compared",
        "Grade changed",
        "Grade or tags changed",
        "Rejected by old only",
        "Rejected by new only",
        "Rejected by both",
        "Blank rows skipped",
        "New customers",
        "Vanished customers",
    ],
    moved_revenue: "{field} share of the moved customers",
    sections: [
        "Overview",
        "Migration matrix",
        "Customers by grade",
        "Changed customers",
        "Tags",
        "Follow-up workload",
        "Rows one version rejects",
        "New and vanished customers",
    ],
    corner: "old ↓ / new →",
    matrix_note: "Each cell: customers · their share of those compared. On the diagonal, the \
                  grade did not change.",
    revenue_share: "{field} {share}",
    old: "Old",
    new: "New",
    change: "Change",
    chart: "Customers by grade: old and new",
    changed: [
        "Row",
        "Grade",
        "Tags gained",
        "Tags lost",
        "First differing step",
    ],
    no_changes: "No customer's grade or tags changed.",
    tags: ["Tag", "Old", "New", "Gained", "Lost"],
    no_tags: "Neither version has tags.",
    week: "Week",
    owner: "Owner",
    overdue: "Overdue",
    no_workload: "Neither version sets follow-up dates.",
    rejects: [
        "Row",
        "Rejected by",
        "Other version's grade",
        "Column",
        "Value",
        "Reason",
    ],
    no_rejects: "No row is rejected by one version only.",
    one_side: ["New customers", "Vanished customers", "Row"],
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
    diff_report: DIFF_REPORT_ZH,
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
    diff_report: DIFF_REPORT_EN,
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
