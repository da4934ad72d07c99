#!/usr/bin/env bash
# The import benchmark of docs/PERFORMANCE.md ("Import (issue 16)"): a synthetic county of
# HOUSEHOLDS households (default 300,000 households, 1,000,000 members) imported from CSV into
# SQLite and into PostgreSQL, each beside its baseline in the same run:
#   - `sqlite3 .import` of the same CSV into a bare table, and PostgreSQL's `COPY` of it;
#   - a plain read of the file (`fupin import --read-only`: read and validate, no database) for
#     the re-imports (unchanged, and with 1% of the households changed);
#   - peak memory (maximum resident set) of every fupin run, by `/usr/bin/time -v`.
#   scripts/bench-import.sh [HOUSEHOLDS]        (BENCH_DIR: where the files go; kept when given)
# ONLY=sqlite or ONLY=postgres runs one backend (with its baselines). CSV=FILE imports that file
# (e.g. the province profile's `fupin export`) instead of a synthetic county; FIRST_ONLY=1 runs the
# baselines and the first imports only (no re-imports).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
work=${BENCH_DIR:-$(mktemp -d /tmp/fupin-bench.XXXXXX)}
mkdir -p "$work"
chmod 755 "$work"
csv=${CSV:-$work/county-$n.csv}
changed="$work/$(basename "$csv" .csv)-1pct.csv"

need() { command -v "$1" >/dev/null || { apt-get install -y "$2" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }; }; }
need sqlite3 sqlite3
need bc bc
[[ -x /usr/bin/time ]] || need time time

if [[ -n ${FUPIN:-} ]]; then
    fupin=$(realpath "$FUPIN")
else
    cargo build --release -q -p fupin-cli
    fupin=$PWD/target/release/fupin
fi
[[ -f "$csv" ]] || python3 scripts/gen-county.py "$n" "$csv"
# 1% of the households (numbers ending in 00) with a new phone number.
[[ ${FIRST_ONLY:-} == 1 || -f "$changed" ]] || awk -F, 'BEGIN { OFS = "," } NR > 1 && $1 ~ /00$/ { sub(/^139/, "138", $24) } { print }' "$csv" >"$changed"
chmod 644 "$csv" "$changed" 2>/dev/null || chmod 644 "$csv"
members=$(( $(wc -l <"$csv") - 1 ))

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n ${CSV:-} ]]; then
    echo "file: $csv, $members members, $(du -h "$csv" | cut -f1)"
else
    echo "file: $n households, $members members, $(du -h "$csv" | cut -f1)"
fi

# Runs a command; prints "SECONDS s, PEAK MB" (wall time, maximum resident set).
run() {
    /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" "$work/time" >&2; exit 1; }
    awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = (n == 3 ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]) }
         /Maximum resident set size/ { m = $NF / 1024 }
         END { printf "%.2f s, %.0f MB", s, m }' "$work/time"
}

if [[ ${ONLY:-} != postgres ]]; then
rm -f "$work"/bare.db* "$work"/bench.db*
echo "baseline: sqlite3 .import into a bare table: $(run sqlite3 "$work/bare.db" -cmd '.mode csv' ".import $csv bare")"
rm -f "$work"/bare.db*
echo "baseline: plain read (fupin import --read-only): $(run "$fupin" import "$csv" --read-only)"
[[ ${FIRST_ONLY:-} == 1 ]] || echo "baseline: plain read, 1% changed file: $(run "$fupin" import "$changed" --read-only)"
echo "sqlite import into an empty database: $(run "$fupin" import "$csv" --quiet --date 2019-12-31 --db "sqlite:$work/bench.db") ($(du -h "$work/bench.db" | cut -f1))"
[[ ${FIRST_ONLY:-} == 1 ]] || echo "sqlite re-import, nothing changed: $(run "$fupin" import "$csv" --quiet --date 2020-06-30 --db "sqlite:$work/bench.db")"
[[ ${FIRST_ONLY:-} == 1 ]] || echo "sqlite re-import, 1% of households changed: $(run "$fupin" import "$changed" --quiet --date 2020-06-30 --db "sqlite:$work/bench.db")"
rm -f "$work"/bench.db*
fi

[[ ${ONLY:-} == sqlite ]] && exit 0
export BENCH_CSV=$csv BENCH_CHANGED=$changed BENCH_FUPIN=$fupin BENCH_WORK=$work PG_FSYNC=on FIRST_ONLY
export -f run
bash scripts/with-postgres.sh bash -c '
    set -euo pipefail
    work=$BENCH_WORK
    psql=$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql
    cols=$(head -1 "$BENCH_CSV" | tr "," "\n" | awk "{printf \"%sc%d text\", (NR>1?\", \":\"\"), NR}")
    "$psql" -q "$DATABASE_URL" -c "CREATE TABLE bare ($cols)"
    echo "baseline: postgres COPY into a bare table: $(run "$psql" -q "$DATABASE_URL" -c "\\copy bare FROM '"'"'$BENCH_CSV'"'"' WITH (FORMAT csv, HEADER true)")"
    "$psql" -q "$DATABASE_URL" -c "DROP TABLE bare"
    echo "postgres import into an empty database: $(run "$BENCH_FUPIN" import "$BENCH_CSV" --quiet --date 2019-12-31 --db "$DATABASE_URL") ($("$psql" -qtA "$DATABASE_URL" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"))"
    [[ ${FIRST_ONLY:-} == 1 ]] || echo "postgres re-import, nothing changed: $(run "$BENCH_FUPIN" import "$BENCH_CSV" --quiet --date 2020-06-30 --db "$DATABASE_URL")"
    [[ ${FIRST_ONLY:-} == 1 ]] || echo "postgres re-import, 1% of households changed: $(run "$BENCH_FUPIN" import "$BENCH_CHANGED" --quiet --date 2020-06-30 --db "$DATABASE_URL")"
'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${BENCH_DIR:-}" ]] || rm -rf "$work"
