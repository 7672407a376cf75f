// exchanges.js: the exchange list (server-side paging, filter, sort), the create form, and the
// detail page with its bindings, a publish form and delete.

import { api, enc, listQuery } from './api.js';
import { h, clear, fmtRate, fmtNum, errorBox, field, checkbox, busy, confirmDialog, toast, section, kv, yesNo } from './dom.js';
import { pagedTable } from './table.js';
import { bindingsTable, addBindingForm, exchangeLink, parseTable } from './bindings.js';

const TYPES = ['direct', 'fanout', 'topic', 'headers'];
const rate = (e, k) => fmtRate(e.message_stats && e.message_stats[`${k}_details`] ? e.message_stats[`${k}_details`].rate : 0);

function features(e) {
  const f = [];
  if (e.durable) f.push(h('abbr', { title: 'durable', class: 'tag' }, 'D'));
  if (e.auto_delete) f.push(h('abbr', { title: 'auto-delete', class: 'tag' }, 'AD'));
  if (e.internal) f.push(h('abbr', { title: 'internal', class: 'tag' }, 'I'));
  if (e.arguments && e.arguments['alternate-exchange']) f.push(h('abbr', { title: `alternate exchange: ${e.arguments['alternate-exchange']}`, class: 'tag' }, 'AE'));
  return f;
}

export async function renderList(view, ctx) {
  const vhost = ctx.vhost;
  const table = pagedTable({
    id: 'exchanges',
    columns: [
      { label: 'Name', sort: 'name', render: (e) => exchangeLink(e.vhost, e.name) },
      { label: 'Type', sort: 'type', render: (e) => e.type },
      { label: 'Features', render: features },
      { label: 'In', cls: 'num', sort: 'message_stats.publish_in_details.rate', render: (e) => rate(e, 'publish_in') },
      { label: 'Out', cls: 'num', sort: 'message_stats.publish_out_details.rate', render: (e) => rate(e, 'publish_out') },
    ],
    load: (s) => api('GET', `/api/exchanges/${enc(vhost)}?${listQuery(s)}`),
  });
  view.append(h('h1', {}, 'Exchanges ', h('small', { class: 'muted' }, `in vhost ${vhost}`)), createForm(vhost, table.refresh), section('All exchanges', table.el));
  await table.refresh();
  ctx.every(table.refresh, 5000);
}

function createForm(vhost, onCreated) {
  const err = errorBox();
  const name = h('input', { name: 'name', required: true, maxlength: 255, placeholder: 'e.g. orders' });
  const type = h('select', { name: 'type' }, TYPES.map((t) => h('option', { value: t }, t)));
  const alt = h('input', { name: 'alternate-exchange', placeholder: 'optional' });
  const durable = checkbox('durable', 'durable', true);
  const autoDelete = checkbox('auto_delete', 'auto-delete');
  const internal = checkbox('internal', 'internal');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create exchange');
  const form = h('form', { class: 'form', 'aria-label': 'Create exchange' },
    field('Name', name), field('Type', type), field('Alternate exchange', alt, 'gets the messages no binding matches'),
    h('div', { class: 'checks' }, durable, autoDelete, internal), h('div', { class: 'actions' }, button), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      const n = name.value;
      const existing = await api('GET', `/api/exchanges/${enc(vhost)}/${enc(n)}`).catch((x) => (x.status === 404 ? null : Promise.reject(x)));
      if (existing) {
        throw new Error(`An exchange named '${n}' already exists in vhost '${vhost}' (${existing.type}${existing.durable ? ', durable' : ''}). Pick another name, or delete it first.`);
      }
      const body = {
        type: type.value,
        durable: form.durable.checked,
        auto_delete: form.auto_delete.checked,
        internal: form.internal.checked,
        arguments: alt.value ? { 'alternate-exchange': alt.value } : {},
      };
      await api('PUT', `/api/exchanges/${enc(vhost)}/${enc(n)}`, body);
      toast(`Exchange '${n}' created.`);
      name.value = '';
      alt.value = '';
      onCreated();
    });
  });
  return h('details', { class: 'card create' }, h('summary', {}, 'Add an exchange'), form);
}

export async function renderDetail(view, ctx) {
  const { vhost } = ctx.params;
  const name = ctx.params.name === 'amq.default' ? '' : ctx.params.name;
  const path = `/api/exchanges/${enc(vhost)}/${enc(name || 'amq.default')}`;
  const err = errorBox();
  const info = h('div');
  const outgoing = h('div');
  const incoming = h('div');
  view.append(h('p', { class: 'crumbs' }, h('a', { href: '#/exchanges' }, 'Exchanges'), ' / ', vhost),
    h('h1', {}, 'Exchange ', h('code', {}, name || '(AMQP default)')), err, info);

  let ex;
  async function refresh() {
    try {
      ex = await api('GET', path);
      const [src, dst] = await Promise.all([api('GET', `${path}/bindings/source`), api('GET', `${path}/bindings/destination`)]);
      err.show(null);
      const m = ex.message_stats || {};
      clear(info).append(h('section', { class: 'card' }, kv([
        ['Type', ex.type], ['Durable', yesNo(ex.durable)], ['Auto-delete', yesNo(ex.auto_delete)], ['Internal', yesNo(ex.internal)],
        ['Alternate exchange', (ex.arguments && ex.arguments['alternate-exchange']) || '–'],
        ['Messages in', `${fmtNum(m.publish_in || 0)} (${rate(ex, 'publish_in')})`],
        ['Messages out', `${fmtNum(m.publish_out || 0)} (${rate(ex, 'publish_out')})`],
      ])));
      clear(outgoing).append(bindingsTable(src, 'destination', refresh));
      clear(incoming).append(bindingsTable(dst, 'source', refresh));
    } catch (e) {
      err.show(e.status === 404 ? new Error(`There is no exchange '${name || '(AMQP default)'}' in vhost '${vhost}' (any more).`) : e);
    }
  }
  await refresh();
  if (!ex) return;
  const builtIn = name === '' || name.startsWith('amq.');
  view.append(
    section('Bindings from this exchange', outgoing, name === '' ? h('p', { class: 'muted' }, 'The default exchange routes to the queue named by the routing key; nothing can be bound to it.') : addBindingForm(vhost, { kind: 'source', name }, refresh)),
    section('Bindings to this exchange', incoming),
    section('Publish a message', publishForm(vhost, name)),
  );
  if (!builtIn) view.append(section('Delete', deleteButton(vhost, name, ctx)));
  ctx.every(refresh, 5000);
}

function deleteButton(vhost, name, ctx) {
  const err = errorBox();
  const button = h('button', {
    type: 'button',
    class: 'danger',
    onclick: async () => {
      const ok = await confirmDialog(`Delete exchange '${name}'?`, 'Its bindings go with it. Publishers sending to it will get errors.', 'Delete exchange');
      if (!ok) return;
      await busy(button, err, async () => {
        await api('DELETE', `/api/exchanges/${enc(vhost)}/${enc(name)}`);
        toast(`Exchange '${name}' deleted.`);
        ctx.go('#/exchanges');
      });
    },
  }, 'Delete this exchange');
  return h('div', {}, button, err);
}

export function publishForm(vhost, exchange) {
  const err = errorBox();
  const result = h('p', { class: 'result', role: 'status' });
  const key = h('input', { name: 'routing_key', placeholder: exchange === '' ? 'queue name' : 'e.g. order.created' });
  const persistent = checkbox('persistent', 'persistent (delivery_mode 2)', true);
  const contentType = h('input', { name: 'content_type', placeholder: 'e.g. application/json' });
  const headers = h('textarea', { name: 'headers', rows: 2, placeholder: 'key=value per line, or a JSON object' });
  const props = {};
  for (const p of ['correlation_id', 'message_id', 'reply_to', 'expiration', 'type', 'app_id', 'priority']) {
    props[p] = h('input', { name: p, placeholder: p === 'expiration' ? 'ms, e.g. 60000' : '' });
  }
  const payload = h('textarea', { name: 'payload', rows: 5, placeholder: 'message body' });
  const encoding = h('select', { name: 'payload_encoding' }, h('option', { value: 'string' }, 'string'), h('option', { value: 'base64' }, 'base64'));
  const button = h('button', { type: 'submit', class: 'primary' }, 'Publish');
  const form = h('form', { class: 'form', 'aria-label': 'Publish message' },
    field('Routing key', key), field('Content type', contentType), h('div', { class: 'checks' }, persistent),
    field('Headers', headers),
    h('details', {}, h('summary', {}, 'More properties'), h('div', { class: 'grid2' },
      Object.entries(props).map(([p, input]) => field(p, input)))),
    field('Payload', payload), field('Payload encoding', encoding),
    h('div', { class: 'actions' }, button), result, err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    result.textContent = '';
    busy(button, err, async () => {
      const properties = { delivery_mode: form.persistent.checked ? 2 : 1 };
      if (contentType.value) properties.content_type = contentType.value;
      const hdrs = parseTable(headers.value, 'Headers');
      if (Object.keys(hdrs).length) properties.headers = hdrs;
      for (const [p, input] of Object.entries(props)) {
        if (!input.value) continue;
        if (p === 'priority') {
          const n = Number(input.value);
          if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error('priority: a whole number from 0 to 255.');
          properties.priority = n;
        } else properties[p] = input.value;
      }
      const body = { properties, routing_key: key.value, payload: payload.value, payload_encoding: encoding.value };
      const r = await api('POST', `/api/exchanges/${enc(vhost)}/${enc(exchange || 'amq.default')}/publish`, body);
      result.className = r.routed ? 'result ok' : 'result warn';
      result.textContent = r.routed ? 'Published: routed to at least one queue.' : 'Published, but not routed: no binding matched the routing key, so the message was dropped.';
    });
  });
  return form;
}
