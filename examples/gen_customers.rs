//! Generates a realistic distributor export for the benchmark (`scripts/bench/run.sh`).
//!
//! ```text
//! cargo run --release --example gen_customers -- ROWS OUT.csv [SEED]
//! ```
//!
//! Columns: 客户编号, 客户名称, 区域, 年度销售额(万元), 上年销售额(万元), 回款率, 退货率, 经理评分,
//! 订单数, 最近拜访日期. The same (ROWS, SEED) always gives the same bytes: the generator is a
//! fixed splitmix64 stream and uses no platform randomness. Every row is valid for
//! `rulesets/bench/distributor_bench.tier`, so the three engines of the benchmark grade every row
//! and can be compared row for row.
//!
//! Shape of the data (what a CRM export of a distributor network looks like):
//! - sales are log-normal (median about 45万, a long tail up to 5亿), 2 decimals, 3% are zero;
//!   two decimals and a heavy head make ties frequent, which exercises the Pareto tie policy;
//! - last year's sales are this year's ±40% (so growth spans the 0–25% scoring range and
//!   beyond), empty for 8% (new customers);
//! - collection rate `95.5%` (one decimal), mostly 85–100%; return rate `2.3%`, 0–10%;
//! - manager score 0–100 (integer), order count 0–400;
//! - last visit in the 540 days before 2026-11-23, empty for 5% (never visited).

use std::io::{BufWriter, Write};

/// splitmix64: tiny, fast, and fully deterministic across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

const REGIONS: &[&str] = &["华东", "华南", "华北", "华中", "西南", "西北", "东北"];
const CITY: &[&str] = &[
    "上海",
    "杭州",
    "南京",
    "苏州",
    "广州",
    "深圳",
    "东莞",
    "北京",
    "天津",
    "石家庄",
    "武汉",
    "长沙",
    "郑州",
    "成都",
    "重庆",
    "昆明",
    "西安",
    "兰州",
    "沈阳",
    "哈尔滨",
];
const WORD: &[&str] = &[
    "新达", "恒信", "华瑞", "永盛", "金源", "鸿运", "百川", "宏图", "富康", "东方", "嘉禾", "瑞丰",
    "益民", "泰和", "中兴", "长城", "联华", "安达", "天成", "佳美",
];
const KIND: &[&str] = &[
    "商贸有限公司",
    "贸易公司",
    "经销部",
    "医药有限公司",
    "建材商行",
    "电器城",
];

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Writes `cents / 100` with two decimals (`1234.05`).
fn write_cents(out: &mut impl Write, cents: u64) -> std::io::Result<()> {
    write!(out, "{}.{:02}", cents / 100, cents % 100)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_customers ROWS OUT.csv [SEED]");
        std::process::exit(2);
    }
    let rows: u64 = args[1].replace('_', "").parse().unwrap_or_else(|_| {
        eprintln!("ROWS must be a number, got `{}`", args[1]);
        std::process::exit(2)
    });
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20261123);
    let mut rng = Rng(seed);

    // 2026-11-23 is day 20_780 since 1970-01-01; visits fall in the 540 days before it.
    let as_of_days = 20_780i64;
    let dates: Vec<String> = (1..=540)
        .map(|back| {
            let (y, m, d) = civil_from_days(as_of_days - back);
            format!("{y:04}-{m:02}-{d:02}")
        })
        .collect();

    let file = std::fs::File::create(&args[2])?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    writeln!(
        out,
        "客户编号,客户名称,区域,年度销售额(万元),上年销售额(万元),回款率,退货率,经理评分,订单数,最近拜访日期"
    )?;
    for i in 1..=rows {
        // 客户编号, 客户名称, 区域
        let city = CITY[rng.below(CITY.len() as u64) as usize];
        let w1 = WORD[rng.below(WORD.len() as u64) as usize];
        let kind = KIND[rng.below(KIND.len() as u64) as usize];
        let region = REGIONS[rng.below(REGIONS.len() as u64) as usize];
        write!(out, "C{i:08},{city}{w1}{kind},{region},")?;

        // 年度销售额(万元): log-normal, in cents of 万 (2 decimals); 3% zero.
        let sales_cents: u64 = if rng.below(100) < 3 {
            0
        } else {
            let wan = (3.8 + 1.6 * rng.normal()).exp().clamp(0.5, 50_000.0);
            (wan * 100.0).round() as u64
        };
        write_cents(&mut out, sales_cents)?;
        out.write_all(b",")?;

        // 上年销售额(万元): empty for new customers; else this year's ×(0.6..1.4)⁻¹.
        if rng.below(100) >= 8 {
            let factor = 0.6 + 0.8 * rng.unit();
            let last = if sales_cents == 0 {
                (rng.unit() * 3000.0).round() as u64 // lost customers had some business
            } else {
                (sales_cents as f64 / factor).round() as u64
            };
            write_cents(&mut out, last)?;
        }
        out.write_all(b",")?;

        // 回款率: one decimal, mostly 85–100%, a tail down to 60%.
        let collect_permille: u64 = if rng.below(100) < 85 {
            850 + rng.below(151)
        } else {
            600 + rng.below(400)
        };
        write!(out, "{}", collect_permille / 10)?;
        if collect_permille % 10 != 0 {
            write!(out, ".{}", collect_permille % 10)?;
        }
        out.write_all(b"%,")?;

        // 退货率: one decimal, 0–10%, most under 5%.
        let return_permille: u64 = if rng.below(100) < 80 {
            rng.below(51)
        } else {
            rng.below(101)
        };
        write!(out, "{}.{}%,", return_permille / 10, return_permille % 10)?;

        // 经理评分, 订单数
        let score = (70.0 + 15.0 * rng.normal()).round().clamp(0.0, 100.0) as u64;
        let orders = rng.below(401);
        write!(out, "{score},{orders},")?;

        // 最近拜访日期: 5% never visited.
        if rng.below(100) >= 5 {
            out.write_all(dates[rng.below(dates.len() as u64) as usize].as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}
