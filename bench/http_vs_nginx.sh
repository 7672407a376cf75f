#!/usr/bin/env bash
# HTTP publish throughput next to its ceiling (README "Performance"): wrk with 32 kept-alive
# connections POSTing single 256-byte persistent messages into one durable queue, each answered
# only after its SQLite commit, against the same requests answered by nginx `return 204;`. Both
# servers run during the whole script; the rounds alternate so that both see the same load from
# the rest of the machine. Prints each round, the medians and the ratio.
#
#   bench/http_vs_nginx.sh [rounds=3] [seconds=10]
# Environment: WARREN (binary, default build/release/app/warren), CONNECTIONS (32), THREADS (2),
# NGINX_WORKERS (1), SYNC (normal), SIZE (256).
set -euo pipefail

rounds=${1:-3}
seconds=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
warren=${WARREN:-$root/build/release/app/warren}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
workers=${NGINX_WORKERS:-1}
sync_mode=${SYNC:-normal}
export SIZE=${SIZE:-256} QUEUE=bench

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "http_vs_nginx: $tool is not installed" >&2; exit 1; }
done
[[ -x $warren ]] || { echo "http_vs_nginx: no $warren (cmake --build --preset release --target warren)" >&2; exit 1; }

scratch=$(mktemp -d /tmp/http_vs_nginx.XXXXXX)
warren_pid=
nginx_pid=
cleanup() {
    [[ -n $warren_pid ]] && kill "$warren_pid" 2>/dev/null && wait "$warren_pid" 2>/dev/null
    [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# warren on a free port, fresh data dir; its port from the "listening on" line.
"$warren" --http-port 0 --amqp-port 0 --data-dir "$scratch/data" --sync "$sync_mode" \
    >"$scratch/warren.log" 2>&1 &
warren_pid=$!
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$scratch/warren.log")
    [[ -n $port ]] && break
    sleep 0.1
done
if [[ -z ${port:-} ]]; then
    echo "http_vs_nginx: warren did not start:" >&2; cat "$scratch/warren.log" >&2; exit 1
fi
curl -sf -u guest:guest -X PUT -H 'Content-Type: application/json' \
    -d '{"durable":true}' "http://127.0.0.1:$port/api/queues/%2F/$QUEUE" >/dev/null

nginx_port=$(free_port)
mkdir -p "$scratch/nginx/body"
sed -e "s|@PORT@|$nginx_port|g" -e "s|@DIR@|$scratch/nginx|g" -e "s|@WORKERS@|$workers|g" \
    "$root/bench/nginx_204.conf" >"$scratch/nginx/nginx.conf"
nginx -p "$scratch/nginx" -c "$scratch/nginx/nginx.conf" -g 'daemon off;' \
    2>"$scratch/nginx/stderr.log" &
nginx_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break
    sleep 0.1
done

path='/api/exchanges/%2F/amq.default/publish'
queue_depth() {
    curl -sf -u guest:guest "http://127.0.0.1:$port/api/queues/%2F/$QUEUE" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])'
}
reaped_total() {
    curl -sf "http://127.0.0.1:$port/metrics" |
        awk '/^warren_store_reaped_entries_total/ {printf "%d\n", $2}'
}
run_wrk() { # url -> the RESULT line
    wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "$root/bench/http_publish.lua" "$1" |
        grep '^RESULT'
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "wrk -t$threads -c$connections -d${seconds}s, ${SIZE}-byte persistent messages, --sync $sync_mode, nginx workers $workers"
warren_rps=() nginx_rps=()
for round in $(seq "$rounds"); do
    n=$(run_wrk "http://127.0.0.1:$nginx_port$path")
    # Each warren round starts from an empty queue: a backlog growing round after round would
    # page to disk past --memory-budget and measure that instead. A purge deletes its rows in the
    # background, in the writer's spare turns: wait for that to finish, or the round measures
    # the previous round's clean-up too.
    held=$(queue_depth)
    reaped_before=$(reaped_total)
    curl -sf -u guest:guest -X DELETE "http://127.0.0.1:$port/api/queues/%2F/$QUEUE/contents" >/dev/null
    for _ in $(seq 600); do
        (( $(reaped_total) >= reaped_before + held )) && break
        sleep 0.1
    done
    w=$(run_wrk "http://127.0.0.1:$port$path")
    nginx_rps+=("$(field rps "$n")")
    warren_rps+=("$(field rps "$w")")
    [[ $(field errors "$w") == 0 ]] || echo "  warren round $round had errors: $w" >&2
    printf 'round %d  load %s\n  nginx  %s\n  warren %s\n' "$round" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" "${n#RESULT }" "${w#RESULT }"
done

# Every 200 was a committed message: the queue holds at least the last round's answered
# publishes (plus those still in flight when wrk stopped counting).
depth=$(curl -sf -u guest:guest "http://127.0.0.1:$port/api/queues/%2F/$QUEUE" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
last_requests=$(field requests "$w")
nginx_median=$(printf '%s\n' "${nginx_rps[@]}" | median)
warren_median=$(printf '%s\n' "${warren_rps[@]}" | median)
echo "queue '$QUEUE' holds $depth messages after the last round (wrk counted $last_requests answered publishes in it)"
printf 'median: nginx %.0f req/s, warren %.0f publishes/s, ratio %.2f\n' "$nginx_median" \
    "$warren_median" "$(awk -v w="$warren_median" -v n="$nginx_median" 'BEGIN {print w / n}')"
