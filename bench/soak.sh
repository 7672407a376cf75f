#!/usr/bin/env bash
# A long mixed workload against one warren, with its memory, descriptors and queue depths
# sampled each second and a verdict at the end (bench/soak_verdict.py): no growth trend, nothing
# lost. The workload, all at once for MINUTES:
#   steady      warren-perf: 2 WebSocket publishers (persistent, confirms) at 1000 msg/s, 2
#               consumers with manual acks                                     queue soak-steady
#   reconnects  warren-perf runs of 5 s back to back: each connects, publishes, drains, leaves
#                                                                               queue soak-churn
#   slow        2 slow consumers (prefetch 20, an ack per 20 ms, reconnecting every 30 s) under
#               a 60 msg/s publisher                                            queue soak-slow
#   stalled     a WebSocket that never reads, subscribed to queue soak-stalled (x-max-length
#               1000), which amq.fanout feeds with 200 msg/s (soak-fanout, drained, gets them too)
#   churn       declares and deletes: a queue, a binding, 10 publishes, a get, a delete, ~5 a s
#   bench/soak.sh [minutes=30] [build=build/release]
# Figures and the verdict go to stdout; samples and reports stay in the printed directory.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
build="${2:-build/release}"
warren="$build/app/warren"
perf="$build/tools/perf/warren-perf"
[[ -x "$warren" && -x "$perf" ]] || cmake --build --preset release -j"$(nproc)"
seconds=$((minutes * 60))
out="$(mktemp -d /tmp/warren-soak-XXXXXX)"
echo "soak: $minutes min, output in $out"

"$warren" --http-port 0 --amqp-port 0 --data-dir "$out/data" >"$out/warren.log" 2>&1 &
pid=$!
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
port=""
for _ in $(seq 100); do
    port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$out/warren.log" | grep -o '[0-9]*$' || true)"
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { echo "warren did not start"; cat "$out/warren.log"; exit 2; }
url="http://127.0.0.1:$port"
api() { curl -sf -u guest:guest -H 'content-type: application/json' "$@"; }
for q in soak-steady soak-churn soak-slow; do
    api -X PUT -d '{"durable":true}' "$url/api/queues/%2F/$q" >/dev/null
done
api -X PUT -d '{"durable":true,"arguments":{"x-max-length":1000}}' \
    "$url/api/queues/%2F/soak-stalled" >/dev/null
api -X POST -d '{}' "$url/api/bindings/%2F/e/amq.fanout/q/soak-stalled" >/dev/null
end=$((SECONDS + seconds))

# Sampler: t, RSS in kB, open descriptors, messages in all queues.
{
    echo "t,rss_kb,fds,messages"
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do
        rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
        fds="$(ls "/proc/$pid/fd" | wc -l)"
        # grep, not python: a second's sample must cost little on a loaded machine.
        messages="$(api "$url/api/overview" | grep -o '"queue_totals":{"messages":[0-9]*' |
            grep -o '[0-9]*$' || echo 0)"
        echo "$SECONDS,$rss,$fds,$messages"
        sleep 1
    done
} >"$out/samples.csv" &
sampler=$!

"$perf" --url "$url" -x 2 -y 2 -f -r 1000 -s 1024 -z "$seconds" -u soak-steady --json \
    >"$out/steady.json" 2>"$out/steady.err" &
steady=$!
(
    while ((SECONDS + 10 < end)); do
        "$perf" --url "$url" -x 1 -y 1 -f -r 500 -s 512 -z 5 --drain-timeout 2 -u soak-churn \
            --json 2>>"$out/churn.err" || echo '{"error":"run failed"}'
    done
) >"$out/churn.json" &
churn=$!
"$perf" --url "$url" -x 1 -y 0 -f -r 60 -s 256 -z "$seconds" -u soak-slow --json \
    >"$out/slow_publisher.json" 2>"$out/slow_publisher.err" &
slow_publisher=$!
clients=()
for i in 1 2; do
    python3 bench/soak_clients.py slow "$port" soak-slow "$((seconds + 30))" \
        >"$out/slow_consumer_$i.json" &
    clients+=($!)
done
python3 bench/soak_clients.py stalled "$port" soak-stalled "$seconds" >"$out/stalled.json" &
clients+=($!)
"$perf" --url "$url" -x 1 -y 1 -r 200 -s 256 -z "$seconds" -e amq.fanout -u soak-fanout \
    --json >"$out/fanout.json" 2>"$out/fanout.err" &
fanout=$!
(
    i=0
    while ((SECONDS < end)); do
        q="soak-tmp-$((i % 50))"
        api -X PUT -d '{"durable":true}' "$url/api/queues/%2F/$q" >/dev/null || true
        api -X POST -d '{}' "$url/api/bindings/%2F/e/amq.direct/q/$q" >/dev/null || true
        for _ in $(seq 10); do
            api -X POST -d "{\"routing_key\":\"$q\",\"payload\":\"x\",\"payload_encoding\":\"string\",\"properties\":{\"delivery_mode\":2}}" \
                "$url/api/exchanges/%2F/amq.direct/publish" >/dev/null || true
        done
        api -X POST -d '{"count":5,"ackmode":"ack_requeue_false","encoding":"auto"}' \
            "$url/api/queues/%2F/$q/get" >/dev/null || true
        api -X DELETE "$url/api/queues/%2F/$q" >/dev/null || true
        i=$((i + 1))
        sleep 0.2
    done
) &
churn_defs=$!

wait "$sampler" "$steady" "$slow_publisher" "$fanout" "$churn" "$churn_defs" || true
# The slow consumers drain what is left (they run 30 s longer), then the depths are read.
for _ in $(seq 60); do
    left="$(api "$url/api/queues/%2F/soak-slow" | python3 -c \
        'import json,sys; print(json.load(sys.stdin)["messages"])')"
    [[ "$left" == 0 ]] && break
    sleep 1
done
wait "${clients[@]}" || true
api "$url/api/queues?columns=name,messages" | python3 -c '
import json, sys
print(" ".join(q["name"] + "=" + str(q["messages"]) for q in json.load(sys.stdin)
               if q["name"] in ("soak-steady", "soak-churn", "soak-slow", "soak-fanout")))' \
    >"$out/final_depths.txt"
kill -0 "$pid" 2>/dev/null || { echo "FAIL: warren died"; tail "$out/warren.log"; exit 1; }
python3 bench/soak_verdict.py "$out"
