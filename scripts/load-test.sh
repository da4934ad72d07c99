#!/usr/bin/env bash
# The load test of issue 15 (concurrent writes), loopback only and bounded in time: the real server
# on 127.0.0.1, 20 writers each editing its own household through the JSON API (login + CSRF) and 4
# readers (dashboard, list, household page), for FUPIN_LOAD_SECONDS (default here 60) on SQLite and
# on PostgreSQL (a throwaway cluster unless DATABASE_URL is set). Fails on any 5xx, on an
# acknowledged write that is not stored or a refused one that is. Prints the figures kept in
# docs/SECURITY.md ("Concurrent writes").
#   bash scripts/load-test.sh            # 60 s per backend
#   FUPIN_LOAD_SECONDS=10 bash scripts/load-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export FUPIN_LOAD_SECONDS=${FUPIN_LOAD_SECONDS:-60}
exec bash scripts/with-postgres.sh cargo test -p fupin-web --test web -- load:: --nocapture
