#!/usr/bin/env bash
# The fuzz run of issue 15 ("Done when"): the property tests over the CSV, XLSX and JSON readers
# (crates/fupin-sheet/tests/sheet/fuzz.rs) and the ID-number and money parsers
# (crates/fupin-core/src/id.rs), with many more cases than the test suite's 2,000, each test bounded
# in time. Arbitrary bytes, mutated valid files (overwrite, insert, delete, splice) and arbitrary
# JSON documents; a panic, an abort or a hang (the time bound) fails the run.
#
#   PROPTEST_CASES=50000 FUZZ_SECONDS=1800 bash scripts/fuzz.sh
#
# Debug build on purpose: integer overflow panics there. Figures: docs/SECURITY.md, "Fuzzing and
# crafted input".
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
limit="${FUZZ_SECONDS:-1800}"
cargo test -p fupin-core --lib --no-run >/dev/null 2>&1 || cargo test -p fupin-core --lib --no-run
cargo test -p fupin-sheet --test sheet --no-run >/dev/null 2>&1 || cargo test -p fupin-sheet --test sheet --no-run
run() {
    local started=$SECONDS
    if ! timeout "$limit" "$@"; then
        status=$?
        if [ "$status" = 124 ]; then
            echo "fuzz: no end within ${limit}s (a hang, or too many cases): $*" >&2
        fi
        exit "$status"
    fi
    echo "fuzz: $((SECONDS - started))s for: $*" >&2
}
echo "fuzz: $PROPTEST_CASES cases per property, at most ${limit}s per crate" >&2
run cargo test -q -p fupin-core --lib -- id::tests::the_parser id::tests::money_parsing
run cargo test -q -p fupin-sheet --test sheet -- fuzz:: --test-threads 2
