#!/usr/bin/env python3
"""Runs a command against a fresh warren with AMQP on: the driver of the AMQP client tests.

    with_warren.py WARREN_BINARY [--tls] [--warren-arg=ARG ...] -- COMMAND [ARGS...]

Starts WARREN_BINARY on a temporary data directory with --http-port 0 and --amqp-port on a free
port (with --tls also --amqps-port and a self-signed certificate made with openssl), waits until
it listens, runs COMMAND with these in its environment, and stops warren (SIGTERM) afterwards:

    WARREN_AMQP_URL    amqp://guest:guest@127.0.0.1:PORT/%2F
    WARREN_AMQP_PORT   the AMQP port; WARREN_AMQPS_PORT the TLS one (with --tls)
    WARREN_HTTP_URL    http://127.0.0.1:PORT
    WARREN_TLS_CA      the certificate (with --tls)

The exit status is COMMAND's; warren's log is printed when it fails, or when warren did not
start. A test that needs warren restarted (kill -9) gets its command line in WARREN_CMD (JSON)
and its pid in WARREN_PID.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    args = sys.argv[1:]
    if "--" not in args or not args:
        print(__doc__, file=sys.stderr)
        return 2
    split = args.index("--")
    binary, options, command = args[0], args[1:split], args[split + 1:]
    tls = "--tls" in options
    # --warren-arg=X (repeatable): X is added to warren's command line.
    extra = [o[len("--warren-arg="):] for o in options if o.startswith("--warren-arg=")]
    scratch = tempfile.mkdtemp(prefix="warren-amqp-")
    amqp_port = free_port()
    cmd = [binary, "--http-port", "0", "--amqp-port", str(amqp_port),
           "--data-dir", os.path.join(scratch, "data")] + extra
    env = dict(os.environ)
    if tls:
        cert = os.path.join(scratch, "cert.pem")
        key = os.path.join(scratch, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        amqps_port = free_port()
        cmd += ["--amqps-port", str(amqps_port), "--tls-cert", cert, "--tls-key", key]
        env["WARREN_AMQPS_PORT"] = str(amqps_port)
        env["WARREN_TLS_CA"] = cert
    log_path = os.path.join(scratch, "warren.log")
    log = open(log_path, "w+b")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    http_port = None
    deadline = time.time() + 15
    while time.time() < deadline and server.poll() is None:
        with open(log_path, "rb") as f:
            text = f.read().decode(errors="replace")
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
        if found and f"amqp://127.0.0.1:{amqp_port}" in text:
            http_port = int(found.group(1))
            break
        time.sleep(0.05)
    if http_port is None:
        server.kill()
        server.wait()
        with open(log_path, "rb") as f:
            sys.stderr.write("warren did not start:\n" + f.read().decode(errors="replace"))
        return 1
    env["WARREN_AMQP_PORT"] = str(amqp_port)
    env["WARREN_AMQP_URL"] = f"amqp://guest:guest@127.0.0.1:{amqp_port}/%2F"
    env["WARREN_HTTP_URL"] = f"http://127.0.0.1:{http_port}"
    env["WARREN_CMD"] = json.dumps(cmd)
    env["WARREN_PID"] = str(server.pid)
    env["WARREN_LOG"] = log_path
    try:
        status = subprocess.run(command, env=env).returncode
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if status != 0:
        with open(log_path, "rb") as f:
            sys.stderr.write("--- warren's log ---\n" + f.read().decode(errors="replace")[-20000:])
    return status


if __name__ == "__main__":
    sys.exit(main())
