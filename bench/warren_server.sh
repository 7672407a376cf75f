# Sourced by the bench scripts: one warren at a time on a fresh data dir.
# Needs $warren (the binary) and $scratch (a temp dir); start_warren [flags...] sets $port and
# $warren_pid; stop_warren ends it (SIGTERM, then waits).
warren_pid=
stop_warren() {
    if [[ -n $warren_pid ]]; then
        kill "$warren_pid" 2>/dev/null || true
        wait "$warren_pid" 2>/dev/null || true
        warren_pid=
    fi
}

start_warren() {
    rm -rf "$scratch/data"
    "$warren" --http-port 0 --amqp-port 0 --data-dir "$scratch/data" "$@" >"$scratch/warren.log" 2>&1 &
    warren_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$scratch/warren.log")
        [[ -n $port ]] && return
        sleep 0.1
    done
    echo "$(basename "$0"): warren did not start" >&2
    cat "$scratch/warren.log" >&2
    exit 1
}
