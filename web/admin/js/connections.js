// connections.js: open connections (HTTP keep-alive ones are not listed; WebSocket sessions and
// AMQP 0-9-1 connections are), the channels of AMQP connections (GET /api/channels) and the
// consumers of the current vhost. Names and client properties come from the clients: they only
// ever go into the page as text (dom.js).

import { api, enc, listQuery } from './api.js';
import { h, fmtNum, section } from './dom.js';
import { pagedTable } from './table.js';
import { queueLink } from './bindings.js';

// A client property as text, or '' when the client did not send it (or sent a table, not a value).
function clientProp(c, key) {
  const v = c.client_properties && c.client_properties[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

// The client's product and version ("amqplib 0.10.4"), nothing when it did not say.
function clientProduct(c) {
  const product = clientProp(c, 'product');
  const version = clientProp(c, 'version');
  const platform = clientProp(c, 'platform');
  if (!product) return '';
  return h('span', { title: platform || undefined }, version ? `${product} ${version}` : product);
}

// The connection's name, with the name its client gave it (connection_name) underneath.
function connectionName(c) {
  const given = clientProp(c, 'connection_name');
  return [c.name, given ? h('div', { class: 'muted sub' }, given) : null];
}

function peer(host, port) {
  if (!host) return '–';
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined || port === null ? shown : `${shown}:${port}`;
}

// RabbitMQ's channel modes: C for publisher confirms, T for transactional.
function mode(ch) {
  const tags = [];
  if (ch.confirm) tags.push(h('abbr', { title: 'confirm', class: 'tag' }, 'C'));
  if (ch.transactional) tags.push(h('abbr', { title: 'transactional', class: 'tag' }, 'T'));
  return tags;
}

// The prefetch for each new consumer, and the one the channel's consumers share (basic.qos with
// global set) when there is one; 0 is no limit.
function prefetch(ch) {
  const each = ch.prefetch_count;
  const global = ch.global_prefetch_count;
  if (each === undefined || each === null) return '–';
  if (!each && !global) return h('span', { class: 'muted' }, 'unlimited');
  return [each ? fmtNum(each) : null, global ? h('div', { class: each ? 'muted sub' : undefined }, `${fmtNum(global)} (global)`) : null];
}

export async function render(view, ctx) {
  const connections = pagedTable({
    id: 'connections',
    empty: 'No open connections. AMQP and WebSocket clients show up here while connected.',
    columns: [
      { label: 'Name', sort: 'name', render: connectionName },
      { label: 'Client', render: clientProduct },
      { label: 'Protocol', sort: 'protocol', render: (c) => c.protocol || '–' },
      { label: 'User', sort: 'user', render: (c) => c.user },
      { label: 'vhost', sort: 'vhost', render: (c) => c.vhost },
      { label: 'From', render: (c) => peer(c.peer_host, c.peer_port) },
      { label: 'Channels', sort: 'channels', cls: 'num', render: (c) => fmtNum(c.channels) },
      { label: 'State', render: (c) => c.state },
    ],
    load: (s) => api('GET', `/api/connections?${listQuery(s)}`),
  });
  const channels = pagedTable({
    id: 'channels',
    empty: 'No open channels. The channels of AMQP 0-9-1 connections show up here.',
    columns: [
      { label: 'Channel', sort: 'name', render: (ch) => ch.name },
      { label: 'Connection', sort: 'connection_details.name', render: (ch) => (ch.connection_details && ch.connection_details.name) || '–' },
      { label: 'User', sort: 'user', render: (ch) => ch.user },
      { label: 'vhost', sort: 'vhost', render: (ch) => ch.vhost },
      { label: 'Mode', render: mode },
      { label: 'Consumers', sort: 'consumer_count', cls: 'num', render: (ch) => fmtNum(ch.consumer_count) },
      { label: 'Unacked', sort: 'messages_unacknowledged', cls: 'num', render: (ch) => fmtNum(ch.messages_unacknowledged) },
      { label: 'Prefetch', sort: 'prefetch_count', cls: 'num', render: prefetch },
    ],
    load: (s) => api('GET', `/api/channels?${listQuery(s)}`),
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
  view.append(h('h1', {}, 'Connections, channels and consumers'),
    section('Connections', connections.el),
    section('Channels', channels.el),
    section(`Consumers in vhost ${ctx.vhost}`, consumers.el));
  await Promise.all([connections.refresh(), channels.refresh(), consumers.refresh()]);
  ctx.every(() => {
    connections.refresh();
    channels.refresh();
    consumers.refresh();
  }, 5000);
}
