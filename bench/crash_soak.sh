#!/usr/bin/env bash
# The long version of the kill -9 test: ROUNDS x 4 kills at seeded random moments under load
# (4 publishers with confirms, a consumer acking and requeueing), each followed by a restart and a
# full check that every confirmed, unacked message is back exactly once.
#   bench/crash_soak.sh [rounds=25] [build=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-25}"
build="${2:-build/release}"
binary="$build/tests/integration/integration_tests"
[[ -x "$binary" ]] || { echo "build $binary first (cmake --build --preset release)"; exit 2; }
for ((round = 1; round <= rounds; round++)); do
    WARREN_CRASH_SEED=$((round * 100)) "$binary" --gtest_filter='Seeds/KillNine.*' \
        --gtest_brief=1 | grep -E 'kill -9|FAILED|PASSED' || exit 1
done
echo "crash soak: $((rounds * 4)) kills, all checks passed"
