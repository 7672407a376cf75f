// amqplib: errors and lifecycles. Channel errors carry RabbitMQ's codes and texts (404
// NOT_FOUND, 406 PRECONDITION_FAILED, 405 RESOURCE_LOCKED, 403 ACCESS_REFUSED) and close only
// their channel; connection errors (bad credentials, unknown vhost); the broker cancelling a
// consumer whose queue is deleted (amqplib hands the callback null); exclusive and auto-delete
// queues going away with their connection / last consumer.
import { start, assert, deferred, eventually, sleep } from './lib.mjs';

const t = start('amqplib_errors');
const conn = await t.amqp.connect(t.url);
const ch = await conn.createChannel();
const id = t.uid;

// Runs `op` on a fresh channel and returns the channel error it must cause; checks the channel
// is closed afterwards and the connection still works.
async function channelError(what, op) {
  const c = await conn.createChannel();
  const closed = deferred(`${what}: channel close`);
  const errored = deferred(`${what}: channel error event`);
  c.on('error', (e) => errored.resolve(e));
  c.on('close', () => closed.resolve());
  let opError = null;
  try {
    await op(c);
  } catch (e) {
    opError = e;
  }
  const err = await errored.promise;
  await closed.promise;
  if (opError) assert.equal(opError.code, err.code);
  // The connection survives a channel error.
  const { queue } = await ch.assertQueue('', { exclusive: true });
  assert.ok(queue);
  return err;
}

await t.step('404: passive declare of a missing queue', async () => {
  const err = await channelError('checkQueue', (c) => c.checkQueue(`missing-${id}`));
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no queue 'missing-${id}' in vhost '/'`), err.message);
});

await t.step('404: passive declare of a missing exchange, publish to it, bind to it', async () => {
  let err = await channelError('checkExchange', (c) => c.checkExchange(`nox-${id}`));
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no exchange 'nox-${id}' in vhost '/'`), err.message);

  err = await channelError('publish', async (c) => {
    c.publish(`nox-${id}`, 'k', Buffer.from('x'));
    // the error arrives asynchronously and rejects nothing
  });
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no exchange 'nox-${id}' in vhost '/'`), err.message);

  const q = `bindq-${id}`;
  await ch.assertQueue(q);
  err = await channelError('bindQueue', (c) => c.bindQueue(q, `nox-${id}`, 'k'));
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no exchange 'nox-${id}' in vhost '/'`), err.message);

  err = await channelError('bindQueue to a missing queue', (c) => c.bindQueue(`missing-${id}`, 'amq.direct', 'k'));
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no queue 'missing-${id}' in vhost '/'`), err.message);

  err = await channelError('consume from a missing queue', (c) => c.consume(`missing-${id}`, () => {}));
  assert.equal(err.code, 404);
  assert.ok(err.message.includes(`NOT_FOUND - no queue 'missing-${id}' in vhost '/'`), err.message);
  await ch.deleteQueue(q);
});

await t.step('406: inequivalent queue and exchange redeclares', async () => {
  const q = `eq-${id}`;
  await ch.assertQueue(q, { durable: true });
  let err = await channelError('queue durable mismatch', (c) => c.assertQueue(q, { durable: false }));
  assert.equal(err.code, 406);
  assert.ok(err.message.includes(`PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'false' but current is 'true'`), err.message);

  err = await channelError('queue argument mismatch', (c) => c.assertQueue(q, { durable: true, arguments: { 'x-max-length': 10 } }));
  assert.equal(err.code, 406);
  // RabbitMQ names the argument ('x-max-length'); warren says 'arguments' (reported).
  assert.match(err.message, new RegExp(`PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '${q}' in vhost '/'`));

  const x = `ex-${id}`;
  await ch.assertExchange(x, 'direct', { durable: false });
  err = await channelError('exchange type mismatch', (c) => c.assertExchange(x, 'fanout', { durable: false }));
  assert.equal(err.code, 406);
  assert.ok(err.message.includes(`PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${x}' in vhost '/': received 'fanout' but current is 'direct'`), err.message);
  // An equivalent redeclare is fine.
  await ch.assertQueue(q, { durable: true });
  await ch.assertExchange(x, 'direct', { durable: false });
  await ch.deleteQueue(q);
  await ch.deleteExchange(x);
});

await t.step('406: ack of an unknown delivery tag, and a double ack', async () => {
  let err = await channelError('ack unknown tag', async (c) => {
    c.ack({ fields: { deliveryTag: 99 } });
  });
  assert.equal(err.code, 406);
  assert.ok(err.message.includes('PRECONDITION_FAILED - unknown delivery tag 99'), err.message);

  const q = `dbl-${id}`;
  await ch.assertQueue(q);
  ch.sendToQueue(q, Buffer.from('once'));
  err = await channelError('double ack', async (c) => {
    const m = await eventually('the message', () => c.get(q));
    c.ack(m);
    c.ack(m);
  });
  assert.equal(err.code, 406);
  assert.ok(err.message.includes('PRECONDITION_FAILED - unknown delivery tag 1'), err.message);
  assert.equal((await ch.checkQueue(q)).messageCount, 0, 'the first ack took effect');
  await ch.deleteQueue(q);
});

await t.step('403: queue names starting with amq. are reserved', async () => {
  const err = await channelError('amq. queue', (c) => c.assertQueue(`amq.mine-${id}`));
  assert.equal(err.code, 403);
  assert.ok(err.message.includes(`ACCESS_REFUSED - queue name 'amq.mine-${id}' contains reserved prefix 'amq.*'`), err.message);
});

await t.step('exclusive queues: 405 from another connection, deleted with their connection', async () => {
  const owner = await t.amqp.connect(t.url);
  const oc = await owner.createChannel();
  const q = `excl-${id}`;
  await oc.assertQueue(q, { exclusive: true });
  const other = await t.amqp.connect(t.url);
  const xc = await other.createChannel();
  const errored = deferred('405 on the other connection');
  xc.on('error', (e) => errored.resolve(e));
  await xc.consume(q, () => {}).catch(() => {});
  const err = await errored.promise;
  assert.equal(err.code, 405);
  assert.ok(err.message.includes(`RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'`), err.message);
  await other.close();
  await owner.close();
  const probe = await conn.createChannel();
  probe.on('error', () => {});
  await assert.rejects(eventually('queue gone', async () => {
    await probe.checkQueue(q);
    return false;
  }, 2000), /404/, 'the exclusive queue is deleted when its connection closes');
});

await t.step('auto-delete queue goes away when its last consumer cancels', async () => {
  const q = `autodel-${id}`;
  await ch.assertQueue(q, { autoDelete: true });
  const c = await conn.createChannel();
  const { consumerTag } = await c.consume(q, () => {}, { noAck: true });
  await ch.checkQueue(q);
  await c.cancel(consumerTag);
  const probe = await conn.createChannel();
  probe.on('error', () => {});
  await assert.rejects(eventually('auto-delete queue gone', async () => {
    await probe.checkQueue(q);
    return false;
  }, 2000), /404/);
  await c.close();
});

await t.step('the broker cancels a consumer whose queue is deleted (callback gets null)', async () => {
  const q = `cancelme-${id}`;
  await ch.assertQueue(q);
  const c = await conn.createChannel();
  const seen = [];
  const cancelled = deferred('basic.cancel from the broker');
  await c.consume(q, (msg) => {
    seen.push(msg);
    if (msg === null) cancelled.resolve();
  }, { noAck: true });
  ch.sendToQueue(q, Buffer.from('before-delete'));
  await eventually('the delivery', () => seen.length === 1);
  await ch.deleteQueue(q);
  await cancelled.promise;
  assert.equal(seen.length, 2);
  assert.equal(seen[0].content.toString(), 'before-delete');
  assert.equal(seen[1], null);
  // The channel stays open and usable after the broker's cancel.
  const ok = await c.assertQueue('', { exclusive: true });
  assert.ok(ok.queue);
  await c.close();
});

await t.step('connection errors: bad password, unknown vhost', async () => {
  const bad = new URL(t.url);
  bad.password = 'wrong';
  const e1 = await t.amqp.connect(bad.toString()).then((c) => { c.close(); return null; }, (e) => e);
  assert.ok(e1, 'a wrong password must be refused');
  assert.ok(e1.message.includes('403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN'), e1.message);

  const vhost = new URL(t.url);
  vhost.pathname = `/no-such-vhost-${id}`;
  const e2 = await t.amqp.connect(vhost.toString()).then((c) => { c.close(); return null; }, (e) => e);
  assert.ok(e2, 'an unknown vhost must be refused');
  // amqplib reports a connection.close in answer to connection.open only this way (the Java
  // test checks the 530 NOT_ALLOWED text).
  assert.match(String(e2.message), /Expected ConnectionOpenOk; got <ConnectionClose channel:0>/);
});

await t.step('heartbeats (1 s) keep an idle connection alive', async () => {
  const c = await t.amqp.connect(t.url, { heartbeat: 1 });
  let failure = null;
  c.on('error', (e) => { failure = e; });
  c.on('close', (e) => { failure = failure || new Error(`closed: ${e}`); });
  // amqplib drops the connection when it hears nothing from the broker for 2 intervals.
  await sleep(3200);
  assert.equal(failure, null, `the connection died while idle: ${failure}`);
  const cc = await c.createChannel();
  await cc.assertQueue('', { exclusive: true });
  await c.close();
});

await conn.close();
t.done();
