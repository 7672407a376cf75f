// amqplib: publish/subscribe and routing. Fanout, direct, topic and headers exchanges,
// passive declares, the pre-declared amq.* exchanges, queue.unbind, exchange-to-exchange
// bindings, exchange.delete, and a live fanout to several consumers.
import { start, assert, collector, sleep } from './lib.mjs';

const t = start('amqplib_pubsub_routing');
const conn = await t.amqp.connect(t.url);
const ch = await conn.createChannel();
// Publishing on a confirm channel and waiting for the confirms makes "routed" observable: a
// message is confirmed once it is in all of its queues.
const pub = await conn.createConfirmChannel();
const id = t.uid;

async function publish(exchange, routingKey, body, options = {}) {
  pub.publish(exchange, routingKey, Buffer.from(body), options);
  await pub.waitForConfirms();
}

// Everything currently in a queue (auto-ack), as bodies.
async function drain(queue) {
  const bodies = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) return bodies;
    bodies.push(m.content.toString());
  }
}

async function queue(label) {
  const { queue: name } = await ch.assertQueue(`${label}-${id}`, { autoDelete: false, durable: false });
  return name;
}

await t.step('exchange.declare of each type, passive declare of existing ones', async () => {
  for (const type of ['direct', 'fanout', 'topic', 'headers']) {
    const ok = await ch.assertExchange(`ex-${type}-${id}`, type, { durable: false });
    assert.equal(ok.exchange, `ex-${type}-${id}`);
    await ch.checkExchange(`ex-${type}-${id}`);
  }
  for (const name of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) {
    await ch.checkExchange(name);
  }
});

await t.step('fanout: every bound queue gets a copy, the routing key is ignored', async () => {
  const ex = `ex-fanout-${id}`;
  const qs = [await queue('fan1'), await queue('fan2'), await queue('fan3')];
  for (const q of qs) await ch.bindQueue(q, ex, '');
  await publish(ex, 'whatever', 'f1');
  await publish(ex, '', 'f2');
  for (const q of qs) assert.deepEqual(await drain(q), ['f1', 'f2'], q);
});

await t.step('direct: exact key match, several keys to one queue, one copy per queue', async () => {
  const ex = `ex-direct-${id}`;
  const errors = await queue('errors');
  const all = await queue('all');
  await ch.bindQueue(errors, ex, 'error');
  for (const key of ['info', 'warning', 'error']) await ch.bindQueue(all, ex, key);
  await ch.bindQueue(all, ex, 'error'); // a duplicate binding is a no-op
  for (const key of ['info', 'error', 'warning', 'debug', 'Error']) await publish(ex, key, key);
  assert.deepEqual(await drain(errors), ['error']);
  assert.deepEqual(await drain(all), ['info', 'error', 'warning']);
});

await t.step('topic: * matches one word, # zero or more', async () => {
  const ex = `ex-topic-${id}`;
  const q1 = await queue('orange');
  const q2 = await queue('rabbit-lazy');
  const q3 = await queue('hash');
  await ch.bindQueue(q1, ex, '*.orange.*');
  await ch.bindQueue(q2, ex, '*.*.rabbit');
  await ch.bindQueue(q2, ex, 'lazy.#');
  await ch.bindQueue(q3, ex, 'a.#.z');
  const keys = [
    'quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox',
    'lazy.pink.rabbit', 'quick.brown.fox', 'orange', 'quick.orange.male.rabbit', 'lazy',
    'lazy.orange.male.rabbit', 'a.z', 'a.b.c.z', 'a.b', 'x.a.z',
  ];
  for (const key of keys) await publish(ex, key, key);
  assert.deepEqual(await drain(q1), ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox']);
  assert.deepEqual(await drain(q2), [
    'quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy',
    'lazy.orange.male.rabbit',
  ]);
  assert.deepEqual(await drain(q3), ['a.z', 'a.b.c.z']);
});

await t.step('headers: x-match all and any', async () => {
  const ex = `ex-headers-${id}`;
  const qAll = await queue('hall');
  const qAny = await queue('hany');
  await ch.bindQueue(qAll, ex, '', { 'x-match': 'all', format: 'pdf', type: 'report' });
  await ch.bindQueue(qAny, ex, '', { 'x-match': 'any', format: 'zip', type: 'log' });
  await publish(ex, '', 'pdf-report', { headers: { format: 'pdf', type: 'report', extra: 1 } });
  await publish(ex, '', 'pdf-only', { headers: { format: 'pdf' } });
  await publish(ex, '', 'zip', { headers: { format: 'zip', type: 'report' } });
  await publish(ex, '', 'log', { headers: { type: 'log' } });
  await publish(ex, '', 'none', { headers: { other: 'x' } });
  await publish(ex, '', 'no-headers');
  assert.deepEqual(await drain(qAll), ['pdf-report']);
  assert.deepEqual(await drain(qAny), ['zip', 'log']);
});

await t.step('queue.unbind stops routing through that binding only', async () => {
  const ex = `ex-direct-${id}`;
  const q = await queue('unbind');
  await ch.bindQueue(q, ex, 'k1');
  await ch.bindQueue(q, ex, 'k2');
  await publish(ex, 'k1', 'before');
  await ch.unbindQueue(q, ex, 'k1');
  await publish(ex, 'k1', 'after-k1');
  await publish(ex, 'k2', 'after-k2');
  assert.deepEqual(await drain(q), ['before', 'after-k2']);
});

await t.step('exchange.bind: a topic exchange feeds a fanout exchange', async () => {
  const src = `ex-topic-${id}`;
  const dst = `ex-e2e-${id}`;
  await ch.assertExchange(dst, 'fanout', { durable: false });
  const q = await queue('e2e');
  await ch.bindQueue(q, dst, '');
  await ch.bindExchange(dst, src, 'audit.*');
  await publish(src, 'audit.login', 'through');
  await publish(src, 'other.login', 'not-through');
  await publish(src, 'audit.a.b', 'not-through-either');
  assert.deepEqual(await drain(q), ['through']);
  await ch.unbindExchange(dst, src, 'audit.*');
  await publish(src, 'audit.login', 'after-unbind');
  assert.deepEqual(await drain(q), []);
});

await t.step('the default exchange routes by queue name; amq.topic works', async () => {
  const q = await queue('dflt');
  await publish('', q, 'direct-to-queue');
  await ch.bindQueue(q, 'amq.topic', `stocks.${id}.#`);
  await publish('amq.topic', `stocks.${id}.nyse.ibm`, 'via-amq-topic');
  assert.deepEqual(await drain(q), ['direct-to-queue', 'via-amq-topic']);
});

await t.step('live fanout to several consumers on separate connections', async () => {
  const ex = `ex-fanout-live-${id}`;
  await ch.assertExchange(ex, 'fanout', { durable: false, autoDelete: false });
  const conns = [];
  const collectors = [];
  for (let i = 0; i < 3; i += 1) {
    const c = await t.amqp.connect(t.url);
    conns.push(c);
    const cc = await c.createChannel();
    const { queue: q } = await cc.assertQueue('', { exclusive: true });
    await cc.bindQueue(q, ex, '');
    const col = collector(`subscriber ${i}`, 5);
    await cc.consume(q, (m) => col.push(m), { noAck: true });
    collectors.push(col);
  }
  for (let i = 0; i < 5; i += 1) pub.publish(ex, '', Buffer.from(`live${i}`));
  await pub.waitForConfirms();
  for (const col of collectors) {
    const msgs = await col.promise;
    assert.deepEqual(msgs.map((m) => m.content.toString()), ['live0', 'live1', 'live2', 'live3', 'live4']);
    assert.equal(msgs[0].fields.exchange, ex);
  }
  for (const c of conns) await c.close();
});

await t.step('exchange.delete; then a passive declare fails with 404', async () => {
  const ex = `ex-doomed-${id}`;
  await ch.assertExchange(ex, 'direct', { durable: false });
  await ch.deleteExchange(ex);
  const probe = await conn.createChannel();
  probe.on('error', () => {});
  const err = await probe.checkExchange(ex).then(() => null, (e) => e);
  assert.ok(err, 'passive declare of a deleted exchange must fail');
  assert.equal(err.code, 404);
  assert.match(err.message, new RegExp(`NOT_FOUND - no exchange '${ex}' in vhost '/'`));
});

// Clean up (matters only against a shared broker).
for (const label of ['fan1', 'fan2', 'fan3', 'errors', 'all', 'orange', 'rabbit-lazy', 'hash', 'hall', 'hany', 'unbind', 'e2e', 'dflt']) {
  await ch.deleteQueue(`${label}-${id}`);
}
for (const name of ['direct', 'fanout', 'topic', 'headers', 'e2e', 'fanout-live']) await ch.deleteExchange(`ex-${name}-${id}`);
await sleep(10);
await conn.close();
t.done();
