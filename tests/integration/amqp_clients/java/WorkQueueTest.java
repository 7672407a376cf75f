// Java client: a work queue. Durable queue, properties and typed headers round-tripping,
// basicGet (auto and manual ack), nack/reject with requeue (redelivered), competing
// DefaultConsumers with basicQos(1) and manual ack, no-ack consumer and basicCancel
// (handleCancelOk), server-named queues, purge/delete counts.

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

public class WorkQueueTest {
    public static void main(String[] args) throws Exception {
        Harness.start("java_work_queue");
        String id = Harness.uid();
        String q = "jwq-" + id;
        Connection conn = Harness.connect();
        Channel ch = conn.createChannel();

        Harness.step("queueDeclare durable; redeclare and passive declare agree", () -> {
            AMQP.Queue.DeclareOk ok = ch.queueDeclare(q, true, false, false, null);
            Harness.equal(q, ok.getQueue(), "declare-ok queue");
            Harness.equal(0, ok.getMessageCount(), "message count");
            Harness.equal(0, ok.getConsumerCount(), "consumer count");
            Harness.equal(q, ch.queueDeclare(q, true, false, false, null).getQueue(), "redeclare");
            Harness.equal(q, ch.queueDeclarePassive(q).getQueue(), "passive");
        });

        Harness.step("properties and typed headers round-trip", () -> {
            Map<String, Object> headers = new HashMap<>();
            headers.put("str", "hello");
            headers.put("int", 42);
            headers.put("long", 1L << 40);
            headers.put("bool", true);
            headers.put("double", 2.5);
            headers.put("bytes", new byte[] {1, 2, 3});
            headers.put("byte", (byte) 3);
            headers.put("short", (short) 7);
            headers.put("smalllong", 5L);
            headers.put("float", 1.25f);
            headers.put("decimal", new java.math.BigDecimal("12.345"));
            headers.put("timestamp", new Date(1_700_000_000_000L));
            headers.put("void", null);
            headers.put("nested", Collections.singletonMap("k", "v"));
            headers.put("list", Arrays.asList("a", 7));
            Date ts = new Date((System.currentTimeMillis() / 1000) * 1000);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").contentEncoding("utf-8").headers(headers)
                    .deliveryMode(2).priority(5).correlationId("corr").replyTo("reply-here")
                    .expiration("60000").messageId("mid").timestamp(ts).type("t").userId("guest")
                    .appId("java-tests").build();
            ch.basicPublish("", q, props, Harness.utf8("{\"n\":1}"));
            GetResponse[] got = new GetResponse[1];
            Harness.eventually("the message", () -> (got[0] = ch.basicGet(q, true)) != null, 5000);
            AMQP.BasicProperties p = got[0].getProps();
            Harness.equal("{\"n\":1}", Harness.text(got[0].getBody()), "body");
            Harness.equal("application/json", p.getContentType(), "content-type");
            Harness.equal("utf-8", p.getContentEncoding(), "content-encoding");
            Harness.equal(2, p.getDeliveryMode(), "delivery-mode");
            Harness.equal(5, p.getPriority(), "priority");
            Harness.equal("corr", p.getCorrelationId(), "correlation-id");
            Harness.equal("reply-here", p.getReplyTo(), "reply-to");
            Harness.equal("60000", p.getExpiration(), "expiration");
            Harness.equal("mid", p.getMessageId(), "message-id");
            Harness.equal(ts, p.getTimestamp(), "timestamp");
            Harness.equal("t", p.getType(), "type");
            Harness.equal("guest", p.getUserId(), "user-id");
            Harness.equal("java-tests", p.getAppId(), "app-id");
            Map<String, Object> h = p.getHeaders();
            Harness.equal("hello", h.get("str"), "header str");
            Harness.equal(42, h.get("int"), "header int");
            Harness.equal(1L << 40, h.get("long"), "header long");
            Harness.equal(true, h.get("bool"), "header bool");
            Harness.equal(2.5, h.get("double"), "header double");
            // The other field-table types: RabbitMQ, and warren, hand every value back with the
            // type letter it was sent with (byte 'b', short 's', long 'l', float 'f', decimal
            // 'D' with its scale, timestamp 'T', byte array 'x'). Values and exact types.
            Harness.equal(3, ((Number) h.get("byte")).intValue(), "header byte value");
            Harness.equal(7, ((Number) h.get("short")).intValue(), "header short value");
            Harness.equal(5L, ((Number) h.get("smalllong")).longValue(), "header small long value");
            Harness.equal(1.25, ((Number) h.get("float")).doubleValue(), "header float value");
            Harness.equal(12.345, ((Number) h.get("decimal")).doubleValue(), "header decimal value");
            Object when = h.get("timestamp");
            Harness.equal(1_700_000_000L, when instanceof Date ? ((Date) when).getTime() / 1000 : ((Number) when).longValue(), "header timestamp value");
            Object bytes = h.get("bytes");
            byte[] raw = bytes instanceof byte[] ? (byte[]) bytes : ((com.rabbitmq.client.LongString) bytes).getBytes();
            Harness.check(Arrays.equals(new byte[] {1, 2, 3}, raw), "header bytes content");
            Harness.equal(Byte.class, h.get("byte").getClass(), "header byte type");
            Harness.equal(Short.class, h.get("short").getClass(), "header short type");
            Harness.equal(Long.class, h.get("smalllong").getClass(), "header small long type");
            Harness.equal(Float.class, h.get("float").getClass(), "header float type");
            Harness.equal(java.math.BigDecimal.class, h.get("decimal").getClass(), "header decimal type");
            Harness.equal(new java.math.BigDecimal("12.345"), h.get("decimal"), "header decimal scale");
            Harness.equal(Date.class, when.getClass(), "header timestamp type");
            Harness.equal(byte[].class, bytes.getClass(), "header byte array type");
            Harness.check(h.containsKey("void") && h.get("void") == null, "void header 'V'");
            @SuppressWarnings("unchecked")
            Map<String, Object> nested = (Map<String, Object>) h.get("nested");
            Harness.equal("v", nested.get("k"), "nested table");
            List<?> list = (List<?>) h.get("list");
            Harness.equal(2, list.size(), "array length");
            Harness.equal("a", list.get(0), "array[0]");
            Harness.equal(7, list.get(1), "array[1]");
            Harness.equal(0, got[0].getMessageCount(), "get-ok message-count");
            Harness.equal(false, got[0].getEnvelope().isRedeliver(), "redelivered");
        });

        Harness.step("basicGet: empty; manual ack; nack and reject with requeue set redelivered", () -> {
            Harness.check(ch.basicGet(q, false) == null, "basic.get-empty on an empty queue");
            for (String b : new String[] {"a", "b"}) ch.basicPublish("", q, MessageProperties.PERSISTENT_TEXT_PLAIN, Harness.utf8(b));
            Harness.eventually("2 messages", () -> ch.messageCount(q) == 2, 5000);
            GetResponse a = ch.basicGet(q, false);
            Harness.equal("a", Harness.text(a.getBody()), "first");
            Harness.equal(1, a.getMessageCount(), "remaining after the first");
            ch.basicNack(a.getEnvelope().getDeliveryTag(), false, true);
            GetResponse a2 = ch.basicGet(q, false);
            Harness.equal("a", Harness.text(a2.getBody()), "requeued at the head");
            Harness.equal(true, a2.getEnvelope().isRedeliver(), "redelivered after nack");
            ch.basicReject(a2.getEnvelope().getDeliveryTag(), true);
            GetResponse a3 = ch.basicGet(q, false);
            Harness.equal(true, a3.getEnvelope().isRedeliver(), "redelivered after reject");
            ch.basicAck(a3.getEnvelope().getDeliveryTag(), false);
            GetResponse b = ch.basicGet(q, false);
            Harness.equal("b", Harness.text(b.getBody()), "second");
            ch.basicReject(b.getEnvelope().getDeliveryTag(), false);
            Thread.sleep(50);
            Harness.equal(0L, ch.messageCount(q), "empty after ack and reject without requeue");
        });

        Harness.step("competing consumers, basicQos(1), manual ack: fair dispatch", () -> {
            int total = 12;
            CountDownLatch all = new CountDownLatch(total);
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            AtomicInteger overlap = new AtomicInteger();
            List<Channel> channels = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            for (String label : new String[] {"A", "B"}) {
                Channel c = conn.createChannel();
                c.basicQos(1);
                channels.add(c);
                List<Integer> mine = Collections.synchronizedList(new ArrayList<>());
                seen.put(label, mine);
                AtomicInteger inFlight = new AtomicInteger();
                tags.add(c.basicConsume(q, false, new DefaultConsumer(c) {
                    @Override
                    public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws java.io.IOException {
                        if (inFlight.incrementAndGet() > 1) overlap.incrementAndGet();
                        mine.add(Integer.parseInt(Harness.text(body)));
                        try {
                            Thread.sleep(15);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        inFlight.decrementAndGet();
                        getChannel().basicAck(env.getDeliveryTag(), false);
                        all.countDown();
                    }
                }));
            }
            Harness.equal(2L, ch.consumerCount(q), "consumer count");
            for (int i = 0; i < total; i++) ch.basicPublish("", q, MessageProperties.PERSISTENT_BASIC, Harness.utf8(String.valueOf(i)));
            Harness.await(all, "all deliveries");
            List<Integer> got = new ArrayList<>(seen.get("A"));
            got.addAll(seen.get("B"));
            Collections.sort(got);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) expected.add(i);
            Harness.equal(expected, got, "every message exactly once");
            Harness.check(!seen.get("A").isEmpty() && !seen.get("B").isEmpty(), "both consumers got work: " + seen);
            Harness.equal(0, overlap.get(), "deliveries beyond prefetch 1");
            for (int i = 0; i < 2; i++) {
                channels.get(i).basicCancel(tags.get(i));
                channels.get(i).close();
            }
            Harness.equal(0L, ch.consumerCount(q), "consumers after cancel");
        });

        Harness.step("no-ack consumer with a chosen tag; basicCancel -> handleCancelOk", () -> {
            Channel c = conn.createChannel();
            CountDownLatch three = new CountDownLatch(3);
            CountDownLatch cancelOk = new CountDownLatch(1);
            List<String> bodies = Collections.synchronizedList(new ArrayList<>());
            List<Long> deliveryTags = Collections.synchronizedList(new ArrayList<>());
            String tag = c.basicConsume(q, true, "jtag-" + id, new DefaultConsumer(c) {
                @Override
                public void handleDelivery(String t, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    Harness.equal("jtag-" + id, t, "consumer tag on delivery");
                    bodies.add(Harness.text(body));
                    deliveryTags.add(env.getDeliveryTag());
                    three.countDown();
                }

                @Override
                public void handleCancelOk(String t) {
                    cancelOk.countDown();
                }
            });
            Harness.equal("jtag-" + id, tag, "the client-chosen tag");
            for (int i = 0; i < 3; i++) ch.basicPublish("", q, null, Harness.utf8("n" + i));
            Harness.await(three, "3 no-ack deliveries");
            Harness.equal(Arrays.asList("n0", "n1", "n2"), bodies, "bodies in order");
            Harness.equal(Arrays.asList(1L, 2L, 3L), deliveryTags, "delivery tags");
            c.basicCancel(tag);
            Harness.await(cancelOk, "handleCancelOk");
            ch.basicPublish("", q, null, Harness.utf8("after"));
            Thread.sleep(150);
            Harness.equal(3, bodies.size(), "no delivery after cancel");
            c.close();
            Harness.equal(Collections.singletonList("after"), Harness.drain(ch, q), "the rest stays queued");
        });

        Harness.step("server-named queue", () -> {
            AMQP.Queue.DeclareOk ok = ch.queueDeclare();
            Harness.check(ok.getQueue().matches("[\\w.-]+\\.gen-[\\w-]+"), "server-generated name: " + ok.getQueue());
            ch.basicPublish("", ok.getQueue(), null, Harness.utf8("x"));
            Harness.eventually("the message", () -> ch.messageCount(ok.getQueue()) == 1, 5000);
        });

        Harness.step("queuePurge and queueDelete return message counts", () -> {
            for (int i = 0; i < 4; i++) ch.basicPublish("", q, null, Harness.utf8("d" + i));
            Harness.eventually("4 messages", () -> ch.messageCount(q) == 4, 5000);
            Harness.equal(4, ch.queuePurge(q).getMessageCount(), "purge-ok count");
            ch.basicPublish("", q, null, Harness.utf8("last"));
            Harness.eventually("1 message", () -> ch.messageCount(q) == 1, 5000);
            Harness.equal(1, ch.queueDelete(q).getMessageCount(), "delete-ok count");
        });

        conn.close();
        Harness.done();
    }
}
