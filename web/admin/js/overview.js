// overview.js: totals (connections, channels, queues, messages ready/unacked), a live chart of
// the publish, deliver and ack rates and the node's listeners (http, amqp, ...), polled from
// GET /api/overview every few seconds.

import { api } from './api.js';
import { h, clear, fmtNum, fmtRate, errorBox, section } from './dom.js';
import { lineChart } from './chart.js';

const POLL_MS = 3000;
const CAPACITY = 60; // samples kept: three minutes at POLL_MS
// Kept across visits, so the chart does not start empty each time the page is opened.
const history = { publish: [], deliver: [], ack: [] };

function push(list, v) {
  list.push(v);
  if (list.length > CAPACITY) list.shift();
}

export async function render(view, ctx) {
  const err = errorBox();
  const tiles = h('div', { class: 'tiles' });
  const chart = lineChart('Message rates (per second)');
  const node = h('div');
  view.append(h('h1', {}, 'Overview'), err, tiles, section('Rates', chart.el), section('Node', node));

  function tile(label, value, id) {
    return h('div', { class: 'tile', id }, h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
  }

  async function refresh() {
    let o;
    try {
      o = await api('GET', '/api/overview');
    } catch (e) {
      err.show(e);
      return;
    }
    err.show(null);
    const t = o.object_totals || {};
    const q = o.queue_totals || {};
    const m = o.message_stats || {};
    clear(tiles).append(
      tile('connections', fmtNum(t.connections), 'total-connections'),
      tile('channels', fmtNum(t.channels), 'total-channels'),
      tile('queues', fmtNum(t.queues), 'total-queues'),
      tile('exchanges', fmtNum(t.exchanges), 'total-exchanges'),
      tile('consumers', fmtNum(t.consumers), 'total-consumers'),
      tile('messages ready', fmtNum(q.messages_ready), 'total-ready'),
      tile('messages unacked', fmtNum(q.messages_unacknowledged), 'total-unacked'),
    );
    const rate = (k) => (m[`${k}_details`] && m[`${k}_details`].rate) || 0;
    push(history.publish, rate('publish'));
    push(history.deliver, rate('deliver_get'));
    push(history.ack, rate('ack'));
    chart.update([
      { label: 'publish', color: '#2a6f97', values: history.publish },
      { label: 'deliver', color: '#2e8540', values: history.deliver },
      { label: 'ack', color: '#c77c02', values: history.ack },
    ], CAPACITY, fmtRate);
    const listeners = (o.listeners || []).map((l) => `${l.protocol} ${l.ip_address}:${l.port}`).join(', ');
    clear(node).append(h('dl', { class: 'kv' },
      h('dt', {}, 'Node'), h('dd', {}, o.node || '–'),
      h('dt', {}, 'Version'), h('dd', {}, `${o.product_name || 'warren'} ${o.product_version || ''}`),
      h('dt', {}, 'Listeners'), h('dd', {}, listeners || '–'),
      h('dt', {}, 'Messages published'), h('dd', {}, fmtNum(m.publish || 0)),
      h('dt', {}, 'Messages delivered'), h('dd', {}, fmtNum(m.deliver_get || 0))));
  }

  await refresh();
  ctx.every(refresh, POLL_MS);
}
