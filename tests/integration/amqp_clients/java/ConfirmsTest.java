// Java client: publisher confirms (ConfirmListener, sequence numbers, waitForConfirmsOrDie),
// mandatory returns (ReturnListener, 312 NO_ROUTE), queue arguments (x-message-ttl,
// x-max-length) and dead-lettering (x-dead-letter-exchange, reject without requeue, x-death).

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.Return;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;

public class ConfirmsTest {
    public static void main(String[] args) throws Exception {
        Harness.start("java_confirms");
        String id = Harness.uid();
        Connection conn = Harness.connect();
        Channel ch = conn.createChannel();

        Harness.step("confirmSelect: every sequence number is acked, none nacked", () -> {
            String q = "jconf-" + id;
            ch.queueDeclare(q, true, false, false, null);
            Channel c = conn.createChannel();
            c.confirmSelect();
            ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
            ConcurrentSkipListSet<Long> nacked = new ConcurrentSkipListSet<>();
            int total = 100;
            CountDownLatch allAcked = new CountDownLatch(1);
            c.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                    if (multiple) {
                        for (long t = 1; t <= tag; t++) acked.add(t);
                    } else {
                        acked.add(tag);
                    }
                    if (acked.size() == total) allAcked.countDown();
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    nacked.add(tag);
                }
            });
            Harness.equal(1L, c.getNextPublishSeqNo(), "first sequence number");
            for (int i = 0; i < total; i++) {
                c.basicPublish("", q, MessageProperties.PERSISTENT_TEXT_PLAIN, Harness.utf8("c" + i));
            }
            Harness.equal((long) total + 1, c.getNextPublishSeqNo(), "next sequence number");
            Harness.await(allAcked, "acks for all 100 publishes");
            c.waitForConfirmsOrDie(5000);
            Harness.equal(1L, acked.first(), "lowest acked tag");
            Harness.equal((long) total, acked.last(), "highest acked tag");
            Harness.check(nacked.isEmpty(), "nacked: " + nacked);
            Harness.equal((long) total, ch.messageCount(q), "confirmed messages are in the queue");
            // Confirms for an unroutable message and for a second batch.
            c.basicPublish("amq.direct", "nobody-" + id, null, Harness.utf8("x"));
            Harness.check(c.waitForConfirms(5000), "unroutable publish confirmed");
            ch.queueDelete(q);
            c.close();
        });

        Harness.step("mandatory to nowhere: ReturnListener gets 312 NO_ROUTE and the message", () -> {
            BlockingQueue<Return> returns = new ArrayBlockingQueue<>(4);
            ch.addReturnListener(returns::add);
            Map<String, Object> h = new HashMap<>();
            h.put("k", "v");
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("ret-1").headers(h).build();
            ch.basicPublish("amq.direct", "unbound-" + id, true, props, Harness.utf8("returned"));
            Return r = Harness.await(returns, "basic.return");
            Harness.equal(312, r.getReplyCode(), "reply code");
            Harness.equal("NO_ROUTE", r.getReplyText(), "reply text");
            Harness.equal("amq.direct", r.getExchange(), "exchange");
            Harness.equal("unbound-" + id, r.getRoutingKey(), "routing key");
            Harness.equal("returned", Harness.text(r.getBody()), "body");
            Harness.equal("ret-1", r.getProperties().getMessageId(), "message-id");
            Harness.equal("v", r.getProperties().getHeaders().get("k"), "header");
            // Not mandatory: silently dropped; mandatory and routed: delivered, no return.
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("amq.direct", "unbound-" + id, false, null, Harness.utf8("dropped"));
            ch.basicPublish("", q, true, null, Harness.utf8("routed"));
            Harness.eventually("the routed message", () -> ch.messageCount(q) == 1, 5000);
            Thread.sleep(100);
            Harness.check(returns.isEmpty(), "unexpected return: " + returns.peek());
            ch.clearReturnListeners();
        });

        Harness.step("x-message-ttl and x-max-length", () -> {
            String ttl = "jttl-" + id;
            ch.queueDeclare(ttl, false, false, false, Collections.singletonMap("x-message-ttl", 100));
            ch.basicPublish("", ttl, null, Harness.utf8("short-lived"));
            Harness.eventually("the message", () -> ch.messageCount(ttl) == 1, 5000);
            Thread.sleep(350);
            Harness.check(ch.basicGet(ttl, true) == null, "expired after 100 ms");
            ch.queueDelete(ttl);

            String max = "jmax-" + id;
            ch.queueDeclare(max, false, false, false, Collections.singletonMap("x-max-length", 2));
            Channel c = conn.createChannel();
            c.confirmSelect();
            for (int i = 1; i <= 4; i++) c.basicPublish("", max, null, Harness.utf8("m" + i));
            c.waitForConfirmsOrDie(5000);
            Harness.equal(Arrays.asList("m3", "m4"), Harness.drain(ch, max), "the oldest are dropped");
            ch.queueDelete(max);
            c.close();
        });

        Harness.step("dead-lettering: basicReject(requeue=false) -> DLX queue with x-death", () -> {
            String dlx = "jdlx-" + id;
            String dlq = "jdlq-" + id;
            String work = "jwork-" + id;
            ch.exchangeDeclare(dlx, "topic");
            ch.queueDeclare(dlq, false, false, false, null);
            ch.queueBind(dlq, dlx, "#");
            Map<String, Object> qargs = new HashMap<>();
            qargs.put("x-dead-letter-exchange", dlx);
            ch.queueDeclare(work, true, false, false, qargs);
            ch.basicPublish("", work, new AMQP.BasicProperties.Builder().messageId("poison").build(), Harness.utf8("bad job"));
            BlockingQueue<Long> tags = new ArrayBlockingQueue<>(1);
            Channel c = conn.createChannel();
            c.basicConsume(work, false, (tag, d) -> tags.add(d.getEnvelope().getDeliveryTag()), tag -> { });
            c.basicReject(Harness.await(tags, "the delivery"), false);
            GetResponse[] dead = new GetResponse[1];
            Harness.eventually("the dead letter", () -> (dead[0] = ch.basicGet(dlq, true)) != null, 5000);
            Harness.equal("bad job", Harness.text(dead[0].getBody()), "body");
            Harness.equal("poison", dead[0].getProps().getMessageId(), "message-id kept");
            Harness.equal(dlx, dead[0].getEnvelope().getExchange(), "exchange");
            Harness.equal(work, dead[0].getEnvelope().getRoutingKey(), "original routing key");
            Map<String, Object> h = dead[0].getProps().getHeaders();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> deaths = (List<Map<String, Object>>) h.get("x-death");
            Harness.check(deaths != null && deaths.size() == 1, "one x-death entry: " + deaths);
            Map<String, Object> d = deaths.get(0);
            Harness.equal(work, d.get("queue"), "x-death queue");
            Harness.equal("rejected", d.get("reason"), "x-death reason");
            Harness.equal("", d.get("exchange"), "x-death exchange");
            Harness.equal(1L, ((Number) d.get("count")).longValue(), "x-death count");
            List<?> keys = (List<?>) d.get("routing-keys");
            Harness.equal(1, keys.size(), "x-death routing-keys");
            Harness.equal(work, keys.get(0), "x-death routing-keys[0]");
            Harness.check(d.get("time") != null, "x-death time");
            // As RabbitMQ: time a timestamp 'T' (a Date), count a long 'l' (Spring AMQP casts
            // it to Long).
            Harness.equal(java.util.Date.class, d.get("time").getClass(), "x-death time type");
            Harness.equal(Long.class, d.get("count").getClass(), "x-death count type");
            Harness.equal(work, h.get("x-first-death-queue"), "x-first-death-queue");
            Harness.equal("rejected", h.get("x-first-death-reason"), "x-first-death-reason");
            Harness.equal(0L, ch.messageCount(work), "gone from the work queue");
            c.close();
            ch.queueDelete(work);
            ch.queueDelete(dlq);
            ch.exchangeDelete(dlx);
        });

        conn.close();
        Harness.done();
    }
}
