#!/usr/bin/env bash
# Search by name or part of an ID number (docs/PERFORMANCE.md, "Search (issue 10)"): the latency of
# GET /api/v1/households?q=... over a fixed set of queries drawn from the data (full names, one- and
# two-character prefixes, birth dates, ID-number tails, whole ID numbers), over the whole registry
# (an admin) and within the query's county, on SQLite and on a PostgreSQL copy of the same data
# (scripts/bench/sqlite-to-pg.sh; a throwaway cluster unless DATABASE_URL is set).
#   scripts/bench-search.sh PEOPLE [DIR]          e.g. scripts/bench-search.sh 1000000 /tmp/search
#   PROFILE=province scripts/bench-search.sh - DIR
# REUSE=1 keeps DIR/demo.db; ONLY=sqlite skips PostgreSQL; FUPIN=BINARY uses that binary instead of
# building this checkout's release build. Prints p50/p95/max per kind of query.
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-1000000}
dir=${2:-/tmp/fupin-bench-search}
if [[ -n ${FUPIN:-} ]]; then
    bin=$(realpath "$FUPIN")
else
    cargo build --release -q -p fupin-cli
    bin=$PWD/target/release/fupin
fi
export bin dir
args="--people $people"
[[ -n ${PROFILE:-} ]] && args="--profile $PROFILE"
[[ ${REUSE:-} == 1 ]] || rm -rf "$dir"
mkdir -p "$dir"
echo "$args — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
if [[ ! -f $dir/demo.db ]]; then
    /usr/bin/time -v "$bin" demo $args --db "sqlite:$dir/demo.db" >"$dir/demo.log" 2>&1
    grep -E "完成|Elapsed" "$dir/demo.log"
fi
# The queries: every 1/N-th current member (a fixed sample, the same on both databases).
db=$dir/demo.db
n=$(sqlite3 "$db" "SELECT COUNT(*) FROM member WHERE left_on IS NULL")
step=$(( n / 40 + 1 ))
sqlite3 -separator ' ' "$db" "SELECT substr(h.area_code, 1, 6), m.name, m.id_number FROM member m
    JOIN household h ON h.county = m.county AND h.number = m.household_number
    WHERE m.left_on IS NULL AND m.rowid % $step = 0 LIMIT 40" >"$dir/people.txt"
python3 - "$dir/people.txt" >"$dir/queries.txt" <<'PY'
import sys
people = [l.split() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for i, (county, name, idn) in enumerate(people):
    kind = ["name", "birth date", "ID tail", "prefix 1", "name", "birth date", "ID tail", "prefix 2", "whole ID", "name"][i % 10]
    q = {"name": name, "birth date": idn[6:14], "ID tail": idn[-6:], "prefix 1": name[:1],
         "prefix 2": name[:2], "whole ID": idn}[kind]
    print(f"{kind}\t{county}\t{q}")
PY
cat >"$dir/measure.py" <<'PY'
import json, statistics, sys, time, urllib.parse, urllib.request
base, queries = sys.argv[1], [l.rstrip("\n").split("\t") for l in open(sys.argv[2], encoding="utf-8")]
req = urllib.request.Request(base + "/api/v1/session", method="POST",
    data=json.dumps({"username": "bench", "password": "bench-password-1"}).encode(),
    headers={"content-type": "application/json"})
with urllib.request.urlopen(req) as r:
    cookie = r.headers["set-cookie"].split(";")[0]
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(base + path, headers={"cookie": cookie})) as r:
        body = json.load(r)
    return (time.perf_counter() - t) * 1000, body
rows = {}
for scope in ["whole registry", "county"]:
    for kind, county, q in queries:
        path = "/api/v1/households?q=" + urllib.parse.quote(q)
        if scope == "county":
            path += "&area=" + county
        get(path)  # the first time reads from disk; the second is measured
        ms, body = get(path)
        assert body["total"] > 0, (q, scope, body)
        rows.setdefault((scope, kind), []).append(ms)
        rows.setdefault((scope, "all"), []).append(ms)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
for (scope, kind), v in rows.items():
    print(f"{scope:15} {kind:11} n={len(v):3}  p50 {pct(v, 50):7.1f} ms  p95 {pct(v, 95):7.1f} ms  max {max(v):7.1f} ms")
PY
printf 'bench-password-1\n' >"$dir/pw"
serve_and_measure() { # URL
    "$bin" user add bench --role admin --password-file "$dir/pw" --db "$1" >/dev/null 2>&1 || true
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" serve --db "$1" --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
    local server=$!
    for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.5; done
    python3 "$dir/measure.py" "http://127.0.0.1:$port" "$dir/queries.txt" || true
    kill "$server"
    wait "$server" 2>/dev/null || true
}
"$bin" assess --all --read-only --db "sqlite:$db" >/dev/null # migrates an older file; warms the cache
echo "SQLite ($(du -h "$db" | cut -f1))"
serve_and_measure "sqlite:$db"
[[ ${ONLY:-} == sqlite ]] && exit 0
export -f serve_and_measure
scripts/with-postgres.sh bash -c '
set -euo pipefail
t=$(date +%s)
scripts/bench/sqlite-to-pg.sh "$dir/demo.db" "$DATABASE_URL" >/dev/null
echo "PostgreSQL (copy with the indexes of migration 10 in place, VACUUM ANALYZE: $(( $(date +%s) - t )) s)"
serve_and_measure "$DATABASE_URL"
'
