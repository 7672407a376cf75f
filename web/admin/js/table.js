// table.js: tables. pagedTable() drives a list endpoint's server-side paging, filter and sort
// (RabbitMQ's page, page_size, name, use_regex, sort, sort_reverse), so a list of 10 000 exchanges
// costs one page of rows; simpleTable() renders a small array.

import { h, clear, errorBox } from './dom.js';

// columns: [{label, sort?: 'dotted.field', render: (item) => Node|string, cls?}]
// load(query) -> Promise<{items, filtered_count, total_count, page, page_count}>
export function pagedTable({ columns, load, empty = 'Nothing here yet.', sort = 'name', id }) {
  const state = { page: 1, pageSize: 100, name: '', regex: false, sort, reverse: false };
  const err = errorBox();
  const filter = h('input', { type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter by name', class: 'filter' });
  const regex = h('input', { type: 'checkbox', 'aria-label': 'Regular expression' });
  const size = h('select', { 'aria-label': 'Rows per page' },
    [20, 50, 100, 500].map((n) => h('option', { value: n, selected: n === state.pageSize }, `${n} / page`)));
  const count = h('span', { class: 'muted count' });
  const thead = h('thead');
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  const table = h('table', { class: 'list', id }, thead, tbody);
  let timer;
  let seq = 0;

  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.name = filter.value.trim();
      state.page = 1;
      refresh();
    }, 250);
  });
  regex.addEventListener('change', () => {
    state.regex = regex.checked;
    state.page = 1;
    if (state.name) refresh();
  });
  size.addEventListener('change', () => {
    state.pageSize = Number(size.value);
    state.page = 1;
    refresh();
  });

  function header() {
    clear(thead).append(h('tr', {}, columns.map((c) => {
      if (!c.sort) return h('th', { class: c.cls }, c.label);
      const active = state.sort === c.sort;
      const arrow = active ? (state.reverse ? ' ▼' : ' ▲') : '';
      return h('th', { class: c.cls, 'aria-sort': active ? (state.reverse ? 'descending' : 'ascending') : 'none' },
        h('button', {
          type: 'button', class: 'sort',
          onclick: () => {
            if (state.sort === c.sort) state.reverse = !state.reverse;
            else {
              state.sort = c.sort;
              state.reverse = false;
            }
            refresh();
          },
        }, c.label + arrow));
    })));
  }

  async function refresh() {
    const mine = ++seq;
    let data;
    try {
      data = await load({ ...state });
    } catch (e) {
      if (mine !== seq) return;
      if (e.error === 'page_out_of_range' && state.page > 1) {
        state.page = 1;
        refresh();
        return;
      }
      err.show(e);
      return;
    }
    if (mine !== seq) return; // a newer request superseded this one
    err.show(null);
    header();
    const rows = data.items.map((item) => h('tr', {}, columns.map((c) => h('td', { class: c.cls, 'data-label': c.label }, c.render(item)))));
    clear(tbody).append(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, state.name ? 'No names match the filter.' : empty))]));
    const shown = data.filtered_count !== data.total_count
      ? `${data.filtered_count.toLocaleString('en-US')} of ${data.total_count.toLocaleString('en-US')} match`
      : `${data.total_count.toLocaleString('en-US')} in total`;
    count.textContent = shown;
    clear(pager);
    if (data.page_count > 1) {
      pager.append(
        h('button', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page--; refresh(); } }, '‹ Previous'),
        h('span', {}, ` page ${state.page} of ${data.page_count} `),
        h('button', { type: 'button', disabled: state.page >= data.page_count, onclick: () => { state.page++; refresh(); } }, 'Next ›'),
      );
    }
  }

  header();
  const el = h('div', { class: 'paged' },
    h('div', { class: 'toolbar' }, filter, h('label', { class: 'check' }, regex, ' regex'), size, count),
    err, h('div', { class: 'scroll' }, table), pager);
  return { el, refresh };
}

export function simpleTable(columns, items, empty = 'None.') {
  return h('div', { class: 'scroll' }, h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.cls }, c.label)))),
    h('tbody', {}, items.length
      ? items.map((item) => h('tr', {}, columns.map((c) => h('td', { class: c.cls, 'data-label': c.label }, c.render(item)))))
      : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty)))));
}
