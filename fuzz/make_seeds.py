#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ (committed; rerun after editing a seed here).

Each seed is a real input of the kind the target reads: whole HTTP requests as a client sends
them (Content-Length computed here), masked WebSocket frames as a browser sends them, the JSON
ops of DESIGN.md section 4, definitions documents, publish bodies, patterns and list queries.
The files are small on purpose: libFuzzer grows its own corpus from them in a scratch copy
(bench/fuzz.sh); only inputs worth keeping are merged back (fuzz/README.md).

Usage: fuzz/make_seeds.py   (from anywhere; it writes next to itself)
"""

import base64
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
AUTH = "Authorization: Basic " + base64.b64encode(b"guest:guest").decode()


def write(target, name, data):
    path = os.path.join(CORPUS, target)
    os.makedirs(path, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


# --- http_request: one connection's bytes, one or more requests ------------------------------


def request(method, target, body=None, headers=(), auth=True, close=False):
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost:15672"]
    if auth:
        lines.append(AUTH)
    lines += list(headers)
    if body is not None:
        if isinstance(body, (dict, list)):
            body = json.dumps(body, separators=(",", ":"))
        lines += ["Content-Type: application/json", f"Content-Length: {len(body.encode())}"]
    if close:
        lines.append("Connection: close")
    return "\r\n".join(lines) + "\r\n\r\n" + (body or "")


def chunked(method, target, body, sizes):
    out = "\r\n".join(
        [f"{method} {target} HTTP/1.1", "Host: localhost", AUTH,
         "Content-Type: application/json", "Transfer-Encoding: chunked"]) + "\r\n\r\n"
    at = 0
    for n in sizes:
        part = body[at:at + n]
        at += n
        out += f"{len(part):x}\r\n{part}\r\n"
    assert at >= len(body)
    return out + "0\r\n\r\n"


def http_request_seeds():
    t = "http_request"
    queue = {"durable": True, "auto_delete": False,
             "arguments": {"x-max-length": 10, "x-message-ttl": 60000}}
    exchange = {"type": "topic", "durable": True, "auto_delete": False, "internal": False,
                "arguments": {}}
    publish = {"properties": {"delivery_mode": 2, "content_type": "application/json",
                              "headers": {"trace": "t-1"}},
               "routing_key": "order.created", "payload": '{"id":1}',
               "payload_encoding": "string"}
    write(t, "get_overview", request("GET", "/api/overview"))
    write(t, "get_whoami_no_auth", request("GET", "/api/whoami", auth=False))
    write(t, "put_queue", request("PUT", "/api/queues/%2F/orders", queue))
    write(t, "put_vhost_then_queue",
          request("PUT", "/api/vhosts/dev") + request("PUT", "/api/queues/dev/a%20b%2Fc", {}))
    # A whole session: declare, bind, publish, get, list, with the binding's props at the end.
    write(t, "declare_bind_publish_get",
          request("PUT", "/api/exchanges/%2F/events", exchange)
          + request("PUT", "/api/queues/%2F/orders", queue)
          + request("POST", "/api/bindings/%2F/e/events/q/orders",
                    {"routing_key": "order.#", "arguments": {}})
          + request("POST", "/api/exchanges/%2F/events/publish", publish)
          + request("POST", "/api/queues/%2F/orders/get",
                    {"count": 5, "ackmode": "ack_requeue_false", "encoding": "auto",
                     "truncate": 50000})
          + request("GET", "/api/queues/%2F/orders/bindings")
          + request("GET", "/api/bindings/%2F/e/events/q/orders/order.%23")
          + request("DELETE", "/api/bindings/%2F/e/events/q/orders/order.%23", close=True))
    write(t, "exchange_to_exchange",
          request("PUT", "/api/exchanges/%2F/h", {"type": "headers"})
          + request("POST", "/api/bindings/%2F/e/amq.topic/e/h",
                    {"routing_key": "a b~c", "arguments": {"x-match": "any", "k": 1}})
          + request("GET", "/api/exchanges/%2F/h/bindings/destination"))
    write(t, "publish_batch",
          request("PUT", "/api/queues/%2F/q", {})
          + request("POST", "/api/exchanges/%2F/amq.default/publish",
                    [{"properties": {}, "routing_key": "q", "payload": "one",
                      "payload_encoding": "string"},
                     {"properties": {"priority": 3}, "routing_key": "q",
                      "payload": base64.b64encode(b"\x00\xff\xfe").decode(),
                      "payload_encoding": "base64"}]))
    write(t, "publish_chunked",
          chunked("POST", "/api/exchanges/%2F/amq.default/publish",
                  json.dumps(publish, separators=(",", ":")), [1, 16, 200]))
    write(t, "list_queues_paged",
          request("GET", "/api/queues?page=1&page_size=10&name=ord&use_regex=false"
                  "&sort=messages&sort_reverse=true&columns=name,messages"))
    write(t, "list_queues_regex",
          request("GET", "/api/queues/%2F?page=2&page_size=500&name=%5Eord.%2A%24&use_regex=true"))
    write(t, "list_exchanges_plus",
          request("GET", "/api/exchanges?name=amq+top&sort=name&page=1&page_size=2"))
    write(t, "list_bindings", request("GET", "/api/bindings/%2F?sort=source"))
    write(t, "users_permissions",
          request("PUT", "/api/users/alice", {"password": "pw", "tags": "management"})
          + request("PUT", "/api/permissions/%2F/alice",
                    {"configure": "^alice\\.", "write": ".*", "read": "(?i)^ORD"})
          + request("GET", "/api/users/alice/permissions")
          + request("DELETE", "/api/users/alice"))
    write(t, "definitions_import",
          request("POST", "/api/definitions",
                  {"vhosts": [{"name": "v3"}],
                   "queues": [{"name": "abc", "vhost": "v3", "durable": True,
                               "auto_delete": False, "arguments": {}}],
                   "exchanges": [{"name": "ev", "vhost": "v3", "type": "topic",
                                  "durable": True, "auto_delete": False, "internal": False,
                                  "arguments": {}}],
                   "bindings": [{"source": "ev", "vhost": "v3", "destination": "abc",
                                 "destination_type": "queue", "routing_key": "k.#",
                                 "arguments": {}}]})
          + request("GET", "/api/definitions/v3"))
    write(t, "purge_and_delete",
          request("DELETE", "/api/queues/%2F/orders/contents")
          + request("DELETE", "/api/queues/%2F/orders?if-empty=true"))
    write(t, "health_and_metrics",
          request("GET", "/api/health/checks/alarms", auth=False)
          + request("GET", "/api/health/checks/port-listener/15672")
          + request("GET", "/metrics", auth=False))
    write(t, "head_static", request("HEAD", "/"))
    write(t, "auth_token", request("POST", "/api/auth/token", body=""))
    # Framing the session refuses (request_framing): TE plus Content-Length, HTTP/1.0 chunked.
    write(t, "smuggle_te_cl",
          "POST /api/exchanges/%2F/amq.default/publish HTTP/1.1\r\nHost: x\r\n" + AUTH +
          "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    write(t, "http10_chunked",
          "POST /api/queues/%2F/q/get HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")


# --- ws_frame: first byte = chunk size for the split read, then client (masked) frames --------


def frame(opcode, payload=b"", fin=True, mask=0x37FA213D, rsv=0, length_form=None):
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    form = length_form or ("short" if n < 126 else "16" if n < 65536 else "64")
    mbit = 0x80 if mask is not None else 0
    if form == "short":
        head = bytes([b0, mbit | n])
    elif form == "16":
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    key = struct.pack(">I", mask)
    return head + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def close(code=None, reason=""):
    payload = b"" if code is None else struct.pack(">H", code) + reason.encode()
    return frame(0x8, payload)


def ws_frame_seeds():
    t = "ws_frame"
    sub = '{"op":"subscribe","id":"s1","vhost":"/","queue":"orders","prefetch":100}'
    write(t, "text_whole", b"\x00" + frame(0x1, sub))
    write(t, "text_split_7", b"\x07" + frame(0x1, sub) + frame(0x1, '{"op":"ping"}'))
    write(t, "binary", b"\x03" + frame(0x2, bytes(range(256))))
    write(t, "len16", b"\x40" + frame(0x1, "x" * 300))
    write(t, "len64_over_limit", b"\x00" + frame(0x2, b"y" * 1100, length_form="64"))
    write(t, "fragmented_with_ping",
          b"\x05" + frame(0x1, '{"op":"ack",', fin=False) + frame(0x9, "are you there")
          + frame(0x0, '"tag":17', fin=False) + frame(0x0, "}"))
    write(t, "fragmented_utf8_split",
          b"\x02" + frame(0x1, "caf\xc3".encode("latin-1"), fin=False)
          + frame(0x0, "\xa9".encode("latin-1")))
    write(t, "pong_then_close", b"\x01" + frame(0xA, "p") + close(1000, "bye"))
    write(t, "close_no_code", b"\x00" + close())
    write(t, "close_bad_code", b"\x00" + close(1005))
    write(t, "text_bad_utf8", b"\x00" + frame(0x1, b"\xc3\x28"))
    write(t, "unmasked", b"\x00" + frame(0x1, "hi", mask=None))
    write(t, "rsv_set", b"\x00" + frame(0x1, "hi", rsv=4))
    write(t, "ping_too_long", b"\x00" + frame(0x9, "z" * 126))
    write(t, "non_minimal_len", b"\x00" + frame(0x1, "abc", length_form="16"))
    write(t, "continuation_alone", b"\x00" + frame(0x0, "x"))


# --- ws_ops: one text frame's JSON (DESIGN.md section 4) ---------------------------------------


def ws_ops_seeds():
    t = "ws_ops"
    ops = {
        "subscribe_queue": {"op": "subscribe", "id": "s1", "vhost": "/", "queue": "orders",
                            "prefetch": 100, "ack": "manual"},
        "subscribe_exchange": {"op": "subscribe", "id": "s2", "vhost": "/", "exchange": "events",
                               "binding_key": "order.*", "ack": "auto", "exclusive": True},
        "subscribe_headers": {"op": "subscribe", "id": "h", "exchange": "amq.headers",
                              "arguments": {"x-match": "all", "region": "eu"}},
        "unsubscribe": {"op": "unsubscribe", "id": "s1"},
        "ack_multiple": {"op": "ack", "tag": 17, "multiple": True},
        "nack": {"op": "nack", "tag": 17, "requeue": False, "id": "n1"},
        "reject": {"op": "reject", "tag": 18446744073709551615, "requeue": True},
        "publish": {"op": "publish", "vhost": "/", "exchange": "events",
                    "routing_key": "order.created", "payload": "{\"id\":1}",
                    "payload_encoding": "string",
                    "properties": {"delivery_mode": 2, "priority": 5, "timestamp": 1700000000,
                                   "message_id": "m-1", "user_id": "guest",
                                   "headers": {"a": 1, "b": [1.5, None, {"c": "d"}]}},
                    "confirm": 42},
        "publish_base64": {"op": "publish", "exchange": "amq.default", "routing_key": "q",
                           "payload": base64.b64encode(b"\x00\x01\xff").decode(),
                           "payload_encoding": "base64", "confirm": "c-1", "id": "p"},
        "publish_bad_user": {"op": "publish", "exchange": "",
                             "properties": {"user_id": "mallory"}},
        "ping": {"op": "ping", "id": 7},
        "unknown_op": {"op": "dance"},
    }
    for name, op in ops.items():
        write(t, name, json.dumps(op, separators=(",", ":")))
    write(t, "not_json", '{"op":"ping"} trailing')
    write(t, "unicode_escapes", '{"op":"publish","exchange":"","payload":"\\ud83d\\ude00\\u00e9"}')


# --- publish_body: POST .../publish bodies, one message or a batch -------------------------------


def publish_body_seeds():
    t = "publish_body"
    one = {"properties": {}, "routing_key": "k", "payload": "hello",
           "payload_encoding": "string"}
    write(t, "single", json.dumps(one))
    write(t, "all_properties", json.dumps({
        "properties": {"content_type": "text/plain", "content_encoding": "gzip",
                       "correlation_id": "c", "reply_to": "amq.rabbitmq.reply-to",
                       "expiration": "60000", "message_id": "m", "type": "t", "user_id": "guest",
                       "app_id": "a", "delivery_mode": 1, "priority": 0, "timestamp": 0,
                       "headers": {"x-int": -1, "x-arr": [True, "s"]}},
        "routing_key": "order.created", "payload": "caf\u00e9", "payload_encoding": "string"}))
    write(t, "base64", json.dumps({"properties": {"delivery_mode": 2}, "routing_key": "",
                                   "payload": "AAEC/w==", "payload_encoding": "base64"}))
    write(t, "batch", json.dumps([one, dict(one, routing_key="other", payload="")]))
    write(t, "missing_field", json.dumps({"routing_key": "k", "payload": "x"}))
    write(t, "too_large", json.dumps(dict(one, payload="x" * 1100)))
    write(t, "bad_base64", json.dumps(dict(one, payload="A=A=", payload_encoding="base64")))
    write(t, "other_user", json.dumps(dict(one, properties={"user_id": "bob"})))


# --- definitions: POST /api/definitions documents ----------------------------------------------


def definitions_seeds():
    t = "definitions"
    write(t, "rabbitmq_export", json.dumps({
        "rabbit_version": "3.10.8", "rabbitmq_version": "3.10.8",
        "users": [{"name": "bob", "password_hash": "G7JebC/nLFyxQFj4OjdQN1K36t2g+S0otmNSpVI4aXp/1m6N",
                   "hashing_algorithm": "rabbit_password_hashing_sha256",
                   "tags": ["administrator"], "limits": {}}],
        "vhosts": [{"name": "/"}, {"name": "v3"}],
        "permissions": [{"user": "bob", "vhost": "v3", "configure": ".*", "write": ".*",
                         "read": ".*"}],
        "topic_permissions": [], "parameters": [], "policies": [],
        "queues": [{"name": "abc", "vhost": "v3", "durable": True, "auto_delete": False,
                    "arguments": {"x-max-length": 10, "x-dead-letter-exchange": "dlx"}}],
        "exchanges": [{"name": "ev", "vhost": "v3", "type": "topic", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}},
                      {"name": "dlx", "vhost": "v3", "type": "fanout", "durable": True}],
        "bindings": [{"source": "ev", "vhost": "v3", "destination": "abc",
                      "destination_type": "queue", "routing_key": "k.#", "arguments": {}},
                     {"source": "dlx", "vhost": "v3", "destination": "ev",
                      "destination_type": "exchange", "routing_key": "", "arguments": {}}]}))
    write(t, "per_vhost", json.dumps({
        "queues": [{"name": "q1", "durable": True}],
        "exchanges": [{"name": "x1", "type": "headers", "durable": True,
                       "arguments": {"alternate-exchange": "amq.fanout"}}],
        "bindings": [{"source": "x1", "destination": "q1", "destination_type": "queue",
                      "routing_key": "", "arguments": {"x-match": "any", "a": "1"}}]}))
    write(t, "user_plain_password", json.dumps({
        "users": [{"name": "carol", "password": "secret", "tags": "management,monitoring"}],
        "permissions": [{"user": "carol", "vhost": "/", "configure": "^carol\\.",
                         "write": "(?i)^amq\\.", "read": ""}]}))
    write(t, "bad_regex_permission", json.dumps({
        "permissions": [{"user": "guest", "vhost": "/", "configure": "(", "write": "",
                         "read": ""}]}))
    write(t, "unknown_exchange_type", json.dumps({
        "exchanges": [{"name": "x", "vhost": "/", "type": "nonsense"}]}))
    write(t, "binding_to_nowhere", json.dumps({
        "bindings": [{"source": "a", "vhost": "/", "destination": "b",
                      "destination_type": "queue"}]}))
    write(t, "empty", "{}")


# --- pattern: case byte, pattern, NUL, subject ---------------------------------------------------


def pattern_seeds():
    t = "pattern"
    cases = {
        "anchored": (0, "^orders\\.", "orders.eu"),
        "any": (0, ".*", "anything"),
        "empty": (0, "", "q"),
        "case_insensitive": (1, "ORD", "orders"),
        "inline_flag": (0, "(?i)^amq\\.gen", "AMQ.GEN-xyz"),
        "alternation_blowup": (0, "^(a|aa)+$", "a" * 64 + "b"),
        "unicode_class": (1, "^\\p{L}+$", "Ünïcødé"),
        "kelvin": (1, "k", "\u212a"),
        "bad_group": (0, "(", "x"),
        "backreference": (0, "(a)\\1", "aa"),
        "char_class": (0, "[a-z0-9._-]{1,255}", "queue-1"),
        "plain_no_subject": (0, "JzTY", None),
    }
    for name, (ci, pattern, subject) in cases.items():
        data = bytes([ci]) + pattern.encode()
        if subject is not None:
            data += b"\x00" + subject.encode()
        write(t, name, data)


# --- list_query: the fields in fuzz/list_query_fuzz.cpp's order (fuzz/support/byte_reader) -----


def list_query(admin=True, name="", regex=False, sort=None, reverse=False, page=None,
               vhost=None):
    """sort: an index into kSortFields, or a string; page: (page, page_size); vhost: "/"/"other"."""
    out = bytes([admin, len(name.encode())]) + name.encode() + bytes([regex])
    if isinstance(sort, int):
        out += bytes([1, sort])
    else:
        sort = (sort or "").encode()
        out += bytes([0, len(sort)]) + sort
    out += bytes([reverse])
    if page is None:
        out += b"\x00"
    else:
        out += b"\x01\x00" + struct.pack("<Q", page[0]) + b"\x00" + struct.pack("<Q", page[1])
    if vhost is None:
        return out + b"\x00"
    return out + bytes([1, vhost == "/"])


def list_query_seeds():
    t = "list_query"
    write(t, "all_unpaged", list_query())
    write(t, "name_ord_paged", list_query(name="ord", sort=0, page=(1, 10)))
    write(t, "regex_vhost", list_query(name="^o.*s$", regex=True, sort=2, reverse=True,
                                       page=(2, 3), vhost="/"))
    write(t, "user_other_vhost", list_query(admin=False, sort=5, page=(1, 2), vhost="other"))
    write(t, "page_zero", list_query(name="a", page=(0, 0)))
    write(t, "huge_page", list_query(page=(2**64 - 1, 2**63)))
    write(t, "bad_regex", list_query(name="(", regex=True))
    write(t, "unknown_sort", list_query(sort="arguments.x-nope", name="Ü", page=(1, 500)))


# --- amqp_frames, amqp_field_table: what an AMQP 0-9-1 client sends -------------------------


def shortstr(text):
    data = text.encode() if isinstance(text, str) else text
    return bytes([len(data)]) + data


def longstr(text):
    data = text.encode() if isinstance(text, str) else text
    return struct.pack(">I", len(data)) + data


def field(letter, value):
    """One field value: its type letter and bytes."""
    packers = {"t": ">B", "b": ">b", "B": ">B", "s": ">h", "u": ">H", "I": ">i", "i": ">I",
               "l": ">q", "T": ">Q", "f": ">f", "d": ">d"}
    if letter in packers:
        return letter.encode() + struct.pack(packers[letter], value)
    if letter in "Sx":
        return letter.encode() + longstr(value)
    if letter == "D":
        return b"D" + struct.pack(">Bi", value[0], value[1])
    if letter == "V":
        return b"V"
    if letter == "A":
        body = b"".join(field(l, v) for l, v in value)
        return b"A" + struct.pack(">I", len(body)) + body
    if letter == "F":
        return b"F" + table(value)
    raise ValueError(letter)


def table_body(entries):
    return b"".join(shortstr(k) + field(l, v) for k, (l, v) in entries.items())


def table(entries):
    body = table_body(entries)
    return struct.pack(">I", len(body)) + body


def amqp_frame(kind, channel, payload):
    return struct.pack(">BHI", kind, channel, len(payload)) + payload + b"\xce"


def method(channel, class_id, method_id, args=b""):
    return amqp_frame(1, channel, struct.pack(">HH", class_id, method_id) + args)


def content(channel, body, flags=0x1000, props=b"\x02"):
    header = struct.pack(">HHQH", 60, 0, len(body), flags) + props
    return amqp_frame(2, channel, header) + (amqp_frame(3, channel, body) if body else b"")


def amqp_frames_seeds():
    t = "amqp_frames"
    client = {"product": ("S", "pika"), "capabilities": ("F", {
        "publisher_confirms": ("t", 1), "consumer_cancel_notify": ("t", 1),
        "basic.nack": ("t", 1), "connection.blocked": ("t", 1)})}
    handshake = (method(0, 10, 11, table(client) + shortstr("PLAIN") +
                        longstr(b"\0guest\0guest") + shortstr("en_US")) +
                 method(0, 10, 31, struct.pack(">HIH", 2047, 131072, 60)) +
                 method(0, 10, 40, shortstr("/") + shortstr("") + b"\0") +
                 method(1, 20, 10, shortstr("")))
    write(t, "handshake", handshake)
    declare = method(1, 50, 10, struct.pack(">H", 0) + shortstr("tasks") + bytes([0b00010]) +
                     table({"x-max-length": ("I", 1000), "x-queue-type": ("S", "classic"),
                            "x-dead-letter-exchange": ("S", "dlx")}))
    write(t, "declare_publish", handshake + declare +
          method(1, 85, 10, b"\0") +
          method(1, 60, 40, struct.pack(">H", 0) + shortstr("") + shortstr("tasks") + b"\x01") +
          content(1, b"hello") +
          method(1, 60, 40, struct.pack(">H", 0) + shortstr("amq.topic") + shortstr("a.b") +
                 b"\0") +
          content(1, b"x" * 5000, flags=0xFFF8, props=(
              shortstr("text/plain") + shortstr("gzip") +
              table({"h": ("I", 1), "arr": ("A", [("S", "x"), ("t", 0)])}) + b"\x02\x05" +
              shortstr("corr") + shortstr("amq.rabbitmq.reply-to") + shortstr("60000") +
              shortstr("id-1") + struct.pack(">Q", 1700000000) + shortstr("type") +
              shortstr("guest") + shortstr("app"))))
    write(t, "consume_ack", handshake +
          method(1, 60, 10, struct.pack(">IHB", 0, 100, 0)) +
          method(1, 60, 20, struct.pack(">H", 0) + shortstr("tasks") + shortstr("") +
                 bytes([0b0000]) + table({"x-stream-offset": ("S", "first")})) +
          method(1, 60, 80, struct.pack(">QB", 1, 0)) +
          method(1, 60, 120, struct.pack(">QB", 5, 0b11)) +
          method(1, 60, 90, struct.pack(">QB", 6, 1)) +
          amqp_frame(8, 0, b"") +
          method(1, 60, 30, shortstr("ctag") + b"\0") +
          method(1, 20, 40, struct.pack(">H", 200) + shortstr("bye") + struct.pack(">HH", 0, 0)) +
          method(0, 10, 50, struct.pack(">H", 200) + shortstr("bye") + struct.pack(">HH", 0, 0)))
    write(t, "exchange_ops", handshake +
          method(1, 40, 10, struct.pack(">H", 0) + shortstr("orders") + shortstr("x-consistent-hash") +
                 bytes([0b00010]) + table({"x-partitions": ("I", 3)})) +
          method(1, 40, 30, struct.pack(">H", 0) + shortstr("a") + shortstr("b") + shortstr("k") +
                 b"\0" + table({})) +
          method(1, 50, 20, struct.pack(">H", 0) + shortstr("q") + shortstr("orders") +
                 shortstr("1") + b"\0" + table({})) +
          method(1, 50, 30, struct.pack(">H", 0) + shortstr("q") + b"\0") +
          method(1, 50, 40, struct.pack(">H", 0) + shortstr("q") + b"\x03") +
          method(1, 90, 10) + method(1, 90, 20) + method(1, 90, 30) +
          method(1, 60, 70, struct.pack(">H", 0) + shortstr("q") + b"\x01") +
          method(1, 60, 110, b"\x01"))
    write(t, "bad_end", method(1, 20, 10, shortstr(""))[:-1] + b"\x00")
    write(t, "oversized", struct.pack(">BHI", 3, 1, 1 << 20) + b"x" * 64)
    write(t, "unknown_method", method(1, 60, 255) + method(1, 99, 1))


def amqp_field_table_seeds():
    t = "amqp_field_table"
    write(t, "every_letter", table_body({
        "t": ("t", 1), "b": ("b", -1), "B": ("B", 255), "s": ("s", -2), "u": ("u", 65534),
        "I": ("I", -3), "i": ("i", 4294967293), "l": ("l", -4), "T": ("T", 2**64 - 1),
        "f": ("f", 1.5), "d": ("d", -2.25), "D": ("D", (2, 314)), "S": ("S", "héllo"),
        "x": ("x", b"\x00\xff"), "V": ("V", None),
        "A": ("A", [("I", 1), ("S", "a"), ("A", [])]),
        "F": ("F", {"k": ("t", 0), "deep": ("F", {"x": ("V", None)})})}))
    write(t, "arguments", table_body({
        "x-message-ttl": ("I", 60000), "x-dead-letter-exchange": ("S", ""),
        "x-max-length-bytes": ("l", 10**12), "x-queue-type": ("S", "stream"),
        "x-stream-offset": ("T", 1700000000)}))
    write(t, "nan", table_body({"n": ("d", float("nan")), "inf": ("f", float("inf"))}))
    # Letters recorded by JSON Pointer: inside arrays inside tables, names needing escapes, and
    # a repeated name whose first value's letters must not outlive it.
    write(t, "nested_letters", table_body({
        "x-death": ("A", [("F", {"count": ("l", 2), "time": ("T", 1700000000),
                                 "a/b~c": ("b", -5)}),
                          ("F", {"list": ("A", [("f", 0.25), ("D", (3, -1234)), ("u", 9)])})]),
        "price": ("D", (2, 1999)), "raw": ("x", b"\x01\x02")}) +
        table_body({"dup": ("F", {"k": ("b", 1)})}) + table_body({"dup": ("s", 2)}))


def main():
    for target in ["http_request", "ws_frame", "ws_ops", "publish_body", "definitions",
                   "pattern", "list_query", "amqp_frames", "amqp_field_table"]:
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
    http_request_seeds()
    ws_frame_seeds()
    ws_ops_seeds()
    publish_body_seeds()
    definitions_seeds()
    pattern_seeds()
    list_query_seeds()
    amqp_frames_seeds()
    amqp_field_table_seeds()


if __name__ == "__main__":
    main()
