"""connection.blocked: warren runs with a disk alarm on from its first check (a petabyte free
disk is asked for). As RabbitMQ, a client that announced the capability hears connection.blocked
with the alarm's reason when it publishes; the confirmed publish is nacked (refused, nothing
stored) rather than lost, and a consumer is not blocked."""

import time

import pika
import pika.exceptions

from common import check, connect

blocked = []
connection = connect()
connection.add_on_connection_blocked_callback(lambda conn, frame: blocked.append(frame))
channel = connection.channel()
channel.queue_declare("blocked")
channel.confirm_delivery()
try:
    channel.basic_publish("", "blocked", b"x", pika.BasicProperties(delivery_mode=2))
    check(False, "a publish under the alarm must not be confirmed")
except pika.exceptions.NackError:
    pass
deadline = time.time() + 5
while not blocked and time.time() < deadline:
    connection.process_data_events(time_limit=0.2)
check(blocked, "connection.blocked arrived")
reason = blocked[0].method.reason
check(reason == "low on disk", f"its reason is RabbitMQ's: {reason}")
check(len(blocked) == 1, "once")
check(channel.queue_declare("blocked", passive=True).method.message_count == 0,
      "nothing was stored")
connection.close()
print("ok")
