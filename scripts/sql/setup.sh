#!/usr/bin/env bash
# Installs what the SQL differential tests need, into the repository's ignored .cache/:
# the DuckDB Python wheel (PyPI) into .cache/py, and Debian's PostgreSQL server when missing
# (scripts/sql/postgres.sh starts a throwaway cluster from it). Safe to run again: it only
# installs what is not there.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! python3 scripts/sql/duckdb.py --check >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target .cache/py "duckdb==1.*" 2>&1 | tail -3 || true
fi
python3 scripts/sql/duckdb.py --check >/dev/null 2>&1 && echo "duckdb $(python3 scripts/sql/duckdb.py --check)" \
  || echo "duckdb: not available"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
    || echo "postgresql: could not install"
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && echo "postgresql $(ls /usr/lib/postgresql | sort -V | tail -1)" \
  || echo "postgresql: not available"
