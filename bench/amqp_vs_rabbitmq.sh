#!/usr/bin/env bash
# warren's AMQP 0-9-1 listener next to RabbitMQ, same machine, same client, one run: amqplib
# (bench/amqp_clients/amqplib_perf.mjs) against warren and against a private RabbitMQ node
# (bench/rabbitmq_node.sh: a temp dir, defaults, no plugins). 256-byte persistent messages into a
# fresh durable classic queue, publishers on confirm channels with at most 1000 unconfirmed,
# consumers with prefetch 1000 and one basic.ack per message:
#   publish  MESSAGES published, nobody consuming (msg/s until the last confirm);
#   consume  the same MESSAGES drained from that queue (msg/s until the last delivery);
#   both     publishers and consumers at once on a new queue (msg/s until the last delivery, and
#            the publish-to-delivery latency from a time stamp in each payload).
# Each at 1 client process per role, then at 2 (amqplib is one JavaScript thread per process:
# when the 2-process row is faster, the 1-process row measured the client, not the broker; the
# client CPU % column says the same on an otherwise idle machine: near 100 = that process was the
# limit). Then warren-perf --protocol amqp against both, when the warren-perf binary supports it.
#
# Both brokers run during the whole script and each scenario runs on warren and then on RabbitMQ
# right after, so that both see about the same load from the rest of the machine. warren runs with
# --sync full by default: RabbitMQ confirms a persistent message once its message store fsynced
# it, and warren's full is the same promise (SYNC=normal for warren's default). Broker CPU is
# the broker process's user + system time over the run (all threads; /proc) per message, client
# CPU the same for all amqplib processes: steadier than msg/s on a busy machine. Client and broker
# share the machine's cores, so msg/s can never exceed cores / (client + broker CPU per message):
# where amqplib costs as much CPU per message as warren, the msg/s ratio is capped well below the
# broker CPU ratio on a small machine.
#
#   bench/amqp_vs_rabbitmq.sh [messages=100000]
# Environment: WARREN, WARREN_PERF (binaries, default build/release/...), SYNC (full),
# PERF_SECONDS (15: warren-perf's --duration), SCALE ("1 2": client processes per role).
set -euo pipefail

messages=${1:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
warren=${WARREN:-$root/build/release/app/warren}
perf=${WARREN_PERF:-$root/build/release/tools/perf/warren-perf}
sync_mode=${SYNC:-full}
perf_seconds=${PERF_SECONDS:-15}
read -r -a scale <<<"${SCALE:-1 2}"
client=$root/bench/amqp_clients/amqplib_perf.mjs
amqplib_dir=$root/tests/integration/amqp_clients/amqplib

[[ -x $warren ]] || { echo "amqp_vs_rabbitmq: no $warren (cmake --build --preset release --target warren)" >&2; exit 1; }
command -v node >/dev/null || { echo "amqp_vs_rabbitmq: node is not installed" >&2; exit 1; }
[[ -d $amqplib_dir/node_modules/amqplib ]] ||
    { echo "amqp_vs_rabbitmq: amqplib is not installed: (cd $amqplib_dir && npm ci)" >&2; exit 1; }
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server || -n ${RABBITMQ_BIN:-} ]] ||
    { echo "amqp_vs_rabbitmq: RabbitMQ is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }

scratch=$(mktemp -d /tmp/amqp_vs_rabbitmq.XXXXXX)
warren_pid=
cleanup() {
    if [[ -n $warren_pid ]]; then
        kill "$warren_pid" 2>/dev/null || true
        wait "$warren_pid" 2>/dev/null || true
    fi
    "$root/bench/rabbitmq_node.sh" stop "$scratch/rabbitmq" || true
    rm -rf "$scratch"
}
trap cleanup EXIT
# A Ctrl-C or kill ends the script through the EXIT trap, which stops both brokers.
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# warren: its own data dir, AMQP on a free port (0 would turn AMQP off), HTTP on any port.
warren_amqp=$(free_port)
"$warren" --http-port 0 --amqp-port "$warren_amqp" --data-dir "$scratch/warren-data" \
    --sync "$sync_mode" >"$scratch/warren.log" 2>&1 &
warren_pid=$!
warren_http=
for _ in $(seq 100); do
    if grep -q "listening on amqp://127.0.0.1:$warren_amqp" "$scratch/warren.log"; then
        warren_http=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$scratch/warren.log")
        [[ -n $warren_http ]] && break
    fi
    kill -0 "$warren_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $warren_http ]] || { echo "amqp_vs_rabbitmq: warren did not start" >&2; cat "$scratch/warren.log" >&2; exit 1; }

rabbit_amqp=$(free_port)
rabbit_node=$("$root/bench/rabbitmq_node.sh" start "$scratch/rabbitmq" "$rabbit_amqp")
rabbit_pid=$(cat "$scratch/rabbitmq/rabbitmq.pid")

declare -A url=([warren]="amqp://guest:guest@127.0.0.1:$warren_amqp/%2F"
    [rabbitmq]="amqp://guest:guest@127.0.0.1:$rabbit_amqp/%2F")
declare -A pid=([warren]=$warren_pid [rabbitmq]=$rabbit_pid)

echo "amqp_vs_rabbitmq: $messages messages of 256 B per run, persistent, confirm window 1000," \
    "prefetch 1000, one ack per message; client amqplib $(node -p "require('$amqplib_dir/node_modules/amqplib/package.json').version")" \
    "on node $(node --version); warren --sync $sync_mode ($("$warren" --version 2>/dev/null | head -1 || true))," \
    "RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?') node $rabbit_node" \
    "(Erlang $(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().' 2>/dev/null));" \
    "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

cpu_seconds() { # pid: user + system seconds of the whole process
    awk -v ticks="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / ticks }' "/proc/$1/stat"
}

# One client run: broker, name of the row, then amqplib_perf flags. Saves its JSON line, with the
# broker's CPU seconds over the run added, as $scratch/<broker>-<name>.json.
run() {
    local broker=$1 name=$2
    shift 2
    local before after
    before=$(cpu_seconds "${pid[$broker]}")
    if ! node "$client" "$@" --url "${url[$broker]}" --messages "$messages" \
        >"$scratch/out.json" 2>"$scratch/err.txt"; then
        echo "amqp_vs_rabbitmq: $name on $broker failed:" >&2
        cat "$scratch/err.txt" "$scratch/out.json" >&2
        exit 1
    fi
    after=$(cpu_seconds "${pid[$broker]}")
    python3 - "$scratch/out.json" "$(echo "$after - $before" | bc)" >"$scratch/$broker-$name.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["broker_cpu_s"] = float(sys.argv[2])
print(json.dumps(s))
PY
    python3 - "$broker" "$name" "$scratch/$broker-$name.json" <<'PY' >&2
import json, sys
broker, name, path = sys.argv[1:]
s = json.load(open(path))
rate = s.get("consume_rate") or s.get("publish_rate")
lat = s.get("latency_ms") or s.get("confirm_latency_ms")
lat = f", latency p50 {lat['p50']:.2f} p99 {lat['p99']:.2f} ms" if lat else ""
print(f"  {name:12} {broker:8} {rate:8.0f} msg/s{lat}, broker cpu "
      f"{s['broker_cpu_s'] / s['messages'] * 1e6:.1f} us/msg, client cpu "
      f"{s['client_cpu_us_per_msg']:.1f} us/msg {s['client_cpu_pct']} %")
PY
}

rows=()
for n in "${scale[@]}"; do
    for broker in warren rabbitmq; do
        queue=bench-$n-$RANDOM$RANDOM
        run "$broker" "publish-x$n" publish --publishers "$n" --queue "$queue" --keep
        run "$broker" "consume-x$n" consume --consumers "$n" --queue "$queue"
    done
    rows+=("publish-x$n" "consume-x$n")
done
for n in "${scale[@]}"; do
    for broker in warren rabbitmq; do
        run "$broker" "both-x$n" both --publishers "$n" --consumers "$n"
    done
    rows+=("both-x$n")
done

# warren-perf (the C++ load generator) over AMQP, when it has --protocol amqp yet.
perf_rows=()
if [[ ! -x $perf ]]; then
    echo "amqp_vs_rabbitmq: no $perf: skipping the warren-perf rows" >&2
elif ! "$perf" --help 2>&1 | grep -q -- '--protocol.*amqp\|amqp-url'; then
    echo "amqp_vs_rabbitmq: $perf has no --protocol amqp yet: skipping the warren-perf rows" >&2
else
    for broker in warren rabbitmq; do
        # --url (HTTP) only for warren: RabbitMQ runs without the management plugin.
        target=(--amqp-url "amqp://guest:guest@127.0.0.1:$warren_amqp" --url "http://127.0.0.1:$warren_http")
        [[ $broker == rabbitmq ]] && target=(--amqp-url "amqp://guest:guest@127.0.0.1:$rabbit_amqp")
        queue=warren-perf-$RANDOM$RANDOM
        before=$(cpu_seconds "${pid[$broker]}")
        if "$perf" --protocol amqp "${target[@]}" --queue "$queue" --publishers 1 --consumers 1 \
            --persistent --confirm 1000 --prefetch 1000 --size 256 --duration "$perf_seconds" \
            --json >"$scratch/perf.json" 2>"$scratch/perf.err"; then
            after=$(cpu_seconds "${pid[$broker]}")
            python3 - "$scratch/perf.json" "$(echo "$after - $before" | bc)" \
                >"$scratch/$broker-warren-perf.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["broker_cpu_s"] = float(sys.argv[2])
print(json.dumps(s))
PY
        else
            echo "amqp_vs_rabbitmq: warren-perf against $broker failed:" >&2
            tail -n 5 "$scratch/perf.err" >&2
            echo '{"ok": false}' >"$scratch/$broker-warren-perf.json"
        fi
        # warren-perf leaves its durable queue (and on RabbitMQ any unconsumed messages).
        if [[ $broker == warren ]]; then
            curl -s -u guest:guest -X DELETE "http://127.0.0.1:$warren_http/api/queues/%2F/$queue" >/dev/null || true
        else
            "$root/bench/rabbitmq_node.sh" ctl "$scratch/rabbitmq" delete_queue "$queue" >/dev/null 2>&1 || true
        fi
    done
    perf_rows=(warren-perf)
fi

python3 - "$scratch" "$sync_mode" "${rows[@]}" -- "${perf_rows[@]}" <<'PY'
import json, os, sys
scratch, sync_mode = sys.argv[1:3]
args = sys.argv[3:]
split = args.index("--")
rows, perf_rows = args[:split], args[split + 1:]
load = lambda broker, name: json.load(open(os.path.join(scratch, f"{broker}-{name}.json")))

def ratio(a, b):
    return f"{a / b:.1f}x" if b else "?"

def fmt_lat(l):
    return f"{l['p50']:.1f} / {l['p99']:.1f}" if l else ""

print()
print(f"| mode | clients | warren msg/s | RabbitMQ msg/s | ratio | warren p50 / p99 ms | "
      f"RabbitMQ p50 / p99 ms | broker CPU us/msg (warren / RabbitMQ) | CPU ratio | "
      f"client CPU us/msg (warren / RabbitMQ) | client CPU % per process (warren / RabbitMQ) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name in rows:
    mode, n = name.rsplit("-x", 1)
    w, r = load("warren", name), load("rabbitmq", name)
    key = "publish_rate" if mode == "publish" else "consume_rate"
    lat = {"publish": "confirm_latency_ms", "both": "latency_ms"}.get(mode)
    clients = {"publish": f"{n} pub", "consume": f"{n} cons", "both": f"{n} pub + {n} cons"}[mode]
    cpu = lambda s: s["broker_cpu_s"] / s["messages"] * 1e6
    ccpu = lambda s: "+".join(str(p) for p in s["client_cpu_pct"])
    print(f"| {mode} | {clients} | {w[key]:,} | {r[key]:,} | {ratio(w[key], r[key])} | "
          f"{fmt_lat(w.get(lat)) if lat else ''} | {fmt_lat(r.get(lat)) if lat else ''} | "
          f"{cpu(w):.1f} / {cpu(r):.1f} | {ratio(cpu(r), cpu(w))} | "
          f"{w['client_cpu_us_per_msg']:.1f} / {r['client_cpu_us_per_msg']:.1f} | {ccpu(w)} / {ccpu(r)} |")
for name in perf_rows:
    w, r = load("warren", name), load("rabbitmq", name)
    if not (w.get("ok") and r.get("ok")):
        print(f"| warren-perf both | 1 pub + 1 cons | {'failed' if not w.get('ok') else round(w['receive_rate'])} | "
              f"{'failed' if not r.get('ok') else round(r['receive_rate'])} | | | | | | | |")
        continue
    lat = lambda s: f"{s['latency']['p50_ms']:.1f} / {s['latency']['p99_ms']:.1f}"
    cpu = lambda s: s["broker_cpu_s"] / max(s["received"], 1) * 1e6
    print(f"| warren-perf both (sent {w['send_rate']:,.0f} / {r['send_rate']:,.0f}) | 1 pub + 1 cons | "
          f"{w['receive_rate']:,.0f} | {r['receive_rate']:,.0f} | {ratio(w['receive_rate'], r['receive_rate'])} | "
          f"{lat(w)} | {lat(r)} | {cpu(w):.1f} / {cpu(r):.1f} | {ratio(cpu(r), cpu(w))} | C++ | |")
print()
print(f"Rates: publish = messages / time to the last confirm; consume and both = messages / time to "
      f"the last delivery. Latency: publish = publish-to-confirm, both = publish-to-delivery. "
      f"CPU ratio = RabbitMQ's broker CPU per message / warren's. Client CPU % near 100 for a "
      f"process = that amqplib process set the pace, not the broker. "
      f"warren --sync {sync_mode}; RabbitMQ defaults (classic queue). "
      f"{os.cpu_count()} cores, load at the end {' '.join(open('/proc/loadavg').read().split()[:3])}.")
PY
