#!/usr/bin/env bash
# Copies the registry tables of a fupin SQLite file into an empty PostgreSQL database with COPY (the
# benchmark's fast path to the same data on both backends; the audit log is left out).
#   scripts/bench/sqlite-to-pg.sh DB.sqlite postgres://...
# EXTRA_TABLES: more tables to copy (the responsibility network and assistance tables for
# scripts/bench-checks.sh).
set -euo pipefail
db=$1 url=$2
bin=${bin:-$(dirname "$0")/../../target/release/fupin}
"$bin" assess --all --read-only --db "$url" >/dev/null # creates the schema
for t in area household household_income member event rollup rollup_dirty ${EXTRA_TABLES:-}; do
    cols=$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('$t')")
    sqlite3 -csv "$db" "SELECT $cols FROM $t" | psql -q "$url" -c "\\copy $t($cols) FROM STDIN CSV"
done
psql -q "$url" -c "VACUUM ANALYZE"
