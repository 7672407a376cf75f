// AMQP 0-9-1 throughput and latency with amqplib, the same client against any broker (warren or
// RabbitMQ): bench/amqp_vs_rabbitmq.sh runs it against both. Prints one JSON line.
//
//   node bench/amqp_clients/amqplib_perf.mjs MODE --url amqp://guest:guest@127.0.0.1:5672/%2F
//        [--messages 100000] [--size 256] [--window 1000] [--prefetch 1000]
//        [--publishers 1] [--consumers 1] [--queue NAME] [--keep] [--stall 30]
//
// MODE:
//   publish  --publishers processes publish --messages in all (split evenly) into a durable queue:
//            persistent (delivery mode 2), each on a confirm channel with at most --window
//            messages unconfirmed. No consumer. The queue is kept with --keep (for `consume`).
//   consume  --consumers processes drain --messages from the queue (which must hold that many:
//            `publish --keep` first): basic.qos --prefetch, one basic.ack per message (never
//            multiple), until --messages were delivered in all.
//   both     publishers and consumers at once on a fresh queue; delivery latency is the time from
//            the timestamp written into each payload by the publisher to its delivery.
//
// Each publisher and consumer is its own Node process (child_process.fork) with its own
// connection and channel: amqplib is single-threaded JavaScript, and one process can be the
// limit before the broker is. Each reports its CPU time; client_cpu_max_pct near 100 means that
// process, not the broker, set the pace (try more --publishers / --consumers).
// Timestamps are process.hrtime (CLOCK_MONOTONIC, nanoseconds), comparable across processes.
//
// amqplib comes from tests/integration/amqp_clients/amqplib/node_modules (its package-lock pins
// the version: 0.10.9); `npm ci` there installs it.

import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const amqplibDir = path.resolve(here, '../../tests/integration/amqp_clients/amqplib');

function die(message) {
  console.error(`amqplib_perf: ${message}`);
  process.exit(1);
}

function loadAmqplib() {
  if (!fs.existsSync(path.join(amqplibDir, 'node_modules', 'amqplib'))) {
    die(`amqplib is not installed in ${amqplibDir}/node_modules: run 'npm ci' there`);
  }
  return createRequire(path.join(amqplibDir, 'package.json'))('amqplib');
}

// Milliseconds on CLOCK_MONOTONIC (libuv's hrtime on Linux): one clock for all the processes on
// the machine, so a publisher's timestamp and a consumer's receive time compare exactly.
const now = () => Number(process.hrtime.bigint()) / 1e6;

function parseArgs(argv) {
  const options = {
    mode: argv[0], url: 'amqp://guest:guest@127.0.0.1:5672/%2F', messages: 100000, size: 256,
    window: 1000, prefetch: 1000, publishers: 1, consumers: 1, queue: '', keep: false, stall: 30,
  };
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'keep') {
      options.keep = true;
      continue;
    }
    if (!(name in options) || name === 'mode' || i + 1 >= argv.length) die(`bad argument ${argv[i]}`);
    const value = argv[++i];
    options[name] = typeof options[name] === 'number' ? Number(value) : value;
    if (Number.isNaN(options[name])) die(`--${name} wants a number, got ${value}`);
  }
  if (!['publish', 'consume', 'both'].includes(options.mode)) {
    die('usage: amqplib_perf.mjs publish|consume|both --url URL [--messages N] ... (see the header)');
  }
  if (options.size < 8) die('--size must be at least 8 (the timestamp)');
  return options;
}

function percentiles(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const round = (x) => Math.round(x * 1000) / 1000;
  return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1]) };
}

// ---- workers: one connection, one channel each; driven by the parent over IPC ----

async function connect(amqp, url) {
  const connection = await amqp.connect(url);
  connection.on('error', (e) => die(`connection error: ${e.message}`));
  connection.on('close', () => { if (!connection.closingOnPurpose) die('connection closed by the broker'); });
  return connection;
}

// Connected and set up: tells the parent, then waits for its 'go' (all workers start together).
function ready() {
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send({ type: 'ready' });
  return go;
}

// The last message: process.send is asynchronous, and a large one (the latencies) would be cut
// off by the worker's exit without waiting for its callback.
function report(message) {
  return new Promise((resolve, reject) => process.send(message, (e) => (e ? reject(e) : resolve())));
}

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function publisher(job) {
  const amqp = loadAmqplib();
  const connection = await connect(amqp, job.url);
  const channel = await connection.createConfirmChannel();
  channel.on('error', (e) => die(`publisher channel error: ${e.message}`));
  const template = Buffer.alloc(job.size, 'x');
  const confirmLatencies = new Float64Array(job.count);
  await ready();
  const cpu0 = cpuSeconds();
  const start = now();
  let sent = 0;
  let confirmed = 0;
  let reported = 0;
  const progress = setInterval(() => { // for the parent's stall check
    if (confirmed !== reported) {
      process.send({ type: 'confirmed', count: confirmed - reported });
      reported = confirmed;
    }
  }, 20);
  let nacked = 0;
  let wake = null; // resolves once confirmed reaches wakeAt (room in the window, or all)
  let wakeAt = 0;
  let firstNack = '';
  const onConfirm = (index, sentAt) => (error) => {
    if (error) {
      nacked++;
      firstNack ||= error.message;
    }
    confirmLatencies[index] = now() - sentAt;
    confirmed++;
    if (wake && confirmed >= wakeAt) {
      const w = wake;
      wake = null;
      w();
    }
  };
  while (sent < job.count) {
    // Publish while the window has room, then wait for a confirm; amqplib copies a small message
    // into its frame at once, but a fresh buffer per message keeps that an implementation detail.
    while (sent < job.count && sent - confirmed < job.window) {
      const content = Buffer.allocUnsafe(job.size);
      template.copy(content);
      const t = now();
      content.writeDoubleLE(t, 0);
      channel.publish('', job.queue, content, { persistent: true }, onConfirm(sent, t));
      sent++;
    }
    if (sent - confirmed >= job.window) {
      wakeAt = sent - job.window + 1;
      await new Promise((resolve) => { wake = resolve; });
    }
  }
  if (confirmed < job.count) {
    wakeAt = job.count;
    await new Promise((resolve) => { wake = resolve; });
  }
  if (firstNack) console.error(`amqplib_perf: ${nacked} nacks, the first: ${firstNack}`);
  const end = now();
  const cpu = cpuSeconds() - cpu0;
  clearInterval(progress);
  connection.closingOnPurpose = true;
  await channel.close();
  await connection.close();
  await report({ type: 'done', role: 'publisher', start, end, sent, confirmed, nacked, cpu,
                 confirmLatencies: Array.from(confirmLatencies) });
}

async function consumer(job) {
  const amqp = loadAmqplib();
  const connection = await connect(amqp, job.url);
  const channel = await connection.createChannel();
  channel.on('error', (e) => die(`consumer channel error: ${e.message}`));
  await channel.prefetch(job.prefetch);
  const latencies = [];
  let received = 0;
  let redelivered = 0;
  let first = 0;
  let last = 0;
  let reported = 0;
  await ready();
  const stop = new Promise((resolve) => process.once('message', resolve)); // the total was reached
  const cpu0 = cpuSeconds();
  const start = now();
  const progress = setInterval(() => {
    if (received !== reported) {
      process.send({ type: 'delivered', count: received - reported });
      reported = received;
    }
  }, 20);
  const { consumerTag } = await channel.consume(job.queue, (message) => {
    const t = now();
    if (received === 0) first = t;
    last = t;
    received++;
    if (message.fields.redelivered) redelivered++;
    if (job.latency) latencies.push(t - message.content.readDoubleLE(0));
    channel.ack(message); // one basic.ack per message
  }, { noAck: false });
  await stop;
  clearInterval(progress);
  const cpu = cpuSeconds() - cpu0;
  await channel.cancel(consumerTag);
  connection.closingOnPurpose = true;
  await channel.close();
  await connection.close();
  await report({ type: 'done', role: 'consumer', start, first, last, received, redelivered, cpu, latencies });
}

// ---- parent: declares the queue, forks the workers, starts them together, reports ----

function spawnWorker(job) {
  const child = fork(fileURLToPath(import.meta.url), ['--worker'], { serialization: 'advanced' });
  child.on('exit', (code) => { if (code !== 0 && !child.finished) die(`a ${job.role} exited with ${code}`); });
  const ready = new Promise((resolve) => child.once('message', resolve));
  child.send(job);
  return { child, job, ready };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const amqp = loadAmqplib();
  const admin = await connect(amqp, options.url);
  const channel = await admin.createChannel();
  const queue = options.queue || `amqplib-perf-${process.pid}-${Date.now().toString(36)}`;
  if (options.mode === 'consume') {
    const { messageCount } = await channel.checkQueue(queue);
    if (messageCount < options.messages) die(`queue ${queue} holds ${messageCount} messages, not ${options.messages}`);
  } else {
    await channel.assertQueue(queue, { durable: true });
  }

  const n = options.messages;
  const publishers = options.mode === 'consume' ? 0 : options.publishers;
  const consumers = options.mode === 'publish' ? 0 : options.consumers;
  const workers = [];
  for (let i = 0; i < publishers; i++) {
    const count = Math.floor(n / publishers) + (i < n % publishers ? 1 : 0);
    workers.push(spawnWorker({ role: 'publisher', url: options.url, queue, count, size: options.size, window: options.window }));
  }
  for (let i = 0; i < consumers; i++) {
    workers.push(spawnWorker({ role: 'consumer', url: options.url, queue, prefetch: options.prefetch, latency: options.mode === 'both' }));
  }
  await Promise.all(workers.map((w) => w.ready));

  const results = [];
  let delivered = 0;
  let confirmed = 0;
  let lastProgress = Date.now();
  const finished = new Promise((resolve, reject) => {
    const stall = setInterval(() => {
      if (Date.now() - lastProgress > options.stall * 1000) {
        reject(new Error(`no progress for ${options.stall} s (${confirmed}/${publishers ? n : 0} confirmed, ${delivered}/${consumers ? n : 0} delivered)`));
      }
    }, 1000);
    const check = () => {
      if (results.length === workers.length) {
        clearInterval(stall);
        resolve();
      }
    };
    for (const w of workers) {
      w.child.on('message', (m) => {
        lastProgress = Date.now();
        if (m.type === 'confirmed') {
          confirmed += m.count;
        } else if (m.type === 'delivered') {
          delivered += m.count;
          if (delivered >= n) for (const c of workers) if (c.job.role === 'consumer' && !c.stopped) { c.stopped = true; c.child.send('stop'); }
        } else if (m.type === 'done') {
          w.child.finished = true;
          results.push(m);
          check();
        }
      });
    }
  });
  const t0 = now();
  for (const w of workers) w.child.send('go');
  try {
    await finished;
  } catch (e) {
    for (const w of workers) w.child.kill();
    die(e.message);
  }

  const pubs = results.filter((r) => r.role === 'publisher');
  const cons = results.filter((r) => r.role === 'consumer');
  const seconds = (t) => (t - t0) / 1000;
  const summary = { client: 'amqplib', mode: options.mode, url: options.url.replace(/\/\/[^@]*@/, '//'), queue, messages: n,
                    size: options.size, persistent: true, window: options.window, prefetch: options.prefetch,
                    publishers, consumers };
  const cpuPct = [];
  if (pubs.length) {
    const end = Math.max(...pubs.map((r) => r.end));
    summary.publish_seconds = seconds(end);
    summary.publish_rate = Math.round(n / seconds(end));
    summary.confirmed = pubs.reduce((a, r) => a + r.confirmed, 0);
    summary.nacked = pubs.reduce((a, r) => a + r.nacked, 0);
    summary.confirm_latency_ms = percentiles(pubs.flatMap((r) => r.confirmLatencies));
    for (const r of pubs) cpuPct.push((100 * r.cpu) / ((r.end - r.start) / 1000));
  }
  if (cons.length) {
    const end = Math.max(...cons.map((r) => r.last));
    summary.consume_seconds = seconds(end);
    summary.consume_rate = Math.round(n / seconds(end));
    summary.received = cons.reduce((a, r) => a + r.received, 0);
    summary.redelivered = cons.reduce((a, r) => a + r.redelivered, 0);
    if (options.mode === 'both') summary.latency_ms = percentiles(cons.flatMap((r) => r.latencies));
    for (const r of cons) cpuPct.push((100 * r.cpu) / ((r.last - r.start) / 1000));
  }
  // All client processes' CPU seconds (user + system) per message: what amqplib itself costs.
  summary.client_cpu_us_per_msg = Math.round((results.reduce((a, r) => a + r.cpu, 0) / n) * 1e7) / 10;
  summary.client_cpu_pct = cpuPct.map((p) => Math.round(p));
  summary.client_cpu_max_pct = Math.round(Math.max(...cpuPct));

  if (!options.keep) await channel.deleteQueue(queue);
  admin.closingOnPurpose = true;
  await channel.close();
  await admin.close();
  console.log(JSON.stringify(summary));
  if (summary.nacked || (cons.length && summary.received !== n)) process.exit(1);
}

if (process.argv[2] === '--worker') {
  process.on('unhandledRejection', (e) => die(`worker: ${e && e.stack ? e.stack : e}`));
  process.once('message', (job) => {
    (job.role === 'publisher' ? publisher(job) : consumer(job)).then(() => process.exit(0));
  });
} else {
  process.on('unhandledRejection', (e) => die(e && e.stack ? e.stack : String(e)));
  main().then(() => process.exit(0));
}
