#!/usr/bin/env bash
# Streams end to end (issue 17, README "Streams"): on one fresh warren,
#   1. append: warren-perf publishes 256-byte persistent, confirmed messages over WebSocket for
#      SECONDS into a durable classic queue, then into a stream (no consumers: the append alone);
#   2. fill: the stream is topped up to MESSAGES messages;
#   3. replay: one WebSocket consumer reads it all from "first" (auto-ack, then manual acks as
#      credit), warren's RSS sampled every 0.5 s while it reads (flat = the log is not loaded);
#   4. startup: warren is killed (-9) and started again on the same data; the time until the API
#      answers and the stream shows all its messages.
# For the raw SQLite ceiling next to the append, see bench/store_bench (BM_StreamAppend,
# BM_BrokerPublish, BM_RawInsert).
#
#   bench/streams.sh [messages=10000000] [seconds=15]
# Environment: WARREN, WARREN_PERF (binaries, default build/release/...).
set -euo pipefail

messages=${1:-10000000}
seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
warren=${WARREN:-$root/build/release/app/warren}
perf=${WARREN_PERF:-$root/build/release/tools/perf/warren-perf}
scratch=$(mktemp -d /tmp/streams_bench.XXXXXX)
# shellcheck source=bench/warren_server.sh
source "$root/bench/warren_server.sh"
trap 'stop_warren; rm -rf "$scratch"' EXIT

rate_of() { # summary.json field
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(f"{s[sys.argv[2]]:.0f}")' "$@"
}
stream_messages() {
    curl -s -u guest:guest "http://127.0.0.1:$port/api/streams/%2F/bench-stream" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])'
}
perf_run() { # out.json, then warren-perf flags
    local out=$1
    shift
    "$perf" --url "http://127.0.0.1:$port" --json "$@" >"$out" 2>"$scratch/lines.txt" ||
        { cat "$scratch/lines.txt" >&2; exit 1; }
}

start_warren
echo "streams bench: $messages messages, appends for $seconds s each, data in $scratch/data"

# 1. Append rate: a classic durable queue, then the stream, same flags.
common=(--transport ws --publishers 2 --consumers 0 --persistent --size 256 --confirm 1000)
perf_run "$scratch/classic.json" "${common[@]}" --queue bench-classic --duration "$seconds"
perf_run "$scratch/append.json" "${common[@]}" --queue bench-stream --queue-type stream \
    --duration "$seconds"
curl -s -u guest:guest -X DELETE "http://127.0.0.1:$port/api/queues/%2F/bench-classic" >/dev/null
echo "append (2 ws publishers, confirmed): classic queue $(rate_of "$scratch/classic.json" send_rate) msg/s," \
    "stream $(rate_of "$scratch/append.json" send_rate) msg/s"

# 2. Fill the stream to the target.
have=$(stream_messages)
if ((have < messages)); then
    per=$(((messages - have + 1) / 2))
    start=$(date +%s.%N)
    perf_run "$scratch/fill.json" "${common[@]}" --queue bench-stream --queue-type stream \
        --duration 0 --pmessages "$per"
    echo "fill: $(stream_messages) messages in $(echo "$(date +%s.%N) - $start" | bc) s" \
        "($(rate_of "$scratch/fill.json" send_rate) msg/s)"
fi
total=$(stream_messages)

# 3. Replay from first, sampling warren's RSS.
replay() { # name, extra warren-perf flags
    local name=$1
    shift
    (while kill -0 "$warren_pid" 2>/dev/null; do
        awk '/VmRSS/ {print $2}' "/proc/$warren_pid/status"
        sleep 0.5
    done) >"$scratch/rss_$name.txt" &
    local sampler=$!
    perf_run "$scratch/replay_$name.json" --replay --consumers 1 --queue bench-stream \
        --prefetch 1000 --drain-timeout 30 "$@"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    python3 - "$name" "$scratch/replay_$name.json" "$scratch/rss_$name.txt" "$total" <<'PY'
import json, sys
name, summary, rss, total = sys.argv[1:]
s = json.load(open(summary))
kb = [int(x) for x in open(rss).read().split()] or [0]
print(f"replay ({name}): {s['received']} of {total} in {s['receive_seconds']:.1f} s = "
      f"{s['receive_rate']:.0f} msg/s; warren RSS while replaying {min(kb)/1024:.1f}-"
      f"{max(kb)/1024:.1f} MiB")
PY
}
replay auto-ack --auto-ack
replay manual-acks

# 4. Startup with the stream on disk, after a kill -9.
kill -9 "$warren_pid"
wait "$warren_pid" 2>/dev/null || true
start=$(date +%s.%N)
"$warren" --http-port 0 --amqp-port 0 --data-dir "$scratch/data" >"$scratch/warren.log" 2>&1 &
warren_pid=$!
port=
until [[ -n $port ]] && curl -sf -u guest:guest "http://127.0.0.1:$port/api/overview" >/dev/null; do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$scratch/warren.log")
    sleep 0.02
done
ready=$(echo "$(date +%s.%N) - $start" | bc)
echo "startup after kill -9 with a stream of $(stream_messages) messages:" \
    "answering in $ready s, RSS $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$warren_pid/status")"
