#!/usr/bin/env bash
# Before/after figures of two `fupin` builds on the same data, run alternately in one session so that
# both see the same machine (docs/PERFORMANCE.md, "restructure" section):
#   scripts/bench-compare.sh OLD_FUPIN [NEW_FUPIN] [HOUSEHOLDS]
# NEW_FUPIN defaults to this checkout's release build; HOUSEHOLDS to 300,000 (1,000,000 members).
# For each build and each backend (SQLite; PostgreSQL 15 in a throwaway cluster unless DATABASE_URL
# is set): import into an empty database, import the same file again (nothing changes),
# `assess --all` (the whole-registry scan and judgement, median of RUNS, default 3), and the
# dashboard's first request on a fresh server for the whole registry and for one village.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(realpath "$1")
new=${2:-}
n=${3:-300000}
if [[ -z $new ]]; then
    cargo build --release -q -p fupin-cli
    new=$PWD/target/release/fupin
fi
new=$(realpath "$new")
work=${BENCH_DIR:-$(mktemp -d /tmp/fupin-compare.XXXXXX)}
chmod 755 "$work"
csv="$work/county-$n.csv"
[[ -f "$csv" ]] || python3 scripts/gen-county.py "$n" "$csv"
chmod 644 "$csv"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "file: $n households, $(( $(wc -l <"$csv") - 1 )) members"
export BENCH_OLD=$old BENCH_NEW=$new BENCH_CSV=$csv BENCH_WORK=$work RUNS=${RUNS:-3}
exec bash scripts/with-postgres.sh bash -c '
set -euo pipefail
secs() { local s=$(date +%s.%N); "$@" >/dev/null 2>"$BENCH_WORK/stderr" || { cat "$BENCH_WORK/stderr" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }
median() { sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}"; }
psql=$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql
dashboard() { # bin url: first request (ms) for the whole registry and for one village
    local bin=$1 url=$2 port pw cookie village server out=""
    pw="$BENCH_WORK/pw"; printf "bench-password-1\n" >"$pw"
    "$bin" user add bench --role admin --password-file "$pw" --db "$url" >/dev/null 2>&1 || true
    if [[ $url == sqlite:* ]]; then
        village=$(sqlite3 "${url#sqlite:}" "SELECT code FROM area WHERE level = '\''village'\'' ORDER BY code LIMIT 1")
    else
        village=$("$psql" -Atq "$url" -c "SELECT code FROM area WHERE level = '\''village'\'' ORDER BY code LIMIT 1")
    fi
    port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
    "$bin" serve --db "$url" --listen "127.0.0.1:$port" >"$BENCH_WORK/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
    cookie=$(curl -s -D - -o /dev/null -H "content-type: application/json" \
        -d "{\"username\":\"bench\",\"password\":\"bench-password-1\"}" "http://127.0.0.1:$port/api/v1/session" \
        | sed -n "s/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p")
    for path in "/api/v1/dashboard" "/api/v1/dashboard?area=$village"; do
        out="$out $(curl -sf -o /dev/null -w "%{time_total}" -H "Cookie: $cookie" "http://127.0.0.1:$port$path" | awk "{printf \"%.1f\", \$1 * 1000}")"
    done
    kill $server; wait $server 2>/dev/null || true
    echo "$out"
}
for backend in sqlite postgres; do
    for which in old new; do
        bin=BENCH_${which^^}; bin=${!bin}
        if [[ $backend == sqlite ]]; then
            rm -f "$BENCH_WORK/$which.db"*
            url="sqlite:$BENCH_WORK/$which.db"
        else
            "$psql" -q "$DATABASE_URL" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS bench_$which" -c "CREATE DATABASE bench_$which"
            url="${DATABASE_URL%/*}/bench_$which"
        fi
        import=$(secs "$bin" import "$BENCH_CSV" --date 2019-12-31 --db "$url")
        again=$(secs "$bin" import "$BENCH_CSV" --date 2020-06-30 --db "$url")
        assess=$(for _ in $(seq "$RUNS"); do secs "$bin" assess --all --db "$url" --as-of 2020-06-30; done | median)
        read -r whole village <<<"$(dashboard "$bin" "$url")"
        printf "%-8s %-3s import %7.2f s  re-import %6.2f s  assess --all %5.2f s  dashboard first: all %6.1f ms, village %5.1f ms\n" \
            "$backend" "$which" "$import" "$again" "$assess" "$whole" "$village"
    done
done
'
