#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ one after another (never two at once: two cores), each for
# SECONDS on a scratch copy of its committed seeds (fuzz/corpus/<target>) and regressions
# (fuzz/regressions/<target>), so the committed corpus never grows by itself. Builds the fuzz
# preset first (incremental; clang, ASan + UBSan). Prints a table per target and exits non-zero
# when any target found a crash, a leak, a timeout or an out-of-memory.
#   bench/fuzz.sh [seconds=600] [target...]          (default: every target)
# Environment: WARREN_FUZZ_WORK=dir keeps the scratch dir there (default: a new mktemp dir,
# kept for its logs and crash inputs); WARREN_FUZZ_TIMEOUT=s per input (default 10);
# WARREN_FUZZ_RSS_MB (default 2048); WARREN_FUZZ_JOBS (build jobs, default 2).
#
# To keep inputs a long run found (only those that add coverage to the committed seeds):
#   build/fuzz/fuzz/<target>_fuzz -merge=1 fuzz/corpus/<target> <work>/<target>/corpus
# then look at what it added (git status) before committing: seeds are meant to stay small.
# A crash input goes to fuzz/regressions/<target>/ with its fix (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-600}"
shift || true
all=(http_request ws_frame ws_ops publish_body definitions pattern list_query amqp_frames
    amqp_field_table)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${all[@]}")
fi
timeout="${WARREN_FUZZ_TIMEOUT:-10}"
rss_mb="${WARREN_FUZZ_RSS_MB:-2048}"

# The longest input each target reads: a few requests with bodies; a few frames; one text frame;
# a batch body; a definitions document; a pattern just over the 4 KiB limit; a ListQuery; a
# handshake and a few AMQP frames of up to 4 KiB; one field table.
max_len_of() {
    case "$1" in
    http_request | definitions | amqp_frames) echo 16384 ;;
    pattern) echo 4200 ;;
    list_query) echo 512 ;;
    *) echo 4096 ;;
    esac
}

echo "=== fuzz: building the fuzz preset"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"${WARREN_FUZZ_JOBS:-2}"

work="${WARREN_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/warren-fuzz.XXXXXX")}"
mkdir -p "$work"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

rows=()
failed=0
for target in "${targets[@]}"; do
    binary="build/fuzz/fuzz/${target}_fuzz"
    [[ -x "$binary" ]] || { echo "no fuzz target $target ($binary)"; exit 2; }
    dir="$work/$target"
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    for seeds in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
        if [[ -d "$seeds" ]]; then
            cp -r "$seeds/." "$dir/corpus/"
        fi
    done
    args=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb="$rss_mb"
          -timeout="$timeout" -max_len="$(max_len_of "$target")"
          -artifact_prefix="$dir/artifacts/")
    if [[ -f "fuzz/dict/$target.dict" ]]; then
        args+=(-dict="fuzz/dict/$target.dict")
    fi
    echo "=== fuzz: $target for ${seconds}s (log: $dir/log)"
    start=$(date +%s)
    status=0
    "$binary" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - start))

    # The last status line ("#N ... cov: C ft: F corp: U/S ... exec/s: E ...") and the final stats.
    last="$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -n 1 || true)"
    field() { sed -nE "s/.* $1: ([0-9]+).*/\\1/p" <<<"$last"; }
    stat() { sed -nE "s/^stat::$1: *([0-9]+).*/\\1/p" "$dir/log" | tail -n 1; }
    execs="$(stat number_of_executed_units)"
    execs="${execs:-$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")}"
    rate="$(stat average_exec_per_sec)"
    rate="${rate:-$(field 'exec/s')}"
    corpus="$(find "$dir/corpus" -type f | wc -l)"
    if [[ $status -eq 0 ]]; then
        result=clean
    else
        failed=1
        artifact="$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$dir/log" | tail -n 1)"
        kind="$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-z-]+|runtime error|invariant failed' "$dir/log" | head -n 1 || true)"
        result="FAILED (exit $status${kind:+, $kind}): ${artifact:-no artifact, see $dir/log}"
        grep -m 5 -E 'ERROR|runtime error|invariant failed' "$dir/log" || true
    fi
    rows+=("$(printf '%-13s %6s %11s %7s %6s %7s %7s  %s' "$target" "$elapsed" "${execs:-?}" \
        "${rate:-?}" "$(field cov)" "$(field ft)" "$corpus" "$result")")
done

echo "=== fuzz: ${seconds}s per target, scratch dir $work"
printf '%-13s %6s %11s %7s %6s %7s %7s  %s\n' target seconds executions exec/s cov ft corpus result
printf '%s\n' "${rows[@]}" | tee "$work/summary.txt"
exit $failed
