// live.js: watch messages arrive over the WebSocket (DESIGN.md section 4). The page gets a
// short-lived token with POST /api/auth/token (a browser cannot put Basic credentials on a
// WebSocket) and opens /ws?token=...; it can subscribe to a queue or to an exchange with a
// binding key (the server then makes an exclusive auto-delete queue), and ack or nack each
// message. It can also replay a stream from an offset (optionally as a named consumer, whose
// acked offset the server stores), or join a topic's consumer group, among whose members the
// server splits the topic's partitions (the subscription shows the ones it holds as they move).
// The socket closes when the user leaves the page.

import { api } from './api.js';
import { h, clear, errorBox, field, busy, section, toast } from './dom.js';
import { messageCard } from './queues.js';

const MAX_SHOWN = 200;

// An offset as typed, as the subscribe frame takes it: an offset is a JSON integer and a time
// {"timestamp": ms}; first/last/next (and anything wrong, which the server answers with an
// error naming the choices) go as the string.
function streamOffset(text) {
  if (/^\d+$/.test(text)) return Number(text);
  const t = /^timestamp:(\d+)$/.exec(text);
  return t ? { timestamp: Number(t[1]) } : text;
}

export async function render(view, ctx) {
  const err = errorBox();
  const status = h('span', { class: 'status', id: 'live-status' }, 'not connected');
  const subsList = h('ul', { class: 'subs' });
  const messages = h('div', { class: 'messages live', id: 'live-messages' });
  const counter = h('span', { class: 'muted' }, '0 received');
  let socket = null;
  let ready = null;
  let nextId = 1;
  let received = 0;
  const subs = new Map();

  async function connect() {
    if (socket && socket.readyState === WebSocket.OPEN) return socket;
    if (ready) return ready;
    ready = (async () => {
      const { token } = await api('POST', '/api/auth/token');
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('The WebSocket connection failed.'));
      });
      ws.onmessage = (e) => onFrame(JSON.parse(e.data));
      ws.onclose = (e) => {
        status.textContent = `disconnected${e.reason ? `: ${e.reason}` : ''}`;
        status.className = 'status off';
        socket = null;
        subs.clear();
        renderSubs();
      };
      status.textContent = 'connected';
      status.className = 'status on';
      socket = ws;
      return ws;
    })();
    try {
      return await ready;
    } finally {
      ready = null;
    }
  }

  function send(frame) {
    if (!socket) throw new Error('Not connected.');
    socket.send(JSON.stringify(frame));
  }

  function renderSubs() {
    clear(subsList).append(...[...subs.values()].map((s) => h('li', {},
      h('span', {}, s.label,
        s.queue ? h('small', { class: 'muted' }, ` (queue ${s.queue})`) : null,
        s.partitions ? h('small', { class: 'muted partitions' }, ` (partitions: ${s.partitions.join(', ') || 'none for now'})`) : null,
        s.pending ? h('small', { class: 'muted' }, ' subscribing…') : null),
      h('button', { type: 'button', class: 'small', onclick: () => { send({ op: 'unsubscribe', id: s.id }); subs.delete(s.id); renderSubs(); } }, 'Unsubscribe'))));
    if (!subs.size) subsList.append(h('li', { class: 'muted' }, 'No subscriptions.'));
  }

  function onFrame(f) {
    if (f.type === 'subscribed') {
      const s = subs.get(f.id);
      if (s) {
        s.pending = false;
        // A group names the partitions it was given; any other subscription its queue.
        if (f.partitions) s.partitions = f.partitions;
        else s.queue = f.queue;
        renderSubs();
      }
    } else if (f.type === 'assigned') {
      // A member joined or left the group: the partitions moved.
      const s = subs.get(f.sub);
      if (s) {
        s.partitions = f.partitions;
        renderSubs();
      }
    } else if (f.type === 'error') {
      const s = f.id && subs.get(f.id);
      if (s) {
        subs.delete(f.id);
        renderSubs();
      }
      err.show(new Error(`${s ? `Subscription '${s.label}': ` : ''}${f.reason || f.error}`));
    } else if (f.type === 'cancelled') {
      subs.delete(f.id);
      renderSubs();
      toast(`Subscription ended: ${f.reason || 'cancelled by the server'}.`, 'error');
    } else if (f.type === 'message') {
      received++;
      counter.textContent = `${received} received`;
      const s = subs.get(f.sub);
      const card = messageCard(f, received, s && s.group ? 'Partition' : 'Stream');
      card.classList.add('arrived');
      if (s && s.manual) {
        const act = (frame, label) => h('button', {
          type: 'button',
          class: 'small',
          onclick: (e) => {
            try {
              send(frame);
              e.target.parentElement.replaceWith(h('p', { class: 'muted acked' }, label));
            } catch (x) {
              err.show(x);
            }
          },
        }, frame.op === 'ack' ? 'Ack' : 'Nack (requeue)');
        // A stream's nack leaves the log as it is: the message is still there to read again.
        card.append(h('div', { class: 'actions left' },
          act({ op: 'ack', tag: f.tag }, 'Acknowledged.'),
          act({ op: 'nack', tag: f.tag, requeue: true }, f.offset !== undefined ? 'Nacked (the stream keeps it).' : 'Returned to the queue.')));
      }
      messages.prepend(card);
      while (messages.children.length > MAX_SHOWN) messages.lastChild.remove();
    }
  }

  // The form: one set of fields, those of the chosen mode shown.
  const mode = h('select', { name: 'mode' },
    h('option', { value: 'exchange' }, 'an exchange, with a binding key'),
    h('option', { value: 'queue' }, 'a queue'),
    h('option', { value: 'stream' }, 'a stream (replay from an offset)'),
    h('option', { value: 'group' }, 'a topic, as a consumer group'));
  const target = h('input', { name: 'target', required: true, placeholder: 'exchange name' });
  const targetField = field('Name', target);
  const key = h('input', { name: 'binding_key', placeholder: 'e.g. order.* or #' });
  const keyField = field('Binding key', key);
  const offset = h('input', { name: 'offset', value: 'first', placeholder: 'first, last, next, 42 or timestamp:MS' });
  const offsetHint = h('small', { class: 'muted' });
  const offsetField = field('Offset', offset);
  offsetField.append(offsetHint);
  const consumer = h('input', { name: 'consumer', placeholder: 'optional, e.g. billing' });
  const consumerField = field('Consumer name', consumer, 'stores the offset acked so far under this name; a later subscribe with it and no offset goes on after it');
  const group = h('input', { name: 'group', placeholder: 'e.g. billing' });
  const groupField = field('Group', group, 'the live members of a group split the topic\'s partitions');
  const ack = h('select', { name: 'ack' }, h('option', { value: 'manual' }, 'manual (ack each message here)'), h('option', { value: 'auto' }, 'auto'));
  const prefetch = h('input', { name: 'prefetch', type: 'number', min: 1, value: 20 });
  const MODES = {
    exchange: { name: 'Exchange name', placeholder: 'exchange name' },
    queue: { name: 'Queue name', placeholder: 'queue name' },
    stream: { name: 'Queue name', placeholder: 'stream name', offset: 'first, last, next (only new ones), an offset or timestamp:MS; empty: next, or after the consumer name\'s stored offset' },
    group: { name: 'Topic', placeholder: 'the topic\'s exchange', offset: 'where a group with no stored offset starts: first, last, next, an offset or timestamp:MS (empty: next)' },
  };
  function showFields() {
    const m = MODES[mode.value];
    keyField.hidden = mode.value !== 'exchange';
    offsetField.hidden = !m.offset;
    offsetHint.textContent = m.offset || '';
    consumerField.hidden = mode.value !== 'stream';
    groupField.hidden = mode.value !== 'group';
    group.required = mode.value === 'group';
    targetField.firstChild.textContent = m.name;
    target.placeholder = m.placeholder;
  }
  mode.addEventListener('change', showFields);
  showFields();
  const button = h('button', { type: 'submit', class: 'primary' }, 'Subscribe');
  const form = h('form', { class: 'form', 'aria-label': 'Subscribe' },
    h('div', { class: 'grid2' }, field('Subscribe to', mode), targetField, keyField, groupField, offsetField, consumerField, field('Ack', ack), field('Prefetch', prefetch)),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      await connect();
      const id = `s${nextId++}`;
      const frame = { op: 'subscribe', id, vhost: ctx.vhost, ack: ack.value, prefetch: Number(prefetch.value) || 20 };
      const from = offset.value.trim();
      let label;
      if (mode.value === 'queue') {
        frame.queue = target.value;
        label = `queue ${target.value}`;
      } else if (mode.value === 'stream') {
        frame.queue = target.value;
        if (from) frame.offset = streamOffset(from);
        if (consumer.value) frame.consumer = consumer.value;
        label = `stream ${target.value} from ${from || 'next'}${consumer.value ? ` as ${consumer.value}` : ''}`;
      } else if (mode.value === 'group') {
        frame.exchange = target.value;
        frame.group = group.value;
        if (from) frame.offset = streamOffset(from);
        label = `topic ${target.value} · group ${group.value}`;
      } else {
        frame.exchange = target.value;
        frame.binding_key = key.value;
        label = `exchange ${target.value} · ${key.value || '(empty key)'}`;
      }
      subs.set(id, { id, label, group: mode.value === 'group', manual: ack.value === 'manual', pending: true });
      renderSubs();
      send(frame);
    });
  });

  ctx.onLeave(() => {
    if (socket) socket.close(1000, 'page closed');
  });
  renderSubs();
  view.append(h('h1', {}, 'Live ', h('small', { class: 'muted' }, `in vhost ${ctx.vhost}`)),
    section('Subscribe', form, err, h('p', {}, 'Connection: ', status), subsList),
    section('Messages', h('p', {}, counter, ' ', h('button', { type: 'button', class: 'small', onclick: () => clear(messages) }, 'Clear')), messages));
}
