#!/usr/bin/env bash
# Whole-registry assessment and simulation beside the plain read, PostgreSQL 15 SQL and pandas, on
# the same data (docs/PERFORMANCE.md, "whole-registry" section).
#   scripts/bench-assess.sh PROFILE [DIR]        e.g. scripts/bench-assess.sh city
#   PEOPLE=1000000 scripts/bench-assess.sh people
# Generates the profile into SQLite and into PostgreSQL (throwaway PostgreSQL 15 cluster unless
# DATABASE_URL is set), exports the CSV for pandas, then times each run under /usr/bin/time -v.
# PG_LOAD=copy copies the SQLite tables into PostgreSQL (scripts/bench/sqlite-to-pg.sh) instead of
# generating twice (the default for `people`); REUSE=1 keeps an existing DIR/demo.db; DASHBOARD=1
# also runs scripts/bench-dashboard.sh on the PostgreSQL copy.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-city}
dir=${2:-/tmp/fupin-bench-assess-$profile}
cargo build --release -q -p fupin-cli
export bin=$PWD/target/release/fupin
args="--profile $profile"
[[ $profile == people ]] && args="--people ${PEOPLE:-1000000}"
if [[ ${REUSE:-} != 1 ]]; then rm -rf "$dir"; fi
mkdir -p "$dir"
pg_load=${PG_LOAD:-demo}
[[ $profile == people ]] && pg_load=${PG_LOAD:-copy}
export dir args pg_load
# The benchmark data's policy: the Jincheng lines for the city and county profiles, else the national
# lines of 2021 (the national monitoring line starts in 2021), judged at AS_OF.
if [[ $profile == city || $profile == county ]]; then
    export as_of=2020-06-15 line=4000 mline=5000
else
    export as_of=2021-06-30 line=4000 mline=6000
fi
cat >"$dir/proposed.toml" <<TOML
name = "proposed"
inherits = "national"
[monitoring_line]
2020 = $((mline + 500))
2021 = $((mline + 500))
TOML
scripts/with-postgres.sh bash -c '
set -euo pipefail
measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" >"$dir/$label.out" 2>"$dir/$label.err" || { cat "$dir/$label.err"; exit 1; }
    printf "%-22s %8s s  %8s MB\n" "$label" \
        "$(grep "Elapsed (wall" "$dir/$label.err" | awk "{print \$NF}")" \
        "$(( $(grep "Maximum resident" "$dir/$label.err" | awk "{print \$NF}") / 1024 ))"
}
echo "$args, as of $as_of — $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
[[ -f $dir/demo.db ]] || $bin demo $args --db "sqlite:$dir/demo.db" >/dev/null 2>&1
if [[ $pg_load == copy ]]; then
    scripts/bench/sqlite-to-pg.sh "$dir/demo.db" "$DATABASE_URL"
else
    $bin demo $args --db "$DATABASE_URL" >/dev/null 2>&1
fi
$bin export --db "sqlite:$dir/demo.db" --out "$dir/export.csv" >/dev/null 2>&1
psql -q "$DATABASE_URL" -c "VACUUM ANALYZE" >/dev/null
for db in sqlite postgres; do
    url="sqlite:$dir/demo.db"; [[ $db == postgres ]] && url=$DATABASE_URL
    $bin assess --all --read-only --db "$url" >/dev/null # warm the caches
    measure "$db read" $bin assess --all --read-only --db "$url"
    measure "$db assess --all" $bin assess --all --db "$url" --as-of $as_of --format json --out "$dir/assess-$db.json"
    measure "$db simulate" $bin simulate --db "$url" --as-of $as_of --policy "$dir/proposed.toml" --format json --out "$dir/simulate-$db.json"
done
measure "postgres SQL" psql "$DATABASE_URL" -v as_of=$as_of -v line=$line -v mline=$mline -f scripts/bench/assess.sql
measure "postgres SQL facts" psql "$DATABASE_URL" -v as_of=$as_of -v line=$line -v mline=$mline -f scripts/bench/assess_facts.sql
measure "pandas" python3 scripts/bench/assess_pandas.py "$dir/export.csv" $as_of $line $mline
grep "^Time" "$dir/postgres SQL.out" | tail -1
python3 - "$dir" <<PY
import json, sys
d = sys.argv[1]
a = json.load(open(f"{d}/assess-postgres.json"))["areas"][0]
print("fupin (all):", {k: (v["households"], v["people"]) for k, v in a["monitoring"].items()},
      "exit meets", (a["exit_meets_standard"]["households"], a["exit_meets_standard"]["people"]))
PY
echo "SQL (all):"; grep " all " "$dir/postgres SQL.out" || true
echo "SQL over the facts (all):"; grep " all " "$dir/postgres SQL facts.out" || true
echo "pandas (all):"; grep "^all" "$dir/pandas.out" || true
if [[ ${DASHBOARD:-} == 1 ]]; then scripts/bench-dashboard.sh "$DATABASE_URL"; fi
'
