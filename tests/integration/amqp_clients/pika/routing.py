"""Pub/sub and routing as the RabbitMQ tutorials do them: fanout, direct, topic and headers
exchanges, exchange-to-exchange bindings, unbind."""

from common import check, connect, drain

connection = connect()
channel = connection.channel()


def bound_queue(exchange, key="", arguments=None):
    q = channel.queue_declare(queue="", exclusive=True).method.queue
    channel.queue_bind(q, exchange, routing_key=key, arguments=arguments)
    return q


channel.exchange_declare("logs", exchange_type="fanout")
fan = [bound_queue("logs"), bound_queue("logs")]
channel.basic_publish("logs", "ignored", b"to all")
for q in fan:
    check([m[2] for m in drain(channel, q, 1)] == [b"to all"], "fanout reaches every queue")

channel.exchange_declare("direct_logs", exchange_type="direct")
errors = bound_queue("direct_logs", "error")
infos = bound_queue("direct_logs", "info")
channel.basic_publish("direct_logs", "error", b"e1")
channel.basic_publish("direct_logs", "info", b"i1")
channel.basic_publish("direct_logs", "debug", b"nowhere")
check([m[2] for m in drain(channel, errors, 2, 1)] == [b"e1"], "direct: error only")
check([m[2] for m in drain(channel, infos, 2, 1)] == [b"i1"], "direct: info only")

channel.exchange_declare("topic_logs", exchange_type="topic")
kern = bound_queue("topic_logs", "kern.*")
crit = bound_queue("topic_logs", "#.critical")
for key in ["kern.critical", "kern.info", "app.db.critical", "app.info"]:
    channel.basic_publish("topic_logs", key, key.encode())
check(sorted(m[2] for m in drain(channel, kern, 3, 1)) == [b"kern.critical", b"kern.info"],
      "topic kern.*")
check(sorted(m[2] for m in drain(channel, crit, 3, 1)) == [b"app.db.critical", b"kern.critical"],
      "topic #.critical")

channel.exchange_declare("matching", exchange_type="headers")
both = bound_queue("matching", arguments={"x-match": "all", "format": "pdf", "type": "report"})
import pika  # noqa: E402
channel.basic_publish("matching", "", b"yes",
                      pika.BasicProperties(headers={"format": "pdf", "type": "report"}))
channel.basic_publish("matching", "", b"no", pika.BasicProperties(headers={"format": "pdf"}))
check([m[2] for m in drain(channel, both, 2, 1)] == [b"yes"], "headers x-match all")

# Exchange to exchange, then unbind.
channel.exchange_declare("upstream", exchange_type="fanout")
channel.exchange_bind(destination="logs", source="upstream")
channel.basic_publish("upstream", "", b"via e2e")
check([m[2] for m in drain(channel, fan[0], 1)] == [b"via e2e"], "exchange.bind forwards")
channel.exchange_unbind(destination="logs", source="upstream")
channel.basic_publish("upstream", "", b"after unbind")
check(drain(channel, fan[0], 1, 0.5) == [], "exchange.unbind stops it")
channel.queue_unbind(errors, "direct_logs", routing_key="error")
channel.basic_publish("direct_logs", "error", b"e2")
check(drain(channel, errors, 1, 0.5) == [], "queue.unbind stops it")

connection.close()
print("ok")
