// amqplib: RPC over an exclusive server-named reply queue with reply_to/correlation_id, server
// and client on separate connections, many requests in flight; and bodies of awkward sizes
// (empty, exactly one frame, many frames) arriving intact.
import { start, assert, collector, deferred } from './lib.mjs';

const t = start('amqplib_rpc');
const id = t.uid;
const rpcQueue = `rpc-${id}`;

// The server: doubles numbers; replies on the default exchange to reply_to.
const serverConn = await t.amqp.connect(t.url);
const server = await serverConn.createChannel();
await server.assertQueue(rpcQueue, { autoDelete: true });
await server.prefetch(4);
let served = 0;
await server.consume(rpcQueue, (msg) => {
  const n = Number(msg.content.toString());
  served += 1;
  server.sendToQueue(msg.properties.replyTo, Buffer.from(String(n * 2)), {
    correlationId: msg.properties.correlationId,
    headers: { 'served-by': 'rpc-server' },
  });
  server.ack(msg);
});

const clientConn = await t.amqp.connect(t.url);
const client = await clientConn.createChannel();

await t.step('RPC: requests answered on the exclusive reply queue, matched by correlation id', async () => {
  const { queue: replyQueue } = await client.assertQueue('', { exclusive: true, autoDelete: true });
  const pending = new Map();
  let strays = 0;
  await client.consume(replyQueue, (msg) => {
    const waiter = pending.get(msg.properties.correlationId);
    if (!waiter) {
      strays += 1;
      return;
    }
    pending.delete(msg.properties.correlationId);
    waiter.resolve(msg);
  }, { noAck: true });
  const call = (n) => {
    const correlationId = `${id}-${n}`;
    const d = deferred(`reply to ${n}`);
    pending.set(correlationId, d);
    client.sendToQueue(rpcQueue, Buffer.from(String(n)), { replyTo: replyQueue, correlationId });
    return d.promise.then((m) => {
      assert.equal(m.properties.correlationId, correlationId);
      assert.equal(m.properties.headers['served-by'], 'rpc-server');
      assert.equal(m.fields.routingKey, replyQueue);
      return Number(m.content.toString());
    });
  };
  const inputs = [...Array(40).keys()];
  const results = await Promise.all(inputs.map(call));
  assert.deepEqual(results, inputs.map((n) => n * 2));
  assert.equal(strays, 0, 'no reply without a matching request');
  assert.equal(served, 40);
});

await t.step('the reply queue is private to its connection', async () => {
  const { queue: replyQueue } = await client.assertQueue('', { exclusive: true });
  const c = await serverConn.createChannel();
  const err = deferred('405 when another connection consumes the reply queue');
  c.on('error', (e) => err.resolve(e));
  c.consume(replyQueue, () => {}).catch(() => {});
  assert.equal((await err.promise).code, 405);
});

await t.step('awkward body sizes: empty, frame-sized, multi-frame (1 MiB)', async () => {
  const { queue } = await client.assertQueue('', { exclusive: true });
  const frameMax = clientConn.connection.frameMax;
  assert.ok(frameMax >= 4096, `negotiated frame_max ${frameMax}`);
  const bodies = [
    Buffer.alloc(0),
    Buffer.alloc(frameMax - 8, 'a'), // exactly one full body frame
    Buffer.alloc(frameMax - 7, 'b'), // one byte over
    Buffer.from([...Array(1 << 20).keys()].map((i) => (i * 31) & 0xff)),
  ];
  const got = collector('the sized messages', bodies.length, 10_000);
  await client.consume(queue, (m) => got.push(m), { noAck: true });
  for (const b of bodies) client.sendToQueue(queue, b);
  const msgs = await got.promise;
  msgs.forEach((m, i) => assert.ok(m.content.equals(bodies[i]), `body ${i} (${bodies[i].length} bytes) intact`));
});

await clientConn.close();
await serverConn.close();
t.done();
