// app.js: the shell. Login (credentials checked with GET /api/whoami), logout, the vhost
// selector, the resource-alarm banner and hash routing: #/queues/%2F/orders names a page and
// its URL-encoded parameters. Each page module exports render(view, ctx); timers it starts
// through ctx.every() stop when the user navigates away.

import { api, ApiError, credentials, setCredentials, onUnauthorized, tagList } from './api.js';
import { h, clear, toast } from './dom.js';
import * as overview from './overview.js';
import * as exchanges from './exchanges.js';
import * as queues from './queues.js';
import * as live from './live.js';
import * as connections from './connections.js';
import * as admin from './admin.js';

const VHOST_KEY = 'warren.vhost';
const $ = (id) => document.getElementById(id);

const routes = [
  { pattern: [], page: 'overview', render: overview.render },
  { pattern: ['exchanges'], page: 'exchanges', render: exchanges.renderList },
  { pattern: ['exchanges', ':vhost', ':name'], page: 'exchanges', render: exchanges.renderDetail },
  { pattern: ['queues'], page: 'queues', render: queues.renderList },
  { pattern: ['queues', ':vhost', ':name'], page: 'queues', render: queues.renderDetail },
  { pattern: ['live'], page: 'live', render: live.render },
  { pattern: ['connections'], page: 'connections', render: connections.render },
  { pattern: ['admin'], page: 'admin', render: admin.render },
];

let me = null;
let leaveHandlers = [];
let alarmTimer = null;

function match(segments) {
  for (const r of routes) {
    if (r.pattern.length !== segments.length) continue;
    const params = {};
    let ok = true;
    r.pattern.forEach((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = segments[i];
      else if (p !== segments[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  if (!raw) return [];
  return raw.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

function leave() {
  for (const fn of leaveHandlers) {
    try {
      fn();
    } catch (e) {
      console.error(e);
    }
  }
  leaveHandlers = [];
}

export function currentVhost() {
  return sessionStorage.getItem(VHOST_KEY) || '/';
}

async function show() {
  if (!me) return;
  leave();
  const view = $('view');
  clear(view);
  const found = match(parseHash());
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', !!found && a.dataset.page === found.route.page));
  $('nav').classList.remove('open');
  if (!found) {
    view.append(h('section', { class: 'card' }, h('h1', {}, 'Page not found'), h('p', {}, 'There is no such page. '), h('a', { href: '#/' }, 'Go to the overview')));
    return;
  }
  const ctx = {
    me,
    vhost: currentVhost(),
    params: found.params,
    every(fn, ms) {
      const t = setInterval(fn, ms);
      leaveHandlers.push(() => clearInterval(t));
    },
    onLeave(fn) {
      leaveHandlers.push(fn);
    },
    go(hash) {
      location.hash = hash;
    },
  };
  try {
    await found.route.render(view, ctx);
  } catch (e) {
    view.append(h('p', { class: 'error', role: 'alert' }, e.message || String(e)));
  }
}

async function loadVhosts() {
  const select = $('vhost');
  let names = ['/'];
  try {
    const list = await api('GET', '/api/vhosts?columns=name');
    names = list.map((v) => v.name);
  } catch (e) {
    toast(`Could not list vhosts: ${e.message}`, 'error');
  }
  if (!names.length) {
    toast(`User '${me.name}' has no permissions in any vhost yet: an administrator can grant them on the Admin page.`, 'error');
    names = [currentVhost()];
  }
  if (!names.includes(currentVhost())) sessionStorage.setItem(VHOST_KEY, names.includes('/') ? '/' : names[0]);
  clear(select).append(...names.map((n) => h('option', { value: n, selected: n === currentVhost() }, n)));
}

async function checkAlarms() {
  const box = $('alarms');
  try {
    await api('GET', '/api/health/checks/alarms');
    box.hidden = true;
  } catch (e) {
    if (e.status === 503 && e.data) {
      const alarms = Array.isArray(e.data.alarms) ? e.data.alarms : [];
      // RabbitMQ lists {node, resource: "memory"|"disk"}; a plain string or {reason} works too.
      const words = alarms.map((a) => {
        if (typeof a === 'string') return a;
        if (a.resource) return `${a.resource}${a.node ? ` on ${a.node}` : ''}${a.reason ? ` (${a.reason})` : ''}`;
        return a.reason || JSON.stringify(a);
      });
      box.textContent = `Resource alarm: ${words.length ? words.join('; ') : e.data.reason || 'in effect'}. Publishing is refused until it clears.`;
      box.hidden = false;
    } else if (e.status === 404 || e.status === 405) {
      clearInterval(alarmTimer); // this server has no alarm health check
    }
  }
}

function showLogin(message) {
  leave();
  me = null;
  clearInterval(alarmTimer);
  $('top').hidden = true;
  $('alarms').hidden = true;
  clear($('view'));
  clear($('toasts')); // the last user's notices are not the next one's
  $('login').hidden = false;
  const err = $('login-error');
  err.textContent = message || '';
  err.hidden = !message;
  const form = $('login-form');
  (form.user.value ? form.password : form.user).focus();
}

async function start(who) {
  me = { ...who, tags: tagList(who.tags) };
  $('login').hidden = true;
  $('top').hidden = false;
  $('whoami').textContent = me.name;
  $('nav-admin').hidden = !me.tags.includes('administrator');
  await loadVhosts();
  checkAlarms();
  alarmTimer = setInterval(checkAlarms, 5000);
  await show();
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button[type=submit]');
  const creds = { user: form.user.value, password: form.password.value };
  button.disabled = true;
  try {
    const who = await api('GET', '/api/whoami', undefined, { creds });
    setCredentials(creds.user, creds.password);
    form.password.value = '';
    await start(who);
  } catch (e) {
    showLogin(e instanceof ApiError ? e.message : String(e));
  } finally {
    button.disabled = false;
  }
}

function logout() {
  setCredentials(null);
  showLogin('You are logged out.');
}

async function boot() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('vhost').addEventListener('change', (e) => {
    sessionStorage.setItem(VHOST_KEY, e.target.value);
    const page = parseHash()[0];
    // A detail page belongs to its own vhost: go back to the list for the new one.
    if (parseHash().length > 1) location.hash = `#/${page}`;
    else show();
  });
  $('menu-toggle').addEventListener('click', () => {
    const open = $('nav').classList.toggle('open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  window.addEventListener('hashchange', show);
  window.addEventListener('warren:vhosts-changed', () => loadVhosts());
  onUnauthorized(() => {
    if (me) showLogin('Your session is no longer valid: please log in again.');
  });
  const creds = credentials();
  if (!creds) {
    showLogin();
    return;
  }
  try {
    await start(await api('GET', '/api/whoami'));
  } catch (e) {
    showLogin(e.status === 401 ? e.message : `Cannot check the login: ${e.message}`);
  }
}

boot();
