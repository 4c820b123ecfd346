"""Row-for-row comparison of the benchmark outputs of tier, DuckDB and Polars.

    python compare.py TIER.csv DUCKDB.csv POLARS.csv

Streams the three files together (constant memory) and compares, per row: 客户编号, the grade,
the score and each component's points (rounded half away from zero to 2 decimals, as exact
decimals), the status, the Pareto class, the tags, the next follow-up date and the overdue flag.
tier writes the status and the Pareto class as its sub-grade `状态/ABC`. Exits 1 on any
difference, after printing the first few of each kind.
"""

import csv
import sys
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import zip_longest

CENT = Decimal("0.01")
COMPONENTS = ["得分.销售额", "得分.增长率", "得分.回款率", "得分.退货率", "得分.经理评分"]
FIELDS = ["客户编号", "等级", "得分", *COMPONENTS, "状态", "ABC", "标签", "下次跟进", "逾期"]


def money2(text: str):
    """An exact decimal rounded half away from zero to 2 decimals (ROUND_HALF_UP does that in
    Python's decimal module); the text itself when it is not a number."""
    try:
        return Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return text


def normalize(row: dict, is_tier: bool) -> tuple:
    if is_tier:
        status, _, abc = row["子级"].partition("/")
    else:
        status, abc = row["状态"], row["ABC"]
    return (
        row["客户编号"],
        row["等级"],
        money2(row["得分"]),
        *(money2(row[c]) for c in COMPONENTS),
        status,
        abc,
        row["标签"],
        row["下次跟进"],
        row["逾期"],
    )


def main() -> int:
    paths = sys.argv[1:4]
    names = ["tier", "duckdb", "polars"]
    files = [open(p, newline="", encoding="utf-8-sig") for p in paths]
    readers = [csv.DictReader(f) for f in files]
    rows = 0
    diffs: dict[tuple[str, str], int] = {}
    shown = 0
    for triple in zip_longest(*readers):
        rows += 1
        if any(r is None for r in triple):
            lengths = [n for n, r in zip(names, triple) if r is None]
            print(f"row {rows}: {', '.join(lengths)} ended early")
            diffs[("rows", "count")] = 1
            break
        t, d, p = (normalize(r, i == 0) for i, r in enumerate(triple))
        for other_name, other in (("duckdb", d), ("polars", p)):
            if other != t:
                for i, field in enumerate(FIELDS):
                    if other[i] != t[i]:
                        key = (other_name, field)
                        diffs[key] = diffs.get(key, 0) + 1
                        if shown < 10:
                            shown += 1
                            print(f"row {rows} ({t[0]}): {field}: tier {t[i]!r} vs {other_name} {other[i]!r}")
    for f in files:
        f.close()
    if diffs:
        for (engine, field), n in sorted(diffs.items()):
            print(f"MISMATCH {engine} {field}: {n} rows")
        return 1
    print(f"AGREE: {rows} rows, fields {', '.join(FIELDS)} identical in tier, DuckDB and Polars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
