"""Work queues as pika users write them: a durable queue, confirmed persistent publishes,
competing consumers with prefetch and manual acks, and a consumer that goes away with unacked
messages (they come back, redelivered, to the other)."""

import pika

from common import check, connect, drain

publisher = connect()
channel = publisher.channel()
channel.queue_declare(queue="tasks", durable=True)
channel.confirm_delivery()
for i in range(100):
    channel.basic_publish("", "tasks", f"task {i}".encode(),
                          pika.BasicProperties(delivery_mode=2, content_type="text/plain"),
                          mandatory=True)  # confirmed: raises if nacked or returned

# Two workers with prefetch 10 share the queue; neither may hold more than 10 unacked.
first = connect()
second = connect()
a = first.channel()
b = second.channel()
a.basic_qos(prefetch_count=10)
b.basic_qos(prefetch_count=10)
held = []
for method, properties, body in a.consume("tasks", inactivity_timeout=2):
    if method is None:
        break
    held.append(method.delivery_tag)
    check(properties.delivery_mode == 2 and properties.content_type == "text/plain",
          f"properties came through: {properties}")
check(len(held) == 10, f"prefetch 10 holds 10 unacked, got {len(held)}")

got = []
for method, properties, body in b.consume("tasks", inactivity_timeout=2):
    if method is None:
        break
    got.append(body)
    b.basic_ack(method.delivery_tag)
check(len(got) == 90, f"the other worker took the 90 others, got {len(got)}")

# The first worker dies with 10 unacked: they go back, redelivered.
first.close()
redelivered = []
for method, properties, body in b.consume("tasks", inactivity_timeout=2):
    if method is None:
        break
    check(method.redelivered, "a requeued message is redelivered")
    redelivered.append(body)
    b.basic_ack(method.delivery_tag)
check(len(redelivered) == 10, f"the 10 unacked came back, got {len(redelivered)}")
check(len(set(got + redelivered)) == 100, "every task processed once after its ack")

# nack with requeue, reject without.
channel.basic_publish("", "tasks", b"again")
method, properties, body = next(b.consume("tasks", inactivity_timeout=2))
b.basic_nack(method.delivery_tag, requeue=True)
b.cancel()
method, properties, body = b.basic_get("tasks")
check(body == b"again" and method.redelivered, "nack requeue=True gives it back")
b.basic_reject(method.delivery_tag, requeue=False)
check(b.basic_get("tasks") == (None, None, None), "reject requeue=False drops it")
q = channel.queue_declare(queue="tasks", passive=True)
check(q.method.message_count == 0, f"queue empty: {q.method.message_count}")

second.close()
publisher.close()
print("ok")
