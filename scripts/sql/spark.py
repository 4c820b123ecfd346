#!/usr/bin/env python3
"""Runs SQL in Spark (local mode; the pyspark wheel scripts/sql/setup.sh installs into .cache/py).

  spark.py --check   exit 0 when pyspark and a Java runtime work (prints Spark's version)
  spark.py --serve   one Spark session for many requests: each line on stdin is
                     LOAD.sql<TAB>QUERY.sql<TAB>OUT.csv; the table `customers` is dropped, LOAD's
                     statements run, then QUERY's (the last one's rows go to OUT.csv); the reply
                     on stdout is `ok` or `error <message on one line>`.

The session is configured as docs/SQL.md asks of a cluster: ANSI mode, and decimal arithmetic
without precision loss (an inexact result is an error, never a rounded value).
Values are printed as scripts/sql/duckdb.py prints them.
"""
import csv
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", ".cache", "py"))
from rows import cell  # noqa: E402  (this directory is on sys.path as the script's own)


def statements(text):
    """Statements end with `;` at the end of a line (as tier prints them)."""
    out, cur = [], []
    for line in text.splitlines():
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(cur).rstrip().rstrip(";"))
            cur = []
    rest = "\n".join(cur).strip()
    if rest and not all(l.strip().startswith("--") or not l.strip() for l in cur):
        out.append(rest)
    return [s for s in out if s.strip() and not all(
        l.strip().startswith("--") or not l.strip() for l in s.splitlines())]


def session():
    from pyspark.sql import SparkSession
    warehouse = tempfile.mkdtemp(prefix="tier-spark-")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("tier-sql-test")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        # The test's queries are wide (a ruleset is hundreds of columns of CASEs); generated code
        # would exceed the JVM's 64 KB method limit and be thrown away, so interpret directly.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + warehouse)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main():
    if sys.argv[1:] == ["--check"]:
        spark = session()
        print(spark.version)
        spark.stop()
        return
    if sys.argv[1:] != ["--serve"]:
        sys.exit("usage: spark.py --check | --serve")
    spark = session()
    for line in sys.stdin:
        load, query, out = line.rstrip("\n").split("\t")
        try:
            spark.sql("DROP TABLE IF EXISTS customers")
            with open(load, encoding="utf-8") as f:
                for s in statements(f.read()):
                    spark.sql(s)
            with open(query, encoding="utf-8") as f:
                stmts = statements(f.read())
            df = None
            for s in stmts:
                df = spark.sql(s)
            rows = df.collect()
            with open(out, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(df.columns)
                for r in rows:
                    w.writerow([cell(v) for v in r])
            print("ok", flush=True)
        except Exception as e:  # reported to the test, which fails with it
            print("error " + " ".join(str(e).split())[:4000], flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
