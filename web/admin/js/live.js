// live.js: watch messages arrive over the WebSocket (DESIGN.md section 4). The page gets a
// short-lived token with POST /api/auth/token (a browser cannot put Basic credentials on a
// WebSocket) and opens /ws?token=...; it can subscribe to a queue or to an exchange with a
// binding key (the server then makes an exclusive auto-delete queue), and ack or nack each
// message. The socket closes when the user leaves the page.

import { api } from './api.js';
import { h, clear, errorBox, field, busy, section, toast } from './dom.js';
import { messageCard } from './queues.js';

const MAX_SHOWN = 200;

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
      h('span', {}, s.label, s.queue ? h('small', { class: 'muted' }, ` (queue ${s.queue})`) : null, s.pending ? h('small', { class: 'muted' }, ' subscribing…') : null),
      h('button', { type: 'button', class: 'small', onclick: () => { send({ op: 'unsubscribe', id: s.id }); subs.delete(s.id); renderSubs(); } }, 'Unsubscribe'))));
    if (!subs.size) subsList.append(h('li', { class: 'muted' }, 'No subscriptions.'));
  }

  function onFrame(f) {
    if (f.type === 'subscribed') {
      const s = subs.get(f.id);
      if (s) {
        s.pending = false;
        s.queue = f.queue;
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
      const card = messageCard(f, received);
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
        card.append(h('div', { class: 'actions left' },
          act({ op: 'ack', tag: f.tag }, 'Acknowledged.'),
          act({ op: 'nack', tag: f.tag, requeue: true }, 'Returned to the queue.')));
      }
      messages.prepend(card);
      while (messages.children.length > MAX_SHOWN) messages.lastChild.remove();
    }
  }

  // The form.
  const mode = h('select', { name: 'mode' }, h('option', { value: 'exchange' }, 'an exchange, with a binding key'), h('option', { value: 'queue' }, 'a queue'));
  const target = h('input', { name: 'target', required: true, placeholder: 'exchange name' });
  const key = h('input', { name: 'binding_key', placeholder: 'e.g. order.* or #' });
  const keyField = field('Binding key', key);
  const ack = h('select', { name: 'ack' }, h('option', { value: 'manual' }, 'manual (ack each message here)'), h('option', { value: 'auto' }, 'auto'));
  const prefetch = h('input', { name: 'prefetch', type: 'number', min: 1, value: 20 });
  mode.addEventListener('change', () => {
    keyField.hidden = mode.value !== 'exchange';
    target.placeholder = `${mode.value} name`;
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Subscribe');
  const form = h('form', { class: 'form', 'aria-label': 'Subscribe' },
    h('div', { class: 'grid2' }, field('Subscribe to', mode), field('Name', target), keyField, field('Ack', ack), field('Prefetch', prefetch)),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, err, async () => {
      await connect();
      const id = `s${nextId++}`;
      const frame = { op: 'subscribe', id, vhost: ctx.vhost, ack: ack.value, prefetch: Number(prefetch.value) || 20 };
      let label;
      if (mode.value === 'queue') {
        frame.queue = target.value;
        label = `queue ${target.value}`;
      } else {
        frame.exchange = target.value;
        frame.binding_key = key.value;
        label = `exchange ${target.value} · ${key.value || '(empty key)'}`;
      }
      subs.set(id, { id, label, manual: ack.value === 'manual', pending: true });
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
