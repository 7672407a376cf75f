"""What users build on AMQP: RPC with an exclusive reply queue, dead-lettering with x-death,
a consumer cancelled by the broker when its queue is deleted, heartbeats, HTTP and AMQP
interoperating, and TLS."""

import os
import time
import uuid

import pika

from common import check, connect, drain, http, tls_params

connection = connect()
channel = connection.channel()

# RPC: the server consumes "rpc", answers to reply_to with the correlation id.
channel.queue_declare("rpc")
client = connect()
cch = client.channel()
reply_queue = cch.queue_declare(queue="", exclusive=True).method.queue
corr = str(uuid.uuid4())
cch.basic_publish("", "rpc", b"6", pika.BasicProperties(reply_to=reply_queue,
                                                         correlation_id=corr))
method, props, body = next(channel.consume("rpc", inactivity_timeout=3))
check(method is not None, "the request arrived")
channel.basic_publish("", props.reply_to, str(int(body) * 7).encode(),
                      pika.BasicProperties(correlation_id=props.correlation_id))
channel.basic_ack(method.delivery_tag)
channel.cancel()
answer = drain(cch, reply_queue, 1)
check(answer and answer[0][2] == b"42" and answer[0][1].correlation_id == corr,
      f"the reply came back correlated: {answer}")
client.close()
check(http("GET", "/api/queues/%2F").__class__ is list, "queues list answers")
names = [q["name"] for q in http("GET", "/api/queues/%2F")]
check(reply_queue not in names, "the exclusive reply queue went with its connection")

# Dead-lettering: rejected without requeue goes to the DLX with an x-death header.
channel.exchange_declare("dlx", exchange_type="fanout")
channel.queue_declare("dead")
channel.queue_bind("dead", "dlx")
channel.queue_declare("work", arguments={"x-dead-letter-exchange": "dlx"})
channel.basic_publish("", "work", b"poison")
method, props, body = channel.basic_get("work")
channel.basic_reject(method.delivery_tag, requeue=False)
dead = drain(channel, "dead", 1)
check(dead and dead[0][2] == b"poison", "the rejected message was dead-lettered")
death = dead[0][1].headers["x-death"][0]
check(death["queue"] == "work" and death["reason"] == "rejected" and death["count"] == 1,
      f"x-death: {death}")

# The broker cancels a consumer whose queue is deleted (consumer_cancel_notify).
channel.queue_declare("doomed")
cancelled = []
tag = channel.basic_consume("doomed", lambda *a: None)
channel.add_on_cancel_callback(lambda frame: cancelled.append(frame.method.consumer_tag))
http("DELETE", "/api/queues/%2F/doomed")
deadline = time.time() + 5
while not cancelled and time.time() < deadline:
    connection.process_data_events(time_limit=0.1)
check(cancelled == [tag], f"basic.cancel from the broker for {tag}: {cancelled}")

# Heartbeats: a 1 s heartbeat connection idle for 3.5 s (only heartbeats) is still open.
beating = connect(heartbeat=1)
beating.sleep(3.5)  # pika answers heartbeats while it sleeps
beating.process_data_events(time_limit=0.1)
check(beating.is_open, "heartbeats kept the idle connection open")
beating.channel().queue_declare("rpc", passive=True)
beating.close()

# HTTP publish -> AMQP consume, and AMQP publish -> HTTP get.
channel.queue_declare("interop")
http("POST", "/api/exchanges/%2F/amq.default/publish",
     {"properties": {"headers": {"k": 1}}, "routing_key": "interop", "payload": "from http",
      "payload_encoding": "string"})
got = drain(channel, "interop", 1)
check(got and got[0][2] == b"from http" and got[0][1].headers == {"k": 1},
      f"HTTP -> AMQP: {got}")
channel.basic_publish("", "interop", b"from amqp", pika.BasicProperties(message_id="m-1"))
time.sleep(0.1)
fetched = http("POST", "/api/queues/%2F/interop/get",
               {"count": 1, "ackmode": "ack_requeue_false", "encoding": "auto"})
check(fetched and fetched[0]["payload"] == "from amqp" and
      fetched[0]["properties"]["message_id"] == "m-1", f"AMQP -> HTTP: {fetched}")

# The connection and its channels show in the management API.
connections = http("GET", "/api/connections")
amqp_connections = [c for c in connections if c.get("protocol") == "AMQP 0-9-1"]
check(amqp_connections and all(c["channels"] >= 1 and c["vhost"] == "/" for c in amqp_connections),
      f"AMQP connections listed with their channels: {connections}")
channels = http("GET", "/api/channels")
check(any(ch["connection_details"]["name"] == amqp_connections[0]["name"] and ch["number"] >= 1
          for ch in channels), f"channels listed with their connection: {channels}")

# TLS (with_warren.py --tls).
if os.environ.get("WARREN_AMQPS_PORT"):
    secure = pika.BlockingConnection(tls_params())
    sch = secure.channel()
    sch.queue_declare("over-tls")
    sch.basic_publish("", "over-tls", b"secret")
    check(drain(sch, "over-tls", 1)[0][2] == b"secret", "a round trip over amqps")
    secure.close()

connection.close()
print("ok")
