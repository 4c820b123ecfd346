"""Runs scripts/bench/distributor.sql (one query) in DuckDB.

    python run_duckdb.py INPUT.csv OUTPUT.csv AS_OF
"""

import sys
from pathlib import Path

import duckdb


def main() -> None:
    src, out, as_of = sys.argv[1], sys.argv[2], sys.argv[3]
    sql = (Path(__file__).with_name("distributor.sql")).read_text(encoding="utf-8")
    sql = sql.replace("{input}", src).replace("{output}", out).replace("{as_of}", as_of)
    duckdb.connect().execute(sql)


if __name__ == "__main__":
    main()
