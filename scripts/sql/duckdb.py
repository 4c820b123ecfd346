#!/usr/bin/env python3
"""Runs SQL in DuckDB (the Python wheel scripts/sql/setup.sh installs into .cache/py).

  duckdb.py --check            exit 0 when duckdb can be imported (prints its version)
  duckdb.py LOAD.sql QUERY.sql run LOAD's statements, then QUERY; print its rows as CSV

Decimals are printed in plain notation (never 1E-24), dates as ISO, booleans as true/false and
NULL as an empty field, so that a test can compare the rows with `tier run`'s output.
"""
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".cache", "py"))
from rows import cell  # noqa: E402  (this directory is on sys.path as the script's own)
import duckdb  # noqa: E402


def main():
    if sys.argv[1:] == ["--check"]:
        print(duckdb.__version__)
        return
    load, query = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    with open(load, encoding="utf-8") as f:
        con.execute(f.read())
    with open(query, encoding="utf-8") as f:
        rel = con.execute(f.read())
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([d[0] for d in rel.description])
    for row in rel.fetchall():
        out.writerow([cell(v) for v in row])


if __name__ == "__main__":
    main()
