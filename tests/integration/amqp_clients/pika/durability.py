"""kill -9 under AMQP load: every publish confirmed before the kill is there after a restart,
persistent and intact; unacked deliveries of a consumer come back redelivered."""

import json
import os
import signal
import subprocess
import threading
import time

import pika

from common import check, connect

connection = connect()
channel = connection.channel()
channel.queue_declare("durable-work", durable=True)
channel.confirm_delivery()

# A consumer holds 5 unacked deliveries when the server dies.
consumer = connect()
cch = consumer.channel()
cch.basic_qos(prefetch_count=5)

confirmed = 0
for i in range(300):
    channel.basic_publish("", "durable-work", f"m{i}".encode(),
                          pika.BasicProperties(delivery_mode=2))
    confirmed += 1
held = 0
for method, props, body in cch.consume("durable-work", inactivity_timeout=2):
    if method is None:
        break
    held += 1
    if held == 5:
        break
check(held == 5, f"the consumer holds 5 unacked: {held}")

# Publish on from another thread while the server is killed: confirmed ones must survive.
stop = threading.Event()
extra = {"confirmed": 0}


def publish_more():
    c = connect()
    ch = c.channel()
    ch.confirm_delivery()
    try:
        for i in range(100000):
            if stop.is_set():
                break
            ch.basic_publish("", "durable-work", f"x{i}".encode(),
                             pika.BasicProperties(delivery_mode=2))
            extra["confirmed"] += 1
    except Exception:
        pass  # the server died under us


worker = threading.Thread(target=publish_more)
worker.start()
time.sleep(1.0)
os.kill(int(os.environ["WARREN_PID"]), signal.SIGKILL)
stop.set()
worker.join(timeout=10)
confirmed += extra["confirmed"]
check(extra["confirmed"] > 0, "some publishes were confirmed under load before the kill")

# Restart on the same data directory and ports.
restarted = subprocess.Popen(json.loads(os.environ["WARREN_CMD"]), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 15
    again = None
    while again is None and time.time() < deadline:
        try:
            again = connect()
        except pika.exceptions.AMQPConnectionError:
            time.sleep(0.1)
    check(again is not None, "the restarted server accepts AMQP")
    ach = again.channel()
    count = ach.queue_declare("durable-work", durable=True, passive=True).method.message_count
    check(count >= confirmed, f"{confirmed} confirmed before kill -9, {count} after restart")
    redelivered = 0
    bodies = set()
    for method, props, body in ach.consume("durable-work", auto_ack=True, inactivity_timeout=2):
        if method is None:
            break
        bodies.add(body)
        check(props.delivery_mode == 2, "still persistent")
        redelivered += 1 if method.redelivered else 0
    check(all(f"m{i}".encode() in bodies for i in range(300)), "every confirmed m-message is back")
    check(redelivered >= 5, f"the 5 held deliveries come back redelivered ({redelivered})")
    again.close()
finally:
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=10)
print("ok", confirmed, "confirmed")
