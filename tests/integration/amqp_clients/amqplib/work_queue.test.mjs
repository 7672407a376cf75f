// amqplib: a work queue. Durable queue, prefetch, competing consumers with manual ack, message
// properties and headers round-tripping, basic.get (auto and manual ack), nack/reject with and
// without requeue (the redelivered flag), no-ack consumers, cancel, unacked messages requeued
// when their channel closes, server-named queues, purge and delete counts.
import { start, assert, collector, deferred, eventually, sleep } from './lib.mjs';

const t = start('amqplib_work_queue');
const conn = await t.amqp.connect(t.url);
const ch = await conn.createChannel();
const q = `wq-${t.uid}`;

await t.step('queue.declare durable, redeclare is idempotent', async () => {
  const ok = await ch.assertQueue(q, { durable: true });
  assert.equal(ok.queue, q);
  assert.equal(ok.messageCount, 0);
  assert.equal(ok.consumerCount, 0);
  const again = await ch.assertQueue(q, { durable: true });
  assert.equal(again.queue, q);
});

await t.step('properties and headers round-trip', async () => {
  const ts = Math.floor(Date.now() / 1000);
  ch.sendToQueue(q, Buffer.from('{"job":1}'), {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { 'x-str': 'hello', 'x-int': 42, 'x-neg': -7, 'x-bool': true, 'x-float': 1.5, 'x-list': ['a', 2], 'x-bytes': Buffer.from([1, 2, 3]) },
    deliveryMode: 2,
    priority: 3,
    correlationId: 'corr-1',
    replyTo: 'some-reply-queue',
    expiration: '60000',
    messageId: 'msg-1',
    timestamp: ts,
    type: 'job.created',
    userId: 'guest',
    appId: 'warren-tests',
  });
  const msg = await eventually('basic.get of the message', () => ch.get(q, { noAck: true }));
  assert.equal(msg.content.toString(), '{"job":1}');
  const p = msg.properties;
  assert.equal(p.contentType, 'application/json');
  assert.equal(p.contentEncoding, 'utf-8');
  assert.equal(p.headers['x-str'], 'hello');
  assert.equal(p.headers['x-int'], 42);
  assert.equal(p.headers['x-neg'], -7);
  assert.equal(p.headers['x-bool'], true);
  assert.equal(p.headers['x-float'], 1.5);
  assert.deepEqual(p.headers['x-list'], ['a', 2]);
  // amqplib sends a Buffer as a byte array 'x' and decodes 'x' back to a Buffer: the letter
  // comes back as it was sent.
  const bytes = p.headers['x-bytes'];
  assert.deepEqual([...Buffer.from(bytes)], [1, 2, 3]);
  assert.ok(Buffer.isBuffer(bytes), `byte-array header came back as ${typeof bytes}`);
  assert.equal(p.deliveryMode, 2);
  assert.equal(p.priority, 3);
  assert.equal(p.correlationId, 'corr-1');
  assert.equal(p.replyTo, 'some-reply-queue');
  assert.equal(p.expiration, '60000');
  assert.equal(p.messageId, 'msg-1');
  assert.equal(p.timestamp, ts);
  assert.equal(p.type, 'job.created');
  assert.equal(p.userId, 'guest');
  assert.equal(p.appId, 'warren-tests');
  assert.equal(msg.fields.exchange, '');
  assert.equal(msg.fields.routingKey, q);
  assert.equal(msg.fields.redelivered, false);
  assert.equal(msg.fields.messageCount, 0);
});

await t.step('basic.get: empty, auto-ack with message count, manual ack, nack/reject requeue', async () => {
  assert.equal(await ch.get(q), false, 'basic.get-empty on an empty queue');
  for (const body of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(body), { persistent: true });
  await eventually('3 messages in the queue', async () => (await ch.checkQueue(q)).messageCount === 3);

  const a = await ch.get(q, { noAck: true });
  assert.equal(a.content.toString(), 'a');
  assert.equal(a.fields.messageCount, 2, 'get-ok message-count is what remains');

  const b = await ch.get(q, { noAck: false });
  assert.equal(b.content.toString(), 'b');
  assert.equal(b.fields.redelivered, false);
  ch.nack(b, false, true); // requeue: comes back, flagged redelivered
  const b2 = await eventually('b requeued', () => ch.get(q, { noAck: false }));
  assert.equal(b2.content.toString(), 'b', 'a requeued message goes back to its place at the head');
  assert.equal(b2.fields.redelivered, true);
  ch.ack(b2);

  const c = await ch.get(q, { noAck: false });
  assert.equal(c.content.toString(), 'c');
  ch.reject(c, true);
  const c2 = await eventually('c requeued', () => ch.get(q, { noAck: false }));
  assert.equal(c2.content.toString(), 'c');
  assert.equal(c2.fields.redelivered, true);
  ch.reject(c2, false); // dropped (no dead-letter exchange)
  await sleep(50);
  assert.equal(await ch.get(q), false, 'rejected without requeue is gone');
  assert.equal((await ch.checkQueue(q)).messageCount, 0);
});

await t.step('competing consumers with prefetch 1 and manual ack share the work', async () => {
  const chA = await conn.createChannel();
  const chB = await conn.createChannel();
  await chA.prefetch(1);
  await chB.prefetch(1);
  const total = 12;
  const all = collector('both consumers', total, 10_000);
  const seen = { A: [], B: [] };
  const inFlight = { A: 0, B: 0 };
  const consumer = (c, label) => async (msg) => {
    inFlight[label] += 1;
    assert.equal(inFlight[label], 1, `consumer ${label} got a second message before acking (prefetch 1)`);
    seen[label].push(Number(msg.content.toString()));
    await sleep(15);
    inFlight[label] -= 1;
    c.ack(msg);
    all.push(msg);
  };
  const tagA = (await chA.consume(q, consumer(chA, 'A'), { noAck: false })).consumerTag;
  const tagB = (await chB.consume(q, consumer(chB, 'B'), { noAck: false })).consumerTag;
  assert.notEqual(tagA, tagB);
  assert.equal((await ch.checkQueue(q)).consumerCount, 2);
  for (let i = 0; i < total; i += 1) ch.sendToQueue(q, Buffer.from(String(i)), { persistent: true });
  await all.promise;
  const got = [...seen.A, ...seen.B].sort((x, y) => x - y);
  assert.deepEqual(got, [...Array(total).keys()], 'every message delivered exactly once');
  assert.ok(seen.A.length > 0 && seen.B.length > 0, `both consumers got work (A ${seen.A.length}, B ${seen.B.length})`);
  for (const list of [seen.A, seen.B]) assert.deepEqual(list, [...list].sort((x, y) => x - y), 'in order per consumer');
  await chA.cancel(tagA);
  await chB.cancel(tagB);
  assert.equal((await ch.checkQueue(q)).consumerCount, 0, 'cancel-ok removed the consumers');
  await chA.close();
  await chB.close();
});

await t.step('prefetch 3 caps unacked deliveries; acking one releases the next', async () => {
  const c = await conn.createChannel();
  await c.prefetch(3);
  const got = [];
  let fourth = deferred('the 4th delivery after an ack');
  await c.consume(q, (msg) => {
    got.push(msg);
    if (got.length === 4) fourth.resolve();
  });
  for (let i = 0; i < 5; i += 1) ch.sendToQueue(q, Buffer.from(`p${i}`));
  await eventually('3 deliveries', () => got.length === 3);
  await sleep(150);
  assert.equal(got.length, 3, 'no more than prefetch-count unacked deliveries');
  c.ack(got[0]);
  await fourth.promise;
  await sleep(100);
  assert.equal(got.length, 4, 'one ack releases exactly one more');
  // Closing the channel requeues its 3 unacked messages (p1, p2, p3) ahead of p4.
  await c.close();
  const back = [];
  for (;;) {
    const m = await ch.get(q, { noAck: true });
    if (!m) break;
    back.push([m.content.toString(), m.fields.redelivered]);
  }
  assert.deepEqual(back.map(([b]) => b), ['p1', 'p2', 'p3', 'p4'], 'requeued messages keep their place ahead of p4');
  for (const [body, redelivered] of back) {
    assert.equal(redelivered, body !== 'p4', `${body}: redelivered flag after channel close`);
  }
});

await t.step('multiple ack acknowledges everything up to the tag', async () => {
  const c = await conn.createChannel();
  for (let i = 0; i < 4; i += 1) ch.sendToQueue(q, Buffer.from(`m${i}`));
  await eventually('4 messages', async () => (await ch.checkQueue(q)).messageCount === 4);
  const msgs = [];
  for (let i = 0; i < 4; i += 1) msgs.push(await c.get(q));
  c.ack(msgs[2], true); // acks m0..m2
  await c.close(); // m3 goes back
  const left = await ch.get(q, { noAck: true });
  assert.equal(left.content.toString(), 'm3');
  assert.equal(left.fields.redelivered, true);
  assert.equal(await ch.get(q), false);
});

// basic.ack / basic.nack with delivery-tag 0 and multiple=1 settle everything outstanding
// (AMQP 0-9-1 and RabbitMQ).
await t.step('ackAll / nackAll (delivery tag 0, multiple) settle every outstanding delivery', async () => {
  const c = await conn.createChannel();
  for (let i = 0; i < 3; i += 1) ch.sendToQueue(q, Buffer.from(`all${i}`));
  await eventually('3 messages', async () => (await ch.checkQueue(q)).messageCount === 3);
  for (let i = 0; i < 3; i += 1) assert.ok(await c.get(q));
  c.nackAll(true);
  await eventually('3 requeued', async () => (await ch.checkQueue(q)).messageCount === 3);
  for (let i = 0; i < 3; i += 1) assert.equal((await c.get(q)).fields.redelivered, true);
  c.ackAll();
  await eventually('all acked', async () => (await ch.checkQueue(q)).messageCount === 0);
  await c.close();
  assert.equal(await ch.get(q), false, 'nothing requeued on close: ackAll acked them all');
});

// basic.qos with global=true: one prefetch count shared by all the channel's consumers.
await t.step('basic.qos global: one prefetch count shared by the channel\'s consumers', async () => {
  const c = await conn.createChannel();
  await c.prefetch(2, true);
  let got = 0;
  await c.consume(q, () => { got += 1; });
  await c.consume(q, () => { got += 1; });
  for (let i = 0; i < 6; i += 1) ch.sendToQueue(q, Buffer.from(`g${i}`));
  await eventually('2 deliveries', () => got >= 2);
  await sleep(200);
  assert.equal(got, 2, 'global prefetch 2 across two consumers');
  await c.close();
  assert.equal((await ch.purgeQueue(q)).messageCount, 6);
});

await t.step('no-ack consumer, then cancel stops deliveries', async () => {
  const c = await conn.createChannel();
  const got = collector('no-ack consumer', 3);
  const { consumerTag } = await c.consume(q, (msg) => got.push(msg), { noAck: true, consumerTag: 'my-tag' });
  assert.equal(consumerTag, 'my-tag', 'the client-chosen consumer tag is used');
  for (let i = 0; i < 3; i += 1) ch.sendToQueue(q, Buffer.from(`n${i}`));
  const msgs = await got.promise;
  assert.deepEqual(msgs.map((m) => m.content.toString()), ['n0', 'n1', 'n2']);
  assert.equal(msgs[0].fields.consumerTag, 'my-tag');
  assert.deepEqual(msgs.map((m) => m.fields.deliveryTag), [1, 2, 3]);
  await c.cancel('my-tag');
  ch.sendToQueue(q, Buffer.from('after-cancel'));
  await sleep(150);
  assert.equal(got.messages.length, 3, 'no delivery after basic.cancel-ok');
  await c.close(); // no-ack deliveries are not requeued
  const m = await ch.get(q, { noAck: true });
  assert.equal(m.content.toString(), 'after-cancel');
  assert.equal(await ch.get(q), false);
});

await t.step('server-named exclusive queue', async () => {
  const ok = await ch.assertQueue('', { exclusive: true });
  const other = await ch.assertQueue('', { exclusive: true });
  // As RabbitMQ names them: amq.gen- and 22 characters.
  assert.match(ok.queue, /^amq\.gen-[\w-]{22}$/);
  assert.notEqual(ok.queue, other.queue, 'each declare gets a fresh name');
  assert.equal((await ch.checkQueue(ok.queue)).messageCount, 0);
  ch.sendToQueue(ok.queue, Buffer.from('x'));
  const m = await eventually('message on the server-named queue', () => ch.get(ok.queue, { noAck: true }));
  assert.equal(m.content.toString(), 'x');
});

await t.step('queue.purge and queue.delete report message counts', async () => {
  for (let i = 0; i < 5; i += 1) ch.sendToQueue(q, Buffer.from(`d${i}`));
  await eventually('5 messages', async () => (await ch.checkQueue(q)).messageCount === 5);
  assert.equal((await ch.purgeQueue(q)).messageCount, 5);
  assert.equal((await ch.checkQueue(q)).messageCount, 0);
  ch.sendToQueue(q, Buffer.from('last'));
  await eventually('1 message', async () => (await ch.checkQueue(q)).messageCount === 1);
  assert.equal((await ch.deleteQueue(q)).messageCount, 1);
  const probe = await conn.createChannel();
  probe.on('error', () => {});
  await assert.rejects(probe.checkQueue(q), /404/, 'the deleted queue is gone');
});

await ch.close();
await conn.close();
t.done();
