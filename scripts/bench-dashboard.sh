#!/usr/bin/env bash
# Dashboard figures (docs/PERFORMANCE.md, "dashboard" section): the latency of GET /api/v1/dashboard
# for the top area (all) and for one village, and of the village page's API, on a generated registry.
#   scripts/bench-dashboard.sh DB_URL [VILLAGE]     e.g. scripts/bench-dashboard.sh sqlite:/tmp/x/demo.db
# The first request is shown (the figures read from the roll-ups the writes keep), then REPEAT more
# (default 10; served from the server's cache of figures): their median and maximum. Last, one
# village is marked as written (as every write does) and its county's dashboard, not yet cached, is
# requested: the roll-up refresh of that village and its ancestors plus the read.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$1
cargo build --release -q -p fupin-cli
bin=./target/release/fupin
tmp=$(mktemp -d)
printf 'bench-password-1\n' >"$tmp/pw"
"$bin" user add bench --role admin --password-file "$tmp/pw" --db "$url" >/dev/null 2>&1 || true
village=${2:-$(sqlite3 "${url#sqlite:}" "SELECT code FROM area WHERE level = 'village' ORDER BY code LIMIT 1" 2>/dev/null \
    || psql -Atq "$url" -c "SELECT code FROM area WHERE level = 'village' ORDER BY code LIMIT 1")}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$url" --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"username":"bench","password":"bench-password-1"}' "http://127.0.0.1:$port/api/v1/session" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
echo "$url — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
for path in "/api/v1/dashboard" "/api/v1/dashboard?area=$village" "/api/v1/villages/$village"; do
    # The first request computes the figures (the server caches them until the next write).
    first=$(curl -sf -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$port$path") \
        || { echo "GET $path failed"; continue; }
    n=${REPEAT:-10}
    times=$(for _ in $(seq "$n"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "http://127.0.0.1:$port$path"
    done | sort -n)
    printf '%-50s first %8.1f ms  then median %6.1f ms  max %6.1f ms\n' "GET $path" \
        "$(echo "$first" | awk '{print $1 * 1000}')" \
        "$(echo "$times" | sed -n "$(( (n + 1) / 2 ))p" | awk '{print $1 * 1000}')" "$(echo "$times" | tail -1 | awk '{print $1 * 1000}')"
done
county=${village:0:6}
sql="INSERT INTO rollup_dirty (area) VALUES ('$village') ON CONFLICT (area) DO NOTHING"
if [[ $url == sqlite:* ]]; then sqlite3 "${url#sqlite:}" "$sql"; else psql -q "$url" -c "$sql"; fi
after=$(curl -sf -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/dashboard?area=$county")
printf '%-50s %8.1f ms\n' "GET /api/v1/dashboard?area=$county, 1 village marked" "$(echo "$after" | awk '{print $1 * 1000}')"
