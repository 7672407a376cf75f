// queues.js: the queue list (depth, unacked, consumers, rates), the create form with every
// queue argument warren supports, and the detail page: bindings, consumers, "get messages",
// purge and delete.

import { api, enc, listQuery } from './api.js';
import { h, clear, fmtNum, fmtRate, fmtBytes, errorBox, field, checkbox, busy, confirmDialog, toast, section, kv, yesNo } from './dom.js';
import { pagedTable, simpleTable } from './table.js';
import { bindingsTable, addBindingForm, queueLink } from './bindings.js';

const rate = (q, k) => fmtRate(q.message_stats && q.message_stats[`${k}_details`] ? q.message_stats[`${k}_details`].rate : 0);

function features(q) {
  const f = [];
  const tag = (text, title) => h('abbr', { title, class: 'tag' }, text);
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
  ['x-message-ttl', 'Message TTL (ms)', 'int', 'messages older than this are dropped or dead-lettered'],
  ['x-expires', 'Queue expires (ms)', 'int', 'delete the queue after this long unused'],
  ['x-max-length', 'Max length (messages)', 'int'],
  ['x-max-length-bytes', 'Max length (bytes)', 'int'],
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

export async function renderDetail(view, ctx) {
  const { vhost, name } = ctx.params;
  const path = `/api/queues/${enc(vhost)}/${enc(name)}`;
  const err = errorBox();
  const info = h('div');
  const bindings = h('div');
  const consumers = h('div');
  view.append(h('p', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / ', vhost),
    h('h1', {}, 'Queue ', h('code', {}, name)), err, info);

  let q;
  async function refresh() {
    try {
      q = await api('GET', path);
      const b = await api('GET', `${path}/bindings`);
      err.show(null);
      const args = Object.entries(q.arguments || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
      clear(info).append(h('div', { class: 'tiles' },
        h('div', { class: 'tile', id: 'queue-ready' }, h('span', { class: 'value' }, fmtNum(q.messages_ready)), h('span', { class: 'label' }, 'ready')),
        h('div', { class: 'tile', id: 'queue-unacked' }, h('span', { class: 'value' }, fmtNum(q.messages_unacknowledged)), h('span', { class: 'label' }, 'unacked')),
        h('div', { class: 'tile', id: 'queue-consumers' }, h('span', { class: 'value' }, fmtNum(q.consumers)), h('span', { class: 'label' }, 'consumers')),
        ...(q.arguments && q.arguments['x-group-by'] !== undefined ? [
          h('div', { class: 'tile', id: 'queue-groups' }, h('span', { class: 'value' }, fmtNum(q.message_groups)), h('span', { class: 'label' }, 'message groups')),
          h('div', { class: 'tile', id: 'queue-groups-owned' }, h('span', { class: 'value' }, fmtNum(q.message_groups_owned)), h('span', { class: 'label' }, 'groups held')),
        ] : [])),
      h('section', { class: 'card' }, kv([
        ['Durable', yesNo(q.durable)], ['Auto-delete', yesNo(q.auto_delete)], ['Exclusive', yesNo(q.exclusive)],
        ['Arguments', args || '–'], ['State', q.state || '–'],
        ['Bytes', fmtBytes(q.message_bytes)],
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
    } catch (e) {
      err.show(e.status === 404 ? new Error(`There is no queue '${name}' in vhost '${vhost}' (any more).`) : e);
    }
  }
  await refresh();
  if (!q) return;
  view.append(
    section('Bindings', bindings, addBindingForm(vhost, { kind: 'destination', name }, refresh)),
    section('Consumers', consumers),
    section('Get messages', getForm(path, refresh)),
    section('Purge and delete', dangerZone(vhost, name, ctx, refresh)),
  );
  ctx.every(refresh, 5000);
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

export function messageCard(m, n) {
  const props = Object.entries(m.properties || {}).filter(([k]) => k !== 'headers');
  const headers = (m.properties && m.properties.headers) || {};
  return h('article', { class: 'message' },
    h('h3', {}, `Message ${n}`, m.redelivered ? h('span', { class: 'tag warn' }, 'redelivered') : null),
    kv([
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

function dangerZone(vhost, name, ctx, onDone) {
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
      const ok = await confirmDialog(`Delete queue '${name}'?`, 'The queue, its messages and its bindings are deleted; its consumers are cancelled.', 'Delete queue');
      if (!ok) return;
      await busy(del, err, async () => {
        await api('DELETE', `/api/queues/${enc(vhost)}/${enc(name)}`);
        toast(`Queue '${name}' deleted.`);
        ctx.go('#/queues');
      });
    },
  }, 'Delete this queue');
  return h('div', {}, h('div', { class: 'actions left' }, purge, del), err);
}
