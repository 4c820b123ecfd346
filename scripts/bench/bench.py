"""Benchmark driver: tier vs DuckDB vs Polars on the same job, measured in the same run.

Called by scripts/bench/run.sh (which builds, generates the data and installs the Python
packages); run it directly only with those in place:

    python bench.py --rows 1000000 [--rows 10000000] [--repeat 3] [--no-compare]

For every size: the baseline (read and split the CSV with the `csv` crate), tier twice (its
default output: every input column, the components and the reasons; and the peers' output:
`--keep 客户编号 --no-reasons`), DuckDB, Polars and the ruleset compiled by `tier sql --dialect
duckdb` run in DuckDB, interleaved round by round so that a change of machine load hits all of
them alike; then a row-for-row comparison of the three hand-made outputs (compare.py, tier's
second) and of tier run with tier sql (compare_sql.py). Wall time is measured around the process
(Python's start-up and imports included for DuckDB and Polars: that is what a user runs), peak
memory is the maximum resident set size reported by `/usr/bin/time -v`. The median of the rounds
is reported, with the load average (`/proc/loadavg`) next to each figure. Results also go to
target/bench-out/results-<rows>.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RULESET = ROOT / "rulesets/bench/distributor_bench.tier"
TIER = ROOT / "target/release/tier"
STAGES = ROOT / "target/release/examples/stages"
DATA = ROOT / "target/bench-data"
OUT = ROOT / "target/bench-out"
AS_OF = "2026-11-23"


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def measure(cmd: list[str]) -> dict:
    """Runs cmd under /usr/bin/time -v; returns wall seconds, peak RSS (MB) and the load."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        before = load()
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-v", "-o", tf.name, *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
        rss_kb = 0
        for line in Path(tf.name).read_text().splitlines():
            if "Maximum resident set size" in line:
                rss_kb = int(line.split(":")[1])
    return {"wall": wall, "rss_mb": rss_kb / 1024, "load": before, "stdout": proc.stdout}


def engines(rows: int, data: Path) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "read+split (csv crate)": [str(STAGES), "split", str(RULESET), str(data)],
        "duckdb": [py, str(HERE / "run_duckdb.py"), str(data), str(OUT / f"duckdb-{rows}.csv"), AS_OF],
        "polars": [py, str(HERE / "distributor_polars.py"), str(data), str(OUT / f"polars-{rows}.csv"), AS_OF],
        # The default output: every input column, the components and the reasons column.
        "tier (default output)": [
            str(TIER), "run", str(RULESET), str(data), "--as-of", AS_OF,
            "-q", "-o", str(OUT / f"tier-full-{rows}.csv"),
        ],
        # The peers' output: the id and the results, no reasons column.
        "tier": [
            str(TIER), "run", str(RULESET), str(data), "--as-of", AS_OF,
            "--keep", "客户编号", "--no-reasons", "-q", "-o", str(OUT / f"tier-{rows}.csv"),
        ],
        # The same ruleset compiled by `tier sql --dialect duckdb`, run in DuckDB (issue 15).
        "tier sql → duckdb": [
            py, str(HERE / "run_tier_sql.py"), str(TIER), str(RULESET), str(data),
            str(OUT / f"tiersql-{rows}.csv"), AS_OF,
        ],
    }


def bench(rows: int, repeat: int, compare: bool = True) -> dict:
    data = DATA / f"customers-{rows}.csv"
    cmds = engines(rows, data)
    runs: dict[str, list[dict]] = {name: [] for name in cmds}
    for r in range(repeat):
        for name, cmd in cmds.items():
            m = measure(cmd)
            runs[name].append(m)
            print(f"  round {r + 1} {name:24} {m['wall']:7.2f} s  {m['rss_mb']:7.1f} MB  load {m['load']}", flush=True)
    result = {"rows": rows, "file_mb": data.stat().st_size / 1e6, "engines": {}}
    for name, ms in runs.items():
        walls = [m["wall"] for m in ms]
        result["engines"][name] = {
            "wall_median": statistics.median(walls),
            "wall_min": min(walls),
            "walls": walls,
            "rss_mb": max(m["rss_mb"] for m in ms),
            "loads": [m["load"] for m in ms],
        }
    if not compare:
        result["agree"] = None
        result["compare"] = "not compared (--no-compare)"
        return result
    print(f"  comparing the three outputs row for row ...", flush=True)
    cmp = subprocess.run(
        [sys.executable, str(HERE / "compare.py"),
         *(str(OUT / f"{e}-{rows}.csv") for e in ("tier", "duckdb", "polars")), str(data)],
        stdout=subprocess.PIPE, text=True,
    )
    print("  " + cmp.stdout.strip().replace("\n", "\n  "))
    print(f"  comparing tier run with tier sql → duckdb row for row ...", flush=True)
    cmp_sql = subprocess.run(
        [sys.executable, str(HERE / "compare_sql.py"),
         str(OUT / f"tier-{rows}.csv"), str(OUT / f"tiersql-{rows}.csv")],
        stdout=subprocess.PIPE, text=True,
    )
    print("  " + cmp_sql.stdout.strip().replace("\n", "\n  "))
    result["agree"] = cmp.returncode == 0 and cmp_sql.returncode == 0
    result["compare"] = cmp.stdout.strip() + "\n" + cmp_sql.stdout.strip()
    return result


def report(res: dict) -> None:
    rows = res["rows"]
    e = res["engines"]
    print(f"\n== {rows:,} rows ({res['file_mb']:.0f} MB CSV), median of {len(e['tier']['walls'])} round(s)")
    print(f"{'':24} {'wall s':>8} {'rows/s':>12} {'peak MB':>9}  loads")
    for name, m in e.items():
        print(f"{name:24} {m['wall_median']:8.2f} {rows / m['wall_median']:12,.0f} {m['rss_mb']:9.1f}  {' '.join(m['loads'])}")
    full = e["tier (default output)"]["wall_median"]
    for other in ("duckdb", "polars"):
        o = e[other]["wall_median"]
        print(f"tier (default output) vs {other}: {o / full:.2f}× {'faster' if o >= full else 'SLOWER'} (target vs polars ≥ 1×)")
    t = e["tier"]["wall_median"]
    for other in ("duckdb", "polars"):
        o = e[other]["wall_median"]
        print(f"tier --keep 客户编号 --no-reasons vs {other}: {o / t:.2f}× {'faster' if o >= t else 'SLOWER'} (target ≥ 2×)")
    sql, hand = e["tier sql → duckdb"]["wall_median"], e["duckdb"]["wall_median"]
    print(f"tier sql → duckdb vs the hand-written DuckDB query: {sql / hand:.2f}× its time")
    split = e["read+split (csv crate)"]["wall_median"]
    print(f"tier --keep 客户编号 --no-reasons vs read+split: {t / split:.2f}× the time of merely reading the CSV (target ≤ 2×)")
    agree = {True: "yes", False: "NO", None: "not compared"}[res["agree"]]
    print(f"outputs agree row for row: {agree}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, action="append", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-compare", action="store_true", help="skip the row-for-row comparison (~4 min per 1M rows)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ok = True
    for rows in args.rows:
        repeat = args.repeat if rows <= 1_000_000 else 1
        print(f"== {rows:,} rows: {repeat} round(s), load now {load()}, {os.cpu_count()} cores", flush=True)
        res = bench(rows, repeat, not args.no_compare)
        res["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (OUT / f"results-{rows}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False))
        report(res)
        ok &= res["agree"] is not False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
