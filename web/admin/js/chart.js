// chart.js: a small live line chart in SVG (no library). series: [{label, color, values[]}],
// all the same length, newest last; the y axis starts at 0 and tops at the largest value.

import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 160;

function svg(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function lineChart(title) {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'chart', role: 'img', 'aria-label': title });
  const legend = h('div', { class: 'legend' });
  const top = h('span', { class: 'muted axis' });
  const el = h('figure', { class: 'chart-box' }, h('figcaption', {}, title, ' ', top), root, legend);

  function update(series, capacity, format) {
    while (root.firstChild) root.firstChild.remove();
    for (let i = 1; i < 4; i++) root.append(svg('line', { x1: 0, x2: W, y1: (H * i) / 4, y2: (H * i) / 4, class: 'grid' }));
    const max = Math.max(1, ...series.flatMap((s) => s.values));
    top.textContent = `(max ${format(max)})`;
    const step = W / Math.max(1, capacity - 1);
    for (const s of series) {
      const offset = capacity - s.values.length;
      const points = s.values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(H - (v / max) * (H - 4) - 2).toFixed(1)}`);
      if (points.length === 1) points.push(points[0]);
      root.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
    }
    legend.replaceChildren(...series.map((s) => {
      const swatch = h('i');
      swatch.style.background = s.color; // CSSOM, which the page's CSP allows (style attributes it does not)
      return h('span', { class: 'key' }, swatch, `${s.label} ${format(s.values.length ? s.values[s.values.length - 1] : 0)}`);
    }));
  }
  return { el, update };
}
