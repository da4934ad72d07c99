#!/usr/bin/env bash
# Web benchmark (docs/PERFORMANCE.md): requests per second and latency percentiles with wrk,
# 64 connections, on the household page, the household list and the dashboard, demo data on SQLite.
#   scripts/bench-web.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
cargo build --release -q -p fupin-cli
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/release/fupin serve --demo --db "sqlite:$tmp/bench.db" --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"username":"zezhou","password":"fupin-demo-2020"}' "http://127.0.0.1:$port/api/v1/session" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%d)"
for path in /households/140525100201003 "/households?status=exited" "/households?q=140525" / /api/v1/dashboard; do
    echo "== GET $path"
    wrk -t2 -c64 -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" \
        | grep -E 'Requests/sec|Latency  |50%|90%|99%|Non-2xx|Socket errors'
done
