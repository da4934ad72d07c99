#!/usr/bin/env bash
# The test command of README.md: formatting, lints and every test of the workspace.
# Runs on a fresh machine: whatever the tests need is installed and started here.
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's Chromium through chromedriver.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        echo "test.sh: installing chromium and chromium-driver (apt-get)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || {
            apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null
        }
    else
        echo "test.sh: chromium and chromedriver are needed for the browser tests" >&2
        exit 1
    fi
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# Storage tests run on SQLite and on PostgreSQL: a throwaway cluster unless DATABASE_URL is set.
# The load test runs once, below, for its full 60 s per backend.
bash scripts/with-postgres.sh cargo test --workspace -- --skip load::
bash scripts/load-test.sh
