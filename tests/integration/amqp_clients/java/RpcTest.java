// Java client: request/reply. The client library's own RpcClient and StringRpcServer with an
// exclusive server-named reply queue (not direct reply-to), and a hand-written RPC with
// reply_to/correlation_id and many concurrent callers matched by correlation id.

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.RpcClient;
import com.rabbitmq.client.StringRpcServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public class RpcTest {
    public static void main(String[] args) throws Exception {
        Harness.start("java_rpc");
        String id = Harness.uid();
        Connection serverConn = Harness.connect();
        Connection clientConn = Harness.connect();

        Harness.step("RpcClient + StringRpcServer over an exclusive reply queue", () -> {
            String service = "jupper-" + id;
            Channel sc = serverConn.createChannel();
            sc.queueDeclare(service, false, false, true, null);
            StringRpcServer server = new StringRpcServer(sc, service) {
                @Override
                public String handleStringCall(String request) {
                    return request.toUpperCase();
                }
            };
            Thread loop = new Thread(() -> {
                try {
                    server.mainloop();
                } catch (Exception e) {
                    // ends when the channel closes
                }
            }, "rpc-server");
            loop.setDaemon(true);
            loop.start();

            Channel cc = clientConn.createChannel();
            String replyQueue = cc.queueDeclare("", false, true, true, null).getQueue();
            RpcClient client = new RpcClient(cc, "", service, replyQueue, 5000);
            Harness.equal("HELLO", client.stringCall("hello"), "first call");
            Harness.equal("WARREN", client.stringCall("warren"), "second call");
            Harness.equal("", client.stringCall(""), "empty call");
            client.close();
            server.terminateMainloop();
            sc.close();
        });

        Harness.step("hand-written RPC: 50 concurrent calls matched by correlation id", () -> {
            String service = "jsquare-" + id;
            Channel sc = serverConn.createChannel();
            sc.queueDeclare(service, false, false, true, null);
            sc.basicQos(8);
            AtomicInteger served = new AtomicInteger();
            sc.basicConsume(service, false, (tag, d) -> {
                long n = Long.parseLong(Harness.text(d.getBody()));
                AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                        .correlationId(d.getProperties().getCorrelationId()).build();
                sc.basicPublish("", d.getProperties().getReplyTo(), reply, Harness.utf8(String.valueOf(n * n)));
                sc.basicAck(d.getEnvelope().getDeliveryTag(), false);
                served.incrementAndGet();
            }, tag -> { });

            Channel cc = clientConn.createChannel();
            String replyQueue = cc.queueDeclare().getQueue(); // server-named, exclusive, auto-delete
            Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
            AtomicInteger strays = new AtomicInteger();
            cc.basicConsume(replyQueue, true, (tag, d) -> {
                CompletableFuture<String> f = pending.remove(d.getProperties().getCorrelationId());
                if (f == null) {
                    strays.incrementAndGet();
                } else {
                    f.complete(Harness.text(d.getBody()));
                }
            }, tag -> { });
            List<CompletableFuture<String>> calls = new ArrayList<>();
            Channel pc = clientConn.createChannel();
            for (int i = 0; i < 50; i++) {
                String corr = UUID.randomUUID().toString();
                CompletableFuture<String> f = new CompletableFuture<>();
                pending.put(corr, f);
                calls.add(f);
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().replyTo(replyQueue).correlationId(corr).build();
                pc.basicPublish("", service, props, Harness.utf8(String.valueOf(i)));
            }
            for (int i = 0; i < 50; i++) {
                Harness.equal(String.valueOf((long) i * i), calls.get(i).get(5, TimeUnit.SECONDS), "reply " + i);
            }
            Harness.equal(0, strays.get(), "replies without a caller");
            Harness.equal(50, served.get(), "requests served");
            sc.close();
        });

        clientConn.close();
        serverConn.close();
        Harness.done();
    }
}
