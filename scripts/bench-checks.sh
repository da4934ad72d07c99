#!/usr/bin/env bash
# Times the checks over a whole registry (docs/PERFORMANCE.md, "Coverage and assistance checks over
# the registry"): `fupin responsibility check --db` and `fupin assistance check --db`, and
# `fupin compare --dry-run` when a department file is given; wall time and peak memory of each run
# (`/usr/bin/time`), and what each found.
#   scripts/bench-checks.sh DB_URL [DEPARTMENT_FILE]
# Environment: FUPIN (the binary; default this checkout's release build), AS_OF (default
# 2020-06-30, the profiles' end), AREA (an area prefix; default the whole registry), RUNS (default 3).
set -euo pipefail
url=${1:?usage: scripts/bench-checks.sh DB_URL [DEPARTMENT_FILE]}
dept=${2:-}
bin=${FUPIN:-$(dirname "$0")/../target/release/fupin}
as_of=${AS_OF:-2020-06-30}
area=${AREA:-}
runs=${RUNS:-3}
out=$(mktemp -d /tmp/fupin-checks.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "binary: $bin; database: ${url%%\?*}; as of $as_of; area '${area}'"
# Runs `fupin ARGS` RUNS times: "label: wall s peak KB" per run; the last run's output is kept.
timed() {
    local label=$1; shift
    local line=""
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e s %M KB" -o "$out/time" "$bin" "$@" >"$out/$label.out" 2>"$out/$label.err" || {
            local rc=$?
            # Status 3: some records invalid (compare: bad department rows); the figures stand.
            [[ $rc == 3 ]] || { cat "$out/$label.err" >&2; exit "$rc"; }
        }
        line="$line  $(tail -1 "$out/time")"
    done
    echo "$label:$line"
}
area_args=()
[[ -n $area ]] && area_args=(--area "$area")
timed responsibility responsibility check --db "$url" --as-of "$as_of" "${area_args[@]}"
python3 - "$out/responsibility.out" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[1]))
print("  gaps:", dict(collections.Counter(g["code"] for g in r["gaps"])), "visits:", r["visits"]["visits"])
PY
timed assistance assistance check --db "$url" --as-of "$as_of" "${area_args[@]}"
python3 - "$out/assistance.out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print("  households in scope:", s["households"], "with gaps:", s["with_gaps"], "gaps:", s["gaps"])
PY
if [[ -n $dept ]]; then
    timed compare compare --department "$dept" --db "$url" --dry-run --as-of "$as_of"
    python3 - "$out/compare.out" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    print("  alerts:", len(r.get("alerts", [])))
except Exception as e:  # the table or an unexpected shape: counted by lines
    print("  output lines:", sum(1 for _ in open(sys.argv[1])))
PY
fi
