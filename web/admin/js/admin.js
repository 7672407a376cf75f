// admin.js: for administrators: users (with tags), permissions per vhost, and vhosts.
// Users API as RabbitMQ 3.10: GET /api/users, PUT|DELETE /api/users/{name} with
// {"password","tags":"a,b"}; GET /api/permissions, PUT|DELETE /api/permissions/{vhost}/{user}.

import { api, enc, tagList } from './api.js';
import { h, clear, errorBox, field, checkbox, busy, confirmDialog, toast, section } from './dom.js';
import { simpleTable } from './table.js';

const TAGS = ['administrator', 'monitoring', 'policymaker', 'management'];

function deleteButton(label, title, detail, path, onDone) {
  const b = h('button', {
    type: 'button',
    class: 'danger small',
    onclick: async () => {
      if (!(await confirmDialog(title, detail))) return;
      await busy(b, null, async () => {
        await api('DELETE', path);
        toast(`${label} deleted.`);
        if (path.startsWith('/api/vhosts/')) window.dispatchEvent(new Event('warren:vhosts-changed'));
        onDone();
      });
    },
  }, 'Delete');
  return b;
}

export async function render(view, ctx) {
  if (!ctx.me.tags.includes('administrator')) {
    view.append(h('h1', {}, 'Admin'), h('p', { class: 'error', role: 'alert' }, 'Only users tagged administrator can manage users, permissions and vhosts.'));
    return;
  }
  const usersBox = h('div');
  const permsBox = h('div');
  const vhostsBox = h('div');
  const usersErr = errorBox();
  const permsErr = errorBox();
  const vhostsErr = errorBox();

  async function refreshUsers() {
    try {
      const users = await api('GET', '/api/users');
      usersErr.show(null);
      clear(usersBox).append(simpleTable([
        { label: 'Name', render: (u) => u.name },
        { label: 'Tags', render: (u) => tagList(u.tags).join(', ') || '–' },
        { label: '', cls: 'act', render: (u) => [h('button', { type: 'button', class: 'small', onclick: () => editUser(u) }, 'Edit'), ' ', u.name === ctx.me.name ? h('small', { class: 'muted' }, 'you') : deleteButton(`User '${u.name}'`, `Delete user '${u.name}'?`, 'They can no longer log in; their permissions go too.', `/api/users/${enc(u.name)}`, refreshAll)] },
      ], users, 'No users.'));
    } catch (e) {
      usersErr.show(e.status === 404 ? new Error('This server has no users API (GET /api/users answered 404): users are fixed in its configuration.') : e);
    }
  }
  async function refreshPerms() {
    try {
      const perms = await api('GET', '/api/permissions');
      permsErr.show(null);
      clear(permsBox).append(simpleTable([
        { label: 'User', render: (p) => p.user },
        { label: 'vhost', render: (p) => p.vhost },
        { label: 'Configure', render: (p) => h('code', {}, p.configure) },
        { label: 'Write', render: (p) => h('code', {}, p.write) },
        { label: 'Read', render: (p) => h('code', {}, p.read) },
        { label: '', cls: 'act', render: (p) => deleteButton(`Permissions of '${p.user}' in '${p.vhost}'`, `Remove ${p.user}'s permissions in vhost ${p.vhost}?`, 'The user can no longer use this vhost.', `/api/permissions/${enc(p.vhost)}/${enc(p.user)}`, refreshPerms) },
      ], perms, 'No permissions.'));
    } catch (e) {
      permsErr.show(e.status === 404 ? new Error('This server has no permissions API (GET /api/permissions answered 404).') : e);
    }
  }
  async function refreshVhosts() {
    try {
      const vhosts = await api('GET', '/api/vhosts');
      vhostsErr.show(null);
      clear(vhostsBox).append(simpleTable([
        { label: 'Name', render: (v) => v.name },
        { label: 'Messages', cls: 'num', render: (v) => String(v.messages ?? 0) },
        { label: '', cls: 'act', render: (v) => (v.name === '/' ? null : deleteButton(`vhost '${v.name}'`, `Delete vhost '${v.name}'?`, 'Every exchange, queue and message in it is deleted.', `/api/vhosts/${enc(v.name)}`, refreshVhosts)) },
      ], vhosts, 'No vhosts.'));
    } catch (e) {
      vhostsErr.show(e);
    }
  }
  async function refreshAll() {
    await Promise.all([refreshUsers(), refreshPerms(), refreshVhosts()]);
  }

  // Add or update a user.
  const userErr = errorBox();
  const uname = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const pw = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const tagBoxes = TAGS.map((t) => checkbox(`tag-${t}`, t, t === 'management'));
  const userButton = h('button', { type: 'submit', class: 'primary' }, 'Save user');
  const userForm = h('form', { class: 'form', 'aria-label': 'Add user' },
    field('Name', uname), field('Password', pw, 'leave empty to keep the current one (a new user without one cannot log in with a password)'),
    h('div', { class: 'checks' }, tagBoxes), h('div', { class: 'actions' }, userButton), userErr);
  const userDetails = h('details', { class: 'create' }, h('summary', {}, 'Add or update a user'), userForm);
  function editUser(u) {
    uname.value = u.name;
    pw.value = '';
    const tags = tagList(u.tags);
    for (const t of TAGS) userForm[`tag-${t}`].checked = tags.includes(t);
    userDetails.open = true;
    pw.focus();
  }
  userForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(userButton, userErr, async () => {
      const tags = TAGS.filter((t) => userForm[`tag-${t}`].checked).join(',');
      const body = { tags };
      if (pw.value) {
        body.password = pw.value;
      } else {
        // PUT without a password disables password login (RabbitMQ's rule): an existing user
        // keeps theirs by sending back its hash.
        const existing = await api('GET', `/api/users/${enc(uname.value)}`).catch((x) => (x.status === 404 ? null : Promise.reject(x)));
        if (existing && existing.password_hash) {
          body.password_hash = existing.password_hash;
          if (existing.hashing_algorithm) body.hashing_algorithm = existing.hashing_algorithm;
        }
      }
      await api('PUT', `/api/users/${enc(uname.value)}`, body);
      toast(`User '${uname.value}' saved.`);
      pw.value = '';
      refreshUsers();
    });
  });

  // Set permissions.
  const permErr = errorBox();
  const puser = h('input', { name: 'user', required: true });
  const pvhost = h('input', { name: 'vhost', required: true, value: ctx.vhost });
  const regex = (n) => h('input', { name: n, value: '.*' });
  const conf = regex('configure');
  const write = regex('write');
  const read = regex('read');
  const permButton = h('button', { type: 'submit', class: 'primary' }, 'Set permissions');
  const permForm = h('form', { class: 'form', 'aria-label': 'Set permissions' },
    h('div', { class: 'grid2' }, field('User', puser), field('vhost', pvhost), field('Configure regex', conf), field('Write regex', write), field('Read regex', read)),
    h('div', { class: 'actions' }, permButton), permErr);
  permForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(permButton, permErr, async () => {
      await api('PUT', `/api/permissions/${enc(pvhost.value)}/${enc(puser.value)}`, { configure: conf.value, write: write.value, read: read.value });
      toast(`Permissions of '${puser.value}' in '${pvhost.value}' set.`);
      refreshPerms();
    });
  });

  // Add a vhost.
  const vhErr = errorBox();
  const vname = h('input', { name: 'name', required: true });
  const vhButton = h('button', { type: 'submit', class: 'primary' }, 'Add vhost');
  const vhForm = h('form', { class: 'form inline-form', 'aria-label': 'Add vhost' }, field('Name', vname), h('div', { class: 'actions' }, vhButton), vhErr);
  vhForm.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(vhButton, vhErr, async () => {
      await api('PUT', `/api/vhosts/${enc(vname.value)}`, {});
      toast(`vhost '${vname.value}' added; pick it in the vhost menu.`);
      vname.value = '';
      refreshVhosts();
      window.dispatchEvent(new Event('warren:vhosts-changed'));
    });
  });

  view.append(h('h1', {}, 'Admin'),
    section('Users', usersErr, usersBox, userDetails),
    section('Permissions', permsErr, permsBox, h('details', { class: 'create' }, h('summary', {}, 'Set permissions'), permForm)),
    section('Virtual hosts', vhostsErr, vhostsBox, vhForm));
  await refreshAll();
}
