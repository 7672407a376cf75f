// Java client over TLS (run with `with_warren.py --tls`): an SSLContext trusting only the test
// CA, host name verification on, a publish/consume round trip on the amqps port; and the JDK's
// default trust store (which does not know the self-signed certificate) is refused.

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsTest {
    static ConnectionFactory tlsFactory(SSLContext ctx) throws Exception {
        ConnectionFactory f = Harness.factory();
        f.setHost("localhost");
        f.setPort(Integer.parseInt(Harness.env("WARREN_AMQPS_PORT")));
        f.useSslProtocol(ctx);
        // Client 5.0 has no enableHostnameVerification(): turn it on on the socket.
        f.setSocketConfigurator(socket -> {
            if (socket instanceof SSLSocket) {
                SSLParameters p = ((SSLSocket) socket).getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ((SSLSocket) socket).setSSLParameters(p);
            }
        });
        return f;
    }

    public static void main(String[] args) throws Exception {
        Harness.start("java_tls");

        Harness.step("amqps with the test CA: a round trip", () -> {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = new FileInputStream(Harness.env("WARREN_TLS_CA"))) {
                trust.setCertificateEntry("warren-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            Connection conn = tlsFactory(ctx).newConnection();
            Harness.equal(Integer.parseInt(Harness.env("WARREN_AMQPS_PORT")), conn.getPort(), "connected to the amqps port");
            Channel ch = conn.createChannel();
            String q = ch.queueDeclare().getQueue();
            BlockingQueue<byte[]> got = new ArrayBlockingQueue<>(2);
            ch.basicConsume(q, true, (tag, d) -> got.add(d.getBody()), tag -> { });
            byte[] big = new byte[200_000];
            for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
            ch.basicPublish("", q, null, Harness.utf8("over tls"));
            ch.basicPublish("", q, null, big);
            Harness.equal("over tls", Harness.text(Harness.await(got, "the small message")), "small body");
            Harness.check(java.util.Arrays.equals(big, Harness.await(got, "the large message")), "200 kB body intact");
            conn.close();
        });

        Harness.step("the default trust store does not accept the self-signed certificate", () -> {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, null, null);
            try {
                tlsFactory(ctx).newConnection().close();
                throw new AssertionError("connected without trusting the certificate");
            } catch (javax.net.ssl.SSLHandshakeException e) {
                Harness.contains(e.getMessage(), "PKIX path building failed", "handshake error");
            }
        });

        Harness.done();
    }
}
