// Java client: publish/subscribe and routing. exchangeDeclare of each BuiltinExchangeType,
// passive declares, fanout/direct/topic/headers routing, queueUnbind, exchangeBind/Unbind,
// exchangeDelete, a live fanout to consumers on separate connections, and an exchange
// declared over the HTTP API used over AMQP.

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

public class PubSubTest {
    static Channel ch;
    static Channel pub;
    static final List<String> queues = new ArrayList<>();

    static void publish(String exchange, String key, String body, AMQP.BasicProperties props) throws Exception {
        pub.basicPublish(exchange, key, props, Harness.utf8(body));
        pub.waitForConfirmsOrDie(5000); // confirmed = routed into every queue
    }

    static String queue(String name) throws Exception {
        ch.queueDeclare(name, false, false, false, null);
        queues.add(name);
        return name;
    }

    public static void main(String[] args) throws Exception {
        Harness.start("java_pubsub");
        String id = Harness.uid();
        Connection conn = Harness.connect();
        ch = conn.createChannel();
        pub = conn.createChannel();
        pub.confirmSelect();
        String fanout = "jfan-" + id;
        String direct = "jdir-" + id;
        String topic = "jtop-" + id;
        String headers = "jhdr-" + id;

        Harness.step("exchangeDeclare of each type; passive declares; amq.* exist", () -> {
            ch.exchangeDeclare(fanout, BuiltinExchangeType.FANOUT);
            ch.exchangeDeclare(direct, BuiltinExchangeType.DIRECT, false, false, null);
            ch.exchangeDeclare(topic, "topic");
            ch.exchangeDeclare(headers, BuiltinExchangeType.HEADERS);
            for (String x : new String[] {fanout, direct, topic, headers, "amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match"}) {
                Harness.check(ch.exchangeDeclarePassive(x) != null, "passive " + x);
            }
        });

        Harness.step("fanout copies to every queue", () -> {
            String a = queue("jfa-" + id);
            String b = queue("jfb-" + id);
            ch.queueBind(a, fanout, "");
            ch.queueBind(b, fanout, "ignored");
            publish(fanout, "any", "f1", null);
            Harness.equal(Collections.singletonList("f1"), Harness.drain(ch, a), "queue a");
            Harness.equal(Collections.singletonList("f1"), Harness.drain(ch, b), "queue b");
        });

        Harness.step("direct routes by exact key", () -> {
            String err = queue("jerr-" + id);
            String all = queue("jall-" + id);
            ch.queueBind(err, direct, "error");
            for (String k : new String[] {"info", "warn", "error"}) ch.queueBind(all, direct, k);
            for (String k : new String[] {"info", "error", "debug", "warn"}) publish(direct, k, k, null);
            Harness.equal(Collections.singletonList("error"), Harness.drain(ch, err), "error queue");
            Harness.equal(Arrays.asList("info", "error", "warn"), Harness.drain(ch, all), "all queue");
        });

        Harness.step("topic wildcards", () -> {
            String star = queue("jstar-" + id);
            String hash = queue("jhash-" + id);
            ch.queueBind(star, topic, "*.critical");
            ch.queueBind(hash, topic, "kern.#");
            for (String k : new String[] {"kern.critical", "app.critical", "kern", "kern.disk.full", "a.b.critical", "critical"}) publish(topic, k, k, null);
            Harness.equal(Arrays.asList("kern.critical", "app.critical"), Harness.drain(ch, star), "*.critical");
            Harness.equal(Arrays.asList("kern.critical", "kern", "kern.disk.full"), Harness.drain(ch, hash), "kern.#");
        });

        Harness.step("headers exchange x-match all / any", () -> {
            String all = queue("jhall-" + id);
            String any = queue("jhany-" + id);
            Map<String, Object> allArgs = new HashMap<>();
            allArgs.put("x-match", "all");
            allArgs.put("format", "pdf");
            allArgs.put("size", 10);
            ch.queueBind(all, headers, "", allArgs);
            Map<String, Object> anyArgs = new HashMap<>();
            anyArgs.put("x-match", "any");
            anyArgs.put("format", "zip");
            anyArgs.put("size", 10);
            ch.queueBind(any, headers, "", anyArgs);
            publish(headers, "", "pdf10", props("format", "pdf", "size", 10));
            publish(headers, "", "pdf11", props("format", "pdf", "size", 11));
            publish(headers, "", "zip", props("format", "zip"));
            publish(headers, "", "size10", props("size", 10));
            publish(headers, "", "none", null);
            Harness.equal(Collections.singletonList("pdf10"), Harness.drain(ch, all), "x-match all");
            Harness.equal(Arrays.asList("pdf10", "zip", "size10"), Harness.drain(ch, any), "x-match any");
        });

        Harness.step("queueUnbind", () -> {
            String q = queue("junb-" + id);
            ch.queueBind(q, direct, "k");
            publish(direct, "k", "before", null);
            ch.queueUnbind(q, direct, "k");
            publish(direct, "k", "after", null);
            Harness.equal(Collections.singletonList("before"), Harness.drain(ch, q), "after unbind");
        });

        Harness.step("exchangeBind / exchangeUnbind", () -> {
            String dst = "jdst-" + id;
            ch.exchangeDeclare(dst, BuiltinExchangeType.FANOUT);
            String q = queue("je2e-" + id);
            ch.queueBind(q, dst, "");
            ch.exchangeBind(dst, topic, "audit.#");
            publish(topic, "audit.login.ok", "through", null);
            publish(topic, "other", "not", null);
            Harness.equal(Collections.singletonList("through"), Harness.drain(ch, q), "via exchange binding");
            ch.exchangeUnbind(dst, topic, "audit.#");
            publish(topic, "audit.x", "after", null);
            Harness.equal(Collections.emptyList(), Harness.drain(ch, q), "after exchangeUnbind");
            ch.exchangeDelete(dst);
        });

        Harness.step("live fanout to 3 consumers on separate connections", () -> {
            String x = "jlive-" + id;
            ch.exchangeDeclare(x, BuiltinExchangeType.FANOUT);
            CountDownLatch latch = new CountDownLatch(3 * 4);
            List<Connection> conns = new ArrayList<>();
            List<List<String>> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Connection c = Harness.connect();
                conns.add(c);
                Channel cc = c.createChannel();
                String q = cc.queueDeclare().getQueue();
                cc.queueBind(q, x, "");
                List<String> mine = Collections.synchronizedList(new ArrayList<>());
                got.add(mine);
                cc.basicConsume(q, true, (tag, d) -> {
                    mine.add(Harness.text(d.getBody()));
                    latch.countDown();
                }, tag -> { });
            }
            for (int i = 0; i < 4; i++) pub.basicPublish(x, "", null, Harness.utf8("e" + i));
            pub.waitForConfirmsOrDie(5000);
            Harness.await(latch, "12 deliveries");
            for (List<String> mine : got) Harness.equal(Arrays.asList("e0", "e1", "e2", "e3"), mine, "a subscriber's messages");
            for (Connection c : conns) c.close();
            ch.exchangeDelete(x);
        });

        Harness.step("an exchange declared over HTTP routes AMQP publishes", () -> {
            String x = "jhttp-" + id;
            String[] r = Harness.http("PUT", "/api/exchanges/%2F/" + x, "{\"type\":\"topic\",\"durable\":false,\"auto_delete\":false,\"arguments\":{}}");
            Harness.check(r[0].equals("201") || r[0].equals("204"), "PUT exchange: " + r[0] + " " + r[1]);
            ch.exchangeDeclarePassive(x);
            String q = queue("jhq-" + id);
            ch.queueBind(q, x, "a.*");
            publish(x, "a.b", "via-http-exchange", null);
            Harness.equal(Collections.singletonList("via-http-exchange"), Harness.drain(ch, q), "routed");
            r = Harness.http("DELETE", "/api/exchanges/%2F/" + x, null);
            Harness.equal("204", r[0], "DELETE exchange");
        });

        Harness.step("exchangeDelete, then a passive declare fails 404", () -> {
            String x = "jgone-" + id;
            ch.exchangeDeclare(x, BuiltinExchangeType.DIRECT);
            ch.exchangeDelete(x);
            Channel probe = conn.createChannel();
            try {
                probe.exchangeDeclarePassive(x);
                throw new AssertionError("passive declare of a deleted exchange succeeded");
            } catch (java.io.IOException e) {
                AMQP.Channel.Close close = (AMQP.Channel.Close) ((com.rabbitmq.client.ShutdownSignalException) e.getCause()).getReason();
                Harness.equal(404, close.getReplyCode(), "reply code");
                Harness.equal("NOT_FOUND - no exchange '" + x + "' in vhost '/'", close.getReplyText(), "reply text");
            }
        });

        for (String q : queues) ch.queueDelete(q);
        for (String x : new String[] {fanout, direct, topic, headers}) ch.exchangeDelete(x);
        conn.close();
        Harness.done();
    }

    static AMQP.BasicProperties props(Object... kv) {
        Map<String, Object> h = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) h.put((String) kv[i], kv[i + 1]);
        return new AMQP.BasicProperties.Builder().headers(h).build();
    }
}
