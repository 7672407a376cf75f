#!/usr/bin/env bash
# A private RabbitMQ node for the benches (bench/amqp_vs_rabbitmq.sh): never the system service.
# Everything lives in DIR: mnesia, logs, pid file, an empty plugins file (no plugins), an empty
# config and env file (so /etc/rabbitmq is not read), HOME=DIR for a private Erlang cookie, and
# its own epmd on a free port (ERL_EPMD_PORT) so stopping the node leaves nothing running.
#
#   bench/rabbitmq_node.sh start DIR PORT   # AMQP on 127.0.0.1:PORT; returns once it accepts
#   bench/rabbitmq_node.sh stop DIR         # rabbitmqctl stop, then kill by pid; kills its epmd
#   bench/rabbitmq_node.sh ctl DIR ARGS...  # rabbitmqctl ARGS against it (e.g. list_queues)
#
# The node is warren-bench-PORT@localhost, guest/guest from loopback (RabbitMQ's default),
# defaults otherwise (classic queues, default fsync behaviour). The Debian wrapper
# /usr/sbin/rabbitmq-server would su to the rabbitmq user and use /var/lib/rabbitmq; the scripts
# under /usr/lib/rabbitmq/bin run as whoever calls them (root here works) and honour the
# RABBITMQ_* variables. Environment: RABBITMQ_BIN (default /usr/lib/rabbitmq/bin).
set -euo pipefail

bin=${RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
usage="usage: rabbitmq_node.sh start DIR PORT | stop DIR | ctl DIR ARGS..."
cmd=${1:?$usage}
dir=${2:?$usage}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The variables every rabbitmq script (server and ctl) needs to find this node; saved at start so
# stop sees the same ones.
node_env() {
    export HOME=$dir
    export RABBITMQ_NODENAME=$node
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$port
    export RABBITMQ_DIST_PORT=$dist_port
    export ERL_EPMD_PORT=$epmd_port
    export RABBITMQ_MNESIA_BASE=$dir/mnesia
    export RABBITMQ_LOG_BASE=$dir/log
    export RABBITMQ_PID_FILE=$dir/rabbitmq.pid
    export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
    export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
    export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
    export RABBITMQ_LOGS=$dir/log/node.log
}

ctl() { "$bin/rabbitmqctl" -n "$node" "$@"; }

case $cmd in
start)
    port=${3:?usage: rabbitmq_node.sh start DIR PORT}
    node=warren-bench-$port@localhost
    dist_port=$(free_port)
    epmd_port=$(free_port)
    printf 'node=%s\nport=%s\ndist_port=%s\nepmd_port=%s\n' "$node" "$port" "$dist_port" "$epmd_port" \
        >"$dir/node.vars"
    node_env
    mkdir -p "$dir/mnesia" "$dir/log"
    : >"$dir/rabbitmq.conf"
    : >"$dir/rabbitmq-env.conf"
    echo '[].' >"$dir/enabled_plugins"
    echo '[].' >"$dir/advanced.config"
    # Written before the node starts, so rabbitmqctl (same HOME) never races erl creating it.
    python3 -c 'import secrets; print(secrets.token_hex(16).upper(), end="")' >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
    # setsid: the node gets its own process group (a Ctrl-C reaches the bench, whose trap stops
    # the node cleanly, not the node directly). $! is the rabbitmq-server shell, which waits for
    # beam: alive as long as the node is, and the leader of its group (beam, erl_child_setup...).
    setsid "$bin/rabbitmq-server" >"$dir/log/startup.log" 2>&1 </dev/null &
    echo $! >"$dir/group.pid"
    # await_startup returns once the rabbit app (and so the AMQP listener) is up; it fails at
    # once while the node is not yet registered with epmd, hence the loop.
    for _ in $(seq 120); do
        if ! kill -0 "$(cat "$dir/group.pid")" 2>/dev/null; then
            echo "rabbitmq_node: node $node exited while starting:" >&2
            tail -n 30 "$dir/log/startup.log" "$dir/log/node.log" >&2 2>/dev/null || true
            exit 1
        fi
        if ctl await_startup --timeout 5 >/dev/null 2>&1; then
            # The listener, checked from outside: a TCP connect to the AMQP port.
            if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$port" 2>/dev/null; then
                echo "$node"
                exit 0
            fi
        fi
        sleep 0.5
    done
    echo "rabbitmq_node: node $node did not start in time" >&2
    tail -n 30 "$dir/log/startup.log" >&2 || true
    exit 1
    ;;
ctl)
    [[ -f $dir/node.vars ]] || { echo "rabbitmq_node: no node in $dir" >&2; exit 1; }
    # shellcheck source=/dev/null
    source "$dir/node.vars"
    node_env
    shift 2
    ctl "$@"
    ;;
stop)
    [[ -f $dir/node.vars ]] || exit 0 # never started
    # shellcheck source=/dev/null
    source "$dir/node.vars"
    node_env
    group=$(cat "$dir/group.pid" 2>/dev/null || true)
    if [[ -n $group ]] && kill -0 "$group" 2>/dev/null; then
        timeout 60 "$bin/rabbitmqctl" -n "$node" stop >/dev/null 2>&1 || true
        # Fallback: TERM, then KILL, to the process group we started (never by name).
        for signal in TERM TERM TERM TERM TERM KILL; do
            kill -0 "$group" 2>/dev/null || break
            kill -"$signal" -- "-$group" 2>/dev/null || true
            sleep 1
        done
    fi
    # The node's own epmd (started by erl as a daemon on ERL_EPMD_PORT): only nodes of this
    # bench registered there, so -kill ends it once the node is gone.
    epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
    rm -f "$dir/node.vars"
    ;;
*)
    echo "usage: rabbitmq_node.sh start DIR PORT | stop DIR | ctl DIR ARGS..." >&2
    exit 2
    ;;
esac
