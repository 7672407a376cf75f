// queues.js: the queue list (depth, unacked, consumers, rates), the create form with every
// queue argument warren supports, and the detail page: bindings, consumers, "get messages",
// purge and delete. A stream (x-queue-type stream, an append-only log) gets its own detail:
// offsets, size, retention, the stored offsets of its named consumers and groups, and "read
// messages" by offset in place of get and purge (which a stream answers 405).

import { api, enc, listQuery } from './api.js';
import { h, clear, fmtNum, fmtRate, fmtBytes, errorBox, field, checkbox, busy, confirmDialog, toast, section, kv, yesNo } from './dom.js';
import { pagedTable, simpleTable } from './table.js';
import { bindingsTable, addBindingForm, queueLink } from './bindings.js';

const rate = (q, k) => fmtRate(q.message_stats && q.message_stats[`${k}_details`] ? q.message_stats[`${k}_details`].rate : 0);

function features(q) {
  const f = [];
  const tag = (text, title) => h('abbr', { title, class: 'tag' }, text);
  if (q.type === 'stream') f.push(tag('Stream', 'stream: an append-only log, read by offset; reading never removes'));
  if (q.durable) f.push(tag('D', 'durable'));
  if (q.auto_delete) f.push(tag('AD', 'auto-delete'));
  if (q.exclusive) f.push(tag('Excl', 'exclusive'));
  const a = q.arguments || {};
  if (a['x-message-ttl'] !== undefined) f.push(tag('TTL', `x-message-ttl: ${a['x-message-ttl']} ms`));
  if (a['x-expires'] !== undefined) f.push(tag('Exp', `x-expires: ${a['x-expires']} ms`));
  if (a['x-max-length'] !== undefined || a['x-max-length-bytes'] !== undefined) f.push(tag('Lim', 'length limit'));
  if (a['x-dead-letter-exchange'] !== undefined) f.push(tag('DLX', `dead letters to '${a['x-dead-letter-exchange']}'`));
  if (a['x-delivery-limit'] !== undefined) f.push(tag('DLim', `x-delivery-limit: ${a['x-delivery-limit']}`));
  if (a['x-single-active-consumer']) f.push(tag('SAC', 'single active consumer'));
  if (a['x-group-by'] !== undefined) f.push(tag('Grp', `message groups by ${a['x-group-by']}: ${q.message_groups || 0} groups, ${q.message_groups_owned || 0} held`));
  return f;
}

export async function renderList(view, ctx) {
  const vhost = ctx.vhost;
  const table = pagedTable({
    id: 'queues',
    columns: [
      { label: 'Name', sort: 'name', render: (q) => queueLink(q.vhost, q.name) },
      { label: 'Features', render: features },
      { label: 'Ready', cls: 'num', sort: 'messages_ready', render: (q) => fmtNum(q.messages_ready) },
      { label: 'Unacked', cls: 'num', sort: 'messages_unacknowledged', render: (q) => fmtNum(q.messages_unacknowledged) },
      { label: 'Total', cls: 'num', sort: 'messages', render: (q) => fmtNum(q.messages) },
      { label: 'Consumers', cls: 'num', sort: 'consumers', render: (q) => fmtNum(q.consumers) },
      { label: 'In', cls: 'num', render: (q) => rate(q, 'publish') },
      { label: 'Deliver', cls: 'num', render: (q) => rate(q, 'deliver_get') },
      { label: 'Ack', cls: 'num', render: (q) => rate(q, 'ack') },
    ],
    load: (s) => api('GET', `/api/queues/${enc(vhost)}?${listQuery(s)}`),
  });
  view.append(h('h1', {}, 'Queues ', h('small', { class: 'muted' }, `in vhost ${vhost}`)), createForm(vhost, table.refresh), section('All queues', table.el));
  await table.refresh();
  ctx.every(table.refresh, 5000);
}

// [argument, label, kind, hint]; kind: int (a number), str, bool, or a list of choices.
const ARGS = [
  ['x-queue-type', 'Queue type', ['', 'stream'], 'stream: an append-only log read by offset (durable; no TTL, expiry, dead-lettering, max length or overflow)'],
  ['x-message-ttl', 'Message TTL (ms)', 'int', 'messages older than this are dropped or dead-lettered'],
  ['x-expires', 'Queue expires (ms)', 'int', 'delete the queue after this long unused'],
  ['x-max-length', 'Max length (messages)', 'int'],
  ['x-max-length-bytes', 'Max length (bytes)', 'int', 'on a stream: retention by size'],
  ['x-max-age', 'Max age (streams)', 'str', 'e.g. 7D, 12h, 30s: older segments are dropped'],
  ['x-stream-max-segment-size-bytes', 'Segment size (bytes, streams)', 'int', 'retention drops whole segments (default 500 000 000)'],
  ['x-overflow', 'Overflow', ['', 'drop-head', 'reject-publish'], 'what happens past a max length'],
  ['x-dead-letter-exchange', 'Dead-letter exchange', 'str'],
  ['x-dead-letter-routing-key', 'Dead-letter routing key', 'str'],
  ['x-delivery-limit', 'Delivery limit', 'int', 'dead-letter after this many deliveries'],
  ['x-single-active-consumer', 'Single active consumer', 'bool'],
  ['x-group-by', 'Group by', 'str', 'routing_key, header:NAME or property:NAME: one consumer at a time per key, in order'],
  ['x-group-max-in-flight', 'Group max in flight', 'int', 'unacked messages per group (default 1)'],
];

function createForm(vhost, onCreated) {
  const err = errorBox();
  const name = h('input', { name: 'name', required: true, maxlength: 255, placeholder: 'e.g. orders' });
  const inputs = {};
  const argFields = ARGS.map(([arg, label, kind, hint]) => {
    let input;
    if (Array.isArray(kind)) input = h('select', { name: arg }, kind.map((c) => h('option', { value: c }, c || '(default)')));
    else if (kind === 'bool') input = h('input', { type: 'checkbox', name: arg });
    else input = h('input', { name: arg, type: kind === 'int' ? 'number' : 'text', min: kind === 'int' ? 0 : undefined, step: kind === 'int' ? 1 : undefined });
    inputs[arg] = { input, kind };
    return kind === 'bool'
      ? h('label', { class: 'check' }, input, ` ${label} `, h('code', { class: 'muted' }, arg))
      : field(h('span', {}, `${label} `, h('code', { class: 'muted' }, arg)), input, hint);
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create queue');
  const form = h('form', { class: 'form', 'aria-label': 'Create queue' },
    field('Name', name), h('div', { class: 'checks' }, checkbox('durable', 'durable', true), checkbox('auto_delete', 'auto-delete')),
    h('details', { class: 'args' }, h('summary', {}, 'Arguments'), h('div', { class: 'grid2' }, argFields)),
    h('div', { class: 'actions' }, button), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      const n = name.value;
      const args = {};
      for (const [arg, { input, kind }] of Object.entries(inputs)) {
        if (kind === 'bool') {
          if (input.checked) args[arg] = true;
        } else if (input.value !== '') {
          args[arg] = kind === 'int' ? Number(input.value) : input.value;
        }
      }
      const body = { durable: form.durable.checked, auto_delete: form.auto_delete.checked, arguments: args };
      const existing = await api('GET', `/api/queues/${enc(vhost)}/${enc(n)}`).catch((x) => (x.status === 404 ? null : Promise.reject(x)));
      if (existing) {
        throw new Error(`A queue named '${n}' already exists in vhost '${vhost}' (${existing.durable ? 'durable' : 'transient'}, ${fmtNum(existing.messages)} messages). Pick another name, or delete it first.`);
      }
      await api('PUT', `/api/queues/${enc(vhost)}/${enc(n)}`, body);
      toast(`Queue '${n}' created.`);
      name.value = '';
      onCreated();
    });
  });
  return h('details', { class: 'card create' }, h('summary', {}, 'Add a queue'), form);
}

const tile = (id, value, label) => h('div', { class: 'tile', id }, h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));

// 604800000 -> "7 days": the largest unit that divides it, as x-max-age was probably written.
function fmtAge(ms) {
  for (const [unit, n] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]]) {
    if (ms >= n && ms % n === 0) return `${fmtNum(ms / n)} ${unit}${ms === n ? '' : 's'}`;
  }
  return `${fmtNum(ms)} ms`;
}

function retention(s) {
  const age = s.max_age_ms === null || s.max_age_ms === undefined ? 'no max age' : `max age ${fmtAge(s.max_age_ms)}`;
  const bytes = s.max_length_bytes === null || s.max_length_bytes === undefined ? 'no max size' : `max size ${fmtBytes(s.max_length_bytes)}`;
  return `${age}, ${bytes}; dropped in whole segments of ${fmtBytes(s.segment_bytes)}, oldest first`;
}

export async function renderDetail(view, ctx) {
  const { vhost, name } = ctx.params;
  const path = `/api/queues/${enc(vhost)}/${enc(name)}`;
  const err = errorBox();
  const info = h('div');
  const bindings = h('div');
  const consumers = h('div');
  const offsets = h('div');
  view.append(h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / ', vhost),
    h('h1', {}, 'Queue ', h('code', {}, name)), err, info);

  let q;
  async function refresh() {
    try {
      q = await api('GET', path);
      const b = await api('GET', `${path}/bindings`);
      err.show(null);
      const args = Object.entries(q.arguments || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      const s = q.type === 'stream' ? q.stream : null;
      // A stream is never consumed away: its tiles are the log's offsets and size, not a depth.
      const tiles = s ? [
        tile('stream-first', fmtNum(s.first_offset), 'first offset'),
        tile('stream-last', s.last_offset === null ? '–' : fmtNum(s.last_offset), 'last offset'),
        tile('stream-messages', fmtNum(s.messages), 'messages'),
        tile('stream-bytes', fmtBytes(s.bytes), 'size'),
        tile('stream-segments', fmtNum(s.segments), 'segments'),
        tile('queue-consumers', fmtNum(q.consumers), 'consumers'),
      ] : [
        tile('queue-ready', fmtNum(q.messages_ready), 'ready'),
        tile('queue-unacked', fmtNum(q.messages_unacknowledged), 'unacked'),
        tile('queue-consumers', fmtNum(q.consumers), 'consumers'),
        ...(q.arguments && q.arguments['x-group-by'] !== undefined ? [
          tile('queue-groups', fmtNum(q.message_groups), 'message groups'),
          tile('queue-groups-owned', fmtNum(q.message_groups_owned), 'groups held'),
        ] : []),
      ];
      clear(info).append(h('div', { class: 'tiles' }, tiles),
        h('section', { class: 'card' }, kv([
          ['Type', s ? 'stream (append-only log)' : 'classic'],
          ['Durable', yesNo(q.durable)], ['Auto-delete', yesNo(q.auto_delete)], ['Exclusive', yesNo(q.exclusive)],
          ['Arguments', args || '–'], ['State', q.state || '–'],
          ...(s ? [['Retention', retention(s)]] : [['Bytes', fmtBytes(q.message_bytes)]]),
          ['Rates', `in ${rate(q, 'publish')}, deliver ${rate(q, 'deliver_get')}, ack ${rate(q, 'ack')}`],
        ])));
      clear(bindings).append(bindingsTable(b, 'source', refresh));
      clear(consumers).append(simpleTable([
        { label: 'Tag', render: (c) => c.consumer_tag },
        { label: 'Connection', render: (c) => (c.channel_details && c.channel_details.connection_name) || '–' },
        { label: 'Ack', render: (c) => (c.ack_required ? 'manual' : 'auto') },
        { label: 'Prefetch', cls: 'num', render: (c) => fmtNum(c.prefetch_count) },
        { label: 'Status', render: (c) => c.activity_status || (c.active ? 'up' : 'waiting') },
      ], q.consumer_details || [], 'No consumers.'));
      if (s) {
        clear(offsets).append(simpleTable([
          { label: 'Consumer or group', render: (c) => c.name },
          { label: 'Stored offset', cls: 'num', render: (c) => String(c.offset) },
          { label: 'Lag', cls: 'num', render: (c) => fmtNum(c.lag) },
        ], s.consumers || [], 'No stored offsets.'));
      }
    } catch (e) {
      err.show(e.status === 404 ? new Error(`There is no queue '${name}' in vhost '${vhost}' (any more).`) : e);
    }
  }
  await refresh();
  if (!q) return;
  const stream = q.type === 'stream';
  view.append(
    section('Bindings', bindings, addBindingForm(vhost, { kind: 'destination', name }, refresh)),
    section('Consumers', consumers),
    ...(stream ? [
      section('Stream consumers', h('p', { class: 'muted' }, 'Named consumers and consumer groups: the offset up to which they acked, and how many messages are after it.'), offsets),
      section('Read messages', readForm(vhost, name)),
      section('Delete', dangerZone(vhost, name, ctx, refresh, true)),
    ] : [
      section('Get messages', getForm(path, refresh)),
      section('Purge and delete', dangerZone(vhost, name, ctx, refresh, false)),
    ]),
  );
  ctx.every(refresh, 5000);
}

// Reads a page of a stream by offset (GET /api/streams/...): nothing is removed or acked, so
// reading again gives the same messages; "Next page" goes on from where the page ended.
function readForm(vhost, name) {
  const err = errorBox();
  const offset = h('input', { name: 'offset', value: 'first', required: true, placeholder: 'first, last, next, 42 or timestamp:1700000000000' });
  const count = h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: 20 });
  const out = h('div', { class: 'messages' });
  const summary = h('p', { class: 'muted', id: 'read-summary', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Read messages');
  const next = h('button', { type: 'button', hidden: true, name: 'next' }, 'Next page');
  let nextOffset = null;
  async function read(from) {
    const query = new URLSearchParams({ offset: from, count: String(Number(count.value) || 20) });
    const page = await api('GET', `/api/streams/${enc(vhost)}/${enc(name)}/messages?${query}`);
    clear(out);
    const list = page.messages || [];
    if (list.length) {
      summary.textContent = `Offsets ${list[0].offset} to ${list[list.length - 1].offset}; the next page starts at ${page.next_offset}.`;
    } else {
      summary.textContent = `No messages from '${from}' yet: the next one will have offset ${page.next_offset}.`;
    }
    summary.hidden = false;
    list.forEach((m, i) => out.append(messageCard(m, i + 1)));
    nextOffset = page.next_offset;
    next.hidden = false;
  }
  const form = h('form', { class: 'form', 'aria-label': 'Read messages' },
    h('div', { class: 'grid2' },
      field('Offset', offset, 'first, last, next (only new ones), an offset, or timestamp:MS (the first message appended at or after it)'),
      field('Count', count, '1 to 1000')),
    h('div', { class: 'actions' }, next, button), err, summary, out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, () => read(offset.value.trim()));
  });
  next.addEventListener('click', () => {
    busy(next, err, async () => {
      // The offset field follows, so what is shown can be read again with "Read messages".
      offset.value = String(nextOffset);
      await read(offset.value);
    });
  });
  return form;
}

function getForm(path, onDone) {
  const err = errorBox();
  const count = h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: 1 });
  const ackmode = h('select', { name: 'ackmode' },
    h('option', { value: 'ack_requeue_true' }, 'Nack, requeue (the message stays)'),
    h('option', { value: 'reject_requeue_true' }, 'Reject, requeue (the message stays)'),
    h('option', { value: 'ack_requeue_false' }, 'Ack (removes the message)'),
    h('option', { value: 'reject_requeue_false' }, 'Reject, no requeue (dead-letters or drops)'));
  const encoding = h('select', { name: 'encoding' }, h('option', { value: 'auto' }, 'auto (string if UTF-8)'), h('option', { value: 'base64' }, 'base64'));
  const out = h('div', { class: 'messages' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Get messages');
  const form = h('form', { class: 'form', 'aria-label': 'Get messages' },
    h('div', { class: 'grid3' }, field('Count', count), field('Ack mode', ackmode), field('Encoding', encoding)),
    h('div', { class: 'actions' }, button), err, out);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      const list = await api('POST', `${path}/get`, { count: Number(count.value) || 1, ackmode: ackmode.value, encoding: encoding.value, truncate: 50000 });
      clear(out);
      if (!list.length) out.append(h('p', { class: 'muted' }, 'The queue is empty: no message to get.'));
      list.forEach((m, i) => out.append(messageCard(m, i + 1)));
      onDone();
    });
  });
  return form;
}

// m: a message from a get, a stream read or a WebSocket delivery. A stream's messages carry their
// offset and append time, and a delivery its stream as "queue" (a group's partition:
// streamLabel names it so).
export function messageCard(m, n, streamLabel = 'Stream') {
  const props = Object.entries(m.properties || {}).filter(([k]) => k !== 'headers');
  const headers = (m.properties && m.properties.headers) || {};
  return h('article', { class: 'message' },
    h('h3', {}, `Message ${n}`, m.redelivered ? h('span', { class: 'tag warn' }, 'redelivered') : null),
    kv([
      ...(m.offset !== undefined ? [['Offset', String(m.offset)]] : []),
      ...(m.timestamp !== undefined ? [['Timestamp', new Date(m.timestamp).toISOString()]] : []),
      ...(m.offset !== undefined && m.queue !== undefined ? [[streamLabel, m.queue]] : []),
      ['Exchange', m.exchange === '' ? '(AMQP default)' : m.exchange],
      ['Routing key', m.routing_key],
      ...(m.message_count !== undefined ? [['Left in queue', fmtNum(m.message_count)]] : []),
      ...(m.payload_bytes !== undefined ? [['Payload size', fmtBytes(m.payload_bytes)]] : []),
      ...props.map(([k, v]) => [k, String(v)]),
      ...Object.entries(headers).map(([k, v]) => [`header ${k}`, typeof v === 'string' ? v : JSON.stringify(v)]),
    ]),
    h('div', { class: 'payload-label muted' }, `Payload (${m.payload_encoding})`),
    h('pre', { class: 'payload' }, m.payload));
}

// A stream has no purge (its retention drops messages, 405 otherwise): only delete.
function dangerZone(vhost, name, ctx, onDone, stream) {
  const err = errorBox();
  const purge = h('button', {
    type: 'button',
    class: 'danger',
    onclick: async () => {
      const ok = await confirmDialog(`Purge queue '${name}'?`, 'Every ready message in it is deleted. Unacknowledged messages stay.', 'Purge');
      if (!ok) return;
      await busy(purge, err, async () => {
        await api('DELETE', `/api/queues/${enc(vhost)}/${enc(name)}/contents`);
        toast(`Queue '${name}' purged.`);
        onDone();
      });
    },
  }, 'Purge messages');
  const del = h('button', {
    type: 'button',
    class: 'danger',
    onclick: async () => {
      const ok = await confirmDialog(`Delete ${stream ? 'stream' : 'queue'} '${name}'?`, stream
        ? 'The stream, every message in it, its stored consumer offsets and its bindings are deleted; its consumers are cancelled.'
        : 'The queue, its messages and its bindings are deleted; its consumers are cancelled.', 'Delete queue');
      if (!ok) return;
      await busy(del, err, async () => {
        await api('DELETE', `/api/queues/${enc(vhost)}/${enc(name)}`);
        toast(`Queue '${name}' deleted.`);
        ctx.go('#/queues');
      });
    },
  }, 'Delete this queue');
  return h('div', {}, h('div', { class: 'actions left' }, stream ? null : purge, del), err);
}
