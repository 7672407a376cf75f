#!/usr/bin/env bash
# What message groups and deduplication cost (issue 16), in one run on one machine, as ratios:
#   groups:  the same WebSocket load into a plain durable queue and into queues grouped by a
#            header with 10, 1 000 and 100 000 keys; 4 consumers, prefetch 1000, manual acks;
#            delivered msg/s each, and the ratio to the plain queue (goal at 1 000 keys: >= 0.8).
#   dedup:   publishers with a unique message_id per message into a plain queue, and into one
#            with x-message-deduplication and a 1 000 000-key window; confirmed msg/s each, and
#            the ratio (goal: dedup costs <= 15 %, ratio >= 0.85).
# A fresh warren (temp data dir) per scenario. 256-byte persistent messages, 2 WebSocket
# publishers with 1000 confirms in flight.
#
#   bench/order_and_once.sh [seconds=15] [scenario...]
# Scenarios: plain groups-10 groups-1000 groups-100000 ids dedup-1m (default: all). WARREN and
# WARREN_PERF name the binaries (default build/release/...).
set -euo pipefail

seconds=${1:-15}
shift || true
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(plain groups-10 groups-1000 groups-100000 ids dedup-1m)
root=$(cd "$(dirname "$0")/.." && pwd)
warren=${WARREN:-$root/build/release/app/warren}
perf=${WARREN_PERF:-$root/build/release/tools/perf/warren-perf}
scratch=$(mktemp -d /tmp/order_and_once.XXXXXX)
# shellcheck source=bench/warren_server.sh
source "$root/bench/warren_server.sh"
trap 'stop_warren; rm -rf "$scratch"' EXIT

declare -A rate
printf '%-15s %12s %12s %10s %s\n' scenario delivered/s confirmed/s p99_ms load
for scenario in "${scenarios[@]}"; do
    case $scenario in
    plain) args=() ;;
    groups-*) args=(--groups "${scenario#groups-}") ;;
    ids) args=(--message-id unique) ;;
    dedup-1m) args=(--message-id unique --dedup-window 1000000) ;;
    *) echo "order_and_once: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    start_warren
    "$perf" --url "http://127.0.0.1:$port" --transport ws --publishers 2 --consumers 4 \
        --prefetch 1000 --persistent --size 256 --confirm 1000 --duration "$seconds" \
        --queue "bench-$scenario" "${args[@]}" --json >"$scratch/out.json" 2>"$scratch/lines.txt" ||
        { cat "$scratch/lines.txt" >&2; exit 1; }
    stop_warren
    line=$(python3 - "$scratch/out.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{s['received'] / s['receive_seconds']:.0f} {s['confirmed'] / s['publish_seconds']:.0f} "
      f"{s['latency']['p99_ms']:.1f}")
PY
)
    read -r delivered confirmed p99 <<<"$line"
    rate[$scenario]="$delivered $confirmed"
    printf '%-15s %12s %12s %10s %s\n' "$scenario" "$delivered" "$confirmed" "$p99" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
done

echo
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
if [[ -n ${rate[plain]:-} ]]; then
    read -r plain_delivered _ <<<"${rate[plain]}"
    for g in groups-10 groups-1000 groups-100000; do
        if [[ -n ${rate[$g]:-} ]]; then
            read -r d _ <<<"${rate[$g]}"
            echo "$g delivered / plain delivered: $(ratio "$d" "$plain_delivered")"
        fi
    done
fi
if [[ -n ${rate[ids]:-} && -n ${rate[dedup-1m]:-} ]]; then
    read -r _ ids_confirmed <<<"${rate[ids]}"
    read -r _ dedup_confirmed <<<"${rate[dedup-1m]}"
    echo "dedup-1m confirmed / ids confirmed: $(ratio "$dedup_confirmed" "$ids_confirmed")"
fi
