// Java client: errors and cancellation. Channel errors arrive as ShutdownSignalExceptions
// carrying AMQP.Channel.Close with RabbitMQ's codes and texts (404, 406, 405), close only their
// channel, and asynchronous ones (publish to a missing exchange, unknown delivery tag) reach a
// ShutdownListener; the broker cancelling a consumer whose queue is deleted reaches
// Consumer.handleCancel; connection errors (unknown vhost 530, bad password 403).

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

public class ErrorsTest {
    static Connection conn;
    static int nextChannel = 100;

    /**
     * A channel with a number never used before on this connection, so each step's error is its
     * own (reusing a just-closed channel's number is checked by the last step).
     */
    static Channel fresh() throws IOException {
        return conn.createChannel(nextChannel++);
    }

    interface ChannelOp {
        void run(Channel c) throws Exception;
    }

    /** Runs op on a fresh channel; returns the channel.close the broker answered with. */
    static AMQP.Channel.Close channelError(ChannelOp op) throws Exception {
        Channel c = fresh();
        BlockingQueue<ShutdownSignalException> closed = new ArrayBlockingQueue<>(1);
        c.addShutdownListener(closed::add);
        try {
            op.run(c);
        } catch (IOException e) {
            // Synchronous methods throw IOException caused by the ShutdownSignalException.
            Harness.check(e.getCause() instanceof ShutdownSignalException, "cause: " + e.getCause());
        }
        ShutdownSignalException sse = Harness.await(closed, "the channel to be closed by the broker");
        Harness.check(!sse.isHardError(), "a channel error, not a connection error: " + sse);
        Harness.check(!sse.isInitiatedByApplication(), "closed by the broker");
        Harness.check(!c.isOpen(), "the channel is closed");
        Harness.check(conn.isOpen(), "the connection survives a channel error");
        return (AMQP.Channel.Close) sse.getReason();
    }

    public static void main(String[] args) throws Exception {
        Harness.start("java_errors");
        String id = Harness.uid();
        conn = Harness.connect();
        Channel ch = conn.createChannel();

        Harness.step("404 NOT_FOUND: passive queue declare, consume, bind, publish to a missing exchange", () -> {
            AMQP.Channel.Close close = channelError(c -> c.queueDeclarePassive("nope-" + id));
            Harness.equal(404, close.getReplyCode(), "code");
            Harness.equal("NOT_FOUND - no queue 'nope-" + id + "' in vhost '/'", close.getReplyText(), "text");
            Harness.equal(50, close.getClassId(), "class id (queue)");
            Harness.equal(10, close.getMethodId(), "method id (declare)");

            close = channelError(c -> c.basicConsume("nope-" + id, true, (t, d) -> { }, t -> { }));
            Harness.equal(404, close.getReplyCode(), "consume code");
            Harness.equal("NOT_FOUND - no queue 'nope-" + id + "' in vhost '/'", close.getReplyText(), "consume text");

            close = channelError(c -> c.queueBind("nope-" + id, "amq.direct", "k"));
            Harness.equal(404, close.getReplyCode(), "bind code");
            Harness.equal("NOT_FOUND - no queue 'nope-" + id + "' in vhost '/'", close.getReplyText(), "bind text");

            close = channelError(c -> c.basicPublish("nox-" + id, "k", null, Harness.utf8("x")));
            Harness.equal(404, close.getReplyCode(), "publish code");
            Harness.equal("NOT_FOUND - no exchange 'nox-" + id + "' in vhost '/'", close.getReplyText(), "publish text");
            Harness.equal(60, close.getClassId(), "class id (basic)");
            Harness.equal(40, close.getMethodId(), "method id (publish)");
        });

        Harness.step("406 PRECONDITION_FAILED: inequivalent redeclares", () -> {
            String q = "jeq-" + id;
            ch.queueDeclare(q, true, false, false, null);
            AMQP.Channel.Close close = channelError(c -> c.queueDeclare(q, false, false, false, null));
            Harness.equal(406, close.getReplyCode(), "code");
            Harness.equal("PRECONDITION_FAILED - inequivalent arg 'durable' for queue '" + q
                    + "' in vhost '/': received 'false' but current is 'true'", close.getReplyText(), "text");
            String x = "jeqx-" + id;
            ch.exchangeDeclare(x, "topic");
            close = channelError(c -> c.exchangeDeclare(x, "direct"));
            Harness.equal(406, close.getReplyCode(), "exchange code");
            Harness.equal("PRECONDITION_FAILED - inequivalent arg 'type' for exchange '" + x
                    + "' in vhost '/': received 'direct' but current is 'topic'", close.getReplyText(), "exchange text");
            ch.queueDelete(q);
            ch.exchangeDelete(x);
        });

        Harness.step("406 PRECONDITION_FAILED: unknown delivery tag (async)", () -> {
            AMQP.Channel.Close close = channelError(c -> c.basicAck(42, false));
            Harness.equal(406, close.getReplyCode(), "code");
            Harness.equal("PRECONDITION_FAILED - unknown delivery tag 42", close.getReplyText(), "text");
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("", q, null, Harness.utf8("x"));
            Harness.eventually("the message", () -> ch.messageCount(q) == 1, 5000);
            close = channelError(c -> {
                long tag = c.basicGet(q, false).getEnvelope().getDeliveryTag();
                c.basicReject(tag, false);
                c.basicNack(tag, false, true); // already settled
            });
            Harness.equal(406, close.getReplyCode(), "code after double settle");
            Harness.equal("PRECONDITION_FAILED - unknown delivery tag 1", close.getReplyText(), "text after double settle");
        });

        Harness.step("405 RESOURCE_LOCKED: another connection's exclusive queue", () -> {
            String q = "jexcl-" + id;
            Connection owner = Harness.connect();
            owner.createChannel().queueDeclare(q, false, true, false, null);
            AMQP.Channel.Close close = channelError(c -> c.queueDeclare(q, false, true, false, null));
            Harness.equal(405, close.getReplyCode(), "code");
            Harness.contains(close.getReplyText(), "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '" + q + "' in vhost '/'", "text");
            owner.close();
            Harness.eventually("the exclusive queue to go with its connection", () -> {
                Channel probe = fresh();
                try {
                    probe.queueDeclarePassive(q);
                    probe.close();
                    return false;
                } catch (IOException e) {
                    return true;
                }
            }, 3000);
        });

        Harness.step("queue deleted under a consumer: handleCancel (consumer_cancel_notify)", () -> {
            String q = "jcancel-" + id;
            ch.queueDeclare(q, false, false, false, null);
            Channel c = fresh();
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch delivered = new CountDownLatch(1);
            String[] cancelledTag = new String[1];
            String tag = c.basicConsume(q, false, new DefaultConsumer(c) {
                @Override
                public void handleDelivery(String t, Envelope env, AMQP.BasicProperties p, byte[] body) {
                    delivered.countDown();
                }

                @Override
                public void handleCancel(String t) {
                    cancelledTag[0] = t;
                    cancelled.countDown();
                }
            });
            ch.basicPublish("", q, null, Harness.utf8("in flight"));
            Harness.await(delivered, "the delivery");
            ch.queueDelete(q);
            Harness.await(cancelled, "handleCancel");
            Harness.equal(tag, cancelledTag[0], "the cancelled consumer's tag");
            Harness.check(c.isOpen(), "the channel stays open after the broker's basic.cancel");
            c.queueDeclare(); // and usable
            c.close();
        });

        Harness.step("connection errors: unknown vhost (530), wrong password (403)", () -> {
            ConnectionFactory f = Harness.factory();
            f.setVirtualHost("no-such-vhost-" + id);
            try {
                f.newConnection().close();
                throw new AssertionError("connected to a missing vhost");
            } catch (IOException e) {
                ShutdownSignalException sse = (ShutdownSignalException) e.getCause();
                Harness.check(sse.isHardError(), "a connection error");
                AMQP.Connection.Close close = (AMQP.Connection.Close) sse.getReason();
                Harness.equal(530, close.getReplyCode(), "code");
                Harness.equal("NOT_ALLOWED - vhost no-such-vhost-" + id + " not found", close.getReplyText(), "text");
            }
            ConnectionFactory g = Harness.factory();
            g.setPassword("wrong");
            try {
                g.newConnection().close();
                throw new AssertionError("connected with a wrong password");
            } catch (AuthenticationFailureException e) {
                Harness.contains(e.getMessage(), "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN", "message");
            }
        });

        Harness.step("server properties announce RabbitMQ-compatible capabilities", () -> {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> caps = (java.util.Map<String, Object>) conn.getServerProperties().get("capabilities");
            Harness.check(caps != null, "server capabilities: " + conn.getServerProperties());
            for (String cap : new String[] {"publisher_confirms", "consumer_cancel_notify", "basic.nack", "exchange_exchange_bindings"}) {
                Harness.equal(true, caps.get(cap), "capability " + cap);
            }
        });

        // The client sends channel.close-ok and, right behind it, channel.open for the same
        // number (the lowest free one), often in one read: the open must be answered.
        Harness.step("channel.open on the number of a channel the broker just closed", () -> {
            ConnectionFactory f = Harness.factory();
            f.setChannelRpcTimeout(3000);
            Connection c = f.newConnection();
            for (int i = 0; i < 100; i++) {
                Channel x = c.createChannel();
                try {
                    x.queueDeclarePassive("nope-" + id);
                } catch (IOException expected) {
                    // 404 closes the channel
                }
            }
            c.close();
        });

        conn.close();
        Harness.done();
    }
}
