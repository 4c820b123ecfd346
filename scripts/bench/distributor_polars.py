"""The benchmark job (rulesets/bench/distributor_bench.tier) as a Polars script.

    python distributor_polars.py INPUT.csv OUTPUT.csv AS_OF

Exactness, as in distributor.sql: money is read into integer cents of 万 and rates into
hundredths of a percentage point, so every comparison (status, tags, Pareto cut, growth >= 20%)
is exact integer arithmetic. Only the score components are floats; the score is rounded on
score + 5e-12 (see distributor.sql for why that is exact on this data).
"""

import sys
from datetime import date

import polars as pl


def cents(col: str) -> pl.Expr:
    """'12.34' -> 1234 (an exact integer; the float only carries 2 decimals)."""
    return (pl.col(col).cast(pl.Float64) * 100).round(0).cast(pl.Int64)


def rate(col: str) -> pl.Expr:
    """'95.5%' -> 9550 (hundredths of a percentage point)."""
    return (pl.col(col).str.strip_chars_end("%").cast(pl.Float64) * 100).round(0).cast(pl.Int64)


def clamp(e: pl.Expr) -> pl.Expr:
    return e.clip(0.0, 100.0)


def main() -> None:
    src, out, as_of_text = sys.argv[1], sys.argv[2], sys.argv[3]
    as_of = date.fromisoformat(as_of_text)
    eps = 5e-12

    t = pl.scan_csv(src, infer_schema=False).select(
        pl.col("客户编号").alias("id"),
        cents("年度销售额(万元)").alias("S"),
        cents("上年销售额(万元)").fill_null(0).alias("P"),
        rate("回款率").alias("C"),
        rate("退货率").alias("R"),
        pl.col("经理评分").cast(pl.Float64).alias("mgr"),
        pl.col("订单数").cast(pl.Int64).alias("orders"),
        pl.col("最近拜访日期").str.to_date("%Y-%m-%d").alias("last"),
    )

    S, P, C, R = pl.col("S"), pl.col("P"), pl.col("C"), pl.col("R")
    pts = t.with_columns(
        clamp((S - 1000) / 200).alias("p_sales"),
        pl.when(P > 0).then(clamp((S - P) * 400 / P)).otherwise(0.0).alias("p_growth"),
        clamp((C - 9000) / 10).alias("p_coll"),
        clamp((500 - R) / 4).alias("p_ret"),
        pl.col("mgr").alias("p_mgr"),
    ).with_columns(
        (
            0.3 * pl.col("p_sales")
            + 0.3 * pl.col("p_growth")
            + 0.2 * pl.col("p_coll")
            + 0.1 * pl.col("p_ret")
            + 0.1 * pl.col("p_mgr")
            + eps
        )
        .round(2)
        .alias("score")
    ).with_columns(
        pl.when(pl.col("score") >= 80).then(pl.lit("A"))
        .when(pl.col("score") >= 60).then(pl.lit("B"))
        .when(pl.col("score") >= 40).then(pl.lit("C"))
        .otherwise(pl.lit("D"))
        .alias("grade")
    )

    # Pareto, ties same: "before" is the sum of strictly larger sales.
    abc = (
        t.group_by("S")
        .agg(pl.col("S").sum().alias("grp"))
        .sort("S", descending=True)
        .with_columns(
            (pl.col("grp").cum_sum() - pl.col("grp")).alias("before"),
            pl.col("grp").sum().alias("total"),
        )
        .select(
            "S",
            pl.when((pl.col("total") <= 0) | (pl.col("before") * 100 < pl.col("total") * 70))
            .then(pl.lit("A"))
            .when(pl.col("before") * 100 < pl.col("total") * 90)
            .then(pl.lit("B"))
            .otherwise(pl.lit("C"))
            .alias("ABC"),
        )
    )

    last = pl.col("last")
    offset = (
        pl.when(pl.col("grade") == "A").then(pl.lit("14d"))
        .when(pl.col("grade") == "B").then(pl.lit("1mo"))
        .when(pl.col("grade") == "C").then(pl.lit("3mo"))
        .otherwise(pl.lit("6mo"))
    )
    due = pl.when(last.is_null()).then(pl.lit(as_of)).otherwise(last.dt.offset_by(offset))

    result = (
        pts.join(abc, on="S", how="left", maintain_order="left")
        .with_columns(due.alias("due"))
        .select(
            pl.col("id").alias("客户编号"),
            pl.col("grade").alias("等级"),
            pl.when(S == 0).then(pl.lit("流失"))
            .when((C < 8500) | (R > 600)).then(pl.lit("预警"))
            .when((P > 0) & (S * 10 < P * 7)).then(pl.lit("下滑"))
            .when((P > 0) & ((S - P) * 5 >= P) & (pl.col("orders") >= 12)).then(pl.lit("成长"))
            .otherwise(pl.lit("稳定"))
            .alias("状态"),
            pl.col("ABC"),
            pl.col("score").alias("得分"),
            (pl.col("p_sales") + eps).round(2).alias("得分.销售额"),
            (pl.col("p_growth") + eps).round(2).alias("得分.增长率"),
            (pl.col("p_coll") + eps).round(2).alias("得分.回款率"),
            (pl.col("p_ret") + eps).round(2).alias("得分.退货率"),
            (pl.col("p_mgr") + eps).round(2).alias("得分.经理评分"),
            pl.concat_str(
                [
                    pl.when(S >= 100000).then(pl.lit("大客户")),
                    pl.when(R > 500).then(pl.lit("高退货")),
                    pl.when(last.is_null() | ((pl.lit(as_of) - last).dt.total_days() > 90))
                    .then(pl.lit("久未拜访")),
                ],
                separator="、",
                ignore_nulls=True,
            )
            .fill_null("")
            .alias("标签"),
            pl.col("due").alias("下次跟进"),
            pl.when(last.is_not_null() & (pl.lit(as_of) > pl.col("due")))
            .then(pl.lit("是"))
            .otherwise(pl.lit("否"))
            .alias("逾期"),
        )
    )
    result.sink_csv(out)


if __name__ == "__main__":
    main()
