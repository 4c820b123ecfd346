#!/usr/bin/env bash
# Installs what the SQL differential tests (tests/integration/sql.rs) need, into the repository's
# ignored .cache/: the DuckDB and PySpark wheels from PyPI into .cache/py; Debian's PostgreSQL
# server and a Java runtime (for Spark) when they are missing. Safe to run again: it installs
# only what is not there, and says what it has.
set -uo pipefail
cd "$(dirname "$0")/../.."
pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --cache-dir .cache/pip --target .cache/py "$@" 2>&1 | grep -v "^WARNING" | tail -3
}
apt_install() {
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >/dev/null 2>&1
}
python3 scripts/sql/duckdb.py --check >/dev/null 2>&1 || pip_install "duckdb==1.*"
PYTHONPATH=.cache/py python3 -c "import pyspark" >/dev/null 2>&1 || pip_install "pyspark==3.5.*"
command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless || true
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql || true

echo "duckdb:     $(python3 scripts/sql/duckdb.py --check 2>/dev/null || echo 'not available')"
echo "pyspark:    $(PYTHONPATH=.cache/py python3 -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || echo 'not available')"
echo "java:       $(java -version 2>&1 | head -1 || echo 'not available')"
echo "postgresql: $(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || echo 'not available')"
