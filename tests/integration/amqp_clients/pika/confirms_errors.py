"""Publisher confirms, mandatory returns, and errors as RabbitMQ raises them: channel errors
close the channel with RabbitMQ's reply code and text, the connection lives on."""

import pika
import pika.exceptions as ex

from common import check, connect, params

connection = connect()
channel = connection.channel()
channel.confirm_delivery()

# A mandatory publish that reaches no queue comes back (312 NO_ROUTE) before its confirm.
returned = []
channel.add_on_return_callback(lambda ch, method, props, body: returned.append((method, body)))
try:
    channel.basic_publish("", "no-such-queue", b"lost?", mandatory=True)
    check(False, "an unroutable mandatory publish raises UnroutableError")
except ex.UnroutableError as e:
    check(e.messages[0].body == b"lost?", "the returned message is the one published")
channel.basic_publish("", "no-such-queue", b"dropped")  # not mandatory: confirmed, dropped


def channel_error(action, code, text):
    ch = connection.channel()
    try:
        action(ch)
        check(False, f"expected {code} {text}")
    except ex.ChannelClosedByBroker as e:
        check(e.reply_code == code, f"reply code {e.reply_code} != {code} ({e.reply_text})")
        check(e.reply_text == text, f"reply text {e.reply_text!r} != {text!r}")


channel_error(lambda ch: ch.queue_declare("missing", passive=True), 404,
              "NOT_FOUND - no queue 'missing' in vhost '/'")
channel_error(lambda ch: ch.exchange_declare("missing-x", passive=True), 404,
              "NOT_FOUND - no exchange 'missing-x' in vhost '/'")
channel.queue_declare("q1", durable=False)
channel_error(lambda ch: ch.queue_declare("q1", durable=True), 406,
              "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q1' in vhost '/': "
              "received 'true' but current is 'false'")
channel_error(lambda ch: ch.queue_bind("q1", "missing-x"), 404,
              "NOT_FOUND - no exchange 'missing-x' in vhost '/'")
channel_error(lambda ch: ch.basic_consume("missing", lambda *a: None), 404,
              "NOT_FOUND - no queue 'missing' in vhost '/'")
channel_error(lambda ch: ch.queue_declare("amq.mine"), 403,
              "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'")


def unknown_tag(ch):
    ch.basic_ack(42)
    ch.queue_declare("q1", passive=True)  # a round trip: the error arrives first


channel_error(unknown_tag, 406, "PRECONDITION_FAILED - unknown delivery tag 42")
channel.basic_publish("", "q1", b"x")
channel_error(lambda ch: ch.queue_delete("q1", if_empty=True), 406,
              "PRECONDITION_FAILED - queue 'q1' in vhost '/' not empty")

# An unknown exchange type is a connection error (503), as in RabbitMQ.
try:
    connection.channel().exchange_declare("weird", exchange_type="foo")
    check(False, "an unknown exchange type closes the connection")
except ex.ConnectionClosedByBroker as e:
    check(e.reply_code == 503 and e.reply_text == "COMMAND_INVALID - invalid exchange type 'foo'",
          f"{e.reply_code} {e.reply_text}")

# Wrong password: refused (pika asks for authentication_failure_close).
try:
    pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=params().port, credentials=pika.PlainCredentials("guest", "bad")))
    check(False, "a wrong password is refused")
except ex.ProbableAuthenticationError as e:
    check("ACCESS_REFUSED" in str(e), f"refusal says ACCESS_REFUSED: {e}")

# A vhost that does not exist: 530 NOT_ALLOWED.
try:
    pika.BlockingConnection(params(virtual_host="nope"))
    check(False, "an unknown vhost is refused")
except (ex.ConnectionClosedByBroker, ex.ProbableAccessDeniedError) as e:
    check("NOT_ALLOWED - vhost nope not found" in str(e), f"530 text: {e}")

print("ok")
