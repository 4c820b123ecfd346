"""Row-for-row comparison of `tier run` and `tier sql --dialect duckdb` on the benchmark job.

    python compare_sql.py TIER.csv SQL.csv

Both files are in input order (run_tier_sql.py orders the query's rows by 客户编号, which the
generator writes in increasing order). Every column the query writes is compared with tier
run's column of the same name, cell by cell, as the SQL differential test compares them
(tests/integration/sql.rs): numbers as exact decimals (`2.2` = `2.2000`), yes/no as booleans.
Every tier run column from the grade on, except the reasons and the as-of date, must be one of
the query's. Streams both files (constant memory). Exits 1 on any difference, after printing
the first few.
"""

import csv
import sys
from decimal import Decimal, InvalidOperation
from itertools import zip_longest

NOT_IN_SQL = {"原因", "评估日期", "reasons", "as_of"}
TRUE, FALSE = {"是", "yes", "true", "t"}, {"否", "no", "false", "f"}


def norm(cell: str) -> str:
    t = cell.strip()
    if t in TRUE:
        return "true"
    if t in FALSE:
        return "false"
    if not t or not (t[0].isdigit() or t[0] in "-."):
        return t
    try:
        return str(Decimal(t).normalize())
    except InvalidOperation:
        return t


def main() -> int:
    tier_path, sql_path = sys.argv[1], sys.argv[2]
    with open(tier_path, encoding="utf-8-sig", newline="") as tf, \
            open(sql_path, encoding="utf-8-sig", newline="") as sf:
        tr, sr = csv.reader(tf), csv.reader(sf)
        th, sh = next(tr), next(sr)
        missing = [h for h in th[th.index(sh[1]):] if h not in NOT_IN_SQL and h not in sh]
        if missing:
            print(f"tier run columns the query does not write: {missing}")
            return 1
        pairs = [(h, th.index(h), i) for i, h in enumerate(sh)]
        rows = diffs = 0
        for t, s in zip_longest(tr, sr):
            rows += 1
            if t is None or s is None:
                print(f"row {rows}: only {'the query' if t is None else 'tier run'} has it")
                return 1
            for h, ti, si in pairs:
                if norm(t[ti]) != norm(s[si]):
                    diffs += 1
                    if diffs <= 5:
                        print(f"row {rows} ({t[0]}), {h}: tier run {t[ti]!r}, query {s[si]!r}")
        print(f"{rows:,} rows, {len(pairs)} columns compared: "
              f"{'identical' if diffs == 0 else f'{diffs} cells differ'}")
        return 0 if diffs == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
