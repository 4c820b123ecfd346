-- The benchmark job (rulesets/bench/distributor_bench.tier) as ONE DuckDB query.
-- The driver (scripts/bench/bench.py) substitutes {input}, {output} and {as_of}.
--
-- Exactness: DuckDB's DECIMAL is exact for + - * and comparisons, which is all the grades,
-- the status, the tags and the Pareto cut need (the cut compares 100·before < 70·total in
-- DECIMAL, without dividing). Only the growth term divides; DuckDB turns that into DOUBLE, so
-- the score is a DOUBLE whose error is below 1e-13 (≤ 100, a handful of operations). Rounding
-- half away from zero is done on score + 5e-12: an exact tie (x.xx5) then rounds up as it must,
-- and a non-tie cannot be moved across one, because the growth term 120·(S−P)/P with P the last
-- year's sales in 0.01万 (P < 10^7 here) is at least 1/(200·P) > 5e-10 away from any tie.
-- Plain round(score, 2) is not enough: 27.115 is 27.11499… as a DOUBLE and rounds to 27.11.
COPY (
  WITH t AS (
    SELECT
      "客户编号"                                              AS id,
      CAST("年度销售额(万元)" AS DECIMAL(18, 2))               AS sales,
      COALESCE(CAST("上年销售额(万元)" AS DECIMAL(18, 2)), 0)  AS prev,
      CAST(rtrim("回款率", '%') AS DECIMAL(9, 4))             AS coll,   -- percentage points
      CAST(rtrim("退货率", '%') AS DECIMAL(9, 4))             AS ret,
      CAST("经理评分" AS DECIMAL(9, 4))                       AS mgr,
      CAST("订单数" AS BIGINT)                                AS orders,
      CAST("最近拜访日期" AS DATE)                             AS last_visit
    FROM read_csv('{input}', header = true, all_varchar = true)
  ),
  points AS (
    SELECT *,
      greatest(0, least(100, CAST(sales - 10 AS DOUBLE) / 2))                     AS p_sales,
      CASE WHEN prev > 0
           THEN greatest(0, least(100, CAST(sales - prev AS DOUBLE) * 400 / CAST(prev AS DOUBLE)))
           ELSE 0 END                                                               AS p_growth,
      greatest(0, least(100, CAST(coll - 90 AS DOUBLE) * 10))                       AS p_coll,
      greatest(0, least(100, CAST(5 - ret AS DOUBLE) * 25))                         AS p_ret,
      CAST(mgr AS DOUBLE)                                                           AS p_mgr
    FROM t
  ),
  scored AS (
    SELECT *,
      round(0.3 * p_sales + 0.3 * p_growth + 0.2 * p_coll + 0.1 * p_ret + 0.1 * p_mgr + 5e-12, 2)
        AS score
    FROM points
  ),
  graded AS (
    SELECT *,
      CASE WHEN score >= 80 THEN 'A' WHEN score >= 60 THEN 'B' WHEN score >= 40 THEN 'C'
           ELSE 'D' END AS grade
    FROM scored
  ),
  -- Pareto, ties same: a customer's cumulative "before" is the sum of strictly larger sales.
  by_value AS (SELECT sales, sum(sales) AS group_sum FROM t GROUP BY sales),
  cumulative AS (
    SELECT sales,
      coalesce(sum(group_sum) OVER (ORDER BY sales DESC
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
      sum(group_sum) OVER () AS total
    FROM by_value
  ),
  abc AS (
    SELECT sales,
      CASE WHEN total <= 0 OR before * 100 < total * 70 THEN 'A'
           WHEN before * 100 < total * 90 THEN 'B'
           ELSE 'C' END AS abc
    FROM cumulative
  )
  SELECT
    g.id AS "客户编号",
    g.grade AS "等级",
    CASE WHEN g.sales = 0 THEN '流失'
         WHEN g.coll < 85 OR g.ret > 6 THEN '预警'
         WHEN g.prev > 0 AND g.sales < g.prev * 0.7 THEN '下滑'
         WHEN g.prev > 0 AND (g.sales - g.prev) * 5 >= g.prev AND g.orders >= 12 THEN '成长'
         ELSE '稳定' END AS "状态",
    a.abc AS "ABC",
    g.score AS "得分",
    round(g.p_sales + 5e-12, 2)  AS "得分.销售额",
    round(g.p_growth + 5e-12, 2) AS "得分.增长率",
    round(g.p_coll + 5e-12, 2)   AS "得分.回款率",
    round(g.p_ret + 5e-12, 2)    AS "得分.退货率",
    round(g.p_mgr + 5e-12, 2)    AS "得分.经理评分",
    concat_ws('、',
      CASE WHEN g.sales >= 1000 THEN '大客户' END,
      CASE WHEN g.ret > 5 THEN '高退货' END,
      CASE WHEN g.last_visit IS NULL OR date_diff('day', g.last_visit, DATE '{as_of}') > 90
           THEN '久未拜访' END) AS "标签",
    CASE WHEN g.last_visit IS NULL THEN DATE '{as_of}'
         ELSE CAST(g.last_visit + CASE g.grade WHEN 'A' THEN INTERVAL 14 DAY
                                               WHEN 'B' THEN INTERVAL 1 MONTH
                                               WHEN 'C' THEN INTERVAL 3 MONTH
                                               ELSE INTERVAL 6 MONTH END AS DATE)
    END AS "下次跟进",
    CASE WHEN g.last_visit IS NOT NULL
          AND DATE '{as_of}' > CAST(g.last_visit + CASE g.grade WHEN 'A' THEN INTERVAL 14 DAY
                                                               WHEN 'B' THEN INTERVAL 1 MONTH
                                                               WHEN 'C' THEN INTERVAL 3 MONTH
                                                               ELSE INTERVAL 6 MONTH END AS DATE)
         THEN '是' ELSE '否' END AS "逾期"
  FROM graded g JOIN abc a USING (sales)
  ORDER BY g.id
) TO '{output}' (HEADER, DELIMITER ',');
