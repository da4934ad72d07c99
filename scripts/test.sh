#!/usr/bin/env bash
# The test command of README.md: formatting, lints and every test of the workspace.
# Runs on a fresh machine: whatever the tests need is installed and started here.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# Storage tests run on SQLite and on PostgreSQL: a throwaway cluster unless DATABASE_URL is set.
bash scripts/with-postgres.sh cargo test --workspace
