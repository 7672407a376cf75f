// bindings.js: the bindings table and the "add binding" form shared by the exchange and queue
// detail pages. A binding is removed by its properties_key, as the API names it.

import { api, enc } from './api.js';
import { h, busy, errorBox, field, confirmDialog, toast } from './dom.js';
import { simpleTable } from './table.js';

export const exchangeLink = (vhost, name) =>
  h('a', { href: `#/exchanges/${enc(vhost)}/${enc(name || 'amq.default')}` }, name || '(AMQP default)');
export const queueLink = (vhost, name) => h('a', { href: `#/queues/${enc(vhost)}/${enc(name)}` }, name);

function destinationLink(b) {
  return b.destination_type === 'exchange' ? exchangeLink(b.vhost, b.destination) : queueLink(b.vhost, b.destination);
}

function bindingPath(b) {
  const kind = b.destination_type === 'exchange' ? 'e' : 'q';
  return `/api/bindings/${enc(b.vhost)}/e/${enc(b.source)}/${kind}/${enc(b.destination)}/${enc(b.properties_key)}`;
}

function argsText(args) {
  const keys = Object.keys(args || {});
  return keys.length ? keys.map((k) => `${k}=${JSON.stringify(args[k])}`).join(', ') : '';
}

// side: 'source' lists where messages come from, 'destination' where they go.
export function bindingsTable(items, side, onChange) {
  const columns = [
    side === 'source'
      ? { label: 'From exchange', render: (b) => exchangeLink(b.vhost, b.source) }
      : { label: 'To', render: (b) => h('span', {}, h('small', { class: 'muted' }, b.destination_type === 'exchange' ? 'exchange ' : 'queue '), destinationLink(b)) },
    { label: 'Routing key', render: (b) => h('code', {}, b.routing_key === '' ? '(empty)' : String(b.routing_key)) },
    { label: 'Arguments', render: (b) => argsText(b.arguments) },
    {
      label: '',
      cls: 'act',
      render: (b) => (b.source === ''
        ? h('small', { class: 'muted' }, 'default binding')
        : h('button', {
          type: 'button',
          class: 'danger small',
          onclick: async (e) => {
            const ok = await confirmDialog('Remove binding?',
              `Messages from '${b.source}' with key '${b.routing_key}' will no longer reach ${b.destination_type} '${b.destination}'.`, 'Remove');
            if (!ok) return;
            await busy(e.target, null, async () => {
              await api('DELETE', bindingPath(b));
              toast('Binding removed.');
              onChange();
            });
          },
        }, 'Remove')),
    },
  ];
  return simpleTable(columns, items, 'No bindings.');
}

// Parses "{...}" JSON or "key=value" lines (values that parse as JSON numbers/booleans keep that type).
export function parseTable(text, what) {
  const t = text.trim();
  if (!t) return {};
  if (t.startsWith('{')) {
    let v;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new Error(`${what}: not valid JSON (${e.message}).`);
    }
    if (typeof v !== 'object' || Array.isArray(v) || v === null) throw new Error(`${what}: expected a JSON object.`);
    return v;
  }
  const out = {};
  for (const line of t.split('\n')) {
    if (!line.trim()) continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`${what}: write one key=value per line (or a JSON object); cannot read '${line.trim()}'.`);
    const k = line.slice(0, i).trim();
    const raw = line.slice(i + 1).trim();
    let v = raw;
    if (/^-?\d+(\.\d+)?$/.test(raw)) v = Number(raw);
    else if (raw === 'true' || raw === 'false') v = raw === 'true';
    out[k] = v;
  }
  return out;
}

// The form that binds `fixed` (an exchange as source, or a queue as destination) to another end.
export function addBindingForm(vhost, fixed, onDone) {
  const err = errorBox();
  const kind = h('select', { name: 'kind' }, h('option', { value: 'q' }, 'queue'), h('option', { value: 'e' }, 'exchange'));
  const other = h('input', { name: 'other', required: true, placeholder: fixed.kind === 'source' ? 'destination name' : 'exchange name' });
  const key = h('input', { name: 'routing_key', placeholder: 'e.g. order.* or #' });
  const args = h('textarea', { name: 'arguments', rows: 2, placeholder: 'x-match=all\ncolor=red   (headers exchange)' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Bind');
  const form = h('form', { class: 'form inline-form', 'aria-label': 'Add binding' },
    fixed.kind === 'source' ? field('To', h('span', { class: 'pair' }, kind, other)) : field('From exchange', other),
    field('Routing key', key), field('Arguments', args), h('div', { class: 'actions' }, button), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      const body = { routing_key: key.value, arguments: parseTable(args.value, 'Arguments') };
      const path = fixed.kind === 'source'
        ? `/api/bindings/${enc(vhost)}/e/${enc(fixed.name)}/${kind.value}/${enc(other.value)}`
        : `/api/bindings/${enc(vhost)}/e/${enc(other.value)}/q/${enc(fixed.name)}`;
      await api('POST', path, body);
      toast('Binding added.');
      key.value = '';
      args.value = '';
      onDone();
    });
  });
  return form;
}
