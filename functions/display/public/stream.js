// The event stream: newest first, searchable and filtered by type and source, with a detail panel.
import { $, clock, family, h, syncOptions } from './dom.js';
import { explainTree } from './runtime.js';
import { typeMatches } from './state.js';

/** Rows on screen at most; the rest stay in memory and are found by the filters. */
const MAX_ROWS = 250;

export class StreamView {
  constructor(apiBase) {
    this.apiBase = apiBase;
    this.rows = new Map(); // seq → row element, made once per event
    this.selected = undefined;
    this.paused = false;
    this.list = $('stream-list');
    this.detail = $('stream-detail');
    this.search = $('search');
    this.type = $('filter-type');
    this.source = $('filter-source');
    this.count = $('stream-count');
    const redraw = () => this.changed?.();
    this.search.addEventListener('input', redraw);
    this.type.addEventListener('change', redraw);
    this.source.addEventListener('change', redraw);
    $('pause').addEventListener('click', (e) => {
      this.paused = !this.paused;
      e.currentTarget.setAttribute('aria-pressed', String(this.paused));
      e.currentTarget.textContent = this.paused ? 'Resume' : 'Pause';
      redraw();
    });
    this.list.addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (!row) return;
      this.selected = this.records?.find((r) => r.seq === Number(row.dataset.seq));
      for (const el of this.list.querySelectorAll('.row.selected')) el.classList.remove('selected');
      row.classList.add('selected');
      this.showDetail();
    });
  }

  onChange(fn) {
    this.changed = fn;
  }

  reset() {
    this.rows.clear();
  }

  draw(state, dirty, all) {
    if (all || dirty.types) {
      syncOptions(this.type, 'All types', [...state.byType].sort((a, b) => b[1] - a[1]).map(([t, n]) => [t, `${t} (${n.toLocaleString('en-US')})`]));
      const sources = [...new Set(state.records.map((r) => r.source))].slice(-100).sort();
      syncOptions(this.source, 'All sources', sources.map((s) => [s, s]));
    }
    if (this.paused && !all) return;
    if (!all && !dirty.stream) return;
    this.records = state.records;
    const q = this.search.value.trim().toLowerCase();
    const type = this.type.value;
    const source = this.source.value;
    const shown = [];
    let matching = 0;
    for (let i = state.records.length - 1; i >= 0; i--) {
      const r = state.records[i];
      if (!typeMatches(state, r, type)) continue;
      if (source && r.source !== source) continue;
      if (q && !haystack(r).includes(q)) continue;
      matching++;
      if (shown.length < MAX_ROWS) shown.push(this.row(r));
    }
    this.list.replaceChildren(...shown);
    // Forget rows of events no longer kept.
    if (this.rows.size > state.records.length + 50) {
      const kept = new Set(state.records.map((r) => r.seq));
      for (const seq of this.rows.keys()) if (!kept.has(seq)) this.rows.delete(seq);
    }
    const filtered = q || type || source;
    this.count.textContent = `${filtered ? `${matching.toLocaleString('en-US')} matching · ` : ''}${state.records.length.toLocaleString('en-US')} kept of ${state.total.toLocaleString('en-US')} received`;
    if (shown.length === 0) this.list.append(h('p', { class: 'empty' }, state.total === 0 ? 'No events yet. Send one to the broker: see the README.' : 'No kept event matches the filters.'));
  }

  row(r) {
    let row = this.rows.get(r.seq);
    if (!row) {
      row = h(
        'div',
        { class: 'row', role: 'listitem', data: { seq: r.seq, family: family(r.type) } },
        h('span', { class: 'time' }, clock(r.at)),
        h('span', { class: 'type' }, r.type),
        h('span', { class: 'source' }, r.source),
        h('span', { class: 'subject' }, r.subject ?? ''),
        h('span', { class: 'size' }, size(r.data)),
      );
      this.rows.set(r.seq, row);
    }
    row.classList.toggle('selected', this.selected?.seq === r.seq);
    return row;
  }

  showDetail() {
    const r = this.selected;
    if (!r) return;
    const attrs = [
      ['type', r.type],
      ['source', r.source],
      ['id', r.id],
      ['subject', r.subject],
      ['time', r.time],
      ['datacontenttype', r.datacontenttype],
      ['specversion', r.specversion],
      ['received', new Date(r.at).toISOString()],
    ].filter(([, v]) => v !== undefined && v !== '');
    const ext = Object.entries(r.extensions);
    const parts = [
      h('h3', { class: 'detail-type', data: { family: family(r.type) } }, r.type),
      table(attrs),
      ext.length ? [h('h4', null, 'Extensions'), table(ext)] : null,
      h('h4', null, 'Data ', h('span', { class: 'muted' }, dataLabel(r.data))),
      dataBlock(r.data),
    ];
    if (this.apiBase !== undefined) {
      const out = h('div', { class: 'explain' });
      const button = h('button', { class: 'small' }, 'Explain: which Triggers matched it, and why');
      button.addEventListener('click', () => this.explain(r.id, out));
      parts.push(h('h4', null, 'Routing'), button, out);
    }
    this.detail.replaceChildren(...parts.flat().filter(Boolean));
  }

  async explain(id, out) {
    out.replaceChildren(h('p', { class: 'muted' }, 'asking the runtime…'));
    try {
      const res = await fetch(`${this.apiBase}/_/explain?event=${encodeURIComponent(id)}`);
      if (!res.ok) {
        out.replaceChildren(h('p', { class: 'muted' }, (await res.text()).trim()));
        return;
      }
      out.replaceChildren(explainTree(await res.json()));
    } catch (err) {
      out.replaceChildren(h('p', { class: 'muted' }, `the runtime did not answer: ${err.message}`));
    }
  }
}

function haystack(r) {
  r.hay ??= [r.type, r.source, r.subject, r.id, ...Object.values(r.extensions), r.data.text ?? ''].join('\n').toLowerCase();
  return r.hay;
}

function table(rows) {
  return h('table', { class: 'kv' }, h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))));
}

function size(d) {
  if (d.kind === 'none') return '';
  const b = d.bytes;
  return b >= 1048576 ? `${(b / 1048576).toFixed(1)} MB` : b >= 1024 ? `${(b / 1024).toFixed(1)} kB` : `${b} B`;
}

function dataLabel(d) {
  if (d.kind === 'none') return 'none';
  return `${d.kind} · ${size(d)}${d.truncated ? ' · preview truncated' : ''}`;
}

function dataBlock(d) {
  if (d.kind === 'none') return h('p', { class: 'muted' }, 'This event has no data.');
  return h('pre', { class: `data data-${d.kind}` }, d.kind === 'binary' ? d.hex : d.text);
}
