// amqplib: publisher confirms, mandatory returns (312 NO_ROUTE), queue arguments
// (x-message-ttl, x-max-length, x-dead-letter-exchange with x-death), and - against warren,
// which with_warren.py lets us restart - that a confirmed persistent message survives kill -9.
import { spawn } from 'node:child_process';
import { start, assert, deferred, eventually, sleep } from './lib.mjs';

const t = start('amqplib_confirms_returns');
let conn = await t.amqp.connect(t.url);
let ch = await conn.createChannel();
let cc = await conn.createConfirmChannel();
const id = t.uid;

await t.step('confirm.select: every publish is acked, callbacks in order', async () => {
  const q = `conf-${id}`;
  await ch.assertQueue(q, { durable: true });
  const acked = [];
  const all = [];
  for (let i = 0; i < 50; i += 1) {
    all.push(new Promise((resolve, reject) => {
      cc.sendToQueue(q, Buffer.from(`c${i}`), { persistent: true }, (err) => {
        if (err) reject(new Error(`message ${i} nacked`));
        acked.push(i);
        resolve();
      });
    }));
  }
  await Promise.all(all);
  await cc.waitForConfirms();
  assert.deepEqual(acked, [...Array(50).keys()]);
  assert.equal((await ch.checkQueue(q)).messageCount, 50, 'all confirmed messages are in the queue');
  // Unroutable messages are confirmed too (nothing to store).
  await new Promise((resolve, reject) => cc.publish('amq.direct', `nobody-${id}`, Buffer.from('x'), {}, (err) => (err ? reject(err) : resolve())));
  await ch.deleteQueue(q);
});

await t.step('mandatory publish to nowhere: basic.return 312 NO_ROUTE with the message', async () => {
  const returned = deferred('basic.return');
  ch.once('return', (msg) => returned.resolve(msg));
  ch.publish('amq.direct', `unbound-${id}`, Buffer.from('lost'), {
    mandatory: true, contentType: 'text/plain', headers: { h: 'v' }, messageId: 'm-ret',
  });
  const msg = await returned.promise;
  assert.equal(msg.fields.replyCode, 312);
  assert.equal(msg.fields.replyText, 'NO_ROUTE');
  assert.equal(msg.fields.exchange, 'amq.direct');
  assert.equal(msg.fields.routingKey, `unbound-${id}`);
  assert.equal(msg.content.toString(), 'lost');
  assert.equal(msg.properties.contentType, 'text/plain');
  assert.equal(msg.properties.headers.h, 'v');
  assert.equal(msg.properties.messageId, 'm-ret');
});

await t.step('mandatory to the default exchange and a missing queue returns; routed does not', async () => {
  const q = `mand-${id}`;
  await ch.assertQueue(q);
  const returns = [];
  ch.on('return', (msg) => returns.push(msg));
  ch.publish('', `missing-${id}`, Buffer.from('r1'), { mandatory: true });
  ch.publish('', q, Buffer.from('routed'), { mandatory: true });
  ch.publish('', `missing-${id}`, Buffer.from('unmandatory'), { mandatory: false });
  await eventually('the return', () => returns.length >= 1);
  await eventually('the routed message', async () => (await ch.checkQueue(q)).messageCount === 1);
  await sleep(100);
  assert.equal(returns.length, 1, 'only the mandatory unroutable message comes back');
  assert.equal(returns[0].content.toString(), 'r1');
  assert.equal(returns[0].fields.routingKey, `missing-${id}`);
  ch.removeAllListeners('return');
  await ch.deleteQueue(q);
});

await t.step('mandatory + confirms: the return arrives before the ack', async () => {
  const events = [];
  cc.once('return', () => events.push('return'));
  await new Promise((resolve, reject) => cc.publish('amq.topic', `nowhere-${id}`, Buffer.from('x'), { mandatory: true }, (err) => {
    events.push('ack');
    if (err) reject(err);
    else resolve();
  }));
  assert.deepEqual(events, ['return', 'ack']);
});

await t.step('x-message-ttl expires messages', async () => {
  const q = `ttl-${id}`;
  const ok = await ch.assertQueue(q, { arguments: { 'x-message-ttl': 150 } });
  assert.equal(ok.queue, q);
  ch.sendToQueue(q, Buffer.from('short-lived'));
  await eventually('the message to arrive', async () => (await ch.checkQueue(q)).messageCount === 1);
  await sleep(400);
  assert.equal(await ch.get(q, { noAck: true }), false, 'expired after 150 ms');
  assert.equal((await ch.checkQueue(q)).messageCount, 0);
  await ch.deleteQueue(q);
});

await t.step('x-max-length drops from the head', async () => {
  const q = `maxlen-${id}`;
  await ch.assertQueue(q, { arguments: { 'x-max-length': 3 } });
  for (let i = 1; i <= 5; i += 1) cc.sendToQueue(q, Buffer.from(`m${i}`));
  await cc.waitForConfirms();
  assert.equal((await ch.checkQueue(q)).messageCount, 3);
  const bodies = [];
  for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) bodies.push(m.content.toString());
  assert.deepEqual(bodies, ['m3', 'm4', 'm5']);
  await ch.deleteQueue(q);
});

function checkDeath(msg, { queue, reason, routingKey }) {
  const deaths = msg.properties.headers['x-death'];
  assert.ok(Array.isArray(deaths) && deaths.length === 1, `one x-death entry, got ${JSON.stringify(deaths)}`);
  const d = deaths[0];
  assert.equal(d.queue, queue);
  assert.equal(d.reason, reason);
  assert.equal(d.exchange, '');
  assert.deepEqual(d['routing-keys'], [routingKey]);
  assert.equal(Number(d.count), 1);
  assert.ok(d.time, 'x-death has a time');
  // RabbitMQ, and warren, send time as an AMQP timestamp 'T' (amqplib: {'!': 'timestamp',
  // value}).
  assert.equal(d.time['!'], 'timestamp', `x-death time ${JSON.stringify(d.time)}`);
  assert.equal(msg.properties.headers['x-first-death-queue'], queue);
  assert.equal(msg.properties.headers['x-first-death-reason'], reason);
}

await t.step('dead-lettering: reject(requeue=false) goes to the DLX with x-death', async () => {
  const dlx = `dlx-${id}`;
  const dlq = `dlq-${id}`;
  const src = `work-dl-${id}`;
  await ch.assertExchange(dlx, 'fanout', { durable: false });
  await ch.assertQueue(dlq);
  await ch.bindQueue(dlq, dlx, '');
  await ch.assertQueue(src, { deadLetterExchange: dlx });
  ch.sendToQueue(src, Buffer.from('poison'), { headers: { attempt: 1 }, messageId: 'p-1' });
  const got = deferred('delivery on the work queue');
  const c = await conn.createChannel();
  await c.consume(src, (m) => got.resolve(m));
  const m = await got.promise;
  c.reject(m, false);
  const dead = await eventually('the dead letter', () => ch.get(dlq, { noAck: true }));
  assert.equal(dead.content.toString(), 'poison');
  assert.equal(dead.properties.messageId, 'p-1');
  assert.equal(dead.properties.headers.attempt, 1);
  assert.equal(dead.fields.exchange, dlx);
  assert.equal(dead.fields.routingKey, src, 'dead-lettered with its original routing key');
  checkDeath(dead, { queue: src, reason: 'rejected', routingKey: src });
  assert.equal(await ch.get(src), false, 'gone from the work queue');
  await c.close();
});

await t.step('dead-lettering: nack, x-dead-letter-routing-key and TTL expiry', async () => {
  const dlx = `dlx-direct-${id}`;
  const dlq = `dlq2-${id}`;
  const src = `work-dl2-${id}`;
  const ttlq = `work-ttl-${id}`;
  await ch.assertExchange(dlx, 'direct', { durable: false });
  await ch.assertQueue(dlq);
  await ch.bindQueue(dlq, dlx, 'dead');
  await ch.assertQueue(src, { deadLetterExchange: dlx, deadLetterRoutingKey: 'dead' });
  await ch.assertQueue(ttlq, { deadLetterExchange: dlx, deadLetterRoutingKey: 'dead', messageTtl: 100 });
  ch.sendToQueue(src, Buffer.from('nacked'));
  const m = await eventually('the message', () => ch.get(src));
  ch.nack(m, false, false);
  const dead = await eventually('the nacked dead letter', () => ch.get(dlq, { noAck: true }));
  assert.equal(dead.content.toString(), 'nacked');
  assert.equal(dead.fields.routingKey, 'dead');
  checkDeath(dead, { queue: src, reason: 'rejected', routingKey: src });

  ch.sendToQueue(ttlq, Buffer.from('expired'));
  const exp = await eventually('the expired dead letter', () => ch.get(dlq, { noAck: true }), 5000);
  assert.equal(exp.content.toString(), 'expired');
  checkDeath(exp, { queue: ttlq, reason: 'expired', routingKey: ttlq });
});

// The durability half of "acks come after the durable commit": a confirmed persistent message
// in a durable queue survives warren being killed with SIGKILL. Only against warren (RabbitMQ
// cannot be restarted from here).
if (process.env.WARREN_CMD && process.env.WARREN_PID) {
  await t.step('a confirmed persistent message survives kill -9 of warren', async () => {
    const q = `durable-${id}`;
    await ch.assertQueue(q, { durable: true });
    await ch.assertQueue(`transient-${id}`, { durable: false });
    for (let i = 0; i < 20; i += 1) cc.sendToQueue(q, Buffer.from(`keep${i}`), { persistent: true });
    await cc.waitForConfirms();
    conn.on('error', () => {});
    conn.on('close', () => {});
    process.kill(Number(process.env.WARREN_PID), 'SIGKILL');
    await sleep(200);
    const [bin, ...args] = JSON.parse(process.env.WARREN_CMD);
    const restarted = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    process.on('exit', () => restarted.kill('SIGKILL'));
    let log = '';
    const port = process.env.WARREN_AMQP_PORT;
    const up = deferred('the restarted warren to listen', 10_000);
    const onData = (chunk) => {
      log += chunk;
      if (log.includes(`amqp://127.0.0.1:${port}`)) up.resolve();
    };
    restarted.stdout.on('data', onData);
    restarted.stderr.on('data', onData);
    restarted.on('exit', (code) => up.reject(new Error(`restarted warren exited with ${code}:\n${log}`)));
    await up.promise;
    conn = await t.amqp.connect(t.url);
    ch = await conn.createChannel();
    const ok = await ch.checkQueue(q);
    assert.equal(ok.messageCount, 20, 'all 20 confirmed messages recovered');
    const first = await ch.get(q, { noAck: true });
    assert.equal(first.content.toString(), 'keep0');
    assert.equal(first.properties.deliveryMode, 2);
    const probe = await conn.createChannel();
    probe.on('error', () => {});
    await assert.rejects(probe.checkQueue(`transient-${id}`), /404/, 'a non-durable queue does not survive a restart');
    await conn.close();
    restarted.kill('SIGTERM');
    await new Promise((resolve) => restarted.once('exit', resolve));
  });
} else {
  for (const q of [`dlq-${id}`, `work-dl-${id}`, `dlq2-${id}`, `work-dl2-${id}`, `work-ttl-${id}`]) await ch.deleteQueue(q);
  for (const x of [`dlx-${id}`, `dlx-direct-${id}`]) await ch.deleteExchange(x);
  await conn.close();
}

t.done();
