#!/usr/bin/env bash
# The import benchmark of docs/PERFORMANCE.md: a synthetic county of HOUSEHOLDS households (default
# 300,000 households, 1,000,000 members) imported from CSV into SQLite and into PostgreSQL, beside
# PostgreSQL's own COPY of the same rows into a bare table, in the same run.
#   scripts/bench-import.sh [HOUSEHOLDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
work=${BENCH_DIR:-$(mktemp -d /tmp/fupin-bench.XXXXXX)}
chmod 755 "$work"
csv="$work/county-$n.csv"

cargo build --release -q -p fupin-cli
fupin=$PWD/target/release/fupin
[[ -f "$csv" ]] || python3 scripts/gen-county.py "$n" "$csv"
chmod 644 "$csv"
members=$(( $(wc -l <"$csv") - 1 ))

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "file: $n households, $members members, $(du -h "$csv" | cut -f1)"

secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }

rm -f "$work"/bench.db*
t=$(secs "$fupin" import "$csv" --date 2019-12-31 --db "sqlite:$work/bench.db")
echo "sqlite import: ${t}s ($(du -h "$work/bench.db" | cut -f1))"
t=$(secs "$fupin" import "$csv" --date 2020-06-30 --db "sqlite:$work/bench.db")
echo "sqlite re-import, nothing changed: ${t}s"
t=$(secs "$fupin" export --out "$work/export.csv" --db "sqlite:$work/bench.db")
echo "sqlite export csv: ${t}s"
t=$(secs "$fupin" report changes --from 2019-07-01 --to 2019-12-31 --db "sqlite:$work/bench.db")
echo "sqlite report changes (whole county): ${t}s"

export BENCH_CSV=$csv BENCH_FUPIN=$fupin PG_FSYNC=on
bash scripts/with-postgres.sh bash -c '
    set -euo pipefail
    secs() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
    psql=$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql
    cols=$(head -1 "$BENCH_CSV" | tr "," "\n" | awk "{printf \"%sc%d text\", (NR>1?\", \":\"\"), NR}")
    "$psql" -q "$DATABASE_URL" -c "CREATE TABLE bare ($cols)"
    t=$(secs "$psql" -q "$DATABASE_URL" -c "\\copy bare FROM '"'"'$BENCH_CSV'"'"' WITH (FORMAT csv, HEADER true)")
    echo "postgres COPY into a bare table: ${t}s"
    t=$(secs "$BENCH_FUPIN" import "$BENCH_CSV" --date 2019-12-31 --db "$DATABASE_URL")
    echo "postgres import: ${t}s"
    t=$(secs "$BENCH_FUPIN" import "$BENCH_CSV" --date 2020-06-30 --db "$DATABASE_URL")
    echo "postgres re-import, nothing changed: ${t}s"
    t=$(secs "$BENCH_FUPIN" report changes --from 2019-07-01 --to 2019-12-31 --db "$DATABASE_URL")
    echo "postgres report changes (whole county): ${t}s"
'
