"""Channel modes and RabbitMQ extensions as pika users meet them: transactions (tx.select,
commit, rollback), basic.recover, per-channel (global) qos, direct reply-to, server-named
queues, and what /api/connections and /api/channels say about an AMQP client."""

import time
import uuid

import pika
import pika.exceptions

from common import check, connect, http

connection = connect(client_properties={"connection_name": "modes-test"})
channel = connection.channel()
channel.queue_declare("tx")
channel.queue_purge("tx")


def depth(queue):
    return channel.queue_declare(queue, passive=True).method.message_count


# ---- transactions ------------------------------------------------------------------------------
tx = connection.channel()
tx.tx_select()
tx.basic_publish("", "tx", b"one")
tx.basic_publish("", "tx", b"two")
time.sleep(0.2)
check(depth("tx") == 0, "publishes in a transaction wait for tx.commit")
tx.tx_rollback()
check(depth("tx") == 0, "tx.rollback drops them")
tx.basic_publish("", "tx", b"three", pika.BasicProperties(delivery_mode=2))
tx.tx_commit()
check(depth("tx") == 1, "tx.commit routes what was published since")

# Acks in a transaction wait for the commit too.
method, _, body = tx.basic_get("tx")
check(body == b"three", f"basic.get in a transaction: {body}")
tx.basic_ack(method.delivery_tag)
tx.tx_rollback()  # the ack is dropped: the message stays unacked on the channel
tx.basic_ack(method.delivery_tag)
tx.tx_commit()
check(depth("tx") == 0, "the committed ack settled it")

# tx.commit without tx.select, and confirm mode on a tx channel, are 406.
plain = connection.channel()
try:
    plain.tx_commit()
    check(False, "tx.commit on a channel not in tx mode must fail")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 406 and "not transactional" in e.reply_text, f"406: {e}")
try:
    tx.confirm_delivery()
    check(False, "confirm.select on a tx channel must fail")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 406 and "tx to confirm" in e.reply_text, f"406: {e}")

# ---- basic.recover -----------------------------------------------------------------------------
rc = connection.channel()
for i in range(3):
    rc.basic_publish("", "tx", f"r{i}".encode())
got = [rc.basic_get("tx") for _ in range(3)]
check(all(m is not None for m, _, _ in got), "three messages held unacked")
rc.basic_recover(requeue=True)
again = [rc.basic_get("tx", auto_ack=True) for _ in range(3)]
check(all(m is not None and m.redelivered for m, _, _ in again),
      f"basic.recover requeued them, marked redelivered: {again}")

# ---- global (per-channel) qos ------------------------------------------------------------------
channel.queue_declare("qa")
channel.queue_declare("qb")
for q in ("qa", "qb"):
    channel.queue_purge(q)
    for i in range(10):
        channel.basic_publish("", q, f"{q}{i}".encode())
gq = connection.channel()
gq.basic_qos(prefetch_count=3, global_qos=True)
held = []
gq.basic_consume("qa", lambda ch, m, p, b: held.append(m))
gq.basic_consume("qb", lambda ch, m, p, b: held.append(m))
deadline = time.time() + 1.0
while time.time() < deadline:
    connection.process_data_events(time_limit=0.1)
check(len(held) == 3, f"two consumers share a channel prefetch of 3: got {len(held)}")
gq.basic_ack(held[0].delivery_tag)
deadline = time.time() + 1.0
while time.time() < deadline and len(held) < 4:
    connection.process_data_events(time_limit=0.1)
check(len(held) == 4, f"one ack lets exactly one more through: got {len(held)}")

# ---- consumer priorities (x-priority) ----------------------------------------------------------
channel.queue_declare("prio")
channel.queue_purge("prio")
pc = connection.channel()
pc.basic_qos(prefetch_count=3)
by_consumer = {"low": [], "high": []}
pc.basic_consume("prio", lambda ch, m, p, b: by_consumer["low"].append(b), consumer_tag="low")
pc.basic_consume("prio", lambda ch, m, p, b: by_consumer["high"].append(b), consumer_tag="high",
                 arguments={"x-priority": 10})
for i in range(4):
    channel.basic_publish("", "prio", f"p{i}".encode())
deadline = time.time() + 2
while time.time() < deadline and len(by_consumer["low"]) + len(by_consumer["high"]) < 4:
    connection.process_data_events(time_limit=0.1)
check(by_consumer["high"] == [b"p0", b"p1", b"p2"] and by_consumer["low"] == [b"p3"],
      f"the high-priority consumer fills its prefetch first: {by_consumer}")
pc.close()
try:
    connection.channel().basic_consume("prio", lambda *a: None, arguments={"x-priority": "high"})
    check(False, "a string x-priority must fail")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 406 and "invalid arg 'x-priority'" in e.reply_text and
          "expected integer, got longstr" in e.reply_text, f"406: {e}")

# ---- /api/channels and /api/connections ----------------------------------------------------------
# (RabbitMQ's lists lag its channels by a stats interval: poll.)
def listed():
    mine = [c for c in http("GET", "/api/connections")
            if (c.get("client_properties") or {}).get("connection_name") == "modes-test"]
    if len(mine) != 1:
        return None
    ours = [c for c in http("GET", "/api/channels")
            if c["connection_details"]["name"] == mine[0]["name"]]
    by_number = {c["number"]: c for c in ours}
    entry = by_number.get(gq.channel_number)
    if not entry or entry.get("messages_unacknowledged") != 3:
        return None
    return mine[0], by_number


found = None
deadline = time.time() + 12
while found is None and time.time() < deadline:
    connection.process_data_events(time_limit=0.3)
    found = listed()
check(found is not None, "the connection and its channels are listed")
mine, by_number = found
check(mine["client_properties"].get("product") == "Pika Python Client Library",
      f"the connection lists the client's product: {mine['client_properties']}")
check(by_number[gq.channel_number]["global_prefetch_count"] == 3, f"global prefetch: {by_number}")
check(by_number[gq.channel_number]["consumer_count"] == 2, "the channel's two consumers")
check(by_number[channel.channel_number]["transactional"] is False, "a plain channel is not tx")
consumers = [c for c in http("GET", "/api/consumers")
             if c["channel_details"].get("connection_name") == mine["name"]]
check(len(consumers) == 2, f"the consumers name their connection: {consumers}")
check(all(c["channel_details"]["number"] == gq.channel_number for c in consumers),
      f"and their channel: {consumers}")

# ---- server-named queues -----------------------------------------------------------------------
named = channel.queue_declare("", exclusive=True).method.queue
check(named.startswith("amq.gen-") and len(named) == len("amq.gen-") + 22,
      f"a server-named queue is amq.gen-<22 characters>: {named}")
try:
    connection.channel().queue_declare("amq.mine")
    check(False, "a client may not declare an amq. name")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 403, f"403: {e}")

# ---- direct reply-to -----------------------------------------------------------------------------
server = connect()
sch = server.channel()
sch.queue_declare("rpc-direct")
client = connect()
cch = client.channel()
replies = []
cch.basic_consume("amq.rabbitmq.reply-to", lambda ch, m, p, b: replies.append((p, b)),
                  auto_ack=True)
corr = str(uuid.uuid4())
cch.basic_publish("", "rpc-direct", b"6",
                  pika.BasicProperties(reply_to="amq.rabbitmq.reply-to", correlation_id=corr))
method, props, body = next(sch.consume("rpc-direct", inactivity_timeout=3))
check(method is not None, "the request arrived")
check(props.reply_to.startswith("amq.rabbitmq.reply-to."),
      f"the broker substituted the channel's reply name: {props.reply_to}")
sch.basic_publish("", props.reply_to, str(int(body) * 7).encode(),
                  pika.BasicProperties(correlation_id=props.correlation_id))
sch.basic_ack(method.delivery_tag)
sch.cancel()
deadline = time.time() + 3
while not replies and time.time() < deadline:
    client.process_data_events(time_limit=0.1)
check(replies and replies[0][1] == b"42" and replies[0][0].correlation_id == corr,
      f"the reply reached the reply-to consumer: {replies}")

# Publishing with reply_to amq.rabbitmq.reply-to without consuming it first is 406, and the
# reply consumer must be no-ack.
other = client.channel()
try:
    other.basic_publish("", "rpc-direct", b"x",
                        pika.BasicProperties(reply_to="amq.rabbitmq.reply-to"))
    other.queue_declare("rpc-direct", passive=True)  # a round trip to see the close
    check(False, "reply_to without a reply consumer must fail")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 406 and "fast reply consumer does not exist" in e.reply_text, f"{e}")
try:
    client.channel().basic_consume("amq.rabbitmq.reply-to", lambda *a: None, auto_ack=False)
    check(False, "an acking reply consumer must fail")
except pika.exceptions.ChannelClosedByBroker as e:
    check(e.reply_code == 406, f"406: {e}")

client.close()
server.close()
connection.close()

# basic.recover with requeue=false is not implemented, by RabbitMQ 3.x either: 540 closes the
# connection.
lone = connect()
try:
    lone.channel().basic_recover(requeue=False)
    check(False, "recover requeue=false must fail")
except pika.exceptions.ConnectionClosedByBroker as e:
    check(e.reply_code == 540 and "requeue=false" in e.reply_text, f"540: {e}")
print("ok")
