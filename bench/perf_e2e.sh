#!/usr/bin/env bash
# End to end through the real broker (README "Performance", issue 5): warren-perf publishers over
# WebSocket and over HTTP, WebSocket consumers with prefetch 1000 and manual acks, 256-byte
# persistent messages into one durable queue; each at a fixed 5 000 msg/s and at full speed.
# A fresh warren (temp data dir) per scenario; prints one line per scenario with the load average.
#
#   bench/perf_e2e.sh [seconds=15] [scenario...]
# Scenarios: ws-5k ws-max http-5k http-max (default: all four). Environment: WARREN and
# WARREN_PERF (binaries, default build/release/...), WS_PUBLISHERS (2), HTTP_PUBLISHERS (32),
# HTTP_BATCH (1), CONSUMERS (2), SYNC (normal), EXTRA (more warren-perf flags).
set -euo pipefail

seconds=${1:-15}
shift || true
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(ws-5k ws-max http-5k http-max)
root=$(cd "$(dirname "$0")/.." && pwd)
warren=${WARREN:-$root/build/release/server/warren}
perf=${WARREN_PERF:-$root/build/release/tools/perf/warren-perf}
scratch=$(mktemp -d /tmp/perf_e2e.XXXXXX)
warren_pid=
stop_warren() {
    if [[ -n $warren_pid ]]; then
        kill "$warren_pid" 2>/dev/null || true
        wait "$warren_pid" 2>/dev/null || true
        warren_pid=
    fi
}
trap 'stop_warren; rm -rf "$scratch"' EXIT

start_warren() {
    rm -rf "$scratch/data"
    "$warren" --http-port 0 --data-dir "$scratch/data" --sync "${SYNC:-normal}" \
        >"$scratch/warren.log" 2>&1 &
    warren_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$scratch/warren.log")
        [[ -n $port ]] && return
        sleep 0.1
    done
    echo "perf_e2e: warren did not start" >&2
    cat "$scratch/warren.log" >&2
    exit 1
}

for scenario in "${scenarios[@]}"; do
    case $scenario in
    ws-5k) args=(--transport ws --publishers "${WS_PUBLISHERS:-2}" --rate 5000) ;;
    ws-max) args=(--transport ws --publishers "${WS_PUBLISHERS:-2}") ;;
    http-5k) args=(--transport http --publishers "${HTTP_PUBLISHERS:-32}" --batch "${HTTP_BATCH:-1}" --rate 5000) ;;
    http-max) args=(--transport http --publishers "${HTTP_PUBLISHERS:-32}" --batch "${HTTP_BATCH:-1}") ;;
    *) echo "perf_e2e: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    start_warren
    # shellcheck disable=SC2086
    "$perf" --url "http://127.0.0.1:$port" "${args[@]}" --consumers "${CONSUMERS:-2}" \
        --prefetch 1000 --persistent --size 256 --duration "$seconds" --json ${EXTRA:-} \
        >"$scratch/out.json" 2>"$scratch/lines.txt" || { cat "$scratch/lines.txt" >&2; exit 1; }
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    python3 - "$scenario" "$load" "$scratch/out.json" <<'PY'
import json, sys
name, load, path = sys.argv[1:]
s = json.load(open(path))
l, c = s["latency"], s["confirm_latency"]
print(f"{name:9} sent {s['send_rate']:8.0f}/s received {s['receive_rate']:8.0f}/s "
      f"(sent {s['sent']}, confirmed {s['confirmed']}, received {s['received']}) | "
      f"delivery p50 {l['p50_ms']:.2f} p99 {l['p99_ms']:.2f} max {l['max_ms']:.1f} ms | "
      f"confirm p50 {c['p50_ms']:.2f} p99 {c['p99_ms']:.2f} ms | load {load}")
PY
    stop_warren
done
