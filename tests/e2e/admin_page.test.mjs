// End-to-end test of the admin page: starts the real warren binary on a free port over a fresh
// data directory, drives the page in Debian's chromium through playwright-core and checks what
// a user sees. Usage:
//   node admin_page.test.mjs <path to warren> [screenshot dir]
// Exits non-zero on the first failed step, with the step's name, the page's URL and a
// screenshot of the failure.

import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const warrenBin = process.argv[2] || process.env.WARREN_BINARY;
const shots = path.resolve(process.argv[3] || process.env.WARREN_E2E_SCREENSHOTS || path.join(os.tmpdir(), 'warren-e2e-screenshots'));
const chromiumPath = process.env.WARREN_E2E_CHROMIUM || '/usr/bin/chromium';

function die(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

if (!warrenBin || !fs.existsSync(warrenBin)) die(`usage: node admin_page.test.mjs <warren binary> [screenshot dir] (got '${warrenBin}')`);
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  die(`playwright-core is not installed in ${path.join(here, 'node_modules')}: run 'npm ci' in tests/e2e (scripts/install-deps --test does it)`);
}
if (!fs.existsSync(chromiumPath)) die(`no chromium at ${chromiumPath}: apt-get install chromium (scripts/install-deps --test does it)`);
const { chromium } = await import('playwright-core');
// amqplib, for a real AMQP 0-9-1 client: the one the AMQP interop tests install.
const amqplibDir = path.resolve(here, '..', 'integration', 'amqp_clients', 'amqplib');
if (!fs.existsSync(path.join(amqplibDir, 'node_modules', 'amqplib'))) {
  die(`amqplib is not installed in ${path.join(amqplibDir, 'node_modules')}: run scripts/install-deps --test (or 'npm ci' there)`);
}
const amqplib = createRequire(path.join(amqplibDir, 'package.json'))('amqplib');

const TIMEOUT = 10_000;
const started = Date.now();
fs.mkdirSync(shots, { recursive: true });

// --- warren -------------------------------------------------------------------------------

// A free port for the AMQP listener (--amqp-port 0 turns it off rather than picking one).
const amqpPort = await new Promise((resolve, reject) => {
  const probe = net.createServer();
  probe.on('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-'));
const server = spawn(warrenBin, ['--http-port', '0', '--amqp-port', String(amqpPort), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`warren did not print its listening line in 15 s:\n${serverLog}`)), 15_000);
  const onData = (chunk) => {
    serverLog += chunk.toString();
    const m = serverLog.match(/listening on (http:\/\/\S+:\d+)/);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => reject(new Error(`warren exited with ${code} before listening:\n${serverLog}`)));
}).catch((e) => die(e.message));
console.log(`e2e: warren at ${base} and amqp://127.0.0.1:${amqpPort}, data dir ${dataDir}`);

// The API straight from the test (as another client would), to set up and to check.
const guestAuth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
async function apiCall(method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: guestAuth, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// --- browser ------------------------------------------------------------------------------

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(TIMEOUT);
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
page.on('console', (m) => {
  // The browser logs every 4xx (and the alarm check's 503) as "Failed to load resource"; the tests cause some on purpose.
  if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (4\d\d|503)/.test(m.text())) {
    pageErrors.push(`console error: ${m.text()}`);
  }
});
let nativeDialogs = 0;
page.on('dialog', (d) => {
  nativeDialogs++;
  d.dismiss();
});

let current = '';
async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  await fn();
  console.log(`ok   ${name} (${Date.now() - t0} ms)`);
}
async function shot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
async function text(selector) {
  return (await page.locator(selector).first().textContent()) || '';
}
const vh = '%2F';
// The message cards under `selector`, in page order: each card's key-value pairs and payload.
async function cards(selector) {
  return page.locator(`${selector} article.message`).evaluateAll((els) => els.map((el) => {
    const card = { payload: el.querySelector('pre.payload').textContent };
    for (const dt of el.querySelectorAll('dl.kv dt')) card[dt.textContent] = dt.nextElementSibling.textContent;
    return card;
  }));
}
async function publish(exchange, routingKey, payload) {
  const r = await apiCall('POST', `/api/exchanges/${vh}/${exchange}/publish`, {
    properties: {}, routing_key: routingKey, payload, payload_encoding: 'string',
  });
  assert.deepEqual(r.body, { routed: true });
}

let amqpConnection = null;
try {
  await step('assets are served with their content types, without auth', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const js = await fetch(`${base}/js/app.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    const again = await fetch(`${base}/js/app.js`, { headers: { 'If-None-Match': js.headers.get('etag') } });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${base}/js/nope.js`)).status, 404);
  });

  await step('a wrong password shows an error, and no browser popup', async () => {
    await page.goto(base);
    await page.locator('#login-form').waitFor();
    await page.fill('#login-form input[name=user]', 'guest');
    await page.fill('#login-form input[name=password]', 'not-the-password');
    await page.click('#login-form button[type=submit]');
    await page.locator('#login-error').waitFor();
    assert.match(await text('#login-error'), /Wrong user name or password/);
    assert.equal(nativeDialogs, 0);
    await shot('login-error');
  });

  await step('log in as guest: the overview shows totals and the rate chart', async () => {
    await page.fill('#login-form input[name=password]', 'guest');
    await page.click('#login-form button[type=submit]');
    await page.locator('#top').waitFor();
    assert.equal(await text('#whoami'), 'guest');
    await page.locator('#total-queues .value').waitFor();
    await page.locator('svg.chart polyline').first().waitFor({ state: 'attached' });
    assert.match(await text('.legend'), /publish/);
    assert.ok(await page.locator('#nav-admin').isVisible(), 'administrator sees the Admin page');
    await page.locator('dl.kv dd', { hasText: `amqp 127.0.0.1:${amqpPort}` }).waitFor();
    await shot('overview');
  });

  await step('create a topic exchange', async () => {
    await page.click('#nav a[data-page=exchanges]');
    await page.click('details.create > summary');
    const form = page.locator('form[aria-label="Create exchange"]');
    await form.locator('input[name=name]').fill('e2e.orders');
    await form.locator('select[name=type]').selectOption('topic');
    await form.locator('button[type=submit]').click();
    await page.locator('#exchanges a', { hasText: 'e2e.orders' }).waitFor();
    const r = await apiCall('GET', `/api/exchanges/${vh}/e2e.orders`);
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'topic');
    assert.equal(r.body.durable, true);
  });

  await step('a duplicate exchange name gets a friendly error', async () => {
    const form = page.locator('form[aria-label="Create exchange"]');
    await form.locator('input[name=name]').fill('e2e.orders');
    await form.locator('select[name=type]').selectOption('fanout');
    await form.locator('button[type=submit]').click();
    await form.locator('.error').waitFor();
    assert.match(await form.locator('.error').textContent(), /already exists/);
  });

  await step('the exchange list filters and sorts on the server', async () => {
    await page.fill('#exchanges >> xpath=ancestor::div[contains(@class,"paged")]//input[@type="search"]', 'e2e');
    await page.waitForFunction(() => document.querySelectorAll('#exchanges tbody tr').length === 1);
    assert.match(await text('#exchanges tbody tr'), /e2e\.orders/);
    await page.fill('#exchanges >> xpath=ancestor::div[contains(@class,"paged")]//input[@type="search"]', '');
    await page.waitForFunction(() => document.querySelectorAll('#exchanges tbody tr').length > 5);
    await page.click('#exchanges th button.sort:has-text("Name")'); // now descending
    await page.waitForFunction(() => document.querySelector('#exchanges th[aria-sort=descending]'));
    const names = await page.locator('#exchanges tbody tr td:first-child').allTextContents();
    assert.deepEqual(names, [...names].sort().reverse());
    await shot('exchanges');
  });

  await step('create a queue with arguments', async () => {
    await page.click('#nav a[data-page=queues]');
    await page.click('details.create > summary');
    const form = page.locator('form[aria-label="Create queue"]');
    await form.locator('input[name=name]').fill('e2e-orders');
    await form.locator('details.args > summary').click();
    await form.locator('input[name="x-max-length"]').fill('1000');
    await form.locator('select[name="x-overflow"]').selectOption('reject-publish');
    await form.locator('button[type=submit]').click();
    await page.locator('#queues a', { hasText: 'e2e-orders' }).waitFor();
    const r = await apiCall('GET', `/api/queues/${vh}/e2e-orders`);
    assert.equal(r.status, 200);
    assert.equal(r.body.arguments['x-max-length'], 1000);
    assert.equal(r.body.arguments['x-overflow'], 'reject-publish');
  });

  await step('a conflicting redeclare of the queue gets a friendly error', async () => {
    const form = page.locator('form[aria-label="Create queue"]');
    await form.locator('input[name=name]').fill('e2e-orders');
    await form.locator('input[name=durable]').uncheck();
    await form.locator('button[type=submit]').click();
    await form.locator('.error').waitFor();
    assert.match(await form.locator('.error').textContent(), /A queue named 'e2e-orders' already exists/);
    await shot('queues');
  });

  await step('an API error is shown in words (binding to a missing queue)', async () => {
    await page.goto(`${base}/#/exchanges/${vh}/e2e.orders`);
    const form = page.locator('form[aria-label="Add binding"]');
    await form.locator('input[name=other]').fill('no-such-queue');
    await form.locator('button[type=submit]').click();
    await form.locator('.error').waitFor();
    assert.match(await form.locator('.error').textContent(), /no-such-queue|Not found/);
  });

  await step('bind the exchange to the queue with a pattern', async () => {
    const form = page.locator('form[aria-label="Add binding"]');
    await form.locator('input[name=other]').fill('e2e-orders');
    await form.locator('input[name=routing_key]').fill('order.*');
    await form.locator('button[type=submit]').click();
    await page.locator('section:has(h2:text("Bindings from this exchange")) table code', { hasText: 'order.*' }).waitFor();
    const r = await apiCall('GET', `/api/bindings/${vh}/e/e2e.orders/q/e2e-orders`);
    assert.equal(r.body.length, 1);
    assert.equal(r.body[0].routing_key, 'order.*');
  });

  await step('bind to another exchange, then remove that binding with confirmation', async () => {
    const form = page.locator('form[aria-label="Add binding"]');
    await form.locator('select[name=kind]').selectOption('e');
    await form.locator('input[name=other]').fill('amq.fanout');
    await form.locator('input[name=routing_key]').fill('audit.#');
    await form.locator('button[type=submit]').click();
    const row = page.locator('section:has(h2:text("Bindings from this exchange")) tr', { hasText: 'audit.#' });
    await row.waitFor();
    assert.equal((await apiCall('GET', `/api/bindings/${vh}/e/e2e.orders/e/amq.fanout`)).body.length, 1);
    await row.locator('button:text("Remove")').click();
    await page.click('dialog.confirm button:text("Remove")');
    await row.waitFor({ state: 'detached' });
    assert.equal((await apiCall('GET', `/api/bindings/${vh}/e/e2e.orders/e/amq.fanout`)).body.length, 0);
  });

  await step('publish from the form: routed, then unroutable', async () => {
    const form = page.locator('form[aria-label="Publish message"]');
    await form.locator('input[name=routing_key]').fill('order.created');
    await form.locator('input[name=content_type]').fill('text/plain');
    await form.locator('textarea[name=headers]').fill('source=e2e');
    await form.locator('textarea[name=payload]').fill('hello from the admin page');
    await form.locator('button[type=submit]').click();
    await form.locator('.result.ok').waitFor();
    await form.locator('input[name=routing_key]').fill('invoice.created');
    await form.locator('button[type=submit]').click();
    await form.locator('.result.warn').waitFor();
    assert.match(await form.locator('.result').textContent(), /not routed/);
    await shot('exchange-detail');
  });

  await step('the queue depth becomes 1 and "get messages" shows the payload', async () => {
    await page.click('section:has(h2:text("Bindings from this exchange")) a:text("e2e-orders")');
    await page.waitForFunction(() => document.querySelector('#queue-ready .value')?.textContent === '1');
    const form = page.locator('form[aria-label="Get messages"]');
    await form.locator('select[name=ackmode]').selectOption('ack_requeue_true');
    await form.locator('button[type=submit]').click();
    await form.locator('pre.payload').waitFor();
    assert.equal(await form.locator('pre.payload').textContent(), 'hello from the admin page');
    const card = await form.locator('article.message').textContent();
    assert.match(card, /order\.created/);
    assert.match(card, /text\/plain/);
    assert.match(card, /header source/);
    await shot('queue-detail');
  });

  await step('the live view shows a message as it arrives, and acks it', async () => {
    await page.click('#nav a[data-page=live]');
    const form = page.locator('form[aria-label="Subscribe"]');
    await form.locator('select[name=mode]').selectOption('exchange');
    await form.locator('input[name=target]').fill('e2e.orders');
    await form.locator('input[name=binding_key]').fill('order.#');
    await form.locator('button[type=submit]').click();
    await page.locator('#live-status.on').waitFor();
    await page.waitForFunction(() => {
      const li = document.querySelector('ul.subs li');
      return li && /exchange e2e\.orders/.test(li.textContent) && !/subscribing/.test(li.textContent);
    });
    const r = await apiCall('POST', `/api/exchanges/${vh}/e2e.orders/publish`, {
      properties: {}, routing_key: 'order.live.1', payload: 'live message 1', payload_encoding: 'string',
    });
    assert.deepEqual(r.body, { routed: true });
    await page.locator('#live-messages pre.payload', { hasText: 'live message 1' }).waitFor();
    await shot('live');
    await page.locator('#live-messages button', { hasText: 'Ack' }).first().click();
    await page.locator('#live-messages .acked', { hasText: 'Acknowledged' }).waitFor();
  });

  await step('purge and delete the queue, with confirmation', async () => {
    await page.goto(`${base}/#/queues/${vh}/e2e-orders`);
    await page.click('button:text("Delete this queue")');
    await page.locator('dialog.confirm').waitFor();
    await page.click('dialog.confirm button:text("Cancel")');
    assert.equal((await apiCall('GET', `/api/queues/${vh}/e2e-orders`)).status, 200, 'cancel keeps the queue');
    await page.click('button:text("Purge messages")');
    await page.click('dialog.confirm button:text("Purge")');
    await page.waitForFunction(() => document.querySelector('#queue-ready .value')?.textContent === '0');
    await page.click('button:text("Delete this queue")');
    await page.click('dialog.confirm button:text("Delete queue")');
    await page.waitForURL(/#\/queues$/);
    assert.equal((await apiCall('GET', `/api/queues/${vh}/e2e-orders`)).status, 404);
  });

  await step('a grouped queue shows its message groups', async () => {
    const created = await apiCall('PUT', `/api/queues/${vh}/e2e-grouped`, {
      durable: true, arguments: { 'x-group-by': 'header:order_id' },
    });
    assert.equal(created.status, 201);
    for (const [order, n] of [['o-1', 1], ['o-1', 2], ['o-2', 1]]) {
      const r = await apiCall('POST', `/api/exchanges/${vh}/amq.default/publish`, {
        properties: { headers: { order_id: order } }, routing_key: 'e2e-grouped',
        payload: `${order} #${n}`, payload_encoding: 'string',
      });
      assert.deepEqual(r.body, { routed: true });
    }
    await page.goto(`${base}/#/queues/${vh}/e2e-grouped`);
    await page.waitForFunction(() => document.querySelector('#queue-groups .value')?.textContent === '2');
    assert.equal(await page.locator('#queue-groups-owned .value').textContent(), '0');
    await page.goto(`${base}/#/queues`);
    const row = page.locator('tr', { hasText: 'e2e-grouped' });
    await row.locator('abbr', { hasText: 'Grp' }).waitFor();
    assert.match(await row.locator('abbr', { hasText: 'Grp' }).getAttribute('title'), /header:order_id: 2 groups, 0 held/);
    assert.equal((await apiCall('DELETE', `/api/queues/${vh}/e2e-grouped`)).status, 204);
  });

  await step('create a stream from the form; a stream with a TTL is refused in words', async () => {
    await page.goto(`${base}/#/queues`);
    await page.click('details.create > summary');
    const form = page.locator('form[aria-label="Create queue"]');
    await form.locator('input[name=name]').fill('e2e-log-ttl');
    await form.locator('details.args > summary').click();
    await form.locator('select[name="x-queue-type"]').selectOption('stream');
    await form.locator('input[name="x-message-ttl"]').fill('1000');
    await form.locator('button[type=submit]').click();
    await form.locator('.error', { hasText: "'x-message-ttl'" }).waitFor();
    assert.match(await form.locator('.error').textContent(), /not supported by queue type 'stream'/);
    assert.equal((await apiCall('GET', `/api/queues/${vh}/e2e-log-ttl`)).status, 404);

    await form.locator('input[name="x-message-ttl"]').fill('');
    await form.locator('input[name=name]').fill('e2e-log');
    await form.locator('input[name="x-max-age"]').fill('7D');
    await form.locator('input[name="x-stream-max-segment-size-bytes"]').fill('1000000');
    await form.locator('button[type=submit]').click();
    const row = page.locator('#queues tr', { hasText: 'e2e-log' });
    await row.locator('abbr', { hasText: 'Stream' }).waitFor();
    const r = await apiCall('GET', `/api/queues/${vh}/e2e-log`);
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'stream');
    assert.deepEqual(r.body.arguments, { 'x-queue-type': 'stream', 'x-max-age': '7D', 'x-stream-max-segment-size-bytes': 1000000 });
    await shot('queues-stream');
  });

  const streamMessages = 4;
  await step('a stream\'s page shows its offsets and reads messages by offset, page by page', async () => {
    for (let i = 0; i < streamMessages; i++) await publish('amq.default', 'e2e-log', `m${i}`);
    await page.goto(`${base}/#/queues/${vh}/e2e-log`);
    await page.waitForFunction((n) => document.querySelector('#stream-messages .value')?.textContent === String(n), streamMessages);
    assert.equal(await text('#stream-first .value'), '0');
    assert.equal(await text('#stream-last .value'), String(streamMessages - 1));
    assert.match(await text('#stream-bytes .value'), /^\d+ B$/);
    assert.equal(await text('#stream-segments .value'), '1');
    assert.match(await text('main dl.kv'), /max age 7 days, no max size; dropped in whole segments of 976\.6 KiB/);
    assert.match(await text('section:has(h2:text("Stream consumers"))'), /No stored offsets\./);
    // A stream answers 405 to get and purge: the page offers neither.
    assert.equal(await page.locator('form[aria-label="Get messages"]').count(), 0);
    assert.equal(await page.locator('button:text("Purge messages")').count(), 0);

    const form = page.locator('form[aria-label="Read messages"]');
    await form.locator('input[name=offset]').fill('1');
    await form.locator('input[name=count]').fill('2');
    await form.locator('button[type=submit]').click();
    await page.locator('#read-summary', { hasText: 'Offsets 1 to 2' }).waitFor();
    let read = await cards('form[aria-label="Read messages"]');
    assert.deepEqual(read.map((m) => [m.Offset, m.payload]), [['1', 'm1'], ['2', 'm2']]);
    assert.match(read[0].Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(read[0].Timestamp) - Date.now()) < 60_000, `timestamp ${read[0].Timestamp} is now`);
    await shot('stream-detail');

    await form.locator('button:text("Next page")').click();
    await page.locator('#read-summary', { hasText: 'Offsets 3 to 3' }).waitFor();
    read = await cards('form[aria-label="Read messages"]');
    assert.deepEqual(read.map((m) => [m.Offset, m.payload]), [['3', 'm3']]);
    assert.equal(await form.locator('input[name=offset]').inputValue(), '3');
    // At the end: nothing yet, and the page says where the next message will be.
    await form.locator('button:text("Next page")').click();
    await page.locator('#read-summary', { hasText: `the next one will have offset ${streamMessages}` }).waitFor();
    assert.equal(await form.locator('article.message').count(), 0);
  });

  await step('the live view replays a stream from "first", then shows a new message', async () => {
    await page.click('#nav a[data-page=live]');
    const form = page.locator('form[aria-label="Subscribe"]');
    await form.locator('select[name=mode]').selectOption('stream');
    assert.ok(!(await form.locator('input[name=binding_key]').isVisible()), 'no binding key for a stream');
    await form.locator('input[name=target]').fill('e2e-log');
    await form.locator('input[name=offset]').fill('first');
    await form.locator('input[name=consumer]').fill('e2e-reader');
    await form.locator('select[name=ack]').selectOption('auto');
    await form.locator('button[type=submit]').click();
    await page.waitForFunction(() => [...document.querySelectorAll('ul.subs li')].some((li) => /stream e2e-log from first as e2e-reader/.test(li.textContent) && !/subscribing/.test(li.textContent)));
    await page.waitForFunction((n) => document.querySelectorAll('#live-messages article.message').length === n, streamMessages);
    let live = await cards('#live-messages');
    // Newest first.
    assert.deepEqual(live.map((m) => [m.Offset, m.payload, m.Stream]).reverse(),
      Array.from({ length: streamMessages }, (_, i) => [String(i), `m${i}`, 'e2e-log']));
    await publish('amq.default', 'e2e-log', 'after the replay');
    await page.locator('#live-messages pre.payload', { hasText: 'after the replay' }).waitFor();
    live = await cards('#live-messages');
    assert.equal(live[0].Offset, String(streamMessages));
    assert.match(live[0].Timestamp, /^\d{4}-/);
    await shot('live-stream');
  });

  let partition = '';
  await step('the live view joins a topic\'s consumer group and shows its partitions', async () => {
    assert.equal((await apiCall('PUT', `/api/exchanges/${vh}/t1`, { type: 'x-consistent-hash', durable: true, arguments: { 'x-partitions': 2 } })).status, 201);
    for (const p of ['t1-0', 't1-1']) {
      assert.equal((await apiCall('PUT', `/api/queues/${vh}/${p}`, { durable: true, arguments: { 'x-queue-type': 'stream' } })).status, 201);
      assert.equal((await apiCall('POST', `/api/bindings/${vh}/e/t1/q/${p}`, { routing_key: '1' })).status, 201);
    }
    const form = page.locator('form[aria-label="Subscribe"]');
    await form.locator('select[name=mode]').selectOption('group');
    assert.ok(!(await form.locator('input[name=consumer]').isVisible()), 'no consumer name for a group');
    await form.locator('input[name=target]').fill('t1');
    await form.locator('input[name=group]').fill('e2e-group');
    await form.locator('input[name=offset]').fill('first');
    await form.locator('select[name=ack]').selectOption('manual');
    await form.locator('button[type=submit]').click();
    const sub = page.locator('ul.subs li', { hasText: 'topic t1 · group e2e-group' });
    await sub.locator('.partitions', { hasText: 'partitions: t1-0, t1-1' }).waitFor();
    await publish('t1', 'customer-42', 'to a partition');
    await page.locator('#live-messages pre.payload', { hasText: 'to a partition' }).waitFor();
    const [m] = await cards('#live-messages');
    assert.equal(m.payload, 'to a partition');
    assert.equal(m.Offset, '0');
    // The partition shown is the one the message is stored in.
    const stored = await apiCall('GET', `/api/streams/${vh}/${m.Partition}/messages?offset=first`);
    assert.deepEqual(stored.body.messages.map((x) => x.payload), ['to a partition']);
    await shot('live-group');
    await page.locator('#live-messages article.message', { hasText: 'to a partition' }).locator('button:text-is("Ack")').click();
    await page.locator('#live-messages .acked', { hasText: 'Acknowledged' }).waitFor();
    partition = m.Partition;
  });

  await step('the stream\'s page lists the named consumer and the group\'s offsets', async () => {
    await page.goto(`${base}/#/queues/${vh}/e2e-log`);
    const row = page.locator('section:has(h2:text("Stream consumers")) tr', { hasText: 'e2e-reader' });
    await row.waitFor();
    const [name, offset, lag] = await row.locator('td').allTextContents();
    assert.equal(name, 'e2e-reader');
    assert.equal(offset, String(streamMessages));
    assert.equal(lag, '0');
    await page.goto(`${base}/#/queues/${vh}/${partition}`);
    const group = page.locator('section:has(h2:text("Stream consumers")) tr', { hasText: 'e2e-group' });
    await group.waitFor();
    // The group acked the one message of its partition, offset 0: nothing after it.
    assert.deepEqual(await group.locator('td').allTextContents(), ['e2e-group', '0', '0']);
    await shot('stream-consumers');
  });

  await step('delete the stream (no purge), and the topic', async () => {
    await page.goto(`${base}/#/queues/${vh}/e2e-log`);
    await page.click('button:text("Delete this queue")');
    await page.locator('dialog.confirm', { hasText: "Delete stream 'e2e-log'?" }).waitFor();
    await page.click('dialog.confirm button:text("Delete queue")');
    await page.waitForURL(/#\/queues$/);
    assert.equal((await apiCall('GET', `/api/queues/${vh}/e2e-log`)).status, 404);
    for (const p of ['t1-0', 't1-1']) assert.equal((await apiCall('DELETE', `/api/queues/${vh}/${p}`)).status, 204);
    assert.equal((await apiCall('DELETE', `/api/exchanges/${vh}/t1`)).status, 204);
  });

  await step('delete the exchange, with confirmation', async () => {
    await page.goto(`${base}/#/exchanges/${vh}/e2e.orders`);
    await page.click('button:text("Delete this exchange")');
    await page.click('dialog.confirm button:text("Delete exchange")');
    await page.waitForURL(/#\/exchanges$/);
    assert.equal((await apiCall('GET', `/api/exchanges/${vh}/e2e.orders`)).status, 404);
  });

  await step('an AMQP client shows on the connections page with its channels, consumer and prefetch', async () => {
    amqpConnection = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${amqpPort}/%2F`, {
      clientProperties: { connection_name: 'e2e <amqp> client' },
    });
    // Kept open to the end (the narrow-window step lays its rows out too); closed in `finally`.
    amqpConnection.on('error', (e) => pageErrors.push(`AMQP connection error: ${e.message}`));
    await amqpConnection.createConfirmChannel(); // channel 1: publisher confirms, no consumer
    const consuming = await amqpConnection.createChannel();
    const { queue } = await consuming.assertQueue('', { exclusive: true });
    await consuming.prefetch(7);
    await consuming.consume(queue, () => {});

    await page.click('#nav a[data-page=overview]');
    await page.waitForFunction(() => document.querySelector('#total-channels .value')?.textContent === '2');
    await page.click('#nav a[data-page=connections]');
    const conn = page.locator('#connections tbody tr', { hasText: 'AMQP 0-9-1' });
    await conn.waitFor();
    assert.equal(await conn.locator('td[data-label=Protocol]').textContent(), 'AMQP 0-9-1');
    assert.equal(await conn.locator('td[data-label=Channels]').textContent(), '2');
    assert.equal(await conn.locator('td[data-label=User]').textContent(), 'guest');
    assert.match(await conn.locator('td[data-label=From]').textContent(), /^127\.0\.0\.1:\d+$/);
    // The name the client gave its connection shows under warren's name for it, as text.
    const connName = (await apiCall('GET', '/api/connections')).body.find((c) => c.protocol === 'AMQP 0-9-1').name;
    assert.equal(await conn.locator('td[data-label=Name]').textContent(), `${connName}e2e <amqp> client`);
    assert.equal(await conn.locator('td[data-label=Name] .sub').textContent(), 'e2e <amqp> client');
    assert.equal(await page.locator('amqp').count(), 0, 'client properties are not markup');
    assert.match(await conn.locator('td[data-label=Client]').textContent(), /^amqplib \d+\.\d+/);

    const rows = page.locator('#channels tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('#channels tbody tr td[data-label=Channel]').length === 2);
    const channels = await rows.evaluateAll((trs) => trs.map((tr) => Object.fromEntries(
      [...tr.querySelectorAll('td')].map((td) => [td.dataset.label, td.textContent]))));
    assert.deepEqual(channels.map((c) => [c.Channel, c.Connection, c.User, c.vhost, c.Mode, c.Consumers, c.Unacked, c.Prefetch]), [
      [`${connName} (1)`, connName, 'guest', '/', 'C', '0', '0', 'unlimited'],
      [`${connName} (2)`, connName, 'guest', '/', '', '1', '0', '7'],
    ]);
    assert.equal(await rows.first().locator('td[data-label=Mode] abbr').getAttribute('title'), 'confirm');
    await shot('connections');
  });

  await step('connections and admin pages render', async () => {
    await page.click('#nav a[data-page=connections]');
    await page.locator('#connections').waitFor();
    await page.click('#nav a[data-page=admin]');
    await page.locator('section h2:text("Virtual hosts")').waitFor();
    await shot('admin');
  });

  await step('add a vhost on the admin page and switch to it', async () => {
    const form = page.locator('form[aria-label="Add vhost"]');
    await form.locator('input[name=name]').fill('e2e/vhost');
    await form.locator('button[type=submit]').click();
    await page.locator('#vhost option[value="e2e/vhost"]').waitFor({ state: 'attached' });
    await page.selectOption('#vhost', 'e2e/vhost');
    await page.click('#nav a[data-page=queues]');
    await page.locator('main h1', { hasText: 'in vhost e2e/vhost' }).waitFor();
    await page.locator('#queues td.empty').waitFor();
    await page.selectOption('#vhost', '/');
  });

  async function loginAs(user, password) {
    if (await page.locator('#top').isVisible()) await page.click('#logout');
    await page.locator('#login-form').waitFor();
    await page.fill('#login-form input[name=user]', user);
    await page.fill('#login-form input[name=password]', password);
    await page.click('#login-form button[type=submit]');
  }

  await step('users and permissions: add a user, who is refused until granted permissions', async () => {
    await page.goto(`${base}/#/admin`);
    await page.click('summary:text("Add or update a user")');
    const form = page.locator('form[aria-label="Add user"]');
    await form.locator('input[name=name]').fill('e2e-viewer');
    await form.locator('input[name=password]').fill('viewer-pw');
    await form.locator('input[name="tag-management"]').check();
    await form.locator('button[type=submit]').click();
    await page.locator('section:has(h2:text("Users")) td', { hasText: 'e2e-viewer' }).waitFor();
    const u = await apiCall('GET', '/api/users/e2e-viewer');
    assert.equal(u.status, 200);
    const tags = Array.isArray(u.body.tags) ? u.body.tags : String(u.body.tags).split(',');
    assert.deepEqual(tags, ['management']);
    await shot('admin-users');

    // A user without a management tag cannot use the page, and is told why.
    assert.ok([201, 204].includes((await apiCall('PUT', '/api/users/e2e-nobody', { password: 'nobody-pw', tags: '' })).status));
    await loginAs('e2e-nobody', 'nobody-pw');
    await page.locator('#login-error', { hasText: 'no management tag' }).waitFor();

    // A management user without permissions logs in but is refused the vhost, in words.
    await loginAs('e2e-viewer', 'viewer-pw');
    await page.locator('#top').waitFor();
    assert.ok(!(await page.locator('#nav-admin').isVisible()), 'no Admin page for a management user');
    await page.goto(`${base}/#/queues`);
    await page.locator('main .error', { hasText: 'Permission denied' }).waitFor();
    await shot('permission-denied');

    // The administrator grants read-only-ish permissions on "/" from the page.
    await loginAs('guest', 'guest');
    await page.locator('#top').waitFor();
    await page.goto(`${base}/#/admin`);
    await page.click('summary:text("Set permissions")');
    const perm = page.locator('form[aria-label="Set permissions"]');
    await perm.locator('input[name=user]').fill('e2e-viewer');
    await perm.locator('input[name=vhost]').fill('/');
    await perm.locator('input[name=configure]').fill('^$');
    await perm.locator('button[type=submit]').click();
    await page.locator('section:has(h2:text("Permissions")) tr', { hasText: 'e2e-viewer' }).waitFor();
    const p = await apiCall('GET', `/api/permissions/${vh}/e2e-viewer`);
    assert.equal(p.body.configure, '^$');

    // Editing the user's tags keeps the password.
    await page.locator('section:has(h2:text("Users")) tr', { hasText: 'e2e-viewer' }).locator('button:text("Edit")').click();
    await form.locator('input[name="tag-monitoring"]').check();
    await form.locator('button[type=submit]').click();
    await page.locator('section:has(h2:text("Users")) tr', { hasText: 'monitoring' }).waitFor();

    await loginAs('e2e-viewer', 'viewer-pw');
    await page.locator('#top').waitFor();
    await page.goto(`${base}/#/queues`);
    await page.locator('#queues').waitFor();
    assert.equal(await page.locator('main .error:visible').count(), 0);
    // Configure is '^$': creating a queue is refused, and the page says so.
    await page.click('details.create > summary');
    const qform = page.locator('form[aria-label="Create queue"]');
    await qform.locator('input[name=name]').fill('e2e-not-allowed');
    await qform.locator('button[type=submit]').click();
    await qform.locator('.error', { hasText: 'Permission denied' }).waitFor();
    assert.ok(await page.locator('#top').isVisible(), 'a refusal does not log the user out');
    await loginAs('guest', 'guest');
    await page.locator('#top').waitFor();
  });

  await step('a narrow window: no sideways scrolling, the menu folds', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/#/queues`);
    await page.locator('#queues').waitFor();
    assert.ok(await page.locator('#menu-toggle').isVisible(), 'menu button shown');
    assert.ok(!(await page.locator('#nav').isVisible()), 'nav folded');
    await page.click('#menu-toggle');
    assert.ok(await page.locator('#nav').isVisible(), 'menu opens');
    for (const hash of ['#/', '#/queues', '#/exchanges', `#/exchanges/${vh}/amq.topic`, '#/live', '#/connections', '#/admin']) {
      await page.goto(`${base}/${hash}`);
      await page.locator('main h1').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${hash} scrolls sideways by ${overflow}px`);
    }
    await shot('narrow-exchanges');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await step('a resource alarm shows as a banner', async () => {
    // The alarm health check answered as RabbitMQ does while an alarm is in effect (the test
    // stands in for the server here: making a real broker run out of memory takes too long).
    const url = `${base}/api/health/checks/alarms`;
    await page.route(url, (route) => route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ status: 'failed', reason: 'There are alarms in effect in the cluster', alarms: [{ node: 'warren@e2e', resource: 'memory' }] }),
    }));
    await page.reload();
    await page.locator('#alarms').waitFor();
    assert.match(await text('#alarms'), /memory on warren@e2e/);
    await shot('alarm');
    await page.unroute(url);
  });

  await step('log out', async () => {
    await page.click('#logout');
    await page.locator('#login-form').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('warren.credentials')), null);
  });

  await step('no script errors on the way', async () => {
    assert.deepEqual(pageErrors, []);
  });
} catch (e) {
  console.error(`FAIL ${current}\n  at ${page.url()}\n  ${e.stack || e}`);
  if (pageErrors.length) console.error(`  page errors:\n    ${pageErrors.join('\n    ')}`);
  await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(`  screenshot: ${path.join(shots, 'failure.png')}`);
  process.exitCode = 1;
} finally {
  if (amqpConnection) await amqpConnection.close().catch(() => {});
  await browser.close().catch(() => {});
  server.kill('SIGTERM');
  await new Promise((resolve) => {
    if (server.exitCode !== null) resolve();
    else server.on('exit', resolve);
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(`e2e: screenshots in ${shots}`);
console.log(`e2e: ${process.exitCode ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
