// amqplib over TLS (run with `with_warren.py --tls`): amqps with the test CA, by host name and
// by IP (both are in the certificate's SAN), a message round trip over it, and a client that
// does not trust the certificate is refused.
import fs from 'node:fs';
import { start, assert, collector, deferred, env } from './lib.mjs';

const t = start('amqplib_tls');
// amqplib passes the host as TLS servername even when it is an IP, which node flags (DEP0123).
process.noDeprecation = true;
const port = env('WARREN_AMQPS_PORT');
const ca = fs.readFileSync(env('WARREN_TLS_CA'));

async function roundTrip(conn, label) {
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  const got = collector(`2 messages over ${label}`, 2);
  await ch.consume(queue, (m) => got.push(m), { noAck: true });
  const big = Buffer.alloc(300_000, 'x'); // many TLS records and AMQP frames
  ch.sendToQueue(queue, Buffer.from('small'));
  ch.sendToQueue(queue, big);
  const [m1, m2] = await got.promise;
  assert.equal(m1.content.toString(), 'small');
  assert.ok(m2.content.equals(big), 'the 300 kB message arrives intact');
}

await t.step('amqps://localhost with the CA: TLS connection and a round trip', async () => {
  const conn = await t.amqp.connect(`amqps://guest:guest@localhost:${port}/%2F`, { ca: [ca] });
  const sock = conn.connection.stream;
  assert.equal(sock.encrypted, true, 'the socket is a TLS socket');
  assert.equal(sock.authorized, true, 'the certificate was verified against the CA');
  assert.match(sock.getProtocol(), /^TLSv1\.[23]$/);
  assert.equal(sock.getPeerCertificate().subject.CN, 'localhost');
  await roundTrip(conn, 'amqps://localhost');
  await conn.close();
});

await t.step('amqps://127.0.0.1 (IP SAN) with the CA', async () => {
  const conn = await t.amqp.connect(`amqps://guest:guest@127.0.0.1:${port}/%2F`, { ca: [ca] });
  assert.equal(conn.connection.stream.authorized, true);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  ch.sendToQueue(queue, Buffer.from('over-ip'));
  const got = deferred('the message');
  await ch.consume(queue, (m) => got.resolve(m), { noAck: true });
  assert.equal((await got.promise).content.toString(), 'over-ip');
  await conn.close();
});

await t.step('a client without the CA is refused (self-signed certificate)', async () => {
  const err = await t.amqp.connect(`amqps://guest:guest@localhost:${port}/%2F`).then((c) => { c.close(); return null; }, (e) => e);
  assert.ok(err, 'connecting without trusting the CA must fail');
  assert.match(String(err.code || err.message), /SELF_SIGNED|self.signed|DEPTH_ZERO/i);
});

t.done();
