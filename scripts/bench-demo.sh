#!/usr/bin/env bash
# Generation and import throughput of `fupin demo` (docs/PERFORMANCE.md, "demo" section).
#   scripts/bench-demo.sh PROFILE [DIR]          e.g. scripts/bench-demo.sh city
#   PEOPLE=1000000 scripts/bench-demo.sh people  (a registry of about PEOPLE people)
# Writes the profile as CSV (pure generation), into SQLite, and into PostgreSQL (DATABASE_URL, or a
# throwaway PostgreSQL 15 cluster through scripts/with-postgres.sh); each run under /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-county}
dir=${2:-/tmp/fupin-bench-$profile}
cargo build --release -q -p fupin-cli
bin=$PWD/target/release/fupin
args=(--profile "$profile")
[[ $profile == people ]] && args=(--people "${PEOPLE:-1000000}")
rm -rf "$dir" && mkdir -p "$dir"
measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" >"$dir/$label.out" 2>"$dir/$label.err" || { cat "$dir/$label.err"; exit 1; }
    printf '%-16s %8s s  %8s MB  %s\n' "$label" \
        "$(grep 'Elapsed (wall' "$dir/$label.err" | awk '{print $NF}')" \
        "$(( $(grep 'Maximum resident' "$dir/$label.err" | awk '{print $NF}') / 1024 ))" \
        "$(grep -h '完成' "$dir/$label.out" | sed 's/.*done: //')"
}
echo "fupin demo ${args[*]} — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
measure csv "$bin" demo "${args[@]}" --csv "$dir/csv"
measure sqlite "$bin" demo "${args[@]}" --db "sqlite:$dir/demo.db"
scripts/with-postgres.sh bash -c "
    $(declare -f measure); dir=$dir
    measure postgres $bin demo ${args[*]} --db \"\$DATABASE_URL\""
du -sh "$dir/csv" "$dir/demo.db"
