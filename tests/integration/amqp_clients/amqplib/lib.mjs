// Shared helpers of the amqplib interop tests. Each test is a plain node script run through
// ../with_warren.py, which gives it WARREN_AMQP_URL, WARREN_HTTP_URL (and with --tls
// WARREN_AMQPS_PORT, WARREN_TLS_CA). The scripts also run unchanged against a real RabbitMQ
// (set those variables by hand), which is how their expectations were checked.
//
// Every script calls start(name) first: it arms a hard deadline (a hung broker fails the test
// instead of hanging ctest) and turns any unhandled rejection into a failure.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEADLINE_MS = 25_000;

function fail(name, message) {
  console.error(`${name}: FAIL: ${message}`);
  process.exit(1);
}

// Loads amqplib from this directory's node_modules, failing with a clear message when `npm ci`
// has not been run.
export function loadAmqplib(name) {
  if (!fs.existsSync(path.join(here, 'node_modules', 'amqplib'))) {
    fail(name, `amqplib is not installed in ${path.join(here, 'node_modules')}: run 'npm ci' there (scripts/install-deps --test does it)`);
  }
  return createRequire(import.meta.url)('amqplib');
}

export function env(variable) {
  const value = process.env[variable];
  if (!value) {
    console.error(`missing ${variable}: run this through with_warren.py (or set it to a broker)`);
    process.exit(2);
  }
  return value;
}

// Arms the deadline and the failure handlers; returns { amqp, url, http, step, done, uid }.
export function start(name) {
  const started = Date.now();
  const timer = setTimeout(() => fail(name, `did not finish within ${DEADLINE_MS / 1000} s (last step: ${current})`), DEADLINE_MS);
  timer.unref();
  let current = '(none)';
  process.on('unhandledRejection', (e) => fail(name, `in step '${current}': ${e && e.stack ? e.stack : e}`));
  process.on('uncaughtException', (e) => fail(name, `in step '${current}': ${e && e.stack ? e.stack : e}`));
  const amqp = loadAmqplib(name);
  return {
    amqp,
    url: env('WARREN_AMQP_URL'),
    // Names unique to this run, so the scripts can also run against a shared RabbitMQ.
    uid: `${name}-${process.pid}-${Date.now().toString(36)}`,
    async step(title, fn) {
      current = title;
      const t0 = Date.now();
      await fn();
      console.log(`${name}: ok  ${title} (${Date.now() - t0} ms)`);
    },
    done() {
      clearTimeout(timer);
      console.log(`${name}: all passed in ${Date.now() - started} ms`);
      process.exit(0);
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves with the value of `fn()` once it is truthy; rejects after `ms`.
export async function eventually(what, fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// A promise with its resolve exposed, and a timeout so a missing event fails instead of hangs.
export function deferred(what, ms = 5000) {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  promise.finally(() => clearTimeout(timer)).catch(() => {});
  return { promise, resolve, reject };
}

// Collects `count` deliveries from a queue's consumer; returns { promise, messages }.
export function collector(what, count, ms = 5000) {
  const messages = [];
  const d = deferred(`${count} messages on ${what}`, ms);
  return {
    messages,
    promise: d.promise,
    push(msg) {
      messages.push(msg);
      if (messages.length >= count) d.resolve(messages);
    },
  };
}

// Awaits a promise that must reject (a channel or connection error); returns the error.
export async function rejects(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: expected an error, the operation succeeded`);
}

// The management API, basic auth guest/guest.
export async function http(method, p, body) {
  const base = env('WARREN_HTTP_URL');
  const res = await fetch(base + p, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export { assert };
