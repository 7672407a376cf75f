#!/usr/bin/env python3
"""The soak's WebSocket clients that warren-perf does not play (bench/soak.sh), stdlib only.

  soak_clients.py slow PORT QUEUE SECONDS     a slow consumer: prefetch 20, one ack per 20 ms,
                                              reconnecting every 30 s (its unacked come back)
  soak_clients.py stalled PORT QUEUE SECONDS  subscribes (prefetch 100) and never reads: the
                                              server must bound what it holds for it; it also
                                              answers no ping, so the server drops it after its
                                              idle timeout (60 s): it comes back every 45 s

Each prints one JSON line at the end: {"kind", "received", "acked", "reconnects"}.
"""

import base64
import json
import os
import socket
import struct
import sys
import time

AUTH = "Basic " + base64.b64encode(b"guest:guest").decode()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: {AUTH}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the upgrade")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
    return s, bytearray(head.split(b"\r\n\r\n", 1)[1])


def send(s, obj):
    payload = json.dumps(obj).encode()
    mask = os.urandom(4)
    n = len(payload)
    header = bytes([0x81])
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", n)
    s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def frames(s, buf):
    """Yields (opcode, payload) for each whole frame; reads more as needed."""
    while True:
        while True:
            if len(buf) >= 2:
                n = buf[1] & 0x7F
                at = 2
                if n == 126 and len(buf) >= 4:
                    n = struct.unpack("!H", buf[2:4])[0]
                    at = 4
                elif n == 127 and len(buf) >= 10:
                    n = struct.unpack("!Q", buf[2:10])[0]
                    at = 10
                if (buf[1] & 0x7F) < 126 or at > 2:
                    if len(buf) >= at + n:
                        opcode = buf[0] & 0x0F
                        payload = bytes(buf[at : at + n])
                        del buf[: at + n]
                        yield opcode, payload
                        continue
            break
        chunk = s.recv(65536)
        if not chunk:
            return
        buf += chunk


def slow(port, queue, seconds):
    end = time.time() + seconds
    received = acked = reconnects = 0
    while time.time() < end:
        s, buf = connect(port)
        s.settimeout(1.0)
        send(s, {"op": "subscribe", "id": "s", "vhost": "/", "queue": queue, "prefetch": 20})
        session_end = min(end, time.time() + 30)
        try:
            for opcode, payload in frames(s, buf):
                if opcode == 0x9:  # ping: the server's liveness check
                    continue
                if opcode == 0x8:
                    break
                msg = json.loads(payload)
                if msg.get("type") == "message":
                    received += 1
                    time.sleep(0.02)
                    send(s, {"op": "ack", "tag": msg["tag"]})
                    acked += 1
                if time.time() > session_end:
                    break
        except socket.timeout:
            pass
        s.close()  # unacked deliveries go back to the queue
        reconnects += 1
    return {"kind": "slow", "received": received, "acked": acked, "reconnects": reconnects}


def stalled(port, queue, seconds):
    end = time.time() + seconds
    reconnects = 0
    while time.time() < end:
        s, _ = connect(port)
        send(s, {"op": "subscribe", "id": "x", "vhost": "/", "queue": queue, "prefetch": 100})
        # Never reads: the kernel buffers fill, then the server's outbox bound holds.
        time.sleep(max(0.0, min(45.0, end - time.time())))
        s.close()
        reconnects += 1
    return {"kind": "stalled", "received": 0, "acked": 0, "reconnects": reconnects}


if __name__ == "__main__":
    kind, port, target, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    result = (slow if kind == "slow" else stalled)(port, target, seconds)
    print(json.dumps(result), flush=True)
