// api.js: every call to warren's HTTP API goes through here. Credentials live in
// sessionStorage (gone when the tab closes) and go out as HTTP Basic on each request; the
// X-Requested-With header makes warren leave out WWW-Authenticate on a 401, so the browser
// never shows its own login popup. Failures become ApiError with a sentence for the user.

const KEY = 'warren.credentials';

export class ApiError extends Error {
  constructor(status, error, reason) {
    super(describe(status, error, reason));
    this.status = status;
    this.error = error;
    this.reason = reason;
  }
}

function describe(status, error, reason) {
  if (status === 0) return `Cannot reach the server: ${reason}`;
  if (status === 401) {
    if (error === 'not_authorised' && reason === 'Not management user') {
      return 'This user has no management tag (management, monitoring, policymaker or administrator), so it cannot use the admin page.';
    }
    if (reason === 'User can only log in via localhost') {
      return 'This user can only log in from the machine warren runs on (localhost).';
    }
    if (isLoginFailure(reason)) return 'Wrong user name or password.';
    return `Permission denied: ${(reason || 'this user may not do that').replace(/\.$/, '')}.`;
  }
  if (status === 403) return `Permission denied: ${reason || 'this user may not do that'}.`;
  if (status === 404) {
    return reason && reason !== 'Not Found' ? `Not found: ${reason}` : 'Not found: it does not exist (any more).';
  }
  if (status === 503) return `The server refuses this for now (resource alarm): ${reason}`;
  if (reason) return reason.endsWith('.') ? reason : `${reason}.`;
  return `The server answered ${status}${error ? ` (${error})` : ''}.`;
}

// The reasons warren gives when the credentials themselves are rejected (not a permission).
function isLoginFailure(reason) {
  return !reason || /^(Login failed|Authentication required|Malformed|Not_Authorized)/.test(reason);
}

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

export function setCredentials(user, password) {
  if (user === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify({ user, password }));
}

function authHeader(creds) {
  const bytes = new TextEncoder().encode(`${creds.user}:${creds.password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

// Listeners told when a request answers 401 with the stored credentials (e.g. the user was
// deleted or their password changed): the app then shows the login form.
const unauthorizedListeners = [];
export function onUnauthorized(fn) {
  unauthorizedListeners.push(fn);
}

// api('GET', '/api/overview') -> parsed JSON (or null for an empty body).
// opts.creds overrides the stored credentials (login); opts.raw returns the Response.
export async function api(method, path, body, opts = {}) {
  const creds = opts.creds || credentials();
  const headers = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
  if (creds) headers.Authorization = authHeader(creds);
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message || String(e));
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error, data && data.reason);
    err.data = data;
    if (res.status === 401 && !opts.creds && isLoginFailure(err.reason)) unauthorizedListeners.forEach((fn) => fn(err));
    throw err;
  }
  if (opts.raw) return { status: res.status, headers: res.headers, data };
  return data;
}

export const enc = (s) => encodeURIComponent(s);

// A list endpoint's query string from RabbitMQ's paging parameters.
export function listQuery({ page = 1, pageSize = 100, name = '', regex = false, sort = '', reverse = false } = {}) {
  const q = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  if (name) q.set('name', name);
  if (name && regex) q.set('use_regex', 'true');
  if (sort) q.set('sort', sort);
  if (sort && reverse) q.set('sort_reverse', 'true');
  return q.toString();
}

// The tags of a user object: RabbitMQ 3.10+ answers an array, older ones a comma string.
export function tagList(tags) {
  if (Array.isArray(tags)) return tags;
  if (typeof tags === 'string') return tags.split(',').map((t) => t.trim()).filter(Boolean);
  return [];
}
