// Shared helpers of the RabbitMQ Java client interop tests (compiled together with each test by
// run.sh). A test's main() calls Harness.start(name), then step(...) for each check, then done().
// Every step fails with a message naming it; a watchdog kills the JVM after 25 s so a hung
// broker fails the test instead of hanging ctest. The tests read WARREN_AMQP_URL and
// WARREN_HTTP_URL (set by with_warren.py) and also run unchanged against a real RabbitMQ.

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

final class Harness {
    private static String name = "java";
    private static volatile String current = "(none)";
    private static long started;

    /** A step's body; may throw anything. */
    interface Body {
        void run() throws Exception;
    }

    /** A condition polled by eventually(); may throw. */
    interface Condition {
        boolean test() throws Exception;
    }

    private Harness() {}

    static void start(String testName) {
        name = testName;
        started = System.nanoTime();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(25_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(name + ": FAIL: did not finish within 25 s (last step: " + current + ")");
            // Where it hangs: the main thread's stack shows the call the broker never answered.
            for (java.util.Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
                if (!t.getKey().getName().equals("main")) continue;
                System.err.println("main thread:");
                for (StackTraceElement e : t.getValue()) System.err.println("    at " + e);
            }
            Runtime.getRuntime().halt(1);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    static String env(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            System.err.println("missing " + variable + ": run this through with_warren.py (or set it to a broker)");
            System.exit(2);
        }
        return value;
    }

    /** Names unique to this run, so the tests can also run against a shared RabbitMQ. */
    static String uid() {
        return name + "-" + ProcessHandle.current().pid() + "-" + Long.toString(System.currentTimeMillis(), 36);
    }

    static ConnectionFactory factory() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(env("WARREN_AMQP_URL"));
        // A test wants to see failures, not have the client paper over them.
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setConnectionTimeout(5000);
        f.setHandshakeTimeout(5000);
        return f;
    }

    static Connection connect() throws Exception {
        return factory().newConnection();
    }

    static void step(String title, Body body) {
        current = title;
        long t0 = System.nanoTime();
        try {
            body.run();
        } catch (Throwable e) {
            System.err.println(name + ": FAIL in step '" + title + "': " + e);
            e.printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        System.out.println(name + ": ok  " + title + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    }

    static void done() {
        System.out.println(name + ": all passed in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        System.out.flush();
        // Client threads (heartbeats, consumers of connections a failed check left open) must
        // not keep the JVM alive.
        Runtime.getRuntime().halt(0);
    }

    static void check(boolean condition, String message) {
        if (!condition) throw new AssertionError(message);
    }

    static void equal(Object expected, Object actual, String what) {
        // The client decodes AMQP strings in tables as LongString: compare those as text.
        Object a = actual instanceof com.rabbitmq.client.LongString ? actual.toString() : actual;
        if (!Objects.equals(expected, a)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + a + ">");
        }
    }

    static void contains(String haystack, String needle, String what) {
        if (haystack == null || !haystack.contains(needle)) {
            throw new AssertionError(what + ": expected to contain <" + needle + "> but was <" + haystack + ">");
        }
    }

    static void eventually(String what, Condition condition, long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.test()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    static <T> T await(java.util.concurrent.BlockingQueue<T> q, String what) throws InterruptedException {
        T value = q.poll(5, TimeUnit.SECONDS);
        if (value == null) throw new AssertionError("timed out waiting for " + what);
        return value;
    }

    static void await(java.util.concurrent.CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(5, TimeUnit.SECONDS)) throw new AssertionError("timed out waiting for " + what);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** All messages currently in a queue (auto-ack), as strings. */
    static List<String> drain(Channel ch, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (GetResponse r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
            bodies.add(text(r.getBody()));
        }
        return bodies;
    }

    /** The management API (basic auth guest/guest); returns {status, body}. */
    static String[] http(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(env("WARREN_HTTP_URL") + path))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(utf8("guest:guest")))
                .timeout(java.time.Duration.ofSeconds(5));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new String[] {String.valueOf(r.statusCode()), r.body()};
    }
}
