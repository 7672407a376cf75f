"""What the pika tests share: connection parameters from with_warren.py's environment, the HTTP
API, and a check that fails loudly."""

import base64
import json
import os
import ssl
import sys
import urllib.request

import pika

PORT = int(os.environ["WARREN_AMQP_PORT"])
HTTP = os.environ["WARREN_HTTP_URL"]


def params(**kwargs):
    return pika.ConnectionParameters(host="127.0.0.1", port=PORT,
                                     credentials=pika.PlainCredentials("guest", "guest"),
                                     **kwargs)


def tls_params():
    context = ssl.create_default_context(cafile=os.environ["WARREN_TLS_CA"])
    return pika.ConnectionParameters(host="localhost", port=int(os.environ["WARREN_AMQPS_PORT"]),
                                     credentials=pika.PlainCredentials("guest", "guest"),
                                     ssl_options=pika.SSLOptions(context, "localhost"))


def connect(**kwargs):
    return pika.BlockingConnection(params(**kwargs))


def http(method, path, body=None):
    request = urllib.request.Request(HTTP + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def check(condition, what):
    if not condition:
        print("FAILED:", what, file=sys.stderr)
        sys.exit(1)


def drain(channel, queue, count, timeout=5.0, auto_ack=True):
    """`count` messages consumed from `queue` (bodies, properties), or fewer after `timeout`."""
    got = []
    for method, properties, body in channel.consume(queue, auto_ack=auto_ack,
                                                    inactivity_timeout=timeout):
        if method is None:
            break
        got.append((method, properties, body))
        if len(got) == count:
            break
    channel.cancel()
    return got
