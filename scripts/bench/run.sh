#!/usr/bin/env bash
# The benchmark of issue 7, one command: tier vs DuckDB vs Polars on a generated distributor
# export, checked row for row, measured in the same run.
#
#   scripts/bench/run.sh            # 1M rows, 3 rounds
#   scripts/bench/run.sh --full     # 1M rows, then 10M rows (1 round; ~1 GB of CSV)
#   scripts/bench/run.sh --no-compare --repeat 5   # other arguments go to bench.py
#
# Builds tier in release mode, generates the data once into target/bench-data/ (fixed seed,
# never committed), installs duckdb and polars with pip into target/bench-venv/, then runs
# scripts/bench/bench.py. Outputs go to target/bench-out/. See docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

sizes=(--rows 1000000)
extra=()
for arg in "$@"; do
  case "$arg" in
    --full) sizes+=(--rows 10000000) ;;
    *) extra+=("$arg") ;; # passed to bench.py (--no-compare, --repeat N)
  esac
done

echo "== machine: $(nproc) cores, $(uptime)"
echo "== cargo build --release (tier and the benchmark examples)"
cargo build --release --bin tier --example gen_customers --example stages

if [[ ! -x /usr/bin/time ]]; then
  echo "== installing GNU time (for peak memory)"
  apt-get install -y time >/dev/null
fi

mkdir -p target/bench-data target/bench-out
for arg in "${sizes[@]}"; do
  [[ "$arg" == --rows ]] && continue
  file="target/bench-data/customers-$arg.csv"
  if [[ ! -s "$file" ]]; then
    echo "== generating $file"
    target/release/examples/gen_customers "$arg" "$file.tmp" && mv "$file.tmp" "$file"
  fi
done

venv=target/bench-venv
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import duckdb, polars" 2>/dev/null; then
  echo "== pip install duckdb polars (into $venv)"
  "$venv/bin/pip" install -q duckdb polars
fi
"$venv/bin/python" -c "import duckdb, polars, sys; print(f'== python {sys.version.split()[0]}, duckdb {duckdb.__version__}, polars {polars.__version__}')"
echo "== tier $(target/release/tier --version | awk '{print $2}') at $(git rev-parse --short HEAD)"

"$venv/bin/python" scripts/bench/bench.py "${sizes[@]}" ${extra[@]+"${extra[@]}"}
