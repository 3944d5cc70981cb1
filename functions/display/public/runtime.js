// The runtime view, under `eventyard dev` only: its Services scaling from and to zero (live, from
// /_/services/watch), its Triggers with their counts, and why a recent event matched or not.
// On a cluster the page is not served under /_/services/ and this view stays hidden.
import { $, clock, family, h } from './dom.js';

/** The origin-relative base of dev's /_/ API when the page is served by `eventyard dev`. */
export function runtimeApiBase() {
  return location.pathname.startsWith('/_/services/') ? '' : undefined;
}

const POLL_MS = 2000;
const HISTORY_MS = 5 * 60_000;

export class RuntimeView {
  constructor(base) {
    this.base = base;
    this.services = new Map(); // name → { stats, history: [[t, instances]] }
    this.servicesEl = $('runtime-services');
    this.triggersEl = $('runtime-triggers');
    this.eventsEl = $('runtime-events');
    this.explainEl = $('runtime-explain');
    this.eventsEl.addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (!row) return;
      this.selected = row.dataset.id;
      for (const el of this.eventsEl.querySelectorAll('.row.selected')) el.classList.remove('selected');
      row.classList.add('selected');
      void this.explain(row.dataset.id);
    });
    this.watch();
  }

  onChange(fn) {
    this.changed = fn;
  }

  /** Service stats as they change, kept with a short history of instance counts for sparklines. */
  watch() {
    const source = new EventSource(`${this.base}/_/services/watch`);
    source.addEventListener('service', (m) => {
      const stats = JSON.parse(m.data);
      const key = `${stats.namespace}/${stats.name}`;
      const entry = this.services.get(key) ?? { stats, history: [] };
      entry.stats = stats;
      const now = Date.now();
      entry.history.push([now, stats.instances.ready + stats.instances.starting]);
      while (entry.history.length > 2 && now - entry.history[0][0] > HISTORY_MS) entry.history.shift();
      this.services.set(key, entry);
      if (this.visible) this.changed?.();
    });
  }

  show() {
    this.visible = true;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  hide() {
    this.visible = false;
    clearInterval(this.timer);
  }

  async poll() {
    try {
      const [triggers, events] = await Promise.all([get(`${this.base}/_/triggers`), get(`${this.base}/_/events`)]);
      this.triggers = triggers;
      this.events = events;
      this.changed?.();
    } catch {
      // the runtime is stopping or restarting: the next poll tries again
    }
  }

  draw() {
    const now = Date.now();
    const cards = [...this.services.values()].sort((a, b) => a.stats.name.localeCompare(b.stats.name)).map(({ stats: s, history }) => {
      const up = s.instances.ready + s.instances.starting;
      const spark = h('canvas', { class: 'mini', width: 180, height: 36 });
      drawSteps(spark, history, now);
      return h(
        'div',
        { class: `service${up === 0 ? ' zero' : ''}`, data: { name: s.name, instances: up } },
        h('div', { class: 'service-head' }, h('b', null, s.name), h('span', { class: 'badge' }, up === 0 ? 'scaled to zero' : `${up} instance${up === 1 ? '' : 's'}`)),
        spark,
        h('div', { class: 'muted small-text' },
          `ready ${s.instances.ready} · starting ${s.instances.starting} · draining ${s.instances.draining} · in flight ${s.inFlight}${s.queued ? ` · queued ${s.queued}` : ''}`),
        h('div', { class: 'muted small-text' },
          `scale ${s.minScale}–${s.maxScale || '∞'} · cold starts ${s.coldStarts}${s.lastColdStartMs !== undefined ? ` (last ${Math.round(s.lastColdStartMs)} ms)` : ''} · requests ${s.requests}${s.crashes ? ` · crashes ${s.crashes}` : ''}`),
      );
    });
    this.servicesEl.replaceChildren(...(cards.length ? cards : [h('p', { class: 'empty' }, 'No Service has run yet.')]));
    if (this.triggers) {
      this.triggersEl.replaceChildren(...this.triggers.map((t) => h('tr', { data: { trigger: `${t.namespace}/${t.name}` } },
        h('td', null, h('b', null, t.name), h('div', { class: 'muted small-text' }, `${t.namespace}/${t.broker} · ${t.file}`)),
        h('td', null, h('code', null, t.filter)),
        h('td', null, t.subscriber, t.deadLetterSink ? h('div', { class: 'muted small-text' }, `dead letters → ${t.deadLetterSink}`) : null),
        num(t.counts.matched), num(t.counts.delivered), num(t.counts.retried), num(t.counts.deadLettered, 'bad'), num(t.counts.dropped, 'bad'), num(t.counts.inFlight),
      )));
    }
    if (this.events) {
      this.eventsEl.replaceChildren(...this.events.map((e) => h('div', { class: `row${e.id === this.selected ? ' selected' : ''}`, data: { id: e.id, family: family(e.type) } },
        h('span', { class: 'time' }, clock(e.at)), h('span', { class: 'type' }, e.type), h('span', { class: 'source' }, e.source))));
      if (this.events.length === 0) this.eventsEl.append(h('p', { class: 'empty' }, 'No event received by the broker yet.'));
    }
  }

  async explain(id) {
    this.explainEl.replaceChildren(h('p', { class: 'muted' }, 'asking the runtime…'));
    try {
      const res = await fetch(`${this.base}/_/explain?event=${encodeURIComponent(id)}`);
      this.explainEl.replaceChildren(res.ok ? explainTree(await res.json()) : h('p', { class: 'muted' }, (await res.text()).trim()));
    } catch (err) {
      this.explainEl.replaceChildren(h('p', { class: 'muted' }, `the runtime did not answer: ${err.message}`));
    }
  }
}

/** GET /_/explain's answer as a tree: each Trigger, delivered or not, and each part of its filter. */
export function explainTree(x) {
  return h('div', { class: 'explain-tree' },
    h('p', { class: 'muted' }, `event ${x.event} on broker ${x.broker}${x.dataDropped ? ' (its data was too big to keep: data filters saw none)' : ''}`),
    x.triggers.length === 0 ? h('p', { class: 'muted' }, 'No Trigger on this broker.') : null,
    x.triggers.map((t) => h('div', { class: `explain-trigger ${t.delivered ? 'pass' : 'fail'}` },
      h('div', null, h('span', { class: 'mark' }, t.delivered ? '✓' : '✗'), h('b', null, t.trigger), h('span', { class: 'muted' }, t.delivered ? ' delivers it' : ' does not deliver it'), h('span', { class: 'muted small-text' }, ` · ${t.file}`)),
      node(t.explanation))),
  );
}

function node(e) {
  const mark = { pass: '✓', fail: '✗', nofilter: '–' }[e.result] ?? '?';
  return h('ul', { class: 'explain-node' }, h('li', { class: e.result },
    h('span', { class: 'mark' }, mark), h('code', null, e.filter), e.detail ? h('span', { class: 'muted' }, `  ${e.detail}`) : null,
    e.children.map(node)));
}

function num(n, tone) {
  return h('td', { class: `num${tone && n > 0 ? ` ${tone}-text` : ''}` }, (n ?? 0).toLocaleString('en-US'));
}

async function get(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** Instances over the last minutes as a step line. */
function drawSteps(c, history, now) {
  const ctx = c.getContext('2d');
  const max = Math.max(1, ...history.map(([, n]) => n));
  const x = (t) => c.width - ((now - t) / HISTORY_MS) * c.width;
  const y = (n) => c.height - 3 - ((c.height - 8) * n) / max;
  ctx.strokeStyle = '#7c9cff';
  ctx.fillStyle = 'rgba(124,156,255,0.15)';
  ctx.lineWidth = 2;
  ctx.beginPath();
  let last = history[0]?.[1] ?? 0;
  ctx.moveTo(0, y(last));
  for (const [t, n] of history) {
    ctx.lineTo(Math.max(0, x(t)), y(last));
    ctx.lineTo(Math.max(0, x(t)), y(n));
    last = n;
  }
  ctx.lineTo(c.width, y(last));
  ctx.stroke();
  ctx.lineTo(c.width, c.height);
  ctx.lineTo(0, c.height);
  ctx.fill();
}
