// connections.js: open connections (HTTP keep-alive ones are not listed; WebSocket sessions are)
// and the consumers of the current vhost.

import { api, enc, listQuery } from './api.js';
import { h, fmtNum, section } from './dom.js';
import { pagedTable } from './table.js';
import { queueLink } from './bindings.js';

export async function render(view, ctx) {
  const connections = pagedTable({
    id: 'connections',
    empty: 'No open connections. WebSocket clients show up here while connected.',
    columns: [
      { label: 'Name', sort: 'name', render: (c) => c.name },
      { label: 'User', sort: 'user', render: (c) => c.user },
      { label: 'vhost', render: (c) => c.vhost },
      { label: 'Type', render: (c) => c.type },
      { label: 'State', render: (c) => c.state },
    ],
    load: (s) => api('GET', `/api/connections?${listQuery(s)}`),
  });
  const consumers = pagedTable({
    id: 'consumers',
    sort: '',
    empty: 'No consumers in this vhost.',
    columns: [
      { label: 'Queue', render: (c) => queueLink(c.queue.vhost, c.queue.name) },
      { label: 'Tag', render: (c) => c.consumer_tag },
      { label: 'Connection', render: (c) => (c.channel_details && c.channel_details.connection_name) || '–' },
      { label: 'Ack', render: (c) => (c.ack_required ? 'manual' : 'auto') },
      { label: 'Prefetch', cls: 'num', render: (c) => fmtNum(c.prefetch_count) },
      { label: 'Status', render: (c) => c.activity_status },
    ],
    load: (s) => api('GET', `/api/consumers/${enc(ctx.vhost)}?${listQuery(s)}`),
  });
  view.append(h('h1', {}, 'Connections and consumers'), section('Connections', connections.el), section(`Consumers in vhost ${ctx.vhost}`, consumers.el));
  await Promise.all([connections.refresh(), consumers.refresh()]);
  ctx.every(() => {
    connections.refresh();
    consumers.refresh();
  }, 5000);
}
