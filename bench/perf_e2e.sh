#!/usr/bin/env bash
# End to end through the real broker (README "Performance", issue 5): warren-perf publishers over
# WebSocket and over HTTP, WebSocket consumers with prefetch 1000 and manual acks, 256-byte
# persistent messages into one durable queue; each at a fixed 5 000 msg/s and at full speed.
# A fresh warren (temp data dir) per scenario; prints one line per scenario with the load average
# and the CPU each delivered message cost: warren's core thread (sessions, JSON, broker), its
# SQLite writer thread, and warren-perf (publishers and consumers together), from /proc and
# getrusage. CPU per message is steadier than msg/s on a shared machine.
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
warren=${WARREN:-$root/build/release/app/warren}
perf=${WARREN_PERF:-$root/build/release/tools/perf/warren-perf}
scratch=$(mktemp -d /tmp/perf_e2e.XXXXXX)
# shellcheck source=bench/warren_server.sh
source "$root/bench/warren_server.sh"
trap 'stop_warren; rm -rf "$scratch"' EXIT

for scenario in "${scenarios[@]}"; do
    case $scenario in
    ws-5k) args=(--transport ws --publishers "${WS_PUBLISHERS:-2}" --rate 5000) ;;
    ws-max) args=(--transport ws --publishers "${WS_PUBLISHERS:-2}") ;;
    http-5k) args=(--transport http --publishers "${HTTP_PUBLISHERS:-32}" --batch "${HTTP_BATCH:-1}" --rate 5000) ;;
    http-max) args=(--transport http --publishers "${HTTP_PUBLISHERS:-32}" --batch "${HTTP_BATCH:-1}") ;;
    *) echo "perf_e2e: unknown scenario $scenario" >&2; exit 2 ;;
    esac
    start_warren --sync "${SYNC:-normal}"
    # getrusage of the child gives warren-perf's CPU seconds (user + system) after it exits.
    # shellcheck disable=SC2086
    python3 -c 'import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{u.ru_utime + u.ru_stime}\n")
sys.exit(code)' "$scratch/perf_cpu" \
        "$perf" --url "http://127.0.0.1:$port" "${args[@]}" --consumers "${CONSUMERS:-2}" \
        --prefetch 1000 --persistent --size 256 --duration "$seconds" --json ${EXTRA:-} \
        >"$scratch/out.json" 2>"$scratch/lines.txt" || { cat "$scratch/lines.txt" >&2; exit 1; }
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    python3 - "$scenario" "$load" "$scratch/out.json" "$warren_pid" "$scratch/perf_cpu" <<'PY'
import json, os, sys
name, load, path, pid, perf_cpu = sys.argv[1:]
s = json.load(open(path))
ticks = os.sysconf("SC_CLK_TCK")
def thread_seconds(tid):
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
core = thread_seconds(pid)  # the main thread runs the io_context: sessions and broker
writer = sum(thread_seconds(t) for t in os.listdir(f"/proc/{pid}/task")
             if open(f"/proc/{pid}/task/{t}/comm").read().strip() == "warren-writer")
perf = float(open(perf_cpu).read())
per = lambda seconds: seconds / max(s["received"], 1) * 1e6
l, c = s["latency"], s["confirm_latency"]
print(f"{name:9} sent {s['send_rate']:8.0f}/s received {s['receive_rate']:8.0f}/s "
      f"(sent {s['sent']}, confirmed {s['confirmed']}, received {s['received']}) | "
      f"delivery p50 {l['p50_ms']:.2f} p99 {l['p99_ms']:.2f} max {l['max_ms']:.1f} ms | "
      f"confirm p50 {c['p50_ms']:.2f} p99 {c['p99_ms']:.2f} ms | "
      f"cpu/msg core {per(core):.2f} writer {per(writer):.2f} perf {per(perf):.2f} us | load {load}")
PY
    stop_warren
done
