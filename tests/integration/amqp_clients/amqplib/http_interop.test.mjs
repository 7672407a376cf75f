// amqplib + the management HTTP API: a message published over HTTP is consumed over AMQP and
// the reverse, properties survive both ways, and queues, bindings, consumers and connections
// made over one protocol are visible over the other.
import { start, assert, deferred, eventually, http } from './lib.mjs';

const t = start('amqplib_http_interop');
const conn = await t.amqp.connect(t.url, { clientProperties: { connection_name: `interop-${process.pid}` } });
const ch = await conn.createChannel();
const id = t.uid;
const q = `interop-${id}`;
const enc = encodeURIComponent;

await t.step('HTTP publish to amq.default is consumed over AMQP, with properties', async () => {
  await ch.assertQueue(q, { durable: true });
  const got = deferred('the HTTP-published message on the AMQP consumer');
  const { consumerTag } = await ch.consume(q, (m) => got.resolve(m), { noAck: false });
  const res = await http('POST', '/api/exchanges/%2F/amq.default/publish', {
    properties: { content_type: 'text/plain', headers: { origin: 'http', n: 7 }, correlation_id: 'c-http', delivery_mode: 2 },
    routing_key: q,
    payload: 'hi from http',
    payload_encoding: 'string',
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { routed: true });
  const m = await got.promise;
  assert.equal(m.content.toString(), 'hi from http');
  assert.equal(m.fields.exchange, '');
  assert.equal(m.fields.routingKey, q);
  assert.equal(m.properties.contentType, 'text/plain');
  assert.equal(m.properties.correlationId, 'c-http');
  assert.equal(m.properties.deliveryMode, 2);
  assert.equal(m.properties.headers.origin, 'http');
  assert.equal(m.properties.headers.n, 7);
  ch.ack(m);
  await ch.cancel(consumerTag);
});

await t.step('HTTP publish: base64 payload, unroutable gives routed:false', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  let res = await http('POST', '/api/exchanges/%2F/amq.default/publish', {
    properties: {}, routing_key: q, payload: bytes.toString('base64'), payload_encoding: 'base64',
  });
  assert.deepEqual(res.json, { routed: true });
  const m = await eventually('the binary message', () => ch.get(q, { noAck: true }));
  assert.deepEqual([...m.content], [...bytes]);
  res = await http('POST', '/api/exchanges/%2F/amq.default/publish', {
    properties: {}, routing_key: `nobody-${id}`, payload: 'x', payload_encoding: 'string',
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { routed: false });
});

await t.step('AMQP publish is fetched over HTTP (ack_requeue_false) with its properties', async () => {
  const pub = await conn.createConfirmChannel();
  pub.sendToQueue(q, Buffer.from('hi from amqp'), {
    contentType: 'text/plain', headers: { origin: 'amqp' }, messageId: 'm-amqp', persistent: true,
  });
  pub.sendToQueue(q, Buffer.from('second'));
  await pub.waitForConfirms();
  const res = await http('POST', `/api/queues/%2F/${enc(q)}/get`, { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.length, 1);
  const m = res.json[0];
  assert.equal(m.payload, 'hi from amqp');
  assert.equal(m.payload_encoding, 'string');
  assert.equal(m.payload_bytes, 12);
  assert.equal(m.redelivered, false);
  assert.equal(m.exchange, '');
  assert.equal(m.routing_key, q);
  assert.equal(m.message_count, 1, 'one message left after this one');
  assert.equal(m.properties.content_type, 'text/plain');
  assert.equal(m.properties.message_id, 'm-amqp');
  assert.equal(m.properties.delivery_mode, 2);
  assert.deepEqual(m.properties.headers, { origin: 'amqp' });
  // ack_requeue_false removed it; the second is still there for AMQP.
  const left = await ch.get(q, { noAck: true });
  assert.equal(left.content.toString(), 'second');
  assert.equal(await ch.get(q), false);
  await pub.close();
});

await t.step('HTTP get with ack_requeue_true leaves the message, redelivered, for AMQP', async () => {
  ch.sendToQueue(q, Buffer.from('peek'));
  await eventually('the message', async () => (await ch.checkQueue(q)).messageCount === 1);
  const res = await http('POST', `/api/queues/%2F/${enc(q)}/get`, { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto' });
  assert.equal(res.json.length, 1);
  assert.equal(res.json[0].payload, 'peek');
  const m = await eventually('the requeued message', () => ch.get(q, { noAck: true }));
  assert.equal(m.content.toString(), 'peek');
  assert.equal(m.fields.redelivered, true);
});

await t.step('queues, bindings and consumers are shared between HTTP and AMQP', async () => {
  // An HTTP-declared queue is visible over AMQP.
  const hq = `http-made-${id}`;
  let res = await http('PUT', `/api/queues/%2F/${enc(hq)}`, { durable: true, auto_delete: false, arguments: {} });
  assert.ok([201, 204].includes(res.status), `${res.status} ${res.text}`);
  assert.equal((await ch.checkQueue(hq)).messageCount, 0);
  // An AMQP binding is visible over HTTP.
  await ch.bindQueue(hq, 'amq.direct', `rk-${id}`);
  res = await http('GET', `/api/queues/%2F/${enc(hq)}/bindings`);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.some((b) => b.source === 'amq.direct' && b.routing_key === `rk-${id}` && b.destination === hq),
    `binding not listed: ${res.text}`);
  // An AMQP consumer and the queue's messages are counted over HTTP.
  const c = await conn.createChannel();
  await c.consume(hq, () => {}, { noAck: false, consumerTag: `tag-${id}` });
  ch.sendToQueue(hq, Buffer.from('counted'));
  await eventually('the HTTP view to show 1 consumer and 1 unacked message', async () => {
    const r = await http('GET', `/api/queues/%2F/${enc(hq)}`);
    return r.status === 200 && r.json.consumers === 1 && r.json.messages === 1 && r.json.messages_unacknowledged === 1;
  }, 8000);
  await c.close();
  await ch.deleteQueue(q);
  // An HTTP delete is seen over AMQP.
  res = await http('DELETE', `/api/queues/%2F/${enc(hq)}`);
  assert.equal(res.status, 204, res.text);
  const probe = await conn.createChannel();
  probe.on('error', () => {});
  await assert.rejects(probe.checkQueue(hq), /404/);
});

await t.step('the AMQP connection is listed by the management API', async () => {
  const local = conn.connection.stream.localPort;
  const brokerPort = conn.connection.stream.remotePort;
  const found = await eventually('the connection in /api/connections', async () => {
    const r = await http('GET', '/api/connections');
    return r.status === 200 && r.json.find((c) => c.peer_port === local);
  }, 8000);
  assert.equal(found.name, `127.0.0.1:${local} -> 127.0.0.1:${brokerPort}`);
  assert.equal(found.user, 'guest');
  assert.equal(found.vhost, '/');
  assert.equal(found.protocol, 'AMQP 0-9-1');
  assert.equal(found.peer_host, '127.0.0.1');
  // As RabbitMQ, the client's properties are echoed (product 'amqplib', connection_name).
  assert.equal(found.client_properties.product, 'amqplib');
  assert.equal(found.client_properties.connection_name, `interop-${process.pid}`);
  await conn.close();
  await eventually('the closed connection to leave /api/connections', async () => {
    const r = await http('GET', '/api/connections');
    return r.status === 200 && !r.json.some((c) => c.peer_port === local);
  }, 8000);
});

t.done();
